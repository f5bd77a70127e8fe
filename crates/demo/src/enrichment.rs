//! The demo's enrichment files: what a research team's sheet would say of each company of
//! the world (funding stage and date, headcount and its growth, open roles, tech stack) and
//! of each person (seniority, start of the current role), keyed by domain and by e-mail, in
//! the columns of leadgate's file provider. They come from the same world as the source
//! exports — the funding is the round Apollo shows, the headcount the truth — so that the
//! walkthrough's `enrich run` fills the prospects' facts with values that agree with what
//! discovery saw. Deterministic like the rest: the same seed and `now` give the same bytes.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::csv::CsvWriter;
use crate::rng::Rng;
use crate::time::{self, DAY};
use crate::{DemoWorld, sources};

const STREAM_ENRICHMENT: u64 = 40;

/// The companies' file, relative to the data directory.
pub const ENRICHMENT_COMPANIES: &str = "enrichment/companies.csv";
/// The people's file, relative to the data directory.
pub const ENRICHMENT_PEOPLE: &str = "enrichment/people.csv";

/// Rows written to each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrichmentFiles {
    pub companies: usize,
    pub people: usize,
}

fn create(dir: &Path, relative: &str) -> io::Result<CsvWriter<BufWriter<File>>> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    Ok(CsvWriter::new(
        BufWriter::new(File::create(path)?),
        b',',
        false,
    ))
}

/// Writes [`ENRICHMENT_COMPANIES`] and [`ENRICHMENT_PEOPLE`] under `dir`.
pub fn write_enrichment(world: &DemoWorld, dir: &Path) -> io::Result<EnrichmentFiles> {
    let seed = world.config.seed;
    let now = time::base_second(world.now);
    let mut csv = create(dir, ENRICHMENT_COMPANIES)?;
    csv.record(&[
        "domain",
        "observed_at",
        "funding_stage",
        "funding_date",
        "headcount",
        "headcount_growth_pct",
        "open_roles",
        "tech_stack",
    ])?;
    for c in &world.companies {
        let mut rng = Rng::derive(seed, STREAM_ENRICHMENT, u64::from(c.id.0));
        let observed = now - i64::from(rng.range(3, 60)) * DAY;
        let (_, stage, raised) = sources::funding(seed, c);
        // A growing company hires: roughly a quarter of a year's growth is open at a time.
        let growth = (f64::from(c.employees) * c.headcount_growth_pct / 100.0 / 4.0).max(0.0);
        let open_roles = growth.round() as u32 + rng.range(0, 3);
        csv.record(&[
            c.domain.clone(),
            time::date(time::at(observed)),
            stage,
            raised,
            c.employees.to_string(),
            format!("{:.1}", c.headcount_growth_pct),
            open_roles.to_string(),
            c.technologies.join(";"),
        ])?;
    }
    csv.into_inner().flush()?;

    let mut csv = create(dir, ENRICHMENT_PEOPLE)?;
    csv.record(&["email", "observed_at", "seniority", "role_start_date"])?;
    for p in &world.people {
        let mut rng = Rng::derive(seed, STREAM_ENRICHMENT + 1, u64::from(p.id.0));
        let observed = now - i64::from(rng.range(3, 60)) * DAY;
        // Someone who changed company in the last two years started the role since.
        let tenure_days = match p.previous {
            Some(_) => rng.range(30, 700),
            None => rng.range(400, 3000),
        };
        csv.record(&[
            p.email.clone(),
            time::date(time::at(observed)),
            p.seniority.to_string(),
            time::date(time::at(now - i64::from(tenure_days) * DAY)),
        ])?;
    }
    csv.into_inner().flush()?;
    Ok(EnrichmentFiles {
        companies: world.companies.len(),
        people: world.people.len(),
    })
}
