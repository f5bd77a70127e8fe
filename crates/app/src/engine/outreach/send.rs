//! Sending: the outbox. `leadgate send run` walks the active enrollments and queues each
//! touch that is due — an e-mail written for the lead at that moment, checked, and signed
//! with the sending domain's DKIM key, with its Message-ID fixed; a LinkedIn or call step as
//! a task for the rep — and then hands the queued e-mails to the transport inside their
//! mailboxes' daily caps.
//!
//! Exactly once, as far as any mail system allows: an e-mail is recorded `sending` (and
//! committed) before the SMTP transaction and `sent` after it. A sender killed in between
//! leaves it `sending`; the next run asks the transport whether it arrived — the outbox
//! folder can tell (a file is renamed into place whole), a relay cannot — and a message that
//! may or may not have been accepted is `held` for a person to check by its Message-ID in the
//! relay's log or the Sent folder (`leadgate send release`), never resent blindly. The
//! suppression list is read immediately before every transaction, and nothing goes to a
//! suppressed or erased address.
//!
//! Only the approved text of an approved variant is queued
//! ([`leadgate_core::outreach::enrollment::clearance`]); a lead whose variant waits at its
//! gate waits too.

use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use leadgate_connectors::mail::{self, DkimKey, Outgoing, SmtpSettings, SmtpTls, Transport};
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::discovery::normalize::Email;
use leadgate_core::event::EventKind;
use leadgate_core::outreach::compose::newest_known;
use leadgate_core::outreach::enrollment::{EnrollmentStatus, OutboxStatus, clearance};
use leadgate_core::outreach::sequence::Channel;
use leadgate_core::outreach::window;
use leadgate_store::Store;
use leadgate_store::outreach::{self as stored, Enrollment, OutboxRow, StoredDkimKey};
use serde::Serialize;
use serde_json::json;

use super::sequences::parsed;
use super::{ModelOpener, Part, preview_variant};
use crate::engine::settings::{MailboxConfig, OutreachConfig};
use crate::engine::{Attempted, Error, Result, person, record, settle};

/// The DKIM selector of the keys leadgate makes.
pub const SELECTOR: &str = "leadgate1";

/// What sending needs besides the store: the stage's configuration, where the server is
/// reached (for unsubscribe links), the outbox folder, and the workspace's time zone.
pub struct Sending<'a> {
    pub outreach: &'a OutreachConfig,
    /// The site's page rules: which views are of the pricing page.
    pub pages: &'a leadgate_core::engagement::PagePolicy,
    pub public_url: &'a str,
    pub outbox_dir: PathBuf,
    pub zone: TimeZone,
}

impl Sending<'_> {
    /// The mailbox that sends from `address`.
    fn mailbox(&self, address: &str) -> Result<&MailboxConfig> {
        self.outreach
            .mailboxes
            .iter()
            .find(|m| m.address.eq_ignore_ascii_case(address))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "no mailbox {address} in [[outreach.mailboxes]] any more: a message queued \
                     from it waits until it is back"
                ))
            })
    }

    /// Where a mailbox's messages go: its relay, or the outbox folder.
    pub fn transport(&self, mailbox: &MailboxConfig) -> Result<Transport> {
        transport(mailbox, &self.outbox_dir)
    }
}

/// Where a mailbox's messages go: its relay, or `outbox_dir`.
pub fn transport(mailbox: &MailboxConfig, outbox_dir: &std::path::Path) -> Result<Transport> {
    let Some(smtp) = &mailbox.smtp else {
        return Ok(Transport::File {
            dir: outbox_dir.to_path_buf(),
        });
    };
    let tls = match smtp.tls.as_str() {
        "starttls" => SmtpTls::StartTls,
        "tls" => SmtpTls::Tls,
        "none" => SmtpTls::None,
        other => {
            return Err(Error::Invalid(format!(
                "[[outreach.mailboxes]] {}: smtp.tls = \"{other}\" is not starttls, tls or none",
                mailbox.address
            )));
        }
    };
    let password = match &smtp.password_env {
            None => None,
            Some(var) => Some(std::env::var(var).map_err(|_| {
                Error::Invalid(format!(
                    "[[outreach.mailboxes]] {}: the environment variable {var} (smtp.password_env) is not set",
                    mailbox.address
                ))
            })?),
        };
    Ok(Transport::Smtp(SmtpSettings {
        host: smtp.host.clone(),
        port: smtp.port,
        tls,
        username: smtp.username.clone(),
        password,
    }))
}

/// What one run did, in counts, with the messages it could not move and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SendReport {
    pub dry_run: bool,
    /// E-mails written, signed and queued.
    pub queued: usize,
    /// LinkedIn and call steps handed to the rep as tasks.
    pub tasks: usize,
    /// E-mails the transport accepted.
    pub sent: usize,
    /// Found `sending` after a stop and held for a person.
    pub held: usize,
    /// Found `sending` after a stop, and found delivered (the outbox folder has it).
    pub recovered: usize,
    /// Not sent: the address was suppressed by then.
    pub cancelled: usize,
    /// Refused by the relay for good.
    pub failed: usize,
    /// Left queued: their mailbox reached its daily cap.
    pub over_cap: usize,
    /// Leads whose next step is not due yet.
    pub not_due: usize,
    /// Leads whose variant waits at its gate, or whose approved text changed.
    pub waiting_for_approval: usize,
    /// Left queued: their sending domain's DNS records are not right yet.
    pub blocked_by_dns: usize,
    /// Enrollments whose every step is done.
    pub finished: usize,
    /// One line per lead or message that stopped, in words.
    pub notes: Vec<String>,
}

