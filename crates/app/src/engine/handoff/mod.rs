//! Stage 5, handoff. So far the clock — each rep's working calendar from `[[handoff.reps]]`
//! and the SLA deadline of a lead that arrives at a given moment, explained
//! ([`leadgate_core::handoff::sla`]) — and where a lead would be routed, explained
//! ([`leadgate_core::handoff::routing`]). The triggers, tasks, notifications and the
//! acknowledgement gate come next (issue 16).

use jiff::Timestamp;
use leadgate_core::handoff::calendar::{Calendar, HolidayPlace, Zone};
use leadgate_core::handoff::hours::WeeklyHours;
use leadgate_core::handoff::sla::{self, Budget, Deadline, LeadClass};
use serde::Serialize;

use super::settings::{HandoffConfig, RepConfig};
use super::{Error, Result};

pub mod deliver;
pub mod intent;

/// A rep's calendar from their `[[handoff.reps]]` entry.
pub fn calendar(rep: &RepConfig) -> Calendar {
    Calendar::new(
        &rep.time_zone,
        rep.hours.clone(),
        rep.public_holidays.as_ref(),
        rep.days_off.iter().map(|d| (d.from, d.to)).collect(),
    )
}

/// The calendar of the rep named `name`, or an error listing the reps there are.
pub fn calendar_of(config: &HandoffConfig, name: &str) -> Result<Calendar> {
    config
        .reps
        .iter()
        .find(|r| r.name == name)
        .map(calendar)
        .ok_or_else(|| {
            let names: Vec<&str> = config.reps.iter().map(|r| r.name.as_str()).collect();
            Error::NotFound(if names.is_empty() {
                format!(
                    "no rep {name:?}: leadgate.toml has no [[handoff.reps]] yet (try the calendar \
                     first with --calendar, --tz and --country)"
                )
            } else {
                format!(
                    "no rep {name:?} in [[handoff.reps]] (there are: {})",
                    names.join(", ")
                )
            })
        })
}

/// A calendar tried before anyone is configured with it: hours, zone, and the country and
/// region whose public holidays close it.
pub fn trial_calendar(
    hours: &str,
    zone: &str,
    country: Option<&str>,
    region: Option<&str>,
) -> Result<Calendar> {
    let hours = WeeklyHours::parse(hours).map_err(|e| Error::Invalid(format!("--calendar {e}")))?;
    let zone = Zone::get(zone).map_err(|e| Error::Invalid(format!("--tz {e}")))?;
    let place = match (country, region) {
        (Some(country), region) => Some(
            HolidayPlace::parse(&match region {
                Some(r) => format!("{country}-{r}"),
                None => country.to_string(),
            })
            .map_err(|e| Error::Invalid(format!("--country/--region: {e}")))?,
        ),
        (None, Some(_)) => {
            return Err(Error::Invalid(
                "--region needs --country (DE with BY, GB with SCT)".to_string(),
            ));
        }
        (None, None) => None,
    };
    if place.is_none() && hours.holidays_off {
        return Err(Error::Invalid(
            "the hours say `PH off`: say whose public holidays with --country (and --region)"
                .to_string(),
        ));
    }
    Ok(Calendar::new(&zone, hours, place.as_ref(), Vec::new()))
}

/// A deadline as `leadgate sla explain` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    /// RFC 3339, with the rep's UTC offset.
    pub deadline: String,
    pub arrived: String,
    pub starts: String,
    pub remind: String,
    pub business_minutes: i64,
    pub class: LeadClass,
    pub policy: Budget,
    pub time_zone: String,
    pub hours: String,
    pub holidays: Option<String>,
    pub steps: Vec<String>,
}

