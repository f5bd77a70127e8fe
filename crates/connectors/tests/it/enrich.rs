//! Enrichment providers against loopback servers that answer as the documentation shows
//! (Apollo's organization and people enrichment), slowly, with garbage, with 429s and 5xx,
//! and with refusals; the file provider against files with bad rows; the configuration's
//! errors; and the waterfall driven over real providers. No real waits: the clock and the
//! sleeper are fake, and the one timeout is 50 ms.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use leadgate_connectors::enrich::apollo;
use leadgate_connectors::enrich::config::{BuildContext, EnrichmentConfig, ProviderKind, Source};
use leadgate_connectors::enrich::file::{FileError, FileFormat, FileProvider};
use leadgate_connectors::enrich::http::{HttpProvider, HttpSpec, Mapping};
use leadgate_connectors::enrich::limit::RateLimit;
use leadgate_connectors::enrich::{Enrichment, Provider};
use leadgate_connectors::search::{ApiKey, BoxFuture, Clock, Sleeper};
use leadgate_core::discovery::normalize::{Domain, Email};
use leadgate_core::enrichment::{
    Answer, Cache, Credits, EnrichField, Fact, FailureKind, Lookup, SkipReason,
};
use serde_json::{Value, json};

use crate::support::temp_file;

// ---------------------------------------------------------------------------------------------
// A scripted loopback server

struct Reply {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

fn ok(body: Value) -> Reply {
    reply(StatusCode::OK, &body.to_string())
}

fn reply(status: StatusCode, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type", "application/json".into())],
        body: body.to_string(),
        delay: Duration::ZERO,
    }
}

fn with_header(mut r: Reply, name: &'static str, value: &str) -> Reply {
    r.headers.push((name, value.to_string()));
    r
}

#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    query: String,
    api_key: Option<String>,
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
}

impl Script {
    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn serve(
    State(script): State<Arc<Script>>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    script.received.lock().unwrap().push(Received {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        api_key: headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    });
    let next = script.replies.lock().unwrap().pop_front();
    let Some(r) = next else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the script has no more replies",
        )
            .into_response();
    };
    if !r.delay.is_zero() {
        tokio::time::sleep(r.delay).await;
    }
    let mut response = (r.status, r.body).into_response();
    for (name, value) in r.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A loopback server playing `replies` in order; its base URL (`…/api/v1`).
async fn server(replies: Vec<Reply>) -> (String, Arc<Script>) {
    let script = Arc::new(Script::default());
    script.replies.lock().unwrap().extend(replies);
    let app = Router::new().fallback(serve).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/api/v1"), script)
}

// ---------------------------------------------------------------------------------------------
// Time that moves only when a provider waits

