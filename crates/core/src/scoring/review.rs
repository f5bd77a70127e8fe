//! A model review's evidence: what actually happened to the leads a version scored, against
//! what it predicted for them, so that "adjust thresholds based on what's actually
//! converting" is a table and a sentence rather than a feeling.
//!
//! Each lead counts once, with its score and probability from the first time this version
//! scored it (what the version promised before anything happened). Leads are cut into five
//! equal-count bands by score — quintiles rather than the card's own bins, because the card
//! bins features, not scores, and equal counts give every band an interval of the same
//! width, so a band that misses is a miss and not a band of three leads. Only leads scored
//! at least [`MATURE_AFTER_DAYS`] days ago are judged: a lead scored last week has had no
//! time to convert, and counting it would make every card look pessimistic. An outcome
//! counts when it happened on or after the day the lead was scored, and only outcomes of a
//! conversion kind (`[scoring] conversion`) are conversions.
//!
//! With fewer than [`MIN_CONVERSIONS`] conversions among the judged leads the review says
//! so, and raises no warning: a Wilson interval that wide tells nothing.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::metrics::{self, Z_95};
use super::outcome::OutcomeKind;

/// Days a lead must have been scored before it is judged.
pub const MATURE_AFTER_DAYS: i64 = 30;
/// Conversions among judged leads below which the review does not judge.
pub const MIN_CONVERSIONS: u64 = 10;
/// Bands the leads are cut into.
pub const BANDS: usize = 5;
/// The largest acceptable relative gap between mean predicted and observed conversion.
pub const MAX_GAP: f64 = 0.20;
/// Score PSI against the training distribution above which a review opens early.
pub const MAX_DRIFT_PSI: f64 = 0.25;
/// Live leads below which score PSI is not measured: fewer are noise, not drift.
pub const DRIFT_MIN_LEADS: usize = 100;

/// One lead as the version first scored it, with the outcomes recorded on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredLead {
    pub score: i64,
    pub probability: f64,
    pub scored_at: Timestamp,
    pub outcomes: Vec<(OutcomeKind, Date)>,
}

/// A band of leads by score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// 1 is the lowest-scoring band.
    pub band: usize,
    pub score_low: i64,
    pub score_high: i64,
    pub leads: u64,
    /// Leads scored at least the maturity age ago: the ones judged.
    pub judged: u64,
    /// Mean predicted probability of the judged leads.
    pub mean_predicted: Option<f64>,
    /// Judged leads with any outcome recorded yet.
    pub with_outcome: u64,
    pub conversions: u64,
    pub observed_rate: Option<f64>,
    /// Wilson 95 % interval of the observed rate.
    pub observed_low: f64,
    pub observed_high: f64,
    /// The prediction falls outside the interval.
    pub off: bool,
}

/// A share of judged leads that converted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub leads: u64,
    pub conversions: u64,
    pub rate: Option<f64>,
}

impl Rate {
    fn of(leads: u64, conversions: u64) -> Rate {
        Rate {
            leads,
            conversions,
            rate: (leads > 0).then(|| conversions as f64 / leads as f64),
        }
    }
}

/// What a review shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub computed_at: Timestamp,
    pub threshold: i64,
    pub conversion: Vec<OutcomeKind>,
    pub mature_after_days: i64,
    pub leads: u64,
    pub judged: u64,
    /// Leads scored too recently to judge.
    pub young: u64,
    pub with_outcome: u64,
    pub conversions: u64,
    pub mean_predicted: Option<f64>,
    pub observed_rate: Option<f64>,
    /// Judged leads at or above the threshold, and how many converted: its precision.
    pub outreach: Rate,
    /// Judged leads below the threshold: the conversion left in nurture.
    pub nurture: Rate,
    pub bands: Vec<Band>,
    /// Enough conversions to judge.
    pub enough: bool,
    /// What to adjust, in one sentence.
    pub advice: String,
    /// Red flags, in words: a gate with them is approved only with a reason.
    pub warnings: Vec<String>,
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// Whether a lead converted: an outcome of a conversion kind on or after its scoring day.
fn converted(lead: &ScoredLead, conversion: &BTreeSet<OutcomeKind>) -> bool {
    let scored_on = lead.scored_at.to_zoned(jiff::tz::TimeZone::UTC).date();
    lead.outcomes
        .iter()
        .any(|(kind, on)| conversion.contains(kind) && *on >= scored_on)
}

