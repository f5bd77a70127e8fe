//! The sample-review gate's arithmetic: which records a reviewer checks, and whether their
//! verdicts let the list move on. A list of thousands cannot be read record by record, so a
//! person checks a small random sample; for that to mean anything the sample must be
//! reproducible (the same list and seed give the same records, whatever order the store
//! returned them in, so an auditor can redraw it) and must reach every source (a broken
//! export from one source should not hide behind a large clean one).
//!
//! [`draw`] sorts the records by id, groups them by stratum (their primary source), gives
//! each stratum its proportional share of the sample by the largest-remainder method — with
//! at least one record for every stratum as long as the sample size allows, taken from the
//! largest shares — and then draws each stratum's share with a partial Fisher–Yates shuffle
//! driven by SplitMix64 (a small, well-known generator, so the draw does not change when a
//! dependency's generator does). [`tally`] counts the verdicts: the list passes when every
//! sampled record was reviewed and at least `ceil(pass_rate × sample size)` match, and a
//! failed sample shows the error rate per source and the most frequent reasons, so the team
//! fixes the source rather than the list.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::compliance::PolicyError;

/// How large the sample is and what it takes to pass (`[discovery.sample]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SamplePolicy {
    /// Records drawn for review. Default 10.
    pub size: usize,
    /// The share of the sample that must match, above 0 and at most 1. Default 0.9: at
    /// least 9 of 10.
    pub pass_rate: f64,
    /// A fixed seed for the draw. Default none: the seed is derived from the list being
    /// sampled ([`SamplePolicy::seed_for`]), so each list gets its own sample and the same
    /// list always the same one.
    pub seed: Option<u64>,
}

impl Default for SamplePolicy {
    fn default() -> Self {
        SamplePolicy {
            size: 10,
            pass_rate: 0.9,
            seed: None,
        }
    }
}

impl SamplePolicy {
    /// Matches needed to pass a sample of `sample_size` records: `ceil(pass_rate ×
    /// sample_size)`, at most `sample_size`. The product is rounded with a tolerance,
    /// because in floating point `0.07 × 100` is `7.000000000000001` and a plain ceiling
    /// would ask for 8 of 100. A pass rate that is not a number asks for every record.
    pub fn required(&self, sample_size: usize) -> usize {
        let rate = if self.pass_rate.is_nan() {
            1.0
        } else {
            self.pass_rate.clamp(0.0, 1.0)
        };
        let exact = rate * sample_size as f64;
        let needed = (exact - 1e-9).ceil().max(0.0) as usize;
        needed.min(sample_size)
    }

    /// The seed for sampling `subject` (a list or gate id): the policy's seed when set,
    /// otherwise one derived from the subject ([`derive_seed`]).
    pub fn seed_for(&self, subject: &str) -> u64 {
        self.seed.unwrap_or_else(|| derive_seed(subject))
    }

    /// Checks that the sample can be drawn and the gate can fail.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.size == 0 {
            return Err(PolicyError::new(
                "size",
                "0: the sample must hold at least one record",
            ));
        }
        if !(self.pass_rate > 0.0 && self.pass_rate <= 1.0) {
            return Err(PolicyError::new(
                "pass_rate",
                format!(
                    "{}: must be above 0 and at most 1 (0.9 means 9 of 10 must match)",
                    self.pass_rate
                ),
            ));
        }
        Ok(())
    }
}

/// A seed for sampling `subject`: the first 8 bytes of SHA-256 of
/// `leadgate-sample-v1:` followed by the subject, big-endian.
pub fn derive_seed(subject: &str) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(b"leadgate-sample-v1:");
    hasher.update(subject.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// A record that may be sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleItem<'a> {
    pub id: i64,
    /// The record's primary source: the sample is stratified by it.
    pub stratum: &'a str,
}