/// The deadline of a lead of `class` arriving `at`, on `calendar`, under the workspace's
/// policies, with how it was computed.
pub fn explain(
    calendar: &Calendar,
    config: &HandoffConfig,
    class: LeadClass,
    at: Timestamp,
) -> Result<Explained> {
    let budget = config.sla.of(class);
    let Deadline {
        arrived,
        starts,
        deadline,
        remind,
        business,
        steps,
    } = sla::deadline(calendar, at, budget).ok_or_else(|| {
        Error::Invalid(format!(
            "the calendar \"{}\" is never open in the next three years",
            calendar.hours
        ))
    })?;
    let rfc3339 = |t: Timestamp| {
        t.to_zoned(calendar.zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    Ok(Explained {
        deadline: rfc3339(deadline),
        arrived: rfc3339(arrived),
        starts: rfc3339(starts),
        remind: rfc3339(remind),
        business_minutes: business.as_secs() / 60,
        class,
        policy: budget,
        time_zone: calendar.zone_name.clone(),
        hours: calendar.hours.to_string(),
        holidays: calendar.country.as_ref().map(|c| match &calendar.region {
            Some(r) => format!("{c}-{r}"),
            None => c.clone(),
        }),
        steps,
    })
}

/// The CRM's account owners from the `account_owners` CSV (`domain,owner`): each company
/// domain, lowercased, to its owner. A row without both is an error naming the file and row.
pub fn account_owners(
    path: &std::path::Path,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::file(path, e))?;
    let headers = reader.headers().map_err(|e| Error::file(path, e))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::file(
                    path,
                    format!("no `{name}` column (the columns are domain, owner)"),
                )
            })
    };
    let (domain, owner) = (column("domain")?, column("owner")?);
    let mut owners = std::collections::BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| Error::file(path, format!("row {row}: {e}")))?;
        match (record.get(domain), record.get(owner)) {
            (Some(d), Some(o)) if !d.is_empty() && !o.is_empty() => {
                owners.insert(d.to_ascii_lowercase(), o.to_string());
            }
            _ => {
                return Err(Error::file(
                    path,
                    format!("row {row}: a domain and an owner are both needed"),
                ));
            }
        }
    }
    Ok(owners)
}

/// Why a lead would go where it goes now: the routing decision, the lead as routing read it,
/// and the rule-by-rule reasons.
#[derive(Debug, Clone, Serialize)]
pub struct RouteExplained {
    pub lead: i64,
    pub class: LeadClass,
    pub signal: String,
    pub country: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<f64>,
    pub score: Option<f64>,
    pub account_owner: Option<String>,
    #[serde(flatten)]
    pub routed: leadgate_core::handoff::routing::Routed,
}

