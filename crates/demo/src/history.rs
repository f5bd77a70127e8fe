//! A CRM history export of past leads for training a points card that scores live leads:
//! one row per lead with the columns of the lead vocabulary (`core::scoring::lead`: the
//! names `leadgate leads score` computes for a live prospect), the date the lead was
//! created and whether it converted (`yes`/`no`).
//!
//! Conversion follows a documented latent logistic model with knobs for each effect
//! ([`HistoryKnobs`]), shaped so that a card has real but imperfect signal to find: company
//! size matters in a hump (mid-market converts best, not the largest), pricing visits pay
//! with diminishing returns, intent counts only above 60, seniority helps more when the lead
//! is also engaged (a pair worth learning), and an unobserved part of the log-odds keeps the
//! best possible ranking well short of perfect. The base rate drifts up over the two years,
//! so an out-of-time test sees a newer window that converts more than the older one, as real
//! funnels do. Same seed and `now`, same bytes.

use std::io::{self, Write};
use std::path::Path;

use jiff::Timestamp;

use crate::csv::CsvWriter;
use crate::rng::{Rng, sigmoid};
use crate::time::{self, DAY};

const STREAM_HISTORY: u64 = 40;

/// The columns written, in order: the vocabulary's, then `created_at` and `converted`.
pub const HISTORY_COLUMNS: &[&str] = &[
    "seniority",
    "department",
    "country",
    "industry",
    "employees",
    "funding_stage",
    "days_since_funding",
    "headcount_growth_pct",
    "open_roles",
    "tenure_months",
    "tech_stack_count",
    "has_salesforce",
    "pricing_page_visit_7d",
    "pricing_page_visit_30d",
    "page_view_30d",
    "email_open_30d",
    "email_click_30d",
    "email_reply_30d",
    "webinar_attended_90d",
    "content_download_90d",
    "trial_signup_90d",
    "demo_request_90d",
    "intent_max_30d",
    "created_at",
    "converted",
];

/// The effect sizes of the latent model, in log-odds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryKnobs {
    /// Leads written.
    pub rows: usize,
    /// The log-odds of a lead with every effect at zero, at the start of the history.
    pub intercept: f64,
    /// How much the base log-odds rises from the oldest lead to the newest.
    pub drift: f64,
    /// Scales every fit effect (seniority, size, funding, growth, stack).
    pub fit: f64,
    /// Scales every engagement effect (pricing, e-mail, webinar, trial, demo, intent).
    pub engagement: f64,
    /// The extra log-odds of a senior lead who visited pricing in the last 7 days.
    pub senior_engaged: f64,
    /// Standard deviation of the unobserved part of the log-odds.
    pub noise_sd: f64,
}

