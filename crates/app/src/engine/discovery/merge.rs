//! Merges explained, reviewed and undone. A merge moved records into a contact, at import
//! (the same e-mail, profile or source id) or by entity resolution (the evidence of each
//! comparison); undoing it moves those records back out — into the contact they came from,
//! or into a contact of their own — and records that the two are different people, so no
//! later run merges them again. Suppressions and opt-outs live on the records, so they stay
//! with the person whatever is merged or undone.
//!
//! A run whose model would no longer make an earlier merge questions it
//! ([`super::run::QuestionedMerge`]) rather than undoing it: a person then undoes it or
//! keeps it ([`keep`]), and a kept merge is not questioned again.

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_store::Store;
use leadgate_store::audit::{self, AuditFilter};
use leadgate_store::discovery::{self as stored, ContactStatus, Merge, Record};
use serde::Serialize;
use serde_json::json;

use crate::engine::{Attempted, Error, Result, person, record, settle};

/// A merge with the records it moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    pub merge: Merge,
    pub records: Vec<Record>,
    /// For a merge of entity resolution: what the model of the run that made it believed,
    /// every comparison level with its m, u and weight (from the run's audit entry).
    pub model: Option<serde_json::Value>,
}

pub async fn explain(store: &Store, id: i64) -> Result<Explained> {
    let mut conn = store.conn().await?;
    let merge = stored::get_merge(&mut conn, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no merge {id} (see `leadgate merge list`)")))?;
    let mut ids = merge.records.clone();
    if let Some(pair) = merge.explanation.get("records").and_then(|v| v.as_array()) {
        ids.extend(pair.iter().filter_map(|v| v.as_i64()));
    }
    ids.sort_unstable();
    ids.dedup();
    let records = stored::records_by_id(&mut conn, &ids).await?;
    let model = match merge.method.as_str() {
        "model" => model_of_run(&mut conn, id).await?,
        _ => None,
    };
    Ok(Explained {
        merge,
        records,
        model,
    })
}

/// The model weights recorded by the discovery run that made merge `id`: its audit entry
/// names the run's first merge and how many it made.
async fn model_of_run(
    conn: &mut leadgate_store::Conn,
    id: i64,
) -> Result<Option<serde_json::Value>> {
    let filter = AuditFilter {
        action: Some(Action::DiscoveryResolved.as_str()),
        limit: i64::MAX,
        ..AuditFilter::default()
    };
    for entry in audit::list(conn, &filter).await? {
        let Ok(inputs) = serde_json::from_str::<serde_json::Value>(&entry.inputs) else {
            continue;
        };
        let first = inputs["first_merge"].as_i64().unwrap_or(i64::MAX);
        let count = inputs["merges"].as_i64().unwrap_or(0);
        if (first..first + count).contains(&id) {
            return Ok(inputs.get("model").cloned());
        }
    }
    Ok(None)
}

/// The questioned merges that wait for a person, oldest first.
pub async fn questioned(store: &Store) -> Result<Vec<Merge>> {
    let mut conn = store.conn().await?;
    Ok(stored::questioned_merges(&mut conn).await?)
}

/// A person keeps a questioned merge: the records stay one contact, and later runs do not
/// question it again.
pub async fn keep(store: &Store, id: i64, by: &str, now: Timestamp) -> Result<Merge> {
    let actor = Actor::Person(by.to_string());
    let subject = Subject::Merge(id);
    let mut tx = store.begin().await?;
    stored::lock(&mut tx).await?;
    let checked = async {
        person(&mut tx, by).await?;
        let merge = stored::get_merge(&mut tx, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no merge {id} (see `leadgate merge list`)")))?;
        if merge.undone_at.is_some() {
            return Err(Error::Conflict(format!("merge {id} was undone already")));
        }
        if let Some(kept) = &merge.kept {
            return Err(Error::Conflict(format!(
                "merge {id} was kept already, by {} at {}",
                kept.by, kept.at
            )));
        }
        if merge.questioned.is_none() {
            return Err(Error::Conflict(format!(
                "merge {id} is not questioned: nothing to keep (see `leadgate merge review`)"
            )));
        }
        Ok(merge)
    }
    .await;
    let attempt = Attempted {
        actor: &actor,
        action: Attempt::KeepMerge,
        subject: &subject,
        inputs: &json!({}),
    };
    let (merge, mut tx) = settle(checked, tx, store, attempt, now).await?;
    stored::mark_merge_kept(&mut tx, id, by, now).await?;
    record(
        &mut tx,
        &actor,
        Action::MergeKept,
        &subject,
        json!({
            "reason_questioned": merge.questioned.as_ref().map(|q| q.reason.clone()),
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(merge)
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Undone {
    pub merge: i64,
    /// The contact that keeps the records that were merged in.
    pub restored_contact: i64,
    pub records_moved: usize,
    pub from_contact: i64,
}

pub async fn undo(store: &Store, id: i64, by: &str, now: Timestamp) -> Result<Undone> {
    let actor = Actor::Person(by.to_string());
    let subject = Subject::Merge(id);
    let mut tx = store.begin().await?;
    stored::lock(&mut tx).await?;
    let checked = async {
        person(&mut tx, by).await?;
        let merge = stored::get_merge(&mut tx, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no merge {id} (see `leadgate merge list`)")))?;
        if let Some(at) = merge.undone_at {
            return Err(Error::Conflict(format!(
                "merge {id} was undone already, by {} at {at}",
                merge.undone_by.as_deref().unwrap_or("someone")
            )));
        }
        Ok(merge)
    }
    .await;
    let attempt = Attempted {
        actor: &actor,
        action: Attempt::UndoMerge,
        subject: &subject,
        inputs: &json!({}),
    };
    let (merge, mut tx) = settle(checked, tx, store, attempt, now).await?;
    // The records the merge moved sit in the contact the merge went into, or wherever later
    // merges took that contact; only those are moved back.
    let mut root = merge.into_contact;
    while let Some(c) = stored::contact(&mut tx, root).await? {
        match c.merged_into {
            Some(next) if c.status == ContactStatus::Merged.as_str() => root = next,
            _ => break,
        }
    }
    let moving: Vec<i64> = stored::records_by_id(&mut tx, &merge.records)
        .await?
        .into_iter()
        .filter(|r| r.contact_id == root)
        .map(|r| r.id)
        .collect();
    let restored = match merge.from_contact {
        Some(from) => {
            stored::set_contact_status(&mut tx, from, ContactStatus::Active, None).await?;
            from
        }
        None => {
            let id = stored::next_ids(&mut tx).await?.contact;
            stored::insert_contact(&mut tx, id, now).await?;
            id
        }
    };
    stored::move_records(&mut tx, &moving, restored).await?;
    stored::insert_cannot_link(&mut tx, root, restored, id).await?;
    stored::mark_merge_undone(&mut tx, id, by, now).await?;
    record(
        &mut tx,
        &actor,
        Action::MergeUndone,
        &subject,
        json!({
            "into_contact": merge.into_contact,
            "now_in_contact": root,
            "restored_contact": restored,
            "records": moving,
            "method": merge.method,
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Undone {
        merge: id,
        restored_contact: restored,
        records_moved: moving.len(),
        from_contact: root,
    })
}
