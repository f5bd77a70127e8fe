//! The walkthrough's stage 5: prospects answer the first e-mails with interest, each reply
//! becomes a task for the rep the rules pick, on that rep's calendar, and the rep
//! acknowledges it — the stage's gate — while anyone else is refused. One task is left open,
//! for a newcomer to acknowledge in the browser as its rep.
//!
//! Replies take time: the walkthrough moves its clock on to the next business afternoon and
//! says so; what it records is dated then, as if `LEADGATE_NOW` had been set.

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use leadgate_core::handoff::routing::Assignee;
use leadgate_core::handoff::sla::{LeadClass, show_duration};
use leadgate_core::outreach::enrollment::OutboxStatus;
use leadgate_store::outreach::OutboxRow;

use crate::engine::handoff;
use crate::workspace::Workspace;

/// The demo's reps, their calendars and the routing rules, written into its leadgate.toml:
/// Ravi works from Edinburgh, Rosa from New York; North America goes to Rosa, the rest to
/// Ravi; Sam, the sales lead, hears of every missed deadline.
pub const CONFIG: &str = r#"
[handoff]
manager = "sam"

[[handoff.reps]]
name = "ravi"
time_zone = "Europe/London"
hours = "Mo-Fr 09:00-17:30; PH off"
public_holidays = "GB-SCT"
booking_link = "https://cal.routewise.example/ravi"

[[handoff.reps]]
name = "rosa"
time_zone = "America/New_York"
hours = "Mo-Fr 09:00-17:30; PH off"
public_holidays = "US"
booking_link = "https://cal.routewise.example/rosa"

[handoff.routing]
fallback = "queue"

[[handoff.routing.rules]]
name = "North America"
when = { country = ["US", "CA"] }
strategy = "rep"
rep = "rosa"

[[handoff.routing.rules]]
name = "Europe and the rest"
strategy = "rep"
rep = "ravi"
"#;

/// What the prospects who answer write: plain interest, as a person types it.
const ANSWERS: [&str; 2] = [
    "Thanks for the note, good timing: we are rebuilding how leads reach our reps this quarter. Sounds interesting, could we talk next week?",
    "Yes, let's talk. Does Thursday afternoon work for a first call?",
];

/// The next weekday after `now`'s day (UTC), at 15:30 UTC: business hours in New York and
/// in Edinburgh, whatever the season.
pub fn next_business_afternoon(now: Timestamp) -> Timestamp {
    use jiff::civil::Weekday;
    let mut day = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    loop {
        day = day.tomorrow().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            break;
        }
    }
    day.at(15, 30, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(now)
}

