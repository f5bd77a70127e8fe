//! The sending domain's DNS: whether what a domain publishes lets leadgate's mail through.
//! Mailbox providers reject or bin bulk mail from a domain without SPF, DKIM and DMARC, and
//! they do it silently: a campaign sent from a domain whose records are wrong is lost without
//! a bounce. So before leadgate sends as a domain it asks DNS what the domain publishes, and
//! the engine refuses to send from a domain whose [`check`] fails, with the [`Finding`]s as
//! the reason.
//!
//! Three records are read, each a TXT record:
//! - SPF at the domain: exactly one `v=spf1` record (two are an error, RFC 7208), and when
//!   the relay's IP is known, SPF evaluated for that IP must pass.
//! - DKIM at `{selector}._domainkey.{domain}`: a key record whose `p=` is the public key
//!   leadgate signs with.
//! - DMARC at `_dmarc.{domain}`: one `v=DMARC1` record with any policy; `p=none` passes with
//!   a note, since it protects nobody yet.
//!
//! A name that does not exist or has no such record is a failed [`Finding`]; a question DNS
//! did not answer (a timeout, SERVFAIL) is a [`DnsError`], because nothing is known about the
//! domain yet. mail-auth parses the records and evaluates SPF; its hickory resolver asks
//! either the system's name servers or a given one, and is made anew for each check, so no
//! answer is cached from one check to the next.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimError;
use mail_auth::dmarc::{Dmarc, Policy};
use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts,
};
use mail_auth::hickory_resolver::net::NetError;
use mail_auth::hickory_resolver::proto::rr::{Name, RData, RecordType};
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use mail_auth::spf::Spf;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{MessageAuthenticator, Parameters, SpfResult};

/// How long a given name server may take to answer one question, and how often a question
/// is asked again after a timeout (hickory's `attempts` counts the retries): at most 4 s in
/// all. A server on the same network answers in milliseconds, and a check that got no answer
/// is a transient error, checked again later.
const AT_TIMEOUT: Duration = Duration::from_secs(2);
const AT_RETRIES: usize = 1;

/// How much of a record a finding quotes: enough to recognise it, not a whole key.
const QUOTE_CHARS: usize = 100;

/// How much of another key a finding shows: enough to tell two keys apart.
const KEY_TAIL_CHARS: usize = 16;

/// What a domain must publish for leadgate to send as it.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The From domain, e.g. `routewise.example`.
    pub domain: &'a str,
    /// The DKIM selector leadgate signs with, e.g. `leadgate1`.
    pub selector: &'a str,
    /// The DKIM public key leadgate keeps: base64 SPKI DER, as in `v=DKIM1; k=rsa; p=...`.
    pub public_b64: &'a str,
    /// The relay's IP when known: SPF must pass for it. Without it only the SPF record's
    /// presence and syntax are checked.
    pub sending_ip: Option<IpAddr>,
}

/// Where DNS questions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// The system's name servers and options (`/etc/resolv.conf`).
    System,
    /// One name server, over UDP with a short timeout (tests: a server on loopback).
    At(SocketAddr),
}

/// What one record says about the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `"SPF"`, `"DKIM"` or `"DMARC"`.
    pub record: &'static str,
    /// Whether this record lets leadgate's mail through.
    pub ok: bool,
    /// The DNS name asked, without the trailing dot.
    pub name: String,
    /// One line a person can act on: what was found or missing, and what to publish.
    pub said: String,
}

/// What a domain publishes, record by record: SPF, DKIM, DMARC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    pub domain: String,
    pub findings: Vec<Finding>,
}

impl DomainCheck {
    /// Whether leadgate may send as the domain: every record is right.
    pub fn passes(&self) -> bool {
        self.findings.iter().all(|finding| finding.ok)
    }

    /// The records that stop leadgate from sending as the domain.
    pub fn problems(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|finding| !finding.ok).collect()
    }
}

