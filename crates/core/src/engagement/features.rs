//! Engagement and intent as the ICP and the score read them: each record becomes signal
//! observations (its kind, and the page signals its URL makes it), counted within windows
//! that end at `now` — every repeat counts, so "pricing page visited twice within 7 days" is
//! a count of 2 in a 7-day window — and each topic's latest intent score.
//!
//! A contact's signals are its own (by any of its e-mail addresses) and those of its
//! account that name no person (an anonymous visit of its company); a colleague's known
//! activity is the colleague's. Intent belongs to the account.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};

use super::{Engagement, IntentScore, PagePolicy};
use crate::icp::{IntentObservation, SignalObservation};

/// The `days` before `now`, both ends included: `now - days ≤ at ≤ now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub days: u32,
}

impl Window {
    pub fn days(days: u32) -> Window {
        Window { days }
    }

    /// The window's first instant.
    pub fn start(self, now: Timestamp) -> Timestamp {
        let span = SignedDuration::from_hours(i64::from(self.days) * 24);
        now.checked_sub(span).unwrap_or(Timestamp::MIN)
    }

    pub fn contains(self, at: Timestamp, now: Timestamp) -> bool {
        self.start(now) <= at && at <= now
    }
}

/// The signal observations one record makes: its kind, and for a page view each page
/// signal its URL matches.
pub fn signals_of_event(event: &Engagement, pages: &PagePolicy) -> Vec<SignalObservation> {
    let mut out = vec![SignalObservation {
        kind: event.kind.as_str().to_string(),
        at: event.at,
    }];
    if let Some(url) = &event.url
        && event.kind == super::EngagementKind::PageView
    {
        out.extend(pages.signals_of(url).map(|signal| SignalObservation {
            kind: signal.to_string(),
            at: event.at,
        }));
    }
    out
}

/// How many observations of `kind` lie in `window` before `now`; repeats count.
pub fn count_within(
    observations: &[SignalObservation],
    kind: &str,
    window: Window,
    now: Timestamp,
) -> usize {
    observations
        .iter()
        .filter(|o| o.kind.trim().eq_ignore_ascii_case(kind.trim()) && window.contains(o.at, now))
        .count()
}

/// Every kind's count in each window, as features named `<kind>_<days>d`
/// (`pricing_page_visit_7d`): a kind seen but not in a window counts 0 there.
pub fn signal_counts(
    observations: &[SignalObservation],
    windows: &[u32],
    now: Timestamp,
) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for o in observations {
        for &days in windows {
            let n = counts.entry(format!("{}_{days}d", o.kind)).or_insert(0);
            if Window::days(days).contains(o.at, now) {
                *n += 1;
            }
        }
    }
    counts
}

/// Each topic's latest score at or before `now` (topics compared ignoring case, keyed lower
/// case); among scores of the same time, the highest.
pub fn latest_intent(
    scores: &[IntentObservation],
    now: Timestamp,
) -> BTreeMap<String, IntentObservation> {
    let mut latest: BTreeMap<String, IntentObservation> = BTreeMap::new();
    for s in scores.iter().filter(|s| s.at <= now) {
        let key = s.topic.trim().to_lowercase();
        match latest.get(&key) {
            Some(seen) if (seen.at, seen.score) >= (s.at, s.score) => {}
            _ => {
                latest.insert(key, s.clone());
            }
        }
    }
    latest
}

/// What the ICP reads of one contact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactSignals {
    pub signals: Vec<SignalObservation>,
    pub intent: Vec<IntentObservation>,
}

/// Engagement by person and by account, and intent by account, for looking up contact after
/// contact.
#[derive(Debug, Clone, Default)]
pub struct SignalIndex {
    by_email: HashMap<String, Vec<SignalObservation>>,
    /// Records of the account that name no person.
    anonymous_by_domain: HashMap<String, Vec<SignalObservation>>,
    intent_by_domain: HashMap<String, Vec<IntentObservation>>,
}

impl SignalIndex {
    pub fn build(engagement: &[Engagement], intent: &[IntentScore], pages: &PagePolicy) -> Self {
        let mut index = SignalIndex::default();
        for e in engagement {
            let observed = signals_of_event(e, pages);
            let slot = match (&e.email, &e.domain) {
                (Some(email), _) => index.by_email.entry(email.as_str().to_string()),
                (None, Some(domain)) => {
                    index.anonymous_by_domain.entry(domain.as_str().to_string())
                }
                (None, None) => continue,
            };
            slot.or_default().extend(observed);
        }
        for s in intent {
            index
                .intent_by_domain
                .entry(s.domain.as_str().to_string())
                .or_default()
                .push(IntentObservation {
                    topic: s.topic.clone(),
                    score: s.score,
                    at: s.at,
                });
        }
        index
    }

    pub fn is_empty(&self) -> bool {
        self.by_email.is_empty()
            && self.anonymous_by_domain.is_empty()
            && self.intent_by_domain.is_empty()
    }

