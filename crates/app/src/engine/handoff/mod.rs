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
    use leadgate_core::handoff::routing::{self, Lead, RepState};
    use leadgate_core::outreach::compose::newest_known;

    let facts = super::outreach::lead_facts(store, lead).await?;
    let text = |fields: &[&str]| {
        fields
            .iter()
            .find_map(|f| newest_known(&facts, f).map(|(_, v)| v.to_string()))
    };
    let score = {
        let mut conn = store.conn().await?;
        leadgate_store::leads::history(&mut conn, lead)
            .await?
            .first()
            .map(|s| s.score as f64)
    };
    let domain = text(&["company_domain", "domain"]).map(|d| d.to_ascii_lowercase());
    let account_owner = match (&config.account_owners, &domain) {
        (Some(path), Some(domain)) => account_owners(&workspace_dir.join(path))?.remove(domain),
        _ => None,
    };
    let routed_lead = Lead {
        country: text(&["country", "company_country"]),
        industry: text(&["industry"]),
        employees: text(&["employees", "headcount"]).and_then(|n| n.replace(',', "").parse().ok()),
        score,
        class: Some(class),
        signal: Some(signal.to_string()),
        account_owner,
    };
    let calendars: Vec<(String, Calendar)> = config
        .reps
        .iter()
        .map(|r| (r.name.clone(), calendar(r)))
        .collect();
    // The fair counters start with the first handoff; none is recorded yet.
    let reps: Vec<RepState<'_>> = calendars
        .iter()
        .map(|(name, calendar)| RepState {
            name,
            calendar,
            by_rule: Default::default(),
            today: Default::default(),
            this_week: Default::default(),
        })
        .collect();
    let routed = routing::route(
        &config.routing,
        &routed_lead,
        &reps,
        config.sla.of(class),
        now,
    );
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
