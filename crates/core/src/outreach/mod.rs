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
//! Not built yet (issue 15): the LLM composer and its claims check,
//! compliance, the first-variant gate, sending and replies.

pub mod compose;
pub mod lint;
pub mod phrases;
pub mod sequence;
pub mod snippets;