/// The lead as routing reads it, and the record its rep gets.
async fn routing_input(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    workspace_dir: &std::path::Path,
    lead: i64,
    class: LeadClass,
    signal: &str,
) -> Result<(leadgate_core::handoff::routing::Lead, serde_json::Value)> {
    use leadgate_core::outreach::compose::newest_known;

    let facts = super::outreach::lead_facts(store, lead).await?;
    let text = |fields: &[&str]| {
        fields
            .iter()
            .find_map(|f| newest_known(&facts, f).map(|(_, v)| v.to_string()))
    };
    let mut conn = store.conn().await?;
    let scored = leadgate_store::leads::history(&mut conn, lead).await?;
    let score = scored.first().map(|s| s.score as f64);
    let last_contact = leadgate_store::outreach::last_sent_to_contact(&mut conn, lead).await?;
    drop(conn);
    let domain = text(&["company_domain", "domain"]).map(|d| d.to_ascii_lowercase());
    let account_owner = match (&config.account_owners, &domain) {
        (Some(path), Some(domain)) => account_owners(&workspace_dir.join(path))?.remove(domain),
        _ => None,
    };
    let mut sources: Vec<&str> = facts.iter().map(|f| f.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    let name = [text(&["first_name"]), text(&["last_name"])]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let record = serde_json::json!({
        "name": name,
        "email": text(&["email"]),
        "title": text(&["title"]),
        "company": text(&["company_name"]),
        "domain": domain,
        "sources": sources,
        "score": score,
        "score_reasons": scored.first().map(|s| s.reasons.clone()),
        "last_contact": last_contact.map(|t| t.to_string()),
        "signal": signal,
    });
    let routed = leadgate_core::handoff::routing::Lead {
        country: text(&["country", "company_country"]),
        industry: text(&["industry"]),
        employees: text(&["employees", "headcount"]).and_then(|n| n.replace(',', "").parse().ok()),
        score,
        class: Some(class),
        signal: Some(signal.to_string()),
        account_owner,
    };
    Ok((routed, record))
}

/// Each rep's calendar and the leads they took from each rule — all time, today and this
/// week in their own days — from the tasks so far.
async fn rep_states(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    now: Timestamp,
) -> Result<Vec<(String, Calendar, RuleCounts)>> {
    let mut conn = store.conn().await?;
    let mut states = Vec::with_capacity(config.reps.len());
    for rep in &config.reps {
        let calendar = calendar(rep);
        let today = calendar.date_of(now);
        let monday = today
            .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
            .unwrap_or(today);
        let mut counts = RuleCounts::default();
        for (rule, all, day, week) in leadgate_store::handoff::rule_counts(
            &mut conn,
            &rep.name,
            calendar.start_of(today),
            calendar.start_of(monday),
        )
        .await?
        {
            let small = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
            counts
                .all
                .insert(rule.clone(), u64::try_from(all.max(0)).unwrap_or(0));
            counts.today.insert(rule.clone(), small(day));
            counts.week.insert(rule, small(week));
        }
        states.push((rep.name.clone(), calendar, counts));
    }
    Ok(states)
}

/// Leads a rep took, by rule.
#[derive(Debug, Default)]
struct RuleCounts {
    all: std::collections::BTreeMap<String, u64>,
    today: std::collections::BTreeMap<String, u32>,
    week: std::collections::BTreeMap<String, u32>,
}

/// Routes by the workspace's rules.
fn decide(
    config: &HandoffConfig,
    states: &[(String, Calendar, RuleCounts)],
    lead: &leadgate_core::handoff::routing::Lead,
    class: LeadClass,
    passed_over: Option<(&str, &str)>,
    now: Timestamp,
) -> leadgate_core::handoff::routing::Routed {
    use leadgate_core::handoff::routing::{self, RepState};
    let reps: Vec<RepState<'_>> = states
        .iter()
        .map(|(name, calendar, counts)| RepState {
            name,
            calendar,
            by_rule: counts.all.clone(),
            today: counts.today.clone(),
            this_week: counts.week.clone(),
            passed_over: passed_over
                .filter(|(rep, _)| rep == name)
                .map(|(_, why)| why.to_string()),
        })
        .collect();
    routing::route(&config.routing, lead, &reps, config.sla.of(class), now)
}

/// Where `lead` would be routed at `now` as a lead of `class` triggered by `signal`.
pub async fn route_explain(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    workspace_dir: &std::path::Path,
    lead: i64,
    class: LeadClass,
    signal: &str,
    now: Timestamp,
) -> Result<RouteExplained> {
    let (routed_lead, _) = routing_input(store, config, workspace_dir, lead, class, signal).await?;
    let states = rep_states(store, config, now).await?;
    let routed = decide(config, &states, &routed_lead, class, None, now);
    Ok(RouteExplained {
        lead,
        class,
        signal: signal.to_string(),
        country: routed_lead.country,
        industry: routed_lead.industry,
        employees: routed_lead.employees,
        score: routed_lead.score,
        account_owner: routed_lead.account_owner,
        routed,
    })
}

/// What handing a lead off did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HandedOff {
    /// A task waits for its rep, or in the queue.
    Task {
        task: Box<leadgate_store::handoff::Task>,
    },
    /// The rules sent the lead back to nurture: no task.
    Nurture,
    /// The lead already has an open task (its rep has it), or this trigger made one before.
    Already { task: i64 },
    /// Nobody to hand it to (no reps configured), with why.
    Unrouted { why: String },
}