/// Queues what is due and sends what is queued, at `now`. A dry run writes nothing and
/// sends nothing: it reports what would be queued.
pub async fn run(
    store: &Store,
    sending: &Sending<'_>,
    dry_run: bool,
    now: Timestamp,
) -> Result<SendReport> {
    let mut report = SendReport {
        dry_run,
        ..SendReport::default()
    };
    if sending.outreach.mailboxes.is_empty() {
        return Err(Error::Invalid(
            "no mailbox to send from: add [[outreach.mailboxes]] address = \"you@your-domain\" \
             to leadgate.toml (without an smtp relay, messages land in the outbox folder and \
             nothing leaves the machine)"
                .to_string(),
        ));
    }
    if !dry_run {
        recover(store, sending, &mut report, now).await?;
    }
    queue(store, sending, dry_run, &mut report, now).await?;
    if !dry_run {
        deliver(store, sending, &mut report, now).await?;
    }
    Ok(report)
}

/// Messages a stopped sender left `sending`: delivered ones are marked sent (the outbox
/// folder can tell), unknown ones are held for a person.
async fn recover(
    store: &Store,
    sending: &Sending<'_>,
    report: &mut SendReport,
    now: Timestamp,
) -> Result<()> {
    let mut conn = store.conn().await?;
    for row in stored::outbox(&mut conn, Some(OutboxStatus::Sending)).await? {
        let mailbox = sending.mailbox(row.mailbox.as_deref().unwrap_or_default());
        let known = match mailbox.and_then(|m| sending.transport(m)) {
            Ok(transport) => transport.delivered(&row.message_id),
            Err(_) => None,
        };
        let (to, action, note) = match known {
            Some(true) => (
                OutboxStatus::Sent,
                Action::MessageSent,
                "found in the outbox folder after the sender stopped".to_string(),
            ),
            Some(false) => (
                OutboxStatus::Queued,
                Action::MessageReleased,
                "not in the outbox folder after the sender stopped: queued again".to_string(),
            ),
            None => (
                OutboxStatus::Held,
                Action::MessageHeld,
                format!(
                    "the sender stopped during the SMTP transaction: the relay may have accepted \
                     it; look for Message-ID <{}> in the relay's log or the Sent folder, then \
                     `leadgate send release {} --sent` or `--resend`",
                    row.message_id, row.id
                ),
            ),
        };
        let mut tx = store.begin().await?;
        if stored::move_outbox(&mut tx, row.id, OutboxStatus::Sending, to, Some(&note), now).await?
        {
            record(
                &mut tx,
                &Actor::System,
                action,
                &Subject::Message(row.id),
                json!({ "message_id": row.message_id, "note": note }),
                now,
            )
            .await?;
            if to == OutboxStatus::Sent {
                announce_sent(&mut tx, &row, now).await?;
                report.recovered += 1;
            } else if to == OutboxStatus::Held {
                report.held += 1;
                report
                    .notes
                    .push(format!("message {} held: {note}", row.id));
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn announce_sent(
    tx: &mut crate::engine::Conn,
    row: &OutboxRow,
    now: Timestamp,
) -> Result<()> {
    crate::engine::emit(
        tx,
        EventKind::MessageSent,
        &Subject::Lead(row.contact_id),
        json!({ "message": row.id, "message_id": row.message_id, "step": row.step, "enrollment": row.enrollment_id }),
        now,
    )
    .await?;
    Ok(())
}

/// The time zone of a lead: its country's, else the workspace's.
fn zone_of(facts: &[leadgate_core::outreach::compose::Fact], fallback: &TimeZone) -> TimeZone {
    newest_known(facts, "country")
        .and_then(|(_, country)| window::country_zone(country))
        .and_then(|name| TimeZone::get(name).ok())
        .unwrap_or_else(|| fallback.clone())
}

/// Queues every touch that is due.
async fn queue(
    store: &Store,
    sending: &Sending<'_>,
    dry_run: bool,
    report: &mut SendReport,
    now: Timestamp,
) -> Result<()> {
    let enrollments = {
        let mut conn = store.conn().await?;
        stored::active_enrollments(&mut conn).await?
    };
    for enrollment in enrollments {
        // A lead whose next step cannot go stops here, with the reason; the others go on.
        let queued = queue_next(store, sending, &enrollment, dry_run, report, now).await;
        if let Err(Error::Invalid(why)) = queued {
            report
                .notes
                .push(format!("lead {}: {why}", enrollment.contact_id));
            if !dry_run {
                let mut conn = store.conn().await?;
                stored::end_enrollment(
                    &mut conn,
                    enrollment.id,
                    EnrollmentStatus::Stopped,
                    Some(&why),
                    now,
                )
                .await?;
            }
        } else {
            queued?;
        }
    }
    Ok(())
}

/// Queues the next step of one enrollment if it is due, or finishes the enrollment.
async fn queue_next(
    store: &Store,
    sending: &Sending<'_>,
    enrollment: &Enrollment,
    dry_run: bool,
    report: &mut SendReport,
    now: Timestamp,
) -> Result<()> {
    let lead = enrollment.contact_id;
    let mut conn = store.conn().await?;
    let done = stored::outbox_of(&mut conn, enrollment.id).await?;
    let Some(&step) = enrollment
        .steps
        .iter()
        .find(|s| !done.iter().any(|r| r.step == **s as i64))
    else {
        let settled = done.iter().all(|r| {
            matches!(
                r.status,
                OutboxStatus::Sent
                    | OutboxStatus::Task
                    | OutboxStatus::Cancelled
                    | OutboxStatus::Failed
            )
        });
        if settled && !dry_run {
            stored::end_enrollment(
                &mut conn,
                enrollment.id,
                EnrollmentStatus::Finished,
                None,
                now,
            )
            .await?;
            report.finished += 1;
        }
        return Ok(());
    };
    // The step before must have gone: a follow-up counts its delay from it.
    let after = match done.last() {
        None => enrollment.enrolled_at,
        Some(previous) => match previous.status {
            OutboxStatus::Sent => previous.sent_at.unwrap_or(previous.due_at),
            // A task, or a step passed over: the next counts from when it was due.
            OutboxStatus::Task | OutboxStatus::Cancelled => previous.due_at,
            _ => {
                report.not_due += 1;
                return Ok(());
            }
        },
    };
    let (variant, version) = variant_of(&mut conn, enrollment).await?;
    drop(conn);
    let sequence = parsed(&version)?;
    let digest = sequence.variant_digest(&variant.name);
    if let Err(not_cleared) = clearance(
        &variant.name,
        variant.status,
        variant.approved_digest.as_deref(),
        &digest,
    ) {
        report.waiting_for_approval += 1;
        report.notes.push(format!("lead {lead}: {not_cleared}"));
        return Ok(());
    }
    let Some(spec) = sequence.steps.get(step - 1) else {
        return Err(Error::corrupt(format!(
            "enrollment {}: no step {step} in its sequence",
            enrollment.id
        )));
    };
    let facts = super::lead_facts(store, lead).await?;
    let zone = zone_of(&facts, &sending.zone);
    let key = format!("{}:{step}", enrollment.id);
    let due = window::due(
        after,
        spec.delay_days,
        &zone,
        &sending.outreach.window,
        &key,
    );
    // Due, and the prospect's send window open now: a run at night leaves it for the morning.
    if due > now || window::next_opening(now, &zone, &sending.outreach.window) != now {
        report.not_due += 1;
        return Ok(());
    }
    let preview = preview_variant(
        store,
        &sequence,
        &variant.name,
        &[step],
        lead,
        sending.outreach,
        now,
    )
    .await?;
    let Some(written) = preview.steps.first() else {
        return Err(Error::corrupt(format!(
            "step {step} of variant {} wrote nothing",
            variant.id
        )));
    };
    if let Some(when) = &spec.when {
        // A step that waits for engagement: taken only if the prospect did it often enough
        // since the step before; otherwise passed over, and the sequence goes on.
        let email = newest_known(&preview.facts, "email").and_then(|(_, e)| Email::parse(e).ok());
        let events = {
            let mut conn = store.conn().await?;
            leadgate_store::engagement::engagement_of(&mut conn, email.as_ref(), None, after, now)
                .await?
        };
        let done_times = leadgate_core::outreach::enrollment::times(when, &events, sending.pages);
        if done_times < when.at_least {
            let note = format!(
                "step {step} passed over: the prospect {} {done_times} time(s) since the step before, fewer than {}",
                when.event.label(),
                when.at_least
            );
            report.notes.push(format!("lead {lead}: {note}"));
            if !dry_run {
                let mut conn = store.conn().await?;
                stored::enqueue(
                    &mut conn,
                    &task_row(
                        enrollment,
                        step,
                        spec.channel,
                        &variant,
                        &digest,
                        "",
                        OutboxStatus::Cancelled,
                        Some(note),
                        due,
                        now,
                    ),
                )
                .await?;
            }
            return Ok(());
        }
    }
    if let Some(writer @ (ModelOpener::Rejected { .. } | ModelOpener::Failed { .. })) =
        &preview.writer
    {
        report
            .notes
            .push(format!("lead {lead}, step {step}: {}", writer.describe()));
    }
    if !written.is_sendable() {
        let why = super::sequences::unsendable(&preview).unwrap_or_default();
        let reason = format!("step {step} can no longer be written for this lead: {why}");
        report.notes.push(format!("lead {lead}: {reason}"));
        if !dry_run {
            let mut conn = store.conn().await?;
            stored::end_enrollment(
                &mut conn,
                enrollment.id,
                EnrollmentStatus::Stopped,
                Some(&reason),
                now,
            )
            .await?;
        }
        return Ok(());
    }
    let text = |part: &Part| match part {
        Part::Written(r) => r.text.clone(),
        Part::Unwritten { .. } => String::new(),
    };
    if spec.channel != Channel::Email {
        report.tasks += 1;
        if !dry_run {
            let mut conn = store.conn().await?;
            stored::enqueue(
                &mut conn,
                &task_row(
                    enrollment,
                    step,
                    spec.channel,
                    &variant,
                    &digest,
                    &text(&written.body),
                    OutboxStatus::Task,
                    None,
                    due,
                    now,
                ),
            )
            .await?;
        }
        return Ok(());
    }
    report.queued += 1;
    if dry_run {
        return Ok(());
    }
    let row = email_row(
        store,
        sending,
        enrollment,
        step,
        &variant,
        &digest,
        written,
        &preview.facts,
        &done,
        due,
        now,
    )
    .await?;
    let mut conn = store.conn().await?;
    stored::enqueue(&mut conn, &row).await?;
    Ok(())
}

/// Step `step` of `enrollment`, written for its lead (`written`, from `facts`), as the
/// e-mail that goes: from the lead's mailbox (the one its first e-mail went from, else the
/// least used today), with a fixed Message-ID, threaded under the first e-mail, with both
/// unsubscribe headers, DKIM-signed. Its outbox row, queued, carries the signed bytes.
#[allow(clippy::too_many_arguments)]
async fn email_row(
    store: &Store,
    sending: &Sending<'_>,
    enrollment: &Enrollment,
    step: usize,
    variant: &stored::StoredVariant,
    digest: &str,
    written: &super::StepPreview,
    facts: &[leadgate_core::outreach::compose::Fact],
    done: &[OutboxRow],
    due: Timestamp,
    now: Timestamp,
) -> Result<OutboxRow> {
    let lead = enrollment.contact_id;
    let text = |part: &Part| match part {
        Part::Written(r) => r.text.clone(),
        Part::Unwritten { .. } => String::new(),
    };
    let recipient = newest_known(facts, "email")
        .map(|(_, e)| e.to_string())
        .ok_or_else(|| Error::Invalid(format!("lead {lead} has no e-mail address")))?;
    let first_email = done.iter().find(|r| r.channel == Channel::Email);
    let mailbox = match first_email.and_then(|r| r.mailbox.clone()) {
        Some(address) => sending.mailbox(&address)?.clone(),
        None => least_used_mailbox(store, sending, now).await?,
    };
    let domain = mailbox
        .address
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "[[outreach.mailboxes]] address {:?} is not an e-mail address",
                mailbox.address
            ))
        })?;
    if mailbox.smtp.is_some()
        && !sending
            .public_url
            .to_ascii_lowercase()
            .starts_with("https://")
    {
        return Err(Error::Invalid(format!(
            "[server] public_url is {}: a message that leaves the machine needs an https:// \
             unsubscribe link (RFC 8058), so set public_url to the https address people reach \
             this server at",
            sending.public_url
        )));
    }
    let key = dkim_key(store, &domain, now).await?;
    let token = super::unsubscribe_token(store, &recipient, now).await?;
    let unsubscribe_url = format!(
        "{}/unsubscribe/{token}",
        sending.public_url.trim_end_matches('/')
    );
    let unsubscribe_mailto = format!("mailto:unsubscribe@{domain}?subject=unsubscribe-{token}");
    let message_id = format!(
        "lg-{}-{step}-{}@{domain}",
        enrollment.id,
        &crate::engine::auth::random_secret()?[..16]
    );
    let mut whole = text(&written.body);
    if mailbox.track_clicks {
        let mut links = Vec::new();
        whole = leadgate_core::outreach::tracking::rewrite_links(&whole, |url| {
            let token = crate::engine::auth::random_secret()
                .map(|t| t[..24].to_string())
                .unwrap_or_default();
            links.push((token.clone(), url.to_string()));
            format!("{}/r/{token}", sending.public_url.trim_end_matches('/'))
        });
        let mut conn = store.conn().await?;
        for (token, url) in links {
            if token.is_empty() {
                return Err(Error::Invalid("no randomness for a link token".to_string()));
            }
            stored::insert_tracked_link(&mut conn, &token, &message_id, &recipient, &url, now)
                .await?;
        }
    }
    for added in [&written.notice, &written.footer].into_iter().flatten() {
        whole.push_str("\n\n");
        whole.push_str(added);
    }
    whole.push_str(&format!(
        "\nOr unsubscribe in one click: {unsubscribe_url}\n"
    ));
    let subject = written.subject.as_ref().map(text).unwrap_or_default();
    let from_name = mailbox
        .name
        .clone()
        .unwrap_or_else(|| sending.outreach.sender.name.clone());
    let to_name = [
        newest_known(facts, "first_name"),
        newest_known(facts, "last_name"),
    ]
    .into_iter()
    .flatten()
    .map(|(_, v)| v)
    .collect::<Vec<_>>()
    .join(" ");
    let eml = mail::build(
        &Outgoing {
            from_name: &from_name,
            from_address: &mailbox.address,
            to_name: (!to_name.is_empty()).then_some(to_name.as_str()),
            to_address: &recipient,
            subject: &subject,
            text: &whole,
            message_id: &message_id,
            date: due.max(now),
            in_reply_to: first_email.map(|r| r.message_id.as_str()),
            unsubscribe_url: &unsubscribe_url,
            unsubscribe_mailto: &unsubscribe_mailto,
        },
        &key,
    )
    .map_err(|e| Error::Invalid(format!("lead {lead}, step {step}: {e}")))?;
    let row = OutboxRow {
        mailbox: Some(mailbox.address.clone()),
        recipient: Some(recipient),
        subject: Some(subject),
        eml: Some(String::from_utf8_lossy(&eml).into_owned()),
        message_id,
        status: OutboxStatus::Queued,
        ..task_row(
            enrollment,
            step,
            Channel::Email,
            variant,
            digest,
            &whole,
            OutboxStatus::Queued,
            None,
            due,
            now,
        )
    };
    Ok(row)
}

