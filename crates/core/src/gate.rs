//! Gates: the named checks where a person decides before anything moves on.
//!
//! This module is the one rule for who may decide what: the CLI, the server and the review UI
//! all call [`decide`] and [`may_decide`], so no interface can skip a gate or bend separation of
//! duties. A gate needs one approval per required role, each from a *different* person; any one
//! holder of a required role can reject it with a reason, which closes it. The person who made
//! what a gate reviews (proposed the ICP, trained the model, wrote the sequence) never decides
//! it, whatever roles they hold: the four-eyes principle, for every gate kind, here once.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::role::Role;

crate::values! {
    /// What a gate checks. Each stage adds its kinds; the kind fixes the roles a gate needs.
    /// The label is what the gate is called in plain words, for inboxes and the CLI.
    pub enum GateKind("gate kind") {
        /// A proposed ICP version: sales lead and marketing lead approve before it goes live.
        IcpApproval = "icp_approval" / "ICP approval",
        /// The quarterly review of a live ICP version: the same two leads reaffirm it, or
        /// reject it with a reason that asks for a new proposal.
        IcpReview = "icp_review" / "ICP quarterly review",
        /// A prospect list built by discovery: a reviewer marks each record of a seeded
        /// random sample match or no match, and the list moves on only when enough of them
        /// match. It is decided record by record (`leadgate review sample`), never by a bare
        /// approve.
        SampleReview = "sample_review" / "prospect sample review",
        /// A trained (or hand-written) scoring model version: sales ops approves its
        /// calibration before it scores live. Warnings from its report (out-of-time AUC well
        /// below cross-validation, score drift, predicted and observed conversion apart) make
        /// an approval need a written reason.
        ModelCalibration = "model_calibration" / "model calibration",
        /// The review of a live model version 30 and 60 days after it went live, then
        /// quarterly, or early when its scores drift: sales ops reaffirms it against what its
        /// leads actually did, or rejects it with a reason that asks for retraining.
        ModelReview = "model_review" / "model review",
        /// The first message of one variant of a sequence, written for a real lead, with
        /// every personalised claim and the fact it rests on, and the linter's and the
        /// compliance checks' findings: a reviewer who is not the sequence's author approves
        /// it for voice, facts and compliance before any message of the variant is sent.
        VariantApproval = "variant_approval" / "first-message approval",
    }
}

impl GateKind {
    /// The roles whose approvals the gate needs, one person per role.
    pub fn required_roles(self) -> Vec<Role> {
        match self {
            GateKind::IcpApproval | GateKind::IcpReview => {
                vec![Role::SalesLead, Role::MarketingLead]
            }
            GateKind::SampleReview => vec![Role::Reviewer],
            GateKind::ModelCalibration | GateKind::ModelReview => vec![Role::SalesOps],
            GateKind::VariantApproval => vec![Role::Reviewer],
        }
    }

    /// What the gate is called in plain words, for inboxes and the CLI.
    pub fn title(self) -> &'static str {
        self.label()
    }
}

crate::values! {
    /// Where a gate stands.
    pub enum GateStatus("gate status") {
        Open = "open" / "open",
        Approved = "approved" / "approved",
        Rejected = "rejected" / "rejected",
        /// Closed without a decision because its subject was replaced (e.g. a newer proposal
        /// of the same segment went live first).
        Cancelled = "cancelled" / "cancelled",
    }
}

crate::values! {
    /// One person's verdict on a gate.
    pub enum Verdict("verdict") {
        Approve = "approve" / "approved",
        Reject = "reject" / "rejected",
    }
}

/// One person's recorded decision on a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub person: String,
    pub role: Role,
    pub verdict: Verdict,
    /// The note of an approval or the reason of a rejection.
    pub note: Option<String>,
    pub at: Timestamp,
}

