//! The rejected-rows file: the original header and values with `_row` and `_reason`, that
//! the user fixes and imports again.

use leadgate_connectors::import::{
    Encoding, ImportOptions, RejectReason, RejectWriter, Unidentified, open, scrub_reject_file,
};

use crate::support::{encode, import_bytes};

#[test]
fn rejected_rows_are_written_for_fixing_and_import_again() {
    let text = "email;first_name;company_name;title\n\
                ann@a.com;Ann;A;CEO\n\
                ;Bo;;\"VP; Sales\"\n\
                cy@c.com;Cy;C;CTO;surplus\n";
    let file = crate::support::temp_file("in.csv", &encode(text, Encoding::Utf16Le));
    let mut import = open(&file.path, &ImportOptions::default()).unwrap();
    let mut writer = RejectWriter::for_import(Vec::new(), &import).unwrap();
    for item in &mut import {
        if let Err(rejected) = item {
            writer.write(&rejected).unwrap();
        }
    }
    let summary = import.finish().unwrap();
    assert_eq!((summary.accepted, summary.rejected), (1, 2));
    let written = String::from_utf8(writer.finish().unwrap()).unwrap();
    // UTF-16 in, UTF-8 with a BOM out (Excel reads it), the same delimiter.
    assert_eq!(
        written,
        "\u{feff}email;first_name;company_name;title;_row;_reason\n\
         ;Bo;;\"VP; Sales\";2;no usable identity (needs an e-mail, a LinkedIn profile URL, or a name and a company): email empty, linkedin_url empty, name given, company_name empty\n\
         cy@c.com;Cy;C;CTO;surplus;3;5 fields where the header has 4: a value with an unquoted delimiter? Quote that value or remove the surplus fields\n"
    );

    // The user fixes both rows; `_row` and `_reason` are ignored on the way back in.
    let fixed = written
        .replace(";Bo;;", "bo@b.com;Bo;;")
        .replace(";CTO;surplus;", ";CTO;");
    let out = import_bytes("fixed.csv", fixed.as_bytes(), &ImportOptions::default());
    assert_eq!((out.summary.accepted, out.summary.rejected), (2, 0));
    assert!(
        out.accepted.iter().all(|r| r.extra.is_empty()),
        "{:?}",
        out.accepted[0].extra
    );
    assert_eq!(out.accepted[0].person.title.as_deref(), Some("VP; Sales"));
}

#[test]
fn rejected_json_lines_keep_their_text() {
    let text = "{\"first_name\": \"Ann\", \"title\": \"CEO\"}\n{\"email\": \n[1]\n";
    let file = crate::support::temp_file("in.jsonl", text.as_bytes());
    let mut import = open(&file.path, &ImportOptions::default()).unwrap();
    let mut writer = RejectWriter::for_import(Vec::new(), &import).unwrap();
    for item in &mut import {
        if let Err(rejected) = item {
            writer.write(&rejected).unwrap();
        }
    }
    let written = String::from_utf8(writer.finish().unwrap()).unwrap();
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["_row"], 1);
    assert_eq!(lines[0]["first_name"], "Ann");
    assert_eq!(lines[1]["_line"], "{\"email\":");
    assert_eq!(lines[2]["_reason"], "not a JSON object");
    assert!(written.starts_with("{\"_row\":1,\"_reason\":\"no usable identity"));
}

#[test]
fn an_erased_persons_rows_are_scrubbed_from_a_reject_file() {
    // Arrange: the reject file of the test above, and a JSON Lines one.
    let csv = "\u{feff}email;first_name;company_name;title;_row;_reason\n\
               ;Bo;;\"VP; Sales\";2;\"no usable identity: name \"\"Bo\"\"\"\n\
               CY@c.com;Cy;C;CTO;surplus;3;5 fields where the header has 4\n";
    let csv_file = crate::support::temp_file("import-1-rejected.csv", csv.as_bytes());
    let jsonl = "{\"_row\":1,\"_reason\":\"not valid JSON\",\"_line\":\"{\\\"email\\\": \\\"cy@c.com\"}\n\
                 {\"_row\":2,\"_reason\":\"not a JSON object\",\"_line\":\"[1]\"}\n";
    let jsonl_file = crate::support::temp_file("import-2-rejected.jsonl", jsonl.as_bytes());

    // Act
    let from_csv = scrub_reject_file(&csv_file.path, "cy@c.com").unwrap();
    let from_jsonl = scrub_reject_file(&jsonl_file.path, "cy@c.com").unwrap();
    let nothing = scrub_reject_file(&csv_file.path, "nobody@c.com").unwrap();

    // Assert: the row is gone, in any case; the rest is as it was, header and BOM included.
    assert_eq!((from_csv, from_jsonl, nothing), (1, 1, 0));
    assert_eq!(
        std::fs::read_to_string(&csv_file.path).unwrap(),
        "\u{feff}email;first_name;company_name;title;_row;_reason\n\
         ;Bo;;\"VP; Sales\";2;\"no usable identity: name \"\"Bo\"\"\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(&jsonl_file.path).unwrap(),
        "{\"_row\":2,\"_reason\":\"not a JSON object\",\"_line\":\"[1]\"}\n"
    );
}

#[test]
fn rows_rejected_alike_share_a_summary_without_their_values() {
    // Arrange: two malformed addresses, a name without a company, a shifted row, nobody.
    let text = "email,first_name,last_name,company_name\n\
                ann(at)a.com,Ann,,\n\
                bo-at-b.com,,,Beta\n\
                ,Cy,Lee,\n\
                dee@d.com,Dee,Ng,D,surplus\n\
                ,,,Gamma\n";

    // Act
    let out = import_bytes("people.csv", text.as_bytes(), &ImportOptions::default());

    // Assert: the summaries hold neither addresses nor company names.
    let summaries: Vec<String> = out.rejected.iter().map(|r| r.reason.summary()).collect();
    assert_eq!(
        summaries,
        [
            "no usable identity: e-mail address malformed",
            "no usable identity: e-mail address malformed",
            "no usable identity: a name without a company",
            "more fields than the header has: a value with an unquoted delimiter?",
            "no usable identity: no e-mail, LinkedIn URL or name",
        ]
    );
    assert!(matches!(
        out.rejected[0].reason,
        RejectReason::NoIdentity {
            lacking: Unidentified::EmailMalformed,
            ..
        }
    ));
}
