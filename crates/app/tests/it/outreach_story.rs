//! Stage 4's first room, on both backends: a sequence file is checked before any lead is in
//! sight (a misspelt variable names its file, line and key), and written for a real lead of
//! the workspace from that lead's facts alone — every personalised claim citing the fact it
//! rests on, with its source and record — while a step naming a fact the lead lacks is not
//! written at all, and says which fact.

use jiff::Timestamp;
use leadgate_store::discovery as discovery_store;

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace};

on_both_backends!(
    a_sequence_is_written_for_a_lead_from_its_facts,
    outreach_story
);

fn now() -> Timestamp {
    "2027-03-01T09:00:00Z".parse().unwrap()
}

use crate::support::SALES_ICP as ICP;

const PEOPLE: &str =
    "first_name,last_name,email,title,company_name,company_domain,employees,country,technologies
Ann,Small,ann@small.io,VP Sales,Small & Sons,small.io,60,US,HubSpot
Bo,Big,bo@big.io,Sales Manager,Big,big.io,500,US,
Cy,Mid,cy@mid.fr,VP Sales,Mid,mid.fr,300,FR,
";

const SEQUENCE: &str = r#"
name = "Sales teams"

[[steps]]
channel = "email"
delay_days = 0
subject = "Leads for {{ lead.company_name }}"
body = """
Hi {{ lead.first_name }},
{% if opener is defined %}{{ opener }}{% endif %}
{{ sender.name }}
"""

[[steps.variants]]
name = "B"
subject = "URGENT: leads for {{ lead.company_name }}"
body = "I hope this email finds you well, {{ lead.first_name }}."

[[steps]]
channel = "linkedin_connect"
delay_days = 2
body = "Hi {{ lead.first_name }}, glad to connect."

[[steps]]
channel = "call"
delay_days = 3
body = "Ask about the {{ lead.funding_stage }} round."
"#;

