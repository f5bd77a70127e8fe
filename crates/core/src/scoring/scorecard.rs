//! The model as a points table. Each term is a feature's bins with whole points per bin, or
//! a small two-way table for a pair of features; a lead's score is the base points plus the
//! points of the bin it falls in for every term, and its probability is read from the score
//! alone. There is no hidden unrounded model behind the card: what a person reads is what
//! scores, so "visited pricing twice in 7 days: +18" is the model itself.
//!
//! The scale is the credit-scoring convention: `points_to_double_odds` points (20 by
//! default) double the odds of converting, and a score of `even_odds_score` (200) is even
//! odds, so `probability = 1 / (1 + 2^(-(score - even_odds_score) / points_to_double_odds))`.
//! A learned card is centred so that each term's points average zero over the training
//! rows: the base points are the average lead, and a term's points say how far this bin
//! moves a lead from it. Each term also keeps the share of training rows in each bin, which
//! a later version's stability (PSI) is measured against.
//!
//! The same serde format is written as JSON for a trained version and read from TOML for a
//! hand-written rules card ([`super::rules`]).

use serde::{Deserialize, Serialize};

use super::bins::Bins;
use super::boost::Learned;
use super::table::{HistoryTable, RawTable, TableError};

/// How points map to odds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub points_to_double_odds: u32,
    pub even_odds_score: i64,
}

impl Default for Scale {
    fn default() -> Scale {
        Scale {
            points_to_double_odds: 20,
            even_odds_score: 200,
        }
    }
}

impl Scale {
    /// Points per unit of logit.
    fn factor(&self) -> f64 {
        f64::from(self.points_to_double_odds) / std::f64::consts::LN_2
    }
}

/// A points table: base points and the terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub scale: Scale,
    pub base_points: i64,
    pub terms: Vec<Term>,
}

/// One term: a feature's points per bin (`points`, the missing bin first), or for a pair
/// (`with` set) a table of points, one row per bin of `bins` and one column per bin of
/// `with`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub bins: Bins,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<Bins>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table: Vec<Vec<i64>>,
    /// The share of training rows in each bin (each cell, row by row, for a pair).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<f64>,
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub term: String,
    pub bin: String,
    pub points: i64,
}

/// A scored row: the score, its probability, and each term's points in the card's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub score: i64,
    pub probability: f64,
    pub points: Vec<i64>,
}

/// Where each term's features are among a file's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout(Vec<(usize, Option<usize>)>);

impl Term {
    /// The term's name: the feature, or `a × b` for a pair.
    pub fn name(&self) -> String {
        match &self.with {
            Some(with) => format!("{} × {}", self.bins.feature, with.feature),
            None => self.bins.feature.clone(),
        }
    }

    /// How many cells the term has (bins, or bins × bins for a pair).
    pub fn cells(&self) -> usize {
        self.bins.len() * self.with.as_ref().map_or(1, Bins::len)
    }

    /// The points of a cell (`i * with.len() + j` for a pair).
    pub fn points_at(&self, cell: usize) -> i64 {
        match &self.with {
            Some(with) => self.table[cell / with.len()][cell % with.len()],
            None => self.points[cell],
        }
    }

    /// The label of a cell: the bin, or `a-bin & b-bin` for a pair.
    pub fn label_at(&self, cell: usize) -> String {
        match &self.with {
            Some(with) => format!(
                "{} & {}",
                self.bins.label(cell / with.len()),
                with.label(cell % with.len())
            ),
            None => self.bins.label(cell),
        }
    }
}

impl Scorecard {
    /// The card of learned logits: centred, scaled and rounded to whole points, with the
    /// base points absorbing the mean rounding error over the training `rows`.
    pub fn from_learned(
        learned: &Learned,
        table: &HistoryTable,
        rows: &[usize],
        scale: Scale,
    ) -> Scorecard {
        let factor = scale.factor();
        let n = rows.len().max(1) as f64;
        let mut intercept = learned.intercept;
        let mut terms = Vec::new();
        let mut logits: Vec<Vec<f64>> = Vec::new();
        for (bins, shape) in learned.bins.iter().zip(&learned.mains) {
            terms.push(Term {
                bins: bins.clone(),
                with: None,
                points: Vec::new(),
                table: Vec::new(),
                shares: Vec::new(),
            });
            logits.push(shape.clone());
        }
        for pair in &learned.pairs {
            terms.push(Term {
                bins: pair.bins_a.clone(),
                with: Some(pair.bins_b.clone()),
                points: Vec::new(),
                table: Vec::new(),
                shares: Vec::new(),
            });
            logits.push(pair.values.clone());
        }
        let cells = Scorecard::cells_of_terms(&terms, table, rows);
        let mut rounding = 0.0;
        for ((term, logit), cells) in terms.iter_mut().zip(&mut logits).zip(&cells) {
            let mut counts = vec![0.0; term.cells()];
            for &c in cells {
                counts[c as usize] += 1.0;
            }
            let mean: f64 = logit.iter().zip(&counts).map(|(v, c)| v * c).sum::<f64>() / n;
            intercept += mean;
            let points: Vec<i64> = logit
                .iter()
                .map(|v| ((v - mean) * factor).round() as i64)
                .collect();
            rounding += points
                .iter()
                .zip(logit.iter())
                .zip(&counts)
                .map(|((&p, v), c)| (p as f64 - (v - mean) * factor) * c)
                .sum::<f64>()
                / n;
            term.shares = counts.iter().map(|c| c / n).collect();
            match &term.with {
                Some(with) => term.table = points.chunks(with.len()).map(<[i64]>::to_vec).collect(),
                None => term.points = points,
            }
        }
        Scorecard {
            scale,
            base_points: (intercept * factor - rounding).round() as i64 + scale.even_odds_score,
            terms,
        }
    }

