//! Stage 2 in the engine, discovery: importing sources ([`import`]), resolving and filtering
//! them into a prospect list per live ICP version ([`run`]), explaining and undoing merges
//! ([`merge`]), erasing a person at their request ([`erase`]), the suppression list
//! ([`suppress`]), the sample-review gate ([`review`]), and exporting an approved list for
//! a CRM's importer ([`export`]).
//!
//! Triggers: an ICP going live queues a `discovery.sync` job (import the workspace's
//! configured source files, then run); an import queues a `discovery.run` job.

pub mod contact;
pub mod customers;
pub mod erase;
pub mod export;
pub mod facts;
pub mod import;
pub mod merge;
pub mod review;
pub mod run;
pub mod suppress;

use std::path::Path;

use jiff::Timestamp;
use leadgate_connectors::import::{Columns, ImportOptions, Preset};
use leadgate_core::audit::Actor;
use leadgate_core::discovery::resolve::ResolveConfig;
use leadgate_store::Store;

use crate::engine::settings::DiscoveryConfig;
use crate::engine::{Error, Result};

/// The comparison setup of the workspace: its file, or the built-in B2B contacts setup, with
/// the workspace's threshold.
pub fn resolve_config(config: &DiscoveryConfig, workspace: &Path) -> Result<ResolveConfig> {
    let mut setup = match &config.resolve_config {
        Some(file) => {
            let path = workspace.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
            ResolveConfig::parse(&text).map_err(|e| Error::file(&path, e))?
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

/// What a search of a source for a live ICP did: the compiled query, the source's report,
/// and the import of what it found.
#[derive(Debug, serde::Serialize)]
pub struct Searched {
    pub query: leadgate_connectors::search::CompiledQuery,
    pub report: leadgate_connectors::search::SearchReport,
    pub import: import::ImportReport,
    /// Why the run stopped early with an error, when it did; what it had found is imported.
    pub error: Option<String>,
}

/// The live ICP document of the segment, or of the one live segment.
pub async fn live_document(
    store: &Store,
    segment: Option<&str>,
) -> Result<leadgate_core::icp::IcpDocument> {
    let mut conn = store.conn().await?;
    let live: Vec<_> = leadgate_store::icp::list(&mut conn)
        .await?
        .into_iter()
        .filter(|v| v.status == leadgate_store::icp::IcpStatus::Live)
        .filter(|v| segment.is_none_or(|s| s == v.segment))
        .collect();
    let version = match live.as_slice() {
        [one] => one,
        [] => {
            return Err(Error::NotFound(
                "no live ICP to search for (see `leadgate icp list`)".into(),
            ));
        }
        _ => {
            return Err(Error::Invalid(
                "several segments are live: name one with --segment".into(),
            ));
        }
    };
    serde_json::from_value(version.document.clone())
        .map_err(|e| Error::corrupt(format!("ICP version {}: {e}", version.id)))
}

/// Compiles a segment's live ICP into a search source's filters, runs it within `budget`,
/// and imports what it found through the same path as a file.
pub async fn search(
    store: &Store,
    source: &dyn leadgate_connectors::search::SearchSource,
    segment: Option<&str>,
    budget: &leadgate_connectors::search::Budget,
    actor: Actor,
    reports_dir: &Path,
    now: Timestamp,
) -> Result<Searched> {
    let document = live_document(store, segment).await?;
    let query = source
        .compile(&document)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let (run, error) = match source.run(&query, budget).await {
        Ok(run) => (run, None),
        Err(failure) => (failure.partial, Some(failure.error.to_string())),
    };
    let report = run.report.clone();
    let origin = format!("{} search: {}", report.source, report.segment);
    let reader = run
        .into_import()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let request = import::ImportRequest {
        path: origin.clone().into(),
        source: source.name().to_string(),
        options: ImportOptions::default(),
        format: format!("{} search", source.name()),
        actor,
        reports_dir: reports_dir.to_path_buf(),
    };
    let imported = import::import_rows(store, &request, reader, origin, None, now).await?;
    Ok(Searched {
        query,
        report,
        import: imported,
        error,
    })
}
