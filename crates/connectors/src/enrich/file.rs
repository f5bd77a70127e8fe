//! The file provider: enrichment data someone already has — a Crunchbase or LinkedIn
//! export, a research team's sheet — as a CSV or JSON Lines file keyed by company domain or
//! contact e-mail. The file is read once, into memory; every call is a lookup in it.
//!
//! **Columns** (CSV header, or JSON Lines keys):
//!
//! | column | holds |
//! |---|---|
//! | `domain` | the company's domain (company fields need it) |
//! | `email` | the contact's e-mail (contact fields need it) |
//! | `observed_at` | when the row's data was true (date or timestamp); else the file's date |
//! | `funding_stage`, `funding_date`, `headcount`, `headcount_growth_pct`, `open_roles`, `tech_stack`, `seniority`, `role_start_date` | the field of that name ([`EnrichField`]) |
//! | `tenure_months` | months in the current role: read as `role_start_date` before `observed_at` |
//! | `layoffs`, `news` | (JSON Lines) lists of `{date, count}` and `{url, date, headline}` |
//! | `layoff_date`, `layoff_count` | one layoff per row |
//! | `news_url`, `news_date`, `news_headline` | one news item per row |
//!
//! A key may have several rows: list fields (layoffs, news, tech stack) gather across them;
//! a single-valued field given twice with different values keeps the first and reports the
//! second. `tech_stack` in CSV is one cell separated by `;`.
//!
//! **Bad rows.** Nothing in a file makes the provider panic or refuse the file, except a
//! CSV column it does not know (a misspelt header would silently drop a whole column) or no
//! key column at all. A value that does not fit its field is left out and reported
//! ([`BadRow`]: file, row, line, column, reason), the rest of the row kept; a row whose key
//! is bad, or that has none, is left out whole.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use jiff::{Timestamp, ToSpan};
use leadgate_core::discovery::normalize::{Domain, Email};
use leadgate_core::enrichment::{
    Answer, Credits, EnrichField, Fact, Failure, FailureKind, Lookup, SubjectKind,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::Provider;
use crate::import::{TableOptions, read_table};
use crate::search::BoxFuture;

/// How the file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    JsonLines,
}

impl FileFormat {
    /// By the file's extension: `.jsonl` and `.ndjson` are JSON Lines, anything else CSV.
    pub fn of(path: &Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
                FileFormat::JsonLines
            }
            _ => FileFormat::Csv,
        }
    }
}

/// A value or a row left out, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub file: String,
    /// The data row, from 1 (a CSV's header is row 0).
    pub row: u64,
    /// The physical line where the row starts, from 1.
    pub line: u64,
    pub column: String,
    pub reason: String,
    /// The whole row was left out (a bad or missing key), not just this value.
    pub row_rejected: bool,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: row {} (line {}), column {}: {}",
            self.file, self.row, self.line, self.column, self.reason
        )?;
        if self.row_rejected {
            f.write_str(" (row left out)")?;
        }
        Ok(())
    }
}

/// A file that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    Read(String),
    #[error(
        "{file}: column {column} ({name:?}) is not an enrichment column; the columns are {known}"
    )]
    UnknownColumn {
        file: String,
        column: usize,
        name: String,
        known: String,
    },
    #[error("{file}: no `domain` or `email` column: rows need a key to be looked up by")]
    NoKey { file: String },
}

/// The file read: the provider, and what was left out.
#[derive(Debug)]
pub struct Loaded {
    pub provider: FileProvider,
    pub bad_rows: Vec<BadRow>,
    pub rows_read: u64,
    /// Rows left out whole (a bad or missing key).
    pub rows_rejected: u64,
}

/// A value of a record, with when it was observed and the row it came from.
#[derive(Debug, Clone)]
struct Held {
    value: Value,
    observed_at: Timestamp,
    row: u64,
}

type Record = BTreeMap<EnrichField, Held>;

