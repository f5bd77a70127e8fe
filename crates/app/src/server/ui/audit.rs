//! The audit log page: newest entries first, filters, and the chain's status. Entries read
//! in words — who by name, what as a phrase ("gate approved", "refused: decide a gate"),
//! the subject linked to its page, the inputs as key–value pairs — while the filters and
//! the JSON API keep the stored spellings.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use leadgate_core::audit::{Action, Subject, describe_action};
use leadgate_store::audit::{self, AuditFilter};
use serde::Deserialize;
use serde_json::Value;

use super::{Layout, PageError, Pages, page, show_time};
use crate::server::auth::Principal;
use crate::server::state::AppState;

const PAGE: i64 = 100;

pub fn routes() -> Pages {
    Pages::new().route("/audit", get(show))
}

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub at_iso: String,
    /// Who, in words: a person's name, "leadgate" for the system.
    pub actor: String,
    /// The stored action, for the filter link, and in words.
    pub action: String,
    pub action_words: String,
    pub subject: String,
    pub subject_words: String,
    /// The subject's page, when it has one.
    pub subject_href: Option<String>,
    /// The inputs as key–value pairs, in words.
    pub inputs: Vec<(String, String)>,
}

/// The page a subject has, if any.
fn subject_href(subject: &Subject) -> Option<String> {
    match subject {
        Subject::Gate(id) => Some(format!("/gates/{id}")),
        Subject::Icp(id) => Some(format!("/icp/{id}")),
        Subject::List(id) => Some(format!("/lists/{id}")),
        Subject::User(_) | Subject::People => Some("/people".to_string()),
        Subject::Icps => Some("/icp".to_string()),
        Subject::Model(id) => Some(format!("/models/{id}")),
        Subject::Models => Some("/models".to_string()),
        _ => None,
    }
}

/// A stored spelling of one of the closed value sets (a gate kind, a role, a status) in
/// the words the pages use.
fn spelling_in_words(text: &str) -> Option<&'static str> {
    use leadgate_core::discovery::prospect::{ListStatus, Standing};
    use leadgate_core::discovery::sample::ReviewVerdict;
    use leadgate_core::gate::{GateKind, GateStatus, Verdict};
    use leadgate_core::icp::IcpStatus;
    use leadgate_core::role::Role;
    // Only exact spellings: a free-text note that happens to read "yes" stays as typed.
    fn exact<T>(text: &str, all: &[T], label: fn(T) -> &'static str) -> Option<&'static str>
    where
        T: std::fmt::Display + Copy,
    {
        all.iter()
            .find(|v| v.to_string() == text)
            .map(|v| label(*v))
    }
    exact(text, GateKind::ALL, GateKind::label)
        .or_else(|| exact(text, GateStatus::ALL, GateStatus::label))
        .or_else(|| exact(text, Verdict::ALL, Verdict::label))
        .or_else(|| exact(text, Role::ALL, Role::label))
        .or_else(|| exact(text, IcpStatus::ALL, IcpStatus::label))
        .or_else(|| exact(text, ListStatus::ALL, ListStatus::label))
        .or_else(|| exact(text, Standing::ALL, Standing::label))
        .or_else(|| exact(text, ReviewVerdict::ALL, ReviewVerdict::label))
}

/// An entry's stored inputs (a JSON object) as key–value pairs a person reads: keys in
/// words, text as it is, lists joined, nested objects compact.
fn inputs_in_words(inputs: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(inputs) else {
        return if inputs.trim().is_empty() || inputs == "{}" {
            Vec::new()
        } else {
            vec![("inputs".to_string(), inputs.to_string())]
        };
    };
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.replace('_', " "), value_in_words(&v)))
        .collect()
}

fn value_in_words(value: &Value) -> String {
    match value {
        Value::String(s) => match spelling_in_words(s) {
            Some(words) => words.to_string(),
            None if s.contains(':') => s
                .parse::<Subject>()
                .map_or_else(|_| s.clone(), |subject| subject.describe()),
            None => s.clone(),
        },
        Value::Array(items) => items
            .iter()
            .map(value_in_words)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    chain_ok: bool,
    chain_entries: i64,
    chain_head: String,
    chain_error: String,
    filter_subject: String,
    filter_actor: String,
    filter_action: String,
    /// Every action, (stored, in words), for the filter.
    actions: Vec<(&'static str, &'static str)>,
    entries: Vec<EntryRow>,
    older: Option<String>,
}

#[derive(Deserialize, Default)]
struct Filters {
    subject: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Query(filters): Query<Filters>,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "audit").await?;
    let mut conn = state.store().conn().await?;
    let entries = audit::list(
        &mut conn,
        &AuditFilter {
            subject: non_empty(&filters.subject),
            actor: non_empty(&filters.actor),
            action: non_empty(&filters.action),
            before_seq: filters.before,
            limit: PAGE,
        },
    )
    .await?;
    let verified = audit::verify(&mut conn).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten()
        .map(|seq| {
            let mut query = vec![format!("before={seq}")];
            for (key, value) in [
                ("subject", &filters.subject),
                ("actor", &filters.actor),
                ("action", &filters.action),
            ] {
                if let Some(value) = non_empty(value) {
                    query.push(format!("{key}={}", urlencode(value)));
                }
            }
            format!("/audit?{}", query.join("&"))
        });
    let (chain_ok, chain_entries, chain_head, chain_error) = match verified {
        Ok(v) => (true, v.entries, v.head_hash, String::new()),
        Err(broken) => (false, 0, String::new(), broken.to_string()),
    };
    let rows = entries
        .into_iter()
        .map(|e| {
            let subject = e.subject.parse::<Subject>().ok();
            EntryRow {
                seq: e.seq,
                at: show_time(&state, e.at),
                at_iso: e.at.to_string(),
                actor: e.actor.name().to_string(),
                action_words: describe_action(&e.action),
                action: e.action,
                subject_words: subject
                    .as_ref()
                    .map_or_else(|| e.subject.clone(), Subject::describe),
                subject_href: subject.as_ref().and_then(subject_href),
                subject: e.subject,
                inputs: inputs_in_words(&e.inputs),
            }
        })
        .collect();
    page(
        StatusCode::OK,
        &AuditPage {
            layout,
            chain_ok,
            chain_entries,
            chain_head,
            chain_error,
            filter_subject: filters.subject.unwrap_or_default(),
            filter_actor: filters.actor.unwrap_or_default(),
            filter_action: filters.action.unwrap_or_default(),
            actions: Action::ALL
                .iter()
                .map(|a| (a.as_str(), a.label()))
                .collect(),
            entries: rows,
            older,
        },
    )
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
