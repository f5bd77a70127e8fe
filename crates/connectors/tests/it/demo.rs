//! The demo's three source exports, read with auto-detection and checked against the
//! demo's truth: every row accounted for, each record on its row with its source id and
//! observation date.

use std::collections::HashMap;

use jiff::Timestamp;
use leadgate_connectors::import::{ImportOptions, Preset, RejectReason};
use leadgate_demo::{DemoConfig, Source, generate, write_files};

use crate::support::import_file;

#[test]
fn the_demo_sources_import_with_every_row_accounted_for() {
    let now: Timestamp = "2026-01-15T12:00:00Z".parse().unwrap();
    let world = generate(&DemoConfig { seed: 7, scale: 1 }, now);
    let dir = tempfile::tempdir().unwrap();
    write_files(&world, dir.path()).unwrap();

    for (source, preset) in [
        (Source::Apollo, Preset::Apollo),
        (Source::SalesNavigator, Preset::SalesNavigator),
        (Source::HubSpot, Preset::HubSpot),
    ] {
        let truth = world.rows(source);
        let out = import_file(
            &dir.path().join(source.file()),
            &ImportOptions {
                observed_at: Some(now),
                ..ImportOptions::default()
            },
        );
        let s = &out.summary;
        assert_eq!(s.preset, Some(preset), "{source:?}");
        assert_eq!(s.delimiter, Some(source.delimiter()), "{source:?}");
        assert_eq!(s.rows_read, truth.len() as u64, "{source:?}");
        assert_eq!(s.blank_lines, 0);
        assert!(s.notices.is_empty(), "{source:?}: {:?}", s.notices);

        // Every accepted and rejected row is on its truth row.
        let mut seen = vec![false; truth.len()];
        for record in &out.accepted {
            let row = &truth[record.row as usize - 1];
            assert!(!std::mem::replace(&mut seen[record.row as usize - 1], true));
            assert_eq!(
                record.source_record_id,
                world.record_id(row),
                "{source:?} row {}",
                record.row
            );
            let rendered = world.render_row(row);
            let title = &rendered[source
                .headers()
                .iter()
                .position(|h| h.contains("Title"))
                .unwrap()];
            assert_eq!(record.person.title.as_deref().unwrap_or(""), title.trim());
            // Where the file has the row's date, it is the truth's observation time (to the
            // precision the export writes); elsewhere the caller's.
            let observed = record.observed_at.unwrap();
            if record.observed_in_row {
                let precision = match source {
                    Source::Apollo => 1,
                    Source::SalesNavigator => 86_400,
                    Source::HubSpot => 60,
                };
                let truth_second = row.observed_at.as_second();
                assert_eq!(
                    observed.as_second(),
                    truth_second - truth_second.rem_euclid(precision),
                    "{source:?} row {}",
                    record.row
                );
            } else {
                assert_eq!(observed, now);
            }
        }
        for rejected in &out.rejected {
            assert!(!std::mem::replace(
                &mut seen[rejected.row as usize - 1],
                true
            ));
            assert!(
                matches!(rejected.reason, RejectReason::NoIdentity { .. }),
                "{source:?}: {rejected}"
            );
        }
        assert!(
            seen.iter().all(|&s| s),
            "{source:?}: a row was not accounted for"
        );

        // Rows with an e-mail or a profile URL are never rejected: only HubSpot's
        // hand-typed rows without either can be.
        match source {
            Source::HubSpot => assert!(s.rejected * 50 < s.rows_read, "{source:?}: {s:?}"),
            _ => assert_eq!(s.rejected, 0, "{source:?}: {:?}", out.rejected.first()),
        }

        // Warnings: which fields failed to normalise, to keep an eye on the presets.
        let mut by_field: HashMap<String, usize> = HashMap::new();
        for record in &out.accepted {
            for w in &record.warnings {
                *by_field
                    .entry(w.field.map_or("-".to_string(), |f| f.to_string()))
                    .or_default() += 1;
            }
        }
        eprintln!("{source:?}: {s:?}\n  warnings by field: {by_field:?}");
    }
}
