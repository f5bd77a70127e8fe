//! A prospect list's draft: every resolved contact judged against one live ICP version,
//! with the tallies the list's summary and its gate show, what changed against the
//! segment's previous list, and what the refresh queue should hold. Pure: the engine loads
//! the records, stores the draft and opens the sample review.
//!
//! A contact's records are its observations; the company it works for is found among all
//! records (see [`super::company`]), so a company's facts are those of every colleague.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::Serialize;

use super::company::resolve_companies;
use super::freshness::Freshness;
use super::prospect::{
    ListRules, Observation, Profile, ProspectVerdict, Standing, company_profile, current_employer,
    judge, person_profile, sources_of,
};
use super::sample::{SampleItem, draw};
use crate::icp::{IcpDocument, criterion_label};

crate::values! {
    /// Why a contact waits in the refresh queue.
    pub enum RefreshReason("refresh reason") {
        /// Its facts are older than the refresh age: still used, to be refreshed.
        Stale = "stale" / "stale facts",
        /// A required ICP criterion cannot be decided from its facts.
        NeedsData = "needs_data" / "needs data",
    }
}

/// One contact the list should send for refreshing, with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshNeed {
    pub contact: i64,
    pub reason: RefreshReason,
    pub detail: String,
}

/// One contact judged for the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Drafted {
    pub contact: i64,
    pub person: Profile,
    pub company: Profile,
    /// The contact's sources, most trusted first.
    pub sources: Vec<String>,
    pub verdict: ProspectVerdict,
}

impl Drafted {
    /// The source a sample is stratified by: the most trusted one.
    pub fn primary_source(&self) -> &str {
        self.sources.first().map_or("", String::as_str)
    }
}

/// The counts of a draft, as its summary keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub admitted: usize,
    /// Contacts that wait for data a required ICP criterion needs.
    pub needs_data: usize,
    /// Contacts waiting for data, counted by the criterion they wait for.
    pub needs_data_by_criterion: BTreeMap<String, usize>,
    pub dropped: usize,
    /// Dropped contacts counted by the kind of their first reason (`ICP
    /// exclusions.existing_customers`, `compliance`, `freshness`).
    pub dropped_by_reason: BTreeMap<String, usize>,
    /// Admitted now, not admitted on the previous list (zero when there is none).
    pub newly_admitted: usize,
    /// Admitted on the previous list, not now: each with the reasons in words.
    pub newly_dropped: Vec<(i64, Vec<String>)>,
    /// Admitted contacts and contacts waiting for data whose facts are stale.
    pub stale: usize,
}

/// A list before it is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListDraft {
    /// Every contact, in contact-id order.
    pub prospects: Vec<Drafted>,
    pub tally: Tally,
    pub refresh: Vec<RefreshNeed>,
}

impl ListDraft {
    /// The contacts a reviewer checks: a sample of the admitted, stratified by source.
    pub fn sample(&self, size: usize, seed: u64) -> Vec<i64> {
        let items: Vec<SampleItem<'_>> = self
            .admitted()
            .map(|d| SampleItem {
                id: d.contact,
                stratum: d.primary_source(),
            })
            .collect();
        draw(&items, size, seed)
    }

    /// The admitted contacts.
    pub fn admitted(&self) -> impl Iterator<Item = &Drafted> {
        self.prospects
            .iter()
            .filter(|d| d.verdict.standing == Standing::Admitted)
    }
}

