//! `leadgate demo`: builds the workspace and its sample data, stops at the first gate with
//! the commands to go on; `--walkthrough` plays the decisions as the demo people.

use crate::support::{Backend, TestWorkspace};

#[tokio::test]
async fn demo_stops_at_the_first_gate_and_the_walkthrough_goes_through_it() {
    let ws = TestWorkspace::new(Backend::Sqlite)
        .await
        .expect("sqlite needs nothing");
    let dir = ws.path().join("demo");
    let dir_arg = dir.to_str().unwrap();

    let built = ws
        .leadgate(&["demo", "--dir", dir_arg, "--seed", "7", "--no-serve"])
        .ok()
        .stdout();
    assert!(built.contains("Waiting: gate 1 — ICP approval"), "{built}");
    assert!(built.contains("gate approve 1 --as sam"), "{built}");
    assert!(built.contains("gate approve 1 --as mia"), "{built}");
    for file in [
        "sources/apollo_people.csv",
        "sources/salesnav_leads.csv",
        "sources/hubspot_contacts.csv",
        "crm/deal_history.csv",
    ] {
        assert!(dir.join("data").join(file).exists(), "{file} is written");
    }
    let status = ws.leadgate(&["-w", dir_arg, "status"]).ok().stdout();
    assert!(
        status.contains("Segment Mid-market SaaS: no live ICP version; no prospect list yet."),
        "{status}"
    );
    assert!(
        status.contains("next: leadgate gate approve 1 --as mia   (may decide: mia, sam)"),
        "status names the next command and who may give it: {status}"
    );
    let people = ws
        .leadgate(&["-w", dir_arg, "user", "list", "--json"])
        .ok()
        .json();
    let roles: std::collections::BTreeSet<String> = people
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(roles.len(), 6, "someone holds every role: {roles:?}");

    // Ravi's mailbox is given a relay — a real SMTP server on loopback — and the domain's
    // records, as `sender dns` prints them, are served by a DNS server on loopback: what the
    // walkthrough sends goes through them.
    let relay = crate::loopback::python().map(|python| {
        let sink = crate::loopback::SmtpSink::start(&python);
        let config = std::path::Path::new(dir_arg).join("leadgate.toml");
        let toml = std::fs::read_to_string(&config).unwrap();
        assert!(
            toml.trim_end().ends_with("daily_cap = 50"),
            "the demo's mailbox is the last table of its leadgate.toml"
        );
        std::fs::write(
            &config,
            format!(
                "{}\n[outreach.mailboxes.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n",
                toml.replace(
                    "public_url = \"http://127.0.0.1:8080\"",
                    "public_url = \"https://leadgate.routewise.example\""
                ),
                sink.port
            ),
        )
        .unwrap();
        let records = ws
            .leadgate(&["-w", dir_arg, "sender", "dns", "--json"])
            .ok()
            .json();
        let zone: Vec<(String, Vec<String>)> = records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    vec![r["value"].as_str().unwrap().to_string()],
                )
            })
            .collect();
        let dkim_record = zone
            .iter()
            .find(|(name, _)| name.contains("._domainkey."))
            .map(|(_, values)| values[0].clone())
            .unwrap();
        let dns = crate::loopback::ZoneServer::start(&python, &zone);
        let toml = std::fs::read_to_string(&config).unwrap();
        std::fs::write(
            &config,
            format!(
                "{toml}\n[outreach]\ndns_server = \"127.0.0.1:{}\"\n",
                dns.port
            ),
        )
        .unwrap();
        ws.leadgate(&["-w", dir_arg, "sender", "check"]).ok();
        (python, sink, dns, dkim_record)
    });

    let walked = ws
        .leadgate(&["demo", "--dir", dir_arg, "--walkthrough", "--no-serve"])
        .ok()
        .stdout();
    assert!(walked.contains("is live"), "{walked}");
    // Going live imported the three exports and built a list whose sample rita reviewed.
    assert!(walked.contains("prospect sample review"), "{walked}");
    assert!(walked.contains("Rita Alves (rita, reviewer)"), "{walked}");
    let imports = ws
        .leadgate(&["-w", dir_arg, "discover", "imports", "--json"])
        .ok()
        .json();
    // The three exports, and the enrichment run's facts.
    let sources: Vec<&str> = imports
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources.iter().filter(|s| **s != "enrichment").count(),
        3,
        "{sources:?}"
    );
    for import in imports.as_array().unwrap() {
        assert_eq!(
            import["rows_read"].as_i64().unwrap(),
            import["stored"].as_i64().unwrap()
                + import["merged"].as_i64().unwrap()
                + import["rejected"].as_i64().unwrap()
        );
    }
    let lists = ws
        .leadgate(&["-w", dir_arg, "discover", "lists", "--json"])
        .ok()
        .json();
    assert_eq!(lists.as_array().unwrap().len(), 1);
    assert!(
        ["approved", "rejected"].contains(&lists[0]["status"].as_str().unwrap()),
        "the sample gate was decided: {lists}"
    );
    // A list that passed its sample review was enriched from the demo's sheets.
    if lists[0]["status"] == "approved" {
        assert!(
            walked.contains("Otto enriched the approved list"),
            "{walked}"
        );
        assert_eq!(sources.iter().filter(|s| **s == "enrichment").count(), 1);
        let costs = ws
            .leadgate(&["-w", dir_arg, "enrich", "costs", "--json"])
            .ok()
            .json();
        let providers = costs["runs"][0]["providers"].as_array().unwrap();
        assert!(
            providers.iter().all(|p| p["hits"].as_u64().unwrap() > 0),
            "{costs}"
        );
    }
    let icps = ws
        .leadgate(&["-w", dir_arg, "icp", "list", "--json"])
        .ok()
        .json();
    assert_eq!(icps[0]["status"], "live");
    let decisions = ws
        .leadgate(&["-w", dir_arg, "audit", "--subject", "gate:1", "--json"])
        .ok()
        .json();
    let deciders: Vec<&str> = decisions
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "gate.approved")
        .map(|e| e["actor"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        deciders,
        vec!["mia", "sam"],
        "recorded as those people's decisions"
    );
    ws.leadgate(&["-w", dir_arg, "audit", "verify"]).ok();
    let status = ws.leadgate(&["-w", dir_arg, "status"]).ok().stdout();
    assert!(
        status.contains("Segment Mid-market SaaS: ICP v1 live; list 1 "),
        "{status}"
    );
    let tasks = ws
        .leadgate(&["-w", dir_arg, "tasks", "list", "--all", "--json"])
        .ok()
        .json();
    let tasks = tasks.as_array().unwrap();
    let open = tasks.iter().filter(|t| t["status"] == "open").count();
    assert!(
        status.contains(&format!("{} scheduled", 2 + 2 * open)) && !status.contains("queued"),
        "the ICP's quarterly review, the model's 30-day review and each open task's reminder and deadline are scheduled, not queued work: {status}"
    );

    // Stage 3 went through its gate: ada trained the model, otto approved it, and the
    // enriched prospects are split into outreach and nurture with reasons in points.
    let models = ws
        .leadgate(&["-w", dir_arg, "model", "list", "--json"])
        .ok()
        .json();
    assert_eq!(models[0]["status"], "live", "{models}");
    assert_eq!(models[0]["made_by"], "ada", "{models}");
    let leads = ws
        .leadgate(&["-w", dir_arg, "leads", "list", "--json"])
        .ok()
        .json();
    let leads = leads.as_array().unwrap();
    let in_stage = |stage: &str| leads.iter().filter(|l| l["stage"] == stage).count();
    assert!(
        in_stage("outreach") > 0 && in_stage("nurture") > 0,
        "{} outreach, {} nurture",
        in_stage("outreach"),
        in_stage("nurture")
    );
    let first = &leads[0];
    assert!(first["score"].is_i64(), "{first}");
    assert!(!first["reasons"].as_array().unwrap().is_empty(), "{first}");

    // Stage 4 went through its gate: mia's sequence, each variant's first message approved
    // by rita; each message, exactly as it would go, scores under 2.0 with SpamAssassin.
    let sequences = ws
        .leadgate(&["-w", dir_arg, "sequence", "list", "--json"])
        .ok()
        .json();
    let variants = sequences[0]["variants"].as_array().unwrap();
    assert!(variants.len() >= 2, "{sequences}");
    for variant in variants {
        assert_eq!(variant["status"], "approved", "{variant}");
        let lead = variant["sample_contact"].as_i64().unwrap().to_string();
        let eml = ws
            .leadgate(&["-w", dir_arg, "outreach", "preview", &lead, "--step", "1"])
            .ok()
            .0
            .stdout;
        assert!(
            String::from_utf8_lossy(&eml).contains("DKIM-Signature: "),
            "signed"
        );
        if let Some(score) = crate::support::spam_score(&eml) {
            assert!(
                score < 2.0,
                "variant {}'s first message scores {score}",
                variant["name"]
            );
        }
    }

    // Stage 5 went through its gate: the prospects who answered with interest became tasks
    // for the reps the rules chose; the first was acknowledged by its rep after the other rep
    // was refused, and the second waits for its rep (in the browser, or `tasks ack`).
    assert!(
        walked.contains("Stage 5 starts when a prospect answers"),
        "{walked}"
    );
    assert!(!tasks.is_empty() && tasks.len() <= 2, "{tasks:?}");
    let first = &tasks
        .iter()
        .min_by_key(|t| t["id"].as_i64().unwrap())
        .unwrap();
    assert_eq!(first["status"], "acknowledged", "{first}");
    assert_eq!(first["acknowledged_by"], first["rep"], "{first}");
    assert_eq!(first["signal"], "positive_reply", "{first}");
    assert_eq!(open, tasks.len() - 1, "{tasks:?}");
    if open == 1 {
        assert!(
            status.contains("Waiting for a rep's acknowledgement: 1 task(s)"),
            "{status}"
        );
    }
    let lead = first["contact_id"].as_i64().unwrap().to_string();
    let trail = ws
        .leadgate(&["-w", dir_arg, "audit", "--lead", &lead, "--json"])
        .ok()
        .json();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "lead.enrolled",
            "reply.received",
            "lead.routed",
            "task.acknowledge.refused",
            "task.acknowledged",
            "lead.outcome_recorded"
        ],
        "the lead's chain, reply to acknowledgement, and the meeting its rep booked"
    );
    let report = ws
        .leadgate(&["-w", dir_arg, "sla", "report", "--json"])
        .ok()
        .json();
    let everyone = report
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rep"] == "all" && l["class"].is_null())
        .unwrap();
    assert_eq!(everyone["judged"], 1, "{report}");
    assert_eq!(everyone["in_time"], 1, "{report}");

    // What went out went through the relay, DKIM-signed (dkimpy verifies each with the
    // published key), with both unsubscribe headers and the footer.
    let Some((python, sink, _dns, dkim_record)) = relay else {
        return;
    };
    let sent = ws
        .leadgate(&["-w", dir_arg, "send", "list", "--status", "sent", "--json"])
        .ok()
        .json();
    let sent = sent
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["channel"] == "email")
        .count();
    // The relay also carried stage 5's alerts to the reps: signed, with a one-click link.
    let (alerts, received): (Vec<Vec<u8>>, Vec<Vec<u8>>) = sink
        .received()
        .into_iter()
        .partition(|m| String::from_utf8_lossy(m).contains("Message-ID: <lg-alert-"));
    assert!(sent > 0, "the walkthrough sent nothing");
    assert_eq!(received.len(), sent);
    assert_eq!(alerts.len(), tasks.len(), "one alert per task");
    for alert in &alerts {
        let text = String::from_utf8_lossy(alert).replace("=\r\n", "");
        assert!(text.contains("/ack/"), "{text}");
        assert!(
            crate::loopback::dkim_verifies(&python, alert, &dkim_record),
            "dkimpy rejects an alert:\n{text}"
        );
    }
    for message in &received {
        let text = String::from_utf8_lossy(message);
        for part in [
            "List-Unsubscribe: <https://leadgate.routewise.example/unsubscribe/",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "12 Harbour Street",
        ] {
            assert!(text.contains(part), "{part} missing in:\n{text}");
        }
        assert!(
            crate::loopback::dkim_verifies(&python, message, &dkim_record),
            "dkimpy rejects a message the relay received:\n{text}"
        );
    }
}

