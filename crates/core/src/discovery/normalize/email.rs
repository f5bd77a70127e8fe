//! E-mail addresses and domains. A domain is the registrable domain (the public suffix plus
//! one label, from the public suffix list compiled into the `psl` crate): `mail.acme.co.uk`,
//! `https://www.acme.co.uk/en/` and `jane@sales.acme.co.uk` all give `acme.co.uk`, which is
//! the name a company is known by across sources.

use std::fmt;

use super::ParseError;

/// Local parts of shared mailboxes: they reach a function, not a person, so outreach and
/// person matching treat them apart. Compared with the local part before any `+tag`.
pub const ROLE_ACCOUNTS: &[&str] = &[
    "accounts",
    "accounting",
    "admin",
    "administrator",
    "billing",
    "careers",
    "contact",
    "contactus",
    "customerservice",
    "enquiries",
    "feedback",
    "hello",
    "help",
    "hi",
    "hr",
    "info",
    "inquiries",
    "jobs",
    "legal",
    "mail",
    "marketing",
    "media",
    "newsletter",
    "no-reply",
    "noreply",
    "do-not-reply",
    "donotreply",
    "office",
    "orders",
    "postmaster",
    "press",
    "privacy",
    "recruiting",
    "reception",
    "sales",
    "security",
    "service",
    "support",
    "team",
    "webmaster",
];

