//! Every encoding × every delimiter × both line endings, over one file that holds each
//! malformed-row case: quoted delimiters, doubled quotes, a quoted line break, blank lines,
//! a row of only delimiters, a short row, a long row with surplus values (rejected), a long
//! row with empty surplus (kept), a row without identity (rejected), and an invalid e-mail
//! (kept with a warning). JSON Lines gets the same treatment per encoding.

use leadgate_connectors::import::{
    Encoding, Field, FileFormat, ImportOptions, Original, Preset, RejectReason,
};

use sha2::{Digest, Sha256};

use crate::support::{DELIMITERS, ENCODINGS, encode, import_bytes, line};

const HEADER: [&str; 8] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "company_name",
    "title",
    "city",
    "country",
];

/// The test file's text, and the 1-based line each of its eight rows starts on.
fn sample(delimiter: u8, crlf: bool) -> String {
    let d = char::from(delimiter);
    let blank_of_delimiters: String = std::iter::repeat_n(d, HEADER.len() - 1).collect();
    let lines = [
        line(&HEADER, delimiter),
        // row 1, line 2: a value with the delimiters of every kind inside quotes
        line(
            &[
                "1",
                "Zoë",
                "Müller",
                "zoe@acme.de",
                "Acme, GmbH; Köln | €",
                "VP Sales",
                "Köln",
                "Germany",
            ],
            delimiter,
        ),
        // line 3: blank
        String::new(),
        // row 2, lines 4-5: a line break inside a quoted title
        line(
            &[
                "2",
                "José",
                "García",
                "jose@brightloop.es",
                "Brightloop",
                "Director\nEMEA & APAC",
                "Madrid",
                "ES",
            ],
            delimiter,
        ),
        // row 3, line 6: doubled quotes
        line(
            &[
                "3",
                "Sean",
                "O'Brien",
                "sean@kestrel.ie",
                "Kestrel",
                "Head of \"Growth\"",
                "Dublin",
                "Ireland",
            ],
            delimiter,
        ),
        // row 4, line 7: no identity
        line(&["4", "Ann", "", "", "", "Engineer", "", ""], delimiter),
        // line 8: only delimiters
        blank_of_delimiters,
        // row 5, line 9: short
        line(&["5", "Li", "Wei", "li.wei@harbor.cn"], delimiter),
        // row 6, line 10: long, with a surplus value
        line(
            &[
                "6",
                "Max",
                "Stone",
                "max@stone.com",
                "Stone",
                "CTO",
                "Austin",
                "US",
                "oops",
            ],
            delimiter,
        ),
        // row 7, line 11: long, surplus empty
        line(
            &[
                "7",
                "Eva",
                "Berg",
                "eva@berg.se",
                "Berg AB",
                "CEO",
                "Malmö",
                "Sweden",
                "",
                "",
            ],
            delimiter,
        ),
        // row 8, line 12: an e-mail that does not read; name and company identify
        line(
            &["8", "Jane", "Doe", "jane@", "Doe Corp", "", "", ""],
            delimiter,
        ),
    ];
    let end = if crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(end);
    text.push_str(end);
    text
}