/// The other side of the SpamAssassin check: a message written the way spam is scores
/// above 5, and leadgate's copy linter blocks it before any SpamAssassin would see it.
#[test]
fn a_spammy_message_scores_above_five_and_the_linter_blocks_it() {
    use leadgate_core::outreach::lint;
    let subject = "ACT NOW!!! 100% FREE - LIMITED TIME OFFER!!!";
    let body = "Dear Friend,\n\nCONGRATULATIONS!!! You have been selected to receive a 100% FREE \
        offer. This is not spam.\nAct now! Limited time only! Click here to claim your prize and \
        earn extra cash from home.\nNo credit check, no obligation, risk free, satisfaction \
        guaranteed. Double your income!\nBuy direct, lowest price, order now while supplies \
        last. Call now!!!\n\nClick here: http://bit.ly/free-money-now\nClick here: \
        http://bit.ly/free-money-now2\n\nTo be removed from our mailing list reply with REMOVE \
        in the subject.\n";
    let eml = format!(
        "From: \"Best Deals\" <deals@routewise.example>\r\nTo: jane@acme.example\r\n\
         Subject: {subject}\r\nDate: Mon, 01 Mar 2027 10:00:00 +0000\r\n\
         Message-ID: <spammy-1@routewise.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
        body.replace('\n', "\r\n")
    );

    let findings = lint::lint(Some(subject), body, lint::Context::default());

    assert!(lint::blocks(&findings), "{findings:?}");
    if let Some(score) = crate::support::spam_score(eml.as_bytes()) {
        assert!(score > 5.0, "the spammy fixture scores only {score}");
    }
}

