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

on_both_backends!(
    the_first_message_of_each_variant_waits_for_a_reviewer_who_is_not_its_author,
    first_variant_gate_story
);

/// Stage 4's gate: a stored sequence's variants wait for their first leads; enrolling the
/// leads spreads them over the variants and opens one gate per variant on its first lead's
/// messages, kept as the reviewer sees them; the author never decides it, whatever roles
/// they hold; an approval keeps the digest of the approved text, a rejection stops the
/// variant's leads, who may join another variant.
async fn first_variant_gate_story(backend: Backend) {
    use leadgate::engine::outreach::sequences::{self, Enrolled};
    use leadgate::engine::{Error, gates as engine_gates};
    use leadgate_core::audit::Actor;
    use leadgate_core::event::EventKind;
    use leadgate_core::gate::{GateKind, GateStatus, Request};
    use leadgate_core::outreach::enrollment::{VariantStatus, clearance};
    use leadgate_core::role::Role;

    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: three admitted leads, a reviewer (rita) and a reviewer who writes (rex).
    let workspace = ws.init(now()).await;
    crate::support::admitted_list(&ws, &workspace, ICP, PEOPLE, now()).await;
    for name in ["rita", "rex"] {
        leadgate::engine::people::add(
            &workspace.store,
            &Actor::System,
            name,
            &format!("{name}@example.com"),
            vec![Role::Reviewer],
            now(),
        )
        .await
        .unwrap();
    }
    let config = ws.path().join("leadgate.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[outreach.sender]\nname = \"Sam Seller\"\ncompany = \"leadgate\"\naddress = \"1 Main St\"\n");
    std::fs::write(&config, toml).unwrap();
    let workspace = leadgate::workspace::Workspace::open(ws.path(), now())
        .await
        .unwrap();
    let store = &workspace.store;
    let outreach_config = &workspace.config.outreach;
    let lead_of = |email: &'static str| async move {
        let mut conn = store.conn().await.unwrap();
        discovery_store::leads(&mut conn, None)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.columns.email == email)
            .unwrap()
            .contact_id
    };
    let (ann, bo, cy) = (
        lead_of("ann@small.io").await,
        lead_of("bo@big.io").await,
        lead_of("cy@mid.fr").await,
    );
    // Act + Assert: no sequence is stored yet; once one is, a lead the scoring stage has
    // not sent to outreach is not written to.
    let early = sequences::enroll(
        store,
        "Sales teams",
        Some(&[ann]),
        "otto",
        outreach_config,
        now(),
    )
    .await;
    assert!(
        matches!(early, Err(Error::NotFound(_))),
        "no sequence yet: {early:?}"
    );
    let added = sequences::add(store, "mia", crate::support::SEQUENCE, "sales.toml", now())
        .await
        .unwrap();
    let unscored = sequences::enroll(
        store,
        "Sales teams",
        Some(&[ann]),
        "otto",
        outreach_config,
        now(),
    )
    .await
    .unwrap();
    assert!(
        matches!(&unscored[0], Enrolled::Skipped { why, .. } if why.starts_with("not a scored lead")),
        "{unscored:?}"
    );
    crate::support::score_into_outreach(store, "otto", "olga", now()).await;

    // Act: mia adds the sequence again.
    let again = sequences::add(store, "mia", crate::support::SEQUENCE, "sales.toml", now())
        .await
        .unwrap();

    // Assert: one version, its variants waiting for a first lead.
    assert!(added.new);
    assert!(!again.new, "the same text is not a new version");
    assert_eq!(again.version.sequence.id, added.version.sequence.id);
    let names: Vec<_> = added
        .version
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.status))
        .collect();
    assert_eq!(
        names,
        [("A", VariantStatus::Waiting), ("B", VariantStatus::Waiting)]
    );

    // Act: otto enrolls the three leads.
    let enrolled = sequences::enroll(
        store,
        "Sales teams",
        Some(&[ann, bo, cy]),
        "otto",
        outreach_config,
        now(),
    )
    .await
    .unwrap();

    // Assert: the variants fill evenly; each variant's first lead opened its gate.
    let placed: Vec<(i64, &str, Option<i64>)> = enrolled
        .iter()
        .map(|e| match e {
            Enrolled::Enrolled {
                lead,
                variant,
                gate,
                ..
            } => (*lead, variant.as_str(), *gate),
            Enrolled::Skipped { lead, why } => panic!("lead {lead} skipped: {why}"),
        })
        .collect();
    assert_eq!(
        placed
            .iter()
            .map(|(l, v, g)| (*l, *v, g.is_some()))
            .collect::<Vec<_>>(),
        [(ann, "A", true), (bo, "B", true), (cy, "A", false)]
    );
    let gate_a = placed[0].2.unwrap();
    let gate_b = placed[1].2.unwrap();
    let mut conn = store.conn().await.unwrap();
    let gate = leadgate_store::gates::get(&mut conn, gate_a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gate.kind, GateKind::VariantApproval);
    assert_eq!(gate.maker.as_deref(), Some("mia"));
    assert_eq!(gate.required_roles, [Role::Reviewer]);
    // The reviewer sees Ann's messages as they would go, each claim citing its fact.
    let variant_a = sequences::variant_of_gate(&mut conn, &gate).await.unwrap();
    assert_eq!(variant_a.status, VariantStatus::InReview);
    assert_eq!(variant_a.sample_contact, Some(ann));
    let sample = sequences::sample(&variant_a).unwrap().unwrap();
    let first = &sample.steps[0];
    let leadgate::engine::outreach::Part::Written(subject) = first.subject.as_ref().unwrap() else {
        panic!("the first subject is written: {first:?}");
    };
    assert_eq!(subject.text, "Leads for Small & Sons");
    let claim = &subject.claims[0];
    assert_eq!(&subject.text[claim.start..claim.end], "Small & Sons");
    assert_eq!(sample.facts[claim.fact].field, "company_name");
    assert!(first.footer.as_deref().unwrap().contains("1 Main St"));
    drop(conn);

    // Act + Assert: enrolling again changes nothing.
    let twice = sequences::enroll(store, "Sales teams", None, "otto", outreach_config, now())
        .await
        .unwrap();
    assert!(
        twice
            .iter()
            .all(|e| matches!(e, Enrolled::Skipped { why, .. } if why.contains("already"))),
        "{twice:?}"
    );

    // Act + Assert: rex adds a version of his own; as its author he may not decide its
    // gate, though he holds the role; rita may.
    let rex_text = crate::support::SEQUENCE.replace("one last note", "a last note");
    sequences::add(store, "rex", &rex_text, "sales.toml", now())
        .await
        .unwrap();
    let v2 = sequences::enroll(
        store,
        "Sales teams",
        Some(&[ann]),
        "otto",
        outreach_config,
        now(),
    )
    .await
    .unwrap();
    assert!(
        matches!(&v2[0], Enrolled::Skipped { .. }),
        "Ann is in version 1: {v2:?}"
    );

    // Act: rita approves A, rejects B; mia (the author) tries first.
    let by_author = engine_gates::decide(
        store,
        gate_a,
        "mia",
        Request::Approve {
            role: None,
            note: None,
        },
        now(),
    )
    .await;
    let approved = engine_gates::decide(
        store,
        gate_a,
        "rita",
        Request::Approve {
            role: None,
            note: Some("claims checked".into()),
        },
        now(),
    )
    .await
    .unwrap();
    let rejected = engine_gates::decide(
        store,
        gate_b,
        "rita",
        Request::Reject {
            reason: "too abrupt for a first touch".into(),
        },
        now(),
    )
    .await
    .unwrap();

    // Assert: the approval keeps the digest of the approved text and clears it; the
    // rejection stops Bo, who may then join A.
    assert!(
        matches!(by_author, Err(Error::Forbidden(_))),
        "{by_author:?}"
    );
    assert_eq!(approved.status, GateStatus::Approved);
    assert_eq!(rejected.status, GateStatus::Rejected);
    let mut conn = store.conn().await.unwrap();
    let variants = leadgate_store::outreach::variants_of(&mut conn, added.version.sequence.id)
        .await
        .unwrap();
    let (a, b) = (&variants[0], &variants[1]);
    assert_eq!(a.status, VariantStatus::Approved);
    assert_eq!(a.approved_digest.as_deref(), Some(a.digest.as_str()));
    let parsed =
        leadgate_core::outreach::sequence::Sequence::parse(crate::support::SEQUENCE, "sales.toml")
            .unwrap();
    assert_eq!(a.digest, parsed.variant_digest("A"));
    assert_eq!(
        clearance(
            "A",
            a.status,
            a.approved_digest.as_deref(),
            &parsed.variant_digest("A")
        ),
        Ok(())
    );
    assert!(clearance("B", b.status, b.approved_digest.as_deref(), &b.digest).is_err());
    assert!(
        leadgate_store::outreach::active_enrollment(&mut conn, bo)
            .await
            .unwrap()
            .is_none()
    );
    let kinds: Vec<EventKind> = leadgate_store::events::list(&mut conn, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.contains(&EventKind::VariantApproved) && kinds.contains(&EventKind::VariantRejected)
    );
    drop(conn);
    let rejoined = sequences::enroll(
        store,
        "Sales teams",
        Some(&[bo]),
        "otto",
        outreach_config,
        now(),
    )
    .await
    .unwrap();
    // The newest version (rex's) takes Bo: its variant A waits for its first lead, him.
    assert!(
        matches!(&rejoined[0], Enrolled::Enrolled { variant, gate: Some(_), .. } if variant == "A"),
        "{rejoined:?}"
    );
    let rex_gate = match &rejoined[0] {
        Enrolled::Enrolled { gate, .. } => gate.unwrap(),
        Enrolled::Skipped { .. } => unreachable!(),
    };
    let by_rex = engine_gates::decide(
        store,
        rex_gate,
        "rex",
        Request::Approve {
            role: None,
            note: None,
        },
        now(),
    )
    .await;
    assert!(
        matches!(&by_rex, Err(Error::Forbidden(m)) if m.contains("four-eyes")),
        "{by_rex:?}"
    );

    // Assert: the CLI lists both versions and where their variants stand.
    let listed = ws.leadgate(&["sequence", "list", "--json"]).ok().json();
    let standings: Vec<(i64, String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            v["variants"].as_array().unwrap().iter().map(|variant| {
                (
                    v["version"].as_i64().unwrap(),
                    variant["name"].as_str().unwrap().to_string(),
                    variant["status"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    assert_eq!(
        standings,
        [
            (2, "A".into(), "in_review".into()),
            (2, "B".into(), "waiting".into()),
            (1, "A".into(), "approved".into()),
            (1, "B".into(), "rejected".into()),
        ]
    );
}
