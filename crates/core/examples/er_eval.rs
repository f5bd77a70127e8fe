//! Runs the entity-resolution engine on a CSV file with known truth and prints pairwise
//! precision, recall and F1 and the time of each step.
//!
//! ```text
//! cargo run --release -p leadgate-core --example er_eval -- CONFIG FILE [FILE2] [--threshold P]
//!     [--out clusters.csv] [--show-errors N [--only LEVELS]]
//! ```
//!
//! CONFIG is a built-in setup (`contacts`, `companies`, `febrl`) or a TOML file. Two files
//! are linked (pairs across them only, as FEBRL4 4a + 4b). The truth is the `true_id`
//! column (the demo benchmark file) or FEBRL's `rec_id` (`rec-N-org` and `rec-N-dup-K` are
//! person N). `--only` shows only the missed pairs whose levels contain the text
//! (`"employer=else phone=exact"`). The CSV reader here is a small one for comma-separated
//! UTF-8 with quotes.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use leadgate_core::discovery::resolve::{
    self, Candidates, Clustering, Comparison, Gamma, Mode, Model, ResolveConfig, Scored, Table,
    candidate_recall, label_ids, pair_list_scores, pairwise_scores,
};

/// A CSV file held as one buffer of cell texts and their end offsets.
struct Csv {
    header: Vec<String>,
    text: String,
    ends: Vec<u32>,
    width: usize,
}

