//! Real parts on loopback that tests of more than one crate use: the Python tools of
//! `LEADGATE_PYTHON` (dkimpy, aiosmtpd, dnslib, installed by `.ci/run`) and an aiosmtpd
//! server that captures what is sent. Shared by `#[path]`, like `skip.rs`.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use leadgate_connectors::dns::Resolver;
use leadgate_connectors::mail::{SmtpSettings, SmtpTls};

use super::skip;

/// The Python of `LEADGATE_PYTHON` when it has dkimpy, aiosmtpd and dnslib; `None` after reporting
/// a skip.
pub fn python() -> Option<PathBuf> {
    let remedy =
        "set LEADGATE_PYTHON to a Python with dkimpy, aiosmtpd and dnslib, as .ci/run does";
    let Some(python) = std::env::var_os("LEADGATE_PYTHON").map(PathBuf::from) else {
        skip::skip("LEADGATE_PYTHON is not set", remedy);
        return None;
    };
    let imports = Command::new(&python)
        .args(["-c", "import dkim, aiosmtpd, dnslib"])
        .output();
    match imports {
        Ok(out) if out.status.success() => Some(python),
        _ => {
            skip::skip(
                &format!(
                    "{} cannot import dkim, aiosmtpd and dnslib",
                    python.display()
                ),
                remedy,
            );
            None
        }
    }
}

/// aiosmtpd on a free loopback port, storing what it receives in a maildir; killed on drop.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start(python: &Path) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("maildir"); // aiosmtpd makes it; it must not exist
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.path().join("aiosmtpd.log")).unwrap();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut sink = SmtpSink {
            child,
            port,
            maildir,
            _dir: dir,
        };
        sink.wait_until_listening();
        sink
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let log = self._dir.path().join("aiosmtpd.log");
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "aiosmtpd exited ({status}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not listen in 20 s");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".to_string(),
            port: self.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
        }
    }

    /// The messages in the maildir's `new/`.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- dnslib, a name server on loopback ----

/// Answers TXT questions from a JSON zone (`{"name": ["record", ...]}`): a record longer than
/// 255 bytes is split into character-strings, a name not in the zone is NXDOMAIN, and a name
/// whose records are `["SERVFAIL"]` answers SERVFAIL.
const SERVE_ZONE: &str = r#"
import json, sys
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer

zone = {name.lower().rstrip("."): records for name, records in json.load(open(sys.argv[1])).items()}

class Zone(BaseResolver):
    def resolve(self, request, handler):
        reply = request.reply()
        records = zone.get(str(request.q.qname).lower().rstrip("."))
        if records is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif records == ["SERVFAIL"]:
            reply.header.rcode = RCODE.SERVFAIL
        elif request.q.qtype in (QTYPE.TXT, QTYPE.ANY):
            for record in records:
                data = record.encode()
                strings = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(strings), ttl=60))
        return reply

quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
DNSServer(Zone(), address="127.0.0.1", port=int(sys.argv[2]), logger=quiet).start()
"#;

/// dnslib serving a zone on a free loopback UDP port; killed on drop.
pub struct ZoneServer {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl ZoneServer {
    pub fn start(python: &Path, zone: &[(String, Vec<String>)]) -> ZoneServer {
        let dir = tempfile::tempdir().unwrap();
        let zone_file = dir.path().join("zone.json");
        let zone: serde_json::Map<String, serde_json::Value> = zone
            .iter()
            .map(|(name, records)| (name.clone(), serde_json::json!(records)))
            .collect();
        std::fs::write(&zone_file, serde_json::to_vec(&zone).unwrap()).unwrap();
        let log = dir.path().join("dnslib.log");
        let port = free_udp_port();
        let child = Command::new(python)
            .arg("-c")
            .arg(SERVE_ZONE)
            .arg(&zone_file)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = ZoneServer {
            child,
            port,
            _dir: dir,
        };
        server.wait_until_answering(&log);
        server
    }

    /// Asks a TXT question until an answer comes back.
    fn wait_until_answering(&mut self, log: &Path) {
        let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
        probe
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut answer = [0u8; 512];
        loop {
            probe
                .send_to(&txt_question("ready.probe"), ("127.0.0.1", self.port))
                .unwrap();
            if probe.recv(&mut answer).is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "dnslib exited ({status}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "dnslib did not answer in 20 s");
        }
    }