#[derive(Clone)]
struct FakeTime {
    now: Arc<Mutex<Timestamp>>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl FakeTime {
    fn new() -> FakeTime {
        FakeTime {
            now: Arc::new(Mutex::new(now())),
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
        *self.now.lock().unwrap() += jiff::SignedDuration::try_from(duration).unwrap();
        Box::pin(async {})
    }
}

fn now() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

const KEY_VARIABLE: &str = "LEADGATE_TEST_ENRICH_KEY";

fn key() -> ApiKey {
    ApiKey::from_lookup(KEY_VARIABLE, |_| Some("test-key-123".into())).unwrap()
}

fn http(spec: HttpSpec, cost: u64, time: &FakeTime) -> HttpProvider {
    let key = spec.auth.as_ref().map(|_| key());
    HttpProvider::new(
        "test_api",
        spec,
        Credits::whole(cost),
        key,
        Arc::new(time.clone()),
        Arc::new(time.clone()),
    )
    .unwrap()
}

/// A generic provider of headcount at `/company/employees`, by domain.
fn generic(base: &str) -> HttpSpec {
    let mut spec = HttpSpec::new(
        format!("{base}/companies?domain={{domain}}"),
        vec![Mapping {
            field: EnrichField::Headcount,
            pointer: "/company/employees".into(),
            scale: None,
        }],
    );
    spec.backoff = Duration::from_secs(1);
    spec
}

fn acme() -> Lookup {
    Lookup::company(Domain::parse("acme.com").unwrap())
}

fn jane() -> Lookup {
    Lookup {
        email: Some(Email::parse("jane.doe@acme.com").unwrap()),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        ..Lookup::default()
    }
}

fn values(answer: &Answer) -> Vec<(EnrichField, Value)> {
    answer
        .facts
        .iter()
        .map(|f| (f.field, f.value.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Apollo's answers, as documented

fn apollo_organization() -> Value {
    json!({
        "organization": {
            "id": "5e66b6381e05b4008c8331b8",
            "name": "Acme Analytics",
            "website_url": "http://www.acme.com",
            "linkedin_url": "http://www.linkedin.com/company/acme-analytics",
            "primary_domain": "acme.com",
            "founded_year": 2015,
            "industry": "computer software",
            "estimated_num_employees": 250,
            "annual_revenue": 41000000,
            "latest_funding_stage": "Series B",
            "latest_funding_round_date": "2023-08-01T00:00:00.000+00:00",
            "total_funding": 32000000,
            "organization_headcount_six_month_growth": 0.05,
            "organization_headcount_twelve_month_growth": 0.12,
            "technology_names": ["HubSpot", "Salesforce", "Segment"],
            "short_description": "Acme Analytics builds dashboards for retail teams.",
            "current_technologies": [
                {"uid": "hubspot", "name": "HubSpot", "category": "Marketing Automation"}
            ]
        }
    })
}

fn apollo_person() -> Value {
    json!({
        "person": {
            "id": "64a7f1c2e4b0000000000001",
            "first_name": "Jane",
            "last_name": "Doe",
            "name": "Jane Doe",
            "title": "Chief Revenue Officer",
            "email": "jane.doe@acme.com",
            "email_status": "verified",
            "seniority": "c_suite",
            "departments": ["c_suite"],
            "employment_history": [
                {"current": true, "start_date": "2021-04-01", "end_date": null,
                 "organization_name": "Acme Analytics", "title": "Chief Revenue Officer"},
                {"current": false, "start_date": "2016-02-01", "end_date": "2021-03-01",
                 "organization_name": "Initech", "title": "VP Sales"}
            ],
            "organization": {"id": "5e66b6381e05b4008c8331b8", "name": "Acme Analytics"}
        }
    })
}

#[tokio::test]
async fn the_organization_preset_reads_apollo_s_documented_answer() {
    // Arrange
    let (base, script) = server(vec![ok(apollo_organization())]).await;
    let time = FakeTime::new();
    let provider = http(apollo::organization(&base, KEY_VARIABLE), 1, &time);

    // Act
    let answer = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap();

    // Assert
    let received = script.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].path, "/api/v1/organizations/enrich");
    assert_eq!(received[0].query, "domain=acme.com");
    assert_eq!(received[0].api_key.as_deref(), Some("test-key-123"));
    assert_eq!(
        values(&answer),
        [
            (EnrichField::FundingStage, json!("Series B")),
            (EnrichField::FundingDate, json!("2023-08-01")),
            (EnrichField::Headcount, json!(250)),
            (EnrichField::HeadcountGrowthPct, json!(12.0)),
            (
                EnrichField::TechStack,
                json!(["HubSpot", "Salesforce", "Segment"])
            ),
            (
                EnrichField::Description,
                json!("Acme Analytics builds dashboards for retail teams.")
            ),
        ]
    );
    assert!(
        answer
            .facts
            .iter()
            .all(|f| f.source == "test_api" && f.observed_at == now())
    );
    assert_eq!((answer.cost, answer.attempts), (Credits::whole(1), 1));
}

#[tokio::test]
async fn the_people_preset_posts_the_person_and_reads_seniority_and_tenure() {
    let (base, script) = server(vec![ok(apollo_person())]).await;
    let time = FakeTime::new();
    let provider = http(apollo::people(&base, KEY_VARIABLE), 1, &time);

    let answer = provider
        .enrich(&jane(), &[EnrichField::Seniority])
        .await
        .unwrap();

    let received = &script.received()[0];
    assert_eq!(
        (received.method.as_str(), received.path.as_str()),
        ("POST", "/api/v1/people/match")
    );
    assert_eq!(
        received.query,
        "email=jane.doe%40acme.com&first_name=Jane&last_name=Doe&domain=acme.com\
         &reveal_personal_emails=false&reveal_phone_number=false"
    );
    assert_eq!(
        values(&answer),
        [
            (EnrichField::Seniority, json!("c_level")),
            (EnrichField::RoleStartDate, json!("2021-04-01")),
        ]
    );
}

#[tokio::test]
async fn a_person_apollo_does_not_know_is_not_found_and_costs_nothing() {
    let (base, _) = server(vec![ok(json!({"person": null}))]).await;
    let time = FakeTime::new();
    let provider = http(apollo::people(&base, KEY_VARIABLE), 1, &time);

    let failure = provider
        .enrich(&jane(), &[EnrichField::Seniority])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::NotFound);
    assert_eq!(
        failure.cost,
        Credits::ZERO,
        "Apollo charges per record found"
    );
    assert_eq!(failure.reason, "no match (/person is empty in the answer)");
}

#[tokio::test]
async fn a_company_lookup_is_not_sent_to_the_people_endpoint() {
    let (base, script) = server(vec![]).await;
    let time = FakeTime::new();
    let provider = http(apollo::people(&base, KEY_VARIABLE), 1, &time);

    let failure = provider
        .enrich(&acme(), &[EnrichField::Seniority])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::MissingInput);
    assert_eq!(
        failure.reason,
        "nothing to look up: it needs one of e-mail address, LinkedIn URL, first name, last name"
    );
    assert!(script.received().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Providers that misbehave

#[tokio::test]
async fn a_slow_provider_times_out_with_a_clear_record() {
    let mut slow = ok(json!({"company": {"employees": 10}}));
    slow.delay = Duration::from_secs(5);
    let (base, _) = server(vec![slow]).await;
    let time = FakeTime::new();
    let mut spec = generic(&base);
    spec.timeout = Duration::from_millis(50);
    let provider = http(spec, 1, &time);

    let failure = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(failure.reason, "no answer within 50 ms");
    assert_eq!((failure.attempts, failure.cost), (1, Credits::ZERO));
    assert!(time.slept().is_empty(), "a timeout is not retried");
}

#[tokio::test]
async fn garbage_is_an_unreadable_answer_that_still_cost_the_call() {
    let (base, _) = server(vec![reply(
        StatusCode::OK,
        "<html><body>Service temporarily unavailable",
    )])
    .await;
    let time = FakeTime::new();
    let provider = http(generic(&base), 2, &time);

    let failure = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::Unparseable);
    assert!(
        failure.reason.starts_with("the answer is not JSON ("),
        "{}",
        failure.reason
    );
    assert!(
        failure
            .reason
            .ends_with("the answer began \"<html><body>Service temporarily unavailable\"")
    );
    assert_eq!(failure.cost, Credits::whole(2));
}

#[tokio::test]
async fn wrongly_typed_values_are_refused_one_by_one() {
    let (base, _) = server(vec![ok(json!({"company": {"employees": "about fifty"}}))]).await;
    let time = FakeTime::new();
    let provider = http(generic(&base), 1, &time);

    let answer = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap();

    assert!(answer.facts.is_empty());
    assert_eq!(answer.rejected.len(), 1);
    assert_eq!(
        answer.rejected[0].reason,
        "\"about fifty\" is not a whole number"
    );
}

#[tokio::test]
async fn a_429_then_a_200_waits_as_told_and_counts_the_retry() {
    let limited = with_header(
        reply(StatusCode::TOO_MANY_REQUESTS, r#"{"error":"rate limit"}"#),
        "retry-after",
        "7",
    );
    let (base, script) = server(vec![limited, ok(json!({"company": {"employees": 42}}))]).await;
    let time = FakeTime::new();
    let provider = http(generic(&base), 1, &time);

    let answer = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap();

    assert_eq!(values(&answer), [(EnrichField::Headcount, json!(42))]);
    assert_eq!(answer.attempts, 2);
    assert_eq!(time.slept(), [Duration::from_secs(7)]);
    assert_eq!(script.received().len(), 2);
}

#[tokio::test]
async fn a_retry_after_date_is_measured_from_the_clock() {
    let date = "Tue, 01 Dec 2026 09:00:30 GMT";
    let limited = with_header(
        reply(StatusCode::TOO_MANY_REQUESTS, ""),
        "retry-after",
        date,
    );
    let (base, _) = server(vec![limited, ok(json!({"company": {"employees": 42}}))]).await;
    let time = FakeTime::new();
    let provider = http(generic(&base), 1, &time);

    provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap();

    assert_eq!(time.slept(), [Duration::from_secs(30)]);
}

#[tokio::test]
async fn a_wait_longer_than_allowed_ends_the_call_as_rate_limited() {
    let limited = with_header(
        reply(StatusCode::TOO_MANY_REQUESTS, ""),
        "retry-after",
        "3600",
    );
    let (base, _) = server(vec![limited]).await;
    let time = FakeTime::new();
    let provider = http(generic(&base), 1, &time);

    let failure = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::RateLimited);
    assert_eq!(failure.status, Some(429));
    assert_eq!(
        failure.reason,
        "HTTP 429: asked to wait 3600 s, more than the 60 s allowed: no message"
    );
    assert!(time.slept().is_empty());
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_giving_up() {
    let error = || {
        reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"message":"upstream exploded"}"#,
        )
    };
    let (base, script) = server(vec![error(), error(), error(), error(), ok(json!({}))]).await;
    let time = FakeTime::new();
    let provider = http(generic(&base), 1, &time);

    let failure = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::HttpStatus);
    assert_eq!(failure.status, Some(500));
    assert_eq!(failure.attempts, 4);
    assert_eq!(
        failure.reason,
        "HTTP 500 after 3 retries: upstream exploded"
    );
    assert_eq!(
        time.slept(),
        [1, 2, 4].map(Duration::from_secs),
        "1 s back-off, doubled"
    );
    assert_eq!(script.received().len(), 4);
}

