//! Anchoring the audit chain outside the database. The chain's head lives in the same
//! database as the entries, so whoever can write the database can rewrite history and the
//! head together; an anchor — the head's seq and hash at a time — handed to a file elsewhere
//! or to a webhook cannot be rewritten with them. `verify --anchors` then fails, naming the
//! first anchored entry that no longer matches, when the stored chain no longer reaches a
//! recorded anchor (`leadgate_core::audit::check_anchors`).

use std::io::Write;
use std::path::PathBuf;

use jiff::Timestamp;
use leadgate_core::audit::{Anchor, AnchorBreak, check_anchors};
use leadgate_store::Store;
use serde_json::json;

use super::{Error, Result};

/// Where anchors go besides the command's output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnchorTargets {
    /// A file, best on another machine or volume, that each anchor is appended to.
    pub file: Option<PathBuf>,
    /// A URL each anchor is POSTed to as JSON (Slack-compatible: it has a `text`).
    pub webhook: Option<String>,
    /// The workspace's name, for the webhook's text.
    pub workspace: String,
}

impl AnchorTargets {
    pub fn is_empty(&self) -> bool {
        self.file.is_none() && self.webhook.is_none()
    }
}

/// Takes the chain's head as an anchor at `now` and hands it to every target. An anchor
/// is only useful if it left: a target that fails is an error naming it.
pub async fn anchor(store: &Store, targets: &AnchorTargets, now: Timestamp) -> Result<Anchor> {
    let mut conn = store.conn().await?;
    let (seq, hash) = leadgate_store::audit::head(&mut conn).await?;
    drop(conn);
    let anchor = Anchor { seq, hash, at: now };
    if let Some(path) = &targets.file {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(anchor.to_line().as_bytes()).map(|()| f))
            .map_err(|e| Error::file(path, format!("audit anchor file: {e}")))?;
        file.flush()
            .map_err(|e| Error::file(path, format!("audit anchor file: {e}")))?;
    }
    if let Some(url) = &targets.webhook {
        let body = json!({
            "text": format!(
                "leadgate {}: audit anchor — entry {}, hash {}",
                targets.workspace, anchor.seq, anchor.hash
            ),
            "workspace": targets.workspace,
            "seq": anchor.seq,
            "hash": anchor.hash,
            "at": anchor.at,
        });
        let response = reqwest::Client::new()
            .post(url)
            .json(&body)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| Error::Invalid(format!("audit anchor webhook {url}: {e}")))?;
        if !response.status().is_success() {
            return Err(Error::Invalid(format!(
                "audit anchor webhook {url} answered {}",
                response.status()
            )));
        }
    }
    Ok(anchor)
}

/// Checks recorded anchors against the stored chain: how many were checked, or where the
/// chain and the anchors part.
pub async fn check(
    store: &Store,
    anchors: &[Anchor],
) -> Result<std::result::Result<usize, AnchorBreak>> {
    let seqs: Vec<i64> = anchors.iter().map(|a| a.seq).collect();
    let mut conn = store.conn().await?;
    let (hashes, last) = leadgate_store::audit::hashes_at(&mut conn, &seqs).await?;
    Ok(check_anchors(anchors, last, |seq| {
        hashes.get(&seq).cloned()
    }))
}
