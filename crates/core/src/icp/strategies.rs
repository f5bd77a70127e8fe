//! Generators of valid ICP documents and of arbitrary prospects, for the property tests of
//! the reader, the writer, the diff and the evaluation.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::sample::subsequence;

use super::document::{
    Bounds, Department, Exclusions, Firmographics, ISO_COUNTRY_CODES, IcpDocument, IntentIndicator,
    Persona, Region, Seniority, Signal, Technographics,
};
use super::evaluate::{
    CompanyFacts, ContactFacts, IntentObservation, ProspectFacts, SignalObservation,
};

/// The moment the property tests evaluate at.
pub fn now() -> Timestamp {
    Timestamp::from_second(1_750_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A one-line text without surrounding white space, with characters that need quoting.
pub fn line() -> impl Strategy<Value = String> {
    "[A-Za-z0-9éß€'\"\\\\&.-]([A-Za-z0-9 éß€'\"\\\\&.-]{0,24}[A-Za-z0-9éß€'\"\\\\&.-])?"
}

fn rationale() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,.'\"\\\\\t\n\r€]{0,160}"
}

/// Texts that are unique when case is ignored.
fn unique_lines(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(line(), 0..=max).prop_map(|items| {
        let mut seen = std::collections::HashSet::new();
        items
            .into_iter()
            .filter(|i| seen.insert(i.to_lowercase()))
            .collect()
    })
}

pub fn domain() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?){0,2}\\.[a-z]{2,6}"
}

fn domains() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(domain(), 0..4).prop_map(|mut items| {
        let mut seen = std::collections::HashSet::new();
        items.retain(|d| seen.insert(d.clone()));
        items
    })
}

fn pick<T: Clone + std::fmt::Debug + 'static>(
    all: &[T],
    max: usize,
) -> impl Strategy<Value = Vec<T>> + use<T> {
    subsequence(all.to_vec(), 0..=max.min(all.len())).prop_shuffle()
}

fn bounds<T: Copy + PartialOrd + std::fmt::Debug>(
    ends: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Option<Bounds<T>>> {
    let range = (ends.clone(), ends, 0..3u8).prop_map(|(a, b, which)| {
        let (min, max) = if a <= b { (a, b) } else { (b, a) };
        Bounds {
            min: Some(min).filter(|_| which != 1),
            max: Some(max).filter(|_| which != 0),
        }
    });
    prop::option::of(range)
}

fn firmographics() -> impl Strategy<Value = Firmographics> {
    (
        bounds(prop_oneof![0..5_000i64, 0..=i64::MAX]),
        unique_lines(4),
        pick(&ISO_COUNTRY_CODES, 6),
        pick(&Region::ALL, 3),
        bounds(0..=i64::MAX),
        bounds(-100.0..=1000.0f64),
    )
        .prop_map(
            |(employees, industries, countries, regions, revenue_usd, headcount_growth_pct)| {
                let countries = countries.into_iter().map(str::to_string).collect();
                Firmographics {
                    employees,
                    industries,
                    countries,
                    regions,
                    revenue_usd,
                    headcount_growth_pct,
                }
            },
        )
}

fn technographics() -> impl Strategy<Value = Technographics> {
    (unique_lines(3), unique_lines(3), unique_lines(3)).prop_map(|(any, all, mut none)| {
        let wanted: Vec<String> = any.iter().chain(&all).map(|t| t.to_lowercase()).collect();
        none.retain(|t| !wanted.contains(&t.to_lowercase()));
        Technographics { any, all, none }
    })
}

fn persona() -> impl Strategy<Value = Persona> {
    (
        line(),
        unique_lines(3),
        pick(&Seniority::ALL, 3),
        pick(&Department::ALL, 3),
    )
        .prop_map(|(name, titles, mut seniority, departments)| {
            if titles.is_empty() && departments.is_empty() && seniority.is_empty() {
                seniority.push(Seniority::Vp);
            }
            Persona {
                name,
                titles,
                seniority,
                departments,
            }
        })
}

pub fn signal_kind() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,6}){0,2}"
}

fn signal() -> impl Strategy<Value = Signal> {
    (signal_kind(), 1..=365u32, 1..=4u32, any::<bool>()).prop_map(
        |(kind, within_days, min_count, required)| Signal {
            kind,
            within_days,
            min_count,
            required,
        },
    )
}

fn indicator() -> impl Strategy<Value = IntentIndicator> {
    (line(), 0..=100u8, 1..=365u32, any::<bool>()).prop_map(
        |(topic, min_score, within_days, required)| IntentIndicator {
            topic,
            min_score,
            within_days,
            required,
        },
    )
}

fn unique_by<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().filter(|i| seen.insert(key(i))).collect()
}

