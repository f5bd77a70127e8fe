//! What an inbound reply to outreach is: a bounce, an automatic reply, a request to hear no
//! more, a pointer to someone else, a no, a yes, or something a person should read. The
//! engine takes the raw message as it came in ([`classify`]) and gets back the kind, the
//! Message-IDs it answers (to find the sent message and its sequence), the facts a bounce
//! or a referral carries, and the evidence: the header or the phrase that decided, in words,
//! so the rep who sees the decision sees why.
//!
//! The kinds are tried in a fixed order, each a stronger and more mechanical signal than the
//! next, and the first that holds decides:
//!
//! 1. **Bounce.** A delivery status notification (RFC 3464: a `multipart/report` with
//!    `report-type=delivery-status` and a `message/delivery-status` part whose `Action` and
//!    `Status` say what happened) is written by a mail server, not a person, and its status
//!    code (RFC 3463) is exact: class 5 (`5.1.1`, no such mailbox) is a hard bounce, class 4
//!    (`4.2.2`, mailbox full) a soft one. Servers that send no RFC 3464 report (older Gmail
//!    and Exchange notices from `MAILER-DAEMON` or `postmaster`, "Delivery Status
//!    Notification (Failure)", "Undeliverable:") still put the code in their text; that is
//!    read too, and a notice whose code cannot be found goes to a person. Bounces come first
//!    because a bounce also carries `Auto-Submitted` and quotes the message that bounced.
//! 2. **Automatic reply.** RFC 3834 asks every automatic responder to say so with
//!    `Auto-Submitted` (any value but `no`); the others say it with their own headers
//!    (`X-Autoreply`, `Precedence: auto_reply`, Exchange's
//!    `X-MS-Exchange-Generated-Message-Source`) or only in the subject ("Automatic reply:",
//!    "Abwesenheitsnotiz:", "Réponse automatique :"). An out-of-office note often names a
//!    colleague to contact or says the person is away; read as words it would look like a
//!    referral or a no, so the headers decide before the words are read.
//!    `X-Auto-Response-Suppress` is not enough: Outlook puts it on messages people write.
//! 3. **The reply's own words**, and only those: quoted text (`>` lines, and all after
//!    "On … wrote:", "-----Original Message-----", Outlook's "From: … Sent: …" block, "Am …
//!    schrieb", "Le … a écrit") and the signature after `-- ` are dropped first, because
//!    every reply quotes our message and our footer says how to opt out. Then, in this
//!    order: a request to hear no more (it must be honoured whatever else the reply says),
//!    a pointer to someone else, a no, a yes. A reply that says both no and yes ("not now,
//!    but happy to chat in the spring") and one that says none of them are unclassified:
//!    when unsure, a person reads it.
//!
//! Phrases are matched on whole words, case-insensitively, and a phrase with a negation in
//! the three words before it in the same clause does not count: "don't stop" is no opt-out,
//! and "not currently interested" is no yes (a negated interest word is a no). A lone
//! "stop" or "unsubscribe" is an opt-out only when it stands alone in its clause or line, as
//! our footer asks ("Stop.", "STOP, thanks"), not in a sentence ("a non-stop shift"). The
//! lists below are short on purpose: a missed yes costs a person a minute, a wrong one costs
//! a prospect an unwanted meeting request.

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use crate::discovery::normalize::Email;

crate::values! {
    /// What a reply is, in the order the kinds are tried.
    pub enum ReplyKind("reply kind") {
        /// The address does not exist or refuses mail for good (RFC 3463 class 5).
        BounceHard = "bounce_hard" / "hard bounce",
        /// Delivery failed for now and may work later (class 4: mailbox full, server busy).
        BounceSoft = "bounce_soft" / "soft bounce",
        /// An out-of-office note or another responder: no person wrote it.
        AutoReply = "auto_reply" / "automatic reply",
        /// The person asks to hear no more.
        OptOut = "opt_out" / "asks to hear no more",
        /// The person points to someone else, or has left.
        Referral = "referral" / "points to someone else",
        /// The person says no.
        NotInterested = "not_interested" / "not interested",
        /// The person wants to talk.
        Positive = "positive" / "interested",
        /// Nothing decided, or two kinds disagree: a person reads it.
        Unclassified = "unclassified" / "for a person to read",
    }
}

/// One inbound reply, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub kind: ReplyKind,
    /// The header or phrase that decided, in words: `Auto-Submitted: auto-replied (RFC
    /// 3834)`, `the reply says "please remove me"`.
    pub evidence: String,
    /// The reply's own Message-ID, without angle brackets: a reply read twice (a webhook
    /// retried, a mailbox fetched again) is the same reply.
    pub message_id: Option<String>,
    /// The sender (`From`), when it is a well-formed address.
    pub from: Option<Email>,
    /// The Message-IDs the reply answers, without angle brackets: `In-Reply-To` first (the
    /// message it answers directly), then `References` oldest first, each once. A bounce
    /// seldom has either; the bounced message's id is in [`Bounce::original_message_id`].
    pub refers_to: Vec<String>,
    /// What a bounce says, for [`ReplyKind::BounceHard`] and [`ReplyKind::BounceSoft`].
    pub bounce: Option<Bounce>,
    /// For a [`ReplyKind::Referral`], the addresses suggested instead: those the reply's own
    /// words name, then those it was copied to (`Cc`), without the sender's and those it was
    /// sent to (ours).
    pub referrals: Vec<Email>,
    /// The message's own text: its body without quoted text and signature (for a bounce, the
    /// server's notice); the phrase rules read this and nothing else.
    pub own_text: String,
}

