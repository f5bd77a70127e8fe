//! Stage 4, outreach. This module writes a sequence for one lead, linted and checked for
//! compliance (the footer and the GDPR notice leadgate adds, and stage 2's verdict on
//! whether the contact may be e-mailed at all); [`sequences`] stores sequences, enrolls leads
//! and runs the first-message gate; [`send`] is the outbox; [`replies`] reads what comes
//! back, and [`inbox`] fetches it from the sending mailboxes over IMAP; the one-click
//! unsubscribe is here. A configured model writes the opener ([`ModelOpener`]), checked
//! claim by claim before it is used. The lead's facts are
//! gathered with their sources — the survivors of its resolved profile and the newest
//! answer of each enrichment field — and every step and variant of the sequence is rendered
//! from them alone ([`leadgate_core::outreach::compose`]), each claim keeping the fact it
//! rests on. A step the lead lacks a fact for says which, instead of rendering around it.

use jiff::{SignedDuration, Timestamp};
use leadgate_connectors::llm;
use leadgate_core::discovery::compliance::Assessment;
use leadgate_core::discovery::normalize::Email;
use leadgate_core::enrichment::EnrichField;
use leadgate_core::outreach::compliance::{self, Recipient};
use leadgate_core::outreach::compose::{self, Fact, Rendered, Sender};
use leadgate_core::outreach::lint::{self, Finding};
use leadgate_core::outreach::sequence::{Channel, Sequence, VariantStep, When};
use leadgate_core::outreach::writer::{self, Opener};
use leadgate_store::Store;
use leadgate_store::discovery as discovery_store;
use leadgate_store::outreach as outreach_store;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::settings::OutreachConfig;
use super::{Error, Result, auth};

pub mod inbox;
pub mod replies;
pub mod send;
pub mod sequences;

/// One step and variant of a sequence, as it would read for one lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepPreview {
    /// From 1.
    pub step: usize,
    pub variant: String,
    pub channel: Channel,
    pub delay_days: u32,
    pub when: Option<When>,
    /// E-mail only.
    pub subject: Option<Part>,
    pub body: Part,
    /// E-mail: the notice of where the data came from, on the first e-mail to a contact
    /// under the GDPR; written by leadgate after the body.
    pub notice: Option<String>,
    /// E-mail: the footer leadgate adds — the sender's postal address and the opt-out.
    pub footer: Option<String>,
    /// What the copy linter and the compliance checks flag in the written text (none when it is not written).
    pub findings: Vec<Finding>,
}

impl StepPreview {
    /// Whether the step can be written for the lead.
    pub fn is_written(&self) -> bool {
        self.body.is_written() && self.subject.as_ref().is_none_or(Part::is_written)
    }

    /// Whether the step, written, could go as it is: no linter finding blocks it.
    pub fn is_sendable(&self) -> bool {
        self.is_written() && !lint::blocks(&self.findings)
    }
}

/// A subject or body rendered for the lead, or why it cannot be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Part {
    Written(Rendered),
    /// A fact the template names is missing for this lead (or the template failed).
    Unwritten {
        why: String,
    },
}

impl Part {
    pub fn is_written(&self) -> bool {
        matches!(self, Part::Written(_))
    }
}

/// A sequence rendered for one lead, with the facts its claims cite (by index).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub lead: i64,
    pub sequence: String,
    pub facts: Vec<Fact>,
    pub steps: Vec<StepPreview>,
    /// What the model writer did, when one is configured and a step prints `{{ opener }}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<ModelOpener>,
}

/// What the model writer did for one lead: the opener it wrote, or why the template's own
/// opener is printed instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ModelOpener {
    /// It wrote the opener the messages print; every claim in it cites a fact.
    Written { model: String, text: String },
    /// Its answer failed a check; the template's opener is printed.
    Rejected {
        model: String,
        answer: String,
        why: String,
    },
    /// It gave no answer; the template's opener is printed.
    Failed { model: String, why: String },
}

impl ModelOpener {
    /// One line for people: what the model did and what the messages print.
    pub fn describe(&self) -> String {
        match self {
            ModelOpener::Written { model, .. } => format!(
                "the opener was written by the model {model}; each of its claims cites a fact"
            ),
            ModelOpener::Rejected { model, why, .. } => format!(
                "the model {model}'s opener was rejected ({why}); the template's own opener is used"
            ),
            ModelOpener::Failed { model, why } => format!(
                "the model {model} gave no opener ({why}); the template's own opener is used"
            ),
        }
    }
}

