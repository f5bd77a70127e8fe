//! A second generator, beside the demo world: synthetic B2B contact files with known truth,
//! for judging entity resolution on data it was not tuned to.
//!
//! One file is a CRM export, an Apollo export and a Sales Navigator list of the same
//! people, interleaved, with the true person of every row. [`Knobs`] switch on, one by one,
//! the difficulties real contact data has: many colleagues per company, rows that carry the
//! company's switchboard instead of a direct line, company-specific e-mail patterns, CRM
//! rows with only a full name, nicknames, transliterations, swapped names, people who
//! changed jobs, heavy gaps, and companies named differently in every source. With every
//! knob off the data is the simple case; typos, case and lost diacritics are in every
//! variant. [`variants`] is the named grid the benchmark runs.
//!
//! The output is a pure function of the [`B2bConfig`]: the same config writes the same
//! bytes. Generation is linear in the number of rows, and only the truth is held in memory;
//! rows are rendered while they are written.

mod names;
mod phone;
mod population;
mod render;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::csv::CsvWriter;
use crate::rng::Rng;

pub use render::B2B_COLUMNS;

const STREAM_SHUFFLE: u64 = 105;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct B2bConfig {
    pub seed: u64,
    /// The number of data rows the file gets, exactly.
    pub rows: usize,
    pub knobs: Knobs,
}

/// The difficulties a file has. Every knob is off by default; a share is the probability
/// with which the difficulty hits a row (or, for `job_movers`, a person), 0 for off.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Knobs {
    /// Companies of 1 to 300 people with a heavy tail (half have one person in the file,
    /// one in 150 more than 100) instead of 1 to 8.
    pub colleagues: bool,
    /// Share of CRM and Apollo phone values that are the company's switchboard instead of
    /// the person's direct line or mobile.
    pub shared_phone: f64,
    /// Each company uses one address pattern (first.last, flast, firstl, first, f.last,
    /// first_last) instead of everyone using first.last.
    pub email_patterns: bool,
    /// Share of CRM rows that have only a full name ("Maureen Howard", "Howard, Maureen").
    pub full_name_only: f64,
    /// Share of rows that use the other form of a first name that has a short form (Bob
    /// for Robert, or Robert for someone who goes by Bob).
    pub nicknames: f64,
    /// Share of rows that spell the name in another transliteration (Mueller, Alexander).
    pub transliterations: f64,
    /// Share of CRM and Apollo rows with first and last name swapped (a quarter of it on
    /// LinkedIn).
    pub name_swaps: f64,
    /// Share of people who changed company; one of their rows still shows the old
    /// company, address, title and phone.
    pub job_movers: f64,
    /// Heavy gaps per source: CRM rows without address (30%), phone (40%), title or city
    /// (30%), or name; Apollo rows without phone (50%) or address (30%).
    pub missing_fields: bool,
    /// Sources name companies differently: legal forms, "(Account)", domains as names,
    /// brands without their industry word, a second domain.
    pub company_naming: bool,
}

impl Knobs {
    /// The knobs that are on, as `name` or `name=share`; "all off" when none is.
    pub fn describe(&self) -> String {
        let mut on = Vec::new();
        let mut flag = |name: &str, value: bool| {
            if value {
                on.push(name.to_string());
            }
        };
        flag("colleagues", self.colleagues);
        flag("email_patterns", self.email_patterns);
        flag("missing_fields", self.missing_fields);
        flag("company_naming", self.company_naming);
        for (name, share) in [
            ("shared_phone", self.shared_phone),
            ("full_name_only", self.full_name_only),
            ("nicknames", self.nicknames),
            ("transliterations", self.transliterations),
            ("name_swaps", self.name_swaps),
            ("job_movers", self.job_movers),
        ] {
            if share > 0.0 {
                on.push(format!("{name}={share}"));
            }
        }
        if on.is_empty() {
            "all off".to_string()
        } else {
            on.join(", ")
        }
    }
}

