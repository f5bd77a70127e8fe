//! Enrichment providers: the files and APIs that say what discovery did not — funding,
//! headcount and growth, open roles, layoffs, tech stack, news, a contact's seniority and
//! tenure. Each is a [`Provider`]: given a [`Lookup`] (what is known of a contact or
//! company) and the fields wanted, it answers with facts, each with its source and
//! observed_at, and the credits charged — or with a typed [`Failure`] (timeout, HTTP status,
//! unparseable, rate limited, not found, unreachable, missing input) and a reason in words.
//! A provider never panics on what it reads: a bad answer is a failure to record.
//!
//! The providers:
//! - [`file::FileProvider`], a CSV or JSON Lines file keyed by domain or e-mail, whose bad
//!   rows are reported with file, row and column;
//! - [`http::HttpProvider`], any JSON API described in TOML: URL template, auth header from
//!   an environment variable, field mapping by JSON pointer, a token-bucket rate limit, a
//!   timeout, retries with exponential back-off on 429 and 5xx that honour `Retry-After`;
//! - [`apollo`], Apollo's organization and people enrichment as configurations of the HTTP
//!   provider.
//!
//! [`config`] reads `[enrichment]` and `[[enrichment.providers]]` from TOML, strictly, and
//! builds an [`Enrichment`]: the providers and the waterfall's plan. The policy — which
//! provider to ask next, the cache, the budget, the ledger — is
//! [`leadgate_core::enrichment::waterfall`]; [`Enrichment::subject`] only drives it.
//!
//! ```no_run
//! # async fn demo(text: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use leadgate_connectors::enrich::config::{BuildContext, EnrichmentConfig};
//! use leadgate_connectors::search::TokioSleeper;
//! use leadgate_core::discovery::normalize::Domain;
//! use leadgate_core::enrichment::{Cache, EnrichField, Lookup};
//!
//! let config = EnrichmentConfig::parse(text, "leadgate.toml")?;
//! let clock = Arc::new(|| jiff::Timestamp::UNIX_EPOCH); // the app passes its clock
//! let context = BuildContext::from_env(".".as_ref(), clock, Arc::new(TokioSleeper));
//! let enrichment = config.build(&context)?.enrichment;
//! let mut run = enrichment.run(None); // the configured budget
//! let lookup = Lookup::company(Domain::parse("acme.com")?);
//! let now = jiff::Timestamp::UNIX_EPOCH;
//! let outcome = enrichment
//!     .subject(&mut run, "company:acme.com", &lookup, &[EnrichField::Headcount], &Cache::default(), now)
//!     .await;
//! println!("{}", serde_json::to_string(run.ledger())?);
//! # let _ = outcome; Ok(()) }
//! ```

pub mod apollo;
pub mod config;
pub mod file;
pub mod http;
pub mod limit;

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use leadgate_core::enrichment::{
    Answer, Cache, Credits, EnrichField, Failure, FailureKind, Lookup, Plan, Run, SubjectOutcome,
};

use crate::search::BoxFuture;

/// A source of enrichment facts.
pub trait Provider: Send + Sync {
    /// The name facts carry as their source and the ledger shows (`apollo_organization`).
    fn name(&self) -> &str;

    /// What the provider knows of `lookup`, for `fields` (it may answer more). An answer
    /// without facts is a miss; a failure says why there is no answer.
    fn enrich<'a>(
        &'a self,
        lookup: &'a Lookup,
        fields: &'a [EnrichField],
    ) -> BoxFuture<'a, Result<Answer, Failure>>;
}

/// The providers of a configuration and the waterfall's plan over them.
pub struct Enrichment {
    plan: Plan,
    budget: Option<Credits>,
    providers: BTreeMap<String, Arc<dyn Provider>>,
}

impl Enrichment {
    /// `providers` under `plan`; every provider the plan names must be among them.
    pub fn new(
        plan: Plan,
        budget: Option<Credits>,
        providers: Vec<Arc<dyn Provider>>,
    ) -> Result<Enrichment, String> {
        let providers: BTreeMap<String, Arc<dyn Provider>> = providers
            .into_iter()
            .map(|p| (p.name().to_string(), p))
            .collect();
        if let Some(missing) = plan
            .providers()
            .iter()
            .find(|p| !providers.contains_key(&p.name))
        {
            return Err(format!(
                "the plan names provider {:?}, which is not built",
                missing.name
            ));
        }
        Ok(Enrichment {
            plan,
            budget,
            providers,
        })
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The configured budget of a run.
    pub fn budget(&self) -> Option<Credits> {
        self.budget
    }

    /// A new run with `budget` credits, or the configured budget when `None`.
    pub fn run(&self, budget: Option<Credits>) -> Run {
        Run::new(self.plan.clone(), budget.or(self.budget))
    }

    /// Enriches one subject: asks the providers the waterfall names, one after another, and
    /// hands every answer and failure back to it.
    pub async fn subject(
        &self,
        run: &mut Run,
        key: &str,
        lookup: &Lookup,
        wanted: &[EnrichField],
        cache: &Cache,
        now: Timestamp,
    ) -> SubjectOutcome {
        let mut subject = run.begin(key, wanted, cache, now);
        while let Some(call) = run.next_call(&mut subject) {
            let result = match self.providers.get(&call.provider) {
                Some(provider) => provider.enrich(lookup, &call.fields).await,
                None => Err(Failure::new(
                    FailureKind::Unreachable,
                    format!("provider {} is not configured", call.provider),
                )),
            };
            run.record(&mut subject, call, result);
        }
        run.finish(subject)
    }
}