/// What a bounce says about the delivery that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// Class 5: the address will not work again. Class 4: it may.
    pub hard: bool,
    /// The enhanced status code of RFC 3463, `5.1.1`.
    pub status: String,
    /// The address that could not be reached (`Original-Recipient`, else `Final-Recipient`).
    pub recipient: Option<Email>,
    /// The receiving server's words, `550 5.1.1 <jane@acme.com>: User unknown`.
    pub diagnostic: Option<String>,
    /// The Message-ID of the message that bounced, from the copy or headers returned with it.
    pub original_message_id: Option<String>,
}

/// A message that cannot be read as an e-mail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the message is empty")]
    Empty,
    #[error("not an e-mail message: it has no header lines before its body (RFC 5322 §2.1)")]
    NoHeaders,
    #[error(
        "not an e-mail message: none of its header lines is one a message carries (From, \
         Date, Subject, Message-ID, …); it begins {begins:?}"
    )]
    NotAMessage { begins: String },
}

/// Classifies one raw RFC 5322 message, as received. Every message gets a kind
/// ([`ReplyKind::Unclassified`] when nothing decides); an error only says the bytes are not
/// an e-mail message at all.
pub fn classify(raw: &[u8]) -> Result<Reply, ReplyError> {
    let message = parse(raw)?;
    let from = address(message.from());
    let ours: Vec<Email> = addresses(message.to()).collect();
    let own_text = own_text(&message);
    let words = tokens(&own_text);

    let decision = delivery_report(&message)
        .or_else(|| text_bounce(&message, from.as_ref(), &ours))
        .or_else(|| auto_reply(&message))
        .or_else(|| unreadable_bounce(&message, from.as_ref()))
        .unwrap_or_else(|| read_words(&message, &own_text, &words, from.as_ref(), &ours));

    Ok(Reply {
        kind: decision.kind,
        evidence: decision.evidence,
        message_id: message
            .message_id()
            .map(|id| id.trim().trim_matches(['<', '>']).to_string())
            .filter(|id| !id.is_empty()),
        from,
        refers_to: refers_to(&message),
        bounce: decision.bounce,
        referrals: decision.referrals,
        own_text,
    })
}

/// What one rule decided.
struct Decision {
    kind: ReplyKind,
    evidence: String,
    bounce: Option<Bounce>,
    referrals: Vec<Email>,
}

impl Decision {
    fn new(kind: ReplyKind, evidence: impl Into<String>) -> Self {
        Decision {
            kind,
            evidence: evidence.into(),
            bounce: None,
            referrals: Vec::new(),
        }
    }

    fn bounce(bounce: Bounce, evidence: String) -> Self {
        let kind = if bounce.hard {
            ReplyKind::BounceHard
        } else {
            ReplyKind::BounceSoft
        };
        Decision {
            kind,
            evidence,
            bounce: Some(bounce),
            referrals: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing

fn parse(raw: &[u8]) -> Result<Message<'_>, ReplyError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ReplyError::Empty);
    }
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(ReplyError::NoHeaders)?;
    // mail-parser reads any first line as a header; a message has at least one it knows.
    if message
        .headers()
        .iter()
        .all(|h| matches!(h.name, HeaderName::Other(_)))
    {
        let first = String::from_utf8_lossy(raw);
        let begins = first
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        return Err(ReplyError::NotAMessage { begins });
    }
    Ok(message)
}

/// The value of a header of the message itself, unfolded, when it is present and not empty.
fn header(message: &Message<'_>, name: &str) -> Option<String> {
    let h = message
        .headers()
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))?;
    let value = match &h.value {
        HeaderValue::Text(text) => text.to_string(),
        HeaderValue::TextList(list) => list.join(" "),
        _ => {
            let raw = message
                .raw_message
                .get(h.offset_start as usize..h.offset_end as usize)?;
            String::from_utf8_lossy(raw).into_owned()
        }
    };
    let value = collapse(&value);
    (!value.is_empty()).then_some(value)
}

/// Runs of white space as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn address(address: Option<&mail_parser::Address<'_>>) -> Option<Email> {
    addresses(address).next()
}

fn addresses<'a>(
    address: Option<&'a mail_parser::Address<'_>>,
) -> impl Iterator<Item = Email> + 'a {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address.as_deref())
        .filter_map(|a| Email::parse(a).ok())
}

/// `In-Reply-To`, then `References`, each id once.
fn refers_to(message: &Message<'_>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for value in [message.in_reply_to(), message.references()] {
        let listed: Vec<&str> = match value {
            HeaderValue::Text(id) => vec![id.as_ref()],
            HeaderValue::TextList(list) => list.iter().map(|id| id.as_ref()).collect(),
            _ => Vec::new(),
        };
        for id in listed {
            let id = id.trim().trim_start_matches('<').trim_end_matches('>');
            if !id.is_empty() && !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

fn is_type<'x>(part: &impl MimeHeaders<'x>, ctype: &str, subtypes: &[&str]) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case(ctype)
            && ct
                .subtype()
                .is_some_and(|s| subtypes.iter().any(|w| s.eq_ignore_ascii_case(w)))
    })
}