/// An e-mail as it would go, and its text.
pub struct PreviewedMessage {
    pub eml: Vec<u8>,
    pub text: String,
}

/// Step `step` of the sequence `lead` is enrolled in (or was last, once it stopped),
/// written and signed exactly as it would be sent now (its Message-ID and unsubscribe link
/// are its own: each send has new ones).
pub async fn preview(
    store: &Store,
    sending: &Sending<'_>,
    lead: i64,
    step: usize,
    now: Timestamp,
) -> Result<PreviewedMessage> {
    let mut conn = store.conn().await?;
    let enrollment = stored::newest_enrollment(&mut conn, lead).await?.ok_or_else(|| {
        Error::NotFound(format!(
            "lead {lead} is in no sequence: enroll it with `leadgate sequence enroll NAME --lead {lead} --as NAME`"
        ))
    })?;
    if !enrollment.steps.contains(&step) {
        return Err(Error::Invalid(format!(
            "lead {lead}'s channel plan has steps {:?}, not step {step}",
            enrollment.steps
        )));
    }
    let (variant, version) = variant_of(&mut conn, &enrollment).await?;
    let done = stored::outbox_of(&mut conn, enrollment.id).await?;
    drop(conn);
    let sequence = parsed(&version)?;
    let channel = sequence.steps.get(step - 1).map(|s| s.channel);
    if channel != Some(Channel::Email) {
        return Err(Error::Invalid(format!(
            "step {step} is a {}: a task for the rep, not an e-mail",
            channel.map_or("missing step", |c| c.label())
        )));
    }
    if sending.outreach.mailboxes.is_empty() {
        return Err(Error::Invalid("no mailbox to send from: add [[outreach.mailboxes]] address = \"you@your-domain\" to leadgate.toml".to_string()));
    }
    let preview = preview_variant(
        store,
        &sequence,
        &variant.name,
        &[step],
        lead,
        sending.outreach,
        now,
    )
    .await?;
    let written = preview
        .steps
        .first()
        .ok_or_else(|| Error::corrupt(format!("step {step} wrote nothing")))?;
    if let Some(why) = super::sequences::unsendable(&preview) {
        return Err(Error::Invalid(format!("lead {lead}: {why}")));
    }
    let digest = sequence.variant_digest(&variant.name);
    let row = email_row(
        store,
        sending,
        &enrollment,
        step,
        &variant,
        &digest,
        written,
        &preview.facts,
        &done,
        now,
        now,
    )
    .await?;
    Ok(PreviewedMessage {
        eml: row.eml.unwrap_or_default().into_bytes(),
        text: row.body,
    })
}

