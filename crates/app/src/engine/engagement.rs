//! Importing engagement and intent: a file (`leadgate events import`, CSV or JSON Lines) or
//! a batch over the API (`POST /api/events`) becomes stored records, in one transaction,
//! with an audit entry that counts them. Reading and checking are core's
//! (`core::engagement::parse`); this module finds the columns, keeps every row accounted
//! for — `rows_read = stored + duplicates + rejected` — and loads what the discovery run
//! reads ([`signal_index`]).
//!
//! A file is read whole and every row is judged alone: a row that cannot be read is
//! rejected with its row, line, column and reason, and the rest are stored. A file that
//! would store nothing new and repeat nothing stored (no rows, or every row rejected) is
//! refused ([`Error::Invalid`]) and nothing is written. An API batch is all or nothing: the
//! first bad item is named by its index and field and nothing is stored.
//!
//! New records do not rebuild the prospect lists: a discovery run judges every contact again
//! and supersedes the list under review, which is not cheap and not what one web visit
//! should do. The next run (a source import, an ICP going live, `leadgate discover run`)
//! reads them; stage 3's scoring will rescore the leads a record touches.

use super::handoff::intent::IntentCheck;
use std::path::Path;

use jiff::Timestamp;
use leadgate_connectors::import::{TableOptions, read_table};
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::compliance::{Erasures, SuppressionKind};
use leadgate_core::engagement::{
    Engagement, EventFields, FieldError, IntentScore, KindChoice, PagePolicy, Signal, SignalIndex,
    parse,
};
use leadgate_core::icp::IcpDocument;
use leadgate_store::discovery as discovery_store;
use leadgate_store::engagement::{self as stored, EngagementImport};
use leadgate_store::{Conn, Store};
use serde::Serialize;
use serde_json::json;

use crate::engine::discovery::import::ERASED;
use crate::engine::{Error, Result, record};

/// Rejected rows a report lists (all are counted).
const REPORTED_REJECTS: usize = 1_000;

/// The fields a row has, and the column names each is read from (compared ignoring case,
/// spaces and hyphens).
const COLUMNS: &[(&str, &[&str])] = &[
    ("kind", &["kind", "type", "event", "event_type", "activity"]),
    (
        "at",
        &[
            "at",
            "timestamp",
            "time",
            "date",
            "occurred_at",
            "event_time",
            "week",
        ],
    ),
    (
        "email",
        &["email", "e_mail", "email_address", "contact_email"],
    ),
    ("domain", &["domain", "company_domain", "website"]),
    ("url", &["url", "page", "page_url"]),
    ("detail", &["detail", "campaign", "webinar", "asset"]),
    ("topic", &["topic", "intent_topic"]),
    ("score", &["score", "intent_score", "composite_score"]),
];

/// The field a column name is read into, if any.
fn field_of(column: &str) -> Option<&'static str> {
    let key: String = column
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(field, _)| *field)
}

/// One row or item as text, by field.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub kind: Option<String>,
    pub at: Option<String>,
    pub email: Option<String>,
    pub domain: Option<String>,
    pub url: Option<String>,
    pub detail: Option<String>,
    pub topic: Option<String>,
    pub score: Option<String>,
}

impl Item {
    fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "kind" => &mut self.kind,
            "at" => &mut self.at,
            "email" => &mut self.email,
            "domain" => &mut self.domain,
            "url" => &mut self.url,
            "detail" => &mut self.detail,
            "topic" => &mut self.topic,
            _ => &mut self.score,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    fn fields(&self) -> EventFields<'_> {
        EventFields {
            kind: self.kind.as_deref(),
            at: self.at.as_deref(),
            email: self.email.as_deref(),
            domain: self.domain.as_deref(),
            url: self.url.as_deref(),
            detail: self.detail.as_deref(),
            topic: self.topic.as_deref(),
            score: self.score.as_deref(),
        }
    }
}

