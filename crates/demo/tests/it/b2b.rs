//! The B2B contact generator: deterministic, exactly as many rows as asked, truth that
//! agrees with the stats, and every knob doing what it claims, and only when it is on.
//! The checks read the written CSV the way a benchmark would, not the generator's insides.

use std::collections::{HashMap, HashSet};

use leadgate_demo::{B2B_COLUMNS, B2bConfig, B2bStats, Knobs, variants, write_b2b};

use crate::support::parse_csv;

const FREEMAIL: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.com",
    "icloud.com",
];

/// A written file, parsed: the header is checked and dropped.
struct File {
    stats: B2bStats,
    rows: Vec<Row>,
}

/// One data row, by column name.
struct Row(Vec<String>);

impl Row {
    fn get(&self, column: &str) -> &str {
        let i = B2B_COLUMNS.iter().position(|c| *c == column).unwrap();
        &self.0[i]
    }
}

fn generate(knobs: Knobs, rows: usize) -> File {
    generate_seeded(knobs, rows, 7)
}

fn generate_seeded(knobs: Knobs, rows: usize, seed: u64) -> File {
    let config = B2bConfig { seed, rows, knobs };
    let (stats, bytes) = write_b2b(&config, Vec::new()).unwrap();
    let mut records = parse_csv(&String::from_utf8(bytes).unwrap(), ',');
    assert_eq!(records.remove(0), B2B_COLUMNS);
    File {
        stats,
        rows: records.into_iter().map(Row).collect(),
    }
}

fn variant(name: &str) -> Knobs {
    variants().into_iter().find(|(n, _)| *n == name).unwrap().1
}

impl File {
    fn by_person(&self) -> HashMap<&str, Vec<&Row>> {
        let mut people: HashMap<&str, Vec<&Row>> = HashMap::new();
        for row in &self.rows {
            people.entry(row.get("true_id")).or_default().push(row);
        }
        people
    }

    fn share(&self, source: &str, predicate: impl Fn(&Row) -> bool) -> f64 {
        let rows: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.get("source") == source)
            .collect();
        rows.iter().filter(|r| predicate(r)).count() as f64 / rows.len() as f64
    }
}

/// The people behind each work e-mail domain.
fn people_per_domain(file: &File) -> HashMap<String, HashSet<String>> {
    let mut domains: HashMap<String, HashSet<String>> = HashMap::new();
    for row in &file.rows {
        if let Some((_, domain)) = row.get("email").to_lowercase().split_once('@')
            && !FREEMAIL.contains(&domain)
        {
            domains
                .entry(domain.to_string())
                .or_default()
                .insert(row.get("true_id").to_string());
        }
    }
    domains
}