#[tokio::test]
async fn a_401_is_not_retried_and_names_the_variable_to_fix() {
    let (base, script) = server(vec![reply(
        StatusCode::UNAUTHORIZED,
        r#"{"error":"Invalid access credentials."}"#,
    )])
    .await;
    let time = FakeTime::new();
    let provider = http(apollo::organization(&base, KEY_VARIABLE), 1, &time);

    let failure = provider
        .enrich(&acme(), &[EnrichField::Headcount])
        .await
        .unwrap_err();

    assert_eq!(failure.kind, FailureKind::HttpStatus);
    assert_eq!(failure.status, Some(401));
    assert!(failure.is_refusal());
    assert_eq!(
        failure.reason,
        format!("HTTP 401: Invalid access credentials.; check the key in {KEY_VARIABLE}")
    );
    assert_eq!((failure.attempts, script.received().len()), (1, 1));
    assert!(time.slept().is_empty());
}

#[tokio::test]
async fn the_rate_limit_paces_calls_on_the_fake_clock() {
    let replies = (0..5)
        .map(|_| ok(json!({"company": {"employees": 1}})))
        .collect();
    let (base, _) = server(replies).await;
    let time = FakeTime::new();
    let mut spec = generic(&base);
    spec.rate_limit = Some(RateLimit {
        calls: 2,
        period: Duration::from_secs(1),
    });
    let provider = http(spec, 0, &time);

    for _ in 0..5 {
        provider
            .enrich(&acme(), &[EnrichField::Headcount])
            .await
            .unwrap();
    }

    let waited: Duration = time.slept().iter().sum();
    assert_eq!(
        time.slept().len(),
        3,
        "two calls from the full bucket, then one per 500 ms"
    );
    assert_eq!(waited, Duration::from_millis(1500));
}

