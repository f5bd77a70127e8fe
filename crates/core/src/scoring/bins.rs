//! The bins of a feature: the rows of its points table. A number is cut at quantiles (up to
//! 256 bins for a feature's own term, about 32 for a pairwise table, as explainable boosting
//! machines do), a category gets a bin of its own when enough rows have it (rare ones share
//! "other", which is also where a category never seen in training lands), and a missing
//! value always has its own bin, first. Bins carry the labels a person reads on the card
//! ("30–39", "≥ 1,200", "student", "missing"), and the same definition serves training,
//! scoring and a hand-written rules file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::table::{Values, is_missing, parse_number};

/// Whether a feature is read as a number or as a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Numeric,
    Categorical,
}

/// One feature's bins. Bin 0 is "missing"; a number `x` is in bin `1 + (cuts ≤ x)`; a
/// category is in bin `1 + its position in categories`, and any other in the last bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bins {
    pub feature: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Ascending lower bounds of the numeric bins after the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cuts: Vec<f64>,
    /// Whether the values are whole numbers (labels then read "30–39", not "30 to < 40").
    #[serde(default, skip_serializing_if = "is_false")]
    pub whole: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// The label of the missing bin.
pub const MISSING: &str = "missing";
/// The label of the categories not listed.
pub const OTHER: &str = "other";

impl Bins {
    /// Quantile bins of a numeric column: each bin holds at least `rows / max_bins` rows,
    /// except where a single value holds more.
    pub fn numeric(feature: &str, values: &[Option<f64>], max_bins: usize) -> Bins {
        let mut present: Vec<f64> = values.iter().flatten().copied().collect();
        present.sort_by(f64::total_cmp);
        let target = present.len().div_ceil(max_bins.max(1)).max(1);
        let mut cuts = Vec::new();
        let mut in_bin = 0;
        let mut i = 0;
        while i < present.len() {
            let value = present[i];
            let mut run = 0;
            while i < present.len() && present[i] == value {
                run += 1;
                i += 1;
            }
            if in_bin >= target {
                cuts.push(value);
                in_bin = 0;
            }
            in_bin += run;
        }
        Bins {
            feature: feature.to_string(),
            kind: Kind::Numeric,
            cuts,
            whole: present.iter().all(|x| x.fract() == 0.0),
            categories: Vec::new(),
        }
    }

    /// A bin per category held by at least `min_count` rows, in name order (a hand-written
    /// card may list them in any order).
    pub fn categorical(feature: &str, values: &[Option<String>], min_count: usize) -> Bins {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for value in values.iter().flatten() {
            *counts.entry(value.as_str()).or_default() += 1;
        }
        Bins {
            feature: feature.to_string(),
            kind: Kind::Categorical,
            cuts: Vec::new(),
            whole: false,
            categories: counts
                .into_iter()
                .filter(|&(_, n)| n >= min_count)
                .map(|(c, _)| c.to_string())
                .collect(),
        }
    }

    /// The bins of a typed column.
    pub fn of(feature: &str, values: &Values, max_bins: usize, min_count: usize) -> Bins {
        match values {
            Values::Numeric(v) => Bins::numeric(feature, v, max_bins),
            Values::Categorical(v) => Bins::categorical(feature, v, min_count),
        }
    }

    /// How many bins there are, the missing bin included.
    pub fn len(&self) -> usize {
        match self.kind {
            Kind::Numeric => self.cuts.len() + 2,
            Kind::Categorical => self.categories.len() + 2,
        }
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn of_number(&self, x: Option<f64>) -> usize {
        match x {
            None => 0,
            Some(x) => 1 + self.cuts.partition_point(|&c| c <= x),
        }
    }

    pub fn of_category(&self, value: Option<&str>) -> usize {
        match value {
            None => 0,
            // Exact first; then regardless of case, since a CRM export and a live lead may
            // write one category differently ("Series B", "series b").
            Some(v) => {
                1 + self
                    .categories
                    .iter()
                    .position(|c| c == v)
                    .or_else(|| {
                        self.categories
                            .iter()
                            .position(|c| c.eq_ignore_ascii_case(v))
                    })
                    .unwrap_or(self.categories.len())
            }
        }
    }

    /// The bin of a cell of text, or why it has none (a number column holding words).
    pub fn of_cell(&self, cell: &str) -> Result<usize, String> {
        if is_missing(cell) {
            return Ok(0);
        }
        match self.kind {
            Kind::Categorical => Ok(self.of_category(Some(cell.trim()))),
            Kind::Numeric => parse_number(cell)
                .map(|x| self.of_number(Some(x)))
                .ok_or_else(|| format!("`{}` is not a number", cell.trim())),
        }
    }

    /// The bin of every row of a typed column.
    pub fn index(&self, values: &Values) -> Vec<u16> {
        match values {
            Values::Numeric(v) => v.iter().map(|&x| self.of_number(x) as u16).collect(),
            Values::Categorical(v) => v
                .iter()
                .map(|x| self.of_category(x.as_deref()) as u16)
                .collect(),
        }
    }

    /// The labels of the bins, in order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.len()).map(|bin| self.label(bin)).collect()
    }

