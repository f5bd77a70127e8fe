//! A card a person can read. The learner works on fine bins (up to 256 per number, 32 per
//! axis of a pair) because fine bins find the shape; a card with 200 rows for `employees`
//! cannot be read or signed off at a gate. Credit scorecards keep about five to ten bins per
//! characteristic, and so does this step: after learning, each number's shape is cut into
//! at most `max_bins` contiguous segments (the missing bin stays its own), chosen by dynamic
//! programming to lose the least — the smallest count-weighted squared error of the learned
//! logits — and each pair's table into at most `max_pair_bins` segments per numeric axis,
//! by the same programme alternating between rows and columns. Categories keep their bins
//! (rare ones already share "other").
//!
//! A cut is then moved to the roundest number that leaves every training row in its bin
//! (between the last value below it and the first at it), and, when that still has more
//! than two significant figures, to two significant figures if the order of the cuts holds:
//! "1,200" reads, "1,187.35" does not. The coarse bins get the mean of the fine logits of
//! the rows they hold, and optionally a few cyclic Newton passes on all training rows
//! (`refit`) so that correlated features settle on the coarse bins together.
//!
//! Pure and in a fixed order: the same learned model and rows give the same card.

use super::bins::{Bins, Kind};
use super::boost::{Learned, sigmoid, subset};
use super::table::{HistoryTable, Values};

/// How far the learned card is simplified; zero keeps the learned fine bins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Readable {
    /// Segments per numeric feature, besides the missing bin (0: keep the fine bins).
    pub max_bins: usize,
    /// Segments per numeric axis of a pair's table, besides missing (0: keep).
    pub max_pair_bins: usize,
    /// The least share of the rows with a value that a range must hold, as scorecards ask
    /// of a bin: a narrow spike of the learned shape is noise more often than a finding.
    pub min_share: f64,
    /// Newton passes over all training rows on the coarse bins after averaging (0: none).
    pub refit_passes: usize,
}

impl Default for Readable {
    fn default() -> Readable {
        Readable {
            max_bins: 8,
            max_pair_bins: 4,
            min_share: 0.02,
            refit_passes: 0,
        }
    }
}

