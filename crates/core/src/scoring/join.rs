//! Training inside a workspace: a CRM history row whose e-mail address is a contact of the
//! workspace gains that lead's features ([`super::lead`]) as the store knew them at the
//! row's time. A CRM export rarely carries what the workspace sees — pricing visits, intent,
//! enrichment — yet those are what live leads are scored on, so a card learned from the
//! export alone cannot weigh them.
//!
//! Point in time, because the outcome must not leak into its own evidence: a lead that
//! converted in March was visited by sales afterwards, and its April pricing visits say
//! nothing about why it converted. A row's time is its time column's value (a date is its
//! first instant, midnight UTC, so nothing of that day counts); facts count when observed
//! by then and signals in windows ending then. The application reads the store; here are
//! the rules of the join: which column is the key, what a row's time is, and how the
//! features become columns — the file's own column wins where both have one (the CRM
//! recorded it at the time), and the key is never a feature.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::lead::row_for;
use super::table::{RawTable, TableError, parse_date};
use crate::discovery::normalize::Email;

/// Header names an e-mail key column is found by (compared without case).
const KEY_NAMES: [&str; 5] = [
    "email",
    "e-mail",
    "e_mail",
    "email_address",
    "email address",
];

/// Below this share of rows joined, training warns: the workspace's features are missing on
/// most rows and the card learns little about them.
pub const FEW_JOINED_SHARE: f64 = 0.5;

/// The key column: `named` when given (it must exist), otherwise the one column named like
/// an e-mail address; `None` when there is no such column.
pub fn key_column(raw: &RawTable, named: Option<&str>) -> Result<Option<usize>, TableError> {
    if let Some(name) = named {
        return raw.column(name).map(Some);
    }
    let found: Vec<usize> = raw
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| KEY_NAMES.contains(&h.trim().to_ascii_lowercase().as_str()))
        .map(|(at, _)| at)
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [at] => Ok(Some(*at)),
        _ => Err(TableError::File {
            origin: raw.origin.clone(),
            message: format!(
                "{} columns look like e-mail addresses ({}); name the key with --key",
                found.len(),
                found
                    .iter()
                    .map(|&at| raw.headers[at].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// Each row's address as the workspace spells it (normalised), `None` when the cell is
/// empty or no address.
pub fn row_keys(raw: &RawTable, key: usize) -> Vec<Option<String>> {
    raw.rows
        .iter()
        .map(|row| {
            Email::parse(row[key].trim())
                .ok()
                .map(|e| e.as_str().to_string())
        })
        .collect()
}

/// Each row's time from column `at`: an ISO timestamp as it is, a date at its first
/// instant (midnight UTC). A cell that is neither names its row and column.
pub fn row_times(raw: &RawTable, at: usize) -> Result<Vec<Timestamp>, TableError> {
    raw.rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cell = row[at].trim();
            cell.parse::<Timestamp>()
                .ok()
                .or_else(|| {
                    parse_date(cell)
                        .and_then(|d| d.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp()))
                })
                .ok_or_else(|| TableError::Cell {
                    origin: raw.origin.clone(),
                    row: i + 1,
                    column: raw.headers[at].clone(),
                    message: "not a date or timestamp (expected YYYY-MM-DD)".to_string(),
                })
        })
        .collect()
}

/// What a join did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Joined {
    pub rows: usize,
    /// Rows whose key is a contact of the workspace.
    pub joined: usize,
    pub unmatched: usize,
    /// The workspace's features added as columns, in the vocabulary's order.
    pub added: Vec<String>,
    /// The workspace's features the file has a column of: the file's values are kept.
    pub kept_from_file: Vec<String>,
}

impl Joined {
    /// Whether so few rows were joined that the workspace's features say little.
    pub fn few(&self) -> bool {
        (self.joined as f64) < FEW_JOINED_SHARE * self.rows as f64
    }
}

