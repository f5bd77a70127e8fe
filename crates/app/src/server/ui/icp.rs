//! The ICP pages: every version; one version read in words — its criteria section by
//! section, what it changes against the segment's live version, its rationale, its gates —
//! with the TOML folded below; and proposing a new version from the web.
//!
//! Proposing from the web is `leadgate icp propose` and `POST /api/icp` in a form: the same
//! `engine::icp::propose`, so the same checks, the same refusals in the audit log, the same
//! error lines (`icp.toml:12:3: key `…`: …`), and the proposer is the maker of the version,
//! who does not decide its gate. The form is a plain multipart form (the text, or a file),
//! so it works without JavaScript.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leadgate_core::audit::Subject;
use leadgate_core::gate::Verdict;
use leadgate_core::icp::summary::{self, ChangeRow, IcpSummary};
use leadgate_core::icp::{ChangeKind, IcpDocument, SAMPLE_ICP};
use leadgate_core::role::{ICP_PROPOSERS, Role};
use leadgate_store::gates::{self as stored_gates, GateFilter};
use leadgate_store::icp::{self as stored, IcpStatus};
use serde::Deserialize;

use super::gates::GatePanel;
use super::{Layout, PageError, Pages, page, show_time};
use crate::engine::icp as engine_icp;
use crate::server::auth::Principal;
use crate::server::state::AppState;

pub fn routes() -> Pages {
    Pages::new()
        .route("/icp", get(list))
        .route("/icp/propose", get(propose_form).post(propose))
        .route("/icp/{id}", get(show))
}

/// The name a proposal typed into the page goes by in its errors and in the audit log, as
/// a file's name does on the command line.
const TYPED_ORIGIN: &str = "icp.toml";

/// Whether `roles` may propose an ICP: the rule `engine::icp::propose` applies.
fn may_propose(roles: &[Role]) -> bool {
    roles.iter().any(|r| ICP_PROPOSERS.contains(r))
}

pub struct VersionRow {
    pub id: i64,
    pub segment: String,
    pub version: i64,
    pub status: IcpStatus,
    pub proposed_by: String,
    pub proposed_at: String,
    pub live_at: String,
    pub source_text: String,
}

fn row(state: &AppState, v: &stored::IcpVersion) -> VersionRow {
    VersionRow {
        id: v.id,
        segment: v.segment.clone(),
        version: v.version,
        status: v.status,
        proposed_by: v.proposed_by.clone(),
        proposed_at: show_time(state, v.proposed_at),
        live_at: v
            .live_at
            .map_or_else(|| "-".to_string(), |t| show_time(state, t)),
        source_text: v.source_text.clone(),
    }
}

#[derive(Template)]
#[template(path = "icp_list.html")]
struct ListPage {
    layout: Layout,
    versions: Vec<VersionRow>,
    may_propose: bool,
}

async fn list(State(state): State<AppState>, principal: Principal) -> Result<Response, PageError> {
    let layout = Layout::for_person(&state, &principal, "icp").await?;
    let mut conn = state.store().conn().await?;
    let versions = stored::list(&mut conn)
        .await?
        .iter()
        .map(|v| row(&state, v))
        .collect();
    let may_propose = may_propose(&principal.person.roles);
    page(
        StatusCode::OK,
        &ListPage {
            layout,
            versions,
            may_propose,
        },
    )
}

/// The changes of a version against its segment's live version, in words.
pub struct DiffView {
    pub against: i64,
    pub changes: Vec<ChangeRow>,
}

