//! leadgate's public holidays against an independent source: the Python `holidays` package
//! (pinned by `.ci/run`), for every country and region leadgate knows, 2020–2035. Every day
//! off either side lists must be in the other's, or the test names it.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use leadgate_core::handoff::holidays;

use crate::skip;

const YEARS: std::ops::RangeInclusive<i16> = 2020..=2035;

/// The Python `holidays` package's days off, keyed `COUNTRY` or `COUNTRY-REGION`.
fn oracle(places: &[(String, Option<String>)]) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let remedy = "set LEADGATE_PYTHON to a Python with the `holidays` package, as .ci/run does";
    let Some(python) = std::env::var_os("LEADGATE_PYTHON") else {
        skip::skip("LEADGATE_PYTHON is not set", remedy);
        return None;
    };
    let script = r#"
import json, sys, holidays
places = json.loads(sys.argv[1])
years = range(int(sys.argv[2]), int(sys.argv[3]) + 1)
out = {}
for country, region in places:
    days = holidays.country_holidays(country, subdiv=region, years=years)
    key = country if region is None else country + "-" + region
    out[key] = sorted(str(d) for d in days)
print(json.dumps(out))
"#;
    let output = Command::new(python)
        .args(["-c", script])
        .arg(serde_json::to_string(places).unwrap())
        .arg(YEARS.start().to_string())
        .arg(YEARS.end().to_string())
        .output()
        .unwrap();
    if !output.status.success() {
        skip::skip(
            &format!(
                "the Python `holidays` package did not run: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            remedy,
        );
        return None;
    }
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

#[test]
fn every_country_and_region_agrees_with_the_python_holidays_package() {
    let mut places: Vec<(String, Option<String>)> = Vec::new();
    for (country, _, regions) in holidays::countries() {
        if regions.is_empty() {
            places.push((country.to_string(), None));
        }
        for region in regions {
            places.push((country.to_string(), Some(region.clone())));
        }
    }
    let Some(theirs) = oracle(&places) else {
        return;
    };
    let mut differences = Vec::new();
    for (country, region) in &places {
        let key = match region {
            Some(r) => format!("{country}-{r}"),
            None => country.clone(),
        };
        let ours: BTreeSet<String> = YEARS
            .flat_map(|y| holidays::of_year(country, region.as_deref(), y))
            .map(|h| h.date.to_string())
            .collect();
        let expected = &theirs[&key];
        for missing in expected.difference(&ours) {
            differences.push(format!("{key}: {missing} is a holiday, leadgate misses it"));
        }
        for extra in ours.difference(expected) {
            differences.push(format!("{key}: {extra} is not a holiday, leadgate has one"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
