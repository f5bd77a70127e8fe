//! Stage 4's sending, on both backends: after the first-message gates are approved, the
//! sender queues each lead's due step inside the prospect's business hours, signs it, and
//! hands it to the transport — here the outbox folder of a fresh workspace — with both
//! unsubscribe headers; a second run sends nothing twice; the suppression list, read just
//! before the send, stops a message queued before the address was suppressed; a message a
//! stopped sender left `sending` is found in the folder, or held for a person when the relay
//! cannot be asked, and released by a person.

use jiff::{SignedDuration, Timestamp};
use leadgate::engine::outreach::send::{self, Release, Sending};
use leadgate::engine::outreach::sequences::{self, Enrolled};
use leadgate::engine::settings::{MailboxConfig, OutreachConfig, SmtpConfig};
use leadgate::engine::{discovery, gates};
use leadgate_core::gate::Request;
use leadgate_core::outreach::compose::Sender;
use leadgate_core::outreach::enrollment::OutboxStatus;
use leadgate_core::role::Role;
use leadgate_store::outreach as stored;

use crate::on_both_backends;
use crate::support::{Backend, SALES_ICP, TestWorkspace};

on_both_backends!(
    approved_messages_go_once_signed_and_never_to_a_suppressed_address,
    send_story
);

/// A person's browser, as the click redirect sees it.
const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

fn now() -> Timestamp {
    // A Monday, 09:00 UTC.
    "2027-03-01T09:00:00Z".parse().unwrap()
}

const PEOPLE: &str =
    "first_name,last_name,email,title,company_name,company_domain,employees,country
Ann,Small,ann@small.io,VP Sales,Small & Sons,small.io,60,US
Bo,Big,bo@big.io,Sales Manager,Big,big.io,500,US
Cy,Mid,cy@mid.fr,VP Sales,Mid,mid.fr,300,FR
";

fn config(smtp: Option<SmtpConfig>) -> OutreachConfig {
    OutreachConfig {
        sender: Sender {
            name: "Ravi Menon".into(),
            title: "Account Executive".into(),
            company: "Routewise".into(),
            address: "12 Harbour Street, Edinburgh EH6 6PL".into(),
        },
        mailboxes: vec![MailboxConfig {
            address: "ravi@routewise.example".into(),
            name: None,
            daily_cap: 50,
            smtp,
            track_clicks: true,
            // The DNS check before sending through a relay has its own story below.
            check_dns: false,
            imap: None,
        }],
        ..Default::default()
    }
}

/// Verifies a signed message with dkimpy, given the key's DNS record; `None` (after a loud
/// skip) without the Python tools.
fn dkim_verifies(eml: &[u8], record: &str) -> Option<bool> {
    let python = crate::loopback::python()?;
    Some(crate::loopback::dkim_verifies(&python, eml, record))
}