    /// The probability of converting at a score.
    pub fn probability(&self, score: i64) -> f64 {
        let doublings = (score - self.scale.even_odds_score) as f64
            / f64::from(self.scale.points_to_double_odds);
        1.0 / (1.0 + (-doublings).exp2())
    }

    /// The score of a lead given the cell it falls in for every term.
    pub fn total(&self, cells: &[u32]) -> i64 {
        self.base_points
            + self
                .terms
                .iter()
                .zip(cells)
                .map(|(term, &c)| term.points_at(c as usize))
                .sum::<i64>()
    }

    /// The score and its reasons, one per term, in the card's order.
    pub fn explain(&self, cells: &[u32]) -> (i64, Vec<Reason>) {
        let reasons = self
            .terms
            .iter()
            .zip(cells)
            .map(|(term, &c)| Reason {
                term: term.name(),
                bin: term.label_at(c as usize),
                points: term.points_at(c as usize),
            })
            .collect();
        (self.total(cells), reasons)
    }

    /// The cell of every row of `rows` for each term (term-major) of a typed table.
    pub fn cells_of_table(&self, table: &HistoryTable, rows: &[usize]) -> Vec<Vec<u32>> {
        Scorecard::cells_of_terms(&self.terms, table, rows)
    }

    fn cells_of_terms(terms: &[Term], table: &HistoryTable, rows: &[usize]) -> Vec<Vec<u32>> {
        let index = |bins: &Bins| -> Vec<u32> {
            match table.columns.iter().find(|c| c.name == bins.feature) {
                Some(column) => {
                    let values = super::boost::subset(&column.values, rows);
                    bins.index(&values).into_iter().map(u32::from).collect()
                }
                None => vec![0; rows.len()],
            }
        };
        terms
            .iter()
            .map(|term| {
                let a = index(&term.bins);
                match &term.with {
                    Some(with) => {
                        let width = with.len() as u32;
                        a.iter()
                            .zip(index(with))
                            .map(|(i, j)| i * width + j)
                            .collect()
                    }
                    None => a,
                }
            })
            .collect()
    }

    /// Where the columns each term reads are in `headers`, or the first one missing.
    pub fn layout(&self, headers: &[String]) -> Result<Layout, String> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| name.to_string())
        };
        self.terms
            .iter()
            .map(|term| {
                let a = find(&term.bins.feature)?;
                let b = term.with.as_ref().map(|w| find(&w.feature)).transpose()?;
                Ok((a, b))
            })
            .collect::<Result<_, _>>()
            .map(Layout)
    }

    /// The cell of each term for one row of text, or the column and why its value has no
    /// bin (words in a number column; a missing value is the missing bin).
    pub fn cells_of_row(
        &self,
        layout: &Layout,
        row: &[String],
    ) -> Result<Vec<u32>, (usize, String)> {
        self.cells_with(layout, |at| row.get(at).map_or("", String::as_str))
    }

    /// [`Scorecard::cells_of_row`] for a row given as the text of each column position.
    fn cells_with<'r>(
        &self,
        layout: &Layout,
        text: impl Fn(usize) -> &'r str,
    ) -> Result<Vec<u32>, (usize, String)> {
        let mut cells = Vec::with_capacity(self.terms.len());
        self.cells_into(layout, text, &mut cells)?;
        Ok(cells)
    }

    /// [`Scorecard::cells_with`] into `cells` (emptied first), for a caller scoring many
    /// rows with one buffer.
    pub(crate) fn cells_into<'r>(
        &self,
        layout: &Layout,
        text: impl Fn(usize) -> &'r str,
        cells: &mut Vec<u32>,
    ) -> Result<(), (usize, String)> {
        let cell = |bins: &Bins, at: usize| -> Result<usize, (usize, String)> {
            bins.of_cell(text(at)).map_err(|e| (at, e))
        };
        cells.clear();
        for (term, &(a, b)) in self.terms.iter().zip(&layout.0) {
            let i = cell(&term.bins, a)?;
            cells.push(match (&term.with, b) {
                (Some(with), Some(b)) => (i * with.len() + cell(with, b)?) as u32,
                _ => i as u32,
            });
        }
        Ok(())
    }
}