pub async fn walkthrough(
    workspace: &Workspace,
    prefix: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    let store = &workspace.store;
    let config = &workspace.config.handoff;
    let sent_at = next_business_afternoon(now);
    println!(
        "\nStage 5 starts when a prospect answers. The walkthrough moves its clock on to {sent_at} (the next weekday, 15:30 UTC: business hours in New York and Edinburgh), as `LEADGATE_NOW={sent_at} {prefix} …` would; what follows is recorded at those times."
    );
    let report = crate::engine::outreach::send::run(
        store,
        &super::super::send::sending(workspace),
        false,
        sent_at,
    )
    .await?;
    println!(
        "  → the sender ran (`{prefix} send run`): {} e-mails sent into outbox/, inside each prospect's business hours and the mailbox's daily cap.",
        report.sent
    );
    let replied_at = sent_at + SignedDuration::from_mins(40);
    let repliers = repliers(workspace, replied_at).await?;
    if repliers.is_empty() {
        println!("  Nobody was e-mailed, so nobody answers: stage 5 waits for a reply.");
        return Ok(());
    }
    let replies_dir = workspace.dir.join("data").join("replies");
    std::fs::create_dir_all(&replies_dir)
        .with_context(|| format!("cannot create {}", replies_dir.display()))?;
    let mut at = replied_at;
    for (n, ((row, rep), answer)) in repliers.iter().zip(ANSWERS).enumerate() {
        let eml = reply_message(row, answer, at);
        let file = replies_dir.join(format!("reply-{}.eml", n + 1));
        std::fs::write(&file, &eml).with_context(|| format!("cannot write {}", file.display()))?;
        let received =
            crate::engine::outreach::replies::receive(store, eml.as_bytes(), "file", at).await?;
        // The reply emitted PositiveReply; the worker routes the lead at once.
        workspace
            .worker("demo-walkthrough")
            .drain(store, at)
            .await?;
        println!(
            "  → at {}, {} answered: \"{answer}\" (`{prefix} replies import data/replies/reply-{}.eml`): read as {}, the sequence stops, and the lead is handed to {rep}.",
            at.to_zoned(jiff::tz::TimeZone::UTC).strftime("%H:%M UTC"),
            row.recipient.as_deref().unwrap_or("a prospect"),
            n + 1,
            received.reply.kind.label(),
        );
        at += SignedDuration::from_mins(12);
    }
    let tasks = {
        let mut conn = store.conn().await?;
        leadgate_store::handoff::tasks(&mut conn, None, false, None).await?
    };
    for task in &tasks {
        println!(
            "  → task {} for {}, by rule \"{}\": {} ({}), a {}; acknowledge by {}.",
            task.id,
            task.rep.as_deref().unwrap_or("the queue"),
            task.rule.as_deref().unwrap_or("fallback"),
            task.record["name"].as_str().unwrap_or_default(),
            task.record["company"].as_str().unwrap_or_default(),
            task.class.label(),
            handoff::local_due(config, task),
        );
    }
    println!("    (`{prefix} tasks list`, `{prefix} route explain LEAD --class warm`)");
    let alerts = {
        let mut conn = store.conn().await?;
        leadgate_store::handoff::deliveries(&mut conn, None).await?
    };
    let told: Vec<String> = alerts
        .iter()
        .filter(|d| d.format == handoff::deliver::EMAIL && d.status == "delivered")
        .map(|d| d.url.trim_start_matches("mailto:").to_string())
        .collect();
    if !told.is_empty() {
        println!(
            "  → each rep was told by e-mail, with a one-click acknowledge link: {} (the alerts are in outbox/ unless the mailbox has a relay; `{prefix} webhooks list` logs every delivery).",
            told.join(", ")
        );
    }
    let Some(first) = tasks.first() else {
        return Ok(());
    };
    let Some(owner) = first.rep.clone() else {
        return Ok(());
    };
    let acked_at = at + SignedDuration::from_mins(23);
    let intruder = config
        .reps
        .iter()
        .map(|r| r.name.as_str())
        .find(|name| *name != owner)
        .unwrap_or("mia");
    let refused = handoff::acknowledge(store, config, first.id, intruder, acked_at).await;
    anyhow::ensure!(
        refused.is_err(),
        "{intruder} acknowledged task {}, which is {owner}'s",
        first.id
    );
    let done = handoff::acknowledge(store, config, first.id, &owner, acked_at).await?;
    println!(
        "  → {owner} acknowledged task {} (`{prefix} tasks ack {} --as {owner}`), {} of business time after the clock started, inside the SLA; {intruder} tried first and was refused — only the rep a lead went to acknowledges it.",
        done.id,
        done.id,
        show_duration(SignedDuration::from_mins(done.ack_minutes.unwrap_or(0))),
    );
    // Ravi calls Ingrid back and books a meeting for two business days later: the outcome
    // closes the loop, for the model's reviews and the pipeline's funnel.
    let meeting_on = (acked_at + SignedDuration::from_hours(48))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let meeting = leadgate_core::scoring::outcome::NewOutcome::parse(
        leadgate_core::scoring::outcome::OutcomeKind::MeetingBooked,
        meeting_on,
        None,
        None,
        None,
    )?;
    crate::engine::outcomes::record_outcome(store, &owner, done.contact_id, meeting, acked_at)
        .await?;
    println!(
        "  → {owner} called back and booked a meeting for {meeting_on} (`{prefix} leads outcome {} meeting_booked --on {meeting_on} --as {owner}`, or the form on the Handoff page): it counts in the Pipeline page's funnel and the scoring model's reviews.",
        done.contact_id
    );
    if let Some(open) = tasks.get(1) {
        let rep = open.rep.as_deref().unwrap_or("any rep");
        println!(
            "  → task {} waits for {rep}: sign in as {rep} and press Acknowledge on the Handoff page, or `{prefix} tasks ack {} --as {rep}`.",
            open.id, open.id
        );
    }
    println!(
        "  → how the SLA is kept: `{prefix} sla report`; the whole chain for lead {}, reply to acknowledgement: `{prefix} audit --lead {}`.",
        first.contact_id, first.contact_id
    );
    Ok(())
}

/// The prospects who answer: of those e-mailed, in the order they were sent, the first the
/// rules hand to each rep — so that every rep has a lead.
async fn repliers(
    workspace: &Workspace,
    at: Timestamp,
) -> anyhow::Result<Vec<(OutboxRow, String)>> {
    let sent = {
        let mut conn = workspace.store.conn().await?;
        leadgate_store::outreach::outbox(&mut conn, Some(OutboxStatus::Sent)).await?
    };
    let mut chosen: Vec<(OutboxRow, String)> = Vec::new();
    for row in sent {
        if chosen.len() == ANSWERS.len() || row.recipient.is_none() {
            continue;
        }
        let explained = handoff::route_explain(
            &workspace.store,
            &workspace.config.handoff,
            &workspace.dir,
            row.contact_id,
            LeadClass::Warm,
            "positive_reply",
            at,
        )
        .await?;
        let Assignee::Rep { name } = explained.routed.assignee else {
            continue;
        };
        if chosen.iter().all(|(_, rep)| *rep != name) {
            chosen.push((row, name));
        }
    }
    Ok(chosen)
}

/// A prospect's answer to `row`, as their mail client writes it: in reply to its message,
/// quoting it.
fn reply_message(row: &OutboxRow, answer: &str, at: Timestamp) -> String {
    let to = row.mailbox.as_deref().unwrap_or("ravi@routewise.example");
    let from = row.recipient.as_deref().unwrap_or_default();
    let domain = from.split_once('@').map_or("example.com", |(_, d)| d);
    let subject = row.subject.as_deref().unwrap_or_default();
    let date = at
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S +0000");
    let quoted: String = row
        .body
        .lines()
        .map(|line| format!("> {line}\r\n"))
        .collect();
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: {subject}\r\nDate: {date}\r\n\
         Message-ID: <reply-{}-{}@{domain}>\r\nIn-Reply-To: <{id}>\r\nReferences: <{id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {answer}\r\n\r\nOn {date}, {to} wrote:\r\n{quoted}",
        row.id,
        at.as_second(),
        id = row.message_id,
    )
}
