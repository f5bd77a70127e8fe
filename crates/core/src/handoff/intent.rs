//! Intent triggers: engagement that makes a lead warm at once, without waiting for a score —
//! the prospect raised their hand. Three, each configurable (`[handoff.intent]`):
//!
//! - **pricing clicks**: the pricing page visited, or a pricing link in an e-mail clicked, at
//!   least `at_least` times within `within_days` (2 in 7 by default). It fires when a new
//!   record makes the count reach the threshold, not on every visit after: the lead keeps
//!   its one task;
//! - **a demo request**, new and dated within `fresh_days` (3 by default): an old request
//!   found in a late import is not a hand raised today;
//! - **a high-intent download**: content downloaded whose link or title contains one of
//!   `downloads` (none by default: which assets mean "ready to buy" is the team's call).
//!
//! [`fired`] compares a lead's records before a batch is stored with its records after, and
//! names the strongest signal the batch raised, with why. The engine stores the decision in
//! the `IntentShown` event, and the handoff stage routes the lead as a warm lead.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::engagement::{Engagement, EngagementKind, PagePolicy};

/// The signals, as routing rules' `signal` condition names them.
pub const PRICING_CLICKS: &str = "pricing_clicks";
pub const DEMO_REQUEST: &str = "demo_request";
pub const HIGH_INTENT_DOWNLOAD: &str = "high_intent_download";

/// `[handoff.intent]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentRules {
    #[serde(default)]
    pub pricing_clicks: PricingClicks,
    /// Whether a new demo request hands the lead off.
    #[serde(default = "yes")]
    pub demo_request: bool,
    /// Words in a download's link or title that make it high-intent (`roi-calculator`).
    #[serde(default)]
    pub downloads: Vec<String>,
    /// How recent a demo request or download must be to count, in days.
    #[serde(default = "default_fresh_days")]
    pub fresh_days: u32,
}

impl Default for IntentRules {
    fn default() -> Self {
        IntentRules {
            pricing_clicks: PricingClicks::default(),
            demo_request: true,
            downloads: Vec::new(),
            fresh_days: default_fresh_days(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_fresh_days() -> u32 {
    3
}

/// The pricing rule: `at_least` pricing visits or clicks within `within_days`; 0 turns it off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingClicks {
    #[serde(default = "default_at_least")]
    pub at_least: u32,
    #[serde(default = "default_within_days")]
    pub within_days: u32,
    /// The page signal that is the pricing page (`[[engagement.pages]]`).
    #[serde(default = "default_pricing_signal")]
    pub page: String,
}

impl Default for PricingClicks {
    fn default() -> Self {
        PricingClicks {
            at_least: default_at_least(),
            within_days: default_within_days(),
            page: default_pricing_signal(),
        }
    }
}

fn default_at_least() -> u32 {
    2
}

fn default_within_days() -> u32 {
    7
}

fn default_pricing_signal() -> String {
    "pricing_page_visit".to_string()
}

impl IntentRules {
    /// How far back [`fired`] needs a lead's records.
    pub fn lookback(&self) -> SignedDuration {
        let days = self.pricing_clicks.within_days.max(self.fresh_days).max(1);
        SignedDuration::from_hours(24 * i64::from(days))
    }

    /// Whether any trigger is on.
    pub fn any(&self) -> bool {
        self.pricing_clicks.at_least > 0 || self.demo_request || !self.downloads.is_empty()
    }
}

/// A trigger that fired: the signal and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fired {
    pub signal: &'static str,
    pub why: String,
}

/// What a batch of records raised for one lead: `before` are the lead's records stored
/// before it, `after` the same with the batch, both from at least [`IntentRules::lookback`]
/// before `now`. The strongest signal first: a demo request, a high-intent download, then
/// pricing clicks.
pub fn fired(
    rules: &IntentRules,
    pages: &PagePolicy,
    before: &[Engagement],
    after: &[Engagement],
    now: Timestamp,
) -> Option<Fired> {
    let fresh = now - SignedDuration::from_hours(24 * i64::from(rules.fresh_days));
    let new: Vec<&Engagement> = added(before, after);
    let recent = |e: &&&Engagement| e.at >= fresh && e.at <= now;
    if rules.demo_request
        && let Some(request) = new
            .iter()
            .filter(recent)
            .find(|e| e.kind == EngagementKind::DemoRequest)
    {
        return Some(Fired {
            signal: DEMO_REQUEST,
            why: format!("requested a demo at {}", request.at),
        });
    }
    if let Some((download, word)) = new
        .iter()
        .filter(recent)
        .filter(|e| e.kind == EngagementKind::ContentDownload)
        .find_map(|e| high_intent(&rules.downloads, e).map(|w| (e, w)))
    {
        return Some(Fired {
            signal: HIGH_INTENT_DOWNLOAD,
            why: format!("downloaded {} ({word}) at {}", what(download), download.at),
        });
    }
    let pricing = &rules.pricing_clicks;
    if pricing.at_least == 0 {
        return None;
    }
    let window = now - SignedDuration::from_hours(24 * i64::from(pricing.within_days));
    let count = |records: &[Engagement]| {
        records
            .iter()
            .filter(|e| e.at >= window && e.at <= now && is_pricing(pages, &pricing.page, e))
            .count()
    };
    let (was, is) = (count(before), count(after));
    let threshold = pricing.at_least as usize;
    (was < threshold && is >= threshold).then(|| Fired {
        signal: PRICING_CLICKS,
        why: format!(
            "{is} pricing page visits or pricing links clicked within {} days (at least {threshold})",
            pricing.within_days
        ),
    })
}

/// The records of `after` that `before` does not hold (as many times as they are extra).
fn added<'a>(before: &[Engagement], after: &'a [Engagement]) -> Vec<&'a Engagement> {
    let mut left: Vec<&Engagement> = before.iter().collect();
    let mut new = Vec::new();
    for record in after {
        match left.iter().position(|b| *b == record) {
            Some(i) => {
                left.swap_remove(i);
            }
            None => new.push(record),
        }
    }
    new
}

