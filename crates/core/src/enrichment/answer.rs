//! What goes to a provider and what comes back: the [`Lookup`] (what is known of a contact
//! or company), and either an [`Answer`] (facts with their source and time, and the credits
//! charged) or a [`Failure`] of a known [`FailureKind`] with a reason a person can act on.
//! A bad answer is data, never a crash: it is recorded, counted, and the waterfall moves on.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::credits::Credits;
use super::field::EnrichField;
use crate::discovery::normalize::{Domain, Email, LinkedInUrl};

/// What is known of the contact or company to enrich. A provider uses what it can: a
/// company provider the domain, a people provider the e-mail, LinkedIn URL or name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookup {
    pub email: Option<Email>,
    pub domain: Option<Domain>,
    pub linkedin_url: Option<LinkedInUrl>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
}

impl Lookup {
    /// A lookup of a company by its domain.
    pub fn company(domain: Domain) -> Lookup {
        Lookup {
            domain: Some(domain),
            ..Lookup::default()
        }
    }

    /// A lookup of a contact by e-mail; the company's domain is the address's, unless it is
    /// a personal mail provider's.
    pub fn contact(email: Email) -> Lookup {
        Lookup {
            email: Some(email),
            ..Lookup::default()
        }
    }

    /// The company's domain: the one given, else the e-mail's (not a personal provider's).
    pub fn company_domain(&self) -> Option<Domain> {
        self.domain.clone().or_else(|| {
            self.email
                .as_ref()
                .filter(|e| !e.is_personal_provider())
                .map(Email::domain)
        })
    }

    /// First and last name, when both or either are known.
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.first_name, &self.last_name]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// One value of one field, from one source, as observed at one time: what is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub field: EnrichField,
    /// In the field's one shape ([`EnrichField::read`]).
    pub value: Value,
    /// The provider's name (`apollo_organization`, `crunchbase_file`).
    pub source: String,
    pub observed_at: Timestamp,
}

/// A value a provider sent for a field that does not fit the field: left out, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedValue {
    pub field: EnrichField,
    /// The value as sent, cut short.
    pub value: String,
    pub reason: String,
}

/// A provider's answer: the facts it had (none is a miss, not a failure), the values it
/// sent that were refused, and what the call cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub facts: Vec<Fact>,
    pub rejected: Vec<RejectedValue>,
    pub cost: Credits,
    /// Requests it took, retries included (a file provider: 1).
    pub attempts: u32,
}

impl Answer {
    /// An answer of `facts` that cost `cost` in one attempt.
    pub fn new(facts: Vec<Fact>, cost: Credits) -> Answer {
        Answer {
            facts,
            rejected: Vec::new(),
            cost,
            attempts: 1,
        }
    }

    /// Reads `value` for `field` into a fact from `source`, or notes why it was refused.
    /// An empty value adds nothing.
    pub fn push_value(&mut self, field: EnrichField, value: &Value, source: &str, at: Timestamp) {
        match field.read(value) {
            Ok(Some(value)) => self.facts.push(Fact {
                field,
                value,
                source: source.to_string(),
                observed_at: at,
            }),
            Ok(None) => {}
            Err(reason) => self.rejected.push(RejectedValue {
                field,
                value: super::field::shown(value),
                reason,
            }),
        }
    }
}

crate::values! {
    /// Why a provider gave no answer.
    pub enum FailureKind("failure kind") {
        /// No answer within the provider's timeout.
        Timeout = "timeout" / "timed out",
        /// An HTTP status that is neither success nor rate limit (401, 403, 422, 500 …).
        HttpStatus = "http_status" / "refused or failed (HTTP status)",
        /// An answer that is not the JSON, or the shape, the provider promised.
        Unparseable = "unparseable" / "unreadable answer",
        /// Still rate limited after the retries allowed, or asked to wait too long.
        RateLimited = "rate_limited" / "rate limited",
        /// The provider does not know the contact or company (HTTP 404, or an empty match).
        NotFound = "not_found" / "not found",
        /// The provider could not be reached (connection refused, DNS, TLS).
        Unreachable = "unreachable" / "unreachable",
        /// The lookup lacks what the provider needs (no domain, no e-mail): no call made.
        MissingInput = "missing_input" / "missing input",
    }
}

/// A provider call that gave no answer: of which kind, why in words, and what it cost
/// anyway (a provider may charge for an answer it could not parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct Failure {
    pub kind: FailureKind,
    /// The last HTTP status, when there was one.
    pub status: Option<u16>,
    /// In words: "no answer within 10 s", "HTTP 401: Invalid API key; check APOLLO_API_KEY".
    pub reason: String,
    pub cost: Credits,
    /// Requests sent, retries included; 0 when none was.
    pub attempts: u32,
}

impl Failure {
    /// A failure after one request that cost nothing.
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Failure {
        Failure {
            kind,
            status: None,
            reason: reason.into(),
            cost: Credits::ZERO,
            attempts: if kind == FailureKind::MissingInput {
                0
            } else {
                1
            },
        }
    }

    pub fn with_status(mut self, status: u16) -> Failure {
        self.status = Some(status);
        self
    }

    pub fn charged(mut self, cost: Credits) -> Failure {
        self.cost = cost;
        self
    }

    pub fn after(mut self, attempts: u32) -> Failure {
        self.attempts = attempts;
        self
    }

    /// A refusal that will not change during a run: a key refused (401) or a forbidden
    /// endpoint (403). The waterfall stops asking the provider.
    pub fn is_refusal(&self) -> bool {
        self.kind == FailureKind::HttpStatus && matches!(self.status, Some(401 | 403))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.label(), self.reason)
    }
}