/// Hands `lead` off after the event `trigger`: routes it by the rules, makes its task with
/// the SLA deadline on the rep's calendar (in the queue: the earliest any rep could meet)
/// and the lead's record, and announces it (`LeadRouted`, audited with the reasons). A
/// trigger handled before, or a lead with an open task, changes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn hand_off(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    workspace_dir: &std::path::Path,
    lead: i64,
    class: LeadClass,
    signal: &str,
    trigger: i64,
    now: Timestamp,
) -> Result<HandedOff> {
    use leadgate_core::audit::{Action, Subject};
    use leadgate_store::handoff as stored;

    {
        let mut conn = store.conn().await?;
        if let Some(done) = stored::task_of_trigger(&mut conn, trigger).await? {
            return Ok(HandedOff::Already { task: done.id });
        }
        if let Some(open) = stored::open_task_of(&mut conn, lead).await? {
            return Ok(HandedOff::Already { task: open.id });
        }
    }
    if config.reps.is_empty() {
        // Nobody to hand it to: said in the audit log, so the lead is not lost from sight.
        let why = "no [[handoff.reps]] in leadgate.toml: nobody to hand the lead to".to_string();
        let mut tx = store.begin().await?;
        super::record(
            &mut tx,
            &leadgate_core::audit::Actor::System,
            Action::LeadRouted,
            &Subject::Lead(lead),
            serde_json::json!({ "to": "nobody", "why": why, "trigger": trigger, "signal": signal }),
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(HandedOff::Unrouted { why });
    }
    let planned = plan(store, config, workspace_dir, lead, class, signal, None, now).await?;
    let mut tx = store.begin().await?;
    let made = make(&mut tx, config, planned, trigger, now).await?;
    match made {
        Made::Task(task) => {
            tx.commit().await?;
            Ok(HandedOff::Task { task })
        }
        Made::Nurture => {
            tx.commit().await?;
            Ok(HandedOff::Nurture)
        }
        Made::Already => {
            tx.rollback().await?;
            let mut conn = store.conn().await?;
            let open = stored::open_task_of(&mut conn, lead).await?;
            let done = stored::task_of_trigger(&mut conn, trigger).await?;
            let task = open.or(done).map(|t| t.id).ok_or_else(|| {
                Error::Conflict(format!("lead {lead}: its task vanished while it was made"))
            })?;
            Ok(HandedOff::Already { task })
        }
    }
}

/// A routing decided and its task written out, not yet stored.
struct Planned {
    lead: i64,
    class: LeadClass,
    signal: String,
    routed: leadgate_core::handoff::routing::Routed,
    /// The rep, none for the queue; the lead goes to nurture when `deadline` is none too.
    rep: Option<String>,
    deadline: Option<sla::Deadline>,
    record: serde_json::Value,
    /// The deadline as the rep reads it, in their zone.
    due_local: String,
}

/// Routes `lead` (with `passed_over`, a rep who may not have it and why) and writes its
/// task out: reads only.
#[allow(clippy::too_many_arguments)]
async fn plan(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    workspace_dir: &std::path::Path,
    lead: i64,
    class: LeadClass,
    signal: &str,
    passed_over: Option<(&str, &str)>,
    now: Timestamp,
) -> Result<Planned> {
    use leadgate_core::handoff::routing::Assignee;

    let (routed_lead, record) =
        routing_input(store, config, workspace_dir, lead, class, signal).await?;
    let states = rep_states(store, config, now).await?;
    let routed = decide(config, &states, &routed_lead, class, passed_over, now);
    let budget = config.sla.of(class);
    let rep = match &routed.assignee {
        Assignee::Nurture => {
            return Ok(Planned {
                lead,
                class,
                signal: signal.to_string(),
                routed,
                rep: None,
                deadline: None,
                record,
                due_local: String::new(),
            });
        }
        Assignee::Rep { name } => Some(name.clone()),
        Assignee::Queue => None,
    };
    // The deadline on the rep's calendar; in the queue, the earliest any rep could meet.
    let (deadline, calendar) = states
        .iter()
        .filter(|(name, _, _)| rep.as_ref().is_none_or(|r| r == name))
        .filter_map(|(_, calendar, _)| sla::deadline(calendar, now, budget).map(|d| (d, calendar)))
        .min_by_key(|(d, _)| d.deadline)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "lead {lead}: no rep's calendar is ever open to take it (see [[handoff.reps]])"
            ))
        })?;
    let due_local = sla::local(calendar, deadline.deadline);
    // The rep's booking page goes with the lead, for the rep to offer the prospect.
    let mut record = record;
    if let Some(link) = rep
        .as_deref()
        .and_then(|r| config.reps.iter().find(|x| x.name == r))
        .and_then(|r| r.booking_link.clone())
    {
        record["booking_link"] = serde_json::Value::String(link);
    }
    Ok(Planned {
        lead,
        class,
        signal: signal.to_string(),
        routed,
        rep,
        deadline: Some(deadline),
        record,
        due_local,
    })
}