/// The learned model on readable bins, learned on `rows` of `table`.
pub(crate) fn readable(
    learned: Learned,
    table: &HistoryTable,
    rows: &[usize],
    readable: &Readable,
    lambda: f64,
) -> Learned {
    if readable.max_bins == 0 && readable.max_pair_bins == 0 && readable.refit_passes == 0 {
        return learned;
    }
    let values: Vec<Values> = table
        .columns
        .iter()
        .map(|c| subset(&c.values, rows))
        .collect();
    let mut terms: Vec<Coarse> = Vec::new();
    for (f, (bins, shape)) in learned.bins.iter().zip(&learned.mains).enumerate() {
        let fine = bins.index(&values[f]);
        let coarse = match (bins.kind, readable.max_bins) {
            (Kind::Numeric, k) if k > 0 => {
                let weights = counts(&fine, bins.len());
                let starts = segments(shape, &weights, k, readable.min_share);
                readable_bins(bins, &starts, &values[f])
            }
            _ => bins.clone(),
        };
        let cells = coarse.index(&values[f]);
        let logits: Vec<f64> = fine.iter().map(|&b| shape[b as usize]).collect();
        terms.push(Coarse::averaged(
            coarse,
            None,
            cells.iter().map(|&c| u32::from(c)).collect(),
            &logits,
        ));
    }
    for pair in &learned.pairs {
        let (ia, ib) = (
            pair.bins_a.index(&values[pair.a]),
            pair.bins_b.index(&values[pair.b]),
        );
        let (na, nb) = (pair.bins_a.len(), pair.bins_b.len());
        let fine: Vec<usize> = ia
            .iter()
            .zip(&ib)
            .map(|(&i, &j)| i as usize * nb + j as usize)
            .collect();
        let weights = counts_usize(&fine, na * nb);
        let (rows_of, columns_of) = grid_segments(
            &pair.values,
            &weights,
            (na, nb),
            (pair.bins_a.kind, pair.bins_b.kind),
            readable.max_pair_bins,
            readable.min_share,
        );
        let bins_a = readable_bins(&pair.bins_a, &rows_of, &values[pair.a]);
        let bins_b = readable_bins(&pair.bins_b, &columns_of, &values[pair.b]);
        let width = bins_b.len() as u32;
        let cells: Vec<u32> = bins_a
            .index(&values[pair.a])
            .into_iter()
            .zip(bins_b.index(&values[pair.b]))
            .map(|(i, j)| u32::from(i) * width + u32::from(j))
            .collect();
        let logits: Vec<f64> = fine.iter().map(|&c| pair.values[c]).collect();
        terms.push(Coarse::averaged(bins_a, Some(bins_b), cells, &logits));
    }
    let intercept = learned.intercept;
    if readable.refit_passes > 0 {
        let y: Vec<f64> = rows
            .iter()
            .map(|&r| f64::from(u8::from(table.outcomes[r])))
            .collect();
        refit(&mut terms, intercept, &y, readable.refit_passes, lambda);
    }
    let features = learned.mains.len();
    let mut bins = Vec::with_capacity(features);
    let mut mains = Vec::with_capacity(features);
    let mut pairs = learned.pairs;
    for (t, term) in terms.into_iter().enumerate() {
        if t < features {
            bins.push(term.bins);
            mains.push(term.values);
        } else {
            let pair = &mut pairs[t - features];
            pair.bins_a = term.bins;
            pair.bins_b = term.with.unwrap_or_else(|| pair.bins_b.clone());
            pair.values = term.values;
        }
    }
    Learned {
        bins,
        intercept,
        mains,
        pairs,
        rounds: learned.rounds,
    }
}

/// A term on its readable bins: the cell of every training row and a logit per cell.
struct Coarse {
    bins: Bins,
    with: Option<Bins>,
    cells: Vec<u32>,
    values: Vec<f64>,
}

impl Coarse {
    /// Each cell gets the mean learned logit of the rows it holds.
    fn averaged(bins: Bins, with: Option<Bins>, cells: Vec<u32>, logits: &[f64]) -> Coarse {
        let width = bins.len() * with.as_ref().map_or(1, Bins::len);
        let mut sums = vec![0.0; width];
        let mut rows = vec![0.0; width];
        for (&c, &v) in cells.iter().zip(logits) {
            sums[c as usize] += v;
            rows[c as usize] += 1.0;
        }
        let values = sums
            .iter()
            .zip(&rows)
            .map(|(&s, &n)| if n > 0.0 { s / n } else { 0.0 })
            .collect();
        Coarse {
            bins,
            with,
            cells,
            values,
        }
    }
}

/// Cyclic damped Newton passes over the terms' cells on all training rows, from the averaged
/// logits, until no cell moves by more than a hundredth of a point.
fn refit(terms: &mut [Coarse], intercept: f64, y: &[f64], passes: usize, lambda: f64) {
    let mut scores = vec![intercept; y.len()];
    for term in terms.iter() {
        for (s, &c) in scores.iter_mut().zip(&term.cells) {
            *s += term.values[c as usize];
        }
    }
    for _ in 0..passes {
        let mut largest: f64 = 0.0;
        for term in terms.iter_mut() {
            let width = term.values.len();
            let mut g = vec![0.0; width];
            let mut h = vec![0.0; width];
            for ((&c, &s), &y) in term.cells.iter().zip(&scores).zip(y) {
                let p = sigmoid(s);
                g[c as usize] += p - y;
                h[c as usize] += p * (1.0 - p);
            }
            let step: Vec<f64> = g
                .iter()
                .zip(&h)
                .map(|(&g, &h)| if h > 0.0 { -g / (h + lambda) } else { 0.0 })
                .collect();
            for (v, d) in term.values.iter_mut().zip(&step) {
                *v += d;
                largest = largest.max(d.abs());
            }
            for (s, &c) in scores.iter_mut().zip(&term.cells) {
                *s += step[c as usize];
            }
        }
        if largest < 1e-4 {
            break;
        }
    }
}

