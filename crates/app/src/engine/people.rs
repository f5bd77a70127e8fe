//! People and their roles: adding them, changing what they may do, and deactivating those
//! who left. Every change is an admin's, checked and audited under that admin's name; the
//! last active admin is never removed, and a change that leaves an open gate with nobody
//! who may decide it says so.

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::gate::{self, Decider};
use leadgate_core::role::Role;
use leadgate_store::Store;
use leadgate_store::gates::{self as stored_gates, GateFilter};
use leadgate_store::people::{self, Person};

use serde::Serialize;
use serde_json::{Value, json};

use super::{Attempted, Conn, Error, Result, Tx, known_person, person, record, refuse, settle};

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
        Err(e) => {
            return refuse(
                store,
                by,
                Attempt::AddUser,
                &Subject::People,
                inputs,
                e,
                now,
            )
            .await;
        }
    };
    let person = Person {
        name: name.clone(),
        email,
        roles,
        created_at: now,
        deactivated_at: None,
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
            Attempt::AddUser,
            &Subject::User(name.to_string()),
            inputs,
            taken,
            now,
        )
        .await;
    }
    record(
        &mut tx,
        by,
        Action::UserAdded,
        &Subject::User(name.to_string()),
        json!({ "email": person.email, "roles": person.roles }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// A change to a person, and what it leaves undecidable.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    pub person: Person,
    /// Open gates that, after the change, wait on a role nobody active may fill, in words.
    pub warnings: Vec<String>,
}

/// What an admin does to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Roles { add: Vec<Role>, remove: Vec<Role> },
    Deactivate,
    Reactivate,
}

impl Change {
    fn action(&self) -> Attempt {
        match self {
            Change::Roles { .. } => Attempt::ChangeRoles,
            Change::Deactivate => Attempt::Deactivate,
            Change::Reactivate => Attempt::Reactivate,
        }
    }

    fn done(&self) -> Action {
        match self {
            Change::Roles { .. } => Action::UserRolesChanged,
            Change::Deactivate => Action::UserDeactivated,
            Change::Reactivate => Action::UserReactivated,
        }
    }
}

/// `admin` changes `name`: roles added and removed, deactivated or reactivated. Refused (and
/// audited) unless `admin` is an active admin, and when it would leave no active admin. A
/// deactivated person's sessions end at once and their tokens stop working (they are
/// nobody to the server); their past decisions stay in the log under their name.
pub async fn change(
    store: &Store,
    admin: &str,
    name: &str,
    change: Change,
    now: Timestamp,
) -> Result<Changed> {
    let actor = Actor::Person(admin.to_string());
    let subject = Subject::User(name.to_string());
    let inputs = match &change {
        Change::Roles { add, remove } => json!({ "add": add, "remove": remove }),
        Change::Deactivate | Change::Reactivate => json!({}),
    };
    let mut tx = store.begin().await?;
    let checked = check_change(&mut tx, admin, name, &change, now).await;
    let attempt = Attempted {
        actor: &actor,
        action: change.action(),
        subject: &subject,
        inputs: &inputs,
    };
    let (mut changed, mut tx) = settle(checked, tx, store, attempt, now).await?;
    match &change {
        Change::Roles { .. } => {
            people::set_roles(&mut tx, name, &changed.roles).await?;
        }
        Change::Deactivate => {
            people::set_deactivated(&mut tx, name, Some((admin, now))).await?;
            leadgate_store::credentials::end_sessions_of(&mut tx, name).await?;
            changed.deactivated_at = Some(now);
        }
        Change::Reactivate => {
            people::set_deactivated(&mut tx, name, None).await?;
            changed.deactivated_at = None;
        }
    }
    let warnings = undecidable_gates(&mut tx).await?;
    let mut details = json!({ "roles": changed.roles, "warnings": warnings });
    if let (Value::Object(map), Value::Object(asked)) = (&mut details, inputs) {
        map.extend(asked);
    }
    record(&mut tx, &actor, change.done(), &subject, details, now).await?;
    tx.commit().await?;
    Ok(Changed {
        person: changed,
        warnings,
    })
}

/// The person as the change leaves them, or why the change is refused.
async fn check_change(
    tx: &mut Tx,
    admin: &str,
    name: &str,
    change: &Change,
    now: Timestamp,
) -> Result<Person> {
    let by = person(tx, admin).await?;
    if !by.roles.contains(&Role::Admin) {
        return Err(Error::Forbidden(format!(
            "{admin} is not an active admin; only an admin changes people"
        )));
    }
    // The person changed is what the request is about: one nobody knows is not found (the
    // caller is someone else, and known).
    let mut target = known_person(tx, name).await.map_err(|e| match e {
        Error::UnknownPerson(name) => {
            Error::NotFound(format!("no person named {name} (see `leadgate user list`)"))
        }
        e => e,
    })?;
    match change {
        Change::Roles { add, remove } => {
            if add.is_empty() && remove.is_empty() {
                return Err(Error::Invalid(
                    "say which roles to add (--add) or remove (--remove)".into(),
                ));
            }
            if let Some(both) = add.iter().find(|r| remove.contains(r)) {
                return Err(Error::Invalid(format!("{both} is both added and removed")));
            }
            let mut roles: Vec<Role> = target
                .roles
                .iter()
                .copied()
                .filter(|r| !remove.contains(r))
                .collect();
            for role in add {
                if !roles.contains(role) {
                    roles.push(*role);
                }
            }
            roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
            if roles.is_empty() {
                return Err(Error::Invalid(format!(
                    "{name} would hold no role; deactivate them instead"
                )));
            }
            target.roles = roles;
        }
        Change::Deactivate => {
            if !target.is_active() {
                return Err(Error::Conflict(format!("{name} is deactivated already")));
            }
            target.deactivated_at = Some(now);
        }
        Change::Reactivate => {
            if target.is_active() {
                return Err(Error::Conflict(format!("{name} is active")));
            }
            target.deactivated_at = None;
        }
    }
    let admins_left = people::list(tx)
        .await?
        .into_iter()
        .map(|p| {
            if p.name == target.name {
                target.clone()
            } else {
                p
            }
        })
        .filter(|p| p.is_active() && p.roles.contains(&Role::Admin))
        .count();
    if admins_left == 0 {
        return Err(Error::Conflict(format!(
            "{name} is the last active admin; make someone else an admin first"
        )));
    }
    Ok(target)
}

/// Open gates with a pending role that no active person may fill (the maker and those who
/// decided already do not count), in words for the admin who made the change.
async fn undecidable_gates(conn: &mut Conn) -> Result<Vec<String>> {
    let everyone: Vec<Person> = people::list(conn)
        .await?
        .into_iter()
        .filter(Person::is_active)
        .collect();
    let open = stored_gates::list(
        conn,
        &GateFilter {
            status: Some(gate::GateStatus::Open),
            ..Default::default()
        },
    )
    .await?;
    let mut warnings = Vec::new();
    for g in &open {
        let state = g.state();
        for role in state.pending_roles() {
            let someone = everyone.iter().any(|p| {
                p.roles.contains(&role)
                    && gate::may_decide(
                        &state,
                        Decider {
                            person: &p.name,
                            roles: &p.roles,
                        },
                    )
            });
            if !someone {
                warnings.push(format!(
                    "gate {} ({}: {}) needs a {role} and no active person who may decide it \
                     holds that role",
                    g.id,
                    g.kind.title(),
                    g.summary
                ));
            }
        }
    }
    Ok(warnings)
}
