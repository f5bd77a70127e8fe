//! Outgoing mail: the bytes leadgate sends and the way they leave. A message is plain text to
//! one recipient, DKIM-signed with a key leadgate generated and whose public half the sending
//! domain publishes in DNS, and it carries the one-click unsubscribe headers (RFC 2369 and
//! RFC 8058) that mailbox providers require of bulk senders. The signature covers those
//! headers, so nobody on the way can add or change them without breaking it.
//!
//! [`build`] turns an [`Outgoing`] message into signed bytes; a [`Transport`] takes the bytes:
//! into files in a directory, which nothing reads but people and tests, or to an SMTP relay.
//! Signing uses lettre's `DkimConfig::new` with relaxed/relaxed canonicalization and an
//! explicit header list: its default configuration (simple headers, four of them) produced
//! signatures that independent verifiers rejected.
//!
//! Nothing here reads the clock to decide anything: the `Date` header is the message's
//! `date`. Only the signature's own `t=` tag (when it was signed) is lettre's clock.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::Engine;
use jiff::Timestamp;
use lettre::address::Envelope;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::{self, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;

/// How long an SMTP relay may take to connect or to answer one command.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// RSA modulus size of generated keys: what mailbox providers expect, and what fits in one
/// DNS TXT record.
const KEY_BITS: usize = 2048;

/// What went wrong with outgoing mail. [`MailError::is_permanent`] says whether sending the
/// same message again can succeed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address is not an e-mail address.
    #[error("the {field} address {address:?} is not an e-mail address: {reason}")]
    Address {
        field: &'static str,
        address: String,
        reason: String,
    },
    /// A value cannot be written as the header it is meant for.
    #[error("the {field} {value:?} cannot be sent: it must be {expected}")]
    Header {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    /// A date a Date header cannot carry.
    #[error("the date {date} cannot be a Date header: it must not be before 1970")]
    Date { date: Timestamp },
    /// A DKIM key that cannot be made or used.
    #[error("the DKIM key {selector:?} of {domain:?} {problem}")]
    Key {
        selector: String,
        domain: String,
        problem: String,
    },
    /// lettre refused to assemble the message.
    #[error("the message could not be built: {reason}")]
    Build { reason: String },
    /// The file transport could not write a message.
    #[error("could not write message {message_id:?} to {}: {source}", path.display())]
    File {
        message_id: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// SMTP settings that cannot make a connection.
    #[error("the SMTP settings for {host:?} cannot be used: {reason}")]
    SmtpSettings { host: String, reason: String },
    /// The relay answered with an error code.
    #[error(
        "the SMTP server {host}:{port} refused message {message_id:?}: {code} {text} ({})",
        retry_hint(*.code)
    )]
    SmtpRefused {
        host: String,
        port: u16,
        message_id: String,
        code: u16,
        text: String,
    },
    /// The relay could not be reached or the conversation broke off.
    #[error(
        "could not hand message {message_id:?} to the SMTP server {host}:{port}: {reason} \
         (transient: try again later)"
    )]
    SmtpUnreachable {
        host: String,
        port: u16,
        message_id: String,
        reason: String,
    },
}

impl MailError {
    /// Whether sending the same message again cannot succeed: a 5xx answer, or a message,
    /// key or setting that is wrong. A 4xx answer, a broken connection or a failed write
    /// are transient.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::SmtpRefused { code, .. } => *code >= 500,
            MailError::SmtpUnreachable { .. } | MailError::File { .. } => false,
            MailError::Address { .. }
            | MailError::Header { .. }
            | MailError::Date { .. }
            | MailError::Key { .. }
            | MailError::Build { .. }
            | MailError::SmtpSettings { .. } => true,
        }
    }
}

fn retry_hint(code: u16) -> &'static str {
    if code >= 500 {
        "permanent: do not send this message again"
    } else {
        "transient: try again later"
    }
}

