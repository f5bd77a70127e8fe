//! Compliance at ingest: before a contact joins a list, it gets the jurisdiction its country
//! puts it under and either a lawful basis for e-mail or a block with the reason, so that
//! nobody downstream has to re-derive the law, and the reviewer sees why each contact may
//! or may not be mailed. [`assess`] is the decision; the [`SuppressionList`] holds the
//! addresses, domains and erasure hashes that are never mailed.
//!
//! The rules, in the order they are applied (the first that decides wins):
//!
//! 1. **Suppression.** An address, a domain (the registrable domain: a suppressed
//!    `acme.com` also covers `jane@eu.acme.com`) or an erasure hash on the list blocks the
//!    contact whatever else is true: a suppression is a promise made to a person or a
//!    company, and an erasure (GDPR Art. 17) keeps only the hash so the person is not
//!    re-imported from the next file. Addresses are compared by mailbox: `+tags` are
//!    ignored, and so are dots in Gmail addresses, because those reach the same inbox.
//! 2. **Opt-out.** An unsubscribe or opt-out fact from any source blocks, for the same
//!    reason: consent and legitimate interest both end when the person objects (GDPR Art.
//!    21(3), CAN-SPAM, CASL).
//! 3. **Countries the team does not mail** (`blocked_countries`: sanctions, or no legal
//!    review yet).
//! 4. **Unknown country** (`unknown_country`): the law cannot be known, so by default the
//!    contact is blocked; a team may choose to apply the GDPR rules instead, the strictest
//!    regime it is likely to meet. Callers derive the country from locations with
//!    [`CountryCode::parse`], which reads "Austin, TX" and "Toronto, Ontario".
//! 5. **Countries that need prior consent** (`consent_required_countries`, default Germany:
//!    UWG §7 requires a prior opt-in for advertising e-mail to businesses too, so legitimate
//!    interest is not enough there). A recorded consent is needed; with
//!    `existing_customer_exemption`, an existing customer relationship also counts (the
//!    UWG §7(3) / ePrivacy Art. 13(2) exception for a company's own customers).
//! 6. **The jurisdiction's rule:**
//!    - *GDPR* (the 27 EU member states, their outermost regions that have their own ISO
//!      codes — French Guiana, Guadeloupe, Martinique, Mayotte, Réunion, Saint-Martin —
//!      and Åland, plus Iceland, Liechtenstein and Norway) and *UK GDPR* (the United
//!      Kingdom; Guernsey, Jersey, the Isle of Man and Gibraltar, whose own GDPR-equivalent
//!      laws are treated alike): a work address at a business domain may be mailed on
//!      legitimate interest (GDPR Art. 6(1)(f), Recital 47: B2B outreach relevant to the
//!      person's role, with an objection offered in every message). An address at a
//!      personal provider (gmail.com, web.de, …) needs consent: it reaches a private
//!      person, for whom the ePrivacy rules (PECR reg. 22 in the UK) require a prior
//!      opt-in, and B2B legitimate interest does not cover private addresses. A contact
//!      with a work address and a private one may be mailed at the work address only; the
//!      private one is left out of [`Assessment::allowed_emails`].
//!    - *CASL* (Canada): e-mail needs consent, express or implied; an existing business
//!      relationship (a customer or a deal in the CRM) is implied consent (CASL s. 10(9),
//!      10(10)). Implied consent by conspicuous publication is not modelled: it needs
//!      evidence of where the address was published and what it said.
//!    - *CCPA* (California) and *CAN-SPAM* (the rest of the United States): no opt-in is
//!      needed; every message carries the sender's postal address and a working opt-out,
//!      and California residents also get a notice at collection. A US contact whose state
//!      is not known is under CAN-SPAM, and the reason says the state is unknown.
//!    - *Elsewhere* (`other_countries`): leadgate has no rule for the country; by default
//!      it is treated like CAN-SPAM (notice and opt-out), and the reason says that the
//!      local law was not assessed. Countries with opt-in rules (Switzerland, Australia,
//!      …) belong in `consent_required_countries`.
//!
//! A recorded consent is the basis wherever it exists, because it is the strongest one.
//! These rules encode common B2B practice so that a team's policy is explicit and
//! reviewable; they are not legal advice, and the policy is the place to tighten them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::normalize::{CountryCode, Domain, Email, LinkedInUrl, fold_words};
use crate::icp::{Region, is_country_code};

/// The prefix hashed in front of an address in [`erasure_hash`], so that the hash cannot be
/// matched against plain SHA-256 lists of addresses and is only ever an erasure marker.
pub const ERASURE_HASH_PREFIX: &str = "leadgate-erasure-v1:";

/// What is known about one contact that bears on whether it may be e-mailed.
#[derive(Debug, Clone, Copy)]
pub struct ContactContext<'a> {
    /// The contact's country (ISO 3166-1 alpha-2).
    pub country: Option<&'a CountryCode>,
    /// The state or province as the file gave it: "CA", "California", "Calif.", "US-CA",
    /// "San Francisco Bay Area", "Los Angeles, California".
    pub region: Option<&'a str>,
    /// Every e-mail address known for the contact, from all sources.
    pub emails: &'a [Email],
    /// Every company domain known for the contact.
    pub domains: &'a [Domain],
    /// A recorded opt-in for e-mail exists.
    pub consent: bool,
    /// The contact's company is a customer or has a deal in the CRM.
    pub existing_relationship: bool,
    /// An unsubscribe or opt-out fact exists, from any source.
    pub opted_out: bool,
}

/// What to do with a contact whose country is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownCountry {
    /// Block it until the country is known.
    #[default]
    Block,
    /// Apply the GDPR rules (the strictest regime a B2B team is likely to meet).
    TreatAsGdpr,
}

/// What to do with a contact in a country leadgate has no rule for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherCountries {
    /// Mail it with a notice and an opt-out in every message, as under CAN-SPAM.
    #[default]
    OptOut,
    /// Block it: the team mails only countries it has a rule for.
    Block,
}

/// The team's compliance choices (`[discovery.compliance]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompliancePolicy {
    /// Countries (ISO codes) where marketing e-mail needs a prior opt-in even to business
    /// addresses. Default `["DE"]` (UWG §7). Teams often add `AT` and `CH`.
    pub consent_required_countries: Vec<String>,
    /// What to do when the contact's country is not known. Default `block`.
    pub unknown_country: UnknownCountry,
    /// Countries (ISO codes) the team does not e-mail at all: sanctioned countries, or
    /// countries whose law has not been reviewed yet. Default none.
    pub blocked_countries: Vec<String>,
    /// What to do in a country leadgate has no rule for (outside the EU/EEA, the UK, the
    /// US and Canada). Default `opt_out`.
    pub other_countries: OtherCountries,
    /// Whether an existing customer relationship stands in for consent where consent is
    /// required (a consent-required country, a private address under GDPR): the "soft
    /// opt-in" for a company's own customers (UWG §7(3), ePrivacy Art. 13(2)). Only turn it
    /// on when the CRM's customer flag means the address came from that customer
    /// relationship. Default false.
    pub existing_customer_exemption: bool,
}

