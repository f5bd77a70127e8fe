//! Sequences stored as versions, leads enrolled in their variants, and the first-variant
//! gate. A person adds a sequence file (`leadgate sequence add`); they are its author and
//! never decide its gates. Leads that crossed the threshold are enrolled, each in the
//! variant with the fewest leads that can be written for it in full; the first lead of each
//! variant is its sample: its messages are written, kept as the reviewer will see them, and
//! a [`GateKind::VariantApproval`] gate opens on them. The gate's approval keeps the digest
//! of the variant's text; a rejection stops the variant's leads, who may then be enrolled in
//! a new version. Whether a message may go is [`leadgate_core::outreach::enrollment::clearance`].

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::event::EventKind;
use leadgate_core::gate::{GateKind, GateStatus};
use leadgate_core::outreach::enrollment::{VariantStatus, pick_variant};
use leadgate_core::outreach::sequence::Sequence;
use leadgate_core::scoring::lead::LeadStage;
use leadgate_store::Store;
use leadgate_store::gates::{self, Gate};
use leadgate_store::leads as lead_store;
use leadgate_store::outreach::{self as stored, NewSequence, StoredSequence, StoredVariant};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Preview, preview_variant};
use crate::engine::settings::OutreachConfig;
use crate::engine::{Attempted, Conn, Error, Result, announce, person, record, settle};

/// A sequence version as stored, with its variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceVersion {
    #[serde(flatten)]
    pub sequence: StoredSequence,
    pub variants: Vec<StoredVariant>,
}

/// What adding a sequence file did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Added {
    #[serde(flatten)]
    pub version: SequenceVersion,
    /// False when the newest version of the name is this very text: nothing was stored.
    pub new: bool,
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Reads a stored version's TOML again; it was checked when it was added.
pub fn parsed(sequence: &StoredSequence) -> Result<Sequence> {
    Sequence::parse(&sequence.source, &sequence.origin).map_err(|e| {
        Error::corrupt(format!(
            "sequence {} version {}: {e}",
            sequence.name, sequence.version
        ))
    })
}

/// Stores `text` (read from `origin`) as a new version of its sequence, authored by
/// `author`, with a row per variant waiting for its first lead. The same text as the newest
/// version stores nothing.
pub async fn add(
    store: &Store,
    author: &str,
    text: &str,
    origin: &str,
    now: Timestamp,
) -> Result<Added> {
    let actor = Actor::Person(author.to_string());
    let inputs = json!({ "origin": origin, "digest": digest(text) });
    let mut tx = store.begin().await?;
    let checked = async {
        person(&mut tx, author).await?;
        let sequence = Sequence::parse(text, origin).map_err(|e| Error::Invalid(e.to_string()))?;
        let newest = stored::newest_sequence(&mut tx, &sequence.name).await?;
        Ok::<_, Error>((sequence, newest))
    }
    .await;
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::AddSequence,
        subject: &Subject::Sequences,
        inputs: &inputs,
    };
    let ((sequence, newest), mut tx) = settle(checked, tx, store, attempted, now).await?;
    if let Some(newest) = newest.filter(|n| n.digest == digest(text)) {
        let variants = stored::variants_of(&mut tx, newest.id).await?;
        return Ok(Added {
            version: SequenceVersion {
                sequence: newest,
                variants,
            },
            new: false,
        });
    }
    let stored_sequence = stored::insert_sequence(
        &mut tx,
        &NewSequence {
            name: &sequence.name,
            source: text,
            origin,
            digest: &digest(text),
            author,
            added_at: now,
        },
    )
    .await?;
    for name in sequence.variant_names() {
        stored::insert_variant(
            &mut tx,
            stored_sequence.id,
            &name,
            &sequence.variant_digest(&name),
        )
        .await?;
    }
    let variants = stored::variants_of(&mut tx, stored_sequence.id).await?;
    record(
        &mut tx,
        &actor,
        Action::SequenceAdded,
        &Subject::Sequence(stored_sequence.id),
        json!({
            "name": stored_sequence.name,
            "version": stored_sequence.version,
            "origin": origin,
            "digest": stored_sequence.digest,
            "variants": variants.iter().map(|v| json!({ "name": v.name, "digest": v.digest })).collect::<Vec<_>>(),
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Added {
        version: SequenceVersion {
            sequence: stored_sequence,
            variants,
        },
        new: true,
    })
}

/// Every stored sequence version with its variants, by name, newest version first.
pub async fn list(store: &Store) -> Result<Vec<SequenceVersion>> {
    let mut conn = store.conn().await?;
    let mut out = Vec::new();
    for sequence in stored::sequences(&mut conn).await? {
        let variants = stored::variants_of(&mut conn, sequence.id).await?;
        out.push(SequenceVersion { sequence, variants });
    }
    Ok(out)
}

/// The newest version of the sequence named `name`.
pub async fn newest(store: &Store, name: &str) -> Result<SequenceVersion> {
    let mut conn = store.conn().await?;
    let sequence = stored::newest_sequence(&mut conn, name)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no sequence named \"{name}\" (add one with `leadgate sequence add FILE --as NAME`)"
            ))
        })?;
    let variants = stored::variants_of(&mut conn, sequence.id).await?;
    Ok(SequenceVersion { sequence, variants })
}