#[test]
fn every_encoding_and_delimiter_reads_the_same_rows() {
    for encoding in ENCODINGS {
        for delimiter in DELIMITERS {
            for crlf in [false, true] {
                let context = format!("{encoding} {:?} crlf={crlf}", char::from(delimiter));
                let bytes = encode(&sample(delimiter, crlf), encoding);
                let out = import_bytes("people.csv", &bytes, &ImportOptions::default());
                let s = &out.summary;

                assert_eq!(s.format, FileFormat::Csv, "{context}");
                assert_eq!(s.delimiter, Some(delimiter), "{context}");
                assert_eq!(s.encoding, encoding, "{context}");
                assert_eq!(s.preset, Some(Preset::Generic), "{context}");
                assert_eq!(
                    (s.rows_read, s.accepted, s.rejected, s.blank_lines),
                    (8, 6, 2, 2),
                    "{context}"
                );
                assert_eq!(out.header, HEADER, "{context}");

                // The rejected rows, exactly.
                let rejected: Vec<(u64, u64, String)> = out
                    .rejected
                    .iter()
                    .map(|r| (r.row, r.line, r.reason.to_string()))
                    .collect();
                assert_eq!(
                    rejected,
                    vec![
                        (
                            4,
                            7,
                            "no usable identity (needs an e-mail, a LinkedIn profile URL, or a \
                             name and a company): email empty, linkedin_url empty, name given, \
                             company_name empty"
                                .to_string()
                        ),
                        (
                            6,
                            10,
                            "9 fields where the header has 8: a value with an unquoted \
                             delimiter? Quote that value or remove the surplus fields"
                                .to_string()
                        ),
                    ],
                    "{context}"
                );
                assert_eq!(
                    out.rejected[1].reason,
                    RejectReason::TooManyFields {
                        found: 9,
                        expected: 8
                    }
                );
                assert_eq!(
                    out.rejected[0].original,
                    Original::Fields(
                        ["4", "Ann", "", "", "", "Engineer", "", ""]
                            .map(String::from)
                            .to_vec()
                    ),
                    "{context}"
                );

                // The accepted rows, with values read back exactly.
                let rows: Vec<(u64, u64)> = out.accepted.iter().map(|r| (r.row, r.line)).collect();
                assert_eq!(
                    rows,
                    vec![(1, 2), (2, 4), (3, 6), (5, 9), (7, 11), (8, 12)],
                    "{context}"
                );
                let zoe = &out.accepted[0];
                assert_eq!(zoe.source_record_id.as_deref(), Some("1"));
                assert_eq!(zoe.person.given_name.as_deref(), Some("Zoë"), "{context}");
                assert_eq!(zoe.person.name.as_ref().unwrap().family(), "Müller");
                assert_eq!(
                    zoe.company.name.as_ref().unwrap().raw,
                    "Acme, GmbH; Köln | €",
                    "{context}"
                );
                assert_eq!(zoe.person.city.as_deref(), Some("Köln"));
                assert_eq!(
                    zoe.person.country.as_ref().unwrap().get().unwrap().as_str(),
                    "DE"
                );
                assert_eq!(
                    out.accepted[1].person.title.as_deref(),
                    Some("Director\nEMEA & APAC"),
                    "{context}"
                );
                assert_eq!(
                    out.accepted[2].person.title.as_deref(),
                    Some("Head of \"Growth\""),
                    "{context}"
                );
                let short = &out.accepted[3];
                assert_eq!(
                    short
                        .warnings
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                    vec!["the row has 4 of the header's 8 fields; the missing ones are empty"],
                    "{context}"
                );
                assert!(out.accepted[4].warnings.is_empty(), "{context}");
                let jane = &out.accepted[5];
                assert_eq!(jane.person.email.as_ref().unwrap().raw, "jane@");
                assert!(jane.person.email.as_ref().unwrap().get().is_none());
                assert_eq!(jane.warnings.len(), 1, "{context}");
                assert_eq!(jane.warnings[0].field, Some(Field::Email));
                assert_eq!(s.warnings, 2, "{context}");

                // Windows-1252 is a fallback, and says from which row.
                let notices: Vec<String> = s.notices.iter().map(ToString::to_string).collect();
                if encoding == Encoding::Windows1252 {
                    assert_eq!(
                        notices,
                        vec![
                            "row 1 (line 2): byte 0xEB is not UTF-8: this row and every other \
                             row that is not valid UTF-8 were read as Windows-1252"
                        ],
                        "{context}"
                    );
                } else {
                    assert!(notices.is_empty(), "{context}: {notices:?}");
                }
            }
        }
    }
}

#[test]
fn an_overridden_delimiter_and_encoding_win_over_sniffing() {
    // Semicolons inside values, commas between them: sniffing alone would be right too,
    // but the caller's word is final.
    let text = "email,company_name\nann@a.com,A;B;C\nbo@b.com,D;E;F\n";
    let out = import_bytes(
        "x.csv",
        &encode(text, Encoding::Windows1252),
        &ImportOptions {
            delimiter: Some(b','),
            encoding: Some(Encoding::Windows1252),
            ..ImportOptions::default()
        },
    );
    assert_eq!(out.summary.delimiter, Some(b','));
    assert_eq!(out.summary.encoding, Encoding::Windows1252);
    assert_eq!(out.accepted[0].company.name.as_ref().unwrap().raw, "A;B;C");

    let file = crate::support::temp_file("x.csv", b"email;company_name\nann@a.com;A,B\n");
    let err = leadgate_connectors::import::open(
        &file.path,
        &ImportOptions {
            delimiter: Some(b'|'),
            ..ImportOptions::default()
        },
    )
    .err()
    .unwrap();
    // One column "email;company_name": no identity column, so no row could be kept.
    assert!(
        err.to_string()
            .contains("the header is email;company_name; the generic columns"),
        "{err}"
    );
}

#[test]
fn utf16_without_a_bom_is_recognised() {
    let text = "email\tfirst_name\nann@a.com\tÄnn\n";
    for (encoding, big) in [(Encoding::Utf16Le, false), (Encoding::Utf16Be, true)] {
        let bytes: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect();
        let out = import_bytes("x.txt", &bytes, &ImportOptions::default());
        assert_eq!(out.summary.encoding, encoding);
        assert_eq!(out.summary.delimiter, Some(b'\t'));
        assert_eq!(out.accepted[0].person.given_name.as_deref(), Some("Änn"));
    }
}