fn counts(index: &[u16], width: usize) -> Vec<f64> {
    let mut counts = vec![0.0; width];
    for &b in index {
        counts[b as usize] += 1.0;
    }
    counts
}

fn counts_usize(index: &[usize], width: usize) -> Vec<f64> {
    let mut counts = vec![0.0; width];
    for &b in index {
        counts[b] += 1.0;
    }
    counts
}

/// The first fine bin of each of at most `k` contiguous segments of the ordered bins after
/// the missing bin (bin 0), minimising the weighted squared error of `values` around each
/// segment's weighted mean; the fewest segments that lose nothing against `k`. Every segment
/// holds at least `min_share` of the weight when the whole can.
pub fn segments(values: &[f64], weights: &[f64], k: usize, min_share: f64) -> Vec<usize> {
    let n = values.len().saturating_sub(1);
    let (mut w, mut s1, mut s2) = (vec![0.0; n + 1], vec![0.0; n + 1], vec![0.0; n + 1]);
    for i in 0..n {
        let (v, c) = (values[i + 1], weights[i + 1]);
        w[i + 1] = w[i] + c;
        s1[i + 1] = s1[i] + c * v;
        s2[i + 1] = s2[i] + c * v * v;
    }
    let least = min_share * w[n];
    let cost = |i: usize, j: usize| {
        let weight = w[j] - w[i];
        if weight < least && (i, j) != (0, n) {
            return f64::INFINITY;
        }
        sse(weight, s1[j] - s1[i], s2[j] - s2[i])
    };
    optimal_segments(n, k, s2[n], &cost)
        .into_iter()
        .map(|s| s + 1)
        .collect()
}

/// The weighted squared error around the mean of a run with weight `w`, sums `s1` and
/// `s2` of weighted values and squares.
fn sse(w: f64, s1: f64, s2: f64) -> f64 {
    if w > 0.0 {
        (s2 - s1 * s1 / w).max(0.0)
    } else {
        0.0
    }
}

/// Dynamic programming over `n` ordered items: the starts of at most `k` segments whose
/// summed `cost(start, end)` is least, taking the fewest segments within rounding of the
/// least (`scale` is the size of the costs, for that tolerance).
fn optimal_segments(
    n: usize,
    k: usize,
    scale: f64,
    cost: &dyn Fn(usize, usize) -> f64,
) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let k = k.clamp(1, n);
    // best[m][j]: the least cost of the first j items in m + 1 segments; from[m][j] where
    // the last segment starts.
    let mut best = vec![vec![f64::INFINITY; n + 1]; k];
    let mut from = vec![vec![0usize; n + 1]; k];
    for (j, first) in best[0].iter_mut().enumerate().skip(1) {
        *first = cost(0, j);
    }
    for m in 1..k {
        for j in m + 1..=n {
            for i in m..j {
                let value = best[m - 1][i] + cost(i, j);
                if value < best[m][j] {
                    best[m][j] = value;
                    from[m][j] = i;
                }
            }
        }
    }
    let least = best[k - 1][n].min(best.iter().map(|b| b[n]).fold(f64::INFINITY, f64::min));
    let tolerance = 1e-9 * scale.abs().max(1.0);
    let m = (0..k)
        .find(|&m| best[m][n] <= least + tolerance)
        .unwrap_or(k - 1);
    let mut starts = vec![0; m + 1];
    let mut end = n;
    for level in (0..=m).rev() {
        let start = if level == 0 { 0 } else { from[level][end] };
        starts[level] = start;
        end = start;
    }
    starts
}