/// Draws up to `size` record ids, seeded and stratified (see the module documentation);
/// every record when there are at most `size`. Ids come back in draw order: strata in
/// byte order of their names, each stratum's records in the order they were drawn.
///
/// The result depends only on the set of items and the seed, not on their order. An id
/// listed twice is one record (its first stratum in byte order).
pub fn draw(items: &[SampleItem<'_>], size: usize, seed: u64) -> Vec<i64> {
    let mut sorted: Vec<(i64, &str)> = items.iter().map(|i| (i.id, i.stratum)).collect();
    sorted.sort_unstable();
    sorted.dedup_by_key(|(id, _)| *id);

    let mut strata: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (id, stratum) in sorted {
        strata.entry(stratum).or_default().push(id);
    }
    let counts: Vec<usize> = strata.values().map(Vec::len).collect();
    let total: usize = counts.iter().sum();
    let shares = allocate(&counts, size.min(total));

    let mut rng = SplitMix64(seed);
    let mut drawn = Vec::with_capacity(size.min(total));
    for (mut pool, share) in strata.into_values().zip(shares) {
        for i in 0..share {
            let j = i + rng.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
            drawn.push(pool[i]);
        }
    }
    drawn
}

/// Splits a sample of `size` records (at most the sum of `counts`) over strata of
/// `counts` records: largest remainder on the proportional quotas (ties to the larger
/// stratum, then the earlier one), then every stratum left with none takes one from the
/// largest share while any share holds more than one (larger strata first).
fn allocate(counts: &[usize], size: usize) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    if size >= total {
        return counts.to_vec();
    }
    let (total_w, size_w) = (total as u128, size as u128);
    let mut shares: Vec<usize> = counts
        .iter()
        .map(|&c| (size_w * c as u128 / total_w) as usize)
        .collect();
    let remainder = |i: usize| size_w * counts[i] as u128 % total_w;
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder.sort_by_key(|&i| {
        (
            std::cmp::Reverse(remainder(i)),
            std::cmp::Reverse(counts[i]),
            i,
        )
    });
    let leftover = size - shares.iter().sum::<usize>();
    for &i in by_remainder.iter().take(leftover) {
        shares[i] += 1;
    }

    loop {
        let empty = (0..counts.len())
            .filter(|&i| shares[i] == 0 && counts[i] > 0)
            .min_by_key(|&i| (std::cmp::Reverse(counts[i]), i));
        let donor = (0..counts.len())
            .filter(|&i| shares[i] > 1)
            .min_by_key(|&i| (std::cmp::Reverse(shares[i]), i));
        let (Some(empty), Some(donor)) = (empty, donor) else {
            break;
        };
        shares[donor] -= 1;
        shares[empty] += 1;
    }
    shares
}

/// SplitMix64 (Steele, Lea and Flood 2014; Vigna's reference `splitmix64.c`).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias (Lemire 2019).
    fn below(&mut self, n: u64) -> u64 {
        let mut product = u128::from(self.next()) * u128::from(n);
        if (product as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.next()) * u128::from(n);
            }
        }
        (product >> 64) as u64
    }
}

crate::values! {
    /// A reviewer's verdict on one sampled record, as stored and as the API and the page
    /// send it.
    pub enum ReviewVerdict("review verdict", read as review_answer) {
        /// The record is what the list claims: a real prospect that fits the ICP.
        Match = "match" / "match",
        NoMatch = "no_match" / "no match",
    }
}

/// A verdict as a reviewer types it: `match`, `no match`, `No-Match`, `yes`, `y`, `no`, `n`.
fn review_answer(text: &str) -> String {
    let spelled = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match spelled.as_str() {
        "yes" | "y" => "match".to_string(),
        "no" | "n" => "no_match".to_string(),
        _ => spelled,
    }
}

/// One reviewed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedItem {
    pub id: i64,
    /// Every source the record came from.
    pub sources: Vec<String>,
    pub verdict: ReviewVerdict,
    /// Why it does not match ("wrong industry", "left the company").
    pub reason: Option<String>,
}

