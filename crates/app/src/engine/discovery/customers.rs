//! Importing the CRM's customer accounts: an export of accounts or deals (see
//! `core::discovery::customers` for how its columns are read) becomes the source's list of
//! customer domains, replacing what that source said before, in one transaction. Every row is
//! accounted for — a customer, a duplicate of one, not won, or rejected with its row number
//! and reason — and the next discovery run (which the import starts) drops the contacts of
//! those companies under the ICP's `exclusions.existing_customers`.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Subject};
use leadgate_core::discovery::customers::{AccountColumns, AccountRow, read_row};
use leadgate_core::event::EventKind;
use leadgate_store::Store;
use leadgate_store::discovery::{self as stored, CustomerAccount};
use serde::Serialize;
use serde_json::json;

use super::import::RejectedLine;
use crate::engine::{Error, Result, emit, person, record};

/// Rejected rows a report lists (all are counted).
const REPORTED_REJECTS: usize = 50;

/// The account of one import of customer accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomersReport {
    pub source: String,
    pub file: String,
    /// The column each thing was read from.
    pub domain_column: String,
    pub outcome_column: Option<String>,
    pub rows_read: u64,
    /// Rows naming a customer account: `accounts` distinct domains.
    pub customer_rows: u64,
    pub accounts: u64,
    /// Rows of deals or accounts that are not won.
    pub not_won: u64,
    pub rejected: u64,
    pub rejected_rows: Vec<RejectedLine>,
    /// The source's accounts before this import, which it replaced.
    pub replaced: u64,
}

/// The delimiter the header line uses most: `,`, `;` or a tab.
fn delimiter_of(header: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// Imports the customer accounts of `path` as `source`'s, as `by`.
pub async fn import(
    store: &Store,
    path: &Path,
    source: &str,
    by: &str,
    now: Timestamp,
) -> Result<CustomersReport> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| Error::Invalid(format!("{file}: {e}")))?;
    let text = String::from_utf8(text).map_err(|e| {
        Error::Invalid(format!(
            "{file}: not UTF-8 (byte {}); export it as UTF-8 CSV",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let header_line = text.lines().next().unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter_of(header_line))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("{file}: the header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let columns =
        AccountColumns::detect(&header).map_err(|e| Error::Invalid(format!("{file}: {e}")))?;
    let mut report = CustomersReport {
        source: source.to_string(),
        file: file.clone(),
        domain_column: header[columns.domain].clone(),
        outcome_column: columns.outcome.map(|i| header[i].clone()),
        rows_read: 0,
        customer_rows: 0,
        accounts: 0,
        not_won: 0,
        rejected: 0,
        rejected_rows: Vec::new(),
        replaced: 0,
    };
    let mut accounts: BTreeMap<String, CustomerAccount> = BTreeMap::new();
    for (i, row) in reader.records().enumerate() {
        let row_number = i as u64 + 1;
        report.rows_read += 1;
        let line = |r: &csv::StringRecord| r.position().map_or(row_number + 1, |p| p.line());
        let outcome = match &row {
            Ok(r) => read_row(&columns, &r.iter().map(str::to_string).collect::<Vec<_>>()),
            Err(e) => AccountRow::Rejected(format!("cannot be read: {e}")),
        };
        match outcome {
            AccountRow::Customer { domain, name } => {
                report.customer_rows += 1;
                accounts
                    .entry(domain.as_str().to_string())
                    .or_insert_with(|| CustomerAccount {
                        source: source.to_string(),
                        domain: domain.as_str().to_string(),
                        name,
                        imported_at: now,
                        imported_by: by.to_string(),
                    });
            }
            AccountRow::NotWon => report.not_won += 1,
            AccountRow::Rejected(reason) => {
                report.rejected += 1;
                if report.rejected_rows.len() < REPORTED_REJECTS {
                    report.rejected_rows.push(RejectedLine {
                        row: row_number,
                        line: row.as_ref().map_or(row_number + 1, line),
                        reason,
                    });
                }
            }
        }
    }
    report.accounts = accounts.len() as u64;
    let accounts: Vec<CustomerAccount> = accounts.into_values().collect();

    let mut tx = store.begin().await?;
    person(&mut tx, by).await?;
    report.replaced = stored::replace_customer_accounts(&mut tx, source, &accounts).await?;
    let subject = Subject::Customers(source.to_string());
    let summary = json!({
        "file": path.file_name().map(|f| f.to_string_lossy().to_string()),
        "rows_read": report.rows_read,
        "accounts": report.accounts,
        "not_won": report.not_won,
        "rejected": report.rejected,
        "replaced": report.replaced,
    });
    record(
        &mut tx,
        &Actor::Person(by.to_string()),
        Action::CustomersImported,
        &subject,
        summary.clone(),
        now,
    )
    .await?;
    // The customers change who the ICP excludes: discovery runs again.
    emit(&mut tx, EventKind::SourceImported, &subject, summary, now).await?;
    tx.commit().await?;
    Ok(report)
}