/// Enrichment facts from a file.
#[derive(Debug)]
pub struct FileProvider {
    name: String,
    file: String,
    cost: Credits,
    companies: HashMap<Domain, Record>,
    contacts: HashMap<Email, Record>,
}

const KEYS: [&str; 3] = ["domain", "email", "observed_at"];
const PARTS: [&str; 6] = [
    "tenure_months",
    "layoff_date",
    "layoff_count",
    "news_url",
    "news_date",
    "news_headline",
];

fn known_columns() -> Vec<String> {
    KEYS.iter()
        .map(|k| k.to_string())
        .chain(EnrichField::ALL.iter().map(|f| f.as_str().to_string()))
        .chain(PARTS.iter().map(|p| p.to_string()))
        .collect()
}

/// One row as cells, whatever the format.
struct Row {
    row: u64,
    line: u64,
    cells: Vec<(String, Value)>,
}

impl FileProvider {
    /// Reads `path` (CSV or JSON Lines, by `format` or the extension) as provider `name`,
    /// charging `cost` a call; rows without an `observed_at` were observed at `observed_at`
    /// (the caller passes the file's date, or now).
    pub fn open(
        name: &str,
        path: &Path,
        format: Option<FileFormat>,
        cost: Credits,
        observed_at: Timestamp,
    ) -> Result<Loaded, FileError> {
        let file = path.display().to_string();
        let rows = match format.unwrap_or_else(|| FileFormat::of(path)) {
            FileFormat::Csv => csv_rows(path, &file)?,
            FileFormat::JsonLines => json_rows(path, &file)?,
        };
        let mut loader = Loader {
            provider: FileProvider {
                name: name.to_string(),
                file: file.clone(),
                cost,
                companies: HashMap::new(),
                contacts: HashMap::new(),
            },
            default_at: observed_at,
            bad_rows: Vec::new(),
            rows_read: 0,
            rows_rejected: 0,
        };
        for row in rows {
            match row {
                Ok(row) => loader.row(row),
                Err(bad) => {
                    loader.rows_read += 1;
                    loader.rows_rejected += 1;
                    loader.bad_rows.push(bad);
                }
            }
        }
        Ok(Loaded {
            provider: loader.provider,
            bad_rows: loader.bad_rows,
            rows_read: loader.rows_read,
            rows_rejected: loader.rows_rejected,
        })
    }

    /// How many companies and contacts the file holds.
    pub fn counts(&self) -> (usize, usize) {
        (self.companies.len(), self.contacts.len())
    }

    fn answer(&self, lookup: &Lookup, fields: &[EnrichField]) -> Result<Answer, Failure> {
        let wants = |kind| fields.iter().any(|f| f.subject() == kind);
        let domain = lookup
            .company_domain()
            .filter(|_| wants(SubjectKind::Company));
        let email = lookup
            .email
            .as_ref()
            .filter(|_| wants(SubjectKind::Contact));
        if domain.is_none() && email.is_none() {
            let needs = if wants(SubjectKind::Company) {
                "no domain to look up"
            } else {
                "no e-mail address to look up"
            };
            return Err(Failure::new(FailureKind::MissingInput, needs));
        }
        let records: Vec<&Record> = [
            domain.as_ref().and_then(|d| self.companies.get(d)),
            email.and_then(|e| self.contacts.get(e)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if records.is_empty() {
            let keys: Vec<String> = [
                domain.map(|d| d.as_str().to_string()),
                email.map(|e| e.as_str().to_string()),
            ]
            .into_iter()
            .flatten()
            .collect();
            return Err(Failure::new(
                FailureKind::NotFound,
                format!("{} is not in {}", keys.join(" or "), self.file),
            )
            .charged(self.cost));
        }
        let facts = records
            .into_iter()
            .flat_map(|record| record.iter())
            .filter(|(field, _)| fields.contains(field))
            .map(|(&field, held)| Fact {
                field,
                value: held.value.clone(),
                source: self.name.clone(),
                observed_at: held.observed_at,
            })
            .collect();
        Ok(Answer::new(facts, self.cost))
    }
}

impl Provider for FileProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn enrich<'a>(
        &'a self,
        lookup: &'a Lookup,
        fields: &'a [EnrichField],
    ) -> BoxFuture<'a, Result<Answer, Failure>> {
        Box::pin(std::future::ready(self.answer(lookup, fields)))
    }
}

