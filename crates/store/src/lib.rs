//! leadgate-store: persistence behind one storage contract, on SQLite (the embedded default)
//! and PostgreSQL (teams and several workers).
//!
//! Both backends run the same SQL through sqlx's `Any` driver, so they behave identically by
//! construction; the few places where the dialects differ (row locks for the job queue and
//! the audit head, how a write transaction begins) ask [`Backend`]. Each backend has its own
//! migrations. Query functions are grouped by domain noun ([`people`], [`icp`], [`gates`],
//! [`events`], [`jobs`], [`audit`], [`credentials`], [`discovery`],
//! [`engagement`], [`enrichment`]) and take a `&mut AnyConnection`, so the same function runs
//! on a pooled connection or inside the caller's transaction.

pub mod audit;
pub mod credentials;
pub mod discovery;
pub mod engagement;
pub mod enrichment;
pub mod events;
pub mod gates;
pub mod handoff;
pub mod icp;
pub mod jobs;
pub mod leads;
pub mod migrate;
pub mod models;
pub mod outcomes;
pub mod outreach;
pub mod people;

use std::str::FromStr;
use std::sync::{Arc, Once};
use std::time::Duration;

use jiff::Timestamp;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use sqlx::AnyConnection as Conn;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error(
        "the database schema is at version {found}, newer than this leadgate knows ({known}); upgrade leadgate"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("migration {version} was changed after it was applied (checksum mismatch)")]
    MigrationChanged { version: i64 },
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a workspace runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The suffix that locks the selected row for the rest of the transaction. SQLite needs
    /// none: a write transaction there already holds the database's single write lock.
    pub(crate) fn lock_row(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// The suffix that lets concurrent job claimers pass over each other's rows.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }
}

/// A connected workspace database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    cards: Arc<models::CardCache>,
    /// SQLite's writers in this process take turns here before `BEGIN IMMEDIATE` (see
    /// [`Store::begin`]); none on PostgreSQL, whose writers lock rows, not the database.
    writers: Option<Arc<Semaphore>>,
}

/// How long a writer waits for its turn, as SQLite's busy_timeout waits for another
/// process's lock: then the write fails rather than hangs.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// A transaction that writes: sqlx's transaction, with the SQLite writer's turn held until
/// it commits, rolls back or is dropped. Used as the transaction's connection (it derefs to
/// it), as sqlx's transaction is.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedSemaphorePermit>,
    /// Where it began and when: how long writers hold the database is logged (at trace).
    begun: (&'static std::panic::Location<'static>, std::time::Instant),
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let (at, since) = self.begun;
        let done = self.tx.commit().await;
        tracing::trace!(target: "leadgate_store::write", %at, held_us = since.elapsed().as_micros() as u64, "Write committed.");
        done
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// A pooled connection holding the SQLite writer's turn ([`Store::writer`]); each statement
/// on it commits alone.
pub struct Writer {
    conn: PoolConnection<Any>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl std::ops::Deref for Writer {
    type Target = AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl std::ops::DerefMut for Writer {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteTx")
    }
}

static DRIVERS: Once = Once::new();

impl Store {
    /// Connects to `url` and brings the schema up to date. `now` stamps applied migrations.
    pub async fn open(url: &str, now: Timestamp) -> Result<Store> {
        let store = Store::connect(url).await?;
        migrate::run(&store, now).await?;
        Ok(store)
    }

    /// Connects without migrating (for status checks of a workspace).
    pub async fn connect(url: &str) -> Result<Store> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // page_size counts only for a new file, before its first
                            // table: 16 KiB pages hold a dozen records' facts each and
                            // take a quarter of the writes of the default 4 KiB.
                            conn.execute(
                                "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; \
                                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Store {
            pool,
            backend,
            cards: Arc::default(),
            writers: (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1))),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The live scoring version's card, once read ([`models::live_scorecard`]).
    pub fn cards(&self) -> &models::CardCache {
        &self.cards
    }

    /// A pooled connection for reads and single statements.
    pub async fn conn(&self) -> Result<PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A connection to write single statements on, each its own transaction (autocommit),
    /// with the SQLite writer's turn held as [`Store::begin`] holds it: one statement that
    /// must be atomic alone (a job's claim) costs one round trip, not three.
    pub async fn writer(&self) -> Result<Writer> {
        let turn = self.write_turn().await?;
        Ok(Writer {
            conn: self.pool.acquire().await?,
            _turn: turn,
        })
    }

    async fn write_turn(&self) -> Result<Option<OwnedSemaphorePermit>> {
        Ok(match &self.writers {
            Some(writers) => Some(
                tokio::time::timeout(WRITE_TURN_TIMEOUT, writers.clone().acquire_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?
                    .map_err(|_| sqlx::Error::PoolClosed)?,
            ),
            None => None,
        })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads first cannot fail later on a lock
    /// upgrade. SQLite has one writer at a time, and a writer that finds the lock taken
    /// sleeps in its busy handler (1, 2, 5 … 100 ms) and polls again: under load that
    /// sleeping, not the work, made the latency. So this process's writers queue for their
    /// turn first, in order, and are woken the moment the one before commits; busy_timeout
    /// is left for writers in other processes (the CLI beside a running server).
    #[track_caller]
    pub fn begin(&self) -> impl Future<Output = Result<WriteTx>> + Send + '_ {
        let at = std::panic::Location::caller();
        self.begin_at(at)
    }

    async fn begin_at(&self, at: &'static std::panic::Location<'static>) -> Result<WriteTx> {
        let turn = self.write_turn().await?;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            _turn: turn,
            begun: (at, std::time::Instant::now()),
        })
    }

    /// Brings the query planner's statistics up to date after a bulk write (a discovery
    /// run, a file of events). PostgreSQL plans by them and gathers them only when
    /// autovacuum comes round: until then, a table of 50,000 fresh rows looks empty and a
    /// lookup by address read every prospect of the list (15 ms instead of half of one).
    /// SQLite needs nothing here.
    pub async fn analyze(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            self.conn().await?.execute("ANALYZE").await?;
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        self.conn().await?.ping().await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates an empty SQLite database file at `path` (the parent directory must exist).
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The backend a connection talks to, read from the connection itself.
pub(crate) fn backend_of(conn: &AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// Times are stored as microseconds since the Unix epoch.
pub(crate) fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

pub(crate) fn timestamp(micros: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(micros)
        .map_err(|e| StoreError::Corrupt(format!("time {micros} out of range: {e}")))
}

pub(crate) fn opt_timestamp(micros: Option<i64>) -> Result<Option<Timestamp>> {
    micros.map(timestamp).transpose()
}

pub(crate) fn parse_stored<T: FromStr>(what: &str, value: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("{what} `{value}`: {e}")))
}
