//! The worker: takes due jobs from the queue and runs them. [`step`] does one job and says
//! what happened, so tests drive the queue deterministically with an injected `now`;
//! [`run`] loops over it until told to stop.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use leadgate_store::jobs::{self, Job};
use leadgate_store::{Conn, Store};
use tokio::sync::watch;

use super::settings::{DiscoveryConfig, HandoffConfig, ScoringConfig, WorkerConfig};
use super::triggers::JobKind;
use super::{Error, Result, discovery, icp, model};

/// What one step of the worker did.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// No job was due.
    Idle,
    Ran {
        job: i64,
        kind: String,
    },
    Failed {
        job: i64,
        kind: String,
        error: String,
        retry_at: Option<Timestamp>,
    },
}

#[derive(Debug, Clone)]
pub struct Worker {
    pub id: String,
    pub lease: SignedDuration,
    pub max_attempts: i64,
    /// The workspace's discovery settings and directory, for the discovery jobs.
    pub discovery: Option<Arc<DiscoveryContext>>,
    /// What counts as a conversion and the threshold, for the evidence of model reviews.
    pub scoring: ScoringConfig,
    /// The reps, their calendars, the SLA policies and the routing rules, for handoffs.
    pub handoff: HandoffConfig,
    /// Where secrets named in the configuration are read (the environment).
    pub secrets: Secrets,
}

/// Reads a secret by the name of the variable holding it.
pub type SecretLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// A lookup of secrets by the name of the variable holding them.
#[derive(Clone)]
pub struct Secrets(pub Arc<SecretLookup>);

impl Default for Secrets {
    fn default() -> Self {
        Secrets(Arc::new(|name: &str| std::env::var(name).ok()))
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(<lookup>)")
    }
}

/// What discovery jobs need beyond the store.
#[derive(Debug, Clone)]
pub struct DiscoveryContext {
    pub config: DiscoveryConfig,
    pub dir: PathBuf,
}

impl Worker {
    pub fn new(id: impl Into<String>, config: &WorkerConfig) -> Worker {
        Worker {
            id: id.into(),
            lease: SignedDuration::from_secs(config.lease_secs as i64),
            max_attempts: i64::from(config.max_attempts),
            discovery: None,
            scoring: ScoringConfig::default(),
            handoff: HandoffConfig::default(),
            secrets: Secrets::default(),
        }
    }

    /// A worker that can run every kind of job, discovery's too: it reads the sources and
    /// the comparison setup relative to `dir`, the workspace's directory
    /// (`Workspace::worker` makes one for a workspace).
    pub fn with_discovery(
        id: impl Into<String>,
        config: &WorkerConfig,
        discovery: DiscoveryConfig,
        dir: PathBuf,
    ) -> Worker {
        let mut worker = Worker::new(id, config);
        worker.discovery = Some(Arc::new(DiscoveryContext {
            config: discovery,
            dir,
        }));
        worker
    }