fn csv_rows(path: &Path, file: &str) -> Result<Vec<Result<Row, BadRow>>, FileError> {
    let table =
        read_table(path, &TableOptions::default()).map_err(|e| FileError::Read(e.to_string()))?;
    let known = known_columns();
    for (i, name) in table.header().iter().enumerate() {
        if !known.contains(name) {
            return Err(FileError::UnknownColumn {
                file: file.to_string(),
                column: i + 1,
                name: name.clone(),
                known: known.join(", "),
            });
        }
    }
    if !table.header().iter().any(|h| h == "domain" || h == "email") {
        return Err(FileError::NoKey {
            file: file.to_string(),
        });
    }
    Ok((0..table.rows())
        .map(|r| {
            let cells = table
                .header()
                .iter()
                .enumerate()
                .map(|(c, name)| (name.clone(), Value::String(table.cell(r, c).to_string())))
                .collect();
            Ok(Row {
                row: r as u64 + 1,
                line: table.line(r),
                cells,
            })
        })
        .collect())
}

fn json_rows(path: &Path, file: &str) -> Result<Vec<Result<Row, BadRow>>, FileError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::Read(format!("{file}: {e}")))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rows = Vec::new();
    let mut row = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        row += 1;
        let line_number = i as u64 + 1;
        let bad = |reason: String| BadRow {
            file: file.to_string(),
            row,
            line: line_number,
            column: "(the line)".to_string(),
            reason,
            row_rejected: true,
        };
        rows.push(match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => Ok(Row {
                row,
                line: line_number,
                cells: object.into_iter().collect(),
            }),
            Ok(other) => Err(bad(format!(
                "a JSON {} where an object was expected",
                kind_of(&other)
            ))),
            Err(e) => Err(bad(format!("not JSON: {e}"))),
        });
    }
    Ok(rows)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

struct Loader {
    provider: FileProvider,
    default_at: Timestamp,
    bad_rows: Vec<BadRow>,
    rows_read: u64,
    rows_rejected: u64,
}

impl Loader {
    fn bad(&mut self, row: &Row, column: &str, reason: String, row_rejected: bool) {
        self.bad_rows.push(BadRow {
            file: self.provider.file.clone(),
            row: row.row,
            line: row.line,
            column: column.to_string(),
            reason,
            row_rejected,
        });
    }

