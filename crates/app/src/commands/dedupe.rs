//! `leadgate dedupe`: entity resolution of CSV files with no workspace. Reads one file (or
//! two to link), resolves the records with a comparison setup (the B2B contacts preset by
//! default, another preset, or a TOML file), and writes `record_id,cluster_id`, one row per
//! input record in input order, so that any tool can join the clusters back onto the file.
//!
//! Column names are the setup's (`first_name`, `email`, `company_domain`, …); a header that
//! uses an import preset's names (Apollo, Sales Navigator, HubSpot, Salesforce) is renamed
//! to those first, as `leadgate import` reads it. A summary of the run (records, clusters,
//! merges, the time of each step) goes to stderr, or to stdout as JSON with `--json`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use leadgate_connectors::import::{RawTable, TableOptions, read_table};
use leadgate_core::discovery::resolve::{self, Mode, ResolveConfig, Table};
use serde::Serialize;

use crate::cli::DedupeArgs;

/// What a run did, for people (stderr) and scripts (`--json`).
#[derive(Debug, Serialize)]
struct Summary {
    setup: String,
    mode: &'static str,
    threshold: f64,
    files: Vec<String>,
    records: usize,
    clusters: usize,
    /// Links that joined two clusters.
    merges: usize,
    /// Records that joined another record's cluster (records - clusters).
    duplicates: usize,
    candidate_pairs: usize,
    links: usize,
    /// Links refused because a contradiction (a pair at the veto weight) lay across the
    /// two clusters.
    refused_merges: usize,
    /// Links refused because the two clusters hold people whose names contradict.
    refused_by_name: usize,
    columns_read_as_empty: Vec<String>,
    /// What the trained model believes, and what training warns of.
    model: ModelSummary,
    seconds: Steps,
}

#[derive(Debug, Serialize)]
struct ModelSummary {
    /// log2 of the prior odds that two random records match.
    prior_weight: f64,
    training: resolve::TrainingReport,
    comparisons: Vec<resolve::ComparisonWeights>,
}

#[derive(Debug, Default, Serialize)]
struct Steps {
    read: f64,
    prepare: f64,
    block: f64,
    compare: f64,
    train: f64,
    score: f64,
    cluster: f64,
    write: f64,
    total: f64,
}

