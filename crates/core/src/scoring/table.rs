//! A CRM history export as a typed table: which rows converted, and every other column typed
//! as a candidate feature. Exports come from many tools, so the reader takes any CSV (comma,
//! semicolon or tab, found from the header), guesses the outcome column when it is not named,
//! and types each column from its values: numbers, categories, or dates (which only serve as
//! the time axis of an out-of-time check, never as features, because a date of the past says
//! nothing about a lead of the future). Missing values ("", NA, null, unknown, ?) are kept as
//! missing: they become a bin of their own rather than a guess. Every error names the file,
//! and the row and column when there is one.

use std::collections::BTreeSet;

use jiff::civil::Date;

/// How to read a history file: the outcome column and its positive value (guessed when
/// absent), the time column, and columns to leave out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableSpec {
    pub label: Option<String>,
    pub positive: Option<String>,
    pub time: Option<String>,
    pub exclude: Vec<String>,
}

/// A CSV file split into its header and rows of text, nothing typed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    pub origin: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The values of one feature column.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Numeric(Vec<Option<f64>>),
    Categorical(Vec<Option<String>>),
}

/// A candidate feature: its name and its typed values, one per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

/// A history file read and typed: one outcome per row, the feature columns, and the time
/// column when one was named.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryTable {
    pub origin: String,
    pub label: String,
    pub positive: String,
    pub outcomes: Vec<bool>,
    pub columns: Vec<Column>,
    pub time: Option<(String, Vec<Date>)>,
    /// Columns that are not features, with the reason (a date, a single value).
    pub skipped: Vec<(String, String)>,
}

/// Why a history or input file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("{origin}: {message}")]
    File { origin: String, message: String },
    #[error("{origin}: column `{column}`: {message}")]
    Column {
        origin: String,
        column: String,
        message: String,
    },
    #[error("{origin}:{row}:{column}: {message}")]
    Cell {
        origin: String,
        /// The data row, counted from 1 (the header is not a row).
        row: usize,
        column: String,
        message: String,
    },
}

/// Names an outcome column is guessed from when `--label` is not given.
const LABEL_NAMES: [&str; 9] = [
    "label",
    "converted",
    "conversion",
    "won",
    "outcome",
    "target",
    "y",
    "revenue",
    "closed_won",
];

/// Outcome values taken as positive when `--positive` is not given.
const POSITIVE_VALUES: [&str; 8] = [
    "yes",
    "1",
    "true",
    "won",
    "converted",
    "y",
    "t",
    "closed won",
];

/// Whether a cell holds no value.
pub fn is_missing(cell: &str) -> bool {
    // Compared in place rather than lowercased into a new string: scoring a file asks this
    // of every cell a card reads.
    let cell = cell.trim();
    ["", "na", "n/a", "nan", "null", "none", "unknown", "?", "-"]
        .iter()
        .any(|m| cell.eq_ignore_ascii_case(m))
}

/// A cell as a finite number, if it is one.
pub fn parse_number(cell: &str) -> Option<f64> {
    cell.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A cell as a calendar date: an ISO date, or the date part of an ISO timestamp.
pub fn parse_date(cell: &str) -> Option<Date> {
    let cell = cell.trim();
    let date = cell.get(..10)?;
    let rest = &cell[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    date.parse::<Date>().ok()
}

impl RawTable {
    /// Splits `text` into header and rows; the delimiter is the one of `,` `;` and tab that
    /// the header line holds most often.
    pub fn parse(text: &str, origin: &str) -> Result<RawTable, TableError> {
        let csv = CsvText::open(text, origin)?;
        let mut reader = csv.reader();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = csv.row(record, i)?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(RawTable {
            origin: origin.to_string(),
            headers: csv.headers,
            rows,
        })
    }

    /// Appends a column of `cells`, one per row: how columns from elsewhere (a workspace's
    /// features of each row's lead) join the file's. Refused when the file already has the
    /// name or the cells are not one per row.
    pub fn add_column(&mut self, name: &str, cells: Vec<String>) -> Result<(), TableError> {
        let column_error = |message: String| TableError::Column {
            origin: self.origin.clone(),
            column: name.to_string(),
            message,
        };
        if name.trim().is_empty() {
            return Err(column_error("a column needs a name".to_string()));
        }
        if self.headers.iter().any(|h| h == name) {
            return Err(column_error("the file already has this column".to_string()));
        }
        if cells.len() != self.rows.len() {
            return Err(column_error(format!(
                "{} values for {} rows",
                cells.len(),
                self.rows.len()
            )));
        }
        self.headers.push(name.to_string());
        for (row, cell) in self.rows.iter_mut().zip(cells) {
            row.push(cell);
        }
        Ok(())
    }

    /// The position of column `name`, or an error naming it and the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, TableError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| TableError::Column {
                origin: self.origin.clone(),
                column: name.to_string(),
                message: format!("no such column (the file has: {})", self.headers.join(", ")),
            })
    }
}

