//! When scheduled triggers come due. Pure date arithmetic: callers pass the times in.

use jiff::{SignedDuration, Timestamp};

/// How long an ICP version stays live before its quarterly review gate opens.
pub const ICP_REVIEW_INTERVAL: SignedDuration = SignedDuration::from_hours(24 * 90);

/// When the quarterly review of an ICP version falls due: 90 days after it went live or was
/// last reaffirmed.
pub fn icp_review_due(live_or_reaffirmed_at: Timestamp) -> Timestamp {
    live_or_reaffirmed_at
        .saturating_add(ICP_REVIEW_INTERVAL)
        .expect("a signed duration is always a valid addend")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_is_due_ninety_days_later() {
        let live: Timestamp = "2026-01-01T09:00:00Z".parse().unwrap();
        let due = icp_review_due(live);
        assert_eq!(due.to_string(), "2026-04-01T09:00:00Z");
    }
}