/// The variants of a sequence's newest version, each compared with variant A.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    /// Each variant's tally, by name.
    pub tallies: Vec<(String, leadgate_core::outreach::ab::Tally)>,
    /// Each variant but A, compared with A.
    pub comparisons: Vec<(String, Vec<leadgate_core::outreach::ab::Comparison>)>,
}

/// Compares the variants of the newest version of `name` on leads interested and meetings
/// booked ([`leadgate_core::outreach::ab`]).
pub async fn compare(store: &Store, name: &str) -> Result<Compared> {
    let version = newest(store, name).await?;
    let mut conn = store.conn().await?;
    let mut tallies = Vec::new();
    for variant in &version.variants {
        let (sent, positive, meetings) = stored::variant_tally(&mut conn, variant.id).await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        tallies.push((
            variant.name.clone(),
            leadgate_core::outreach::ab::Tally {
                sent: count(sent),
                positive_replies: count(positive),
                meetings: count(meetings),
            },
        ));
    }
    let comparisons = match tallies.split_first() {
        Some(((_, a), others)) => others
            .iter()
            .map(|(name, b)| (name.clone(), leadgate_core::outreach::ab::compare(*a, *b)))
            .collect(),
        None => Vec::new(),
    };
    Ok(Compared {
        tallies,
        comparisons,
    })
}

/// What enrolling did for one lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Enrolled {
    /// In the variant; `gate` when its first message now waits at a gate opened for it.
    Enrolled {
        lead: i64,
        variant: String,
        steps: Vec<usize>,
        gate: Option<i64>,
    },
    /// Not enrolled, and why: in a sequence already, or no variant can be written in full
    /// for it (the first missing fact or blocking finding).
    Skipped { lead: i64, why: String },
}

/// One lead's place, decided before anything is written.
struct Placed {
    lead: i64,
    variant: usize,
    steps: Vec<usize>,
    preview: Preview,
}

/// Why a written preview could not go as it is: the first step not written or blocked.
pub(super) fn unsendable(preview: &Preview) -> Option<String> {
    preview.steps.iter().find_map(|step| {
        let at = format!("step {} ({})", step.step, step.channel.label());
        if !step.is_written() {
            let why = [step.subject.as_ref(), Some(&step.body)]
                .into_iter()
                .flatten()
                .find_map(|part| match part {
                    super::Part::Unwritten { why } => Some(why.clone()),
                    super::Part::Written(_) => None,
                })
                .unwrap_or_default();
            return Some(format!("{at} cannot be written: {why}"));
        }
        if !step.is_sendable() {
            let finding = step
                .findings
                .iter()
                .find(|f| f.severity == leadgate_core::outreach::lint::Severity::Block)
                .map(|f| f.message.clone())
                .unwrap_or_default();
            return Some(format!("{at} is blocked: {finding}"));
        }
        None
    })
}

