//! The stories entity resolution must tell on B2B data with many colleagues per company:
//! colleagues share the company's switchboard number, domain, name, city and often a title,
//! and are still different people. Each test builds a small world of people in two
//! exports around the case it tells, and runs the built-in contacts setup on it.

use leadgate_core::discovery::resolve::{Resolution, ResolveConfig, Table, resolve};

const HEADER: [&str; 10] = [
    "first_name",
    "last_name",
    "full_name",
    "email",
    "company_name",
    "company_domain",
    "phone",
    "linkedin_url",
    "title",
    "city",
];

const FIRST: [&str; 24] = [
    "Jane", "Omar", "Wei", "Anna", "Lukas", "Sofia", "Arjun", "Emma", "Noah", "Mateo", "Aisha",
    "Liam", "Yuki", "Elif", "Hugo", "Nora", "Ravi", "Ines", "Tomas", "Greta", "Kofi", "Lena",
    "Pavel", "Maya",
];
const LAST: [&str; 25] = [
    "Doe", "Rossi", "Chen", "Novak", "Silva", "Kowalski", "Haddad", "Berg", "Dubois", "Kim",
    "Patel", "Nagy", "Olsen", "Costa", "Tanaka", "Ivanova", "Jansen", "Weber", "Moreau", "Lopez",
    "Fischer", "Horvat", "Lind", "Ortiz", "Sato",
];
const TITLES: [&str; 5] = [
    "Account Executive",
    "Sales Manager",
    "Head of Sales",
    "RevOps Analyst",
    "VP Marketing",
];

/// One record: the cells of [`HEADER`].
#[derive(Clone, Default)]
struct Row {
    cells: [String; 10],
}

impl Row {
    fn new(first: &str, last: &str, email: &str, company: &str) -> Row {
        let mut row = Row::default();
        row.cells[0] = first.into();
        row.cells[1] = last.into();
        row.cells[3] = email.into();
        row.cells[4] = company.into();
        row
    }

    fn set(mut self, column: &str, value: &str) -> Row {
        let c = HEADER.iter().position(|h| *h == column).unwrap();
        self.cells[c] = value.into();
        self
    }
}

/// 480 people at 40 companies of 12 colleagues each, every company with its own
/// switchboard number, city and domain. Each person has an Apollo-like row (work address,
/// LinkedIn profile, direct line) and half of them a CRM-like row (the same address in
/// capitals, the company's switchboard, no profile): enough pairs for training to learn
/// what a match looks like.
fn world() -> Vec<Row> {
    let mut rows = Vec::new();
    for p in 0..480u32 {
        let company = p / 12;
        let (first, last) = (FIRST[p as usize % 24], LAST[(p as usize / 3) % 25]);
        let domain = format!("firm{company}.com");
        let email = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
        let switchboard = format!("+1 212 555 {:04}", 1000 + company);
        let title = TITLES[p as usize % 5];
        let city = ["Boston", "Austin", "Denver", "Lyon"][company as usize % 4];
        rows.push(
            Row::new(first, last, &email, &format!("Firm {company}"))
                .set("company_domain", &domain)
                .set("phone", &format!("+1 646 {:03} {:04}", p % 1000, 2000 + p))
                .set(
                    "linkedin_url",
                    &format!("linkedin.com/in/{}-{}-{p}", first, last).to_lowercase(),
                )
                .set("title", title)
                .set("city", city),
        );
        if p % 2 == 0 {
            rows.push(
                Row::new(
                    &first.to_uppercase(),
                    &last.to_uppercase(),
                    &email.to_uppercase(),
                    &format!("Firm {company} Inc."),
                )
                .set("phone", &switchboard)
                .set("title", title)
                .set("city", city),
            );
        }
    }
    rows
}

fn run(config: &ResolveConfig, rows: &[Row]) -> (Table, Resolution) {
    let table = Table::build(config, &HEADER, rows.len(), |r, c| &rows[r].cells[c], |_| 0);
    let resolution = resolve(config, &table);
    (table, resolution)
}

/// The cluster of each of the last `n` rows.
fn clusters_of_last(resolution: &Resolution, rows: &[Row], n: usize) -> Vec<u32> {
    resolution.clustering.cluster_of[rows.len() - n..].to_vec()
}

#[test]
fn a_switchboard_shared_by_five_colleagues_merges_none_of_them() {
    // Arrange: five colleagues at Cloudflow, each known once, each row with the company's
    // main number, domain, city and the same title.
    let mut rows = world();
    let team = [
        ("Chloe", "Kirby"),
        ("Elisa", "Clark"),
        ("Marco", "Bianchi"),
        ("Priya", "Nair"),
        ("Tom", "Walsh"),
    ];
    for (first, last) in team {
        let email = format!("{}.{}@cloudflow.de", first, last).to_lowercase();
        rows.push(
            Row::new(first, last, &email, "Cloudflow GmbH")
                .set("company_domain", "cloudflow.de")
                .set("phone", "+49 948 759 7319")
                .set("title", "Account Executive")
                .set("city", "Berlin"),
        );
    }

    // Act
    let (table, resolution) = run(&ResolveConfig::b2b_contacts(), &rows);

    // Assert
    let mut clusters = clusters_of_last(&resolution, &rows, 5);
    clusters.sort_unstable();
    clusters.dedup();
    assert_eq!(clusters.len(), 5, "colleagues were merged");
    let phone = table.column("phone").unwrap();
    let switchboard = phone.ids[rows.len() - 1];
    assert!(
        phone.is_shared(switchboard),
        "the switchboard is read as shared"
    );
}

