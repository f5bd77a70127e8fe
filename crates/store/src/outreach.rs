//! Stage 4's tables: sequence versions as written, their variants and where each stands at
//! the first-variant gate, leads' enrollments in them, and the one-click unsubscribe tokens,
//! kept as digests (the token itself is only in the message's link) with the address, when
//! they were issued, until when they work, and when one was first used.

use jiff::Timestamp;
use leadgate_core::outreach::enrollment::{EnrollmentStatus, OutboxStatus, VariantStatus};
use leadgate_core::outreach::reply::ReplyKind;
use leadgate_core::outreach::sequence::Channel;
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Result, StoreError, micros, opt_timestamp, parse_stored, timestamp};

/// A stored unsubscribe token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeToken {
    pub email: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// Keeps the digest of a new token for `email`.
pub async fn issue_unsubscribe(
    conn: &mut AnyConnection,
    digest: &str,
    email: &str,
    issued_at: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO unsubscribe_tokens (digest, email, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(digest)
    .bind(email)
    .bind(micros(issued_at))
    .bind(micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The token with this digest, if one was issued.
pub async fn unsubscribe_token(
    conn: &mut AnyConnection,
    digest: &str,
) -> Result<Option<UnsubscribeToken>> {
    let Some(row) = sqlx::query(
        "SELECT email, issued_at, expires_at, used_at FROM unsubscribe_tokens WHERE digest = $1",
    )
    .bind(digest)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(UnsubscribeToken {
        email: row.try_get("email")?,
        issued_at: timestamp(row.try_get("issued_at")?)?,
        expires_at: timestamp(row.try_get("expires_at")?)?,
        used_at: opt_timestamp(row.try_get("used_at")?)?,
    }))
}

/// Records the first use of a token (later uses keep the first time).
pub async fn use_unsubscribe(conn: &mut AnyConnection, digest: &str, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE unsubscribe_tokens SET used_at = $1 WHERE digest = $2 AND used_at IS NULL")
        .bind(micros(at))
        .bind(digest)
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored sequence version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSequence {
    pub id: i64,
    pub name: String,
    pub version: i64,
    /// The TOML as written.
    pub source: String,
    pub origin: String,
    pub digest: String,
    pub author: String,
    pub added_at: Timestamp,
}

const SEQUENCE_COLUMNS: &str =
    "id, name, version, source, origin, digest, author, added_at FROM sequences";

fn stored_sequence(row: &AnyRow) -> Result<StoredSequence> {
    Ok(StoredSequence {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
        source: row.try_get("source")?,
        origin: row.try_get("origin")?,
        digest: row.try_get("digest")?,
        author: row.try_get("author")?,
        added_at: timestamp(row.try_get("added_at")?)?,
    })
}

/// A sequence version to store.
pub struct NewSequence<'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub origin: &'a str,
    pub digest: &'a str,
    pub author: &'a str,
    pub added_at: Timestamp,
}

/// Stores a new version of a sequence, numbered one past the newest of its name.
pub async fn insert_sequence(
    conn: &mut AnyConnection,
    new: &NewSequence<'_>,
) -> Result<StoredSequence> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO sequences (name, version, source, origin, digest, author, added_at)
         VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM sequences WHERE name = $1),
                 $2, $3, $4, $5, $6)
         RETURNING {}",
        SEQUENCE_COLUMNS.trim_end_matches(" FROM sequences")
    )))
    .bind(new.name)
    .bind(new.source)
    .bind(new.origin)
    .bind(new.digest)
    .bind(new.author)
    .bind(micros(new.added_at))
    .fetch_one(conn)
    .await?;
    stored_sequence(&row)
}

/// The newest version of the sequence named `name`.
pub async fn newest_sequence(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<StoredSequence>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {SEQUENCE_COLUMNS} WHERE name = $1 ORDER BY version DESC LIMIT 1"
    )))
    .bind(name)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(stored_sequence)
    .transpose()
}

/// A sequence version by id.
pub async fn sequence(conn: &mut AnyConnection, id: i64) -> Result<Option<StoredSequence>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {SEQUENCE_COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(stored_sequence)
    .transpose()
}

/// Every stored sequence version, by name, newest version first.
pub async fn sequences(conn: &mut AnyConnection) -> Result<Vec<StoredSequence>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {SEQUENCE_COLUMNS} ORDER BY name, version DESC"
    )))
    .fetch_all(conn)
    .await?
    .iter()
    .map(stored_sequence)
    .collect()
}

