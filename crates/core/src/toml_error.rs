//! Errors in TOML that people write by hand, located: the file, the line and column, the
//! dotted key, and what was wrong, on one line (`icp.toml:12:3: key
//! `firmographics.employees.min`: must not exceed max (1000)`). The ICP document, the
//! enrichment providers' configuration and any other strict TOML section share this one
//! mechanism, so their errors read alike.
//!
//! Positions come from the spans the `toml` crate keeps: serde errors carry one
//! ([`TomlError::from_de`]), and for problems found after deserialising (a value of the right
//! type but the wrong meaning) a second, spanned parse ([`toml::de::DeTable`]) maps the key
//! path back to the text ([`TomlError::at`]).

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A TOML text that could not be read: where, which key, and what was wrong.
///
/// Its `Display` is one line:
///
/// ```text
/// icp.toml:12:3: key `firmographics.employees.min`: must not exceed max (1000)
/// ```
///
/// Without a position (an error found in a document that did not come from text) it is
/// ``icp.toml: key `…`: …``, and without a key the ``key `…`: `` part is left out. Lines and
/// columns count from 1; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TomlError {
    /// Where the document came from, usually its file name.
    pub origin: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The dotted key, e.g. `firmographics.employees.min` or `personas[1].seniority[0]`
    /// (array indices count from 0).
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for TomlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl TomlError {
    /// The error of `toml::from_str` on `text`, located and in plain words: a missing key
    /// is named with its table, an unknown key lists the expected ones.
    pub fn from_de(error: &toml::de::Error, text: &str, origin: &str) -> TomlError {
        from_de(error, text, origin)
    }

    /// A problem with the value at `path`, found after deserialising `text`: located at that
    /// value, or at its nearest ancestor the text has.
    pub fn at(text: &str, origin: &str, path: &KeyPath, message: impl Into<String>) -> TomlError {
        let (table, _) = DeTable::parse_recoverable(text);
        let span = span_of(&table, path);
        positioned(origin, text, span, Some(path.to_string()), message.into())
    }

    /// A problem with the value at `path` of a document that did not come from text.
    pub fn unplaced(origin: &str, path: &KeyPath, message: impl Into<String>) -> TomlError {
        TomlError {
            origin: origin.to_string(),
            line: None,
            column: None,
            key: Some(path.to_string()),
            message: one_line(&message.into()),
        }
    }
}

/// A key path into a TOML document: `personas[1].titles[0]`. Its `Display` is the dotted
/// key as errors name it (keys that are not bare are quoted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyPath(Vec<Step>);

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl KeyPath {
    /// The path to `key` inside this table.
    pub fn key(&self, key: &str) -> KeyPath {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_string()));
        KeyPath(steps)
    }

    /// The path to element `index` (from 0) of this array.
    pub fn index(&self, index: usize) -> KeyPath {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        KeyPath(steps)
    }

    /// Whether this is the document itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(&toml_key(key))?;
                }
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A key as TOML writes it in a dotted key: bare when it can be, quoted (on one line)
/// otherwise. Criteria are named with it (`intent."ai ops"`).
pub fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and their positions

pub(crate) fn positioned(
    origin: &str,
    text: &str,
    span: Option<Range<usize>>,
    key: Option<String>,
    message: String,
) -> TomlError {
    let (line, column) = match span {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            (Some(line), Some(column))
        }
        None => (None, None),
    };
    TomlError {
        origin: origin.to_string(),
        line,
        column,
        key,
        message: one_line(&message),
    }
}