// ---------------------------------------------------------------------------------------
// Bounces

/// The `message/delivery-status` part of an RFC 3464 report, read.
fn delivery_report(message: &Message<'_>) -> Option<Decision> {
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
fn status_code(text: &str) -> Option<&str> {
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
fn find_status(text: &str) -> Option<&str> {
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
fn text_bounce(message: &Message<'_>, from: Option<&Email>, ours: &[Email]) -> Option<Decision> {
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
fn unreadable_bounce(message: &Message<'_>, from: Option<&Email>) -> Option<Decision> {
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

// ---------------------------------------------------------------------------------------
// Automatic replies

/// Headers that responders other than RFC 3834's set; any value but a "no" counts.
const AUTO_REPLY_HEADERS: &[&str] = &[
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "X-Autoresponse",
    // Apple's vacation responder (macOS Server, iCloud).
    "X-Autoreply-From",
    "X-Mail-Autoreply",
];

/// Subject beginnings of automatic replies: Outlook and Exchange in English, German,
/// French, Spanish and Dutch, Gmail's and Sieve's vacation (RFC 5230 `Auto:`), Apple's.
const AUTO_REPLY_SUBJECTS: &[&str] = &[
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "auto:",
    "out of office",
    "out of the office",
    // German: Outlook's out-of-office note and automatic reply.
    "abwesenheitsnotiz",
    "automatische antwort",
    "abwesend",
    // French.
    "réponse automatique",
    "reponse automatique",
    "absence du bureau",
    "absence :",
    "absence:",
    // Spanish.
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    // Dutch.
    "automatisch antwoord",
    "afwezig",
    "niet aanwezig",
];

fn auto_reply(message: &Message<'_>) -> Option<Decision> {
    let says = |name: &str| header(message, name);
    let no = |v: &str| {
        let v = v.to_ascii_lowercase();
        ["no", "false", "0"].contains(&v.as_str())
    };
    if let Some(value) = says("Auto-Submitted") {
        // `auto-replied (vacation)`, `auto-replied; owner-email=…`: the keyword decides.
        let token = value
            .split([';', '(', ' '])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if token != "no" {
            return Some(Decision::new(
                ReplyKind::AutoReply,
                format!("Auto-Submitted: {token} (RFC 3834)"),
            ));
        }
    }
    for name in ["Precedence", "X-Precedence"] {
        if let Some(value) = says(name).filter(|v| v.eq_ignore_ascii_case("auto_reply")) {
            return Some(Decision::new(
                ReplyKind::AutoReply,
                format!("{name}: {value}"),
            ));
        }
    }
    for name in AUTO_REPLY_HEADERS {
        if let Some(value) = says(name).filter(|v| !no(v)) {
            return Some(Decision::new(
                ReplyKind::AutoReply,
                format!("{name}: {value}"),
            ));
        }
    }
    if let Some(value) = says("X-Autogenerated").filter(|v| v.eq_ignore_ascii_case("reply")) {
        return Some(Decision::new(
            ReplyKind::AutoReply,
            format!("X-Autogenerated: {value}"),
        ));
    }
    if let Some(value) = says("X-MS-Exchange-Generated-Message-Source") {
        return Some(Decision::new(
            ReplyKind::AutoReply,
            format!("X-MS-Exchange-Generated-Message-Source: {value} (Exchange wrote it)"),
        ));
    }
    if message
        .parts
        .iter()
        .any(|p| is_type(p, "message", &["disposition-notification"]))
    {
        return Some(Decision::new(
            ReplyKind::AutoReply,
            "a read receipt (message/disposition-notification, RFC 8098)",
        ));
    }
    let subject = message.subject()?.trim();
    let lower = subject.to_lowercase();
    let prefix = AUTO_REPLY_SUBJECTS.iter().find(|p| lower.starts_with(*p))?;
    // The prefix as written, which lower-casing may have lengthened outside ASCII.
    let written: String = subject.chars().take(prefix.chars().count()).collect();
    Some(Decision::new(
        ReplyKind::AutoReply,
        format!("the subject begins \"{written}\""),
    ))
}

// ---------------------------------------------------------------------------------------
// The reply's own words

/// The body a person wrote: the first text/plain part, else the first HTML part as text,
/// without what it quotes and without the signature.
fn own_text(message: &Message<'_>) -> String {
    let body = message
        .text_part(0)
        .or_else(|| message.html_part(0))
        .map(|part| match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Html(html) => html_to_text(&html[..html_quote_start(html)]),
            _ => String::new(),
        })
        .unwrap_or_default();
    without_quotes(&body)
}

/// Every text part of a message, HTML as text: what a mail server's notice says.
fn full_text(message: &Message<'_>) -> String {
    message
        .parts
        .iter()
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            PartType::Html(html) => Some(html_to_text(html)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines a person wrote: `>` lines dropped, and all from the first quote header or
/// signature separator on. An "On … wrote:" line followed by `>` lines is dropped with them
/// and the reading goes on, for a reply written below or between the quoted lines.
fn without_quotes(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if is_signature(line) {
            break;
        }
        match quote_begins(&lines[i..]) {
            Quote::None => {
                if !line.trim_start().starts_with('>') {
                    kept.push(line.trim_end());
                }
                i += 1;
            }
            Quote::Attribution(len) if quoted_next(&lines[i + len..]) => i += len,
            Quote::Attribution(_) | Quote::Rest => break,
        }
    }
    kept.join("\n").trim().to_string()
}

/// Whether the next line that is not empty is a `>` line.
fn quoted_next(lines: &[&str]) -> bool {
    lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('>'))
}

/// What a line begins.
enum Quote {
    /// Nothing: a line of the reply, or one `>` line.
    None,
    /// An "On … wrote:" line (up to 3 lines long).
    Attribution(usize),
    /// A separator or header block after which all is quoted.
    Rest,
}

/// `-- ` alone on a line (RFC 3676 §4.3), or `--` where a client trimmed the space.
fn is_signature(line: &str) -> bool {
    matches!(line.trim_end(), "--" | "-- ")
}

/// The words between dashes of a line that separates a forwarded or original message.
const SEPARATORS: &[&str] = &[
    "original message",
    "forwarded message",
    "ursprüngliche nachricht",
    "originalnachricht",
    "weitergeleitete nachricht",
    "message d'origine",
    "message transféré",
    "mensaje original",
    "mensaje reenviado",
    "oorspronkelijk bericht",
    "doorgestuurd bericht",
];

/// How the line that introduces a quote starts, and its verb: "On … wrote:", "Am … schrieb
/// …:", "Le … a écrit :", "El … escribió:", "Op … schreef …:", "Il … ha scritto:".
const ATTRIBUTIONS: &[(&str, &str)] = &[
    ("on ", " wrote"),
    ("am ", " schrieb"),
    ("le ", " a écrit"),
    ("el ", " escribió"),
    ("op ", " schreef"),
    ("il ", " ha scritto"),
];

/// Field names that open and follow the header block Outlook writes above a quoted
/// message ("From: … Sent: … To: … Subject: …"), in the same languages.
const OUTLOOK_FROM: &[&str] = &["from:", "von:", "de :", "de:", "van:"];
const OUTLOOK_NEXT: &[&str] = &[
    "sent:",
    "date:",
    "to:",
    "subject:",
    "gesendet:",
    "datum:",
    "an:",
    "betreff:",
    "envoyé :",
    "envoyé:",
    "date :",
    "à :",
    "objet :",
    "enviado:",
    "fecha:",
    "para:",
    "asunto:",
    "verzonden:",
    "aan:",
    "onderwerp:",
];

/// Whether `lines[0]` begins the quoted part of a reply, and how.
fn quote_begins(lines: &[&str]) -> Quote {
    let Some(first) = lines.first() else {
        return Quote::None;
    };
    let lower = first.trim().trim_matches('*').trim().to_lowercase();
    if lower.is_empty() || lower.starts_with('>') {
        return Quote::None;
    }
    // "-----Original Message-----", "---------- Forwarded message ---------"
    let between = lower.trim_matches(|c: char| c == '-' || c == '_' || c.is_whitespace());
    let separator =
        (lower.starts_with("--") || lower.starts_with("__")) && SEPARATORS.contains(&between);
    // Outlook's rule above its header block.
    let rule = lower.len() >= 10 && lower.chars().all(|c| c == '_');
    let forwarded = lower.starts_with("begin forwarded message")
        || lower.starts_with("anfang der weitergeleiteten");
    if separator || rule || forwarded {
        return Quote::Rest;
    }
    // "On Tue, 3 Jun 2025 at 10:02, Sam <sam@x.example>\nwrote:" may take up to 3 lines;
    // a line that only ends "… <sam@x.example> wrote:" is one too.
    let dated = |l: &str| l.contains('@') || l.chars().any(|c| c.is_ascii_digit());
    if dated(&lower) && (lower.ends_with(" wrote:") || lower.ends_with(" schrieb:")) {
        return Quote::Attribution(1);
    }
    if let Some((_, verb)) = ATTRIBUTIONS
        .iter()
        .find(|(start, _)| lower.starts_with(start))
    {
        let mut joined = String::new();
        for (n, line) in lines.iter().take(3).enumerate() {
            joined.push(' ');
            joined.push_str(&line.trim().to_lowercase());
            if dated(&joined) && joined.contains(verb) && joined.ends_with(':') {
                return Quote::Attribution(n + 1);
            }
        }
    }
    // Outlook's "From: … / Sent: …" block.
    let outlook = OUTLOOK_FROM.iter().any(|f| lower.starts_with(f))
        && lines.iter().skip(1).take(4).any(|l| {
            let l = l.trim().trim_start_matches('*').to_lowercase();
            OUTLOOK_NEXT.iter().any(|n| l.starts_with(n))
        });
    if outlook { Quote::Rest } else { Quote::None }
}

/// Where the quoted part of an HTML reply begins (its length when none does): Gmail's
/// `gmail_quote`, Outlook's `divRplyFwdMsg`, Thunderbird's `moz-cite-prefix`, Apple's and
/// everyone's `<blockquote>`.
fn html_quote_start(html: &str) -> usize {
    const MARKERS: &[&str] = &[
        "<blockquote",
        "gmail_quote",
        "divrplyfwdmsg",
        "appendonsend",
        "moz-cite-prefix",
        "yahoo_quoted",
        "protonmail_quote",
    ];
    let lower = html.to_ascii_lowercase();
    MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        // An attribute marker cuts at the start of its tag.
        .map_or(html.len(), |at| lower[..=at].rfind('<').unwrap_or(at))
}

/// Tags after which text starts on a new line.
const BLOCK_TAGS: &[&str] = &[
    "br",
    "p",
    "div",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "pre",
    "ul",
    "ol",
];

/// HTML as plain text: tags dropped, block tags as line breaks (source line breaks only
/// inside `<pre>`), the common entities decoded, `<head>`, `<style>` and `<script>` skipped,
/// and empty lines run together.
fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skipping: Option<&str> = None;
    let mut pre = false;
    let flow = |text: &str, pre: bool| {
        if pre {
            text.replace('\r', "")
        } else {
            text.replace(['\r', '\n', '\t'], " ")
        }
    };
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&flow(&rest[..lt], pre));
        }
        let after = &rest[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match skipping {
            Some(skipped) => {
                if closing && name == skipped {
                    skipping = None;
                }
            }
            None => {
                if !closing {
                    skipping = ["head", "style", "script", "title"]
                        .into_iter()
                        .find(|s| *s == name);
                }
                if name == "pre" {
                    pre = !closing;
                }
                if BLOCK_TAGS.contains(&name.as_str()) {
                    out.push('\n');
                }
            }
        }
    }
    if skipping.is_none() {
        out.push_str(&flow(rest, pre));
    }
    let text = decode_entities(&out);
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(collapse) {
        if !(line.is_empty() && lines.last().is_some_and(String::is_empty)) {
            lines.push(line);
        }
    }
    lines.join("\n").trim().to_string()
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let entity = after
            .find(';')
            .filter(|&end| end <= 8)
            .and_then(|end| entity(&after[..end]).map(|c| (c, end)));
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "nbsp" => Some(' '),
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "rsquo" | "lsquo" => Some('\''),
        "mdash" => Some('—'),
        "ndash" => Some('–'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Phrases

/// Asking to hear no more, or for the data to be deleted (GDPR Art. 17, 21(3)). Honoured
/// before anything else the reply says.
pub const OPT_OUT: &[&str] = &[
    "unsubscribe me",
    "unsubscribe us",
    "please unsubscribe",
    "want to unsubscribe",
    "like to unsubscribe",
    "wish to unsubscribe",
    "please remove me",
    "please remove us",
    "remove me",
    "remove us",
    "remove my email",
    "remove my address",
    "remove my details",
    "remove my name",
    "take me off",
    "take us off",
    "off your list",
    "off your mailing list",
    "opt me out",
    "opt out",
    "opt-out",
    "stop emailing",
    "stop emails",
    "stop sending",
    "stop contacting",
    "stop writing",
    "stop messaging",
    "stop spamming",
    "stop following up",
    "do not contact",
    "don't contact",
    "do not email",
    "don't email",
    "do not write",
    "don't write",
    "do not follow up",
    "don't follow up",
    "never contact",
    "no more emails",
    "delete my data",
    "delete my details",
    "delete my information",
    "delete my contact",
    "erase my data",
    // German.
    "austragen",
    "abmelden",
    "aus dem verteiler",
    "von ihrer liste",
    "keine weiteren emails",
    "nicht mehr kontaktieren",
    "nicht mehr anschreiben",
    // French.
    "désabonner",
    "désinscrire",
    "ne plus me contacter",
    "retirez-moi",
    // Spanish.
    "darme de baja",
    "dar de baja",
    "no me contacten",
    // Dutch.
    "afmelden",
    "verwijder mij",
    "verwijder me",
];

/// A clause that is only one of these (with "please" or "thanks" around it) asks to hear no
/// more: our footer tells people to reply "stop". In a sentence the words mean other things
/// ("don't stop", "non-stop").
pub const OPT_OUT_ALONE: &[&str] = &[
    "stop",
    "stopp",
    "unsubscribe",
    "unsubscribe me",
    "remove",
    "remove me",
    "opt out",
    "opt-out",
    "optout",
    "abmelden",
    "austragen",
    "désabonner",
    "désinscription",
    "baja",
    "afmelden",
];

/// Words that may stand around a lone opt-out word.
const POLITE: &[&str] = &[
    "please", "pls", "plz", "thanks", "thx", "bitte", "danke", "merci", "svp", "gracias",
];

/// Saying the writer is the wrong person, or gone: enough on their own.
pub const REFERRAL: &[&str] = &[
    "not the right person",
    "not the best person",
    "not the right contact",
    "not the correct person",
    "wrong person",
    "wrong contact",
    "no longer with",
    "no longer at",
    "no longer work",
    "no longer working",
    "no longer employed",
    "i've left",
    "i have left",
    "has left the company",
    "left the company",
    "left the business",
    "left the organisation",
    "left the organization",
    "no longer in this role",
    "the right person is",
    "the best person is",
    "the person you want",
    "better person to",
    "better placed to",
    // German.
    "nicht mehr im unternehmen",
    "nicht mehr bei",
    "nicht der richtige ansprechpartner",
    "nicht die richtige ansprechpartnerin",
    // French.
    "ne fait plus partie",
    "ne travaille plus",
    // Spanish.
    "ya no trabajo",
    "ya no trabaja",
    // Dutch.
    "werkt niet meer",
    "werk niet meer",
];

/// Sending us on to someone: a referral only when the reply names that someone's address
/// or copies them in ("please contact me" is not one).
pub const REFERRAL_TO: &[&str] = &[
    "please contact",
    "please reach out to",
    "please get in touch with",
    "please email",
    "please write to",
    "please talk to",
    "you should contact",
    "you should reach out to",
    "you should talk to",
    "contact my",
    "reach out to my",
    "talk to my",
    "speak to my",
    "speak with my",
    "get in touch with my",
    "i've forwarded",
    "i have forwarded",
    "forwarded your",
    "forwarding your",
    "forwarding this",
    "cc'ing",
    "cc'd",
    "copying in",
    "i've copied",
    "looping in",
    "looped in",
    // German, French, Spanish, Dutch.
    "wenden sie sich an",
    "veuillez contacter",
    "contactez",
    "póngase en contacto con",
    "neem contact op met",
];

/// Saying no. A negated interest word ("not currently interested") says it too.
pub const NOT_INTERESTED: &[&str] = &[
    "not interested",
    "no interest",
    "not a fit",
    "not a good fit",
    "not the right fit",
    "not a priority",
    "not for us",
    "not relevant",
    "not needed",
    "no need",
    "no thanks",
    "no thank you",
    "we're all set",
    "we are all set",
    "already have a",
    "already have an",
    "already use",
    "already using",
    "already work with",
    "already working with",
    "not looking",
    "not at this time",
    "not right now",
    "not now",
    "we'll pass",
    "we will pass",
    "i'll pass",
    "i will pass",
    "pass on this",
    "no budget",
    "not in the market",
    // German.
    "kein interesse",
    "nicht interessiert",
    "kein bedarf",
    // French.
    "pas intéressé",
    "pas intéressés",
    "pas intéressée",
    "pas besoin",
    // Spanish.
    "no nos interesa",
    "no me interesa",
    "no estoy interesado",
    "no estamos interesados",
    // Dutch.
    "geen interesse",
    "niet geïnteresseerd",
    "geen behoefte",
];

/// Wanting to talk: interest, agreement, a request for times or a meeting.
pub const POSITIVE: &[&str] = &[
    "i'm interested",
    "i am interested",
    "we're interested",
    "we are interested",
    "interested",
    "sounds good",
    "sounds great",
    "sounds interesting",
    "sounds like a plan",
    "let's talk",
    "lets talk",
    "let's chat",
    "let's connect",
    "let's meet",
    "let's set up",
    "let's schedule",
    "let's find a time",
    "happy to chat",
    "happy to talk",
    "happy to connect",
    "happy to meet",
    "happy to hop on",
    "happy to jump on",
    "happy to learn more",
    "glad to chat",
    "glad to talk",
    "keen to chat",
    "keen to learn",
    "keen to hear",
    "would love to",
    "i'd love to",
    "we'd love to",
    "love to learn more",
    "tell me more",
    "send me times",
    "send me some times",
    "send me a few times",
    "send over some times",
    "send some times",
    "send me your availability",
    "send me an invite",
    "send an invite",
    "send a calendar invite",
    "send me a calendar invite",
    "send me more info",
    "send me more information",
    "book a call",
    "book a time",
    "book a meeting",
    "book a demo",
    "schedule a call",
    "schedule a demo",
    "set up a call",
    "set up a meeting",
    "set up a time",
    "hop on a call",
    "jump on a call",
    "what times work",
    "what time works",
    "when are you free",
    "when are you available",
    "works for me",
    // German.
    "klingt gut",
    "klingt interessant",
    "interessiert",
    // French.
    "m'intéresse",
    "intéressé",
    "intéressée",
    "avec plaisir",
    // Spanish.
    "me interesa",
    "interesado",
    "interesada",
    "suena bien",
    "hablemos",
    // Dutch.
    "klinkt goed",
    "geïnteresseerd",
];

/// Interest words: negated, they say no.
const INTEREST: &[&str] = &[
    "interested",
    "interessiert",
    "intéressé",
    "interesado",
    "geïnteresseerd",
];

/// Words that, in the three words before a phrase in the same clause, negate it. Words
/// ending in "n't" negate too.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nor", "neither", "without", "hardly", "cannot", "dont", "nicht", "kein",
    "keine", "pas", "jamais", "nunca", "niet", "geen",
];

/// Words that end the reach of a negation: "not now, but happy to chat".
const CONTRASTS: &[&str] = &[
    "but", "however", "though", "although", "yet", "aber", "mais", "pero", "maar",
];

/// How many words before a phrase a negation reaches.
const NEGATION_REACH: usize = 3;

/// A word, an address or a break of a text, with its byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    /// The word lower-cased (`’` as `'`, `e-mail` as `email`); empty for a break or address.
    word: String,
    /// An e-mail address in the text.
    address: Option<Email>,
    /// Punctuation or an empty line: phrases do not span it and negations do not reach
    /// over it. A single line break is none, since mail is wrapped at 72 characters.
    stop: bool,
    /// The first token on its line.
    line_start: bool,
    start: usize,
    end: usize,
}

impl Token {
    fn is_word(&self) -> bool {
        !self.word.is_empty()
    }

    fn stop(start: usize, end: usize) -> Self {
        Token {
            word: String::new(),
            address: None,
            stop: true,
            line_start: false,
            start,
            end,
        }
    }
}

/// The words, addresses and breaks of a text, with byte offsets into it.
fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let joins = |c: char| c.is_alphanumeric() || "'’-_.@+".contains(c);
    let mut new_lines = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !joins(c) {
            let end = start + c.len_utf8();
            if c == '\n' {
                new_lines += 1;
                if new_lines == 2 {
                    out.push(Token::stop(start, end));
                }
            } else if ".!?,;:()[]—–\"“”".contains(c) {
                out.push(Token::stop(start, end));
            }
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if !joins(c) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let first = out.len();
        run(text, start, end, &mut out);
        if let Some(token) = out.get_mut(first) {
            token.line_start = new_lines > 0 || first == 0;
        }
        new_lines = 0;
    }
    out
}