/// What [`make`] did.
enum Made {
    Task(Box<leadgate_store::handoff::Task>),
    Nurture,
    /// The trigger made a task before, or the lead has an open one.
    Already,
}

/// Stores a planned task in `tx`: audited with the routing's reasons, announced
/// (`LeadRouted`), sent to the webhooks, its reminder and deadline timers queued.
async fn make(
    tx: &mut super::Conn,
    config: &HandoffConfig,
    planned: Planned,
    trigger: i64,
    now: Timestamp,
) -> Result<Made> {
    use leadgate_core::audit::{Action, Actor, Subject};
    use leadgate_core::event::EventKind;
    use leadgate_store::handoff as stored;

    let Planned {
        lead,
        class,
        signal,
        routed,
        rep,
        deadline,
        record,
        due_local,
    } = planned;
    let routing_json = serde_json::to_value(&routed)
        .map_err(|e| Error::Internal(format!("routing of lead {lead}: {e}")))?;
    let Some(deadline) = deadline else {
        super::record(
            tx,
            &Actor::System,
            Action::LeadRouted,
            &Subject::Lead(lead),
            serde_json::json!({ "to": "nurture", "routing": routing_json, "trigger": trigger }),
            now,
        )
        .await?;
        return Ok(Made::Nurture);
    };
    let new = stored::Task {
        id: 0,
        contact_id: lead,
        rep: rep.clone(),
        status: leadgate_core::handoff::task::TaskStatus::Open,
        class,
        signal: signal.clone(),
        rule: routed.rule.clone(),
        routing: routing_json.clone(),
        record,
        trigger_event: trigger,
        created_at: now,
        starts_at: deadline.starts,
        due_at: deadline.deadline,
        remind_at: deadline.remind,
        acknowledged_at: None,
        acknowledged_by: None,
        ack_minutes: None,
        reminded_at: None,
        breached_at: None,
    };
    let Some(id) = stored::insert_task(tx, &new).await? else {
        return Ok(Made::Already);
    };
    let payload = serde_json::json!({
        "task": id,
        "lead": lead,
        "rep": rep,
        "rule": routed.rule,
        "class": class,
        "signal": signal,
        "due": deadline.deadline.to_string(),
        "trigger": trigger,
    });
    let audited = serde_json::json!({ "lead": lead, "rep": rep, "routing": routing_json, "due": deadline.deadline.to_string(), "trigger": trigger });
    super::emit(
        tx,
        EventKind::LeadRouted,
        &Subject::Lead(lead),
        payload,
        now,
    )
    .await?;
    let task = stored::task_by_id(tx, id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("task {id} vanished in its own transaction")))?;
    let to = task.rep.clone().unwrap_or_else(|| "the queue".to_string());
    let booking = task.record["booking_link"]
        .as_str()
        .map(|link| format!(" Booking link: {link}"))
        .unwrap_or_default();
    let text = format!(
        "New {} for {to}: {} ({}) — {}. Acknowledge by {due_local} (`leadgate tasks ack {id} --as {to}`).{booking}",
        task.class.label(),
        task.record["name"].as_str().unwrap_or_default(),
        task.record["company"].as_str().unwrap_or_default(),
        task.signal,
    );
    deliver::queue(tx, config, &task, "lead.routed", &text, now).await?;
    let timers = timer_keys(id);
    for ((kind, at), key) in [
        (super::triggers::JobKind::HandoffRemind, task.remind_at),
        (super::triggers::JobKind::HandoffBreach, task.due_at),
    ]
    .into_iter()
    .zip(&timers)
    {
        let payload = serde_json::json!({ "task": id });
        leadgate_store::jobs::enqueue(
            tx,
            &leadgate_store::jobs::NewJob {
                kind: kind.as_str(),
                payload: &payload,
                idempotency_key: key,
                subject: None,
                run_at: at,
                event_id: None,
            },
            now,
        )
        .await?;
    }
    // Last: on PostgreSQL the audit entry locks the chain's head until the commit, and every
    // audited write in the workspace waits on that lock.
    super::record(
        tx,
        &Actor::System,
        Action::LeadRouted,
        &Subject::Task(id),
        audited,
        now,
    )
    .await?;
    Ok(Made::Task(Box::new(task)))
}