/// A DNS record a sending domain publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsRecord {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: String,
    /// What it is for, in words (not in the JSON's required keys, but there).
    pub why: String,
}

/// The records every sending domain of `[[outreach.mailboxes]]` publishes: SPF naming its
/// relays, the DKIM key leadgate signs with (made now if it has none), and a DMARC policy
/// that starts at `p=none` and reports, to tighten once the reports are clean.
pub async fn dns_records(
    store: &Store,
    outreach: &OutreachConfig,
    now: Timestamp,
) -> Result<Vec<DnsRecord>> {
    let mut domains: Vec<(String, Vec<String>)> = Vec::new();
    for mailbox in &outreach.mailboxes {
        let domain = mailbox
            .address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "[[outreach.mailboxes]] address {:?} is not an e-mail address",
                    mailbox.address
                ))
            })?;
        let relay = mailbox.smtp.as_ref().map(|s| s.host.clone());
        match domains.iter_mut().find(|(d, _)| *d == domain) {
            Some((_, relays)) => relays.extend(relay),
            None => domains.push((domain, relay.into_iter().collect())),
        }
    }
    let mut records = Vec::new();
    for (domain, relays) in domains {
        let mut spf = "v=spf1 mx".to_string();
        for relay in &relays {
            match relay.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(ip)) => spf.push_str(&format!(" ip4:{ip}")),
                Ok(std::net::IpAddr::V6(ip)) => spf.push_str(&format!(" ip6:{ip}")),
                Err(_) => spf.push_str(&format!(" a:{relay}")),
            }
        }
        spf.push_str(" ~all");
        records.push(DnsRecord {
            name: domain.clone(),
            kind: "TXT",
            value: spf,
            why: "SPF: the servers that may send as this domain (add your mail provider's include: if it sends for you)".to_string(),
        });
        let key = dkim_key(store, &domain, now).await?;
        let (name, value) = key.dns_record();
        records.push(DnsRecord {
            name,
            kind: "TXT",
            value,
            why: "DKIM: the public half of the key leadgate signs every message with".to_string(),
        });
        records.push(DnsRecord {
            name: format!("_dmarc.{domain}"),
            kind: "TXT",
            value: format!("v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}; adkim=r; aspf=r"),
            why: "DMARC: start with p=none and read the reports; move to quarantine once they are clean".to_string(),
        });
    }
    Ok(records)
}