impl Csv {
    fn read(path: &str) -> Csv {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let data = String::from_utf8_lossy(&bytes);
        let data = data.strip_prefix('\u{feff}').unwrap_or(&data);
        let mut text = String::with_capacity(data.len());
        let mut ends: Vec<u32> = Vec::new();
        let mut header: Option<Vec<String>> = None;
        let mut width = 0;
        let mut row_cells = 0;
        let mut chars = data.chars().peekable();
        let mut in_quotes = false;
        let mut at_cell_start = true;
        let mut row_start = 0;
        let finish_row = |text: &mut String,
                          ends: &mut Vec<u32>,
                          header: &mut Option<Vec<String>>,
                          width: &mut usize,
                          row_cells: &mut usize,
                          row_start: &mut usize| {
            if header.is_none() {
                let cells: Vec<String> = ends
                    .iter()
                    .scan(0usize, |s, &e| {
                        let cell = text[*s..e as usize].trim().to_string();
                        *s = e as usize;
                        Some(cell)
                    })
                    .collect();
                *width = cells.len();
                *header = Some(cells);
                ends.clear();
                text.clear();
            } else {
                let ended = ends.len() - *row_start;
                for _ in ended..*width {
                    ends.push(text.len() as u32);
                }
                ends.truncate(*row_start + *width);
            }
            *row_cells = 0;
            *row_start = ends.len();
        };
        while let Some(c) = chars.next() {
            if in_quotes {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        text.push('"');
                    } else {
                        in_quotes = false;
                    }
                } else {
                    text.push(c);
                }
                continue;
            }
            match c {
                '"' if at_cell_start => {
                    in_quotes = true;
                    at_cell_start = false;
                }
                ',' => {
                    ends.push(text.len() as u32);
                    row_cells += 1;
                    at_cell_start = true;
                }
                '\r' => {}
                '\n' => {
                    ends.push(text.len() as u32);
                    finish_row(
                        &mut text,
                        &mut ends,
                        &mut header,
                        &mut width,
                        &mut row_cells,
                        &mut row_start,
                    );
                    at_cell_start = true;
                }
                ' ' if at_cell_start => {}
                c => {
                    text.push(c);
                    at_cell_start = false;
                }
            }
        }
        if row_start < ends.len() || !at_cell_start {
            ends.push(text.len() as u32);
            finish_row(
                &mut text,
                &mut ends,
                &mut header,
                &mut width,
                &mut row_cells,
                &mut row_start,
            );
        }
        Csv {
            header: header.unwrap_or_default(),
            text,
            ends,
            width,
        }
    }

    fn rows(&self) -> usize {
        self.ends.len() / self.width.max(1)
    }

    fn cell(&self, row: usize, col: usize) -> &str {
        let i = row * self.width + col;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// FEBRL's `rec-N-org` / `rec-N-dup-K` → `N`; other labels as they are.
fn entity(label: &str) -> &str {
    label
        .strip_prefix("rec-")
        .and_then(|rest| rest.split('-').next())
        .unwrap_or(label)
}

fn main() {
    let args = Args::parse();
    let config = args.resolve_config();

    let mut times = StepTimes::start();
    let (files, read): (Vec<Csv>, _) = timed(|| args.files.iter().map(|f| Csv::read(f)).collect());
    times.read = read;
    let records = Records::new(files);
    let header = records.header();
    let missing = resolve::missing_columns(&config, &header);
    if !missing.is_empty() {
        println!("columns read as empty: {}", missing.join(", "));
    }

    let run = EngineRun::run(&config, &records, &header, &mut times);
    let ((), write) = timed(|| {
        if let Some(path) = &args.out {
            write_clusters(path, &records, &run.clustering);
        }
    });
    times.write = write;
    // The engine's time leaves out reading and writing files.
    times.engine = times.started.elapsed() - times.read - times.write;

    print_summary(&run, records.len);
    times.print();

    let Some(truth) = records.truth() else {
        println!("no truth column (true_id or rec_id): no scores");
        return;
    };
    let dataset = datasets_to_link(&config, &run.table);
    print_scores(&config, &run, &truth, dataset);
    if args.show_errors > 0 {
        let report = ErrorReport {
            run: &run,
            truth: &truth,
            dataset,
            limit: args.show_errors,
        };
        report.print(args.only.as_deref());
    }
}

/// What the command line asks for.
struct Args {
    /// A built-in setup's name or a TOML file.
    config: String,
    files: Vec<String>,
    threshold: Option<f64>,
    /// Where to write each record's cluster.
    out: Option<String>,
    /// How many examples of each kind of error to show; 0 shows none.
    show_errors: usize,
    /// Show only the missed pairs whose levels contain this text.
    only: Option<String>,
}

impl Args {
    /// Reads the command line; exits with the usage line when it names no setup.
    fn parse() -> Args {
        let mut threshold = None;
        let mut show_errors = 0usize;
        let mut only: Option<String> = None;
        let mut out: Option<String> = None;
        let mut positional = Vec::new();
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            if a == "--out" {
                out = it.next();
            } else if a == "--show-errors" {
                show_errors = it.next().and_then(|t| t.parse().ok()).unwrap_or(5);
            } else if a == "--only" {
                only = it.next();
            } else if a == "--threshold" {
                threshold = it.next().and_then(|t| t.parse::<f64>().ok());
            } else {
                positional.push(a);
            }
        }
        let Some((config, files)) = positional.split_first() else {
            eprintln!("usage: er_eval CONFIG FILE [FILE2] [--threshold P]");
            std::process::exit(2);
        };
        Args {
            config: config.clone(),
            files: files.to_vec(),
            threshold,
            out,
            show_errors,
            only,
        }
    }

    /// The named setup with the command line's threshold; two files are linked.
    fn resolve_config(&self) -> ResolveConfig {
        let name = &self.config;
        let mut config = ResolveConfig::preset(name).unwrap_or_else(|| {
            let text = std::fs::read_to_string(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            ResolveConfig::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        if let Some(t) = self.threshold {
            config.threshold = t;
        }
        if self.files.len() == 2 {
            config.mode = Mode::Link;
        }
        config
    }
}

/// Runs `step` and returns what it made and how long it took.
fn timed<T>(step: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let made = step();
    (made, started.elapsed())
}

/// How long each step took, for the `time:` line.
struct StepTimes {
    started: Instant,
    read: Duration,
    prepare: Duration,
    block: Duration,
    compare: Duration,
    train: Duration,
    score: Duration,
    cluster: Duration,
    write: Duration,
    engine: Duration,
}

impl StepTimes {
    /// Starts the clock of the whole run.
    fn start() -> StepTimes {
        StepTimes {
            started: Instant::now(),
            read: Duration::ZERO,
            prepare: Duration::ZERO,
            block: Duration::ZERO,
            compare: Duration::ZERO,
            train: Duration::ZERO,
            score: Duration::ZERO,
            cluster: Duration::ZERO,
            write: Duration::ZERO,
            engine: Duration::ZERO,
        }
    }

    /// Prints the `time:` line, whose total runs until now.
    fn print(&self) {
        println!(
            "time: read {:.2?}, prepare {:.2?}, block {:.2?}, compare {:.2?}, train {:.2?}, score {:.2?}, cluster {:.2?}, write {:.2?}; engine {:.2?}, total {:.2?}",
            self.read,
            self.prepare,
            self.block,
            self.compare,
            self.train,
            self.score,
            self.cluster,
            self.write,
            self.engine,
            self.started.elapsed()
        );
    }
}

/// The rows of all input files as one list of records, numbered file after file.
struct Records {
    files: Vec<Csv>,
    /// Per file, the number of its first record.
    offsets: Vec<usize>,
    len: usize,
}

impl Records {
    /// Joins files that have the same columns.
    fn new(files: Vec<Csv>) -> Records {
        let header = &files[0].header;
        for csv in &files[1..] {
            assert_eq!(&csv.header, header, "both files need the same columns");
        }
        let offsets: Vec<usize> = files
            .iter()
            .scan(0, |s, c| {
                let o = *s;
                *s += c.rows();
                Some(o)
            })
            .collect();
        let len = files.iter().map(Csv::rows).sum();
        Records {
            files,
            offsets,
            len,
        }
    }

    fn header(&self) -> Vec<&str> {
        self.files[0].header.iter().map(String::as_str).collect()
    }

    /// A record's file and its row in that file.
    fn locate(&self, record: usize) -> (usize, usize) {
        let f = self.offsets.iter().rposition(|&o| o <= record).unwrap_or(0);
        (f, record - self.offsets[f])
    }

    fn cell(&self, record: usize, col: usize) -> &str {
        let (f, row) = self.locate(record);
        self.files[f].cell(row, col)
    }

    /// Per record, its true entity from the `true_id` or `rec_id` column, when there is one.
    fn truth(&self) -> Option<Vec<u32>> {
        let column = ["true_id", "rec_id"]
            .into_iter()
            .find(|name| self.files[0].column(name).is_some())?;
        let labels: Vec<&str> = (0..self.len)
            .map(|r| {
                let (f, row) = self.locate(r);
                let file = &self.files[f];
                entity(file.cell(row, file.column(column).unwrap_or(0)))
            })
            .collect();
        Some(label_ids(&labels))
    }
}

/// What the engine's stages made of the records.
struct EngineRun {
    table: Table,
    comparisons: Vec<Comparison>,
    candidates: Candidates,
    model: Model,
    scored: Scored,
    clustering: Clustering,
}

impl EngineRun {
    /// Runs the stages from building the table to clustering, timing each.
    fn run(
        config: &ResolveConfig,
        records: &Records,
        header: &[&str],
        times: &mut StepTimes,
    ) -> EngineRun {
        let (table, prepare) = timed(|| {
            Table::build(
                config,
                header,
                records.len,
                |r, c| records.cell(r, c),
                |r| records.locate(r).0 as u8,
            )
        });
        let ((comparisons, candidates), block) = timed(|| {
            let comparisons = resolve::compile(config, &table);
            (comparisons, resolve::candidates(config, &table))
        });
        let (gammas, compare) =
            timed(|| resolve::compare_pairs(&comparisons, &table, &candidates.pairs));
        let (model, train) =
            timed(|| Model::train(config, &table, &comparisons, &candidates.pairs, &gammas));
        let (scored, score) = timed(|| {
            resolve::score(
                config,
                &model,
                &comparisons,
                &table,
                &candidates.pairs,
                &gammas,
            )
        });
        let (clustering, cluster) = timed(|| {
            resolve::cluster(
                table.len(),
                &scored.links,
                &resolve::constraints(config, &table, &scored),
            )
        });
        times.prepare = prepare;
        times.block = block;
        times.compare = compare;
        times.train = train;
        times.score = score;
        times.cluster = cluster;
        EngineRun {
            table,
            comparisons,
            candidates,
            model,
            scored,
            clustering,
        }
    }
}

/// Writes `record_id,cluster_id` per record, as `leadgate dedupe` writes it.
fn write_clusters(path: &str, records: &Records, clustering: &Clustering) {
    use std::io::Write;
    let id_col = ["record_id", "id", "rec_id"]
        .into_iter()
        .find_map(|n| records.files[0].column(n));
    let mut w = std::io::BufWriter::with_capacity(
        1 << 16,
        std::fs::File::create(path).expect("output file"),
    );
    writeln!(w, "record_id,cluster_id").expect("write");
    for r in 0..records.len {
        let id = id_col.map_or_else(|| (r + 1).to_string(), |c| records.cell(r, c).to_string());
        writeln!(w, "{id},{}", clustering.cluster_of[r]).expect("write");
    }
    w.flush().expect("write");
}

/// Prints the counts, what each blocking rule added and the trained weights.
fn print_summary(run: &EngineRun, records: usize) {
    let EngineRun {
        comparisons,
        candidates,
        model,
        scored,
        clustering,
        ..
    } = run;
    println!(
        "records {records}, candidate pairs {}, links {}, contradictions {}, clusters {}, refused merges {}",
        candidates.pairs.len(),
        scored.links.len(),
        scored.contradictions.len(),
        clustering.cluster_count(),
        clustering.refused
    );
    for rule in &candidates.per_rule {
        println!(
            "  rule {:<28} new pairs {:>10}  skipped blocks {} ({} records)",
            rule.fields.join("+"),
            rule.pairs,
            rule.skipped_blocks,
            rule.skipped_records
        );
    }
    println!(
        "model: lambda {:.6}, prior {:.3e}, {} EM iterations",
        model.lambda, model.prior, model.iterations
    );
    for (c, cmp) in comparisons.iter().enumerate() {
        let levels: Vec<String> = (1..cmp.level_count())
            .map(|l| {
                format!(
                    "{} {:+.1} (m {:.4} u {:.2e})",
                    cmp.labels[l],
                    model.level_weight(c, l as u8),
                    model.m[c][l],
                    model.u[c][l]
                )
            })
            .collect();
        println!("  {:<14} {}", cmp.name, levels.join(" | "));
    }
}

/// In link mode, per record its data set: pairs count only across data sets.
fn datasets_to_link<'a>(config: &ResolveConfig, table: &'a Table) -> Option<&'a [u8]> {
    (config.mode == Mode::Link).then_some(table.dataset.as_slice())
}

/// Prints blocking recall and pairwise precision, recall and F1 of the links and the
/// clusters.
fn print_scores(config: &ResolveConfig, run: &EngineRun, truth: &[u32], dataset: Option<&[u8]>) {
    println!(
        "blocking recall {:.5}",
        candidate_recall(&run.candidates.pairs, truth, dataset)
    );
    let link_pairs: Vec<resolve::Pair> = run.scored.links.iter().map(|l| (l.a, l.b)).collect();
    let before = pair_list_scores(&link_pairs, truth, dataset);
    println!(
        "pairs >= threshold {}: precision {:.4} recall {:.4} F1 {:.4}",
        config.threshold, before.precision, before.recall, before.f1
    );
    let after = pairwise_scores(&run.clustering.cluster_of, truth, dataset);
    println!(
        "clusters: precision {:.4} recall {:.4} F1 {:.4} (true pairs {}, predicted {}, correct {})",
        after.precision,
        after.recall,
        after.f1,
        after.true_pairs,
        after.predicted_pairs,
        after.correct_pairs
    );
}

/// The `--show-errors` report: the comparison levels the errors share most, and examples
/// with each record's values and the evidence for and against.
struct ErrorReport<'a> {
    run: &'a EngineRun,
    truth: &'a [u32],
    dataset: Option<&'a [u8]>,
    /// How many examples of each kind; twice as many level patterns.
    limit: usize,
}