/// One variant of a stored sequence version, where it stands at its gate, and how many
/// leads are in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredVariant {
    pub id: i64,
    pub sequence_id: i64,
    pub name: String,
    pub digest: String,
    pub status: VariantStatus,
    pub gate_id: Option<i64>,
    pub sample_contact: Option<i64>,
    /// The sample lead's messages as the reviewer saw them (JSON), once written.
    #[serde(skip)]
    pub sample: Option<Value>,
    pub approved_digest: Option<String>,
    pub decided_at: Option<Timestamp>,
    /// Leads enrolled in it, in any standing.
    pub enrolled: i64,
}

const VARIANT_SELECT: &str = "SELECT v.id, v.sequence_id, v.name, v.digest, v.status, v.gate_id,
        v.sample_contact, v.sample, v.approved_digest, v.decided_at,
        (SELECT COUNT(*) FROM enrollments e WHERE e.variant_id = v.id) AS enrolled
     FROM sequence_variants v";

fn stored_variant(row: &AnyRow) -> Result<StoredVariant> {
    let id: i64 = row.try_get("id")?;
    let sample = row
        .try_get::<Option<String>, _>("sample")?
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("sequence_variants row {id}: sample: {e}")))?;
    Ok(StoredVariant {
        id,
        sequence_id: row.try_get("sequence_id")?,
        name: row.try_get("name")?,
        digest: row.try_get("digest")?,
        status: parse_stored(
            &format!("sequence_variants row {id}: status"),
            &row.try_get::<String, _>("status")?,
        )?,
        gate_id: row.try_get("gate_id")?,
        sample_contact: row.try_get("sample_contact")?,
        sample,
        approved_digest: row.try_get("approved_digest")?,
        decided_at: opt_timestamp(row.try_get("decided_at")?)?,
        enrolled: row.try_get("enrolled")?,
    })
}