/// One run of word characters: an address, or words split at dots (which end sentences).
fn run(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let edge = |c: char| "'’-_.+".contains(c);
    let piece = &text[start..end];
    if piece.contains('@') {
        let trimmed = piece.trim_end_matches(edge);
        if let Ok(address) = Email::parse(trimmed) {
            let end_of = start + trimmed.len();
            out.push(Token {
                address: Some(address),
                stop: false,
                ..Token::stop(start, end_of)
            });
            if piece[trimmed.len()..].contains('.') {
                out.push(Token::stop(end_of, end));
            }
            return;
        }
    }
    let mut offset = start;
    for (n, part) in piece.split('.').enumerate() {
        if n > 0 {
            out.push(Token::stop(offset - 1, offset));
        }
        let lead = part.len() - part.trim_start_matches(edge).len();
        let word = part.trim_matches(edge);
        if !word.is_empty() {
            let lower = word.to_lowercase().replace('’', "'");
            let lower = match lower.as_str() {
                "e-mail" => "email".to_string(),
                "e-mails" => "emails".to_string(),
                "e-mailing" => "emailing".to_string(),
                _ => lower,
            };
            let word_start = offset + lead;
            out.push(Token {
                word: lower,
                stop: false,
                ..Token::stop(word_start, word_start + word.len())
            });
        }
        offset += part.len() + 1;
    }
}