async fn send_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: three leads in outreach, enrolled; rita approves both variants' first messages.
    let workspace = ws.init(now()).await;
    let store = &workspace.store;
    let outreach = config(None);
    let enrolled = enrolled(&ws, &workspace, PEOPLE, crate::support::SEQUENCE, &outreach).await;
    let leads: Vec<i64> = enrolled
        .iter()
        .filter_map(|e| match e {
            Enrolled::Enrolled { lead, .. } => Some(*lead),
            Enrolled::Skipped { .. } => None,
        })
        .collect();
    assert_eq!(leads.len(), 3, "{enrolled:?}");
    let outbox_dir = ws.path().join("outbox");
    let pages = leadgate_core::engagement::PagePolicy::default();
    let sending = Sending {
        outreach: &outreach,
        pages: &pages,
        public_url: "https://leadgate.routewise.example",
        outbox_dir: outbox_dir.clone(),
        zone: jiff::tz::TimeZone::UTC,
    };

    // Act + Assert: before approval nothing is queued; every lead waits for its variant.
    let waiting = send::run(store, &sending, false, now()).await.unwrap();
    assert_eq!(
        (waiting.queued, waiting.sent, waiting.waiting_for_approval),
        (0, 0, 3),
        "{waiting:?}"
    );
    approve_first_messages(store).await;
    // Bo asks to hear no more after his message is queued: the check before sending stops it.
    let later = now() + SignedDuration::from_hours(6);
    // Monday 22:30 UTC — evening in New York, night in Paris — every first e-mail is due but
    // none would be queued: the send window is closed where the prospects are.
    let evening = now() + SignedDuration::from_mins(13 * 60 + 30);
    let dark = send::run(store, &sending, true, evening).await.unwrap();
    assert_eq!((dark.queued, dark.not_due), (0, 3), "{dark:?}");
    let dry = send::run(store, &sending, true, later).await.unwrap();
    assert_eq!((dry.queued, dry.sent), (3, 0), "{dry:?}");
    assert!(!outbox_dir.exists(), "a dry run writes nothing");

    // Act: the sender runs at 15:00 UTC (10:00 in New York, 16:00 in Paris), after Bo's
    // address went on the suppression list.
    discovery::suppress::add(store, "otto", "bo@big.io", "asked by phone", later)
        .await
        .unwrap();
    let first = send::run(store, &sending, false, later).await.unwrap();

    // Assert: Ann's and Cy's first e-mails are in the outbox folder, signed; Bo's is
    // cancelled and his sequence stopped.
    assert_eq!(
        (first.queued, first.sent, first.cancelled),
        (3, 2, 1),
        "{first:?}"
    );
    let mut conn = store.conn().await.unwrap();
    let sent = stored::outbox(&mut conn, Some(OutboxStatus::Sent))
        .await
        .unwrap();
    let key = stored::dkim_key(&mut conn, "routewise.example")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let record = format!("v=DKIM1; k=rsa; p={}", key.public_b64);
    let mut recipients = Vec::new();
    for row in &sent {
        let file = outbox_dir.join(format!("{}.eml", row.message_id));
        let eml = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            eml,
            row.eml.clone().unwrap().into_bytes(),
            "the file is what was recorded"
        );
        let text = String::from_utf8_lossy(&eml);
        for header in [
            "List-Unsubscribe: <https://leadgate.routewise.example/unsubscribe/",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            &format!("Message-ID: <{}>", row.message_id),
            "DKIM-Signature: ",
        ] {
            assert!(text.contains(header), "{header} missing in:\n{text}");
        }
        assert!(text.contains("12 Harbour Street"), "the footer: {text}");
        if let Some(verified) = dkim_verifies(&eml, &record) {
            assert!(
                verified,
                "dkimpy rejects the signature of {}",
                row.message_id
            );
        }
        recipients.push(row.recipient.clone().unwrap());
    }
    recipients.sort();
    assert_eq!(recipients, ["ann@small.io", "cy@mid.fr"]);
    let mut conn = store.conn().await.unwrap();
    let cancelled = stored::outbox(&mut conn, Some(OutboxStatus::Cancelled))
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0].recipient.as_deref(), Some("bo@big.io"));
    drop(conn);

    // Act + Assert: running again at once sends nothing twice.
    let again = send::run(store, &sending, false, later).await.unwrap();
    assert_eq!((again.queued, again.sent), (0, 0), "{again:?}");
    assert_eq!(std::fs::read_dir(&outbox_dir).unwrap().count(), 2);

    // Act: two business days on (Wednesday), the LinkedIn steps are tasks for the rep, and
    // the third steps wait three business days more.
    let wednesday = later + SignedDuration::from_hours(48);
    let tasks = send::run(store, &sending, false, wednesday).await.unwrap();
    assert_eq!(tasks.tasks, 2, "{tasks:?}");
    // Three business days after Wednesday: Monday.
    let friday = later + SignedDuration::from_hours(24 * 4);
    let early = send::run(store, &sending, true, friday).await.unwrap();
    assert_eq!(early.queued, 0, "not due on Friday: {early:?}");
    let monday = later + SignedDuration::from_hours(24 * 7);
    let dry = send::run(store, &sending, true, monday).await.unwrap();
    assert_eq!(dry.queued, 2, "Ann's and Cy's third steps are due: {dry:?}");

    // A relay that cannot be asked: a row left `sending` is held, then released by a person.
    let relay = config(Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: 9,
        tls: "none".into(),
        username: None,
        password_env: None,
    }));
    let via_relay = Sending {
        outreach: &relay,
        ..sending
    };
    // Queue without delivering (a relay on a closed port refuses the connection: the message
    // stays queued, with the reason).
    let refused = send::run(store, &via_relay, false, monday).await.unwrap();
    assert_eq!(refused.sent, 0, "{refused:?}");
    let mut conn = store.conn().await.unwrap();
    let queued = stored::outbox(&mut conn, Some(OutboxStatus::Queued))
        .await
        .unwrap();
    assert!(!queued.is_empty(), "{refused:?}");
    assert!(
        queued[0]
            .note
            .as_deref()
            .unwrap_or_default()
            .starts_with("not sent yet"),
        "{:?}",
        queued[0].note
    );
    let stuck = queued[0].id;
    assert!(
        stored::move_outbox(
            &mut conn,
            stuck,
            OutboxStatus::Queued,
            OutboxStatus::Sending,
            None,
            monday
        )
        .await
        .unwrap()
    );
    drop(conn);
    let recovered = send::run(store, &via_relay, false, monday).await.unwrap();
    assert_eq!(recovered.held, 1, "{recovered:?}");
    let mut conn = store.conn().await.unwrap();
    let held = stored::outbox_row_by_id(&mut conn, stuck)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.status, OutboxStatus::Held);
    assert!(
        held.note.unwrap().contains(&held.message_id),
        "the note names the Message-ID"
    );
    drop(conn);
    let released = send::release(store, stuck, Release::Sent, "otto", monday)
        .await
        .unwrap();
    assert_eq!(released.status, OutboxStatus::Sent);
    let twice = send::release(store, stuck, Release::Resend, "otto", monday).await;
    assert!(twice.is_err(), "only a held message is released: {twice:?}");
}

/// How many times the sender is killed.
const KILLS: usize = 200;
/// Leads, each with one e-mail due: enough that kills keep landing in the middle of work.
const KILL_LEADS: usize = 500;

