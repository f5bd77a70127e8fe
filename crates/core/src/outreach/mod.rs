//! Stage 4's rules: outreach to the leads that crossed the threshold. A team writes its
//! sequences in TOML ([`sequence`]): 3 to 5 touches over e-mail, LinkedIn and the phone,
//! with A/B variants and steps that wait for what the prospect did. Each message is
//! rendered for one lead from that lead's facts only ([`compose`]), and every claim it
//! makes keeps the fact it rests on, so the person who approves the first variant sees
//! where each personalised word came from. The copy linter ([`lint`], with its phrase
//! lists and their sources in [`phrases`]) flags what a careful reviewer would, each finding
//! with its severity and place.
//!
//! [`snippets`] turns the signals a lead's facts show (a funding round, a new role, hiring,
//! its tools) into an opener, `{{ opener }}`, whose claims cite their facts too.
//!
//! [`ab`] compares a step's variants on positive replies and meetings with Fisher's exact
//! test, never on opens.
//! [`plan`] decides which channels a lead gets (no calls for a small deal, LinkedIn for a
//! senior buyer at a real company), each decision with its rule.
//! [`compliance`] writes every e-mail's footer and, for a first touch under the GDPR, the
//! notice of where the data came from, and blocks a message that lacks them or goes to a
//! contact stage 2 did not clear.
//!
//! [`enrollment`] names where a lead's run through a sequence and a variant's gate stand,
//! which variant a new lead gets, and the first-variant gate's rule: only the approved text
//! of an approved variant is sent.
//!
//! [`reply`] reads an inbound message and says what it is — a bounce, an automatic reply,
//! an opt-out in words, a referral, a no, a yes, or one for a person — with the evidence.
//!
//! [`window`] says when a touch goes: business days, and the send window in the prospect's
//! time zone, with a jitter the message's own key decides. [`tracking`] puts a message's links
//! behind the server's click redirect.
//!
//! [`writer`] is what a language model may do: write the opener from the lead's facts as
//! data, and have it used only if it passes the [`claims`] check — every name, number, date
//! and event it states is a fact's value or rests on a fact that shows it.
//!
//! Sending, DNS checks, model calls and reading replies are the engine's and the connectors'.

pub mod ab;
pub mod claims;
pub mod compliance;
pub mod compose;
pub mod enrollment;
pub mod lint;
pub mod phrases;
pub mod plan;
pub mod reply;
pub mod sequence;
pub mod snippets;
pub mod tracking;
pub mod window;
pub mod writer;
