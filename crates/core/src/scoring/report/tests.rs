use super::*;
use crate::scoring::metrics::Z_95;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("test timestamp")
}

/// 200 leads whose conversion chance rises with the probability, labelled by a fixed
/// pseudo-random sequence so the figures are reproducible and not perfect.
fn evaluation(n: u32, shift: f64) -> Evaluation {
    let mut probabilities = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let x = f64::from(i) / f64::from(n);
        let p = (0.02 + 0.5 * x * x).min(0.99);
        let draw = f64::from((i * 7919 + 13) % 101) / 101.0;
        probabilities.push(p);
        labels.push(draw < p + shift);
    }
    Evaluation {
        probabilities,
        labels,
    }
}

fn shares(name: &str, bins: &[(&str, f64)]) -> FeatureShares {
    FeatureShares {
        name: name.to_string(),
        bins: bins
            .iter()
            .map(|&(label, share)| BinShare {
                label: label.to_string(),
                share,
            })
            .collect(),
    }
}

fn input(cross_validated: Evaluation) -> ReportInput {
    let conversions = cross_validated.labels.iter().filter(|&&y| y).count() as u64;
    ReportInput {
        version: "v3".to_string(),
        trained_at: at("2026-11-30T09:00:00Z"),
        trained_by: Some("ana@example.com".to_string()),
        training_rows: cross_validated.labels.len() as u64,
        training_conversions: conversions,
        cross_validated,
        folds: Vec::new(),
        out_of_time: None,
        features: Vec::new(),
        previous: None,
        points: Vec::new(),
        capacity: None,
    }
}

/// The small fixed input of the snapshot: every block present.
fn full_input() -> ReportInput {
    let mut input = input(evaluation(200, 0.0));
    input.folds = (1..=2)
        .map(|fold| FoldMetrics {
            fold,
            rows: 100,
            roc_auc: Some(0.80 + f64::from(fold) / 100.0),
            brier: 0.15,
            log_loss: 0.45,
            fit_seconds: 0.25,
        })
        .collect();
    let test = evaluation(100, 0.08);
    input.out_of_time = Some(OutOfTimeInput {
        train_window: Window {
            from: "2025-01-01".into(),
            to: "2025-12-31".into(),
        },
        test_window: Window {
            from: "2026-01-01".into(),
            to: "2026-03-31".into(),
        },
        train_scores: evaluation(200, 0.0).probabilities,
        test,
    });
    input.features = vec![
        shares(
            "industry",
            &[("SaaS", 0.5), ("Retail", 0.3), ("other", 0.2)],
        ),
        shares("employees", &[("1-49", 0.4), ("50+", 0.6)]),
    ];
    input.previous = Some(PreviousVersion {
        version: "v2".into(),
        features: vec![
            shares(
                "industry",
                &[("SaaS", 0.2), ("Retail", 0.5), ("other", 0.3)],
            ),
            shares("employees", &[("1-49", 0.45), ("50+", 0.55)]),
            shares("region", &[("EU", 1.0)]),
        ],
    });
    input.points = vec![
        PointsTerm::Main {
            feature: "pricing page visits, 7 days".into(),
            rows: vec![
                PointsRow {
                    label: "none".into(),
                    points: -6.0,
                    share: 0.7,
                },
                PointsRow {
                    label: "once".into(),
                    points: 4.0,
                    share: 0.2,
                },
                PointsRow {
                    label: "twice or more".into(),
                    points: 18.0,
                    share: 0.1,
                },
            ],
        },
        PointsTerm::Pair {
            a: "industry".into(),
            b: "employees".into(),
            a_labels: vec!["SaaS".into(), "Retail".into()],
            b_labels: vec!["1-49".into(), "50+".into()],
            points: vec![vec![2.0, -1.5], vec![0.0, 3.0]],
        },
    ];
    input.capacity = Some(30);
    input
}