/// Why a domain could not be checked. [`DnsError::is_transient`] says whether checking again
/// later can succeed.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// What leadgate was asked to check cannot be asked about.
    #[error("cannot check the {field} {value:?}: it must be {must_be}")]
    Expected {
        field: &'static str,
        value: String,
        must_be: &'static str,
    },
    /// The system's resolver configuration cannot be read.
    #[error(
        "could not ask DNS about {domain}: the system's resolver settings cannot be used: {reason}"
    )]
    Resolver { domain: String, reason: String },
    /// DNS gave no answer: a timeout, SERVFAIL, a refusal or an unreachable server.
    #[error("could not ask DNS about {name}: {reason} (transient: check again later)")]
    Unanswered { name: String, reason: String },
}

impl DnsError {
    /// Whether the same check can succeed later: only a question DNS did not answer.
    pub fn is_transient(&self) -> bool {
        match self {
            DnsError::Unanswered { .. } => true,
            DnsError::Expected { .. } | DnsError::Resolver { .. } => false,
        }
    }
}

/// Asks DNS what `expected.domain` publishes and says, record by record, whether it lets
/// leadgate send as the domain. Missing or wrong records are failed findings; a question DNS
/// did not answer is a [`DnsError`].
pub async fn check(expected: &Expected<'_>, resolver: &Resolver) -> Result<DomainCheck, DnsError> {
    let domain = expected.domain.trim_end_matches('.').to_ascii_lowercase();
    check_expected(&domain, expected)?;
    let dns = authenticator(&domain, resolver)?;
    let (spf, dkim, dmarc) = tokio::try_join!(
        check_spf(&dns, &domain, expected.sending_ip),
        check_dkim(&dns, &domain, expected.selector, expected.public_b64),
        check_dmarc(&dns, &domain),
    )?;
    Ok(DomainCheck {
        domain,
        findings: vec![spf, dkim, dmarc],
    })
}

fn check_expected(domain: &str, expected: &Expected<'_>) -> Result<(), DnsError> {
    let refuse = |field, value: &str, must_be| DnsError::Expected {
        field,
        value: value.to_string(),
        must_be,
    };
    if !is_host_name(domain) || !domain.contains('.') {
        return Err(refuse(
            "domain",
            expected.domain,
            "a DNS domain name like example.com",
        ));
    }
    if !is_host_name(expected.selector) {
        return Err(refuse(
            "DKIM selector",
            expected.selector,
            "a DNS name (letters, digits, hyphens and dots)",
        ));
    }
    let key = without_whitespace(expected.public_b64);
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    {
        return Err(refuse(
            "DKIM public key",
            expected.public_b64,
            "base64 (an empty p= would revoke the key)",
        ));
    }
    Ok(())
}

fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A resolver with nothing cached: the system's, or one that asks only `At`'s server.
fn authenticator(domain: &str, resolver: &Resolver) -> Result<MessageAuthenticator, DnsError> {
    let unusable = |reason: String| DnsError::Resolver {
        domain: domain.to_string(),
        reason,
    };
    let (config, options) = match resolver {
        Resolver::System => read_system_conf().map_err(|e| unusable(e.to_string()))?,
        Resolver::At(server) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = server.port();
            let mut options = ResolverOpts::default();
            options.timeout = AT_TIMEOUT;
            options.attempts = AT_RETRIES;
            // A 2048-bit DKIM key alone fills most of a plain 512-byte UDP answer.
            options.edns0 = true;
            let name_server = NameServerConfig::new(server.ip(), true, vec![udp]);
            (
                ResolverConfig::from_name_servers(vec![name_server]),
                options,
            )
        }
    };
    MessageAuthenticator::new(config, options).map_err(|e| unusable(e.to_string()))
}

