//! Stage 4's tables. So far: the one-click unsubscribe tokens, kept as digests (the token
//! itself is only in the message's link) with the address, when they were issued, until
//! when they work, and when one was first used.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, micros, opt_timestamp, timestamp};

/// A stored unsubscribe token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeToken {
    pub email: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// Keeps the digest of a new token for `email`.
pub async fn issue_unsubscribe(
    conn: &mut AnyConnection,
    digest: &str,
    email: &str,
    issued_at: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO unsubscribe_tokens (digest, email, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(digest)
    .bind(email)
    .bind(micros(issued_at))
    .bind(micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The token with this digest, if one was issued.
pub async fn unsubscribe_token(
    conn: &mut AnyConnection,
    digest: &str,
) -> Result<Option<UnsubscribeToken>> {
    let Some(row) = sqlx::query(
        "SELECT email, issued_at, expires_at, used_at FROM unsubscribe_tokens WHERE digest = $1",
    )
    .bind(digest)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(UnsubscribeToken {
        email: row.try_get("email")?,
        issued_at: timestamp(row.try_get("issued_at")?)?,
        expires_at: timestamp(row.try_get("expires_at")?)?,
        used_at: opt_timestamp(row.try_get("used_at")?)?,
    }))
}

/// Records the first use of a token (later uses keep the first time).
pub async fn use_unsubscribe(conn: &mut AnyConnection, digest: &str, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE unsubscribe_tokens SET used_at = $1 WHERE digest = $2 AND used_at IS NULL")
        .bind(micros(at))
        .bind(digest)
        .execute(conn)
        .await?;
    Ok(())
}
