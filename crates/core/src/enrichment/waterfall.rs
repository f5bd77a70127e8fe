//! The waterfall: which provider to ask next for which fields, and the books of a run. It is
//! the one place the enrichment policy lives, and it does no I/O: the engine (or the async
//! driver in `leadgate-connectors`) asks it for the next [`Call`], makes the call, and hands
//! the answer or failure back with [`Run::record`].
//!
//! **Per field, providers in order, stop at the first value.** The plan lists providers in
//! their configured order, each with the fields it gives. For a subject (one company or
//! contact) the next call goes to the first provider not yet asked that gives a field still
//! open, asking for every open field it gives; a field takes the first value any provider
//! answers, and once every wanted field has a value no more calls are made.
//!
//! **The cache.** Facts observed earlier (by any source) are passed in per subject. A field
//! whose cached fact is at most `cache_ttl_days` old — whole days, the rule of
//! [`FreshnessPolicy`](crate::discovery::freshness::FreshnessPolicy), 90 by default — takes
//! that value and costs no call. A provider that had nothing for the same fields within the
//! TTL is not asked again ([`PastMiss`]).
//!
//! **The budget is never exceeded.** A call is handed out only when its declared cost fits
//! in what is left of the run's budget after what was spent and what is reserved for calls
//! in flight; otherwise it is not made, the provider is passed over (a cheaper one later in
//! the order may still be asked), and the skipped call is reported with the subject and
//! counted in the ledger. Providers charge at most their declared cost.
//!
//! **Failures move the waterfall on.** A timeout, a refused or unreadable answer is recorded
//! with its kind and reason, and the next provider is asked. A provider that refuses the
//! key (HTTP 401 or 403) is not asked again in the run: every later call would be refused
//! the same way.
//!
//! **The ledger** counts per provider the calls, requests (retries included), credits,
//! hits (a call that filled a field), misses (answered, or not found, with nothing for the
//! fields asked), failures by kind, values refused, calls skipped for the budget or a recent
//! miss, and lookups not asked for lack of input.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::answer::{Answer, Fact, Failure, FailureKind, RejectedValue};
use super::credits::Credits;
use super::field::EnrichField;
use crate::discovery::freshness::{Freshness, FreshnessPolicy};

/// How long a cached value is used without a call, in days: the freshness rule's refresh age.
pub const DEFAULT_CACHE_TTL_DAYS: u32 = 90;

/// A provider as the waterfall sees it: its name, the fields it gives, what a call costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderPlan {
    pub name: String,
    pub fields: Vec<EnrichField>,
    /// The most one call may charge.
    pub cost: Credits,
}

/// The providers in the order they are asked, and the cache's time to live.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    providers: Vec<ProviderPlan>,
    cache_ttl_days: u32,
}

impl Plan {
    /// A plan of `providers` in the order given. Names must be unique and each provider
    /// must give at least one field.
    pub fn new(providers: Vec<ProviderPlan>, cache_ttl_days: u32) -> Result<Plan, String> {
        for (i, p) in providers.iter().enumerate() {
            if providers[..i].iter().any(|q| q.name == p.name) {
                return Err(format!("two providers are named {:?}", p.name));
            }
            if p.fields.is_empty() {
                return Err(format!("provider {:?} gives no field", p.name));
            }
        }
        Ok(Plan {
            providers,
            cache_ttl_days,
        })
    }

    pub fn providers(&self) -> &[ProviderPlan] {
        &self.providers
    }

    pub fn cache_ttl_days(&self) -> u32 {
        self.cache_ttl_days
    }

    /// The providers asked for `field`, in order.
    pub fn order_for(&self, field: EnrichField) -> Vec<&str> {
        self.providers
            .iter()
            .filter(|p| p.fields.contains(&field))
            .map(|p| p.name.as_str())
            .collect()
    }

    fn rank(&self, source: &str) -> usize {
        self.providers
            .iter()
            .position(|p| p.name == source)
            .unwrap_or(self.providers.len())
    }

