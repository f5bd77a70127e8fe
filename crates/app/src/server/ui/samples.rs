//! The sample-review page: one card per sampled record, headed by the person (name, title,
//! company, country) with the match / no match controls right under that, then every value
//! in groups — person, company, ICP fit, compliance — each field with the source and record
//! it came from and its age. A progress line at the top counts the verdicts.
//!
//! With htmx each verdict is saved as it is given: a card posts to
//! `/samples/{gate}/records/{position}` and gets back itself and the progress line. Without
//! JavaScript the page is one form, and each Save button posts every choice on it. Either way
//! a verdict is saved through `engine::discovery::review::save_verdicts`, which never decides
//! the gate; the Decide button does, through `review`, once every record has its verdict, so
//! a slip on the last record decides nothing. A choice that cannot be saved (no match without
//! a reason) comes back marked, with every other choice on the page kept.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use leadgate_core::discovery::prospect::{COMPANY_FIELDS, PERSON_FIELDS, Profile, ProspectVerdict};
use leadgate_core::discovery::sample::ReviewVerdict;
use leadgate_core::gate::GateStatus;
use leadgate_store::discovery::{Prospect, SampleItem};
use serde::Deserialize;

use super::{Layout, PageError, Pages, age, from_htmx, may_decide, page, show_time};
use crate::engine::discovery::review::{
    ItemDecision, SampleUnderReview, review, sample_under_review, save_verdicts,
};
use crate::server::auth::Principal;
use crate::server::state::AppState;
use crate::views::{
    country_name, fact_label, fact_value, fit_label, lawful_basis_label, name_for_display,
    outcome_label,
};

pub fn routes() -> Pages {
    Pages::new()
        .route("/samples/{id}", get(show).post(submit))
        .route("/samples/{id}/records/{position}", post(save_one))
}

/// Where a profile value came from.
pub struct Provenance {
    pub source: String,
    pub record: String,
    /// "observed 2 days ago".
    pub observed: String,
    pub observed_iso: String,
}

/// One value on a card: a field of the profile (with its provenance) or a check the
/// machine made (without).
pub struct FactRow {
    pub label: String,
    pub value: String,
    pub provenance: Option<Provenance>,
}

pub struct FactGroup {
    pub heading: &'static str,
    /// For the heading's id: `record-3-person`.
    pub key: &'static str,
    pub rows: Vec<FactRow>,
}

/// What the reviewer chose for one record on the page, saved or not.
#[derive(Debug, Clone, Default, PartialEq)]
struct Choice {
    verdict: Option<ReviewVerdict>,
    reason: String,
}

/// One sampled record as its card shows it.
pub struct Card {
    pub position: i64,
    pub total: usize,
    pub contact_id: i64,
    pub stratum: String,
    pub name: String,
    /// Title, company and country, those that are known.
    pub headline: Vec<String>,
    pub saved: Option<ReviewVerdict>,
    pub saved_reason: Option<String>,
    pub reviewer: Option<String>,
    /// What the controls show: the choice just posted, else the saved verdict.
    pub chosen: Option<ReviewVerdict>,
    pub reason: String,
    /// Why the choice cannot be saved as it is (the reviewer fixes the choice).
    pub error: Option<String>,
    /// Why saving was refused (the review closed, another reviewer has it).
    pub refusal: Option<String>,
    /// Focus the reason field when the card comes back by itself with an error.
    pub autofocus: bool,
    pub groups: Vec<FactGroup>,
}

impl Card {
    pub fn chose_match(&self) -> bool {
        self.chosen == Some(ReviewVerdict::Match)
    }

    pub fn chose_no_match(&self) -> bool {
        self.chosen == Some(ReviewVerdict::NoMatch)
    }
}

/// How far the review is: the progress line, and the Decide button once it is complete.
pub struct Progress {
    pub decided: usize,
    pub total: usize,
    pub matches: usize,
    pub required: usize,
    pub open: bool,
    pub can_review: bool,
    /// The first record without a verdict: its position and the person's name.
    pub next: Option<(i64, String)>,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.decided == self.total
    }
}