/// Asks the configured model for the lead's opener, if there is a model and `wanted` (some
/// text prints `{{ opener }}`): what it did, and the opener when it passed every check.
async fn ask_writer(
    outreach: &OutreachConfig,
    wanted: bool,
    facts: &[Fact],
    now: Timestamp,
) -> (Option<ModelOpener>, Option<Opener>) {
    let Some(config) = outreach.writer.as_ref().filter(|_| wanted) else {
        return (None, None);
    };
    let endpoint = llm::Endpoint {
        base_url: config.base_url.clone(),
        model: config.model.clone(),
        key_variable: config.api_key_env.clone(),
        timeout: std::time::Duration::from_secs(config.timeout_seconds),
    };
    let model = config.model.clone();
    let failed = |e: llm::LlmError| {
        (
            Some(ModelOpener::Failed {
                model: model.clone(),
                why: e.to_string(),
            }),
            None,
        )
    };
    let client = match llm::ChatModel::new(endpoint) {
        Ok(client) => client,
        Err(e) => return failed(e),
    };
    let answer = match client
        .complete(&writer::prompt(facts, &outreach.sender))
        .await
    {
        Ok(answer) => answer,
        Err(e) => return failed(e),
    };
    match writer::accept(&model, &answer, facts, &outreach.sender, now) {
        Ok(opener) => (
            Some(ModelOpener::Written {
                model,
                text: opener.text.clone(),
            }),
            Some(opener),
        ),
        Err(rejected) => (
            Some(ModelOpener::Rejected {
                model,
                answer,
                why: rejected.to_string(),
            }),
            None,
        ),
    }
}

/// Whether a step text prints `{{ opener }}`.
fn prints_opener(text: &VariantStep<'_>) -> bool {
    compose::template_uses_opener(&text.variant.body)
        || text
            .variant
            .subject
            .as_deref()
            .is_some_and(compose::template_uses_opener)
}

/// The facts of a contact, oldest first (so the newest of a field is the last): its
/// profile's survivors and its enrichment answers, each with its source and record.
pub async fn lead_facts(store: &Store, contact: i64) -> Result<Vec<Fact>> {
    Ok(lead(store, contact).await?.1)
}

/// A contact's newest prospect row (its compliance verdict) and its facts.
async fn lead(store: &Store, contact: i64) -> Result<(discovery_store::Prospect, Vec<Fact>)> {
    let mut conn = store.conn().await?;
    let prospect = discovery_store::prospects_of_contact(&mut conn, contact)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotFound(format!("no lead {contact}: no prospect list holds it")))?;
    let mut facts = Vec::new();
    for side in ["person", "company"] {
        let fields = prospect.profile.get(side).and_then(Value::as_object);
        for (field, survivor) in fields.into_iter().flatten() {
            let text = |key: &str| survivor.get(key).and_then(Value::as_str);
            let Some(value) = survivor.get("value").map(as_text).filter(|v| !v.is_empty()) else {
                continue;
            };
            facts.push(Fact {
                field: field.clone(),
                value,
                source: text("source").unwrap_or_default().to_string(),
                record: text("record_id").and_then(|r| r.parse().ok()),
                observed_at: text("observed_at").and_then(|t| t.parse().ok()),
            });
        }
    }
    for record in discovery_store::records_of(&mut conn, &[contact]).await? {
        for field in EnrichField::ALL {
            let Some(value) = record.facts.get(field.as_str()).map(as_text) else {
                continue;
            };
            if value.is_empty()
                || facts
                    .iter()
                    .any(|f| f.field == field.as_str() && f.value == value)
            {
                continue;
            }
            facts.push(Fact {
                field: field.as_str().to_string(),
                value,
                source: record.source.clone(),
                record: Some(record.id),
                observed_at: Some(record.observed_at),
            });
        }
    }
    facts.sort_by_key(|f| f.observed_at.unwrap_or(Timestamp::MIN));
    Ok((prospect, facts))
}

/// What stage 2 decided about mailing the contact, and where its details came from. A
/// verdict that cannot be read blocks: unknown is not a pass.
fn recipient(prospect: &discovery_store::Prospect, facts: &[Fact]) -> Recipient {
    let mut sources: Vec<String> = Vec::new();
    for fact in facts {
        if !fact.source.is_empty() && !sources.contains(&fact.source) {
            sources.push(fact.source.clone());
        }
    }
    let assessment = prospect
        .evaluation
        .get("compliance")
        .cloned()
        .and_then(|v| serde_json::from_value::<Assessment>(v).ok());
    match assessment {
        Some(a) => Recipient {
            jurisdiction: Some(a.jurisdiction),
            blocked: (!a.may_email()).then(|| a.reason.clone()),
            sources,
        },
        None => Recipient {
            jurisdiction: None,
            blocked: Some("stage 2 left no compliance verdict for this contact".to_string()),
            sources,
        },
    }
}

