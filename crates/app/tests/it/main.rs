//! leadgate's integration tests: one binary (one link on a 2-core machine), one module per
//! area. Every story runs on SQLite and on PostgreSQL: see [`support::Backend`].

#[path = "../../../connectors/tests/it/loopback.rs"]
mod loopback;
#[path = "../../../core/tests/it/skip.rs"]
mod skip;
mod support;

mod browser;
mod cli_story;
mod dedupe_story;
mod demo_story;
mod discovery_story;
mod engine_story;
mod enrichment_story;
mod handoff_story;
mod leads_story;
mod model_gate_story;
mod model_story;
mod model_workspace_story;
mod models_api_story;
mod openapi_story;
mod outcomes_story;
mod outreach_story;
mod send_story;
mod server_story;
mod signals_story;
mod writer_story;