/// Stores a variant of a new sequence version, waiting for its first lead.
pub async fn insert_variant(
    conn: &mut AnyConnection,
    sequence_id: i64,
    name: &str,
    digest: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sequence_variants (sequence_id, name, digest, status) VALUES ($1, $2, $3, $4)",
    )
    .bind(sequence_id)
    .bind(name)
    .bind(digest)
    .bind(VariantStatus::Waiting.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// The variants of a sequence version, in the order they were stored (`A` first).
pub async fn variants_of(conn: &mut AnyConnection, sequence_id: i64) -> Result<Vec<StoredVariant>> {
    sqlx::query(AssertSqlSafe(format!(
        "{VARIANT_SELECT} WHERE v.sequence_id = $1 ORDER BY v.id"
    )))
    .bind(sequence_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(stored_variant)
    .collect()
}

/// A variant by id.
pub async fn variant(conn: &mut AnyConnection, id: i64) -> Result<Option<StoredVariant>> {
    sqlx::query(AssertSqlSafe(format!("{VARIANT_SELECT} WHERE v.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(stored_variant)
        .transpose()
}

/// Puts a waiting variant in review: its gate, the lead its first message was written for,
/// and those messages as the reviewer sees them.
pub async fn put_in_review(
    conn: &mut AnyConnection,
    variant_id: i64,
    gate_id: i64,
    contact: i64,
    sample: &Value,
) -> Result<()> {
    sqlx::query(
        "UPDATE sequence_variants SET status = $1, gate_id = $2, sample_contact = $3, sample = $4
         WHERE id = $5",
    )
    .bind(VariantStatus::InReview.as_str())
    .bind(gate_id)
    .bind(contact)
    .bind(sample.to_string())
    .bind(variant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the gate's decision on a variant; an approval keeps the digest it approved.
pub async fn decide_variant(
    conn: &mut AnyConnection,
    variant_id: i64,
    status: VariantStatus,
    approved_digest: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE sequence_variants SET status = $1, approved_digest = $2, decided_at = $3 WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(approved_digest)
    .bind(micros(at))
    .bind(variant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A lead's run through a sequence variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrollment {
    pub id: i64,
    pub contact_id: i64,
    pub sequence_id: i64,
    pub variant_id: i64,
    /// The steps its channel plan gives it, numbered from 1.
    pub steps: Vec<usize>,
    pub status: EnrollmentStatus,
    pub enrolled_by: String,
    pub enrolled_at: Timestamp,
    pub stop_reason: Option<String>,
    pub stopped_at: Option<Timestamp>,
}

const ENROLLMENT_COLUMNS: &str = "id, contact_id, sequence_id, variant_id, steps, status, enrolled_by, enrolled_at, stop_reason, stopped_at FROM enrollments";

fn enrollment(row: &AnyRow) -> Result<Enrollment> {
    let id: i64 = row.try_get("id")?;
    Ok(Enrollment {
        id,
        contact_id: row.try_get("contact_id")?,
        sequence_id: row.try_get("sequence_id")?,
        variant_id: row.try_get("variant_id")?,
        steps: serde_json::from_str(&row.try_get::<String, _>("steps")?)
            .map_err(|e| StoreError::Corrupt(format!("enrollments row {id}: steps: {e}")))?,
        status: parse_stored(
            &format!("enrollments row {id}: status"),
            &row.try_get::<String, _>("status")?,
        )?,
        enrolled_by: row.try_get("enrolled_by")?,
        enrolled_at: timestamp(row.try_get("enrolled_at")?)?,
        stop_reason: row.try_get("stop_reason")?,
        stopped_at: opt_timestamp(row.try_get("stopped_at")?)?,
    })
}

/// Enrolls a lead; `None` when it is in a sequence already (one at a time).
pub async fn enroll(
    conn: &mut AnyConnection,
    contact: i64,
    variant: &StoredVariant,
    steps: &[usize],
    by: &str,
    at: Timestamp,
) -> Result<Option<i64>> {
    let steps = serde_json::to_string(steps).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = sqlx::query(
        "INSERT INTO enrollments (contact_id, sequence_id, variant_id, steps, status, enrolled_by, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(contact)
    .bind(variant.sequence_id)
    .bind(variant.id)
    .bind(steps)
    .bind(EnrollmentStatus::Active.as_str())
    .bind(by)
    .bind(micros(at))
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()?;
    Ok(id)
}

/// The lead's enrollment that is active, if any.
pub async fn active_enrollment(
    conn: &mut AnyConnection,
    contact: i64,
) -> Result<Option<Enrollment>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {ENROLLMENT_COLUMNS} WHERE contact_id = $1 AND status = $2"
    )))
    .bind(contact)
    .bind(EnrollmentStatus::Active.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(enrollment)
    .transpose()
}

/// The lead's newest enrollment, active or ended: the sequence it is in or was in last.
pub async fn newest_enrollment(
    conn: &mut AnyConnection,
    contact: i64,
) -> Result<Option<Enrollment>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {ENROLLMENT_COLUMNS} WHERE contact_id = $1 ORDER BY id DESC LIMIT 1"
    )))
    .bind(contact)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(enrollment)
    .transpose()
}

/// The enrollments in a variant, oldest first.
pub async fn enrollments_in(conn: &mut AnyConnection, variant_id: i64) -> Result<Vec<Enrollment>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {ENROLLMENT_COLUMNS} WHERE variant_id = $1 ORDER BY id"
    )))
    .bind(variant_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(enrollment)
    .collect()
}

/// Stops the active enrollments of a variant, with the reason; returns the leads stopped.
pub async fn stop_variant(
    conn: &mut AnyConnection,
    variant_id: i64,
    reason: &str,
    at: Timestamp,
) -> Result<Vec<i64>> {
    sqlx::query(
        "UPDATE enrollments SET status = $1, stop_reason = $2, stopped_at = $3
         WHERE variant_id = $4 AND status = $5 RETURNING contact_id",
    )
    .bind(EnrollmentStatus::Stopped.as_str())
    .bind(reason)
    .bind(micros(at))
    .bind(variant_id)
    .bind(EnrollmentStatus::Active.as_str())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| Ok(row.try_get(0)?))
    .collect()
}

/// Every active enrollment, oldest first: what the sender walks.
pub async fn active_enrollments(conn: &mut AnyConnection) -> Result<Vec<Enrollment>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {ENROLLMENT_COLUMNS} WHERE status = $1 ORDER BY id"
    )))
    .bind(EnrollmentStatus::Active.as_str())
    .fetch_all(conn)
    .await?
    .iter()
    .map(enrollment)
    .collect()
}

