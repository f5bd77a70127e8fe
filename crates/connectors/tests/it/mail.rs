//! Outgoing mail: the signed message read back by a MIME parser, its signature checked by an
//! independent verifier (dkimpy), the file transport, and SMTP against a real server on
//! loopback (aiosmtpd). The Python tools come from `LEADGATE_PYTHON`, as `.ci/run` sets it.

use std::net::TcpListener;
use std::path::Path;
use std::sync::OnceLock;

use base64::Engine;
use jiff::Timestamp;
use leadgate_connectors::mail::{
    DkimKey, MailError, Outgoing, SmtpSettings, SmtpTls, Transport, build,
};
use mail_parser::MessageParser;

use crate::loopback::{SmtpSink, python};

/// One key for the whole binary: RSA generation is the slow part of these tests.
fn key() -> &'static DkimKey {
    static KEY: OnceLock<DkimKey> = OnceLock::new();
    KEY.get_or_init(|| DkimKey::generate("lg2026", "routewise.example").unwrap())
}

fn date() -> Timestamp {
    "2026-03-02T14:05:09Z".parse().unwrap()
}

fn first_touch() -> Outgoing<'static> {
    Outgoing {
        from_name: "Dana Okafor",
        from_address: "dana@routewise.example",
        to_name: Some("Jörg Müller"),
        to_address: "joerg@acme-logistics.example",
        subject: "Routing for Acme's Dortmund depot — a question",
        text: "Hello Jörg,\n\nAcme opened a second depot in Dortmund in January. How do you plan \
               routes across both today, and what would a plan that balances them be worth?\n\n\
               Dana\n\n--\nRoutewise GmbH, Hafenstraße 1, 20457 Hamburg\n\
               Not interested? https://routewise.example/unsubscribe/tok-123\n",
        message_id: "lg-7f3a9c@routewise.example",
        date: date(),
        in_reply_to: None,
        unsubscribe_url: "https://routewise.example/unsubscribe/tok-123",
        unsubscribe_mailto: "mailto:unsubscribe@routewise.example?subject=unsubscribe-tok-123",
    }
}

fn follow_up() -> Outgoing<'static> {
    Outgoing {
        subject: "Re: Routing for Acme's Dortmund depot — a question",
        text: "Hello Jörg,\n\none more thought on the depots.\n\nDana\n",
        message_id: "lg-8b41d0@routewise.example",
        in_reply_to: Some("lg-7f3a9c@routewise.example"),
        ..first_touch()
    }
}

/// The tags of the message's DKIM-Signature header, unfolded.
fn dkim_tags(bytes: &[u8]) -> Vec<(String, String)> {
    let parsed = MessageParser::default().parse(bytes).unwrap();
    let raw = parsed
        .header_raw("DKIM-Signature")
        .expect("a DKIM-Signature");
    let unfolded: String = raw.split_whitespace().collect();
    unfolded
        .split(';')
        .filter_map(|tag| tag.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn tag<'t>(tags: &'t [(String, String)], name: &str) -> &'t str {
    tags.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name}= in {tags:?}"))
}

/// The header fields of a message, each unfolded onto one line.
fn header_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let head = text.split("\r\n\r\n").next().unwrap();
    let mut fields: Vec<String> = Vec::new();
    for line in head.split("\r\n") {
        match fields.last_mut() {
            Some(field) if line.starts_with([' ', '\t']) => field.push_str(line),
            _ => fields.push(line.to_string()),
        }
    }
    fields
}

#[test]
fn a_message_carries_one_click_unsubscribe_its_own_date_and_a_relaxed_signature_over_them() {
    let message = first_touch();

    let bytes = build(&message, key()).unwrap();

    let parsed = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(parsed.message_id(), Some("lg-7f3a9c@routewise.example"));
    assert_eq!(
        parsed.date().unwrap().to_timestamp(),
        date().as_second(),
        "the Date header is the date given, not the clock"
    );
    assert_eq!(
        parsed.header_raw("Date").unwrap().trim(),
        "Mon, 02 Mar 2026 14:05:09 +0000"
    );
    assert_eq!(parsed.subject(), Some(message.subject));
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some("Jörg Müller"));
    assert_eq!(to.address(), Some("joerg@acme-logistics.example"));
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        message.text
    );
    let lines = header_lines(&bytes);
    assert!(
        lines.contains(
            &"List-Unsubscribe: <https://routewise.example/unsubscribe/tok-123>, \
              <mailto:unsubscribe@routewise.example?subject=unsubscribe-tok-123>"
                .to_string()
        ),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"List-Unsubscribe-Post: List-Unsubscribe=One-Click".to_string()),
        "{lines:#?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("In-Reply-To:")));
    let tags = dkim_tags(&bytes);
    assert_eq!(tag(&tags, "c"), "relaxed/relaxed");
    assert_eq!(tag(&tags, "d"), "routewise.example");
    assert_eq!(tag(&tags, "s"), "lg2026");
    assert_eq!(
        tag(&tags, "h"),
        "from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post"
    );
    let bare_lf =
        bytes.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r') || bytes.first() == Some(&b'\n');
    assert!(!bare_lf, "every line ends in CRLF");
}