/// The outbox under SIGKILL, against a real SMTP server on loopback: the sender is started
/// and killed at a pseudo-random moment (during start-up, queueing, or an SMTP transaction)
/// again and again, then allowed to finish. Every message recorded sent was captured exactly
/// once, none was captured twice, none is lost, and every message held after a kill is
/// accounted for — captured once (the relay had it) or not at all — and never resent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_sender_at_any_moment_loses_nothing_and_sends_nothing_twice() {
    use std::collections::BTreeMap;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let Some(python) = crate::loopback::python() else {
        return;
    };
    let Some(ws) = TestWorkspace::new(Backend::Sqlite).await else {
        return;
    };
    // Arrange: 500 leads in outreach, enrolled, their variants approved; a relay on loopback.
    let workspace = ws.init(now()).await;
    let rows: String = (0..KILL_LEADS)
        .map(|i| format!("Pat{i},Lee{i},pat{i}@co{i}.io,VP Sales,Co {i},co{i}.io,300,US\n"))
        .collect();
    let header = PEOPLE.lines().next().unwrap();
    let store = &workspace.store;
    enrolled(
        &ws,
        &workspace,
        &format!("{header}\n{rows}"),
        crate::support::SEQUENCE,
        &config(None),
    )
    .await;
    approve_first_messages(store).await;
    send::dkim_key(store, "routewise.example", now())
        .await
        .unwrap();
    let sink = crate::loopback::SmtpSink::start(&python);
    let path = ws.path().join("leadgate.toml");
    let toml = std::fs::read_to_string(&path).unwrap().replace(
        "public_url = \"http://127.0.0.1:8080\"",
        "public_url = \"https://leadgate.routewise.example\"",
    );
    std::fs::write(
        &path,
        format!(
            "{toml}\n[outreach.sender]\nname = \"Ravi Menon\"\ncompany = \"Routewise\"\naddress = \"12 Harbour Street, Edinburgh\"\n\
             \n[[outreach.mailboxes]]\naddress = \"ravi@routewise.example\"\ndaily_cap = 100000\ncheck_dns = false\n\
             \n[outreach.mailboxes.smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n",
            sink.port
        ),
    )
    .unwrap();
    let at = (now() + SignedDuration::from_hours(6)).to_string();
    let sender = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_leadgate"));
        command
            .args(["send", "run"])
            .env("LEADGATE_WORKSPACE", ws.path())
            .env("LEADGATE_NOW", &at)
            .env_remove("LEADGATE_AS")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    // How long the binary takes to start and open the workspace: kills spread around it.
    let started = Instant::now();
    let probe = Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .arg("status")
        .env("LEADGATE_WORKSPACE", ws.path())
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let start_up = started.elapsed().as_millis() as u64;

    // Act: start the sender and kill it, KILLS times, at moments a fixed sequence of
    // pseudo-random numbers picks between half the start-up time and 80 ms past it.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..KILLS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = start_up / 2 + seed % (start_up / 2 + 80);
        let mut child = sender().spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    // Then let it finish, as the next scheduled run would.
    let finished = sender().status().unwrap();
    assert!(finished.success());

    // Assert: every e-mail accounted for.
    let mut captured: BTreeMap<String, usize> = BTreeMap::new();
    for message in sink.received() {
        let text = String::from_utf8_lossy(&message);
        let id = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("Message-ID: <")
                    .or_else(|| l.strip_prefix("Message-Id: <"))
            })
            .and_then(|l| l.strip_suffix('>'))
            .unwrap_or_else(|| panic!("a captured message without a Message-ID:\n{text}"))
            .to_string();
        *captured.entry(id).or_default() += 1;
    }
    let mut conn = store.conn().await.unwrap();
    let outbox = stored::outbox(&mut conn, None).await.unwrap();
    let emails: Vec<_> = outbox
        .iter()
        .filter(|r| r.channel == leadgate_core::outreach::sequence::Channel::Email)
        .collect();
    assert_eq!(
        emails.len(),
        KILL_LEADS,
        "every lead's first e-mail was queued once"
    );
    let (mut lost, mut twice, mut held_delivered, mut held_not) = (0, 0, 0, 0);
    for row in &emails {
        let count = captured.get(&row.message_id).copied().unwrap_or(0);
        match row.status {
            OutboxStatus::Sent if count == 1 => {}
            OutboxStatus::Sent if count == 0 => lost += 1,
            OutboxStatus::Held if count == 0 => held_not += 1,
            OutboxStatus::Held if count == 1 => held_delivered += 1,
            OutboxStatus::Sent | OutboxStatus::Held => twice += 1,
            other => panic!("message {} is {other} after the last run", row.id),
        }
    }
    let unknown = captured
        .keys()
        .filter(|id| !emails.iter().any(|r| &r.message_id == *id))
        .count();
    eprintln!(
        "{KILLS} kills (start-up {start_up} ms): {} sent, {held_delivered} held and found at the relay, {held_not} held and not, {lost} lost, {twice} twice",
        emails
            .iter()
            .filter(|r| r.status == OutboxStatus::Sent)
            .count()
    );
    assert_eq!((lost, twice, unknown), (0, 0, 0));
    assert!(
        captured.values().all(|&n| n == 1),
        "a Message-ID was captured more than once"
    );
}

on_both_backends!(replies_are_classified_and_have_their_effects, replies_story);

on_both_backends!(
    replies_are_read_from_the_mailbox_over_imap_leaving_other_mail_alone,
    inbox_story
);

