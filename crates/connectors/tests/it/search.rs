//! The Apollo People Search connector against a loopback server that answers as Apollo's
//! documentation shows (`people`, `pagination`, 401/429 bodies, rate-limit headers), with a
//! fake clock and a sleeper that records its waits instead of waiting.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use leadgate_connectors::import::{ProspectRecord, ReadSummary, RejectedRow};
use leadgate_connectors::search::apollo::{ApolloConfig, ApolloSearch, Endpoint};
use leadgate_connectors::search::{
    ApiKey, BoxFuture, Budget, Clock, SearchError, SearchRun, SearchSource, Sleeper, StopReason,
    WaitReason,
};
use leadgate_core::icp::{IcpDocument, SAMPLE_ICP};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// A loopback Apollo

/// One scripted answer.
struct Answer {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn ok(body: Value) -> Answer {
    Answer {
        status: StatusCode::OK,
        headers: vec![
            ("content-type", "application/json".into()),
            ("x-rate-limit-minute", "50".into()),
            ("x-minute-requests-left", "45".into()),
            ("x-hourly-requests-left", "95".into()),
        ],
        body: body.to_string(),
    }
}

fn status(status: StatusCode, headers: Vec<(&'static str, String)>, body: &str) -> Answer {
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    api_key: Option<String>,
    body: Value,
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    received: Mutex<Vec<Received>>,
}

async fn answer(
    State(script): State<Arc<Script>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    script.received.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        api_key: headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    });
    let next = script.answers.lock().unwrap().pop_front();
    match next {
        Some(a) => {
            let mut response = (a.status, a.body).into_response();
            for (name, value) in a.headers {
                response
                    .headers_mut()
                    .insert(name, value.parse().expect("a header value"));
            }
            response
        }
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the test script has no more answers",
        )
            .into_response(),
    }
}

/// A loopback Apollo that plays `answers` in order; the server stops with the test's runtime.
async fn apollo(answers: Vec<Answer>) -> (String, Arc<Script>) {
    let script = Arc::new(Script::default());
    script.answers.lock().unwrap().extend(answers);
    let app = Router::new().fallback(answer).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/api/v1"), script)
}

// ---------------------------------------------------------------------------------------------
// Time that moves only when the connector sleeps

