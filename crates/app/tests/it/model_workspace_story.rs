//! Training inside a workspace, on both backends: a CRM history whose rows name workspace
//! contacts by e-mail is joined with each lead's stored facts and engagement as of the row's
//! time, through the real binary. The trained card reads a workspace feature the file does
//! not have; a row counts only the pricing visits in the 30 days up to its time (a visit
//! after it is not counted) and no fact observed after it; the file's own column wins over
//! the workspace's; rows whose address is no contact are counted and left missing.

use jiff::Timestamp;
use leadgate::engine::people;
use leadgate_core::audit::Actor;
use leadgate_core::role::Role;

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace};

on_both_backends!(
    a_history_learns_the_workspaces_point_in_time_features,
    workspace_training_story
);

const NOW: &str = "2027-03-01T09:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

use crate::support::SALES_ICP as ICP;

/// Seen by the sheet on 2027-01-01: a history row before that day knows none of it.
const PEOPLE: &str =
    "first_name,last_name,email,title,company_name,company_domain,employees,country,observed_at
Ann,Small,ann@small.io,VP Sales,Small,small.io,60,US,2027-01-01
Bo,Big,bo@big.io,Sales Manager,Big,big.io,500,US,2027-01-01
Cy,Mid,cy@mid.io,VP Sales,Mid,mid.io,300,US,2027-01-01
Dee,Tiny,dee@tiny.io,Sales Manager,Tiny,tiny.io,40,US,2027-01-01
";

/// Pricing visits: Ann's three, Cy's two.
const VISITS: &str = "at,kind,email,url
2027-02-01T12:00:00Z,page_view,ann@small.io,/pricing
2027-02-10T12:00:00Z,page_view,ann@small.io,/pricing
2027-02-20T12:00:00Z,page_view,ann@small.io,/pricing
2027-01-20T12:00:00Z,page_view,cy@mid.io,/pricing
2027-01-25T12:00:00Z,page_view,cy@mid.io,/pricing
";

/// A history of 96 rows of the four contacts (24 each, every third day from 2026-12-20)
/// and 100 rows of people the workspace does not know. Whether a row converted follows
/// the pricing visits in the 30 days before it, which the file itself does not carry; the
/// file's `seniority` is what the CRM recorded.
fn history() -> String {
    let visits: &[(&str, &[&str])] = &[
        ("ann@small.io", &["2027-02-01", "2027-02-10", "2027-02-20"]),
        ("cy@mid.io", &["2027-01-20", "2027-01-25"]),
        ("bo@big.io", &[]),
        ("dee@tiny.io", &[]),
    ];
    let start = jiff::civil::date(2026, 12, 20);
    let mut text = String::from("email,created,seniority,converted\n");
    for (who, (email, days)) in visits.iter().enumerate() {
        for i in 0..24 {
            let created = start + jiff::Span::new().days(3 * i);
            let recent = days
                .iter()
                .map(|d| d.parse::<jiff::civil::Date>().unwrap())
                .filter(|d| *d < created && (created - *d).get_days() <= 30)
                .count();
            let converted = if recent >= 1 || (i + who as i64) % 9 == 0 {
                "yes"
            } else {
                "no"
            };
            text.push_str(&format!("{email},{created},crm_{who},{converted}\n"));
        }
    }
    for i in 0..100 {
        let created = start + jiff::Span::new().days(i % 60);
        let converted = if i % 5 == 0 { "yes" } else { "no" };
        text.push_str(&format!(
            "someone{i}@elsewhere.io,{created},crm_{},{converted}\n",
            i % 4
        ));
    }
    text
}

async fn workspace_with_leads(ws: &TestWorkspace) {
    let workspace = ws.init(now()).await;
    for (name, role) in [
        ("sam", Role::SalesLead),
        ("mia", Role::MarketingLead),
        ("otto", Role::SalesOps),
    ] {
        let email = format!("{name}@example.com");
        people::add(
            &workspace.store,
            &Actor::System,
            name,
            &email,
            vec![role],
            now(),
        )
        .await
        .unwrap();
    }
    crate::support::live_icp(&workspace.store, ICP, now()).await;
    let people = ws.write("people.csv", PEOPLE);
    crate::support::import_sheet(&workspace.store, people, ws.path().join("imports"), now()).await;
    workspace
        .worker("test")
        .drain(&workspace.store, now())
        .await
        .unwrap();
    let visits = ws.write("visits.csv", VISITS);
    leadgate::engine::engagement::import_file(
        &workspace.store,
        &visits,
        leadgate_core::engagement::KindChoice::Auto,
        &Actor::Person("otto".into()),
        None,
        now(),
    )
    .await
    .unwrap();
}

