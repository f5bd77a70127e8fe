//! One contact, whole: the records it was resolved from with every fact and where and when
//! each was seen, the merges that joined them (each can be explained and undone), the lists
//! it is on with their verdicts, and the audit entries of its merges. What the contact page
//! shows.

use leadgate_core::audit::AuditEntry;
use leadgate_core::audit::Subject;
use leadgate_store::Store;
use leadgate_store::audit::{self, AuditFilter};
use leadgate_store::discovery::{self as stored, Contact, Merge, Prospect, Record};

use crate::engine::{Error, Result};

/// A contact with everything known of it.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub contact: Contact,
    /// The records resolved into it, oldest first.
    pub records: Vec<Record>,
    /// The merges that moved records into it or out of it.
    pub merges: Vec<Merge>,
    /// Its place on each list, the newest list first.
    pub memberships: Vec<Prospect>,
    /// The audit entries about its merges, newest first.
    pub trail: Vec<AuditEntry>,
}

pub async fn dossier(store: &Store, id: i64) -> Result<Dossier> {
    let mut conn = store.conn().await?;
    let contact = stored::contact(&mut conn, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no contact {id}")))?;
    let records = stored::records_of(&mut conn, &[id]).await?;
    let merges = stored::merges_of_contacts(&mut conn, &[id]).await?;
    let memberships = stored::prospects_of_contact(&mut conn, id).await?;
    let mut trail = Vec::new();
    for m in &merges {
        let subject = Subject::Merge(m.id).to_string();
        let filter = AuditFilter {
            subject: Some(&subject),
            limit: 100,
            ..AuditFilter::default()
        };
        trail.extend(audit::list(&mut conn, &filter).await?);
    }
    trail.sort_by_key(|e| std::cmp::Reverse(e.seq));
    trail.dedup_by_key(|e| e.seq);
    Ok(Dossier {
        contact,
        records,
        merges,
        memberships,
        trail,
    })
}
