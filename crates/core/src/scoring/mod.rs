//! Stage 3's score: a points scorecard learned from CRM history. A history export is read
//! and typed ([`table`]), each feature is cut into readable bins ([`bins`]), per-feature
//! shape functions are learned by cyclic gradient boosting as explainable boosting machines
//! do ([`boost`], with pairwise terms from [`pairs`]), and the result is turned into a table
//! of whole points that add up exactly to the score ([`scorecard`]). Teams without history
//! write the same table by hand ([`rules`]); [`cv`] says how well a learned card ranks and
//! how well its probabilities hold on rows it did not see, measured with [`metrics`];
//! [`score_file`] scores a file of leads on every core; [`version`] is a trained version
//! with its evidence, [`report`] the calibration report sales ops signs off, and
//! [`lifecycle`] where a version stands (draft, live, retired); [`outcome`] is what
//! happened to a lead afterwards and [`review`] measures a live version against it.

pub mod bins;
pub mod boost;
pub mod cv;
pub mod join;
pub mod lead;
pub mod lifecycle;
pub mod metrics;
pub mod outcome;
pub mod pairs;
pub mod report;
pub mod review;
pub mod rng;
pub mod rules;
pub mod score_file;
pub mod scorecard;
pub mod simplify;
pub mod table;
pub mod version;
