//! The scoring model from files, through the real binary and without a workspace: a small
//! history written here is learned into a version whose `--json` names it and its held-out
//! ROC AUC; the same seed gives the same version; predictions come back one per input row,
//! in order; and a wrong outcome column is named.

use std::path::Path;
use std::process::Command;

use crate::support::Run;

/// Leads whose chance rises with headcount and pricing visits and depends on the industry,
/// from a fixed generator, so the file is the same on every run.
pub(crate) fn history(rows: usize) -> String {
    let mut state: u64 = 7;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let industries = ["software", "fintech", "retail", "NA"];
    let mut text = String::from("lead_id;employees;industry;pricing_visits;converted\n");
    for id in 0..rows {
        let employees = 5 + next(2000);
        let industry = industries[next(4) as usize];
        let visits = next(6);
        let logit = -2.0
            + if employees > 200 { 1.0 } else { 0.0 }
            + if industry == "software" { 1.0 } else { 0.0 }
            + 0.6 * visits as f64;
        let p = 1.0 / (1.0 + (-logit).exp());
        let won = (next(10_000) as f64) < p * 10_000.0;
        let outcome = if won { "yes" } else { "no" };
        text.push_str(&format!("{id};{employees};{industry};{visits};{outcome}\n"));
    }
    text
}

fn leadgate(dir: &Path, args: &[&str]) -> Run {
    Run(Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(args)
        .current_dir(dir)
        .env_remove("LEADGATE_WORKSPACE")
        .env("LEADGATE_NOW", "2026-12-04T09:00:00Z")
        .output()
        .expect("the leadgate binary runs"))
}

fn train(dir: &Path) -> serde_json::Value {
    leadgate(
        dir,
        &[
            "model",
            "train",
            "--history",
            "history.csv",
            "--label",
            "converted",
            "--positive",
            "yes",
            "--exclude",
            "lead_id",
            "--pairs",
            "2",
            "--json",
        ],
    )
    .ok()
    .json()
}

#[test]
fn a_history_is_learned_into_a_version_with_its_held_out_auc() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("history.csv"), history(800)).unwrap();

    let trained = train(dir.path());

    let version = trained["version"].as_str().unwrap();
    assert!(version.starts_with("m-20261204-"), "{version}");
    let auc = trained["roc_auc"].as_f64().unwrap();
    assert!(auc > 0.65 && auc < 1.0, "roc_auc {auc}");
    let stored = dir.path().join("models").join(format!("{version}.json"));
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(stored).unwrap()).unwrap();
    assert_eq!(stored["summary"]["rows"], 800);
    assert_eq!(
        stored["cross_validation"]["probabilities"]
            .as_array()
            .unwrap()
            .len(),
        800
    );
}

#[test]
fn the_same_seed_gives_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("history.csv"), history(500)).unwrap();

    let first = train(dir.path());
    let second = train(dir.path());

    assert_eq!(first["version"], second["version"]);
    assert_eq!(first["roc_auc"], second["roc_auc"]);
}

#[test]
fn predictions_come_back_one_per_row_in_the_order_of_the_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("history.csv"), history(600)).unwrap();
    let version = train(dir.path())["version"].as_str().unwrap().to_string();
    let rows = ["20;retail;0", "1500;software;5", ";;", "20;retail;0"];
    let write = |name: &str, rows: &[&str]| {
        let text = format!("employees;industry;pricing_visits\n{}\n", rows.join("\n"));
        std::fs::write(dir.path().join(name), text).unwrap();
    };
    write("in.csv", &rows);
    let reversed: Vec<&str> = rows.iter().rev().copied().collect();
    write("reversed.csv", &reversed);

    for (input, out) in [("in.csv", "out.csv"), ("reversed.csv", "reversed_out.csv")] {
        leadgate(
            dir.path(),
            &[
                "model", "predict", "--model", &version, "--input", input, "--out", out,
            ],
        )
        .ok();
    }

    let read = |name: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        text.lines().map(str::to_string).collect()
    };
    let out = read("out.csv");
    let back = read("reversed_out.csv");
    assert!(
        out[0].starts_with("probability,score,points employees"),
        "{}",
        out[0]
    );
    assert_eq!(out.len(), 5);
    assert_eq!(out[1], out[4]);
    assert_ne!(out[1], out[2]);
    let score = |line: &str| line.split(',').nth(1).unwrap().parse::<i64>().unwrap();
    assert!(
        score(&out[2]) > score(&out[1]),
        "the busy software lead scores higher"
    );
    assert_eq!(
        out[1..].iter().rev().collect::<Vec<_>>(),
        back[1..].iter().collect::<Vec<_>>()
    );
}

#[test]
fn a_wrong_outcome_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("history.csv"), history(50)).unwrap();

    leadgate(
        dir.path(),
        &[
            "model",
            "train",
            "--history",
            "history.csv",
            "--label",
            "closed_won",
        ],
    )
    .fails_with("history.csv: column `closed_won`: no such column");
}

#[test]
fn words_in_a_number_column_name_the_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("history.csv"), history(300)).unwrap();
    let version = train(dir.path())["version"].as_str().unwrap().to_string();
    let input = "employees;industry;pricing_visits\n20;retail;0\nmany;retail;1\n";
    std::fs::write(dir.path().join("in.csv"), input).unwrap();

    leadgate(
        dir.path(),
        &[
            "model", "predict", "--model", &version, "--input", "in.csv", "--out", "o.csv",
        ],
    )
    .fails_with("in.csv:2:employees: `many` is not a number");
}