/// A DKIM key leadgate generated and keeps: RSA-2048, PKCS#1 PEM private, and the public
/// half as DNS publishes it.
#[derive(Clone)]
pub struct DkimKey {
    pub selector: String,
    pub domain: String,
    pub private_pem: String,
    pub public_b64: String,
}

impl fmt::Debug for DkimKey {
    /// Everything but the private key, which must not end up in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DkimKey")
            .field("selector", &self.selector)
            .field("domain", &self.domain)
            .field("private_pem", &"<redacted>")
            .field("public_b64", &self.public_b64)
            .finish()
    }
}

impl DkimKey {
    /// A new RSA-2048 key for `selector._domainkey.domain`, from the operating system's
    /// random numbers.
    pub fn generate(selector: &str, domain: &str) -> Result<DkimKey, MailError> {
        check_key_names(selector, domain)?;
        let problem = |what: &str, e: &dyn fmt::Display| MailError::Key {
            selector: selector.to_string(),
            domain: domain.to_string(),
            problem: format!("could not be {what}: {e}"),
        };
        let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, KEY_BITS)
            .map_err(|e| problem("generated", &e))?;
        let private_pem = private
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| problem("written as PEM", &e))?;
        let public_der = private
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| problem("written as DER", &e))?;
        Ok(DkimKey {
            selector: selector.to_string(),
            domain: domain.to_string(),
            private_pem: private_pem.to_string(),
            public_b64: base64::engine::general_purpose::STANDARD.encode(public_der.as_bytes()),
        })
    }

    /// The TXT record's name and value:
    /// (`{selector}._domainkey.{domain}`, `v=DKIM1; k=rsa; p={public_b64}`).
    pub fn dns_record(&self) -> (String, String) {
        (
            format!("{}._domainkey.{}", self.selector, self.domain),
            format!("v=DKIM1; k=rsa; p={}", self.public_b64),
        )
    }

    /// The signing configuration for `headers`: the key parsed once (parsing and checking an
    /// RSA key costs as much as a signature), kept for the process by key and headers.
    fn signing_config(
        &self,
        headers: Vec<HeaderName>,
    ) -> Result<std::sync::Arc<DkimConfig>, MailError> {
        type Kept = std::collections::HashMap<String, std::sync::Arc<DkimConfig>>;
        static KEPT: std::sync::LazyLock<std::sync::Mutex<Kept>> =
            std::sync::LazyLock::new(Default::default);
        let id = format!(
            "{}\n{}\n{}\n{}",
            self.selector,
            self.domain,
            headers
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(":"),
            self.private_pem
        );
        if let Some(kept) = KEPT.lock().ok().and_then(|k| k.get(&id).cloned()) {
            return Ok(kept);
        }
        let made = std::sync::Arc::new(self.parse_config(headers)?);
        if let Ok(mut kept) = KEPT.lock() {
            kept.insert(id, made.clone());
        }
        Ok(made)
    }

    fn parse_config(&self, headers: Vec<HeaderName>) -> Result<DkimConfig, MailError> {
        check_key_names(&self.selector, &self.domain)?;
        let key =
            DkimSigningKey::new(&self.private_pem, DkimSigningAlgorithm::Rsa).map_err(|e| {
                MailError::Key {
                    selector: self.selector.clone(),
                    domain: self.domain.clone(),
                    problem: format!("is not an RSA private key in PKCS#1 PEM: {e}"),
                }
            })?;
        Ok(DkimConfig::new(
            self.selector.clone(),
            self.domain.clone(),
            key,
            headers,
            DkimCanonicalization {
                header: DkimCanonicalizationType::Relaxed,
                body: DkimCanonicalizationType::Relaxed,
            },
        ))
    }
}

