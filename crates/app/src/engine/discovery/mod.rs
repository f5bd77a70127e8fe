//! Stage 2 in the engine, discovery: importing sources ([`import`]), resolving and filtering
//! them into a prospect list per live ICP version ([`run`]), explaining and undoing merges
//! ([`merge`]), and the sample-review gate ([`review`]).
//!
//! Triggers: an ICP going live queues a `discovery.sync` job (import the workspace's
//! configured source files, then run); an import queues a `discovery.run` job.

pub mod facts;
pub mod import;
pub mod merge;
pub mod review;
pub mod run;

use std::path::Path;

use jiff::Timestamp;
use leadgate_connectors::import::{Columns, ImportOptions, Preset};
use leadgate_core::audit::Actor;
use leadgate_core::discovery::resolve::ResolveConfig;
use leadgate_store::Store;

use crate::config::DiscoveryConfig;
use crate::engine::{Error, Result};

/// The comparison setup of the workspace: its file, or the built-in B2B contacts setup, with
/// the workspace's threshold.
pub fn resolve_config(config: &DiscoveryConfig, workspace: &Path) -> Result<ResolveConfig> {
    let mut setup = match &config.resolve_config {
        Some(file) => {
            let path = workspace.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
            ResolveConfig::parse(&text)
                .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?
        }
        None => ResolveConfig::b2b_contacts(),
    };
    if let Some(t) = config.threshold {
        setup.threshold = t;
    }
    Ok(setup)
}

/// Imports the configured source files whose bytes were not imported from that source yet.
/// Returns how many were imported.
pub async fn import_configured(
    store: &Store,
    config: &DiscoveryConfig,
    workspace: &Path,
    now: Timestamp,
) -> Result<usize> {
    let mut imported = 0;
    for source in &config.sources {
        let path = workspace.join(&source.file);
        let columns = match &source.format {
            Some(f) => Columns::Preset(f.parse::<Preset>().map_err(|e| {
                Error::Invalid(format!(
                    "[[discovery.sources]] {}: {e}",
                    source.file.display()
                ))
            })?),
            None => Columns::Auto,
        };
        let request = import::ImportRequest {
            path: path.clone(),
            source: source.source.clone(),
            options: ImportOptions {
                columns,
                ..Default::default()
            },
            format: source.format.clone().unwrap_or_else(|| "auto".into()),
            actor: Actor::System,
            reports_dir: workspace.join("imports"),
        };
        let hash = import::file_hash(&path)?;
        let mut conn = store.conn().await?;
        if leadgate_store::discovery::imported_before(&mut conn, &source.source, &hash)
            .await?
            .is_some()
        {
            continue;
        }
        drop(conn);
        import::import_file(store, &request, None, now).await?;
        imported += 1;
    }
    Ok(imported)
}