/// A pricing page view, or a click on a link to the pricing page.
fn is_pricing(pages: &PagePolicy, page: &str, e: &Engagement) -> bool {
    matches!(
        e.kind,
        EngagementKind::PageView | EngagementKind::EmailClick
    ) && e
        .url
        .as_deref()
        .is_some_and(|url| pages.signals_of(url).any(|s| s == page))
}

/// The first of `words` in the download's link or title, ignoring case.
fn high_intent<'w>(words: &'w [String], e: &Engagement) -> Option<&'w str> {
    let text = format!(
        "{} {}",
        e.url.as_deref().unwrap_or_default(),
        e.detail.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    words
        .iter()
        .map(|w| w.trim())
        .find(|w| !w.is_empty() && text.contains(&w.to_lowercase()))
}

fn what(e: &Engagement) -> String {
    e.detail
        .clone()
        .or_else(|| e.url.clone())
        .unwrap_or_else(|| "content".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn record(
        kind: EngagementKind,
        url: Option<&str>,
        detail: Option<&str>,
        when: &str,
    ) -> Engagement {
        Engagement {
            kind,
            email: None,
            domain: None,
            url: url.map(str::to_string),
            detail: detail.map(str::to_string),
            at: at(when),
        }
    }

    fn visit(url: &str, when: &str) -> Engagement {
        record(EngagementKind::PageView, Some(url), None, when)
    }

    const NOW: &str = "2027-03-10T12:00:00Z";

    #[test]
    fn the_second_pricing_visit_in_a_week_fires_and_the_third_does_not() {
        let rules = IntentRules::default();
        let pages = PagePolicy::default();
        let one = vec![visit(
            "https://routewise.example/pricing",
            "2027-03-05T10:00:00Z",
        )];
        let mut two = one.clone();
        two.push(record(
            EngagementKind::EmailClick,
            Some("https://routewise.example/pricing?utm=mail"),
            None,
            "2027-03-10T11:00:00Z",
        ));
        let mut three = two.clone();
        three.push(visit(
            "https://routewise.example/pricing/enterprise",
            "2027-03-10T11:30:00Z",
        ));

        let first = fired(&rules, &pages, &[], &one, at(NOW));
        let second = fired(&rules, &pages, &one, &two, at(NOW));
        let third = fired(&rules, &pages, &two, &three, at(NOW));

        assert_eq!(first, None);
        assert_eq!(second.map(|f| f.signal), Some(PRICING_CLICKS));
        assert_eq!(third, None, "the lead keeps its one task");
    }

    #[test]
    fn pricing_visits_outside_the_window_or_elsewhere_do_not_count() {
        let rules = IntentRules::default();
        let pages = PagePolicy::default();
        let old = vec![visit(
            "https://routewise.example/pricing",
            "2027-02-20T10:00:00Z",
        )];
        let mut with_faq = old.clone();
        with_faq.push(visit(
            "https://routewise.example/pricing-faq",
            "2027-03-10T10:00:00Z",
        ));
        let mut with_new = old.clone();
        with_new.push(visit(
            "https://routewise.example/pricing",
            "2027-03-10T10:00:00Z",
        ));

        assert_eq!(fired(&rules, &pages, &old, &with_faq, at(NOW)), None);
        assert_eq!(fired(&rules, &pages, &old, &with_new, at(NOW)), None);
    }

    #[test]
    fn a_new_demo_request_fires_an_old_one_does_not() {
        let rules = IntentRules::default();
        let pages = PagePolicy::default();
        let fresh = vec![record(
            EngagementKind::DemoRequest,
            None,
            None,
            "2027-03-10T09:00:00Z",
        )];
        let stale = vec![record(
            EngagementKind::DemoRequest,
            None,
            None,
            "2027-02-01T09:00:00Z",
        )];

        let now = fired(&rules, &pages, &[], &fresh, at(NOW));
        let late = fired(&rules, &pages, &[], &stale, at(NOW));
        let again = fired(&rules, &pages, &fresh, &fresh, at(NOW));
        let off = fired(
            &IntentRules {
                demo_request: false,
                ..IntentRules::default()
            },
            &pages,
            &[],
            &fresh,
            at(NOW),
        );

        assert_eq!(now.map(|f| f.signal), Some(DEMO_REQUEST));
        assert_eq!(
            late, None,
            "a request from last month is not a hand raised today"
        );
        assert_eq!(again, None, "a record stored before raises nothing again");
        assert_eq!(off, None);
    }

    #[test]
    fn a_download_is_high_intent_only_by_the_teams_words() {
        let pages = PagePolicy::default();
        let guide = vec![record(
            EngagementKind::ContentDownload,
            Some("https://routewise.example/assets/ROI-Calculator.xlsx"),
            Some("ROI calculator"),
            "2027-03-10T09:00:00Z",
        )];
        let configured = IntentRules {
            downloads: vec!["roi-calculator".into()],
            ..IntentRules::default()
        };

        let by_default = fired(&IntentRules::default(), &pages, &[], &guide, at(NOW));
        let with_words = fired(&configured, &pages, &[], &guide, at(NOW));

        assert_eq!(by_default, None);
        let with_words = with_words.unwrap();
        assert_eq!(with_words.signal, HIGH_INTENT_DOWNLOAD);
        assert!(
            with_words.why.contains("roi-calculator"),
            "{}",
            with_words.why
        );
    }

    #[test]
    fn the_settings_read_from_toml_with_their_defaults() {
        let rules: IntentRules = toml::from_str(
            "pricing_clicks = { at_least = 3, within_days = 14 }\ndownloads = [\"buyers-guide\"]\n",
        )
        .unwrap();
        let unknown = toml::from_str::<IntentRules>("pricing = 2\n");

        assert_eq!(rules.pricing_clicks.at_least, 3);
        assert_eq!(rules.pricing_clicks.page, "pricing_page_visit");
        assert!(rules.demo_request);
        assert_eq!(rules.lookback(), SignedDuration::from_hours(24 * 14));
        assert!(unknown.is_err());
    }
}