/// The selector and domain become a DNS name and tags of the signature: both must be
/// host names (letters, digits and hyphens, in dot-separated labels).
fn check_key_names(selector: &str, domain: &str) -> Result<(), MailError> {
    let problem = if !is_host_name(selector) {
        "has a selector that is not a DNS name (letters, digits, hyphens and dots)"
    } else if !is_host_name(domain) || !domain.contains('.') {
        "has a domain that is not a DNS domain name like example.com"
    } else {
        return Ok(());
    };
    Err(MailError::Key {
        selector: selector.to_string(),
        domain: domain.to_string(),
        problem: problem.to_string(),
    })
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

/// One outgoing e-mail as leadgate sends it: plain text, one recipient.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to_name: Option<&'a str>,
    pub to_address: &'a str,
    pub subject: &'a str,
    /// The whole body: message, notice and footer, already joined.
    pub text: &'a str,
    /// Without angle brackets, e.g. `lg-7f3a…@routewise.example`.
    pub message_id: &'a str,
    pub date: Timestamp,
    /// The first message's id, when this one is a follow-up that threads under it (written
    /// as In-Reply-To and References).
    pub in_reply_to: Option<&'a str>,
    /// `https://…/unsubscribe/TOKEN`: one click (a POST) unsubscribes.
    pub unsubscribe_url: &'a str,
    /// `mailto:unsubscribe@domain?subject=unsubscribe-TOKEN`.
    pub unsubscribe_mailto: &'a str,
}

/// The message as bytes on the wire (CRLF), DKIM-signed with `key`: relaxed/relaxed, headers
/// From, To, Subject, Date, Message-ID, List-Unsubscribe, List-Unsubscribe-Post (and
/// In-Reply-To/References when present). Carries `List-Unsubscribe: <https…>, <mailto:…>`
/// (RFC 2369) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
/// The Date header is `date`, not the clock. Bad addresses are a [`MailError`] naming the
/// address.
pub fn build(message: &Outgoing<'_>, key: &DkimKey) -> Result<Vec<u8>, MailError> {
    let from = mailbox("From", Some(message.from_name), message.from_address)?;
    let to = mailbox("To", message.to_name, message.to_address)?;
    check_one_line("From name", message.from_name)?;
    if let Some(name) = message.to_name {
        check_one_line("To name", name)?;
    }
    check_one_line("Subject", message.subject)?;
    check_message_id("Message-ID", message.message_id)?;
    if let Some(first) = message.in_reply_to {
        check_message_id("In-Reply-To", first)?;
    }
    // RFC 8058 asks for HTTPS; a server on this machine (a trial, the demo) is reached over
    // plain HTTP on loopback, where nothing crosses a network.
    let scheme = if LOOPBACK_HTTP
        .iter()
        .any(|base| starts_with_ignore_case(message.unsubscribe_url, base))
    {
        "http://"
    } else {
        "https://"
    };
    check_link(
        "List-Unsubscribe URL",
        message.unsubscribe_url,
        scheme,
        "an https:// URL (or http:// on this machine's loopback) without spaces, commas or angle brackets",
    )?;
    check_link(
        "List-Unsubscribe mailto",
        message.unsubscribe_mailto,
        "mailto:",
        "a mailto: URL without spaces, commas or angle brackets",
    )?;
    let date = header_date(message.date)?;

    let mut signed = vec![
        HeaderName::new_from_ascii_str("From"),
        HeaderName::new_from_ascii_str("To"),
        HeaderName::new_from_ascii_str("Subject"),
        HeaderName::new_from_ascii_str("Date"),
        HeaderName::new_from_ascii_str("Message-ID"),
        HeaderName::new_from_ascii_str("List-Unsubscribe"),
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
    ];
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject)
        .date(date)
        .message_id(Some(format!("<{}>", message.message_id)));
    if let Some(first) = message.in_reply_to {
        builder = builder
            .in_reply_to(format!("<{first}>"))
            .references(format!("<{first}>"));
        signed.push(HeaderName::new_from_ascii_str("In-Reply-To"));
        signed.push(HeaderName::new_from_ascii_str("References"));
    }
    let mut email = builder
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!(
                "<{}>, <{}>",
                message.unsubscribe_url, message.unsubscribe_mailto
            ),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ))
        .header(header::MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(message.text.to_string())
        .map_err(|e| MailError::Build {
            reason: e.to_string(),
        })?;
    email.sign(&*key.signing_config(signed)?);
    Ok(email.formatted())
}

