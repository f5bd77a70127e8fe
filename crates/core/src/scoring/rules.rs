//! A points card written by hand, for a team without the history to learn one: the same
//! format as a trained version's card ([`Scorecard`]), read from TOML strictly (unknown keys
//! refused) and checked for meaning (a point for every bin, cuts that ascend), with every
//! error naming the key and its line, so that the person who wrote the file can fix it.
//!
//! ```toml
//! base_points = 170                        # the score of a lead with every term at 0
//! [scale]
//! points_to_double_odds = 20
//! even_odds_score = 200
//!
//! [[terms]]
//! bins = { feature = "employees", type = "numeric", cuts = [50, 200, 1000], whole = true }
//! points = [0, -10, 5, 15, 20]             # missing, < 50, 50–199, 200–999, ≥ 1,000
//! ```

use crate::toml_error::{KeyPath, TomlError};

use super::bins::{Bins, Kind};
use super::scorecard::{Scorecard, Term};

/// Reads a hand-written card from `text`; `origin` names the file in errors.
pub fn parse(text: &str, origin: &str) -> Result<Scorecard, TomlError> {
    let card: Scorecard = toml::from_str(text).map_err(|e| TomlError::from_de(&e, text, origin))?;
    check(&card).map_err(|(path, message)| TomlError::at(text, origin, &path, message))?;
    Ok(card)
}

/// What is wrong with a card's meaning, and where: each term's points fit its bins.
pub fn check(card: &Scorecard) -> Result<(), (KeyPath, String)> {
    let root = KeyPath::default();
    if card.scale.points_to_double_odds == 0 {
        return Err((
            root.key("scale").key("points_to_double_odds"),
            "must be at least 1".to_string(),
        ));
    }
    if card.terms.is_empty() {
        return Err((
            root.key("terms"),
            "a card needs at least one term".to_string(),
        ));
    }
    for (i, term) in card.terms.iter().enumerate() {
        check_term(term, &root.key("terms").index(i))?;
    }
    Ok(())
}

fn check_term(term: &Term, path: &KeyPath) -> Result<(), (KeyPath, String)> {
    check_bins(&term.bins, &path.key("bins"))?;
    let expected = |bins: &Bins| {
        format!(
            "{} values, one per bin ({})",
            bins.len(),
            bins.labels().join(", ")
        )
    };
    match &term.with {
        None => {
            if !term.table.is_empty() {
                return Err((
                    path.key("table"),
                    "a table is for a pair (set `with`); a single feature has `points`".to_string(),
                ));
            }
            if term.points.len() != term.bins.len() {
                return Err((
                    path.key("points"),
                    format!(
                        "has {}, expected {}",
                        term.points.len(),
                        expected(&term.bins)
                    ),
                ));
            }
        }
        Some(with) => {
            check_bins(with, &path.key("with"))?;
            if with.feature == term.bins.feature {
                return Err((
                    path.key("with").key("feature"),
                    "pairs a feature with itself".to_string(),
                ));
            }
            if !term.points.is_empty() {
                return Err((
                    path.key("points"),
                    "a pair has a `table` of points, one row per bin".to_string(),
                ));
            }
            if term.table.len() != term.bins.len() {
                return Err((
                    path.key("table"),
                    format!(
                        "has {} rows, expected {}",
                        term.table.len(),
                        expected(&term.bins)
                    ),
                ));
            }
            for (r, row) in term.table.iter().enumerate() {
                if row.len() != with.len() {
                    return Err((
                        path.key("table").index(r),
                        format!("has {}, expected {}", row.len(), expected(with)),
                    ));
                }
            }
        }
    }
    if !term.shares.is_empty() && term.shares.len() != term.cells() {
        return Err((
            path.key("shares"),
            format!(
                "has {} shares, expected {}",
                term.shares.len(),
                term.cells()
            ),
        ));
    }
    Ok(())
}

fn check_bins(bins: &Bins, path: &KeyPath) -> Result<(), (KeyPath, String)> {
    match bins.kind {
        Kind::Numeric => {
            if !bins.categories.is_empty() {
                return Err((
                    path.key("categories"),
                    "a numeric feature has cuts, not categories".to_string(),
                ));
            }
            if bins.cuts.iter().any(|c| !c.is_finite()) {
                return Err((path.key("cuts"), "cuts must be finite numbers".to_string()));
            }
            if bins.cuts.windows(2).any(|w| w[0] >= w[1]) {
                return Err((
                    path.key("cuts"),
                    "cuts must ascend, each above the one before".to_string(),
                ));
            }
        }
        Kind::Categorical => {
            if !bins.cuts.is_empty() {
                return Err((
                    path.key("cuts"),
                    "a categorical feature has categories, not cuts".to_string(),
                ));
            }
            let mut sorted = bins.categories.clone();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != bins.categories.len() {
                return Err((path.key("categories"), "lists a category twice".to_string()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = r#"
base_points = 170

[scale]
points_to_double_odds = 20
even_odds_score = 200

[[terms]]
bins = { feature = "employees", type = "numeric", cuts = [50, 200, 1000], whole = true }
points = [0, -10, 5, 15, 20]

[[terms]]
bins = { feature = "industry", type = "categorical", categories = ["fintech", "software"] }
points = [0, 8, 12, -5]
"#;

    #[test]
    fn a_hand_written_card_scores_like_a_learned_one() {
        let card = parse(CARD, "rules.toml").unwrap();

        let (score, reasons) = card.explain(&[2, 2]);

        assert_eq!(score, 170 + 5 + 12);
        assert_eq!(reasons[0].bin, "50–199");
        assert_eq!(reasons[1].bin, "software");
    }

    #[test]
    fn too_few_points_name_the_key_the_line_and_the_bins() {
        let text = CARD.replace("points = [0, 8, 12, -5]", "points = [0, 8, 12]");

        let error = parse(&text, "rules.toml").unwrap_err();

        assert_eq!(
            error.to_string(),
            "rules.toml:14:10: key `terms[1].points`: has 3, expected 4 values, one per bin \
             (missing, fintech, software, other)"
        );
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let text = CARD.replace("base_points = 170", "base_points = 170\nbias = 3");

        let error = parse(&text, "rules.toml").unwrap_err();

        assert_eq!(error.key.as_deref(), Some("bias"));
        assert_eq!(error.line, Some(3));
    }

    #[test]
    fn cuts_that_do_not_ascend_are_refused() {
        let text = CARD.replace("[50, 200, 1000]", "[50, 1000, 200]");

        let error = parse(&text, "rules.toml").unwrap_err();

        assert_eq!(error.key.as_deref(), Some("terms[0].bins.cuts"));
    }

    #[test]
    fn the_sample_rules_file_is_a_valid_card() {
        let text = include_str!("../../../../examples/scoring/rules.toml");

        let card = parse(text, "rules.toml").unwrap();

        assert!(card.terms.len() >= 3);
    }
}
