//! Pairwise terms: small two-way points tables added where two features together say more
//! than each alone ("a returning visitor in November"). They are chosen after the mains are
//! learned, by the FAST ranking of GA²M (Lou, Caruana, Gehrke and Hooker 2013): for every
//! pair, the best single cut of each feature into four quadrants, scored by how much a
//! Newton step per quadrant would lower the loss left by the mains. The best few (10 by
//! default, none for a purely additive card) are then boosted with the mains frozen, each
//! step a tree that cuts one feature and then the other on each side, on the pair's coarser
//! bins (about 32 per feature), so that each table stays small enough to read.

use super::bins::Bins;
use super::boost::{Bag, Config, NegativeOdds, best_split, binned, leaf, log_loss, sigmoid};
use super::table::HistoryTable;

/// A learned pairwise term: its two features, their coarse bins, and a logit per cell
/// (row-major: `values[i * bins_b.len() + j]`).
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedPair {
    pub a: usize,
    pub b: usize,
    pub bins_a: Bins,
    pub bins_b: Bins,
    pub values: Vec<f64>,
}

/// Chooses up to `config.pairs` pairs and boosts them on each bag's split, starting from the
/// mains' `scores` (one per training row); the bags' tables are averaged.
pub(crate) fn learn(
    table: &HistoryTable,
    rows: &[usize],
    y: &[f64],
    scores: &[f64],
    splits: &[(Vec<usize>, Vec<usize>)],
    config: &Config,
) -> Vec<LearnedPair> {
    let (bins, index) = binned(
        table,
        rows,
        config.pair_bins,
        config.min_category_rows,
        None,
    );
    let chosen = rank(&bins, &index, y, scores, config);
    let config = &Config {
        learning_rate: config.pair_learning_rate,
        ..config.clone()
    };
    let mut values: Vec<Vec<f64>> = chosen
        .iter()
        .map(|&(a, b)| vec![0.0; bins[a].len() * bins[b].len()])
        .collect();
    for (fit, validation) in splits {
        let bag = Bag::with_scores(&index, y, fit, validation, scores);
        let tables = boost(bag, &bins, &chosen, config);
        for (total, table) in values.iter_mut().zip(tables) {
            for (t, v) in total.iter_mut().zip(table) {
                *t += v / splits.len() as f64;
            }
        }
    }
    // A pair whose boosting never improved on the mains earns no table.
    chosen
        .into_iter()
        .zip(values)
        .filter(|(_, values)| values.iter().any(|v| v.abs() > 1e-9))
        .map(|((a, b), values)| LearnedPair {
            a,
            b,
            bins_a: bins[a].clone(),
            bins_b: bins[b].clone(),
            values,
        })
        .collect()
}

/// Sums of gradient, hessian and rows per cell of a pair's table.
struct Grid {
    rows: usize,
    columns: usize,
    g: Vec<f64>,
    h: Vec<f64>,
    c: Vec<f64>,
}

impl Grid {
    fn new(rows: usize, columns: usize) -> Grid {
        let n = rows * columns;
        Grid {
            rows,
            columns,
            g: vec![0.0; n],
            h: vec![0.0; n],
            c: vec![0.0; n],
        }
    }

    fn transposed(&self) -> Grid {
        let mut t = Grid::new(self.columns, self.rows);
        for i in 0..self.rows {
            for j in 0..self.columns {
                let (from, to) = (i * self.columns + j, j * self.rows + i);
                t.g[to] = self.g[from];
                t.h[to] = self.h[from];
                t.c[to] = self.c[from];
            }
        }
        t
    }
}

/// The pairs worth a term, best first: FAST's gain of the best four-quadrant cut.
fn rank(
    bins: &[Bins],
    index: &[Vec<u16>],
    y: &[f64],
    scores: &[f64],
    config: &Config,
) -> Vec<(usize, usize)> {
    let (g, h): (Vec<f64>, Vec<f64>) = scores
        .iter()
        .zip(y)
        .map(|(&s, &y)| {
            let p = sigmoid(s);
            (p - y, (p * (1.0 - p)).max(1e-12))
        })
        .unzip();
    let mut gains = Vec::new();
    for a in 0..bins.len() {
        for b in a + 1..bins.len() {
            let grid = grid(&index[a], &index[b], bins[a].len(), bins[b].len(), &g, &h);
            if let Some(gain) = quadrant_gain(&grid, config) {
                gains.push((gain, a, b));
            }
        }
    }
    gains.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    gains
        .into_iter()
        .filter(|&(gain, _, _)| gain > 0.0)
        .take(config.pairs)
        .map(|(_, a, b)| (a, b))
        .collect()
}

