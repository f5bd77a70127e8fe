//! leadgate-demo's integration tests: one binary, one module per concern. The seed-42 world
//! and its files are built once and shared.

mod b2b;
mod benchmark;
mod crm;
mod determinism;
mod events;
mod sources;
mod support;
mod world;
