//! What changed between two versions of an ICP, for the people who approve the new one.
//!
//! The approvers of a proposed version see this diff against the live version, so it speaks
//! in the document's own keys: scalars are changed, lists gain and lose elements, personas,
//! signals and intent topics are matched by their name, kind and topic. A reordered list is
//! one change too, so that a diff is empty exactly when the documents are equal.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::document::{
    Bounds, Exclusions, Firmographics, IcpDocument, IntentIndicator, KeyPath, Persona, Signal,
    Technographics,
};

/// The changes from one version of an ICP to another, in document order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IcpDiff {
    pub changes: Vec<Change>,
}

impl IcpDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// One change: `path` is the dotted key (`firmographics.employees.max`,
/// `personas."Sales leader".titles`); `old` and `new` are the values as text, absent on the
/// side where there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    /// The kind in words, for pages.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One line per change: `+ path: new`, `- path: old`, `~ path: old → new`. A change to a
/// multi-line text (the rationale) is `~ path: (changed)` followed by its removed and added
/// lines, indented.
impl fmt::Display for IcpDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let old = self.old.as_deref().unwrap_or("");
        let new = self.new.as_deref().unwrap_or("");
        match self.kind {
            ChangeKind::Added => write!(f, "+ {}: {new}", self.path),
            ChangeKind::Removed => write!(f, "- {}: {old}", self.path),
            ChangeKind::Changed if old.contains('\n') || new.contains('\n') => {
                write!(f, "~ {}: (changed)", self.path)?;
                for (sign, line) in changed_lines(old, new) {
                    write!(f, "\n    {sign} {line}")?;
                }
                Ok(())
            }
            ChangeKind::Changed => write!(f, "~ {}: {old} → {new}", self.path),
        }
    }
}

/// The changes that turn `old` into `new`.
pub fn diff(old: &IcpDocument, new: &IcpDocument) -> IcpDiff {
    let IcpDocument {
        segment,
        rationale,
        firmographics,
        technographics,
        personas,
        signals,
        intent,
        exclusions,
        accept_unknown,
    } = old;
    let root = KeyPath::default();
    let mut d = Differ::default();
    d.scalar(&root.key("segment"), segment, &new.segment);
    d.scalar(&root.key("rationale"), rationale, &new.rationale);
    d.firmographics(
        &root.key("firmographics"),
        firmographics,
        &new.firmographics,
    );
    d.technographics(
        &root.key("technographics"),
        technographics,
        &new.technographics,
    );
    d.keyed(
        &root.key("personas"),
        personas,
        &new.personas,
        Keyed::persona(),
    );
    d.keyed(&root.key("signals"), signals, &new.signals, Keyed::signal());
    d.keyed(&root.key("intent"), intent, &new.intent, Keyed::intent());
    d.exclusions(&root.key("exclusions"), exclusions, &new.exclusions);
    d.list(
        &root.key("accept_unknown"),
        accept_unknown,
        &new.accept_unknown,
    );
    IcpDiff { changes: d.changes }
}

#[derive(Default)]
struct Differ {
    changes: Vec<Change>,
}

/// How to diff an array of tables whose elements are known by one field.
struct Keyed<T> {
    key: fn(&T) -> &str,
    summary: fn(&T) -> String,
    fields: fn(&mut Differ, &KeyPath, &T, &T),
}

impl Keyed<Persona> {
    fn persona() -> Self {
        Keyed {
            key: |p| &p.name,
            summary: |p| {
                let Persona {
                    name: _,
                    titles,
                    seniority,
                    departments,
                } = p;
                [
                    ("titles", join(titles)),
                    ("seniority", join(seniority)),
                    ("departments", join(departments)),
                ]
                .into_iter()
                .filter(|(_, list)| !list.is_empty())
                .map(|(key, list)| format!("{key} = {list}"))
                .collect::<Vec<_>>()
                .join("; ")
            },
            fields: |d, path, old, new| {
                let Persona {
                    name: _,
                    titles,
                    seniority,
                    departments,
                } = old;
                d.list(&path.key("titles"), titles, &new.titles);
                d.list(&path.key("seniority"), seniority, &new.seniority);
                d.list(&path.key("departments"), departments, &new.departments);
            },
        }
    }
}