pub fn run(args: &DedupeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut steps = Steps::default();
    let (mut config, setup) = load_config(args.config.as_deref())?;
    if let Some(t) = args.threshold {
        if !(t > 0.0 && t < 1.0) {
            bail!("--threshold {t}: must be between 0 and 1, exclusive");
        }
        config.threshold = t;
    }
    if config.mode == Mode::Link && args.files.len() != 2 {
        bail!("the setup {setup} links two files (mode = \"link\"): give two files");
    }

    let mut t = Instant::now();
    let tables = read_all(&args.files)?;
    steps.read = secs(t.elapsed());
    let input = Input::new(&config, &tables);
    let ids = input.record_ids(args.id_column.as_deref())?;

    t = Instant::now();
    let table = Table::build(
        &config,
        &input.header(),
        input.len(),
        |r, c| input.cell(r, c),
        |r| match config.mode {
            Mode::Link => input.locate(r).0 as u8,
            Mode::Dedupe => 0,
        },
    );
    steps.prepare = secs(t.elapsed());

    t = Instant::now();
    let comparisons = resolve::compile(&config, &table);
    let candidates = resolve::candidates(&config, &table);
    steps.block = secs(t.elapsed());
    t = Instant::now();
    let gammas = resolve::compare_pairs(&comparisons, &table, &candidates.pairs);
    steps.compare = secs(t.elapsed());
    t = Instant::now();
    let model = resolve::Model::train(&config, &table, &comparisons, &candidates.pairs, &gammas);
    steps.train = secs(t.elapsed());
    t = Instant::now();
    let scored = resolve::score(
        &config,
        &model,
        &comparisons,
        &table,
        &candidates.pairs,
        &gammas,
    );
    drop(gammas);
    steps.score = secs(t.elapsed());
    t = Instant::now();
    let clustering = resolve::cluster(
        table.len(),
        &scored.links,
        &resolve::constraints(&config, &table, &scored),
    );
    steps.cluster = secs(t.elapsed());

    t = Instant::now();
    write_clusters(&args.out, &ids, &input, &clustering.cluster_of)?;
    steps.write = secs(t.elapsed());
    steps.total = secs(started.elapsed());

    let clusters = clustering.cluster_count();
    let summary = Summary {
        setup,
        mode: match config.mode {
            Mode::Dedupe => "dedupe",
            Mode::Link => "link",
        },
        threshold: config.threshold,
        files: args.files.iter().map(|f| f.display().to_string()).collect(),
        records: table.len(),
        clusters,
        merges: clustering.merges.len(),
        duplicates: table.len() - clusters,
        candidate_pairs: candidates.pairs.len(),
        links: scored.links.len(),
        refused_merges: clustering.refused,
        refused_by_name: clustering.refused_by_name,
        columns_read_as_empty: resolve::missing_columns(&config, &input.header()),
        model: ModelSummary {
            prior_weight: model.prior_weight(),
            training: model.training.clone(),
            comparisons: model.weights(&comparisons),
        },
        seconds: steps,
    };
    if args.json {
        super::print_json(&summary)?;
    } else {
        print_summary(&summary, &args.out);
    }
    for table in &tables {
        for notice in &table.notices {
            eprintln!("note: {}: {notice}", table.path());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// The setup named by `--config`: a built-in one by name, else a TOML file.
fn load_config(name: Option<&str>) -> anyhow::Result<(ResolveConfig, String)> {
    let Some(name) = name else {
        return Ok((ResolveConfig::b2b_contacts(), "contacts".to_string()));
    };
    if let Some(config) = ResolveConfig::preset(name) {
        return Ok((config, name.to_string()));
    }
    let path = Path::new(name);
    if !path.exists() {
        bail!(
            "--config {name}: no such file, and not a built-in setup (contacts, companies, febrl)"
        );
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("{name}: cannot read"))?;
    let config = ResolveConfig::parse(&text).with_context(|| name.to_string())?;
    Ok((config, name.to_string()))
}

fn read_all(files: &[PathBuf]) -> anyhow::Result<Vec<RawTable>> {
    // Two files are read side by side: each reading is one thread's work.
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|f| s.spawn(move || read_table(f, &TableOptions::default())))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(result) => result.map_err(anyhow::Error::from),
                Err(_) => Err(anyhow::anyhow!("reading a file failed")),
            })
            .collect()
    })
}

/// The records of every file as one sequence, under one header of setup column names.
struct Input<'a> {
    tables: &'a [RawTable],
    /// The column names the setup reads, in a fixed order.
    names: Vec<String>,
    /// Per file, per name: the file's column that holds it.
    columns: Vec<Vec<Option<usize>>>,
    /// Per file, the index of its first record in the sequence.
    offsets: Vec<usize>,
    total: usize,
}

