//! Who is asking: passwords, one-time sign-in links, sessions and API tokens, each change and
//! each refusal on the audit log.
//!
//! Secrets are made here and leave only once, to the person or machine they belong to: the
//! store keeps argon2 hashes of passwords and SHA-256 hashes of random secrets (links, session
//! ids, tokens — 256 random bits each, so a fast hash is enough and a request with a token costs
//! one hash, not an argon2 run). Roles are read with the person on every request, never cached
//! in a session or token.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use jiff::{SignedDuration, Timestamp};
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_store::Store;
use leadgate_store::credentials::{self, ApiToken};
use leadgate_store::people::Person;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Error, Result, person, record, refuse};

/// How long a sign-in link printed by `user add` works (once).
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(24);
/// How long a browser session lasts from sign-in.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 1024;
/// API tokens start with this, so that a leaked one is easy to recognise (and to scan for).
pub const TOKEN_PREFIX: &str = "lgt_";

/// 256 random bits as 64 hex characters.
pub fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("the system\'s random source failed: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The stored form of a random secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn check_password(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::Invalid(format!(
            "a password has at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| Error::Internal(format!("cannot hash the password: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("password hashing stopped: {e}")))?
}

/// Checks a password against a stored hash; `None` (no password set, or no such person) is
/// checked against a fixed hash so that the answer takes as long either way.
async fn verify_password(password: String, stored: Option<String>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| {
            DECOY
                .get_or_init(|| {
                    Argon2::default()
                        .hash_password(b"leadgate decoy password")
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone()
        });
        let matches = PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && matches
    })
    .await
    .unwrap_or(false)
}