async fn inbox_story(backend: Backend) {
    use leadgate::engine::outreach::inbox;
    use leadgate::engine::settings::ImapConfig;
    use leadgate_core::outreach::reply::ReplyKind;

    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let Some(imap) = crate::loopback::ImapServer::start("ravi@routewise.example") else {
        return;
    };
    // Arrange: Ann, Bo and Cy got their first e-mail from ravi@, whose inbox is on a real
    // IMAP server.
    let workspace = ws.init(now()).await;
    let store = &workspace.store;
    let mut outreach = config(None);
    outreach.mailboxes[0].imap = Some(ImapConfig {
        host: "127.0.0.1".into(),
        port: imap.port,
        tls: "none".into(),
        username: None,
        password_env: "RAVI_IMAP_PASSWORD".into(),
        folder: "INBOX".into(),
        ca_file: None,
        timeout_seconds: 20,
    });
    enrolled(&ws, &workspace, PEOPLE, crate::support::SEQUENCE, &outreach).await;
    approve_first_messages(store).await;
    let pages = leadgate_core::engagement::PagePolicy::default();
    let sending = Sending {
        outreach: &outreach,
        pages: &pages,
        public_url: "https://leadgate.routewise.example",
        outbox_dir: ws.path().join("outbox"),
        zone: jiff::tz::TimeZone::UTC,
    };
    let later = now() + SignedDuration::from_hours(6);
    assert_eq!(
        send::run(store, &sending, false, later).await.unwrap().sent,
        3
    );
    let sent = stored::outbox(&mut store.conn().await.unwrap(), Some(OutboxStatus::Sent))
        .await
        .unwrap();
    let to = |address: &str| {
        sent.iter()
            .find(|r| r.recipient.as_deref() == Some(address))
            .unwrap()
            .clone()
    };
    let (ann, bo, cy) = (to("ann@small.io"), to("bo@big.io"), to("cy@mid.fr"));
    let at = later + SignedDuration::from_hours(2);
    // Ann says yes, Bo's address bounces, and a newsletter lands beside them; before
    // leadgate ever sent, an old message sat there already.
    imap.deliver(
        "0.old",
        &reply_to("unclassified_question.eml", "<elsewhere@example.com>", ""),
        now() - SignedDuration::from_hours(24 * 30),
    );
    imap.deliver(
        "1.ann",
        &reply_to("positive_quotes_footer.eml", &ann.message_id, ""),
        at,
    );
    imap.deliver(
        "2.bo",
        &reply_to("bounce_postfix_5_1_1.eml", &bo.message_id, "bo@big.io"),
        at,
    );
    imap.deliver(
        "3.news",
        b"From: news@vendor.example\r\nTo: ravi@routewise.example\r\nSubject: This week in sales\r\nMessage-ID: <n1@vendor.example>\r\n\r\nRead our blog.\r\n",
        at,
    );
    let secret = |name: &str| (name == "RAVI_IMAP_PASSWORD").then(|| imap.password.clone());

    // Act
    let first = inbox::poll(store, &outreach, &secret, at).await.unwrap();
    let second = inbox::poll(store, &outreach, &secret, at).await.unwrap();
    imap.deliver(
        "4.cy",
        &reply_to("opt_out_remove_me.eml", &cy.message_id, ""),
        at,
    );
    let third = inbox::poll(store, &outreach, &secret, at).await.unwrap();
    let without_password = inbox::poll(store, &outreach, &|_| None, at).await.unwrap();

    // Assert: the first poll reads what came since the mailbox first sent, keeps the two
    // answers with their effects and leaves the newsletter alone; the next reads nothing
    // again; the one after takes only Cy's opt-out.
    let polled = &first[0];
    assert_eq!(polled.error, None, "{}", imap.log());
    assert_eq!((polled.read, polled.not_ours), (3, 1), "{polled:?}");
    let kinds: Vec<(ReplyKind, Option<i64>)> = polled
        .replies
        .iter()
        .map(|r| (r.reply.kind, r.reply.contact_id))
        .collect();
    assert_eq!(
        kinds,
        [
            (ReplyKind::Positive, Some(ann.contact_id)),
            (ReplyKind::BounceHard, Some(bo.contact_id))
        ]
    );
    assert_eq!(
        polled.replies[0].reply.source,
        "imap:ravi@routewise.example"
    );
    assert_eq!(second[0].read, 0, "{:?}", second[0]);
    assert_eq!(third[0].read, 1);
    assert_eq!(third[0].replies[0].reply.kind, ReplyKind::OptOut);
    let mut conn = store.conn().await.unwrap();
    for lead in [ann.contact_id, bo.contact_id, cy.contact_id] {
        assert!(
            stored::active_enrollment(&mut conn, lead)
                .await
                .unwrap()
                .is_none(),
            "lead {lead}'s sequence stopped"
        );
    }
    let kept = stored::replies(&mut conn, None).await.unwrap();
    assert_eq!(
        kept.len(),
        3,
        "the newsletter and the old message are not kept"
    );
    drop(conn);
    // Reading changed nothing a person sees.
    assert_eq!(imap.seen(), 0);
    let error = without_password[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("RAVI_IMAP_PASSWORD"), "{error}");

    // And through the command line: without a password in the environment, the mailbox is
    // named with the variable to set, and the run fails.
    let mut toml = std::fs::read_to_string(ws.path().join("leadgate.toml")).unwrap();
    toml.push_str(&format!(
        "\n[[outreach.mailboxes]]\naddress = \"ravi@routewise.example\"\n\n[outreach.mailboxes.imap]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\npassword_env = \"LEADGATE_TEST_NO_SUCH_PASSWORD\"\n",
        imap.port
    ));
    ws.write("leadgate.toml", &toml);
    let run = ws.leadgate(&["replies", "poll"]);
    assert_eq!(run.0.status.code(), Some(1), "{}", run.stderr());
    assert!(
        run.stdout()
            .contains("ravi@routewise.example: not read — [[outreach.mailboxes]] ravi@routewise.example: the environment variable LEADGATE_TEST_NO_SUCH_PASSWORD"),
        "{}",
        run.stdout()
    );
}

