//! Schema migrations: an ordered list of SQL files per backend, embedded in the binary, each
//! applied once in its own transaction and recorded with a checksum so that an edited,
//! already-applied migration is caught rather than silently ignored.
//!
//! (sqlx's `migrate!` would do the same but compiles both database drivers a second time for
//! the build host; this is the whole of what leadgate needs from it.)

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, micros};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "auth",
        sql: include_str!("../migrations/sqlite/0002_auth.sql"),
    },
    Migration {
        version: 3,
        name: "discovery",
        sql: include_str!("../migrations/sqlite/0003_discovery.sql"),
    },
    Migration {
        version: 4,
        name: "records_email_unindexed",
        sql: include_str!("../migrations/sqlite/0004_records_email_unindexed.sql"),
    },
    Migration {
        version: 5,
        name: "merges_questioned",
        sql: include_str!("../migrations/sqlite/0005_merges_questioned.sql"),
    },
    Migration {
        version: 6,
        name: "gate_maker",
        sql: include_str!("../migrations/sqlite/0006_gate_maker.sql"),
    },
    Migration {
        version: 7,
        name: "people_deactivated",
        sql: include_str!("../migrations/sqlite/0007_people_deactivated.sql"),
    },
    Migration {
        version: 8,
        name: "refresh_queue",
        sql: include_str!("../migrations/sqlite/0008_refresh_queue.sql"),
    },
    Migration {
        version: 9,
        name: "customer_accounts",
        sql: include_str!("../migrations/sqlite/0009_customer_accounts.sql"),
    },
    Migration {
        version: 10,
        name: "jobs_subject",
        sql: include_str!("../migrations/sqlite/0010_jobs_subject.sql"),
    },
    Migration {
        version: 11,
        name: "prospect_columns",
        sql: include_str!("../migrations/sqlite/0011_prospect_columns.sql"),
    },
    Migration {
        version: 12,
        name: "engagement_intent",
        sql: include_str!("../migrations/sqlite/0012_engagement_intent.sql"),
    },
    Migration {
        version: 13,
        name: "enrichment",
        sql: include_str!("../migrations/sqlite/0013_enrichment.sql"),
    },
    Migration {
        version: 14,
        name: "model_versions",
        sql: include_str!("../migrations/sqlite/0014_model_versions.sql"),
    },
    Migration {
        version: 15,
        name: "lead_scores",
        sql: include_str!("../migrations/sqlite/0015_lead_scores.sql"),
    },
    Migration {
        version: 16,
        name: "lead_outcomes",
        sql: include_str!("../migrations/sqlite/0016_lead_outcomes.sql"),
    },
    Migration {
        version: 17,
        name: "import_lookups",
        sql: include_str!("../migrations/sqlite/0017_import_lookups.sql"),
    },
    Migration {
        version: 18,
        name: "lead_lookups",
        sql: include_str!("../migrations/sqlite/0018_lead_lookups.sql"),
    },
    Migration {
        version: 19,
        name: "unsubscribe_tokens",
        sql: include_str!("../migrations/sqlite/0019_unsubscribe_tokens.sql"),
    },
    Migration {
        version: 20,
        name: "sequences",
        sql: include_str!("../migrations/sqlite/0020_sequences.sql"),
    },
    Migration {
        version: 21,
        name: "outbox",
        sql: include_str!("../migrations/sqlite/0021_outbox.sql"),
    },
    Migration {
        version: 22,
        name: "replies",
        sql: include_str!("../migrations/sqlite/0022_replies.sql"),
    },
    Migration {
        version: 23,
        name: "tracked_links",
        sql: include_str!("../migrations/sqlite/0023_tracked_links.sql"),
    },
    Migration {
        version: 24,
        name: "mailbox_cursors",
        sql: include_str!("../migrations/sqlite/0024_mailbox_cursors.sql"),
    },
    Migration {
        version: 25,
        name: "handoff_tasks",
        sql: include_str!("../migrations/sqlite/0025_handoff_tasks.sql"),
    },
    Migration {
        version: 26,
        name: "webhook_deliveries",
        sql: include_str!("../migrations/sqlite/0026_webhook_deliveries.sql"),
    },
    Migration {
        version: 27,
        name: "task_timers",
        sql: include_str!("../migrations/sqlite/0027_task_timers.sql"),
    },
    Migration {
        version: 28,
        name: "ack_links",
        sql: include_str!("../migrations/sqlite/0028_ack_links.sql"),
    },
    Migration {
        version: 29,
        name: "handoff_lookups",
        sql: include_str!("../migrations/sqlite/0029_handoff_lookups.sql"),
    },
];

