//! Arbitrary values written as CSV (with quotes, line breaks and every delimiter inside)
//! read back identically, in any delimiter and encoding.

use leadgate_connectors::import::{Encoding, ImportOptions, Original, RejectReason};
use proptest::prelude::*;

use crate::support::{DELIMITERS, encode, import_bytes, line};

/// Field text with delimiters, quotes and line breaks (LF and CRLF). A lone CR at the very
/// end of a row's last field is read as the CR of a CRLF line end and dropped, so CR comes
/// only before LF here.
fn value() -> impl Strategy<Value = String> {
    prop::string::string_regex("([a-zé€ ,;|\t\"\n]|\r\n){0,12}").unwrap()
}

fn rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::vec(value(), 3), 1..20).prop_map(|rows| {
        rows.into_iter()
            .map(|mut r| {
                // A row of only blanks would be a blank line, which is not a row.
                r[0].insert(0, 'x');
                r
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn values_read_back_identically(
        rows in rows(),
        delimiter in prop::sample::select(DELIMITERS.to_vec()),
        encoding in prop::sample::select(vec![Encoding::Utf8, Encoding::Utf16Le, Encoding::Windows1252]),
    ) {
        // No value is an address (none has an `@`), and nothing else names a person: every
        // row is rejected, with its values verbatim.
        let mut text = line(&["email", "b", "c"], delimiter);
        text.push('\n');
        for row in &rows {
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            text.push_str(&line(&fields, delimiter));
            text.push('\n');
        }
        // The encoding is given: a Windows-1252 text can be valid UTF-8 too ("é€€" is
        // E9 80 80), and then sniffing rightly reads UTF-8.
        let out = import_bytes(
            "p.csv",
            &encode(&text, encoding),
            &ImportOptions {
                delimiter: Some(delimiter),
                encoding: Some(encoding),
                ..ImportOptions::default()
            },
        );
        prop_assert_eq!(out.summary.rows_read, rows.len() as u64);
        prop_assert_eq!(out.summary.rejected, rows.len() as u64);
        for (rejected, row) in out.rejected.iter().zip(&rows) {
            prop_assert!(
                matches!(rejected.reason, RejectReason::NoIdentity { .. }),
                "{}", rejected
            );
            prop_assert_eq!(&rejected.original, &Original::Fields(row.clone()));
        }
    }
}