/// A fact's value as a message prints it: text as it is, a list joined with commas.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A written body the channel cannot carry is not written (a LinkedIn note over 300
/// characters is refused by LinkedIn, so the rep could not send it).
fn fits(channel: Channel, part: Part) -> Part {
    match (&part, channel.max_body_chars()) {
        (Part::Written(rendered), Some(max)) if rendered.text.chars().count() > max => {
            Part::Unwritten {
                why: format!(
                    "{} characters for this lead; a {} takes at most {max}",
                    rendered.text.chars().count(),
                    channel.label()
                ),
            }
        }
        _ => part,
    }
}

/// One step's message, written for the lead: what the linter and the compliance checks read.
struct Written<'a> {
    subject: Option<&'a Rendered>,
    body: &'a Rendered,
    notice: Option<&'a str>,
    footer: Option<&'a str>,
}

impl Written<'_> {
    /// The linter's findings, and for an e-mail the compliance checks' on its whole text
    /// (body, notice, footer). Step `index` counts from 0; a sequence's first touch replies
    /// to nothing, later ones follow its own thread.
    fn findings(
        &self,
        index: usize,
        channel: Channel,
        first_email: bool,
        recipient: &Recipient,
        sender: &Sender,
    ) -> Vec<Finding> {
        let claims = self.body.claims.len() + self.subject.map_or(0, |s| s.claims.len());
        let context = lint::Context {
            in_thread: index > 0,
            claims,
        };
        let subject = self.subject.map(|s| s.text.as_str());
        let mut findings = lint::lint(subject, &self.body.text, context);
        if channel == Channel::Email {
            let whole = [Some(self.body.text.as_str()), self.notice, self.footer]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n\n");
            findings.extend(compliance::check(&whole, first_email, recipient, sender));
        }
        findings
    }
}

/// Every step and variant of `sequence` rendered for `contact` at `now`.
pub async fn preview(
    store: &Store,
    sequence: &Sequence,
    contact: i64,
    outreach: &OutreachConfig,
    now: Timestamp,
) -> Result<Preview> {
    let texts = sequence
        .steps
        .iter()
        .enumerate()
        .flat_map(|(index, step)| {
            step.all_variants()
                .into_iter()
                .map(move |variant| VariantStep {
                    index,
                    step,
                    variant,
                })
        })
        .collect();
    written(store, sequence, texts, contact, outreach, now).await
}

/// The steps numbered in `steps` (from 1) as variant `variant` of `sequence` sends them,
/// rendered for `contact` at `now`: what that lead would get.
pub async fn preview_variant(
    store: &Store,
    sequence: &Sequence,
    variant: &str,
    steps: &[usize],
    contact: i64,
    outreach: &OutreachConfig,
    now: Timestamp,
) -> Result<Preview> {
    let texts = sequence
        .as_variant(variant)
        .into_iter()
        .filter(|v| steps.contains(&(v.index + 1)))
        .collect();
    written(store, sequence, texts, contact, outreach, now).await
}

/// `texts` written for `contact`, with the model's opener when one is configured.
async fn written(
    store: &Store,
    sequence: &Sequence,
    texts: Vec<VariantStep<'_>>,
    contact: i64,
    outreach: &OutreachConfig,
    now: Timestamp,
) -> Result<Preview> {
    let (prospect, facts) = lead(store, contact).await?;
    let wanted = texts.iter().any(prints_opener);
    let (writer, opener) = ask_writer(outreach, wanted, &facts, now).await;
    let steps = write(
        texts.into_iter(),
        sequence,
        &prospect,
        &facts,
        &outreach.sender,
        opener.as_ref(),
        now,
    );
    Ok(Preview {
        lead: contact,
        sequence: sequence.name.clone(),
        facts,
        steps,
        writer,
    })
}

