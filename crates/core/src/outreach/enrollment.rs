//! Leads in sequences, and the first-variant gate's rule. A sequence is stored as versions
//! that never change; each version has variants (`A` and every other name its steps give a
//! text, see [`super::sequence::Sequence::variant_names`]). A lead that crossed the threshold
//! is enrolled in one variant of one version; the first lead a variant is written for becomes
//! its sample, and the variant's first message to that lead waits at a
//! [`crate::gate::GateKind::VariantApproval`] gate. Until a reviewer who is not the author
//! approves it, nothing of the variant is sent; after, only messages whose variant digests
//! as the approved one are ([`clearance`]).

use serde::Serialize;

use super::sequence::{Engagement, When};

crate::values! {
    /// Where one variant of a sequence version stands at its gate.
    pub enum VariantStatus("variant status") {
        /// No lead has been written for it yet: its gate opens with its first lead.
        Waiting = "waiting" / "waiting for a first lead",
        /// Its first message waits at its gate.
        InReview = "in_review" / "first message in review",
        /// Approved: its messages may be sent, as long as they are the approved text.
        Approved = "approved" / "approved",
        /// Rejected at its gate: nothing of it is ever sent; a new version is needed.
        Rejected = "rejected" / "rejected",
    }
}

crate::values! {
    /// Where a lead's run through a sequence stands.
    pub enum EnrollmentStatus("enrollment status") {
        /// Its next step is due or waits for its variant's approval.
        Active = "active" / "active",
        /// Stopped before its end: a reply, an opt-out, a bounce, or its variant rejected.
        Stopped = "stopped" / "stopped",
        /// Every step was taken or passed over.
        Finished = "finished" / "finished",
    }
}

crate::values! {
    /// Where one touch of a lead's sequence stands in the outbox. An e-mail is `queued`,
    /// then `sending` (recorded before the SMTP transaction), then `sent` (after it); a
    /// message found `sending` after a crash may or may not have been accepted, so it is
    /// `held` for a person to check by its Message-ID and release, never resent blindly.
    pub enum OutboxStatus("outbox status") {
        /// Written, signed, waiting for its time, its mailbox's daily cap, or the sender.
        Queued = "queued" / "queued",
        /// Handed to the transport; not yet known to be accepted.
        Sending = "sending" / "sending",
        /// The transport accepted it.
        Sent = "sent" / "sent",
        /// Found `sending` after a crash: a person checks the relay's log or the Sent folder
        /// for its Message-ID and marks it sent, or sends it again.
        Held = "held" / "held for a person",
        /// Not sent and never will be: the address was suppressed or the lead left the
        /// sequence before its time.
        Cancelled = "cancelled" / "cancelled",
        /// The relay refused it for good (a 5xx answer).
        Failed = "failed" / "failed",
        /// A LinkedIn or call step: a task for the rep, with the text to send or say.
        Task = "task" / "task for the rep",
    }
}

/// How many times a prospect did what `when` waits for, among `events` — theirs, since the
/// step before: links clicked; pricing-page views (by the site's page rules); opens, when
/// no reply came (a reply makes "opened and did not reply" false, whatever the opens).
pub fn times(
    when: &When,
    events: &[crate::engagement::Engagement],
    pages: &crate::engagement::PagePolicy,
) -> u32 {
    use crate::engagement::EngagementKind;
    let count = |kind: EngagementKind| events.iter().filter(|e| e.kind == kind).count() as u32;
    match when.event {
        Engagement::Clicked => count(EngagementKind::EmailClick),
        Engagement::VisitedPricing => events
            .iter()
            .filter(|e| e.kind == EngagementKind::PageView)
            .filter(|e| {
                e.url.as_deref().is_some_and(|url| {
                    pages
                        .signals_of(url)
                        .any(|signal| signal == "pricing_page_visit")
                })
            })
            .count() as u32,
        Engagement::OpenedNotReplied if count(EngagementKind::EmailReply) > 0 => 0,
        Engagement::OpenedNotReplied => count(EngagementKind::EmailOpen),
    }
}

/// The variant a new lead gets: the one with the fewest leads so far, the first named on a
/// tie, so that variants fill evenly and a comparison between them ([`super::ab`]) has
/// balanced groups. Rejected variants take no one. `None` when every variant was rejected.
pub fn pick_variant(variants: &[(String, VariantStatus, u64)]) -> Option<&str> {
    variants
        .iter()
        .filter(|(_, status, _)| *status != VariantStatus::Rejected)
        .min_by_key(|(_, _, enrolled)| *enrolled)
        .map(|(name, _, _)| name.as_str())
}