#[test]
fn a_follow_up_threads_under_the_first_message_and_signs_the_thread_headers() {
    let bytes = build(&follow_up(), key()).unwrap();

    let lines = header_lines(&bytes);
    assert!(lines.contains(&"In-Reply-To: <lg-7f3a9c@routewise.example>".to_string()));
    assert!(lines.contains(&"References: <lg-7f3a9c@routewise.example>".to_string()));
    let h = tag(&dkim_tags(&bytes), "h").to_string();
    assert!(h.ends_with(":in-reply-to:references"), "{h}");
    assert!(
        h.contains("message-id:list-unsubscribe:list-unsubscribe-post"),
        "{h}"
    );
}

#[test]
fn a_subject_or_name_with_a_line_break_is_refused_not_a_new_header() {
    let injections = [
        (
            "Subject",
            Outgoing {
                subject: "Hello\r\nBcc: everyone@elsewhere.example",
                ..first_touch()
            },
        ),
        (
            "From name",
            Outgoing {
                from_name: "Dana\r\nX-Injected: yes",
                ..first_touch()
            },
        ),
        (
            "To name",
            Outgoing {
                to_name: Some("Jörg\nX-Injected: yes"),
                ..first_touch()
            },
        ),
    ];

    for (field, message) in injections {
        let error = build(&message, key()).unwrap_err();

        assert!(matches!(error, MailError::Header { .. }), "{error}");
        assert!(
            error.to_string().starts_with(&format!("the {field} ")),
            "{error}"
        );
        assert!(error.to_string().contains("one line"), "{error}");
    }
}

#[test]
fn bad_addresses_and_ids_are_errors_that_name_them() {
    let cases = [
        Outgoing {
            to_address: "joerg at acme",
            ..first_touch()
        },
        Outgoing {
            from_address: "dana@",
            ..first_touch()
        },
        Outgoing {
            message_id: "<lg-1@routewise.example>",
            ..first_touch()
        },
        Outgoing {
            in_reply_to: Some("no id"),
            ..first_touch()
        },
        Outgoing {
            unsubscribe_url: "http://routewise.example/unsubscribe/tok-123",
            ..first_touch()
        },
        Outgoing {
            unsubscribe_mailto: "unsubscribe@routewise.example",
            ..first_touch()
        },
    ];
    let named = [
        "joerg at acme",
        "dana@",
        "<lg-1@routewise.example>",
        "no id",
        "http://routewise.example/unsubscribe/tok-123",
        "unsubscribe@routewise.example",
    ];

    for (message, bad) in cases.iter().zip(named) {
        let error = build(message, key()).unwrap_err();

        assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
        assert!(error.is_permanent(), "{error}");
    }
    // Plain HTTP only to this machine's own server (a trial): nothing crosses a network.
    let local = Outgoing {
        unsubscribe_url: "http://127.0.0.1:8080/unsubscribe/tok-123",
        ..first_touch()
    };
    assert!(build(&local, key()).is_ok());
    let lookalike = Outgoing {
        unsubscribe_url: "http://127.0.0.1.evil.example/unsubscribe/tok-123",
        ..first_touch()
    };
    assert!(build(&lookalike, key()).is_err());
}

#[test]
fn a_date_before_1970_is_an_error_not_a_panic() {
    let message = Outgoing {
        date: "1969-12-31T23:59:59Z".parse().unwrap(),
        ..first_touch()
    };

    let error = build(&message, key()).unwrap_err();

    assert!(matches!(error, MailError::Date { .. }), "{error}");
}