fn performance_with(mean_predicted: f64, base_rate: f64) -> Performance {
    Performance {
        rows: 1_000,
        conversions: (base_rate * 1_000.0).round() as u64,
        base_rate,
        mean_predicted,
        roc_auc: Some(0.8),
        pr_auc: Some(0.4),
        brier: 0.1,
        base_rate_brier: base_rate * (1.0 - base_rate),
        log_loss: 0.3,
        ece: 0.01,
        reliability: Vec::new(),
        lift: Vec::new(),
    }
}

#[test]
fn text_report_of_a_small_fixed_input() {
    let report = build(&full_input());
    insta::assert_snapshot!(report.to_text());
}

#[test]
fn auc_drop_warns_only_beyond_three_hundredths() {
    // 0.80 − 0.77 is 0.0300000000000000266 in floating point: still at the limit.
    assert_eq!(auc_drop_finding(0.80, 0.77), None);
    assert_eq!(auc_drop_finding(0.80, 0.7701), None);
    let finding = auc_drop_finding(0.80, 0.7699).expect("0.0301 is beyond the limit");
    assert_eq!(finding.kind, FindingKind::OutOfTimeAucDrop);
    assert_eq!(finding.severity, Severity::Warning);
    // Better out of time than cross-validated is no warning.
    assert_eq!(auc_drop_finding(0.80, 0.85), None);
}

#[test]
fn score_psi_warns_only_above_a_quarter() {
    assert_eq!(score_psi_finding(0.25), None);
    assert_eq!(score_psi_finding(0.2499), None);
    let finding = score_psi_finding(0.2501).expect("above 0.25");
    assert_eq!(finding.kind, FindingKind::ScoreDrift);
}

#[test]
fn calibration_warns_only_beyond_twenty_percent_either_way() {
    // Observed 62.5 %: 75 % and 50 % are exactly 20 % away (exact in binary).
    let basis = Basis::CrossValidated;
    assert_eq!(
        calibration_finding(&performance_with(0.75, 0.625), basis),
        None
    );
    assert_eq!(
        calibration_finding(&performance_with(0.50, 0.625), basis),
        None
    );
    let over = calibration_finding(&performance_with(0.7501, 0.625), basis).expect("over");
    assert_eq!(over.kind, FindingKind::CalibrationGap);
    assert!(over.detail.contains("more conversions than happened"));
    let under = calibration_finding(&performance_with(0.4999, 0.625), basis).expect("under");
    assert!(under.detail.contains("fewer conversions than happened"));
}

#[test]
fn calibration_with_no_observed_conversion_warns_on_any_prediction() {
    let basis = Basis::OutOfTime;
    let finding = calibration_finding(&performance_with(0.05, 0.0), basis).expect("warns");
    assert_eq!(finding.measured, None);
    assert!(finding.title.contains("newest window"));
    assert_eq!(
        calibration_finding(&performance_with(0.0, 0.0), basis),
        None
    );
}

#[test]
fn feature_psi_notes_above_a_tenth_and_warns_above_a_quarter() {
    assert_eq!(feature_psi_finding("industry", 0.1), None);
    let note = feature_psi_finding("industry", 0.1001).expect("note");
    assert_eq!(note.severity, Severity::Note);
    assert_eq!(note.subject.as_deref(), Some("industry"));
    let still_note = feature_psi_finding("industry", 0.25).expect("note at the limit");
    assert_eq!(still_note.severity, Severity::Note);
    let warning = feature_psi_finding("industry", 0.2501).expect("warning");
    assert_eq!(warning.severity, Severity::Warning);
}

fn sufficiency_of(rows: u64, conversions: u64) -> Sufficiency {
    let mut input = input(evaluation(200, 0.0));
    input.training_rows = rows;
    input.training_conversions = conversions;
    build(&input).sufficiency
}