impl<'a> Input<'a> {
    fn new(config: &ResolveConfig, tables: &'a [RawTable]) -> Input<'a> {
        let wanted: Vec<&str> = config
            .fields
            .iter()
            .flat_map(|f| &f.from)
            .flat_map(|s| {
                std::iter::once(s.column.as_str()).chain(s.with.iter().map(|w| w.as_str()))
            })
            .collect();
        let mut names: Vec<String> = Vec::new();
        let per_file: Vec<Vec<String>> = tables
            .iter()
            .map(|table| {
                let (_, fields) = table.field_header();
                // A column the setup names as it is keeps its name: FEBRL's `given_name` is
                // read as `given_name`, not renamed to the importers' `first_name`.
                table
                    .header()
                    .iter()
                    .zip(fields)
                    .map(|(raw, field)| match wanted.contains(&raw.as_str()) {
                        true => raw.clone(),
                        false => field,
                    })
                    .collect()
            })
            .collect();
        for file in &per_file {
            for name in file {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        let columns = per_file
            .iter()
            .map(|file| {
                names
                    .iter()
                    .map(|n| file.iter().position(|f| f == n))
                    .collect()
            })
            .collect();
        let offsets: Vec<usize> = tables
            .iter()
            .scan(0, |s, t| {
                let o = *s;
                *s += t.rows();
                Some(o)
            })
            .collect();
        Input {
            tables,
            names,
            columns,
            offsets,
            total: tables.iter().map(RawTable::rows).sum(),
        }
    }

    fn header(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    fn len(&self) -> usize {
        self.total
    }

    /// The file of record `r` and its row there.
    fn locate(&self, r: usize) -> (usize, usize) {
        match self.offsets.len() {
            1 => (0, r),
            _ => {
                let f = self.offsets.iter().rposition(|&o| o <= r).unwrap_or(0);
                (f, r - self.offsets[f])
            }
        }
    }

    fn cell(&self, r: usize, c: usize) -> &'a str {
        let (f, row) = self.locate(r);
        match self.columns[f][c] {
            Some(col) => self.tables[f].cell(row, col),
            None => "",
        }
    }

    /// Per file, the column that identifies records, or `None` for positions. A column
    /// named by `--id-column` must be in every file.
    fn record_ids(&self, id_column: Option<&str>) -> anyhow::Result<Vec<Option<usize>>> {
        self.tables
            .iter()
            .map(|table| match id_column {
                Some(name) => match table.column(name) {
                    Some(c) => Ok(Some(c)),
                    None => bail!(
                        "{}: --id-column {name}: no such column; the columns are: {}",
                        table.path(),
                        table.header().join(", ")
                    ),
                },
                None => Ok(["id", "record_id"]
                    .into_iter()
                    .find_map(|n| table.column(n))
                    .or_else(|| {
                        let (_, fields) = table.field_header();
                        fields.iter().position(|f| f == "id")
                    })),
            })
            .collect()
    }
}

fn write_clusters(
    path: &Path,
    ids: &[Option<usize>],
    input: &Input<'_>,
    cluster_of: &[u32],
) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let file = File::create(path).with_context(|| format!("{name}: cannot create"))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut line = String::with_capacity(64);
    out.write_all(b"record_id,cluster_id\n")
        .with_context(|| format!("{name}: cannot write"))?;
    for (r, cluster) in cluster_of.iter().enumerate() {
        let (f, row) = input.locate(r);
        line.clear();
        match ids[f] {
            Some(c) => push_csv(&mut line, input.tables[f].cell(row, c)),
            None => {
                let _ = write!(line, "{}", r + 1);
            }
        }
        let _ = writeln!(line, ",{cluster}");
        out.write_all(line.as_bytes())
            .with_context(|| format!("{name}: cannot write"))?;
    }
    out.flush()
        .with_context(|| format!("{name}: cannot write"))?;
    Ok(())
}

/// A CSV field, quoted when it holds a delimiter, a quote or a line break.
fn push_csv(line: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&value.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(value);
    }
}

fn print_summary(s: &Summary, out: &Path) {
    eprintln!(
        "{} records ({}), setup {} at threshold {}: {} clusters, {} merges, {} duplicates; \
         {} candidate pairs, {} links, {} merges refused by a contradiction, {} because \
         names differ.",
        s.records,
        s.files.join(", "),
        s.setup,
        s.threshold,
        s.clusters,
        s.merges,
        s.duplicates,
        s.candidate_pairs,
        s.links,
        s.refused_merges,
        s.refused_by_name
    );
    for warning in &s.model.training.warnings {
        eprintln!("warning: {warning}.");
    }
    if !s.columns_read_as_empty.is_empty() {
        eprintln!(
            "Columns the setup reads that the input lacks (read as empty): {}.",
            s.columns_read_as_empty.join(", ")
        );
    }
    let t = &s.seconds;
    eprintln!(
        "Time: read {:.2}s, prepare {:.2}s, block {:.2}s, compare {:.2}s, train {:.2}s, \
         score {:.2}s, cluster {:.2}s, write {:.2}s; total {:.2}s.",
        t.read, t.prepare, t.block, t.compare, t.train, t.score, t.cluster, t.write, t.total
    );
    eprintln!("Wrote {}.", out.display());
}