/// The idempotency keys of a task's two timers: its reminder and its deadline.
fn timer_keys(task: i64) -> [String; 2] {
    use super::triggers::JobKind;
    [JobKind::HandoffRemind, JobKind::HandoffBreach].map(|kind| format!("{}:{task}", kind.as_str()))
}

/// At 75 % of a task's time: if its rep has not acknowledged it, remind them (audited, and
/// sent to the webhooks as `task.reminder`). Once per task.
pub async fn remind(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    id: i64,
    now: Timestamp,
) -> Result<()> {
    use leadgate_core::audit::{Action, Actor, Subject};
    use leadgate_store::handoff as stored;

    let mut tx = store.begin().await?;
    if !stored::mark_reminded(&mut tx, id, now).await? {
        tx.rollback().await?;
        return Ok(());
    }
    let task = stored::task_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("task {id} vanished")))?;
    let to = task.rep.clone().unwrap_or_else(|| "the queue".to_string());
    let due = local_due(config, &task);
    super::record(
        &mut tx,
        &Actor::System,
        Action::TaskReminded,
        &Subject::Task(id),
        serde_json::json!({ "rep": task.rep, "due": task.due_at.to_string() }),
        now,
    )
    .await?;
    let text = format!(
        "Reminder for {to}: {} ({}) waits for acknowledgement, due by {due} (`leadgate tasks ack {id} --as {to}`).",
        task.record["name"].as_str().unwrap_or_default(),
        task.record["company"].as_str().unwrap_or_default(),
    );
    deliver::queue(&mut tx, config, &task, "task.reminder", &text, now).await?;
    tx.commit().await?;
    Ok(())
}