    fn row(&mut self, row: Row) {
        self.rows_read += 1;
        let cell = |name: &str| {
            row.cells
                .iter()
                .find(|(c, _)| c == name)
                .map(|(_, v)| v)
                .filter(|v| text(v).is_some() || v.is_array() || v.is_object())
        };
        let domain = match cell("domain").map(|v| Domain::parse(&text(v).unwrap_or_default())) {
            Some(Err(e)) => return self.reject(&row, "domain", e.to_string()),
            Some(Ok(d)) => Some(d),
            None => None,
        };
        let email = match cell("email").map(|v| Email::parse(&text(v).unwrap_or_default())) {
            Some(Err(e)) => return self.reject(&row, "email", e.to_string()),
            Some(Ok(e)) => Some(e),
            None => None,
        };
        if domain.is_none() && email.is_none() {
            return self.reject(
                &row,
                "domain",
                "no domain and no e-mail: nothing to key the row by".into(),
            );
        }
        let observed_at = match cell("observed_at") {
            None => self.default_at,
            Some(v) => match observed(v) {
                Some(at) => at,
                None => {
                    let reason = format!("{v} is not a date or timestamp; the file's date is used");
                    self.bad(&row, "observed_at", reason, false);
                    self.default_at
                }
            },
        };
        let mut values: Vec<(EnrichField, String, Value)> = Vec::new();
        for (column, value) in &row.cells {
            if let Ok(field) = column.parse::<EnrichField>() {
                values.push((field, column.clone(), value.clone()));
            } else if !KEYS.contains(&column.as_str()) && !PARTS.contains(&column.as_str()) {
                let reason = format!("{column:?} is not an enrichment column; left out");
                self.bad(&row, column, reason, false);
            }
        }
        if let Some(months) = cell("tenure_months") {
            match EnrichField::OpenRoles.read(months) {
                Ok(Some(Value::Number(n))) => {
                    let months = n.as_i64().unwrap_or(0);
                    let start = observed_at
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .date()
                        .checked_sub(months.months());
                    match start {
                        Ok(start) => values.push((
                            EnrichField::RoleStartDate,
                            "tenure_months".into(),
                            json!(start.to_string()),
                        )),
                        Err(e) => self.bad(&row, "tenure_months", e.to_string(), false),
                    }
                }
                Ok(_) => {}
                Err(reason) => self.bad(&row, "tenure_months", reason, false),
            }
        }
        let part = |name: &str| cell(name).cloned();
        if let Some(date) = part("layoff_date") {
            let mut layoff = Map::new();
            layoff.insert("date".into(), date);
            if let Some(count) = part("layoff_count") {
                layoff.insert("count".into(), count);
            }
            values.push((
                EnrichField::Layoffs,
                "layoff_date".into(),
                Value::Object(layoff),
            ));
        } else if part("layoff_count").is_some() {
            self.bad(
                &row,
                "layoff_count",
                "a layoff count needs a layoff_date".into(),
                false,
            );
        }
        let news = ["news_url", "news_date", "news_headline"].map(part);
        if news.iter().any(Option::is_some) {
            let [url, date, headline] = news;
            let item = json!({ "url": url, "date": date, "headline": headline });
            values.push((EnrichField::News, "news_url".into(), item));
        }
        for (field, column, value) in values {
            let value = match field.read(&value) {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err(reason) => {
                    self.bad(&row, &column, reason, false);
                    continue;
                }
            };
            let held = Held {
                value,
                observed_at,
                row: row.row,
            };
            let record = match field.subject() {
                SubjectKind::Company => match &domain {
                    Some(d) => self.provider.companies.entry(d.clone()).or_default(),
                    None => {
                        let reason = format!("{field} describes a company: the row needs a domain");
                        self.bad(&row, &column, reason, false);
                        continue;
                    }
                },
                SubjectKind::Contact => match &email {
                    Some(e) => self.provider.contacts.entry(e.clone()).or_default(),
                    None => {
                        let reason = format!("{field} describes a contact: the row needs an email");
                        self.bad(&row, &column, reason, false);
                        continue;
                    }
                },
            };
            if let Some(conflict) = merge(record, field, held) {
                self.bad(&row, &column, conflict, false);
            }
        }
    }

    fn reject(&mut self, row: &Row, column: &str, reason: String) {
        self.rows_rejected += 1;
        self.bad(row, column, reason, true);
    }
}

/// Adds a value to a record: lists gather, a single value stays the first; the conflict, if
/// the new one differs.
fn merge(record: &mut Record, field: EnrichField, held: Held) -> Option<String> {
    let Some(existing) = record.get_mut(&field) else {
        record.insert(field, held);
        return None;
    };
    match (&mut existing.value, held.value) {
        (Value::Array(items), Value::Array(more)) => {
            for item in more {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            existing.observed_at = existing.observed_at.max(held.observed_at);
            None
        }
        (old, new) if *old == new => None,
        (old, new) => Some(format!(
            "{new} conflicts with {old} from row {}; the first is kept",
            existing.row
        )),
    }
}

/// A date (midnight UTC) or an RFC 3339 timestamp.
fn observed(value: &Value) -> Option<Timestamp> {
    let text = text(value)?;
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}
