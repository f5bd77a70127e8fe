//! Erasure at a person's request (GDPR Art. 17, the right to erasure; CCPA's right to
//! delete), by evidence, not by cluster: the records erased are those that carry the
//! request's own keys — the address, a LinkedIn profile the request gives or that a record
//! with the address carries, a source's id of the person — and records a person chose after
//! a dry run. A wrong merge must not make one person's erasure delete someone else, so the
//! other records of the same contact are not erased: the dry run lists them as "merged with
//! this person, not matched by the request", for a person to decide (`--record ID` erases
//! them too), and the audit entry says which were erased and which were left.
//!
//! Each erased record goes with every fact, and so do the merges whose evidence quotes it
//! and the list places of every contact that held it (rebuilt from what is left by the
//! next discovery run). A contact with nothing left stays as an id with the status
//! `erased`, so that lists, gates and the audit log still add up. Only one-way hashes stay:
//! of the address and of each profile the erased records carried, on the suppression list,
//! so that the next export that brings the person back is refused at import and never
//! mailed. The audit entry names the hash, never the address. Rows with the address are
//! removed from the reject files of earlier imports too.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use leadgate_connectors::import::scrub_reject_file;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::discovery::compliance::{SuppressionKind, erasure_hash, profile_erasure_hash};
use leadgate_core::discovery::normalize::{Email, LinkedInUrl};
use leadgate_core::role::Role;
use leadgate_store::discovery::{
    self as stored, ErasedIds, ErasedRows, Record, RecordKey, Suppression,
};
use leadgate_store::{Conn, Store};
use serde::Serialize;
use serde_json::json;

use crate::engine::{Attempted, Error, Result, person, record, settle};

/// What an erasure request names the person by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// The person's e-mail address.
    pub email: String,
    /// LinkedIn profile URLs the person gave.
    pub linkedin: Vec<String>,
    /// A source's id of the person, as `SOURCE:ID` (`hubspot:48213`).
    pub source_ids: Vec<String>,
    /// Records a person decided to erase too after a dry run listed them as merged with
    /// this person but not matched by the request.
    pub records: Vec<i64>,
}

impl Request {
    /// A request that names only an address.
    pub fn email(address: &str) -> Request {
        Request {
            email: address.to_string(),
            ..Request::default()
        }
    }
}

/// Why a record is erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The record carries the requested address.
    Address,
    /// The record carries a profile the request gives, or one a record with the address
    /// carries.
    Profile,
    /// The record is the source's record with the requested id.
    SourceId,
    /// A person chose it after a dry run.
    Chosen,
}

impl MatchedBy {
    /// How the pages and the CLI say it.
    pub fn label(self) -> &'static str {
        match self {
            MatchedBy::Address => "the address",
            MatchedBy::Profile => "a profile of the person",
            MatchedBy::SourceId => "the source id",
            MatchedBy::Chosen => "chosen after a dry run",
        }
    }
}

/// A record the erasure deletes.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErasedRecord {
    pub id: i64,
    pub contact: i64,
    pub source: String,
    pub matched_by: MatchedBy,
}

/// A person the erasure takes: a contact that holds erased records, named as those records
/// name it, so that whoever runs the dry run can check it is the person who asked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ErasedPerson {
    pub contact: i64,
    /// The name the first of its erased records gives, as the source wrote it.
    pub name: Option<String>,
    /// The address the first of its erased records carries.
    pub email: Option<String>,
    /// How many of the contact's records are erased.
    pub records: u64,
}

/// A record merged into the same contact as the person, which the request does not match:
/// left as it is, for a person to decide. What it says is shown so that they can.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NotMatched {
    pub id: i64,
    pub contact: i64,
    pub source: String,
    pub source_record_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub linkedin: Option<String>,
}

/// What an erasure did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// The address's erasure marker, as the suppression list keeps it.
    pub hash: String,
    /// The contacts erased whole: every record they held matched the request.
    pub contacts: Vec<i64>,
    /// The records erased, each with what matched it.
    pub erased: Vec<ErasedRecord>,
    /// On a dry run, the people it would erase, one per contact. Empty on the erasure
    /// itself: what it answers may be kept (a terminal, a ticket), so it names no one.
    pub people: Vec<ErasedPerson>,
    /// Records merged with this person that the request does not match: not erased.
    pub not_matched: Vec<NotMatched>,
    pub records: u64,
    pub merges: u64,
    pub prospects: u64,
    /// Engagement records of the address (page views, e-mail opens, …) deleted; none on a
    /// dry run.
    pub engagement: u64,
    /// What the later stages kept of the contacts that held an erased record — their lead
    /// scores (which copy the name and address) and enrichment's cached values and problems
    /// about them — deleted; none on a dry run. What is left of a contact is enriched and
    /// scored again by the next runs.
    pub derived: u64,
    /// LinkedIn profiles of the erased records, kept as markers too.
    pub profiles: usize,
    /// Rows with the address removed from the reject files of earlier imports (the files
    /// written for fixing rows that could not be read); none on a dry run.
    pub reject_rows: usize,
    pub dry_run: bool,
}

