//! Stage 3, enrichment: what providers know about a prospect that the discovery sources did
//! not say — funding, headcount and its growth, open roles, layoffs, tech stack, news, a
//! contact's seniority and tenure — gathered as facts with their source and time.
//!
//! This module is the pure half of the stage. [`field`] names the fields and gives each its
//! one shape; [`answer`] is what goes to a provider and what comes back (facts, or a failure
//! of a known kind with a reason); [`credits`] counts cost to the thousandth; [`waterfall`]
//! is the policy — providers in order per field, stop at the first value, a cache with a
//! TTL, a credit budget that is never exceeded — and the ledger of a run. Reading files,
//! calling APIs (`leadgate-connectors`), storing facts and the ledger (`leadgate-store`) and
//! running the stage (the engine) happen elsewhere; nothing here reads the clock.

pub mod answer;
pub mod credits;
pub mod field;
pub mod waterfall;

pub use answer::{Answer, Fact, Failure, FailureKind, Lookup, RejectedValue};
pub use credits::Credits;
pub use field::{EnrichField, SubjectKind};
pub use waterfall::{
    Cache, Call, DEFAULT_CACHE_TTL_DAYS, FailureRecord, FieldValue, Ledger, PastMiss, Plan,
    ProviderLedger, ProviderPlan, RejectedRecord, Run, SkipReason, SkippedCall, Subject,
    SubjectOutcome, Unfilled,
};
