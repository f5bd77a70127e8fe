//! Files that would only give rejections are refused whole, before a row is read, with one
//! error that names the file and says why: not text, a header that can name nobody, nothing
//! in the file, or a header alone. A UTF-16 file is text, and a stray control character
//! does not make a file binary.

use leadgate_connectors::import::{
    Columns, Encoding, Import, ImportError, ImportOptions, Mapping, Preset, open,
};

use crate::support::{encode, import_bytes, temp_file};

/// The error `open` gives for a file of `bytes` named `name`, and its message with the
/// file's temporary directory left out.
fn refusal(name: &str, bytes: &[u8], options: &ImportOptions) -> (ImportError, String) {
    let file = temp_file(name, bytes);
    match open(&file.path, options) {
        Ok(import) => panic!("{name} was opened, header {:?}", import.header()),
        Err(e) => {
            let message = e
                .to_string()
                .replace(&file.path.display().to_string(), name);
            (e, message)
        }
    }
}

#[test]
fn a_program_is_not_a_text_file() {
    // Arrange: the start of an ELF executable, then text-looking bytes.
    let mut bytes = b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    bytes.extend(b"email,name\nann@a.com,Ann\n".repeat(20));

    // Act
    let (err, message) = refusal("ls", &bytes, &ImportOptions::default());

    // Assert: the first NUL is at offset 7.
    assert!(
        matches!(err, ImportError::NotText { offset: 7, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "ls: not a text file: binary content at byte 7; import a CSV or JSON Lines export \
         (save a workbook as CSV)"
    );
}

#[test]
fn binary_content_is_refused_whatever_the_name_or_the_given_encoding() {
    // A zipped workbook (xlsx) named as CSV, and as JSON Lines.
    let zip = b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0";
    for name in ["leads.csv", "leads.jsonl"] {
        let (err, _) = refusal(name, zip, &ImportOptions::default());
        assert!(
            matches!(err, ImportError::NotText { offset: 5, .. }),
            "{name}: {err:?}"
        );
    }
    // Control characters without a NUL, more than one in twenty.
    let noisy: Vec<u8> = (0u8..200)
        .map(|i| if i % 5 == 0 { 0x02 } else { b'a' })
        .collect();
    let (err, _) = refusal(
        "noisy.csv",
        &noisy,
        &ImportOptions {
            encoding: Some(Encoding::Windows1252),
            ..ImportOptions::default()
        },
    );
    assert!(
        matches!(err, ImportError::NotText { offset: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn utf16_and_a_stray_control_character_are_text() {
    // Arrange: UTF-16 is half zero bytes; an export with one stray escape character.
    let utf16 = encode("email\tfirst_name\nann@a.com\tAnn\n", Encoding::Utf16Le);
    let stray = "email,first_name\nann@a.com,Ann\u{1b}\nbo@b.com,Bo\n";

    // Act
    let from_utf16 = import_bytes("unicode.txt", &utf16, &ImportOptions::default());
    let from_stray = import_bytes("stray.csv", stray.as_bytes(), &ImportOptions::default());

    // Assert
    assert_eq!(from_utf16.summary.accepted, 1);
    assert_eq!(from_stray.summary.accepted, 2);
}

#[test]
fn a_header_that_names_nobody_is_refused_with_the_names_that_would() {
    // Arrange: no e-mail, no LinkedIn URL, and a name without a company.
    let text = "Vorname;Nachname;Position\nAnn;Lee;CEO\nBo;Ma;CTO\n";

    // Act
    let (err, message) = refusal("kontakte.csv", text.as_bytes(), &ImportOptions::default());

    // Assert: one line with the header and the columns the generic preset knows.
    assert!(
        matches!(err, ImportError::NoIdentityColumn { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kontakte.csv: no column names a person, so every row would be rejected: the header \
         is Vorname, Nachname, Position; the generic columns that name a person are an e-mail \
         (\"email\"), a LinkedIn URL (\"linkedin_url\"), or a name (\"first_name\", \
         \"last_name\" or \"full_name\") with a company (\"company_name\", \"company_domain\" \
         or \"website\"); rename the columns, or name them with a mapping file"
    );
    assert!(!message.contains('\n'));
}

#[test]
fn a_name_without_any_company_column_is_refused_and_with_one_is_read() {
    let names_only = "first_name,last_name,title\nAnn,Lee,CEO\n";
    let (err, _) = refusal(
        "names.csv",
        names_only.as_bytes(),
        &ImportOptions::default(),
    );
    assert!(
        matches!(err, ImportError::NoIdentityColumn { .. }),
        "{err:?}"
    );

    let with_site = "first_name,last_name,website\nAnn,Lee,https://acme.com\n";
    let out = import_bytes("names.csv", with_site.as_bytes(), &ImportOptions::default());
    assert_eq!(out.summary.accepted, 1);
}

#[test]
fn a_preset_or_a_mapping_that_maps_no_identity_is_refused_in_its_own_names() {
    // A preset given: its own column names.
    let (_, message) = refusal(
        "apollo.csv",
        b"Title,City\nCEO,Berlin\n",
        &ImportOptions {
            columns: Columns::Preset(Preset::Apollo),
            ..ImportOptions::default()
        },
    );
    assert!(
        message.contains(
            "the apollo columns that name a person are an e-mail (\"Email\"), a LinkedIn URL \
             (\"Person Linkedin Url\")"
        ),
        "{message}"
    );

    // A mapping that maps only the title, for a CSV file and for JSON Lines alike.
    let mapping = Mapping::parse("[columns]\ntitle = \"Job\"\n").unwrap();
    let options = ImportOptions {
        columns: Columns::Mapping(mapping),
        ..ImportOptions::default()
    };
    for (name, text) in [
        ("jobs.csv", "Job,email\nCEO,ann@a.com\n"),
        (
            "jobs.jsonl",
            "{\"Job\": \"CEO\", \"email\": \"ann@a.com\"}\n",
        ),
    ] {
        let (_, message) = refusal(name, text.as_bytes(), &options);
        assert!(
            message.contains("the mapping file must name a column for email, linkedin_url, or first_name, last_name or full_name with company_name, company_domain or website"),
            "{name}: {message}"
        );
    }
}

#[test]
fn an_empty_file_says_so() {
    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("blank.csv", b"\n  \r\n\n"),
        ("delimiters.csv", b",,,\n,,\n"),
    ] {
        let (_, message) = refusal(name, bytes, &ImportOptions::default());
        assert_eq!(message, format!("{name}: the file is empty: no header row"));
    }
    for bytes in [&b""[..], b"\n\n   \n"] {
        let (_, message) = refusal("empty.jsonl", bytes, &ImportOptions::default());
        assert_eq!(
            message,
            "empty.jsonl: the file is empty: no JSON object in it"
        );
    }
}

#[test]
fn a_header_alone_is_refused_blank_lines_or_not() {
    for text in [
        "email,first_name\n",
        "email,first_name",
        "\n\nemail,first_name\r\n\r\n,\n   \n",
    ] {
        let (_, message) = refusal("header.csv", text.as_bytes(), &ImportOptions::default());
        assert_eq!(
            message, "header.csv: no rows after the header (email, first_name): nothing to import",
            "{text:?}"
        );
    }
}

#[test]
fn a_stream_may_be_empty_as_a_search_that_found_nobody_is() {
    // Arrange: the JSON Lines a search hands the importer when it found nobody.
    let options = ImportOptions {
        file_format: Some(leadgate_connectors::import::FileFormat::JsonLines),
        ..ImportOptions::default()
    };

    // Act
    let mut import = Import::from_reader(std::io::Cursor::new(Vec::new()), "search", &options)
        .expect("an empty search is an import of nothing");

    // Assert
    assert!(import.next().is_none());
    assert_eq!(import.finish().unwrap().rows_read, 0);
}

#[test]
fn the_first_row_read_ahead_is_handed_out_once_and_first() {
    // Arrange: blank lines between the header and the first row.
    let text = "email,first_name\n\n\nann@a.com,Ann\nbo@b.com,Bo\n";
    let file = temp_file("people.csv", text.as_bytes());

    // Act: by the row and by the batch.
    let by_row = crate::support::import_file(&file.path, &ImportOptions::default());
    let mut import = open(&file.path, &ImportOptions::default()).unwrap();
    let batch = import.next_batch(10);
    let summary = import.finish().unwrap();

    // Assert
    let rows: Vec<(u64, u64)> = by_row.accepted.iter().map(|r| (r.row, r.line)).collect();
    assert_eq!(rows, vec![(1, 4), (2, 5)]);
    assert_eq!(by_row.summary.blank_lines, 2);
    let batched: Vec<(u64, u64)> = batch
        .iter()
        .map(|r| r.as_ref().map(|r| (r.row, r.line)).unwrap())
        .collect();
    assert_eq!(batched, rows);
    assert_eq!((summary.rows_read, summary.blank_lines), (2, 2));
}
