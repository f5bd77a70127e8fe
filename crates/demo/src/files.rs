//! Writing the demo world to disk: the three source exports, the CRM history, the event
//! streams, the truth tables and a README; and the single-file dedupe benchmark.
//! Everything streams through buffered writers, row by row.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use jiff::Timestamp;
use serde::Serialize;

use crate::csv::CsvWriter;
use crate::events::EngagementKind;
use crate::sources::Source;
use crate::text::thousands;
use crate::{DemoConfig, DemoWorld, catalog, generate, time};

/// One written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Relative to the demo directory, with forward slashes ("sources/apollo_people.csv").
    pub relative: &'static str,
    pub path: PathBuf,
    /// Data rows (CSV records after the header, JSON lines); 0 for the README.
    pub rows: usize,
}

/// What [`write_files`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFiles {
    pub dir: PathBuf,
    pub files: Vec<WrittenFile>,
    pub companies: usize,
    pub people: usize,
    pub sources: usize,
    pub source_rows: usize,
    pub deals: usize,
}

impl DemoFiles {
    /// The file at `relative`, e.g. `"truth/people.csv"`.
    pub fn get(&self, relative: &str) -> Option<&WrittenFile> {
        self.files.iter().find(|f| f.relative == relative)
    }

    /// "2,143 people in 3 sources (3,012 rows)".
    pub fn summary(&self) -> String {
        format!(
            "{} people in {} sources ({} rows)",
            thousands(self.people),
            self.sources,
            thousands(self.source_rows)
        )
    }
}

fn create(dir: &Path, relative: &str) -> io::Result<BufWriter<File>> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    Ok(BufWriter::with_capacity(1 << 16, File::create(path)?))
}

fn finish<W: Write>(mut w: W) -> io::Result<()> {
    w.flush()
}

/// A file to write: its relative path, and the job that writes it and counts its rows.
type Task<'a> = (&'static str, Box<dyn Fn() -> io::Result<usize> + Sync + 'a>);

/// Writes the demo files under `dir` (created if needed) and returns their paths and row
/// counts. Existing files of the same names are replaced. Files are written in parallel on
/// up to four threads; each file's bytes do not depend on the order.
pub fn write_files(world: &DemoWorld, dir: &Path) -> io::Result<DemoFiles> {
    let mut tasks: Vec<Task<'_>> = Vec::new();
    for source in Source::ALL {
        tasks.push((
            source.file(),
            Box::new(move || write_source(world, source, dir)),
        ));
    }
    tasks.push((
        "truth/people.csv",
        Box::new(|| write_truth_people(world, dir)),
    ));
    tasks.push(("truth/persons.csv", Box::new(|| write_persons(world, dir))));
    tasks.push((
        "truth/companies.csv",
        Box::new(|| write_companies(world, dir)),
    ));
    tasks.push(("crm/deal_history.csv", Box::new(|| write_deals(world, dir))));
    tasks.push((
        "events/engagement.jsonl",
        Box::new(|| write_engagement(world, dir)),
    ));
    tasks.push(("events/intent.jsonl", Box::new(|| write_intent(world, dir))));

    let rows = run_in_parallel(&tasks)?;
    let mut files: Vec<WrittenFile> = tasks
        .iter()
        .zip(rows)
        .map(|((relative, _), rows)| WrittenFile {
            relative,
            path: dir.join(relative),
            rows,
        })
        .collect();

    let counts: Vec<(&'static str, usize)> = files.iter().map(|f| (f.relative, f.rows)).collect();
    let mut readme = create(dir, "README.md")?;
    readme.write_all(readme_text(world, &counts).as_bytes())?;
    finish(readme)?;
    files.push(WrittenFile {
        relative: "README.md",
        path: dir.join("README.md"),
        rows: 0,
    });

    Ok(DemoFiles {
        dir: dir.to_path_buf(),
        files,
        companies: world.companies.len(),
        people: world.people.len(),
        sources: Source::ALL.len(),
        source_rows: world.source_rows.len(),
        deals: world.deals.len(),
    })
}

/// Runs the tasks on a few threads, each taking the next task in turn, and returns their
/// results in task order (or the first error in task order).
fn run_in_parallel(tasks: &[Task<'_>]) -> io::Result<Vec<usize>> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<io::Result<usize>>>> =
        tasks.iter().map(|_| Mutex::new(None)).collect();
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, task)) = tasks.get(i) else { break };
                    let result = task();
                    *results[i]
                        .lock()
                        .expect("no task panics while holding the lock") = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .expect("no task panics while holding the lock")
                .expect("every task ran")
        })
        .collect()
}