#[test]
fn a_team_inbox_is_no_evidence_for_the_person() {
    // Arrange: a CRM row of Chloe Kirby with the team's `sales@` address, and a row of that
    // address alone: the inbox is read by everyone on the team.
    let mut rows = world();
    rows.push(
        Row::new("Chloe", "Kirby", "sales@cloudflow.de", "Cloudflow")
            .set("phone", "+49 948 759 7301"),
    );
    rows.push(Row::new("", "", "sales@cloudflow.de", "Cloudflow").set("city", "Berlin"));

    // Act
    let (table, resolution) = run(&ResolveConfig::b2b_contacts(), &rows);

    // Assert
    let email = table.column("email").unwrap();
    assert!(email.is_shared(email.ids[rows.len() - 1]));
    let c = clusters_of_last(&resolution, &rows, 2);
    assert_ne!(c[0], c[1], "a shared inbox made one person of its readers");
}

#[test]
fn a_nickname_with_the_same_direct_line_is_one_person() {
    // Arrange: Robert Smith in Apollo, Bob Smith in the CRM, one direct line, one company;
    // a colleague, Anna Smith, on the switchboard.
    let mut rows = world();
    rows.push(
        Row::new("Robert", "Smith", "robert.smith@acme.io", "Acme")
            .set("company_domain", "acme.io")
            .set("phone", "+1 415 555 0199")
            .set("title", "VP Sales"),
    );
    rows.push(
        Row::new("Bob", "Smith", "", "ACME Inc.")
            .set("phone", "(415) 555-0199")
            .set("title", "VP of Sales"),
    );
    rows.push(
        Row::new("Anna", "Smith", "anna.smith@acme.io", "Acme")
            .set("company_domain", "acme.io")
            .set("phone", "+1 415 555 0100")
            .set("title", "Sales Manager"),
    );

    // Act
    let (_, resolution) = run(&ResolveConfig::b2b_contacts(), &rows);

    // Assert
    let c = clusters_of_last(&resolution, &rows, 3);
    assert_eq!(c[0], c[1], "Bob and Robert Smith are one person");
    assert_ne!(c[0], c[2], "Anna Smith is another");
}

#[test]
fn colleagues_whose_names_differ_never_merge_even_through_a_chain() {
    // Arrange: Chloe Kirby and Elisa Clark share the phone, the company and the title, and
    // a third row with no name and no address (a CRM row of the account's main contact)
    // shares them too. With a threshold so low and no veto, so that company evidence
    // alone links records, it links to both.
    let mut rows = world();
    rows.push(
        Row::new("Chloe", "Kirby", "chloe.kirby@cloudflow.de", "Cloudflow")
            .set("company_domain", "cloudflow.de")
            .set("phone", "+49 948 759 7319")
            .set("title", "Head of Sales")
            .set("city", "Berlin"),
    );
    rows.push(
        Row::new("", "", "", "Cloudflow")
            .set("phone", "+49 948 759 7319")
            .set("title", "Head of Sales")
            .set("city", "Berlin"),
    );
    rows.push(
        Row::new("elisa", "clark", "elisa.clark@cloudflow.de", "Cloudflow")
            .set("phone", "+499487597319")
            .set("title", "Head of Sales")
            .set("city", "Berlin"),
    );
    let mut config = ResolveConfig::b2b_contacts();
    config.threshold = 1e-9;
    config.veto_weight = -1000.0;
    config.veto_probability = None;

    // Act
    let (_, resolution) = run(&config, &rows);

    // Assert
    let c = clusters_of_last(&resolution, &rows, 3);
    assert_ne!(c[0], c[2], "Chloe Kirby and Elisa Clark were merged");
    assert!(
        resolution.clustering.refused_by_name > 0,
        "the chain was cut by the names"
    );
}

#[test]
fn a_degenerate_training_set_warns_and_merges_nobody() {
    // Arrange: 12 companies of 30 people, each person once, known only by an address whose
    // local part reads as no name (`k7q2@`), with the company's switchboard, city and one
    // of two titles; and a setup that trains on pairs at one company. Every training pair
    // is two colleagues who agree on everything but the address, so estimation learns
    // "same company, same person" unless it is stopped.
    let brands = [
        "Acorn", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Grove", "Harbor", "Iris", "Juniper",
        "Kestrel", "Lumen",
    ];
    let rows: Vec<Row> = (0..360u32)
        .map(|p| {
            let brand = brands[p as usize / 30];
            let domain = format!("{}.com", brand.to_lowercase());
            Row::new(
                "",
                "",
                &format!("k{p}q@{domain}"),
                &format!("{brand} Systems"),
            )
            .set("company_domain", &domain)
            .set("phone", &format!("+1 312 555 {:04}", 100 + p / 30))
            .set("title", TITLES[p as usize % 2])
            .set("city", "Chicago")
        })
        .collect();

    let mut config = ResolveConfig::b2b_contacts();
    config.training.rules = vec![vec!["domain".into()]];

    // Act
    let (_, resolution) = run(&config, &rows);

    // Assert
    let training = &resolution.model.training;
    assert!(training.fell_back, "{training:?}");
    assert!(
        training.warnings.iter().any(|w| w.contains("would merge")),
        "{training:?}"
    );
    assert!(resolution.clustering.merges.is_empty());
}