/// The decidable state of a gate: what [`decide`] needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateState {
    pub kind: GateKind,
    pub status: GateStatus,
    pub required_roles: Vec<Role>,
    /// Who made what the gate reviews; `None` when the machine made it.
    pub maker: Option<String>,
    /// What the evidence warns of, in words (a model's out-of-time AUC far below its
    /// cross-validated AUC, say). A gate with warnings may still be approved, but only with
    /// a written reason, so that whoever overrides a warning says why, on the record.
    pub warnings: Vec<String>,
    pub decisions: Vec<Decision>,
}

impl GateState {
    /// A new gate on what `maker` made (`None`: the machine).
    pub fn open(kind: GateKind, maker: Option<&str>) -> Self {
        GateState {
            kind,
            status: GateStatus::Open,
            required_roles: kind.required_roles(),
            maker: maker.map(str::to_string),
            warnings: Vec::new(),
            decisions: Vec::new(),
        }
    }

    /// Whether `person` made what the gate reviews.
    pub fn made_by(&self, person: &str) -> bool {
        self.maker.as_deref() == Some(person)
    }

    /// Required roles that no approval covers yet, in the gate's order.
    pub fn pending_roles(&self) -> Vec<Role> {
        self.required_roles
            .iter()
            .copied()
            .filter(|role| {
                !self
                    .decisions
                    .iter()
                    .any(|d| d.verdict == Verdict::Approve && d.role == *role)
            })
            .collect()
    }
}

/// Who is asking to decide: a person and the roles they hold now.
#[derive(Debug, Clone, Copy)]
pub struct Decider<'a> {
    pub person: &'a str,
    pub roles: &'a [Role],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `role` picks which of the decider's roles the approval fills, when they hold several.
    Approve {
        role: Option<Role>,
        note: Option<String>,
    },
    Reject {
        reason: String,
    },
}

/// A decision the gate accepts, and the status it leaves the gate in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub decision: Decision,
    pub status: GateStatus,
}

/// Why a gate refused a decision. Each message is one line a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the gate is {0}; only an open gate takes decisions")]
    NotOpen(GateStatus),
    #[error(
        "{person} made what this gate reviews, and the maker never checks their own work \
         (four-eyes): another holder of {} decides it",
        role_list(required)
    )]
    MakerDecides { person: String, required: Vec<Role> },
    #[error(
        "{person} holds none of the roles this gate needs ({})",
        role_list(required)
    )]
    NoRequiredRole { person: String, required: Vec<Role> },
    #[error("{person} does not hold the role {role}")]
    RoleNotHeld { person: String, role: Role },
    #[error(
        "this gate does not need a {role} decision (it needs {})",
        role_list(required)
    )]
    RoleNotRequired { role: Role, required: Vec<Role> },
    #[error("the {role} approval was already given by {by}")]
    RoleAlreadyApproved { role: Role, by: String },
    #[error(
        "{person} already decided on this gate as {role}; separation of duties needs a different person"
    )]
    AlreadyDecided { person: String, role: Role },
    #[error(
        "{person} holds several pending roles ({}); choose one with --role",
        role_list(roles)
    )]
    AmbiguousRole { person: String, roles: Vec<Role> },
    #[error("a rejection needs a reason")]
    EmptyReason,
    /// Approving over the evidence's warnings needs a written reason.
    #[error(
        "the evidence carries {} warning{} ({}); approving over {} needs a written reason (--note)",
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" },
        warnings.join("; "),
        if warnings.len() == 1 { "it" } else { "them" }
    )]
    WarningsNeedReason { warnings: Vec<String> },
}

fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether this person could make some decision on the gate now: the one rule behind inbox
/// filtering and the visibility of approve/reject buttons.
pub fn may_decide(gate: &GateState, decider: Decider<'_>) -> bool {
    check(gate, decider).is_ok()
}