/// Ends an active enrollment: finished (every step taken) or stopped with a reason.
pub async fn end_enrollment(
    conn: &mut AnyConnection,
    id: i64,
    status: EnrollmentStatus,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE enrollments SET status = $1, stop_reason = $2, stopped_at = $3
         WHERE id = $4 AND status = $5",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(micros(at))
    .bind(id)
    .bind(EnrollmentStatus::Active.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// A DKIM key leadgate keeps for a sending domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDkimKey {
    pub domain: String,
    pub selector: String,
    pub private_pem: String,
    pub public_b64: String,
    pub created_at: Timestamp,
}

/// The newest key of `domain`.
pub async fn dkim_key(conn: &mut AnyConnection, domain: &str) -> Result<Option<StoredDkimKey>> {
    let Some(row) = sqlx::query(
        "SELECT domain, selector, private_pem, public_b64, created_at FROM dkim_keys
         WHERE domain = $1 ORDER BY created_at DESC, selector DESC LIMIT 1",
    )
    .bind(domain)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(StoredDkimKey {
        domain: row.try_get("domain")?,
        selector: row.try_get("selector")?,
        private_pem: row.try_get("private_pem")?,
        public_b64: row.try_get("public_b64")?,
        created_at: timestamp(row.try_get("created_at")?)?,
    }))
}

/// Keeps a new key; false when the domain has one of that selector already.
pub async fn insert_dkim_key(conn: &mut AnyConnection, key: &StoredDkimKey) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO dkim_keys (domain, selector, private_pem, public_b64, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(&key.domain)
    .bind(&key.selector)
    .bind(&key.private_pem)
    .bind(&key.public_b64)
    .bind(micros(key.created_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One touch in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub enrollment_id: i64,
    pub contact_id: i64,
    /// From 1.
    pub step: i64,
    pub channel: Channel,
    pub variant_id: i64,
    pub digest: String,
    pub message_id: String,
    pub mailbox: Option<String>,
    pub recipient: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    #[serde(skip)]
    pub eml: Option<String>,
    pub status: OutboxStatus,
    pub due_at: Timestamp,
    pub queued_at: Timestamp,
    pub sending_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub attempts: i64,
    pub note: Option<String>,
}

/// A touch to put in the outbox.
pub type NewOutboxRow = OutboxRow;

const OUTBOX_COLUMNS: &str = "id, enrollment_id, contact_id, step, channel, variant_id, digest, \
     message_id, mailbox, recipient, subject, body, eml, status, due_at, queued_at, sending_at, \
     sent_at, attempts, note FROM outbox";

fn outbox_row(row: &AnyRow) -> Result<OutboxRow> {
    let id: i64 = row.try_get("id")?;
    let at = |column: &str| format!("outbox row {id}: {column}");
    Ok(OutboxRow {
        id,
        enrollment_id: row.try_get("enrollment_id")?,
        contact_id: row.try_get("contact_id")?,
        step: row.try_get("step")?,
        channel: parse_stored(&at("channel"), &row.try_get::<String, _>("channel")?)?,
        variant_id: row.try_get("variant_id")?,
        digest: row.try_get("digest")?,
        message_id: row.try_get("message_id")?,
        mailbox: row.try_get("mailbox")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        eml: row.try_get("eml")?,
        status: parse_stored(&at("status"), &row.try_get::<String, _>("status")?)?,
        due_at: timestamp(row.try_get("due_at")?)?,
        queued_at: timestamp(row.try_get("queued_at")?)?,
        sending_at: opt_timestamp(row.try_get("sending_at")?)?,
        sent_at: opt_timestamp(row.try_get("sent_at")?)?,
        attempts: row.try_get("attempts")?,
        note: row.try_get("note")?,
    })
}

/// Puts a touch in the outbox; `None` when that step of that enrollment is there already.
pub async fn enqueue(conn: &mut AnyConnection, new: &NewOutboxRow) -> Result<Option<i64>> {
    sqlx::query(
        "INSERT INTO outbox (enrollment_id, contact_id, step, channel, variant_id, digest,
             message_id, mailbox, recipient, subject, body, eml, status, due_at, queued_at, note,
             changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(new.enrollment_id)
    .bind(new.contact_id)
    .bind(new.step)
    .bind(new.channel.as_str())
    .bind(new.variant_id)
    .bind(&new.digest)
    .bind(&new.message_id)
    .bind(&new.mailbox)
    .bind(&new.recipient)
    .bind(&new.subject)
    .bind(&new.body)
    .bind(&new.eml)
    .bind(new.status.as_str())
    .bind(micros(new.due_at))
    .bind(micros(new.queued_at))
    .bind(&new.note)
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()
    .map_err(Into::into)
}

/// The outbox, optionally of one status, oldest first.
pub async fn outbox(
    conn: &mut AnyConnection,
    status: Option<OutboxStatus>,
) -> Result<Vec<OutboxRow>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {OUTBOX_COLUMNS} WHERE ($1 IS NULL OR status = $1) ORDER BY due_at, id"
    )))
    .bind(status.map(OutboxStatus::as_str))
    .fetch_all(conn)
    .await?
    .iter()
    .map(outbox_row)
    .collect()
}