/// A notice to a person of the workspace (a rep told of a lead): plain text, one recipient,
/// no list headers — it is not a campaign.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// Without angle brackets.
    pub message_id: &'a str,
    pub date: Timestamp,
}

/// A notice as bytes on the wire (CRLF), DKIM-signed with `key` when the sending domain has
/// one (headers From, To, Subject, Date, Message-ID). Bad addresses are a [`MailError`]
/// naming the address.
pub fn build_notice(notice: &Notice<'_>, key: Option<&DkimKey>) -> Result<Vec<u8>, MailError> {
    let from = mailbox("From", Some(notice.from_name), notice.from_address)?;
    let to = mailbox("To", None, notice.to_address)?;
    check_one_line("From name", notice.from_name)?;
    check_one_line("Subject", notice.subject)?;
    check_message_id("Message-ID", notice.message_id)?;
    let mut email = Message::builder()
        .from(from)
        .to(to)
        .subject(notice.subject)
        .date(header_date(notice.date)?)
        .message_id(Some(format!("<{}>", notice.message_id)))
        .header(header::MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(notice.text.to_string())
        .map_err(|e| MailError::Build {
            reason: e.to_string(),
        })?;
    if let Some(key) = key {
        let signed = ["From", "To", "Subject", "Date", "Message-ID"]
            .map(HeaderName::new_from_ascii_str)
            .to_vec();
        email.sign(&*key.signing_config(signed)?);
    }
    Ok(email.formatted())
}

fn mailbox(field: &'static str, name: Option<&str>, address: &str) -> Result<Mailbox, MailError> {
    let address = parse_address(field, address)?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    Ok(Mailbox::new(name.map(str::to_string), address))
}

/// A name or subject is one line of text: a line break in it is a mistake upstream, and
/// lettre panics on one in a display name.
fn check_one_line(field: &'static str, text: &str) -> Result<(), MailError> {
    if text.chars().any(char::is_control) {
        Err(MailError::Header {
            field,
            value: text.to_string(),
            expected: "one line of text without control characters",
        })
    } else {
        Ok(())
    }
}

fn parse_address(field: &'static str, address: &str) -> Result<Address, MailError> {
    address
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address {
            field,
            address: address.to_string(),
            reason: e.to_string(),
        })
}

/// A message id as RFC 5322 writes it between angle brackets: `left@right`, each side
/// dot-atom text (no spaces, brackets or quotes, no empty part between dots).
fn check_message_id(field: &'static str, id: &str) -> Result<(), MailError> {
    let dot_atom = |part: &str| {
        !part.is_empty()
            && part.split('.').all(|atom| {
                !atom.is_empty()
                    && atom
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
            })
    };
    match id.split_once('@') {
        Some((left, right)) if dot_atom(left) && dot_atom(right) => Ok(()),
        _ => Err(MailError::Header {
            field,
            value: id.to_string(),
            expected: "left@right without angle brackets, spaces, quotes or empty dot-parts",
        }),
    }
}

/// A URL inside `<…>` in List-Unsubscribe: visible ASCII, none of the characters that would
/// end or split the list.
/// Unsubscribe URLs that may be plain HTTP: this machine's own loopback addresses.
const LOOPBACK_HTTP: &[&str] = &[
    "http://127.0.0.1:",
    "http://127.0.0.1/",
    "http://localhost:",
    "http://localhost/",
    "http://[::1]:",
    "http://[::1]/",
];

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix))
}