/// Enrolls leads in the newest version of the sequence named `name`: those in `leads`, or
/// every lead in the outreach stage when `leads` is `None`. Each lead gets its channel plan's
/// steps in the variant with the fewest leads that can be written for it in full; a variant's
/// first lead opens its gate. Leads in a sequence already, and leads no variant can be
/// written for, are skipped with the reason.
pub async fn enroll(
    store: &Store,
    name: &str,
    leads: Option<&[i64]>,
    by: &str,
    config: &OutreachConfig,
    now: Timestamp,
) -> Result<Vec<Enrolled>> {
    let actor = Actor::Person(by.to_string());
    let version = newest(store, name).await?;
    let sequence = parsed(&version.sequence)?;
    // Only leads the scoring stage sent to outreach: a lead that has not passed stage 2's
    // sample review and stage 3's threshold is not written to, whoever asks.
    let scored = {
        let mut conn = store.conn().await?;
        lead_store::current(&mut conn, None).await?
    };
    let in_outreach = |lead: i64| {
        scored
            .iter()
            .find(|s| s.contact_id == lead)
            .map(|s| (s.stage, s.score))
    };
    let mut outcomes = Vec::new();
    let candidates: Vec<i64> = match leads {
        Some(leads) => leads
            .iter()
            .copied()
            .filter(|&lead| match in_outreach(lead) {
                Some((LeadStage::Outreach, _)) => true,
                Some((stage, score)) => {
                    outcomes.push(Enrolled::Skipped {
                        lead,
                        why: format!(
                            "in {} (score {score}): only leads at or above the threshold are written to",
                            stage.label()
                        ),
                    });
                    false
                }
                None => {
                    outcomes.push(Enrolled::Skipped {
                        lead,
                        why: "not a scored lead: a contact reaches outreach through an approved \
                              prospect list and the live scoring model"
                            .to_string(),
                    });
                    false
                }
            })
            .collect(),
        None => scored
            .iter()
            .filter(|s| s.stage == LeadStage::Outreach)
            .map(|s| s.contact_id)
            .collect(),
    };
    // Writing every candidate's messages reads only: it is done before the transaction.
    let mut counts: Vec<(String, VariantStatus, u64)> = version
        .variants
        .iter()
        .map(|v| (v.name.clone(), v.status, v.enrolled.max(0) as u64))
        .collect();
    let mut placed = Vec::new();
    for lead in candidates {
        {
            let mut conn = store.conn().await?;
            if let Some(active) = stored::active_enrollment(&mut conn, lead).await? {
                let why = match stored::sequence(&mut conn, active.sequence_id).await? {
                    Some(s) => format!("in sequence \"{}\" version {} already", s.name, s.version),
                    None => "in a sequence already".to_string(),
                };
                outcomes.push(Enrolled::Skipped { lead, why });
                continue;
            }
        }
        let facts = super::lead_facts(store, lead).await?;
        let steps = leadgate_core::outreach::plan::plan(&facts, &config.plan).steps(&sequence);
        let mut order: Vec<usize> = (0..counts.len()).collect();
        let mut last_why = None;
        let mut chosen = None;
        while let Some(name) =
            pick_variant(&order.iter().map(|&i| counts[i].clone()).collect::<Vec<_>>())
                .map(str::to_string)
        {
            let i = counts
                .iter()
                .position(|(n, _, _)| *n == name)
                .expect("picked from the list");
            let preview =
                preview_variant(store, &sequence, &name, &steps, lead, config, now).await?;
            match unsendable(&preview) {
                None => {
                    chosen = Some((i, preview));
                    break;
                }
                Some(why) => {
                    last_why = Some(format!("variant {name}: {why}"));
                    order.retain(|&j| j != i);
                }
            }
        }
        match chosen {
            Some((variant, preview)) => {
                counts[variant].2 += 1;
                placed.push(Placed {
                    lead,
                    variant,
                    steps,
                    preview,
                });
            }
            None => outcomes.push(Enrolled::Skipped {
                lead,
                why: last_why.unwrap_or_else(|| "every variant was rejected at its gate".into()),
            }),
        }
    }
    let inputs = json!({ "sequence": version.sequence.id, "leads": leads });
    let mut tx = store.begin().await?;
    let checked = person(&mut tx, by).await.map(|_| ());
    let attempted = Attempted {
        actor: &actor,
        action: Attempt::Enroll,
        subject: &Subject::Sequence(version.sequence.id),
        inputs: &inputs,
    };
    let ((), mut tx) = settle(checked, tx, store, attempted, now).await?;
    for Placed {
        lead,
        variant,
        steps,
        preview,
    } in placed
    {
        let stored_variant = &version.variants[variant];
        if stored::enroll(&mut tx, lead, stored_variant, &steps, by, now)
            .await?
            .is_none()
        {
            outcomes.push(Enrolled::Skipped {
                lead,
                why: "enrolled in a sequence meanwhile".to_string(),
            });
            continue;
        }
        record(
            &mut tx,
            &actor,
            Action::LeadEnrolled,
            &Subject::Lead(lead),
            json!({
                "sequence": version.sequence.id,
                "name": version.sequence.name,
                "version": version.sequence.version,
                "variant": stored_variant.name,
                "steps": steps,
            }),
            now,
        )
        .await?;
        let gate =
            open_gate_if_first(&mut tx, &version.sequence, stored_variant, &preview, now).await?;
        outcomes.push(Enrolled::Enrolled {
            lead,
            variant: stored_variant.name.clone(),
            steps,
            gate,
        });
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Opens the variant's gate on `preview` if the variant still waits for its first lead.
async fn open_gate_if_first(
    tx: &mut Conn,
    sequence: &StoredSequence,
    variant: &StoredVariant,
    preview: &Preview,
    now: Timestamp,
) -> Result<Option<i64>> {
    let current = stored::variant(tx, variant.id)
        .await?
        .ok_or_else(|| Error::corrupt(format!("sequence variant {} vanished", variant.id)))?;
    if current.status != VariantStatus::Waiting {
        return Ok(None);
    }
    let subject = Subject::Variant(variant.id);
    let summary = format!(
        "variant {} of \"{}\" (version {}), written for lead {}",
        variant.name, sequence.name, sequence.version, preview.lead
    );
    let gate = gates::open(
        tx,
        GateKind::VariantApproval,
        &subject,
        &summary,
        Some(&sequence.author),
        now,
    )
    .await?
    .ok_or_else(|| Error::Conflict(format!("a gate is already open for {subject}")))?;
    let sample = serde_json::to_value(preview)
        .map_err(|e| Error::corrupt(format!("the sample of {subject}: {e}")))?;
    stored::put_in_review(tx, variant.id, gate.id, preview.lead, &sample).await?;
    record(
        tx,
        &Actor::System,
        Action::GateOpened,
        &Subject::Gate(gate.id),
        json!({ "kind": gate.kind, "subject": subject, "required_roles": gate.required_roles, "lead": preview.lead }),
        now,
    )
    .await?;
    Ok(Some(gate.id))
}

/// The variant a first-variant gate decides.
pub async fn variant_of_gate(conn: &mut Conn, gate: &Gate) -> Result<StoredVariant> {
    let Subject::Variant(id) = gate.subject else {
        return Err(Error::corrupt(format!(
            "gate {} has no sequence variant subject ({})",
            gate.id, gate.subject
        )));
    };
    stored::variant(conn, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("sequence variant {id} does not exist")))
}

/// The sample lead's messages as the variant's reviewer sees them, once written.
pub fn sample(variant: &StoredVariant) -> Result<Option<Preview>> {
    variant
        .sample
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| {
            Error::corrupt(format!(
                "the sample of sequence variant {}: {e}",
                variant.id
            ))
        })
}

