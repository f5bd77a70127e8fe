//! Integration tests of leadgate-connectors: one binary, one module per subject.

mod batches;
mod demo;
mod enrich;
mod formats;
mod matrix;
mod presets;
mod refusals;
mod rejects;
mod roundtrip;
mod search;
mod support;
