//! Behavioural and intent signals: what people did on our own properties (a page view, an
//! e-mail opened or replied to, a webinar attended, a trial started, a demo requested) and
//! which topics a third-party intent provider scores a company's research on.
//!
//! These are *engagement* and *intent* in leadgate's words, never "events": a domain event
//! ([`crate::event`]) is what happened in the process and starts the next job; an engagement
//! record is a fact about a prospect that the ICP's `[[signals]]` and `[[intent]]` criteria
//! and the score read. They arrive from files and the API as loose text ([`EventFields`]) and
//! exist only through [`parse`], which names the field that is wrong.
//!
//! - An engagement record belongs to a contact by e-mail address, or only to an account by
//!   domain (an anonymous visit a reverse-IP lookup named). Its account is the given domain,
//!   else the address's (unless a personal mail provider's).
//! - Which page views are pricing page visits (or any other named page signal) is decided
//!   when the signals are read, by the URL patterns of [`PagePolicy`], so that changing the
//!   patterns re-reads every stored visit.
//! - [`features`] turns the records into what the ICP and the score count: signal
//!   observations, counts within windows (repeats count), the latest score of each topic.

mod features;
mod pages;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::Serialize;

pub use features::{
    ContactSignals, SignalIndex, Window, count_within, latest_intent, signal_counts,
    signals_of_event,
};
pub use pages::{PagePolicy, PageRule, page_path};

use crate::discovery::normalize::{Domain, Email};

/// The longest topic name, in characters.
pub const MAX_TOPIC_CHARS: usize = 100;
/// The longest URL or detail kept, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// How far ahead of `now` a record may be dated (clocks differ; a day more is a mistake).
pub const FUTURE_TOLERANCE_HOURS: i64 = 24;

crate::values! {
    /// What a person did.
    pub enum EngagementKind("engagement kind") {
        /// A page of our site was viewed; the URL says which (see [`PagePolicy`]).
        PageView = "page_view" / "page viewed",
        EmailOpen = "email_open" / "e-mail opened",
        EmailClick = "email_click" / "e-mail link clicked",
        EmailReply = "email_reply" / "e-mail replied to",
        WebinarAttended = "webinar_attended" / "webinar attended",
        ContentDownload = "content_download" / "content downloaded",
        TrialSignup = "trial_signup" / "trial started",
        DemoRequest = "demo_request" / "demo requested",
    }
}

/// The `kind` that marks a third-party intent score.
pub const INTENT_KIND: &str = "intent";

/// One thing a person (or an anonymous visitor of an account) did, at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    pub kind: EngagementKind,
    /// The person, when known.
    pub email: Option<Email>,
    /// The account: given, or the address's domain (not a personal mail provider's).
    pub domain: Option<Domain>,
    /// The page, for a page view (required there); a link or asset otherwise.
    pub url: Option<String>,
    /// The campaign, webinar or asset, in the source's words.
    pub detail: Option<String>,
    pub at: Timestamp,
}

/// A third-party intent score (Bombora-style): how strongly a company researches a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentScore {
    pub domain: Domain,
    /// As the provider names it; compared ignoring case.
    pub topic: String,
    /// 0–100.
    pub score: u8,
    pub at: Timestamp,
}

/// A parsed row or API item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    Engagement(Engagement),
    Intent(IntentScore),
}

/// What every row of a file is, when the file does not say it row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindChoice {
    /// Each row's `kind` says; a row without one is an intent score when it has a topic.
    #[default]
    Auto,
    /// Every row is an intent score (a provider's export: domain, topic, score, date).
    Intent,
    /// Every row is engagement of this kind (a webinar's attendee list).
    Engagement(EngagementKind),
}

impl std::str::FromStr for KindChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "auto" => Ok(KindChoice::Auto),
            INTENT_KIND => Ok(KindChoice::Intent),
            other => other.parse().map(KindChoice::Engagement).map_err(|_| {
                format!(
                    "unknown kind `{other}` (auto, intent, or one of {})",
                    kind_names()
                )
            }),
        }
    }
}

fn kind_names() -> String {
    EngagementKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row or item as text, each field trimmed by [`parse`]; empty is missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFields<'a> {
    pub kind: Option<&'a str>,
    pub at: Option<&'a str>,
    pub email: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub url: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub score: Option<&'a str>,
}

/// The field of a row or item that is wrong, and why, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// `kind`, `at`, `email`, `domain`, `url`, `detail`, `topic` or `score`.
    pub field: &'static str,
    pub message: String,
}

