//! leadgate-core's integration tests: one binary (every extra one is a slow link).

mod enrichment;
mod holidays;
mod resolve_colleagues;
mod resolve_febrl;
mod skip;