// ---------------------------------------------------------------------------------------------
// The waterfall over real providers

fn file_provider(name: &str, csv: &str) -> (FileProvider, crate::support::TempFile) {
    let file = temp_file(&format!("{name}.csv"), csv.as_bytes());
    let loaded = FileProvider::open(name, &file.path, None, Credits::ZERO, now()).unwrap();
    assert!(loaded.bad_rows.is_empty(), "{:?}", loaded.bad_rows);
    (loaded.provider, file)
}

fn plan_of(providers: &[(&str, &[EnrichField], u64)]) -> leadgate_core::enrichment::Plan {
    leadgate_core::enrichment::Plan::new(
        providers
            .iter()
            .map(
                |(name, fields, cost)| leadgate_core::enrichment::ProviderPlan {
                    name: name.to_string(),
                    fields: fields.to_vec(),
                    cost: Credits::whole(*cost),
                },
            )
            .collect(),
        90,
    )
    .unwrap()
}

#[tokio::test]
async fn a_timeout_in_the_waterfall_is_recorded_and_the_file_still_answers() {
    let mut slow = ok(json!({}));
    slow.delay = Duration::from_secs(5);
    let (base, _) = server(vec![slow]).await;
    let time = FakeTime::new();
    let mut spec = generic(&base);
    spec.timeout = Duration::from_millis(50);
    let api: Arc<dyn Provider> = Arc::new(http(spec, 1, &time));
    let (file, _kept) = file_provider("sheet", "domain,headcount\nacme.com,120\n");
    let plan = plan_of(&[
        ("test_api", &[EnrichField::Headcount], 1),
        ("sheet", &[EnrichField::Headcount], 0),
    ]);
    let enrichment = Enrichment::new(plan, None, vec![api, Arc::new(file)]).unwrap();
    let mut run = enrichment.run(None);

    let outcome = enrichment
        .subject(
            &mut run,
            "company:acme.com",
            &acme(),
            &[EnrichField::Headcount],
            &Cache::default(),
            now(),
        )
        .await;

    assert_eq!(outcome.values[0].fact.source, "sheet");
    assert_eq!(outcome.values[0].fact.value, json!(120));
    assert_eq!(outcome.failures[0].provider, "test_api");
    assert_eq!(outcome.failures[0].failure.kind, FailureKind::Timeout);
    let ledger = serde_json::to_value(run.ledger()).unwrap();
    assert_eq!(ledger["providers"][0]["failures"], json!({"timeout": 1}));
    assert_eq!(ledger["providers"][1]["hits"], json!(1));
}