    fn is_fresh(&self, observed_at: Timestamp, now: Timestamp) -> bool {
        let policy = FreshnessPolicy {
            refresh_after_days: self.cache_ttl_days,
            exclude_after_days: self.cache_ttl_days,
        };
        policy.check(observed_at, now).freshness == Freshness::Fresh
    }
}

/// What is known of a subject from earlier runs and imports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    pub facts: Vec<Fact>,
    pub misses: Vec<PastMiss>,
}

/// A provider that was asked for `fields` and had none of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastMiss {
    pub provider: String,
    pub fields: Vec<EnrichField>,
    pub observed_at: Timestamp,
}

/// One call the waterfall asks for: a provider, the open fields it gives, its declared cost
/// (reserved from the budget until the call is recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub provider: String,
    pub fields: Vec<EnrichField>,
    pub max_cost: Credits,
    index: usize,
}

/// A field's chosen value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    pub field: EnrichField,
    pub fact: Fact,
    /// Taken from the cache: no call was made for it.
    pub from_cache: bool,
}

/// A wanted field no provider filled, and what happened at each provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfilled {
    pub field: EnrichField,
    /// One line per provider in order: "apollo_organization: timed out: no answer within 10 s".
    pub reasons: Vec<String>,
}

/// A failed call, as recorded with its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    pub provider: String,
    pub fields: Vec<EnrichField>,
    #[serde(flatten)]
    pub failure: Failure,
}

/// A value refused, with the provider that sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRecord {
    pub provider: String,
    #[serde(flatten)]
    pub rejected: RejectedValue,
}

crate::values! {
    /// Why a call was not made.
    pub enum SkipReason("skip reason") {
        /// Its cost did not fit in what was left of the run's budget.
        Budget = "budget" / "over the run's credit budget",
        /// The provider refused the key earlier in the run.
        Refused = "refused" / "the provider refused the key earlier in the run",
    }
}

/// A call the waterfall did not make: the work left undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedCall {
    pub provider: String,
    pub fields: Vec<EnrichField>,
    pub reason: SkipReason,
    pub cost: Credits,
    /// Credits left in the run when the call was passed over (with a budget).
    pub left: Option<Credits>,
}

/// Everything the waterfall did for one subject: what to show and what to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectOutcome {
    pub key: String,
    /// The chosen value of each wanted field that has one, in the order wanted.
    pub values: Vec<FieldValue>,
    pub unfilled: Vec<Unfilled>,
    /// Every fact the providers answered in this run (new observations to store), the
    /// chosen and the others alike.
    pub facts: Vec<Fact>,
    /// Providers that had nothing, to be passed back in the cache next time.
    pub misses: Vec<PastMiss>,
    pub failures: Vec<FailureRecord>,
    pub rejected: Vec<RejectedRecord>,
    pub skipped: Vec<SkippedCall>,
}

/// One provider's line in the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLedger {
    pub provider: String,
    /// Calls made (a call may take several requests).
    pub calls: u64,
    /// Requests sent, retries included.
    pub requests: u64,
    pub credits: Credits,
    /// Calls that filled at least one field.
    pub hits: u64,
    /// Calls answered with nothing for the fields asked, or "not found".
    pub misses: u64,
    /// Failed calls by kind (not found is a miss; missing input is `not_asked`).
    pub failures: BTreeMap<FailureKind, u64>,
    /// Values sent that did not fit their field.
    pub values_rejected: u64,
    pub skipped_for_budget: u64,
    /// Calls not made because the provider had nothing for the same fields within the TTL.
    pub skipped_recent_miss: u64,
    /// Calls not made because the provider refused the key earlier in the run.
    pub skipped_refused: u64,
    /// Lookups that lacked what the provider needs: no call made.
    pub not_asked: u64,
    /// Why the provider is no longer asked in this run, when it is not.
    pub refused: Option<String>,
}