/// A fixture reply from core's collection, made to answer `message_id` (and, for a bounce,
/// to name `address` as the address that bounced).
fn reply_to(fixture: &str, message_id: &str, address: &str) -> Vec<u8> {
    let path = format!(
        "{}/../core/src/outreach/replies/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
    let mut out = text;
    for old in [
        "seq-41.step-1.lead-7731@routewise.example",
        "seq-41.step-1.lead-7760@routewise.example",
        "seq-41.step-1.lead-7752@routewise.example",
        "seq-52.step-2.lead-9305@routewise.example",
        "seq-52.step-1.lead-9305@routewise.example",
    ] {
        out = out.replace(old, message_id);
    }
    out.replace("ada.lovelace@fluroa.example", address)
        .into_bytes()
}

/// Replies from fixture mailboxes — a positive answer, a hard bounce, an out-of-office and
/// an opt-out — are classified and have their effects: interest stops the sequence and
/// emits PositiveReply; the bounce suppresses the address on the mail system's word; the
/// out-of-office changes nothing; the opt-out suppresses and stops; a reply read twice acts
/// once; and the webhook takes them raw.
async fn replies_story(backend: Backend) {
    use leadgate::engine::outreach::replies;
    use leadgate_core::event::EventKind;
    use leadgate_core::outreach::reply::ReplyKind;

    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    // Arrange: Ann, Bo and Cy got their first e-mail.
    let workspace = ws.init(now()).await;
    let store = &workspace.store;
    let outreach = config(None);
    enrolled(&ws, &workspace, PEOPLE, crate::support::SEQUENCE, &outreach).await;
    approve_first_messages(store).await;
    let pages = leadgate_core::engagement::PagePolicy::default();
    let sending = Sending {
        outreach: &outreach,
        pages: &pages,
        public_url: "https://leadgate.routewise.example",
        outbox_dir: ws.path().join("outbox"),
        zone: jiff::tz::TimeZone::UTC,
    };
    let later = now() + SignedDuration::from_hours(6);
    assert_eq!(
        send::run(store, &sending, false, later).await.unwrap().sent,
        3
    );
    let mut conn = store.conn().await.unwrap();
    let sent = stored::outbox(&mut conn, Some(OutboxStatus::Sent))
        .await
        .unwrap();
    drop(conn);
    let to = |address: &str| {
        sent.iter()
            .find(|r| r.recipient.as_deref() == Some(address))
            .unwrap()
            .clone()
    };
    let (ann, bo, cy) = (to("ann@small.io"), to("bo@big.io"), to("cy@mid.fr"));
    let at = later + SignedDuration::from_hours(2);

    // Act: the four replies come in.
    let positive = reply_to("positive_quotes_footer.eml", &ann.message_id, "");
    let yes = replies::receive(store, &positive, "file", at)
        .await
        .unwrap();
    let bounce = replies::receive(
        store,
        &reply_to("bounce_postfix_5_1_1.eml", &bo.message_id, "bo@big.io"),
        "file",
        at,
    )
    .await
    .unwrap();
    let away = replies::receive(
        store,
        &reply_to("auto_reply_vacation.eml", &cy.message_id, ""),
        "file",
        at,
    )
    .await
    .unwrap();
    let mut conn = store.conn().await.unwrap();
    let cy_still = stored::active_enrollment(&mut conn, cy.contact_id)
        .await
        .unwrap();
    drop(conn);
    let stop = replies::receive(
        store,
        &reply_to("opt_out_remove_me.eml", &cy.message_id, ""),
        "file",
        at,
    )
    .await
    .unwrap();
    let again = replies::receive(store, &positive, "webhook", at)
        .await
        .unwrap();

    // Assert: each is what it is, matched to its lead, with its effects.
    assert_eq!(
        [
            yes.reply.kind,
            bounce.reply.kind,
            away.reply.kind,
            stop.reply.kind
        ],
        [
            ReplyKind::Positive,
            ReplyKind::BounceHard,
            ReplyKind::AutoReply,
            ReplyKind::OptOut
        ]
    );
    assert_eq!(yes.reply.contact_id, Some(ann.contact_id));
    assert_eq!(bounce.reply.contact_id, Some(bo.contact_id));
    assert_eq!(stop.reply.contact_id, Some(cy.contact_id));
    assert!(
        cy_still.is_some(),
        "an out-of-office leaves the sequence going"
    );
    assert!(
        again.seen_before && again.reply.id == yes.reply.id,
        "{again:?}"
    );
    let mut conn = store.conn().await.unwrap();
    for lead in [ann.contact_id, bo.contact_id, cy.contact_id] {
        assert!(
            stored::active_enrollment(&mut conn, lead)
                .await
                .unwrap()
                .is_none(),
            "lead {lead}'s sequence stopped"
        );
    }
    let suppressed: Vec<String> = leadgate_store::discovery::suppressions(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|s| format!("{} by {}", s.value, s.added_by))
        .collect();
    assert!(
        suppressed.contains(&"bo@big.io by the mail system".to_string()),
        "{suppressed:?}"
    );
    assert!(
        suppressed.contains(&"cy@mid.fr by the recipient".to_string()),
        "{suppressed:?}"
    );
    assert!(
        !suppressed.iter().any(|s| s.starts_with("ann@")),
        "interest is not an opt-out"
    );
    let events: Vec<(EventKind, String)> = leadgate_store::events::list(&mut conn, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.subject))
        .collect();
    let positive_replies: Vec<_> = events
        .iter()
        .filter(|(k, _)| *k == EventKind::PositiveReply)
        .collect();
    assert_eq!(
        positive_replies,
        [&(EventKind::PositiveReply, format!("lead:{}", ann.contact_id))],
        "one PositiveReply, for Ann, though her reply came twice"
    );
    drop(conn);

    // Act + Assert: nothing more goes to them — two business days on, no task and no e-mail.
    let wednesday = later + SignedDuration::from_hours(48);
    let after = send::run(store, &sending, false, wednesday).await.unwrap();
    assert_eq!(
        (after.queued, after.tasks, after.sent),
        (0, 0, 0),
        "{after:?}"
    );
    // The variants compared on interest, not opens: A has Ann (interested) and Cy, B has Bo;
    // far too few leads for a call.
    let compared = ws
        .leadgate(&["sequence", "compare", "Sales teams", "--json"])
        .ok()
        .json();
    assert_eq!(compared["tallies"][0][0], "A");
    assert_eq!(compared["tallies"][0][1]["sent"], 2, "{compared}");
    assert_eq!(
        compared["tallies"][0][1]["positive_replies"], 1,
        "{compared}"
    );
    assert_eq!(compared["tallies"][1][1]["sent"], 1, "{compared}");
    let calls = compared["comparisons"][0][1].as_array().unwrap();
    assert!(
        calls.iter().all(|c| c["better"].is_null()),
        "no call on three leads: {compared}"
    );
    // Not an e-mail at all: a clear error.
    let garbage = replies::receive(store, b"hello", "file", at).await;
    assert!(
        matches!(garbage, Err(leadgate::engine::Error::Invalid(_))),
        "{garbage:?}"
    );
}