#[tokio::test]
async fn a_cached_value_makes_no_request_and_a_spent_budget_makes_none_either() {
    let (base, script) = server(vec![ok(apollo_organization())]).await;
    let time = FakeTime::new();
    let api: Arc<dyn Provider> =
        Arc::new(http(apollo::organization(&base, KEY_VARIABLE), 1, &time));
    let plan = plan_of(&[(
        "test_api",
        &[EnrichField::Headcount, EnrichField::FundingStage],
        1,
    )]);
    let enrichment = Enrichment::new(plan, Some(Credits::whole(1)), vec![api]).unwrap();
    let mut run = enrichment.run(None);
    let cached = Cache {
        facts: vec![Fact {
            field: EnrichField::Headcount,
            value: json!(240),
            source: "test_api".into(),
            observed_at: now() - jiff::SignedDuration::from_hours(24 * 30),
        }],
        misses: vec![],
    };

    let from_cache = enrichment
        .subject(
            &mut run,
            "a",
            &acme(),
            &[EnrichField::Headcount],
            &cached,
            now(),
        )
        .await;
    let paid = enrichment
        .subject(
            &mut run,
            "b",
            &acme(),
            &[EnrichField::FundingStage],
            &Cache::default(),
            now(),
        )
        .await;
    let over_budget = enrichment
        .subject(
            &mut run,
            "c",
            &acme(),
            &[EnrichField::FundingStage],
            &Cache::default(),
            now(),
        )
        .await;

    assert!(from_cache.values[0].from_cache);
    assert_eq!(paid.values[0].fact.value, json!("Series B"));
    assert_eq!(over_budget.skipped[0].reason, SkipReason::Budget);
    assert_eq!(
        script.received().len(),
        1,
        "only the paid call reached the server"
    );
    assert_eq!(run.ledger().spent, Credits::whole(1));
    assert_eq!(run.ledger().providers[0].skipped_for_budget, 1);
}

#[tokio::test]
async fn a_run_never_spends_more_than_its_budget_against_a_real_server() {
    let replies = (0..20).map(|_| ok(apollo_organization())).collect();
    let (base, script) = server(replies).await;
    let time = FakeTime::new();
    let api: Arc<dyn Provider> =
        Arc::new(http(apollo::organization(&base, KEY_VARIABLE), 1, &time));
    let plan = plan_of(&[("test_api", &[EnrichField::Headcount], 1)]);
    let enrichment = Enrichment::new(plan, None, vec![api]).unwrap();

    for budget in [0, 1, 3, 7] {
        let before = script.received().len();
        let mut run = enrichment.run(Some(Credits::whole(budget)));
        for i in 0..10 {
            enrichment
                .subject(
                    &mut run,
                    &format!("s{i}"),
                    &acme(),
                    &[EnrichField::Headcount],
                    &Cache::default(),
                    now(),
                )
                .await;
        }
        assert_eq!(script.received().len() - before, budget as usize);
        assert_eq!(run.ledger().spent, Credits::whole(budget));
        assert_eq!(run.ledger().providers[0].skipped_for_budget, 10 - budget);
    }
}

// ---------------------------------------------------------------------------------------------
// The file provider