/// The books of a run: the budget, what was spent, and a line per provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub budget: Option<Credits>,
    pub spent: Credits,
    pub subjects: u64,
    pub fields_wanted: u64,
    pub fields_from_cache: u64,
    pub fields_from_providers: u64,
    pub fields_unfilled: u64,
    pub providers: Vec<ProviderLedger>,
}

impl Ledger {
    /// Credits left, with a budget.
    pub fn left(&self) -> Option<Credits> {
        self.budget.map(|b| b.saturating_sub(self.spent))
    }
}

/// One enrichment run: the plan, the budget and the ledger, across subjects.
#[derive(Debug, Clone)]
pub struct Run {
    plan: Plan,
    reserved: Credits,
    ledger: Ledger,
}

/// A subject in progress: begun with [`Run::begin`], advanced by [`Run::next_call`] and
/// [`Run::record`], closed by [`Run::finish`].
#[derive(Debug, Clone)]
pub struct Subject {
    key: String,
    now: Timestamp,
    wanted: Vec<Wanted>,
    /// Per provider of the plan: asked, or passed over, for this subject.
    done: Vec<bool>,
    pending: Option<usize>,
    recent_misses: Vec<PastMiss>,
    outcome: SubjectOutcome,
}

#[derive(Debug, Clone)]
struct Wanted {
    field: EnrichField,
    value: Option<FieldValue>,
    reasons: Vec<String>,
}

impl Subject {
    /// Whether every wanted field has a value.
    pub fn is_complete(&self) -> bool {
        self.wanted.iter().all(|w| w.value.is_some())
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    fn open(&self) -> impl Iterator<Item = EnrichField> + '_ {
        self.wanted
            .iter()
            .filter(|w| w.value.is_none())
            .map(|w| w.field)
    }

    fn note(&mut self, fields: &[EnrichField], reason: &str) {
        for w in self.wanted.iter_mut().filter(|w| fields.contains(&w.field)) {
            if w.value.is_none() {
                w.reasons.push(reason.to_string());
            }
        }
    }
}

