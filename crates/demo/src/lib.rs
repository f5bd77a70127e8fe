//! leadgate-demo: a deterministic, realistic sample world with known truth, for
//! `leadgate demo`, for the tests of later stages, and for benchmarks.
//!
//! [`generate`] builds a [`DemoWorld`] from a seed, a scale and the caller's `now`: companies
//! of which about 40% fit the sample ICP (`crates/core/src/icp/sample.toml`), the people who
//! work there, three source exports that overlap and disagree the way real exports do, a CRM
//! deal history whose outcomes follow a documented logistic model, and recent engagement and
//! intent events. [`write_files`] writes it as files with a README and truth tables, and
//! [`write_dedupe_benchmark`] writes the source rows as one normalised CSV with the true
//! person id of every row.
//!
//! The output is a pure function of `(seed, scale, now)`: the generator has its own PRNG
//! (SplitMix64) and formats numbers and dates itself, so the bytes are the same on every
//! platform and stay the same across versions of this crate's dependencies. Generation and
//! writing are linear in the size of the world; source rows are rendered while they are
//! written, so memory holds the truth, not the text.

mod b2b;
mod catalog;
mod crm;
mod csv;
mod enrichment;
mod events;
mod files;
pub mod history;
mod rng;
mod sources;
mod text;
mod time;
mod world;

use jiff::Timestamp;

pub use b2b::{B2B_COLUMNS, B2bConfig, B2bStats, Knobs, variants, write_b2b, write_b2b_file};
pub use catalog::Persona;
pub use crm::{Deal, conversion};
pub use enrichment::{ENRICHMENT_COMPANIES, ENRICHMENT_PEOPLE, EnrichmentFiles, write_enrichment};
pub use events::{EngagementEvent, EngagementKind, IntentEvent};
pub use files::{BENCHMARK_COLUMNS, DemoFiles, WrittenFile, write_dedupe_benchmark, write_files};
pub use sources::{Source, SourceRow};
pub use text::thousands;
pub use world::{Company, CompanyId, EmailPattern, IcpMiss, Person, PersonId, PreviousJob};

/// What to generate: the seed, and the size as a multiple of the demo size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// 1 is the demo size (500 companies, about 2,300 people, 1,600 past deals); N
    /// multiplies companies, people, deals and events by N.
    pub scale: u32,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig { seed: 42, scale: 1 }
    }
}

/// Companies per scale unit.
pub const COMPANIES_PER_SCALE: u32 = 500;

/// The generated world: the truth, and the views of it the files are rendered from.
#[derive(Debug, Clone)]
pub struct DemoWorld {
    pub config: DemoConfig,
    pub now: Timestamp,
    /// The discovery world, indexed by `CompanyId.0`. Two of them are the ICP's named
    /// competitors.
    pub companies: Vec<Company>,
    /// Past CRM accounts that are not in the discovery world; their ids follow the world's.
    pub crm_accounts: Vec<Company>,
    /// Everyone the sources mention, indexed by `PersonId.0` and grouped by company.
    pub people: Vec<Person>,
    /// Every data row of the three source files: Apollo's rows in file order, then Sales
    /// Navigator's, then HubSpot's.
    pub source_rows: Vec<SourceRow>,
    pub deals: Vec<Deal>,
    /// Sorted by time.
    pub engagement: Vec<EngagementEvent>,
    /// Sorted by time.
    pub intent: Vec<IntentEvent>,
}

impl DemoWorld {
    /// A company of the world or a past CRM account.
    pub fn company(&self, id: CompanyId) -> &Company {
        let i = id.0 as usize;
        if i < self.companies.len() {
            &self.companies[i]
        } else {
            &self.crm_accounts[i - self.companies.len()]
        }
    }

    pub fn person(&self, id: PersonId) -> &Person {
        &self.people[id.0 as usize]
    }

    /// The rows of one source file, in file order.
    pub fn rows(&self, source: Source) -> &[SourceRow] {
        let start = self.source_rows.partition_point(|r| r.source < source);
        let end = self.source_rows.partition_point(|r| r.source <= source);
        &self.source_rows[start..end]
    }

    /// A row's fields exactly as its source file holds them, in the order of
    /// [`Source::headers`]; "" is an empty field.
    pub fn render_row(&self, row: &SourceRow) -> Vec<String> {
        sources::render(self, row)
    }

    /// The source's own record id for a row (Apollo contact id, HubSpot record id).
    pub fn record_id(&self, row: &SourceRow) -> Option<String> {
        sources::record_id(self.config.seed, row)
    }

    /// How many people appear in two or three different sources.
    pub fn people_in_several_sources(&self) -> usize {
        let mut masks = vec![0u8; self.people.len()];
        for row in &self.source_rows {
            masks[row.person_id.0 as usize] |= 1 << (row.source as u8);
        }
        masks.iter().filter(|m| m.count_ones() >= 2).count()
    }
}

/// Builds the demo world. Pure and deterministic: the same `(seed, scale, now)` gives the
/// same world and, through [`write_files`], byte-identical files. All dates are relative to
/// `now`; nothing reads the clock.
pub fn generate(config: &DemoConfig, now: Timestamp) -> DemoWorld {
    let scale = config.scale.max(1);
    let seed = config.seed;
    // The factory's uniqueness sets are only needed while companies are made.
    let (companies, crm_accounts, deals) = {
        let mut factory = world::CompanyFactory::new(seed);
        let mut companies = world::companies(&mut factory, seed, COMPANIES_PER_SCALE * scale);
        let (accounts, deals) = crm::generate(seed, scale, &mut factory, &mut companies, now);
        (companies, accounts, deals)
    };
    let people = world::people(seed, &companies);
    let source_rows = sources::assign(seed, &people, now);
    let engagement = events::engagement(seed, &companies, &people, now);
    let intent = events::intent(seed, &companies, now);
    DemoWorld {
        config: DemoConfig { seed, scale },
        now,
        companies,
        crm_accounts,
        people,
        source_rows,
        deals,
        engagement,
        intent,
    }
}