fn check_link(
    field: &'static str,
    link: &str,
    scheme: &str,
    expected: &'static str,
) -> Result<(), MailError> {
    let plain = link
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"<>,\"".contains(&b));
    let has_rest = link
        .get(..scheme.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        && link.len() > scheme.len();
    if plain && has_rest {
        Ok(())
    } else {
        Err(MailError::Header {
            field,
            value: link.to_string(),
            expected,
        })
    }
}

/// `date` as the Date header's time. lettre's date writer panics before 1970; its other end
/// (year 9999) is past jiff's last timestamp.
fn header_date(date: Timestamp) -> Result<SystemTime, MailError> {
    if date >= Timestamp::UNIX_EPOCH {
        Ok(SystemTime::from(date))
    } else {
        Err(MailError::Date { date })
    }
}

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Transport {
    /// Each message as `<dir>/<message_id>.eml` (file name made safe), written to a
    /// temporary file and renamed, so a file that exists is a whole message and nothing
    /// leaves the machine.
    File { dir: PathBuf },
    /// An SMTP relay: host, port, TLS none | starttls | tls, optional login.
    Smtp(SmtpSettings),
}

/// How to reach an SMTP relay.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for SmtpSettings {
    /// Everything but the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same machine or network.
    None,
    /// Plain connection upgraded with STARTTLS before anything is sent (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl Transport {
    /// Sends `bytes` from `envelope_from` to `envelope_to` (the SMTP MAIL FROM / RCPT TO).
    /// The file transport writes only the bytes; the envelope is checked all the same, so a
    /// message that one transport refuses the other refuses too.
    pub async fn send(
        &self,
        envelope_from: &str,
        envelope_to: &str,
        message_id: &str,
        bytes: &[u8],
    ) -> Result<(), MailError> {
        let from = parse_address("envelope sender", envelope_from)?;
        let to = parse_address("envelope recipient", envelope_to)?;
        if message_id.is_empty() {
            return Err(MailError::Header {
                field: "message id",
                value: String::new(),
                expected: "not empty",
            });
        }
        match self {
            Transport::File { dir } => write_file(dir, message_id, bytes).await,
            Transport::Smtp(settings) => {
                let envelope =
                    Envelope::new(Some(from), vec![to]).map_err(|e| MailError::Build {
                        reason: e.to_string(),
                    })?;
                settings.send(&envelope, message_id, bytes).await
            }
        }
    }

    /// Whether a message is known to have been delivered: for the file transport, whether
    /// its file exists (`Some(true/false)`); an SMTP relay cannot be asked (`None`).
    pub fn delivered(&self, message_id: &str) -> Option<bool> {
        match self {
            Transport::File { dir } => {
                Some(!message_id.is_empty() && message_path(dir, message_id).is_file())
            }
            Transport::Smtp(_) => None,
        }
    }
}