/// Mail providers whose addresses belong to a person, not to an employer: their domain says
/// nothing about the company. The large free providers by market, and the national ones
/// common in our target countries (Germany, France, Italy, the UK, the Nordics, India).
pub const PERSONAL_PROVIDERS: &[&str] = &[
    "aol.com",
    "btinternet.com",
    "comcast.net",
    "fastmail.com",
    "free.fr",
    "freenet.de",
    "gmail.com",
    "gmx.at",
    "gmx.ch",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "hotmail.it",
    "icloud.com",
    "laposte.net",
    "libero.it",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "orange.fr",
    "outlook.com",
    "outlook.de",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rediffmail.com",
    "sfr.fr",
    "sky.com",
    "t-online.de",
    "tutanota.com",
    "virgilio.it",
    "web.de",
    "wanadoo.fr",
    "yahoo.co.in",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.de",
    "yahoo.fr",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

/// A syntactically valid e-mail address, trimmed and lower-cased (`Jane.Doe@Acme.COM ` →
/// `jane.doe@acme.com`). Lower-casing the local part is what every mail system in B2B use
/// does in practice, and the only way case-variant duplicates meet.
///
/// The syntax accepted is the common subset of RFC 5321: a dot-atom local part of at most
/// 64 characters (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, no leading, trailing or
/// double dot), and a host of at least two DNS labels whose top label is not numeric.
/// Quoted local parts and IP-literal hosts are refused: no prospect list holds them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Email, ParseError> {
        let err = |reason| ParseError::new("e-mail address", text, reason);
        let trimmed = text
            .trim()
            .trim_start_matches("mailto:")
            .trim_matches(|c| c == '<' || c == '>');
        let lower = trimmed.to_lowercase();
        let (local, host) = lower.rsplit_once('@').ok_or_else(|| err("no @"))?;
        if local.is_empty() {
            return Err(err("nothing before @"));
        }
        if host.is_empty() {
            return Err(err("nothing after @"));
        }
        if local.len() > 64 {
            return Err(err("the part before @ is longer than 64 characters"));
        }
        let local_ok = local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(err("the part before @ has a character or dot out of place"));
        }
        if !is_host_name(host) {
            return Err(err("the part after @ is not a domain name"));
        }
        Ok(Email(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// The local part without a `+tag` (`jane+crm` → `jane`).
    pub fn local_base(&self) -> &str {
        let local = self.local_part();
        local.split_once('+').map_or(local, |(base, _)| base)
    }

    /// The part after `@`, as written (`sales.acme.co.uk`).
    pub fn host(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, h)| h)
    }

    /// The registrable domain of the host (`acme.co.uk`).
    pub fn domain(&self) -> Domain {
        Domain::from_host(self.host()).unwrap_or_else(|_| Domain(self.host().to_string()))
    }

    /// Whether the address is a shared mailbox such as `info@` or `sales@` ([`ROLE_ACCOUNTS`]).
    pub fn is_role_account(&self) -> bool {
        ROLE_ACCOUNTS.contains(&self.local_base())
    }

    /// Whether the address is at a personal mail provider ([`PERSONAL_PROVIDERS`]).
    pub fn is_personal_provider(&self) -> bool {
        PERSONAL_PROVIDERS.contains(&self.host()) || self.domain().is_personal_provider()
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registrable domain name, lower case, without scheme, `www.`, port, path or trailing
/// dot: `acme.com`, `acme.co.uk`. Read from a website (`https://www.Acme.com:443/en?x=1`),
/// a bare host (`sales.acme.com`) or an e-mail address (`jane@acme.com`).
///
/// ASCII names are checked label by label (letters, digits, inner hyphens, at most 63
/// characters each); internationalised names are accepted in their Unicode form, lower
/// cased, and reduced the same way by the public suffix list (which lists both forms).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(String);

impl Domain {
    pub fn parse(text: &str) -> Result<Domain, ParseError> {
        let err = |reason| ParseError::new("domain", text, reason);
        let lower = text.trim().to_lowercase();
        if lower.is_empty() {
            return Err(err("empty"));
        }
        let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let host = rest.split(['/', '?', '#', ' ']).next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        Domain::from_host(host).map_err(|_| err("not a domain name"))
    }

    /// The registrable domain of a host name (no scheme or path).
    fn from_host(host: &str) -> Result<Domain, ()> {
        let host = host.trim_end_matches('.');
        // `www.` is a website's, not the company's, unless the name is no more than a
        // public suffix without it (`www.com`): then it is the name, and reads as itself.
        let host = match host.strip_prefix("www.") {
            Some(rest) if psl::domain_str(rest).is_some() => rest,
            _ => host,
        };
        if !is_host_name(host) {
            return Err(());
        }
        let registrable = psl::domain_str(host).unwrap_or(host);
        Ok(Domain(registrable.to_string()))
    }

    /// The domain of an e-mail address's host.
    pub fn from_email(email: &Email) -> Domain {
        email.domain()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the domain of a personal mail provider ([`PERSONAL_PROVIDERS`]).
    pub fn is_personal_provider(&self) -> bool {
        PERSONAL_PROVIDERS.contains(&self.0.as_str())
    }
}

impl AsRef<str> for Domain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Two or more dot-separated labels; ASCII labels of letters, digits and inner hyphens
/// (1–63 characters), non-ASCII labels of alphanumerics and hyphens; a top label that is
/// not all digits; at most 253 bytes.
fn is_host_name(host: &str) -> bool {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    host.len() <= 253
        && host.split('.').count() >= 2
        && host.split('.').all(label_ok)
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, RngSeed, TestRunner};

    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Jane.Doe+crm@Sales.ACME.co.uk ").unwrap();
        assert_eq!(email.as_str(), "jane.doe+crm@sales.acme.co.uk");
        assert_eq!(email.local_base(), "jane.doe");
        assert_eq!(email.domain().as_str(), "acme.co.uk");
        assert!(!email.is_role_account());
    }

    #[test]
    fn bad_emails_say_why() {
        for (input, reason) in [
            ("jane", "no @"),
            ("@acme.com", "nothing before @"),
            ("jane@", "nothing after @"),
            ("jane@localhost", "the part after @ is not a domain name"),
            (
                "ja..ne@acme.com",
                "the part before @ has a character or dot out of place",
            ),
            (
                "jane doe@acme.com",
                "the part before @ has a character or dot out of place",
            ),
        ] {
            assert_eq!(Email::parse(input).unwrap_err().reason, reason, "{input}");
        }
        assert_eq!(
            Email::parse("jane@").unwrap_err().to_string(),
            r#"not a valid e-mail address "jane@": nothing after @"#
        );
    }

    #[test]
    fn role_accounts_and_personal_providers_are_flagged() {
        assert!(Email::parse("Info@acme.com").unwrap().is_role_account());
        assert!(Email::parse("sales+eu@acme.com").unwrap().is_role_account());
        assert!(Email::parse("noreply@acme.com").unwrap().is_role_account());
        assert!(
            Email::parse("jane@gmail.com")
                .unwrap()
                .is_personal_provider()
        );
        assert!(Email::parse("jane@web.de").unwrap().is_personal_provider());
        assert!(
            Email::parse("jane@yahoo.co.uk")
                .unwrap()
                .is_personal_provider()
        );
        assert!(
            !Email::parse("jane@acme.com")
                .unwrap()
                .is_personal_provider()
        );
    }

    #[test]
    fn domains_come_from_websites_hosts_and_emails() {
        for (input, want) in [
            ("https://www.Acme.com:443/en?x=1", "acme.com"),
            ("http://acme.com", "acme.com"),
            ("www.acme.com/", "acme.com"),
            ("Acme.COM", "acme.com"),
            ("shop.acme.co.uk", "acme.co.uk"),
            ("https://www.acme.com.au/about", "acme.com.au"),
            ("jane@mail.acme.de", "acme.de"),
            ("//acme.io", "acme.io"),
            ("acme.com.", "acme.com"),
        ] {
            assert_eq!(Domain::parse(input).unwrap().as_str(), want, "{input}");
        }
        for bad in ["", "acme", "http://", "1.2.3.4", "-acme.com", "ac me.com"] {
            assert!(Domain::parse(bad).is_err(), "{bad}");
        }
    }

    /// `www.` is kept where without it only a public suffix is left, so that the domain
    /// reads back as itself.
    #[test]
    fn www_is_dropped_only_before_a_name() {
        for (input, want) in [
            ("www.com", "www.com"),
            ("www.www.com", "www.com"),
            ("https://www.acme.com", "acme.com"),
        ] {
            let domain = Domain::parse(input).unwrap();
            assert_eq!(domain.as_str(), want, "{input}");
            assert_eq!(Domain::parse(domain.as_str()).unwrap(), domain, "{input}");
        }
    }

    /// An address that is well formed by construction: dots only between characters, host
    /// labels that neither begin nor end with a hyphen.
    fn address() -> impl Strategy<Value = String> {
        (
            "[a-zA-Z0-9_+-]{1,8}(\\.[a-zA-Z0-9_+-]{1,8}){0,2}",
            "(www\\.|[a-zA-Z0-9]{1,6}\\.)?[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?",
            prop::sample::select(vec![
                "com",
                "de",
                "co.uk",
                "io",
                "com.au",
                "zz",
                "github.io",
            ]),
        )
            .prop_map(|(local, host, suffix)| format!("{local}@{host}.{suffix}"))
    }

    /// Text that is mostly an address or a website as sources write them, and now and then
    /// any text at all.
    fn address_text() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => "\\PC{0,40}",
            1 => "[a-zA-Z0-9.+_-]{1,12}@[a-zA-Z0-9.-]{1,12}\\.[a-z]{2,4}",
            3 => address().prop_map(|a| format!(" {a} ")),
            1 => "(https?://)?(www\\.)?[a-zA-Z0-9-]{1,12}\\.(com|de|co\\.uk)(:443)?(/[a-z]{0,5})?",
        ]
    }

    #[test]
    fn most_generated_addresses_read() {
        let mut runner = TestRunner::deterministic();
        let strategy = address_text();
        let read = (0..1000)
            .filter(|_| {
                let text = strategy.new_tree(&mut runner).unwrap().current();
                Email::parse(&text).is_ok() || Domain::parse(&text).is_ok()
            })
            .count();
        assert!(read >= 600, "{read} of 1000 generated addresses read");
    }

    proptest! {
        // One seed, so that a run finds what every run finds; PROPTEST_CASES sets how many.
        #![proptest_config(ProptestConfig {
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x1EAD_6A7E),
            ..ProptestConfig::default()
        })]

        #[test]
        fn normalising_twice_changes_nothing(address in address()) {
            let email = Email::parse(&address).unwrap();
            prop_assert_eq!(email.as_str(), address.to_lowercase());
            let again = Email::parse(email.as_str()).unwrap();
            prop_assert_eq!(&again, &email);
            let domain = email.domain();
            prop_assert!(email.host().ends_with(domain.as_str()), "{}", email);
            prop_assert_eq!(Domain::parse(domain.as_str()).unwrap(), domain);
        }

        #[test]
        fn whatever_reads_reads_back_as_itself(text in address_text()) {
            if let Ok(email) = Email::parse(&text) {
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
                prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
                let domain = email.domain();
                prop_assert_eq!(Domain::parse(domain.as_str()).unwrap(), domain);
            }
            if let Ok(domain) = Domain::parse(&text) {
                prop_assert_eq!(Domain::parse(domain.as_str()).unwrap(), domain.clone());
                prop_assert_eq!(domain.as_str(), domain.as_str().to_lowercase());
            }
        }
    }
}