/// Sets a person's password (`leadgate user passwd`), recording who did it.
pub async fn set_password(
    store: &Store,
    by: &Actor,
    name: &str,
    password: &str,
    now: Timestamp,
) -> Result<()> {
    let subject = Subject::User(name.to_string());
    if let Err(e) = check_password(password) {
        return refuse(store, by, Attempt::SetPassword, &subject, json!({}), e, now).await;
    }
    let hash = hash_password(password.to_string()).await?;
    let mut tx = store.begin().await?;
    let found = match person(&mut tx, name).await {
        Ok(found) => found,
        Err(e) => {
            tx.rollback().await?;
            return refuse(store, by, Attempt::SetPassword, &subject, json!({}), e, now).await;
        }
    };
    credentials::set_password(&mut tx, &found.name, &hash, now).await?;
    record(
        &mut tx,
        by,
        Action::UserPasswordSet,
        &subject,
        json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes a one-time sign-in link token for a person, valid for [`LINK_LIFETIME`].
pub async fn issue_link(store: &Store, by: &Actor, name: &str, now: Timestamp) -> Result<String> {
    let token = random_secret()?;
    let expires_at = now.saturating_add(LINK_LIFETIME).unwrap_or(now);
    let mut tx = store.begin().await?;
    let found = person(&mut tx, name).await?;
    credentials::insert_link(&mut tx, &digest(&token), &found.name, now, expires_at).await?;
    record(
        &mut tx,
        by,
        Action::SignInLinkIssued,
        &Subject::User(found.name.to_string()),
        json!({ "expires_at": expires_at }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// A new browser session: its id goes into a cookie, its CSRF token into every form.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: Person,
    pub session_id: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// Signs in with email and password from `client` (an address, for the audit log).
pub async fn sign_in_with_password(
    store: &Store,
    email: &str,
    password: &str,
    client: &str,
    now: Timestamp,
) -> Result<SignedIn> {
    let email = email.trim().to_lowercase();
    let mut conn = store.conn().await?;
    let found = credentials::password_for_email(&mut conn, &email).await?;
    drop(conn);
    let (person, stored) = match found {
        Some((person, stored)) => (Some(person), stored),
        None => (None, None),
    };
    if !verify_password(password.to_string(), stored).await || person.is_none() {
        let (actor, subject) = match &person {
            Some(p) => (
                Actor::Person(p.name.clone()),
                Subject::User(p.name.to_string()),
            ),
            None => (Actor::System, Subject::Auth),
        };
        return refuse(
            store,
            &actor,
            Attempt::SignIn,
            &subject,
            json!({ "method": "password", "email": email, "client": client }),
            Error::Unauthenticated("the email or the password is wrong".into()),
            now,
        )
        .await;
    }
    let person = person.ok_or_else(|| Error::Unauthenticated("no such person".into()))?;
    open_session(store, person, "password", client, now).await
}

/// Signs in with a one-time link; the link is spent whether or not anything follows.
pub async fn sign_in_with_link(
    store: &Store,
    token: &str,
    client: &str,
    now: Timestamp,
) -> Result<SignedIn> {
    let mut conn = store.conn().await?;
    let name = credentials::use_link(&mut conn, &digest(token), now).await?;
    let found = match name {
        Some(name) => leadgate_store::people::get(&mut conn, &name).await?,
        None => None,
    };
    drop(conn);
    match found {
        Some(person) if person.is_active() => {
            open_session(store, person, "link", client, now).await
        }
        _ => {
            refuse(
                store,
                &Actor::System,
                Attempt::SignIn,
                &Subject::Auth,
                json!({ "method": "link", "client": client }),
                Error::Unauthenticated(
                    "this sign-in link is unknown, used or expired; ask an admin for a new one"
                        .into(),
                ),
                now,
            )
            .await
        }
    }
}

async fn open_session(
    store: &Store,
    person: Person,
    method: &str,
    client: &str,
    now: Timestamp,
) -> Result<SignedIn> {
    let session_id = random_secret()?;
    let csrf_token = random_secret()?;
    let expires_at = now.saturating_add(SESSION_LIFETIME).unwrap_or(now);
    let mut tx = store.begin().await?;
    credentials::insert_session(
        &mut tx,
        &digest(&session_id),
        &person.name,
        &csrf_token,
        now,
        expires_at,
    )
    .await?;
    credentials::purge_expired(&mut tx, now).await?;
    record(
        &mut tx,
        &Actor::Person(person.name.clone()),
        Action::SignedIn,
        &Subject::User(person.name.to_string()),
        json!({ "method": method, "client": client }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(SignedIn {
        person,
        session_id,
        csrf_token,
        expires_at,
    })
}

/// The person of a live session and its CSRF token.
pub async fn session(
    store: &Store,
    session_id: &str,
    now: Timestamp,
) -> Result<Option<(Person, String)>> {
    let mut conn = store.conn().await?;
    Ok(credentials::session(&mut conn, &digest(session_id), now).await?)
}

pub async fn sign_out(store: &Store, session_id: &str, person: &str, now: Timestamp) -> Result<()> {
    let mut tx = store.begin().await?;
    if credentials::delete_session(&mut tx, &digest(session_id)).await? {
        record(
            &mut tx,
            &Actor::Person(person.to_string()),
            Action::SignedOut,
            &Subject::User(person.to_string()),
            json!({}),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Creates an API token that acts as `name`; the secret is returned once and never stored.
pub async fn create_token(
    store: &Store,
    by: &Actor,
    name: &str,
    label: &str,
    now: Timestamp,
) -> Result<(ApiToken, String)> {
    let label = label.trim();
    if label.chars().count() > 100 || label.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "a token's label has at most 100 characters and no control characters".into(),
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_secret()?);
    let mut tx = store.begin().await?;
    let found = match person(&mut tx, name).await {
        Ok(found) => found,
        Err(e) => {
            tx.rollback().await?;
            let inputs = json!({ "as": name, "label": label });
            return refuse(
                store,
                by,
                Attempt::CreateToken,
                &Subject::Tokens,
                inputs,
                e,
                now,
            )
            .await;
        }
    };
    let token =
        credentials::insert_token(&mut tx, &found.name, label, &digest(&secret), now).await?;
    record(
        &mut tx,
        by,
        Action::TokenCreated,
        &Subject::Token(token.id),
        json!({ "as": found.name, "label": label }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((token, secret))
}

pub async fn revoke_token(store: &Store, by: &Actor, id: i64, now: Timestamp) -> Result<ApiToken> {
    let mut tx = store.begin().await?;
    let Some(token) = credentials::get_token(&mut tx, id).await? else {
        tx.rollback().await?;
        return Err(Error::NotFound(format!(
            "no token {id} (see `leadgate token list`)"
        )));
    };
    if !credentials::revoke_token(&mut tx, id, now).await? {
        tx.rollback().await?;
        return Err(Error::Conflict(format!("token {id} is already revoked")));
    }
    record(
        &mut tx,
        by,
        Action::TokenRevoked,
        &Subject::Token(id),
        json!({ "as": token.person, "label": token.label }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ApiToken {
        revoked_at: Some(now),
        ..token
    })
}

/// The person a bearer token acts as, or `None` for an unknown or revoked token. The first use
/// of a token each (UTC) day is noted on the token and in the audit log; other uses write
/// nothing, so that reading with a token stays a single query.
pub async fn authenticate_token(
    store: &Store,
    secret: &str,
    now: Timestamp,
) -> Result<Option<(Person, ApiToken)>> {
    let mut conn = store.conn().await?;
    let Some((person, token)) = credentials::token(&mut conn, &digest(secret)).await? else {
        return Ok(None);
    };
    drop(conn);
    let day_start = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .start_of_day()
        .map(|z| z.timestamp())
        .unwrap_or(now);
    let used_today = token.last_used_at.is_some_and(|at| at >= day_start);
    if !used_today {
        let mut tx = store.begin().await?;
        if credentials::touch_token(&mut tx, token.id, day_start, now).await? {
            record(
                &mut tx,
                &Actor::Person(person.name.clone()),
                Action::TokenUsed,
                &Subject::Token(token.id),
                json!({ "label": token.label, "first_use_on": day_start.to_zoned(jiff::tz::TimeZone::UTC).date() }),
                now,
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(Some((person, token)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_digests_fixed() {
        let a = random_secret().unwrap();
        let b = random_secret().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest("x"), digest("x"));
        assert_ne!(digest(&a), a);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(verify_password("correct horse".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse".into(), Some(hash)).await);
        assert!(!verify_password("correct horse".into(), None).await);
    }
}
