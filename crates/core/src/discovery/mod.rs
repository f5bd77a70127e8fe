//! Stage 2, discovery: prospects arrive from several sources, are normalised, resolved into
//! one record per real person or company, and checked against the live ICP.
//!
//! This module is the pure half of the stage. [`normalize`] turns the raw strings of an
//! export into typed values that are known to be well formed (parse, don't validate), and
//! [`resolve`] is the entity-resolution engine: blocking, Fellegi–Sunter scoring with
//! weights learnt by EM from the data itself, clustering that refuses to chain unrelated
//! records, an explanation for every merge, and survivorship. [`industry`] maps every
//! source's spelling of an industry (Apollo, HubSpot, LinkedIn's V1 and V2 names) to the
//! V1 name the ICP uses. At ingest, [`freshness`] ages each fact (flag for refresh, or
//! exclude), and [`compliance`] gives each contact its jurisdiction and a lawful basis for
//! e-mail or a block with the reason, after the suppression list. [`sample`] is the
//! arithmetic of the gate: a seeded sample stratified by source, and the tally of the
//! reviewer's verdicts with error rates per source and reason. [`field`] names the fields a
//! prospect's facts are kept under, for the importers and the profiles alike. [`export`]
//! gives an approved list's rows the columns HubSpot's and Salesforce's importers map on.
//! Reading files, storing facts and opening the sample-review gate are the application's
//! work.

pub mod company;
pub mod compliance;
pub mod customers;
pub mod export;
pub mod field;
pub mod freshness;
pub mod industry;
pub mod list;
pub mod normalize;
pub mod prospect;
pub mod resolve;
pub mod sample;
