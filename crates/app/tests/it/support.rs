//! Test support: a fresh workspace per test, on SQLite (a temp dir) or PostgreSQL (a schema
//! of its own in the `test` database, so tests run in parallel), and a runner for the real
//! `leadgate` binary.
//!
//! PostgreSQL is found at `LEADGATE_TEST_POSTGRES_URL`, default
//! postgres://postgres@127.0.0.1:5432/test. Where it is unreachable a PostgreSQL test skips
//! with a loud message — except under `CI=true`, where it fails: in CI nothing skips.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use leadgate::workspace::Workspace;
use sqlx::{Connection, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn postgres_url() -> String {
    std::env::var("LEADGATE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_string())
}

/// A workspace directory made for one test, removed when the test ends.
pub struct TestWorkspace {
    pub dir: tempfile::TempDir,
    /// The database URL the workspace uses (None: its own SQLite file).
    pub database_url: Option<String>,
}

static SCHEMA_SEQ: AtomicU32 = AtomicU32::new(0);

impl TestWorkspace {
    /// A directory and, on PostgreSQL, a fresh empty schema; `None` when PostgreSQL is
    /// unreachable outside CI (the test then returns early, having said so loudly).
    pub async fn new(backend: Backend) -> Option<TestWorkspace> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_schema().await?),
        };
        Some(TestWorkspace { dir, database_url })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Creates the workspace in the directory through the library.
    pub async fn init(&self, now: Timestamp) -> Workspace {
        Workspace::init(self.path(), "test", self.database_url.as_deref(), now)
            .await
            .expect("workspace init")
    }

    /// Runs the real binary in this workspace.
    pub fn leadgate(&self, args: &[&str]) -> Run {
        self.leadgate_at(args, None)
    }

    /// Runs the real binary with the clock pinned at `now`.
    pub fn leadgate_at(&self, args: &[&str], now: Option<&str>) -> Run {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"));
        command
            .args(args)
            .env("LEADGATE_WORKSPACE", self.path())
            .env_remove("LEADGATE_AS")
            .env_remove("LEADGATE_NOW");
        if let Some(now) = now {
            command.env("LEADGATE_NOW", now);
        }
        Run(command.output().expect("the leadgate binary runs"))
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }
}

impl TestWorkspace {
    /// The URL of the workspace's database, for tests that reach past leadgate (tampering).
    pub fn resolved_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => leadgate_store::sqlite_url(&self.path().join("leadgate.db")),
        }
    }
}

impl Drop for TestWorkspace {
    fn drop(&mut self) {
        let Some(url) = &self.database_url else {
            return;
        };
        let Some((_, schema)) = url.split_once("options[search_path]=") else {
            return;
        };
        let schema = schema.to_string();
        // Drop runs outside any runtime: a short-lived one of its own removes the schema.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&postgres_url()).await.ok()?;
                conn.execute(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE"
                )))
                .await
                .ok()
            })
        })
        .join();
    }
}

async fn fresh_schema() -> Option<String> {
    let base = postgres_url();
    let mut conn = match sqlx::PgConnection::connect(&base).await {
        Ok(conn) => conn,
        Err(e) => {
            crate::skip::skip(
                &format!("PostgreSQL at {base} is unreachable ({e})"),
                "start it, or set LEADGATE_TEST_POSTGRES_URL",
            );
            return None;
        }
    };
    let schema = format!(
        "lg_test_{}_{}",
        std::process::id(),
        SCHEMA_SEQ.fetch_add(1, Ordering::Relaxed)
    );
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    )))
    .await
    .expect("create a test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options[search_path]={schema}"))
}

/// What a run of the binary printed and how it exited.
pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert!(
            self.0.status.success(),
            "expected success, got {:?}\nstdout:\n{}\nstderr:\n{}",
            self.0.status.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts a failure whose error is one line containing `needle`.
    #[track_caller]
    pub fn fails_with(self, needle: &str) -> Self {
        let stderr = self.stderr();
        assert!(
            !self.0.status.success(),
            "expected failure, got success\nstdout:\n{}",
            self.stdout()
        );
        assert!(
            stderr.contains(needle),
            "stderr lacks `{needle}`:\n{stderr}"
        );
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "the error is not one line:\n{stderr}"
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout()))
    }
}

/// Runs `body` once per backend: each story below is written once and must pass on both.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::support::Backend::Postgres).await
            }
        }
    };
}

