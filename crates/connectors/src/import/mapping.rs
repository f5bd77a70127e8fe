//! A mapping file: which column holds which field, for exports no preset knows. It is TOML,
//! read strictly: an unknown key, a value of the wrong type or a bad delimiter is an error
//! that names the key and its line.
//!
//! ```toml
//! delimiter = ";"                 # optional: , ; | or "tab"; sniffed when absent
//! encoding = "windows-1252"       # optional: utf-8, utf-16le, utf-16be, windows-1252, …
//! id_column = "Kundennummer"      # optional: the source's own record id
//! observed_at_column = "Geändert am"  # optional: a per-row date of the data
//! date_format = "%d.%m.%Y"        # optional: jiff strftime layout of that date
//! default_country = "DE"          # optional: region for phone numbers without a country code
//!
//! [columns]
//! email = "E-Mail-Adresse"
//! first_name = "Vorname"
//! last_name = "Nachname"
//! company_name = "Firma"
//! ```
//!
//! The keys of `[columns]` are the [`Field`] names. A mapping is explicit: only the columns
//! it names are mapped (matched exactly, else case- and punctuation-insensitively), every
//! other column is kept as an extra, and a named column the file lacks is an error.

use std::collections::BTreeMap;

use leadgate_core::discovery::normalize::CountryCode;
use serde::Deserialize;
use toml::Spanned;

use super::columns::Field;
use super::decode::Encoding;

/// A parsed mapping file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    /// Field → column name, in the order of the file.
    pub columns: Vec<(Field, String)>,
    pub delimiter: Option<u8>,
    pub encoding: Option<Encoding>,
    pub date_format: Option<String>,
    pub default_country: Option<CountryCode>,
}

/// What is wrong in a mapping file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct MappingError {
    /// 1-based line of the offending key or value, when known.
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    delimiter: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    id_column: Option<Spanned<String>>,
    observed_at_column: Option<Spanned<String>>,
    date_format: Option<Spanned<String>>,
    default_country: Option<Spanned<String>>,
    columns: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl Mapping {
    /// Reads a mapping from its TOML text.
    pub fn parse(text: &str) -> Result<Mapping, MappingError> {
        let line_of = |offset: usize| {
            let before = &text.as_bytes()[..offset.min(text.len())];
            Some(1 + before.iter().filter(|&&b| b == b'\n').count())
        };
        let at = |span: std::ops::Range<usize>, message: String| MappingError {
            line: line_of(span.start),
            message,
        };
        let file: MappingFile = toml::from_str(text).map_err(|e| MappingError {
            line: e.span().and_then(|s| line_of(s.start)),
            message: e.message().trim_end().to_string(),
        })?;

        let mut mapping = Mapping::default();
        let named = |field: Field, value: &Spanned<String>, key: &str| {
            if value.get_ref().trim().is_empty() {
                return Err(at(value.span(), format!("{key}: the column name is empty")));
            }
            Ok((field, value.get_ref().clone()))
        };
        if let Some(id) = &file.id_column {
            mapping
                .columns
                .push(named(Field::RecordId, id, "id_column")?);
        }
        if let Some(observed) = &file.observed_at_column {
            mapping
                .columns
                .push(named(Field::ObservedAt, observed, "observed_at_column")?);
        }
        let mut entries: Vec<_> = file.columns.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let field = Field::ALL
                .iter()
                .copied()
                .filter(|f| !matches!(f, Field::RecordId | Field::ObservedAt))
                .find(|f| f.as_str() == key.get_ref())
                .ok_or_else(|| {
                    let hint = match key.get_ref().as_str() {
                        "id" => " (write `id_column = …` above [columns])".to_string(),
                        "observed_at" => {
                            " (write `observed_at_column = …` above [columns])".to_string()
                        }
                        _ => String::new(),
                    };
                    at(
                        key.span(),
                        format!(
                            "unknown key `columns.{}`{hint}; the fields are {}",
                            key.get_ref(),
                            column_keys()
                        ),
                    )
                })?;
            let key_name = format!("columns.{field}");
            mapping.columns.push(named(field, value, &key_name)?);
        }
        if mapping.columns.is_empty() {
            return Err(MappingError {
                line: None,
                message: "[columns] maps no column".to_string(),
            });
        }

        if let Some(d) = &file.delimiter {
            mapping.delimiter = Some(parse_delimiter(d.get_ref()).ok_or_else(|| {
                at(
                    d.span(),
                    format!(
                        "delimiter: {:?} is not one of \",\" \";\" \"|\" \"tab\"",
                        d.get_ref()
                    ),
                )
            })?);
        }
        if let Some(e) = &file.encoding {
            mapping.encoding = Some(
                e.get_ref()
                    .parse()
                    .map_err(|err| at(e.span(), format!("encoding: {err}")))?,
            );
        }
        if let Some(f) = &file.date_format {
            let probe = jiff::civil::date(2025, 3, 14).at(9, 31, 7, 0);
            jiff::fmt::strtime::format(f.get_ref().as_str(), probe)
                .map_err(|err| at(f.span(), format!("date_format: {err}")))?;
            mapping.date_format = Some(f.get_ref().clone());
        }
        if let Some(c) = &file.default_country {
            mapping.default_country = Some(
                CountryCode::parse(c.get_ref())
                    .map_err(|err| at(c.span(), format!("default_country: {err}")))?,
            );
        }
        Ok(mapping)
    }
}