/// After the ICP goes live, `worker --once` says what its jobs led to — the list built, the
/// sample review that now waits — and the command that decides it, with who may.
#[tokio::test]
async fn the_worker_says_what_comes_next() {
    let ws = TestWorkspace::new(Backend::Sqlite)
        .await
        .expect("sqlite needs nothing");
    let dir = ws.path().join("demo");
    let dir_arg = dir.to_str().unwrap();
    ws.leadgate(&["demo", "--dir", dir_arg, "--seed", "7", "--no-serve"])
        .ok();
    for person in ["sam", "mia"] {
        ws.leadgate(&["-w", dir_arg, "gate", "approve", "1", "--as", person])
            .ok();
    }
    let ran = ws
        .leadgate(&["-w", dir_arg, "worker", "--once"])
        .ok()
        .stdout();
    assert!(
        ran.contains("Segment Mid-market SaaS: ICP v1 live; list 1 in review"),
        "{ran}"
    );
    assert!(ran.contains("prospect sample review"), "{ran}");
    assert!(
        ran.contains("next: leadgate review sample 2 --as rita"),
        "the worker names the next command: {ran}"
    );
    // Anyone may look at the sample before deciding: `--show` needs no name.
    let shown = ws
        .leadgate(&["-w", dir_arg, "review", "sample", "2", "--show"])
        .ok()
        .stdout();
    assert!(shown.contains("Record 1 — contact"), "{shown}");
    let unnamed = ws.leadgate(&["-w", dir_arg, "review", "sample", "2"]);
    assert!(!unnamed.0.status.success(), "a review needs a name");
    assert!(
        unnamed.stderr().contains("--as <NAME>"),
        "{}",
        unnamed.stderr()
    );
}