/// A running `leadgate` server on a fresh workspace, with a clock the test moves, and people
/// who can sign in (password `password-NAME`).
pub struct TestServer {
    /// Keeps the workspace's directory (and PostgreSQL schema) for as long as the server runs.
    ws: TestWorkspace,
    pub url: String,
    pub store: leadgate_store::Store,
    pub client: reqwest::Client,
    clock: std::sync::Arc<std::sync::atomic::AtomicI64>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// The test server's people: (name, roles).
pub const SERVER_PEOPLE: &[(&str, &[leadgate_core::role::Role])] = {
    use leadgate_core::role::Role;
    &[
        ("ada", &[Role::Admin]),
        ("sam", &[Role::SalesLead]),
        ("mia", &[Role::MarketingLead]),
        ("otto", &[Role::SalesOps]),
        ("ravi", &[Role::Rep]),
    ]
};

pub fn password_of(name: &str) -> String {
    format!("password-{name}")
}

impl TestServer {
    /// Starts a server at `start` with [`SERVER_PEOPLE`] and, when `with_icp`, the sample ICP
    /// proposed by otto (gate 1 open).
    pub async fn start(backend: Backend, start: Timestamp, with_icp: bool) -> Option<TestServer> {
        Self::start_configured(backend, start, with_icp, "").await
    }

    /// [`TestServer::start`] with `toml` added to the workspace's leadgate.toml (its reps,
    /// say) before the server reads it.
    pub async fn start_configured(
        backend: Backend,
        start: Timestamp,
        with_icp: bool,
        toml: &str,
    ) -> Option<TestServer> {
        Self::start_editing(backend, start, with_icp, &|text| format!("{text}\n{toml}")).await
    }

    /// [`TestServer::start`] with the workspace's leadgate.toml rewritten by `edit` before the
    /// server reads it.
    pub async fn start_editing(
        backend: Backend,
        start: Timestamp,
        with_icp: bool,
        edit: &dyn Fn(&str) -> String,
    ) -> Option<TestServer> {
        use leadgate::engine::{auth, icp, people};
        use leadgate_core::audit::Actor;
        let ws = TestWorkspace::new(backend).await?;
        let mut workspace = ws.init(start).await;
        let text = std::fs::read_to_string(ws.path().join("leadgate.toml")).unwrap();
        let edited = edit(&text);
        if edited != text {
            ws.write("leadgate.toml", &edited);
            workspace = leadgate::workspace::Workspace::open(ws.path(), start)
                .await
                .expect("the workspace opens with the edited settings");
        }
        for (name, roles) in SERVER_PEOPLE {
            people::add(
                &workspace.store,
                &Actor::System,
                name,
                &format!("{name}@example.com"),
                roles.to_vec(),
                start,
            )
            .await
            .expect("add a person");
            auth::set_password(
                &workspace.store,
                &Actor::System,
                name,
                &password_of(name),
                start,
            )
            .await
            .expect("set a password");
        }
        if with_icp {
            icp::propose(
                &workspace.store,
                "otto",
                leadgate_core::icp::SAMPLE_ICP,
                "icp.toml",
                start,
            )
            .await
            .expect("propose the sample ICP");
        }
        let store = workspace.store.clone();
        let clock = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(start.as_second()));
        let read = clock.clone();
        let app = leadgate::server::Application::build(
            workspace,
            "127.0.0.1:0",
            std::sync::Arc::new(move || {
                Timestamp::from_second(read.load(Ordering::SeqCst)).expect("a valid test time")
            }),
        )
        .await
        .expect("the server binds");
        let url = app.url();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Some(TestServer {
            ws,
            url,
            store,
            client,
            clock,
            shutdown: Some(tx),
            handle: Some(handle),
        })
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The workspace's directory (its outbox/, its leadgate.toml).
    pub fn dir(&self) -> &Path {
        self.ws.path()
    }

    /// A lead of the server's workspace: the sample review's list passed without a review,
    /// its leads scored into outreach by a rules card ada proposes and otto approves; the
    /// first lead's contact id.
    pub async fn scored_lead(&self, now: Timestamp) -> i64 {
        use leadgate_core::discovery::prospect::ListStatus;
        open_sample_review(self, now).await;
        let mut conn = self.store.conn().await.unwrap();
        let list = leadgate_store::discovery::lists(&mut conn).await.unwrap()[0].id;
        leadgate_store::discovery::set_list_status(&mut conn, list, ListStatus::Approved)
            .await
            .unwrap();
        drop(conn);
        score_into_outreach(&self.store, "ada", "otto", now).await;
        let mut conn = self.store.conn().await.unwrap();
        leadgate_store::leads::current(&mut conn, None)
            .await
            .unwrap()[0]
            .contact_id
    }