/// A choice that could not be saved, for the list at the top of the page.
pub struct Problem {
    pub position: i64,
    pub name: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "sample.html")]
struct SamplePage {
    layout: Layout,
    gate_id: i64,
    status: GateStatus,
    summary: String,
    list_id: i64,
    segment: String,
    built: String,
    cards: Vec<Card>,
    progress: Progress,
    can_review: bool,
    why_not: String,
    outcome: Option<String>,
    /// (source, reviewed, no match, error rate)
    by_source: Vec<(String, usize, usize, String)>,
    problems: Vec<Problem>,
    error: Option<String>,
}

/// One card after a save, with the progress line swapped out of band.
#[derive(Template)]
#[template(path = "sample_saved_partial.html")]
struct SavedFragment {
    gate_id: i64,
    can_review: bool,
    card: Card,
    progress: Progress,
}

#[derive(Deserialize)]
struct Flash {
    saved: Option<usize>,
    decided: Option<String>,
}

/// A stored profile (`{"person": …, "company": …}`), typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredProfile {
    person: Profile,
    company: Profile,
}

fn observed(now: Timestamp, at: Timestamp) -> String {
    match age(now, at).as_str() {
        "just now" => "observed just now".to_string(),
        ago => format!("observed {ago} ago"),
    }
}

/// The fields of one part of a profile, in the order the part lists them, then any others.
fn field_rows(part: &Profile, order: &[&str], now: Timestamp) -> Vec<FactRow> {
    let listed = order.iter().filter_map(|name| part.get_key_value(*name));
    let others = part
        .iter()
        .filter(|(name, _)| !order.contains(&name.as_str()));
    listed
        .chain(others)
        .map(|(name, s)| FactRow {
            label: fact_label(name),
            value: fact_value(name, &s.value),
            provenance: Some(Provenance {
                source: s.source.clone(),
                record: s.record_id.clone(),
                observed: observed(now, s.observed_at),
                observed_iso: s.observed_at.to_string(),
            }),
        })
        .collect()
}

fn check_row(label: &str, value: impl Into<String>) -> FactRow {
    FactRow {
        label: label.to_string(),
        value: value.into(),
        provenance: None,
    }
}

/// The machine's checks: how the record fits each ICP criterion, and whether it may be
/// contacted.
fn check_groups(verdict: &ProspectVerdict) -> [FactGroup; 2] {
    let mut fit = vec![check_row("overall", fit_label(verdict.icp.verdict))];
    fit.extend(verdict.icp.criteria.iter().map(|c| {
        check_row(
            &leadgate_core::icp::criterion_label(&c.criterion),
            format!("{}: {}", outcome_label(c.outcome), c.reason),
        )
    }));
    let compliance = &verdict.compliance;
    let mut rules = vec![
        check_row("verdict", compliance.reason.clone()),
        check_row("law", compliance.jurisdiction.label()),
    ];
    if let Some(basis) = compliance.basis {
        rules.push(check_row("lawful basis", lawful_basis_label(basis)));
    }
    if let Some(block) = &compliance.blocked {
        rules.push(check_row("blocked", block.reason.clone()));
    }
    rules.push(check_row(
        "addresses outreach may use",
        if compliance.allowed_emails.is_empty() {
            "none".to_string()
        } else {
            compliance.allowed_emails.join(", ")
        },
    ));
    rules.push(check_row("data age", verdict.freshness.reason.clone()));
    [
        FactGroup {
            heading: "ICP fit",
            key: "fit",
            rows: fit,
        },
        FactGroup {
            heading: "Compliance",
            key: "compliance",
            rows: rules,
        },
    ]
}