/// Why a message may not be sent, though written and compliant: its variant is not cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotCleared {
    #[error("variant {variant} is {}: its first message has not been approved", status.label())]
    NotApproved {
        variant: String,
        status: VariantStatus,
    },
    #[error(
        "variant {variant} differs from the text approved at its gate (approved {}, now {}): \
         a changed sequence is a new version and needs its own approval",
        short(approved),
        short(now)
    )]
    Changed {
        variant: String,
        approved: String,
        now: String,
    },
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// Whether a message of `variant` (standing `status`, approved with `approved` if it was)
/// whose templates digest to `digest` may be sent: only an approved variant, and only the
/// very text approved.
pub fn clearance(
    variant: &str,
    status: VariantStatus,
    approved: Option<&str>,
    digest: &str,
) -> Result<(), NotCleared> {
    match (status, approved) {
        (VariantStatus::Approved, Some(approved)) if approved == digest => Ok(()),
        (VariantStatus::Approved, Some(approved)) => Err(NotCleared::Changed {
            variant: variant.to_string(),
            approved: approved.to_string(),
            now: digest.to_string(),
        }),
        (status, _) => Err(NotCleared::NotApproved {
            variant: variant.to_string(),
            status,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(list: &[(&str, VariantStatus, u64)]) -> Vec<(String, VariantStatus, u64)> {
        list.iter()
            .map(|(name, status, n)| (name.to_string(), *status, *n))
            .collect()
    }

    #[test]
    fn variants_fill_evenly_and_a_rejected_one_takes_no_one() {
        use VariantStatus::*;
        let even = variants(&[("A", Approved, 3), ("B", InReview, 3)]);
        let behind = variants(&[("A", Approved, 3), ("B", Waiting, 1)]);
        let rejected = variants(&[("A", Approved, 3), ("B", Rejected, 0)]);
        let none = variants(&[("A", Rejected, 0)]);

        assert_eq!(pick_variant(&even), Some("A"));
        assert_eq!(pick_variant(&behind), Some("B"));
        assert_eq!(pick_variant(&rejected), Some("A"));
        assert_eq!(pick_variant(&none), None);
    }

    #[test]
    fn a_step_waits_for_clicks_pricing_views_or_opens_without_a_reply() {
        use crate::engagement::{Engagement as Seen, EngagementKind, PagePolicy};
        let at: jiff::Timestamp = "2027-03-01T10:00:00Z".parse().unwrap();
        let seen = |kind: EngagementKind, url: Option<&str>| Seen {
            kind,
            email: None,
            domain: None,
            url: url.map(str::to_string),
            detail: None,
            at,
        };
        let when = |event: Engagement| When { event, at_least: 2 };
        let pages = PagePolicy::default();
        let events = [
            seen(
                EngagementKind::EmailClick,
                Some("https://routewise.example/guide"),
            ),
            seen(
                EngagementKind::EmailClick,
                Some("https://routewise.example/guide"),
            ),
            seen(
                EngagementKind::PageView,
                Some("https://routewise.example/pricing"),
            ),
            seen(
                EngagementKind::PageView,
                Some("https://routewise.example/blog"),
            ),
            seen(EngagementKind::EmailOpen, None),
        ];

        assert_eq!(times(&when(Engagement::Clicked), &events, &pages), 2);
        assert_eq!(times(&when(Engagement::VisitedPricing), &events, &pages), 1);
        assert_eq!(
            times(&when(Engagement::OpenedNotReplied), &events, &pages),
            1
        );
        let replied = [events.as_slice(), &[seen(EngagementKind::EmailReply, None)]].concat();
        assert_eq!(
            times(&when(Engagement::OpenedNotReplied), &replied, &pages),
            0,
            "a reply makes opened-and-not-replied false"
        );
    }

    #[test]
    fn only_the_approved_text_of_an_approved_variant_is_cleared() {
        use VariantStatus::*;
        assert_eq!(clearance("A", Approved, Some("abc"), "abc"), Ok(()));
        let changed = clearance("A", Approved, Some("abc"), "abd").unwrap_err();
        assert!(matches!(changed, NotCleared::Changed { .. }), "{changed}");
        for status in [Waiting, InReview, Rejected] {
            let refused = clearance("B", status, None, "abc").unwrap_err();
            assert!(
                refused.to_string().contains("has not been approved"),
                "{refused}"
            );
        }
        // An approval without its digest on record clears nothing.
        assert!(clearance("A", Approved, None, "abc").is_err());
    }
}