/// Drafts the list of `icp` from every record, each tagged with its contact: judges each
/// contact with `rules` at `now`, reading profiles by the `trust` order of sources, and
/// compares with the segment's `previous` list (each contact's standing there), if any.
pub fn draft(
    icp: &IcpDocument,
    records: &[(i64, Observation<'_>)],
    rules: &ListRules<'_>,
    trust: &[&str],
    previous: Option<&HashMap<i64, Standing>>,
    now: Timestamp,
) -> ListDraft {
    let companies = resolve_companies(records.iter().map(|(_, o)| o.facts));
    let company_of_record: HashMap<i64, usize> = records
        .iter()
        .enumerate()
        .filter_map(|(i, (_, o))| Some((o.record_id, companies.of(i)?)))
        .collect();
    let mut by_contact: BTreeMap<i64, Vec<Observation<'_>>> = BTreeMap::new();
    let mut by_company: Vec<Vec<Observation<'_>>> = vec![Vec::new(); companies.count()];
    for (i, (contact, o)) in records.iter().enumerate() {
        by_contact.entry(*contact).or_default().push(*o);
        if let Some(company) = companies.of(i) {
            by_company[company].push(*o);
        }
    }
    let no_company = Vec::new();
    let mut list = ListDraft::default();
    for (contact, observations) in by_contact {
        let person = person_profile(&observations, trust);
        let employer = current_employer(
            &observations,
            |o| company_of_record.get(&o.record_id).copied(),
            trust,
        );
        let colleagues = employer.map_or(&no_company, |c| &by_company[c]);
        let company = company_profile(colleagues, trust);
        let verdict = judge(
            icp,
            &observations,
            &person,
            &company,
            colleagues,
            rules,
            now,
        );
        let drafted = Drafted {
            contact,
            person,
            company,
            sources: sources_of(&observations, trust),
            verdict,
        };
        list.count(&drafted, previous);
        list.prospects.push(drafted);
    }
    list
}

impl ListDraft {
    /// Adds one contact's verdict to the tallies and the refresh queue.
    fn count(&mut self, d: &Drafted, previous: Option<&HashMap<i64, Standing>>) {
        let verdict = &d.verdict;
        let was = previous.and_then(|p| p.get(&d.contact)).copied();
        let tally = &mut self.tally;
        if verdict.standing != Standing::Dropped && verdict.freshness.freshness == Freshness::Stale
        {
            tally.stale += 1;
            self.refresh.push(RefreshNeed {
                contact: d.contact,
                reason: RefreshReason::Stale,
                detail: verdict.freshness.reason.clone(),
            });
        }
        let waits_for = || verdict.unknown.iter().map(|c| criterion_label(c));
        match verdict.standing {
            Standing::Admitted => {
                tally.admitted += 1;
                if previous.is_some() && was != Some(Standing::Admitted) {
                    tally.newly_admitted += 1;
                }
            }
            Standing::NeedsData => {
                tally.needs_data += 1;
                for criterion in &verdict.unknown {
                    *tally
                        .needs_data_by_criterion
                        .entry(criterion.clone())
                        .or_default() += 1;
                }
                self.refresh.push(RefreshNeed {
                    contact: d.contact,
                    reason: RefreshReason::NeedsData,
                    detail: format!("waits for {}", waits_for().collect::<Vec<_>>().join(", ")),
                });
                if was == Some(Standing::Admitted) {
                    let reasons = waits_for().map(|c| format!("needs data: {c}")).collect();
                    tally.newly_dropped.push((d.contact, reasons));
                }
            }
            Standing::Dropped => {
                tally.dropped += 1;
                let kind = verdict.drop_kind().unwrap_or_else(|| "other".to_string());
                *tally.dropped_by_reason.entry(kind).or_default() += 1;
                if was == Some(Standing::Admitted) {
                    tally
                        .newly_dropped
                        .push((d.contact, verdict.reasons.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    fn facts(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test facts are objects"),
        }
    }

    fn icp() -> IcpDocument {
        IcpDocument::parse(
            r#"
            segment = "test"
            rationale = "Companies of 50 to 1,000 people."
            [firmographics]
            employees = { min = 50, max = 1000 }
            "#,
            "test.toml",
        )
        .expect("a valid ICP")
    }

    #[test]
    fn a_draft_judges_each_contact_once_and_counts_what_changed_since_the_previous_list() {
        // Arrange: contact 1 fits, contact 2's company is too small, contact 3 has no size.
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let fits = facts(json!({"email": "a@big.com", "company_domain": "big.com",
            "employees": "200", "country": "US"}));
        let small = facts(
            json!({"email": "b@small.com", "company_domain": "small.com",
            "employees": "12", "country": "US"}),
        );
        let unknown = facts(
            json!({"email": "c@quiet.com", "company_domain": "quiet.com",
            "country": "US"}),
        );
        let record = |id, facts| Observation {
            record_id: id,
            source: "apollo",
            observed_at: now,
            facts,
        };
        let records = [
            (1, record(10, &fits)),
            (2, record(20, &small)),
            (3, record(30, &unknown)),
        ];
        let previous = HashMap::from([(2, Standing::Admitted), (3, Standing::Admitted)]);

        // Act
        let list = draft(
            &icp(),
            &records,
            &ListRules::default(),
            &["apollo"],
            Some(&previous),
            now,
        );

        // Assert
        let standings: Vec<_> = list
            .prospects
            .iter()
            .map(|d| (d.contact, d.verdict.standing))
            .collect();
        assert_eq!(
            standings,
            [
                (1, Standing::Admitted),
                (2, Standing::Dropped),
                (3, Standing::NeedsData)
            ]
        );
        let tally = &list.tally;
        assert_eq!((tally.admitted, tally.dropped, tally.needs_data), (1, 1, 1));
        assert_eq!(tally.newly_admitted, 1);
        assert_eq!(
            tally.dropped_by_reason,
            BTreeMap::from([("ICP firmographics.employees".to_string(), 1)])
        );
        let newly_dropped: Vec<i64> = tally.newly_dropped.iter().map(|(c, _)| *c).collect();
        assert_eq!(newly_dropped, [2, 3]);
        assert_eq!(
            list.refresh
                .iter()
                .map(|r| (r.contact, r.reason))
                .collect::<Vec<_>>(),
            [(3, RefreshReason::NeedsData)]
        );
        assert_eq!(list.sample(10, 1), [1]);
    }
}
