//! Bounces: delivery status notifications (RFC 3464) read for their action, status code
//! (RFC 3463), recipient and returned Message-ID, and the notices mail servers send without
//! such a report, read from their sender, subject and text.

use mail_parser::{Message, MessageParser, PartType};

use super::quoting::full_text;
use super::words::tokens;
use super::{Bounce, Decision, ReplyKind, collapse, is_type};
use crate::discovery::normalize::Email;

/// The `message/delivery-status` part of an RFC 3464 report, read.
pub(super) fn delivery_report(message: &Message<'_>) -> Option<Decision> {
    let part = message.parts.iter().find(|p| {
        is_type(
            *p,
            "message",
            &["delivery-status", "global-delivery-status"],
        )
    })?;
    let fields = String::from_utf8_lossy(part.contents()).into_owned();
    let groups = field_groups(&fields);
    // The first group is about the message; the others each about one recipient.
    let recipients: Vec<&Vec<(String, String)>> = groups
        .iter()
        .filter(|g| field(g, "Action").is_some() || field(g, "Status").is_some())
        .collect();
    let action_is = |g: &&Vec<(String, String)>, a: &str| {
        field(g, "Action").is_some_and(|v| v.eq_ignore_ascii_case(a))
    };
    // A report without an Action still fails when its Status is of class 4 or 5.
    let failing = |g: &&Vec<(String, String)>| {
        field(g, "Action").is_none()
            && field(g, "Status")
                .and_then(status_code)
                .is_some_and(|s| !s.starts_with('2'))
    };
    let failed = recipients
        .iter()
        .find(|g| action_is(g, "failed"))
        .or_else(|| recipients.iter().find(|g| action_is(g, "delayed")))
        .or_else(|| recipients.iter().find(|g| failing(g)))?;

    let action = field(failed, "Action")
        .unwrap_or("none")
        .to_ascii_lowercase();
    let diagnostic = field(failed, "Diagnostic-Code").map(after_type);
    let written = field(failed, "Status").and_then(|s| status_code(s).map(str::to_string));
    let (status, how) = match written.filter(|s| !s.starts_with('2')).or_else(|| {
        diagnostic
            .as_deref()
            .and_then(find_status)
            .map(str::to_string)
    }) {
        Some(status) => (status, String::new()),
        // RFC 3463's X.0.0: "other undefined status", of the class the Action implies.
        None if action == "failed" => ("5.0.0".to_string(), " (no status code given)".into()),
        // Only a delayed report gets here: `failing` needs a status.
        None => ("4.0.0".to_string(), " (no status code given)".into()),
    };
    let recipient = ["Original-Recipient", "Final-Recipient"]
        .iter()
        .filter_map(|name| field(failed, name))
        .find_map(|v| Email::parse(after_type(v).as_str()).ok());
    let bounce = Bounce {
        hard: status.starts_with('5'),
        status,
        recipient,
        diagnostic,
        original_message_id: returned_message_id(message),
    };
    let evidence = format!(
        "a delivery status notification (RFC 3464): Action: {action}, Status: {}{how}",
        bounce.status
    );
    Some(Decision::bounce(bounce, evidence))
}

