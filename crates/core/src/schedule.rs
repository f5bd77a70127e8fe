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

/// The first reviews of a live scoring model version, in days after it went live; after
/// the last of them, reviews come every [`MODEL_REVIEW_INTERVAL`].
pub const MODEL_FIRST_REVIEWS_DAYS: [i64; 2] = [30, 60];

/// How often a live model version is reviewed once its first reviews are done: quarterly.
pub const MODEL_REVIEW_INTERVAL: SignedDuration = SignedDuration::from_hours(24 * 90);

/// When review number `reviews_done + 1` of a model version that went live at `live_at`
/// falls due: 30 and 60 days after it went live, then every 90 days after the 60-day one.
pub fn model_review_due(live_at: Timestamp, reviews_done: u32) -> Timestamp {
    let first = MODEL_FIRST_REVIEWS_DAYS;
    let days = match first.get(reviews_done as usize) {
        Some(days) => *days,
        None => {
            let quarters = i64::from(reviews_done + 1 - first.len() as u32);
            first[first.len() - 1] + quarters * MODEL_REVIEW_INTERVAL.as_hours() / 24
        }
    };
    live_at
        .saturating_add(SignedDuration::from_hours(24 * days))
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

    #[test]
    fn a_model_is_reviewed_at_thirty_and_sixty_days_then_quarterly() {
        let live: Timestamp = "2026-01-01T09:00:00Z".parse().unwrap();
        let due = |n| model_review_due(live, n).to_string();
        assert_eq!(due(0), "2026-01-31T09:00:00Z");
        assert_eq!(due(1), "2026-03-02T09:00:00Z");
        assert_eq!(due(2), "2026-05-31T09:00:00Z", "60 + 90 days");
        assert_eq!(due(3), "2026-08-29T09:00:00Z", "60 + 180 days");
    }
}