/// A CSV text read as a checked header and the rows under it: how a history is parsed
/// into a [`RawTable`], and how a file of a million leads is scored without keeping its
/// rows ([`super::score_file`]).
#[derive(Debug, Clone)]
pub struct CsvText<'t> {
    pub origin: String,
    pub headers: Vec<String>,
    delimiter: u8,
    /// The text after the header line.
    body: &'t [u8],
}

impl<'t> CsvText<'t> {
    /// The checked header of `text` (a name for every column, none twice); the delimiter is
    /// the one of `,` `;` and tab that the header line holds most often.
    pub fn open(text: &'t str, origin: &str) -> Result<CsvText<'t>, TableError> {
        let file_error = |message: String| TableError::File {
            origin: origin.to_string(),
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first_line = text.lines().next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| (first_line.bytes().filter(|b| b == d).count(), *d == b','))
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut header = csv::StringRecord::new();
        reader
            .read_record(&mut header)
            .map_err(|e| file_error(format!("cannot read the header: {e}")))?;
        let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        if headers.is_empty() || headers.iter().all(String::is_empty) {
            return Err(file_error("the file has no header line".to_string()));
        }
        let mut seen = BTreeSet::new();
        for header in &headers {
            if header.is_empty() {
                return Err(file_error("a column of the header has no name".to_string()));
            }
            if !seen.insert(header.as_str()) {
                return Err(TableError::Column {
                    origin: origin.to_string(),
                    column: header.clone(),
                    message: "appears twice in the header".to_string(),
                });
            }
        }
        let at = usize::try_from(reader.position().byte()).unwrap_or(text.len());
        Ok(CsvText {
            origin: origin.to_string(),
            headers,
            delimiter,
            body: text.as_bytes().get(at..).unwrap_or_default(),
        })
    }

    /// A reader of the rows, from the first under the header. Rows are checked against the
    /// header's width by [`CsvText::row`] and [`CsvText::check_width`], not by the reader.
    pub fn reader(&self) -> csv::Reader<&'t [u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(self.body)
    }

    /// A row the reader gave (`i` from 0), or the error naming it: unreadable, or not as
    /// wide as the header.
    pub fn row(
        &self,
        record: Result<csv::StringRecord, csv::Error>,
        i: usize,
    ) -> Result<csv::StringRecord, TableError> {
        let record = record.map_err(|e| self.row_error(i, &e.to_string()))?;
        self.check_width(record.len(), i)?;
        Ok(record)
    }

    /// Whether row `i` (from 0) has as many fields as the header has columns.
    pub fn check_width(&self, fields: usize, i: usize) -> Result<(), TableError> {
        if fields == self.headers.len() {
            return Ok(());
        }
        Err(self.row_error(
            i,
            &format!(
                "{fields} fields where the header has {} columns",
                self.headers.len()
            ),
        ))
    }

    /// An error of the file at row `i` (from 0).
    pub fn row_error(&self, i: usize, message: &str) -> TableError {
        TableError::File {
            origin: self.origin.clone(),
            message: format!("row {}: {message}", i + 1),
        }
    }
}

impl HistoryTable {
    /// Reads and types a history file.
    pub fn parse(text: &str, origin: &str, spec: &TableSpec) -> Result<HistoryTable, TableError> {
        HistoryTable::from_raw(&RawTable::parse(text, origin)?, spec)
    }

