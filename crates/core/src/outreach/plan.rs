//! The channel plan: which of a sequence's channels a lead gets, by rules a team sets, each
//! decision with the rule and the facts that made it — so `sequence plan LEAD` can say why
//! a lead gets LinkedIn steps and another does not.
//!
//! The process's defaults:
//! - **E-mail** always comes first.
//! - **Deal size.** Under `small_deal_below` (10,000 in the team's currency) a lead is worked
//!   by e-mail and LinkedIn only: a call costs more than the deal carries. From it up,
//!   call steps stay.
//! - **Seniority and size.** A VP or C-level person (`linkedin_seniorities`) at a company of
//!   more than `linkedin_min_employees` people (50) gets the LinkedIn steps; others do not.
//!   A fact the rule needs that the lead lacks means the rule does not apply, and the plan
//!   says which fact was missing.

use serde::{Deserialize, Serialize};

use super::compose::{Fact, newest_known};
use super::sequence::{Channel, Sequence};

/// The rules, as `[outreach.plan]` in `leadgate.toml` sets them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanRules {
    /// The deal a lead is expected to bring, in the team's currency (one figure for all
    /// leads until deal sizes are learned per segment).
    pub expected_deal_size: Option<f64>,
    pub small_deal_below: f64,
    pub linkedin_seniorities: Vec<String>,
    pub linkedin_min_employees: f64,
}

impl Default for PlanRules {
    fn default() -> Self {
        PlanRules {
            expected_deal_size: None,
            small_deal_below: 10_000.0,
            linkedin_seniorities: vec!["vp".to_string(), "c_level".to_string()],
            linkedin_min_employees: 50.0,
        }
    }
}

/// One decision of a plan, in words, with the rule that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// `deal_size` or `seniority_and_size`.
    pub rule: &'static str,
    pub said: String,
}

/// The channels a lead gets, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub linkedin: bool,
    pub calls: bool,
    pub decisions: Vec<Decision>,
}

impl Plan {
    /// Whether the plan keeps a step of this channel.
    pub fn keeps(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => true,
            Channel::LinkedinConnect | Channel::LinkedinMessage => self.linkedin,
            Channel::Call => self.calls,
        }
    }

    /// The steps of `sequence` (numbered from 1) the lead gets.
    pub fn steps(&self, sequence: &Sequence) -> Vec<usize> {
        sequence
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| self.keeps(s.channel))
            .map(|(i, _)| i + 1)
            .collect()
    }
}

/// The plan for a lead with these facts (the newest of a field is the last).
pub fn plan(facts: &[Fact], rules: &PlanRules) -> Plan {
    let newest = |field: &str| newest_known(facts, field).map(|(_, v)| v.to_string());
    let mut decisions = Vec::new();
    let calls = match rules.expected_deal_size {
        Some(deal) if deal < rules.small_deal_below => {
            decisions.push(Decision {
                rule: "deal_size",
                said: format!(
                    "expected deal {deal:.0} is under {:.0}: e-mail first, no call steps",
                    rules.small_deal_below
                ),
            });
            false
        }
        Some(deal) => {
            decisions.push(Decision {
                rule: "deal_size",
                said: format!(
                    "expected deal {deal:.0} is {:.0} or more: call steps stay",
                    rules.small_deal_below
                ),
            });
            true
        }
        None => {
            decisions.push(Decision {
                rule: "deal_size",
                said: "no expected deal size is set ([outreach.plan] expected_deal_size): call \
                       steps stay"
                    .to_string(),
            });
            true
        }
    };
    let seniority = newest("seniority");
    let employees = newest("employees")
        .or_else(|| newest("headcount"))
        .and_then(|e| e.replace(',', "").parse::<f64>().ok());
    let senior = seniority.as_deref().is_some_and(|s| {
        rules
            .linkedin_seniorities
            .iter()
            .any(|r| r.eq_ignore_ascii_case(s))
    });
    let linkedin = match (&seniority, employees) {
        (None, _) => {
            decisions.push(Decision {
                rule: "seniority_and_size",
                said: "the lead's seniority is not known: no LinkedIn steps".to_string(),
            });
            false
        }
        (Some(_), None) => {
            decisions.push(Decision {
                rule: "seniority_and_size",
                said: "the company's size is not known: no LinkedIn steps".to_string(),
            });
            false
        }
        (Some(s), Some(n)) => {
            let big = n > rules.linkedin_min_employees;
            let said = if senior && big {
                format!(
                    "{s} at a company of {n:.0} (over {:.0}): LinkedIn steps added",
                    rules.linkedin_min_employees
                )
            } else if !senior {
                format!(
                    "{s} is not one of {}: no LinkedIn steps",
                    rules.linkedin_seniorities.join(", ")
                )
            } else {
                format!(
                    "a company of {n:.0} (not over {:.0}): no LinkedIn steps",
                    rules.linkedin_min_employees
                )
            };
            decisions.push(Decision {
                rule: "seniority_and_size",
                said,
            });
            senior && big
        }
    };
    Plan {
        linkedin,
        calls,
        decisions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outreach::compose::tests::fact;

    #[test]
    fn a_small_deal_gets_no_calls_and_a_senior_buyer_at_a_real_company_gets_linkedin() {
        let rules = PlanRules {
            expected_deal_size: Some(8_000.0),
            ..PlanRules::default()
        };
        let cro = [fact("seniority", "c_level"), fact("employees", "281")];
        let manager = [fact("seniority", "manager"), fact("employees", "281")];
        let tiny = [fact("seniority", "vp"), fact("employees", "12")];

        let cro_plan = plan(&cro, &rules);
        let manager_plan = plan(&manager, &rules);
        let tiny_plan = plan(&tiny, &rules);
        let unknown = plan(&[], &PlanRules::default());

        assert!(!cro_plan.calls && cro_plan.linkedin);
        assert!(cro_plan.decisions[0].said.contains("under 10000"));
        assert!(cro_plan.decisions[1].said.contains("LinkedIn steps added"));
        assert!(!manager_plan.linkedin);
        assert!(!tiny_plan.linkedin);
        assert!(tiny_plan.decisions[1].said.contains("not over 50"));
        assert!(unknown.calls && !unknown.linkedin);
        assert!(unknown.decisions[1].said.contains("seniority is not known"));
    }

    #[test]
    fn the_plan_keeps_the_steps_of_its_channels() {
        let text = "name = \"x\"\n[[steps]]\nchannel = \"email\"\ndelay_days = 0\nsubject = \"s\"\nbody = \"b\"\n[[steps]]\nchannel = \"linkedin_connect\"\ndelay_days = 1\nbody = \"b\"\n[[steps]]\nchannel = \"call\"\ndelay_days = 1\nbody = \"b\"\n";
        let sequence = Sequence::parse(text, "s.toml").unwrap();
        let email_only = Plan {
            linkedin: false,
            calls: false,
            decisions: Vec::new(),
        };
        let all = Plan {
            linkedin: true,
            calls: true,
            decisions: Vec::new(),
        };

        assert_eq!(email_only.steps(&sequence), [1]);
        assert_eq!(all.steps(&sequence), [1, 2, 3]);
    }
}