/// A row that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedRow {
    /// The data row, 1-based (the header not counted).
    pub row: u64,
    /// The line of the file where it starts.
    pub line: u64,
    /// The column as the file names it (or the field, when the file has no such column).
    pub column: String,
    pub reason: String,
}

/// The account of one import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngagementReport {
    pub import_id: i64,
    /// The file as named, or `api`.
    pub origin: String,
    /// `csv`, `jsonl` or `api`.
    pub format: String,
    /// What the rows were read as: `auto`, `intent` or an engagement kind.
    pub kind: String,
    pub rows_read: u64,
    /// New records: `engagement` plus `intent`.
    pub stored: u64,
    pub engagement: u64,
    pub intent: u64,
    /// Rows already stored (the same file imported again): not stored twice.
    pub duplicates: u64,
    pub rejected: u64,
    /// The first rejected rows, in file order.
    pub rejected_rows: Vec<RejectedRow>,
}

/// Rows read from a file and checked: each good one with its row number, and the rejects.
#[derive(Debug, Default)]
pub struct CheckedRows {
    pub format: &'static str,
    pub rows_read: u64,
    pub signals: Vec<Signal>,
    pub rejected: u64,
    pub rejected_rows: Vec<RejectedRow>,
}

impl CheckedRows {
    fn reject(&mut self, row: RejectedRow) {
        self.rejected += 1;
        if self.rejected_rows.len() < REPORTED_REJECTS {
            self.rejected_rows.push(row);
        }
    }
}

/// Reads a file of engagement and intent (CSV, or JSON Lines when it starts with `{`) and
/// checks every row. `choice` says what each row is when the file does not.
pub async fn read_file(
    store: &Store,
    path: &Path,
    choice: KindChoice,
    now: Timestamp,
) -> Result<CheckedRows> {
    let erasures = erasures(&mut *store.conn().await?).await?;
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, e))?;
    let json_lines = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    let mut checked = CheckedRows::default();
    let check = |checked: &mut CheckedRows,
                 row: u64,
                 line: u64,
                 item: Item,
                 header: &dyn Fn(&str) -> String| {
        checked.rows_read += 1;
        match check_item(&item, choice, &erasures, now) {
            Ok(signal) => checked.signals.push(signal),
            Err(e) => checked.reject(RejectedRow {
                row,
                line,
                column: header(e.field),
                reason: e.message,
            }),
        }
    };
    if json_lines {
        checked.format = "jsonl";
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::file(
                path,
                format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            )
        })?;
        let mut row = 0;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            row += 1;
            let line_number = i as u64 + 1;
            match json_item(line) {
                Ok((item, names)) => {
                    let name_of = |field: &str| {
                        names
                            .iter()
                            .find(|(f, _)| *f == field)
                            .map_or(field.to_string(), |(_, n)| n.clone())
                    };
                    check(&mut checked, row, line_number, item, &name_of);
                }
                Err((column, reason)) => {
                    checked.rows_read += 1;
                    checked.reject(RejectedRow {
                        row,
                        line: line_number,
                        column,
                        reason,
                    });
                }
            }
        }
    } else {
        checked.format = "csv";
        let table = read_table(path, &TableOptions::default())
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let fields: Vec<Option<&'static str>> =
            table.header().iter().map(|h| field_of(h)).collect();
        if fields.iter().all(Option::is_none) {
            return Err(Error::Invalid(format!(
                "{}: no column this importer reads (at, kind, email, domain, url, detail, \
                 topic, score); the header is: {}",
                path.display(),
                table.header().join(", ")
            )));
        }
        let header = table.header().to_vec();
        let name_of = |field: &str| {
            fields
                .iter()
                .position(|f| *f == Some(field))
                .map_or(field.to_string(), |i| header[i].clone())
        };
        for r in 0..table.rows() {
            let mut item = Item::default();
            for (c, field) in fields.iter().enumerate() {
                let cell = table.cell(r, c);
                if let Some(field) = field
                    && !cell.trim().is_empty()
                {
                    item.set(field, cell.to_string());
                }
            }
            check(&mut checked, r as u64 + 1, table.line(r), item, &name_of);
        }
    }
    Ok(checked)
}