/// Segments of a pair's table (`values` and `weights` row-major, `shape` rows × columns):
/// for each axis, the first fine bin of each segment (a category axis keeps every bin).
/// Rows are cut given the column segments and columns given the row segments, in turn,
/// until neither changes.
fn grid_segments(
    values: &[f64],
    weights: &[f64],
    shape: (usize, usize),
    kinds: (Kind, Kind),
    k: usize,
    min_share: f64,
) -> (Vec<usize>, Vec<usize>) {
    let (na, nb) = shape;
    let every = |n: usize| (1..n).collect::<Vec<usize>>();
    let (mut rows, mut columns) = (every(na), every(nb));
    if k == 0 {
        return (rows, columns);
    }
    let transposed: Vec<(f64, f64)> = (0..nb * na)
        .map(|t| {
            let (j, i) = (t / na, t % na);
            (values[i * nb + j], weights[i * nb + j])
        })
        .collect();
    let (tv, tw): (Vec<f64>, Vec<f64>) = transposed.into_iter().unzip();
    for _ in 0..8 {
        let before = (rows.clone(), columns.clone());
        if kinds.0 == Kind::Numeric {
            rows = axis_segments(values, weights, (na, nb), &columns, k, min_share);
        }
        if kinds.1 == Kind::Numeric {
            columns = axis_segments(&tv, &tw, (nb, na), &rows, k, min_share);
        }
        if (rows.clone(), columns.clone()) == before {
            break;
        }
    }
    (rows, columns)
}

/// The row segments (first fine row of each, after the missing row) of a row-major table
/// given its column segments: each block's error adds to the segment's cost.
fn axis_segments(
    values: &[f64],
    weights: &[f64],
    (na, nb): (usize, usize),
    columns: &[usize],
    k: usize,
    min_share: f64,
) -> Vec<usize> {
    // Column groups: the missing column, then each segment.
    let mut group = vec![0usize; nb];
    for (j, g) in group.iter_mut().enumerate().skip(1) {
        *g = 1 + columns
            .iter()
            .filter(|&&s| s <= j)
            .count()
            .saturating_sub(1);
    }
    let groups = group.iter().max().map_or(1, |m| m + 1);
    let n = na.saturating_sub(1);
    let stride = groups;
    let (mut w, mut s1, mut s2) = (
        vec![0.0; (n + 1) * stride],
        vec![0.0; (n + 1) * stride],
        vec![0.0; (n + 1) * stride],
    );
    for i in 0..n {
        for g in 0..groups {
            w[(i + 1) * stride + g] = w[i * stride + g];
            s1[(i + 1) * stride + g] = s1[i * stride + g];
            s2[(i + 1) * stride + g] = s2[i * stride + g];
        }
        for j in 0..nb {
            let (v, c) = (values[(i + 1) * nb + j], weights[(i + 1) * nb + j]);
            let at = (i + 1) * stride + group[j];
            w[at] += c;
            s1[at] += c * v;
            s2[at] += c * v * v;
        }
    }
    let total: f64 = (0..groups).map(|g| w[n * stride + g]).sum();
    let weight = |i: usize, j: usize| -> f64 {
        (0..groups)
            .map(|g| w[j * stride + g] - w[i * stride + g])
            .sum()
    };
    let cost = |i: usize, j: usize| {
        if weight(i, j) < min_share * total && (i, j) != (0, n) {
            return f64::INFINITY;
        }
        (0..groups)
            .map(|g| {
                let (a, b) = (i * stride + g, j * stride + g);
                sse(w[b] - w[a], s1[b] - s1[a], s2[b] - s2[a])
            })
            .sum::<f64>()
    };
    let scale: f64 = (0..groups).map(|g| s2[n * stride + g]).sum();
    optimal_segments(n, k, scale, &cost)
        .into_iter()
        .map(|s| s + 1)
        .collect()
}