#[test]
fn the_dns_record_publishes_the_public_half_under_the_selector() {
    let key = key();

    let (name, value) = key.dns_record();

    assert_eq!(name, "lg2026._domainkey.routewise.example");
    assert_eq!(value, format!("v=DKIM1; k=rsa; p={}", key.public_b64));
    let der = base64::engine::general_purpose::STANDARD
        .decode(&key.public_b64)
        .unwrap();
    // A SubjectPublicKeyInfo of RSA-2048 is 294 bytes; PKCS#1 alone would be 270.
    assert_eq!(der.len(), 294);
    assert!(
        key.private_pem
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    assert!(
        !format!("{key:?}").contains("PRIVATE KEY"),
        "Debug hides the key"
    );
}

#[test]
fn a_key_for_a_name_dns_cannot_hold_is_refused_before_any_work() {
    for (selector, domain) in [
        ("lg 2026", "routewise.example"),
        ("lg", "routewise"),
        ("lg", ""),
    ] {
        let error = DkimKey::generate(selector, domain).unwrap_err();

        assert!(
            error.to_string().contains(&format!("{domain:?}")),
            "{error}"
        );
    }
}

#[test]
fn an_unreadable_private_key_is_an_error_that_names_the_key() {
    let broken = DkimKey {
        private_pem: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
            .to_string(),
        ..key().clone()
    };

    let error = build(&first_touch(), &broken).unwrap_err();

    assert!(matches!(error, MailError::Key { .. }), "{error}");
    assert!(error.to_string().contains("\"lg2026\""), "{error}");
}

// ---- dkimpy, an independent verifier ----

/// dkimpy's verdict on `message`, with `key`'s record as the only DNS answer: the record is
/// given only for the name the signature points to.
fn dkimpy_verifies(python: &Path, message: &[u8], key: &DkimKey) -> bool {
    let (name, record) = key.dns_record();
    crate::loopback::dkim_verifies_at(python, message, &name, &record)
}

/// `bytes` with the first occurrence of `from` replaced by `to` (same length).
fn tampered(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from:?} not in the message"));
    let mut out = bytes.to_vec();
    out.splice(at..at + from.len(), to.bytes());
    out
}

#[test]
fn dkimpy_verifies_the_signature_and_rejects_a_changed_body() {
    let Some(python) = python() else { return };
    let bytes = build(&first_touch(), key()).unwrap();

    let one_byte = tampered(&bytes, "second depot", "second depoT");

    assert!(dkimpy_verifies(&python, &bytes, key()));
    assert!(!dkimpy_verifies(&python, &one_byte, key()));
}

#[test]
fn dkimpy_rejects_a_changed_unsubscribe_link_and_another_key() {
    let Some(python) = python() else { return };
    let bytes = build(&follow_up(), key()).unwrap();
    let other_key = DkimKey::generate("lg2026", "routewise.example").unwrap();

    let other_link = tampered(&bytes, "unsubscribe/tok-123", "unsubscribe/tok-124");

    assert!(
        dkimpy_verifies(&python, &bytes, key()),
        "the follow-up verifies"
    );
    assert!(!dkimpy_verifies(&python, &other_link, key()));
    assert!(!dkimpy_verifies(&python, &bytes, &other_key));
}

// ---- the file transport ----

#[tokio::test]
async fn the_file_transport_writes_the_exact_bytes_under_the_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Transport::File {
        dir: dir.path().join("outbox"),
    };
    let bytes = build(&first_touch(), key()).unwrap();
    let id = first_touch().message_id;
    let before = outbox.delivered(id);

    outbox
        .send(
            "bounces@routewise.example",
            "joerg@acme-logistics.example",
            id,
            &bytes,
        )
        .await
        .unwrap();

    assert_eq!(before, Some(false));
    assert_eq!(outbox.delivered(id), Some(true));
    assert_eq!(outbox.delivered("lg-other@routewise.example"), Some(false));
    let written = std::fs::read(dir.path().join("outbox").join(format!("{id}.eml"))).unwrap();
    assert_eq!(written, bytes);
    let names: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
}

