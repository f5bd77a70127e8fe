//! An approved list leaves leadgate: its admitted prospects written as a CSV file in one of
//! [`ExportFormat`]'s layouts (HubSpot's contact import, Salesforce's lead import, or
//! leadgate's own field names), UTF-8 without a byte-order mark, with a header. The command
//! line writes a file; the API and the list page send the same bytes as a download.
//!
//! Only an approved list is exported: the sample review is the gate between discovery and
//! the tools downstream, so a list in review, rejected or superseded is refused with its
//! status named. The person exporting must be active. Each export is audited
//! (`discovery.list_exported`: the format, the rows and the file) in the transaction that
//! read the rows, and a refusal is audited too (`discovery.list_export.refused`).

use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use leadgate_core::audit::{Action, Actor, Attempt, Subject};
use leadgate_core::discovery::export::{ExportFormat, ExportedProspect};
use leadgate_core::discovery::prospect::{ListStatus, Profile, Standing};
use leadgate_store::discovery::{self as stored, ProspectList};
use leadgate_store::{Conn, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::engine::{Attempted, Error, Result, Tx, person, record, settle};

/// Prospects read from the store at a time: a list of 100,000 is never held whole.
const PAGE: i64 = 1_000;

/// What an export asks for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub list_id: i64,
    pub format: ExportFormat,
    /// The person exporting.
    pub by: &'a str,
    /// Where the rows go, as the audit log names it: the path written, or the download's
    /// file name.
    pub file: &'a str,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exported {
    pub list_id: i64,
    pub format: ExportFormat,
    /// Rows after the header: one per admitted prospect.
    pub rows: u64,
    /// Rows missing a column the CRM's importer needs (a Salesforce lead's `LastName` or
    /// `Company`): the importer will refuse them.
    pub incomplete: u64,
    /// The columns those rows miss, each once.
    pub missing: Vec<&'static str>,
    pub file: String,
}

/// Exports the list into `out` and commits the audit entry; hands `out` back.
pub async fn export_to<W: Write>(
    store: &Store,
    request: &Request<'_>,
    out: W,
    now: Timestamp,
) -> Result<(Exported, W)> {
    let (exported, out, tx) = export(store, request, || Ok(out), now).await?;
    tx.commit().await?;
    Ok((exported, out))
}

/// Exports the list into the file at `path`, replacing it. The rows are written beside it
/// first and moved into place once complete, so a failed export leaves no half file.
pub async fn export_file(
    store: &Store,
    list_id: i64,
    format: ExportFormat,
    by: &str,
    path: &Path,
    now: Timestamp,
) -> Result<Exported> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::file(path, "names a directory, not a file"))?;
    let partial = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let file = path.display().to_string();
    let request = Request {
        list_id,
        format,
        by,
        file: &file,
    };
    let open = || {
        std::fs::File::create(&partial)
            .map(std::io::BufWriter::new)
            .map_err(|e| Error::file(path, e))
    };
    let written = export(store, &request, open, now).await;
    let (exported, out, tx) = match written {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let placed = out
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&partial, path));
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&partial);
        return Err(Error::file(path, e));
    }
    if let Err(e) = tx.commit().await {
        let _ = std::fs::remove_file(path);
        return Err(e.into());
    }
    Ok(exported)
}

/// Checks, writes the rows into the sink `open` gives, and records the export in the
/// transaction it returns uncommitted.
async fn export<W: Write>(
    store: &Store,
    request: &Request<'_>,
    open: impl FnOnce() -> Result<W>,
    now: Timestamp,
) -> Result<(Exported, W, Tx)> {
    let actor = Actor::Person(request.by.to_string());
    let subject = Subject::List(request.list_id);
    let inputs = json!({ "format": request.format, "file": request.file });
    let mut tx = store.begin().await?;
    let checked = check(&mut tx, request.list_id, request.by).await;
    let attempt = Attempted {
        actor: &actor,
        action: Attempt::ExportList,
        subject: &subject,
        inputs: &inputs,
    };
    let (_, mut tx) = settle(checked, tx, store, attempt, now).await?;
    let mut writer = csv::Writer::from_writer(open()?);
    let written = write_rows(&mut tx, request, &mut writer).await?;
    let out = writer
        .into_inner()
        .map_err(|e| written_error(request, e.into_error()))?;
    record(
        &mut tx,
        &actor,
        Action::ListExported,
        &subject,
        json!({ "format": request.format, "rows": written.rows, "file": request.file }),
        now,
    )
    .await?;
    Ok((written, out, tx))
}

/// The list, when `by` may export it: the person is active and the list approved.
async fn check(conn: &mut Conn, list_id: i64, by: &str) -> Result<ProspectList> {
    person(conn, by).await?;
    let list = stored::get_list(conn, list_id).await?.ok_or_else(|| {
        Error::NotFound(format!("no list {list_id} (see `leadgate discover lists`)"))
    })?;
    if list.status != ListStatus::Approved {
        return Err(Error::Conflict(format!(
            "list {list_id} is {}, not approved: a list is exported only once its sample review has approved it",
            list.status.label()
        )));
    }
    Ok(list)
}

/// A prospect's stored profile (`{"person": …, "company": …}`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredProfile {
    person: Profile,
    company: Profile,
}

/// Writes the header and a row per admitted prospect, a page at a time.
async fn write_rows<W: Write>(
    conn: &mut Conn,
    request: &Request<'_>,
    writer: &mut csv::Writer<W>,
) -> Result<Exported> {
    let format = request.format;
    let fail = |e: csv::Error| written_error(request, e.into());
    writer.write_record(format.header()).map_err(fail)?;
    let mut exported = Exported {
        list_id: request.list_id,
        format,
        rows: 0,
        incomplete: 0,
        missing: Vec::new(),
        file: request.file.to_string(),
    };
    let mut after = 0;
    loop {
        let page =
            stored::prospects_page(conn, request.list_id, Some(Standing::Admitted), after, PAGE)
                .await?;
        for p in &page {
            let profile = StoredProfile::deserialize(&p.profile).map_err(|e| {
                Error::corrupt(format!(
                    "list {} prospect {}: profile: {e}",
                    request.list_id, p.contact_id
                ))
            })?;
            let row = format.row(&ExportedProspect {
                contact_id: p.contact_id,
                standing: p.status,
                primary_source: &p.primary_source,
                person: &profile.person,
                company: &profile.company,
            });
            let missing = format.missing_required(&row);
            if !missing.is_empty() {
                exported.incomplete += 1;
                for column in missing {
                    if !exported.missing.contains(&column) {
                        exported.missing.push(column);
                    }
                }
            }
            writer.write_record(&row).map_err(fail)?;
            exported.rows += 1;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.contact_id,
            _ => break,
        }
    }
    Ok(exported)
}

/// A write that failed, naming where the rows were going.
fn written_error(request: &Request<'_>, e: std::io::Error) -> Error {
    Error::file(Path::new(request.file), e)
}