/// The field groups of a `message/delivery-status` body: blocks of `Name: value` lines
/// separated by empty lines, continuation lines unfolded.
fn field_groups(text: &str) -> Vec<Vec<(String, String)>> {
    let mut groups = Vec::new();
    let mut group: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !group.is_empty() {
                groups.push(std::mem::take(&mut group));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

fn field<'g>(group: &'g [(String, String)], name: &str) -> Option<&'g str> {
    group
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A typed value without its type: `rfc822; jane@acme.com` → `jane@acme.com`,
/// `smtp; 550 5.1.1 …` → `550 5.1.1 …`.
fn after_type(value: &str) -> String {
    collapse(value.split_once(';').map_or(value, |(_, v)| v))
}

/// An enhanced status code (RFC 3463) at the start of a `Status` value: class 2, 4 or 5,
/// then subject and detail of 1 to 3 digits.
pub(super) fn status_code(text: &str) -> Option<&str> {
    let code = text.split_whitespace().next()?;
    let parts: Vec<&str> = code.split('.').collect();
    let digits = |p: &str| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let valid = parts.len() == 3
        && matches!(parts[0], "2" | "4" | "5")
        && digits(parts[1])
        && digits(parts[2]);
    valid.then_some(code)
}

/// The first class 4 or 5 status code standing alone in a text (`550-5.1.1 The email
/// account…`), not part of a version or an IP address.
pub(super) fn find_status(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let joined = |b: u8| b.is_ascii_digit() || b == b'.';
    (0..bytes.len()).find_map(|start| {
        if !matches!(bytes[start], b'4' | b'5') || (start > 0 && joined(bytes[start - 1])) {
            return None;
        }
        let end = (start..bytes.len())
            .find(|&i| !joined(bytes[i]))
            .unwrap_or(bytes.len());
        let candidate = text.get(start..end)?.trim_end_matches('.');
        status_code(candidate).filter(|c| c.len() == candidate.len())
    })
}

/// The Message-ID of the message a bounce returns: from its copy (`message/rfc822`) or its
/// headers (`text/rfc822-headers`, RFC 6522), else from a `Message-ID:` line in the text.
fn returned_message_id(message: &Message<'_>) -> Option<String> {
    let from_parts = message.parts.iter().find_map(|part| match &part.body {
        PartType::Message(returned) => returned.message_id().map(str::to_string),
        _ if is_type(part, "text", &["rfc822-headers"]) => MessageParser::default()
            .parse_headers(part.contents())
            .and_then(|h| h.message_id().map(str::to_string)),
        _ => None,
    });
    from_parts.or_else(|| {
        full_text(message).lines().find_map(|line| {
            let (name, value) = line.trim().split_once(':')?;
            let id = value.trim().trim_start_matches('<').trim_end_matches('>');
            (name.eq_ignore_ascii_case("message-id") && !id.is_empty()).then(|| id.to_string())
        })
    })
}

/// Local parts of the addresses mail servers send their notices from.
const DAEMONS: &[&str] = &["mailer-daemon", "postmaster", "mail-daemon"];

/// Subjects of delivery notices that are not RFC 3464 reports (Gmail, Exchange, Exim,
/// qmail, Postfix; German, French, Spanish and Dutch Exchange), compared at the start.
const BOUNCE_SUBJECTS: &[&str] = &[
    "delivery status notification",
    "undeliverable:",
    "undelivered mail returned to sender",
    "undeliverable mail",
    "mail delivery failed",
    "mail delivery failure",
    "delivery failure",
    "failure notice",
    "returned mail:",
    "unzustellbar:",
    "non remis :",
    "non remis:",
    "no se puede entregar:",
    "onbestelbaar:",
];

/// The sender, when it is a mail server's notice address.
fn daemon(from: Option<&Email>) -> Option<&Email> {
    from.filter(|f| DAEMONS.contains(&f.local_part()))
}

fn bounce_subject<'m>(message: &'m Message<'_>) -> Option<&'m str> {
    let subject = message.subject()?.trim();
    let lower = subject.to_lowercase();
    BOUNCE_SUBJECTS
        .iter()
        .any(|s| lower.starts_with(s))
        .then_some(subject)
}

/// A notice from a mail server that is not an RFC 3464 report but gives a status code in
/// its text.
pub(super) fn text_bounce(
    message: &Message<'_>,
    from: Option<&Email>,
    ours: &[Email],
) -> Option<Decision> {
    let subject = bounce_subject(message);
    if daemon(from).is_none() && subject.is_none() {
        return None;
    }
    let text = full_text(message);
    let status = find_status(&text)?.to_string();
    let diagnostic = text
        .lines()
        .find(|l| l.contains(status.as_str()))
        .map(|l| collapse(l).chars().take(300).collect::<String>());
    let recipient = tokens(&text)
        .into_iter()
        .filter_map(|t| t.address)
        .find(|a| Some(a) != from && !ours.contains(a));
    let who = match (daemon(from), subject) {
        (Some(from), Some(subject)) => format!("from {from} (subject \"{subject}\")"),
        (Some(from), None) => format!("from {from}"),
        (None, Some(subject)) => format!("with the subject \"{subject}\""),
        (None, None) => String::new(),
    };
    let evidence = format!("a delivery notice {who} with status {status} in its text");
    let bounce = Bounce {
        hard: status.starts_with('5'),
        status,
        recipient,
        diagnostic,
        original_message_id: returned_message_id(message),
    };
    Some(Decision::bounce(bounce, evidence))
}

/// A notice from a mail server whose status cannot be found: a person reads it rather than
/// its words being taken for a person's.
pub(super) fn unreadable_bounce(message: &Message<'_>, from: Option<&Email>) -> Option<Decision> {
    let looks = match (daemon(from), bounce_subject(message)) {
        (Some(from), _) => format!("comes from {from}"),
        (None, Some(subject)) => format!("has the subject \"{subject}\""),
        (None, None) => return None,
    };
    Some(Decision::new(
        ReplyKind::Unclassified,
        format!("the message {looks}, like a delivery notice, but gives no status code"),
    ))
}
