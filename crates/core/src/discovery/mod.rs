//! Stage 2, discovery: prospects arrive from several sources, are normalised, resolved into
//! one record per real person or company, and checked against the live ICP.
//!
//! This module is the pure half of the stage. [`normalize`] turns the raw strings of an
//! export into typed values that are known to be well formed (parse, don't validate), and
//! [`resolve`] is the entity-resolution engine: blocking, Fellegi–Sunter scoring with
//! weights learnt by EM from the data itself, clustering that refuses to chain unrelated
//! records, an explanation for every merge, and survivorship. Reading files, storing facts
//! and opening the sample-review gate are the application's work.

pub mod compliance;
pub mod freshness;
pub mod normalize;
pub mod resolve;
pub mod sample;
