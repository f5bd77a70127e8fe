//! Survivorship: the one value of each field a resolved entity shows, chosen from the
//! values its records hold. The most trusted source wins, and among values of equally
//! trusted sources the newest; every chosen value says which record and source it came
//! from, so a reviewer can see where it came from and how old it is.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One record of a cluster: its values with their source and time of observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedRecord {
    pub record_id: String,
    pub source: String,
    pub observed_at: Timestamp,
    /// Field name → value; empty values count as missing.
    pub values: BTreeMap<String, String>,
}

/// The value a field keeps and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survivor {
    pub value: String,
    pub record_id: String,
    pub source: String,
    pub observed_at: Timestamp,
}

/// Chooses each field's value among `records`. `trust` lists sources from the most to the
/// least trusted; a source not listed ranks below every listed one. Ties go to the newest
/// observation, then to the earlier record in `records`.
pub fn survive(records: &[SourcedRecord], trust: &[&str]) -> BTreeMap<String, Survivor> {
    let rank = |source: &str| {
        trust
            .iter()
            .position(|t| *t == source)
            .unwrap_or(trust.len())
    };
    let mut chosen: BTreeMap<String, (usize, Survivor)> = BTreeMap::new();
    for record in records {
        for (field, value) in &record.values {
            if value.trim().is_empty() {
                continue;
            }
            let candidate = Survivor {
                value: value.clone(),
                record_id: record.record_id.clone(),
                source: record.source.clone(),
                observed_at: record.observed_at,
            };
            let r = rank(&record.source);
            let better = match chosen.get(field) {
                None => true,
                Some((best_rank, best)) => {
                    r < *best_rank || (r == *best_rank && record.observed_at > best.observed_at)
                }
            };
            if better {
                chosen.insert(field.clone(), (r, candidate));
            }
        }
    }
    chosen.into_iter().map(|(f, (_, s))| (f, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, source: &str, at: &str, values: &[(&str, &str)]) -> SourcedRecord {
        SourcedRecord {
            record_id: id.into(),
            source: source.into(),
            observed_at: at.parse().unwrap(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn most_trusted_source_then_newest() {
        // Arrange
        let records = [
            record(
                "a1",
                "apollo",
                "2025-01-01T00:00:00Z",
                &[("title", "VP Sales"), ("phone", "+1 512")],
            ),
            record(
                "h1",
                "hubspot",
                "2024-01-01T00:00:00Z",
                &[("title", "Sales Director"), ("phone", "")],
            ),
            record("a2", "apollo", "2025-06-01T00:00:00Z", &[("title", "CRO")]),
        ];

        // Act
        let chosen = survive(&records, &["hubspot", "apollo"]);

        // Assert
        assert_eq!(chosen["title"].value, "Sales Director");
        assert_eq!(chosen["title"].source, "hubspot");
        assert_eq!(chosen["phone"].record_id, "a1", "an empty value never wins");
        let untrusted = survive(&records, &[]);
        assert_eq!(
            untrusted["title"].record_id, "a2",
            "newest when trust is equal"
        );
    }
}
