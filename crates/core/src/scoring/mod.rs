//! Stage 3, scoring: the points model a lead is scored with, and its versions.

pub mod version;