fn grid(ia: &[u16], ib: &[u16], na: usize, nb: usize, g: &[f64], h: &[f64]) -> Grid {
    let mut grid = Grid::new(na, nb);
    for k in 0..ia.len() {
        let cell = ia[k] as usize * nb + ib[k] as usize;
        grid.g[cell] += g[k];
        grid.h[cell] += h[k];
        grid.c[cell] += 1.0;
    }
    grid
}

/// The best gain of cutting the grid once along each axis into four quadrants.
fn quadrant_gain(grid: &Grid, config: &Config) -> Option<f64> {
    let (na, nb) = (grid.rows, grid.columns);
    // 2-D prefix sums: p[(i)(nb+1) + j] sums cells above-left of (i, j).
    let w = nb + 1;
    let prefix = |v: &[f64]| {
        let mut p = vec![0.0; (na + 1) * w];
        for i in 0..na {
            for j in 0..nb {
                p[(i + 1) * w + j + 1] =
                    v[i * nb + j] + p[i * w + j + 1] + p[(i + 1) * w + j] - p[i * w + j];
            }
        }
        p
    };
    let (pg, ph, pc) = (prefix(&grid.g), prefix(&grid.h), prefix(&grid.c));
    let sum = |p: &[f64], i0: usize, i1: usize, j0: usize, j1: usize| {
        p[i1 * w + j1] - p[i0 * w + j1] - p[i1 * w + j0] + p[i0 * w + j0]
    };
    let lambda = config.lambda;
    let min = config.min_leaf_rows as f64;
    let parent = {
        let (g, h) = (sum(&pg, 0, na, 0, nb), sum(&ph, 0, na, 0, nb));
        g * g / (h + lambda)
    };
    let mut best: Option<f64> = None;
    for t in 1..na {
        for u in 1..nb {
            let quadrants = [(0, t, 0, u), (0, t, u, nb), (t, na, 0, u), (t, na, u, nb)];
            if quadrants
                .iter()
                .any(|&(a, b, c, d)| sum(&pc, a, b, c, d) < min)
            {
                continue;
            }
            let total: f64 = quadrants
                .iter()
                .map(|&(a, b, c, d)| {
                    let (g, h) = (sum(&pg, a, b, c, d), sum(&ph, a, b, c, d));
                    g * g / (h + lambda)
                })
                .sum();
            let gain = total - parent;
            if best.is_none_or(|b| gain > b) {
                best = Some(gain);
            }
        }
    }
    best
}

/// Boosts the chosen pairs cyclically on one bag until the validation loss stops falling;
/// the tables at the best round.
fn boost(mut bag: Bag, bins: &[Bins], chosen: &[(usize, usize)], config: &Config) -> Vec<Vec<f64>> {
    // The cell of every row for each pair, computed once rather than every round.
    let cells = |index: &[Vec<u16>], (a, b): (usize, usize)| -> Vec<u32> {
        let nb = bins[b].len() as u32;
        index[a]
            .iter()
            .zip(&index[b])
            .map(|(&i, &j)| u32::from(i) * nb + u32::from(j))
            .collect()
    };
    let fit_cells: Vec<Vec<u32>> = chosen.iter().map(|&p| cells(&bag.fit_index, p)).collect();
    let val_cells: Vec<Vec<u32>> = chosen.iter().map(|&p| cells(&bag.val_index, p)).collect();
    let mut grids: Vec<Grid> = chosen
        .iter()
        .zip(&fit_cells)
        .map(|(&(a, b), cells)| {
            let mut grid = Grid::new(bins[a].len(), bins[b].len());
            for &cell in cells {
                grid.c[cell as usize] += 1.0;
            }
            grid
        })
        .collect();
    let mut tables: Vec<Vec<f64>> = grids.iter().map(|g| vec![0.0; g.g.len()]).collect();
    let mut best = (log_loss(&bag.val_scores, &bag.val_y), 0, tables.clone());
    let mut odds = NegativeOdds::of(&bag.fit_scores);
    for round in 1..=config.max_rounds {
        for (term, grid) in grids.iter_mut().enumerate() {
            let width = grid.g.len();
            odds.histogram(
                &fit_cells,
                term,
                &bag.fit_y,
                width,
                &mut grid.g,
                &mut grid.h,
            );
            let step = pair_step(grid, config);
            for (v, d) in tables[term].iter_mut().zip(&step) {
                *v += d;
            }
            odds.defer(term, &step);
            for (s, &cell) in bag.val_scores.iter_mut().zip(&val_cells[term]) {
                *s += step[cell as usize];
            }
        }
        let loss = log_loss(&bag.val_scores, &bag.val_y);
        if loss < best.0 {
            best = (loss, round, tables.clone());
        } else if round - best.1 >= config.patience {
            break;
        }
    }
    best.2
}