/// Whether this person may take part in deciding the gate at all, or why not: the gate is
/// open, they did not make what it reviews (four-eyes), they have not decided it already
/// (separation of duties), and they hold one of the roles it needs. [`decide`] applies it
/// first; a gate decided in steps (a sample review, record by record) applies it to each
/// step.
pub fn check(gate: &GateState, decider: Decider<'_>) -> Result<(), Refusal> {
    if gate.status != GateStatus::Open {
        return Err(Refusal::NotOpen(gate.status));
    }
    if gate.made_by(decider.person) {
        return Err(Refusal::MakerDecides {
            person: decider.person.to_string(),
            required: gate.required_roles.clone(),
        });
    }
    if let Some(earlier) = gate.decisions.iter().find(|d| d.person == decider.person) {
        return Err(Refusal::AlreadyDecided {
            person: decider.person.to_string(),
            role: earlier.role,
        });
    }
    if !gate
        .required_roles
        .iter()
        .any(|role| decider.roles.contains(role))
    {
        return Err(Refusal::NoRequiredRole {
            person: decider.person.to_string(),
            required: gate.required_roles.clone(),
        });
    }
    Ok(())
}

/// Applies a request to a gate, or says why it is refused. Pure: the caller stores the result.
pub fn decide(
    gate: &GateState,
    decider: Decider<'_>,
    request: Request,
    now: Timestamp,
) -> Result<Decided, Refusal> {
    check(gate, decider)?;
    let held: Vec<Role> = gate
        .required_roles
        .iter()
        .copied()
        .filter(|role| decider.roles.contains(role))
        .collect();
    let pending = gate.pending_roles();
    match request {
        Request::Approve { role, note } => {
            let note = note.filter(|n| !n.trim().is_empty());
            if note.is_none() && !gate.warnings.is_empty() {
                return Err(Refusal::WarningsNeedReason {
                    warnings: gate.warnings.clone(),
                });
            }
            let role = match role {
                Some(role) => {
                    check_chosen_role(gate, decider, role)?;
                    role
                }
                None => choose_pending_role(gate, decider, &held, &pending)?,
            };
            let decision = Decision {
                person: decider.person.to_string(),
                role,
                verdict: Verdict::Approve,
                note,
                at: now,
            };
            let status = if pending.iter().all(|p| *p == role) {
                GateStatus::Approved
            } else {
                GateStatus::Open
            };
            Ok(Decided { decision, status })
        }
        Request::Reject { reason } => {
            if reason.trim().is_empty() {
                return Err(Refusal::EmptyReason);
            }
            // A rejection is recorded under a pending role when the person holds one.
            let role = held
                .iter()
                .copied()
                .find(|r| pending.contains(r))
                .unwrap_or(held[0]);
            let decision = Decision {
                person: decider.person.to_string(),
                role,
                verdict: Verdict::Reject,
                note: Some(reason.trim().to_string()),
                at: now,
            };
            Ok(Decided {
                decision,
                status: GateStatus::Rejected,
            })
        }
    }
}

fn check_chosen_role(gate: &GateState, decider: Decider<'_>, role: Role) -> Result<(), Refusal> {
    if !decider.roles.contains(&role) {
        return Err(Refusal::RoleNotHeld {
            person: decider.person.to_string(),
            role,
        });
    }
    if !gate.required_roles.contains(&role) {
        return Err(Refusal::RoleNotRequired {
            role,
            required: gate.required_roles.clone(),
        });
    }
    if let Some(by) = gate
        .decisions
        .iter()
        .find(|d| d.verdict == Verdict::Approve && d.role == role)
    {
        return Err(Refusal::RoleAlreadyApproved {
            role,
            by: by.person.clone(),
        });
    }
    Ok(())
}

