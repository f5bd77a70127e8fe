//! A workspace: a directory with `leadgate.toml` and, by default, its SQLite database.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::Timestamp;
use leadgate_store::Store;

use crate::config::{self, Config};

pub struct Workspace {
    pub dir: PathBuf,
    pub config: Config,
    pub store: Store,
}

impl Workspace {
    /// A worker of this workspace: it can run every kind of job.
    pub fn worker(&self, id: impl Into<String>) -> crate::engine::worker::Worker {
        let mut worker = crate::engine::worker::Worker::with_discovery(
            id,
            &self.config.worker,
            self.config.discovery.clone(),
            self.dir.clone(),
        );
        worker.scoring = self.config.scoring.clone();
        worker.handoff = self.config.handoff.clone();
        worker
    }

    /// Opens the workspace in `dir`, bringing its schema up to date.
    pub async fn open(dir: &Path, now: Timestamp) -> anyhow::Result<Workspace> {
        let config = Workspace::read_config(dir)?;
        let url = config.resolved_database_url(dir);
        let store = Store::open(&url, now)
            .await
            .with_context(|| format!("cannot open the workspace database ({})", redact(&url)))?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            config,
            store,
        })
    }

    /// The configuration of the workspace in `dir`, without opening its database.
    pub fn read_config(dir: &Path) -> anyhow::Result<Config> {
        let path = dir.join(config::FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "no leadgate workspace in {} ({} not found); create one with `leadgate init {}` or pick one with --workspace DIR",
                dir.display(),
                config::FILE_NAME,
                dir.display()
            ),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Ok(Config::parse(&text, &path)?)
    }

    /// Creates a workspace in `dir` (made if missing): the configuration file and the database.
    pub async fn init(
        dir: &Path,
        name: &str,
        database_url: Option<&str>,
        now: Timestamp,
    ) -> anyhow::Result<Workspace> {
        let path = dir.join(config::FILE_NAME);
        if path.exists() {
            bail!(
                "{} already exists; this is already a workspace",
                path.display()
            );
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let text = config::template(name, database_url.unwrap_or(config::DEFAULT_DATABASE));
        Config::parse(&text, &path)?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        match Workspace::open(dir, now).await {
            Ok(workspace) => Ok(workspace),
            Err(e) => {
                // Leave nothing half-made behind: a config without a database is not a workspace.
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        }
    }
}

/// A database URL fit for messages: any password is hidden. The credentials end at the last
/// `@` of the authority (before the first `/`, `?` or `#` after the scheme), so a password
/// that holds an `@` is hidden whole.
pub fn redact(url: &str) -> String {
    let Some(scheme) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme + 3..];
    let authority = rest.find(['/', '?', '#']).map_or(rest, |end| &rest[..end]);
    match authority.rfind('@') {
        Some(at) => match authority[..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact;

    #[test]
    fn a_password_with_an_at_sign_is_hidden_whole() {
        assert_eq!(
            redact("postgres://app:p@ss@db.internal:5432/leads"),
            "postgres://app:***@db.internal:5432/leads"
        );
        assert_eq!(
            redact("postgres://app:secret@db/leads?sslmode=require&x=a@b"),
            "postgres://app:***@db/leads?sslmode=require&x=a@b"
        );
        assert_eq!(redact("postgres://app@db/leads"), "postgres://app@db/leads");
        assert_eq!(redact("sqlite:leadgate.db"), "sqlite:leadgate.db");
    }
}