    /// Adds a rep (`NAME@example.com`, password [`password_of`]) to the running workspace.
    pub async fn add_rep(&self, name: &str, now: Timestamp) {
        use leadgate::engine::{auth, people};
        use leadgate_core::audit::Actor;
        people::add(
            &self.store,
            &Actor::System,
            name,
            &format!("{name}@example.com"),
            vec![leadgate_core::role::Role::Rep],
            now,
        )
        .await
        .unwrap();
        auth::set_password(&self.store, &Actor::System, name, &password_of(name), now)
            .await
            .unwrap();
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        self.clock
            .fetch_add(by.as_secs(), std::sync::atomic::Ordering::SeqCst);
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.handle.take() {
            Some(handle) => handle.await?,
            None => Ok(()),
        }
    }

    /// Signs in with email and password; returns (cookie header value, CSRF token).
    pub async fn sign_in(&self, name: &str) -> (String, String) {
        let response = self
            .client
            .post(self.at("/api/session"))
            .json(&serde_json::json!({
                "email": format!("{name}@example.com"),
                "password": password_of(name),
            }))
            .send()
            .await
            .expect("sign-in answers");
        assert_eq!(response.status(), 200, "{name} signs in");
        let cookie = session_cookie(&response).expect("a session cookie");
        let body: serde_json::Value = response.json().await.expect("JSON");
        (cookie, body["csrf_token"].as_str().unwrap().to_string())
    }