/// The TXT records at `name`, each its character-strings joined (RFC 7208 §3.3, RFC 6376
/// §3.6.2.2). Empty when the name does not exist or holds no TXT record.
async fn txt_records(dns: &MessageAuthenticator, name: &str) -> Result<Vec<Vec<u8>>, DnsError> {
    let unanswered = |reason: String| DnsError::Unanswered {
        name: name.to_string(),
        reason,
    };
    let fqdn = Name::from_ascii(format!("{name}.")).map_err(|e| unanswered(e.to_string()))?;
    match dns.resolver().lookup(fqdn, RecordType::TXT).await {
        Ok(lookup) => Ok(lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::TXT(txt) => Some(txt.txt_data.concat()),
                _ => None,
            })
            .collect()),
        Err(e) if e.is_no_records_found() => Ok(Vec::new()),
        Err(e) => Err(unanswered(no_answer(&e))),
    }
}

fn no_answer(error: &NetError) -> String {
    match error {
        NetError::Timeout => "no answer in time".to_string(),
        NetError::Dns(mail_auth::hickory_resolver::net::DnsError::ResponseCode(code)) => {
            format!("the name server answered {code}")
        }
        other => other.to_string(),
    }
}

async fn check_spf(
    dns: &MessageAuthenticator,
    domain: &str,
    sending_ip: Option<IpAddr>,
) -> Result<Finding, DnsError> {
    let records: Vec<Vec<u8>> = txt_records(dns, domain)
        .await?
        .into_iter()
        .filter(|record| is_spf(record))
        .collect();
    let finding = |ok, said: String| Finding {
        record: "SPF",
        ok,
        name: domain.to_string(),
        said,
    };
    let allow = match sending_ip {
        Some(IpAddr::V4(ip)) => format!("ip4:{ip}"),
        Some(IpAddr::V6(ip)) => format!("ip6:{ip}"),
        None => "include:<your mail relay's SPF domain>".to_string(),
    };
    let record = match records.as_slice() {
        [] => {
            return Ok(finding(
                false,
                format!("no SPF record at {domain}: publish a TXT record \"v=spf1 {allow} ~all\""),
            ));
        }
        [record] => record,
        several => {
            let quoted: Vec<String> = several.iter().map(|r| quote(r)).collect();
            return Ok(finding(
                false,
                format!(
                    "{} SPF records at {domain} ({}), and receivers treat more than one as an \
                     error (RFC 7208): merge them into one",
                    several.len(),
                    quoted.join(", ")
                ),
            ));
        }
    };
    if Spf::parse(record).is_err() {
        return Ok(finding(
            false,
            format!(
                "the SPF record {} is not valid SPF: publish one like \"v=spf1 {allow} ~all\"",
                quote(record)
            ),
        ));
    }
    let Some(ip) = sending_ip else {
        return Ok(finding(
            true,
            format!(
                "publishes {}; the relay's IP is not known, so only the record was checked",
                quote(record)
            ),
        ));
    };
    let sender = format!("postmaster@{domain}");
    let output = dns
        .verify_spf(Parameters::new(SpfParameters::verify_mail_from(
            ip, domain, domain, &sender,
        )))
        .await;
    let said = match output.result() {
        SpfResult::Pass => return Ok(finding(true, format!("{} lets {ip} send", quote(record)))),
        SpfResult::TempError => {
            return Err(DnsError::Unanswered {
                name: domain.to_string(),
                reason: format!(
                    "a name the SPF record refers to did not answer while checking {ip}"
                ),
            });
        }
        SpfResult::PermError => format!(
            "the SPF record {} cannot be evaluated (permerror: an include or redirect that does \
             not exist, a syntax error, or more than 10 DNS lookups): fix it and add {allow}",
            quote(record)
        ),
        other => format!(
            "the SPF record {} does not let the relay {ip} send (SPF {}): add {allow} before \
             its all",
            quote(record),
            spf_word(other)
        ),
    };
    Ok(finding(false, said))
}

/// `v=spf1` (any case) followed by a space or nothing (RFC 7208 §4.5).
fn is_spf(record: &[u8]) -> bool {
    record.len() >= 6
        && record[..6].eq_ignore_ascii_case(b"v=spf1")
        && record.get(6).is_none_or(|b| *b == b' ')
}