fn choose_pending_role(
    gate: &GateState,
    decider: Decider<'_>,
    held: &[Role],
    pending: &[Role],
) -> Result<Role, Refusal> {
    let candidates: Vec<Role> = held
        .iter()
        .copied()
        .filter(|r| pending.contains(r))
        .collect();
    match candidates.as_slice() {
        [only] => Ok(*only),
        [] => {
            let role = held[0];
            let by = gate
                .decisions
                .iter()
                .find(|d| d.role == role)
                .map(|d| d.person.clone())
                .unwrap_or_default();
            Err(Refusal::RoleAlreadyApproved { role, by })
        }
        several => Err(Refusal::AmbiguousRole {
            person: decider.person.to_string(),
            roles: several.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    fn approve(role: Option<Role>) -> Request {
        Request::Approve { role, note: None }
    }

    fn apply(gate: &mut GateState, decided: Decided) {
        gate.decisions.push(decided.decision);
        gate.status = decided.status;
    }

    #[test]
    fn two_different_people_complete_the_icp_gate() {
        let mut gate = GateState::open(GateKind::IcpApproval, Some("otto"));
        let sales = Decider {
            person: "sam",
            roles: &[Role::SalesLead],
        };
        let marketing = Decider {
            person: "mia",
            roles: &[Role::MarketingLead],
        };

        let first = decide(&gate, sales, approve(None), at(0)).unwrap();
        assert_eq!(first.status, GateStatus::Open);
        apply(&mut gate, first);
        let second = decide(&gate, marketing, approve(None), at(1)).unwrap();

        assert_eq!(second.status, GateStatus::Approved);
        assert_eq!(second.decision.role, Role::MarketingLead);
    }

    #[test]
    fn one_person_with_both_roles_cannot_fill_both_approvals() {
        let mut gate = GateState::open(GateKind::IcpApproval, Some("otto"));
        let founder = Decider {
            person: "fay",
            roles: &[Role::SalesLead, Role::MarketingLead, Role::Admin],
        };

        assert_eq!(
            decide(&gate, founder, approve(None), at(0)).unwrap_err(),
            Refusal::AmbiguousRole {
                person: "fay".into(),
                roles: vec![Role::SalesLead, Role::MarketingLead]
            }
        );
        let first = decide(&gate, founder, approve(Some(Role::SalesLead)), at(0)).unwrap();
        apply(&mut gate, first);
        let again = decide(&gate, founder, approve(Some(Role::MarketingLead)), at(1));

        assert!(matches!(again, Err(Refusal::AlreadyDecided { .. })));
        assert!(!may_decide(&gate, founder));
    }

    #[test]
    fn the_maker_never_decides_their_own_work_whatever_roles_they_hold() {
        // Arrange: sam proposed the ICP and holds a role the gate needs.
        let gate = GateState::open(GateKind::IcpApproval, Some("sam"));
        let sam = Decider {
            person: "sam",
            roles: &[Role::SalesLead, Role::Admin],
        };

        // Act
        let approve_own = decide(&gate, sam, approve(None), at(0));
        let reject_own = decide(
            &gate,
            sam,
            Request::Reject {
                reason: "second thoughts".into(),
            },
            at(0),
        );

        // Assert
        let refusal = Refusal::MakerDecides {
            person: "sam".into(),
            required: vec![Role::SalesLead, Role::MarketingLead],
        };
        assert_eq!(approve_own.unwrap_err(), refusal);
        assert_eq!(reject_own.unwrap_err(), refusal);
        assert!(!may_decide(&gate, sam), "no button for the maker");
        assert!(refusal.to_string().contains("four-eyes"), "{refusal}");
        let machine_made = GateState::open(GateKind::SampleReview, None);
        let rita = Decider {
            person: "rita",
            roles: &[Role::Reviewer],
        };
        assert!(may_decide(&machine_made, rita));
    }

    #[test]
    fn a_role_outside_the_gate_is_refused() {
        let gate = GateState::open(GateKind::IcpApproval, Some("otto"));
        let rep = Decider {
            person: "ray",
            roles: &[Role::Rep, Role::Admin],
        };

        assert!(matches!(
            decide(&gate, rep, approve(None), at(0)),
            Err(Refusal::NoRequiredRole { .. })
        ));
        assert!(!may_decide(&gate, rep));
    }

    #[test]
    fn a_second_approval_for_a_filled_role_is_refused() {
        let mut gate = GateState::open(GateKind::IcpApproval, Some("otto"));
        let first = decide(
            &gate,
            Decider {
                person: "sam",
                roles: &[Role::SalesLead],
            },
            approve(None),
            at(0),
        )
        .unwrap();
        apply(&mut gate, first);

        let other_sales = Decider {
            person: "sid",
            roles: &[Role::SalesLead],
        };
        assert_eq!(
            decide(&gate, other_sales, approve(None), at(1)).unwrap_err(),
            Refusal::RoleAlreadyApproved {
                role: Role::SalesLead,
                by: "sam".into()
            }
        );
    }

    #[test]
    fn a_rejection_needs_a_reason_and_closes_the_gate() {
        let mut gate = GateState::open(GateKind::IcpApproval, Some("otto"));
        let marketing = Decider {
            person: "mia",
            roles: &[Role::MarketingLead],
        };

        assert_eq!(
            decide(
                &gate,
                marketing,
                Request::Reject {
                    reason: "  ".into()
                },
                at(0)
            )
            .unwrap_err(),
            Refusal::EmptyReason
        );
        let rejected = decide(
            &gate,
            marketing,
            Request::Reject {
                reason: "too broad".into(),
            },
            at(0),
        )
        .unwrap();
        assert_eq!(rejected.status, GateStatus::Rejected);
        apply(&mut gate, rejected);

        let sales = Decider {
            person: "sam",
            roles: &[Role::SalesLead],
        };
        assert_eq!(
            decide(&gate, sales, approve(None), at(1)).unwrap_err(),
            Refusal::NotOpen(GateStatus::Rejected)
        );
    }

    #[test]
    fn a_warned_model_is_approved_only_with_a_written_reason_and_never_by_its_trainer() {
        // Arrange: tia trained the model; its report warns of drift.
        let mut gate = GateState::open(GateKind::ModelCalibration, Some("tia"));
        gate.warnings = vec!["score PSI 0.31 is above 0.25".into()];
        let olga = Decider {
            person: "olga",
            roles: &[Role::SalesOps],
        };
        let tia = Decider {
            person: "tia",
            roles: &[Role::SalesOps, Role::Admin],
        };
        let with_note = |note: &str| Request::Approve {
            role: None,
            note: Some(note.into()),
        };

        // Act
        let bare = decide(&gate, olga, approve(None), at(0));
        let blank = decide(&gate, olga, with_note("   "), at(0));
        let reasoned = decide(
            &gate,
            olga,
            with_note("the spring campaign shifted the mix"),
            at(0),
        );
        let by_trainer = decide(&gate, tia, with_note("looks fine to me"), at(0));

        // Assert
        let refusal = bare.unwrap_err();
        assert!(matches!(refusal, Refusal::WarningsNeedReason { .. }));
        assert!(refusal.to_string().contains("score PSI 0.31"), "{refusal}");
        assert!(matches!(blank, Err(Refusal::WarningsNeedReason { .. })));
        let reasoned = reasoned.unwrap();
        assert_eq!(reasoned.status, GateStatus::Approved);
        assert_eq!(reasoned.decision.role, Role::SalesOps);
        assert!(matches!(by_trainer, Err(Refusal::MakerDecides { .. })));
    }

    #[test]
    fn a_model_without_warnings_is_approved_without_a_note_and_rejected_only_with_a_reason() {
        let gate = GateState::open(GateKind::ModelCalibration, Some("tia"));
        let olga = Decider {
            person: "olga",
            roles: &[Role::SalesOps],
        };
        let sam = Decider {
            person: "sam",
            roles: &[Role::SalesLead],
        };

        assert_eq!(
            decide(&gate, olga, approve(None), at(0)).unwrap().status,
            GateStatus::Approved
        );
        assert!(matches!(
            decide(&gate, sam, approve(None), at(0)),
            Err(Refusal::NoRequiredRole { .. })
        ));
    }
}