    /// Creates an API token acting as `name`.
    pub async fn token(&self, name: &str) -> String {
        let (_, secret) = leadgate::engine::auth::create_token(
            &self.store,
            &leadgate_core::audit::Actor::System,
            name,
            "test",
            Timestamp::from_second(self.clock.load(Ordering::SeqCst)).unwrap(),
        )
        .await
        .expect("a token");
        secret
    }
}

/// `leadgate_session=…` from a response's Set-Cookie, ready for a Cookie header.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("leadgate_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A server whose worker has built a prospect list from a four-row sheet and opened its
/// sample review, with rita (a reviewer, password `password_of("rita")`) to decide it; the
/// gate's id.
pub async fn open_sample_review(server: &TestServer, now: Timestamp) -> i64 {
    let mut rows = String::new();
    for i in 0..4 {
        rows.push_str(&format!(
            "Ann{i},Lee{i},ann{i}@firm{i}.com,VP Sales,\"<script>window.__pwned=3</script> Firm{i}\",firm{i}.com,Computer Software,200,40000000,Salesforce,US,Texas\n"
        ));
    }
    open_sample_review_of(server, now, &rows).await
}

/// [`open_sample_review`] of a sheet of these rows (first name, last name, e-mail, title,
/// company, domain, industry, employees, revenue, technologies, country, region).
pub async fn open_sample_review_of(server: &TestServer, now: Timestamp, rows: &str) -> i64 {
    use leadgate::engine::discovery::import::{ImportRequest, import_file};
    use leadgate::engine::{auth, gates, icp, people};
    use leadgate_core::audit::Actor;
    use leadgate_core::gate::Request;
    use leadgate_core::icp::SAMPLE_ICP;
    use leadgate_core::role::Role;
    use std::time::Duration;

    let store = &server.store;
    people::add(
        store,
        &Actor::System,
        "rita",
        "rita@example.com",
        vec![Role::Reviewer],
        now,
    )
    .await
    .unwrap();
    auth::set_password(store, &Actor::System, "rita", &password_of("rita"), now)
        .await
        .unwrap();
    let proposed = icp::propose(store, "otto", SAMPLE_ICP, "icp.toml", now)
        .await
        .unwrap();
    for name in ["sam", "mia"] {
        let approve = Request::Approve {
            role: None,
            note: None,
        };
        gates::decide(store, proposed.gate.id, name, approve, now)
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut sheet = String::from(
        "first_name,last_name,email,title,company_name,company_domain,industry,employees,revenue,technologies,country,region\n",
    );
    sheet.push_str(rows);
    let path = dir.path().join("sheet.csv");
    std::fs::write(&path, sheet).unwrap();
    import_file(
        store,
        &ImportRequest {
            path,
            source: "sheet".into(),
            options: Default::default(),
            format: "auto".into(),
            actor: Actor::Person("otto".into()),
            reports_dir: dir.path().join("imports"),
        },
        None,
        now,
    )
    .await
    .unwrap();
    // The jobs the approval and the import queued run here, or on the server's worker if
    // it takes them first (its poll may be long).
    let worker = Workspace::open(server.dir(), now)
        .await
        .unwrap()
        .worker("test-helper");
    let mut gate = None;
    for _ in 0..300 {
        worker.drain(store, now).await.unwrap();
        let mut conn = store.conn().await.unwrap();
        let busy = leadgate_store::jobs::list(&mut conn, None, None, 100)
            .await
            .unwrap()
            .iter()
            .any(|j| {
                j.kind.starts_with("discovery") && (j.state == "queued" || j.state == "running")
            });
        let open = leadgate_store::gates::list(
            &mut conn,
            &leadgate_store::gates::GateFilter {
                status: Some(leadgate_core::gate::GateStatus::Open),
                kind: Some(leadgate_core::gate::GateKind::SampleReview),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        if !busy && open.len() == 1 {
            gate = Some(open[0].id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    gate.expect("discovery opened one sample gate")
}

/// An ICP version of `text` proposed by otto and approved by sam and mia: live.
pub async fn live_icp(store: &leadgate_store::Store, text: &str, now: Timestamp) {
    use leadgate::engine::{gates, icp};
    use leadgate_core::gate::Request;

    let proposed = icp::propose(store, "otto", text, "icp.toml", now)
        .await
        .unwrap();
    for name in ["sam", "mia"] {
        let approve = Request::Approve {
            role: None,
            note: None,
        };
        gates::decide(store, proposed.gate.id, name, approve, now)
            .await
            .unwrap();
    }
}

/// Imports `path` as the source `sheet`, by otto, its rejected rows under `reports_dir`.
pub async fn import_sheet(
    store: &leadgate_store::Store,
    path: PathBuf,
    reports_dir: PathBuf,
    now: Timestamp,
) {
    use leadgate::engine::discovery::import::{ImportRequest, import_file};
    use leadgate_core::audit::Actor;

    import_file(
        store,
        &ImportRequest {
            path,
            source: "sheet".into(),
            options: Default::default(),
            format: "auto".into(),
            actor: Actor::Person("otto".into()),
            reports_dir,
        },
        None,
        now,
    )
    .await
    .unwrap();
}

/// An ICP of sales teams (10 to 5,000 people; VP Sales and Sales Managers): the stories of
/// stage 3 and 4 build their leads under it.
pub const SALES_ICP: &str = r#"
segment = "Sales teams"
rationale = "Companies with a sales team to route leads for."
[firmographics]
employees = { min = 10, max = 5000 }
[[personas]]
name = "Sales"
titles = ["VP Sales", "Sales Manager"]
"#;

/// A workspace whose one prospect list, from the people of `people` (CSV) under the live
/// ICP `icp`, has passed its sample review: its admitted prospects are leads. The people
/// sam (sales lead), mia (marketing lead), otto and olga (sales ops) exist.
pub async fn admitted_list(
    ws: &TestWorkspace,
    workspace: &Workspace,
    icp: &str,
    people: &str,
    now: Timestamp,
) {
    use leadgate_core::audit::Actor;
    use leadgate_core::discovery::prospect::ListStatus;
    use leadgate_core::role::Role;

    for (name, role) in [
        ("sam", Role::SalesLead),
        ("mia", Role::MarketingLead),
        ("otto", Role::SalesOps),
        ("olga", Role::SalesOps),
    ] {
        let email = format!("{name}@example.com");
        leadgate::engine::people::add(
            &workspace.store,
            &Actor::System,
            name,
            &email,
            vec![role],
            now,
        )
        .await
        .unwrap();
    }
    live_icp(&workspace.store, icp, now).await;
    let people = ws.write("people.csv", people);
    import_sheet(&workspace.store, people, ws.path().join("imports"), now).await;
    workspace
        .worker("test")
        .drain(&workspace.store, now)
        .await
        .unwrap();
    // The sample review is stage 2's story: here the list has passed it.
    let mut conn = workspace.store.conn().await.unwrap();
    let list = leadgate_store::discovery::lists(&mut conn).await.unwrap()[0].id;
    leadgate_store::discovery::set_list_status(&mut conn, list, ListStatus::Approved)
        .await
        .unwrap();
}

/// The open gates of `kind`, oldest first.
pub async fn open_gates(
    store: &leadgate_store::Store,
    kind: leadgate_core::gate::GateKind,
) -> Vec<leadgate_store::gates::Gate> {
    let mut conn = store.conn().await.unwrap();
    leadgate_store::gates::list(
        &mut conn,
        &leadgate_store::gates::GateFilter {
            status: Some(leadgate_core::gate::GateStatus::Open),
            kind: Some(kind),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A sequence of three steps, two variants of the first, that any lead with a first name and
/// a company can be written for.
pub const SEQUENCE: &str = r#"
name = "Sales teams"

[[steps]]
channel = "email"
delay_days = 0
subject = "Leads for {{ lead.company_name }}"
body = """
Hi {{ lead.first_name }},

How do new reps at {{ lead.company_name }} get their first leads?

{{ sender.name }}
"""

[[steps.variants]]
name = "B"
subject = "A question about {{ lead.company_name }}"
body = """
Hi {{ lead.first_name }}, who decides how leads reach your reps?

{{ sender.name }}
"""

[[steps]]
channel = "linkedin_connect"
delay_days = 2
body = "Hi {{ lead.first_name }}, I wrote about leads at {{ lead.company_name }}. Glad to connect."

[[steps]]
channel = "email"
delay_days = 3
subject = "Leads for {{ lead.company_name }}"
body = """
Hi {{ lead.first_name }}, one last note on this.

{{ sender.name }}
"""
"#;

/// A variant whose first message waits at its gate: otto enrolls the first scored lead in
/// [`SEQUENCE`], stored by mia, with a sender configured here.
/// Returns the variant's id.
pub async fn variant_in_review(store: &leadgate_store::Store, now: Timestamp) -> i64 {
    use leadgate::engine::outreach::sequences::{self, Enrolled};
    let lead = {
        let mut conn = store.conn().await.unwrap();
        leadgate_store::leads::current(&mut conn, None)
            .await
            .unwrap()[0]
            .contact_id
    };
    let added = sequences::add(store, "mia", SEQUENCE, "sales.toml", now)
        .await
        .unwrap();
    let config = leadgate::engine::settings::OutreachConfig {
        sender: leadgate_core::outreach::compose::Sender {
            name: "Ravi Menon".into(),
            title: "Account Executive".into(),
            company: "Routewise".into(),
            address: "12 Harbour Street, Edinburgh EH6 6PL".into(),
        },
        ..Default::default()
    };
    let enrolled = sequences::enroll(store, "Sales teams", Some(&[lead]), "otto", &config, now)
        .await
        .unwrap();
    assert!(
        matches!(&enrolled[0], Enrolled::Enrolled { gate: Some(_), .. }),
        "{enrolled:?}"
    );
    added.version.variants[0].id
}

/// Scores every admitted lead of the approved lists into the outreach stage, through the
/// path a team takes: `maker` proposes a rules card, `approver` (sales ops) approves it, and
/// the leads are scored at a threshold every lead meets.
pub async fn score_into_outreach(
    store: &leadgate_store::Store,
    maker: &str,
    approver: &str,
    now: Timestamp,
) {
    let config = leadgate::engine::settings::ScoringConfig {
        threshold: Some(0),
        ..Default::default()
    };
    score_into_outreach_with(store, maker, approver, &config, now).await;
}

/// [`score_into_outreach`] with the scoring settings given (a routing threshold, say).
pub async fn score_into_outreach_with(
    store: &leadgate_store::Store,
    maker: &str,
    approver: &str,
    config: &leadgate::engine::settings::ScoringConfig,
    now: Timestamp,
) {
    use leadgate::engine::{gates, model, scoring};
    use leadgate_core::gate::Request;
    let card = leadgate_core::scoring::rules::parse(
        "base_points = 200\n\n[scale]\npoints_to_double_odds = 20\neven_odds_score = 200\n\n\
         [[terms]]\nbins = { feature = \"employees\", type = \"numeric\", cuts = [200], whole = true }\n\
         points = [0, 0, 5]\n",
        "rules.toml",
    )
    .unwrap();
    let proposed = model::propose_rules(store, maker, &card, now)
        .await
        .unwrap();
    let approve = Request::Approve {
        role: None,
        note: None,
    };
    gates::decide(store, proposed.gate.id, approver, approve, now)
        .await
        .unwrap();
    scoring::run(store, config, &Default::default(), now)
        .await
        .unwrap();
}

/// SpamAssassin's score of a message, run offline (`spamassassin -L -t`: local tests only,
/// no network); `None` after a loud skip when SpamAssassin is not installed.
pub fn spam_score(eml: &[u8]) -> Option<f64> {
    use std::io::Write;
    let child = std::process::Command::new("spamassassin")
        .args(["-L", "-t"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        crate::skip::skip(
            "spamassassin is not installed",
            "apt-get install spamassassin (.ci/run does)",
        );
        return None;
    };
    child.stdin.take().unwrap().write_all(eml).unwrap();
    let out = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let score = report
        .lines()
        .find_map(|l| l.strip_prefix("Content analysis details:   ("))
        .and_then(|l| l.split_once(" points"))
        .and_then(|(n, _)| n.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no score in SpamAssassin's report:\n{report}"));
    Some(score)
}