/// Computes the evidence of a review at `now` for the leads a version scored.
pub fn evidence(
    leads: &[ScoredLead],
    conversion: &[OutcomeKind],
    threshold: i64,
    now: Timestamp,
) -> Evidence {
    let conversion_set: BTreeSet<OutcomeKind> = conversion.iter().copied().collect();
    let cutoff = now - SignedDuration::from_hours(24 * MATURE_AFTER_DAYS);
    let mut order: Vec<usize> = (0..leads.len()).collect();
    order.sort_by(|&a, &b| {
        (leads[a].score, leads[a].probability.to_bits())
            .cmp(&(leads[b].score, leads[b].probability.to_bits()))
    });
    let judged = |l: &ScoredLead| l.scored_at <= cutoff;
    let n = leads.len();
    let bands_wanted = BANDS.min(n);
    let bands: Vec<Band> = (0..bands_wanted)
        .map(|b| {
            let members: Vec<&ScoredLead> = order[b * n / bands_wanted..(b + 1) * n / bands_wanted]
                .iter()
                .map(|&i| &leads[i])
                .collect();
            let old: Vec<&&ScoredLead> = members.iter().filter(|l| judged(l)).collect();
            let conversions = old.iter().filter(|l| converted(l, &conversion_set)).count() as u64;
            let count = old.len() as u64;
            let (low, high) = metrics::wilson(conversions, count, Z_95);
            let mean_predicted =
                (count > 0).then(|| old.iter().map(|l| l.probability).sum::<f64>() / count as f64);
            Band {
                band: b + 1,
                score_low: members.first().map_or(0, |l| l.score),
                score_high: members.last().map_or(0, |l| l.score),
                leads: members.len() as u64,
                judged: count,
                mean_predicted,
                with_outcome: old.iter().filter(|l| !l.outcomes.is_empty()).count() as u64,
                conversions,
                observed_rate: (count > 0).then(|| conversions as f64 / count as f64),
                observed_low: low,
                observed_high: high,
                off: mean_predicted.is_some_and(|p| p < low || p > high),
            }
        })
        .collect();
    let old: Vec<&ScoredLead> = leads.iter().filter(|l| judged(l)).collect();
    let judged_count = old.len() as u64;
    let conversions = old.iter().filter(|l| converted(l, &conversion_set)).count() as u64;
    let split = |above: bool| {
        let part: Vec<&&ScoredLead> = old
            .iter()
            .filter(|l| (l.score >= threshold) == above)
            .collect();
        let c = part
            .iter()
            .filter(|l| converted(l, &conversion_set))
            .count() as u64;
        Rate::of(part.len() as u64, c)
    };
    let mut evidence = Evidence {
        computed_at: now,
        threshold,
        conversion: conversion_set.iter().copied().collect(),
        mature_after_days: MATURE_AFTER_DAYS,
        leads: n as u64,
        judged: judged_count,
        young: n as u64 - judged_count,
        with_outcome: old.iter().filter(|l| !l.outcomes.is_empty()).count() as u64,
        conversions,
        mean_predicted: (judged_count > 0)
            .then(|| old.iter().map(|l| l.probability).sum::<f64>() / judged_count as f64),
        observed_rate: (judged_count > 0).then(|| conversions as f64 / judged_count as f64),
        outreach: split(true),
        nurture: split(false),
        bands,
        enough: conversions >= MIN_CONVERSIONS,
        advice: String::new(),
        warnings: Vec::new(),
    };
    evidence.warnings = warnings(&evidence);
    evidence.advice = advice(&evidence);
    evidence
}

/// The relative gap between mean predicted and observed conversion, when both exist and
/// something converted.
pub fn gap(evidence: &Evidence) -> Option<f64> {
    match (evidence.mean_predicted, evidence.observed_rate) {
        (Some(p), Some(o)) if o > 0.0 => Some((p - o).abs() / o),
        _ => None,
    }
}

