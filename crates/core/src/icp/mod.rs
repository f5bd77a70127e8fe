//! Stage 1, the Ideal Customer Profile: who we sell to, written down so that two leads can
//! sign it off and every later stage can apply it the same way.
//!
//! An ICP is a TOML document per segment ([`IcpDocument`], see `sample.toml`), read strictly
//! by [`IcpDocument::parse`] with errors that point at the line, column and key. A proposed
//! version is shown to its approvers as a [`diff`] against the live one. Once live, discovery
//! and scoring ask [`evaluate`] how a prospect fits it, criterion by criterion; the pages
//! read it in words through [`summary`].

mod diff;
mod document;
mod evaluate;
#[cfg(test)]
mod strategies;
pub mod summary;

pub use diff::{Change, ChangeKind, IcpDiff, diff};
pub use document::{
    Bounds, Department, Exclusions, Firmographics, GROWTH_PCT_RANGE, ISO_COUNTRY_CODES,
    IcpDocument, IcpError, IntentIndicator, MAX_SEGMENT_CHARS, MAX_WITHIN_DAYS, Persona, Region,
    Seniority, Signal, Technographics, is_country_code, is_domain_name, is_snake_case, toml_key,
};
pub use evaluate::{
    CompanyFacts, ContactFacts, CriterionResult, Evaluation, IcpFit, IntentObservation, Outcome,
    ProspectFacts, SignalObservation, criteria_of, criterion_label, evaluate, normalize_domain,
};

crate::values! {
    /// Where an ICP version stands in its lifecycle.
    pub enum IcpStatus("ICP status") {
        /// Waiting at its approval gate.
        Proposed = "proposed" / "proposed",
        /// The version discovery and scoring apply.
        Live = "live" / "live",
        /// Was live; a newer version of the segment replaced it.
        Superseded = "superseded" / "superseded",
        /// Its gate was rejected; it never went live.
        Rejected = "rejected" / "rejected",
        /// Replaced by a newer version of the segment before its gate closed.
        Withdrawn = "withdrawn" / "withdrawn",
    }
}

/// The ICP of the demo workspace: a worked example of every section an ICP can hold.
pub const SAMPLE_ICP: &str = include_str!("sample.toml");
