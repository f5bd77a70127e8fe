//! The truth at scale 1: sizes, ICP fit, and names that look like real people's.

use std::collections::HashSet;

use leadgate_demo::IcpMiss;

use crate::support::{files, world};

#[test]
fn scale_one_has_the_promised_sizes() {
    let w = world();
    assert_eq!(w.companies.len(), 500);
    assert!(w.people.len() >= 2000, "{} people", w.people.len());
    assert!(w.deals.len() >= 1500, "{} deals", w.deals.len());
    assert_eq!(files().people, w.people.len());
}

#[test]
fn about_forty_percent_of_companies_fit_the_icp() {
    let w = world();
    let fit = w.companies.iter().filter(|c| c.fits_icp).count() as f64 / 500.0;
    assert!((0.35..=0.45).contains(&fit), "fit share {fit}");
    for c in &w.companies {
        assert_eq!(c.fits_icp, c.icp_misses.is_empty(), "{}", c.name);
    }
}

#[test]
fn misfits_miss_for_varied_reasons() {
    let w = world();
    let reasons: HashSet<IcpMiss> = w
        .companies
        .iter()
        .flat_map(|c| c.icp_misses.iter().copied())
        .collect();
    for r in [
        IcpMiss::Industry,
        IcpMiss::TooSmall,
        IcpMiss::TooLarge,
        IcpMiss::Country,
        IcpMiss::NoCrm,
        IcpMiss::CompetitorTool,
        IcpMiss::UnknownStack,
        IcpMiss::Competitor,
    ] {
        assert!(reasons.contains(&r), "no company misses for {r:?}");
    }
}

#[test]
fn the_named_competitors_are_in_the_world_without_people() {
    let w = world();
    let competitors: Vec<&str> = w
        .companies
        .iter()
        .filter(|c| c.is_competitor)
        .map(|c| c.domain.as_str())
        .collect();
    assert_eq!(competitors.len(), 2);
    assert!(competitors.contains(&"leandata.com") && competitors.contains(&"chilipiper.com"));
    let ids: HashSet<_> = w
        .companies
        .iter()
        .filter(|c| c.is_competitor)
        .map(|c| c.id)
        .collect();
    assert!(w.people.iter().all(|p| !ids.contains(&p.company_id)));
}

#[test]
fn some_companies_are_customers() {
    let w = world();
    let customers = w.companies.iter().filter(|c| c.is_customer).count();
    assert!((20..=100).contains(&customers), "{customers} customers");
}

#[test]
fn names_are_diverse_and_keep_their_diacritics() {
    let w = world();
    let non_ascii = w
        .people
        .iter()
        .filter(|p| !p.first_name.is_ascii() || !p.last_name.is_ascii())
        .count();
    assert!(non_ascii > 200, "{non_ascii} names with diacritics");
    assert!(w.people.iter().any(|p| p.last_name.contains('\'')));
    assert!(w.people.iter().any(|p| p.last_name.contains(' ')));
    let last_names: HashSet<&str> = w.people.iter().map(|p| p.last_name).collect();
    assert!(
        last_names.len() > 250,
        "{} distinct last names",
        last_names.len()
    );
}

#[test]
fn emails_are_unique_and_lowercase_ascii() {
    let w = world();
    let emails: HashSet<&str> = w.people.iter().map(|p| p.email.as_str()).collect();
    assert_eq!(emails.len(), w.people.len());
    for e in emails {
        assert!(
            e.is_ascii() && e == e.to_lowercase() && e.contains('@'),
            "{e}"
        );
    }
}

#[test]
fn some_people_changed_jobs() {
    let w = world();
    let movers = w.people.iter().filter(|p| p.previous.is_some()).count();
    assert!((50..=200).contains(&movers), "{movers} movers");
    for p in w
        .people
        .iter()
        .filter_map(|p| p.previous.as_ref().map(|prev| (p, prev)))
    {
        assert_ne!(p.0.company_id, p.1.company_id);
    }
}
