//! The audit log's hash chain: what an entry is, how its hash is computed, and how a chain is
//! verified. Storage appends entries; this module is the single definition of their integrity.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so altering or
//! removing any stored entry breaks every link after it. Fields are length-prefixed before
//! hashing so that no two different entries can serialise to the same bytes.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: a named person, the system itself, or a model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Actor {
    Person(String),
    System,
    Model(String),
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Person(_) => "person",
            Actor::System => "system",
            Actor::Model(_) => "model",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Actor::Person(name) | Actor::Model(name) => name,
            Actor::System => "leadgate",
        }
    }

    /// Rebuilds an actor from its stored kind and name.
    pub fn from_parts(kind: &str, name: &str) -> Result<Self, String> {
        match kind {
            "person" => Ok(Actor::Person(name.to_string())),
            "system" if name == "leadgate" => Ok(Actor::System),
            "system" => Err(format!("the system actor is `leadgate`, not `{name}`")),
            "model" => Ok(Actor::Model(name.to_string())),
            other => Err(format!("unknown actor kind `{other}`")),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind(), self.name())
    }
}

impl FromStr for Actor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, name) = s.split_once(':').unwrap_or(("person", s));
        Actor::from_parts(kind, name)
    }
}

/// An entry as it is about to be appended: everything but its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub actor: Actor,
    /// What was done, as a dotted verb: `icp.proposed`, `gate.approved`, `gate.refused`.
    pub action: String,
    /// What it was done to: `icp:3`, `gate:7`, `user:dana`.
    pub subject: String,
    /// A summary of the inputs, as JSON text exactly as stored (and hashed).
    pub inputs: String,
    pub at: Timestamp,
}

/// An entry in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub actor: Actor,
    pub action: String,
    pub subject: String,
    pub inputs: String,
    pub at: Timestamp,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// Places a new entry after the entry `seq - 1` whose hash is `prev_hash`.
    pub fn chain(entry: NewAuditEntry, seq: i64, prev_hash: &str) -> AuditEntry {
        let mut chained = AuditEntry {
            seq,
            actor: entry.actor,
            action: entry.action,
            subject: entry.subject,
            inputs: entry.inputs,
            at: entry.at,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        chained.hash = chained.compute_hash();
        chained
    }

    /// The hash this entry's fields call for, whatever is stored in `hash`.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let seq = self.seq.to_string();
        let at = self.at.as_microsecond().to_string();
        for field in [
            seq.as_str(),
            self.actor.kind(),
            self.actor.name(),
            &self.action,
            &self.subject,
            &self.inputs,
            at.as_str(),
            &self.prev_hash,
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// The first place where a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq}: its contents do not match its hash (altered)")]
    Altered { seq: i64 },
    #[error(
        "audit entry {seq}: it does not follow the entry before it (an entry before it was altered or removed)"
    )]
    Unlinked { seq: i64 },
    #[error("audit entry {expected} is missing (removed); the next stored entry is {found}")]
    Missing { expected: i64, found: i64 },
    #[error(
        "the chain ends at entry {last} but its head records entry {head} (entries at the end were removed)"
    )]
    Truncated { last: i64, head: i64 },
}

/// Verifies a run of entries that starts at `first_seq` after `prev_hash`. Feed a long chain in
/// pages by passing each page's last hash and next seq on.
pub fn verify_run(
    entries: &[AuditEntry],
    first_seq: i64,
    prev_hash: &str,
) -> Result<(), ChainBreak> {
    let mut prev = prev_hash;
    for (expected_seq, entry) in (first_seq..).zip(entries) {
        if entry.seq != expected_seq {
            return Err(ChainBreak::Missing {
                expected: expected_seq,
                found: entry.seq,
            });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        if entry.prev_hash != prev {
            return Err(ChainBreak::Unlinked { seq: entry.seq });
        }
        prev = &entry.hash;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_of(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
            out.push(AuditEntry::chain(
                NewAuditEntry {
                    actor: Actor::Person("dana".into()),
                    action: "gate.approved".into(),
                    subject: format!("gate:{seq}"),
                    inputs: "{}".into(),
                    at: Timestamp::from_second(1_800_000_000 + seq).unwrap(),
                },
                seq,
                &prev,
            ));
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_run(&chain_of(5), 1, GENESIS_HASH), Ok(()));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut chain = chain_of(5);
        chain[2].subject = "gate:99".into();
        assert_eq!(
            verify_run(&chain, 1, GENESIS_HASH),
            Err(ChainBreak::Altered { seq: 3 })
        );
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut chain = chain_of(5);
        chain[2].actor = Actor::Person("mallory".into());
        chain[2].hash = chain[2].compute_hash();
        assert_eq!(
            verify_run(&chain, 1, GENESIS_HASH),
            Err(ChainBreak::Unlinked { seq: 4 })
        );
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut chain = chain_of(5);
        chain.remove(1);
        assert_eq!(
            verify_run(&chain, 1, GENESIS_HASH),
            Err(ChainBreak::Missing {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let a = AuditEntry::chain(
            NewAuditEntry {
                actor: Actor::Person("ab".into()),
                action: "c".into(),
                subject: "s".into(),
                inputs: "{}".into(),
                at: Timestamp::UNIX_EPOCH,
            },
            1,
            GENESIS_HASH,
        );
        let b = AuditEntry::chain(
            NewAuditEntry {
                actor: Actor::Person("a".into()),
                action: "bc".into(),
                subject: "s".into(),
                inputs: "{}".into(),
                at: Timestamp::UNIX_EPOCH,
            },
            1,
            GENESIS_HASH,
        );
        assert_ne!(a.hash, b.hash);
    }
}