#[test]
fn a_thousand_leads_and_120_conversions_are_enough_one_less_of_either_is_not() {
    assert!(sufficiency_of(1_000, 120).sufficient);
    assert_eq!(sufficiency_finding(&sufficiency_of(1_000, 120)), None);
    for (rows, conversions) in [(999, 120), (1_000, 119)] {
        let sufficiency = sufficiency_of(rows, conversions);
        assert!(
            !sufficiency.sufficient,
            "{rows} rows, {conversions} conversions"
        );
        let finding = sufficiency_finding(&sufficiency).expect("a finding");
        assert_eq!(finding.kind, FindingKind::DataSufficiency);
        assert_eq!(finding.severity, Severity::Warning);
        assert!(finding.detail.contains("rule-based points model"));
    }
}

#[test]
fn too_little_history_shows_how_wide_the_uncertainty_is() {
    // 200 leads: the base rate's Wilson interval and the AUC's Hanley–McNeil interval are
    // both in the finding, and both are wide.
    let report = build(&input(evaluation(200, 0.0)));
    let s = &report.sufficiency;
    assert!(!s.sufficient);
    let (low, high) = s.base_rate_interval;
    assert!(high - low > 0.1, "{low}..{high}");
    let (auc_low, auc_high) = s.roc_auc_interval.expect("both classes present");
    assert!(auc_high - auc_low > 0.1);
    let finding = &report.findings[0];
    assert_eq!(finding.kind, FindingKind::DataSufficiency);
    assert!(finding.detail.contains(&text::pct(low)));
    assert!(finding.detail.contains(&text::prob(auc_low)));
    assert!(report.needs_reason());
}

#[test]
fn hanley_mcneil_by_hand() {
    // AUC 0.8 on 50 and 50: Q1 = 0.8/1.2, Q2 = 1.28/1.8,
    // var = (0.16 + 49(Q1 − 0.64) + 49(Q2 − 0.64)) / 2500 = 0.00198044, SE = 0.0445021.
    let (low, high) = hanley_mcneil(0.8, 50, 50);
    assert!((low - (0.8 - Z_95 * 0.044_502_1)).abs() < 1e-6, "{low}");
    assert!((high - (0.8 + Z_95 * 0.044_502_1)).abs() < 1e-6, "{high}");
    assert_eq!(hanley_mcneil(0.8, 0, 50), (0.0, 1.0));
}

fn ten_leads() -> Evaluation {
    // Probabilities 0.95, 0.85, …, 0.05; the 1st, 2nd, 4th and 7th convert.
    Evaluation {
        probabilities: (0..10).map(|i| 0.95 - 0.1 * f64::from(i)).collect(),
        labels: [
            true, true, false, true, false, false, true, false, false, false,
        ]
        .to_vec(),
    }
}

#[test]
fn the_capacity_row_sends_the_most_leads_that_fit() {
    let mut input = input(ten_leads());
    input.capacity = Some(3);
    let report = build(&input);
    let marked: Vec<_> = report
        .thresholds
        .iter()
        .filter(|t| t.fits_capacity)
        .collect();
    assert_eq!(marked.len(), 1);
    let row = marked[0];
    // Top 3: 0.95 ✓, 0.85 ✓, 0.75 ✗ → precision 2/3, recall 2/4; nurture 2 of 7.
    assert_eq!(row.outreach, 3);
    assert!((row.threshold - 0.75).abs() < 1e-12);
    assert!((row.precision - 2.0 / 3.0).abs() < 1e-12);
    assert!((row.recall - 0.5).abs() < 1e-12);
    assert!((row.nurture_conversion_rate.unwrap() - 2.0 / 7.0).abs() < 1e-12);
    // Rows go from the highest threshold down; the last sends everyone.
    let last = report.thresholds.last().unwrap();
    assert_eq!(last.outreach, 10);
    assert_eq!(last.nurture_conversion_rate, None);
    assert!(
        report
            .thresholds
            .windows(2)
            .all(|w| w[0].threshold > w[1].threshold)
    );
}

