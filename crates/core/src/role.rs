//! The roles people hold in a workspace. A gate names the roles whose approval it needs;
//! whether a person may decide is always answered by [`crate::gate`], never ad hoc.

use std::str::FromStr;

crate::values! {
    /// A role a person holds. Roles are additive: a founder may hold all of them, but
    /// separation of duties (see [`crate::gate`]) still stops one person from filling two
    /// approvals of a gate.
    pub enum Role("role", read as loose) {
        Admin = "admin" / "admin",
        SalesLead = "sales_lead" / "sales lead",
        MarketingLead = "marketing_lead" / "marketing lead",
        SalesOps = "sales_ops" / "sales ops",
        Reviewer = "reviewer" / "reviewer",
        Rep = "rep" / "rep",
    }
}

/// A role as people type it: any case, `-` or `_`, spaces around.
fn loose(text: &str) -> String {
    text.trim().to_ascii_lowercase().replace('-', "_")
}

/// A role list that names no role or an unknown one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownRole(pub String);

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
        .collect::<Result<Vec<_>, _>>()
        .map_err(UnknownRole)?;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(UnknownRole(format!(
            "no role in `{s}` (one of {})",
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
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