/// A document that [`IcpDocument::validate`] accepts.
pub fn document() -> impl Strategy<Value = IcpDocument> {
    (
        line(),
        rationale(),
        firmographics(),
        technographics(),
        prop::collection::vec(persona(), 0..3),
        prop::collection::vec(signal(), 0..3),
        prop::collection::vec(indicator(), 0..3),
        (domains(), domains(), any::<bool>(), any::<u16>()),
    )
        .prop_map(
            |(segment, rationale, firmographics, technographics, personas, signals, intent, e)| {
                let (domains, competitors, existing_customers, accepted) = e;
                let mut document = IcpDocument {
                    segment,
                    rationale,
                    firmographics,
                    technographics,
                    personas: unique_by(personas, |p| p.name.to_lowercase()),
                    signals: unique_by(signals, |s| s.kind.clone()),
                    intent: unique_by(intent, |i| i.topic.to_lowercase()),
                    exclusions: Exclusions {
                        domains,
                        competitors,
                        existing_customers,
                    },
                    accept_unknown: Vec::new(),
                };
                // Some of the document's own required criteria may be accepted unknown.
                document.accept_unknown = crate::icp::criteria_of(&document)
                    .into_iter()
                    .filter(|c| c.required)
                    .enumerate()
                    .filter(|(i, _)| accepted & (1 << (i % 16)) != 0)
                    .map(|(_, c)| c.criterion)
                    .collect();
                document
            },
        )
}

/// Any text: sometimes one a document is likely to name, sometimes noise.
fn fact(known: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        prop::sample::select(known).prop_map(str::to_string),
        "\\PC{0,12}",
    ])
}

fn moment() -> impl Strategy<Value = Timestamp> {
    (-400 * 24i64..=2 * 24).prop_map(|hours| {
        now()
            .checked_add(SignedDuration::from_hours(hours))
            .unwrap_or_else(|_| now())
    })
}

fn contact() -> impl Strategy<Value = ContactFacts> {
    (
        fact(&[
            "VP Sales",
            "Head of Revenue Operations",
            "Office manager",
            "",
        ]),
        fact(&["vp", "Director", "c-level", "intern"]),
        fact(&["sales", "Operations", "customer success", "HR"]),
        fact(&["US", "de"]),
    )
        .prop_map(|(title, seniority, department, country)| ContactFacts {
            title,
            seniority,
            department,
            country,
        })
}

/// A prospect with any mix of known, missing and odd facts, and observations of the kinds
/// and topics in `kinds` and `topics` as well as others.
pub fn prospect(kinds: Vec<String>, topics: Vec<String>) -> impl Strategy<Value = ProspectFacts> {
    let kind = prop_oneof![
        prop::sample::select(if kinds.is_empty() {
            vec!["x".to_string()]
        } else {
            kinds
        }),
        signal_kind(),
    ];
    let topic = prop_oneof![
        prop::sample::select(if topics.is_empty() {
            vec!["x".to_string()]
        } else {
            topics
        }),
        line(),
    ];
    let company = (
        prop::option::of(prop_oneof![domain(), "\\PC{0,16}"]),
        fact(&["Acme"]),
        prop::option::of(any::<u32>()),
        fact(&["Internet", "computer software", "Retail"]),
        fact(&["US", "gb", "BR", "DE", "XX"]),
        prop::option::of(any::<u64>()),
        prop::option::of(prop_oneof![-200.0..2000.0f64, any::<f64>()]),
        prop::option::of(prop::collection::vec(
            prop_oneof![
                prop::sample::select(&["Salesforce", "hubspot", "LeanData"][..])
                    .prop_map(str::to_string),
                line(),
            ],
            0..4,
        )),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(domain, name, employees, industry, country, revenue, growth, tech, customer)| {
                CompanyFacts {
                    domain,
                    name,
                    employees,
                    industry,
                    country,
                    revenue_usd: revenue,
                    headcount_growth_pct: growth,
                    technologies: tech,
                    is_customer: customer,
                }
            },
        );
    (
        company,
        prop::option::of(contact()),
        prop::collection::vec(
            (kind, moment()).prop_map(|(kind, at)| SignalObservation { kind, at }),
            0..5,
        ),
        prop::collection::vec(
            (topic, any::<u8>(), moment()).prop_map(|(topic, score, at)| IntentObservation {
                topic,
                score,
                at,
            }),
            0..5,
        ),
    )
        .prop_map(|(company, contact, signals, intent)| ProspectFacts {
            company,
            contact,
            signals,
            intent,
        })
}

/// A valid document and a prospect whose observations are partly of its kinds and topics.
pub fn document_and_prospect() -> impl Strategy<Value = (IcpDocument, ProspectFacts)> {
    document().prop_flat_map(|doc| {
        let kinds = doc.signals.iter().map(|s| s.kind.clone()).collect();
        let topics = doc.intent.iter().map(|i| i.topic.clone()).collect();
        (Just(doc), prospect(kinds, topics))
    })
}