/// The variant an enrollment runs through, and its sequence version.
async fn variant_of(
    conn: &mut crate::engine::Conn,
    enrollment: &Enrollment,
) -> Result<(stored::StoredVariant, stored::StoredSequence)> {
    let variant = stored::variant(conn, enrollment.variant_id)
        .await?
        .ok_or_else(|| {
            Error::corrupt(format!(
                "enrollment {}: its variant vanished",
                enrollment.id
            ))
        })?;
    let version = stored::sequence(conn, variant.sequence_id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("variant {}: its sequence vanished", variant.id)))?;
    Ok((variant, version))
}

/// An outbox row for a step with nothing to send: a task, or a step passed over.
#[allow(clippy::too_many_arguments)]
fn task_row(
    enrollment: &Enrollment,
    step: usize,
    channel: Channel,
    variant: &stored::StoredVariant,
    digest: &str,
    body: &str,
    status: OutboxStatus,
    note: Option<String>,
    due: Timestamp,
    now: Timestamp,
) -> OutboxRow {
    OutboxRow {
        id: 0,
        enrollment_id: enrollment.id,
        contact_id: enrollment.contact_id,
        step: step as i64,
        channel,
        variant_id: variant.id,
        digest: digest.to_string(),
        message_id: format!("task-{}-{step}", enrollment.id),
        mailbox: None,
        recipient: None,
        subject: None,
        body: body.to_string(),
        eml: None,
        status,
        due_at: due,
        queued_at: now,
        sending_at: None,
        sent_at: None,
        attempts: 0,
        note,
    }
}