impl Keyed<Signal> {
    fn signal() -> Self {
        Keyed {
            key: |s| &s.kind,
            summary: |s| {
                let Signal {
                    kind: _,
                    within_days,
                    min_count,
                    required,
                } = s;
                format!(
                    "within_days = {within_days}, min_count = {min_count}, required = {required}"
                )
            },
            fields: |d, path, old, new| {
                let Signal {
                    kind: _,
                    within_days,
                    min_count,
                    required,
                } = old;
                d.scalar(&path.key("within_days"), within_days, &new.within_days);
                d.scalar(&path.key("min_count"), min_count, &new.min_count);
                d.scalar(&path.key("required"), required, &new.required);
            },
        }
    }
}

impl Keyed<IntentIndicator> {
    fn intent() -> Self {
        Keyed {
            key: |i| &i.topic,
            summary: |i| {
                let IntentIndicator {
                    topic: _,
                    min_score,
                    within_days,
                    required,
                } = i;
                format!(
                    "min_score = {min_score}, within_days = {within_days}, required = {required}"
                )
            },
            fields: |d, path, old, new| {
                let IntentIndicator {
                    topic: _,
                    min_score,
                    within_days,
                    required,
                } = old;
                d.scalar(&path.key("min_score"), min_score, &new.min_score);
                d.scalar(&path.key("within_days"), within_days, &new.within_days);
                d.scalar(&path.key("required"), required, &new.required);
            },
        }
    }
}

impl Differ {
    fn push(&mut self, path: &KeyPath, kind: ChangeKind, old: Option<String>, new: Option<String>) {
        self.changes.push(Change {
            path: path.to_string(),
            kind,
            old,
            new,
        });
    }

    fn scalar<T: PartialEq + fmt::Display>(&mut self, path: &KeyPath, old: &T, new: &T) {
        if old != new {
            let (old, new) = (old.to_string(), new.to_string());
            self.push(path, ChangeKind::Changed, Some(old), Some(new));
        }
    }

    fn optional<T: PartialEq + fmt::Display>(
        &mut self,
        path: &KeyPath,
        old: &Option<T>,
        new: &Option<T>,
    ) {
        match (old, new) {
            (Some(old), Some(new)) => self.scalar(path, old, new),
            (None, Some(new)) => self.push(path, ChangeKind::Added, None, Some(new.to_string())),
            (Some(old), None) => self.push(path, ChangeKind::Removed, Some(old.to_string()), None),
            (None, None) => {}
        }
    }

    fn bounds<T: PartialEq + fmt::Display>(
        &mut self,
        path: &KeyPath,
        old: &Option<Bounds<T>>,
        new: &Option<Bounds<T>>,
    ) {
        let none = || Bounds {
            min: None,
            max: None,
        };
        let (old_bounds, new_bounds) = (
            old.as_ref().map_or_else(none, |b| bounds_ref(b)),
            new.as_ref().map_or_else(none, |b| bounds_ref(b)),
        );
        let before = self.changes.len();
        self.optional(&path.key("min"), &old_bounds.min, &new_bounds.min);
        self.optional(&path.key("max"), &old_bounds.max, &new_bounds.max);
        // An empty range `{}` against no range at all: only the presence differs.
        if self.changes.len() == before && old.is_some() != new.is_some() {
            let kind = if new.is_some() {
                ChangeKind::Added
            } else {
                ChangeKind::Removed
            };
            let empty = Some("{}".to_string());
            let (old, new) = match kind {
                ChangeKind::Added => (None, empty),
                _ => (empty, None),
            };
            self.push(path, kind, old, new);
        }
    }

