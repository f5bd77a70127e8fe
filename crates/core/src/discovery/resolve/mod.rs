//! The entity-resolution engine: any table of records in, clusters of records that are
//! one entity out, with the evidence for every merge.
//!
//! The setup is data ([`ResolveConfig`], TOML with built-in presets for B2B contacts,
//! companies and the FEBRL benchmark). The steps, each a pure function the caller may time
//! or inspect:
//!
//! 1. [`Table::build`]: prepare each field (normalise, intern) into columns of value ids.
//! 2. [`candidates`]: blocking; the union of the rules' pairs, each once.
//! 3. [`compare_pairs`]: a comparison vector (one level per comparison) per candidate.
//! 4. [`Model::train`]: u from random pairs, λ and m by EM, no labels.
//! 5. [`score`]: each candidate's weight and probability; links at or above the threshold
//!    and contradictions at or below the veto weight or probability.
//! 6. [`cluster`]: constrained single-linkage (see [`cluster`'s module](cluster)).
//! 7. [`explain`]: for a merge, each comparison's level and weight.
//!
//! [`resolve`] runs them all. Survivorship ([`survive`]) picks the values a cluster keeps.

mod blocking;
mod cluster;
mod compare;
mod config;
mod contacts;
mod eval;
mod model;
mod names;
mod nicknames;
mod survive;
mod table;

pub use blocking::{Candidates, Pair, RuleStats, candidates};
pub use cluster::{Clustering, Constraints, Link, RecordNames, cluster};
pub use compare::{
    Comparison, Gamma, compile, domain_spells_company, edit_distance_at_most, gamma, jaro_winkler,
    leading_words, level_of, name_in_email, word_overlap,
};
pub use config::{
    BlockingRule, ComparisonSpec, ConfigError, FieldSpec, LevelSpec, Mode, NamesSpec, Prepare,
    ResolveConfig, SourceSpec, TrainingSpec,
};
pub use contacts::{ContactMerge, MergePlan, plan_merges};
pub use eval::{PairScores, candidate_recall, label_ids, pair_list_scores, pairwise_scores};
pub use model::{ComparisonWeights, LevelWeight, Model, TrainingReport, compare_pairs};
pub use names::{
    PersonNames, family_names_agree, given_names_agree, names_contradict, near_name, nicknames,
    same_person_name,
};
pub use survive::{SourcedRecord, Survivor, survive};
pub use table::{Column, Table, missing_columns, prepare_value};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The scored candidates that matter for clustering.
#[derive(Debug, Clone, Default)]
pub struct Scored {
    /// Pairs at or above the threshold.
    pub links: Vec<Link>,
    /// Pairs at or below the veto weight or the veto probability.
    pub contradictions: Vec<Pair>,
}

/// Scores every candidate pair and keeps the links (at or above the threshold, or agreeing
/// on an identifier) and the contradictions.
pub fn score(
    config: &ResolveConfig,
    model: &Model,
    comparisons: &[Comparison],
    table: &Table,
    pairs: &[Pair],
    gammas: &[Gamma],
) -> Scored {
    let threshold = config.threshold;
    let veto = config.veto_weight;
    let veto_probability = config.veto_probability.unwrap_or(0.0);
    let (links, contradictions) = pairs
        .par_iter()
        .zip(gammas)
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut links, mut contradictions), (&(a, b), &g)| {
                let weight = model.pair_weight(comparisons, table, g, (a as usize, b as usize));
                let identified = identified(comparisons, g);
                let probability = model.probability(weight);
                let vetoed = weight <= veto || probability <= veto_probability;
                if vetoed && !identified {
                    contradictions.push((a, b));
                } else {
                    // An identifier both records hold, and no one else whose name differs
                    // (a shared one is null), names one person whatever else changed: a
                    // mover with a new employer, title and a nickname.
                    if probability >= threshold || identified {
                        links.push(Link {
                            a,
                            b,
                            weight,
                            probability,
                            identified,
                        });
                    }
                }
                (links, contradictions)
            },
        )
        .reduce(
            || (Vec::new(), Vec::new()),
            |(mut l1, mut c1), (l2, c2)| {
                l1.extend(l2);
                c1.extend(c2);
                (l1, c1)
            },
        );
    Scored {
        links,
        contradictions,
    }
}

/// Whether a comparison vector agrees exactly on an identifier
/// ([`ComparisonSpec::identifier`]).
fn identified(comparisons: &[Comparison], g: Gamma) -> bool {
    comparisons
        .iter()
        .enumerate()
        .any(|(c, cmp)| cmp.identifier && cmp.exact_level.is_some_and(|l| level_of(g, c) == l))
}

impl RecordNames for Table {
    fn name_of(&self, record: u32) -> u32 {
        self.names.of.get(record as usize).copied().unwrap_or(0)
    }

    fn contradict(&self, x: u32, y: u32) -> bool {
        self.names.contradict(&self.columns, x, y)
    }
}