impl Scorecard {
    /// Scores every row of a file, in order. A column the card reads must be there; a
    /// missing value falls in the missing bin, and words in a number column are an error
    /// naming the row and column.
    pub fn score_rows(&self, raw: &RawTable) -> Result<Vec<Scored>, TableError> {
        let layout = self.layout_of_file(&raw.headers, &raw.origin)?;
        raw.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let cells =
                    self.cells_of_row(&layout, row)
                        .map_err(|(at, message)| TableError::Cell {
                            origin: raw.origin.clone(),
                            row: i + 1,
                            column: raw.headers[at].clone(),
                            message,
                        })?;
                Ok(self.scored(&cells))
            })
            .collect()
    }

    pub(crate) fn layout_of_file(
        &self,
        headers: &[String],
        origin: &str,
    ) -> Result<Layout, TableError> {
        self.layout(headers).map_err(|column| TableError::Column {
            origin: origin.to_string(),
            column,
            message: "the card reads this column and the file has none".to_string(),
        })
    }

    fn scored(&self, cells: &[u32]) -> Scored {
        let score = self.total(cells);
        Scored {
            score,
            probability: self.probability(score),
            points: self
                .terms
                .iter()
                .zip(cells)
                .map(|(t, &c)| t.points_at(c as usize))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::boost::{Config, learn, tests::synthetic};

    #[test]
    fn the_points_of_the_reasons_add_up_exactly_to_the_score() {
        let table = synthetic(3000, 11);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let learned = learn(
            &table,
            &rows,
            &Config {
                pairs: 2,
                ..Config::default()
            },
        );
        let card = Scorecard::from_learned(&learned, &table, &rows, Scale::default());
        let cells = card.cells_of_table(&table, &rows);

        for r in 0..rows.len() {
            let row: Vec<u32> = cells.iter().map(|c| c[r]).collect();
            let (score, reasons) = card.explain(&row);
            assert_eq!(
                score,
                card.base_points + reasons.iter().map(|r| r.points).sum::<i64>()
            );
        }
        assert_eq!(card.terms.len(), 3 + learned.pairs.len());
    }

    #[test]
    fn rows_of_a_file_are_scored_in_order_and_words_in_a_number_column_are_named() {
        let card = crate::scoring::rules::parse(
            include_str!("../../../../examples/scoring/rules.toml"),
            "rules.toml",
        )
        .unwrap();
        let good =
            "industry,employees,pricing_page_visit_7d,seniority\nComputer Software,300,2,vp\n,,,\n";
        let bad =
            "industry,employees,pricing_page_visit_7d,seniority\nComputer Software,many,2,vp\n";

        let scored = card
            .score_rows(&RawTable::parse(good, "in.csv").unwrap())
            .unwrap();
        let error = card
            .score_rows(&RawTable::parse(bad, "in.csv").unwrap())
            .unwrap_err();

        assert_eq!(scored[0].points, vec![15, 12, 18, 10]);
        assert_eq!(scored[0].score, 150 + 15 + 12 + 18 + 10);
        assert_eq!(scored[1].score, 150);
        assert_eq!(
            error.to_string(),
            "in.csv:1:employees: `many` is not a number"
        );
    }

    #[test]
    fn the_probability_is_read_from_the_score_on_the_documented_scale() {
        let card = Scorecard {
            scale: Scale::default(),
            base_points: 0,
            terms: Vec::new(),
        };

        assert_eq!(card.probability(200), 0.5);
        assert!((card.probability(220) - 2.0 / 3.0).abs() < 1e-12);
        assert!((card.probability(180) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn the_learned_card_is_calibrated_to_the_base_rate_on_average() {
        let table = synthetic(5000, 5);
        let rows: Vec<usize> = (0..table.rows()).collect();
        let learned = learn(
            &table,
            &rows,
            &Config {
                pairs: 0,
                ..Config::default()
            },
        );

        let card = Scorecard::from_learned(&learned, &table, &rows, Scale::default());

        let cells = card.cells_of_table(&table, &rows);
        let mean: f64 = (0..rows.len())
            .map(|r| card.probability(card.total(&cells.iter().map(|c| c[r]).collect::<Vec<_>>())))
            .sum::<f64>()
            / rows.len() as f64;
        let rate = table.conversions() as f64 / table.rows() as f64;
        assert!((mean - rate).abs() < 0.01, "mean {mean} rate {rate}");
    }
}