fn write_source(world: &DemoWorld, source: Source, dir: &Path) -> io::Result<usize> {
    let mut out = create(dir, source.file())?;
    let crlf = source == Source::SalesNavigator;
    if crlf {
        // Export tools aimed at Excel write a byte-order mark.
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut csv = CsvWriter::new(out, source.delimiter(), crlf);
    csv.record(source.headers())?;
    let rows = world.rows(source);
    for row in rows {
        csv.record(&world.render_row(row))?;
    }
    finish(csv.into_inner())?;
    Ok(rows.len())
}

fn write_truth_people(world: &DemoWorld, dir: &Path) -> io::Result<usize> {
    let mut csv = CsvWriter::new(create(dir, "truth/people.csv")?, b',', false);
    csv.record(&[
        "file",
        "row",
        "source_record_id",
        "person_id",
        "company_id",
        "stale",
    ])?;
    for row in &world.source_rows {
        csv.record(&[
            row.source.file().to_string(),
            row.row.to_string(),
            world.record_id(row).unwrap_or_default(),
            row.person_id.to_string(),
            row.company_id.to_string(),
            row.stale.to_string(),
        ])?;
    }
    finish(csv.into_inner())?;
    Ok(world.source_rows.len())
}

fn write_persons(world: &DemoWorld, dir: &Path) -> io::Result<usize> {
    let mut csv = CsvWriter::new(create(dir, "truth/persons.csv")?, b',', false);
    csv.record(&[
        "person_id",
        "company_id",
        "first_name",
        "last_name",
        "title",
        "seniority",
        "department",
        "persona",
        "email",
        "phone",
        "linkedin_url",
        "country",
        "city",
        "previous_company_id",
        "previous_title",
        "previous_email",
    ])?;
    for p in &world.people {
        let (prev_company, prev_title, prev_email) = match &p.previous {
            Some(prev) => (
                prev.company_id.to_string(),
                prev.title.to_string(),
                prev.email.clone(),
            ),
            None => Default::default(),
        };
        csv.record(&[
            p.id.to_string(),
            p.company_id.to_string(),
            p.first_name.to_string(),
            p.last_name.to_string(),
            p.title.to_string(),
            p.seniority.to_string(),
            p.department.to_string(),
            p.persona.map(|x| x.name()).unwrap_or("").to_string(),
            p.email.clone(),
            p.phone.clone(),
            p.linkedin_url.clone(),
            p.country.to_string(),
            p.city.to_string(),
            prev_company,
            prev_title,
            prev_email,
        ])?;
    }
    finish(csv.into_inner())?;
    Ok(world.people.len())
}

fn write_companies(world: &DemoWorld, dir: &Path) -> io::Result<usize> {
    let mut csv = CsvWriter::new(create(dir, "truth/companies.csv")?, b',', false);
    csv.record(&[
        "company_id",
        "name",
        "domain",
        "fits_icp",
        "is_customer",
        "is_competitor",
        "in_market",
        "icp_misses",
        "legal_name",
        "industry",
        "country",
        "city",
        "employees",
        "revenue_usd",
        "headcount_growth_pct",
        "technologies",
    ])?;
    for c in &world.companies {
        let misses: Vec<&str> = c.icp_misses.iter().map(|m| m.label()).collect();
        csv.record(&[
            c.id.to_string(),
            c.name.clone(),
            c.domain.clone(),
            c.fits_icp.to_string(),
            c.is_customer.to_string(),
            c.is_competitor.to_string(),
            c.in_market.to_string(),
            misses.join(";"),
            c.legal_name.clone(),
            c.industry.to_string(),
            c.country.to_string(),
            c.city.to_string(),
            c.employees.to_string(),
            c.revenue_usd.to_string(),
            format!("{:.1}", c.headcount_growth_pct),
            c.technologies.join(";"),
        ])?;
    }
    finish(csv.into_inner())?;
    Ok(world.companies.len())
}

fn write_deals(world: &DemoWorld, dir: &Path) -> io::Result<usize> {
    let mut csv = CsvWriter::new(create(dir, "crm/deal_history.csv")?, b',', false);
    csv.record(&[
        "deal_id",
        "created_at",
        "closed_at",
        "outcome",
        "amount_usd",
        "company_id",
        "company_name",
        "domain",
        "industry",
        "country",
        "employees",
        "revenue_usd",
        "headcount_growth_pct",
        "technologies",
        "contact_title",
        "seniority",
        "department",
        "persona",
        "lead_source",
        "emails_opened",
        "emails_clicked",
        "meetings",
        "pricing_page_visits",
        "webinars_attended",
        "intent_lead_routing",
        "intent_sales_automation",
    ])?;
    for d in &world.deals {
        let c = world.company(d.company_id);
        csv.record(&[
            d.display_id(),
            time::date(d.created_at),
            time::date(d.closed_at),
            if d.won { "closed_won" } else { "closed_lost" }.to_string(),
            d.amount_usd.to_string(),
            c.id.to_string(),
            c.name.clone(),
            c.domain.clone(),
            c.industry.to_string(),
            c.country.to_string(),
            c.employees.to_string(),
            c.revenue_usd.to_string(),
            format!("{:.1}", c.headcount_growth_pct),
            c.technologies.join(";"),
            d.contact_title.to_string(),
            d.seniority.to_string(),
            d.department.to_string(),
            d.persona.map(|p| p.name()).unwrap_or("").to_string(),
            d.lead_source.to_string(),
            d.emails_opened.to_string(),
            d.emails_clicked.to_string(),
            d.meetings.to_string(),
            d.pricing_page_visits.to_string(),
            d.webinars_attended.to_string(),
            d.intent_lead_routing.to_string(),
            d.intent_sales_automation.to_string(),
        ])?;
    }
    finish(csv.into_inner())?;
    Ok(world.deals.len())
}

#[derive(Serialize)]
struct EngagementLine<'a> {
    at: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webinar: Option<&'a str>,
}