/// One touch by id.
pub async fn outbox_row_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<OutboxRow>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {OUTBOX_COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(outbox_row)
    .transpose()
}

/// The touches of one enrollment, by step.
pub async fn outbox_of(conn: &mut AnyConnection, enrollment_id: i64) -> Result<Vec<OutboxRow>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {OUTBOX_COLUMNS} WHERE enrollment_id = $1 ORDER BY step"
    )))
    .bind(enrollment_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(outbox_row)
    .collect()
}

/// Moves a touch from `from` to `to` if it is still `from` (a claim: two senders never both
/// move it); `at` goes to the column of the new status. False when it was not `from`.
pub async fn move_outbox(
    conn: &mut AnyConnection,
    id: i64,
    from: OutboxStatus,
    to: OutboxStatus,
    note: Option<&str>,
    at: Timestamp,
) -> Result<bool> {
    let column = match to {
        OutboxStatus::Sending => ", sending_at = $4, attempts = attempts + 1",
        OutboxStatus::Sent => ", sent_at = $4",
        _ => "",
    };
    let done = sqlx::query(AssertSqlSafe(format!(
        "UPDATE outbox SET status = $1, note = COALESCE($2, note), changed_at = $4{column}
         WHERE id = $3 AND status = $5"
    )))
    .bind(to.as_str())
    .bind(note)
    .bind(id)
    .bind(micros(at))
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many e-mails `mailbox` sent since `since`: against its daily cap.
pub async fn sent_since(conn: &mut AnyConnection, mailbox: &str, since: Timestamp) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM outbox WHERE mailbox = $1 AND sending_at >= $2")
        .bind(mailbox)
        .bind(micros(since))
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// The touch whose Message-ID is `message_id`.
pub async fn outbox_by_message_id(
    conn: &mut AnyConnection,
    message_id: &str,
) -> Result<Option<OutboxRow>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {OUTBOX_COLUMNS} WHERE message_id = $1"
    )))
    .bind(message_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(outbox_row)
    .transpose()
}

/// The e-mail last sent to `recipient`.
pub async fn last_sent_to(conn: &mut AnyConnection, recipient: &str) -> Result<Option<OutboxRow>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {OUTBOX_COLUMNS} WHERE recipient = $1 AND status = $2 ORDER BY sent_at DESC, id DESC LIMIT 1"
    )))
    .bind(recipient)
    .bind(OutboxStatus::Sent.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(outbox_row)
    .transpose()
}

