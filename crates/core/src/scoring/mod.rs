//! Scoring (stage 3): how a conversion model is measured and how its calibration report is
//! built for the sales-ops sign-off.

pub mod metrics;
pub mod report;