const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "auth",
        sql: include_str!("../migrations/postgres/0002_auth.sql"),
    },
    Migration {
        version: 3,
        name: "discovery",
        sql: include_str!("../migrations/postgres/0003_discovery.sql"),
    },
    Migration {
        version: 4,
        name: "records_email_unindexed",
        sql: include_str!("../migrations/postgres/0004_records_email_unindexed.sql"),
    },
    Migration {
        version: 5,
        name: "merges_questioned",
        sql: include_str!("../migrations/postgres/0005_merges_questioned.sql"),
    },
    Migration {
        version: 6,
        name: "gate_maker",
        sql: include_str!("../migrations/postgres/0006_gate_maker.sql"),
    },
    Migration {
        version: 7,
        name: "people_deactivated",
        sql: include_str!("../migrations/postgres/0007_people_deactivated.sql"),
    },
    Migration {
        version: 8,
        name: "refresh_queue",
        sql: include_str!("../migrations/postgres/0008_refresh_queue.sql"),
    },
    Migration {
        version: 9,
        name: "customer_accounts",
        sql: include_str!("../migrations/postgres/0009_customer_accounts.sql"),
    },
    Migration {
        version: 10,
        name: "jobs_subject",
        sql: include_str!("../migrations/postgres/0010_jobs_subject.sql"),
    },
    Migration {
        version: 11,
        name: "prospect_columns",
        sql: include_str!("../migrations/postgres/0011_prospect_columns.sql"),
    },
    Migration {
        version: 12,
        name: "engagement_intent",
        sql: include_str!("../migrations/postgres/0012_engagement_intent.sql"),
    },
    Migration {
        version: 13,
        name: "enrichment",
        sql: include_str!("../migrations/postgres/0013_enrichment.sql"),
    },
    Migration {
        version: 14,
        name: "model_versions",
        sql: include_str!("../migrations/postgres/0014_model_versions.sql"),
    },
    Migration {
        version: 15,
        name: "lead_scores",
        sql: include_str!("../migrations/postgres/0015_lead_scores.sql"),
    },
    Migration {
        version: 16,
        name: "lead_outcomes",
        sql: include_str!("../migrations/postgres/0016_lead_outcomes.sql"),
    },
    Migration {
        version: 17,
        name: "import_lookups",
        sql: include_str!("../migrations/postgres/0017_import_lookups.sql"),
    },
    Migration {
        version: 18,
        name: "lead_lookups",
        sql: include_str!("../migrations/postgres/0018_lead_lookups.sql"),
    },
    Migration {
        version: 19,
        name: "unsubscribe_tokens",
        sql: include_str!("../migrations/postgres/0019_unsubscribe_tokens.sql"),
    },
    Migration {
        version: 20,
        name: "sequences",
        sql: include_str!("../migrations/postgres/0020_sequences.sql"),
    },
    Migration {
        version: 21,
        name: "outbox",
        sql: include_str!("../migrations/postgres/0021_outbox.sql"),
    },
    Migration {
        version: 22,
        name: "replies",
        sql: include_str!("../migrations/postgres/0022_replies.sql"),
    },
    Migration {
        version: 23,
        name: "tracked_links",
        sql: include_str!("../migrations/postgres/0023_tracked_links.sql"),
    },
    Migration {
        version: 24,
        name: "mailbox_cursors",
        sql: include_str!("../migrations/postgres/0024_mailbox_cursors.sql"),
    },
    Migration {
        version: 25,
        name: "handoff_tasks",
        sql: include_str!("../migrations/postgres/0025_handoff_tasks.sql"),
    },
    Migration {
        version: 26,
        name: "webhook_deliveries",
        sql: include_str!("../migrations/postgres/0026_webhook_deliveries.sql"),
    },
    Migration {
        version: 27,
        name: "task_timers",
        sql: include_str!("../migrations/postgres/0027_task_timers.sql"),
    },
    Migration {
        version: 28,
        name: "ack_links",
        sql: include_str!("../migrations/postgres/0028_ack_links.sql"),
    },
    Migration {
        version: 29,
        name: "handoff_lookups",
        sql: include_str!("../migrations/postgres/0029_handoff_lookups.sql"),
    },
];

pub fn migrations(backend: Backend) -> &'static [Migration] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// Applies every migration the database lacks.
pub async fn run(store: &Store, now: Timestamp) -> Result<()> {
    let mut tx = store.begin().await?;
    if store.backend() == Backend::Postgres {
        // Several workers may start at once against one database: one migrates, the rest wait.
        sqlx::query("SELECT pg_advisory_xact_lock(7243551)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(CREATE_LEDGER).execute(&mut *tx).await?;
    let applied: Vec<(i64, String)> =
        sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let known = migrations(store.backend());
    let latest_known = known.last().map_or(0, |m| m.version);
    if let Some((found, _)) = applied.iter().find(|(v, _)| *v > latest_known) {
        return Err(StoreError::SchemaTooNew {
            found: *found,
            known: latest_known,
        });
    }
    for migration in known {
        match applied.iter().find(|(v, _)| *v == migration.version) {
            Some((_, sum)) if *sum == checksum(migration.sql) => continue,
            Some(_) => {
                return Err(StoreError::MigrationChanged {
                    version: migration.version,
                });
            }
            None => {}
        }
        sqlx::raw_sql(AssertSqlSafe(migration.sql))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(checksum(migration.sql))
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "Migration applied."
        );
    }
    tx.commit().await?;
    Ok(())
}

/// Whether every known migration is applied (for readiness checks).
pub async fn is_current(store: &Store) -> Result<bool> {
    let mut conn = store.conn().await?;
    let latest: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get(0))
        .unwrap_or(None);
    let known = migrations(store.backend()).last().map(|m| m.version);
    Ok(latest == known)
}