#[tokio::test]
async fn the_file_provider_answers_companies_and_contacts_and_gathers_lists() {
    let csv = "domain,email,funding_stage,headcount,tech_stack,news_url,news_date,news_headline,tenure_months,seniority\n\
               acme.com,,Series B,250,HubSpot; Segment,https://news.example/1,2026-10-01,Acme raises B,,\n\
               acme.com,,,,,https://news.example/2,2026-11-02,Acme hires a CRO,,\n\
               ,jane.doe@acme.com,,,,,,,18,VP\n";
    let (file, _kept) = file_provider("sheet", csv);

    let company = file
        .enrich(
            &acme(),
            &[
                EnrichField::Headcount,
                EnrichField::News,
                EnrichField::TechStack,
            ],
        )
        .await
        .unwrap();
    let contact = file
        .enrich(
            &jane(),
            &[EnrichField::Seniority, EnrichField::RoleStartDate],
        )
        .await
        .unwrap();
    let unknown = file
        .enrich(
            &Lookup::company(Domain::parse("initech.com").unwrap()),
            &[EnrichField::Headcount],
        )
        .await
        .unwrap_err();

    assert_eq!(
        values(&company),
        [
            (EnrichField::Headcount, json!(250)),
            (EnrichField::TechStack, json!(["HubSpot", "Segment"])),
            (
                EnrichField::News,
                json!([
                    {"url": "https://news.example/1", "date": "2026-10-01", "headline": "Acme raises B"},
                    {"url": "https://news.example/2", "date": "2026-11-02", "headline": "Acme hires a CRO"}
                ])
            ),
        ]
    );
    assert_eq!(
        values(&contact),
        [
            (EnrichField::Seniority, json!("vp")),
            (EnrichField::RoleStartDate, json!("2025-06-01")),
        ]
    );
    assert_eq!(unknown.kind, FailureKind::NotFound);
    assert!(
        unknown.reason.starts_with("initech.com is not in "),
        "{}",
        unknown.reason
    );
}

#[test]
fn bad_rows_are_reported_with_file_row_and_column_and_the_rest_is_kept() {
    let csv = "domain,email,headcount,funding_date,seniority,observed_at\n\
               acme.com,,lots,2024-03-01,,\n\
               not a domain,,12,,,\n\
               ,,40,,,\n\
               initech.com,,99,2024-13-45,,yesterday\n\
               acme.com,,251,,,\n\
               ,bob@initech.com,7,,,\n";
    let file = temp_file("firms.csv", csv.as_bytes());

    let loaded = FileProvider::open("sheet", &file.path, None, Credits::ZERO, now()).unwrap();

    let shown: Vec<String> = loaded
        .bad_rows
        .iter()
        .map(|b| {
            b.to_string()
                .replace(&format!("{}", file.path.display()), "firms.csv")
        })
        .collect();
    assert_eq!(
        shown,
        [
            "firms.csv: row 1 (line 2), column headcount: \"lots\" is not a whole number",
            "firms.csv: row 2 (line 3), column domain: not a valid domain \"not a domain\": not a domain name (row left out)",
            "firms.csv: row 3 (line 4), column domain: no domain and no e-mail: nothing to key the row by (row left out)",
            "firms.csv: row 4 (line 5), column observed_at: \"yesterday\" is not a date or timestamp; the file's date is used",
            "firms.csv: row 4 (line 5), column funding_date: \"2024-13-45\" is not a date (YYYY-MM-DD)",
            "firms.csv: row 6 (line 7), column headcount: headcount describes a company: the row needs a domain",
        ]
    );
    assert_eq!((loaded.rows_read, loaded.rows_rejected), (6, 2));
    assert_eq!(loaded.provider.counts(), (2, 0));
}

#[test]
fn a_second_value_for_a_single_field_is_reported_and_the_first_kept() {
    let csv = "domain,headcount\nacme.com,250\nacme.com,250\nacme.com,300\n";
    let file = temp_file("firms.csv", csv.as_bytes());

    let loaded = FileProvider::open("sheet", &file.path, None, Credits::ZERO, now()).unwrap();

    assert_eq!(loaded.bad_rows.len(), 1);
    assert_eq!(loaded.bad_rows[0].row, 3);
    assert_eq!(
        loaded.bad_rows[0].reason,
        "300 conflicts with 250 from row 1; the first is kept"
    );
}

#[test]
fn an_unknown_column_refuses_the_file_and_lists_the_known_ones() {
    let file = temp_file("firms.csv", b"domain,headcont\nacme.com,3\n");

    let error = FileProvider::open("sheet", &file.path, None, Credits::ZERO, now()).unwrap_err();

    assert!(
        matches!(&error, FileError::UnknownColumn { column: 2, name, .. } if name == "headcont")
    );
    assert!(
        error
            .to_string()
            .contains("the columns are domain, email, observed_at, funding_stage")
    );
}

