//! Existing customers, as the CRM knows them. A contact's own record may say its company is a
//! customer (HubSpot's lifecycle stage), but most of a customer's people are never in the
//! CRM's contact export: the account is. An export of the CRM's accounts or deals — a row per
//! account or deal, with the company's domain and, for deals, the outcome — names the
//! customers by domain, and the ICP's `exclusions.existing_customers` holds for every contact
//! whose company has one of those domains.
//!
//! The columns are found by their names, as HubSpot, Salesforce and Pipedrive name them: the
//! domain (`domain`, `company_domain`, `website`, …), the account's name, and the outcome
//! (`outcome`, `stage`, `deal stage`, `status`, …). Without an outcome column every row is a
//! customer (a plain list of accounts); with one, only rows whose outcome is won are (`closed
//! won`, `closedwon`, `won`, `customer`).

use std::collections::HashSet;

use super::normalize::Domain;

/// The customer accounts, by registrable domain.
#[derive(Debug, Clone, Default)]
pub struct CustomerAccounts(HashSet<Domain>);

impl CustomerAccounts {
    pub fn new() -> CustomerAccounts {
        CustomerAccounts::default()
    }

    /// Adds an account; false when it was there already.
    pub fn insert(&mut self, domain: Domain) -> bool {
        self.0.insert(domain)
    }

    /// Whether the company with this domain is a customer.
    pub fn covers(&self, domain: &Domain) -> bool {
        self.0.contains(domain)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Column names, compared without case, spaces, underscores or hyphens.
const DOMAIN_COLUMNS: &[&str] = &[
    "domain",
    "companydomain",
    "companydomainname",
    "domainname",
    "website",
    "websiteurl",
    "companywebsite",
];
const NAME_COLUMNS: &[&str] = &["companyname", "accountname", "name", "company", "account"];
const OUTCOME_COLUMNS: &[&str] = &[
    "outcome",
    "stage",
    "dealstage",
    "status",
    "lifecyclestage",
    "iswon",
];
const WON: &[&str] = &["closedwon", "won", "customer", "true", "yes"];

fn key(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where an export's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountColumns {
    pub domain: usize,
    pub name: Option<usize>,
    pub outcome: Option<usize>,
}

impl AccountColumns {
    /// Finds the columns in a header; the error names the header's columns when no domain
    /// column is among them.
    pub fn detect(header: &[String]) -> Result<AccountColumns, String> {
        let keys: Vec<String> = header.iter().map(|h| key(h)).collect();
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| keys.iter().position(|k| k == name))
        };
        let domain = find(DOMAIN_COLUMNS).ok_or_else(|| {
            format!(
                "no domain column (one of domain, company_domain, website, …) among: {}",
                header.join(", ")
            )
        })?;
        Ok(AccountColumns {
            domain,
            name: find(NAME_COLUMNS),
            outcome: find(OUTCOME_COLUMNS),
        })
    }
}

/// Whether an outcome or stage value means won.
pub fn is_won(value: &str) -> bool {
    WON.contains(&key(value).as_str())
}

/// What one row of an export says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRow {
    /// A customer account.
    Customer {
        domain: Domain,
        name: Option<String>,
    },
    /// A deal or account that is not won.
    NotWon,
    /// The row cannot be read: why.
    Rejected(String),
}

/// Reads one row.
pub fn read_row(columns: &AccountColumns, fields: &[String]) -> AccountRow {
    let cell = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or_default();
    if let Some(outcome) = columns.outcome
        && !is_won(cell(outcome))
    {
        return AccountRow::NotWon;
    }
    let raw = cell(columns.domain);
    match Domain::parse(raw) {
        Ok(domain) if domain.is_personal_provider() => AccountRow::Rejected(format!(
            "domain {raw:?} is a personal mail provider, not a company"
        )),
        Ok(domain) => AccountRow::Customer {
            domain,
            name: columns
                .name
                .map(cell)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        },
        Err(_) if raw.is_empty() => AccountRow::Rejected("no domain".to_string()),
        Err(_) => AccountRow::Rejected(format!("domain {raw:?} is not a domain name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_found_by_their_crm_names() {
        let deals = header(&["deal_id", "outcome", "company_name", "domain"]);
        assert_eq!(
            AccountColumns::detect(&deals),
            Ok(AccountColumns {
                domain: 3,
                name: Some(2),
                outcome: Some(1)
            })
        );
        let hubspot = header(&[
            "Record ID",
            "Company name",
            "Company Domain Name",
            "Lifecycle Stage",
        ]);
        assert_eq!(
            AccountColumns::detect(&hubspot),
            Ok(AccountColumns {
                domain: 2,
                name: Some(1),
                outcome: Some(3)
            })
        );
        let missing = AccountColumns::detect(&header(&["id", "name"])).unwrap_err();
        assert!(missing.contains("id, name"), "{missing}");
    }

    #[test]
    fn only_won_rows_are_customers_and_a_bad_domain_is_named() {
        let columns = AccountColumns {
            domain: 0,
            name: Some(1),
            outcome: Some(2),
        };
        let row = |cells: &[&str]| read_row(&columns, &header(cells));
        assert_eq!(
            row(&["https://www.Acme.com/about", "Acme", "Closed Won"]),
            AccountRow::Customer {
                domain: Domain::parse("acme.com").unwrap(),
                name: Some("Acme".into())
            }
        );
        assert_eq!(
            row(&["acme.com", "Acme", "closed_lost"]),
            AccountRow::NotWon
        );
        assert_eq!(row(&["acme.com", "Acme", ""]), AccountRow::NotWon);
        assert_eq!(
            row(&["", "Acme", "won"]),
            AccountRow::Rejected("no domain".into())
        );
        assert!(
            matches!(row(&["gmail.com", "", "won"]), AccountRow::Rejected(r) if r.contains("personal"))
        );
        let plain = AccountColumns {
            domain: 0,
            name: None,
            outcome: None,
        };
        assert!(matches!(
            read_row(&plain, &header(&["beta.io"])),
            AccountRow::Customer { .. }
        ));
    }
}