/// Whether a person with these roles may erase people: an admin or sales ops.
pub fn may_erase(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::SalesOps))
}

/// The request's keys, read and normalised.
struct Keys {
    email: Email,
    profiles: Vec<String>,
    source_ids: Vec<(String, String)>,
}

fn keys_of(request: &Request) -> Result<Keys> {
    let address = &request.email;
    let email = Email::parse(address)
        .map_err(|e| Error::Invalid(format!("{address:?} is not an e-mail address: {e}")))?;
    let profiles = request
        .linkedin
        .iter()
        .map(|url| {
            LinkedInUrl::parse(url)
                .map(|p| p.slug().to_string())
                .map_err(|e| Error::Invalid(format!("{url:?} is not a LinkedIn profile: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let source_ids = request
        .source_ids
        .iter()
        .map(|text| match text.split_once(':') {
            Some((source, id)) if !source.trim().is_empty() && !id.trim().is_empty() => {
                Ok((source.trim().to_string(), id.trim().to_string()))
            }
            _ => Err(Error::Invalid(format!(
                "source id {text:?} is not SOURCE:ID (hubspot:48213)"
            ))),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Keys {
        email,
        profiles,
        source_ids,
    })
}

/// The records the request's evidence matches, each with the first reason it matched.
async fn matched_records(
    conn: &mut Conn,
    keys: &Keys,
    chosen: &[i64],
) -> Result<BTreeMap<i64, (Record, MatchedBy)>> {
    type Matched = BTreeMap<i64, (Record, MatchedBy)>;
    fn add(matched: &mut Matched, records: Vec<Record>, why: MatchedBy) {
        for r in records {
            matched.entry(r.id).or_insert((r, why));
        }
    }
    let mut matched = Matched::new();
    add(
        &mut matched,
        stored::records_with_key(conn, RecordKey::Email(keys.email.as_str())).await?,
        MatchedBy::Address,
    );
    // A profile carried on the same record as the address is the person's own; a profile
    // reached only through a merge is not.
    let mut profiles: BTreeSet<String> = keys.profiles.iter().cloned().collect();
    profiles.extend(matched.values().filter_map(|(r, _)| r.linkedin.clone()));
    for slug in &profiles {
        add(
            &mut matched,
            stored::records_with_key(conn, RecordKey::Linkedin(slug)).await?,
            MatchedBy::Profile,
        );
    }
    for (source, id) in &keys.source_ids {
        add(
            &mut matched,
            stored::records_with_key(conn, RecordKey::SourceId { source, id }).await?,
            MatchedBy::SourceId,
        );
    }
    if !chosen.is_empty() {
        let found = stored::records_by_id(conn, chosen).await?;
        let contacts: BTreeSet<i64> = matched.values().map(|(r, _)| r.contact_id).collect();
        for id in chosen {
            match found.iter().find(|r| r.id == *id) {
                None => return Err(Error::Invalid(format!("there is no record {id}"))),
                Some(r) if !contacts.contains(&r.contact_id) => {
                    return Err(Error::Invalid(format!(
                        "record {id} is not merged with the person the request names: only \
                         records a dry run lists as not matched can be chosen"
                    )));
                }
                Some(_) => {}
            }
        }
        add(&mut matched, found, MatchedBy::Chosen);
    }
    Ok(matched)
}

fn text_fact(record: &Record, key: &str) -> Option<String> {
    record
        .facts
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn name_of(record: &Record) -> Option<String> {
    text_fact(record, "full_name").or_else(|| {
        let parts: Vec<String> = ["first_name", "last_name"]
            .iter()
            .filter_map(|k| text_fact(record, k))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// The contacts the matched records belong to, each named by the first of its records that
/// gives a name and the first that carries an address.
fn people_of(matched: &BTreeMap<i64, (Record, MatchedBy)>) -> Vec<ErasedPerson> {
    let mut people: BTreeMap<i64, ErasedPerson> = BTreeMap::new();
    for (record, _) in matched.values() {
        let person = people
            .entry(record.contact_id)
            .or_insert_with(|| ErasedPerson {
                contact: record.contact_id,
                name: None,
                email: None,
                records: 0,
            });
        person.records += 1;
        person.name = person.name.take().or_else(|| name_of(record));
        person.email = person.email.take().or_else(|| record.email.clone());
    }
    people.into_values().collect()
}

/// What an erasure removes, decided from the request's evidence before anything changes.
struct Plan {
    erased: Vec<ErasedRecord>,
    people: Vec<ErasedPerson>,
    not_matched: Vec<NotMatched>,
    /// Contacts with nothing left, and those merged into them.
    whole: Vec<i64>,
    /// Contacts whose list places go: those that held an erased record, and those merged
    /// into them.
    placed: Vec<i64>,
    /// Merges whose evidence quotes an erased record, or into or out of a whole contact.
    merge_ids: Vec<i64>,
    /// The LinkedIn profiles of the erased records, kept as markers.
    profiles: Vec<String>,
}

async fn plan(conn: &mut Conn, keys: &Keys, chosen: &[i64]) -> Result<Plan> {
    let matched = matched_records(conn, keys, chosen).await?;
    let touched: Vec<i64> = matched
        .values()
        .map(|(r, _)| r.contact_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let not_matched: Vec<NotMatched> = stored::records_of(&mut *conn, &touched)
        .await?
        .into_iter()
        .filter(|r| !matched.contains_key(&r.id))
        .map(|r| NotMatched {
            name: name_of(&r),
            id: r.id,
            contact: r.contact_id,
            source: r.source,
            source_record_id: r.source_record_id,
            email: r.email,
            linkedin: r.linkedin,
        })
        .collect();
    // The list places to remove: of every contact that held an erased record, and of the
    // contacts merged into those (an older list's place was built from the same records).
    let placed = stored::with_merged_contacts(&mut *conn, &touched).await?;
    let kept: BTreeSet<i64> = not_matched.iter().map(|r| r.contact).collect();
    let whole_roots: Vec<i64> = touched
        .iter()
        .copied()
        .filter(|c| !kept.contains(c))
        .collect();
    // The contacts absorbed into an erased one hold no records; they go with it.
    let contacts = stored::with_merged_contacts(&mut *conn, &whole_roots).await?;
    let erased_ids: BTreeSet<i64> = matched.keys().copied().collect();
    let whole: BTreeSet<i64> = contacts.iter().copied().collect();
    let merge_ids: Vec<i64> = stored::merges_of_contacts(&mut *conn, &touched)
        .await?
        .into_iter()
        .filter(|m| {
            let quoted = m.records.iter().copied().chain(
                m.explanation
                    .get("records")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_i64()),
            );
            let into_or_out_of_whole = whole.contains(&m.into_contact)
                || m.from_contact.is_some_and(|c| whole.contains(&c));
            into_or_out_of_whole || quoted.into_iter().any(|id| erased_ids.contains(&id))
        })
        .map(|m| m.id)
        .collect();
    let mut profiles: Vec<String> = matched
        .values()
        .filter_map(|(r, _)| r.linkedin.clone())
        .collect();
    profiles.sort_unstable();
    profiles.dedup();
    let erased: Vec<ErasedRecord> = matched
        .values()
        .map(|(r, why)| ErasedRecord {
            id: r.id,
            contact: r.contact_id,
            source: r.source.clone(),
            matched_by: *why,
        })
        .collect();
    Ok(Plan {
        erased,
        people: people_of(&matched),
        not_matched,
        whole: contacts,
        placed,
        merge_ids,
        profiles,
    })
}

/// Erases the person a request names, as `by` (an admin or sales ops), for `reason`.
pub async fn erase(
    store: &Store,
    request: &Request,
    by: &str,
    reason: &str,
    dry_run: bool,
    now: Timestamp,
) -> Result<Erasure> {
    let actor = Actor::Person(by.to_string());
    let keys = keys_of(request)?;
    let email = &keys.email;
    let hash = erasure_hash(email);
    let subject = Subject::Erasure(hash.to_string());
    if reason.trim().is_empty() {
        return Err(Error::Invalid(
            "an erasure needs a reason (--reason): the request it answers".into(),
        ));
    }
    // The reason is kept (audit log, suppression list): it must not bring the address back.
    if reason.to_lowercase().contains(email.as_str()) {
        return Err(Error::Invalid(
            "the reason holds the address, and the reason is kept: describe the request \
             without it (\"e-mail of 2027-01-04 to privacy@\")"
                .into(),
        ));
    }
    let mut tx = store.begin().await?;
    stored::lock(&mut tx).await?;
    let checked = async {
        let who = person(&mut tx, by).await?;
        if !may_erase(&who.roles) {
            return Err(Error::Forbidden(format!(
                "{by} may not erase people: it takes the admin or sales_ops role"
            )));
        }
        Ok(())
    }
    .await;
    let attempt = Attempted {
        actor: &actor,
        action: Attempt::EraseContact,
        subject: &subject,
        inputs: &json!({}),
    };
    let ((), mut tx) = settle(checked, tx, store, attempt, now).await?;
    let Plan {
        erased,
        people,
        not_matched,
        whole: contacts,
        placed,
        merge_ids,
        profiles,
    } = plan(&mut tx, &keys, &request.records).await?;
    let record_ids: Vec<i64> = erased.iter().map(|r| r.id).collect();
    let mut erasure = Erasure {
        hash: hash.clone(),
        contacts: contacts.clone(),
        erased,
        people: if dry_run { people } else { Vec::new() },
        not_matched,
        records: record_ids.len() as u64,
        merges: merge_ids.len() as u64,
        prospects: 0,
        engagement: 0,
        derived: 0,
        profiles: profiles.len(),
        reject_rows: 0,
        dry_run,
    };
    if dry_run {
        tx.rollback().await?;
        return Ok(erasure);
    }
    let ErasedRows {
        records: deleted,
        merges,
        prospects,
        ..
    } = stored::erase_records(
        &mut tx,
        &ErasedIds {
            records: &record_ids,
            merges: &merge_ids,
            touched: &placed,
            whole: &contacts,
        },
    )
    .await?;
    (erasure.records, erasure.merges, erasure.prospects) = (deleted, merges, prospects);
    erasure.engagement = leadgate_store::engagement::erase_person(&mut tx, email).await?;
    let held: Vec<i64> = placed
        .iter()
        .chain(&contacts)
        .copied()
        .collect::<BTreeSet<i64>>()
        .into_iter()
        .collect();
    erasure.derived = leadgate_store::leads::erase_contacts(&mut tx, &held).await?
        + leadgate_store::enrichment::erase_contacts(&mut tx, &held).await?;
    // The plain address may be suppressed already; the marker replaces it.
    stored::remove_suppression(&mut tx, SuppressionKind::Email, email.as_str()).await?;
    let markers =
        std::iter::once(hash.clone()).chain(profiles.iter().map(|p| profile_erasure_hash(p)));
    for marker in markers {
        stored::add_suppression(
            &mut tx,
            &Suppression {
                kind: SuppressionKind::Erasure,
                value: marker,
                reason: reason.to_string(),
                added_by: by.to_string(),
                added_at: now,
            },
        )
        .await?;
    }
    record(
        &mut tx,
        &actor,
        Action::ContactErased,
        &subject,
        json!({
            "reason": reason,
            "contacts": erasure.contacts,
            "records": erasure.records,
            "erased_records": erasure.erased.iter().map(|r| json!({
                "id": r.id, "contact": r.contact, "matched_by": r.matched_by,
            })).collect::<Vec<_>>(),
            "not_matched_records": erasure.not_matched.iter().map(|r| r.id).collect::<Vec<_>>(),
            "merges": erasure.merges,
            "prospects": erasure.prospects,
            "engagement": erasure.engagement,
            "derived": erasure.derived,
            "profiles": erasure.profiles,
        }),
        now,
    )
    .await?;
    let imports = stored::imports(&mut tx).await?;
    tx.commit().await?;
    // The reject files are outside the database: scrubbed once the erasure is committed. A
    // file that cannot be rewritten fails the command, which can be run again.
    for import in &imports {
        let Some(file) = import.report.get("reject_file").and_then(|f| f.as_str()) else {
            continue;
        };
        let path = std::path::Path::new(file);
        if path.exists() {
            erasure.reject_rows += scrub_reject_file(path, email.as_str())
                .map_err(|e| Error::Invalid(format!("{file}: {e}")))?;
        }
    }
    Ok(erasure)
}