fn wrong(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Reads one row or item. `choice` is what the file says every row is; `now` bounds the
/// time (a record dated more than [`FUTURE_TOLERANCE_HOURS`] ahead is refused).
pub fn parse(
    fields: &EventFields<'_>,
    choice: KindChoice,
    now: Timestamp,
) -> Result<Signal, FieldError> {
    let kind = match choice {
        KindChoice::Intent => None,
        KindChoice::Engagement(kind) => Some(kind),
        KindChoice::Auto => match present(fields.kind) {
            Some(INTENT_KIND) => None,
            Some(text) => Some(text.parse::<EngagementKind>().map_err(|_| {
                wrong(
                    "kind",
                    format!("unknown kind `{text}` (one of {}, intent)", kind_names()),
                )
            })?),
            None if present(fields.topic).is_some() => None,
            None => {
                return Err(wrong(
                    "kind",
                    format!("missing (one of {}, intent)", kind_names()),
                ));
            }
        },
    };
    let at = parse_time(fields.at, now)?;
    match kind {
        Some(kind) => engagement(fields, kind, at).map(Signal::Engagement),
        None => intent(fields, at).map(Signal::Intent),
    }
}

fn engagement(
    fields: &EventFields<'_>,
    kind: EngagementKind,
    at: Timestamp,
) -> Result<Engagement, FieldError> {
    let email = present(fields.email)
        .map(|e| Email::parse(e).map_err(|err| wrong("email", err.to_string())))
        .transpose()?;
    let domain = match present(fields.domain) {
        Some(d) => Some(Domain::parse(d).map_err(|err| wrong("domain", err.to_string()))?),
        None => email
            .as_ref()
            .map(Email::domain)
            .filter(|d| !d.is_personal_provider()),
    };
    if email.is_none() && domain.is_none() {
        return Err(wrong(
            "email",
            "missing: a record needs the person's e-mail address or the account's domain",
        ));
    }
    let url = text(fields.url, "url")?;
    if kind == EngagementKind::PageView && url.is_none() {
        return Err(wrong("url", "missing: a page view needs the page's URL"));
    }
    Ok(Engagement {
        kind,
        email,
        domain,
        url,
        detail: text(fields.detail, "detail")?,
        at,
    })
}

fn intent(fields: &EventFields<'_>, at: Timestamp) -> Result<IntentScore, FieldError> {
    let domain = match present(fields.domain) {
        Some(d) => Domain::parse(d).map_err(|err| wrong("domain", err.to_string()))?,
        None => return Err(wrong("domain", "missing: an intent score is for a domain")),
    };
    let topic = present(fields.topic).ok_or_else(|| wrong("topic", "missing"))?;
    if topic.chars().count() > MAX_TOPIC_CHARS || topic.contains(['\n', '\r']) {
        return Err(wrong(
            "topic",
            format!("must be one line of at most {MAX_TOPIC_CHARS} characters"),
        ));
    }
    let score_text = present(fields.score).ok_or_else(|| wrong("score", "missing"))?;
    let score = score_text
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && (0.0..=100.0).contains(s))
        .ok_or_else(|| {
            wrong(
                "score",
                format!("`{score_text}` is not a number from 0 to 100"),
            )
        })?;
    Ok(IntentScore {
        domain,
        topic: topic.to_string(),
        score: score.round() as u8,
        at,
    })
}

fn text(value: Option<&str>, field: &'static str) -> Result<Option<String>, FieldError> {
    match present(value) {
        Some(t) if t.chars().count() > MAX_TEXT_CHARS => Err(wrong(
            field,
            format!("longer than {MAX_TEXT_CHARS} characters"),
        )),
        other => Ok(other.map(str::to_string)),
    }
}

