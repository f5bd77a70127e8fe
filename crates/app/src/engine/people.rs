//! Adding people and their roles.

use jiff::Timestamp;
use leadgate_core::audit::Actor;
use leadgate_core::role::Role;
use leadgate_store::Store;
use leadgate_store::people::{self, Person};
use serde_json::json;

use super::{Error, Result, record, refuse};

/// Checks a person's name: what they type after `--as`.
pub fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "`{name}` is not a usable name: 1 to 64 characters, no control characters"
        )));
    }
    Ok(name)
}

/// Checks and normalises an email address (trimmed, lower-cased).
pub fn check_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid {
        return Err(Error::Invalid(format!("`{email}` is not an email address")));
    }
    Ok(email)
}

/// Adds a person, recording who did it (`by`).
pub async fn add(
    store: &Store,
    by: &Actor,
    name: &str,
    email: &str,
    roles: Vec<Role>,
    now: Timestamp,
) -> Result<Person> {
    let inputs = json!({ "name": name, "email": email, "roles": roles });
    let checked = check_name(name).and_then(|n| Ok((n.to_string(), check_email(email)?)));
    let (name, email) = match checked {
        Ok(ok) => ok,
        Err(e) => return refuse(store, by, "user.add", "user", inputs, e, now).await,
    };
    let person = Person {
        name: name.clone(),
        email,
        roles,
        created_at: now,
    };
    let mut tx = store.begin().await?;
    if !people::insert(&mut tx, &person).await? {
        tx.rollback().await?;
        let taken = Error::Conflict(format!(
            "a person named `{}` or with the email {} already exists",
            person.name, person.email
        ));
        return refuse(
            store,
            by,
            "user.add",
            &format!("user:{name}"),
            inputs,
            taken,
            now,
        )
        .await;
    }
    record(
        &mut tx,
        by,
        "user.added",
        &format!("user:{name}"),
        json!({ "email": person.email, "roles": person.roles }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}