/// What clustering respects for a table: the scored contradictions, one record per data
/// set in link mode, and the records' names when the setup reads them.
pub fn constraints<'a>(
    config: &ResolveConfig,
    table: &'a Table,
    scored: &'a Scored,
) -> Constraints<'a> {
    Constraints {
        contradictions: &scored.contradictions,
        datasets: (config.mode == Mode::Link).then_some(table.dataset.as_slice()),
        names: config.names.is_some().then_some(table as &dyn RecordNames),
    }
}

/// The evidence of one comparison for a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub comparison: String,
    /// The level's label: `exact`, `jaro_winkler>=0.92`, `company exact`, `else`, `null`,
    /// or `shared` for a personal comparison on a value people with contradicting names
    /// hold (a company's line).
    pub level: String,
    /// Its log2 Bayes factor, term-frequency adjustment included; 0 for null.
    pub weight: f64,
}

/// Why two records are (or are not) one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub a: u32,
    pub b: u32,
    /// log2 of the prior odds of a match ([`Model::prior`]).
    pub prior_weight: f64,
    /// The sum of the comparisons' weights.
    pub weight: f64,
    pub probability: f64,
    pub evidence: Vec<Evidence>,
    /// When the two records' names contradict and an identifier they share joined them
    /// anyway: which identifier, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_override: Option<String>,
}

/// Explains the pair of records `a` and `b`: each comparison's level and weight.
pub fn explain(
    model: &Model,
    comparisons: &[Comparison],
    table: &Table,
    a: u32,
    b: u32,
) -> Explanation {
    let (ra, rb) = (a as usize, b as usize);
    let g = gamma(comparisons, table, ra, rb);
    let evidence: Vec<Evidence> = comparisons
        .iter()
        .enumerate()
        .map(|(c, cmp)| {
            let l = level_of(g, c);
            let shared =
                (cmp.personal || cmp.identifier) && cmp.shared_value(table, ra, rb).is_some();
            Evidence {
                comparison: cmp.name.clone(),
                level: match shared {
                    true => "shared".to_string(),
                    false => cmp.labels.get(l as usize).cloned().unwrap_or_default(),
                },
                weight: model.weight(comparisons, table, c, l, (ra, rb)),
            }
        })
        .collect();
    let weight = evidence.iter().map(|e| e.weight).sum();
    let name_override = table
        .names_contradict(ra, rb)
        .then(|| {
            comparisons.iter().enumerate().find(|(c, cmp)| {
                cmp.identifier && cmp.exact_level.is_some_and(|l| level_of(g, *c) == l)
            })
        })
        .flatten()
        .map(|(_, cmp)| {
            let names = |r| {
                table
                    .names
                    .name_of(&table.columns, r)
                    .map(|(g, f)| format!("{g} {f}"))
                    .unwrap_or_default()
            };
            format!(
                "the names differ ({} / {}), but both records hold the same {} ({}), \
                 which names one person",
                names(ra),
                names(rb),
                cmp.name,
                table.columns[cmp.column].get(ra).unwrap_or_default()
            )
        });
    Explanation {
        a,
        b,
        prior_weight: model.prior_weight(),
        weight,
        probability: model.probability(weight),
        evidence,
        name_override,
    }
}

/// Everything one run produced.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub comparisons: Vec<Comparison>,
    pub candidates: Candidates,
    pub model: Model,
    pub clustering: Clustering,
}

impl Resolution {
    /// The explanation of every merge, in the order the merges were made.
    pub fn explain_merges(&self, table: &Table) -> Vec<Explanation> {
        self.clustering
            .merges
            .iter()
            .map(|m| explain(&self.model, &self.comparisons, table, m.a, m.b))
            .collect()
    }
}