/// The start of the workspace's day that holds `now`: daily caps count from it.
fn day_start(now: Timestamp, zone: &TimeZone) -> Timestamp {
    now.to_zoned(zone.clone())
        .start_of_day()
        .map(|z| z.timestamp())
        .unwrap_or(now)
}

/// The mailbox that has sent the fewest today (the first on a tie).
async fn least_used_mailbox(
    store: &Store,
    sending: &Sending<'_>,
    now: Timestamp,
) -> Result<MailboxConfig> {
    let since = day_start(now, &sending.zone);
    let mut conn = store.conn().await?;
    let mut best: Option<(i64, &MailboxConfig)> = None;
    for mailbox in &sending.outreach.mailboxes {
        let sent = stored::sent_since(&mut conn, &mailbox.address, since).await?;
        if best.is_none_or(|(fewest, _)| sent < fewest) {
            best = Some((sent, mailbox));
        }
    }
    best.map(|(_, m)| m.clone())
        .ok_or_else(|| Error::Invalid("no mailbox in [[outreach.mailboxes]]".to_string()))
}

/// The sending domain's DKIM key, made and kept on first use.
pub async fn dkim_key(store: &Store, domain: &str, now: Timestamp) -> Result<DkimKey> {
    let mut conn = store.conn().await?;
    if let Some(key) = stored::dkim_key(&mut conn, domain).await? {
        return Ok(DkimKey {
            selector: key.selector,
            domain: key.domain,
            private_pem: key.private_pem,
            public_b64: key.public_b64,
        });
    }
    drop(conn);
    let made = DkimKey::generate(SELECTOR, domain)
        .map_err(|e| Error::Invalid(format!("cannot make a DKIM key for {domain}: {e}")))?;
    let mut tx = store.begin().await?;
    let new = stored::insert_dkim_key(
        &mut tx,
        &StoredDkimKey {
            domain: domain.to_string(),
            selector: made.selector.clone(),
            private_pem: made.private_pem.clone(),
            public_b64: made.public_b64.clone(),
            created_at: now,
        },
    )
    .await?;
    if new {
        record(
            &mut tx,
            &Actor::System,
            Action::DkimKeyCreated,
            &Subject::SendingDomain(domain.to_string()),
            json!({ "selector": made.selector, "public_key": made.public_b64 }),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    if new {
        Ok(made)
    } else {
        // Another sender made one first: use the one kept.
        Box::pin(dkim_key(store, domain, now)).await
    }
}

/// Hands the queued, due e-mails to their transports within their mailboxes' daily caps.
async fn deliver(
    store: &Store,
    sending: &Sending<'_>,
    report: &mut SendReport,
    now: Timestamp,
) -> Result<()> {
    let queued = {
        let mut conn = store.conn().await?;
        stored::outbox(&mut conn, Some(OutboxStatus::Queued)).await?
    };
    let since = day_start(now, &sending.zone);
    let mut domains: Vec<(String, Option<String>)> = Vec::new();
    for row in queued.into_iter().filter(|r| r.due_at <= now) {
        let Some(address) = row.mailbox.clone() else {
            continue;
        };
        let mailbox = match sending.mailbox(&address) {
            Ok(mailbox) => mailbox,
            Err(e) => {
                report.notes.push(format!("message {}: {e}", row.id));
                continue;
            }
        };
        let transport = sending.transport(mailbox)?;
        if mailbox.smtp.is_some() && mailbox.check_dns {
            let domain = domain_of(&address)?;
            let verdict = match domains.iter().find(|(d, _)| *d == domain) {
                Some((_, verdict)) => verdict.clone(),
                None => {
                    let verdict = dns_verdict(store, sending, mailbox, &domain, now).await?;
                    if let Some(why) = &verdict {
                        report.notes.push(format!(
                            "nothing is sent from {domain} until its DNS is right: {why} (`leadgate sender check`)"
                        ));
                    }
                    domains.push((domain, verdict.clone()));
                    verdict
                }
            };
            if verdict.is_some() {
                report.blocked_by_dns += 1;
                continue;
            }
        }
        {
            let mut conn = store.conn().await?;
            if stored::sent_since(&mut conn, &address, since).await? >= i64::from(mailbox.daily_cap)
            {
                report.over_cap += 1;
                continue;
            }
        }
        send_one(store, &transport, &row, report, now).await?;
    }
    Ok(())
}

/// The domain of an address.
fn domain_of(address: &str) -> Result<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .ok_or_else(|| Error::Invalid(format!("{address:?} is not an e-mail address")))
}

/// The resolver DNS questions go to: `[outreach] dns_server`, or the system's.
fn resolver(outreach: &OutreachConfig) -> Result<leadgate_connectors::dns::Resolver> {
    match &outreach.dns_server {
        None => Ok(leadgate_connectors::dns::Resolver::System),
        Some(server) => server
            .parse()
            .map(leadgate_connectors::dns::Resolver::At)
            .map_err(|_| {
                Error::Invalid(format!("[outreach] dns_server = {server:?} is not IP:PORT"))
            }),
    }
}

/// Checks a sending domain's published records against the key leadgate signs with and
/// the mailbox's relay (when it is an address).
pub async fn check_domain(
    store: &Store,
    outreach: &OutreachConfig,
    mailbox: &MailboxConfig,
    domain: &str,
    now: Timestamp,
) -> Result<
    std::result::Result<leadgate_connectors::dns::DomainCheck, leadgate_connectors::dns::DnsError>,
> {
    let key = dkim_key(store, domain, now).await?;
    let sending_ip = mailbox
        .smtp
        .as_ref()
        .and_then(|s| s.host.parse::<std::net::IpAddr>().ok());
    let expected = leadgate_connectors::dns::Expected {
        domain,
        selector: &key.selector,
        public_b64: &key.public_b64,
        sending_ip,
    };
    Ok(leadgate_connectors::dns::check(&expected, &resolver(outreach)?).await)
}

/// `None` when the domain's records are right; else why nothing is sent from it.
async fn dns_verdict(
    store: &Store,
    sending: &Sending<'_>,
    mailbox: &MailboxConfig,
    domain: &str,
    now: Timestamp,
) -> Result<Option<String>> {
    Ok(
        match check_domain(store, sending.outreach, mailbox, domain, now).await? {
            Ok(check) if check.passes() => None,
            Ok(check) => Some(
                check
                    .problems()
                    .iter()
                    .map(|f| format!("{}: {}", f.record, f.said))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Err(e) => Some(e.to_string()),
        },
    )
}

/// One e-mail: claimed `sending` and committed, checked against the suppression list, handed
/// to the transport, and recorded `sent` — or cancelled, failed, or queued again.
async fn send_one(
    store: &Store,
    transport: &Transport,
    row: &OutboxRow,
    report: &mut SendReport,
    now: Timestamp,
) -> Result<()> {
    let mut conn = store.conn().await?;
    if !stored::move_outbox(
        &mut conn,
        row.id,
        OutboxStatus::Queued,
        OutboxStatus::Sending,
        None,
        now,
    )
    .await?
    {
        // Another sender claimed it.
        return Ok(());
    }
    let recipient = row.recipient.clone().unwrap_or_default();
    let suppressed = {
        let list = crate::engine::discovery::run::load_suppressions(&mut conn).await?;
        match Email::parse(&recipient) {
            Err(_) => Some(format!("{recipient:?} is not an e-mail address")),
            Ok(email) => list
                .check(std::slice::from_ref(&email), &[email.domain()])
                .map(|hit| format!("on the suppression list ({})", hit.kind.label())),
        }
    };
    drop(conn);
    if let Some(why) = suppressed {
        let note = format!("not sent: the address is {why}");
        give_up(
            store,
            row,
            OutboxStatus::Cancelled,
            Action::MessageCancelled,
            &note,
            now,
        )
        .await?;
        report.cancelled += 1;
        return Ok(());
    }
    let from = row.mailbox.clone().unwrap_or_default();
    let eml = row.eml.clone().unwrap_or_default();
    match transport
        .send(&from, &recipient, &row.message_id, eml.as_bytes())
        .await
    {
        Ok(()) => {
            let mut tx = store.begin().await?;
            stored::move_outbox(
                &mut tx,
                row.id,
                OutboxStatus::Sending,
                OutboxStatus::Sent,
                None,
                now,
            )
            .await?;
            record(&mut tx, &Actor::System, Action::MessageSent, &Subject::Message(row.id), json!({ "lead": row.contact_id, "step": row.step, "message_id": row.message_id, "digest": row.digest }), now).await?;
            announce_sent(&mut tx, row, now).await?;
            tx.commit().await?;
            report.sent += 1;
        }
        Err(e) if e.is_permanent() => {
            let note = format!("the relay refused it: {e}");
            give_up(
                store,
                row,
                OutboxStatus::Failed,
                Action::MessageFailed,
                &note,
                now,
            )
            .await?;
            report.failed += 1;
        }
        Err(e) => {
            // Not accepted (a refused connection, a 4xx): safe to try again on the next run.
            let note = format!("not sent yet: {e}");
            let mut conn = store.conn().await?;
            stored::move_outbox(
                &mut conn,
                row.id,
                OutboxStatus::Sending,
                OutboxStatus::Queued,
                Some(&note),
                now,
            )
            .await?;
            report.notes.push(format!("message {}: {note}", row.id));
        }
    }
    Ok(())
}

/// Closes a message that will never go — `to` cancelled or failed — and stops its lead's
/// sequence, with the reason, audited as `action`.
async fn give_up(
    store: &Store,
    row: &OutboxRow,
    to: OutboxStatus,
    action: Action,
    note: &str,
    now: Timestamp,
) -> Result<()> {
    let mut tx = store.begin().await?;
    stored::move_outbox(&mut tx, row.id, OutboxStatus::Sending, to, Some(note), now).await?;
    stored::end_enrollment(
        &mut tx,
        row.enrollment_id,
        EnrollmentStatus::Stopped,
        Some(note),
        now,
    )
    .await?;
    record(
        &mut tx,
        &Actor::System,
        action,
        &Subject::Message(row.id),
        json!({ "note": note }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How a person releases a held message: it was sent after all, or it goes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// Found in the relay's log or the Sent folder: mark it sent.
    Sent,
    /// Not found: queue it again (the same Message-ID, so a relay that has it can drop it).
    Resend,
}

/// Who may release a held message: they can read the relay's log or the Sent folder.
pub const RELEASERS: [leadgate_core::role::Role; 2] = [
    leadgate_core::role::Role::Admin,
    leadgate_core::role::Role::SalesOps,
];

/// Releases a held message, as `by` (an admin or sales ops), audited.
pub async fn release(
    store: &Store,
    id: i64,
    how: Release,
    by: &str,
    now: Timestamp,
) -> Result<OutboxRow> {
    let actor = Actor::Person(by.to_string());
    let inputs = json!({ "message": id, "how": match how { Release::Sent => "sent", Release::Resend => "resend" } });
    let mut tx = store.begin().await?;
    let checked = async {
        let releaser = person(&mut tx, by).await?;
        if !releaser.roles.iter().any(|r| RELEASERS.contains(r)) {
            return Err(Error::Forbidden(format!(
                "{by} may not release a held message: an admin or sales ops does, after \
                 checking the relay's log or the Sent folder"
            )));
        }
        let row = stored::outbox_row_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no message {id} in the outbox")))?;
        if row.status != OutboxStatus::Held {
            return Err(Error::Conflict(format!(
                "message {id} is {}: only a held message is released",
                row.status.label()
            )));
        }
        Ok(row)
    }
    .await;
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::ReleaseMessage,
        subject: &Subject::Message(id),
        inputs: &inputs,
    };
    let (row, mut tx) = settle(checked, tx, store, attempted, now).await?;
    let (to, note) = match how {
        Release::Sent => (OutboxStatus::Sent, format!("released as sent by {by}")),
        Release::Resend => (
            OutboxStatus::Queued,
            format!("released to send again by {by}"),
        ),
    };
    stored::move_outbox(&mut tx, id, OutboxStatus::Held, to, Some(&note), now).await?;
    record(
        &mut tx,
        &actor,
        Action::MessageReleased,
        &Subject::Message(id),
        inputs,
        now,
    )
    .await?;
    if to == OutboxStatus::Sent {
        announce_sent(&mut tx, &row, now).await?;
    }
    let row = stored::outbox_row_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("message {id} vanished")))?;
    tx.commit().await?;
    Ok(row)
}

/// How a tracked link was asked for: what the redirect knows of the asker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asker<'a> {
    pub user_agent: Option<&'a str>,
    /// A `HEAD` request.
    pub head: bool,
}