#[test]
fn tied_scores_never_push_the_capacity_row_over_capacity() {
    // Three leads tie at 0.8 behind one at 0.9: capacity 3 cannot take the tie, so the
    // marked row sends only the top lead.
    let mut input = input(Evaluation {
        probabilities: vec![0.9, 0.8, 0.8, 0.8, 0.1],
        labels: vec![true, false, true, false, false],
    });
    input.capacity = Some(3);
    let report = build(&input);
    let row = report.thresholds.iter().find(|t| t.fits_capacity).unwrap();
    assert_eq!(row.outreach, 1);
    // Capacity 4 takes the whole tie.
    input.capacity = Some(4);
    let report = build(&input);
    let row = report.thresholds.iter().find(|t| t.fits_capacity).unwrap();
    assert_eq!(row.outreach, 4);
}

#[test]
fn capacity_beyond_every_lead_marks_the_row_that_sends_all_and_zero_marks_none() {
    let mut input = input(ten_leads());
    input.capacity = Some(50);
    let report = build(&input);
    let row = report.thresholds.iter().find(|t| t.fits_capacity).unwrap();
    assert_eq!(row.outreach, 10);
    input.capacity = Some(0);
    assert!(build(&input).thresholds.iter().all(|t| !t.fits_capacity));
    assert!(
        build(&input)
            .to_text()
            .contains("even the top score's leads exceed it")
    );
}

#[test]
fn lift_and_gains_by_decile_on_ten_leads() {
    let report = build(&input(ten_leads()));
    let lift = &report.cross_validated.lift;
    assert_eq!(lift.len(), 10);
    // Base rate 4/10; the top lead converted: lift 1/0.4 = 2.5.
    assert!((lift[0].lift - 2.5).abs() < 1e-12);
    assert!((lift[1].cumulative_conversion_share - 0.5).abs() < 1e-12);
    assert!((lift[9].cumulative_conversion_share - 1.0).abs() < 1e-12);
    assert!((lift[9].cumulative_lead_share - 1.0).abs() < 1e-12);
}

#[test]
fn the_threshold_table_and_calibration_use_the_newest_window_when_there_is_one() {
    let mut input = input(evaluation(200, 0.0));
    input.out_of_time = Some(OutOfTimeInput {
        train_window: Window {
            from: "a".into(),
            to: "b".into(),
        },
        test_window: Window {
            from: "c".into(),
            to: "d".into(),
        },
        test: ten_leads(),
        train_scores: ten_leads().probabilities,
    });
    let report = build(&input);
    assert_eq!(report.decision_basis, Basis::OutOfTime);
    assert_eq!(report.thresholds.last().unwrap().outreach, 10);
    assert_eq!(report.decision_performance().rows, 10);
}

#[test]
fn feature_drift_compares_bins_by_label_and_lists_new_and_dropped_features() {
    let report = build(&full_input());
    let drift = report.feature_drift.as_ref().unwrap();
    assert_eq!(drift.previous_version, "v2");
    let by_name = |name: &str| drift.features.iter().find(|f| f.name == name).unwrap();
    let industry = by_name("industry");
    let expected = metrics::psi(&[0.2, 0.5, 0.3], &[0.5, 0.3, 0.2]);
    assert!((industry.psi.unwrap() - expected).abs() < 1e-12);
    assert_eq!(industry.status, DriftStatus::Shifted);
    assert_eq!(by_name("employees").status, DriftStatus::Stable);
    assert_eq!(by_name("region").status, DriftStatus::Dropped);
    assert_eq!(by_name("region").psi, None);
}

#[test]
fn a_feature_bin_only_one_version_has_counts_as_empty_in_the_other() {
    let previous = PreviousVersion {
        version: "v1".into(),
        features: vec![shares("stage", &[("seed", 1.0)])],
    };
    let now = [shares("stage", &[("seed", 0.5), ("series A", 0.5)])];
    let drift = feature_drift(&now, &previous);
    let expected = metrics::psi(&[1.0, 0.0], &[0.5, 0.5]);
    assert!((drift.features[0].psi.unwrap() - expected).abs() < 1e-12);
}

#[test]
fn warnings_come_before_notes() {
    let report = build(&full_input());
    let severities: Vec<_> = report.findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted);
    assert!(report.needs_reason());
}

