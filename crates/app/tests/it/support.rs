//! Test support: a fresh workspace per test, on SQLite (a temp dir) or PostgreSQL (a schema
//! of its own in the `test` database, so tests run in parallel), and a runner for the real
//! `leadgate` binary.
//!
//! PostgreSQL is found at `LEADGATE_TEST_POSTGRES_URL`, default
//! postgres://postgres@127.0.0.1:5432/test. Where it is unreachable a PostgreSQL test skips
//! with a loud message — except under `CI=true`, where it fails: in CI nothing skips.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use leadgate::workspace::Workspace;
use sqlx::{Connection, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn postgres_url() -> String {
    std::env::var("LEADGATE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_string())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A workspace directory made for one test, removed when the test ends.
pub struct TestWorkspace {
    pub dir: tempfile::TempDir,
    /// The database URL the workspace uses (None: its own SQLite file).
    pub database_url: Option<String>,
}

static SCHEMA_SEQ: AtomicU32 = AtomicU32::new(0);

impl TestWorkspace {
    /// A directory and, on PostgreSQL, a fresh empty schema; `None` when PostgreSQL is
    /// unreachable outside CI (the test then returns early, having said so loudly).
    pub async fn new(backend: Backend) -> Option<TestWorkspace> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_schema().await?),
        };
        Some(TestWorkspace { dir, database_url })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Creates the workspace in the directory through the library.
    pub async fn init(&self, now: Timestamp) -> Workspace {
        Workspace::init(self.path(), "test", self.database_url.as_deref(), now)
            .await
            .expect("workspace init")
    }

    /// Runs the real binary in this workspace.
    pub fn leadgate(&self, args: &[&str]) -> Run {
        self.leadgate_at(args, None)
    }

    /// Runs the real binary with the clock pinned at `now`.
    pub fn leadgate_at(&self, args: &[&str], now: Option<&str>) -> Run {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"));
        command
            .args(args)
            .env("LEADGATE_WORKSPACE", self.path())
            .env_remove("LEADGATE_AS")
            .env_remove("LEADGATE_NOW");
        if let Some(now) = now {
            command.env("LEADGATE_NOW", now);
        }
        Run(command.output().expect("the leadgate binary runs"))
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }
}

impl TestWorkspace {
    /// The URL of the workspace's database, for tests that reach past leadgate (tampering).
    pub fn resolved_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => leadgate_store::sqlite_url(&self.path().join("leadgate.db")),
        }
    }
}

impl Drop for TestWorkspace {
    fn drop(&mut self) {
        let Some(url) = &self.database_url else {
            return;
        };
        let Some((_, schema)) = url.split_once("options[search_path]=") else {
            return;
        };
        let schema = schema.to_string();
        // Drop runs outside any runtime: a short-lived one of its own removes the schema.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&postgres_url()).await.ok()?;
                conn.execute(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE"
                )))
                .await
                .ok()
            })
        })
        .join();
    }
}

async fn fresh_schema() -> Option<String> {
    let base = postgres_url();
    let mut conn = match sqlx::PgConnection::connect(&base).await {
        Ok(conn) => conn,
        Err(e) if !in_ci() => {
            eprintln!(
                "\n!!! SKIPPED: PostgreSQL at {base} is unreachable ({e}); set LEADGATE_TEST_POSTGRES_URL. \
                 Under CI=true this is a failure.\n"
            );
            return None;
        }
        Err(e) => panic!("PostgreSQL at {base} is unreachable under CI: {e}"),
    };
    let schema = format!(
        "lg_test_{}_{}",
        std::process::id(),
        SCHEMA_SEQ.fetch_add(1, Ordering::Relaxed)
    );
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    )))
    .await
    .expect("create a test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options[search_path]={schema}"))
}

/// What a run of the binary printed and how it exited.
pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert!(
            self.0.status.success(),
            "expected success, got {:?}\nstdout:\n{}\nstderr:\n{}",
            self.0.status.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts a failure whose error is one line containing `needle`.
    #[track_caller]
    pub fn fails_with(self, needle: &str) -> Self {
        let stderr = self.stderr();
        assert!(
            !self.0.status.success(),
            "expected failure, got success\nstdout:\n{}",
            self.stdout()
        );
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "the error is not one line:\n{stderr}"
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout()))
    }
}

/// Runs `body` once per backend: each story below is written once and must pass on both.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::support::Backend::Postgres).await
            }
        }
    };
}