async fn outreach_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: two admitted leads from a sheet; the sender is configured.
    let workspace = ws.init(now()).await;
    crate::support::admitted_list(&ws, &workspace, ICP, PEOPLE, now()).await;
    let config = ws.path().join("leadgate.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[outreach.sender]\nname = \"Sam Seller\"\ncompany = \"leadgate\"\naddress = \"1 Main St\"\n");
    std::fs::write(&config, toml).unwrap();
    let ann = {
        let mut conn = workspace.store.conn().await.unwrap();
        discovery_store::leads(&mut conn, None)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.columns.email == "ann@small.io")
            .expect("Ann is a lead")
            .contact_id
    };
    let file = ws.write("sales.toml", SEQUENCE);
    let file = file.to_str().unwrap();
    let misspelt = ws.write(
        "misspelt.toml",
        &SEQUENCE.replace("lead.first_name }},\n", "lead.firstname }},\n"),
    );

    // Act + Assert: the file alone is checked; a misspelt variable is named where it is.
    let outline = ws.leadgate(&["sequence", "check", file]).ok().stdout();
    assert!(outline.contains("3 steps, 4 variants"), "{outline}");
    ws.leadgate(&["sequence", "check", misspelt.to_str().unwrap()])
        .fails_with("misspelt.toml:8:8: key `steps[0].body`: `lead.firstname` is not something a message can say");

    // Act: written for Ann.
    let run = ws.leadgate(&[
        "sequence",
        "check",
        file,
        "--lead",
        &ann.to_string(),
        "--json",
    ]);

    // Assert: the e-mail and the LinkedIn note are written from her facts, each claim citing
    // the sheet's record it came from; the call step names the fact she lacks, and the
    // linter blocks variant B's subject, so the run exits 1.
    assert_eq!(run.0.status.code(), Some(1), "{}", run.stderr());
    for told in [
        "1 of 4 steps and variants cannot be written",
        "1 of 4 steps and variants are blocked by the copy linter",
    ] {
        assert!(run.stderr().contains(told), "{}", run.stderr());
    }
    let preview = run.json();
    let facts = preview["facts"].as_array().unwrap();
    let email = &preview["steps"][0];
    assert_eq!(email["subject"]["status"], "written");
    assert_eq!(email["subject"]["text"], "Leads for Small & Sons");
    // Her company's tools are the signal the opener speaks to.
    assert_eq!(
        email["body"]["text"],
        "Hi Ann,\nI saw Small & Sons works with HubSpot.\nSam Seller"
    );
    assert_eq!(email["body"]["opener"], "tech_stack");
    let claims: Vec<(String, String, &str)> = email["body"]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = email["body"]["text"].as_str().unwrap();
            let (start, end) = (
                c["start"].as_u64().unwrap() as usize,
                c["end"].as_u64().unwrap() as usize,
            );
            let fact = &facts[c["fact"].as_u64().unwrap() as usize];
            (
                text[start..end].to_string(),
                fact["field"].as_str().unwrap().to_string(),
                fact["source"].as_str().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("Ann", "first_name"),
        ("Small & Sons", "company_name"),
        ("HubSpot", "technologies"),
    ]
    .map(|(text, field)| (text.to_string(), field.to_string(), "sheet"));
    assert_eq!(claims, expected);
    let cited = &facts[email["body"]["claims"][0]["fact"].as_u64().unwrap() as usize];
    assert!(cited["record"].as_i64().is_some(), "{cited}");
    assert_eq!(email["findings"], serde_json::json!([]));
    let b = &preview["steps"][1];
    let findings: Vec<(&str, &str, &str)> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["part"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [("urgency", "block", "subject"), ("filler", "warn", "body")]
    );
    let filler = &b["findings"][1];
    let text = b["body"]["text"].as_str().unwrap();
    assert_eq!(
        &text[filler["start"].as_u64().unwrap() as usize..filler["end"].as_u64().unwrap() as usize],
        "I hope this email finds you well"
    );
    assert_eq!(preview["steps"][2]["body"]["status"], "written");
    let call = &preview["steps"][3];
    assert_eq!(call["body"]["status"], "unwritten");
    assert!(
        call["body"]["why"]
            .as_str()
            .unwrap()
            .contains("`lead.funding_stage` is undefined"),
        "{call}"
    );

    // And for people: the claims are marked and the facts listed with their source.
    let shown = ws
        .leadgate(&["sequence", "check", file, "--lead", &ann.to_string()])
        .stdout();
    assert!(
        shown.contains("Subject: Leads for [Small & Sons]("),
        "{shown}"
    );
    assert!(
        shown.contains("first_name = Ann — sheet, record "),
        "{shown}"
    );
    assert!(
        shown.contains("blocks the send · false urgency in the subject at \"URGENT\""),
        "{shown}"
    );
    // A lead in France, under the GDPR: the first e-mail says where her details came from,
    // written by leadgate from her facts' sources; the follow-ups and tasks do not repeat it.
    let cy = {
        let mut conn = workspace.store.conn().await.unwrap();
        discovery_store::leads(&mut conn, None)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.columns.email == "cy@mid.fr")
            .expect("Cy is a lead")
            .contact_id
    };
    let french = ws
        .leadgate(&[
            "sequence",
            "check",
            file,
            "--lead",
            &cy.to_string(),
            "--json",
        ])
        .json();
    let notice = french["steps"][0]["notice"].as_str().unwrap_or_default();
    assert!(
        notice.starts_with(
            "Why you are hearing from Sam Seller at leadgate: we found your work details in sheet"
        ),
        "{notice}"
    );
    assert_eq!(french["steps"][0]["findings"], serde_json::json!([]));
    assert!(french["steps"][2]["notice"].is_null());
    assert!(
        french["steps"][0]["footer"]
            .as_str()
            .unwrap()
            .contains("Sam Seller · leadgate · 1 Main St"),
        "{}",
        french["steps"][0]
    );
    // The channel plan: Ann is a VP at a company of 60, so she gets the LinkedIn step; with
    // a small expected deal the call step is left out.
    let planned = ws
        .leadgate(&[
            "sequence",
            "plan",
            &ann.to_string(),
            "--sequence",
            file,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(planned["plan"]["linkedin"], true);
    assert_eq!(planned["steps"], serde_json::json!([1, 2, 3]));
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[outreach.plan]\nexpected_deal_size = 8000\n");
    std::fs::write(&config, toml).unwrap();
    let small = ws
        .leadgate(&["sequence", "plan", &ann.to_string(), "--sequence", file])
        .ok()
        .stdout();
    assert!(
        small.contains("expected deal 8000 is under 10000"),
        "{small}"
    );
    assert!(small.contains("step 3 · call · left out"), "{small}");
    // A lead that is no one's: named.
    ws.leadgate(&["sequence", "check", file, "--lead", "999999"])
        .fails_with("no lead 999999");
}

on_both_backends!(
    one_click_unsubscribes_at_once_without_a_session,
    unsubscribe_story
);

/// RFC 8058's one-click unsubscribe: the link's page only asks on GET; a POST with no session
/// or cookie puts the address on the suppression list at once, answers without a redirect
/// or a cookie, and says so again on a second POST; a link leadgate did not issue is not
/// found, and one past its year is refused with the way out.
async fn unsubscribe_story(backend: Backend) {
    use leadgate::engine::outreach;
    use leadgate_core::audit::Action;

    let Some(server) = crate::support::TestServer::start(backend, now(), false).await else {
        return;
    };
    let token = outreach::unsubscribe_token(&server.store, "Jane.Doe@Acme.com", now())
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = server.at(&format!("/unsubscribe/{token}"));
    let suppressed = || async {
        let mut conn = server.store.conn().await.unwrap();
        discovery_store::suppressions(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.value)
            .collect::<Vec<_>>()
    };

    // Act + Assert: GET asks and changes nothing.
    let asked = client.get(&url).send().await.unwrap();
    assert_eq!(asked.status(), 200);
    assert!(asked.text().await.unwrap().contains("j***@acme.com"));
    assert!(suppressed().await.is_empty());

    // Act: the mail client's one-click POST.
    let post = || {
        client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
    };
    let first = post().await.unwrap();

    // Assert: suppressed at once, no redirect, no cookie; audited as the system acting on
    // the request, naming no address.
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("set-cookie").is_none());
    assert!(first.headers().get("location").is_none());
    assert!(
        first
            .text()
            .await
            .unwrap()
            .contains("j***@acme.com is unsubscribed")
    );
    assert_eq!(suppressed().await, ["jane.doe@acme.com"]);
    let second = post().await.unwrap();
    assert_eq!(second.status(), 200);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains("was already unsubscribed")
    );
    let entries = {
        let mut conn = server.store.conn().await.unwrap();
        leadgate_store::audit::list(
            &mut conn,
            &leadgate_store::audit::AuditFilter {
                action: Some(Action::SuppressionAdded.as_str()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| !e.inputs.contains("acme") && !e.subject.contains("acme")),
        "{entries:?}"
    );

    // A link that is not ours; one a year and a day old.
    let stranger = client
        .post(server.at("/unsubscribe/0123abcd"))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);
    let old = outreach::unsubscribe_token(&server.store, "old@acme.com", now())
        .await
        .unwrap();
    server.advance(jiff::SignedDuration::from_hours(24 * 366));
    let late = client
        .post(server.at(&format!("/unsubscribe/{old}")))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 409);
    assert!(late.text().await.unwrap().contains("reply"));
    assert_eq!(suppressed().await, ["jane.doe@acme.com"]);
}
