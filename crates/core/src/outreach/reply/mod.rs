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

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MimeHeaders};

use crate::discovery::normalize::Email;

use auto::auto_reply;
use bounce::{delivery_report, text_bounce, unreadable_bounce};
use quoting::own_text;
use words::{read_words, tokens};

pub use words::{NOT_INTERESTED, OPT_OUT, OPT_OUT_ALONE, POSITIVE, REFERRAL, REFERRAL_TO};

mod auto;
mod bounce;
mod quoting;
mod words;

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

#[cfg(test)]
mod tests;