impl Default for CompliancePolicy {
    fn default() -> Self {
        CompliancePolicy {
            consent_required_countries: vec!["DE".to_string()],
            unknown_country: UnknownCountry::Block,
            blocked_countries: Vec::new(),
            other_countries: OtherCountries::OptOut,
            existing_customer_exemption: false,
        }
    }
}

impl CompliancePolicy {
    /// Checks that every listed country is an ISO 3166-1 alpha-2 code (either case), so
    /// that a "Germany" in the list is an error rather than a rule that never applies.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (key, list) in [
            (
                "consent_required_countries",
                &self.consent_required_countries,
            ),
            ("blocked_countries", &self.blocked_countries),
        ] {
            for (i, code) in list.iter().enumerate() {
                if !is_country_code(&code.trim().to_ascii_uppercase()) {
                    return Err(PolicyError::new(
                        format!("{key}[{i}]"),
                        format!("{code:?} is not an ISO 3166-1 alpha-2 country code (\"DE\")"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A discovery policy value that cannot work. The key is relative to the policy's section
/// (`consent_required_countries[0]`), so the caller prefixes `discovery.compliance.`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct PolicyError {
    pub key: String,
    pub reason: String,
}

impl PolicyError {
    pub(crate) fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        PolicyError {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// The body of law a contact's country puts it under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    /// The EU and EEA.
    Gdpr,
    /// The United Kingdom (and the crown dependencies and Gibraltar).
    UkGdpr,
    /// California.
    Ccpa,
    /// Canada.
    Casl,
    /// The United States outside California (or in a state not known).
    CanSpam,
    /// A country leadgate has no rule for.
    Other,
    /// The country is not known.
    Unknown,
}

impl Jurisdiction {
    /// The short name shown to people: `GDPR`, `UK GDPR`, `CAN-SPAM`, …
    pub fn label(self) -> &'static str {
        match self {
            Jurisdiction::Gdpr => "GDPR",
            Jurisdiction::UkGdpr => "UK GDPR",
            Jurisdiction::Ccpa => "CCPA",
            Jurisdiction::Casl => "CASL",
            Jurisdiction::CanSpam => "CAN-SPAM",
            Jurisdiction::Other => "no rule",
            Jurisdiction::Unknown => "country unknown",
        }
    }
}

/// Why a contact may be e-mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// GDPR Art. 6(1)(f): B2B outreach to a work address, relevant to the role.
    LegitimateInterest,
    /// A recorded opt-in.
    Consent,
    /// CASL's existing business relationship (or the soft opt-in for own customers).
    ImpliedConsent,
    /// No opt-in needed: notice and a working opt-out (CAN-SPAM, CCPA).
    OptOutRegime,
}

/// Why a contact may not be e-mailed, as a code for filters and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockCode {
    /// An address or domain of the contact is on the suppression list.
    Suppressed,
    /// An address of the contact was erased at the person's request.
    Erased,
    /// The contact unsubscribed or opted out.
    OptedOut,
    /// The country is in `blocked_countries`.
    CountryBlocked,
    /// The country needs prior consent and none is recorded.
    ConsentRequired,
    /// The country is not known and the policy blocks unknown countries.
    NoJurisdiction,
    /// Under GDPR / UK GDPR, every known address is at a personal provider and no consent
    /// is recorded.
    PersonalAddress,
    /// Canada: neither consent nor an existing business relationship.
    CaslNoConsent,
    /// The country has no rule in leadgate and the policy blocks such countries.
    CountryNotCovered,
}

/// A block with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub code: BlockCode,
    pub reason: String,
}

/// The compliance verdict on one contact. Exactly one of `basis` and `blocked` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub jurisdiction: Jurisdiction,
    /// Set when the contact may be e-mailed.
    pub basis: Option<LawfulBasis>,
    /// Set when it may not.
    pub blocked: Option<Block>,
    /// One plain sentence: the verdict and why.
    pub reason: String,
    /// The addresses outreach may use, in the order given, without repeats: every address
    /// when the contact may be mailed, except private addresses withheld under GDPR; empty
    /// when it is blocked.
    pub allowed_emails: Vec<String>,
}

impl Assessment {
    /// Whether the contact may be e-mailed (at [`Assessment::allowed_emails`]).
    pub fn may_email(&self) -> bool {
        self.basis.is_some()
    }

    fn allow(
        jurisdiction: Jurisdiction,
        basis: LawfulBasis,
        reason: String,
        allowed: Vec<String>,
    ) -> Assessment {
        Assessment {
            jurisdiction,
            basis: Some(basis),
            blocked: None,
            reason,
            allowed_emails: allowed,
        }
    }

    fn block(jurisdiction: Jurisdiction, code: BlockCode, reason: String) -> Assessment {
        Assessment {
            jurisdiction,
            basis: None,
            blocked: Some(Block {
                code,
                reason: reason.clone(),
            }),
            reason,
            allowed_emails: Vec::new(),
        }
    }
}

crate::values! {
    /// The kind of a suppression-list entry (and of the entry a contact hit).
    pub enum SuppressionKind("suppression kind") {
        /// An address: never e-mailed.
        Email = "email" / "address",
        /// A registrable domain: nobody at it is e-mailed.
        Domain = "domain" / "domain",
        /// The one-way hash an erasure keeps of an address or a profile.
        Erasure = "erasure" / "erased person",
    }
}

/// The first suppression entry a contact hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionHit {
    pub kind: SuppressionKind,
    /// The address or domain that hit; for an erasure, the address checked.
    pub value: String,
    /// For a domain hit through one of the contact's addresses, that address
    /// (`jane@eu.acme.com` when `acme.com` is suppressed); otherwise none.
    pub email: Option<String>,
}

/// The addresses, domains and erasure hashes that are never e-mailed.
///
/// Addresses are kept by mailbox (`jane+news@acme.com` and `jane@acme.com` are one entry;
/// so are `j.ane@gmail.com` and `jane@googlemail.com`), domains by registrable domain, and
/// erasures by [`erasure_hash`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuppressionList {
    emails: HashSet<String>,
    domains: HashSet<String>,
    /// Erasure hashes as their 32 bytes: no hex to encode for every address checked.
    erasures: HashSet<[u8; 32]>,
}

impl SuppressionList {
    pub fn new() -> Self {
        SuppressionList::default()
    }

    pub fn add_email(&mut self, email: &Email) {
        self.emails.insert(mailbox_key(email));
    }

    pub fn add_domain(&mut self, domain: &Domain) {
        self.domains.insert(domain.as_str().to_string());
    }

    /// Adds an erasure hash as [`erasure_hash`] gives it (64 hex digits, either case;
    /// surrounding whitespace is ignored). A string that is not such a hash could never hit
    /// and is not added: check stored hashes with [`is_erasure_hash`] when reading them.
    pub fn add_erasure(&mut self, hash: &str) {
        let mut digest = [0u8; 32];
        if hex::decode_to_slice(hash.trim(), &mut digest).is_ok() {
            self.erasures.insert(digest);
        }
    }