    /// Elements removed and added (as a multiset, so duplicates count), then the order of
    /// the elements both sides share.
    fn list<T: PartialEq + fmt::Display>(&mut self, path: &KeyPath, old: &[T], new: &[T]) {
        let pairs = pair_up(old, new, |a, b| a == b);
        for (i, item) in old.iter().enumerate() {
            if !pairs.iter().any(|&(o, _)| o == i) {
                self.push(path, ChangeKind::Removed, Some(item.to_string()), None);
            }
        }
        for (j, item) in new.iter().enumerate() {
            if !pairs.iter().any(|&(_, n)| n == j) {
                self.push(path, ChangeKind::Added, None, Some(item.to_string()));
            }
        }
        self.order(path, &pairs, |i| old[i].to_string(), |j| new[j].to_string());
    }

    /// Elements matched by key: removed and added ones in full, matched ones field by field.
    fn keyed<T>(&mut self, path: &KeyPath, old: &[T], new: &[T], how: Keyed<T>) {
        let pairs = pair_up(old, new, |a, b| (how.key)(a) == (how.key)(b));
        for (i, item) in old.iter().enumerate() {
            if !pairs.iter().any(|&(o, _)| o == i) {
                let summary = Some((how.summary)(item));
                self.push(
                    &element(path, (how.key)(item)),
                    ChangeKind::Removed,
                    summary,
                    None,
                );
            }
        }
        for (j, item) in new.iter().enumerate() {
            if !pairs.iter().any(|&(_, n)| n == j) {
                let summary = Some((how.summary)(item));
                self.push(
                    &element(path, (how.key)(item)),
                    ChangeKind::Added,
                    None,
                    summary,
                );
            }
        }
        for &(i, j) in &pairs {
            (how.fields)(self, &element(path, (how.key)(&old[i])), &old[i], &new[j]);
        }
        let key = |item: &T| (how.key)(item).to_string();
        self.order(path, &pairs, |i| key(&old[i]), |j| key(&new[j]));
    }

    /// One change for the whole list when the shared elements are in another order.
    fn order(
        &mut self,
        path: &KeyPath,
        pairs: &[(usize, usize)],
        old_name: impl Fn(usize) -> String,
        new_name: impl Fn(usize) -> String,
    ) {
        if pairs.windows(2).all(|w| w[0].1 < w[1].1) {
            return;
        }
        let mut by_new = pairs.to_vec();
        by_new.sort_by_key(|&(_, j)| j);
        let old_order: Vec<String> = pairs.iter().map(|&(i, _)| old_name(i)).collect();
        let new_order: Vec<String> = by_new.iter().map(|&(_, j)| new_name(j)).collect();
        let (old, new) = (old_order.join(", "), new_order.join(", "));
        self.push(path, ChangeKind::Changed, Some(old), Some(new));
    }

    fn firmographics(&mut self, path: &KeyPath, old: &Firmographics, new: &Firmographics) {
        let Firmographics {
            employees,
            industries,
            countries,
            regions,
            revenue_usd,
            headcount_growth_pct,
        } = old;
        self.bounds(&path.key("employees"), employees, &new.employees);
        self.list(&path.key("industries"), industries, &new.industries);
        self.list(&path.key("countries"), countries, &new.countries);
        self.list(&path.key("regions"), regions, &new.regions);
        self.bounds(&path.key("revenue_usd"), revenue_usd, &new.revenue_usd);
        self.bounds(
            &path.key("headcount_growth_pct"),
            headcount_growth_pct,
            &new.headcount_growth_pct,
        );
    }

    fn technographics(&mut self, path: &KeyPath, old: &Technographics, new: &Technographics) {
        let Technographics { any, all, none } = old;
        self.list(&path.key("any"), any, &new.any);
        self.list(&path.key("all"), all, &new.all);
        self.list(&path.key("none"), none, &new.none);
    }