/// Numeric bins whose segments start at the fine bins `starts` (1 is the first after
/// missing), with each cut moved to a round number; category bins are returned as they are.
fn readable_bins(bins: &Bins, starts: &[usize], values: &Values) -> Bins {
    if bins.kind != Kind::Numeric {
        return bins.clone();
    }
    let Values::Numeric(values) = values else {
        return bins.clone();
    };
    let mut present: Vec<f64> = values.iter().flatten().copied().collect();
    present.sort_by(f64::total_cmp);
    present.dedup();
    // A segment starting at fine bin s ≥ 2 has the fine cut s - 2 as its lower bound.
    let fine: Vec<f64> = starts
        .iter()
        .filter(|&&s| s >= 2)
        .filter_map(|&s| bins.cuts.get(s - 2).copied())
        .collect();
    let mut cuts: Vec<f64> = Vec::with_capacity(fine.len());
    for (i, &at) in fine.iter().enumerate() {
        let below = present
            .partition_point(|&x| x < at)
            .checked_sub(1)
            .map(|p| present[p]);
        let mut cut = match below {
            Some(below) => roundest_between(below, at, bins.whole),
            None => at,
        };
        if significant_figures(cut) > 2 {
            let rounded = two_figures(at);
            let after = cuts.last().is_none_or(|&last| rounded > last);
            let before = fine.get(i + 1).is_none_or(|&next| rounded < next);
            if after && before && (!bins.whole || rounded.fract() == 0.0) {
                cut = rounded;
            }
        }
        if cuts.last().is_none_or(|&last| cut > last) {
            cuts.push(cut);
        }
    }
    Bins {
        cuts,
        ..bins.clone()
    }
}

/// The number with the fewest significant figures in `(below, at]` (whole if `whole`).
pub fn roundest_between(below: f64, at: f64, whole: bool) -> f64 {
    let magnitude = below.abs().max(at.abs()).max(1e-12);
    let top = magnitude.log10().floor() as i32 + 1;
    let bottom = if whole { 0 } else { -12 };
    for e in (bottom..=top).rev() {
        let step = 10f64.powi(e);
        let candidate = tidy((below / step).floor() * step + step, e);
        if candidate > below && candidate <= at {
            return candidate;
        }
    }
    at
}

/// A multiple of `10^e` without the floating-point dust of the multiplication.
fn tidy(x: f64, e: i32) -> f64 {
    if e >= 0 {
        return x.round();
    }
    let decimals = (-e) as usize;
    format!("{x:.decimals$}").parse().unwrap_or(x)
}

/// `x` to two significant figures.
fn two_figures(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let e = x.abs().log10().floor() as i32 - 1;
    let step = 10f64.powi(e);
    tidy((x / step).round() * step, e)
}