#[derive(Clone)]
struct FakeTime {
    now: Arc<Mutex<Timestamp>>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl FakeTime {
    fn new() -> FakeTime {
        FakeTime {
            now: Arc::new(Mutex::new("2026-11-30T09:00:00Z".parse().unwrap())),
            slept: Arc::default(),
        }
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Clock for FakeTime {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap()
    }
}

impl Sleeper for FakeTime {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        self.slept.lock().unwrap().push(duration);
        let mut now = self.now.lock().unwrap();
        *now += jiff::SignedDuration::try_from(duration).unwrap();
        Box::pin(async {})
    }
}

fn key(variable: &str) -> ApiKey {
    ApiKey::from_lookup(variable, |_| Some("test-key-123".to_string())).unwrap()
}

fn connector(base_url: &str, endpoint: Endpoint, time: &FakeTime, variable: &str) -> ApolloSearch {
    let config = ApolloConfig {
        base_url: base_url.to_string(),
        endpoint,
        api_key_env: variable.to_string(),
        ..ApolloConfig::default()
    };
    ApolloSearch::new(
        config,
        key(variable),
        Arc::new(time.clone()),
        Arc::new(time.clone()),
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// People as Apollo's documentation shows them

/// A person as the People Search answers with full data (the older `mixed_people/search`
/// shape, which the enrichment endpoints share).
fn person(n: u32, first: &str, last: &str, title: &str, company: &str, domain: &str) -> Value {
    json!({
        "id": format!("64a7f1c2e4b0{n:012}"),
        "first_name": first,
        "last_name": last,
        "name": format!("{first} {last}"),
        "linkedin_url": format!("http://www.linkedin.com/in/{}-{}-{n}", first.to_lowercase(), last.to_lowercase()),
        "title": title,
        "email_status": "verified",
        "photo_url": null,
        "twitter_url": null,
        "headline": format!("{title} at {company}"),
        "email": format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
        "organization_id": format!("5e66b6381e05b4008c83{n:04}"),
        "state": "Massachusetts",
        "city": "Boston",
        "country": "United States",
        "seniority": "vp",
        "departments": ["master_sales"],
        "subdepartments": ["sales"],
        "functions": ["sales"],
        "updated_at": "2026-10-14T08:21:40.000+00:00",
        "organization": {
            "id": format!("5e66b6381e05b4008c83{n:04}"),
            "name": company,
            "website_url": format!("http://www.{domain}"),
            "linkedin_url": format!("http://www.linkedin.com/company/{}", company.to_lowercase().replace(' ', "-")),
            "primary_phone": { "number": "+1 617-555-0100", "sanitized_number": "+16175550100", "source": "Account" },
            "primary_domain": domain,
            "industry": "computer software",
            "estimated_num_employees": 240,
            "annual_revenue": 31_000_000,
            "city": "Boston",
            "state": "Massachusetts",
            "country": "United States",
            "founded_year": 2014,
        }
    })
}

fn people(from: u32, count: u32) -> Vec<Value> {
    let firsts = [
        "Dana", "Marco", "Priya", "Tomás", "Aoife", "Jonas", "Keiko", "Samir",
    ];
    let lasts = [
        "Whitfield",
        "Rossi",
        "Raman",
        "Álvarez",
        "Byrne",
        "Lind",
        "Sato",
        "Haddad",
    ];
    let companies = [
        ("Northwind Analytics", "northwind-analytics.com"),
        ("Bluefin Robotics", "bluefinrobotics.io"),
        ("Harbor Ledger", "harborledger.com"),
    ];
    (from..from + count)
        .map(|n| {
            let i = n as usize;
            let (company, domain) = companies[i % companies.len()];
            person(
                n,
                firsts[i % 8],
                lasts[(i * 3) % 8],
                "VP Sales",
                company,
                domain,
            )
        })
        .collect()
}

fn page(people: Vec<Value>, page: u32, per_page: u32, total: u64) -> Value {
    json!({
        "breadcrumbs": [],
        "partial_results_only": false,
        "disable_eu_prospecting": false,
        "partial_results_limit": 10000,
        "pagination": {
            "page": page,
            "per_page": per_page,
            "total_entries": total,
            "total_pages": total.div_ceil(u64::from(per_page)),
        },
        "contacts": [],
        "people": people,
    })
}

fn icp_with_titles() -> IcpDocument {
    IcpDocument::parse(
        r#"
segment = "Boston SaaS"
rationale = "Sales leaders at mid-sized software companies."

[firmographics]
employees = { min = 50, max = 500 }

[[personas]]
name = "Sales leader"
titles = ["VP Sales"]

[exclusions]
existing_customers = false
"#,
        "icp.toml",
    )
    .unwrap()
}

fn budget(per_page: u32) -> Budget {
    Budget {
        per_page,
        max_pages: 20,
        max_credits: 100,
        ..Budget::default()
    }
}

/// The run's people through the importer.
fn import(run: SearchRun) -> (Vec<ProspectRecord>, Vec<RejectedRow>, ReadSummary) {
    let mut import = run.into_import().unwrap();
    let (mut records, mut rejects) = (Vec::new(), Vec::new());
    for item in &mut import {
        match item {
            Ok(r) => records.push(r),
            Err(r) => rejects.push(r),
        }
    }
    (records, rejects, import.finish().unwrap())
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn the_sample_icp_compiles_into_apollos_filters_and_is_sent_as_is() {
    // Arrange
    let icp = IcpDocument::parse(SAMPLE_ICP, "sample.toml").unwrap();
    let (url, script) = apollo(vec![
        ok(page(people(0, 1), 1, 10, 1)),
        ok(page(people(1, 1), 1, 10, 1)),
    ])
    .await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");

    // Act
    let query = apollo.compile(&icp).unwrap();
    let run = apollo.run(&query, &budget(10)).await.unwrap();

    // Assert
    let common = json!({
        "organization_num_employees_ranges": ["50,1000"],
        "q_organization_keyword_tags": ["computer software", "internet", "information technology and services"],
        "organization_locations": ["united states", "canada", "united kingdom", "ireland", "germany", "netherlands", "france", "sweden", "denmark"],
        "revenue_range": { "min": 5_000_000, "max": 250_000_000 },
        "currently_using_any_of_technology_uids": ["salesforce", "hubspot"],
        "currently_not_using_any_of_technology_uids": ["leandata", "chili_piper"],
    });
    let with = |extra: Value| {
        let mut body = common.as_object().unwrap().clone();
        body.extend(extra.as_object().unwrap().clone());
        body.insert("page".into(), json!(1));
        body.insert("per_page".into(), json!(10));
        Value::Object(body)
    };
    let received = script.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].body,
        with(json!({ "person_titles": [
            "VP Revenue Operations", "Head of Revenue Operations", "Director of Sales Operations",
            "RevOps Manager", "VP Sales", "Chief Revenue Officer", "Head of Sales"
        ]}))
    );
    assert_eq!(
        received[1].body,
        with(json!({
            "person_seniorities": ["owner", "founder", "c_suite", "partner", "vp", "head", "director", "manager"],
            "person_department_or_subdepartments": ["master_operations", "master_sales"],
        }))
    );
    for r in &received {
        assert_eq!(r.path, "/api/v1/mixed_people/api_search");
        assert_eq!(r.api_key.as_deref(), Some("test-key-123"));
    }
    let not_pushed: Vec<&str> = query
        .not_pushed_down
        .iter()
        .map(|c| c.criterion.as_str())
        .collect();
    assert_eq!(
        not_pushed,
        [
            "firmographics.headcount_growth_pct",
            "personas (pairs)",
            "signals.pricing_page_visit",
            "signals.webinar_attended",
            "intent.\"lead routing\"",
            "intent.\"sales automation\"",
            "exclusions.domains",
            "exclusions.competitors",
            "exclusions.existing_customers",
        ]
    );
    let text = query.to_string();
    assert!(
        text.contains("Not pushed down (the ICP filter checks these after import):"),
        "{text}"
    );
    assert!(
        text.contains(
            "- firmographics.headcount_growth_pct: People API Search has no headcount-growth filter"
        ),
        "{text}"
    );
    assert_eq!(run.report.stop, StopReason::Complete);
    assert_eq!(
        run.report.credits_used, 0,
        "People API Search costs no credits"
    );
}

#[tokio::test]
async fn pages_are_read_to_the_last_one_and_import_as_records() {
    // Arrange: 5 people, 2 a page
    let (url, script) = apollo(vec![
        ok(page(people(0, 2), 1, 2, 5)),
        ok(page(people(2, 2), 2, 2, 5)),
        ok(page(people(4, 1), 3, 2, 5)),
    ])
    .await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let run = apollo.run(&query, &budget(2)).await.unwrap();
    let report = run.report.clone();
    let (records, rejects, summary) = import(run);

    // Assert
    let pages: Vec<Value> = script
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.body["page"].clone())
        .collect();
    assert_eq!(pages, [json!(1), json!(2), json!(3)]);
    assert_eq!(report.stop, StopReason::Complete);
    assert_eq!((report.pages, report.requests, report.records), (3, 3, 5));
    let progress = &report.searches[0];
    assert!(progress.complete);
    assert_eq!(
        (progress.total_entries, progress.total_pages),
        (Some(5), Some(3))
    );
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(summary.rows_read, 5);
    let first = &records[0];
    assert_eq!(
        first.source_record_id.as_deref(),
        Some("64a7f1c2e4b0000000000000")
    );
    assert_eq!(
        first.observed_at,
        Some("2026-10-14T08:21:40Z".parse().unwrap())
    );
    assert!(first.observed_in_row);
    assert_eq!(
        first.person.email.as_ref().unwrap().raw,
        "dana.whitfield@northwind-analytics.com"
    );
    assert_eq!(first.person.title.as_deref(), Some("VP Sales"));
    assert_eq!(
        first
            .company
            .domain
            .as_ref()
            .unwrap()
            .value
            .as_ref()
            .unwrap()
            .as_str(),
        "northwind-analytics.com"
    );
    assert_eq!(first.company.employees.as_ref().unwrap().raw, "240");
    assert_eq!(
        first
            .person
            .country
            .as_ref()
            .unwrap()
            .value
            .unwrap()
            .as_str(),
        "US"
    );
    let extra = |name: &str| {
        first
            .extra
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(extra("seniority").as_deref(), Some("vp"));
    assert_eq!(
        extra("apollo.search").as_deref(),
        Some("personas by title (Sales leader)")
    );
    assert_eq!(
        extra("apollo.fetched_at").as_deref(),
        Some("2026-11-30T09:00:00Z")
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    // Arrange
    let limited = status(
        StatusCode::TOO_MANY_REQUESTS,
        vec![
            ("retry-after", "7".into()),
            ("content-type", "application/json".into()),
        ],
        r#"{"message":"The maximum number of api calls allowed for api/v1/mixed_people/api_search is 600 times per hour."}"#,
    );
    let (url, script) = apollo(vec![limited, ok(page(people(0, 1), 1, 10, 1))]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let run = apollo.run(&query, &budget(10)).await.unwrap();

    // Assert
    assert_eq!(time.slept(), [Duration::from_secs(7)]);
    assert_eq!(run.report.waits.len(), 1);
    assert_eq!(run.report.waits[0].reason, WaitReason::RetryAfter);
    assert_eq!(
        (run.report.requests, run.report.pages, run.report.records),
        (2, 1, 1)
    );
    assert_eq!(script.received.lock().unwrap().len(), 2);
    assert_eq!(run.report.stop, StopReason::Complete);
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_a_long_retry_after_stops_the_run() {
    // Arrange
    let bare = || status(StatusCode::TOO_MANY_REQUESTS, vec![], "Too many requests");
    let hour = status(
        StatusCode::TOO_MANY_REQUESTS,
        vec![("retry-after", "3600".into())],
        "Too many requests",
    );
    let (url, _) = apollo(vec![
        ok(page(people(0, 2), 1, 2, 6)),
        bare(),
        bare(),
        ok(page(people(2, 2), 2, 2, 6)),
        hour,
    ])
    .await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let run = apollo.run(&query, &budget(2)).await.unwrap();

    // Assert: 1 s, 2 s of back-off; then a wait of an hour is more than the budget's minute
    assert_eq!(
        time.slept(),
        [Duration::from_secs(1), Duration::from_secs(2)]
    );
    let StopReason::RateLimited { detail } = &run.report.stop else {
        panic!("{:?}", run.report.stop)
    };
    assert!(
        detail.contains("asked to wait 3600 s, longer than the budget's 60 s"),
        "{detail}"
    );
    assert_eq!(run.report.records, 4, "the pages before the stop are kept");
    assert!(!run.report.searches[0].complete);
}

#[tokio::test]
async fn the_requests_per_minute_budget_paces_the_requests() {
    // Arrange
    let (url, _) = apollo(vec![
        ok(page(people(0, 1), 1, 1, 3)),
        ok(page(people(1, 1), 2, 1, 3)),
        ok(page(people(2, 1), 3, 1, 3)),
    ])
    .await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();
    let budget = Budget {
        requests_per_minute: 2,
        ..budget(1)
    };

    // Act
    let run = apollo.run(&query, &budget).await.unwrap();

    // Assert: the third request waits for the minute of the first to pass
    assert_eq!(time.slept(), [Duration::from_secs(60)]);
    assert_eq!(run.report.waits[0].reason, WaitReason::RequestsPerMinute);
    assert_eq!(run.report.pages, 3);
    assert_eq!(
        run.report.finished_at,
        "2026-11-30T09:01:00Z".parse().unwrap()
    );
}

#[tokio::test]
async fn the_credit_budget_stops_the_run_before_it_is_exceeded() {
    // Arrange: the older People Search costs a credit a page; 3 credits buy 3 of 5 pages
    let answers = (0..5)
        .map(|p| ok(page(people(p * 2, 2), p + 1, 2, 10)))
        .collect();
    let (url, script) = apollo(answers).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::MixedPeopleSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();
    let budget = Budget {
        max_credits: 3,
        ..budget(2)
    };

    // Act
    let run = apollo.run(&query, &budget).await.unwrap();

    // Assert
    assert_eq!(script.received.lock().unwrap().len(), 3);
    assert_eq!(
        script.received.lock().unwrap()[0].path,
        "/api/v1/mixed_people/search"
    );
    assert_eq!(
        run.report.stop,
        StopReason::CreditBudget {
            used: 3,
            budget: 3,
            next_page_cost: 1
        }
    );
    assert_eq!(
        run.report.stop.to_string(),
        "stopped at the credit budget: 3 of 3 credits used, and the next page could cost 1; \
         more results remain"
    );
    assert_eq!((run.report.credits_used, run.report.records), (3, 6));
    assert!(!run.report.searches[0].complete);
}

#[tokio::test]
async fn a_refused_key_names_the_variable_it_came_from() {
    // Arrange
    let refused = status(
        StatusCode::UNAUTHORIZED,
        vec![("content-type", "text/plain".into())],
        "Invalid API key. See https://docs.apollo.io/reference/authentication for how to authenticate.",
    );
    let (url, _) = apollo(vec![refused]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "LEADGATE_APOLLO_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let failure = apollo.run(&query, &budget(10)).await.unwrap_err();
    let missing = ApiKey::from_lookup("LEADGATE_APOLLO_KEY", |_| None).unwrap_err();

    // Assert
    assert!(
        matches!(failure.error, SearchError::Unauthorized { .. }),
        "{failure:?}"
    );
    assert_eq!(
        failure.to_string(),
        "apollo refused the API key from LEADGATE_APOLLO_KEY (HTTP 401): Invalid API key. See \
         https://docs.apollo.io/reference/authentication for how to authenticate.; check the key \
         in LEADGATE_APOLLO_KEY"
    );
    assert_eq!(failure.partial.report.records, 0);
    assert_eq!(
        missing.to_string(),
        "the environment variable LEADGATE_APOLLO_KEY holds no API key: set it to the source's API key"
    );
    assert!(!format!("{:?}", key("APOLLO_API_KEY")).contains("test-key-123"));
}

#[tokio::test]
async fn a_malformed_answer_is_a_clear_error_and_keeps_the_pages_before_it() {
    // Arrange
    let truncated = Answer {
        status: StatusCode::OK,
        headers: vec![("content-type", "application/json".into())],
        body: r#"{"pagination":{"page":2},"people":[{"id":"64a7"#.into(),
    };
    let (url, _) = apollo(vec![ok(page(people(0, 2), 1, 2, 6)), truncated]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let failure = apollo.run(&query, &budget(2)).await.unwrap_err();

    // Assert
    let message = failure.to_string();
    assert!(
        message.starts_with("apollo sent a malformed answer to personas by title (Sales leader), page 2: EOF while parsing"),
        "{message}"
    );
    assert!(
        message.contains(r#"the answer began "{\"pagination\""#),
        "{message}"
    );
    assert!(matches!(
        failure.partial.report.stop,
        StopReason::Failed { .. }
    ));
    let (records, _, summary) = import(failure.partial);
    assert_eq!((records.len(), summary.rows_read), (2, 2));
}

#[tokio::test]
async fn the_accounting_holds_over_a_run_with_duplicates_and_rejects() {
    // Arrange: two searches (by title, by role) that return one person twice, a person
    // without any identity, and something that is not a person
    let icp = IcpDocument::parse(
        r#"
segment = "Revenue leaders"
rationale = "Two routes to the same people."

[[personas]]
name = "Sales leader"
titles = ["VP Sales"]

[[personas]]
name = "Sales executives"
seniority = ["vp"]
departments = ["sales"]
"#,
        "icp.toml",
    )
    .unwrap();
    let mut by_title = people(0, 3);
    by_title
        .push(json!({ "id": "64a7f1c2e4b0ffffffffffff", "title": "VP Sales", "organization": {} }));
    let mut by_role = people(2, 3); // person 2 again, then 3 and 4
    by_role.push(json!("not a person"));
    let (url, _) = apollo(vec![
        ok(page(by_title, 1, 10, 4)),
        ok(page(by_role, 1, 10, 4)),
    ])
    .await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp).unwrap();

    // Act
    let run = apollo.run(&query, &budget(10)).await.unwrap();
    let report = run.report.clone();
    let (records, rejects, summary) = import(run);

    // Assert
    assert_eq!(report.people_received, 8);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.people_received, report.records + report.duplicates);
    assert_eq!(summary.rows_read, report.records);
    assert_eq!(summary.rows_read, summary.accepted + summary.rejected);
    assert_eq!((records.len(), rejects.len()), (5, 2));
    let reasons: Vec<String> = rejects.iter().map(|r| r.reason.to_string()).collect();
    assert!(reasons[0].starts_with("no usable identity"), "{reasons:?}");
    assert_eq!(reasons[1], "not a JSON object");
    let ids: Vec<&str> = records
        .iter()
        .filter_map(|r| r.source_record_id.as_deref())
        .collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(
        ids.iter().collect::<std::collections::HashSet<_>>().len(),
        5
    );
}

#[tokio::test]
async fn the_api_search_shape_with_obfuscated_names_imports() {
    // Arrange: People API Search answers with `total_entries` at the top, obfuscated last
    // names, and no e-mails (as its documentation's example shows)
    let answer = json!({
        "total_entries": 2,
        "people": [
            {
                "id": "67bdafd0c3a4c50001bbd7c2",
                "first_name": "Andrew",
                "last_name_obfuscated": "Hu***n",
                "title": "VP Sales",
                "last_refreshed_at": "2025-11-04T23:20:32.690+00:00",
                "has_email": true,
                "has_city": true,
                "has_state": true,
                "has_country": true,
                "has_direct_phone": "Yes",
                "organization": { "name": "Scicomm Media", "has_industry": true, "has_employee_count": true }
            },
            {
                "id": "6775057df8360a0001a6852c",
                "first_name": "Jon",
                "last_name_obfuscated": "St***g",
                "title": null,
                "last_refreshed_at": "2025-11-05T15:56:08.901+00:00",
                "has_email": true,
                "organization": { "name": "Lazard", "has_industry": true }
            }
        ]
    });
    let (url, _) = apollo(vec![ok(answer)]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let run = apollo.run(&query, &budget(100)).await.unwrap();
    let report = run.report.clone();
    let (records, rejects, _) = import(run);

    // Assert
    assert_eq!(report.searches[0].total_pages, Some(1));
    assert!(report.searches[0].complete);
    assert!(rejects.is_empty(), "{rejects:?}");
    let andrew = &records[0];
    assert_eq!(andrew.person.given_name.as_deref(), Some("Andrew"));
    assert_eq!(
        andrew.person.family_name, None,
        "an obfuscated name is no name"
    );
    assert_eq!(andrew.company.name.as_ref().unwrap().raw, "Scicomm Media");
    assert_eq!(
        andrew.observed_at,
        Some("2025-11-04T23:20:32.690Z".parse().unwrap())
    );
    assert!(
        andrew
            .extra
            .iter()
            .any(|(k, v)| &**k == "last_name_obfuscated" && v == "Hu***n")
    );
}

#[tokio::test]
async fn a_used_up_hourly_allowance_stops_before_the_next_request() {
    // Arrange
    let mut first = ok(page(people(0, 2), 1, 2, 6));
    first
        .headers
        .retain(|(k, _)| *k != "x-hourly-requests-left");
    first.headers.push(("x-hourly-requests-left", "0".into()));
    let (url, script) = apollo(vec![first]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let run = apollo.run(&query, &budget(2)).await.unwrap();

    // Assert
    assert_eq!(script.received.lock().unwrap().len(), 1);
    assert_eq!(
        run.report.stop,
        StopReason::RateLimited {
            detail: "Apollo's hourly allowance of requests is used up".into()
        }
    );
    assert_eq!(run.report.rate_limit.as_ref().unwrap().hourly_left, Some(0));
    assert_eq!(run.report.records, 2);
}

#[test]
fn what_apollo_cannot_express_is_left_to_the_icp_filter() {
    // Arrange: a region, open ranges, every kind of technographic, a persona without
    // departments, and a department Apollo has no match for
    let icp = IcpDocument::parse(
        r#"
segment = "DACH support"
rationale = "Support and operations leaders in DACH."

[firmographics]
employees = { min = 200 }
regions = ["DACH"]
countries = ["DE"]
revenue_usd = { min = 10_000_000 }
industries = ["Computer Software"]

[technographics]
all = ["Zendesk", "Google Analytics"]

[[personas]]
name = "Support leader"
seniority = ["director"]
departments = ["customer_success"]

[[personas]]
name = "Any VP"
seniority = ["vp"]

[exclusions]
existing_customers = false
"#,
        "icp.toml",
    )
    .unwrap();
    let config = ApolloConfig {
        industries_as_keywords: false,
        ..ApolloConfig::default()
    };
    let no_personas = IcpDocument {
        personas: Vec::new(),
        ..icp.clone()
    };

    // Act
    let query = leadgate_connectors::search::apollo::compile(&icp, &config).unwrap();
    let everyone = leadgate_connectors::search::apollo::compile(&no_personas, &config).unwrap();

    // Assert
    assert_eq!(query.searches.len(), 1, "no persona lists titles");
    assert_eq!(
        Value::Object(query.searches[0].filters.clone()),
        json!({
            "organization_num_employees_ranges": ["200,10000000"],
            "organization_locations": ["germany", "austria", "switzerland"],
            "revenue_range": { "min": 10_000_000 },
            "currently_using_all_of_technology_uids": ["zendesk", "google_analytics"],
            "person_seniorities": ["vp", "head", "director"],
        })
    );
    let skipped: Vec<(&str, &str)> = query
        .not_pushed_down
        .iter()
        .map(|c| (c.criterion.as_str(), c.detail.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "firmographics.industries",
                "industries_as_keywords is off, and People API Search has no industry-name filter"
            ),
            (
                "personas (departments)",
                "persona Any VP lists no department, so the search by seniority and department \
                 takes every department"
            ),
            (
                "personas (pairs)",
                "the personas' seniorities and departments are combined in one search (any of \
                 the seniorities in any of the departments); which pairs belong together is \
                 checked after import"
            ),
        ]
    );
    assert_eq!(everyone.searches.len(), 1);
    assert!(
        everyone.searches[0]
            .label
            .starts_with("everyone at the matching companies")
    );
    assert!(
        !everyone.searches[0]
            .filters
            .contains_key("person_seniorities")
    );
}

#[tokio::test]
async fn apollos_minute_headers_and_server_errors_are_waited_out() {
    // Arrange: page 1 says the minute's requests are used up; page 2 first meets a 503
    let mut first = ok(page(people(0, 2), 1, 2, 4));
    first
        .headers
        .retain(|(k, _)| *k != "x-minute-requests-left");
    first.headers.push(("x-minute-requests-left", "0".into()));
    let unavailable = status(StatusCode::SERVICE_UNAVAILABLE, vec![], "upstream busy");
    let (url, _) = apollo(vec![first, unavailable, ok(page(people(2, 2), 2, 2, 4))]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let run = apollo.run(&query, &budget(2)).await.unwrap();

    // Assert
    let waits: Vec<(WaitReason, Duration)> = run
        .report
        .waits
        .iter()
        .map(|w| (w.reason, w.duration))
        .collect();
    assert_eq!(
        waits,
        [
            (WaitReason::SourceMinuteLimit, Duration::from_secs(60)),
            (WaitReason::Backoff, Duration::from_secs(1)),
        ]
    );
    assert_eq!(
        time.slept(),
        [Duration::from_secs(60), Duration::from_secs(1)]
    );
    assert_eq!((run.report.requests, run.report.records), (3, 4));
    let json = serde_json::to_value(&run.report).unwrap();
    assert_eq!(json["stop"], json!({ "kind": "complete" }));
    assert_eq!(
        json["waits"][0],
        json!({ "reason": "source_minute_limit", "duration": 60_000 })
    );
}

#[tokio::test]
async fn a_key_without_search_access_is_told_it_needs_a_master_key() {
    // Arrange
    let forbidden = status(
        StatusCode::FORBIDDEN,
        vec![("content-type", "application/json".into())],
        r#"{"error":"This API key is not authorized to access api/v1/mixed_people/api_search.","error_code":"API_INACCESSIBLE"}"#,
    );
    let (url, _) = apollo(vec![forbidden]).await;
    let time = FakeTime::new();
    let apollo = connector(&url, Endpoint::ApiSearch, &time, "APOLLO_API_KEY");
    let query = apollo.compile(&icp_with_titles()).unwrap();

    // Act
    let failure = apollo.run(&query, &budget(10)).await.unwrap_err();

    // Assert
    assert_eq!(
        failure.to_string(),
        "apollo refused the request (HTTP 403): This API key is not authorized to access \
         api/v1/mixed_people/api_search. (People API Search needs a master API key, or a key \
         whose scope includes /mixed_people/api_search)"
    );
}

#[test]
fn the_configuration_is_read_strictly() {
    // Arrange
    let good = "api_key_env = \"LEADGATE_APOLLO_KEY\"\nendpoint = \"mixed_people_search\"\n\
                [technology_uids]\n\"Google Tag Manager\" = \"gtm\"\n";
    let typo = "api_key_var = \"LEADGATE_APOLLO_KEY\"\n";

    // Act
    let config: ApolloConfig = toml::from_str(good).unwrap();
    let err = toml::from_str::<ApolloConfig>(typo).unwrap_err();

    // Assert
    assert_eq!(config.api_key_env, "LEADGATE_APOLLO_KEY");
    assert_eq!(config.endpoint, Endpoint::MixedPeopleSearch);
    assert_eq!(config.base_url, "https://api.apollo.io/api/v1");
    assert!(
        err.to_string().contains("unknown field `api_key_var`"),
        "{err}"
    );
}

#[test]
fn the_https_client_starts_without_setup_and_a_bad_base_url_is_refused() {
    // Arrange
    let time = FakeTime::new();
    let bad = ApolloConfig {
        base_url: "api.apollo.io/api/v1".into(),
        ..ApolloConfig::default()
    };

    // Act: the production URL needs TLS; building the client installs nothing first
    let production = ApolloSearch::new(
        ApolloConfig::default(),
        key("APOLLO_API_KEY"),
        Arc::new(time.clone()),
        Arc::new(time.clone()),
    );
    let refused = ApolloSearch::new(
        bad,
        key("APOLLO_API_KEY"),
        Arc::new(time.clone()),
        Arc::new(time),
    );
    let plain = reqwest::Client::builder().build();

    // Assert
    assert!(production.is_ok());
    assert!(
        plain.is_ok(),
        "another reqwest client in the same program still builds"
    );
    let Err(err) = refused else {
        panic!("a URL without a scheme was accepted")
    };
    assert!(
        err.to_string().starts_with(
            "the search configuration is invalid: base_url \"api.apollo.io/api/v1\" is not a URL"
        ),
        "{err}"
    );
}