    /// Entries of all kinds.
    pub fn len(&self) -> usize {
        self.emails.len() + self.domains.len() + self.erasures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first entry that the contact's addresses or company domains hit: for each
    /// address in order its mailbox, its erasure hash and its domain, then each company
    /// domain in order.
    pub fn check(&self, emails: &[Email], domains: &[Domain]) -> Option<SuppressionHit> {
        for email in emails {
            let mailbox = mailbox_key(email);
            if self.emails.contains(&mailbox) {
                return Some(SuppressionHit {
                    kind: SuppressionKind::Email,
                    value: email.as_str().to_string(),
                    email: None,
                });
            }
            // An erasure hash is of the address as it was erased; the mailbox form also
            // catches the same inbox coming back with a new +tag.
            if !self.erasures.is_empty()
                && (self.erasures.contains(&digest_of(email.as_str()))
                    || (mailbox != email.as_str() && self.erasures.contains(&digest_of(&mailbox))))
            {
                return Some(SuppressionHit {
                    kind: SuppressionKind::Erasure,
                    value: email.as_str().to_string(),
                    email: None,
                });
            }
            let domain = email.domain();
            if self.domains.contains(domain.as_str()) {
                return Some(SuppressionHit {
                    kind: SuppressionKind::Domain,
                    value: domain.as_str().to_string(),
                    email: Some(email.as_str().to_string()),
                });
            }
        }
        domains
            .iter()
            .find(|d| self.domains.contains(d.as_str()))
            .map(|d| SuppressionHit {
                kind: SuppressionKind::Domain,
                value: d.as_str().to_string(),
                email: None,
            })
    }
}

/// The hash a GDPR erasure keeps of an address: hex SHA-256 of [`ERASURE_HASH_PREFIX`]
/// followed by the normalised address. The person's data is deleted; this hash stays on the
/// suppression list so that the next import that brings the address back is blocked.
pub fn erasure_hash(email: &Email) -> String {
    hex::encode(digest_of(email.as_str()))
}

/// The erasure marker of a LinkedIn profile (its slug), for people whose rows carry a
/// profile and no address (Sales Navigator). Hashed like an address behind the same
/// prefix, with the profile's host in front, so it never equals an address's marker.
pub fn profile_erasure_hash(slug: &str) -> String {
    hex::encode(profile_digest(slug))
}

/// Erasure markers, for refusing the rows of erased people as an import reads them.
#[derive(Debug, Clone, Default)]
pub struct Erasures(HashSet<[u8; 32]>);

impl Erasures {
    /// Adds a marker ([`erasure_hash`] or [`profile_erasure_hash`]); anything else is
    /// ignored.
    pub fn add(&mut self, hash: &str) {
        let mut digest = [0u8; 32];
        if hex::decode_to_slice(hash.trim(), &mut digest).is_ok() {
            self.0.insert(digest);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether raw text (a row that could not be read, field by field or as a line) names an
    /// erased person: any address or LinkedIn profile URL in it, read as an import reads
    /// them. Such a row is not written to a reject file either.
    pub fn covers_text(&self, text: &str) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let separators = |c: char| c.is_whitespace() || ",;|\"'<>()[]{}".contains(c);
        text.split(separators).any(|token| {
            if token.contains('@') {
                Email::parse(token).is_ok_and(|e| self.covers(Some(e.as_str()), None))
            } else if token.contains("linkedin.com/") {
                LinkedInUrl::parse(token).is_ok_and(|l| self.covers(None, Some(l.slug())))
            } else {
                false
            }
        })
    }

    /// Whether a row with this normalised address or profile slug is an erased person's.
    pub fn covers(&self, email: Option<&str>, profile: Option<&str>) -> bool {
        !self.0.is_empty()
            && (email.is_some_and(|e| self.0.contains(&digest_of(e)))
                || profile.is_some_and(|p| self.0.contains(&profile_digest(p))))
    }
}

/// Whether `text` has the form of an [`erasure_hash`]: 64 hex digits.
pub fn is_erasure_hash(text: &str) -> bool {
    let text = text.trim();
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A profile's marker digest: its slug behind the profile host, so that it never equals an
/// address's.
fn profile_digest(slug: &str) -> [u8; 32] {
    digest_of(&format!("linkedin.com/in/{slug}"))
}

fn digest_of(address: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(ERASURE_HASH_PREFIX.as_bytes());
    hasher.update(address.as_bytes());
    hasher.finalize().into()
}

/// The inbox an address reaches: without a `+tag`, and for Gmail without dots and with
/// `googlemail.com` read as `gmail.com`.
fn mailbox_key(email: &Email) -> String {
    let base = match email.local_base() {
        "" => email.local_part(),
        base => base,
    };
    match email.host() {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", base.replace('.', "")),
        host => format!("{base}@{host}"),
    }
}

/// EU territories outside Europe that have ISO codes of their own, and Åland.
const EU_TERRITORIES: &[&str] = &["AX", "GF", "GP", "MF", "MQ", "RE", "YT"];
/// The United Kingdom, the crown dependencies and Gibraltar.
const UK: &[&str] = &["GB", "GG", "IM", "JE", "GI"];

/// California as sources write it, folded (lower case, punctuation gone): the name, its
/// abbreviations and ISO 3166-2 code, and LinkedIn's area names for its metro areas.
const CALIFORNIA: &[&str] = &[
    "california",
    "ca",
    "calif",
    "cal",
    "us ca",
    "san francisco bay area",
    "bay area",
    "silicon valley",
    "greater los angeles area",
    "los angeles metropolitan area",
    "greater san diego area",
    "san diego metropolitan area",
    "greater sacramento area",
    "sacramento metropolitan area",
    "greater fresno area",
];

/// The jurisdiction a country and region put a contact under.
pub fn jurisdiction_of(country: Option<&CountryCode>, region: Option<&str>) -> Jurisdiction {
    let Some(country) = country else {
        return Jurisdiction::Unknown;
    };
    let code = country.as_str();
    match code {
        "US" if region.is_some_and(is_california) => Jurisdiction::Ccpa,
        "US" => Jurisdiction::CanSpam,
        "CA" => Jurisdiction::Casl,
        _ if Region::Eea.contains(code) || EU_TERRITORIES.contains(&code) => Jurisdiction::Gdpr,
        _ if UK.contains(&code) => Jurisdiction::UkGdpr,
        _ => Jurisdiction::Other,
    }
}

/// Whether a region as written names California. Location strings are read part by part
/// ("Los Angeles, California").
fn is_california(region: &str) -> bool {
    region
        .split([',', '/', '|', ';'])
        .any(|part| CALIFORNIA.contains(&fold_words(part).as_str()))
}

fn listed(list: &[String], code: &str) -> bool {
    list.iter().any(|c| c.trim().eq_ignore_ascii_case(code))
}

/// The compliance verdict on one contact; the rules are in the module documentation.
pub fn assess(
    ctx: &ContactContext<'_>,
    suppressions: &SuppressionList,
    policy: &CompliancePolicy,
) -> Assessment {
    let jurisdiction = jurisdiction_of(ctx.country, ctx.region);
    let place = place(jurisdiction, ctx.country, ctx.region);

    if let Some(hit) = suppressions.check(ctx.emails, ctx.domains) {
        return suppressed(jurisdiction, &hit);
    }
    if ctx.opted_out {
        return Assessment::block(
            jurisdiction,
            BlockCode::OptedOut,
            "Blocked: the contact unsubscribed or opted out of e-mail.".to_string(),
        );
    }
    let country = ctx.country.map(CountryCode::as_str);
    if let Some(code) = country.filter(|c| listed(&policy.blocked_countries, c)) {
        return Assessment::block(
            jurisdiction,
            BlockCode::CountryBlocked,
            format!("Blocked: the team does not e-mail contacts in {code} (blocked_countries)."),
        );
    }
    let implied = policy.existing_customer_exemption && ctx.existing_relationship;

    let Some(code) = country else {
        return match policy.unknown_country {
            UnknownCountry::Block => Assessment::block(
                jurisdiction,
                BlockCode::NoJurisdiction,
                "Blocked: the contact's country is not known, so the law that applies cannot be \
                 known."
                    .to_string(),
            ),
            UnknownCountry::TreatAsGdpr => gdpr_rule(
                jurisdiction,
                "Country unknown (GDPR rules applied)",
                ctx,
                implied,
            ),
        };
    };

    if listed(&policy.consent_required_countries, code) {
        return consent_country_rule(jurisdiction, &place, code, ctx, implied);
    }
    jurisdiction_rule(jurisdiction, &place, code, ctx, policy, implied)
}

/// The block for a contact on the suppression list: a suppressed or erased address, or an
/// address or company domain on a suppressed domain.
fn suppressed(jurisdiction: Jurisdiction, hit: &SuppressionHit) -> Assessment {
    let (code, reason) = match (hit.kind, &hit.email) {
        (SuppressionKind::Email, _) => (
            BlockCode::Suppressed,
            format!("Blocked: {} is on the suppression list.", hit.value),
        ),
        (SuppressionKind::Erasure, _) => (
            BlockCode::Erased,
            format!(
                "Blocked: {} was erased at the person's request and must not be contacted again.",
                hit.value
            ),
        ),
        (SuppressionKind::Domain, Some(email)) => (
            BlockCode::Suppressed,
            format!(
                "Blocked: {email} is at {}, a domain on the suppression list.",
                hit.value
            ),
        ),
        (SuppressionKind::Domain, None) => (
            BlockCode::Suppressed,
            format!(
                "Blocked: the company domain {} is on the suppression list.",
                hit.value
            ),
        ),
    };
    Assessment::block(jurisdiction, code, reason)
}

/// A country in `consent_required_countries`: an opt-in, or an existing customer's implied
/// consent when the policy allows it; otherwise blocked.
fn consent_country_rule(
    jurisdiction: Jurisdiction,
    place: &str,
    code: &str,
    ctx: &ContactContext<'_>,
    implied: bool,
) -> Assessment {
    let law = if code == "DE" {
        "UWG §7"
    } else {
        "consent_required_countries"
    };
    if ctx.consent {
        Assessment::allow(
            jurisdiction,
            LawfulBasis::Consent,
            format!(
                "{place}: may be e-mailed; an opt-in is required in {code} ({law}) and one is recorded."
            ),
            distinct(ctx.emails.iter()),
        )
    } else if implied {
        Assessment::allow(
            jurisdiction,
            LawfulBasis::ImpliedConsent,
            format!(
                "{place}: may be e-mailed as an existing customer; {code} otherwise requires an opt-in ({law})."
            ),
            distinct(ctx.emails.iter()),
        )
    } else {
        Assessment::block(
            jurisdiction,
            BlockCode::ConsentRequired,
            format!(
                "Blocked: {place}: e-mail to contacts in {code} needs a prior opt-in ({law}), \
                 and none is recorded."
            ),
        )
    }
}

/// The rule of the contact's jurisdiction, for a known country the team has not listed as
/// blocked or consent-only.
fn jurisdiction_rule(
    jurisdiction: Jurisdiction,
    place: &str,
    code: &str,
    ctx: &ContactContext<'_>,
    policy: &CompliancePolicy,
    implied: bool,
) -> Assessment {
    let all = || distinct(ctx.emails.iter());
    match jurisdiction {
        Jurisdiction::Gdpr | Jurisdiction::UkGdpr => gdpr_rule(jurisdiction, place, ctx, implied),
        Jurisdiction::Casl => {
            if ctx.consent {
                Assessment::allow(
                    jurisdiction,
                    LawfulBasis::Consent,
                    format!("{place}: may be e-mailed; an opt-in is recorded."),
                    all(),
                )
            } else if ctx.existing_relationship {
                Assessment::allow(
                    jurisdiction,
                    LawfulBasis::ImpliedConsent,
                    format!(
                        "{place}: may be e-mailed on implied consent, as an existing business \
                         relationship (customer or deal in the CRM)."
                    ),
                    all(),
                )
            } else {
                Assessment::block(
                    jurisdiction,
                    BlockCode::CaslNoConsent,
                    format!(
                        "Blocked: {place}: e-mail needs consent or an existing business \
                         relationship, and neither is recorded."
                    ),
                )
            }
        }
        Jurisdiction::Other if policy.other_countries == OtherCountries::Block => {
            Assessment::block(
                jurisdiction,
                BlockCode::CountryNotCovered,
                format!(
                    "Blocked: leadgate has no rule for {code}, and the team mails only countries \
                     it has rules for."
                ),
            )
        }
        Jurisdiction::Ccpa
        | Jurisdiction::CanSpam
        | Jurisdiction::Other
        | Jurisdiction::Unknown => {
            if ctx.consent {
                return Assessment::allow(
                    jurisdiction,
                    LawfulBasis::Consent,
                    format!("{place}: may be e-mailed; an opt-in is recorded."),
                    all(),
                );
            }
            let reason = match jurisdiction {
                Jurisdiction::Ccpa => format!(
                    "{place}: may be e-mailed with a privacy notice at collection and an opt-out \
                     in every message."
                ),
                Jurisdiction::Other => format!(
                    "{place}: may be e-mailed with a notice and an opt-out in every message; \
                     the local law of {code} has not been assessed."
                ),
                _ => format!("{place}: may be e-mailed with an opt-out in every message."),
            };
            Assessment::allow(jurisdiction, LawfulBasis::OptOutRegime, reason, all())
        }
    }
}

/// GDPR and UK GDPR: work addresses on legitimate interest, private addresses on consent.
fn gdpr_rule(
    jurisdiction: Jurisdiction,
    place: &str,
    ctx: &ContactContext<'_>,
    implied: bool,
) -> Assessment {
    let all = distinct(ctx.emails.iter());
    if ctx.consent {
        return Assessment::allow(
            jurisdiction,
            LawfulBasis::Consent,
            format!("{place}: may be e-mailed; an opt-in is recorded."),
            all,
        );
    }
    let (private, work): (Vec<&Email>, Vec<&Email>) =
        ctx.emails.iter().partition(|e| e.is_personal_provider());
    if private.is_empty() {
        let reason = if work.is_empty() {
            format!(
                "{place}: may be e-mailed on legitimate interest at a work address, once one \
                 is known."
            )
        } else {
            format!(
                "{place}: may be e-mailed on legitimate interest (B2B, at a work address), with \
                 an opt-out in every message."
            )
        };
        return Assessment::allow(jurisdiction, LawfulBasis::LegitimateInterest, reason, all);
    }
    let private = distinct(private.iter().copied());
    let one = private.len() == 1;
    let private_list = private.join(", ");
    let (the_private, needs) = if one {
        ("the private address", "needs")
    } else {
        ("the private addresses", "need")
    };
    if implied {
        return Assessment::allow(
            jurisdiction,
            LawfulBasis::ImpliedConsent,
            format!(
                "{place}: may be e-mailed as an existing customer, including {the_private} \
                 {private_list}."
            ),
            all,
        );
    }
    if work.is_empty() {
        return Assessment::block(
            jurisdiction,
            BlockCode::PersonalAddress,
            format!(
                "Blocked: {place}: {private_list} {}, which B2B legitimate interest does not \
                 cover; {} a recorded opt-in.",
                if one {
                    "is a private address"
                } else {
                    "are private addresses"
                },
                if one { "it needs" } else { "they need" },
            ),
        );
    }
    let work_list = distinct(work.iter().copied());
    let reason = format!(
        "{place}: may be e-mailed on legitimate interest at {} only; {the_private} \
         {private_list} {needs} a recorded opt-in.",
        work_list.join(", ")
    );
    Assessment::allow(
        jurisdiction,
        LawfulBasis::LegitimateInterest,
        reason,
        work_list,
    )
}

/// "GDPR (FR)", "CCPA (California)", "CAN-SPAM (US, state not known)".
fn place(
    jurisdiction: Jurisdiction,
    country: Option<&CountryCode>,
    region: Option<&str>,
) -> String {
    let code = country.map_or("", CountryCode::as_str);
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    match jurisdiction {
        Jurisdiction::Ccpa => "CCPA (California)".to_string(),
        Jurisdiction::CanSpam => match region {
            Some(region) => format!("CAN-SPAM (US, {region})"),
            None => "CAN-SPAM (US, state not known)".to_string(),
        },
        Jurisdiction::Casl => "CASL (Canada)".to_string(),
        Jurisdiction::Other => format!("No rule for {code}"),
        Jurisdiction::Unknown => "Country unknown".to_string(),
        Jurisdiction::Gdpr | Jurisdiction::UkGdpr => format!("{} ({code})", jurisdiction.label()),
    }
}

fn distinct<'a>(emails: impl Iterator<Item = &'a Email>) -> Vec<String> {
    let mut seen = HashSet::new();
    emails
        .filter(|e| seen.insert(e.as_str()))
        .map(|e| e.as_str().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{RngAlgorithm, RngSeed};

    use super::*;

    #[test]
    fn erasure_markers_cover_the_address_and_the_profile_only() {
        let email = Email::parse("Jane.Doe@Acme.com").unwrap();
        let mut erasures = Erasures::default();
        assert!(!erasures.covers(Some("jane.doe@acme.com"), None));
        erasures.add(&erasure_hash(&email));
        erasures.add(&profile_erasure_hash("jane-doe-8a3f"));
        erasures.add("not a hash");
        assert!(erasures.covers(Some(email.as_str()), None));
        assert!(erasures.covers(None, Some("jane-doe-8a3f")));
        assert!(erasures.covers(Some("other@acme.com"), Some("jane-doe-8a3f")));
        assert!(!erasures.covers(Some("john.doe@acme.com"), Some("jane-doe")));
        assert!(!erasures.covers(None, None));
        assert!(erasures.covers_text("Jane,Doe,JANE.DOE@acme.com,,surplus"));
        assert!(erasures.covers_text("{\"li\": \"https://www.linkedin.com/in/jane-doe-8a3f/\""));
        assert!(!erasures.covers_text("John,Doe,john.doe@acme.com"));
        assert_ne!(
            profile_erasure_hash("jane@acme.com"),
            erasure_hash(&Email::parse("jane@acme.com").unwrap()),
        );
        assert!(is_erasure_hash(&profile_erasure_hash("jane-doe-8a3f")));
    }

    /// An owned contact to borrow a [`ContactContext`] from.
    #[derive(Debug, Clone, Default)]
    struct Contact {
        country: Option<CountryCode>,
        region: Option<String>,
        emails: Vec<Email>,
        domains: Vec<Domain>,
        consent: bool,
        existing_relationship: bool,
        opted_out: bool,
    }

    impl Contact {
        fn new(country: &str, emails: &[&str]) -> Contact {
            Contact {
                country: (!country.is_empty()).then(|| CountryCode::parse(country).unwrap()),
                emails: emails.iter().map(|e| Email::parse(e).unwrap()).collect(),
                ..Contact::default()
            }
        }

        fn region(mut self, region: &str) -> Contact {
            self.region = Some(region.to_string());
            self
        }

        fn domain(mut self, domain: &str) -> Contact {
            self.domains.push(Domain::parse(domain).unwrap());
            self
        }

        fn consent(mut self) -> Contact {
            self.consent = true;
            self
        }

        fn customer(mut self) -> Contact {
            self.existing_relationship = true;
            self
        }

        fn opted_out(mut self) -> Contact {
            self.opted_out = true;
            self
        }

        fn ctx(&self) -> ContactContext<'_> {
            ContactContext {
                country: self.country.as_ref(),
                region: self.region.as_deref(),
                emails: &self.emails,
                domains: &self.domains,
                consent: self.consent,
                existing_relationship: self.existing_relationship,
                opted_out: self.opted_out,
            }
        }

        fn assess(&self) -> Assessment {
            assess(
                &self.ctx(),
                &SuppressionList::new(),
                &CompliancePolicy::default(),
            )
        }
    }

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    fn code_of(a: &Assessment) -> Option<BlockCode> {
        a.blocked.as_ref().map(|b| b.code)
    }

    #[test]
    fn the_jurisdiction_follows_the_country_and_the_state() {
        let eea = [
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
            "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS",
            "LI", "NO",
        ];
        assert_eq!(eea.len(), 30);
        let j = |country: &str, region: Option<&str>| {
            jurisdiction_of(Some(&CountryCode::parse(country).unwrap()), region)
        };
        for code in eea {
            assert_eq!(j(code, None), Jurisdiction::Gdpr, "{code}");
        }
        for code in ["RE", "GP", "AX"] {
            assert_eq!(j(code, None), Jurisdiction::Gdpr, "{code}");
        }
        for code in ["GB", "JE", "GG", "IM"] {
            assert_eq!(j(code, None), Jurisdiction::UkGdpr, "{code}");
        }
        for region in [
            "CA",
            "California",
            "Calif.",
            "US-CA",
            "Los Angeles, California",
            "San Francisco Bay Area",
        ] {
            assert_eq!(j("US", Some(region)), Jurisdiction::Ccpa, "{region}");
        }
        for region in [Some("TX"), Some("New York"), Some("Cascadia"), None] {
            assert_eq!(j("US", region), Jurisdiction::CanSpam, "{region:?}");
        }
        assert_eq!(j("CA", Some("Ontario")), Jurisdiction::Casl);
        for code in ["CH", "AU", "BR", "FO", "GL"] {
            assert_eq!(j(code, None), Jurisdiction::Other, "{code}");
        }
        assert_eq!(jurisdiction_of(None, Some("CA")), Jurisdiction::Unknown);
    }

    #[test]
    fn a_work_address_in_the_eu_rests_on_legitimate_interest() {
        let a = Contact::new("FR", &["marie@acme.fr"]).assess();

        assert_eq!(a.jurisdiction, Jurisdiction::Gdpr);
        assert_eq!(a.basis, Some(LawfulBasis::LegitimateInterest));
        assert_eq!(a.blocked, None);
        assert_eq!(a.allowed_emails, ["marie@acme.fr"]);
        assert_eq!(
            a.reason,
            "GDPR (FR): may be e-mailed on legitimate interest (B2B, at a work address), with an \
             opt-out in every message."
        );
    }

    #[test]
    fn a_private_address_under_gdpr_needs_consent() {
        let private = Contact::new("GB", &["tom@gmail.com"]);

        let without = private.assess();
        let with = private.clone().consent().assess();

        assert_eq!(without.jurisdiction, Jurisdiction::UkGdpr);
        assert_eq!(code_of(&without), Some(BlockCode::PersonalAddress));
        assert!(without.allowed_emails.is_empty());
        assert_eq!(
            without.reason,
            "Blocked: UK GDPR (GB): tom@gmail.com is a private address, which B2B legitimate \
             interest does not cover; it needs a recorded opt-in."
        );
        assert_eq!(with.basis, Some(LawfulBasis::Consent));
        assert_eq!(with.allowed_emails, ["tom@gmail.com"]);
    }

    #[test]
    fn several_private_addresses_are_named_in_the_plural() {
        let a = Contact::new("IT", &["lu@libero.it", "lu@gmail.com"]).assess();

        assert_eq!(
            a.reason,
            "Blocked: GDPR (IT): lu@libero.it, lu@gmail.com are private addresses, which B2B \
             legitimate interest does not cover; they need a recorded opt-in."
        );
    }

    #[test]
    fn a_private_address_beside_a_work_one_is_withheld() {
        let a = Contact::new("NL", &["Jan@Gmail.com", "jan@acme.nl", "jan@acme.nl"]).assess();

        assert_eq!(a.basis, Some(LawfulBasis::LegitimateInterest));
        assert_eq!(a.allowed_emails, ["jan@acme.nl"]);
        assert!(
            a.reason.contains("at jan@acme.nl only")
                && a.reason.contains("jan@gmail.com needs a recorded opt-in"),
            "{}",
            a.reason
        );
    }

    #[test]
    fn germany_needs_prior_consent_even_for_work_addresses() {
        let work = Contact::new("Deutschland", &["jonas@acme.de"]);
        let exempt = CompliancePolicy {
            existing_customer_exemption: true,
            ..CompliancePolicy::default()
        };
        let none = SuppressionList::new();

        let plain = work.assess();
        let consented = work.clone().consent().assess();
        let customer_no_exemption = work.clone().customer().assess();
        let customer_exempt = assess(&work.clone().customer().ctx(), &none, &exempt);

        assert_eq!(plain.jurisdiction, Jurisdiction::Gdpr);
        assert_eq!(code_of(&plain), Some(BlockCode::ConsentRequired));
        assert_eq!(
            plain.reason,
            "Blocked: GDPR (DE): e-mail to contacts in DE needs a prior opt-in (UWG §7), and none \
             is recorded."
        );
        assert_eq!(consented.basis, Some(LawfulBasis::Consent));
        assert_eq!(
            code_of(&customer_no_exemption),
            Some(BlockCode::ConsentRequired)
        );
        assert_eq!(customer_exempt.basis, Some(LawfulBasis::ImpliedConsent));
    }

    #[test]
    fn consent_required_countries_are_the_teams_list() {
        let policy = CompliancePolicy {
            consent_required_countries: vec!["at".into(), " ch ".into()],
            ..CompliancePolicy::default()
        };
        let none = SuppressionList::new();

        let austria = assess(&Contact::new("AT", &["a@acme.at"]).ctx(), &none, &policy);
        let swiss = assess(&Contact::new("CH", &["a@acme.ch"]).ctx(), &none, &policy);
        let german = assess(&Contact::new("DE", &["a@acme.de"]).ctx(), &none, &policy);

        assert_eq!(code_of(&austria), Some(BlockCode::ConsentRequired));
        assert!(austria.reason.contains("(consent_required_countries)"));
        assert_eq!(swiss.jurisdiction, Jurisdiction::Other);
        assert_eq!(code_of(&swiss), Some(BlockCode::ConsentRequired));
        assert_eq!(german.basis, Some(LawfulBasis::LegitimateInterest));
    }

    #[test]
    fn canada_needs_consent_or_an_existing_relationship() {
        let c = Contact::new("Canada", &["li@acme.ca"]).region("Ontario");

        let cold = c.assess();
        let customer = c.clone().customer().assess();
        let consented = c.clone().consent().customer().assess();

        assert_eq!(cold.jurisdiction, Jurisdiction::Casl);
        assert_eq!(code_of(&cold), Some(BlockCode::CaslNoConsent));
        assert_eq!(customer.basis, Some(LawfulBasis::ImpliedConsent));
        assert_eq!(consented.basis, Some(LawfulBasis::Consent));
    }

    #[test]
    fn the_united_states_is_an_opt_out_regime() {
        let california = Contact::new("US", &["amy@gmail.com"])
            .region("Calif.")
            .assess();
        let texas = Contact::new("US", &["bob@acme.com"]).region("TX").assess();
        let somewhere = Contact::new("United States", &["cy@acme.com"]).assess();

        assert_eq!(california.jurisdiction, Jurisdiction::Ccpa);
        assert_eq!(california.basis, Some(LawfulBasis::OptOutRegime));
        assert_eq!(california.allowed_emails, ["amy@gmail.com"]);
        assert_eq!(
            california.reason,
            "CCPA (California): may be e-mailed with a privacy notice at collection and an \
             opt-out in every message."
        );
        assert_eq!(texas.jurisdiction, Jurisdiction::CanSpam);
        assert_eq!(
            texas.reason,
            "CAN-SPAM (US, TX): may be e-mailed with an opt-out in every message."
        );
        assert!(somewhere.reason.contains("state not known"));
    }

    #[test]
    fn an_unknown_country_follows_the_policy() {
        let c = Contact::new("", &["x@acme.com"]).consent();
        let gdpr = CompliancePolicy {
            unknown_country: UnknownCountry::TreatAsGdpr,
            ..CompliancePolicy::default()
        };
        let none = SuppressionList::new();

        let blocked = c.assess();
        let as_gdpr = assess(&Contact::new("", &["x@acme.com"]).ctx(), &none, &gdpr);
        let private = assess(&Contact::new("", &["x@web.de"]).ctx(), &none, &gdpr);

        assert_eq!(blocked.jurisdiction, Jurisdiction::Unknown);
        assert_eq!(code_of(&blocked), Some(BlockCode::NoJurisdiction));
        assert_eq!(as_gdpr.jurisdiction, Jurisdiction::Unknown);
        assert_eq!(as_gdpr.basis, Some(LawfulBasis::LegitimateInterest));
        assert!(
            as_gdpr
                .reason
                .starts_with("Country unknown (GDPR rules applied)")
        );
        assert_eq!(code_of(&private), Some(BlockCode::PersonalAddress));
    }

    #[test]
    fn other_countries_are_noted_or_blocked_by_policy() {
        let c = Contact::new("Australia", &["kim@acme.com.au"]);
        let strict = CompliancePolicy {
            other_countries: OtherCountries::Block,
            blocked_countries: vec!["RU".into()],
            ..CompliancePolicy::default()
        };
        let none = SuppressionList::new();

        let noted = c.assess();
        let refused = assess(&c.ctx(), &none, &strict);
        let russia = assess(&Contact::new("RU", &["a@acme.ru"]).ctx(), &none, &strict);

        assert_eq!(noted.jurisdiction, Jurisdiction::Other);
        assert_eq!(noted.basis, Some(LawfulBasis::OptOutRegime));
        assert!(
            noted
                .reason
                .contains("the local law of AU has not been assessed")
        );
        assert_eq!(code_of(&refused), Some(BlockCode::CountryNotCovered));
        assert_eq!(code_of(&russia), Some(BlockCode::CountryBlocked));
    }

    #[test]
    fn suppression_and_opt_out_win_over_everything() {
        let best = Contact::new("US", &["amy@acme.com"]).consent().customer();
        let mut list = SuppressionList::new();
        list.add_email(&email("AMY+promo@acme.com"));
        let policy = CompliancePolicy::default();

        let suppressed = assess(&best.ctx(), &list, &policy);
        let opted_out = best.clone().opted_out().assess();

        assert_eq!(code_of(&suppressed), Some(BlockCode::Suppressed));
        assert_eq!(suppressed.jurisdiction, Jurisdiction::CanSpam);
        assert_eq!(
            suppressed.reason,
            "Blocked: amy@acme.com is on the suppression list."
        );
        assert!(suppressed.allowed_emails.is_empty() && suppressed.basis.is_none());
        assert_eq!(code_of(&opted_out), Some(BlockCode::OptedOut));
    }

    #[test]
    fn a_suppressed_domain_covers_its_subdomains_and_the_company() {
        let mut list = SuppressionList::new();
        list.add_domain(&Domain::parse("https://www.acme.com/").unwrap());
        let via_address = Contact::new("DE", &["jane@eu.acme.com"]).consent();
        let via_company = Contact::new("FR", &["jane@gmail.com"])
            .domain("other.io")
            .domain("shop.acme.com");
        let policy = CompliancePolicy::default();

        let a = assess(&via_address.ctx(), &list, &policy);
        let b = assess(&via_company.ctx(), &list, &policy);

        assert_eq!(
            a.reason,
            "Blocked: jane@eu.acme.com is at acme.com, a domain on the suppression list."
        );
        assert_eq!(code_of(&b), Some(BlockCode::Suppressed));
        assert_eq!(
            b.reason,
            "Blocked: the company domain acme.com is on the suppression list."
        );
    }

    #[test]
    fn suppression_compares_mailboxes_not_spellings() {
        let mut list = SuppressionList::new();
        list.add_email(&email("jane.doe@gmail.com"));
        list.add_email(&email("bob+news@acme.com"));

        let hit = |text: &str| list.check(&[email(text)], &[]);

        assert_eq!(
            hit("JaneDoe@googlemail.com").unwrap().kind,
            SuppressionKind::Email
        );
        assert_eq!(
            hit("j.a.n.e.doe+x@gmail.com").unwrap().value,
            "j.a.n.e.doe+x@gmail.com"
        );
        assert!(hit("bob@acme.com").is_some());
        assert!(hit("bob@sales.acme.com").is_none());
        assert!(hit("jane.doe@acme.com").is_none());
        assert!(hit("bobby@acme.com").is_none());
    }

    #[test]
    fn the_erasure_hash_is_domain_separated_sha256_of_the_address() {
        // Reference values from coreutils: printf 'leadgate-erasure-v1:jane@acme.com' | sha256sum
        let hash = erasure_hash(&email(" Jane@ACME.com "));

        assert_eq!(
            hash,
            "e1d128dbb981b89c58da5f5392c90a0a64bff839ff33aad32b95f8c4a4941935"
        );
        // The bare SHA-256 of the address, which lists of leaked hashes use.
        assert_ne!(
            hash,
            "7bb9e30283184c3b4bbbf2262a600be7165d7e6f50e424a611aa64394e7ecdb5"
        );
        assert!(is_erasure_hash(&hash) && !is_erasure_hash("jane@acme.com"));
        let mut list = SuppressionList::new();
        list.add_erasure("jane@acme.com");
        list.add_erasure(&hash[..63]);
        assert!(list.is_empty(), "a string that is not a hash is not added");
    }

    #[test]
    fn an_erased_address_is_blocked_when_it_comes_back() {
        let mut list = SuppressionList::new();
        list.add_erasure(&erasure_hash(&email("jane@acme.com")).to_uppercase());
        let back = Contact::new("IE", &["other@acme.org", "jane+crm@acme.com"]);

        let a = assess(&back.ctx(), &list, &CompliancePolicy::default());

        assert_eq!(code_of(&a), Some(BlockCode::Erased));
        assert_eq!(
            list.check(&back.emails, &[]),
            Some(SuppressionHit {
                kind: SuppressionKind::Erasure,
                value: "jane+crm@acme.com".into(),
                email: None,
            })
        );
        assert!(a.reason.contains("jane+crm@acme.com was erased"));
    }

    #[test]
    fn the_first_hit_is_reported() {
        let mut list = SuppressionList::new();
        list.add_domain(&Domain::parse("acme.com").unwrap());
        list.add_email(&email("b@beta.com"));
        assert_eq!(list.len(), 2);

        let hit = list
            .check(
                &[
                    email("x@zeta.com"),
                    email("b@beta.com"),
                    email("a@acme.com"),
                ],
                &[],
            )
            .unwrap();

        assert_eq!(hit.kind, SuppressionKind::Email);
        assert_eq!(hit.value, "b@beta.com");
        assert!(
            SuppressionList::new()
                .check(&[email("a@acme.com")], &[])
                .is_none()
        );
    }

    #[test]
    fn a_contact_without_an_address_keeps_its_basis_for_later() {
        let a = Contact::new("SE", &[]).domain("acme.se").assess();

        assert_eq!(a.basis, Some(LawfulBasis::LegitimateInterest));
        assert!(a.allowed_emails.is_empty());
        assert!(a.reason.contains("once one is known"));
    }

    #[test]
    fn the_policy_reads_from_toml_and_checks_its_countries() {
        let policy: CompliancePolicy = toml::from_str(
            "consent_required_countries = [\"DE\", \"AT\"]\nunknown_country = \"treat_as_gdpr\"\n",
        )
        .unwrap();
        assert_eq!(policy.unknown_country, UnknownCountry::TreatAsGdpr);
        assert_eq!(policy.other_countries, OtherCountries::OptOut);
        assert!(policy.validate().is_ok());
        assert_eq!(
            toml::from_str::<CompliancePolicy>("").unwrap(),
            CompliancePolicy::default()
        );
        let err = toml::from_str::<CompliancePolicy>("consent_countries = []").unwrap_err();
        assert!(err.to_string().contains("consent_countries"), "{err}");

        let bad = CompliancePolicy {
            blocked_countries: vec!["RU".into(), "Germany".into()],
            ..CompliancePolicy::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "blocked_countries[1]: \"Germany\" is not an ISO 3166-1 alpha-2 country code (\"DE\")"
        );
    }

    #[test]
    fn assessments_are_stored_in_snake_case() {
        let a = Contact::new("GB", &["tom@hotmail.co.uk"]).assess();
        let b = Contact::new("GB", &["tom@acme.co.uk"]).assess();

        let a = serde_json::to_value(&a).unwrap();
        let b = serde_json::to_value(&b).unwrap();

        assert_eq!(a["jurisdiction"], "uk_gdpr");
        assert_eq!(a["blocked"]["code"], "personal_address");
        assert_eq!(b["basis"], "legitimate_interest");
        assert_eq!(
            serde_json::to_value(Jurisdiction::CanSpam).unwrap(),
            "can_spam"
        );
        assert_eq!(
            serde_json::to_value(LawfulBasis::OptOutRegime).unwrap(),
            "opt_out_regime"
        );
    }

    const COUNTRIES: &[&str] = &["", "DE", "FR", "GB", "US", "CA", "CH", "AU", "NO"];
    const ADDRESSES: &[&str] = &[
        "a@acme.com",
        "a+x@acme.com",
        "b@eu.acme.com",
        "c@gmail.com",
        "c.x@googlemail.com",
        "d@web.de",
        "e@beta.io",
    ];

    fn contact() -> impl Strategy<Value = Contact> {
        (
            0..COUNTRIES.len(),
            prop::option::of(prop::sample::select(vec!["CA", "California", "TX", ""])),
            prop::collection::vec(0..ADDRESSES.len(), 0..4),
            prop::collection::vec(prop::sample::select(vec!["acme.com", "beta.io"]), 0..2),
            any::<(bool, bool, bool)>(),
        )
            .prop_map(
                |(c, region, emails, domains, (consent, existing, opted_out))| {
                    let emails: Vec<&str> = emails.into_iter().map(|i| ADDRESSES[i]).collect();
                    let mut contact = Contact::new(COUNTRIES[c], &emails);
                    contact.region = region.map(str::to_string);
                    contact.domains = domains.iter().map(|d| Domain::parse(d).unwrap()).collect();
                    contact.consent = consent;
                    contact.existing_relationship = existing;
                    contact.opted_out = opted_out;
                    contact
                },
            )
    }

    fn policy() -> impl Strategy<Value = CompliancePolicy> {
        any::<(bool, bool, bool, bool)>().prop_map(|(gdpr, block_other, exempt, block_au)| {
            CompliancePolicy {
                unknown_country: if gdpr {
                    UnknownCountry::TreatAsGdpr
                } else {
                    UnknownCountry::Block
                },
                other_countries: if block_other {
                    OtherCountries::Block
                } else {
                    OtherCountries::OptOut
                },
                existing_customer_exemption: exempt,
                blocked_countries: if block_au { vec!["AU".into()] } else { vec![] },
                ..CompliancePolicy::default()
            }
        })
    }

    fn suppressions() -> impl Strategy<Value = SuppressionList> {
        (
            prop::option::of(0..ADDRESSES.len()),
            prop::option::of(prop::sample::select(vec![
                "acme.com",
                "beta.io",
                "gmail.com",
            ])),
            prop::option::of(0..ADDRESSES.len()),
        )
            .prop_map(|(e, d, erased)| {
                let mut list = SuppressionList::new();
                if let Some(i) = e {
                    list.add_email(&email(ADDRESSES[i]));
                }
                if let Some(d) = d {
                    list.add_domain(&Domain::parse(d).unwrap());
                }
                if let Some(i) = erased {
                    list.add_erasure(&erasure_hash(&email(ADDRESSES[i])));
                }
                list
            })
    }

    proptest! {
        // One seed, so that a run finds what every run finds; PROPTEST_CASES sets how many.
        #![proptest_config(ProptestConfig {
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x1EAD_6A7E),
            ..ProptestConfig::default()
        })]

        #[test]
        fn every_assessment_is_an_allow_or_a_block_and_blocks_win(
            c in contact(),
            list in suppressions(),
            policy in policy(),
        ) {
            let a = assess(&c.ctx(), &list, &policy);

            prop_assert_eq!(a.basis.is_some(), a.blocked.is_none(), "{:?}", a);
            prop_assert!(!a.reason.is_empty());
            if let Some(block) = &a.blocked {
                prop_assert_eq!(&block.reason, &a.reason);
                prop_assert!(a.allowed_emails.is_empty());
            }
            if list.check(&c.emails, &c.domains).is_some() {
                prop_assert!(matches!(
                    code_of(&a),
                    Some(BlockCode::Suppressed | BlockCode::Erased)
                ));
            } else if c.opted_out {
                prop_assert_eq!(code_of(&a), Some(BlockCode::OptedOut));
            }
            for allowed in &a.allowed_emails {
                prop_assert!(c.emails.iter().any(|e| e.as_str() == allowed));
                prop_assert!(list.check(&[email(allowed)], &c.domains).is_none());
            }
            let gdpr_like = matches!(a.jurisdiction, Jurisdiction::Gdpr | Jurisdiction::UkGdpr)
                || (a.jurisdiction == Jurisdiction::Unknown && policy.unknown_country == UnknownCountry::TreatAsGdpr);
            let exempt = policy.existing_customer_exemption && c.existing_relationship;
            if gdpr_like && !c.consent && !exempt {
                prop_assert!(a.allowed_emails.iter().all(|e| !email(e).is_personal_provider()), "{:?}", a);
            }
            if c.country.as_ref().is_some_and(|cc| cc.as_str() == "DE") && !c.consent && !exempt {
                prop_assert!(a.blocked.is_some());
            }
        }
    }
}