/// Errors of one source in the sample. A record counts for every source it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceErrors {
    pub source: String,
    pub reviewed: usize,
    pub no_match: usize,
    /// `no_match / reviewed`.
    pub error_rate: f64,
}

/// How often one no-match reason was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The reason as first written (trimmed, inner spaces collapsed); "no reason given"
    /// for verdicts without one.
    pub reason: String,
    pub count: usize,
}

/// The gate's verdict on a reviewed sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleOutcome {
    /// Records in the sample.
    pub sample_size: usize,
    /// Distinct records reviewed.
    pub reviewed: usize,
    pub matches: usize,
    pub no_match: usize,
    /// Matches needed to pass: [`SamplePolicy::required`] of the sample size.
    pub required: usize,
    pub passed: bool,
    /// Per source, most no-matches first (then highest error rate, then name).
    pub by_source: Vec<SourceErrors>,
    /// No-match reasons folded (trimmed, case and inner spacing ignored) and counted, most
    /// frequent first (then alphabetical).
    pub by_reason: Vec<ReasonCount>,
}

/// The reason shown for a no-match verdict without one.
pub const NO_REASON: &str = "no reason given";

/// Counts the verdicts on a sample of `sample_size` records.
///
/// It passes only when exactly `sample_size` distinct records were reviewed and at least
/// [`SamplePolicy::required`] of them match. An empty sample never passes: nothing was
/// checked. A record reviewed twice counts once, with its last verdict (a reviewer who
/// changes their mind). More distinct reviews than sampled records is a caller's mistake
/// and does not pass.
pub fn tally(items: &[ReviewedItem], sample_size: usize, policy: &SamplePolicy) -> SampleOutcome {
    let mut position: HashMap<i64, usize> = HashMap::new();
    let mut latest: Vec<&ReviewedItem> = Vec::new();
    for item in items {
        match position.get(&item.id) {
            Some(&at) => latest[at] = item,
            None => {
                position.insert(item.id, latest.len());
                latest.push(item);
            }
        }
    }

    let reviewed = latest.len();
    let matches = latest
        .iter()
        .filter(|i| i.verdict == ReviewVerdict::Match)
        .count();
    let required = policy.required(sample_size);
    let passed = sample_size > 0 && reviewed == sample_size && matches >= required;

    SampleOutcome {
        sample_size,
        reviewed,
        matches,
        no_match: reviewed - matches,
        required,
        passed,
        by_source: by_source(&latest),
        by_reason: by_reason(&latest),
    }
}

fn by_source(items: &[&ReviewedItem]) -> Vec<SourceErrors> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for item in items {
        let mut seen = HashSet::new();
        for source in item.sources.iter().map(|s| s.trim()) {
            if source.is_empty() || !seen.insert(source) {
                continue;
            }
            let entry = counts.entry(source).or_default();
            entry.0 += 1;
            if item.verdict == ReviewVerdict::NoMatch {
                entry.1 += 1;
            }
        }
    }
    let mut out: Vec<SourceErrors> = counts
        .into_iter()
        .map(|(source, (reviewed, no_match))| SourceErrors {
            source: source.to_string(),
            reviewed,
            no_match,
            error_rate: no_match as f64 / reviewed as f64,
        })
        .collect();
    out.sort_by(|a, b| {
        b.no_match
            .cmp(&a.no_match)
            .then(b.error_rate.total_cmp(&a.error_rate))
            .then_with(|| a.source.cmp(&b.source))
    });
    out
}