#[tokio::test]
async fn json_lines_hold_lists_and_broken_lines_are_reported() {
    let jsonl = concat!(
        r#"{"domain": "acme.com", "layoffs": [{"date": "2026-01-15", "count": 40}], "open_roles": 12, "observed_at": "2026-11-20"}"#,
        "\n\n",
        "{not json\n",
        r#"["an", "array"]"#,
        "\n",
        r#"{"domain": "initech.com", "news": [{"url": "ftp://x", "date": "2026-01-01", "headline": "h"}], "colour": "red"}"#,
        "\n",
    );
    let file = temp_file("firms.jsonl", jsonl.as_bytes());

    let loaded = FileProvider::open("sheet", &file.path, None, Credits::ZERO, now()).unwrap();
    let answer = loaded
        .provider
        .enrich(&acme(), &[EnrichField::Layoffs, EnrichField::OpenRoles])
        .await
        .unwrap();

    let problems: Vec<(u64, u64, &str, bool)> = loaded
        .bad_rows
        .iter()
        .map(|b| (b.row, b.line, b.column.as_str(), b.row_rejected))
        .collect();
    assert_eq!(
        problems,
        [
            (2, 3, "(the line)", true),
            (3, 4, "(the line)", true),
            (4, 5, "colour", false),
            (4, 5, "news", false),
        ]
    );
    assert!(loaded.bad_rows[0].reason.starts_with("not JSON: "));
    assert_eq!(
        loaded.bad_rows[1].reason,
        "a JSON array where an object was expected"
    );
    assert_eq!(
        values(&answer),
        [
            (EnrichField::OpenRoles, json!(12)),
            (
                EnrichField::Layoffs,
                json!([{"date": "2026-01-15", "count": 40}])
            ),
        ]
    );
    let observed: Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
    assert!(answer.facts.iter().all(|f| f.observed_at == observed));
    assert_eq!(FileFormat::of(&file.path), FileFormat::JsonLines);
}

// ---------------------------------------------------------------------------------------------
// The configuration

const CONFIG: &str = r#"
name = "Acme workspace"   # the workspace's own keys are not enrichment's business

[enrichment]
budget = 25.5
cache_ttl_days = 60

[[enrichment.providers]]
name = "firmo_api"
kind = "http"
order = 3
url = "http://127.0.0.1:9/v1/companies?domain={domain}"
auth = { header = "Authorization", env = "FIRMO_KEY", prefix = "Bearer " }
found = "/company"
cost = 0.5
rate_limit = "5/second"
timeout_secs = 2
[enrichment.providers.map]
headcount = "/company/employees"
headcount_growth_pct = { pointer = "/company/growth", scale = 100 }

[[enrichment.providers]]
name = "sheet"
kind = "file"
order = 1
path = "companies.csv"
fields = ["headcount", "funding_stage"]

[[enrichment.providers]]
name = "apollo_org"
kind = "apollo_organization"
order = 2
api_key_env = "MY_APOLLO_KEY"
"#;

#[test]
fn the_configuration_reads_providers_in_order_with_their_defaults() {
    let config = EnrichmentConfig::parse(CONFIG, "leadgate.toml").unwrap();

    let names: Vec<(&str, ProviderKind, String)> = config
        .providers
        .iter()
        .map(|p| (p.name.as_str(), p.kind, p.cost.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            ("sheet", ProviderKind::File, "0".to_string()),
            (
                "apollo_org",
                ProviderKind::ApolloOrganization,
                "1".to_string()
            ),
            ("firmo_api", ProviderKind::Http, "0.5".to_string()),
        ]
    );
    assert_eq!(config.budget, Some(Credits::from_thousandths(25_500)));
    assert_eq!(config.cache_ttl_days, 60);
    let Source::Http(spec) = &config.providers[2].source else {
        panic!("http")
    };
    assert_eq!(spec.map[1].scale, Some(100.0));
    assert_eq!(spec.rate_limit.unwrap().to_string(), "5/second");
    assert_eq!(spec.timeout, Duration::from_secs(2));
    let Source::Http(apollo) = &config.providers[1].source else {
        panic!("apollo")
    };
    assert_eq!(apollo.auth.as_ref().unwrap().env, "MY_APOLLO_KEY");
    assert_eq!(
        config.plan().order_for(EnrichField::Headcount),
        ["sheet", "apollo_org", "firmo_api"]
    );
    assert_eq!(
        config.plan().order_for(EnrichField::TechStack),
        ["apollo_org"]
    );
}

