//! The three source files: valid CSV, truth that points at real rows, overlap, and the
//! deliberate defects.

use std::collections::{HashMap, HashSet};

use leadgate_demo::Source;

use crate::support::{files, now, path, read_csv, world};

fn delimiter(source: Source) -> char {
    char::from(source.delimiter())
}

fn source_records(source: Source) -> Vec<Vec<String>> {
    read_csv(&path(source.file()), delimiter(source))
}

fn column(source: Source, name: &str) -> usize {
    source.headers().iter().position(|h| *h == name).unwrap()
}

#[test]
fn every_csv_file_parses_with_a_constant_field_count() {
    for f in files()
        .files
        .iter()
        .filter(|f| f.relative.ends_with(".csv"))
    {
        let delim = if f.relative.contains("salesnav") {
            ';'
        } else {
            ','
        };
        let records = read_csv(&f.path, delim);
        let width = records[0].len();
        assert_eq!(records.len() - 1, f.rows, "{}", f.relative);
        for (i, r) in records.iter().enumerate() {
            assert_eq!(r.len(), width, "{} record {i}: {r:?}", f.relative);
        }
    }
}

#[test]
fn files_hold_exactly_what_render_row_returns() {
    let w = world();
    for source in Source::ALL {
        let records = source_records(source);
        assert_eq!(records[0], source.headers());
        for (row, record) in w.rows(source).iter().zip(&records[1..]) {
            assert_eq!(&w.render_row(row), record);
        }
    }
}

#[test]
fn the_formats_differ_as_the_real_exports_do() {
    let salesnav = std::fs::read(path(Source::SalesNavigator.file())).unwrap();
    assert!(salesnav.starts_with("\u{feff}First Name;".as_bytes()));
    assert!(salesnav.windows(2).any(|w| w == b"\r\n"));
    for source in [Source::Apollo, Source::HubSpot] {
        let bytes = std::fs::read(path(source.file())).unwrap();
        assert!(!bytes.starts_with(b"\xef\xbb\xbf"));
        assert!(!bytes.contains(&b'\r'));
    }
    let text = String::from_utf8(salesnav).unwrap();
    let emails = text
        .split([';', ' ', '\n'])
        .filter(|t| t.len() > 1 && t.contains('@'))
        .count();
    assert_eq!(
        emails, 0,
        "Sales Navigator exports carry no e-mail addresses"
    );
}

#[test]
fn hubspot_has_quoted_commas_and_one_embedded_newline() {
    let records = source_records(Source::HubSpot);
    let with_comma = records.iter().flatten().filter(|f| f.contains(',')).count();
    let with_newline = records
        .iter()
        .flatten()
        .filter(|f| f.contains('\n'))
        .count();
    assert!(with_comma >= 5, "{with_comma} fields with commas");
    assert_eq!(with_newline, 1);
}

#[test]
fn every_truth_row_points_at_a_real_row_once() {
    let truth = read_csv(&path("truth/people.csv"), ',');
    assert_eq!(
        truth[0],
        [
            "file",
            "row",
            "source_record_id",
            "person_id",
            "company_id",
            "stale"
        ]
    );
    let mut by_file: HashMap<&str, Vec<Vec<String>>> = HashMap::new();
    for source in Source::ALL {
        by_file.insert(source.file(), source_records(source));
    }
    let mut seen = HashSet::new();
    let people: HashSet<String> = world().people.iter().map(|p| p.id.to_string()).collect();
    for t in &truth[1..] {
        let source = Source::ALL.into_iter().find(|s| s.file() == t[0]).unwrap();
        let records = &by_file[t[0].as_str()];
        let row: usize = t[1].parse().unwrap();
        assert!(row >= 1 && row < records.len(), "{t:?}");
        assert!(seen.insert((t[0].clone(), row)), "{t:?} listed twice");
        assert!(people.contains(&t[3]), "{t:?}");
        match source.record_id_column() {
            Some(col) => assert_eq!(records[row][column(source, col)], t[2]),
            None => assert_eq!(t[2], ""),
        }
    }
    let total: usize = by_file.values().map(|r| r.len() - 1).sum();
    assert_eq!(seen.len(), total);
}

