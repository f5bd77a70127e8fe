//! The roles people hold in a workspace. A gate names the roles whose approval it needs;
//! whether a person may decide is always answered by [`crate::gate`], never ad hoc.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A role a person holds. Roles are additive: a founder may hold all of them, but separation
/// of duties (see [`crate::gate`]) still stops one person from filling two approvals of a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    SalesLead,
    MarketingLead,
    SalesOps,
    Reviewer,
    Rep,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::SalesLead,
        Role::MarketingLead,
        Role::SalesOps,
        Role::Reviewer,
        Role::Rep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::SalesLead => "sales_lead",
            Role::MarketingLead => "marketing_lead",
            Role::SalesOps => "sales_ops",
            Role::Reviewer => "reviewer",
            Role::Rep => "rep",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (roles: admin, sales_lead, marketing_lead, sales_ops, reviewer, rep)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// The roles that may propose an ICP version. A proposal changes nothing live (its gate
/// decides), but reps and reviewers work downstream of the ICP rather than author it.
pub const ICP_PROPOSERS: [Role; 4] = [
    Role::Admin,
    Role::SalesLead,
    Role::MarketingLead,
    Role::SalesOps,
];

/// Parses `sales_lead,marketing_lead` into a sorted, de-duplicated, non-empty role list.
pub fn parse_role_list(s: &str) -> Result<Vec<Role>, UnknownRole> {
    let mut roles = s
        .split(',')
        .filter(|part| !part.trim().is_empty())
        .map(Role::from_str)
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(UnknownRole(s.to_string()));
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
    }

    #[test]
    fn role_list_is_sorted_and_deduplicated() {
        let roles = parse_role_list("rep, sales-lead,rep").unwrap();
        assert_eq!(roles, vec![Role::SalesLead, Role::Rep]);
        assert!(parse_role_list("rep,boss").is_err());
        assert!(parse_role_list(" , ").is_err());
    }
}