/// A phrase found: its first and last token.
struct Hit {
    first: usize,
    last: usize,
}

impl Hit {
    fn quote<'t>(&self, text: &'t str, tokens: &[Token]) -> &'t str {
        &text[tokens[self.first].start..tokens[self.last].end]
    }
}

/// The first place one of `phrases` occurs on whole words, not negated, longest first where
/// two start together.
fn find(tokens: &[Token], phrases: &[&str]) -> Option<Hit> {
    (0..tokens.len()).find_map(|at| {
        phrases
            .iter()
            .filter_map(|phrase| {
                let len = matches_at(tokens, at, phrase)?;
                Some(Hit {
                    first: at,
                    last: at + len - 1,
                })
            })
            .filter(|hit| negation(tokens, hit.first).is_none())
            .max_by_key(|hit| hit.last)
    })
}

/// How many tokens `phrase` covers when it starts at `at`.
fn matches_at(tokens: &[Token], at: usize, phrase: &str) -> Option<usize> {
    let words: Vec<&str> = phrase.split(' ').collect();
    let window = tokens.get(at..at + words.len())?;
    window
        .iter()
        .zip(&words)
        .all(|(t, w)| t.word == *w)
        .then_some(words.len())
}

/// The token that negates the phrase starting at `at`, if one does.
fn negation(tokens: &[Token], at: usize) -> Option<usize> {
    let mut seen = 0;
    for i in (0..at).rev() {
        let t = &tokens[i];
        if t.stop || CONTRASTS.contains(&t.word.as_str()) {
            return None;
        }
        if !t.is_word() {
            continue;
        }
        if NEGATIONS.contains(&t.word.as_str()) || t.word.ends_with("n't") {
            return Some(i);
        }
        seen += 1;
        if seen == NEGATION_REACH {
            return None;
        }
    }
    None
}

