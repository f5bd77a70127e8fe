//! Stage 3, scoring: the points model a lead is scored with, how it is measured
//! ([`metrics`]), the calibration report sales ops signs off ([`report`]), and where a
//! version stands ([`lifecycle`]).

pub mod lifecycle;
pub mod metrics;
pub mod report;
