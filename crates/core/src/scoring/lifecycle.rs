//! A scoring model version's lifecycle. A version is a draft until sales ops approves its
//! calibration at a `model_calibration` gate; only the live version scores; going live
//! retires the one before it, which `leadgate model restore` can bring back. The rule of who
//! may approve is the gate's ([`crate::gate`]); this module only names where a version
//! stands and which moves between standings exist, so that no interface invents another.

crate::values! {
    /// Where a model version stands.
    pub enum ModelStatus("model status") {
        /// Proposed, waiting at its calibration gate; scores nothing.
        Draft = "draft" / "draft",
        /// Approved: the one version that scores leads.
        Live = "live" / "live",
        /// Was live; a newer version replaced it, or it was withdrawn by a restore.
        Retired = "retired" / "retired",
        /// Its calibration gate was rejected; it never scores.
        Rejected = "rejected" / "rejected",
    }
}

crate::values! {
    /// How a model version was made.
    pub enum ModelOrigin("model origin") {
        /// Learned from a CRM history export.
        Trained = "trained" / "trained on history",
        /// Written by hand in TOML: the start for a team without enough history.
        Rules = "rules" / "written as rules",
    }
}

impl ModelStatus {
    /// Whether a version may move from `self` to `to`: draft → live or rejected at the
    /// gate, live → retired when replaced or withdrawn, retired → live when restored.
    pub fn may_become(self, to: ModelStatus) -> bool {
        matches!(
            (self, to),
            (ModelStatus::Draft, ModelStatus::Live)
                | (ModelStatus::Draft, ModelStatus::Rejected)
                | (ModelStatus::Live, ModelStatus::Retired)
                | (ModelStatus::Retired, ModelStatus::Live)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_version_never_goes_live_and_a_retired_one_can_return() {
        assert!(ModelStatus::Draft.may_become(ModelStatus::Live));
        assert!(!ModelStatus::Rejected.may_become(ModelStatus::Live));
        assert!(ModelStatus::Retired.may_become(ModelStatus::Live));
        assert!(!ModelStatus::Draft.may_become(ModelStatus::Retired));
        assert!(!ModelStatus::Live.may_become(ModelStatus::Draft));
    }
}