/// The inbound webhook: a raw message posted by a machine is read and acted on once; the
/// same message again is answered with what it did, and nothing is done twice; without
/// credentials it is refused.
#[tokio::test]
async fn the_reply_webhook_takes_raw_messages_once() {
    let Some(server) = crate::support::TestServer::start(Backend::Sqlite, now(), false).await
    else {
        return;
    };
    let token = server.token("otto").await;
    let raw = reply_to("not_interested.eml", "lg-9-1-x@routewise.example", "");
    let post = |token: Option<String>| {
        let request = server
            .client
            .post(server.at("/api/replies"))
            .header("content-type", "message/rfc822")
            .body(raw.clone());
        match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        }
        .send()
    };

    let anonymous = post(None).await.unwrap();
    let first = post(Some(token.clone())).await.unwrap();
    let second = post(Some(token.clone())).await.unwrap();

    assert_eq!(anonymous.status(), 401);
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["kind"], "not_interested");
    assert_eq!(first["seen_before"], false);
    assert!(
        first["effects"][0]
            .as_str()
            .unwrap()
            .contains("no e-mail of ours"),
        "{first}"
    );
    assert_eq!(second.status(), 200);
    let second: serde_json::Value = second.json().await.unwrap();
    assert_eq!(
        (second["id"].clone(), second["seen_before"].clone()),
        (first["id"].clone(), true.into())
    );
}

on_both_backends!(
    a_step_that_waits_for_clicks_is_taken_only_after_them,
    engagement_story
);