/// Control characters of quoted values escaped, so that an error stays on one line.
pub(crate) fn one_line(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The 1-based line and character column of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn from_de(error: &toml::de::Error, text: &str, origin: &str) -> TomlError {
    let (table, _) = DeTable::parse_recoverable(text);
    let message = plain_words(error.message());
    let span = error.span();
    // An empty span (the end of the text, or the whole document) holds no key.
    let at = span
        .clone()
        .filter(|span| !span.is_empty())
        .map(|span| path_at(&table, span));

    if let Some(field) = backquoted_after(&message, "missing field `") {
        let container = at.unwrap_or_default();
        // A missing key of the whole document has no place to point at.
        let span = span.filter(|_| !container.is_root());
        let key = container.key(field).to_string();
        return positioned(origin, text, span, Some(key), "is required".to_string());
    }
    if message.starts_with("unknown field `") {
        let expected = message
            .split_once("`, ")
            .map_or(String::new(), |(_, rest)| format!(", {rest}"));
        let key = at.map(|path| path.to_string());
        return positioned(origin, text, span, key, format!("unknown key{expected}"));
    }
    if message == "duplicate key" {
        // The second definition is not in the parsed table; name it from the text.
        let written = span
            .clone()
            .and_then(|span| text.get(span))
            .unwrap_or_default();
        let written = written.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']');
        let key = at.map(|container| container.key(written).to_string());
        return positioned(origin, text, span, key, message);
    }
    let key = at
        .filter(|path| !path.is_root())
        .map(|path| path.to_string());
    positioned(origin, text, span, key, message)
}

/// The deserialiser's message on one line, with Rust's type names put in plain words.
fn plain_words(message: &str) -> String {
    let message = message.trim().replace('\n', " ");
    let message = match message.strip_prefix("unknown variant ") {
        Some(rest) => format!("unknown value {rest}"),
        None => message,
    };
    [
        (", expected u8", ", expected a whole number from 0 to 255"),
        (
            ", expected u32",
            ", expected a whole number from 0 to 4294967295",
        ),
        (", expected i64", ", expected a whole number"),
        (", expected f64", ", expected a number"),
    ]
    .into_iter()
    .fold(message, |message, (rust, plain)| {
        message.replace(rust, plain)
    })
}

fn backquoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message.strip_prefix(prefix)?.split('`').next()
}

/// The span of the value at `path`, or of the nearest ancestor that the text has.
fn span_of(root: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<Range<usize>> {
    let mut table = Some(root.get_ref());
    let mut array: Option<&toml::de::DeArray<'_>> = None;
    let mut found = None;
    for step in &path.0 {
        let value: &Spanned<DeValue<'_>> = match (step, table, array) {
            (Step::Key(key), Some(t), _) => {
                match t.iter().find(|(k, _)| k.get_ref().as_ref() == key.as_str()) {
                    Some((_, v)) => v,
                    None => break,
                }
            }
            (Step::Index(i), _, Some(a)) => match a.get(*i) {
                Some(v) => v,
                None => break,
            },
            _ => break,
        };
        found = Some(value.span());
        (table, array) = match value.get_ref() {
            DeValue::Table(t) => (Some(t), None),
            DeValue::Array(a) => (None, Some(a)),
            _ => (None, None),
        };
    }
    found
}

/// The deepest key path whose key or value span holds `span`.
fn path_at(root: &Spanned<DeTable<'_>>, span: Range<usize>) -> KeyPath {
    let mut best = (usize::MAX, KeyPath::default());
    let mut consider = |candidate: Range<usize>, path: &KeyPath| {
        let holds = candidate.start <= span.start && span.end <= candidate.end;
        let size = candidate.end - candidate.start;
        if holds && (size < best.0 || (size == best.0 && path.0.len() > best.1.0.len())) {
            best = (size, path.clone());
        }
    };
    walk_table(root.get_ref(), &KeyPath::default(), &mut consider);
    best.1
}

fn walk_table(
    table: &DeTable<'_>,
    path: &KeyPath,
    consider: &mut impl FnMut(Range<usize>, &KeyPath),
) {
    for (key, value) in table.iter() {
        let path = path.key(key.get_ref());
        consider(key.span(), &path);
        walk_value(value, &path, consider);
    }
}

fn walk_value(
    value: &Spanned<DeValue<'_>>,
    path: &KeyPath,
    consider: &mut impl FnMut(Range<usize>, &KeyPath),
) {
    consider(value.span(), path);
    match value.get_ref() {
        DeValue::Table(table) => walk_table(table, path, consider),
        DeValue::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                walk_value(element, &path.index(i), consider);
            }
        }
        _ => {}
    }
}
