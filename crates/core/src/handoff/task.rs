//! A handoff task: one lead given to one rep (or to the queue every rep sees), open until
//! the rep acknowledges it — the gate of this stage.

crate::values! {
    /// Where a task stands.
    pub enum TaskStatus("task status") {
        /// Waiting for its rep's acknowledgement.
        Open = "open" / "open",
        /// The rep acknowledged it: the handoff gate passed.
        Acknowledged = "acknowledged" / "acknowledged",
        /// Its deadline passed unacknowledged and the lead went to another rep's task.
        Reassigned = "reassigned" / "reassigned after a missed SLA",
    }
}
