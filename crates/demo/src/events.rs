//! Recent engagement on the demo company's own properties (web and e-mail, last 120 days)
//! and third-party intent (weekly topic scores, last 12 weeks).
//!
//! Companies that are in market (see [`crate::Company::in_market`]) visit the pricing page in
//! the last 30 days, attend webinars, sometimes request a demo, and show rising "lead routing"
//! and "sales automation" intent in the last three weeks. Everyone else produces background
//! noise: newsletter opens, the odd old pricing visit, and intent that is weaker or older than
//! the ICP's 21-day window. Competitors look at the pricing page too.

use jiff::Timestamp;
use serde::Serialize;

use crate::catalog;
use crate::rng::Rng;
use crate::time::{self, DAY};
use crate::world::{Company, CompanyId, Person, PersonId};

const STREAM_ENGAGEMENT: u64 = 30;
const STREAM_INTENT: u64 = 31;

pub(crate) const ENGAGEMENT_WINDOW_DAYS: u32 = 120;
const INTENT_WEEKS: i64 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementKind {
    PricingPageVisit,
    WebinarAttended,
    EmailOpened,
    EmailClicked,
    DemoRequested,
}

impl EngagementKind {
    pub fn name(self) -> &'static str {
        match self {
            EngagementKind::PricingPageVisit => "pricing_page_visit",
            EngagementKind::WebinarAttended => "webinar_attended",
            EngagementKind::EmailOpened => "email_opened",
            EngagementKind::EmailClicked => "email_clicked",
            EngagementKind::DemoRequested => "demo_requested",
        }
    }

    /// The `kind` the events file writes, as `leadgate events import` reads it: a pricing
    /// page visit is a `page_view` whose URL is the pricing page.
    pub fn file_kind(self) -> &'static str {
        match self {
            EngagementKind::PricingPageVisit => "page_view",
            EngagementKind::WebinarAttended => "webinar_attended",
            EngagementKind::EmailOpened => "email_open",
            EngagementKind::EmailClicked => "email_click",
            EngagementKind::DemoRequested => "demo_request",
        }
    }
}

/// One engagement event. Known visitors and e-mail events carry the person's e-mail; an
/// anonymous web visit carries only the company domain (from reverse-IP lookup).
#[derive(Debug, Clone, Serialize)]
pub struct EngagementEvent {
    pub at: Timestamp,
    pub kind: EngagementKind,
    pub company_id: CompanyId,
    pub person_id: Option<PersonId>,
    /// Index into the campaign or webinar list, for the event's label.
    #[serde(skip)]
    pub(crate) detail: u8,
    /// The e-mail is written with case noise ("Jose.Garcia@Brightloop.io").
    #[serde(skip)]
    pub(crate) noisy: bool,
}

/// One weekly intent score for a company and topic.
#[derive(Debug, Clone, Serialize)]
pub struct IntentEvent {
    /// Monday 00:00 UTC of the scored week.
    pub at: Timestamp,
    pub company_id: CompanyId,
    pub topic: &'static str,
    /// 0–100.
    pub score: u8,
}

/// The people of each company, as index ranges into `people` (which is grouped by company).
fn staff_ranges(companies: &[Company], people: &[Person]) -> Vec<(usize, usize)> {
    let mut ranges = vec![(0, 0); companies.len()];
    let mut start = 0;
    while start < people.len() {
        let cid = people[start].company_id.0 as usize;
        let mut end = start;
        while end < people.len() && people[end].company_id.0 as usize == cid {
            end += 1;
        }
        ranges[cid] = (start, end);
        start = end;
    }
    ranges
}