/// The fields of a JSON line, with the key each was read from.
type JsonItem = (Item, Vec<(&'static str, String)>);

/// One JSON line's fields by name, with the key each came from; or the key and reason that
/// make it unreadable.
fn json_item(line: &str) -> std::result::Result<JsonItem, (String, String)> {
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| ("".to_string(), format!("not a JSON object: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(("".to_string(), "not a JSON object".to_string()));
    };
    let mut item = Item::default();
    let mut names = Vec::new();
    for (key, value) in object {
        let Some(field) = field_of(key) else { continue };
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err((key.clone(), "must be text or a number".to_string())),
        };
        names.push((field, key.clone()));
        item.set(field, text);
    }
    Ok((item, names))
}

fn check_item(
    item: &Item,
    choice: KindChoice,
    erasures: &Erasures,
    now: Timestamp,
) -> std::result::Result<Signal, FieldError> {
    let signal = parse(&item.fields(), choice, now)?;
    if let Signal::Engagement(e) = &signal
        && erasures.covers(e.email.as_ref().map(|e| e.as_str()), None)
    {
        return Err(FieldError {
            field: "email",
            message: ERASED.to_string(),
        });
    }
    Ok(signal)
}

async fn erasures(conn: &mut Conn) -> Result<Erasures> {
    let mut erasures = Erasures::default();
    for s in discovery_store::suppressions(conn).await? {
        if s.kind == SuppressionKind::Erasure {
            erasures.add(&s.value);
        }
    }
    Ok(erasures)
}

/// An API item that is wrong: its index in the batch and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("events[{index}].{field}: {message}")]
pub struct ItemError {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Checks an API batch: every item, or the first that is wrong.
pub async fn check_items(
    store: &Store,
    items: &[Item],
    now: Timestamp,
) -> Result<std::result::Result<CheckedRows, ItemError>> {
    let erasures = erasures(&mut *store.conn().await?).await?;
    let mut checked = CheckedRows {
        format: "api",
        ..Default::default()
    };
    for (index, item) in items.iter().enumerate() {
        match check_item(item, KindChoice::Auto, &erasures, now) {
            Ok(signal) => checked.signals.push(signal),
            Err(e) => {
                return Ok(Err(ItemError {
                    index,
                    field: e.field,
                    message: e.message,
                }));
            }
        }
        checked.rows_read += 1;
    }
    Ok(Ok(checked))
}

/// Stores checked rows as one import from `origin`, audited as `actor`'s. Refused
/// ([`Error::Invalid`]) when there is nothing to store: no rows, or every row rejected.
/// With `intent`, each lead the rows make fire an intent trigger of `[handoff.intent]` is
/// announced (`IntentShown`) in the same transaction.
pub async fn store_rows(
    store: &Store,
    origin: &str,
    choice: KindChoice,
    checked: CheckedRows,
    actor: &Actor,
    intent_check: Option<&IntentCheck<'_>>,
    now: Timestamp,
) -> Result<EngagementReport> {
    if checked.signals.is_empty() {
        let why = match checked.rejected_rows.first() {
            None => "no rows".to_string(),
            Some(first) => format!(
                "every row was rejected; the first: row {} (line {}), column {}: {}",
                first.row, first.line, first.column, first.reason
            ),
        };
        return Err(Error::Invalid(format!(
            "{origin}: nothing to import: {why}"
        )));
    }
    let (engagement, intent): (Vec<Engagement>, Vec<IntentScore>) = {
        let mut engagement = Vec::new();
        let mut intent = Vec::new();
        for s in checked.signals {
            match s {
                Signal::Engagement(e) => engagement.push(e),
                Signal::Intent(i) => intent.push(i),
            }
        }
        (engagement, intent)
    };
    let mut tx = store.begin().await?;
    let import_id = stored::insert_import(&mut tx, origin, actor.name(), now).await?;
    let watch = match intent_check {
        Some(check) => super::handoff::intent::watch(&mut tx, check, &engagement, now).await?,
        None => None,
    };
    let new_engagement = stored::insert_engagement(&mut tx, import_id, &engagement).await?;
    if let (Some(watch), Some(check)) = (watch, intent_check) {
        watch.emit(&mut tx, check, now).await?;
    }
    let new_intent = stored::insert_intent(&mut tx, import_id, &intent).await?;
    let accepted = (engagement.len() + intent.len()) as u64;
    let report = EngagementReport {
        import_id,
        origin: origin.to_string(),
        format: checked.format.to_string(),
        kind: choice_name(choice),
        rows_read: checked.rows_read,
        stored: new_engagement + new_intent,
        engagement: new_engagement,
        intent: new_intent,
        duplicates: accepted - new_engagement - new_intent,
        rejected: checked.rejected,
        rejected_rows: checked.rejected_rows,
    };
    debug_assert_eq!(
        report.rows_read,
        report.stored + report.duplicates + report.rejected
    );
    let report_json = serde_json::to_value(&report).map_err(|e| Error::Internal(e.to_string()))?;
    stored::finish_import(
        &mut tx,
        &EngagementImport {
            id: import_id,
            origin: origin.to_string(),
            imported_by: actor.name().to_string(),
            at: now,
            rows_read: report.rows_read as i64,
            stored: report.stored as i64,
            duplicates: report.duplicates as i64,
            rejected: report.rejected as i64,
            report: report_json,
        },
    )
    .await?;
    record(
        &mut tx,
        actor,
        Action::EngagementImported,
        &Subject::EngagementImport(import_id),
        json!({
            "origin": origin,
            "format": report.format,
            "rows_read": report.rows_read,
            "engagement": report.engagement,
            "intent": report.intent,
            "duplicates": report.duplicates,
            "rejected": report.rejected,
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

fn choice_name(choice: KindChoice) -> String {
    match choice {
        KindChoice::Auto => "auto".to_string(),
        KindChoice::Intent => "intent".to_string(),
        KindChoice::Engagement(kind) => kind.as_str().to_string(),
    }
}

/// Imports a file: reads, checks and stores it.
pub async fn import_file(
    store: &Store,
    path: &Path,
    choice: KindChoice,
    actor: &Actor,
    intent: Option<&IntentCheck<'_>>,
    now: Timestamp,
) -> Result<EngagementReport> {
    let checked = read_file(store, path, choice, now).await?;
    let report = store_rows(
        store,
        &path.display().to_string(),
        choice,
        checked,
        actor,
        intent,
        now,
    )
    .await?;
    // A file may add more rows than the tables held: the planner should know.
    store.analyze().await?;
    Ok(report)
}

/// What the ICPs' `[[signals]]` and `[[intent]]` criteria of `icps` can see at `now`: the
/// records within their longest window, indexed by person and account. Empty when no ICP
/// asks for signals or intent.
pub async fn signal_index(
    conn: &mut Conn,
    icps: &[IcpDocument],
    pages: &PagePolicy,
    now: Timestamp,
) -> Result<SignalIndex> {
    let longest = icps
        .iter()
        .flat_map(|icp| {
            icp.signals
                .iter()
                .map(|s| s.within_days)
                .chain(icp.intent.iter().map(|i| i.within_days))
        })
        .max();
    let Some(days) = longest else {
        return Ok(SignalIndex::default());
    };
    let from = leadgate_core::engagement::Window::days(days).start(now);
    let engagement = stored::engagement_between(conn, from, now).await?;
    let intent = stored::intent_between(conn, None, from, now).await?;
    Ok(SignalIndex::build(&engagement, &intent, pages))
}