/// Renders each step text for the lead and checks it: the one place a message is written.
fn write<'a>(
    texts: impl Iterator<Item = VariantStep<'a>>,
    sequence: &Sequence,
    prospect: &discovery_store::Prospect,
    facts: &[Fact],
    sender: &Sender,
    opener: Option<&Opener>,
    now: Timestamp,
) -> Vec<StepPreview> {
    let recipient = recipient(prospect, facts);
    let first_email = sequence
        .steps
        .iter()
        .position(|s| s.channel == Channel::Email);
    let write = |template: &str| match compose::render_with(template, facts, sender, now, opener) {
        Ok(rendered) => Part::Written(rendered),
        Err(e) if e.0.contains("`sender.") => Part::Unwritten {
            why: format!(
                "{} — who writes is set in [outreach.sender] of leadgate.toml",
                e.0
            ),
        },
        Err(e) => Part::Unwritten { why: e.0 },
    };
    let mut steps = Vec::new();
    for VariantStep {
        index: i,
        step,
        variant,
    } in texts
    {
        let is_email = step.channel == Channel::Email;
        let subject = variant.subject.as_deref().map(write);
        let body = match (is_email, compose::newest_known(facts, "email")) {
            (true, None) => Part::Unwritten {
                why: "the lead has no e-mail address".to_string(),
            },
            _ => fits(step.channel, write(&variant.body)),
        };
        let notice = (is_email && first_email == Some(i) && recipient.needs_notice())
            .then(|| compliance::notice(sender, &recipient.sources));
        let footer = is_email.then(|| compliance::footer(sender));
        let findings = match (&subject, &body) {
            (None | Some(Part::Written(_)), Part::Written(body_text)) => {
                let subject_text = match &subject {
                    Some(Part::Written(s)) => Some(s),
                    _ => None,
                };
                let written = Written {
                    subject: subject_text,
                    body: body_text,
                    notice: notice.as_deref(),
                    footer: footer.as_deref(),
                };
                let first_email = first_email == Some(i);
                written.findings(i, step.channel, first_email, &recipient, sender)
            }
            _ => Vec::new(),
        };
        steps.push(StepPreview {
            step: i + 1,
            variant: variant.name.clone(),
            channel: step.channel,
            delay_days: step.delay_days,
            when: step.when.clone(),
            subject,
            body,
            notice,
            footer,
            findings,
        });
    }
    steps
}

/// How long an unsubscribe link works: a year, well past the 60 days a recipient may
/// reasonably come back to an old message.
pub const UNSUBSCRIBE_DAYS: i64 = 365;

/// A new one-click unsubscribe token for `email`, to go into a message's link; only its
/// digest is kept.
pub async fn unsubscribe_token(store: &Store, email: &str, now: Timestamp) -> Result<String> {
    let email = Email::parse(email)
        .map_err(|e| Error::Invalid(format!("{email:?} is not an e-mail address: {e}")))?;
    let token = auth::random_secret()?;
    let mut conn = store.conn().await?;
    outreach_store::issue_unsubscribe(
        &mut conn,
        &auth::digest(&token),
        email.as_str(),
        now,
        now + SignedDuration::from_hours(24 * UNSUBSCRIBE_DAYS),
    )
    .await?;
    Ok(token)
}

/// What an unsubscribe did: the address as shown back (masked), and whether it was on the
/// suppression list already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unsubscribed {
    pub shown: String,
    pub already: bool,
}

/// Puts the address of an unsubscribe token on the suppression list at once. Using a link
/// again changes nothing and says so; a link leadgate did not issue is not found, and one
/// past its time is refused (the recipient can still reply "stop").
pub async fn unsubscribe(store: &Store, token: &str, now: Timestamp) -> Result<Unsubscribed> {
    let digest = auth::digest(token.trim());
    let mut tx = store.begin().await?;
    let found = outreach_store::unsubscribe_token(&mut tx, &digest)
        .await?
        .ok_or_else(|| Error::NotFound("this unsubscribe link is not one of ours".to_string()))?;
    if now > found.expires_at && found.used_at.is_none() {
        return Err(Error::Conflict(
            "this unsubscribe link is too old to use: reply \"stop\" to the message instead"
                .to_string(),
        ));
    }
    let email = Email::parse(&found.email)
        .map_err(|e| Error::corrupt(format!("unsubscribe token for {:?}: {e}", found.email)))?;
    let added =
        super::discovery::suppress::add_requested(&mut tx, &email, "unsubscribe link", now).await?;
    outreach_store::use_unsubscribe(&mut tx, &digest, now).await?;
    tx.commit().await?;
    Ok(Unsubscribed {
        shown: masked(email.as_str()),
        already: !added,
    })
}

/// The address a token unsubscribes, masked, without using it: what the page asks about.
pub async fn unsubscribe_address(store: &Store, token: &str) -> Result<String> {
    let mut conn = store.conn().await?;
    outreach_store::unsubscribe_token(&mut conn, &auth::digest(token.trim()))
        .await?
        .map(|t| masked(&t.email))
        .ok_or_else(|| Error::NotFound("this unsubscribe link is not one of ours".to_string()))
}

/// `a***@acme.com`: enough for the owner to recognise, not enough to harvest.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Part {
        Part::Written(Rendered {
            text: text.to_string(),
            claims: Vec::new(),
            rests_on: Default::default(),
            opener: None,
            written_by: None,
        })
    }

    #[test]
    fn a_linkedin_note_over_its_cap_is_not_written() {
        let long = "x".repeat(301);

        let note = fits(Channel::LinkedinConnect, written(&long));
        let email = fits(Channel::Email, written(&long));
        let short = fits(Channel::LinkedinConnect, written("Glad to connect."));

        assert!(
            matches!(&note, Part::Unwritten { why } if why.starts_with("301 characters")),
            "{note:?}"
        );
        assert!(email.is_written());
        assert!(short.is_written());
    }
}