    pub fn resolver(&self) -> Resolver {
        Resolver::At(SocketAddr::from(([127, 0, 0, 1], self.port)))
    }
}

impl Drop for ZoneServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A UDP port nothing listens on once this returns.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A DNS query (RFC 1035 §4.1) for the TXT records of `name`.
pub fn txt_question(name: &str) -> Vec<u8> {
    let mut query = vec![0x4c, 0x47, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        query.push(label.len() as u8);
        query.extend_from_slice(label.as_bytes());
    }
    query.extend_from_slice(&[0, 0, 16, 0, 1]);
    query
}

// ---- dkimpy, an independent DKIM verifier ----

const VERIFY: &str = r#"
import sys, dkim
message = open(sys.argv[1], "rb").read()
name, record = sys.argv[2].encode(), sys.argv[3].encode()
def dns(query, timeout=5):
    return record if not name or query.rstrip(b".") == name else None
print(dkim.verify(message, dnsfunc=dns))
"#;

/// Whether dkimpy verifies `message` when DNS answers `record` for `name`.
pub fn dkim_verifies_at(python: &Path, message: &[u8], name: &str, record: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("message.eml");
    std::fs::write(&file, message).unwrap();
    let out = Command::new(python)
        .arg("-c")
        .arg(VERIFY)
        .arg(&file)
        .arg(name)
        .arg(record)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "dkimpy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match stdout.trim() {
        "True" => true,
        "False" => false,
        other => panic!("dkimpy printed {other:?}"),
    }
}

/// Whether dkimpy verifies `message` when DNS answers `record` for any name.
pub fn dkim_verifies(python: &Path, message: &[u8], record: &str) -> bool {
    dkim_verifies_at(python, message, "", record)
}

// ---- dovecot, an IMAP server on loopback ----

/// Debian's dovecot (package dovecot-imapd, installed by `.ci/run`) on a free loopback port,
/// plain IMAP, serving one user's maildir; killed on drop. `None` after reporting a skip
/// when dovecot is not installed.
pub struct ImapServer {
    child: Child,
    pub port: u16,
    pub username: String,
    pub password: String,
    maildir: PathBuf,
    dir: tempfile::TempDir,
}

impl ImapServer {
    pub fn start(username: &str) -> Option<ImapServer> {
        let binary = ["/usr/sbin/dovecot", "/usr/bin/dovecot"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists());
        let Some(binary) = binary else {
            skip::skip(
                "dovecot is not installed",
                "install Debian's dovecot-imapd, as .ci/run does",
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let password = "imap-test-password".to_string();
        let maildir = root.join("mail").join(username);
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        std::fs::write(
            root.join("users"),
            format!("{username}:{{PLAIN}}{password}::::::\n"),
        )
        .unwrap();
        // Mail is read as the unprivileged `nobody` (dovecot refuses root): the mail tree is
        // opened to it.
        let mail_user = "uid=65534 gid=65534";
        for path in [root.to_path_buf(), root.join("mail"), maildir.clone()]
            .into_iter()
            .chain(["new", "cur", "tmp"].map(|s| maildir.join(s)))
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let r = root.display();
        let config = format!(
            "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nmail_location = maildir:{r}/mail/%u\n\
             default_internal_user = dovecot\ndefault_login_user = dovenull\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/users\n}}\n\
             userdb {{\n  driver = static\n  args = {mail_user} home={r}/mail/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
        );
        let conf = root.join("dovecot.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(binary)
            .arg("-c")
            .arg(&conf)
            .arg("-F")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(root.join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let mut server = ImapServer {
            child,
            port,
            username: username.to_string(),
            password,
            maildir,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("dovecot exited ({status}): {}", server.log());
            }
            assert!(Instant::now() < deadline, "dovecot did not listen in 20 s");
            std::thread::sleep(Duration::from_millis(25));
        }
        Some(server)
    }

    /// Puts a message in the user's inbox, received at `at` (its internal date, which IMAP's
    /// SEARCH SINCE reads), as a delivery agent would.
    pub fn deliver(&self, name: &str, raw: &[u8], at: jiff::Timestamp) {
        let tmp = self.maildir.join("tmp").join(name);
        std::fs::write(&tmp, raw).unwrap();
        let file = std::fs::File::options().write(true).open(&tmp).unwrap();
        let when = std::time::UNIX_EPOCH
            + Duration::from_secs(u64::try_from(at.as_second()).unwrap_or_default());
        file.set_modified(when).unwrap();
        std::fs::rename(&tmp, self.maildir.join("new").join(name)).unwrap();
    }

    /// How many messages of the inbox carry the \\Seen flag (maildir's `S` in the name).
    pub fn seen(&self) -> usize {
        ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir.join(sub)).ok())
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                name.split_once(":2,")
                    .is_some_and(|(_, flags)| flags.contains('S'))
            })
            .count()
    }

    /// What dovecot logged, for a failure's message.
    pub fn log(&self) -> String {
        let root = self.dir.path();
        ["dovecot.log", "stderr.log"]
            .map(|f| std::fs::read_to_string(root.join(f)).unwrap_or_default())
            .join("\n")
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        // TERM, so that the master stops the processes it started; KILL if it does not.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
