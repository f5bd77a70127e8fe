//! Stage 1, the Ideal Customer Profile. (Placeholder API; replaced by the full module.)

use serde::{Deserialize, Serialize};

pub const SAMPLE_ICP: &str = include_str!("sample.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IcpDocument {
    pub segment: String,
    pub rationale: String,
    #[serde(flatten)]
    pub rest: toml::Table,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct IcpError {
    pub origin: String,
    pub message: String,
}

impl IcpDocument {
    pub fn parse(text: &str, origin: &str) -> Result<Self, IcpError> {
        toml::from_str(text).map_err(|e| IcpError {
            origin: origin.to_string(),
            message: e.to_string(),
        })
    }

    pub fn segment(&self) -> &str {
        &self.segment
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IcpDiff {
    pub lines: Vec<String>,
}

impl IcpDiff {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl std::fmt::Display for IcpDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

pub fn diff(old: &IcpDocument, new: &IcpDocument) -> IcpDiff {
    let (a, b) = (old.to_toml(), new.to_toml());
    let lines = a
        .lines()
        .filter(|l| !b.lines().any(|m| m == *l))
        .map(|l| format!("- {l}"))
        .chain(b.lines().filter(|l| !a.lines().any(|m| m == *l)).map(|l| format!("+ {l}")))
        .collect();
    IcpDiff { lines }
}
