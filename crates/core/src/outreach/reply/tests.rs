//! Tests of the reply classifier: the fixture messages in `../replies/`, phrases,
//! negation, quoting, status codes and inputs that are not messages.

use super::bounce::{find_status, status_code};
use super::quoting::without_quotes;
use super::*;

fn fixture(raw: &[u8]) -> Reply {
    classify(raw).expect("the fixture is a message")
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

/// A reply from Ada to Sam with `headers` added and `body` as its text.
fn reply(headers: &str, body: &str) -> Reply {
    let raw = format!(
        "From: Ada Lovelace <ada@fluroa.example>\n\
         To: Sam Ortiz <sam@routewise.example>\n\
         Subject: Re: 29 open roles at Fluroa\n\
         Message-ID: <r1@mail.fluroa.example>\n\
         In-Reply-To: <seq-41.step-1.lead-7731@routewise.example>\n\
         {headers}\n{body}\n"
    );
    classify(raw.as_bytes()).unwrap()
}

fn kind_of(body: &str) -> ReplyKind {
    reply("", body).kind
}

#[test]
fn a_postfix_report_is_a_hard_bounce_with_its_recipient_code_and_message() {
    let reply = fixture(include_bytes!("../replies/bounce_postfix_5_1_1.eml"));

    assert_eq!(reply.kind, ReplyKind::BounceHard);
    assert_eq!(
        reply.evidence,
        "a delivery status notification (RFC 3464): Action: failed, Status: 5.1.1"
    );
    assert_eq!(
        reply.bounce,
        Some(Bounce {
            hard: true,
            status: "5.1.1".into(),
            recipient: Some(email("ada.lovelace@fluroa.example")),
            diagnostic: Some(
                "550 5.1.1 <ada.lovelace@fluroa.example>: Recipient address rejected: \
                 User unknown in virtual mailbox table"
                    .into()
            ),
            original_message_id: Some("seq-41.step-1.lead-7731@routewise.example".into()),
        })
    );
    assert_eq!(
        reply.from,
        Some(email("mailer-daemon@mx1.routewise.example"))
    );
    assert!(reply.refers_to.is_empty());
}

#[test]
fn a_full_mailbox_is_a_soft_bounce() {
    let reply = fixture(include_bytes!(
        "../replies/bounce_soft_4_2_2_mailbox_full.eml"
    ));

    assert_eq!(reply.kind, ReplyKind::BounceSoft);
    assert_eq!(
        reply.evidence,
        "a delivery status notification (RFC 3464): Action: delayed, Status: 4.2.2"
    );
    let bounce = reply.bounce.unwrap();
    assert!(!bounce.hard);
    assert_eq!(bounce.status, "4.2.2");
    assert_eq!(
        bounce.recipient,
        Some(email("m.okafor@harbourline.example"))
    );
    assert_eq!(
        bounce.diagnostic.as_deref(),
        Some("452 4.2.2 <m.okafor@harbourline.example>: Mailbox full")
    );
    // From the returned copy, which quotes our footer: it is not read as words.
    assert_eq!(
        bounce.original_message_id.as_deref(),
        Some("seq-41.step-1.lead-7790@routewise.example")
    );
}

#[test]
fn a_gmail_notice_without_a_report_is_read_from_its_text() {
    let reply = fixture(include_bytes!("../replies/bounce_gmail_dsn_failure.eml"));

    assert_eq!(reply.kind, ReplyKind::BounceHard);
    assert_eq!(
        reply.evidence,
        "a delivery notice from mailer-daemon@googlemail.com (subject \"Delivery Status \
         Notification (Failure)\") with status 5.1.1 in its text"
    );
    let bounce = reply.bounce.unwrap();
    assert_eq!(bounce.status, "5.1.1");
    assert_eq!(
        bounce.recipient,
        Some(email("grace.hopper@quillbyte.example"))
    );
    assert_eq!(
        bounce.diagnostic.as_deref(),
        Some("550-5.1.1 The email account that you tried to reach does not exist. Please try")
    );
    assert_eq!(
        bounce.original_message_id.as_deref(),
        Some("seq-41.step-2.lead-8802@routewise.example")
    );
    assert_eq!(
        reply.refers_to,
        ["seq-41.step-2.lead-8802@routewise.example"]
    );
}

#[test]
fn an_exchange_undeliverable_in_html_is_read_from_its_text() {
    let reply = fixture(include_bytes!(
        "../replies/bounce_exchange_undeliverable.eml"
    ));

    assert_eq!(reply.kind, ReplyKind::BounceHard);
    assert_eq!(
        reply.evidence,
        "a delivery notice from postmaster@fluroa.example (subject \"Undeliverable: 29 \
         open roles at Fluroa\") with status 5.1.1 in its text"
    );
    let bounce = reply.bounce.unwrap();
    assert_eq!(bounce.recipient, Some(email("j.smith@fluroa.example")));
    assert_eq!(
        bounce.diagnostic.as_deref(),
        Some("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##")
    );
    assert_eq!(
        bounce.original_message_id.as_deref(),
        Some("seq-41.step-1.lead-7734@routewise.example")
    );
}

#[test]
fn an_outlook_automatic_reply_is_known_by_its_header_not_its_words() {
    // Its words name a colleague to contact: read as words, a referral.
    let reply = fixture(include_bytes!("../replies/auto_reply_outlook.eml"));

    assert_eq!(reply.kind, ReplyKind::AutoReply);
    assert_eq!(
        reply.evidence,
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent (Exchange wrote it)"
    );
    assert_eq!(reply.referrals, []);
    assert_eq!(
        reply.refers_to,
        ["seq-52.step-1.lead-9120@routewise.example"]
    );
}

#[test]
fn a_vacation_reply_says_so_by_rfc_3834_and_names_the_thread() {
    let reply = fixture(include_bytes!("../replies/auto_reply_vacation.eml"));

    assert_eq!(reply.kind, ReplyKind::AutoReply);
    assert_eq!(reply.evidence, "Auto-Submitted: auto-replied (RFC 3834)");
    // In-Reply-To first, then References oldest first, each once.
    assert_eq!(
        reply.refers_to,
        [
            "seq-52.step-2.lead-9305@routewise.example",
            "seq-52.step-1.lead-9305@routewise.example"
        ]
    );
}

#[test]
fn a_german_out_of_office_note_is_known_by_its_subject() {
    let reply = fixture(include_bytes!(
        "../replies/auto_reply_abwesenheitsnotiz.eml"
    ));

    assert_eq!(reply.kind, ReplyKind::AutoReply);
    assert_eq!(reply.evidence, "the subject begins \"Abwesenheitsnotiz\"");
    assert!(
        reply.own_text.contains("nicht im Büro"),
        "{}",
        reply.own_text
    );
}

#[test]
fn an_opt_out_that_quotes_our_footer_is_an_opt_out_for_its_own_words() {
    let reply = fixture(include_bytes!("../replies/opt_out_remove_me.eml"));

    assert_eq!(reply.kind, ReplyKind::OptOut);
    assert_eq!(reply.evidence, "the reply says \"Please remove me\"");
    assert_eq!(
        reply.own_text,
        "Hi Sam,\n\nPlease remove me from your list.\n\nThanks,\nJonas"
    );
    assert_eq!(reply.from, Some(email("jonas.weber@nordwind.example")));
}

#[test]
fn stop_on_its_own_is_an_opt_out() {
    let reply = fixture(include_bytes!("../replies/opt_out_stop.eml"));

    assert_eq!(reply.kind, ReplyKind::OptOut);
    assert_eq!(reply.evidence, "the reply says \"STOP\" on its own");
    assert_eq!(reply.own_text, "STOP\n\nSent from my iPhone");
}

#[test]
fn a_yes_that_quotes_our_unsubscribe_footer_stays_a_yes() {
    // Outlook quotes without `>`, under its "From: … Sent: …" block.
    let reply = fixture(include_bytes!("../replies/positive_quotes_footer.eml"));

    assert_eq!(reply.kind, ReplyKind::Positive);
    assert_eq!(reply.evidence, "the reply says \"Sounds good\"");
    assert_eq!(
        reply.own_text,
        "Hi Sam,\n\nSounds good - send me a few times for next week and I'll pick one.\n\n\
         Best,\nOlivia"
    );
}

#[test]
fn not_interested_is_a_no_though_the_quote_asks_interested() {
    let reply = fixture(include_bytes!("../replies/not_interested.eml"));

    assert_eq!(reply.kind, ReplyKind::NotInterested);
    assert_eq!(reply.evidence, "the reply says \"not interested\"");
    // The attribution line wraps; the quote still goes.
    assert!(!reply.own_text.contains("wrote"), "{}", reply.own_text);
}

#[test]
fn a_referral_names_the_colleague_once() {
    let reply = fixture(include_bytes!("../replies/referral.eml"));

    assert_eq!(reply.kind, ReplyKind::Referral);
    assert_eq!(reply.evidence, "the reply says \"not the right person\"");
    // Named in the text and copied in; the sender's own address (signature) is not.
    assert_eq!(reply.referrals, [email("priya.patel@fluroa.example")]);
    assert!(!reply.own_text.contains("Head of Finance"));
    assert_eq!(
        reply.refers_to,
        [
            "seq-41.step-2.lead-7731@routewise.example",
            "seq-41.step-1.lead-7731@routewise.example"
        ]
    );
}

#[test]
fn a_question_goes_to_a_person() {
    let reply = fixture(include_bytes!("../replies/unclassified_question.eml"));

    assert_eq!(reply.kind, ReplyKind::Unclassified);
    assert_eq!(
        reply.evidence,
        "no header or phrase decides what the reply means"
    );
}

#[test]
fn an_html_only_yes_is_read_without_its_quote() {
    let reply = fixture(include_bytes!("../replies/positive_html_only.eml"));

    assert_eq!(reply.kind, ReplyKind::Positive);
    assert_eq!(reply.evidence, "the reply says \"I'm interested\"");
    assert!(
        reply
            .own_text
            .contains("I'm interested — let's talk next week."),
        "{}",
        reply.own_text
    );
    assert!(!reply.own_text.contains("stop"), "{}", reply.own_text);
    assert!(
        !reply.own_text.contains("Unsubscribe"),
        "{}",
        reply.own_text
    );
}

#[test]
fn negation_decides_between_yes_and_no() {
    let cases = [
        ("Not interested.", ReplyKind::NotInterested),
        ("I am interested.", ReplyKind::Positive),
        ("We're interested, send me times.", ReplyKind::Positive),
        ("We are not currently interested.", ReplyKind::NotInterested),
        (
            "Thanks, but not interested at this point.",
            ReplyKind::NotInterested,
        ),
        ("Doesn't sound good to me.", ReplyKind::Unclassified),
        ("No worries, happy to chat.", ReplyKind::Positive),
        ("Not sure yet, but happy to chat.", ReplyKind::Positive),
        ("Kein Interesse, danke.", ReplyKind::NotInterested),
        ("Klingt gut, lassen Sie uns sprechen.", ReplyKind::Positive),
    ];

    for (body, expected) in cases {
        assert_eq!(kind_of(body), expected, "{body}");
    }
}

#[test]
fn common_short_replies() {
    let cases = [
        ("Yes, let's talk. Does Tuesday work?", ReplyKind::Positive),
        ("I'd love to learn more.", ReplyKind::Positive),
        ("Sure, send me a calendar invite.", ReplyKind::Positive),
        (
            "Thanks for reaching out. We are all set for now.",
            ReplyKind::NotInterested,
        ),
        ("No thanks.", ReplyKind::NotInterested),
        ("Not now.", ReplyKind::NotInterested),
        (
            "Thanks, we are not\ninterested at the moment.",
            ReplyKind::NotInterested,
        ),
        (
            "I'm interested, but not right now.",
            ReplyKind::Unclassified,
        ),
        ("Please unsubscribe me from this list.", ReplyKind::OptOut),
        ("I'm no longer with Fluroa.", ReplyKind::Referral),
        ("Who is this?", ReplyKind::Unclassified),
        ("Sure", ReplyKind::Unclassified),
    ];

    for (body, expected) in cases {
        assert_eq!(kind_of(body), expected, "{body}");
    }
}

#[test]
fn an_answer_below_the_quote_is_read() {
    let reply = reply(
        "",
        "On Tue, 3 Jun 2025 at 11:02, Sam <sam@routewise.example> wrote:\n\
         > Worth a call next week?\n\n\
         Yes, let's talk.\n\n\
         > If you would rather not hear from us, reply \"stop\".",
    );

    assert_eq!(reply.kind, ReplyKind::Positive);
    assert_eq!(reply.own_text, "Yes, let's talk.");
}

#[test]
fn stop_is_an_opt_out_only_on_its_own() {
    let cases = [
        ("Stop", ReplyKind::OptOut),
        ("stop.", ReplyKind::OptOut),
        ("Stop, thanks", ReplyKind::OptOut),
        ("Please stop.\n\nJane", ReplyKind::OptOut),
        ("Unsubscribe", ReplyKind::OptOut),
        ("Stop\nSent from my phone", ReplyKind::OptOut),
        ("Don't contact me again.", ReplyKind::OptOut),
        (
            "Please don't stop sending these, they are useful.",
            ReplyKind::Unclassified,
        ),
        ("Our warehouse runs non-stop.", ReplyKind::Unclassified),
        ("Full stop.", ReplyKind::Unclassified),
        (
            "Please don't remove me, I read every one.",
            ReplyKind::Unclassified,
        ),
    ];

    for (body, expected) in cases {
        assert_eq!(kind_of(body), expected, "{body}");
    }
}

#[test]
fn a_yes_and_a_no_together_go_to_a_person() {
    let reply = reply(
        "",
        "Not interested right now, but happy to chat in the autumn.",
    );

    assert_eq!(reply.kind, ReplyKind::Unclassified);
    assert_eq!(
        reply.evidence,
        "the reply says both \"Not interested\" and \"happy to chat\""
    );
}

#[test]
fn an_opt_out_wins_over_a_yes() {
    let reply = reply("", "Sounds good, but please take me off your list first.");

    assert_eq!(reply.kind, ReplyKind::OptOut);
    assert_eq!(reply.evidence, "the reply says \"take me off\"");
}

#[test]
fn sending_us_on_needs_someone_named() {
    let named = reply(
        "",
        "I've left Fluroa. Please contact jane.doe@fluroa.example.",
    );
    let copied = reply(
        "Cc: Bob Ng <bob.ng@fluroa.example>\n",
        "Cc'ing Bob, who handles this.",
    );
    let nobody = reply("", "Please contact me next week, happy to chat then.");

    assert_eq!(named.kind, ReplyKind::Referral);
    assert_eq!(named.evidence, "the reply says \"I've left\"");
    assert_eq!(named.referrals, [email("jane.doe@fluroa.example")]);
    assert_eq!(copied.kind, ReplyKind::Referral);
    assert_eq!(copied.referrals, [email("bob.ng@fluroa.example")]);
    assert_eq!(nobody.kind, ReplyKind::Positive);
    assert_eq!(nobody.referrals, []);
}

#[test]
fn headers_that_say_little_do_not_make_an_automatic_reply() {
    // Outlook puts X-Auto-Response-Suppress on messages people write.
    let outlook = reply("X-Auto-Response-Suppress: All\n", "Sounds good.");
    let person = reply("Auto-Submitted: no\n", "Sounds good.");

    assert_eq!(outlook.kind, ReplyKind::Positive);
    assert_eq!(person.kind, ReplyKind::Positive);
}

#[test]
fn responders_are_known_by_their_headers_and_subjects() {
    let by_header = [
        ("Precedence: auto_reply\n", "Precedence: auto_reply"),
        ("X-Autoreply: yes\n", "X-Autoreply: yes"),
        ("X-Autorespond: Vacation\n", "X-Autorespond: Vacation"),
        (
            "Auto-Submitted: auto-generated\n",
            "Auto-Submitted: auto-generated (RFC 3834)",
        ),
    ];
    for (header, evidence) in by_header {
        let reply = reply(header, "Happy to chat when I'm back.");
        assert_eq!(reply.kind, ReplyKind::AutoReply, "{header}");
        assert_eq!(reply.evidence, evidence);
    }
    for subject in [
        "Automatic reply: 29 open roles",
        "Out of Office: 29 open roles",
        "Automatische Antwort: 29 offene Stellen",
        "Réponse automatique : 29 postes ouverts",
        "Absence du bureau",
        "Respuesta automática: 29 puestos",
        "Automatisch antwoord: 29 vacatures",
    ] {
        let raw = format!(
            "From: ada@fluroa.example\nSubject: {subject}\n\nI'm away, happy to chat later.\n"
        );
        let reply = classify(raw.as_bytes()).unwrap();
        assert_eq!(reply.kind, ReplyKind::AutoReply, "{subject}");
    }
}

#[test]
fn a_mail_server_notice_without_a_code_goes_to_a_person() {
    let raw = "From: MAILER-DAEMON@mx.fluroa.example\nSubject: Mail delivery failed\n\n\
               Your message could not be delivered. Please contact your administrator.\n";

    let reply = classify(raw.as_bytes()).unwrap();

    assert_eq!(reply.kind, ReplyKind::Unclassified);
    assert_eq!(
        reply.evidence,
        "the message comes from mailer-daemon@mx.fluroa.example, like a delivery notice, \
         but gives no status code"
    );
    assert_eq!(reply.bounce, None);
}

#[test]
fn a_reply_that_only_quotes_goes_to_a_person() {
    let reply = reply(
        "",
        "On Tue, 3 Jun 2025 at 11:02, Sam <sam@routewise.example> wrote:\n> Interested?",
    );

    assert_eq!(reply.kind, ReplyKind::Unclassified);
    assert_eq!(
        reply.evidence,
        "the reply has no words of its own beyond what it quotes"
    );
}

#[test]
fn quotes_and_signatures_are_cut_in_each_language() {
    let cases = [
        "Passt.\n\nAm 03.06.2025 um 11:02 schrieb Sam Ortiz <sam@routewise.example>:\n> Hi",
        "Passt.\n\nLe mar. 3 juin 2025 à 11:02, Sam Ortiz <sam@routewise.example> a écrit :\n> Hi",
        "Passt.\n\n-----Original Message-----\nFrom: Sam\nSent: Tuesday\nHi",
        "Passt.\n\n-----Ursprüngliche Nachricht-----\nVon: Sam\nGesendet: Dienstag\nHi",
        "Passt.\n\nVon: Sam Ortiz <sam@routewise.example>\nGesendet: Dienstag, 3. Juni 2025\n\
         An: Ada\nBetreff: 29 offene Stellen\n\nHi",
        "Passt.\n-- \nAda Lovelace\nHead of Sales",
        "Passt.\n\n---------- Forwarded message ---------\nFrom: Sam\nHi",
    ];

    for text in cases {
        assert_eq!(without_quotes(text), "Passt.", "{text}");
    }
}

#[test]
fn a_report_without_a_status_takes_its_class_from_the_action() {
    let raw = "From: MAILER-DAEMON@mx.routewise.example\n\
               Subject: Returned mail: see transcript for details\n\
               Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n\
               --b\nContent-Type: text/plain\n\nUnknown user.\n\
               --b\nContent-Type: message/delivery-status\n\n\
               Reporting-MTA: dns; mx.routewise.example\n\n\
               Final-Recipient: rfc822; nobody@fluroa.example\nAction: failed\n\n\
               --b--\n";

    let reply = classify(raw.as_bytes()).unwrap();

    assert_eq!(reply.kind, ReplyKind::BounceHard);
    assert_eq!(
        reply.evidence,
        "a delivery status notification (RFC 3464): Action: failed, Status: 5.0.0 (no \
         status code given)"
    );
    let bounce = reply.bounce.unwrap();
    assert_eq!(bounce.recipient, Some(email("nobody@fluroa.example")));
    assert_eq!(bounce.diagnostic, None);
    assert_eq!(bounce.original_message_id, None);
}

#[test]
fn status_codes_are_found_standing_alone() {
    assert_eq!(find_status("550-5.1.1 The email account"), Some("5.1.1"));
    assert_eq!(find_status("said: 452 4.2.2 Mailbox full."), Some("4.2.2"));
    assert_eq!(find_status("Status: 5.1.10"), Some("5.1.10"));
    assert_eq!(find_status("host 10.5.1.1 version 2.4.5"), None);
    assert_eq!(find_status("sent 2.0.0 OK"), None);
    assert_eq!(status_code("5.7.26 (unauthenticated)"), Some("5.7.26"));
    assert_eq!(status_code("6.1.1"), None);
}

#[test]
fn what_is_not_a_message_is_an_error_that_says_why() {
    assert_eq!(classify(b""), Err(ReplyError::Empty));
    assert_eq!(classify(b" \r\n\n"), Err(ReplyError::Empty));
    assert_eq!(classify(b"\n\njust a body"), Err(ReplyError::NoHeaders));
    let prose = classify(b"hello world, this is not an e-mail");
    let png = classify(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");

    assert_eq!(
        prose,
        Err(ReplyError::NotAMessage {
            begins: "hello world, this is not an e-mail".into()
        })
    );
    assert!(matches!(png, Err(ReplyError::NotAMessage { .. })));
    assert_eq!(
        ReplyError::NoHeaders.to_string(),
        "not an e-mail message: it has no header lines before its body (RFC 5322 §2.1)"
    );
}

const FIXTURES: &[&[u8]] = &[
    include_bytes!("../replies/bounce_postfix_5_1_1.eml"),
    include_bytes!("../replies/bounce_soft_4_2_2_mailbox_full.eml"),
    include_bytes!("../replies/bounce_gmail_dsn_failure.eml"),
    include_bytes!("../replies/bounce_exchange_undeliverable.eml"),
    include_bytes!("../replies/auto_reply_outlook.eml"),
    include_bytes!("../replies/auto_reply_vacation.eml"),
    include_bytes!("../replies/auto_reply_abwesenheitsnotiz.eml"),
    include_bytes!("../replies/opt_out_remove_me.eml"),
    include_bytes!("../replies/opt_out_stop.eml"),
    include_bytes!("../replies/positive_quotes_footer.eml"),
    include_bytes!("../replies/not_interested.eml"),
    include_bytes!("../replies/referral.eml"),
    include_bytes!("../replies/unclassified_question.eml"),
    include_bytes!("../replies/positive_html_only.eml"),
];

#[test]
fn a_message_cut_anywhere_never_panics() {
    for raw in FIXTURES {
        for end in (0..raw.len()).step_by(13) {
            let _ = classify(&raw[..end]);
        }
    }
}

proptest::proptest! {
    #[test]
    fn any_bytes_give_a_reply_or_an_error(raw in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..600)) {
        let _ = classify(&raw);
    }

    #[test]
    fn any_text_after_headers_gives_a_reply(body in "\\PC{0,400}") {
        let raw = format!("From: a@b.example\nSubject: Re: x\n\n{body}");
        proptest::prop_assert!(classify(raw.as_bytes()).is_ok());
    }
}

#[test]
fn kinds_read_back_from_their_ids() {
    for kind in ReplyKind::ALL {
        assert_eq!(kind.as_str().parse::<ReplyKind>(), Ok(*kind));
    }
    assert_eq!(ReplyKind::OptOut.as_str(), "opt_out");
}