    /// Claims the next due job and runs it; the job's effects and its completion commit
    /// together. Discovery jobs write in transactions of their own (an import streams), so
    /// they are idempotent instead: a run repeated after a crash builds the list again and
    /// supersedes the one it made before.
    pub async fn step(&self, store: &Store, now: Timestamp) -> Result<Step> {
        // The claim is one statement, atomic alone: it commits as it runs.
        let claimed = jobs::claim(&mut *store.writer().await?, &self.id, now, self.lease).await?;
        let Some(job) = claimed else {
            return Ok(Step::Idle);
        };

        // Jobs that write in transactions of their own are completed alone afterwards (no
        // transaction, `None`); the others' effects and completion commit together.
        let (tx, outcome) = match JobKind::parse(&job.kind) {
            Some(kind @ (JobKind::DiscoverySync | JobKind::DiscoveryRun)) => {
                // On SQLite a write transaction held here would lock out the job's own.
                let outcome = self.run_discovery(store, kind, &job, now).await;
                (None, outcome)
            }
            Some(JobKind::HandoffDeliver) => {
                // An HTTP call: no transaction is held while it waits.
                let outcome = match job
                    .payload
                    .get("delivery")
                    .and_then(serde_json::Value::as_i64)
                {
                    Some(id) => {
                        super::handoff::deliver::send(
                            store,
                            &self.handoff,
                            self.secrets.0.as_ref(),
                            id,
                            self.max_attempts,
                            now,
                        )
                        .await
                    }
                    None => Err(Error::corrupt(format!(
                        "job {}: payload lacks delivery",
                        job.id
                    ))),
                };
                (None, outcome)
            }
            Some(kind @ (JobKind::HandoffRemind | JobKind::HandoffBreach)) => {
                // Their own transactions: a breach routes the lead again, reading first.
                let outcome = match job.payload.get("task").and_then(serde_json::Value::as_i64) {
                    Some(task) if kind == JobKind::HandoffRemind => {
                        super::handoff::remind(store, &self.handoff, task, now).await
                    }
                    Some(task) => {
                        let dir = self
                            .discovery
                            .as_ref()
                            .map(|c| c.dir.clone())
                            .unwrap_or_default();
                        super::handoff::breach(store, &self.handoff, &dir, task, now).await
                    }
                    None => Err(Error::corrupt(format!(
                        "job {}: payload lacks task",
                        job.id
                    ))),
                };
                (None, outcome)
            }
            Some(JobKind::HandoffRoute) => {
                // Reads the lead and the tasks, then writes its own transaction; a second
                // run after a crash finds the task its trigger made and does nothing.
                let outcome = self.run_handoff(store, &job, now).await;
                (None, outcome)
            }
            _ => {
                let mut tx = store.begin().await?;
                let outcome = run_job(&mut tx, &job, &self.scoring, now).await;
                (Some(tx), outcome)
            }
        };
        match outcome {
            Ok(()) => {
                match tx {
                    Some(mut tx) => {
                        if jobs::complete(&mut tx, job.id, &self.id, now).await? {
                            tx.commit().await?;
                        } else {
                            // The lease lapsed and another worker owns the job now: undo
                            // our effects.
                            tx.rollback().await?;
                        }
                    }
                    None => {
                        jobs::complete(&mut *store.writer().await?, job.id, &self.id, now).await?;
                    }
                }
                tracing::info!(job = job.id, kind = %job.kind, "Job done.");
                Ok(Step::Ran {
                    job: job.id,
                    kind: job.kind,
                })
            }
            Err(e) => {
                if let Some(tx) = tx {
                    tx.rollback().await?;
                }
                let error = e.to_string();
                let retry_at =
                    (job.attempts < self.max_attempts).then(|| backoff(now, job.attempts));
                let mut writer = store.writer().await?;
                jobs::fail(&mut writer, job.id, &self.id, &error, retry_at, now).await?;
                tracing::warn!(job = job.id, kind = %job.kind, %error, "Job failed.");
                Ok(Step::Failed {
                    job: job.id,
                    kind: job.kind,
                    error,
                    retry_at,
                })
            }
        }
    }

    /// Steps until no job is due at `now`; returns how many jobs ran or failed.
    pub async fn drain(&self, store: &Store, now: Timestamp) -> Result<usize> {
        let mut done = 0;
        while self.step(store, now).await? != Step::Idle {
            done += 1;
        }
        Ok(done)
    }
}

impl Worker {
    async fn run_handoff(&self, store: &Store, job: &Job, now: Timestamp) -> Result<()> {
        let field = |key: &str| {
            job.payload
                .get(key)
                .ok_or_else(|| Error::corrupt(format!("job {}: payload lacks {key}", job.id)))
        };
        let number = |key: &str| {
            field(key)?
                .as_i64()
                .ok_or_else(|| Error::corrupt(format!("job {}: {key} is not a number", job.id)))
        };
        let text = |key: &str| {
            field(key)?
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| Error::corrupt(format!("job {}: {key} is not text", job.id)))
        };
        let class = text("class")?
            .parse()
            .map_err(|e: String| Error::corrupt(format!("job {}: {e}", job.id)))?;
        let dir = self
            .discovery
            .as_ref()
            .map(|c| c.dir.clone())
            .unwrap_or_default();
        super::handoff::hand_off(
            store,
            &self.handoff,
            &dir,
            number("lead")?,
            class,
            &text("signal")?,
            number("event")?,
            now,
        )
        .await?;
        Ok(())
    }

    async fn run_discovery(
        &self,
        store: &Store,
        kind: JobKind,
        job: &Job,
        now: Timestamp,
    ) -> Result<()> {
        let context = self.discovery.as_ref().ok_or_else(|| {
            Error::Invalid(format!(
                "job {}: {} needs a worker of the workspace",
                job.id, job.kind
            ))
        })?;
        if kind == JobKind::DiscoverySync {
            let imported =
                discovery::import_configured(store, &context.config, &context.dir, now).await?;
            if imported > 0 {
                // Each import queued a run; the newest does the work.
                return Ok(());
            }
        }
        // A run or sync queued after this one sees everything this one would: it does the
        // work once (imports followed by an ICP approval build one list, not two).
        let discovery_kinds = [
            JobKind::DiscoveryRun.as_str(),
            JobKind::DiscoverySync.as_str(),
        ];
        let mut conn = store.conn().await?;
        if jobs::newer_queued(&mut conn, &discovery_kinds, job.id).await? {
            return Ok(());
        }
        drop(conn);
        let setup = discovery::resolve_config(&context.config, &context.dir)?;
        discovery::run::run(store, &context.config, &setup, None, false, now).await?;
        Ok(())
    }
}