#[test]
fn configuration_errors_name_the_file_line_column_and_key() {
    let cases = [
        (
            CONFIG.replace("cost = 0.5\n", ""),
            "leadgate.toml:8:1: key `enrichment.providers[0].cost`: is required: the credits one call costs (0 for a free API)",
        ),
        (
            CONFIG.replace(
                "path = \"companies.csv\"",
                "path = \"companies.csv\"\nurl = \"https://x.test/{domain}\"",
            ),
            "leadgate.toml:27:7: key `enrichment.providers[1].url`: is not a key of a `file` provider",
        ),
        (
            CONFIG.replace("\"/company/employees\"", "\"company/employees\""),
            "leadgate.toml:19:13: key `enrichment.providers[0].map.headcount`: \"company/employees\" is not a JSON pointer: it must start with `/`",
        ),
        (
            CONFIG.replace(
                "fields = [\"headcount\", \"funding_stage\"]",
                "fields = [\"headcount\", \"revenue\"]",
            ),
            "leadgate.toml:27:10: key `enrichment.providers[1].fields`: unknown enrichment field `revenue` (one of funding_stage, funding_date, headcount, headcount_growth_pct, open_roles, layoffs, tech_stack, news, description, seniority, role_start_date)",
        ),
        (
            CONFIG.replace("env = \"FIRMO_KEY\"", "env = \"sk-live-1234\""),
            "leadgate.toml:13:42: key `enrichment.providers[0].auth.env`: \"sk-live-1234\" is not an environment variable name: put the key in a variable and name the variable here",
        ),
        (
            CONFIG.replace("name = \"apollo_org\"", "name = \"sheet\""),
            "leadgate.toml:30:8: key `enrichment.providers[2].name`: another provider is named \"sheet\"",
        ),
        (
            CONFIG.replace("rate_limit = \"5/second\"", "rate_limit = \"fast\""),
            "leadgate.toml:16:14: key `enrichment.providers[0].rate_limit`: \"fast\" is not a rate limit: write calls per second, minute or hour, e.g. \"50/minute\"",
        ),
        (
            CONFIG.replace("cache_ttl_days = 60", "cache_ttl_days = 60\ncache_days = 3"),
            "leadgate.toml:7:1: key `enrichment.cache_days`: unknown key, expected one of `budget`, `cache_ttl_days`, `providers`",
        ),
    ];
    for (text, expected) in cases {
        let error = EnrichmentConfig::parse(&text, "leadgate.toml").unwrap_err();
        assert_eq!(error.to_string(), expected);
    }
}

#[tokio::test]
async fn the_configuration_builds_providers_with_keys_from_the_environment() {
    let (base, script) = server(vec![
        ok(json!({})),
        ok(json!({"company": {"employees": 77, "growth": 0.031}})),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("companies.csv"),
        "domain,funding_stage\nacme.com,Seed\n",
    )
    .unwrap();
    let text = CONFIG
        .replace("http://127.0.0.1:9/v1", &base)
        .replace(
            "api_key_env = \"MY_APOLLO_KEY\"",
            &format!("api_key_env = \"MY_APOLLO_KEY\"\nbase_url = \"{base}\""),
        )
        .replace(
            "fields = [\"headcount\", \"funding_stage\"]",
            "fields = [\"funding_stage\"]",
        );
    let config = EnrichmentConfig::parse(&text, "leadgate.toml").unwrap();
    let time = FakeTime::new();
    let context = |env: Vec<(&'static str, &'static str)>| BuildContext {
        base_dir: dir.path().to_path_buf(),
        env: Arc::new(move |name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }),
        clock: Arc::new(time.clone()),
        sleeper: Arc::new(time.clone()),
    };

    let missing = config
        .build(&context(vec![("MY_APOLLO_KEY", "a")]))
        .err()
        .unwrap();
    let built = config
        .build(&context(vec![("MY_APOLLO_KEY", "a"), ("FIRMO_KEY", "f")]))
        .unwrap();
    let enrichment = built.enrichment;
    let mut run = enrichment.run(None);
    let outcome = enrichment
        .subject(
            &mut run,
            "company:acme.com",
            &acme(),
            &[EnrichField::FundingStage, EnrichField::HeadcountGrowthPct],
            &Cache::default(),
            now(),
        )
        .await;

    assert!(missing.to_string().contains("FIRMO_KEY"), "{missing}");
    let chosen: Vec<(&str, Value)> = outcome
        .values
        .iter()
        .map(|v| (v.fact.source.as_str(), v.fact.value.clone()))
        .collect();
    assert_eq!(
        chosen,
        [("sheet", json!("Seed")), ("firmo_api", json!(3.1))]
    );
    let paths: Vec<String> = script.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/api/v1/organizations/enrich", "/api/v1/companies"]);
    assert_eq!(outcome.unfilled, []);
    assert_eq!(
        run.ledger().providers[1].misses,
        1,
        "Apollo did not know acme.com"
    );
    assert_eq!(run.ledger().budget, Some(Credits::from_thousandths(25_500)));
    assert_eq!(run.ledger().spent, Credits::from_thousandths(500));
    assert!(built.bad_rows.is_empty());
}
