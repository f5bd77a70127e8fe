//! The stage-1 story through the real binary, on both backends: init → people → propose →
//! approve ×2 → live → supersede → reject → audit verify → tamper.

use leadgate_core::icp::SAMPLE_ICP;

use crate::on_both_backends;
use crate::support::{Backend, TestWorkspace};

on_both_backends!(icp_lifecycle, icp_lifecycle_story);
on_both_backends!(refusals_change_nothing, refusals_change_nothing_story);

async fn setup(backend: Backend) -> Option<TestWorkspace> {
    let ws = TestWorkspace::new(backend).await?;
    let dir = ws.path().display().to_string();
    match &ws.database_url {
        Some(url) => ws.leadgate(&["init", &dir, "--database-url", url]).ok(),
        None => ws.leadgate(&["init", &dir]).ok(),
    };
    for (name, roles) in [
        ("sam", "sales_lead"),
        ("mia", "marketing_lead"),
        ("fay", "sales_lead,marketing_lead,admin"),
        ("otto", "sales_ops"),
        ("ravi", "rep"),
    ] {
        let email = format!("{name}@example.com");
        ws.leadgate(&["user", "add", name, "--email", &email, "--role", roles])
            .ok();
    }
    Some(ws)
}

fn icp_statuses(ws: &TestWorkspace) -> Vec<(i64, String)> {
    ws.leadgate(&["icp", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn icp_lifecycle_story(backend: Backend) {
    let Some(ws) = setup(backend).await else {
        return;
    };
    let people = ws.leadgate(&["user", "list", "--json"]).ok().json();
    assert_eq!(people.as_array().unwrap().len(), 5);
    assert_eq!(people[0]["name"], "fay");
    assert_eq!(
        people[0]["roles"],
        serde_json::json!(["admin", "sales_lead", "marketing_lead"])
    );

    // v1: proposed by sales ops, approved by the two leads.
    let v1 = ws.write("icp.toml", SAMPLE_ICP);
    let proposed = ws
        .leadgate(&["icp", "propose", v1.to_str().unwrap(), "--as", "otto"])
        .ok();
    assert!(
        proposed.stdout().contains("new market segment"),
        "{}",
        proposed.stdout()
    );
    let gates = ws.leadgate(&["gate", "list", "--json"]).ok().json();
    assert_eq!(gates[0]["kind"], "icp_approval");
    assert_eq!(gates[0]["subject"], "icp:1");
    assert_eq!(gates[0]["status"], "open");
    assert_eq!(
        gates[0]["required_roles"],
        serde_json::json!(["sales_lead", "marketing_lead"])
    );
    assert_eq!(gates[0]["decisions"], serde_json::json!([]));

    ws.leadgate(&[
        "gate",
        "approve",
        "1",
        "--as",
        "sam",
        "--note",
        "fits Q3 wins",
    ])
    .ok();
    assert_eq!(icp_statuses(&ws), vec![(1, "proposed".to_string())]);
    ws.leadgate(&["gate", "approve", "1", "--as", "mia"]).ok();
    assert_eq!(icp_statuses(&ws), vec![(1, "live".to_string())]);
    let shown = ws.leadgate(&["gate", "show", "1", "--json"]).ok().json();
    assert_eq!(shown["status"], "approved");
    assert_eq!(shown["decisions"][0]["person"], "sam");
    assert_eq!(shown["decisions"][0]["note"], "fits Q3 wins");
    assert_eq!(shown["decisions"][1]["role"], "marketing_lead");

    // `icp show --toml` prints what was proposed, byte for byte.
    let toml = ws.leadgate(&["icp", "show", "1", "--toml"]).ok().stdout();
    assert_eq!(toml, SAMPLE_ICP);

    // v2 changes the employee range; the founder holds both lead roles but fills only one.
    let v2_text = SAMPLE_ICP.replace("max = 1000", "max = 2000");
    let v2 = ws.write("icp-v2.toml", &v2_text);
    let proposed = ws
        .leadgate(&["icp", "propose", v2.to_str().unwrap(), "--as", "sam"])
        .ok();
    assert!(
        proposed.stdout().contains("2000"),
        "the diff against live is shown:\n{}",
        proposed.stdout()
    );
    let diff = ws.leadgate(&["icp", "diff", "1", "2"]).ok().stdout();
    assert!(diff.contains("1000") && diff.contains("2000"), "{diff}");
    // Four eyes: sam proposed v2 and holds a role its gate needs, yet never decides it.
    ws.leadgate(&["gate", "approve", "2", "--as", "sam"])
        .fails_with("sam made what this gate reviews");
    ws.leadgate(&["gate", "reject", "2", "--as", "sam", "--reason", "hm"])
        .fails_with("four-eyes");
    let shown = ws.leadgate(&["gate", "show", "2", "--json"]).ok().json();
    assert_eq!(shown["maker"], "sam");
    assert_eq!(shown["decisions"], serde_json::json!([]));
    let inbox = ws
        .leadgate(&["gate", "list", "--for", "sam", "--json"])
        .ok()
        .json();
    assert!(
        inbox.as_array().unwrap().iter().all(|g| g["id"] != 2),
        "the maker's inbox does not offer their own work: {inbox}"
    );
    ws.leadgate(&["gate", "approve", "2", "--as", "fay"])
        .fails_with("choose one with --role");
    ws.leadgate(&[
        "gate",
        "approve",
        "2",
        "--as",
        "fay",
        "--role",
        "sales_lead",
    ])
    .ok();
    ws.leadgate(&[
        "gate",
        "approve",
        "2",
        "--as",
        "fay",
        "--role",
        "marketing_lead",
    ])
    .fails_with("separation of duties");
    ws.leadgate(&["gate", "approve", "2", "--as", "mia"]).ok();
    assert_eq!(
        icp_statuses(&ws),
        vec![(1, "superseded".to_string()), (2, "live".to_string())]
    );
    let v1_json = ws.leadgate(&["icp", "show", "1", "--json"]).ok().json();
    assert_eq!(v1_json["superseded_by"], 2);

    // v3 is rejected with a reason and never goes live; its gate takes no more decisions.
    let v3 = ws.write("icp-v3.toml", &SAMPLE_ICP.replace("min = 50,", "min = 10,"));
    ws.leadgate(&["icp", "propose", v3.to_str().unwrap(), "--as", "otto"])
        .ok();
    ws.leadgate(&[
        "gate",
        "reject",
        "3",
        "--as",
        "mia",
        "--reason",
        "too small to afford us",
    ])
    .ok();
    ws.leadgate(&["gate", "approve", "3", "--as", "sam"])
        .fails_with("the gate is rejected");
    assert_eq!(icp_statuses(&ws)[2], (3, "rejected".to_string()));

    // The live version proposed again unchanged has nothing to approve.
    ws.leadgate(&["icp", "propose", v2.to_str().unwrap(), "--as", "otto"])
        .fails_with("nothing to approve");

    // The audit log tells the story of each version and verifies.
    let entries = ws
        .leadgate(&["audit", "--subject", "icp:2", "--json"])
        .ok()
        .json();
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["icp.live", "icp.proposed"], "newest first");
    let decisions = ws
        .leadgate(&["audit", "--subject", "gate:2", "--json"])
        .ok()
        .json();
    let refused: Vec<&str> = decisions
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "gate.decide.refused")
        .map(|e| e["actor"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused,
        ["fay", "fay", "sam", "sam"],
        "the refused attempts are on record, newest first"
    );
    let verified = ws.leadgate(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(verified["intact"], true);
    let entries = verified["entries"].as_i64().unwrap();
    assert!(entries > 20, "{entries} entries");

    // Tampering with one stored entry is found and named.
    let store = leadgate_store::Store::connect(&ws.resolved_database_url())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    sqlx::query("UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 12 OR seq = 20")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    store.close().await;
    let broken = ws.leadgate(&["audit", "verify"]);
    assert_eq!(broken.0.status.code(), Some(3));
    assert!(
        broken.stderr().contains("audit entry 12"),
        "{}",
        broken.stderr()
    );
}

async fn refusals_change_nothing_story(backend: Backend) {
    let Some(ws) = setup(backend).await else {
        return;
    };
    let icp = ws.write("icp.toml", SAMPLE_ICP);
    ws.leadgate(&["icp", "propose", icp.to_str().unwrap(), "--as", "otto"])
        .ok();
    let before = ws.leadgate(&["gate", "show", "1", "--json"]).ok().json();
    let audit_before = ws
        .leadgate(&["audit", "--json", "--limit", "1000"])
        .ok()
        .json();

    ws.leadgate(&["gate", "approve", "1", "--as", "ravi"])
        .fails_with("ravi holds none of the roles this gate needs");
    ws.leadgate(&["gate", "approve", "1", "--as", "nobody"])
        .fails_with("no person named `nobody`");
    ws.leadgate(&["gate", "approve", "9", "--as", "sam"])
        .fails_with("no gate 9");
    ws.leadgate(&["gate", "reject", "1", "--as", "mia", "--reason", " "])
        .fails_with("a rejection needs a reason");
    ws.leadgate(&[
        "gate",
        "approve",
        "1",
        "--as",
        "sam",
        "--role",
        "marketing_lead",
    ])
    .fails_with("sam does not hold the role marketing_lead");
    ws.leadgate(&["icp", "propose", icp.to_str().unwrap(), "--as", "ravi"])
        .fails_with("ravi may not propose an ICP");
    ws.leadgate(&["icp", "propose", icp.to_str().unwrap(), "--as", "sam"])
        .fails_with("already waiting at its gate");

    let bad = ws.write(
        "bad.toml",
        "segment = \"x\"\nrationale = \"y\"\n[firmographics]\nemployes = { min = 1 }\n",
    );
    let refused = ws.leadgate(&["icp", "propose", bad.to_str().unwrap(), "--as", "sam"]);
    refused.fails_with("bad.toml:4:1");
    let missing = ws.leadgate(&["-w", "/nonexistent/leadgate", "gate", "list"]);
    missing.fails_with("no leadgate workspace in /nonexistent/leadgate");

    let after = ws.leadgate(&["gate", "show", "1", "--json"]).ok().json();
    assert_eq!(before, after, "refused attempts change nothing");
    assert_eq!(
        ws.leadgate(&["icp", "list", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let audit_after = ws
        .leadgate(&["audit", "--json", "--limit", "1000"])
        .ok()
        .json();
    let new_entries =
        audit_after.as_array().unwrap().len() - audit_before.as_array().unwrap().len();
    assert_eq!(
        new_entries, 8,
        "each refused attempt, and only that, is on record"
    );
    assert!(
        audit_after.as_array().unwrap()[..new_entries]
            .iter()
            .all(|e| e["action"].as_str().unwrap().ends_with(".refused"))
    );
    ws.leadgate(&["audit", "verify"]).ok();
}

on_both_backends!(overtaken_proposals_are_withdrawn, overtaken_proposals_story);

/// Two proposals of one segment wait at once; the newer goes live first. The older can then
/// never go live: it is withdrawn, its gate cancelled, and approving it is refused.
async fn overtaken_proposals_story(backend: Backend) {
    let Some(ws) = setup(backend).await else {
        return;
    };
    let older = ws.write("older.toml", SAMPLE_ICP);
    let newer = ws.write("newer.toml", &SAMPLE_ICP.replace("max = 1000", "max = 800"));
    ws.leadgate(&["icp", "propose", older.to_str().unwrap(), "--as", "otto"])
        .ok();
    ws.leadgate(&["icp", "propose", newer.to_str().unwrap(), "--as", "otto"])
        .ok();
    ws.leadgate(&["gate", "approve", "1", "--as", "sam"]).ok();

    ws.leadgate(&["gate", "approve", "2", "--as", "sam"]).ok();
    ws.leadgate(&["gate", "approve", "2", "--as", "mia"]).ok();

    assert_eq!(
        icp_statuses(&ws),
        vec![(1, "withdrawn".to_string()), (2, "live".to_string())]
    );
    let gate = ws.leadgate(&["gate", "show", "1", "--json"]).ok().json();
    assert_eq!(gate["status"], "cancelled");
    ws.leadgate(&["gate", "approve", "1", "--as", "mia"])
        .fails_with("the gate is cancelled");
    assert_eq!(icp_statuses(&ws)[0].1, "withdrawn");
    // The gate inbox no longer offers it to anyone.
    let waiting = ws
        .leadgate(&["gate", "list", "--for", "mia", "--json"])
        .ok()
        .json();
    assert_eq!(waiting, serde_json::json!([]));
}

#[tokio::test]
async fn init_makes_a_wal_sqlite_database_and_a_strict_config() {
    let ws = TestWorkspace::new(Backend::Sqlite)
        .await
        .expect("sqlite needs nothing");
    let dir = ws.path().display().to_string();
    ws.leadgate(&["init", &dir]).ok();
    ws.leadgate(&["init", &dir])
        .fails_with("already a workspace");

    let store = leadgate_store::Store::connect(&ws.resolved_database_url())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    let mode: String = sqlx::Row::get(
        &sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap(),
        0,
    );
    assert_eq!(mode, "wal");
    drop(conn);
    store.close().await;

    let config = ws.path().join("leadgate.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "time_zone = \"UTC\"",
            "time_zone = \"UTC\"\ntimezone = \"UTC\"",
        ),
    )
    .unwrap();
    ws.leadgate(&["status"])
        .fails_with("key `timezone`: unknown key");
}

/// `leadgate … | head` ends the command quietly when the reader goes away: no panic on the
/// closed pipe. The pipe's reading end is closed before the command starts, so its first
/// line of output meets a reader that has left.
#[cfg(unix)]
#[tokio::test]
async fn output_into_a_closed_pipe_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;

    let ws = TestWorkspace::new(Backend::Sqlite)
        .await
        .expect("sqlite needs nothing");
    let dir = ws.path().display().to_string();
    ws.leadgate(&["init", &dir]).ok();

    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(["audit", "verify"])
        .env("LEADGATE_WORKSPACE", ws.path())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("the leadgate binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "ended by the broken pipe, as any Unix tool is: {:?} {stderr}",
        out.status
    );
}

on_both_backends!(people_are_changed_by_an_admin, people_story);

/// Roles given and taken, the last admin kept, a person who left deactivated and back, all
/// through the binary, each change an admin's.
async fn people_story(backend: Backend) {
    let Some(ws) = setup(backend).await else {
        return;
    };
    let given = ws
        .leadgate(&["user", "roles", "ravi", "--add", "reviewer", "--as", "fay"])
        .ok();
    assert!(
        given.stdout().contains("ravi now holds reviewer, rep"),
        "{}",
        given.stdout()
    );
    ws.leadgate(&["user", "roles", "ravi", "--add", "admin", "--as", "sam"])
        .fails_with("sam is not an active admin");
    ws.leadgate(&[
        "user",
        "roles",
        "ravi",
        "--remove",
        "rep,reviewer",
        "--as",
        "fay",
    ])
    .fails_with("would hold no role");
    ws.leadgate(&["user", "deactivate", "fay", "--as", "fay"])
        .fails_with("last active admin");

    let icp = ws.write("icp.toml", SAMPLE_ICP);
    ws.leadgate(&["icp", "propose", icp.to_str().unwrap(), "--as", "otto"])
        .ok();
    let left = ws
        .leadgate(&["user", "deactivate", "mia", "--as", "fay"])
        .ok();
    assert!(
        left.stderr().is_empty(),
        "fay can still fill the marketing_lead approval: {}",
        left.stderr()
    );
    ws.leadgate(&["gate", "approve", "1", "--as", "mia"])
        .fails_with("mia was deactivated");
    let people = ws.leadgate(&["user", "list", "--json"]).ok().json();
    let mia = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "mia")
        .unwrap();
    assert_eq!(mia["active"], false);
    ws.leadgate(&[
        "user",
        "roles",
        "fay",
        "--remove",
        "marketing_lead",
        "--as",
        "fay",
    ])
    .ok()
    .stderr()
    .contains("gate 1")
    .then_some(())
    .expect("the gate no one active may now fill is named");
    ws.leadgate(&["user", "reactivate", "mia", "--as", "fay"])
        .ok();
    ws.leadgate(&["gate", "approve", "1", "--as", "mia"]).ok();
    ws.leadgate(&["audit", "verify"]).ok();
}

on_both_backends!(anchors_catch_what_the_chain_alone_cannot, anchors_story);

/// Rewrites the stored chain from entry `from` on as someone who can write the database
/// would: `change` alters entry `from`, every later hash and the head are recomputed, and
/// entries after `keep_until` are removed (a cut at the end).
async fn rewrite_chain(ws: &TestWorkspace, from: i64, keep_until: i64, subject: &str) {
    use leadgate_core::audit::{AuditEntry, GENESIS_HASH, NewAuditEntry};
    let store = leadgate_store::Store::connect(&ws.resolved_database_url())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    let mut entries = leadgate_store::audit::list(
        &mut conn,
        &leadgate_store::audit::AuditFilter {
            limit: 100_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    entries.reverse();
    let mut prev = GENESIS_HASH.to_string();
    for e in entries.iter().filter(|e| e.seq <= keep_until) {
        let rewritten = AuditEntry::chain(
            NewAuditEntry {
                actor: e.actor.clone(),
                action: e.action.clone(),
                subject: if e.seq == from {
                    subject.to_string()
                } else {
                    e.subject.clone()
                },
                inputs: e.inputs.clone(),
                at: e.at,
            },
            e.seq,
            &prev,
        );
        sqlx::query("UPDATE audit_log SET subject = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&rewritten.subject)
            .bind(&rewritten.prev_hash)
            .bind(&rewritten.hash)
            .bind(e.seq)
            .execute(&mut *conn)
            .await
            .unwrap();
        prev = rewritten.hash;
    }
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(keep_until)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(keep_until)
        .bind(&prev)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    store.close().await;
}

/// Anchors recorded in a file outside the workspace catch a chain rewritten together with
/// its hashes and head, and a chain cut at the end, which plain `verify` cannot; a row
/// removed from the middle is caught by `verify` alone.
async fn anchors_story(backend: Backend) {
    let Some(ws) = setup(backend).await else {
        return;
    };
    let outside = tempfile::tempdir().unwrap();
    let anchors = outside.path().join("anchors.jsonl");
    let config = ws.path().join("leadgate.toml");
    // A webhook on loopback that keeps what it is sent.
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let keep = received.clone();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await });
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[audit]\nanchor_file = {:?}\nanchor_webhook = {hook_url:?}\n",
        anchors.display().to_string()
    ));
    std::fs::write(&config, text).unwrap();

    let icp = ws.write("icp.toml", SAMPLE_ICP);
    ws.leadgate(&["icp", "propose", icp.to_str().unwrap(), "--as", "otto"])
        .ok();
    let first = ws.leadgate(&["audit", "anchor", "--json"]).ok().json();
    ws.leadgate(&["gate", "approve", "1", "--as", "sam"]).ok();
    ws.leadgate(&["gate", "approve", "1", "--as", "mia"]).ok();
    let second = ws.leadgate(&["audit", "anchor", "--json"]).ok().json();
    let (a, b) = (
        first["seq"].as_i64().unwrap(),
        second["seq"].as_i64().unwrap(),
    );
    assert!(a >= 6 && b > a, "{first} {second}");
    assert_eq!(
        std::fs::read_to_string(&anchors).unwrap().lines().count(),
        2
    );
    let posted: Vec<i64> = received
        .lock()
        .unwrap()
        .iter()
        .map(|b| b["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(posted, [a, b], "each anchor also went to the webhook");
    let checked = ws
        .leadgate(&[
            "audit",
            "verify",
            "--anchors",
            anchors.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(checked["anchors_checked"], 2);
    let bad = ws.write("bad-anchors.jsonl", "{\"seq\": 1}\n");
    ws.leadgate(&["audit", "verify", "--anchors", bad.to_str().unwrap()])
        .fails_with("bad-anchors.jsonl:1: not an audit anchor");

    // The chain cut at the end, its head moved back: plain verify passes, the anchors do not.
    rewrite_chain(&ws, 0, b - 1, "").await;
    ws.leadgate(&["audit", "verify"]).ok();
    let cut = ws.leadgate(&["audit", "verify", "--anchors", anchors.to_str().unwrap()]);
    assert_eq!(cut.0.status.code(), Some(3));
    assert!(
        cut.stderr().contains(&format!("ends at entry {}", b - 1)),
        "{}",
        cut.stderr()
    );

    // An entry before the first anchor rewritten, every later hash and the head with it.
    rewrite_chain(&ws, 3, b - 1, "user:mallory").await;
    ws.leadgate(&["audit", "verify"]).ok();
    let caught = ws.leadgate(&["audit", "verify", "--anchors", anchors.to_str().unwrap()]);
    assert_eq!(caught.0.status.code(), Some(3));
    assert!(
        caught
            .stderr()
            .contains(&format!("audit entry {a} differs from its anchor"))
            && caught.stderr().contains("after entry 0"),
        "{}",
        caught.stderr()
    );

    // A row removed from the middle: verify alone names it.
    let store = leadgate_store::Store::connect(&ws.resolved_database_url())
        .await
        .unwrap();
    let mut conn = store.conn().await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    store.close().await;
    ws.leadgate(&["audit", "verify"])
        .fails_with("audit entry 4 is missing");
}