/// A follow-up that waits for engagement (`when = { event = "clicked", at_least = 2 }`): the
/// first e-mail's link goes through the click redirect, which records each click as the
/// prospect's engagement; at its time the follow-up is taken for the lead who clicked twice
/// since the step before and passed over, with the reason, for the others.
async fn engagement_story(backend: Backend) {
    let Some(ws) = TestWorkspace::new(backend).await else {
        return;
    };
    let workspace = ws.init(now()).await;
    let store = &workspace.store;
    let waiting = crate::support::SEQUENCE
        .replace(
            "delay_days = 3\nsubject",
            "delay_days = 3\nwhen = { event = \"clicked\", at_least = 2 }\nsubject",
        )
        .replace(
            "get their first leads?",
            "get their first leads? Our guide: https://routewise.example/guide.",
        );
    assert_ne!(waiting, crate::support::SEQUENCE);
    let outreach = config(None);
    enrolled(&ws, &workspace, PEOPLE, &waiting, &outreach).await;
    approve_first_messages(store).await;
    let pages = leadgate_core::engagement::PagePolicy::default();
    let sending = Sending {
        outreach: &outreach,
        pages: &pages,
        public_url: "https://leadgate.routewise.example",
        outbox_dir: ws.path().join("outbox"),
        zone: jiff::tz::TimeZone::UTC,
    };
    let later = now() + SignedDuration::from_hours(6);
    assert_eq!(
        send::run(store, &sending, false, later).await.unwrap().sent,
        3
    );
    let wednesday = later + SignedDuration::from_hours(48);
    send::run(store, &sending, false, wednesday).await.unwrap();
    // Ann clicks the link of her first e-mail twice after her LinkedIn step; Bo once. The
    // link goes through the redirect, which records the click and sends them on.
    let mut conn = store.conn().await.unwrap();
    let first_emails = stored::outbox(&mut conn, Some(OutboxStatus::Sent))
        .await
        .unwrap();
    drop(conn);
    let link_of = |address: &str| {
        let row = first_emails
            .iter()
            .find(|r| r.recipient.as_deref() == Some(address))
            .unwrap();
        assert!(
            !row.body.contains("https://routewise.example/guide"),
            "the link is rewritten: {}",
            row.body
        );
        let at = row.body.find("/r/").expect("a tracked link") + 3;
        row.body[at..]
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap()
            .to_string()
    };
    let clicked = wednesday + SignedDuration::from_hours(3);
    let scoring = leadgate::engine::settings::ScoringConfig::default();
    let intent = leadgate_core::handoff::intent::IntentRules::default();
    let browser = send::Asker {
        user_agent: Some(FIREFOX),
        head: false,
    };
    for (address, times) in [("ann@small.io", 2), ("bo@big.io", 1)] {
        let token = link_of(address);
        for minute in 0..times {
            let at = clicked + SignedDuration::from_mins(minute);
            let target = send::click(store, &scoring, &pages, &intent, &token, browser, at)
                .await
                .unwrap();
            assert_eq!(target, "https://routewise.example/guide");
        }
    }
    // Bo's mail gateway fetched the link seconds after delivery, and again later: machines,
    // sent on but not counted, so Bo stays at one click.
    let bo_sent = first_emails
        .iter()
        .find(|r| r.recipient.as_deref() == Some("bo@big.io"))
        .and_then(|r| r.sent_at)
        .unwrap();
    for (agent, at) in [
        (Some(FIREFOX), bo_sent + SignedDuration::from_secs(4)),
        (
            Some("Mozilla/5.0 (compatible; Barracuda Sentinel)"),
            clicked,
        ),
        (None, clicked),
    ] {
        let scanner = send::Asker {
            user_agent: agent,
            head: false,
        };
        let target = send::click(
            store,
            &scoring,
            &pages,
            &intent,
            &link_of("bo@big.io"),
            scanner,
            at,
        )
        .await
        .unwrap();
        assert_eq!(target, "https://routewise.example/guide");
    }
    let ignored = leadgate_store::audit::list(
        &mut store.conn().await.unwrap(),
        &leadgate_store::audit::AuditFilter {
            action: Some(leadgate_core::audit::Action::ClickIgnored.as_str()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ignored.len(), 3, "{ignored:?}");
    let unknown = send::click(
        store, &scoring, &pages, &intent, "not-ours", browser, clicked,
    )
    .await;
    assert!(
        matches!(unknown, Err(leadgate::engine::Error::NotFound(_))),
        "{unknown:?}"
    );

    // Act: the next Monday, the third step is due.
    let monday = later + SignedDuration::from_hours(24 * 7);
    let run = send::run(store, &sending, false, monday).await.unwrap();

    // Assert: Ann's goes; Bo's and Cy's are passed over with the reason.
    assert_eq!(run.sent, 1, "{run:?}");
    let mut conn = store.conn().await.unwrap();
    let third: Vec<_> = stored::outbox(&mut conn, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.step == 3)
        .collect();
    let sent: Vec<_> = third
        .iter()
        .filter(|r| r.status == OutboxStatus::Sent)
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient.as_deref(), Some("ann@small.io"));
    let passed: Vec<_> = third
        .iter()
        .filter(|r| r.status == OutboxStatus::Cancelled)
        .collect();
    assert_eq!(passed.len(), 2, "{third:?}");
    assert!(
        passed
            .iter()
            .all(|r| r.note.as_deref().unwrap().contains("fewer than 2")),
        "{passed:?}"
    );
    assert!(
        run.notes
            .iter()
            .any(|n| n.contains("clicked a link 1 time(s)")),
        "Bo clicked once: {:?}",
        run.notes
    );
}

/// The click redirect over HTTP: a tracked link answers 302 to its target with no session
/// or cookie, and records a browser's click but not a HEAD's; a token that is not ours is
/// not found.
#[tokio::test]
async fn a_tracked_link_redirects_to_its_target_and_counts_the_click() {
    let Some(server) = crate::support::TestServer::start(Backend::Sqlite, now(), false).await
    else {
        return;
    };
    let mut conn = server.store.conn().await.unwrap();
    stored::insert_tracked_link(
        &mut conn,
        "tok123",
        "lg-1-1-x@routewise.example",
        "ann@small.io",
        "https://routewise.example/guide",
        now(),
    )
    .await
    .unwrap();
    drop(conn);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(FIREFOX)
        .build()
        .unwrap();

    let followed = client.get(server.at("/r/tok123")).send().await.unwrap();
    let checked = client.head(server.at("/r/tok123")).send().await.unwrap();
    let unknown = client.get(server.at("/r/nope")).send().await.unwrap();

    assert_eq!(followed.status(), 302);
    assert_eq!(
        followed.headers()["location"],
        "https://routewise.example/guide"
    );
    assert_eq!(checked.status(), 302, "a HEAD is answered, not counted");
    assert!(followed.headers().get("set-cookie").is_none());
    assert_eq!(unknown.status(), 404);
    let mut conn = server.store.conn().await.unwrap();
    let email = leadgate_core::discovery::normalize::Email::parse("ann@small.io").unwrap();
    let clicks = leadgate_store::engagement::engagement_of(
        &mut conn,
        Some(&email),
        None,
        now() - SignedDuration::from_hours(1),
        now() + SignedDuration::from_hours(1),
    )
    .await
    .unwrap();
    assert_eq!(clicks.len(), 1, "{clicks:?}");
    assert_eq!(clicks[0].kind.as_str(), "email_click");
}

/// Before leadgate sends as a domain through a relay, it asks DNS: while the domain does not
/// publish its SPF, the DKIM key leadgate signs with, and DMARC, nothing goes — the messages
/// stay queued and the run says why; once the records are right, they go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_goes_through_a_relay_until_the_domain_publishes_its_records() {
    use crate::loopback::{SmtpSink, ZoneServer};

    let Some(python) = crate::loopback::python() else {
        return;
    };
    let Some(ws) = TestWorkspace::new(Backend::Sqlite).await else {
        return;
    };
    let workspace = ws.init(now()).await;
    let store = &workspace.store;
    let sink = SmtpSink::start(&python);
    let empty = ZoneServer::start(&python, &[]);
    let mut outreach = config(Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        tls: "none".into(),
        username: None,
        password_env: None,
    }));
    outreach.mailboxes[0].check_dns = true;
    outreach.dns_server = Some(format!("127.0.0.1:{}", empty.port));
    enrolled(&ws, &workspace, PEOPLE, crate::support::SEQUENCE, &outreach).await;
    approve_first_messages(store).await;
    let pages = leadgate_core::engagement::PagePolicy::default();
    let later = now() + SignedDuration::from_hours(6);

    // Act: the domain publishes nothing.
    let blocked = {
        let sending = Sending {
            outreach: &outreach,
            pages: &pages,
            public_url: "https://leadgate.routewise.example",
            outbox_dir: ws.path().join("outbox"),
            zone: jiff::tz::TimeZone::UTC,
        };
        send::run(store, &sending, false, later).await.unwrap()
    };

    // Assert: queued, not sent, and the run says what to publish.
    assert_eq!(
        (blocked.queued, blocked.sent, blocked.blocked_by_dns),
        (3, 0, 3),
        "{blocked:?}"
    );
    assert!(
        blocked.notes.iter().any(|n| n
            .starts_with("nothing is sent from routewise.example until its DNS is right: ")
            && n.contains("DKIM")),
        "{:?}",
        blocked.notes
    );
    assert!(sink.received().is_empty());

    // Act: the team publishes what `leadgate sender dns` prints; the sender runs again.
    let records = send::dns_records(store, &outreach, later).await.unwrap();
    let zone: Vec<(String, Vec<String>)> = records
        .iter()
        .map(|r| (r.name.clone(), vec![r.value.clone()]))
        .collect();
    assert!(records[0].value.contains("ip4:127.0.0.1"), "{records:?}");
    let published = ZoneServer::start(&python, &zone);
    outreach.dns_server = Some(format!("127.0.0.1:{}", published.port));
    let sending = Sending {
        outreach: &outreach,
        pages: &pages,
        public_url: "https://leadgate.routewise.example",
        outbox_dir: ws.path().join("outbox"),
        zone: jiff::tz::TimeZone::UTC,
    };
    let sent = send::run(store, &sending, false, later).await.unwrap();

    // Assert: all three went through the relay.
    assert_eq!((sent.sent, sent.blocked_by_dns), (3, 0), "{sent:?}");
    assert_eq!(sink.received().len(), 3);
}