/// Adds the workspace's features to `raw` as columns: `features[i]` is row `i`'s lead's, or
/// `None` when its key matched no contact (then every added cell of the row is missing).
/// A name the file has keeps the file's column.
pub fn join_features(
    raw: &mut RawTable,
    features: &[Option<Vec<(String, String)>>],
) -> Result<Joined, TableError> {
    if features.len() != raw.rows.len() {
        return Err(TableError::File {
            origin: raw.origin.clone(),
            message: format!(
                "{} rows of workspace features for {} rows",
                features.len(),
                raw.rows.len()
            ),
        });
    }
    let mut names: Vec<String> = Vec::new();
    for (name, _) in features.iter().flatten().flatten() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let (kept_from_file, added): (Vec<String>, Vec<String>) = names
        .into_iter()
        .partition(|name| raw.headers.contains(name));
    let cells: Vec<Vec<String>> = features
        .iter()
        .map(|row| match row {
            Some(row) => row_for(row, &added),
            None => vec![String::new(); added.len()],
        })
        .collect();
    for (at, name) in added.iter().enumerate() {
        raw.add_column(name, cells.iter().map(|row| row[at].clone()).collect())?;
    }
    let joined = features.iter().filter(|f| f.is_some()).count();
    Ok(Joined {
        rows: features.len(),
        joined,
        unmatched: features.len() - joined,
        added,
        kept_from_file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawTable {
        RawTable::parse(text, "crm.csv").unwrap()
    }

    fn features(pairs: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_key_is_found_by_its_name_or_named_and_two_candidates_are_refused() {
        let one = raw("id,E-Mail,won\n1,a@x.io,yes\n");
        let two = raw("email,e-mail,won\na@x.io,a@x.io,yes\n");
        let none = raw("id,won\n1,yes\n");

        assert_eq!(key_column(&one, None).unwrap(), Some(1));
        assert_eq!(key_column(&none, None).unwrap(), None);
        assert_eq!(key_column(&one, Some("id")).unwrap(), Some(0));
        assert_eq!(
            key_column(&two, None).unwrap_err().to_string(),
            "crm.csv: 2 columns look like e-mail addresses (email, e-mail); name the key with --key"
        );
    }

    #[test]
    fn keys_are_normalised_as_the_workspace_spells_them_and_garbage_matches_nothing() {
        let table = raw("email,won\n Ann@Small.IO ,yes\nnot an address,no\n,no\n");

        assert_eq!(
            row_keys(&table, 0),
            [Some("ann@small.io".to_string()), None, None]
        );
    }

    #[test]
    fn a_date_is_its_first_instant_and_a_bad_time_names_row_and_column() {
        let good = raw("at,won\n2026-03-01,yes\n2026-03-01T10:30:00Z,no\n");
        let bad = raw("at,won\n2026-03-01,yes\nsoon,no\n");

        let times = row_times(&good, 0).unwrap();

        assert_eq!(times[0].to_string(), "2026-03-01T00:00:00Z");
        assert_eq!(times[1].to_string(), "2026-03-01T10:30:00Z");
        assert_eq!(
            row_times(&bad, 0).unwrap_err().to_string(),
            "crm.csv:2:at: not a date or timestamp (expected YYYY-MM-DD)"
        );
    }

    #[test]
    fn the_files_own_column_wins_and_an_unmatched_row_is_missing_not_zero() {
        let mut table = raw("email,seniority,won\na@x.io,vp,yes\nb@x.io,manager,no\nc@x.io,,no\n");
        let rows = [
            features(&[("seniority", "director"), ("pricing_page_visit_30d", "2")]),
            features(&[("seniority", "entry"), ("pricing_page_visit_30d", "0")]),
            None,
        ];

        let joined = join_features(&mut table, &rows).unwrap();

        assert_eq!(
            joined,
            Joined {
                rows: 3,
                joined: 2,
                unmatched: 1,
                added: vec!["pricing_page_visit_30d".into()],
                kept_from_file: vec!["seniority".into()],
            }
        );
        assert!(!joined.few());
        assert_eq!(
            table.headers,
            ["email", "seniority", "won", "pricing_page_visit_30d"]
        );
        assert_eq!(table.rows[0], ["a@x.io", "vp", "yes", "2"]);
        assert_eq!(table.rows[2], ["c@x.io", "", "no", ""]);
    }

    #[test]
    fn a_tool_outside_a_known_stack_is_no_and_unknown_without_one() {
        let mut table = raw("email,won\na@x.io,yes\nb@x.io,no\nc@x.io,no\n");
        let rows = [
            features(&[("tech_stack_count", "1"), ("has_hubspot", "yes")]),
            features(&[("tech_stack_count", "1"), ("has_salesforce", "yes")]),
            features(&[("tech_stack_count", "")]),
        ];

        join_features(&mut table, &rows).unwrap();

        assert_eq!(
            table.headers[2..],
            ["tech_stack_count", "has_hubspot", "has_salesforce"]
        );
        assert_eq!(table.rows[0][3..], ["yes", "no"]);
        assert_eq!(table.rows[2][3..], ["", ""]);
    }

    #[test]
    fn few_rows_joined_is_told() {
        let mut table = raw("email,won\na@x.io,yes\nb@x.io,no\nc@x.io,no\n");

        let joined = join_features(
            &mut table,
            &[features(&[("page_view_30d", "1")]), None, None],
        )
        .unwrap();

        assert!(joined.few());
    }
}
