//! Reading a mailbox over IMAP (RFC 3501): the messages a folder received since the last
//! read, as raw bytes for `leadgate_core::outreach::reply` to classify.
//!
//! The folder is opened read-only (`EXAMINE`) and messages are fetched with `BODY.PEEK[]`,
//! so reading changes nothing a person sees: no message is marked read, moved or deleted.
//! Where reading stopped is a UID: UIDs only grow while the folder's `UIDVALIDITY` stays the
//! same, so the next read asks for the UIDs after it. A folder read for the first time, or
//! whose `UIDVALIDITY` changed (the server renumbered it), is read from a date instead.
//!
//! TLS on connect (port 993) with the web's root certificates, or a team's own CA from a PEM
//! file; plain IMAP only to a server on this machine. The whole read has one timeout.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use jiff::civil::Date;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAPS, port 993).
    Tls,
    /// No TLS: only for a server on this machine.
    Plain,
}

/// A mailbox folder to read.
#[derive(Clone)]
pub struct Account {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    /// `INBOX` unless the team files replies elsewhere.
    pub folder: String,
    /// A PEM file of CA certificates to trust instead of the web's roots.
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("folder", &self.folder)
            .finish()
    }
}

/// Where the last read stopped: the folder's UIDVALIDITY and the last UID read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub uid_validity: u32,
    pub last_uid: u32,
}

/// What one read found: the folder's UIDVALIDITY and the new messages, oldest UID first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub uid_validity: u32,
    pub messages: Vec<(u32, Vec<u8>)>,
    /// More new messages wait than `limit` allowed.
    pub more: bool,
}

/// Why a folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to the IMAP server {server}: {message}")]
    Connect { server: String, message: String },
    #[error("the IMAP server {server} refused the login of {username}: {message}")]
    Login {
        server: String,
        username: String,
        message: String,
    },
    #[error("the IMAP server {server} has no folder {folder:?}: {message}")]
    Folder {
        server: String,
        folder: String,
        message: String,
    },
    #[error("the IMAP server {server} failed: {message}")]
    Protocol { server: String, message: String },
    #[error("the IMAP server {server} did not finish within {seconds} s")]
    Timeout { server: String, seconds: u64 },
    #[error("the CA file {path}: {message}")]
    CaFile { path: String, message: String },
}

/// Reads the messages `account`'s folder received after `cursor` — or, without one (or
/// when the folder's UIDVALIDITY changed), those it received on or after `since` — at most
/// `limit` of them, oldest first.
pub async fn fetch(
    account: &Account,
    cursor: Option<Cursor>,
    since: Date,
    limit: usize,
) -> Result<Batch, ImapError> {
    let server = format!("{}:{}", account.host, account.port);
    let work = async {
        let tcp = TcpStream::connect((account.host.as_str(), account.port))
            .await
            .map_err(|e| ImapError::Connect {
                server: server.clone(),
                message: e.to_string(),
            })?;
        match account.security {
            Security::Plain => read(account, &server, tcp, cursor, since, limit).await,
            Security::Tls => {
                let tls = connector(account)?;
                let name =
                    ServerName::try_from(account.host.clone()).map_err(|e| ImapError::Connect {
                        server: server.clone(),
                        message: e.to_string(),
                    })?;
                let stream = tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| ImapError::Connect {
                        server: server.clone(),
                        message: format!("TLS: {e}"),
                    })?;
                read(account, &server, stream, cursor, since, limit).await
            }
        }
    };
    tokio::time::timeout(account.timeout, work)
        .await
        .map_err(|_| ImapError::Timeout {
            server: server.clone(),
            seconds: account.timeout.as_secs(),
        })?
}

/// A TLS connector trusting the web's roots, or the account's own CA file.
fn connector(account: &Account) -> Result<tokio_rustls::TlsConnector, ImapError> {
    let mut roots = rustls::RootCertStore::empty();
    match &account.ca_file {
        Some(path) => {
            let shown = path.display().to_string();
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| ImapError::CaFile {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(ImapError::CaFile {
                    path: shown,
                    message: "no certificate in it".to_string(),
                });
            }
            for cert in certs {
                roots.add(cert).map_err(|e| ImapError::CaFile {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Connect {
            server: account.host.clone(),
            message: format!("TLS: {e}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// The IMAP conversation over a connected stream: greeting, login, EXAMINE, UID SEARCH,
/// UID FETCH, LOGOUT.
async fn read<S>(
    account: &Account,
    server: &str,
    stream: S,
    cursor: Option<Cursor>,
    since: Date,
    limit: usize,
) -> Result<Batch, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
{
    let protocol = |e: async_imap::error::Error| ImapError::Protocol {
        server: server.to_string(),
        message: e.to_string(),
    };
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| ImapError::Connect {
            server: server.to_string(),
            message: e.to_string(),
        })?
        .ok_or_else(|| ImapError::Connect {
            server: server.to_string(),
            message: "the server closed the connection before greeting".to_string(),
        })?;
    let mut session = client
        .login(&account.username, &account.password)
        .await
        .map_err(|(e, _)| ImapError::Login {
            server: server.to_string(),
            username: account.username.clone(),
            message: e.to_string(),
        })?;
    let folder = session
        .examine(&account.folder)
        .await
        .map_err(|e| ImapError::Folder {
            server: server.to_string(),
            folder: account.folder.clone(),
            message: e.to_string(),
        })?;
    let uid_validity = folder.uid_validity.unwrap_or_default();
    let after = cursor
        .filter(|c| c.uid_validity == uid_validity)
        .map(|c| c.last_uid);
    let query = match after {
        Some(last) => format!("UID {}:*", last.saturating_add(1)),
        None => format!("SINCE {}", imap_date(since)),
    };
    let mut uids: Vec<u32> = session
        .uid_search(&query)
        .await
        .map_err(protocol)?
        .into_iter()
        // `N:*` names the newest message even when its UID is below N (RFC 3501 6.4.8).
        .filter(|uid| after.is_none_or(|last| *uid > last))
        .collect();
    uids.sort_unstable();
    let more = uids.len() > limit;
    uids.truncate(limit);
    let mut messages = Vec::with_capacity(uids.len());
    if !uids.is_empty() {
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let fetched: Vec<_> = session
            .uid_fetch(&set, "(UID BODY.PEEK[])")
            .await
            .map_err(protocol)?
            .try_collect()
            .await
            .map_err(protocol)?;
        for fetch in fetched {
            if let (Some(uid), Some(body)) = (fetch.uid, fetch.body()) {
                messages.push((uid, body.to_vec()));
            }
        }
        messages.sort_by_key(|(uid, _)| *uid);
    }
    // A server that drops the line at LOGOUT has still answered everything asked.
    let _ = session.logout().await;
    Ok(Batch {
        uid_validity,
        messages,
        more,
    })
}

/// A date as IMAP's SEARCH writes it: `6-Dec-2026`.
fn imap_date(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS[usize::try_from(date.month() - 1).unwrap_or_default() % 12];
    format!("{}-{month}-{}", date.day(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_date_is_written_as_imap_writes_it() {
        assert_eq!(imap_date(jiff::civil::date(2026, 12, 6)), "6-Dec-2026");
        assert_eq!(imap_date(jiff::civil::date(2027, 1, 31)), "31-Jan-2027");
    }
}