fn by_reason(items: &[&ReviewedItem]) -> Vec<ReasonCount> {
    let mut counts: HashMap<String, ReasonCount> = HashMap::new();
    for item in items.iter().filter(|i| i.verdict == ReviewVerdict::NoMatch) {
        let shown = item
            .reason
            .as_deref()
            .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| NO_REASON.to_string());
        counts
            .entry(shown.to_lowercase())
            .or_insert_with(|| ReasonCount {
                reason: shown,
                count: 0,
            })
            .count += 1;
    }
    let mut out: Vec<(String, ReasonCount)> = counts.into_iter().collect();
    out.sort_by(|(ka, a), (kb, b)| b.count.cmp(&a.count).then_with(|| ka.cmp(kb)));
    out.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_verdict_is_read_as_a_reviewer_types_it() {
        for (typed, verdict) in [
            ("match", ReviewVerdict::Match),
            (" Yes ", ReviewVerdict::Match),
            ("y", ReviewVerdict::Match),
            ("No-Match", ReviewVerdict::NoMatch),
            ("no match", ReviewVerdict::NoMatch),
            ("N", ReviewVerdict::NoMatch),
        ] {
            assert_eq!(typed.parse(), Ok(verdict), "{typed:?}");
        }
        assert!("maybe".parse::<ReviewVerdict>().is_err());
    }

    fn items<'a>(strata: &[(&'a str, usize)]) -> Vec<SampleItem<'a>> {
        let mut out = Vec::new();
        let mut id = 1;
        for &(stratum, n) in strata {
            for _ in 0..n {
                out.push(SampleItem { id, stratum });
                id += 1;
            }
        }
        out
    }

    fn per_stratum(all: &[SampleItem<'_>], drawn: &[i64]) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for id in drawn {
            let item = all.iter().find(|i| i.id == *id).unwrap();
            *out.entry(item.stratum.to_string()).or_default() += 1;
        }
        out
    }

    fn reviewed(
        id: i64,
        sources: &[&str],
        verdict: ReviewVerdict,
        reason: Option<&str>,
    ) -> ReviewedItem {
        ReviewedItem {
            id,
            sources: sources.iter().map(|s| s.to_string()).collect(),
            verdict,
            reason: reason.map(str::to_string),
        }
    }

    fn matches(n: usize) -> Vec<ReviewedItem> {
        (0..n as i64)
            .map(|id| reviewed(id, &["apollo"], ReviewVerdict::Match, None))
            .collect()
    }

    #[test]
    fn splitmix64_is_the_reference_generator() {
        // The first outputs of Vigna's splitmix64.c seeded with 0.
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn required_is_the_ceiling_of_the_rate() {
        let at = |rate: f64, n: usize| {
            SamplePolicy {
                pass_rate: rate,
                ..SamplePolicy::default()
            }
            .required(n)
        };

        assert_eq!(SamplePolicy::default().required(10), 9);
        assert_eq!(at(1.0, 10), 10);
        assert_eq!(at(0.9, 3), 3);
        assert_eq!(at(0.7, 10), 7);
        assert_eq!(at(0.07, 100), 7, "0.07 * 100 is 7.000000000000001 in f64");
        assert_eq!(at(0.7, 7), 5);
        assert_eq!(at(0.01, 10), 1);
        assert_eq!(at(0.9, 0), 0);
        assert_eq!(at(f64::NAN, 4), 4);
        assert_eq!(at(1.5, 4), 4);
        assert_eq!(at(-1.0, 4), 0);
    }

    #[test]
    fn proportional_shares_by_largest_remainder() {
        let all = items(&[("apollo", 60), ("salesnav", 30), ("crm", 10)]);
        let even = items(&[("apollo", 45), ("salesnav", 45), ("crm", 10)]);

        let drawn = draw(&all, 10, 7);
        let drawn_even = draw(&even, 10, 7);

        let want: BTreeMap<String, usize> = [
            ("apollo".into(), 6),
            ("crm".into(), 1),
            ("salesnav".into(), 3),
        ]
        .into();
        assert_eq!(per_stratum(&all, &drawn), want);
        let want_even: BTreeMap<String, usize> = [
            ("apollo".into(), 5),
            ("crm".into(), 1),
            ("salesnav".into(), 4),
        ]
        .into();
        assert_eq!(per_stratum(&even, &drawn_even), want_even);
    }

    #[test]
    fn a_small_source_still_gets_one_record() {
        let all = items(&[("apollo", 990), ("referrals", 3), ("crm", 7)]);

        let drawn = draw(&all, 10, 42);

        let want: BTreeMap<String, usize> = [
            ("apollo".into(), 8),
            ("crm".into(), 1),
            ("referrals".into(), 1),
        ]
        .into();
        assert_eq!(per_stratum(&all, &drawn), want);
    }

    #[test]
    fn more_strata_than_the_size_gives_one_each_to_the_largest() {
        let strata: Vec<(String, usize)> = (1..=12).map(|n| (format!("s{n:02}"), n)).collect();
        let strata: Vec<(&str, usize)> = strata.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let all = items(&strata);

        let drawn = draw(&all, 10, 3);

        let got = per_stratum(&all, &drawn);
        assert!(got.values().all(|&n| n == 1), "{got:?}");
        let names: Vec<&str> = got.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11", "s12"
            ]
        );
    }

    #[test]
    fn fewer_records_than_the_size_are_all_drawn() {
        let all = items(&[("b", 2), ("a", 3)]);

        let drawn = draw(&all, 10, 1);

        let mut sorted = drawn.clone();
        sorted.sort();
        assert_eq!(sorted, [1, 2, 3, 4, 5]);
        // Strata come in name order: "a" (ids 3..=5) before "b" (ids 1, 2).
        assert!(
            drawn[..3].iter().all(|id| (3..=5).contains(id)),
            "{drawn:?}"
        );
        assert!(draw(&[], 10, 1).is_empty());
        assert!(draw(&all, 0, 1).is_empty());
    }

    #[test]
    fn one_stratum_is_a_plain_seeded_sample() {
        let all = items(&[("apollo", 1000)]);

        let a = draw(&all, 10, 11);
        let again = draw(&all, 10, 11);
        let other = draw(&all, 10, 12);

        assert_eq!(a.len(), 10);
        assert_eq!(a, again);
        assert_ne!(a, other);
    }

    #[test]
    fn every_record_is_equally_likely() {
        // Arrange: 10 records, one drawn per seed, 20,000 seeds: 2,000 expected each.
        let all = items(&[("apollo", 10)]);
        let mut hits = [0usize; 10];

        // Act
        for seed in 0..20_000 {
            hits[(draw(&all, 1, seed)[0] - 1) as usize] += 1;
        }

        // Assert: within 5 standard deviations (sd = sqrt(20000 * 0.1 * 0.9) ≈ 42).
        for (i, &n) in hits.iter().enumerate() {
            assert!((1_790..=2_210).contains(&n), "record {i}: {n} of 20000");
        }
    }

    #[test]
    fn an_id_listed_twice_is_one_record() {
        let all = [
            SampleItem {
                id: 5,
                stratum: "b",
            },
            SampleItem {
                id: 5,
                stratum: "a",
            },
            SampleItem {
                id: 6,
                stratum: "b",
            },
        ];

        let drawn = draw(&all, 10, 1);

        assert_eq!(drawn.len(), 2);
        assert_eq!(drawn[0], 5, "id 5 is in stratum a, which comes first");
    }

    #[test]
    fn nine_of_ten_pass_and_eight_do_not() {
        let mut nine = matches(10);
        nine[3].verdict = ReviewVerdict::NoMatch;
        let mut eight = nine.clone();
        eight[4].verdict = ReviewVerdict::NoMatch;
        let policy = SamplePolicy::default();

        let pass = tally(&nine, 10, &policy);
        let fail = tally(&eight, 10, &policy);

        assert!(pass.passed);
        assert_eq!(
            (pass.reviewed, pass.matches, pass.no_match, pass.required),
            (10, 9, 1, 9)
        );
        assert!(!fail.passed);
        assert_eq!(fail.matches, 8);
    }

    #[test]
    fn a_pass_rate_of_one_tolerates_no_error() {
        let policy = SamplePolicy {
            pass_rate: 1.0,
            ..SamplePolicy::default()
        };
        let mut one_off = matches(10);
        one_off[9].verdict = ReviewVerdict::NoMatch;

        assert!(tally(&matches(10), 10, &policy).passed);
        assert!(!tally(&one_off, 10, &policy).passed);
    }

    #[test]
    fn a_sample_passes_only_when_fully_reviewed() {
        let policy = SamplePolicy::default();

        let partial = tally(&matches(9), 10, &policy);
        let small = tally(&matches(4), 4, &policy);
        let empty = tally(&[], 0, &policy);
        let extra = tally(&matches(11), 10, &policy);

        assert!(!partial.passed, "9 of 10 reviewed, all matching");
        assert!(small.passed);
        assert_eq!(small.required, 4, "ceil(0.9 * 4)");
        assert!(!empty.passed, "nothing was checked");
        assert_eq!((empty.reviewed, empty.required), (0, 0));
        assert!(!extra.passed);
    }

    #[test]
    fn a_record_reviewed_twice_keeps_its_last_verdict() {
        let mut items = matches(10);
        items.push(reviewed(
            2,
            &["apollo"],
            ReviewVerdict::NoMatch,
            Some("left the company"),
        ));
        items.push(reviewed(3, &["apollo"], ReviewVerdict::NoMatch, None));
        items.push(reviewed(3, &["apollo"], ReviewVerdict::Match, None));

        let outcome = tally(&items, 10, &SamplePolicy::default());

        assert_eq!(outcome.reviewed, 10);
        assert_eq!(outcome.matches, 9);
        assert!(outcome.passed);
    }

    #[test]
    fn errors_are_counted_per_source_and_per_reason() {
        use ReviewVerdict::{Match, NoMatch};
        let items = [
            reviewed(
                1,
                &["apollo", "salesnav"],
                NoMatch,
                Some("  Wrong industry "),
            ),
            reviewed(2, &["apollo"], NoMatch, Some("wrong   INDUSTRY")),
            reviewed(3, &["apollo", "apollo"], NoMatch, Some("left the company")),
            reviewed(4, &["salesnav"], Match, Some("fine")),
            reviewed(5, &["crm"], NoMatch, None),
            reviewed(6, &["crm", " "], Match, None),
        ];

        let outcome = tally(&items, 6, &SamplePolicy::default());

        let sources: Vec<(&str, usize, usize, f64)> = outcome
            .by_source
            .iter()
            .map(|s| (s.source.as_str(), s.reviewed, s.no_match, s.error_rate))
            .collect();
        assert_eq!(
            sources,
            [
                ("apollo", 3, 3, 1.0),
                ("crm", 2, 1, 0.5),
                ("salesnav", 2, 1, 0.5)
            ]
        );
        let reasons: Vec<(&str, usize)> = outcome
            .by_reason
            .iter()
            .map(|r| (r.reason.as_str(), r.count))
            .collect();
        assert_eq!(
            reasons,
            [
                ("Wrong industry", 2),
                ("left the company", 1),
                (NO_REASON, 1)
            ]
        );
        assert!(!outcome.passed);
    }

    #[test]
    fn the_policy_reads_from_toml_and_refuses_a_gate_that_cannot_fail() {
        let policy: SamplePolicy = toml::from_str("size = 20\nseed = 7").unwrap();
        assert_eq!(
            (policy.size, policy.pass_rate, policy.seed),
            (20, 0.9, Some(7))
        );
        assert!(policy.validate().is_ok());
        assert!(toml::from_str::<SamplePolicy>("sample_size = 20").is_err());
        for (bad, key) in [
            (
                SamplePolicy {
                    size: 0,
                    ..SamplePolicy::default()
                },
                "size",
            ),
            (
                SamplePolicy {
                    pass_rate: 0.0,
                    ..SamplePolicy::default()
                },
                "pass_rate",
            ),
            (
                SamplePolicy {
                    pass_rate: 90.0,
                    ..SamplePolicy::default()
                },
                "pass_rate",
            ),
            (
                SamplePolicy {
                    pass_rate: f64::NAN,
                    ..SamplePolicy::default()
                },
                "pass_rate",
            ),
        ] {
            assert_eq!(bad.validate().unwrap_err().key, key, "{bad:?}");
        }
    }

    #[test]
    fn the_seed_is_the_policys_or_derived_from_the_subject() {
        let derived = SamplePolicy::default();
        let fixed = SamplePolicy {
            seed: Some(99),
            ..SamplePolicy::default()
        };

        assert_eq!(fixed.seed_for("list-1"), 99);
        assert_eq!(derived.seed_for("list-1"), derive_seed("list-1"));
        assert_ne!(derive_seed("list-1"), derive_seed("list-2"));
    }

    #[test]
    fn outcomes_are_stored_in_snake_case() {
        let mut items = matches(2);
        items[0].verdict = ReviewVerdict::NoMatch;
        let json = serde_json::to_value(tally(&items, 2, &SamplePolicy::default())).unwrap();
        assert_eq!(json["by_source"][0]["error_rate"], 0.5);
        assert_eq!(
            serde_json::to_value(ReviewVerdict::NoMatch).unwrap(),
            "no_match"
        );
    }

    fn strata() -> impl Strategy<Value = Vec<SampleItem<'static>>> {
        const NAMES: &[&str] = &[
            "apollo",
            "crm",
            "hubspot",
            "referrals",
            "salesnav",
            "x",
            "y",
        ];
        prop::collection::vec((0i64..400, prop::sample::select(NAMES)), 0..120).prop_map(|v| {
            v.into_iter()
                .map(|(id, stratum)| SampleItem { id, stratum })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn required_of_an_exact_fraction_is_its_numerator(n in 1usize..2_000, k in 0usize..2_000) {
            let k = k % (n + 1);
            let policy = SamplePolicy { pass_rate: k as f64 / n as f64, ..SamplePolicy::default() };
            prop_assert_eq!(policy.required(n), k);
        }

        #[test]
        fn required_of_a_percentage_is_exact(p in 0usize..=100) {
            let policy = SamplePolicy { pass_rate: p as f64 / 100.0, ..SamplePolicy::default() };
            prop_assert_eq!(policy.required(100), p);
            prop_assert_eq!(policy.required(1_000), p * 10);
        }

        #[test]
        fn a_draw_is_a_seeded_function_of_the_set(
            all in strata(),
            size in 0usize..30,
            seed in any::<u64>(),
            rotate in 0usize..200,
        ) {
            let drawn = draw(&all, size, seed);

            let mut shuffled = all.clone();
            shuffled.reverse();
            let len = shuffled.len().max(1);
            shuffled.rotate_left(rotate % len);
            prop_assert_eq!(&draw(&shuffled, size, seed), &drawn);

            let ids: HashSet<i64> = all.iter().map(|i| i.id).collect();
            prop_assert_eq!(drawn.len(), size.min(ids.len()));
            let distinct: HashSet<i64> = drawn.iter().copied().collect();
            prop_assert_eq!(distinct.len(), drawn.len());
            prop_assert!(drawn.iter().all(|id| ids.contains(id)));
        }

        #[test]
        fn shares_are_proportional_and_reach_every_stratum(
            counts in prop::collection::vec(1usize..500, 1..12),
            size in 0usize..60,
        ) {
            let total: usize = counts.iter().sum();
            let size = size.min(total);

            let shares = allocate(&counts, size);

            prop_assert_eq!(shares.iter().sum::<usize>(), size);
            prop_assert!(shares.iter().zip(&counts).all(|(s, c)| s <= c));
            let reached = shares.iter().filter(|&&s| s > 0).count();
            prop_assert_eq!(reached, counts.len().min(size));
            let quota = |c: usize| size as f64 * c as f64 / total as f64;
            if counts.iter().all(|&c| quota(c) >= 1.0) {
                for (s, c) in shares.iter().zip(&counts) {
                    prop_assert!((*s as f64 - quota(*c)).abs() < 1.0, "{shares:?} for {counts:?}");
                }
            }
        }
    }
}
