//! Integration tests of leadgate-connectors: one binary, one module per subject.

#[path = "../../../core/tests/it/skip.rs"]
mod skip;

mod loopback;

mod batches;
mod demo;
mod dns;
mod enrich;
mod formats;
mod imap;
mod llm;
mod mail;
mod matrix;
mod presets;
mod refusals;
mod rejects;
mod roundtrip;
mod search;
mod support;