/// An RFC 3339 time (`2026-11-30T09:15:00Z`), a date and time without offset (read as UTC),
/// or a date (its start, UTC).
fn parse_time(value: Option<&str>, now: Timestamp) -> Result<Timestamp, FieldError> {
    let text = present(value).ok_or_else(|| wrong("at", "missing: when it happened"))?;
    let at = text
        .parse::<Timestamp>()
        .ok()
        .or_else(|| {
            let civil = text.parse::<DateTime>().ok().or_else(|| {
                text.parse::<Date>()
                    .ok()
                    .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
            })?;
            civil
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        })
        .ok_or_else(|| {
            wrong(
                "at",
                format!("`{text}` is not a time (2026-11-30T09:15:00Z) or a date (2026-11-30)"),
            )
        })?;
    let latest = now
        .checked_add(jiff::SignedDuration::from_hours(FUTURE_TOLERANCE_HOURS))
        .unwrap_or(Timestamp::MAX);
    if at > latest {
        return Err(wrong("at", format!("{at} is in the future")));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn fields<'a>(pairs: &[(&str, &'a str)]) -> EventFields<'a> {
        let mut f = EventFields::default();
        for &(name, value) in pairs {
            let slot = match name {
                "kind" => &mut f.kind,
                "at" => &mut f.at,
                "email" => &mut f.email,
                "domain" => &mut f.domain,
                "url" => &mut f.url,
                "detail" => &mut f.detail,
                "topic" => &mut f.topic,
                "score" => &mut f.score,
                other => panic!("no field {other}"),
            };
            *slot = Some(value);
        }
        f
    }

    fn error_of(pairs: &[(&str, &str)]) -> String {
        parse(&fields(pairs), KindChoice::Auto, now())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_page_view_of_a_known_person_belongs_to_their_account_too() {
        let parsed = parse(
            &fields(&[
                ("kind", "page_view"),
                ("at", "2026-11-28T10:00:00Z"),
                ("email", " Jane.Doe@Acme.COM "),
                ("url", "https://routewise.example/pricing"),
            ]),
            KindChoice::Auto,
            now(),
        )
        .unwrap();
        let Signal::Engagement(e) = parsed else {
            panic!("not engagement")
        };
        assert_eq!(e.email.unwrap().as_str(), "jane.doe@acme.com");
        assert_eq!(e.domain.unwrap().as_str(), "acme.com");
    }

    #[test]
    fn a_personal_address_names_no_account() {
        let Signal::Engagement(e) = parse(
            &fields(&[
                ("kind", "email_open"),
                ("at", "2026-11-28"),
                ("email", "jo@gmail.com"),
            ]),
            KindChoice::Auto,
            now(),
        )
        .unwrap() else {
            panic!("not engagement")
        };
        assert_eq!(e.domain, None);
        assert_eq!(e.at, "2026-11-28T00:00:00Z".parse().unwrap());
    }

    #[test]
    fn a_row_with_a_topic_and_no_kind_is_an_intent_score() {
        let parsed = parse(
            &fields(&[
                ("at", "2026-11-23"),
                ("domain", "www.Acme.com"),
                ("topic", "Lead Routing"),
                ("score", "71.6"),
            ]),
            KindChoice::Auto,
            now(),
        )
        .unwrap();
        assert_eq!(
            parsed,
            Signal::Intent(IntentScore {
                domain: Domain::parse("acme.com").unwrap(),
                topic: "Lead Routing".into(),
                score: 72,
                at: "2026-11-23T00:00:00Z".parse().unwrap(),
            })
        );
    }

    #[test]
    fn a_forced_kind_reads_a_file_without_a_kind_column() {
        let parsed = parse(
            &fields(&[("at", "2026-11-20"), ("email", "jane@acme.com")]),
            "webinar_attended".parse().unwrap(),
            now(),
        )
        .unwrap();
        assert!(
            matches!(parsed, Signal::Engagement(e) if e.kind == EngagementKind::WebinarAttended)
        );
    }

    #[test]
    fn every_wrong_field_is_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("at", "2026-11-20"), ("email", "a@b.com")],
                "kind: missing",
            ),
            (
                &[
                    ("kind", "visit"),
                    ("at", "2026-11-20"),
                    ("email", "a@b.com"),
                ],
                "kind: unknown kind `visit`",
            ),
            (
                &[("kind", "email_open"), ("email", "a@b.com")],
                "at: missing",
            ),
            (
                &[
                    ("kind", "email_open"),
                    ("at", "last week"),
                    ("email", "a@b.com"),
                ],
                "at: `last week` is not a time",
            ),
            (
                &[
                    ("kind", "email_open"),
                    ("at", "2026-12-03"),
                    ("email", "a@b.com"),
                ],
                "at: 2026-12-03T00:00:00Z is in the future",
            ),
            (
                &[
                    ("kind", "email_open"),
                    ("at", "2026-11-20"),
                    ("email", "nobody"),
                ],
                "email: ",
            ),
            (
                &[("kind", "email_open"), ("at", "2026-11-20")],
                "email: missing",
            ),
            (
                &[
                    ("kind", "page_view"),
                    ("at", "2026-11-20"),
                    ("email", "a@b.com"),
                ],
                "url: missing",
            ),
            (
                &[
                    ("kind", "intent"),
                    ("at", "2026-11-20"),
                    ("topic", "crm"),
                    ("score", "5"),
                ],
                "domain: missing",
            ),
            (
                &[
                    ("kind", "intent"),
                    ("at", "2026-11-20"),
                    ("domain", "b.com"),
                    ("score", "5"),
                ],
                "topic: missing",
            ),
            (
                &[
                    ("kind", "intent"),
                    ("at", "2026-11-20"),
                    ("domain", "b.com"),
                    ("topic", "crm"),
                    ("score", "101"),
                ],
                "score: `101` is not a number from 0 to 100",
            ),
        ];
        for (pairs, wanted) in cases {
            let error = error_of(pairs);
            assert!(error.starts_with(wanted), "{pairs:?}: {error}");
        }
    }

    #[test]
    fn a_day_of_clock_skew_is_not_the_future() {
        let parsed = parse(
            &fields(&[
                ("kind", "demo_request"),
                ("at", "2026-12-02T11:00:00Z"),
                ("email", "a@b.com"),
            ]),
            KindChoice::Auto,
            now(),
        );
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn kind_choices_read_as_typed() {
        assert_eq!("auto".parse(), Ok(KindChoice::Auto));
        assert_eq!("intent".parse(), Ok(KindChoice::Intent));
        assert_eq!(
            "trial_signup".parse(),
            Ok(KindChoice::Engagement(EngagementKind::TrialSignup))
        );
        assert!(
            "pricing"
                .parse::<KindChoice>()
                .unwrap_err()
                .contains("auto, intent")
        );
    }
}