/// Runs blocking, comparison, training, scoring and clustering on a built table.
pub fn resolve(config: &ResolveConfig, table: &Table) -> Resolution {
    let comparisons = compile(config, table);
    let candidates = candidates(config, table);
    let gammas = compare_pairs(&comparisons, table, &candidates.pairs);
    let model = Model::train(config, table, &comparisons, &candidates.pairs, &gammas);
    let scored = score(
        config,
        &model,
        &comparisons,
        table,
        &candidates.pairs,
        &gammas,
    );
    let clustering = cluster(
        table.len(),
        &scored.links,
        &constraints(config, table, &scored),
    );
    Resolution {
        comparisons,
        candidates,
        model,
        clustering,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: [&str; 20] = [
        "Jane", "John", "Maria", "Omar", "Wei", "Anna", "Lukas", "Sofia", "Arjun", "Emma", "Noah",
        "Chloé", "Mateo", "Aisha", "Liam", "Yuki", "Elif", "Hugo", "Nora", "Ravi",
    ];
    const LAST: [&str; 30] = [
        "Doe", "Roe", "Müller", "Rossi", "Chen", "Novak", "Silva", "Kowalski", "Haddad", "Berg",
        "Dubois", "Kim", "Patel", "Nagy", "Olsen", "Costa", "Tanaka", "Ivanova", "Jansen", "Weber",
        "Moreau", "Lopez", "Singh", "Fischer", "Horvat", "Lind", "Ortiz", "Sato", "Young", "Adams",
    ];

    /// The columns of the rows of [`people`].
    const HEADER: [&str; 6] = [
        "first_name",
        "last_name",
        "email",
        "company_name",
        "website",
        "linkedin_url",
    ];

    /// 600 people at 150 companies, each in an Apollo-like row; half again in a CRM row
    /// (upper-case names, same e-mail, no profile) and a third in a Sales Navigator-like row
    /// (no e-mail, same profile, legal form on the company). Returns rows and true ids.
    fn people() -> (Vec<[String; 6]>, Vec<u32>) {
        let (mut rows, mut truth) = (Vec::new(), Vec::new());
        for i in 0..600u32 {
            let (first, last) = (FIRST[i as usize % 20], LAST[(i as usize / 20) % 30]);
            let company = format!("Firm{}", i % 150);
            let domain = format!("firm{}.com", i % 150);
            let email = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
            let profile = format!(
                "linkedin.com/in/{}-{}-{i}",
                first.to_lowercase(),
                last.to_lowercase()
            );
            rows.push([
                first.into(),
                last.into(),
                email.clone(),
                company.clone(),
                domain.clone(),
                profile.clone(),
            ]);
            truth.push(i);
            if i % 2 == 0 {
                rows.push([
                    first.to_uppercase(),
                    last.to_uppercase(),
                    email.to_uppercase(),
                    company.clone(),
                    String::new(),
                    String::new(),
                ]);
                truth.push(i);
            }
            if i % 3 == 0 {
                rows.push([
                    first.into(),
                    last.into(),
                    String::new(),
                    format!("{company} Inc."),
                    String::new(),
                    format!("https://www.{profile}/"),
                ]);
                truth.push(i);
            }
        }
        (rows, truth)
    }

    #[test]
    fn people_in_several_sources_resolve_with_explained_merges() {
        // Arrange
        let config = ResolveConfig::b2b_contacts();
        let (rows, truth) = people();
        let table = Table::build(&config, &HEADER, rows.len(), |r, c| &rows[r][c], |_| 0);

        // Act
        let resolution = resolve(&config, &table);

        // Assert
        let scores = pairwise_scores(&resolution.clustering.cluster_of, &truth, None);
        assert!(
            scores.precision >= 0.99 && scores.recall >= 0.99,
            "{scores:?}"
        );
        let explained = resolution.explain_merges(&table);
        assert_eq!(explained.len(), resolution.clustering.merges.len());
        let first = &explained[0];
        assert!(first.probability >= config.threshold);
        assert_eq!(first.evidence.len(), config.comparisons.len());
        assert!((first.weight - first.evidence.iter().map(|e| e.weight).sum::<f64>()).abs() < 1e-9);
    }

    #[test]
    fn a_shared_profile_outweighs_a_changed_employer() {
        // Arrange: the people of `people()`, the CRM rows with the profile too (so that
        // EM sees matches agree on it), and one person again at another employer, with a
        // misspelt name and no address, known by the same profile URL.
        let config = ResolveConfig::b2b_contacts();
        let (mut rows, _) = people();
        for k in 1..rows.len() {
            let crm_row = !rows[k][2].is_empty() && rows[k][5].is_empty();
            if crm_row {
                rows[k][5] = rows[k - 1][5].clone();
            }
        }
        let moved = rows[0].clone();
        rows.push([
            moved[0].clone(),
            format!("{}e", moved[1]),
            String::new(),
            "Elsewhere Group".into(),
            "elsewhere.io".into(),
            moved[5].clone(),
        ]);
        let table = Table::build(&config, &HEADER, rows.len(), |r, c| &rows[r][c], |_| 0);

        // Act
        let resolution = resolve(&config, &table);

        // Assert
        let linkedin = resolution
            .comparisons
            .iter()
            .position(|c| c.name == "linkedin")
            .unwrap();
        let present = f64::from(table.columns[resolution.comparisons[linkedin].column].present);
        let exact = resolution.comparisons[linkedin].exact_level.unwrap() as usize;
        assert!(resolution.model.u[linkedin][exact] <= 2.0 / (present * (present - 1.0)));
        let last = rows.len() - 1;
        let e = explain(
            &resolution.model,
            &resolution.comparisons,
            &table,
            0,
            last as u32,
        );
        let employer = e
            .evidence
            .iter()
            .find(|x| x.comparison == "employer")
            .unwrap();
        assert_eq!(employer.level, "else");
        assert!(
            resolution
                .clustering
                .merges
                .iter()
                .any(|m| m.identified && (m.a, m.b) == (0, last as u32)),
            "the profile alone links them: {e:?}"
        );
        let c = &resolution.clustering.cluster_of;
        assert_eq!(c[0], c[last]);
    }
}