/// The named grid of variants: "baseline" with every knob off, one variant per
/// difficulty (some with colleagues on, because that is where the difficulty bites), and
/// "everything", which resembles the contact base that broke entity resolution before.
pub fn variants() -> Vec<(&'static str, Knobs)> {
    let off = Knobs::default();
    let colleagues = Knobs {
        colleagues: true,
        ..off
    };
    vec![
        ("baseline", off),
        ("colleagues", colleagues),
        (
            "switchboard",
            Knobs {
                shared_phone: 0.6,
                ..colleagues
            },
        ),
        (
            "email_patterns",
            Knobs {
                email_patterns: true,
                ..colleagues
            },
        ),
        (
            "crm_full_name",
            Knobs {
                shared_phone: 0.3,
                full_name_only: 0.5,
                ..colleagues
            },
        ),
        (
            "nicknames",
            Knobs {
                nicknames: 0.3,
                transliterations: 0.15,
                ..off
            },
        ),
        (
            "name_swaps",
            Knobs {
                name_swaps: 0.1,
                full_name_only: 0.3,
                ..off
            },
        ),
        (
            "movers",
            Knobs {
                job_movers: 0.15,
                ..off
            },
        ),
        (
            "sparse",
            Knobs {
                missing_fields: true,
                ..colleagues
            },
        ),
        (
            "company_naming",
            Knobs {
                company_naming: true,
                ..colleagues
            },
        ),
        (
            "everything",
            Knobs {
                colleagues: true,
                shared_phone: 0.5,
                email_patterns: true,
                full_name_only: 0.2,
                nicknames: 0.15,
                transliterations: 0.1,
                name_swaps: 0.05,
                job_movers: 0.1,
                missing_fields: true,
                company_naming: true,
            },
        ),
    ]
}

/// What a written file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct B2bStats {
    pub rows: usize,
    pub people: usize,
    pub companies: usize,
    /// Pairs of rows of the same person: what pairwise recall is measured against.
    pub true_pairs: u64,
    /// The most rows one person has.
    pub largest_true_cluster: usize,
    /// The most people one company has (current employees).
    pub largest_company: usize,
}

/// Writes the file for `config` to `path` (creating its directory) and returns what it
/// holds.
pub fn write_b2b_file(config: &B2bConfig, path: &Path) -> io::Result<B2bStats> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let (stats, out) = write_b2b(config, file)?;
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok(stats)
}

/// Writes the file for `config` to `out` and returns what it holds, and `out`.
pub fn write_b2b<W: Write>(config: &B2bConfig, out: W) -> io::Result<(B2bStats, W)> {
    let names = names::Names::new();
    let mut population = population::populate(config.seed, config.rows, &config.knobs, &names);
    let stats = stats(&population);
    let mut rows = std::mem::take(&mut population.rows);
    Rng::derive(config.seed, STREAM_SHUFFLE, 0).shuffle(&mut rows);
    let renderer = render::Renderer {
        seed: config.seed,
        knobs: &config.knobs,
        names: &names,
        population: &population,
    };
    let mut csv = CsvWriter::new(out, b',', false);
    csv.record(&B2B_COLUMNS)?;
    for (i, spec) in rows.iter().enumerate() {
        csv.record(&renderer.row(i + 1, *spec))?;
    }
    Ok((stats, csv.into_inner()))
}

fn stats(population: &population::Population) -> B2bStats {
    let mut per_person = vec![0usize; population.people.len()];
    for row in &population.rows {
        per_person[row.person as usize] += 1;
    }
    B2bStats {
        rows: population.rows.len(),
        people: per_person.iter().filter(|n| **n > 0).count(),
        companies: population.companies.len(),
        true_pairs: per_person
            .iter()
            .map(|&n| (n * n.saturating_sub(1) / 2) as u64)
            .sum(),
        largest_true_cluster: per_person.iter().copied().max().unwrap_or(0),
        largest_company: population
            .companies
            .iter()
            .map(|c| c.staff as usize)
            .max()
            .unwrap_or(0),
    }
}