/// The people behind each phone number, keyed by its last nine digits (which every way of
/// writing a number keeps) without an extension.
fn people_per_phone(file: &File) -> HashMap<String, HashSet<String>> {
    let mut phones: HashMap<String, HashSet<String>> = HashMap::new();
    for row in &file.rows {
        let number = row.get("phone");
        let number = number
            .split(" ext")
            .next()
            .unwrap()
            .split(" x")
            .next()
            .unwrap();
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 9 {
            phones
                .entry(digits[digits.len() - 9..].to_string())
                .or_default()
                .insert(row.get("true_id").to_string());
        }
    }
    phones
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

// --- determinism, accounting, truth -------------------------------------------------------

#[test]
fn the_same_config_writes_the_same_bytes() {
    // Arrange
    let config = B2bConfig {
        seed: 11,
        rows: 3000,
        knobs: variant("everything"),
    };

    // Act
    let (_, first) = write_b2b(&config, Vec::new()).unwrap();
    let (_, second) = write_b2b(&config, Vec::new()).unwrap();
    let (_, other_seed) = write_b2b(&B2bConfig { seed: 12, ..config }, Vec::new()).unwrap();

    // Assert
    assert!(first == second, "two runs of one config differ");
    assert!(first != other_seed, "another seed gives the same file");
}

#[test]
fn a_file_has_exactly_the_rows_asked_for_numbered_from_one() {
    for rows in [1, 2, 17, 2500] {
        let file = generate(variant("everything"), rows);

        assert_eq!(file.rows.len(), rows);
        assert_eq!(file.stats.rows, rows);
        for (i, row) in file.rows.iter().enumerate() {
            assert_eq!(row.get("record_id"), (i + 1).to_string());
            assert!(["crm", "apollo", "linkedin"].contains(&row.get("source")));
        }
    }
}

#[test]
fn the_truth_in_the_file_agrees_with_the_stats() {
    // Arrange / Act
    let file = generate(variant("everything"), 4000);
    let people = file.by_person();

    // Assert
    let pairs: u64 = people
        .values()
        .map(|rows| (rows.len() * (rows.len() - 1) / 2) as u64)
        .sum();
    assert_eq!(pairs, file.stats.true_pairs);
    assert_eq!(people.len(), file.stats.people);
    let largest = people.values().map(Vec::len).max().unwrap();
    assert_eq!(largest, file.stats.largest_true_cluster);
    for rows in people.values() {
        // A person is in one to three sources; only the CRM holds duplicates.
        let count = |s: &str| rows.iter().filter(|r| r.get("source") == s).count();
        assert!(count("apollo") <= 1 && count("linkedin") <= 1);
        assert!(count("crm") <= 3);
    }
    let (two_or_three, one) = people.values().fold((0, 0), |(many, one), rows| {
        let sources: HashSet<&str> = rows.iter().map(|r| r.get("source")).collect();
        if sources.len() > 1 {
            (many + 1, one)
        } else {
            (many, one + 1)
        }
    });
    assert!(
        two_or_three > one / 2 && one > two_or_three / 3,
        "{one} in one source, {two_or_three} in more"
    );
}

#[test]
fn rows_are_interleaved_not_grouped_by_person_or_source() {
    let file = generate(Knobs::default(), 3000);

    let same_person_next = file
        .rows
        .windows(2)
        .filter(|w| w[0].get("true_id") == w[1].get("true_id"))
        .count();
    let same_source_next = file
        .rows
        .windows(2)
        .filter(|w| w[0].get("source") == w[1].get("source"))
        .count();

    assert!(
        same_person_next < 10,
        "{same_person_next} neighbours are one person"
    );
    assert!(
        same_source_next < 1500,
        "{same_source_next} neighbours share a source"
    );
}

#[test]
fn each_source_has_its_own_columns() {
    let file = generate(Knobs::default(), 3000);

    for row in &file.rows {
        match row.get("source") {
            "linkedin" => {
                assert!(row.get("email").is_empty() && row.get("phone").is_empty());
                assert!(row.get("city").is_empty() && !row.get("location").is_empty());
                assert!(row.get("linkedin_url").contains("linkedin.com/in/"));
            }
            _ => assert!(row.get("location").is_empty()),
        }
    }
    assert!(file.share("apollo", |r| !r.get("linkedin_url").is_empty()) > 0.8);
    assert!(file.share("crm", |r| !r.get("linkedin_url").is_empty()) < 0.1);
    assert!(file.share("crm", |r| r.get("email").contains("@gmail.com")) > 0.01);
}

#[test]
fn common_names_recur_across_companies_but_most_names_are_rare() {
    let file = generate(Knobs::default(), 10_000);

    let mut people_per_name: HashMap<(String, String), HashSet<&str>> = HashMap::new();
    for row in file.rows.iter().filter(|r| r.get("source") == "linkedin") {
        let name = (lower(row.get("first_name")), lower(row.get("last_name")));
        people_per_name
            .entry(name)
            .or_default()
            .insert(row.get("true_id"));
    }
    let people: usize = people_per_name.values().map(HashSet::len).sum();
    let with_namesake: usize = people_per_name
        .values()
        .filter(|p| p.len() > 1)
        .map(HashSet::len)
        .sum();
    // About 3,000 people: a few dozen share a common name, as "John Smith" recurs.
    let share = with_namesake as f64 / people as f64;
    assert!(
        with_namesake >= 4 && share < 0.1,
        "{with_namesake} of {people} share their name"
    );
}

// --- the knobs ----------------------------------------------------------------------------

#[test]
fn colleagues_off_keeps_companies_at_eight_people() {
    let file = generate(Knobs::default(), 5000);

    assert!(file.stats.largest_company <= 8);
    let largest = people_per_domain(&file)
        .values()
        .map(HashSet::len)
        .max()
        .unwrap();
    assert!(largest <= 8, "a domain with {largest} people");
}

#[test]
fn colleagues_on_gives_a_heavy_tail_of_large_companies() {
    // 10,000 rows make about 1,000 companies, enough for the tail to show.
    let config = B2bConfig {
        seed: 7,
        rows: 10_000,
        knobs: variant("colleagues"),
    };
    let (stats, _) = write_b2b(&config, std::io::sink()).unwrap();
    assert!(
        stats.largest_company > 100,
        "largest company {}",
        stats.largest_company
    );
    assert!(stats.companies < 1500, "{} companies", stats.companies);

    let file = generate(variant("colleagues"), 5000);
    let largest = people_per_domain(&file)
        .values()
        .map(HashSet::len)
        .max()
        .unwrap();
    assert!(largest > 30, "the largest domain has {largest} people");
}

#[test]
fn without_shared_phones_no_number_belongs_to_two_people() {
    let file = generate(variant("colleagues"), 5000);

    let shared = people_per_phone(&file)
        .values()
        .filter(|p| p.len() > 1)
        .count();

    assert_eq!(shared, 0);
}

#[test]
fn shared_phones_put_the_switchboard_on_many_colleagues() {
    let file = generate(variant("switchboard"), 5000);

    let phones = people_per_phone(&file);
    let shared = phones.values().filter(|p| p.len() > 1).count();
    let busiest = phones.values().map(HashSet::len).max().unwrap();

    assert!(shared > 100, "{shared} numbers shared");
    assert!(busiest > 20, "the busiest number has {busiest} people");
}

/// The shape of a work address: which separators its local part has.
fn shape(email: &str) -> &'static str {
    let local = email
        .split('@')
        .next()
        .unwrap()
        .trim_end_matches(|c: char| c.is_ascii_digit());
    match (local.contains('.'), local.contains('_')) {
        (true, _) if local.find('.') == Some(1) => "f.last",
        (true, _) => "first.last",
        (_, true) => "first_last",
        _ => "one word",
    }
}