#[test]
fn large_files_stream_across_buffer_boundaries() {
    // Well past the 64 KiB prefix and the UTF-16 decoder's chunk, with a quoted line
    // break in every hundredth row.
    let mut text = String::from("email;title;city\n");
    for i in 0..20_000 {
        let title = if i % 100 == 0 {
            "\"Head of\nSales\""
        } else {
            "Manager"
        };
        text.push_str(&format!("p{i}@example.com;{title};Zürich\n"));
    }
    for encoding in ENCODINGS {
        let out = import_bytes(
            "big.csv",
            &encode(&text, encoding),
            &ImportOptions::default(),
        );
        let bytes = encode(&text, encoding);
        assert_eq!(out.summary.rows_read, 20_000, "{encoding}");
        assert_eq!(out.summary.rejected, 0, "{encoding}");
        // The bytes are hashed as they are read, every buffer of them, once.
        assert_eq!(
            out.summary.content_sha256,
            Some(hex::encode(Sha256::digest(&bytes))),
            "{encoding}"
        );
        assert_eq!(out.summary.delimiter, Some(b';'));
        let last = out.accepted.last().unwrap();
        assert_eq!(last.row, 20_000);
        assert_eq!(last.line, 20_000 + 1 + 200);
        assert_eq!(last.person.city.as_deref(), Some("Zürich"), "{encoding}");
        assert_eq!(
            out.accepted[100].person.title.as_deref(),
            Some("Head of\nSales")
        );
    }
}

#[test]
fn an_empty_file_has_no_header() {
    let file = crate::support::temp_file("empty.csv", b"\n\n");
    let err = leadgate_connectors::import::open(&file.path, &ImportOptions::default())
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .ends_with("the file is empty: no header row"),
        "{err}"
    );
}

/// JSON Lines: line numbers of bad lines, blank lines skipped, values of every JSON type.
fn jsonl_sample() -> String {
    [
        r#"{"email": "zoë@acme.de", "first_name": "Zoë", "employees": 1234, "technologies": ["Salesforce", "Snowflake"], "verified": true}"#,
        "",
        r#"{"email": "bo@bo.com", "first_name": "Bo""#,
        r#"[1, 2, 3]"#,
        r#"{"first_name": "Ann", "title": "Engineer", "company_name": null}"#,
        "   ",
        r#"{"linkedin_url": "https://www.linkedin.com/in/cara-x/", "city": "Köln", "new_key": {"a": 1}}"#,
        r#"{"full_name": "Dee Dee", "company_name": "Dee Corp"}"#,
    ]
    .join("\n")
}

#[test]
fn json_lines_in_every_encoding() {
    for encoding in ENCODINGS {
        let out = import_bytes(
            "people.jsonl",
            &encode(&jsonl_sample(), encoding),
            &ImportOptions::default(),
        );
        let s = &out.summary;
        assert_eq!(s.format, FileFormat::JsonLines, "{encoding}");
        assert_eq!(s.delimiter, None);
        assert_eq!(
            (s.rows_read, s.accepted, s.rejected, s.blank_lines),
            (6, 3, 3, 2),
            "{encoding}"
        );
        let rejected: Vec<(u64, u64, String)> = out
            .rejected
            .iter()
            .map(|r| (r.row, r.line, r.reason.to_string()))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (
                    2,
                    3,
                    "not valid JSON: EOF while parsing an object at line 1 column 41".to_string()
                ),
                (3, 4, "not a JSON object".to_string()),
                (
                    4,
                    5,
                    "no usable identity (needs an e-mail, a LinkedIn profile URL, or a name and \
                     a company): email empty, linkedin_url empty, name given, company_name \
                     empty"
                        .to_string()
                ),
            ],
            "{encoding}"
        );
        assert_eq!(
            out.rejected[0].original,
            Original::Line(r#"{"email": "bo@bo.com", "first_name": "Bo""#.to_string())
        );
        let zoe = &out.accepted[0];
        assert_eq!((zoe.row, zoe.line), (1, 1));
        assert_eq!(zoe.person.given_name.as_deref(), Some("Zoë"), "{encoding}");
        assert_eq!(
            zoe.company.employees.as_ref().unwrap().get().unwrap().min,
            1234
        );
        assert_eq!(zoe.company.technologies, vec!["Salesforce", "Snowflake"]);
        assert_eq!(crate::support::extra(zoe, "verified"), Some("true"));
        let cara = &out.accepted[1];
        assert_eq!((cara.row, cara.line), (5, 7));
        assert_eq!(
            cara.person
                .linkedin
                .as_ref()
                .unwrap()
                .get()
                .unwrap()
                .as_str(),
            "https://www.linkedin.com/in/cara-x"
        );
        assert_eq!(cara.person.city.as_deref(), Some("Köln"), "{encoding}");
        assert_eq!(crate::support::extra(cara, "new_key"), Some(r#"{"a":1}"#));
        let dee = &out.accepted[2];
        assert_eq!(dee.person.name.as_ref().unwrap().family(), "Dee");
        if encoding == Encoding::Windows1252 {
            assert_eq!(s.encoding, Encoding::Windows1252);
            assert_eq!(s.notices[0].row, Some(1));
        }
    }
}