/// A click on a tracked link: kept as the prospect's `email_click` engagement (which
/// rescores the lead and counts for steps that wait for clicks), and the link's target to
/// send the browser on to. A machine's click — a scanner's, a preview's
/// ([`leadgate_core::outreach::tracking::machine_click`]) — is sent on too, but counts for
/// nothing: the audit log says whose it was and why. A token leadgate did not issue is not
/// found.
#[allow(clippy::too_many_arguments)]
pub async fn click(
    store: &Store,
    scoring: &crate::engine::settings::ScoringConfig,
    pages: &leadgate_core::engagement::PagePolicy,
    intent: &leadgate_core::handoff::intent::IntentRules,
    token: &str,
    asker: Asker<'_>,
    now: Timestamp,
) -> Result<String> {
    let (email, url, sent) = {
        let mut conn = store.conn().await?;
        let (email, url, message_id) = stored::tracked_link(&mut conn, token.trim())
            .await?
            .ok_or_else(|| Error::NotFound("this link is not one of ours".to_string()))?;
        let sent = stored::outbox_by_message_id(&mut conn, &message_id).await?;
        (email, url, sent)
    };
    let request = leadgate_core::outreach::tracking::ClickRequest {
        user_agent: asker.user_agent,
        head: asker.head,
        sent_at: sent.as_ref().and_then(|m| m.sent_at),
        at: now,
    };
    if let Some(why) = leadgate_core::outreach::tracking::machine_click(&request) {
        if let Some(message) = &sent {
            let mut tx = store.begin().await?;
            record(
                &mut tx,
                &Actor::System,
                Action::ClickIgnored,
                &Subject::Message(message.id),
                json!({ "url": url, "why": why, "user_agent": asker.user_agent }),
                now,
            )
            .await?;
            tx.commit().await?;
        }
        return Ok(url);
    }
    let item = crate::engine::engagement::Item {
        kind: Some("email_click".to_string()),
        at: Some(now.to_string()),
        email: Some(email),
        url: Some(url.clone()),
        ..Default::default()
    };
    // The click is recorded as well as it can be; the prospect is sent on whatever happens.
    match crate::engine::engagement::check_items(store, &[item], now).await? {
        Ok(checked) => {
            let check = crate::engine::handoff::intent::IntentCheck {
                rules: intent,
                pages,
            };
            let report = crate::engine::engagement::store_rows(
                store,
                "click",
                leadgate_core::engagement::KindChoice::Auto,
                checked,
                &Actor::System,
                Some(&check),
                now,
            )
            .await?;
            if let Err(e) =
                crate::engine::scoring::rescore_import(store, scoring, pages, report.import_id, now)
                    .await
            {
                tracing::warn!(error = %e, "the lead was not rescored after a click");
            }
        }
        Err(e) => tracing::warn!(error = %e.message, "a click was not recorded"),
    }
    Ok(url)
}
