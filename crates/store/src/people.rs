//! The people of a workspace and the roles they hold.

use jiff::Timestamp;
use leadgate_core::role::Role;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, micros, opt_timestamp, timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub created_at: Timestamp,
    /// When an admin deactivated them (they left); `None` while active.
    pub deactivated_at: Option<Timestamp>,
}

impl Person {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn parse_roles(text: &str) -> Result<Vec<Role>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|e| StoreError::Corrupt(format!("role list `{text}`: {e}")))
        })
        .collect()
}

fn person(row: AnyRow) -> Result<Person> {
    Ok(Person {
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        roles: parse_roles(&row.try_get::<String, _>("roles")?)?,
        created_at: timestamp(row.try_get("created_at")?)?,
        deactivated_at: opt_timestamp(row.try_get("deactivated_at")?)?,
    })
}

const COLUMNS: &str = "name, email, roles, created_at, deactivated_at FROM people";

/// Adds a person. Returns false when the name or the email is taken.
pub async fn insert(conn: &mut AnyConnection, person: &Person) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO people (name, email, roles, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(&person.name)
    .bind(&person.email)
    .bind(roles_text(&person.roles))
    .bind(micros(person.created_at))
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn set_roles(conn: &mut AnyConnection, name: &str, roles: &[Role]) -> Result<bool> {
    let updated = sqlx::query("UPDATE people SET roles = $1 WHERE name = $2")
        .bind(roles_text(roles))
        .bind(name)
        .execute(conn)
        .await?;
    Ok(updated.rows_affected() == 1)
}

pub async fn get(conn: &mut AnyConnection, name: &str) -> Result<Option<Person>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE name = $1"
    )))
    .bind(name)
    .fetch_optional(conn)
    .await?
    .map(person)
    .transpose()
}

pub async fn by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<Person>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE lower(email) = lower($1)"
    )))
    .bind(email)
    .fetch_optional(conn)
    .await?
    .map(person)
    .transpose()
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Person>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY name"
    )))
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(person)
    .collect()
}

/// Deactivates (`Some((by, at))`) or reactivates (`None`) a person. Returns false when there
/// is no such person.
pub async fn set_deactivated(
    conn: &mut AnyConnection,
    name: &str,
    deactivated: Option<(&str, Timestamp)>,
) -> Result<bool> {
    let updated =
        sqlx::query("UPDATE people SET deactivated_at = $1, deactivated_by = $2 WHERE name = $3")
            .bind(deactivated.map(|(_, at)| micros(at)))
            .bind(deactivated.map(|(by, _)| by))
            .bind(name)
            .execute(conn)
            .await?;
    Ok(updated.rows_affected() == 1)
}