#[tokio::test]
async fn a_message_id_cannot_write_outside_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let outbox_dir = dir.path().join("outbox");
    let outbox = Transport::File {
        dir: outbox_dir.clone(),
    };
    let ids = [
        "../escaped@x",
        "a/../../b@x",
        "/etc/passwd",
        "..",
        ".",
        "a\\..\\b@x",
    ];

    for id in ids {
        outbox
            .send(
                "a@routewise.example",
                "b@acme.example",
                id,
                b"Subject: x\r\n\r\nx\r\n",
            )
            .await
            .unwrap();
    }

    for id in ids {
        assert_eq!(outbox.delivered(id), Some(true), "{id}");
    }
    let outside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["outbox"]);
    let inside: Vec<_> = std::fs::read_dir(&outbox_dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    assert_eq!(inside.len(), ids.len(), "one file per id");
    assert!(inside.iter().all(|e| e.file_type().unwrap().is_file()));
}

#[tokio::test]
async fn a_bad_envelope_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Transport::File {
        dir: dir.path().to_path_buf(),
    };

    let error = outbox
        .send("bounces@routewise.example", "not an address", "a@b", b"x")
        .await
        .unwrap_err();

    assert!(error.to_string().contains("\"not an address\""), "{error}");
    assert_eq!(outbox.delivered("a@b"), Some(false));
}

// ---- SMTP against a real server on loopback ----

#[tokio::test]
async fn smtp_delivers_to_a_real_server_and_the_captured_message_still_verifies() {
    let Some(python) = python() else { return };
    let sink = SmtpSink::start(&python);
    let relay = Transport::Smtp(sink.settings());
    let bytes = build(&first_touch(), key()).unwrap();

    relay
        .send(
            "bounces@routewise.example",
            "joerg@acme-logistics.example",
            first_touch().message_id,
            &bytes,
        )
        .await
        .unwrap();

    assert_eq!(relay.delivered(first_touch().message_id), None);
    let received = sink.received();
    assert_eq!(received.len(), 1, "one message in the maildir");
    let captured = &received[0];
    let text = String::from_utf8_lossy(captured);
    assert!(
        text.contains("Message-ID: <lg-7f3a9c@routewise.example>"),
        "{text}"
    );
    assert!(
        text.contains("X-MailFrom: bounces@routewise.example"),
        "{text}"
    );
    assert!(
        text.contains("X-RcptTo: joerg@acme-logistics.example"),
        "{text}"
    );
    assert!(dkimpy_verifies(&python, captured, key()), "{text}");
}

#[tokio::test]
async fn a_refusal_keeps_the_servers_code_and_text_and_a_5xx_is_permanent() {
    let Some(python) = python() else { return };
    let sink = SmtpSink::start(&python);
    let relay = Transport::Smtp(sink.settings());
    // RFC 5321 limits a line to 1000 octets; aiosmtpd answers 500 to a longer one.
    let too_long = format!("Subject: x\r\n\r\n{}\r\n", "x".repeat(1200));

    let error = relay
        .send(
            "a@routewise.example",
            "b@acme.example",
            "lg-long@x",
            too_long.as_bytes(),
        )
        .await
        .unwrap_err();

    let MailError::SmtpRefused { code, ref text, .. } = error else {
        panic!("not a refusal: {error}");
    };
    assert_eq!(code, 500);
    assert!(text.contains("Line too long"), "{text}");
    assert!(error.is_permanent());
    assert!(
        error.to_string().contains("do not send this message again"),
        "{error}"
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_relay_that_does_not_answer_is_a_transient_error_naming_it() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let relay = Transport::Smtp(SmtpSettings {
        host: "127.0.0.1".to_string(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
    });

    let error = relay
        .send(
            "a@routewise.example",
            "b@acme.example",
            "lg-1@x",
            b"Subject: x\r\n\r\nx\r\n",
        )
        .await
        .unwrap_err();

    assert!(
        matches!(error, MailError::SmtpUnreachable { .. }),
        "{error}"
    );
    assert!(!error.is_permanent());
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
}

#[tokio::test]
async fn half_a_login_is_a_settings_error_and_the_password_stays_out_of_logs() {
    let relay = Transport::Smtp(SmtpSettings {
        host: "smtp.routewise.example".to_string(),
        port: 587,
        tls: SmtpTls::StartTls,
        username: None,
        password: Some("hunter2".to_string()),
    });

    let error = relay
        .send("a@routewise.example", "b@acme.example", "lg-1@x", b"x")
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::SmtpSettings { .. }), "{error}");
    assert!(error.is_permanent());
    assert!(
        error.to_string().contains("username and a password"),
        "{error}"
    );
    assert!(!format!("{relay:?}").contains("hunter2"));
}