/// How many significant figures `x` is written with.
fn significant_figures(x: f64) -> usize {
    if x == 0.0 {
        return 1;
    }
    let text = format!("{}", x.abs());
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0');
    let trimmed = if text.contains('.') {
        trimmed
    } else {
        trimmed.trim_end_matches('0')
    };
    trimmed.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::boost::{Config, learn, tests::synthetic};

    #[test]
    fn a_known_step_function_is_recovered_exactly() {
        // The missing bin, then three plateaus over nine bins.
        let values = [5.0, 1.0, 1.0, 1.0, 3.0, 3.0, -2.0, -2.0, -2.0, -2.0];
        let weights = [10.0; 10];

        let starts = segments(&values, &weights, 8, 0.0);

        assert_eq!(starts, vec![1, 4, 6]);
    }

    #[test]
    fn no_more_segments_than_asked_for() {
        let values: Vec<f64> = (0..200).map(|i| f64::from(i).sin() * 3.0).collect();
        let weights = vec![1.0; 200];

        for k in 1..=10 {
            let starts = segments(&values, &weights, k, 0.0);

            assert_eq!(starts.len(), k, "k = {k}");
            assert_eq!(starts[0], 1);
            assert!(starts.windows(2).all(|s| s[0] < s[1]));
        }
    }

    #[test]
    fn a_narrow_spike_gets_no_range_of_its_own_below_the_least_share() {
        // One bin of 2 % of the rows stands far out; at 5 % it joins a neighbour.
        let mut values = vec![0.0; 11];
        values[5] = 4.0;
        let mut weights = vec![10.0; 11];
        weights[5] = 2.0;

        let free = segments(&values, &weights, 8, 0.0);
        let bounded = segments(&values, &weights, 8, 0.05);

        assert_eq!(free, vec![1, 5, 6]);
        assert!(
            !bounded.contains(&5) || !bounded.contains(&6),
            "{bounded:?}"
        );
        let total: f64 = weights[1..].iter().sum();
        let mut ends = bounded[1..].to_vec();
        ends.push(11);
        for (&start, &end) in bounded.iter().zip(&ends) {
            assert!(weights[start..end].iter().sum::<f64>() >= 0.05 * total);
        }
    }

    #[test]
    fn weights_decide_which_bins_share_a_segment() {
        // Two segments for three evenly spaced bins: the heavy bin keeps its own value.
        let values = [0.0, 0.0, 1.0, 2.0];

        let heavy_last = segments(&values, &[1.0, 1.0, 1.0, 100.0], 2, 0.0);
        let heavy_first = segments(&values, &[1.0, 100.0, 1.0, 1.0], 2, 0.0);

        assert_eq!(heavy_last, vec![1, 3]);
        assert_eq!(heavy_first, vec![1, 2]);
    }

    #[test]
    fn a_pair_table_is_cut_to_at_most_k_segments_per_numeric_axis() {
        let (na, nb) = (33, 20);
        let values: Vec<f64> = (0..na * nb)
            .map(|c| ((c / nb) as f64 * 0.3).sin() + ((c % nb) as f64 * 0.5).cos())
            .collect();
        let weights = vec![1.0; na * nb];

        let (rows, columns) = grid_segments(
            &values,
            &weights,
            (na, nb),
            (Kind::Numeric, Kind::Numeric),
            4,
            0.05,
        );
        let (kept, _) = grid_segments(
            &values,
            &weights,
            (na, nb),
            (Kind::Categorical, Kind::Numeric),
            4,
            0.05,
        );

        assert!(
            rows.len() <= 4 && columns.len() <= 4,
            "{rows:?} {columns:?}"
        );
        assert_eq!(rows[0], 1);
        assert_eq!(kept.len(), na - 1);
    }

    #[test]
    fn a_cut_moves_to_the_roundest_number_that_moves_no_row() {
        assert_eq!(roundest_between(61.0, 79.0, true), 70.0);
        assert_eq!(roundest_between(1187.0, 1203.0, true), 1200.0);
        assert_eq!(roundest_between(0.0213, 0.0257, false), 0.022);
        assert_eq!(roundest_between(4.0, 5.0, true), 5.0);
        assert_eq!(roundest_between(-3.5, -1.2, false), -3.0);
        assert_eq!(two_figures(1187.35), 1200.0);
        assert_eq!(two_figures(0.012345), 0.012);
        assert_eq!(significant_figures(1200.0), 2);
        assert_eq!(significant_figures(0.0125), 3);
    }

    #[test]
    fn a_trained_card_has_at_most_max_bins_per_number() {
        let table = synthetic(5000, 3);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let config = Config {
            pairs: 2,
            ..Config::default()
        };

        let learned = learn(&table, &rows, &config);

        for bins in learned.bins.iter().filter(|b| b.kind == Kind::Numeric) {
            assert!(bins.len() <= config.readable.max_bins + 1, "{bins:?}");
        }
        for pair in &learned.pairs {
            for bins in [&pair.bins_a, &pair.bins_b] {
                if bins.kind == Kind::Numeric {
                    assert!(bins.len() <= config.readable.max_pair_bins + 1);
                }
            }
        }
        let x = &learned.bins[0];
        assert!(x.cuts.contains(&50.0), "the step at 50 stays a cut: {x:?}");
    }
}