/// `,` `;` `|`, a tab (as the character, `\t` or the word "tab").
pub fn parse_delimiter(text: &str) -> Option<u8> {
    match text {
        "," => Some(b','),
        ";" => Some(b';'),
        "|" => Some(b'|'),
        "\t" | "\\t" => Some(b'\t'),
        t if t.eq_ignore_ascii_case("tab") => Some(b'\t'),
        _ => None,
    }
}

fn column_keys() -> String {
    Field::ALL
        .iter()
        .copied()
        .filter(|f| !matches!(f, Field::RecordId | Field::ObservedAt))
        .map(Field::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_mapping() {
        let text = r#"
delimiter = "tab"
encoding = "windows-1252"
id_column = "Kundennummer"
observed_at_column = "Geändert am"
date_format = "%d.%m.%Y"
default_country = "Germany"

[columns]
email = "E-Mail-Adresse"
first_name = "Vorname"
"#;
        let m = Mapping::parse(text).unwrap();
        assert_eq!(m.delimiter, Some(b'\t'));
        assert_eq!(m.encoding, Some(Encoding::Windows1252));
        assert_eq!(m.default_country.unwrap().as_str(), "DE");
        assert_eq!(
            m.columns,
            vec![
                (Field::RecordId, "Kundennummer".to_string()),
                (Field::ObservedAt, "Geändert am".to_string()),
                (Field::Email, "E-Mail-Adresse".to_string()),
                (Field::FirstName, "Vorname".to_string()),
            ]
        );
    }

    #[test]
    fn unknown_column_keys_name_the_key_and_line() {
        let err = Mapping::parse("[columns]\nemail = \"E\"\nemial = \"x\"\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(
            err.message.starts_with("unknown key `columns.emial`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_top_level_keys_are_refused() {
        let err = Mapping::parse("delimter = \";\"\n[columns]\nemail = \"E\"\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("delimter"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = Mapping::parse("delimiter = \":\"\n[columns]\nemail = \"E\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: delimiter: \":\" is not one of \",\" \";\" \"|\" \"tab\""
        );
        let err = Mapping::parse("[columns]\nemail = 3\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        let err = Mapping::parse("date_format = \"%Q\"\n[columns]\nemail = \"E\"\n").unwrap_err();
        assert!(err.to_string().starts_with("line 1: date_format:"), "{err}");
        let err = Mapping::parse("[columns]\nid = \"x\"\n").unwrap_err();
        assert!(err.message.contains("id_column"), "{err}");
    }
}