impl ErrorReport<'_> {
    fn print(&self, only: Option<&str>) {
        self.print_link_errors();
        self.print_wrong_merges();
        self.print_unblocked();
        self.print_missed(only);
    }

    /// The level patterns of the true pairs clustering kept apart and of the false links.
    fn print_link_errors(&self) {
        let EngineRun {
            candidates,
            scored,
            clustering,
            ..
        } = self.run;
        let mut wrong: HashMap<Gamma, usize> = HashMap::default();
        let mut right: HashMap<Gamma, usize> = HashMap::default();
        for l in &scored.links {
            let g = self.gamma(l.a, l.b);
            if self.truth[l.a as usize] != self.truth[l.b as usize] {
                *wrong.entry(g).or_default() += 1;
            } else {
                *right.entry(g).or_default() += 1;
            }
        }
        let mut missed: HashMap<Gamma, usize> = HashMap::default();
        for &(a, b) in &candidates.pairs {
            if self.truth[a as usize] == self.truth[b as usize]
                && clustering.cluster_of[a as usize] != clustering.cluster_of[b as usize]
            {
                *missed.entry(self.gamma(a, b)).or_default() += 1;
            }
        }
        for (g, n) in most_common(missed).iter().take(self.limit * 2) {
            println!("missed pairs {n:>7}: {}", self.describe(*g));
        }
        for (g, n) in most_common(wrong).iter().take(self.limit * 2) {
            println!(
                "false links {n:>7} (true {:>6}): {}",
                right.get(g).copied().unwrap_or(0),
                self.describe(*g)
            );
        }
    }

    /// Merges that joined two different entities.
    fn print_wrong_merges(&self) {
        for m in self
            .run
            .clustering
            .merges
            .iter()
            .filter(|m| self.truth[m.a as usize] != self.truth[m.b as usize])
            .take(self.limit)
        {
            self.show_pair("WRONG MERGE", m.a, m.b);
        }
    }

    /// True pairs that no blocking rule made candidates: their level patterns and examples.
    fn print_unblocked(&self) {
        let candidate_set: HashSet<(u32, u32)> =
            self.run.candidates.pairs.iter().copied().collect();
        let mut members: HashMap<u32, Vec<u32>> = HashMap::default();
        for (r, &t) in self.truth.iter().enumerate() {
            members.entry(t).or_default().push(r as u32);
        }
        let mut unblocked: HashMap<Gamma, usize> = HashMap::default();
        let mut examples = Vec::new();
        for group in members.values() {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    let (a, b) = (a.min(b), a.max(b));
                    if self.dataset.is_some_and(|d| d[a as usize] == d[b as usize])
                        || candidate_set.contains(&(a, b))
                    {
                        continue;
                    }
                    *unblocked.entry(self.gamma(a, b)).or_default() += 1;
                    examples.push((a, b));
                }
            }
        }
        for (g, n) in most_common(unblocked).iter().take(self.limit * 2) {
            println!("not blocked {n:>7}: {}", self.describe(*g));
        }
        for &(a, b) in examples.iter().take(self.limit) {
            self.show_pair("NOT BLOCKED", a, b);
        }
    }

    /// True candidate pairs left unlinked and in different clusters, those whose levels
    /// contain `only` when it is given.
    fn print_missed(&self, only: Option<&str>) {
        let EngineRun {
            candidates,
            scored,
            clustering,
            ..
        } = self.run;
        let linked: HashSet<(u32, u32)> = scored.links.iter().map(|l| (l.a, l.b)).collect();
        let mut shown = 0;
        for &(a, b) in &candidates.pairs {
            if self.truth[a as usize] == self.truth[b as usize]
                && !linked.contains(&(a, b))
                && clustering.cluster_of[a as usize] != clustering.cluster_of[b as usize]
                && only.is_none_or(|o| self.describe(self.gamma(a, b)).contains(o))
            {
                self.show_pair("MISSED", a, b);
                shown += 1;
                if shown >= self.limit {
                    break;
                }
            }
        }
    }

    fn gamma(&self, a: u32, b: u32) -> Gamma {
        resolve::gamma(
            &self.run.comparisons,
            &self.run.table,
            a as usize,
            b as usize,
        )
    }

    /// A comparison vector as `name=level` words.
    fn describe(&self, g: Gamma) -> String {
        self.run
            .comparisons
            .iter()
            .enumerate()
            .map(|(c, cmp)| {
                format!(
                    "{}={}",
                    cmp.name,
                    cmp.labels[resolve::level_of(g, c) as usize]
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Prints a pair's weight, both records' values and the evidence of each comparison.
    fn show_pair(&self, title: &str, a: u32, b: u32) {
        let EngineRun {
            table,
            comparisons,
            model,
            ..
        } = self.run;
        let e = resolve::explain(model, comparisons, table, a, b);
        println!(
            "{title} {a}–{b}: weight {:+.1} (prior {:+.1}) p {:.4}",
            e.weight, e.prior_weight, e.probability
        );
        for col in &table.columns {
            println!(
                "    {:<14} {:?} | {:?}",
                col.name,
                col.get(a as usize).unwrap_or(""),
                col.get(b as usize).unwrap_or("")
            );
        }
        let ev: Vec<String> = e
            .evidence
            .iter()
            .map(|x| format!("{} {} {:+.1}", x.comparison, x.level, x.weight))
            .collect();
        println!("    {}", ev.join(", "));
    }
}

/// Counts by comparison vector, the most frequent first.
fn most_common(counts: HashMap<Gamma, usize>) -> Vec<(Gamma, usize)> {
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by_key(|w| Reverse(w.1));
    counts
}
