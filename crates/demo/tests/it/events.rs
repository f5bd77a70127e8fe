//! Engagement and intent events: well-formed, recent, and driven by who is in market.

use std::collections::HashSet;

use serde_json::Value;

use crate::support::{now, path, world};

fn lines(relative: &str) -> Vec<Value> {
    std::fs::read_to_string(path(relative))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn seconds(v: &Value) -> i64 {
    v["at"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

#[test]
fn engagement_events_are_recent_and_well_formed() {
    let now = now().as_second();
    let kinds = [
        "page_view",
        "webinar_attended",
        "email_open",
        "email_click",
        "demo_request",
    ];
    let events = lines("events/engagement.jsonl");
    assert_eq!(events.len(), world().engagement.len());
    let mut seen = HashSet::new();
    for e in &events {
        let at = seconds(e);
        assert!(at <= now && at >= now - 120 * 86_400, "{e}");
        let kind = e["kind"].as_str().unwrap();
        assert!(kinds.contains(&kind), "{e}");
        seen.insert(kind);
        assert!(e.get("email").is_some() != e.get("domain").is_some(), "{e}");
        if kind == "page_view" {
            assert!(e["url"].as_str().is_some(), "{e}");
        }
    }
    assert_eq!(seen.len(), kinds.len());
}

#[test]
fn in_market_companies_visit_pricing_recently() {
    let w = world();
    let month_ago = (now() - jiff::SignedDuration::from_hours(24 * 30)).as_second();
    let recent: HashSet<_> = w
        .engagement
        .iter()
        .filter(|e| e.kind.name() == "pricing_page_visit" && e.at.as_second() >= month_ago)
        .map(|e| e.company_id)
        .collect();
    for c in w.companies.iter().filter(|c| c.in_market) {
        assert!(
            recent.contains(&c.id),
            "{} is in market without a visit",
            c.name
        );
    }
    let in_market = w.companies.iter().filter(|c| c.in_market).count();
    assert!(
        recent.len() < in_market * 2,
        "background visits stay a minority"
    );
}

#[test]
fn intent_scores_are_weekly_and_surge_for_in_market_companies() {
    let w = world();
    let events = lines("events/intent.jsonl");
    assert_eq!(events.len(), w.intent.len());
    for e in &events {
        let score = e["score"].as_u64().unwrap();
        assert!(score <= 100);
        assert!(e["domain"].as_str().unwrap().contains('.'));
        assert!(seconds(e) <= now().as_second());
    }
    let three_weeks = (now() - jiff::SignedDuration::from_hours(24 * 21)).as_second();
    for c in w.companies.iter().filter(|c| c.in_market) {
        assert!(
            w.intent.iter().any(|i| i.company_id == c.id
                && i.topic == "lead routing"
                && i.score >= 60
                && i.at.as_second() >= three_weeks),
            "{} has no recent lead-routing intent",
            c.name
        );
    }
}
