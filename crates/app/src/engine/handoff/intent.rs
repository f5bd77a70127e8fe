//! Intent triggers where engagement is stored: a batch of records (a file, an API post, a
//! tracked click) is watched before it is stored and read again after, in the same
//! transaction; each lead whose records now fire one of `[handoff.intent]`'s triggers
//! ([`leadgate_core::handoff::intent::fired`]) gets an `IntentShown` event carrying the
//! signal and why, and the handoff stage routes it as a warm lead.

use std::collections::BTreeMap;

use jiff::Timestamp;
use leadgate_core::audit::Subject;
use leadgate_core::engagement::{Engagement, PagePolicy};
use leadgate_core::event::EventKind;
use leadgate_core::handoff::intent::{self, IntentRules};

use crate::engine::{Conn, Result, emit};

/// What intent checks read: the rules, and which pages are the pricing page.
#[derive(Debug, Clone, Copy)]
pub struct IntentCheck<'a> {
    pub rules: &'a IntentRules,
    pub pages: &'a PagePolicy,
}

/// The leads a batch touches by address, and their records before it is stored.
pub struct Watch {
    /// Lead → its addresses among the batch's.
    leads: BTreeMap<i64, Vec<String>>,
    before: Vec<Engagement>,
    from: Timestamp,
}

/// Reads, before `batch` is stored in `tx`, the records of the leads it names by address.
/// `None` when no trigger is on or the batch names no lead.
pub async fn watch(
    tx: &mut Conn,
    check: &IntentCheck<'_>,
    batch: &[Engagement],
    now: Timestamp,
) -> Result<Option<Watch>> {
    if !check.rules.any() {
        return Ok(None);
    }
    let mut emails: Vec<String> = batch
        .iter()
        .filter_map(|e| e.email.as_ref().map(|m| m.as_str().to_string()))
        .collect();
    emails.sort();
    emails.dedup();
    if emails.is_empty() {
        return Ok(None);
    }
    let found = leadgate_store::discovery::leads_with_emails(tx, &emails).await?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut leads: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (lead, email) in found {
        leads.entry(lead).or_default().push(email);
    }
    let from = now - check.rules.lookback();
    let addresses: Vec<String> = leads.values().flatten().cloned().collect();
    let before =
        leadgate_store::engagement::engagement_of_keys(tx, &addresses, &[], from, now).await?;
    Ok(Some(Watch {
        leads,
        before,
        from,
    }))
}

impl Watch {
    /// After the batch is stored in `tx`: an `IntentShown` event for each lead it made fire a
    /// trigger. Returns how many.
    pub async fn emit(
        self,
        tx: &mut Conn,
        check: &IntentCheck<'_>,
        now: Timestamp,
    ) -> Result<usize> {
        let addresses: Vec<String> = self.leads.values().flatten().cloned().collect();
        let after =
            leadgate_store::engagement::engagement_of_keys(tx, &addresses, &[], self.from, now)
                .await?;
        let mut shown = 0;
        for (lead, emails) in &self.leads {
            let of_lead = |records: &[Engagement]| -> Vec<Engagement> {
                records
                    .iter()
                    .filter(|e| {
                        e.email
                            .as_ref()
                            .is_some_and(|m| emails.iter().any(|x| x == m.as_str()))
                    })
                    .cloned()
                    .collect()
            };
            let Some(fired) = intent::fired(
                check.rules,
                check.pages,
                &of_lead(&self.before),
                &of_lead(&after),
                now,
            ) else {
                continue;
            };
            emit(
                tx,
                EventKind::IntentShown,
                &Subject::Lead(*lead),
                serde_json::json!({ "lead": lead, "signal": fired.signal, "why": fired.why }),
                now,
            )
            .await?;
            shown += 1;
        }
        Ok(shown)
    }
}