fn spf_word(result: SpfResult) -> &'static str {
    match result {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

async fn check_dkim(
    dns: &MessageAuthenticator,
    domain: &str,
    selector: &str,
    public_b64: &str,
) -> Result<Finding, DnsError> {
    let name = format!("{selector}._domainkey.{domain}");
    let records = txt_records(dns, &name).await?;
    let key = without_whitespace(public_b64);
    let publish = format!("publish \"v=DKIM1; k=rsa; p={key}\" at {name}");
    let judged: Vec<KeyRecord> = records.iter().map(|r| judge_key(r, &key)).collect();
    let (ok, said) = match (records.as_slice(), judged.as_slice()) {
        (_, []) => (false, format!("no DKIM key at {name}: {publish}")),
        (_, all) if all.iter().all(|k| matches!(k, KeyRecord::Ours)) => {
            (true, "publishes the key leadgate signs with".to_string())
        }
        (_, [KeyRecord::Other(p)]) => (
            false,
            format!(
                "publishes another key (p=…{}) than the one leadgate signs with: {publish}",
                key_tail(p)
            ),
        ),
        ([record], [KeyRecord::Unusable(why)]) => (
            false,
            format!(
                "the record {} is not a usable DKIM key, as {why}: {publish}",
                quote(record)
            ),
        ),
        (several, _) => (
            false,
            format!(
                "{} records at {name}, and receivers may use any of them: keep only \
                 \"v=DKIM1; k=rsa; p={key}\"",
                several.len()
            ),
        ),
    };
    Ok(Finding {
        record: "DKIM",
        ok,
        name,
        said,
    })
}

/// One TXT record at the selector's name, against the key leadgate signs with.
enum KeyRecord {
    Ours,
    Other(String),
    Unusable(&'static str),
}

fn judge_key(record: &[u8], key: &str) -> KeyRecord {
    let p = tag(record, "p").map(|p| without_whitespace(&p));
    if let Err(e) = DomainKey::parse(record) {
        return KeyRecord::Unusable(match (e, p) {
            (mail_auth::Error::Dkim(DkimError::RevokedPublicKey), _) => {
                "its p= is empty, which revokes the key"
            }
            (mail_auth::Error::Dkim(DkimError::UnsupportedKeyType), _) => {
                "its k= is neither rsa nor ed25519"
            }
            _ if tag(record, "v").is_some_and(|v| v != "DKIM1") => "its v= is not DKIM1",
            (_, Some(p)) if !p.is_empty() => "its p= is not a public key in base64",
            _ => "it has no p= tag",
        });
    }
    match p {
        Some(p) if p == key => KeyRecord::Ours,
        Some(p) => KeyRecord::Other(p),
        None => KeyRecord::Unusable("it has no p= tag"),
    }
}

async fn check_dmarc(dns: &MessageAuthenticator, domain: &str) -> Result<Finding, DnsError> {
    let name = format!("_dmarc.{domain}");
    let records: Vec<Vec<u8>> = txt_records(dns, &name)
        .await?
        .into_iter()
        .filter(|record| tag(record, "v").is_some_and(|v| v == "DMARC1"))
        .collect();
    let start = "publish a TXT record \"v=DMARC1; p=none\" there, and p=quarantine once its \
                 reports show only your own mail";
    let (ok, said) = match records.as_slice() {
        [] => (false, format!("no DMARC record at {name}: {start}")),
        [record] => match Dmarc::parse(record) {
            Err(_) => (
                false,
                format!(
                    "the DMARC record {} is not valid DMARC: {start}",
                    quote(record)
                ),
            ),
            Ok(dmarc) => match dmarc.p {
                Policy::Reject => (true, "publishes p=reject".to_string()),
                Policy::Quarantine => (true, "publishes p=quarantine".to_string()),
                Policy::None => (
                    true,
                    "publishes p=none: receivers only report mail that fails, they do not act \
                     on it; move to p=quarantine once the reports show only your own mail"
                        .to_string(),
                ),
                // RFC 7489 §6.6.3: without a valid p=, a record with reporting addresses
                // counts as p=none and one without is ignored.
                Policy::Unspecified if !dmarc.rua.is_empty() => (
                    true,
                    "has no p= tag, so receivers treat it as p=none: write p=none (or \
                     p=quarantine) into it"
                        .to_string(),
                ),
                Policy::Unspecified => (
                    false,
                    format!(
                        "the DMARC record {} has no valid p= tag, so receivers ignore it: add p=none",
                        quote(record)
                    ),
                ),
            },
        },
        several => (
            false,
            format!(
                "{} DMARC records at {name}, and receivers ignore DMARC when there is more than \
                 one (RFC 7489): keep one",
                several.len()
            ),
        ),
    };
    Ok(Finding {
        record: "DMARC",
        ok,
        name,
        said,
    })
}

/// The value of the first `name=` tag of a `tag=value; ...` record (RFC 6376 §3.2), trimmed.
fn tag(record: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(record)
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().to_string())
}

/// The end of a base64 key: RSA keys of one size share their first 40-odd characters.
fn key_tail(key: &str) -> &str {
    let start = key
        .char_indices()
        .rev()
        .nth(KEY_TAIL_CHARS - 1)
        .map_or(0, |(at, _)| at);
    &key[start..]
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A record as a finding quotes it: on one line, escaped, shortened.
fn quote(record: &[u8]) -> String {
    format!("{:?}", shorten(&String::from_utf8_lossy(record)))
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_is_recognised_by_its_version_alone() {
        assert!(is_spf(b"v=spf1 -all"));
        assert!(is_spf(b"V=SPF1 ip4:192.0.2.1 ~all"));
        assert!(is_spf(b"v=spf1"));
        assert!(!is_spf(b"v=spf10 -all"));
        assert!(!is_spf(b"google-site-verification=abc"));
        assert!(!is_spf(b"v=spf"));
    }

    #[test]
    fn tags_are_read_with_whitespace_around_them() {
        let record = b"v=DKIM1;  k=rsa ;\tp = MIIB IjAN ";
        assert_eq!(tag(record, "p").as_deref(), Some("MIIB IjAN"));
        assert_eq!(tag(record, "k").as_deref(), Some("rsa"));
        assert_eq!(tag(record, "t"), None);
        assert_eq!(tag(b"\xff\xfe;;==;", "p"), None);
    }

    #[test]
    fn a_quoted_record_stays_on_one_line_and_short() {
        let quoted = quote(b"v=spf1 a\nmx -all");
        assert_eq!(quoted, r#""v=spf1 a\nmx -all""#);
        let long = quote("é".repeat(500).as_bytes());
        assert_eq!(long.chars().count(), QUOTE_CHARS + 3);
        assert!(long.ends_with("…\""));
        assert_eq!(
            key_tail("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtgZkLt4kt3zO"),
            "AQEAtgZkLt4kt3zO"
        );
        assert_eq!(key_tail("MIIB"), "MIIB");
        assert_eq!(key_tail("é"), "é");
    }

    #[test]
    fn what_cannot_be_asked_about_is_refused_before_any_question() {
        let expected = |domain, selector, public_b64| Expected {
            domain,
            selector,
            public_b64,
            sending_ip: None,
        };
        let domain = "routewise.example";
        assert!(check_expected(domain, &expected(domain, "leadgate1", "MIIB+/==")).is_ok());
        for (domain, selector, key) in [
            ("localhost", "leadgate1", "MIIB"),
            ("route wise.example", "leadgate1", "MIIB"),
            ("routewise.example", "lead_gate", "MIIB"),
            ("routewise.example", "leadgate1", " "),
            ("routewise.example", "leadgate1", "MIIB;p=x"),
        ] {
            let error = check_expected(domain, &expected(domain, selector, key)).unwrap_err();
            assert!(!error.is_transient(), "{error}");
        }
    }
}