impl Default for HistoryKnobs {
    fn default() -> Self {
        HistoryKnobs {
            rows: 4_000,
            intercept: -4.7,
            drift: 0.7,
            fit: 1.0,
            engagement: 1.0,
            senior_engaged: 0.6,
            noise_sd: 0.8,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryStats {
    pub rows: usize,
    pub conversions: usize,
}

/// Writes the history with the default knobs to `path`.
pub fn write(path: &Path, seed: u64, now: Timestamp) -> io::Result<HistoryStats> {
    write_with(path, seed, now, &HistoryKnobs::default())
}

/// Writes the history with `knobs` to `path`.
pub fn write_with(
    path: &Path,
    seed: u64,
    now: Timestamp,
    knobs: &HistoryKnobs,
) -> io::Result<HistoryStats> {
    let file = std::fs::File::create(path)?;
    let mut out = io::BufWriter::new(file);
    let stats = write_to(&mut out, seed, now, knobs)?;
    out.flush()?;
    Ok(stats)
}

const SENIORITY: &[(&str, u32, f64)] = &[
    ("c_level", 6, 0.5),
    ("vp", 12, 0.7),
    ("director", 18, 0.5),
    ("manager", 30, 0.1),
    ("senior", 16, -0.2),
    ("entry", 10, -0.6),
    ("", 8, 0.0),
];
const DEPARTMENTS: &[(&str, u32)] = &[
    ("sales", 40),
    ("marketing", 25),
    ("operations", 15),
    ("engineering", 10),
    ("", 10),
];
const COUNTRIES: &[(&str, u32)] = &[
    ("US", 45),
    ("GB", 15),
    ("DE", 15),
    ("FR", 10),
    ("CA", 10),
    ("", 5),
];
/// Industries in the words live leads carry them (LinkedIn's classic labels, as the demo
/// world and the ICP write them): a card learned on "software" could not place a live lead
/// of "Computer Software". Most past leads came from the ICP's three industries.
const INDUSTRIES: &[(&str, u32, f64)] = &[
    ("Computer Software", 20, 0.4),
    ("Internet", 10, 0.35),
    ("Information Technology and Services", 8, 0.3),
    ("Financial Services", 12, 0.1),
    ("Mechanical or Industrial Engineering", 12, -0.3),
    ("Retail", 12, -0.2),
    ("Hospital & Health Care", 8, 0.0),
    ("", 10, 0.0),
];
const FUNDING: &[(&str, u32, f64)] = &[
    ("Seed", 15, -0.1),
    ("Series A", 20, 0.2),
    ("Series B", 15, 0.45),
    ("Series C", 8, 0.3),
    ("", 42, 0.0),
];

/// Company sizes: the band's range, its weight, and its log-odds — a hump that peaks in the
/// mid-market, not at the largest companies. (Bands, not a logarithm: the demo's bytes must
/// not depend on the platform's maths library.)
const SIZES: &[((u32, u32), u32, f64)] = &[
    ((10, 49), 25, -0.5),
    ((50, 199), 25, 0.1),
    ((200, 499), 18, 0.5),
    ((500, 999), 12, 0.6),
    ((1_000, 4_999), 12, 0.2),
    ((5_000, 20_000), 8, -0.3),
];

/// A size band's range and its log-odds.
type Band = ((u32, u32), f64);

fn pick3<'a>(rng: &mut Rng, items: &'a [(&'a str, u32, f64)]) -> (&'a str, f64) {
    let pairs: Vec<((&str, f64), u32)> = items.iter().map(|(s, w, e)| ((*s, *e), *w)).collect();
    *rng.weighted(&pairs)
}

fn write_to<W: Write>(
    out: W,
    seed: u64,
    now: Timestamp,
    knobs: &HistoryKnobs,
) -> io::Result<HistoryStats> {
    let mut csv = CsvWriter::new(out, b',', false);
    csv.record(HISTORY_COLUMNS)?;
    let end = time::base_second(now) - 30 * DAY;
    let span = 730 * DAY;
    let mut conversions = 0;
    for i in 0..knobs.rows {
        let mut rng = Rng::derive(seed, STREAM_HISTORY, i as u64);
        let age = rng.unit();
        let created = end - (age * span as f64) as i64;
        let (seniority, senior_effect) = pick3(&mut rng, SENIORITY);
        let department = *rng.weighted(DEPARTMENTS);
        let country = *rng.weighted(COUNTRIES);
        let (industry, industry_effect) = pick3(&mut rng, INDUSTRIES);
        let bands: Vec<(Band, u32)> = SIZES.iter().map(|(r, w, e)| ((*r, *e), *w)).collect();
        let ((low, high), size_effect) = *rng.weighted(&bands);
        let employees = f64::from(rng.range(low, high));
        let (funding, funding_effect) = pick3(&mut rng, FUNDING);
        let days_since_funding = (!funding.is_empty()).then(|| rng.range(10, 900));
        let growth = (rng.chance(0.7)).then(|| (rng.normal() * 12.0 + 8.0).round());
        let open_roles = (employees / 40.0 * rng.unit() * 2.0).round();
        let tenure = rng.chance(0.8).then(|| rng.range(1, 96));
        let stack = rng.range(0, 12);
        let salesforce = stack > 0 && rng.chance(0.45);
        // Engagement: a latent interest drives every count, so they move together.
        let interest = rng.unit();
        let pricing_7d = rng.count(interest * interest * 1.6);
        let pricing_30d = pricing_7d + rng.count(interest * 1.5);
        let page_views = pricing_30d + rng.count(1.0 + interest * 6.0);
        let opens = rng.count(interest * 5.0);
        let clicks = rng.count(f64::from(opens) * 0.3);
        let replies = rng.count(f64::from(clicks) * 0.25);
        let webinar = rng.count(interest * 0.5);
        let downloads = rng.count(interest * 0.8);
        let trial = u32::from(rng.chance(interest * 0.12));
        let demo = u32::from(rng.chance(interest * interest * 0.15));
        let intent = rng.chance(0.5).then(|| rng.range(10, 100));

        let fit = senior_effect
            + industry_effect
            + size_effect
            + funding_effect
            + growth.map_or(0.0, |g| (g / 40.0).clamp(-0.3, 0.5))
            + if salesforce { 0.25 } else { 0.0 };
        let engagement = 0.45 * f64::from(pricing_7d.min(3))
            + 0.15 * f64::from(pricing_30d.min(6))
            + 0.05 * f64::from(opens.min(10))
            + 0.3 * f64::from(replies.min(2))
            + 0.35 * f64::from(webinar.min(1))
            + 0.8 * f64::from(trial)
            + 1.0 * f64::from(demo)
            + intent.map_or(0.0, |s| (f64::from(s) - 60.0).max(0.0) / 40.0 * 0.9);
        let senior = matches!(seniority, "c_level" | "vp" | "director");
        let z = knobs.intercept
            + knobs.drift * (1.0 - age)
            + knobs.fit * fit
            + knobs.engagement * engagement
            + if senior && pricing_7d > 0 {
                knobs.senior_engaged
            } else {
                0.0
            }
            + knobs.noise_sd * rng.normal();
        let converted = rng.chance(sigmoid(z));
        conversions += usize::from(converted);
        let opt = |v: Option<String>| v.unwrap_or_default();
        csv.record(&[
            seniority.to_string(),
            department.to_string(),
            country.to_string(),
            industry.to_string(),
            employees.to_string(),
            funding.to_string(),
            opt(days_since_funding.map(|d| d.to_string())),
            opt(growth.map(|g| g.to_string())),
            open_roles.to_string(),
            opt(tenure.map(|t| t.to_string())),
            stack.to_string(),
            if salesforce { "yes" } else { "no" }.to_string(),
            pricing_7d.to_string(),
            pricing_30d.to_string(),
            page_views.to_string(),
            opens.to_string(),
            clicks.to_string(),
            replies.to_string(),
            webinar.to_string(),
            downloads.to_string(),
            trial.to_string(),
            demo.to_string(),
            opt(intent.map(|s| s.to_string())),
            time::date(time::at(created)),
            if converted { "yes" } else { "no" }.to_string(),
        ])?;
    }
    Ok(HistoryStats {
        rows: knobs.rows,
        conversions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    fn history(seed: u64, knobs: &HistoryKnobs) -> (String, HistoryStats) {
        let mut bytes = Vec::new();
        let stats = write_to(&mut bytes, seed, now(), knobs).unwrap();
        (String::from_utf8(bytes).unwrap(), stats)
    }

    fn column(text: &str, name: &str) -> Vec<String> {
        let at = HISTORY_COLUMNS.iter().position(|c| *c == name).unwrap();
        text.lines()
            .skip(1)
            .map(|l| l.split(',').nth(at).unwrap().to_string())
            .collect()
    }

    #[test]
    fn every_industry_of_the_history_is_one_a_live_lead_can_have() {
        let (text, _) = history(7, &HistoryKnobs::default());
        let live: Vec<&str> = crate::catalog::INDUSTRIES.iter().map(|i| i.name).collect();
        for industry in column(&text, "industry") {
            assert!(
                industry.is_empty() || live.contains(&industry.as_str()),
                "`{industry}` is no industry of the demo world"
            );
        }
    }

    #[test]
    fn enough_conversions_to_train_on_and_the_same_bytes_for_the_same_seed() {
        let (text, stats) = history(7, &HistoryKnobs::default());
        assert_eq!(stats.rows, 4_000);
        assert!(stats.conversions >= 120, "{stats:?}");
        assert!(stats.conversions <= 800, "{stats:?}");
        assert_eq!(text.lines().count(), 4_001);
        assert_eq!(history(7, &HistoryKnobs::default()).0, text);
        assert_ne!(history(8, &HistoryKnobs::default()).0, text);
    }

    #[test]
    fn engaged_leads_convert_more_and_the_knob_turns_it_off() {
        let rate = |knobs: &HistoryKnobs| {
            let (text, _) = history(3, knobs);
            let pricing = column(&text, "pricing_page_visit_7d");
            let converted = column(&text, "converted");
            let share = |hot: bool| {
                let rows: Vec<bool> = pricing
                    .iter()
                    .zip(&converted)
                    .filter(|(p, _)| (p.as_str() != "0") == hot)
                    .map(|(_, c)| c == "yes")
                    .collect();
                rows.iter().filter(|c| **c).count() as f64 / rows.len() as f64
            };
            (share(true), share(false))
        };
        let (hot, cold) = rate(&HistoryKnobs::default());
        assert!(hot > 1.5 * cold, "hot {hot:.3}, cold {cold:.3}");
        let flat = HistoryKnobs {
            engagement: 0.0,
            senior_engaged: 0.0,
            ..HistoryKnobs::default()
        };
        let (hot, cold) = rate(&flat);
        assert!((hot - cold).abs() < 0.04, "hot {hot:.3}, cold {cold:.3}");
    }

    #[test]
    fn the_newer_leads_convert_more_than_the_older() {
        let (text, _) = history(5, &HistoryKnobs::default());
        let mut rows: Vec<(String, bool)> = column(&text, "created_at")
            .into_iter()
            .zip(column(&text, "converted").into_iter().map(|c| c == "yes"))
            .collect();
        rows.sort();
        let half = rows.len() / 2;
        let rate = |r: &[(String, bool)]| r.iter().filter(|x| x.1).count() as f64 / r.len() as f64;
        assert!(rate(&rows[half..]) > rate(&rows[..half]));
    }
}