/// The red flags, only when there is enough to judge: a band whose prediction falls
/// outside its interval, and mean predicted against observed more than 20 % apart.
fn warnings(e: &Evidence) -> Vec<String> {
    if !e.enough {
        return Vec::new();
    }
    let mut out: Vec<String> = e
        .bands
        .iter()
        .filter(|b| b.off)
        .map(|b| {
            format!(
                "Band {} (scores {}–{}): predicted {}, observed {} (95 % interval {}–{})",
                b.band,
                b.score_low,
                b.score_high,
                pct(b.mean_predicted.unwrap_or_default()),
                pct(b.observed_rate.unwrap_or_default()),
                pct(b.observed_low),
                pct(b.observed_high)
            )
        })
        .collect();
    if let Some(g) = gap(e).filter(|g| *g > MAX_GAP + 1e-9) {
        out.push(format!(
            "Mean predicted conversion {} against {} observed: {} apart (limit {})",
            pct(e.mean_predicted.unwrap_or_default()),
            pct(e.observed_rate.unwrap_or_default()),
            pct(g),
            pct(MAX_GAP)
        ));
    }
    out
}

/// What to adjust, in one sentence a RevOps reader can act on.
fn advice(e: &Evidence) -> String {
    if !e.enough {
        return format!(
            "Too few outcomes to judge: {} conversion(s) among {} lead(s) scored {} or more \
             days ago (at least {} needed; {} younger lead(s) not counted). Keep recording \
             outcomes and judge at the next review.",
            e.conversions, e.judged, e.mature_after_days, MIN_CONVERSIONS, e.young
        );
    }
    let (predicted, observed) = (
        e.mean_predicted.unwrap_or_default(),
        e.observed_rate.unwrap_or_default(),
    );
    if gap(e).is_some_and(|g| g > MAX_GAP + 1e-9) {
        let way = if predicted > observed {
            "overstates"
        } else {
            "understates"
        };
        return format!(
            "The card {way} conversion ({} predicted, {} observed): retrain on a history \
             that includes these outcomes, and read its probabilities as a ranking until then.",
            pct(predicted),
            pct(observed)
        );
    }
    let (precision, nurture) = (e.outreach.rate, e.nurture.rate);
    if let (Some(p), Some(n)) = (precision, nurture) {
        if n >= p {
            return format!(
                "Leads above the threshold convert no better than nurture ({} against {}): \
                 the card does not rank these leads; retrain.",
                pct(p),
                pct(n)
            );
        }
        // The highest nurture band converting at least half as well as outreach is worth
        // sales' time: the threshold can come down to its lowest score.
        if let Some(band) = e
            .bands
            .iter()
            .rev()
            .filter(|b| b.score_high < e.threshold)
            .find(|b| b.observed_rate.is_some_and(|r| r >= p / 2.0))
        {
            return format!(
                "Nurture band {} (scores {}–{}) converts at {} against {} in outreach: \
                 consider lowering the threshold from {} to {}.",
                band.band,
                band.score_low,
                band.score_high,
                pct(band.observed_rate.unwrap_or_default()),
                pct(p),
                e.threshold,
                band.score_low
            );
        }
    }
    let off: Vec<String> = e
        .bands
        .iter()
        .filter(|b| b.off)
        .map(|b| b.band.to_string())
        .collect();
    if !off.is_empty() {
        return format!(
            "Band(s) {} convert outside what was predicted: retrain before trusting the \
             probabilities there; the threshold may stay at {}.",
            off.join(", "),
            e.threshold
        );
    }
    format!(
        "Predictions hold: {} of outreach leads converted against {} in nurture; keep the \
         threshold at {}.",
        precision.map(pct).unwrap_or_else(|| "none".into()),
        nurture.map(pct).unwrap_or_else(|| "none".into()),
        e.threshold
    )
}

/// Score PSI of the live leads' probabilities now against a baseline — the version's
/// leads as its first scoring run saw them, when it went live — in deciles of the baseline;
/// `None` with fewer than [`DRIFT_MIN_LEADS`] leads on either side.
///
/// Why not against the training history: the leads an ICP admits are a narrower set than
/// every past lead of a CRM, so they differ from the training distribution on the first day;
/// that is a question for the calibration gate, not a drift. A drift is the leads changing
/// after the version went live.
pub fn drift(baseline: &[f64], live: &[f64]) -> Option<f64> {
    (live.len() >= DRIFT_MIN_LEADS && baseline.len() >= DRIFT_MIN_LEADS)
        .then(|| metrics::score_psi(baseline, live, 10))
}