fn write_engagement(world: &DemoWorld, dir: &Path) -> io::Result<usize> {
    let mut out = create(dir, "events/engagement.jsonl")?;
    for e in &world.engagement {
        let company = world.company(e.company_id);
        let (email, domain) = match e.person_id {
            Some(p) => {
                let email = &world.person(p).email;
                let email = if e.noisy {
                    email.to_uppercase()
                } else {
                    email.clone()
                };
                (Some(email), None)
            }
            None if e.noisy => (None, Some(format!("www.{}", company.domain))),
            None => (None, Some(company.domain.clone())),
        };
        let detail = usize::from(e.detail);
        let line = EngagementLine {
            at: time::rfc3339(e.at),
            kind: e.kind.file_kind(),
            email,
            domain,
            url: match e.kind {
                EngagementKind::PricingPageVisit => Some("/pricing"),
                EngagementKind::DemoRequested => Some("/demo"),
                _ => None,
            },
            campaign: match e.kind {
                EngagementKind::EmailOpened | EngagementKind::EmailClicked => {
                    Some(catalog::EMAIL_CAMPAIGNS[detail])
                }
                _ => None,
            },
            webinar: match e.kind {
                EngagementKind::WebinarAttended => Some(catalog::WEBINARS[detail]),
                _ => None,
            },
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    finish(out)?;
    Ok(world.engagement.len())
}

#[derive(Serialize)]
struct IntentLine<'a> {
    at: String,
    domain: &'a str,
    topic: &'a str,
    score: u8,
}

fn write_intent(world: &DemoWorld, dir: &Path) -> io::Result<usize> {
    let mut out = create(dir, "events/intent.jsonl")?;
    for e in &world.intent {
        let line = IntentLine {
            at: time::rfc3339(e.at),
            domain: &world.company(e.company_id).domain,
            topic: e.topic,
            score: e.score,
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    finish(out)?;
    Ok(world.intent.len())
}

/// The columns of the dedupe benchmark file.
pub const BENCHMARK_COLUMNS: &[&str] = &[
    "record_id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "company_name",
    "company_domain",
    "website",
    "title",
    "phone",
    "linkedin_url",
    "city",
    "location",
    "true_id",
];

/// Writes every source record of the demo world for `config` as one CSV with the columns of
/// [`BENCHMARK_COLUMNS`]: the same values (typos, gaps and all) as the source files, mapped
/// to common names, with the true person id in `true_id`. `record_id` is
/// `<source>:<row>` ("hubspot:17"). Returns the number of data rows.
pub fn write_dedupe_benchmark(
    config: &DemoConfig,
    now: Timestamp,
    path: &Path,
) -> io::Result<usize> {
    let world = generate(config, now);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let out = BufWriter::with_capacity(1 << 16, File::create(path)?);
    let mut csv = CsvWriter::new(out, b',', false);
    csv.record(BENCHMARK_COLUMNS)?;
    for source in Source::ALL {
        let map = BenchmarkMap::new(source);
        for row in world.rows(source) {
            let fields = world.render_row(row);
            csv.record(&map.normalise(&fields, source, row.row, &row.person_id.to_string()))?;
        }
    }
    finish(csv.into_inner())?;
    Ok(world.source_rows.len())
}

/// Where each benchmark column comes from in one source's header.
struct BenchmarkMap {
    first: usize,
    last: usize,
    full: Option<usize>,
    email: Option<usize>,
    company: usize,
    domain: Option<usize>,
    website: Option<usize>,
    title: usize,
    phones: Vec<usize>,
    linkedin: Option<usize>,
    city: Option<usize>,
    location: Vec<usize>,
}

impl BenchmarkMap {
    fn new(source: Source) -> Self {
        let headers = source.headers();
        let at = |name: &str| headers.iter().position(|h| *h == name);
        let must = |name: &str| at(name).expect("known header");
        match source {
            Source::Apollo => BenchmarkMap {
                first: must("First Name"),
                last: must("Last Name"),
                full: None,
                email: at("Email"),
                company: must("Company"),
                domain: None,
                website: at("Website"),
                title: must("Title"),
                phones: vec![must("Work Direct Phone"), must("Mobile Phone")],
                linkedin: at("Person Linkedin Url"),
                city: at("City"),
                location: vec![must("City"), must("State"), must("Country")],
            },
            Source::SalesNavigator => BenchmarkMap {
                first: must("First Name"),
                last: must("Last Name"),
                full: at("Full Name"),
                email: None,
                company: must("Company Name"),
                domain: at("Company Domain"),
                website: None,
                title: must("Job Title"),
                phones: Vec::new(),
                linkedin: at("Profile URL"),
                city: None,
                location: vec![must("Location")],
            },
            Source::HubSpot => BenchmarkMap {
                first: must("First Name"),
                last: must("Last Name"),
                full: None,
                email: at("Email"),
                company: must("Company Name"),
                domain: None,
                website: at("Website URL"),
                title: must("Job Title"),
                phones: vec![must("Phone Number")],
                linkedin: None,
                city: at("City"),
                location: vec![must("City"), must("State/Region"), must("Country/Region")],
            },
        }
    }

    fn normalise(&self, f: &[String], source: Source, row: u32, true_id: &str) -> Vec<String> {
        let get = |i: Option<usize>| i.map(|i| f[i].clone()).unwrap_or_default();
        let join = |parts: &[usize], sep: &str| {
            parts
                .iter()
                .map(|&i| f[i].as_str())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(sep)
        };
        let full = match self.full {
            Some(i) => f[i].clone(),
            None => join(&[self.first, self.last], " "),
        };
        let phone = self
            .phones
            .iter()
            .map(|&i| f[i].as_str())
            .find(|s| !s.is_empty())
            .unwrap_or("")
            .to_string();
        vec![
            format!("{}:{row}", source.key()),
            f[self.first].clone(),
            f[self.last].clone(),
            full,
            get(self.email),
            f[self.company].clone(),
            get(self.domain),
            get(self.website),
            f[self.title].clone(),
            phone,
            get(self.linkedin),
            get(self.city),
            join(&self.location, ", "),
            true_id.to_string(),
        ]
    }
}

fn readme_text(world: &DemoWorld, counts: &[(&str, usize)]) -> String {
    let rows = |name: &str| {
        thousands(
            counts
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, r)| *r)
                .unwrap_or(0),
        )
    };
    let fit = world.companies.iter().filter(|c| c.fits_icp).count();
    let customers = world.companies.iter().filter(|c| c.is_customer).count();
    let won = world.deals.iter().filter(|d| d.won).count();
    format!(
        r#"# leadgate demo data

Generated by leadgate-demo with seed {seed}, scale {scale}, for {now}. Every value is
invented; the same seed, scale and date give the same bytes. The people are fictional, but
company domains are made-up words on real top-level domains and may exist: never send real
e-mail to this data.

The story: we sell Routewise, a lead-routing product. Our ICP (crates/core/src/icp/sample.toml)
is B2B software companies of 50 to 1,000 people in the US, Canada, UK, Ireland, Germany, the
Netherlands, France, Sweden and Denmark that run Salesforce or HubSpot and not LeanData or
Chili Piper. Of the {companies} companies, {fit} fit it; the others miss on industry, size,
country, stack, growth or missing data. {customers} are already customers. LeanData and
Chili Piper are in the world as competitors, with no people.

## Source exports (sources/)

{people} people appear in {source_rows} rows over three files; {overlap} of them are in
two or three files. The files disagree on purpose.

- `apollo_people.csv` ({apollo} rows) — an Apollo.io people export: comma-separated,
  UTF-8, Apollo's columns. E-mail is unavailable for about 18% of rows and guessed
  ("Extrapolated") for 10%, half of those with the wrong pattern. Phone numbers start with
  an apostrophe, as Apollo writes them. Employee counts are estimates; industries are
  Apollo's lowercase names; company names sometimes carry "Inc."/"Ltd"/"GmbH".
- `salesnav_leads.csv` ({salesnav} rows) — a LinkedIn Sales Navigator lead list from an
  export tool: semicolon-separated, UTF-8 with a byte-order mark, CRLF line ends. No e-mail
  or phone. Names carry credentials and emoji ("Chen, MBA"), titles carry headlines,
  industries use LinkedIn's 2022 names ("Software Development"), sizes are ranges
  ("51-200"), locations are "City, Region, Country" or a metro area, and a quarter of rows
  have no company domain.
- `hubspot_contacts.csv` ({hubspot} rows) — a HubSpot contacts export: comma-separated,
  UTF-8. Hand-typed values: typos in names and companies, case noise in e-mails, "&" vs
  "and", websites with and without www./https://, phone numbers in every format, country
  names like "USA", "UK" or "Deutschland", missing fields. Some people appear twice, once
  with a personal address. Quoted fields contain commas, and one job title contains a
  line break.

About 5% of rows are stale: their date (Apollo's "Primary Email Last Verified At", Sales
Navigator's "Date Added", HubSpot's "Last Activity Date") is more than 12 months old. Some
people changed jobs: their stale row shows the old company, title and e-mail.

## CRM history (crm/)

`deal_history.csv` ({deals} rows) — past leads over the last two years with outcome
closed_won or closed_lost ({won} won), the company's firmographics, the contact's title,
seniority and persona, the lead source, engagement counts and intent scores. Outcomes follow
a logistic model of ICP fit, seniority, persona, engagement and intent plus noise
(coefficients in leadgate-demo's `conversion` module), so a scorer trained on it can do
clearly better than chance, and no scorer can be perfect.

`lead_history.csv` (written by the demo command beside it) — past leads in the column
names a live lead is scored on (the lead vocabulary of docs/scoring.md), a `created_at`
date and `converted` (yes/no): what `leadgate model train --history
data/crm/lead_history.csv --time created_at` learns the scoring model from.

## Events (events/)

- `engagement.jsonl` ({engagement} lines) — the last 120 days of pricing-page visits, webinar
  attendance, e-mail opens and clicks and demo requests: {{"at", "kind", "email" or "domain",
  ...}}, kinds as `leadgate events import` reads them (a pricing-page visit is a `page_view`
  of "/pricing"). Some e-mails are upper-case and some domains start with "www.".
- `intent.jsonl` ({intent} lines) — weekly third-party intent: {{"at", "domain", "topic",
  "score"}}. Companies that are in market show "lead routing" and "sales automation" above
  the ICP's thresholds in the last three weeks; some others show older or weaker interest.

## Truth (truth/)

- `people.csv` ({truth_people} rows) — for every source row: file, row (1-based data row,
  the header not counted), the source's record id if it has one, the true person id, the
  company the row shows, and whether the row is stale.
- `persons.csv` ({persons} rows) — every true person with the correct values, and the
  previous job of people who moved.
- `companies.csv` ({truth_companies} rows) — every company with its canonical name, domain,
  whether it fits the ICP (the generator's own reading, and why not), whether it is a
  customer, a competitor, or in market now.
"#,
        seed = world.config.seed,
        scale = world.config.scale,
        now = time::rfc3339(world.now),
        companies = thousands(world.companies.len()),
        fit = thousands(fit),
        customers = thousands(customers),
        people = thousands(world.people.len()),
        source_rows = thousands(world.source_rows.len()),
        overlap = thousands(world.people_in_several_sources()),
        apollo = rows(Source::Apollo.file()),
        salesnav = rows(Source::SalesNavigator.file()),
        hubspot = rows(Source::HubSpot.file()),
        deals = rows("crm/deal_history.csv"),
        won = thousands(won),
        engagement = rows("events/engagement.jsonl"),
        intent = rows("events/intent.jsonl"),
        truth_people = rows("truth/people.csv"),
        persons = rows("truth/persons.csv"),
        truth_companies = rows("truth/companies.csv"),
    )
}
