//! A/B variants compared on what matters — positive replies and meetings booked — never on
//! opens (which privacy proxies now inflate and which say nothing of interest). Each
//! outcome is compared with Fisher's exact test, two-sided: right for the small counts a
//! sequence's variants see, where a normal approximation is not.
//!
//! A variant is called better only when its rate is higher and p < 0.05; with fewer than
//! [`MIN_SENT`] messages per variant, no call is made at all, whatever the p-value says.

use serde::Serialize;

/// Messages each variant needs before a comparison says anything.
pub const MIN_SENT: u64 = 30;
/// The p-value under which a difference is called.
pub const ALPHA: f64 = 0.05;

/// What one variant's messages led to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub sent: u64,
    pub positive_replies: u64,
    pub meetings: u64,
}

/// One outcome compared between two variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// `positive_replies` or `meetings`.
    pub outcome: &'static str,
    pub rate_a: f64,
    pub rate_b: f64,
    /// Fisher's exact test, two-sided.
    pub p_value: f64,
    /// `a`, `b`, or none when no difference is called.
    pub better: Option<char>,
    pub said: String,
}

/// Compares variant A with variant B on positive replies and on meetings.
pub fn compare(a: Tally, b: Tally) -> Vec<Comparison> {
    [
        ("positive_replies", a.positive_replies, b.positive_replies),
        ("meetings", a.meetings, b.meetings),
    ]
    .into_iter()
    .map(|(outcome, hits_a, hits_b)| {
        let rate = |hits: u64, sent: u64| if sent == 0 { 0.0 } else { hits as f64 / sent as f64 };
        let (rate_a, rate_b) = (rate(hits_a, a.sent), rate(hits_b, b.sent));
        let p_value = fisher_two_sided(
            hits_a,
            a.sent.saturating_sub(hits_a),
            hits_b,
            b.sent.saturating_sub(hits_b),
        );
        let enough = a.sent >= MIN_SENT && b.sent >= MIN_SENT;
        let better = (enough && p_value < ALPHA && rate_a != rate_b)
            .then_some(if rate_a > rate_b { 'a' } else { 'b' });
        let words = outcome.replace('_', " ");
        let said = match better {
            _ if !enough => format!(
                "too few messages to compare {words} (each variant needs {MIN_SENT}; A has {}, B {})",
                a.sent, b.sent
            ),
            Some(v) => format!(
                "variant {} gets more {words}: {:.1} % against {:.1} % (p = {p_value:.3})",
                v.to_ascii_uppercase(),
                100.0 * rate_a.max(rate_b),
                100.0 * rate_a.min(rate_b)
            ),
            None => format!(
                "no difference in {words} that chance does not explain: {:.1} % and {:.1} % (p = {p_value:.2})",
                100.0 * rate_a,
                100.0 * rate_b
            ),
        };
        Comparison {
            outcome,
            rate_a,
            rate_b,
            p_value,
            better,
            said,
        }
    })
    .collect()
}

/// Fisher's exact test on the 2×2 table [[a, b], [c, d]] (rows: variants; columns: hit,
/// miss), two-sided: the probability, with the margins fixed, of a table as unlikely as
/// this one or less.
pub fn fisher_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, row2, col1) = (a + b, c + d, a + c);
    let n = row1 + row2;
    if n == 0 {
        return 1.0;
    }
    // ln k! for every k up to n, summed once.
    let mut table = Vec::with_capacity(n as usize + 1);
    table.push(0.0_f64);
    for i in 1..=n {
        table.push(table[(i - 1) as usize] + (i as f64).ln());
    }
    let ln_fact = |k: u64| table[k as usize];
    let ln_fixed = ln_fact(row1) + ln_fact(row2) + ln_fact(col1) + ln_fact(n - col1) - ln_fact(n);
    let probability = |x: u64| {
        // The table with x hits in the first row.
        let (xa, xb, xc) = (x, row1 - x, col1 - x);
        let xd = row2 - xc;
        (ln_fixed - ln_fact(xa) - ln_fact(xb) - ln_fact(xc) - ln_fact(xd)).exp()
    };
    let low = col1.saturating_sub(row2);
    let high = col1.min(row1);
    let observed = probability(a);
    // A relative tolerance, as R's fisher.test uses, so tables equal to the observed one
    // up to rounding count as "as unlikely".
    let total: f64 = (low..=high)
        .map(probability)
        .filter(|&p| p <= observed * (1.0 + 1e-7))
        .sum();
    total.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fishers_test_gives_the_textbook_values() {
        // Fisher's lady tasting tea: 3 of 4 cups right each way, p = 0.4857.
        assert!((fisher_two_sided(3, 1, 1, 3) - 0.485_714).abs() < 1e-5);
        // All 4 right: p = 2/70.
        assert!((fisher_two_sided(4, 0, 0, 4) - 2.0 / 70.0).abs() < 1e-9);
        assert_eq!(fisher_two_sided(5, 5, 5, 5), 1.0);
        assert_eq!(fisher_two_sided(0, 0, 0, 0), 1.0);
    }

    #[test]
    fn a_variant_is_called_better_only_on_enough_messages_and_a_real_difference() {
        let a = Tally {
            sent: 200,
            positive_replies: 30,
            meetings: 6,
        };
        let b = Tally {
            sent: 200,
            positive_replies: 12,
            meetings: 5,
        };
        let few = Tally {
            sent: 10,
            positive_replies: 5,
            meetings: 2,
        };

        let compared = compare(a, b);
        let too_few = compare(
            few,
            Tally {
                sent: 10,
                ..Tally::default()
            },
        );

        assert_eq!(compared[0].better, Some('a'), "{}", compared[0].said);
        assert!(compared[0].p_value < 0.01, "{}", compared[0].p_value);
        assert_eq!(compared[1].better, None, "{}", compared[1].said);
        assert!(compared[1].said.starts_with("no difference in meetings"));
        assert!(too_few.iter().all(|c| c.better.is_none()));
        assert!(too_few[0].said.starts_with("too few messages"));
    }
}