    /// The signals of the contact with these addresses (normalised, as [`Email`] spells
    /// them) at the account with these domains; each address and domain counted once.
    ///
    /// [`Email`]: crate::discovery::normalize::Email
    pub fn for_contact<'a>(
        &self,
        emails: impl IntoIterator<Item = &'a str>,
        domains: impl IntoIterator<Item = &'a str>,
    ) -> ContactSignals {
        let mut emails: Vec<&str> = emails.into_iter().collect();
        emails.sort_unstable();
        emails.dedup();
        let mut domains: Vec<&str> = domains.into_iter().collect();
        domains.sort_unstable();
        domains.dedup();
        let mut out = ContactSignals::default();
        for e in emails {
            out.signals
                .extend(self.by_email.get(e).into_iter().flatten().cloned());
        }
        for d in domains {
            out.signals.extend(
                self.anonymous_by_domain
                    .get(d)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            out.intent
                .extend(self.intent_by_domain.get(d).into_iter().flatten().cloned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::normalize::{Domain, Email};
    use crate::engagement::EngagementKind;

    fn now() -> Timestamp {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn days_ago(days: f64) -> Timestamp {
        now() - SignedDuration::from_secs_f64(days * 86_400.0)
    }

    fn seen(kind: &str, days: f64) -> SignalObservation {
        SignalObservation {
            kind: kind.into(),
            at: days_ago(days),
        }
    }

    fn visit(email: Option<&str>, domain: Option<&str>, url: &str, days: f64) -> Engagement {
        Engagement {
            kind: EngagementKind::PageView,
            email: email.map(|e| Email::parse(e).unwrap()),
            domain: domain.map(|d| Domain::parse(d).unwrap()),
            url: Some(url.into()),
            detail: None,
            at: days_ago(days),
        }
    }

    #[test]
    fn pricing_page_visited_twice_within_7_days_counts_two() {
        let observed = [
            seen("pricing_page_visit", 1.0),
            seen("pricing_page_visit", 6.5),
            seen("pricing_page_visit", 9.0),
            seen("webinar_attended", 2.0),
        ];
        assert_eq!(
            count_within(&observed, "pricing_page_visit", Window::days(7), now()),
            2
        );
        assert_eq!(
            count_within(&observed, "pricing_page_visit", Window::days(30), now()),
            3
        );
    }

    #[test]
    fn the_window_holds_both_its_ends_and_nothing_after_now() {
        let window = Window::days(7);
        assert!(window.contains(days_ago(7.0), now()));
        assert!(!window.contains(days_ago(7.0) - SignedDuration::from_secs(1), now()));
        assert!(window.contains(now(), now()));
        assert!(!window.contains(now() + SignedDuration::from_secs(1), now()));
    }

    #[test]
    fn repeats_on_the_same_day_each_count() {
        let observed = [seen("email_click", 0.5), seen("email_click", 0.5)];
        assert_eq!(
            count_within(&observed, "email_click", Window::days(1), now()),
            2
        );
    }

    #[test]
    fn counts_are_features_per_kind_and_window() {
        let observed = [
            seen("pricing_page_visit", 1.0),
            seen("pricing_page_visit", 20.0),
            seen("demo_request", 40.0),
        ];
        let counts = signal_counts(&observed, &[7, 30], now());
        assert_eq!(counts["pricing_page_visit_7d"], 1);
        assert_eq!(counts["pricing_page_visit_30d"], 2);
        assert_eq!(counts["demo_request_7d"], 0);
        assert_eq!(counts["demo_request_30d"], 0);
    }

    #[test]
    fn the_latest_score_of_each_topic_wins_not_the_highest() {
        let score = |topic: &str, score: u8, days: f64| IntentObservation {
            topic: topic.into(),
            score,
            at: days_ago(days),
        };
        let latest = latest_intent(
            &[
                score("Lead routing", 90, 14.0),
                score("lead routing", 55, 7.0),
                score("crm", 40, 3.0),
                score("crm", 99, -1.0),
            ],
            now(),
        );
        assert_eq!(latest["lead routing"].score, 55);
        assert_eq!(latest["crm"].score, 40, "a score after now is not seen yet");
    }

    #[test]
    fn a_page_view_of_pricing_is_both_a_view_and_a_pricing_visit() {
        let kinds: Vec<String> = signals_of_event(
            &visit(Some("a@acme.com"), None, "/pricing", 1.0),
            &PagePolicy::default(),
        )
        .into_iter()
        .map(|o| o.kind)
        .collect();
        assert_eq!(kinds, ["page_view", "pricing_page_visit"]);
    }

    #[test]
    fn a_contact_sees_its_own_and_its_accounts_anonymous_activity_not_a_colleagues() {
        let index = SignalIndex::build(
            &[
                visit(Some("jane@acme.com"), Some("acme.com"), "/pricing", 1.0),
                visit(Some("joe@acme.com"), Some("acme.com"), "/pricing", 1.0),
                visit(None, Some("acme.com"), "/plans", 2.0),
                visit(None, Some("other.com"), "/pricing", 2.0),
            ],
            &[IntentScore {
                domain: Domain::parse("acme.com").unwrap(),
                topic: "lead routing".into(),
                score: 80,
                at: days_ago(3.0),
            }],
            &PagePolicy::default(),
        );
        let jane = index.for_contact(["jane@acme.com", "jane@acme.com"], ["acme.com"]);
        assert_eq!(
            count_within(&jane.signals, "pricing_page_visit", Window::days(30), now()),
            2
        );
        assert_eq!(jane.intent.len(), 1);
        let nobody = index.for_contact(["x@elsewhere.com"], ["elsewhere.com"]);
        assert_eq!(nobody, ContactSignals::default());
    }
}
