//! How people and machines prove who they are: password hashes, one-time sign-in links,
//! browser sessions and API tokens.
//!
//! This module never sees a secret. Callers hash first: a password to its argon2 PHC string,
//! every random secret (link, session id, token) to the hex SHA-256 of its text. Lookups are by
//! that hash, so a stolen database holds nothing that signs anyone in. Who is signed in is
//! always answered together with the person's current roles (a join on `people`), so a role
//! taken away takes effect on the next request, and a deactivated person is nobody: their
//! sessions, tokens and password stop working at once.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::people::{Person, parse_roles};
use crate::{Result, micros, opt_timestamp, timestamp};

fn person_from(row: &AnyRow) -> Result<Person> {
    Ok(Person {
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        roles: parse_roles(&row.try_get::<String, _>("roles")?)?,
        created_at: timestamp(row.try_get("person_created_at")?)?,
        deactivated_at: opt_timestamp(row.try_get("person_deactivated_at")?)?,
    })
}

const PERSON_COLUMNS: &str = "p.name, p.email, p.roles, p.created_at AS person_created_at, \
     p.deactivated_at AS person_deactivated_at";

/// Sets (or replaces) a person's password hash.
pub async fn set_password(
    conn: &mut AnyConnection,
    person: &str,
    password_hash: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO passwords (person, password_hash, set_at) VALUES ($1, $2, $3)
         ON CONFLICT (person) DO UPDATE SET password_hash = excluded.password_hash, set_at = excluded.set_at",
    )
    .bind(person)
    .bind(password_hash)
    .bind(micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The person with this email and their password hash, when they have one.
pub async fn password_for_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<(Person, Option<String>)>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, w.password_hash FROM people p
         LEFT JOIN passwords w ON w.person = p.name
         WHERE lower(p.email) = lower($1) AND p.deactivated_at IS NULL"
    )))
    .bind(email)
    .fetch_optional(conn)
    .await?
    .map(|row| Ok((person_from(&row)?, row.try_get("password_hash")?)))
    .transpose()
}

/// Stores a one-time sign-in link.
pub async fn insert_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    person: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_links (token_hash, person, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(person)
    .bind(micros(now))
    .bind(micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Uses up a sign-in link: marks it used and returns its person, or `None` when the link is
/// unknown, used or expired. One statement, so a link works once even under races.
pub async fn use_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<String>> {
    Ok(sqlx::query(
        "UPDATE sign_in_links SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING person",
    )
    .bind(micros(now))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()?)
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    person: &str,
    csrf_token: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, person, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(person)
    .bind(csrf_token)
    .bind(micros(now))
    .bind(micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The person of a live session and the session's CSRF token.
pub async fn session(
    conn: &mut AnyConnection,
    id_hash: &str,
    now: Timestamp,
) -> Result<Option<(Person, String)>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, s.csrf_token FROM sessions s JOIN people p ON p.name = s.person
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND p.deactivated_at IS NULL"
    )))
    .bind(id_hash)
    .bind(micros(now))
    .fetch_optional(conn)
    .await?
    .map(|row| Ok((person_from(&row)?, row.try_get("csrf_token")?)))
    .transpose()
}

/// Ends a session. Returns false when there was none.
pub async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> Result<bool> {
    let deleted = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Removes expired sessions and spent or expired links.
pub async fn purge_expired(conn: &mut AnyConnection, now: Timestamp) -> Result<u64> {
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(micros(now))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let links = sqlx::query("DELETE FROM sign_in_links WHERE expires_at <= $1")
        .bind(micros(now))
        .execute(conn)
        .await?
        .rows_affected();
    Ok(sessions + links)
}

/// An API token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub person: String,
    pub label: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

fn api_token(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        person: row.try_get("person")?,
        label: row.try_get("label")?,
        created_at: timestamp(row.try_get("created_at")?)?,
        last_used_at: opt_timestamp(row.try_get("last_used_at")?)?,
        revoked_at: opt_timestamp(row.try_get("revoked_at")?)?,
    })
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    person: &str,
    label: &str,
    token_hash: &str,
    now: Timestamp,
) -> Result<ApiToken> {
    let id: i64 = sqlx::query(
        "INSERT INTO api_tokens (person, label, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person)
    .bind(label)
    .bind(token_hash)
    .bind(micros(now))
    .fetch_one(conn)
    .await?
    .try_get(0)?;
    Ok(ApiToken {
        id,
        person: person.to_string(),
        label: label.to_string(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    })
}

/// The person behind an unrevoked token, with the token.
pub async fn token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<(Person, ApiToken)>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, t.id, t.person, t.label, t.created_at, t.last_used_at, t.revoked_at
         FROM api_tokens t JOIN people p ON p.name = t.person
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND p.deactivated_at IS NULL"
    )))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?
    .map(|row| Ok((person_from(&row)?, api_token(&row)?)))
    .transpose()
}

/// Notes a token's use. Returns true when this is its first recorded use since `since`
/// (the caller audits that one), false when a use since then was already noted.
pub async fn touch_token(
    conn: &mut AnyConnection,
    id: i64,
    since: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let touched = sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1
         WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(micros(now))
    .bind(id)
    .bind(micros(since))
    .execute(conn)
    .await?;
    Ok(touched.rows_affected() == 1)
}

pub async fn get_token(conn: &mut AnyConnection, id: i64) -> Result<Option<ApiToken>> {
    sqlx::query(
        "SELECT id, person, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(api_token)
    .transpose()
}

/// Every token, oldest first.
pub async fn list_tokens(conn: &mut AnyConnection) -> Result<Vec<ApiToken>> {
    sqlx::query(
        "SELECT id, person, label, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(api_token)
    .collect()
}

/// Revokes a token. Returns false when it does not exist or was already revoked.
pub async fn revoke_token(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<bool> {
    let revoked =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(micros(now))
            .bind(id)
            .execute(conn)
            .await?;
    Ok(revoked.rows_affected() == 1)
}

/// Ends every session of a person (they were deactivated).
pub async fn end_sessions_of(conn: &mut AnyConnection, person: &str) -> Result<u64> {
    let deleted = sqlx::query("DELETE FROM sessions WHERE person = $1")
        .bind(person)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected())
}
