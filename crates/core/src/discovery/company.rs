//! Which records speak of one company: the join between a person's records and the facts of
//! their employer.
//!
//! Sources name an employer in different ways: Apollo by domain, name and LinkedIn page; a
//! Sales Navigator row by name and LinkedIn page, often without a domain; a CRM row by a
//! hand-typed name and the person's work address. A record's **employer keys** are all of
//! these it holds — the registrable domain (of the company's domain, else its website, else
//! a work address; a personal provider such as gmail.com names no employer), the company's
//! LinkedIn page, and the company name with its legal form folded away — and a record that
//! holds several keys joins them. A company is a connected group of keys, so "Blueio"
//! typed in a CRM beside `scott@blueio.com` reaches the Apollo row of blueio.com with its
//! employee count and stack.
//!
//! A name is a weak key: two companies can share one ("Acme" at acme.com and at acme.de).
//! A name or LinkedIn page seen beside two different domains is ambiguous and joins
//! nothing; a record that has only such a key keeps a company of its own, whose facts are
//! then unknown rather than borrowed from a namesake.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::field::Field;
use super::normalize::{Domain, Email, company_key_of};

/// The company of every record, as an index into the groups: `None` for a record that names
/// no employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companies {
    of_record: Vec<Option<usize>>,
    count: usize,
}

impl Companies {
    /// The company of the `i`-th record given to [`resolve_companies`].
    pub fn of(&self, i: usize) -> Option<usize> {
        self.of_record.get(i).copied().flatten()
    }

    /// How many companies the records name.
    pub fn count(&self) -> usize {
        self.count
    }
}

/// A record's employer keys, strongest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployerKeys {
    /// Registrable domain.
    pub domain: Option<String>,
    /// The slug of the company's LinkedIn page (`blueio-it`).
    pub linkedin: Option<String>,
    /// The name with case, accents, punctuation and legal form folded away.
    pub name: Option<String>,
}

impl EmployerKeys {
    /// The keys of one record's facts (`company_domain`, `website`, `email`,
    /// `company_linkedin_url`, `company_name`).
    pub fn of(facts: &Map<String, Value>) -> EmployerKeys {
        let text = |field: Field| {
            facts
                .get(field.as_str())
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let domain = text(Field::CompanyDomain)
            .or_else(|| text(Field::Website))
            .and_then(|d| Domain::parse(d).ok())
            .filter(|d| !d.is_personal_provider())
            .or_else(|| {
                let email = Email::parse(text(Field::Email)?).ok()?;
                (!email.is_personal_provider()).then(|| email.domain())
            })
            .map(|d| d.as_str().to_string());
        let linkedin = text(Field::CompanyLinkedinUrl).and_then(company_page_slug);
        let name = text(Field::CompanyName)
            .map(company_key_of)
            .filter(|k| !k.is_empty());
        EmployerKeys {
            domain,
            linkedin,
            name,
        }
    }

    fn is_empty(&self) -> bool {
        self.domain.is_none() && self.linkedin.is_none() && self.name.is_none()
    }
}

/// The slug of a LinkedIn company page URL (`https://www.linkedin.com/company/blueio-it/`
/// gives `blueio-it`), lower-cased; `None` for anything else.
pub fn company_page_slug(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let (_, rest) = lower.split_once("linkedin.com/company/")?;
    let slug = rest.split(['/', '?', '#']).next()?.trim();
    (!slug.is_empty()).then(|| slug.to_string())
}

/// Groups records into companies by their employer keys (see the module's documentation).
pub fn resolve_companies<'a>(
    records: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> Companies {
    let keys: Vec<EmployerKeys> = records.into_iter().map(EmployerKeys::of).collect();

    // A name or page is ambiguous when records pair it with two different domains.
    let mut domain_of: HashMap<(u8, &str), Option<&str>> = HashMap::new();
    for k in &keys {
        let Some(domain) = k.domain.as_deref() else {
            continue;
        };
        for weak in weak_keys(k) {
            domain_of
                .entry(weak)
                .and_modify(|seen| {
                    if *seen != Some(domain) {
                        *seen = None;
                    }
                })
                .or_insert(Some(domain));
        }
    }
    let ambiguous = |weak: &(u8, &str)| matches!(domain_of.get(weak), Some(None));

    let mut ids: HashMap<(u8, &str), usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut node_of: Vec<Option<usize>> = Vec::with_capacity(keys.len());
    for k in &keys {
        if k.is_empty() {
            node_of.push(None);
            continue;
        }
        let mut nodes: Vec<usize> = Vec::with_capacity(3);
        if let Some(domain) = k.domain.as_deref() {
            nodes.push(node(&mut ids, &mut parent, (0, domain)));
        }
        for weak in weak_keys(k) {
            if !ambiguous(&weak) {
                nodes.push(node(&mut ids, &mut parent, weak));
            }
        }
        if nodes.is_empty() {
            // Only ambiguous keys: a company of its own record.
            let own = parent.len();
            parent.push(own);
            nodes.push(own);
        }
        for pair in nodes.windows(2) {
            union(&mut parent, pair[0], pair[1]);
        }
        node_of.push(Some(nodes[0]));
    }

    let mut numbered: HashMap<usize, usize> = HashMap::new();
    let of_record = node_of
        .into_iter()
        .map(|node| {
            let root = find(&mut parent, node?);
            let next = numbered.len();
            Some(*numbered.entry(root).or_insert(next))
        })
        .collect();
    Companies {
        of_record,
        count: numbered.len(),
    }
}

/// The keys that may be shared by namesakes: the LinkedIn page and the name.
fn weak_keys(k: &EmployerKeys) -> impl Iterator<Item = (u8, &str)> {
    k.linkedin
        .as_deref()
        .map(|l| (1, l))
        .into_iter()
        .chain(k.name.as_deref().map(|n| (2, n)))
}

/// The union-find node of a key, made on first sight.
fn node<'k>(
    ids: &mut HashMap<(u8, &'k str), usize>,
    parent: &mut Vec<usize>,
    key: (u8, &'k str),
) -> usize {
    let next = parent.len();
    let found = *ids.entry(key).or_insert(next);
    if found == next {
        parent.push(next);
    }
    found
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test facts are objects"),
        }
    }