#[test]
fn a_third_of_people_appear_in_several_sources() {
    let w = world();
    let ratio = w.people_in_several_sources() as f64 / w.people.len() as f64;
    assert!((0.30..=0.40).contains(&ratio), "overlap {ratio}");
}

#[test]
fn about_five_percent_of_rows_are_stale_and_look_it() {
    let w = world();
    let stale = w.source_rows.iter().filter(|r| r.stale).count() as f64;
    let share = stale / w.source_rows.len() as f64;
    assert!((0.03..=0.08).contains(&share), "stale share {share}");

    let year_ago = (now() - jiff::SignedDuration::from_hours(24 * 365)).as_second();
    for r in &w.source_rows {
        assert_eq!(r.stale, r.observed_at.as_second() < year_ago);
    }
    let records = source_records(Source::SalesNavigator);
    let date = column(Source::SalesNavigator, "Date Added");
    let cutoff = "2024-06-30";
    for (row, record) in w.rows(Source::SalesNavigator).iter().zip(&records[1..]) {
        assert_eq!(row.stale, record[date].as_str() < cutoff, "{record:?}");
    }
}

#[test]
fn movers_show_their_old_employer_in_stale_rows() {
    let w = world();
    let moved_rows: Vec<_> = w
        .source_rows
        .iter()
        .filter(|r| r.company_id != w.person(r.person_id).company_id)
        .collect();
    assert!(
        moved_rows.len() >= 50,
        "{} rows at an old employer",
        moved_rows.len()
    );
    for r in moved_rows {
        let p = w.person(r.person_id);
        assert!(r.stale);
        assert_eq!(p.previous.as_ref().unwrap().company_id, r.company_id);
    }
}

#[test]
fn apollo_lacks_some_emails_and_guesses_others() {
    let records = source_records(Source::Apollo);
    let status = column(Source::Apollo, "Email Status");
    let email = column(Source::Apollo, "Email");
    let unavailable = records[1..]
        .iter()
        .filter(|r| r[status] == "Unavailable")
        .count();
    let guessed = records[1..]
        .iter()
        .filter(|r| r[status] == "Extrapolated")
        .count();
    let n = records.len() - 1;
    assert!(unavailable * 100 / n >= 10 && guessed * 100 / n >= 5);
    assert!(
        records[1..]
            .iter()
            .all(|r| (r[status] == "Unavailable") == r[email].is_empty())
    );
}

#[test]
fn names_carry_typos_and_case_noise_in_hand_typed_sources() {
    let w = world();
    let first = column(Source::HubSpot, "First Name");
    let records = source_records(Source::HubSpot);
    let mut exact = 0;
    let mut ascii_folded = 0;
    let mut other = 0;
    for (row, record) in w.rows(Source::HubSpot).iter().zip(&records[1..]) {
        let truth = w.person(row.person_id).first_name;
        let seen = &record[first];
        if seen == truth {
            exact += 1;
        } else if seen.is_empty() || seen.contains(' ') {
        } else if seen.is_ascii() && !truth.is_ascii() {
            ascii_folded += 1;
        } else {
            other += 1;
        }
    }
    assert!(exact > records.len() * 8 / 10, "{exact} exact");
    assert!(
        ascii_folded > 0 && other > 10,
        "{ascii_folded} folded, {other} other"
    );
}

#[test]
fn company_names_and_websites_vary_between_sources() {
    let records = source_records(Source::HubSpot);
    let company = column(Source::HubSpot, "Company Name");
    let website = column(Source::HubSpot, "Website URL");
    let names: Vec<&str> = records[1..].iter().map(|r| r[company].as_str()).collect();
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(" Inc") || n.ends_with(", Inc."))
    );
    assert!(names.iter().any(|n| n.contains(" and ")));
    let sites: Vec<&str> = records[1..].iter().map(|r| r[website].as_str()).collect();
    assert!(sites.iter().any(|s| s.starts_with("www.")));
    assert!(sites.iter().any(|s| s.starts_with("https://")));
    assert!(sites.iter().any(|s| s.is_empty()));
}

#[test]
fn hubspot_holds_duplicate_contacts_with_personal_addresses() {
    let w = world();
    let personal = w
        .rows(Source::HubSpot)
        .iter()
        .filter(|r| r.personal_email)
        .count();
    assert!(personal > 0);
}