/// The leads of `people` admitted, scored into outreach, and enrolled by otto in
/// `sequence` (stored by mia) as `outreach` writes them; rita, a reviewer, is there to decide
/// the first-message gates.
async fn enrolled(
    ws: &TestWorkspace,
    workspace: &leadgate::workspace::Workspace,
    people: &str,
    sequence: &str,
    outreach: &OutreachConfig,
) -> Vec<Enrolled> {
    crate::support::admitted_list(ws, workspace, SALES_ICP, people, now()).await;
    let store = &workspace.store;
    leadgate::engine::people::add(
        store,
        &leadgate_core::audit::Actor::System,
        "rita",
        "rita@example.com",
        vec![Role::Reviewer],
        now(),
    )
    .await
    .unwrap();
    crate::support::score_into_outreach(store, "otto", "olga", now()).await;
    sequences::add(store, "mia", sequence, "sales.toml", now())
        .await
        .unwrap();
    sequences::enroll(store, "Sales teams", None, "otto", outreach, now())
        .await
        .unwrap()
}

/// Rita approves every first-message gate that waits.
async fn approve_first_messages(store: &leadgate_store::Store) {
    for gate in
        crate::support::open_gates(store, leadgate_core::gate::GateKind::VariantApproval).await
    {
        let approve = Request::Approve {
            role: None,
            note: None,
        };
        gates::decide(store, gate.id, "rita", approve, now())
            .await
            .unwrap();
    }
}