#[test]
fn email_patterns_vary_by_company_only_when_on() {
    let work = |file: &File| -> HashMap<&'static str, usize> {
        let mut shapes = HashMap::new();
        for row in &file.rows {
            let email = row.get("email").to_lowercase();
            let domain = email.split('@').nth(1).unwrap_or("");
            if !email.is_empty() && !FREEMAIL.contains(&domain) {
                *shapes.entry(shape(&email)).or_insert(0) += 1;
            }
        }
        shapes
    };

    let off = work(&generate(variant("colleagues"), 4000));
    let on = work(&generate(variant("email_patterns"), 4000));

    // A one-letter first name makes "f.last" out of first.last now and then.
    assert!(
        !off.contains_key("first_last") && !off.contains_key("one word"),
        "{off:?}"
    );
    assert!(on.len() == 4 && on.values().all(|n| *n > 50), "{on:?}");
}

#[test]
fn full_name_only_rows_appear_in_the_crm_only_when_on() {
    let only_full = |r: &Row| r.get("first_name").is_empty() && !r.get("full_name").is_empty();

    let off = generate(Knobs::default(), 4000);
    let on = generate(variant("crm_full_name"), 4000);

    assert_eq!(off.share("crm", only_full), 0.0);
    let share = on.share("crm", only_full);
    assert!((0.4..0.6).contains(&share), "{share}");
    assert_eq!(on.share("apollo", only_full), 0.0);
    assert!(
        on.rows
            .iter()
            .any(|r| r.get("source") == "crm" && r.get("full_name").contains(", "))
    );
}

/// For each person, the names one column holds across their rows, lower-cased.
fn names_per_person(file: &File, column: &str) -> Vec<HashSet<String>> {
    file.by_person()
        .values()
        .map(|rows| rows.iter().map(|r| lower(r.get(column))).collect())
        .collect()
}

/// People with a row that says one name and another row that says the other.
fn people_with_both(names: &[HashSet<String>], pairs: &[(&str, &str)]) -> usize {
    names
        .iter()
        .filter(|n| pairs.iter().any(|(a, b)| n.contains(*a) && n.contains(*b)))
        .count()
}

#[test]
fn nicknames_show_a_person_under_both_names_only_when_on() {
    let pairs = [
        ("robert", "bob"),
        ("robert", "rob"),
        ("william", "bill"),
        ("william", "will"),
        ("james", "jim"),
        ("michael", "mike"),
        ("thomas", "tom"),
        ("elizabeth", "liz"),
        ("margaret", "peggy"),
        ("francisco", "paco"),
        ("johannes", "hans"),
        ("katarzyna", "kasia"),
        ("andrew", "andy"),
        ("christopher", "chris"),
        ("daniel", "dan"),
        ("matthew", "matt"),
    ];
    let count = |file: &File| people_with_both(&names_per_person(file, "first_name"), &pairs);

    let off = generate(Knobs::default(), 5000);
    let on = generate(variant("nicknames"), 5000);

    assert_eq!(count(&off), 0);
    assert!(count(&on) >= 10, "{} people under both names", count(&on));
}

/// Writes out umlauts and the like (Müller → mueller), and lower-cases.
fn expanded(name: &str) -> String {
    name.to_lowercase()
        .replace('ü', "ue")
        .replace('ö', "oe")
        .replace(['ä', 'æ'], "ae")
        .replace('ø', "oe")
        .replace('å', "aa")
        .replace('ß', "ss")
}