/// Exponential pause before a failed job runs again: 30 s, 1 min, 2 min, … capped at 1 hour.
fn backoff(now: Timestamp, attempts: i64) -> Timestamp {
    let secs = (30_i64 << (attempts.clamp(1, 12) - 1)).min(3600);
    now.saturating_add(SignedDuration::from_secs(secs))
        .unwrap_or(now)
}

async fn run_job(
    conn: &mut Conn,
    job: &Job,
    scoring: &ScoringConfig,
    now: Timestamp,
) -> Result<()> {
    let kind = JobKind::parse(&job.kind)
        .ok_or_else(|| Error::corrupt(format!("unknown job kind `{}`", job.kind)))?;
    match kind {
        JobKind::DiscoverySync
        | JobKind::DiscoveryRun
        | JobKind::HandoffRoute
        | JobKind::HandoffDeliver
        | JobKind::HandoffRemind
        | JobKind::HandoffBreach => Err(Error::Invalid(format!(
            "job {}: {} runs outside a transaction",
            job.id, job.kind
        ))),
        JobKind::IcpOpenReview => {
            let version = job
                .payload
                .get("icp_version")
                .and_then(serde_json::Value::as_i64)
                .ok_or_else(|| {
                    Error::corrupt(format!("job {}: payload lacks icp_version", job.id))
                })?;
            icp::open_review(conn, version, now).await?;
            Ok(())
        }
        JobKind::ModelOpenReview => {
            let number = |key: &str| {
                job.payload
                    .get(key)
                    .and_then(serde_json::Value::as_i64)
                    .ok_or_else(|| Error::corrupt(format!("job {}: payload lacks {key}", job.id)))
            };
            model::open_review(
                conn,
                number("model")?,
                number("reviews_done")?,
                scoring,
                now,
            )
            .await?;
            Ok(())
        }
    }
}

/// Runs `loops` workers side by side until `stop` turns true (see [`run`]), each with the
/// id `ID-N`: while one waits on a webhook's answer or signs an e-mail, another routes the
/// next lead. Claims never collide (a claim is one statement under SQLite's write lock;
/// `SKIP LOCKED` on PostgreSQL), and one that finds work wakes the next idle loop, so a
/// burst is spread without waiting for the poll.
pub async fn run_loops<C>(
    worker: &Worker,
    loops: usize,
    store: &Store,
    poll: Duration,
    clock: C,
    wake: Arc<tokio::sync::Notify>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()>
where
    C: Fn() -> anyhow::Result<Timestamp> + Clone + Send + Sync + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for n in 1..=loops.max(1) {
        let mut worker = worker.clone();
        worker.id = format!("{}-{n}", worker.id);
        let (store, clock, wake, stop) = (store.clone(), clock.clone(), wake.clone(), stop.clone());
        running.spawn(async move { run(&worker, &store, poll, clock, &wake, stop).await });
    }
    let mut first_error = None;
    while let Some(done) = running.join_next().await {
        let outcome = done.map_err(anyhow::Error::from).and_then(|r| r);
        if let Err(e) = outcome {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Runs the worker until `stop` turns true, reading the clock through `clock` at each step.
/// A job in flight when the stop comes finishes first; nothing is left half-done.
pub async fn run(
    worker: &Worker,
    store: &Store,
    poll: Duration,
    clock: impl Fn() -> anyhow::Result<Timestamp>,
    wake: &tokio::sync::Notify,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        match worker.step(store, clock()?).await {
            Ok(Step::Idle) => {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = wake.notified() => {}
                    _ = stop.changed() => {}
                }
            }
            Ok(_) => {
                // There may be more: a loop waiting idle looks too.
                wake.notify_one();
            }
            Err(e) => {
                tracing::error!(error = %e, "Worker step failed; retrying after a pause.");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let now = Timestamp::UNIX_EPOCH;
        let secs = |a| backoff(now, a).as_second();
        assert_eq!(secs(1), 30);
        assert_eq!(secs(2), 60);
        assert_eq!(secs(3), 120);
        assert_eq!(secs(20), 3600);
    }
}