/// The joined history's rows, by address and creation date, as column → value.
fn joined_rows(
    path: &std::path::Path,
) -> std::collections::BTreeMap<(String, String), std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let row: std::collections::BTreeMap<String, String> = headers
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect();
            ((row["email"].clone(), row["created"].clone()), row)
        })
        .collect()
}

async fn workspace_training_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: four leads seen on 2027-01-01, Ann's and Cy's pricing visits, a CRM history.
    workspace_with_leads(&ws).await;
    let history = ws.write("history.csv", &history());
    let joined = ws.path().join("joined.csv");
    let models = ws.path().join("models");

    // Act: train on the history with the workspace's features, as of each row's `created`.
    let trained = ws
        .leadgate_at(
            &[
                "model",
                "train",
                "--history",
                history.to_str().unwrap(),
                "--label",
                "converted",
                "--positive",
                "yes",
                "--time",
                "created",
                "--workspace-features",
                "--joined",
                joined.to_str().unwrap(),
                "--models",
                models.to_str().unwrap(),
                "--pairs",
                "0",
                "--json",
            ],
            Some(NOW),
        )
        .ok()
        .json();

    // Assert: 96 rows joined by `email`, 100 counted as matching no contact.
    let join = &trained["workspace"];
    assert_eq!(join["key"], "email", "{trained}");
    assert_eq!(join["as_of"], "created");
    assert_eq!(
        (join["joined"].as_u64(), join["unmatched"].as_u64()),
        (Some(96), Some(100))
    );
    let added: Vec<&str> = join["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(added.contains(&"pricing_page_visit_30d"), "{added:?}");
    assert!(!added.contains(&"seniority"), "{added:?}");
    assert_eq!(join["kept_from_file"], serde_json::json!(["seniority"]));

    // Assert: the card reads the workspace's feature, and never the address.
    let version = trained["version"].as_str().unwrap();
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(models.join(format!("{version}.json"))).unwrap(),
    )
    .unwrap();
    let features: Vec<&str> = saved["scorecard"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["bins"]["feature"].as_str().unwrap())
        .collect();
    assert!(features.contains(&"pricing_page_visit_30d"), "{features:?}");
    assert!(!features.contains(&"email"), "{features:?}");

    // Assert: each row counts what was known at its time, and nothing after it.
    let rows = joined_rows(&joined);
    let at = |email: &str, created: &str, column: &str| {
        rows[&(email.to_string(), created.to_string())][column].clone()
    };
    // On 2027-02-15, Ann's visits of 02-01 and 02-10 count; that of 02-20 is yet to come.
    assert_eq!(
        at("ann@small.io", "2027-02-15", "pricing_page_visit_30d"),
        "2"
    );
    assert_eq!(
        at("ann@small.io", "2027-02-21", "pricing_page_visit_30d"),
        "3"
    );
    assert_eq!(
        at("ann@small.io", "2027-01-31", "pricing_page_visit_30d"),
        "0"
    );
    // Cy's visits of late January have left the 30-day window by March.
    assert_eq!(at("cy@mid.io", "2027-02-03", "pricing_page_visit_30d"), "2");
    assert_eq!(at("cy@mid.io", "2027-02-27", "pricing_page_visit_30d"), "0");
    // The sheet saw the companies on 2027-01-01: a row of December knows no headcount.
    assert_eq!(at("cy@mid.io", "2026-12-29", "employees"), "");
    assert_eq!(at("cy@mid.io", "2027-01-01", "employees"), "300");
    // The file's seniority is the CRM's; a row matching no contact is missing, not zero.
    assert_eq!(at("ann@small.io", "2027-02-15", "seniority"), "crm_0");
    assert_eq!(
        at(
            "someone1@elsewhere.io",
            "2026-12-21",
            "pricing_page_visit_30d"
        ),
        ""
    );
}