#[test]
fn transliterations_respell_names_only_when_on() {
    let count = |file: &File| -> usize {
        let last = names_per_person(file, "last_name");
        let umlauts = last
            .iter()
            .filter(|raw| {
                raw.iter()
                    .map(|n| expanded(n))
                    .collect::<HashSet<_>>()
                    .len()
                    < raw.len()
            })
            .count();
        let pairs = [
            ("sergey", "sergei"),
            ("aleksandr", "alexander"),
            ("dmitri", "dmitry"),
            ("mohammed", "muhammad"),
            ("mohammed", "mohamed"),
            ("nguyen", "nguyễn"),
            ("tran", "trần"),
        ];
        umlauts
            + people_with_both(&names_per_person(file, "first_name"), &pairs)
            + people_with_both(&last, &pairs)
    };

    let off = generate(Knobs::default(), 5000);
    let on = generate(variant("nicknames"), 5000);

    assert_eq!(count(&off), 0);
    assert!(count(&on) >= 10, "{} people respelt", count(&on));
}

#[test]
fn swapped_names_appear_only_when_on() {
    let swapped = |file: &File| -> usize {
        file.by_person()
            .values()
            .filter(|rows| {
                rows.iter().any(|a| {
                    rows.iter().any(|b| {
                        !a.get("first_name").is_empty()
                            && a.get("first_name") != a.get("last_name")
                            && lower(a.get("first_name")) == lower(b.get("last_name"))
                            && lower(a.get("last_name")) == lower(b.get("first_name"))
                    })
                })
            })
            .count()
    };

    let off = generate(Knobs::default(), 5000);
    let on = generate(variant("name_swaps"), 5000);

    assert_eq!(swapped(&off), 0);
    assert!(swapped(&on) > 50, "{} people swapped", swapped(&on));
}

#[test]
fn movers_show_an_old_employer_only_when_on() {
    let movers = |file: &File| -> usize {
        file.by_person()
            .values()
            .filter(|rows| {
                let domains: HashSet<String> = rows
                    .iter()
                    .filter_map(|r| {
                        r.get("email")
                            .to_lowercase()
                            .split_once('@')
                            .map(|(_, d)| d.to_string())
                    })
                    .filter(|d| !FREEMAIL.contains(&d.as_str()))
                    .collect();
                let companies: HashSet<&str> = rows.iter().map(|r| r.get("company_name")).collect();
                domains.len() > 1 || companies.len() > 1
            })
            .count()
    };

    let off = generate(Knobs::default(), 5000);
    let on = generate(variant("movers"), 5000);

    assert_eq!(movers(&off), 0);
    // 15% of about 2,900 people.
    assert!((300..600).contains(&movers(&on)), "{} movers", movers(&on));
}

#[test]
fn missing_fields_leave_heavy_gaps_only_when_on() {
    let off = generate(variant("colleagues"), 5000);
    let on = generate(variant("sparse"), 5000);

    let no_email = |r: &Row| r.get("email").is_empty();
    let no_phone = |r: &Row| r.get("phone").is_empty();
    assert!(off.share("crm", no_email) < 0.05);
    assert!(off.share("apollo", no_phone) < 0.05);
    assert!(on.share("crm", no_email) > 0.25);
    assert!(on.share("apollo", no_phone) > 0.4);
    assert!(
        on.share("crm", |r| r.get("first_name").is_empty()
            && r.get("full_name").is_empty())
            > 0.02
    );
}

#[test]
fn company_naming_varies_only_when_on() {
    let spellings = |file: &File| -> Vec<usize> {
        let mut names: HashMap<String, HashSet<&str>> = HashMap::new();
        for row in &file.rows {
            if let Some((_, domain)) = row.get("email").to_lowercase().split_once('@')
                && !FREEMAIL.contains(&domain)
            {
                names
                    .entry(domain.to_string())
                    .or_default()
                    .insert(row.get("company_name"));
            }
        }
        names.values().map(HashSet::len).collect()
    };

    let off = spellings(&generate(variant("colleagues"), 4000));
    let on = spellings(&generate(variant("company_naming"), 4000));

    assert!(
        off.iter().all(|n| *n == 1),
        "one spelling per company when off"
    );
    assert!(
        on.iter().filter(|n| **n >= 3).count() > 50,
        "many spellings when on"
    );
}

#[test]
fn the_grid_has_a_baseline_and_at_least_eight_variants() {
    let grid = variants();

    assert!(grid.len() >= 9);
    assert_eq!(grid[0], ("baseline", Knobs::default()));
    let names: HashSet<&str> = grid.iter().map(|(n, _)| *n).collect();
    assert_eq!(names.len(), grid.len());
    let everything = variant("everything");
    assert!(everything.colleagues && everything.shared_phone > 0.0 && everything.job_movers > 0.0);
}
