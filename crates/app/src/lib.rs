//! leadgate, the application: the pipeline engine (triggers, stage jobs, gates, workers), the
//! CLI, and — in later stages — the HTTP API and review UI. Built on `leadgate-core` (the
//! domain rules) and `leadgate-store` (persistence).

pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod engine;
pub mod server;
pub mod views;
pub mod workspace;