/// What the first-variant gate's decision does: an approval keeps the approved digest and
/// clears the variant; a rejection stops its leads (they may join a new version).
pub async fn on_gate_closed(
    conn: &mut Conn,
    gate: &Gate,
    status: GateStatus,
    now: Timestamp,
) -> Result<()> {
    let variant = variant_of_gate(conn, gate).await?;
    let payload = json!({
        "sequence": variant.sequence_id,
        "variant": variant.name,
        "digest": variant.digest,
        "gate": gate.id,
    });
    match status {
        GateStatus::Approved => {
            stored::decide_variant(
                conn,
                variant.id,
                VariantStatus::Approved,
                Some(&variant.digest),
                now,
            )
            .await?;
            announce(
                conn,
                Action::VariantApproved,
                EventKind::VariantApproved,
                &gate.subject,
                payload,
                now,
            )
            .await
        }
        GateStatus::Rejected => {
            stored::decide_variant(conn, variant.id, VariantStatus::Rejected, None, now).await?;
            let reason = format!("variant {} was rejected at gate {}", variant.name, gate.id);
            let stopped = stored::stop_variant(conn, variant.id, &reason, now).await?;
            let mut payload = payload;
            payload["stopped"] = json!(stopped);
            announce(
                conn,
                Action::VariantRejected,
                EventKind::VariantRejected,
                &gate.subject,
                payload,
                now,
            )
            .await
        }
        GateStatus::Open | GateStatus::Cancelled => Ok(()),
    }
}