fn card(item: &SampleItem, prospect: Option<&Prospect>, total: usize, now: Timestamp) -> Card {
    let profile = prospect
        .and_then(|p| StoredProfile::deserialize(&p.profile).ok())
        .unwrap_or_default();
    let person = |name: &str| profile.person.get(name).map(|s| s.value.trim().to_string());
    let full = person("full_name")
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            format!(
                "{} {}",
                person("first_name").unwrap_or_default(),
                person("last_name").unwrap_or_default()
            )
        });
    let name = match name_for_display(full.trim()) {
        n if n.is_empty() => format!("Contact {}", item.contact_id),
        n => n,
    };
    let country = person("country")
        .or_else(|| {
            profile
                .company
                .get("company_country")
                .map(|s| s.value.clone())
        })
        .map(|c| country_name(&c));
    let headline = [
        person("title"),
        profile.company.get("company_name").map(|s| s.value.clone()),
        country,
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect();
    let mut groups = vec![
        FactGroup {
            heading: "Person",
            key: "person",
            rows: field_rows(&profile.person, PERSON_FIELDS, now),
        },
        FactGroup {
            heading: "Company",
            key: "company",
            rows: field_rows(&profile.company, COMPANY_FIELDS, now),
        },
    ];
    if let Some(verdict) = prospect.and_then(|p| ProspectVerdict::deserialize(&p.evaluation).ok()) {
        groups.extend(check_groups(&verdict));
    }
    Card {
        position: item.position,
        total,
        contact_id: item.contact_id,
        stratum: item.stratum.clone(),
        name,
        headline,
        saved: item.verdict,
        saved_reason: item.reason.clone(),
        reviewer: item.reviewer.clone(),
        chosen: item.verdict,
        reason: item.reason.clone().unwrap_or_default(),
        error: None,
        refusal: None,
        autofocus: false,
        groups,
    }
}

/// What a form posted: each record's choice, and why some cannot be saved.
#[derive(Debug, Default)]
struct Posted {
    choices: BTreeMap<i64, Choice>,
    errors: BTreeMap<i64, String>,
}

impl Posted {
    /// Reads `verdict_3=no_match&reason_3=…`. A verdict that is neither match nor no match
    /// is no choice, with its error.
    fn read(form: &HashMap<String, String>) -> Posted {
        let mut posted = Posted::default();
        for (key, value) in form {
            if let Some(position) = key.strip_prefix("verdict_").and_then(|p| p.parse().ok()) {
                match value.parse::<ReviewVerdict>() {
                    Ok(verdict) => {
                        posted.choices.entry(position).or_default().verdict = Some(verdict)
                    }
                    Err(_) => {
                        let why = "Choose match or no match.".to_string();
                        posted.errors.insert(position, why);
                    }
                }
            } else if let Some(position) = key.strip_prefix("reason_").and_then(|p| p.parse().ok())
            {
                posted.choices.entry(position).or_default().reason = value.trim().to_string();
            }
        }
        posted
    }

    /// The decisions the choices make; a choice that cannot be saved joins the errors.
    fn decisions(&mut self) -> Vec<ItemDecision> {
        let mut valid = Vec::new();
        for (position, choice) in &self.choices {
            match decision(*position, choice) {
                Some(Ok(d)) => valid.push(d),
                Some(Err(why)) => {
                    self.errors.insert(*position, why);
                }
                None => {}
            }
        }
        valid
    }
}

/// The decision a choice makes, or why it cannot be saved; None when nothing is chosen.
fn decision(position: i64, choice: &Choice) -> Option<Result<ItemDecision, String>> {
    let verdict = choice.verdict?;
    if verdict == ReviewVerdict::NoMatch && choice.reason.is_empty() {
        return Some(Err(
            "Say why it does not match: a no match needs a reason.".to_string()
        ));
    }
    Some(Ok(ItemDecision {
        position,
        verdict,
        reason: Some(choice.reason.clone()).filter(|r| !r.is_empty()),
    }))
}

/// A sample review as the page shows it to `principal`.
struct Loaded {
    sample: SampleUnderReview,
    cards: Vec<Card>,
    progress: Progress,
    can_review: bool,
    why_not: String,
}

