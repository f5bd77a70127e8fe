//! `leadgate dedupe` through the real binary: a file of people in several sources with
//! known duplicates, read with snake_case headers, with an export's preset headers, with a
//! setup file, and a setup file with a bad key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIRST: [&str; 20] = [
    "Jane", "John", "Maria", "Omar", "Wei", "Anna", "Lukas", "Sofia", "Arjun", "Emma", "Noah",
    "Chloé", "Mateo", "Aisha", "Liam", "Yuki", "Elif", "Hugo", "Nora", "Ravi",
];
const LAST: [&str; 15] = [
    "Doe", "Roe", "Müller", "Rossi", "Chen", "Novak", "Silva", "Kowalski", "Haddad", "Berg",
    "Dubois", "Kim", "Patel", "Nagy", "Olsen",
];

/// 300 people at 60 companies: an Apollo-like row each; every second person again as a CRM
/// row (upper-case name, same address, no profile), every third as a Sales Navigator-like
/// row (no address, same profile, legal form on the company). Columns: id, first, last,
/// email, company, website, linkedin; and the true person of each row.
fn people() -> (Vec<[String; 7]>, Vec<usize>) {
    let (mut rows, mut truth) = (Vec::new(), Vec::new());
    for i in 0..300usize {
        let (first, last) = (FIRST[i % 20], LAST[(i / 20) % 15]);
        let company = format!("Firm{}", i % 60);
        let domain = format!("firm{}.com", i % 60);
        let fold = |s: &str| s.to_lowercase().replace('é', "e").replace('ü', "ue");
        let email = format!("{}.{}@{domain}", fold(first), fold(last));
        let profile = format!(
            "https://www.linkedin.com/in/{}-{}-{i:04x}",
            fold(first),
            fold(last)
        );
        let mut push = |row: [String; 6]| {
            let [a, b, c, d, e, f] = row;
            rows.push([format!("r{}", rows.len() + 1), a, b, c, d, e, f]);
            truth.push(i);
        };
        push([
            first.into(),
            last.into(),
            email.clone(),
            company.clone(),
            format!("https://www.{domain}/"),
            profile.clone(),
        ]);
        if i % 2 == 0 {
            push([
                first.to_uppercase(),
                last.to_uppercase(),
                email.to_uppercase(),
                company.clone(),
                String::new(),
                String::new(),
            ]);
        }
        if i % 3 == 0 {
            push([
                first.into(),
                last.into(),
                String::new(),
                format!("{company} Inc."),
                String::new(),
                profile,
            ]);
        }
    }
    (rows, truth)
}

