//! Real parts on loopback that tests of more than one crate use: the Python tools of
//! `LEADGATE_PYTHON` (dkimpy, aiosmtpd, dnslib, installed by `.ci/run`) and an aiosmtpd
//! server that captures what is sent. Shared by `#[path]`, like `skip.rs`.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use leadgate_connectors::mail::{SmtpSettings, SmtpTls};

use super::skip;

/// The Python of `LEADGATE_PYTHON` when it has dkimpy and aiosmtpd; `None` after reporting
/// a skip.
pub fn python() -> Option<PathBuf> {
    let remedy =
        "set LEADGATE_PYTHON to a Python with dkimpy, aiosmtpd and dnslib, as .ci/run does";
    let Some(python) = std::env::var_os("LEADGATE_PYTHON").map(PathBuf::from) else {
        skip::skip("LEADGATE_PYTHON is not set", remedy);
        return None;
    };
    let imports = Command::new(&python)
        .args(["-c", "import dkim, aiosmtpd"])
        .output();
    match imports {
        Ok(out) if out.status.success() => Some(python),
        _ => {
            skip::skip(
                &format!("{} cannot import dkim and aiosmtpd", python.display()),
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