    /// The label of one bin.
    pub fn label(&self, bin: usize) -> String {
        if bin == 0 {
            return MISSING.to_string();
        }
        if self.kind == Kind::Categorical {
            return self
                .categories
                .get(bin - 1)
                .map_or_else(|| OTHER.to_string(), Clone::clone);
        }
        let lower = (bin >= 2).then(|| self.cuts.get(bin - 2)).flatten();
        match (lower, self.cuts.get(bin - 1)) {
            (None, None) => "any".to_string(),
            (None, Some(&hi)) => format!("< {}", number(hi)),
            (Some(&lo), None) => format!("≥ {}", number(lo)),
            (Some(&lo), Some(&hi)) if self.whole && hi - lo == 1.0 => number(lo),
            (Some(&lo), Some(&hi)) if self.whole => format!("{}–{}", number(lo), number(hi - 1.0)),
            (Some(&lo), Some(&hi)) => format!("{} to < {}", number(lo), number(hi)),
        }
    }
}

/// A number as a label shows it: thousands separated, at most four significant decimals.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let digits = format!("{}", x.abs() as i64);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        return if x < 0.0 {
            format!("-{grouped}")
        } else {
            grouped
        };
    }
    let text = format!("{x:.4}");
    text.trim_end_matches('0').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_cut_at_quantiles_and_labelled_as_ranges() {
        let values: Vec<Option<f64>> = (20..60).map(|x| Some(f64::from(x))).chain([None]).collect();

        let bins = Bins::numeric("age", &values, 4);

        assert_eq!(bins.cuts, vec![30.0, 40.0, 50.0]);
        assert_eq!(
            bins.labels(),
            vec!["missing", "< 30", "30–39", "40–49", "≥ 50"]
        );
        assert_eq!(bins.of_number(None), 0);
        assert_eq!(bins.of_number(Some(29.9)), 1);
        assert_eq!(bins.of_number(Some(30.0)), 2);
        assert_eq!(bins.of_number(Some(1e9)), 4);
    }

    #[test]
    fn a_value_holding_most_rows_gets_one_bin_and_ties_are_never_split() {
        let mut values = vec![Some(-1.0); 90];
        values.extend((0..10).map(|x| Some(f64::from(x))));

        let bins = Bins::numeric("pdays", &values, 10);

        assert_eq!(bins.cuts[0], 0.0);
        assert_eq!(bins.of_number(Some(-1.0)), 1);
    }

    #[test]
    fn a_constant_or_empty_column_has_one_bin_besides_missing() {
        let bins = Bins::numeric("x", &[None, None], 256);

        assert_eq!(bins.len(), 2);
        assert_eq!(bins.labels(), vec!["missing", "any"]);
    }

    #[test]
    fn a_category_written_in_another_case_is_the_same_category() {
        let values = vec![Some("Series B".to_string()); 12];

        let bins = Bins::categorical("funding_stage", &values, 10);

        assert_eq!(bins.of_category(Some("series b")), 1);
        assert_eq!(bins.of_category(Some("Series C")), 2, "other");
    }

    #[test]
    fn rare_and_unseen_categories_share_other() {
        let mut values = vec![Some("student".to_string()); 12];
        values.extend(vec![Some("admin".to_string()); 10]);
        values.push(Some("astronaut".to_string()));

        let bins = Bins::categorical("job", &values, 10);

        assert_eq!(bins.labels(), vec!["missing", "admin", "student", "other"]);
        assert_eq!(bins.of_category(Some("astronaut")), 3);
        assert_eq!(bins.of_category(Some("pilot")), 3);
        assert_eq!(bins.of_cell("NA"), Ok(0));
    }

    #[test]
    fn words_in_a_number_column_are_an_error_not_a_bin() {
        let bins = Bins::numeric("age", &[Some(1.0), Some(2.0)], 4);

        assert_eq!(
            bins.of_cell("old"),
            Err("`old` is not a number".to_string())
        );
    }

    #[test]
    fn large_numbers_are_grouped_in_labels() {
        assert_eq!(number(1200.0), "1,200");
        assert_eq!(number(-1_234_567.0), "-1,234,567");
        assert_eq!(number(0.25), "0.25");
    }
}