fn write_csv(path: &Path, header: &[&str], rows: &[[String; 7]]) {
    let mut text = header.join(",") + "\n";
    for row in rows {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn dedupe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .arg("dedupe")
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The output file as (record_id, cluster_id) rows.
fn clusters(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("record_id,cluster_id"));
    lines
        .map(|l| {
            let (id, cluster) = l.split_once(',').unwrap();
            (id.to_string(), cluster.to_string())
        })
        .collect()
}

/// Pairwise precision and recall of `clusters` against `truth`.
fn scores(clusters: &[(String, String)], truth: &[usize]) -> (f64, f64) {
    let (mut correct, mut predicted, mut true_pairs) = (0usize, 0usize, 0usize);
    for i in 0..truth.len() {
        for j in i + 1..truth.len() {
            let same_cluster = clusters[i].1 == clusters[j].1;
            let same_person = truth[i] == truth[j];
            predicted += usize::from(same_cluster);
            true_pairs += usize::from(same_person);
            correct += usize::from(same_cluster && same_person);
        }
    }
    (
        correct as f64 / predicted.max(1) as f64,
        correct as f64 / true_pairs.max(1) as f64,
    )
}

fn temp(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn snake_case_and_preset_headers_resolve_the_same_people() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let (rows, truth) = people();
    let snake = temp(&dir, "snake.csv");
    write_csv(
        &snake,
        &[
            "id",
            "first_name",
            "last_name",
            "email",
            "company_name",
            "website",
            "linkedin_url",
        ],
        &rows,
    );
    let apollo = temp(&dir, "apollo.csv");
    write_csv(
        &apollo,
        &[
            "Apollo Contact Id",
            "First Name",
            "Last Name",
            "Email",
            "Company",
            "Website",
            "Person Linkedin Url",
        ],
        &rows,
    );
    let (out_snake, out_apollo) = (temp(&dir, "snake_out.csv"), temp(&dir, "apollo_out.csv"));

    // Act
    let run = dedupe(&[
        snake.to_str().unwrap(),
        "--out",
        out_snake.to_str().unwrap(),
        "--json",
    ]);
    let run_apollo = dedupe(&[
        apollo.to_str().unwrap(),
        "--out",
        out_apollo.to_str().unwrap(),
        "--id-column",
        "Apollo Contact Id",
    ]);

    // Assert
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run_apollo.status.success(),
        "{}",
        String::from_utf8_lossy(&run_apollo.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["records"], rows.len());
    assert_eq!(summary["clusters"], 300);
    assert_eq!(summary["setup"], "contacts");
    let model = &summary["model"];
    assert_eq!(model["training"]["fell_back"], false, "{model}");
    let name = model["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["comparison"] == "name")
        .expect("every comparison's levels are shown");
    let exact = &name["levels"][0];
    assert_eq!(exact["level"], "exact");
    assert!(
        exact["weight"].as_f64().unwrap() > 0.0 && exact["m"].as_f64().unwrap() > 0.0,
        "{exact}"
    );

    let found = clusters(&out_snake);
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    let expected: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids, expected,
        "one row per record, in input order, with its id"
    );
    let (precision, recall) = scores(&found, &truth);
    assert!(
        precision >= 0.99 && recall >= 0.99,
        "P {precision} R {recall}"
    );
    assert_eq!(
        clusters(&out_apollo),
        found,
        "preset headers read as the same columns"
    );
    let stderr = String::from_utf8_lossy(&run_apollo.stderr);
    assert!(stderr.contains("300 clusters"), "{stderr}");
}

#[test]
fn a_setup_file_is_used_and_a_bad_key_is_named() {
    // Arrange: a setup that knows only e-mail addresses and names. (An address alone is
    // not enough: u of its exact level comes from random pairs, which in a file this small
    // hold the true pairs themselves, and the one comparison cannot outweigh the prior.)
    let dir = tempfile::tempdir().unwrap();
    let (rows, truth) = people();
    let input = temp(&dir, "people.csv");
    write_csv(
        &input,
        &[
            "record_id",
            "first_name",
            "last_name",
            "email",
            "company_name",
            "website",
            "linkedin_url",
        ],
        &rows,
    );
    let setup = r#"
        blocking = [["email"]]
        [[fields]]
        name = "email"
        from = [{ column = "email", prepare = "email" }]
        [[fields]]
        name = "name"
        from = [{ column = "first_name", with = ["last_name"], prepare = "person" }]
        [[comparisons]]
        name = "email"
        field = "email"
        levels = [{ kind = "exact" }]
        [[comparisons]]
        name = "name"
        field = "name"
        levels = [{ kind = "exact" }]
    "#;
    let good = temp(&dir, "email_only.toml");
    std::fs::write(&good, setup).unwrap();
    let bad = temp(&dir, "bad.toml");
    std::fs::write(&bad, setup.replace("prepare = ", "prepair = ")).unwrap();
    let out = temp(&dir, "out.csv");

    // Act
    let run = dedupe(&[
        input.to_str().unwrap(),
        "--config",
        good.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let refused = dedupe(&[
        input.to_str().unwrap(),
        "--config",
        bad.to_str().unwrap(),
        "--out",
        temp(&dir, "never.csv").to_str().unwrap(),
    ]);

    // Assert: Apollo and CRM rows share an address and join; Sales Navigator rows have
    // none and stay alone.
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let found = clusters(&out);
    let mut by_cluster: HashMap<&str, Vec<usize>> = HashMap::new();
    for (r, (_, cluster)) in found.iter().enumerate() {
        by_cluster.entry(cluster.as_str()).or_default().push(r);
    }
    let joined = by_cluster.values().filter(|m| m.len() > 1).count();
    assert_eq!(
        joined, 150,
        "every second person has an Apollo and a CRM row"
    );
    assert!(
        by_cluster
            .values()
            .all(|m| m.iter().all(|&r| truth[r] == truth[m[0]]))
    );

    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("bad.toml") && err.contains("prepair"), "{err}");
    assert!(!temp(&dir, "never.csv").exists());
}

#[test]
fn a_missing_id_column_names_the_file_and_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = temp(&dir, "people.csv");
    std::fs::write(&input, "first_name,last_name\nJane,Doe\n").unwrap();
    let run = dedupe(&[
        input.to_str().unwrap(),
        "--id-column",
        "contact_id",
        "--out",
        temp(&dir, "out.csv").to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("people.csv")
            && err.contains("contact_id")
            && err.contains("first_name, last_name"),
        "{err}"
    );
}