/// A clause or line that is nothing but an opt-out word and politeness.
fn alone(tokens: &[Token]) -> Option<Hit> {
    let mut clause: Vec<usize> = Vec::new();
    for i in 0..=tokens.len() {
        let ends = tokens.get(i).is_none_or(|t| t.stop || t.line_start);
        if !ends {
            if tokens[i].is_word() {
                clause.push(i);
            }
            continue;
        }
        let mut words: Vec<usize> = clause
            .drain(..)
            .filter(|&w| !POLITE.contains(&tokens[w].word.as_str()))
            .collect();
        // "thank you" is politeness too.
        if let [.., thank, you] = words[..]
            && tokens[thank].word == "thank"
            && tokens[you].word == "you"
        {
            words.truncate(words.len() - 2);
        }
        let said: Vec<&str> = words.iter().map(|&w| tokens[w].word.as_str()).collect();
        if OPT_OUT_ALONE
            .iter()
            .any(|p| p.split(' ').eq(said.iter().copied()))
            && let (Some(&first), Some(&last)) = (words.first(), words.last())
        {
            return Some(Hit { first, last });
        }
        // A word that starts a line starts the next clause.
        if tokens.get(i).is_some_and(Token::is_word) {
            clause.push(i);
        }
    }
    None
}

/// A negated interest word, from its negation on: "not currently interested".
fn negated_interest(tokens: &[Token]) -> Option<Hit> {
    tokens.iter().enumerate().find_map(|(at, t)| {
        if !INTEREST.contains(&t.word.as_str()) {
            return None;
        }
        let first = negation(tokens, at)?;
        Some(Hit { first, last: at })
    })
}