/// Cancels the queued touches of an enrollment (its sequence stopped); how many.
pub async fn cancel_queued(
    conn: &mut AnyConnection,
    enrollment_id: i64,
    note: &str,
    at: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox SET status = $1, note = $2, changed_at = $3 WHERE enrollment_id = $4 AND status = $5",
    )
    .bind(OutboxStatus::Cancelled.as_str())
    .bind(note)
    .bind(micros(at))
    .bind(enrollment_id)
    .bind(OutboxStatus::Queued.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A reply as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredReply {
    pub id: i64,
    pub message_id: String,
    pub received_at: Timestamp,
    pub source: String,
    pub from_address: Option<String>,
    pub kind: ReplyKind,
    pub evidence: String,
    pub outbox_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub own_text: String,
    /// What it did, in words.
    pub effects: Vec<String>,
}

const REPLY_COLUMNS: &str = "id, message_id, received_at, source, from_address, kind, evidence, \
     outbox_id, contact_id, own_text, effects FROM replies";

fn stored_reply(row: &AnyRow) -> Result<StoredReply> {
    let id: i64 = row.try_get("id")?;
    Ok(StoredReply {
        id,
        message_id: row.try_get("message_id")?,
        received_at: timestamp(row.try_get("received_at")?)?,
        source: row.try_get("source")?,
        from_address: row.try_get("from_address")?,
        kind: parse_stored(
            &format!("replies row {id}: kind"),
            &row.try_get::<String, _>("kind")?,
        )?,
        evidence: row.try_get("evidence")?,
        outbox_id: row.try_get("outbox_id")?,
        contact_id: row.try_get("contact_id")?,
        own_text: row.try_get("own_text")?,
        effects: serde_json::from_str(&row.try_get::<String, _>("effects")?)
            .map_err(|e| StoreError::Corrupt(format!("replies row {id}: effects: {e}")))?,
    })
}

/// Keeps a reply; `None` when one with its Message-ID is kept already.
pub async fn insert_reply(conn: &mut AnyConnection, reply: &StoredReply) -> Result<Option<i64>> {
    let effects =
        serde_json::to_string(&reply.effects).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO replies (message_id, received_at, source, from_address, kind, evidence,
             outbox_id, contact_id, own_text, effects)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&reply.message_id)
    .bind(micros(reply.received_at))
    .bind(&reply.source)
    .bind(&reply.from_address)
    .bind(reply.kind.as_str())
    .bind(&reply.evidence)
    .bind(reply.outbox_id)
    .bind(reply.contact_id)
    .bind(&reply.own_text)
    .bind(effects)
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get(0))
    .transpose()
    .map_err(Into::into)
}

/// The reply kept with this Message-ID.
pub async fn reply_by_message_id(
    conn: &mut AnyConnection,
    message_id: &str,
) -> Result<Option<StoredReply>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {REPLY_COLUMNS} WHERE message_id = $1"
    )))
    .bind(message_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(stored_reply)
    .transpose()
}

/// The replies, newest first, optionally of one kind.
pub async fn replies(
    conn: &mut AnyConnection,
    kind: Option<ReplyKind>,
) -> Result<Vec<StoredReply>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {REPLY_COLUMNS} WHERE ($1 IS NULL OR kind = $1) ORDER BY received_at DESC, id DESC"
    )))
    .bind(kind.map(ReplyKind::as_str))
    .fetch_all(conn)
    .await?
    .iter()
    .map(stored_reply)
    .collect()
}

/// How many touches of each sequence version's step stand in each status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepTally {
    pub sequence: String,
    pub version: i64,
    pub step: i64,
    pub channel: Channel,
    pub status: OutboxStatus,
    pub count: i64,
}

/// The outbox counted by sequence version, step and status.
pub async fn outbox_tally(conn: &mut AnyConnection) -> Result<Vec<StepTally>> {
    sqlx::query(
        "SELECT s.name, s.version, o.step, o.channel, o.status, COUNT(*) AS n
         FROM outbox o JOIN sequence_variants v ON v.id = o.variant_id
         JOIN sequences s ON s.id = v.sequence_id
         GROUP BY s.name, s.version, o.step, o.channel, o.status
         ORDER BY s.name, s.version, o.step",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let name: String = row.try_get(0)?;
        let at = |column: &str| format!("outbox tally of {name}: {column}");
        Ok(StepTally {
            version: row.try_get(1)?,
            step: row.try_get(2)?,
            channel: parse_stored(&at("channel"), &row.try_get::<String, _>(3)?)?,
            status: parse_stored(&at("status"), &row.try_get::<String, _>(4)?)?,
            count: row.try_get(5)?,
            sequence: name,
        })
    })
    .collect()
}

/// The replies counted by the sequence version and step of the e-mail they answer, and
/// kind: (sequence, version, step, kind, count).
pub async fn reply_tally(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, i64, i64, ReplyKind, i64)>> {
    sqlx::query(
        "SELECT s.name, s.version, o.step, r.kind, COUNT(*) AS n
         FROM replies r JOIN outbox o ON o.id = r.outbox_id
         JOIN sequence_variants v ON v.id = o.variant_id
         JOIN sequences s ON s.id = v.sequence_id
         GROUP BY s.name, s.version, o.step, r.kind",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| {
        let name: String = row.try_get(0)?;
        Ok((
            name.clone(),
            row.try_get(1)?,
            row.try_get(2)?,
            parse_stored(
                &format!("reply tally of {name}: kind"),
                &row.try_get::<String, _>(3)?,
            )?,
            row.try_get(4)?,
        ))
    })
    .collect()
}