async fn load(state: &AppState, principal: &Principal, id: i64) -> Result<Loaded, PageError> {
    let now = state.now();
    let sample = sample_under_review(state.store(), id)
        .await?
        .ok_or_else(|| PageError {
            status: StatusCode::NOT_FOUND,
            message: format!("no sample review {id}"),
        })?;
    let total = sample.items.len();
    let cards: Vec<Card> = sample
        .items
        .iter()
        .map(|(item, prospect)| card(item, prospect.as_ref(), total, now))
        .collect();
    let me = principal.person.name.as_str();
    let other = sample
        .items
        .iter()
        .find_map(|(i, _)| i.reviewer.as_deref().filter(|by| *by != me));
    let open = sample.gate.status == GateStatus::Open;
    let can_review = may_decide(&sample.gate, principal) && other.is_none();
    let why_not = match other {
        _ if !open => "This review is closed.".to_string(),
        Some(other) => {
            format!("{other} is reviewing this sample; one reviewer reviews the whole sample.")
        }
        None => "Only a reviewer can mark these records.".to_string(),
    };
    let progress = Progress {
        decided: cards.iter().filter(|c| c.saved.is_some()).count(),
        total,
        matches: cards
            .iter()
            .filter(|c| c.saved == Some(ReviewVerdict::Match))
            .count(),
        required: state.workspace().config.discovery.sample.required(total),
        open,
        can_review,
        next: cards
            .iter()
            .find(|c| c.saved.is_none())
            .map(|c| (c.position, c.name.clone())),
    };
    Ok(Loaded {
        sample,
        cards,
        progress,
        can_review,
        why_not,
    })
}

/// Shows the choices a form posted over the saved state, and marks those in error.
fn overlay(cards: &mut [Card], posted: &Posted) {
    for card in cards {
        if let Some(choice) = posted.choices.get(&card.position) {
            card.chosen = choice.verdict;
            card.reason = choice.reason.clone();
        }
        card.error = posted.errors.get(&card.position).cloned();
    }
}

async fn render(
    state: &AppState,
    principal: &Principal,
    id: i64,
    flash: Option<String>,
    posted: Option<&Posted>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut layout = Layout::for_person(state, principal, "inbox").await?;
    layout.flash = flash;
    let Loaded {
        sample,
        mut cards,
        progress,
        can_review,
        why_not,
    } = load(state, principal, id).await?;
    if let Some(posted) = posted {
        overlay(&mut cards, posted);
    }
    let problems = cards
        .iter()
        .filter_map(|c| {
            c.error.as_ref().map(|message| Problem {
                position: c.position,
                name: c.name.clone(),
                message: message.clone(),
            })
        })
        .collect();
    let SampleUnderReview { gate, list, .. } = sample;
    let decision = gate.decisions.first();
    let by_source = decision
        .map(|_| {
            let mut rates: HashMap<String, (usize, usize)> = HashMap::new();
            for c in &cards {
                let e = rates.entry(c.stratum.clone()).or_default();
                e.0 += 1;
                if c.saved == Some(ReviewVerdict::NoMatch) {
                    e.1 += 1;
                }
            }
            let mut rows: Vec<_> = rates
                .into_iter()
                .filter(|(_, (_, bad))| *bad > 0)
                .map(|(s, (n, bad))| (s, n, bad, format!("{:.0}%", bad as f64 * 100.0 / n as f64)))
                .collect();
            rows.sort();
            rows
        })
        .unwrap_or_default();
    let template = SamplePage {
        layout,
        gate_id: id,
        status: gate.status,
        summary: gate.summary.clone(),
        list_id: list.as_ref().map_or(0, |l| l.id),
        segment: list.as_ref().map(|l| l.segment.clone()).unwrap_or_default(),
        built: list
            .as_ref()
            .map(|l| show_time(state, l.created_at))
            .unwrap_or_default(),
        cards,
        progress,
        can_review,
        why_not,
        outcome: decision.and_then(|d| d.note.clone()),
        by_source,
        problems,
        error,
    };
    page(status, &template)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let flash = match (flash.saved, flash.decided) {
        (_, Some(_)) => Some("Your verdicts are recorded and the sample is decided.".to_string()),
        (Some(n), None) => Some(format!("{} saved.", plural(n, "verdict"))),
        (None, None) => None,
    };
    render(&state, &principal, id, flash, None, None, StatusCode::OK).await
}