fn read_words(
    message: &Message<'_>,
    text: &str,
    tokens: &[Token],
    from: Option<&Email>,
    ours: &[Email],
) -> Decision {
    if !tokens.iter().any(Token::is_word) {
        return Decision::new(
            ReplyKind::Unclassified,
            "the reply has no words of its own beyond what it quotes",
        );
    }
    let says = |hit: &Hit| format!("the reply says \"{}\"", hit.quote(text, tokens));

    if let Some(hit) = alone(tokens) {
        return Decision::new(
            ReplyKind::OptOut,
            format!("the reply says \"{}\" on its own", hit.quote(text, tokens)),
        );
    }
    if let Some(hit) = find(tokens, OPT_OUT) {
        return Decision::new(ReplyKind::OptOut, says(&hit));
    }

    let mut named: Vec<Email> = Vec::new();
    let copied = addresses(message.cc());
    for address in tokens
        .iter()
        .filter_map(|t| t.address.clone())
        .chain(copied)
    {
        if Some(&address) != from && !ours.contains(&address) && !named.contains(&address) {
            named.push(address);
        }
    }
    let referral =
        find(tokens, REFERRAL).or_else(|| find(tokens, REFERRAL_TO).filter(|_| !named.is_empty()));
    if let Some(hit) = referral {
        return Decision {
            referrals: named,
            ..Decision::new(ReplyKind::Referral, says(&hit))
        };
    }

    let no = find(tokens, NOT_INTERESTED).or_else(|| negated_interest(tokens));
    let yes = find(tokens, POSITIVE);
    match (no, yes) {
        (Some(no), Some(yes)) => Decision::new(
            ReplyKind::Unclassified,
            format!(
                "the reply says both \"{}\" and \"{}\"",
                no.quote(text, tokens),
                yes.quote(text, tokens)
            ),
        ),
        (Some(no), None) => Decision::new(ReplyKind::NotInterested, says(&no)),
        (None, Some(yes)) => Decision::new(ReplyKind::Positive, says(&yes)),
        (None, None) => Decision::new(
            ReplyKind::Unclassified,
            "no header or phrase decides what the reply means",
        ),
    }
}