/// Keeps a tracked link of a message.
pub async fn insert_tracked_link(
    conn: &mut AnyConnection,
    token: &str,
    message_id: &str,
    email: &str,
    url: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tracked_links (token, message_id, email, url, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token)
    .bind(message_id)
    .bind(email)
    .bind(url)
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The address, target and message of a tracked link: (email, url, message_id).
pub async fn tracked_link(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<(String, String, String)>> {
    sqlx::query("SELECT email, url, message_id FROM tracked_links WHERE token = $1")
        .bind(token)
        .fetch_optional(conn)
        .await?
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .transpose()
}

/// When a lead was last sent an e-mail, if ever.
pub async fn last_sent_to_contact(
    conn: &mut AnyConnection,
    contact: i64,
) -> Result<Option<Timestamp>> {
    let row = sqlx::query(
        "SELECT MAX(sent_at) FROM outbox WHERE contact_id = $1 AND sent_at IS NOT NULL",
    )
    .bind(contact)
    .fetch_one(conn)
    .await?;
    opt_timestamp(row.try_get(0)?)
}

/// How far a mailbox folder has been read over IMAP: its UIDVALIDITY and the last UID read.
pub async fn mailbox_cursor(
    conn: &mut AnyConnection,
    mailbox: &str,
    folder: &str,
) -> Result<Option<(u32, u32)>> {
    sqlx::query(
        "SELECT uid_validity, last_uid FROM mailbox_cursors WHERE mailbox = $1 AND folder = $2",
    )
    .bind(mailbox)
    .bind(folder)
    .fetch_optional(conn)
    .await?
    .map(|row| {
        let validity: i64 = row.try_get(0)?;
        let last: i64 = row.try_get(1)?;
        Ok((
            u32::try_from(validity).unwrap_or_default(),
            u32::try_from(last).unwrap_or_default(),
        ))
    })
    .transpose()
}

/// Records that a mailbox folder has been read up to `last_uid` under `uid_validity`.
pub async fn set_mailbox_cursor(
    conn: &mut AnyConnection,
    mailbox: &str,
    folder: &str,
    uid_validity: u32,
    last_uid: u32,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mailbox_cursors (mailbox, folder, uid_validity, last_uid, polled_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (mailbox, folder) DO UPDATE
         SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
             polled_at = excluded.polled_at",
    )
    .bind(mailbox)
    .bind(folder)
    .bind(i64::from(uid_validity))
    .bind(i64::from(last_uid))
    .bind(micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The first time `mailbox` sent an e-mail, if it has: where reading its replies begins.
pub async fn first_sent_from(conn: &mut AnyConnection, mailbox: &str) -> Result<Option<Timestamp>> {
    let row =
        sqlx::query("SELECT MIN(sent_at) FROM outbox WHERE mailbox = $1 AND sent_at IS NOT NULL")
            .bind(mailbox)
            .fetch_one(conn)
            .await?;
    opt_timestamp(row.try_get(0)?)
}

/// What one variant's messages led to, counted in leads: those sent an e-mail, those who
/// answered with interest, and those with a meeting booked — the A/B comparison's tally.
pub async fn variant_tally(conn: &mut AnyConnection, variant_id: i64) -> Result<(i64, i64, i64)> {
    let row = sqlx::query(
        "SELECT
           (SELECT COUNT(DISTINCT o.contact_id) FROM outbox o
             WHERE o.variant_id = $1 AND o.status = $2),
           (SELECT COUNT(DISTINCT r.contact_id) FROM replies r JOIN outbox o ON o.id = r.outbox_id
             WHERE o.variant_id = $1 AND r.kind = $3),
           (SELECT COUNT(DISTINCT e.contact_id) FROM enrollments e
             JOIN lead_outcomes l ON l.contact_id = e.contact_id
             WHERE e.variant_id = $1 AND l.kind = 'meeting_booked')",
    )
    .bind(variant_id)
    .bind(OutboxStatus::Sent.as_str())
    .bind(ReplyKind::Positive.as_str())
    .fetch_one(conn)
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
}
