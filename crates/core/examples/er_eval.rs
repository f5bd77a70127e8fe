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

use std::time::Instant;

use leadgate_core::discovery::resolve::{
    self, Mode, ResolveConfig, Table, candidate_recall, label_ids, pair_list_scores,
    pairwise_scores,
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut threshold = None;
    let mut show_errors = 0usize;
    let mut only: Option<String> = None;
    let mut out: Option<String> = None;
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--out" {
            out = it.next().cloned();
        } else if a == "--show-errors" {
            show_errors = it.next().and_then(|t| t.parse().ok()).unwrap_or(5);
        } else if a == "--only" {
            only = it.next().cloned();
        } else if a == "--threshold" {
            threshold = it.next().and_then(|t| t.parse::<f64>().ok());
        } else {
            positional.push(a.clone());
        }
    }
    let [config_name, files @ ..] = positional.as_slice() else {
        eprintln!("usage: er_eval CONFIG FILE [FILE2] [--threshold P]");
        std::process::exit(2);
    };
    let mut config = ResolveConfig::preset(config_name).unwrap_or_else(|| {
        let text =
            std::fs::read_to_string(config_name).unwrap_or_else(|e| panic!("{config_name}: {e}"));
        ResolveConfig::parse(&text).unwrap_or_else(|e| panic!("{config_name}: {e}"))
    });
    if let Some(t) = threshold {
        config.threshold = t;
    }
    if files.len() == 2 {
        config.mode = Mode::Link;
    }

    let started = Instant::now();
    let mut t = Instant::now();
    let csvs: Vec<Csv> = files.iter().map(|f| Csv::read(f)).collect();
    let read = t.elapsed();
    let header: Vec<&str> = csvs[0].header.iter().map(String::as_str).collect();
    for csv in &csvs[1..] {
        assert_eq!(
            csv.header, csvs[0].header,
            "both files need the same columns"
        );
    }
    let offsets: Vec<usize> = csvs
        .iter()
        .scan(0, |s, c| {
            let o = *s;
            *s += c.rows();
            Some(o)
        })
        .collect();
    let total: usize = csvs.iter().map(Csv::rows).sum();
    let locate = |r: usize| {
        let f = offsets.iter().rposition(|&o| o <= r).unwrap_or(0);
        (f, r - offsets[f])
    };
    let missing = resolve::missing_columns(&config, &header);
    if !missing.is_empty() {
        println!("columns read as empty: {}", missing.join(", "));
    }

    t = Instant::now();
    let table = Table::build(
        &config,
        &header,
        total,
        |r, c| {
            let (f, row) = locate(r);
            csvs[f].cell(row, c)
        },
        |r| locate(r).0 as u8,
    );
    let built = t.elapsed();

    t = Instant::now();
    let comparisons = resolve::compile(&config, &table);
    let candidates = resolve::candidates(&config, &table);
    let blocked = t.elapsed();

    t = Instant::now();
    let gammas = resolve::compare_pairs(&comparisons, &table, &candidates.pairs);
    let compared = t.elapsed();

    t = Instant::now();
    let model = resolve::Model::train(&config, &table, &comparisons, &candidates.pairs, &gammas);
    let trained = t.elapsed();

    t = Instant::now();
    let scored = resolve::score(
        &config,
        &model,
        &comparisons,
        &table,
        &candidates.pairs,
        &gammas,
    );
    let scored_in = t.elapsed();

    t = Instant::now();
    let clustering = resolve::cluster(
        table.len(),
        &scored.links,
        &resolve::constraints(&config, &table, &scored),
    );
    let clustered = t.elapsed();

    // record_id,cluster_id, as `leadgate dedupe` writes it.
    t = Instant::now();
    if let Some(path) = &out {
        use std::io::Write;
        let id_col = ["record_id", "id", "rec_id"]
            .into_iter()
            .find_map(|n| csvs[0].column(n));
        let mut w = std::io::BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(path).expect("output file"),
        );
        writeln!(w, "record_id,cluster_id").expect("write");
        for r in 0..total {
            let (f, row) = locate(r);
            let id =
                id_col.map_or_else(|| (r + 1).to_string(), |c| csvs[f].cell(row, c).to_string());
            writeln!(w, "{id},{}", clustering.cluster_of[r]).expect("write");
        }
        w.flush().expect("write");
    }
    let written = t.elapsed();
    let engine = started.elapsed() - read - written;

    println!(
        "records {total}, candidate pairs {}, links {}, contradictions {}, clusters {}, refused merges {}",
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
    println!(
        "time: read {read:.2?}, prepare {built:.2?}, block {blocked:.2?}, compare {compared:.2?}, train {trained:.2?}, score {scored_in:.2?}, cluster {clustered:.2?}, write {written:.2?}; engine {engine:.2?}, total {:.2?}",
        started.elapsed()
    );

    let truth_column = ["true_id", "rec_id"]
        .into_iter()
        .find(|name| csvs[0].column(name).is_some());
    let Some(truth_column) = truth_column else {
        println!("no truth column (true_id or rec_id): no scores");
        return;
    };
    let labels: Vec<&str> = (0..total)
        .map(|r| {
            let (f, row) = locate(r);
            let col = csvs[f].column(truth_column).unwrap_or(0);
            entity(csvs[f].cell(row, col))
        })
        .collect();
    let truth = label_ids(&labels);
    let dataset = (config.mode == Mode::Link).then_some(table.dataset.as_slice());
    println!(
        "blocking recall {:.5}",
        candidate_recall(&candidates.pairs, &truth, dataset)
    );
    let link_pairs: Vec<resolve::Pair> = scored.links.iter().map(|l| (l.a, l.b)).collect();
    let before = pair_list_scores(&link_pairs, &truth, dataset);
    println!(
        "pairs >= threshold {}: precision {:.4} recall {:.4} F1 {:.4}",
        config.threshold, before.precision, before.recall, before.f1
    );
    let after = pairwise_scores(&clustering.cluster_of, &truth, dataset);
    println!(
        "clusters: precision {:.4} recall {:.4} F1 {:.4} (true pairs {}, predicted {}, correct {})",
        after.precision,
        after.recall,
        after.f1,
        after.true_pairs,
        after.predicted_pairs,
        after.correct_pairs
    );

    if show_errors > 0 {
        let describe = |g: resolve::Gamma| {
            comparisons
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
        };
        let mut wrong: std::collections::HashMap<resolve::Gamma, usize> = Default::default();
        let mut right: std::collections::HashMap<resolve::Gamma, usize> = Default::default();
        for l in &scored.links {
            let g = resolve::gamma(&comparisons, &table, l.a as usize, l.b as usize);
            if truth[l.a as usize] != truth[l.b as usize] {
                *wrong.entry(g).or_default() += 1;
            } else {
                *right.entry(g).or_default() += 1;
            }
        }
        let mut missed: std::collections::HashMap<resolve::Gamma, usize> = Default::default();
        for &(a, b) in &candidates.pairs {
            if truth[a as usize] == truth[b as usize]
                && clustering.cluster_of[a as usize] != clustering.cluster_of[b as usize]
            {
                *missed
                    .entry(resolve::gamma(&comparisons, &table, a as usize, b as usize))
                    .or_default() += 1;
            }
        }
        let mut missed: Vec<_> = missed.into_iter().collect();
        missed.sort_by_key(|w| std::cmp::Reverse(w.1));
        for (g, n) in missed.iter().take(show_errors * 2) {
            println!("missed pairs {n:>7}: {}", describe(*g));
        }
        let mut wrong: Vec<_> = wrong.into_iter().collect();
        wrong.sort_by_key(|w| std::cmp::Reverse(w.1));
        for (g, n) in wrong.iter().take(show_errors * 2) {
            println!(
                "false links {n:>7} (true {:>6}): {}",
                right.get(g).copied().unwrap_or(0),
                describe(*g)
            );
        }
        let show = |title: &str, a: u32, b: u32| {
            let e = resolve::explain(&model, &comparisons, &table, a, b);
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
        };
        for m in clustering
            .merges
            .iter()
            .filter(|m| truth[m.a as usize] != truth[m.b as usize])
            .take(show_errors)
        {
            show("WRONG MERGE", m.a, m.b);
        }
        let candidate_set: std::collections::HashSet<(u32, u32)> =
            candidates.pairs.iter().copied().collect();
        let mut members: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for (r, &t) in truth.iter().enumerate() {
            members.entry(t).or_default().push(r as u32);
        }
        let mut unblocked: std::collections::HashMap<resolve::Gamma, usize> = Default::default();
        let mut examples = Vec::new();
        for group in members.values() {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    let (a, b) = (a.min(b), a.max(b));
                    if dataset.is_some_and(|d| d[a as usize] == d[b as usize])
                        || candidate_set.contains(&(a, b))
                    {
                        continue;
                    }
                    *unblocked
                        .entry(resolve::gamma(&comparisons, &table, a as usize, b as usize))
                        .or_default() += 1;
                    examples.push((a, b));
                }
            }
        }
        let mut unblocked: Vec<_> = unblocked.into_iter().collect();
        unblocked.sort_by_key(|w| std::cmp::Reverse(w.1));
        for (g, n) in unblocked.iter().take(show_errors * 2) {
            println!("not blocked {n:>7}: {}", describe(*g));
        }
        for &(a, b) in examples.iter().take(show_errors) {
            show("NOT BLOCKED", a, b);
        }
        let linked: std::collections::HashSet<(u32, u32)> = link_pairs.iter().copied().collect();
        let mut shown = 0;
        for &(a, b) in &candidates.pairs {
            if truth[a as usize] == truth[b as usize]
                && !linked.contains(&(a, b))
                && clustering.cluster_of[a as usize] != clustering.cluster_of[b as usize]
                && only.as_ref().is_none_or(|o| {
                    describe(resolve::gamma(&comparisons, &table, a as usize, b as usize))
                        .contains(o.as_str())
                })
            {
                show("MISSED", a, b);
                shown += 1;
                if shown >= show_errors {
                    break;
                }
            }
        }
    }
}