/// Why a review should open before its date, in words; `None` when nothing calls for it.
pub fn early_reason(psi: Option<f64>, evidence: &Evidence) -> Option<String> {
    if let Some(psi) = psi.filter(|p| *p > MAX_DRIFT_PSI) {
        return Some(format!(
            "score PSI {psi:.3} of the live leads against its leads when it went live (limit {MAX_DRIFT_PSI})"
        ));
    }
    if evidence.enough
        && let Some(g) = gap(evidence).filter(|g| *g > MAX_GAP + 1e-9)
    {
        return Some(format!(
            "mean predicted conversion {} against {} observed, {} apart (limit {})",
            pct(evidence.mean_predicted.unwrap_or_default()),
            pct(evidence.observed_rate.unwrap_or_default()),
            pct(g),
            pct(MAX_GAP)
        ));
    }
    None
}

/// Predicted against observed conversion by band, as SVG: the report's reliability chart
/// drawn over the review's bands (judged leads only; a band with none is left out).
pub fn chart(evidence: &Evidence, id: &str) -> String {
    let bins: Vec<metrics::ReliabilityBin> = evidence
        .bands
        .iter()
        .filter_map(|b| {
            Some(metrics::ReliabilityBin {
                count: b.judged,
                conversions: b.conversions,
                min_predicted: b.mean_predicted?,
                max_predicted: b.mean_predicted?,
                mean_predicted: b.mean_predicted?,
                observed_rate: b.observed_rate?,
                observed_low: b.observed_low,
                observed_high: b.observed_high,
            })
        })
        .collect();
    super::report::svg::reliability_chart(&bins, "Predicted against observed, by score band", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2027-03-01T00:00:00Z".parse().unwrap()
    }

    fn lead(score: i64, probability: f64, days_ago: i64, won: bool) -> ScoredLead {
        let scored_at = now() - SignedDuration::from_hours(24 * days_ago);
        let on = scored_at.to_zoned(jiff::tz::TimeZone::UTC).date();
        ScoredLead {
            score,
            probability,
            scored_at,
            outcomes: if won {
                vec![(OutcomeKind::Won, on)]
            } else {
                Vec::new()
            },
        }
    }

    /// 50 old leads, 10 per band, each band predicted 0.1 .. 0.5 with 1 .. 5 conversions,
    /// plus three young leads that are counted apart.
    fn calibrated() -> Vec<ScoredLead> {
        let mut leads = Vec::new();
        for band in 0..5i64 {
            for i in 0..10i64 {
                let p = 0.1 * (band + 1) as f64;
                leads.push(lead(100 + band * 20 + i, p, 40, i <= band));
            }
        }
        for i in 0..3 {
            leads.push(lead(300 + i, 0.9, 5, false));
        }
        leads
    }

    #[test]
    fn bands_count_predicted_and_observed_by_hand() {
        let e = evidence(&calibrated(), &[OutcomeKind::Won], 160, now());
        assert_eq!((e.leads, e.judged, e.young), (53, 50, 3));
        // 1 + 2 + 3 + 4 + 5 conversions among 50 judged leads.
        assert_eq!(e.conversions, 15);
        assert!((e.observed_rate.unwrap() - 0.3).abs() < 1e-12);
        assert!((e.mean_predicted.unwrap() - 0.3).abs() < 1e-12);
        assert!(e.enough);
        // 53 leads into 5 bands: 10, 11, 10, 11, 11 (b·n/5 cuts).
        let sizes: Vec<u64> = e.bands.iter().map(|b| b.leads).collect();
        assert_eq!(sizes, [10, 11, 10, 11, 11]);
        // Band 1 is the first ten leads: predicted 0.1, one of ten converted.
        let b1 = &e.bands[0];
        assert_eq!(
            (b1.score_low, b1.score_high, b1.judged, b1.conversions),
            (100, 109, 10, 1)
        );
        let (low, high) = metrics::wilson(1, 10, Z_95);
        assert!((b1.observed_low - low).abs() < 1e-12 && (b1.observed_high - high).abs() < 1e-12);
        // 0.0179 .. 0.4042 holds 0.1.
        assert!(!b1.off);
        // Threshold 160 splits bands 1–3 (30 leads, 6 conversions) from 4–5 (20 leads, 9).
        assert_eq!((e.outreach.leads, e.outreach.conversions), (20, 9));
        assert_eq!((e.nurture.leads, e.nurture.conversions), (30, 6));
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    }

    #[test]
    fn a_card_that_promises_too_much_is_flagged_and_told_to_retrain() {
        let mut leads = calibrated();
        for l in &mut leads {
            l.probability *= 1.5;
        }
        let e = evidence(&leads, &[OutcomeKind::Won], 160, now());
        // Mean predicted 0.45 against 0.3 observed: 50 % apart.
        assert!((gap(&e).unwrap() - 0.5).abs() < 1e-9);
        assert!(
            e.warnings
                .iter()
                .any(|w| w.starts_with("Mean predicted conversion 45.0 %"))
        );
        // Band 5's eight judged leads predicted 0.75, observed 3 of 8: outside 0.137–0.694.
        assert!(e.bands[4].off);
        assert!(e.advice.contains("overstates"), "{}", e.advice);
        assert!(early_reason(None, &e).is_some());
    }

    #[test]
    fn too_few_outcomes_are_said_and_raise_no_warning() {
        let leads: Vec<ScoredLead> = (0..20).map(|i| lead(100 + i, 0.9, 40, i < 2)).collect();
        let e = evidence(&leads, &[OutcomeKind::Won], 150, now());
        assert!(!e.enough);
        assert!(e.warnings.is_empty());
        assert!(
            e.advice
                .starts_with("Too few outcomes to judge: 2 conversion(s) among 20"),
            "{}",
            e.advice
        );
        assert_eq!(early_reason(Some(0.1), &e), None);
    }

    #[test]
    fn an_outcome_before_the_scoring_or_of_another_kind_is_no_conversion() {
        let mut l = lead(100, 0.2, 40, false);
        let before = (l.scored_at - SignedDuration::from_hours(48))
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        l.outcomes = vec![
            (OutcomeKind::Won, before),
            (
                OutcomeKind::MeetingBooked,
                now().to_zoned(jiff::tz::TimeZone::UTC).date(),
            ),
        ];
        let e = evidence(
            &[l],
            &[OutcomeKind::Won, OutcomeKind::OpportunityOpened],
            150,
            now(),
        );
        assert_eq!((e.conversions, e.with_outcome), (0, 1));
    }

    #[test]
    fn a_nurture_band_that_converts_like_outreach_asks_for_a_lower_threshold() {
        // Threshold 180 leaves 40 judged leads in nurture (10 converted) and 10 in outreach (5):
        // quintile band 3 (scores 141–160) converts 3 of 10, more than half of outreach's 50 %.
        let e = evidence(&calibrated(), &[OutcomeKind::Won], 180, now());
        assert!(
            e.advice.contains("lowering the threshold from 180 to 141"),
            "{}",
            e.advice
        );
    }

    #[test]
    fn drift_needs_enough_leads_on_both_sides_and_opens_early_above_a_quarter() {
        let baseline: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
        let same: Vec<f64> = (0..200).map(|i| i as f64 / 200.0).collect();
        let shifted: Vec<f64> = (0..200).map(|i| 0.8 + i as f64 / 1000.0).collect();
        assert_eq!(drift(&baseline, &shifted[..50]), None);
        assert_eq!(drift(&baseline[..50], &shifted), None);
        assert!(drift(&baseline, &same).unwrap() < 0.01);
        let psi = drift(&baseline, &shifted).unwrap();
        assert!(psi > MAX_DRIFT_PSI);
        let quiet = evidence(&[], &[OutcomeKind::Won], 150, now());
        assert!(
            early_reason(Some(psi), &quiet)
                .unwrap()
                .starts_with("score PSI")
        );
        assert_eq!(drift(&[], &same), None);
    }
}