impl DiffView {
    /// `3 changes: 1 added, 1 removed, 1 changed`, leaving out the kinds there are none of.
    pub fn counts(&self) -> String {
        let counts: Vec<String> = [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed]
            .into_iter()
            .map(|kind| (kind, self.changes.iter().filter(|c| c.kind == kind).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{n} {}", kind.label()))
            .collect();
        let total = self.changes.len();
        let plural = if total == 1 { "" } else { "s" };
        format!("{total} change{plural}: {}", counts.join(", "))
    }
}

#[derive(Template)]
#[template(path = "icp.html")]
struct VersionPage {
    layout: Layout,
    version: VersionRow,
    summary: Option<IcpSummary>,
    /// The rationale, paragraph by paragraph.
    rationale: Vec<String>,
    diff: Option<DiffView>,
    panels: Vec<GatePanel>,
    may_propose: bool,
}

#[derive(Deserialize)]
struct Shown {
    decided: Option<String>,
    proposed: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let mut layout = Layout::for_person(&state, &principal, "icp").await?;
    // The gate page sends the decision back in words: `?decided=approved`.
    let decided = Verdict::ALL
        .iter()
        .find(|v| shown.decided.as_deref() == Some(v.label()));
    let mut conn = state.store().conn().await?;
    let version = stored::get(&mut conn, id).await?.ok_or(PageError {
        status: StatusCode::NOT_FOUND,
        message: format!("no ICP version {id}"),
    })?;
    // What the decision led to, said plainly: the page below is the version as it now is.
    layout.flash = match (decided, version.status) {
        (Some(Verdict::Approve), IcpStatus::Live) => Some(format!(
            "Your approval is recorded, and version {} of {} is live: discovery has started. \
             The worker imports the sources and builds a prospect list; its sample review \
             will wait under My gates.",
            version.version, version.segment
        )),
        (Some(Verdict::Approve), _) => {
            Some("Your approval is recorded; the gate waits for the other approval.".to_string())
        }
        (Some(Verdict::Reject), _) => {
            Some("Your rejection is recorded; the version will not go live.".to_string())
        }
        _ if shown.proposed.is_some() && version.proposed_by == principal.person.name => {
            Some(format!(
                "You proposed version {} of {}. Its approval gate is open below; you made \
                 this version, so two other people decide it.",
                version.version, version.segment
            ))
        }
        _ => None,
    };
    let document = IcpDocument::parse(&version.source_text, &Subject::Icp(id).to_string()).ok();
    let live = stored::live(&mut conn, &version.segment).await?;
    let diff = match (&document, live) {
        (Some(document), Some(live)) if live.id != version.id => {
            IcpDocument::parse(&live.source_text, "live")
                .ok()
                .map(|before| DiffView {
                    against: live.version,
                    changes: summary::changes(&before, document),
                })
        }
        _ => None,
    };
    let subject = Subject::Icp(id).to_string();
    let gates = stored_gates::list(
        &mut conn,
        &GateFilter {
            subject: Some(&subject),
            ..Default::default()
        },
    )
    .await?;
    let panels = gates
        .iter()
        .rev()
        .map(|g| GatePanel::new(&state, g, &principal, None))
        .collect();
    page(
        StatusCode::OK,
        &VersionPage {
            layout,
            summary: document.as_ref().map(summary::of),
            rationale: document
                .map(|d| paragraphs(&d.rationale))
                .unwrap_or_default(),
            version: row(&state, &version),
            diff,
            panels,
            may_propose: may_propose(&principal.person.roles),
        },
    )
}

/// A text's paragraphs (split at blank lines), each on one line.
fn paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = vec![String::new()];
    for line in text.lines().map(str::trim) {
        match (line.is_empty(), paragraphs.last_mut()) {
            (true, _) => paragraphs.push(String::new()),
            (false, Some(last)) if !last.is_empty() => {
                last.push(' ');
                last.push_str(line);
            }
            (false, Some(last)) => last.push_str(line),
            (false, None) => {}
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs
}

#[derive(Template)]
#[template(path = "icp_propose.html")]
struct ProposePage {
    layout: Layout,
    may_propose: bool,
    /// Who may propose, in words.
    proposers: String,
    /// Where the text in the form comes from, in words.
    prefilled_from: String,
    text: String,
    /// The refusal, as `leadgate icp propose` prints it.
    error: Option<String>,
}

#[derive(Deserialize)]
struct ProposeFrom {
    /// The version whose text the form starts from.
    from: Option<i64>,
}

async fn propose_form(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ProposeFrom>,
) -> Result<Response, PageError> {
    let mut conn = state.store().conn().await?;
    let reference = query.from.map(|id| id.to_string());
    // The version asked for; else the live version of the only segment; else the sample.
    let start = match engine_icp::resolve(&mut conn, reference.as_deref()).await {
        Ok(version) => Some(version),
        Err(_) if query.from.is_none() => None,
        Err(e) => return Err(e.into()),
    };
    let (prefilled_from, text) = match start {
        Some(v) => (
            format!(
                "version {} of {} ({})",
                v.version,
                v.segment,
                v.status.label()
            ),
            v.source_text,
        ),
        None => ("the sample ICP".to_string(), SAMPLE_ICP.to_string()),
    };
    render_propose(
        &state,
        &principal,
        prefilled_from,
        text,
        None,
        StatusCode::OK,
    )
    .await
}

async fn render_propose(
    state: &AppState,
    principal: &Principal,
    prefilled_from: String,
    text: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let layout = Layout::for_person(state, principal, "icp").await?;
    let proposers: Vec<&str> = ICP_PROPOSERS.iter().map(|r| r.label()).collect();
    let proposers = match proposers.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => proposers.join(""),
    };
    let view = ProposePage {
        layout,
        may_propose: may_propose(&principal.person.roles),
        proposers,
        prefilled_from,
        text,
        error,
    };
    page(status, &view)
}

/// What the form sent: the typed text, and a file when one was chosen.
#[derive(Default)]
struct Proposal {
    text: String,
    file: Option<(String, String)>,
}

impl Proposal {
    async fn read(mut form: Multipart) -> Result<Proposal, String> {
        let mut proposal = Proposal::default();
        while let Some(field) = form.next_field().await.map_err(|e| e.body_text())? {
            match field.name() {
                // Browsers send a typed text with CRLF line ends; the CLI reads a file's LF.
                Some("toml") => {
                    let text = field.text().await.map_err(|e| e.body_text())?;
                    proposal.text = text.replace("\r\n", "\n");
                }
                Some("file") => {
                    let name = field.file_name().map(file_name).unwrap_or_default();
                    let bytes = field.bytes().await.map_err(|e| e.body_text())?;
                    // A file input left empty still sends a part, with no name and no bytes.
                    if name.is_empty() && bytes.is_empty() {
                        continue;
                    }
                    let text = String::from_utf8(bytes.to_vec())
                        .map_err(|_| format!("{name}: the file is not UTF-8 text"))?;
                    let name = if name.is_empty() {
                        TYPED_ORIGIN.to_string()
                    } else {
                        name
                    };
                    proposal.file = Some((name, text));
                }
                _ => {}
            }
        }
        Ok(proposal)
    }
}

/// A file's name without any folders a browser may send with it.
fn file_name(sent: &str) -> String {
    sent.rsplit(['/', '\\'])
        .next()
        .unwrap_or(sent)
        .trim()
        .to_string()
}

async fn propose(
    State(state): State<AppState>,
    principal: Principal,
    form: Multipart,
) -> Result<Response, PageError> {
    let proposal = match Proposal::read(form).await {
        Ok(proposal) => proposal,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let from = "the sample ICP".to_string();
            let text = SAMPLE_ICP.to_string();
            return render_propose(&state, &principal, from, text, Some(e), status).await;
        }
    };
    let (origin, text, from) = match proposal.file {
        Some((name, text)) => (name.clone(), text, format!("the file {name}")),
        None => (
            TYPED_ORIGIN.to_string(),
            proposal.text,
            "your text".to_string(),
        ),
    };
    let proposed = engine_icp::propose(
        state.store(),
        &principal.person.name,
        &text,
        &origin,
        state.now(),
    )
    .await;
    match proposed {
        Ok(proposed) => {
            let to = format!("/icp/{}?proposed=1", proposed.version.id);
            let to = HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/icp"));
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
        }
        Err(e) => {
            let refusal = PageError::from(e);
            let (error, status) = (Some(refusal.message), refusal.status);
            render_propose(&state, &principal, from, text, error, status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rationale_reads_as_paragraphs() {
        let text = "First line\r\nstill the first.\r\n\r\n\nSecond.\n";

        assert_eq!(paragraphs(text), ["First line still the first.", "Second."]);
    }
}