    /// Types the columns of a raw table as `spec` says.
    pub fn from_raw(raw: &RawTable, spec: &TableSpec) -> Result<HistoryTable, TableError> {
        let origin = raw.origin.clone();
        let label_at = match &spec.label {
            Some(name) => raw.column(name)?,
            None => guess_label(raw)?,
        };
        let label = raw.headers[label_at].clone();
        let positive = match &spec.positive {
            Some(value) => value.clone(),
            None => guess_positive(raw, label_at)?,
        };
        let mut outcomes = Vec::with_capacity(raw.rows.len());
        let mut values_seen = BTreeSet::new();
        for (i, row) in raw.rows.iter().enumerate() {
            let cell = row[label_at].trim();
            if is_missing(cell) {
                return Err(cell_error(raw, i, label_at, "the outcome is missing"));
            }
            values_seen.insert(cell);
            outcomes.push(cell == positive);
        }
        if values_seen.len() > 2 {
            let listed: Vec<&str> = values_seen.iter().take(5).copied().collect();
            return Err(TableError::Column {
                origin,
                column: label,
                message: format!(
                    "an outcome column needs two values, this one has {} ({}…)",
                    values_seen.len(),
                    listed.join(", ")
                ),
            });
        }
        if !values_seen.contains(positive.as_str()) {
            return Err(TableError::Column {
                origin,
                column: label,
                message: format!("no row has the positive value `{positive}`"),
            });
        }
        let time_at = spec.time.as_deref().map(|n| raw.column(n)).transpose()?;
        let time = match time_at {
            Some(at) => Some((raw.headers[at].clone(), time_values(raw, at)?)),
            None => None,
        };
        let mut excluded = BTreeSet::new();
        for name in &spec.exclude {
            excluded.insert(raw.column(name)?);
        }
        let mut columns = Vec::new();
        let mut skipped = Vec::new();
        for (at, name) in raw.headers.iter().enumerate() {
            if at == label_at || Some(at) == time_at || excluded.contains(&at) {
                continue;
            }
            match type_column(raw, at) {
                Ok(values) => columns.push(Column {
                    name: name.clone(),
                    values,
                }),
                Err(reason) => skipped.push((name.clone(), reason.to_string())),
            }
        }
        Ok(HistoryTable {
            origin,
            label,
            positive,
            outcomes,
            columns,
            time,
            skipped,
        })
    }

    pub fn rows(&self) -> usize {
        self.outcomes.len()
    }

    pub fn conversions(&self) -> usize {
        self.outcomes.iter().filter(|&&y| y).count()
    }
}

fn cell_error(raw: &RawTable, row: usize, column: usize, message: &str) -> TableError {
    TableError::Cell {
        origin: raw.origin.clone(),
        row: row + 1,
        column: raw.headers[column].clone(),
        message: message.to_string(),
    }
}

fn distinct_values(raw: &RawTable, at: usize) -> BTreeSet<&str> {
    raw.rows
        .iter()
        .map(|row| row[at].trim())
        .filter(|cell| !is_missing(cell))
        .collect()
}

fn guess_label(raw: &RawTable) -> Result<usize, TableError> {
    let candidates: Vec<usize> = raw
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| LABEL_NAMES.contains(&h.to_ascii_lowercase().as_str()))
        .map(|(at, _)| at)
        .filter(|&at| distinct_values(raw, at).len() == 2)
        .collect();
    match candidates.as_slice() {
        [at] => Ok(*at),
        _ => Err(TableError::File {
            origin: raw.origin.clone(),
            message: format!(
                "cannot tell which column is the outcome ({} candidates); name it with --label",
                candidates.len()
            ),
        }),
    }
}

fn guess_positive(raw: &RawTable, at: usize) -> Result<String, TableError> {
    let values = distinct_values(raw, at);
    let positive: Vec<&str> = values
        .iter()
        .copied()
        .filter(|v| POSITIVE_VALUES.contains(&v.to_ascii_lowercase().as_str()))
        .collect();
    match positive.as_slice() {
        [value] => Ok(value.to_string()),
        _ => Err(TableError::Column {
            origin: raw.origin.clone(),
            column: raw.headers[at].clone(),
            message: "cannot tell which value means converted; name it with --positive".to_string(),
        }),
    }
}

fn time_values(raw: &RawTable, at: usize) -> Result<Vec<Date>, TableError> {
    raw.rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            parse_date(&row[at])
                .ok_or_else(|| cell_error(raw, i, at, "not a date (expected YYYY-MM-DD)"))
        })
        .collect()
}

