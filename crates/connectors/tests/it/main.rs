//! Integration tests of leadgate-connectors: one binary, one module per subject.

mod demo;
mod formats;
mod presets;
mod rejects;
mod roundtrip;
mod support;
