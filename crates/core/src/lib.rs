//! leadgate-core: the domain of leadgate. The types and the pure logic of every stage of
//! the trigger → action → gate process, with no I/O, no async and no clock reads: every
//! function that needs the time takes `now`. The modules follow the process: [`icp`] is
//! stage 1; [`gate`] holds the one rule for who may decide; [`audit`] defines the hash chain.

pub mod audit;
pub mod discovery;
pub mod engagement;
pub mod enrichment;
pub mod event;
pub mod gate;
pub mod handoff;
pub mod icp;
pub mod outreach;
pub mod role;
pub mod schedule;
pub mod scoring;
pub mod toml_error;
pub mod values;

pub use jiff::Timestamp;