pub(crate) fn engagement(
    seed: u64,
    companies: &[Company],
    people: &[Person],
    now: Timestamp,
) -> Vec<EngagementEvent> {
    let base = time::base_second(now);
    let ranges = staff_ranges(companies, people);
    let mut events = Vec::new();
    for company in companies {
        let mut rng = Rng::derive(seed, STREAM_ENGAGEMENT, u64::from(company.id.0));
        let (lo, hi) = ranges[company.id.0 as usize];
        let staff: Vec<&Person> = people[lo..hi].iter().collect();
        let mut push = |rng: &mut Rng,
                        kind: EngagementKind,
                        within_days: u32,
                        person: Option<&Person>,
                        detail: u8| {
            let ago = i64::from(rng.range(0, within_days * 86_400 - 1)).max(60);
            events.push(EngagementEvent {
                at: time::at(base - ago),
                kind,
                company_id: company.id,
                person_id: person.map(|p| p.id),
                detail,
                noisy: rng.chance(0.03),
            });
        };

        let visits = if company.is_competitor {
            rng.range(3, 6)
        } else if company.in_market {
            rng.range(2, 7)
        } else if rng.chance(0.08) {
            rng.range(1, 2)
        } else {
            0
        };
        for _ in 0..visits {
            let window = if company.in_market {
                30
            } else {
                ENGAGEMENT_WINDOW_DAYS
            };
            let known = if !staff.is_empty() && rng.chance(0.3) {
                Some(staff[rng.index(staff.len())])
            } else {
                None
            };
            push(&mut rng, EngagementKind::PricingPageVisit, window, known, 0);
        }

        for person in &staff {
            let webinar_p = match (company.in_market, person.persona.is_some()) {
                (true, true) => 0.45,
                (true, false) => 0.15,
                (false, true) => 0.04,
                (false, false) => 0.02,
            };
            if rng.chance(webinar_p) {
                let which = rng.index(catalog::WEBINARS.len()) as u8;
                push(
                    &mut rng,
                    EngagementKind::WebinarAttended,
                    90,
                    Some(person),
                    which,
                );
            }
            if rng.chance(0.4) {
                let opens = rng.count(if company.in_market { 5.0 } else { 2.0 });
                for _ in 0..opens {
                    let campaign = rng.index(catalog::EMAIL_CAMPAIGNS.len()) as u8;
                    push(
                        &mut rng,
                        EngagementKind::EmailOpened,
                        ENGAGEMENT_WINDOW_DAYS,
                        Some(person),
                        campaign,
                    );
                    if rng.chance(0.2) {
                        push(
                            &mut rng,
                            EngagementKind::EmailClicked,
                            ENGAGEMENT_WINDOW_DAYS,
                            Some(person),
                            campaign,
                        );
                    }
                }
            }
        }

        if company.in_market && !staff.is_empty() && rng.chance(0.25) {
            let requester = staff
                .iter()
                .find(|p| p.persona.is_some())
                .copied()
                .unwrap_or(staff[0]);
            push(
                &mut rng,
                EngagementKind::DemoRequested,
                14,
                Some(requester),
                0,
            );
        }
    }
    // A stable sort keeps generation order among events of the same second.
    events.sort_by_key(|e| e.at);
    events
}

pub(crate) fn intent(seed: u64, companies: &[Company], now: Timestamp) -> Vec<IntentEvent> {
    let this_week = time::week_start(time::base_second(now));
    let mut events = Vec::new();
    for company in companies {
        let mut rng = Rng::derive(seed, STREAM_INTENT, u64::from(company.id.0));
        // (topic, first week ago, last week ago, low score, high score)
        let mut surges: Vec<(&'static str, i64, i64, u32, u32)> = Vec::new();
        if company.in_market {
            surges.push((catalog::INTENT_TOPICS[0], rng.range(3, 6).into(), 0, 60, 95));
            if rng.chance(0.6) {
                surges.push((catalog::INTENT_TOPICS[1], rng.range(2, 4).into(), 0, 55, 92));
            }
        } else if rng.chance(0.3) {
            // Interest that is weaker, or that ended before the ICP's 21-day window.
            if rng.chance(0.35) {
                let last = i64::from(rng.range(4, 9));
                surges.push((catalog::INTENT_TOPICS[0], last + 3, last, 55, 85));
            } else {
                surges.push((catalog::INTENT_TOPICS[rng.index(2)], 4, 0, 15, 58));
            }
        } else if !company.is_competitor && !rng.chance(0.5) {
            continue;
        }
        for _ in 0..rng.range(0, 2) {
            let topic = catalog::INTENT_TOPICS[2 + rng.index(catalog::INTENT_TOPICS.len() - 2)];
            if !surges.iter().any(|s| s.0 == topic) {
                surges.push((
                    topic,
                    rng.range(2, 11).into(),
                    rng.range(0, 2).into(),
                    20,
                    75,
                ));
            }
        }
        for (topic, from, to, lo, hi) in surges {
            for weeks_ago in (to..=from.min(INTENT_WEEKS - 1)).rev() {
                let score = rng.range(lo, hi) as u8;
                events.push(IntentEvent {
                    at: time::at(this_week - weeks_ago * 7 * DAY),
                    company_id: company.id,
                    topic,
                    score,
                });
            }
        }
    }
    events.sort_by_key(|e| e.at);
    events
}