/// At a task's deadline: if it is still open, the SLA is breached — recorded (audited and
/// announced as `SlaBreached`), the manager told through the webhooks (`sla.breached`), and,
/// unless `[handoff.sla] on_breach = "escalate"`, the lead reassigned by the rules with
/// its rep passed over, on a fresh deadline.
pub async fn breach(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    workspace_dir: &std::path::Path,
    id: i64,
    now: Timestamp,
) -> Result<()> {
    use leadgate_core::audit::{Action, Actor, Subject};
    use leadgate_core::event::EventKind;
    use leadgate_core::handoff::task::TaskStatus;
    use leadgate_store::handoff as stored;

    let task = {
        let mut conn = store.conn().await?;
        stored::task_by_id(&mut conn, id)
            .await?
            .ok_or_else(|| Error::corrupt(format!("no task {id}")))?
    };
    if task.status != TaskStatus::Open || task.breached_at.is_some() || now < task.due_at {
        return Ok(());
    }
    let reassign = config.sla.on_breach != "escalate";
    let why = format!("let the SLA of this lead pass (due {})", task.due_at);
    let planned = if reassign {
        let rep = task.rep.as_deref().unwrap_or_default();
        Some(
            plan(
                store,
                config,
                workspace_dir,
                task.contact_id,
                task.class,
                &task.signal,
                task.rep.as_ref().map(|_| (rep, why.as_str())),
                now,
            )
            .await?,
        )
    } else {
        None
    };
    let mut tx = store.begin().await?;
    if !stored::mark_breached(&mut tx, id, now, reassign).await? {
        tx.rollback().await?;
        return Ok(());
    }
    let payload = serde_json::json!({
        "task": id,
        "lead": task.contact_id,
        "rep": task.rep,
        "due": task.due_at.to_string(),
        "manager": config.manager,
        "reassigned": reassign,
    });
    super::record(
        &mut tx,
        &Actor::System,
        Action::SlaBreached,
        &Subject::Task(id),
        payload.clone(),
        now,
    )
    .await?;
    let event = super::emit(
        &mut tx,
        EventKind::SlaBreached,
        &Subject::Lead(task.contact_id),
        payload,
        now,
    )
    .await?;
    let to = task.rep.clone().unwrap_or_else(|| "the queue".to_string());
    let text = format!(
        "SLA missed{}: {} ({}) was due with {to} by {}{}.",
        config
            .manager
            .as_ref()
            .map(|m| format!(", for {m}"))
            .unwrap_or_default(),
        task.record["name"].as_str().unwrap_or_default(),
        task.record["company"].as_str().unwrap_or_default(),
        local_due(config, &task),
        if reassign {
            "; the lead is reassigned"
        } else {
            ""
        },
    );
    deliver::queue(&mut tx, config, &task, "sla.breached", &text, now).await?;
    if let Some(planned) = planned {
        make(&mut tx, config, planned, event.id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A task's deadline in its rep's zone (UTC for the queue).
pub fn local_due(config: &HandoffConfig, task: &leadgate_store::handoff::Task) -> String {
    match task
        .rep
        .as_deref()
        .and_then(|r| calendar_of(config, r).ok())
    {
        Some(calendar) => sla::local(&calendar, task.due_at),
        None => task.due_at.to_string(),
    }
}

/// The rep `by` acknowledges task `id` at `now` — the gate of this stage. Only the task's
/// rep may, or any rep for a task in the queue (who takes it); anyone else is refused, and
/// the refusal audited. The business time from the start of the SLA clock to now is kept.
pub async fn acknowledge(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    id: i64,
    by: &str,
    now: Timestamp,
) -> Result<leadgate_store::handoff::Task> {
    use leadgate_core::audit::{Action, Actor, Attempt, Subject};
    use leadgate_core::event::EventKind;
    use leadgate_core::handoff::task::TaskStatus;
    use leadgate_store::handoff as stored;

    let actor = Actor::Person(by.to_string());
    let subject = Subject::Task(id);
    let inputs = serde_json::json!({ "task": id });
    let mut tx = store.begin().await?;
    let checked: Result<(leadgate_store::handoff::Task, Calendar)> = async {
        super::person(&mut tx, by).await?;
        let task = stored::task_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no task {id}")))?;
        if task.status != TaskStatus::Open {
            return Err(Error::Conflict(format!(
                "task {id} was acknowledged already, by {}",
                task.acknowledged_by.as_deref().unwrap_or("someone")
            )));
        }
        let rep = config.reps.iter().find(|r| r.name == by).ok_or_else(|| {
            Error::Forbidden(format!(
                "{by} is not a rep of [[handoff.reps]]: only the rep a lead went to acknowledges it"
            ))
        })?;
        if let Some(owner) = task.rep.as_deref().filter(|owner| *owner != by) {
            return Err(Error::Forbidden(format!(
                "task {id} is {owner}'s: only the rep a lead went to acknowledges it"
            )));
        }
        Ok((task, calendar(rep)))
    }
    .await;
    let attempted = super::Attempted {
        actor: &actor,
        action: Attempt::AcknowledgeTask,
        subject: &subject,
        inputs: &inputs,
    };
    let ((task, calendar), mut tx) = super::settle(checked, tx, store, attempted, now).await?;
    let minutes = calendar.open_between(task.starts_at, now).as_secs() / 60;
    if !stored::acknowledge(&mut tx, id, by, now, minutes).await? {
        tx.rollback().await?;
        return Err(Error::Conflict(format!(
            "task {id} was acknowledged meanwhile"
        )));
    }
    let within = now <= task.due_at;
    let payload = serde_json::json!({
        "task": id,
        "lead": task.contact_id,
        "rep": by,
        "business_minutes": minutes,
        "within_sla": within,
        "due": task.due_at.to_string(),
    });
    super::record(
        &mut tx,
        &actor,
        Action::TaskAcknowledged,
        &subject,
        payload.clone(),
        now,
    )
    .await?;
    super::emit(
        &mut tx,
        EventKind::TaskAcknowledged,
        &Subject::Lead(task.contact_id),
        payload,
        now,
    )
    .await?;
    // The reminder and the deadline have nothing left to watch.
    let timers = timer_keys(id);
    leadgate_store::jobs::retire(&mut tx, &[&timers[0], &timers[1]], now).await?;
    let done = stored::task_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("task {id} vanished in its own transaction")))?;
    tx.commit().await?;
    Ok(done)
}

/// A new one-click acknowledge link's token for `task` as `rep`, for an e-mail alert; only
/// its digest is kept.
pub async fn issue_ack_link(
    store: &leadgate_store::Store,
    task: i64,
    rep: &str,
    now: Timestamp,
) -> Result<String> {
    let token = super::auth::random_secret()?;
    let mut conn = store.conn().await?;
    leadgate_store::handoff::insert_ack_link(
        &mut conn,
        &super::auth::digest(&token),
        task,
        rep,
        now,
        now + jiff::SignedDuration::from_hours(24 * deliver::ACK_LINK_DAYS),
    )
    .await?;
    Ok(token)
}

/// The task an acknowledge link is for, and its rep, without using it: what the link's page
/// asks about. A link leadgate did not issue is not found; one past its time is refused.
pub async fn ack_link_task(
    store: &leadgate_store::Store,
    token: &str,
    now: Timestamp,
) -> Result<(leadgate_store::handoff::Task, String)> {
    let mut conn = store.conn().await?;
    let link = leadgate_store::handoff::ack_link(&mut conn, &super::auth::digest(token.trim()))
        .await?
        .ok_or_else(|| Error::NotFound("this acknowledge link is not one of ours".to_string()))?;
    if now > link.expires_at {
        return Err(Error::Conflict(format!(
            "this acknowledge link is older than {} days: open the Handoff page instead",
            deliver::ACK_LINK_DAYS
        )));
    }
    let task = leadgate_store::handoff::task_by_id(&mut conn, link.task_id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("ack link of a missing task {}", link.task_id)))?;
    Ok((task, link.rep))
}