/// A column's type from its values: numbers when every value is one, dates likewise (not a
/// feature), otherwise categories; a column with fewer than two values is no feature.
fn type_column(raw: &RawTable, at: usize) -> Result<Values, &'static str> {
    let cells = || raw.rows.iter().map(move |row| row[at].trim());
    let present = || cells().filter(|c| !is_missing(c));
    if distinct_values(raw, at).len() < 2 {
        return Err("fewer than two distinct values");
    }
    if present().all(|c| parse_number(c).is_some()) {
        return Ok(Values::Numeric(
            cells()
                .map(|c| (!is_missing(c)).then(|| parse_number(c)).flatten())
                .collect(),
        ));
    }
    if present().all(|c| parse_date(c).is_some()) {
        return Err("a date: dates serve only as the time column (--time)");
    }
    Ok(Values::Categorical(
        cells()
            .map(|c| (!is_missing(c)).then(|| c.to_string()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(label: &str, positive: &str) -> TableSpec {
        TableSpec {
            label: Some(label.to_string()),
            positive: Some(positive.to_string()),
            ..TableSpec::default()
        }
    }

    #[test]
    fn columns_are_typed_from_their_values_and_missing_cells_stay_missing() {
        let text = "age;job;signed;won\n30;admin;2024-01-05;yes\nNA;unknown;2024-02-01;no\n41;student;2024-03-09;no\n";

        let table = HistoryTable::parse(text, "h.csv", &TableSpec::default()).unwrap();

        assert_eq!(table.label, "won");
        assert_eq!(table.positive, "yes");
        assert_eq!(table.outcomes, vec![true, false, false]);
        assert_eq!(
            table.columns[0].values,
            Values::Numeric(vec![Some(30.0), None, Some(41.0)])
        );
        assert_eq!(
            table.columns[1].values,
            Values::Categorical(vec![Some("admin".into()), None, Some("student".into())])
        );
        assert_eq!(table.skipped[0].0, "signed");
    }

    #[test]
    fn a_time_column_is_read_as_dates_and_a_bad_one_names_row_and_column() {
        let good = "at,x,y\n2024-01-05,1,1\n2024-02-01T10:00:00Z,2,0\n";
        let bad = "at,x,y\n2024-01-05,1,1\nlast week,2,0\n";
        let mut with_time = spec("y", "1");
        with_time.time = Some("at".into());

        let table = HistoryTable::parse(good, "h.csv", &with_time).unwrap();
        let error = HistoryTable::parse(bad, "h.csv", &with_time).unwrap_err();

        assert_eq!(table.time.unwrap().1[1], jiff::civil::date(2024, 2, 1));
        assert_eq!(
            error.to_string(),
            "h.csv:2:at: not a date (expected YYYY-MM-DD)"
        );
    }

    #[test]
    fn an_unknown_label_column_is_named_with_the_columns_there_are() {
        let error = HistoryTable::parse("a,b\n1,2\n", "h.csv", &spec("outcome", "yes"));

        assert_eq!(
            error.unwrap_err().to_string(),
            "h.csv: column `outcome`: no such column (the file has: a, b)"
        );
    }

    #[test]
    fn a_missing_outcome_names_its_row() {
        let error = HistoryTable::parse("a,y\n1,yes\n2,\n", "h.csv", &spec("y", "yes"));

        assert_eq!(
            error.unwrap_err().to_string(),
            "h.csv:2:y: the outcome is missing"
        );
    }

    #[test]
    fn an_added_column_is_typed_like_the_files_own() {
        let mut raw = RawTable::parse("a,y\n1,yes\n2,no\n3,no\n", "h.csv").unwrap();

        raw.add_column("visits", vec!["3".into(), "".into(), "0".into()])
            .unwrap();
        let table = HistoryTable::from_raw(&raw, &spec("y", "yes"));

        assert_eq!(
            table.unwrap().columns[1],
            Column {
                name: "visits".into(),
                values: Values::Numeric(vec![Some(3.0), None, Some(0.0)]),
            }
        );
    }

    #[test]
    fn a_column_the_file_has_or_of_the_wrong_length_is_refused() {
        let mut raw = RawTable::parse("a,y\n1,yes\n2,no\n", "h.csv").unwrap();

        let twice = raw.add_column("a", vec!["1".into(), "2".into()]);
        let short = raw.add_column("b", vec!["1".into()]);

        assert_eq!(
            twice.unwrap_err().to_string(),
            "h.csv: column `a`: the file already has this column"
        );
        assert_eq!(
            short.unwrap_err().to_string(),
            "h.csv: column `b`: 1 values for 2 rows"
        );
        assert_eq!(raw.headers, ["a", "y"]);
    }

    #[test]
    fn the_delimiter_is_sniffed_from_the_header() {
        let table = HistoryTable::parse("a\tb\ty\n1\tx\t1\n2\tz\t0\n", "t.tsv", &spec("y", "1"));

        assert_eq!(table.unwrap().columns.len(), 2);
    }
}