fn see_other(to: &str) -> Response {
    let to = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// The page's form, without JavaScript: Save keeps every valid choice (and leaves the gate
/// open); Decide also closes the gate when every record has its verdict. A choice that
/// cannot be saved brings the page back with 422, every choice still on it.
async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut posted = Posted::read(&form);
    let valid = posted.decisions();
    let deciding = form.contains_key("decide") && posted.errors.is_empty();
    if valid.is_empty() && posted.errors.is_empty() {
        let none = Some("Choose match or no match for at least one record.".to_string());
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &principal, id, None, None, none, status).await;
    }
    let config = &state.workspace().config.discovery;
    let (who, now) = (&principal.person.name, state.now());
    // Whether the gate closed.
    let outcome = if deciding {
        review(state.store(), config, id, who, &valid, now)
            .await
            .map(|p| p.outcome.is_some())
    } else if valid.is_empty() {
        Ok(false)
    } else {
        save_verdicts(state.store(), config, id, who, &valid, now)
            .await
            .map(|_| false)
    };
    match outcome {
        Err(e) => {
            let refusal = PageError::from(e);
            let status = refusal.status;
            render(
                &state,
                &principal,
                id,
                None,
                Some(&posted),
                Some(refusal.message),
                status,
            )
            .await
        }
        Ok(_) if !posted.errors.is_empty() => {
            let saved = (!valid.is_empty()).then(|| {
                format!(
                    "{} saved; the rest are as you left them.",
                    plural(valid.len(), "verdict")
                )
            });
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&state, &principal, id, saved, Some(&posted), None, status).await
        }
        Ok(true) => Ok(see_other(&format!("/samples/{id}?decided=1"))),
        Ok(false) => {
            let back = form
                .get("save")
                .and_then(|p| p.parse::<i64>().ok())
                .map(|p| format!("#record-{p}"))
                .unwrap_or_default();
            Ok(see_other(&format!(
                "/samples/{id}?saved={}{back}",
                valid.len()
            )))
        }
    }
}

/// One card's verdict, with htmx: saved as it is given, answered with the card and the
/// progress line. A choice that cannot be saved comes back in the card, marked, with its
/// status in `x-leadgate-status` (htmx swaps only successful responses). A plain browser
/// never posts here; if something does, it is sent back to the page.
async fn save_one(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    Path((id, position)): Path<(i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut posted = Posted::read(&form);
    let choice = posted.choices.remove(&position).unwrap_or_default();
    let mut error = posted.errors.remove(&position);
    let mut refusal = None;
    match decision(position, &choice) {
        Some(Ok(d)) => {
            let config = &state.workspace().config.discovery;
            let (who, now) = (&principal.person.name, state.now());
            if let Err(e) = save_verdicts(state.store(), config, id, who, &[d], now).await {
                refusal = Some(PageError::from(e));
            }
        }
        Some(Err(why)) => error = Some(why),
        None => {}
    }
    let status = match (&error, &refusal) {
        (Some(_), _) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, Some(refused)) => refused.status,
        (None, None) => StatusCode::OK,
    };
    if !from_htmx(&headers) {
        return Ok(see_other(&format!("/samples/{id}#record-{position}")));
    }
    let Loaded {
        cards,
        progress,
        can_review,
        ..
    } = load(&state, &principal, id).await?;
    let mut card = cards
        .into_iter()
        .find(|c| c.position == position)
        .ok_or_else(|| PageError {
            status: StatusCode::NOT_FOUND,
            message: format!("sample review {id} has no record {position}"),
        })?;
    if let Some(error) = error {
        card.chosen = choice.verdict;
        card.reason = choice.reason;
        card.error = Some(error);
        card.autofocus = true;
    } else if let Some(refused) = refusal {
        card.chosen = choice.verdict;
        card.reason = choice.reason;
        card.refusal = Some(refused.message);
    } else if choice.verdict.is_none() {
        // Nothing to save yet (a reason typed before the verdict): keep what was typed.
        card.reason = choice.reason;
    }
    let fragment = SavedFragment {
        gate_id: id,
        can_review,
        card,
        progress,
    };
    let mut response = page(StatusCode::OK, &fragment)?;
    if let Ok(value) = HeaderValue::from_str(status.as_str()) {
        response.headers_mut().insert("x-leadgate-status", value);
    }
    Ok(response)
}