#[test]
fn a_report_on_nothing_renders_without_panicking() {
    let mut input = input(Evaluation::default());
    input.capacity = Some(10);
    input.out_of_time = Some(OutOfTimeInput {
        train_window: Window {
            from: String::new(),
            to: String::new(),
        },
        test_window: Window {
            from: String::new(),
            to: String::new(),
        },
        test: Evaluation::default(),
        train_scores: Vec::new(),
    });
    let report = build(&input);
    assert!(report.thresholds.is_empty());
    assert_eq!(report.cross_validated.roc_auc, None);
    assert!(report.to_text().contains("Too little history"));
    assert!(report.to_html().contains("</html>"));
}

#[test]
fn the_report_round_trips_through_json_with_stable_names() {
    let report = build(&full_input());
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "version",
        "sufficiency",
        "cross_validated",
        "out_of_time",
        "thresholds",
        "feature_drift",
        "points",
        "findings",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["decision_basis"], "out_of_time");
    assert_eq!(json["points"][1]["kind"], "pair");
    let back: CalibrationReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn every_chart_is_an_accessible_self_contained_svg() {
    let report = build(&full_input());
    let charts = report.charts();
    // Reliability ×2, gains, lift, one main term, one pair.
    assert_eq!(charts.len(), 6);
    for chart in &charts {
        let svg = &chart.svg;
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.contains("role=\"img\""), "{}", chart.id);
        assert!(root.contains("viewBox=\"0 0 420 "), "{}", chart.id);
        assert!(!root.contains(" width="), "{} has a fixed width", chart.id);
        assert!(svg.contains(&format!("<title id=\"{}-title\">", chart.id)));
        assert!(svg.contains(&format!("<desc id=\"{}-desc\">", chart.id)));
        assert!(!svg.contains("<script"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.trim_end().ends_with("</svg>"));
    }
    let reliability = &charts[0].svg;
    assert!(reliability.contains("Predicted conversion"));
    assert!(reliability.contains("Observed conversion"));
}

#[test]
fn chart_text_is_escaped() {
    let svg = svg::points_chart(
        "R&D <team>",
        &[PointsRow {
            label: "\"big\" & 'small'".into(),
            points: 3.0,
            share: 1.0,
        }],
        "c",
    );
    assert!(svg.contains("R&amp;D &lt;team&gt;"));
    assert!(svg.contains("&quot;big&quot; &amp; &#39;small&#39;"));
    assert!(!svg.contains("<team>"));
}

#[test]
fn the_html_page_is_standalone_with_the_charts_inline() {
    let report = build(&full_input());
    let html = report.to_html();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<title>Calibration report: model v3</title>"));
    assert_eq!(html.matches("<svg ").count(), report.charts().len());
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert_eq!(html.matches("<tr class=\"marked\">").count(), 1);
    assert!(html.contains("class=\"warnings\""));
}

#[test]
fn every_chart_sits_in_exactly_one_section_and_the_page_follows_the_sections() {
    // Arrange
    let report = build(&full_input());

    // Act
    let sections = report.sections();
    let placed: Vec<&str> = sections
        .iter()
        .flat_map(|s| &s.parts)
        .flat_map(|p| &p.charts)
        .map(|c| c.id.as_str())
        .collect();

    // Assert: the web page and the file draw every chart once, blocks in one order.
    let all: Vec<String> = report.charts().into_iter().map(|c| c.id).collect();
    assert_eq!(placed, all);
    let ids: Vec<&str> = sections.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        [
            "training-data",
            "cross-validated",
            "reliability",
            "lift",
            "thresholds",
            "out-of-time",
            "feature-drift",
            "points"
        ]
    );
    let html = report.to_html();
    let mut at = 0;
    for section in &sections {
        let heading = format!("<h2>{}</h2>", super::svg::escape(&section.title));
        at += html[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("`{heading}` in order"));
    }
    assert_eq!(
        FindingKind::ALL
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>(),
        [
            "out-of-time AUC drop",
            "score drift",
            "calibration gap",
            "feature drift",
            "data sufficiency"
        ]
    );
}