/// `<dir>/<message_id>.eml` with every byte of the id that could name another directory,
/// hide the file or confuse a shell written as `%XX`; distinct ids give distinct names.
fn message_path(dir: &Path, message_id: &str) -> PathBuf {
    let mut name = String::with_capacity(message_id.len() + 4);
    for (i, b) in message_id.bytes().enumerate() {
        let plain = b.is_ascii_alphanumeric() || b"@_+-=".contains(&b) || (b == b'.' && i > 0);
        if plain {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".eml");
    dir.join(name)
}

async fn write_file(dir: &Path, message_id: &str, bytes: &[u8]) -> Result<(), MailError> {
    let dir = dir.to_path_buf();
    let path = message_path(&dir, message_id);
    let target = path.clone();
    let bytes = bytes.to_vec();
    let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let mut file = tempfile::Builder::new()
            .prefix(".sending-")
            .suffix(".tmp")
            .tempfile_in(&dir)?;
        file.write_all(&bytes)?;
        file.as_file().sync_all()?;
        file.persist(&target).map_err(|e| e.error)?;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    written.map_err(|source| MailError::File {
        message_id: message_id.to_string(),
        path,
        source,
    })
}

impl SmtpSettings {
    /// A transport for one message: a connection is opened, used and closed per send.
    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        let builder = match self.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host)
                .map_err(|e| self.settings_error(&e))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host)
                .map_err(|e| self.settings_error(&e))?,
        };
        let builder = builder.port(self.port).timeout(Some(SMTP_TIMEOUT));
        let builder = match (&self.username, &self.password) {
            (Some(user), Some(password)) => {
                builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            (None, None) => builder,
            (Some(_), None) | (None, Some(_)) => {
                return Err(MailError::SmtpSettings {
                    host: self.host.clone(),
                    reason: "a login needs both a username and a password".to_string(),
                });
            }
        };
        Ok(builder.build())
    }

    fn settings_error(&self, e: &lettre::transport::smtp::Error) -> MailError {
        MailError::SmtpSettings {
            host: self.host.clone(),
            reason: crate::http_error::error_chain(e),
        }
    }

    async fn send(
        &self,
        envelope: &Envelope,
        message_id: &str,
        bytes: &[u8],
    ) -> Result<(), MailError> {
        let transport = self.transport()?;
        match transport.send_raw(envelope, bytes).await {
            Ok(_) => Ok(()),
            Err(e) => Err(match e.status() {
                Some(code) => MailError::SmtpRefused {
                    host: self.host.clone(),
                    port: self.port,
                    message_id: message_id.to_string(),
                    code: u16::from(code),
                    text: one_line(
                        &std::error::Error::source(&e)
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    ),
                },
                None => MailError::SmtpUnreachable {
                    host: self.host.clone(),
                    port: self.port,
                    message_id: message_id.to_string(),
                    reason: one_line(&crate::http_error::error_chain(&e)),
                },
            }),
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_message_ids_get_distinct_file_names_inside_the_directory() {
        let dir = Path::new("/outbox");
        let ids = [
            "a/b@x",
            "a_b@x",
            "a%2Fb@x",
            "../up@x",
            ".hidden@x",
            "..",
            "a..b@x",
        ];
        let paths: Vec<PathBuf> = ids.iter().map(|id| message_path(dir, id)).collect();

        for path in &paths {
            assert_eq!(path.parent(), Some(dir), "{}", path.display());
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(!name.starts_with('.') && !name.contains('/'), "{name}");
        }
        let distinct: std::collections::BTreeSet<_> = paths.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn message_ids_are_checked_as_rfc_5322_writes_them() {
        for good in ["lg-7f3a@routewise.example", "a.b+c@d", "x/y=z@host"] {
            assert!(check_message_id("Message-ID", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "no-at",
            "<a@b>",
            "a b@c",
            "a@b\r\nBcc: x@y",
            "a..b@c",
            "@b",
            "a@",
        ] {
            let error = check_message_id("Message-ID", bad).unwrap_err();
            assert!(error.to_string().contains("Message-ID"), "{error}");
        }
    }

    #[test]
    fn dates_outside_what_a_date_header_can_say_are_refused_not_a_panic() {
        let before_1970 = Timestamp::from_second(-1).unwrap();

        assert!(matches!(
            header_date(before_1970),
            Err(MailError::Date { .. })
        ));
        assert!(header_date(Timestamp::UNIX_EPOCH).is_ok());
        assert!(header_date(Timestamp::MAX).is_ok());
    }

    #[test]
    fn smtp_answers_are_permanent_only_in_the_5xx_range() {
        let refused = |code| MailError::SmtpRefused {
            host: "relay.example".into(),
            port: 25,
            message_id: "a@b".into(),
            code,
            text: "mailbox full".into(),
        };

        assert!(refused(550).is_permanent());
        assert!(!refused(452).is_permanent());
        assert!(refused(550).to_string().contains("550 mailbox full"));
        assert!(refused(452).to_string().contains("try again later"));
    }
}