    fn exclusions(&mut self, path: &KeyPath, old: &Exclusions, new: &Exclusions) {
        let Exclusions {
            domains,
            competitors,
            existing_customers,
        } = old;
        self.list(&path.key("domains"), domains, &new.domains);
        self.list(&path.key("competitors"), competitors, &new.competitors);
        self.scalar(
            &path.key("existing_customers"),
            existing_customers,
            &new.existing_customers,
        );
    }
}

fn bounds_ref<T>(bounds: &Bounds<T>) -> Bounds<&T> {
    Bounds {
        min: bounds.min.as_ref(),
        max: bounds.max.as_ref(),
    }
}

/// `personas."Sales leader"`: an element of an array of tables, named by its key.
fn element(path: &KeyPath, key: &str) -> KeyPath {
    path.key(key)
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pairs each element of `old` with the first unpaired element of `new` that `same` accepts,
/// in the order of `old`.
fn pair_up<T>(old: &[T], new: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let mut taken = vec![false; new.len()];
    let mut pairs = Vec::new();
    for (i, item) in old.iter().enumerate() {
        if let Some(j) = (0..new.len()).find(|&j| !taken[j] && same(item, &new[j])) {
            taken[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

/// The removed (`-`) and added (`+`) lines between two texts, in order, from a longest
/// common subsequence of lines. Very long texts fall back to all old lines, then all new.
pub(super) fn changed_lines<'t>(old: &'t str, new: &'t str) -> Vec<(char, &'t str)> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        let removed = a.iter().map(|l| ('-', *l));
        return removed.chain(b.iter().map(|l| ('+', *l))).collect();
    }
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || common[i + 1][j] >= common[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::icp::{SAMPLE_ICP, strategies};

    fn sample() -> IcpDocument {
        IcpDocument::parse(SAMPLE_ICP, "sample.toml").expect("the sample is valid")
    }

    fn lines(diff: &IcpDiff) -> Vec<String> {
        diff.to_string().lines().map(str::to_string).collect()
    }

    #[test]
    fn a_document_against_itself_has_no_changes() {
        let icp = sample();

        let changes = diff(&icp, &icp.clone());

        assert!(changes.is_empty());
        assert_eq!(changes.to_string(), "");
    }

    #[test]
    fn scalars_are_changed_and_list_elements_added_or_removed() {
        let old = sample();
        let mut new = old.clone();
        new.firmographics.employees = Some(Bounds {
            min: Some(50),
            max: Some(2000),
        });
        new.firmographics.countries.push("AU".into());
        new.technographics.none.retain(|t| t != "Chili Piper");
        new.firmographics.headcount_growth_pct = None;
        new.exclusions.existing_customers = false;

        let changes = diff(&old, &new);

        assert_eq!(
            lines(&changes),
            [
                "~ firmographics.employees.max: 1000 → 2000",
                "+ firmographics.countries: AU",
                "- firmographics.headcount_growth_pct.min: 5",
                "- technographics.none: Chili Piper",
                "~ exclusions.existing_customers: true → false",
            ]
        );
        assert_eq!(
            changes.changes[0],
            Change {
                path: "firmographics.employees.max".into(),
                kind: ChangeKind::Changed,
                old: Some("1000".into()),
                new: Some("2000".into()),
            }
        );
    }

    #[test]
    fn a_changed_rationale_shows_its_changed_lines() {
        let mut old = sample();
        old.rationale = "First line.\nSecond line.\nThird line.\n".into();
        let mut new = old.clone();
        new.rationale = "First line.\nA new second line.\nThird line.\nA fourth.\n".into();

        let changes = diff(&old, &new);

        assert_eq!(
            changes.to_string(),
            "~ rationale: (changed)\n    - Second line.\n    + A new second line.\n    + A fourth.\n"
        );
    }

    #[test]
    fn personas_signals_and_intent_are_matched_by_name() {
        let old = sample();
        let mut new = old.clone();
        new.personas[1].titles.push("CRO".into());
        new.personas[0].name = "RevOps leader".into();
        new.signals[0].within_days = 14;
        new.intent.pop();

        let changes = diff(&old, &new);

        assert_eq!(
            lines(&changes),
            [
                "- personas.\"Revenue operations leader\": titles = VP Revenue Operations, Head \
                 of Revenue Operations, Director of Sales Operations, RevOps Manager; seniority \
                 = vp, director, manager; departments = operations, sales",
                "+ personas.\"RevOps leader\": titles = VP Revenue Operations, Head of Revenue \
                 Operations, Director of Sales Operations, RevOps Manager; seniority = vp, \
                 director, manager; departments = operations, sales",
                "+ personas.\"Sales leader\".titles: CRO",
                "~ signals.pricing_page_visit.within_days: 30 → 14",
                "- intent.\"sales automation\": min_score = 70, within_days = 21, required = false",
            ]
        );
    }

    #[test]
    fn a_new_order_is_a_change() {
        let old = sample();
        let mut new = old.clone();
        new.firmographics.countries.swap(0, 1);
        new.signals.reverse();

        let changes = diff(&old, &new);

        assert_eq!(
            lines(&changes),
            [
                "~ firmographics.countries: US, CA, GB, IE, DE, NL, FR, SE, DK → CA, US, GB, IE, \
                 DE, NL, FR, SE, DK",
                "~ signals: pricing_page_visit, webinar_attended → webinar_attended, \
                 pricing_page_visit",
            ]
        );
    }

    #[test]
    fn the_diff_serialises_as_json() {
        let old = sample();
        let mut new = old.clone();
        new.firmographics.industries.push("Fintech".into());

        let json = serde_json::to_value(diff(&old, &new)).expect("serialisable");

        assert_eq!(
            json,
            serde_json::json!({"changes": [{
                "path": "firmographics.industries",
                "kind": "added",
                "old": null,
                "new": "Fintech",
            }]})
        );
    }

    #[test]
    fn duplicates_count_as_elements() {
        let mut old = sample();
        old.firmographics.industries = vec!["A".into(), "A".into()];
        let mut new = old.clone();
        new.firmographics.industries = vec!["A".into()];

        assert_eq!(lines(&diff(&old, &new)), ["- firmographics.industries: A"]);
        assert_eq!(lines(&diff(&new, &old)), ["+ firmographics.industries: A"]);
    }

    #[test]
    fn an_empty_range_differs_from_no_range() {
        let old = sample();
        let mut new = old.clone();
        new.firmographics.revenue_usd = Some(Bounds {
            min: None,
            max: None,
        });
        let mut none = old.clone();
        none.firmographics.revenue_usd = None;

        assert_eq!(
            lines(&diff(&none, &new)),
            ["+ firmographics.revenue_usd: {}"]
        );
        assert!(!diff(&old, &new).is_empty());
    }

    proptest! {
        #[test]
        fn a_document_against_itself_is_empty(a in strategies::document()) {
            prop_assert!(diff(&a, &a.clone()).is_empty());
        }

        #[test]
        fn a_diff_is_empty_exactly_when_the_documents_are_equal(
            a in strategies::document(),
            b in strategies::document(),
            same in any::<bool>(),
        ) {
            let b = if same { a.clone() } else { b };

            prop_assert_eq!(diff(&a, &b).is_empty(), a == b);
        }

        #[test]
        fn reordering_alone_is_seen(
            (a, personas, countries) in strategies::document().prop_flat_map(|a| {
                let personas = Just(a.personas.clone()).prop_shuffle();
                let countries = Just(a.firmographics.countries.clone()).prop_shuffle();
                (Just(a), personas, countries)
            }),
        ) {
            let mut b = a.clone();
            b.personas = personas;
            b.firmographics.countries = countries;

            let changes = diff(&a, &b);

            prop_assert_eq!(changes.is_empty(), a == b);
            prop_assert!(changes.changes.iter().all(|c| c.kind == ChangeKind::Changed));
        }
    }
}
