//! The dedupe benchmark file: one normalised row per source record, with the truth.

use leadgate_demo::{BENCHMARK_COLUMNS, DemoConfig, write_dedupe_benchmark};

use crate::support::{now, path, read_csv, world};

#[test]
fn one_row_per_source_record_with_the_same_values_and_the_truth() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench/dedupe.csv");

    // Act
    let rows = write_dedupe_benchmark(&DemoConfig { seed: 42, scale: 1 }, now(), &file).unwrap();

    // Assert
    let records = read_csv(&file, ',');
    assert_eq!(records[0], BENCHMARK_COLUMNS);
    assert_eq!(rows, records.len() - 1);
    assert_eq!(rows, world().source_rows.len());
    let truth = read_csv(&path("truth/people.csv"), ',');
    for (bench, t) in records[1..].iter().zip(&truth[1..]) {
        assert_eq!(bench[13], t[3], "true_id follows the truth file");
    }
    let apollo = read_csv(&path("sources/apollo_people.csv"), ',');
    assert_eq!(records[1][0], "apollo:1");
    assert_eq!(records[1][1], apollo[1][0]);
    assert_eq!(records[1][4], apollo[1][5]);
    let ids: std::collections::HashSet<&str> = records[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), rows);
}