/// A step for a pair's table: cut one feature, then the other on each side (four leaves),
/// in whichever order fits better.
fn pair_step(grid: &Grid, config: &Config) -> Vec<f64> {
    let (gain_ab, step_ab) = oriented_step(grid, config);
    let transposed = grid.transposed();
    let (gain_ba, step_ba) = oriented_step(&transposed, config);
    if gain_ab >= gain_ba {
        return step_ab;
    }
    let mut step = vec![0.0; grid.rows * grid.columns];
    for i in 0..grid.rows {
        for j in 0..grid.columns {
            step[i * grid.columns + j] = step_ba[j * grid.rows + i];
        }
    }
    step
}

/// The best tree that cuts the rows of `grid` once and then the columns on each side.
fn oriented_step(grid: &Grid, config: &Config) -> (f64, Vec<f64>) {
    let (na, nb) = (grid.rows, grid.columns);
    // Running column sums over the rows: `sums[t * nb + j]` adds up rows `0..t` of column
    // `j`, so the columns of any run of rows cost one subtraction each.
    let running = |v: &[f64]| {
        let mut sums = vec![0.0; (na + 1) * nb];
        for i in 0..na {
            for j in 0..nb {
                sums[(i + 1) * nb + j] = sums[i * nb + j] + v[i * nb + j];
            }
        }
        sums
    };
    let (sg, sh, sc) = (running(&grid.g), running(&grid.h), running(&grid.c));
    let (mut g, mut h, mut c) = (vec![0.0; nb], vec![0.0; nb], vec![0.0; nb]);
    // The gain of the rows `from..to` with their best cut of the columns, the cut, and the
    // run's column sums left in g and h.
    let mut side = |from: usize, to: usize, g: &mut [f64], h: &mut [f64]| {
        for j in 0..nb {
            g[j] = sg[to * nb + j] - sg[from * nb + j];
            h[j] = sh[to * nb + j] - sh[from * nb + j];
            c[j] = sc[to * nb + j] - sc[from * nb + j];
        }
        let (gt, ht): (f64, f64) = (g.iter().sum(), h.iter().sum());
        let parent = gt * gt / (ht + config.lambda);
        match best_split(g, h, &c, 0..nb, config) {
            Some((cut, gain)) => (parent + gain, Some(cut)),
            None => (parent, None),
        }
    };
    let min = config.min_leaf_rows as f64;
    let all: f64 = grid.c.iter().sum();
    let mut best: Option<(f64, usize)> = None;
    let mut above = 0.0;
    for t in 1..na {
        above += grid.c[(t - 1) * nb..t * nb].iter().sum::<f64>();
        if above < min || all - above < min {
            continue;
        }
        let value = side(0, t, &mut g, &mut h).0 + side(t, na, &mut g, &mut h).0;
        if best.is_none_or(|(v, _)| value > v) {
            best = Some((value, t));
        }
    }
    let mut step = vec![0.0; na * nb];
    let Some((value, t)) = best else {
        return (f64::NEG_INFINITY, step);
    };
    for (from, to) in [(0, t), (t, na)] {
        let (_, cut) = side(from, to, &mut g, &mut h);
        let runs = match cut {
            Some(u) => vec![(0, u), (u, nb)],
            None => vec![(0, nb)],
        };
        for (j0, j1) in runs {
            let gs: f64 = g[j0..j1].iter().sum();
            let hs: f64 = h[j0..j1].iter().sum();
            let value = leaf(gs, hs, config);
            for i in from..to {
                for s in &mut step[i * nb + j0..i * nb + j1] {
                    *s = value;
                }
            }
        }
    }
    (value, step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::rng::Rng;
    use crate::scoring::table::{Column, Values};

    #[test]
    fn an_interaction_is_ranked_above_independent_features() {
        // Converts mostly when both a and b are high; c is noise.
        let mut rng = Rng::new(3);
        let n = 8000;
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        let mut outcomes = Vec::new();
        for _ in 0..n {
            let (x, z, w) = (
                rng.below(10) as f64,
                rng.below(10) as f64,
                rng.below(10) as f64,
            );
            let logit = if x >= 5.0 && z >= 5.0 { 1.0 } else { -2.0 };
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            a.push(Some(x));
            b.push(Some(z));
            c.push(Some(w));
            outcomes.push(u < sigmoid(logit));
        }
        let table = HistoryTable {
            origin: "t".into(),
            label: "y".into(),
            positive: "1".into(),
            outcomes,
            columns: ["a", "b", "c"]
                .into_iter()
                .zip([a, b, c])
                .map(|(name, v)| Column {
                    name: name.into(),
                    values: Values::Numeric(v),
                })
                .collect(),
            time: None,
            skipped: Vec::new(),
        };
        let rows: Vec<usize> = (0..n).collect();
        let config = Config {
            pairs: 1,
            ..Config::default()
        };

        let learned = crate::scoring::boost::learn(&table, &rows, &config);

        assert_eq!(learned.pairs.len(), 1);
        assert_eq!((learned.pairs[0].a, learned.pairs[0].b), (0, 1));
    }
}