    #[test]
    fn a_crm_row_reaches_its_company_through_the_work_address_and_the_page() {
        // Arrange: the three sources' rows of one person at Blueio, and a colleague's.
        let records = [
            facts(
                json!({"company_name": "Blueio IT", "company_domain": "blueio.com",
                "company_linkedin_url": "http://www.linkedin.com/company/blueio-it"}),
            ),
            facts(json!({"company_name": "Blueio IT",
                "company_linkedin_url": "https://www.linkedin.com/company/blueio-it/"})),
            facts(json!({"company_name": "Blueio", "email": "scott@blueio.com"})),
            facts(
                json!({"company_name": "Plufles Labs Limited", "company_domain": "plufles.co.uk"}),
            ),
            facts(json!({"first_name": "Ann"})),
        ];

        // Act
        let companies = resolve_companies(&records);

        // Assert
        let blueio = companies.of(0);
        assert!(blueio.is_some());
        assert_eq!(companies.of(1), blueio);
        assert_eq!(companies.of(2), blueio);
        assert_ne!(companies.of(3), blueio);
        assert_eq!(companies.of(4), None, "no employer named");
        assert_eq!(companies.count(), 2);
    }

    #[test]
    fn a_name_two_domains_share_joins_neither() {
        // Arrange
        let records = [
            facts(json!({"company_name": "Acme GmbH", "company_domain": "acme.de"})),
            facts(json!({"company_name": "Acme Inc.", "company_domain": "acme.com"})),
            facts(json!({"company_name": "ACME"})),
            facts(json!({"company_name": "Acme", "email": "jo@gmail.com"})),
        ];

        // Act
        let companies = resolve_companies(&records);

        // Assert
        assert_ne!(companies.of(0), companies.of(1));
        assert_ne!(companies.of(2), companies.of(0));
        assert_ne!(companies.of(2), companies.of(1));
        assert_ne!(
            companies.of(3),
            companies.of(2),
            "an ambiguous name joins nothing"
        );
        assert_eq!(companies.count(), 4);
    }

    #[test]
    fn a_personal_address_names_no_employer() {
        let keys = EmployerKeys::of(&facts(json!({"email": "jo.doe@gmail.com"})));
        assert_eq!(keys, EmployerKeys::default());
        let keys = EmployerKeys::of(&facts(json!({"website": "https://www.kite.io/about"})));
        assert_eq!(keys.domain.as_deref(), Some("kite.io"));
        assert_eq!(
            company_page_slug("linkedin.com/company/Kite-IO?trk=x"),
            Some("kite-io".into())
        );
        assert_eq!(
            company_page_slug("https://www.linkedin.com/in/jo-doe"),
            None
        );
    }
}