#[cfg(test)]
mod tests {
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
        let reply = fixture(include_bytes!("replies/bounce_postfix_5_1_1.eml"));

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
        let reply = fixture(include_bytes!("replies/bounce_soft_4_2_2_mailbox_full.eml"));

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
        let reply = fixture(include_bytes!("replies/bounce_gmail_dsn_failure.eml"));

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
        let reply = fixture(include_bytes!("replies/bounce_exchange_undeliverable.eml"));

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
        let reply = fixture(include_bytes!("replies/auto_reply_outlook.eml"));

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
        let reply = fixture(include_bytes!("replies/auto_reply_vacation.eml"));

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
        let reply = fixture(include_bytes!("replies/auto_reply_abwesenheitsnotiz.eml"));

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
        let reply = fixture(include_bytes!("replies/opt_out_remove_me.eml"));

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
        let reply = fixture(include_bytes!("replies/opt_out_stop.eml"));

        assert_eq!(reply.kind, ReplyKind::OptOut);
        assert_eq!(reply.evidence, "the reply says \"STOP\" on its own");
        assert_eq!(reply.own_text, "STOP\n\nSent from my iPhone");
    }

    #[test]
    fn a_yes_that_quotes_our_unsubscribe_footer_stays_a_yes() {
        // Outlook quotes without `>`, under its "From: … Sent: …" block.
        let reply = fixture(include_bytes!("replies/positive_quotes_footer.eml"));

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
        let reply = fixture(include_bytes!("replies/not_interested.eml"));

        assert_eq!(reply.kind, ReplyKind::NotInterested);
        assert_eq!(reply.evidence, "the reply says \"not interested\"");
        // The attribution line wraps; the quote still goes.
        assert!(!reply.own_text.contains("wrote"), "{}", reply.own_text);
    }

    #[test]
    fn a_referral_names_the_colleague_once() {
        let reply = fixture(include_bytes!("replies/referral.eml"));

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
        let reply = fixture(include_bytes!("replies/unclassified_question.eml"));

        assert_eq!(reply.kind, ReplyKind::Unclassified);
        assert_eq!(
            reply.evidence,
            "no header or phrase decides what the reply means"
        );
    }

    #[test]
    fn an_html_only_yes_is_read_without_its_quote() {
        let reply = fixture(include_bytes!("replies/positive_html_only.eml"));

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
        include_bytes!("replies/bounce_postfix_5_1_1.eml"),
        include_bytes!("replies/bounce_soft_4_2_2_mailbox_full.eml"),
        include_bytes!("replies/bounce_gmail_dsn_failure.eml"),
        include_bytes!("replies/bounce_exchange_undeliverable.eml"),
        include_bytes!("replies/auto_reply_outlook.eml"),
        include_bytes!("replies/auto_reply_vacation.eml"),
        include_bytes!("replies/auto_reply_abwesenheitsnotiz.eml"),
        include_bytes!("replies/opt_out_remove_me.eml"),
        include_bytes!("replies/opt_out_stop.eml"),
        include_bytes!("replies/positive_quotes_footer.eml"),
        include_bytes!("replies/not_interested.eml"),
        include_bytes!("replies/referral.eml"),
        include_bytes!("replies/unclassified_question.eml"),
        include_bytes!("replies/positive_html_only.eml"),
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
}