/// Acknowledges the task of a one-click link as the rep it was sent to — the same gate as
/// [`acknowledge`]: a task reassigned since, or acknowledged already, is refused.
pub async fn acknowledge_by_link(
    store: &leadgate_store::Store,
    config: &HandoffConfig,
    token: &str,
    now: Timestamp,
) -> Result<leadgate_store::handoff::Task> {
    let (task, rep) = ack_link_task(store, token, now).await?;
    let done = acknowledge(store, config, task.id, &rep, now).await?;
    let mut conn = store.conn().await?;
    leadgate_store::handoff::use_ack_link(&mut conn, &super::auth::digest(token.trim()), now)
        .await?;
    Ok(done)
}

/// The SLA report at `now` over every task.
pub async fn sla_report(
    store: &leadgate_store::Store,
    now: Timestamp,
) -> Result<Vec<leadgate_core::handoff::report::Line>> {
    use leadgate_core::handoff::report::{self, Outcome};
    use leadgate_core::handoff::task::TaskStatus;
    let tasks = {
        let mut conn = store.conn().await?;
        leadgate_store::handoff::tasks(&mut conn, None, false, None).await?
    };
    let outcomes: Vec<Outcome> = tasks
        .iter()
        .map(|t| Outcome {
            rep: t.rep.clone(),
            class: t.class,
            due_at: t.due_at,
            acknowledged_at: t.acknowledged_at,
            ack_minutes: t.ack_minutes,
            breached: t.breached_at.is_some() || t.status == TaskStatus::Reassigned,
        })
        .collect();
    Ok(report::report(&outcomes, now))
}