impl Run {
    /// A run of `plan` that may spend at most `budget` credits (no limit when `None`).
    pub fn new(plan: Plan, budget: Option<Credits>) -> Run {
        let providers = plan
            .providers
            .iter()
            .map(|p| ProviderLedger {
                provider: p.name.clone(),
                ..ProviderLedger::default()
            })
            .collect();
        Run {
            plan,
            reserved: Credits::ZERO,
            ledger: Ledger {
                budget,
                spent: Credits::ZERO,
                subjects: 0,
                fields_wanted: 0,
                fields_from_cache: 0,
                fields_from_providers: 0,
                fields_unfilled: 0,
                providers,
            },
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Starts a subject (`key` names it in reports): the `wanted` fields, each taken from a
    /// fresh cached fact where there is one (the highest provider in the order, then the
    /// newest), as of `now`.
    pub fn begin(
        &mut self,
        key: impl Into<String>,
        wanted: &[EnrichField],
        cache: &Cache,
        now: Timestamp,
    ) -> Subject {
        let mut fields: Vec<EnrichField> = Vec::new();
        for &f in wanted {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
        self.ledger.subjects += 1;
        self.ledger.fields_wanted += fields.len() as u64;
        let wanted = fields
            .into_iter()
            .map(|field| {
                let cached = cache
                    .facts
                    .iter()
                    .filter(|f| f.field == field && self.plan.is_fresh(f.observed_at, now))
                    .min_by_key(|f| (self.plan.rank(&f.source), std::cmp::Reverse(f.observed_at)));
                if cached.is_some() {
                    self.ledger.fields_from_cache += 1;
                }
                Wanted {
                    field,
                    value: cached.map(|fact| FieldValue {
                        field,
                        fact: fact.clone(),
                        from_cache: true,
                    }),
                    reasons: Vec::new(),
                }
            })
            .collect();
        let recent_misses = cache
            .misses
            .iter()
            .filter(|m| self.plan.is_fresh(m.observed_at, now))
            .cloned()
            .collect();
        let key = key.into();
        Subject {
            outcome: SubjectOutcome {
                key: key.clone(),
                values: Vec::new(),
                unfilled: Vec::new(),
                facts: Vec::new(),
                misses: Vec::new(),
                failures: Vec::new(),
                rejected: Vec::new(),
                skipped: Vec::new(),
            },
            key,
            now,
            wanted,
            done: vec![false; self.plan.providers.len()],
            pending: None,
            recent_misses,
        }
    }

    /// The next call to make for `subject`, or `None` when every wanted field has a value
    /// or no provider is left to ask. Calls passed over (budget, refusal, recent miss) are
    /// noted on the way. Each call must be [`record`](Run::record)ed before the next.
    pub fn next_call(&mut self, subject: &mut Subject) -> Option<Call> {
        assert!(
            subject.pending.is_none(),
            "record the previous call of {} first",
            subject.key
        );
        for index in 0..self.plan.providers.len() {
            if subject.done[index] {
                continue;
            }
            let provider = &self.plan.providers[index];
            let fields: Vec<EnrichField> = subject
                .open()
                .filter(|f| provider.fields.contains(f))
                .collect();
            if fields.is_empty() {
                continue;
            }
            subject.done[index] = true;
            let name = provider.name.clone();
            let cost = provider.cost;
            let left = self.left();
            let line = &mut self.ledger.providers[index];
            if let Some(refusal) = &line.refused {
                line.skipped_refused += 1;
                let reason = format!("{name}: not asked: it refused the key earlier ({refusal})");
                subject.note(&fields, &reason);
                subject.outcome.skipped.push(SkippedCall {
                    provider: name,
                    fields,
                    reason: SkipReason::Refused,
                    cost,
                    left,
                });
                continue;
            }
            if let Some(miss) = subject
                .recent_misses
                .iter()
                .find(|m| m.provider == name && fields.iter().all(|f| m.fields.contains(f)))
            {
                line.skipped_recent_miss += 1;
                let reason = format!(
                    "{name}: not asked: it had nothing on {}",
                    miss.observed_at.strftime("%Y-%m-%d")
                );
                subject.note(&fields, &reason);
                continue;
            }
            if let Some(left) = left
                && cost > left
            {
                line.skipped_for_budget += 1;
                let reason =
                    format!("{name}: not asked: a call costs {cost} credits and {left} are left");
                subject.note(&fields, &reason);
                subject.outcome.skipped.push(SkippedCall {
                    provider: name,
                    fields,
                    reason: SkipReason::Budget,
                    cost,
                    left: Some(left),
                });
                continue;
            }
            self.reserved = self.reserved.saturating_add(cost);
            subject.pending = Some(index);
            return Some(Call {
                provider: name,
                fields,
                max_cost: cost,
                index,
            });
        }
        None
    }

    /// Credits left for new calls: the budget less what was spent and what is reserved.
    fn left(&self) -> Option<Credits> {
        self.ledger.budget.map(|b| {
            b.saturating_sub(self.ledger.spent)
                .saturating_sub(self.reserved)
        })
    }

    /// Takes back the answer or the failure of `call`.
    pub fn record(&mut self, subject: &mut Subject, call: Call, result: Result<Answer, Failure>) {
        assert_eq!(
            subject.pending,
            Some(call.index),
            "a call recorded for {} that was not its pending call",
            subject.key
        );
        subject.pending = None;
        self.reserved = self.reserved.saturating_sub(call.max_cost);
        let cost = match &result {
            Ok(answer) => answer.cost,
            Err(failure) => failure.cost,
        };
        self.ledger.spent = self.ledger.spent.saturating_add(cost);
        let line = &mut self.ledger.providers[call.index];
        line.credits = line.credits.saturating_add(cost);
        let name = call.provider.clone();
        match result {
            Ok(answer) => {
                line.calls += 1;
                line.requests += u64::from(answer.attempts);
                line.values_rejected += answer.rejected.len() as u64;
                let refused_fields: Vec<EnrichField> =
                    answer.rejected.iter().map(|r| r.field).collect();
                // Fields asked that the answer had nothing for: a miss of those fields, even
                // when others were filled, so that they are not bought again within the TTL.
                let unanswered: Vec<EnrichField> = call
                    .fields
                    .iter()
                    .copied()
                    .filter(|f| !answer.facts.iter().any(|fact| fact.field == *f))
                    .collect();
                let filled = fill(subject, &call, answer.facts);
                if filled {
                    line.hits += 1;
                    if !unanswered.is_empty() {
                        subject.outcome.misses.push(PastMiss {
                            provider: name.clone(),
                            fields: unanswered,
                            observed_at: subject.now,
                        });
                    }
                } else {
                    line.misses += 1;
                    subject.outcome.misses.push(PastMiss {
                        provider: name.clone(),
                        fields: call.fields.clone(),
                        observed_at: subject.now,
                    });
                }
                for rejected in answer.rejected {
                    let reason = format!(
                        "{name}: value {} refused: {}",
                        rejected.value, rejected.reason
                    );
                    subject.note(&[rejected.field], &reason);
                    subject.outcome.rejected.push(RejectedRecord {
                        provider: name.clone(),
                        rejected,
                    });
                }
                let silent: Vec<EnrichField> = call
                    .fields
                    .iter()
                    .copied()
                    .filter(|f| !refused_fields.contains(f))
                    .collect();
                subject.note(&silent, &format!("{name}: no value"));
            }
            Err(failure) if failure.kind == FailureKind::MissingInput => {
                line.not_asked += 1;
                let reason = format!("{name}: not asked: {}", failure.reason);
                subject.note(&call.fields, &reason);
            }
            Err(failure) if failure.kind == FailureKind::NotFound => {
                line.calls += 1;
                line.requests += u64::from(failure.attempts);
                line.misses += 1;
                subject.outcome.misses.push(PastMiss {
                    provider: name.clone(),
                    fields: call.fields.clone(),
                    observed_at: subject.now,
                });
                subject.note(&call.fields, &format!("{name}: {failure}"));
            }
            Err(failure) => {
                line.calls += 1;
                line.requests += u64::from(failure.attempts);
                *line.failures.entry(failure.kind).or_default() += 1;
                if failure.is_refusal() && line.refused.is_none() {
                    line.refused = Some(failure.reason.clone());
                }
                subject.note(&call.fields, &format!("{name}: {failure}"));
                subject.outcome.failures.push(FailureRecord {
                    provider: name,
                    fields: call.fields,
                    failure,
                });
            }
        }
    }

    /// Closes a subject: its values, the fields left unfilled with the reasons, and what to
    /// store.
    pub fn finish(&mut self, subject: Subject) -> SubjectOutcome {
        assert!(
            subject.pending.is_none(),
            "the last call of {} was not recorded",
            subject.key
        );
        let mut outcome = subject.outcome;
        for wanted in subject.wanted {
            match wanted.value {
                Some(value) => {
                    if !value.from_cache {
                        self.ledger.fields_from_providers += 1;
                    }
                    outcome.values.push(value);
                }
                None => {
                    self.ledger.fields_unfilled += 1;
                    let reasons = if wanted.reasons.is_empty() {
                        vec!["no provider gives this field".to_string()]
                    } else {
                        wanted.reasons
                    };
                    outcome.unfilled.push(Unfilled {
                        field: wanted.field,
                        reasons,
                    });
                }
            }
        }
        outcome
    }
}

/// Fills the call's open fields from the facts (the first fact of a field wins) and keeps
/// every fact; whether a field was filled.
fn fill(subject: &mut Subject, call: &Call, facts: Vec<Fact>) -> bool {
    let mut filled = false;
    for fact in facts {
        if call.fields.contains(&fact.field)
            && let Some(w) = subject
                .wanted
                .iter_mut()
                .find(|w| w.field == fact.field && w.value.is_none())
        {
            w.value = Some(FieldValue {
                field: fact.field,
                fact: fact.clone(),
                from_cache: false,
            });
            filled = true;
        }
        subject.outcome.facts.push(fact);
    }
    filled
}
