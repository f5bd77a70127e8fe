//! The review UI in a real browser: Debian's Chromium, driven headless through
//! chromedriver's W3C WebDriver protocol (a handful of JSON calls; no driver downloads).
//!
//! Locally these tests skip with a loud message when chromium or chromedriver is missing;
//! under `CI=true` they fail instead (`.ci/run` installs both). Screenshots of the inbox
//! and the ICP page land in `target/screenshots/`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use leadgate_core::icp::SAMPLE_ICP;
use serde_json::{Value, json};

use crate::support::{Backend, TestServer, open_sample_review, password_of};

mod accessibility;
mod enrichment;
pub(crate) mod handoff;
mod icp;
mod leads;
mod lists;
mod models;
mod samples;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one headless browser session on it.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// `None` (after a loud message) when the browser is missing outside CI.
    async fn start() -> Option<Browser> {
        if !PathBuf::from(CHROMIUM).exists() || !PathBuf::from(CHROMEDRIVER).exists() {
            crate::skip::skip(
                &format!("no {CHROMIUM} or {CHROMEDRIVER}"),
                "apt-get install chromium chromium-driver (.ci/run does it)",
            );
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // A name `.ci/run` can look for: no process may still hold it after the tests.
        let profile = tempfile::Builder::new()
            // With the run's tag (LEADGATE_TEST_RUN, set by .ci/run), so that the check
            // finds this run's browsers and not those of another run on the same machine.
            .prefix(&format!(
                "leadgate-browser-test-{}-",
                std::env::var("LEADGATE_TEST_RUN").unwrap_or_default()
            ))
            .tempdir()
            .expect("a profile dir");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("a WebDriver session")
            .json()
            .await
            .expect("JSON");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Some(Browser {
            driver,
            base,
            session,
            http,
            _profile: profile,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .expect("WebDriver answers")
            .json()
            .await
            .expect("JSON");
        if answer["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn find_all(&self, css: &str) -> Vec<String> {
        let found = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first element `css` selects, waiting up to 10 s for it: after a click the next
    /// page may still be loading, and on a loaded 2-core machine that takes a while.
    async fn find(&self, css: &str) -> String {
        for _ in 0..200 {
            if let Some(first) = self.find_all(css).await.into_iter().next() {
                return first;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no element `{css}` on {}", describe(self))
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `script` in the page; the script calls `arguments[arguments.length - 1](result)`.
    async fn run_async(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    async fn run(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Waits (a little) until `css` is on the page, as after a redirect or an htmx swap.
    async fn wait_for(&self, css: &str) {
        for _ in 0..200 {
            if !self.find_all(css).await.is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("`{css}` never appeared on {}", self.url().await);
    }

    /// Resizes the window, as a phone (390×844) or a desktop (1400×1000) would show a page.
    async fn resize(&self, width: u32, height: u32) {
        let rect = json!({ "width": width, "height": height });
        self.call(reqwest::Method::POST, "/window/rect", Some(rect))
            .await;
    }

    /// Whether the page is wider than the window: something is cut off or scrolls sideways.
    async fn overflows(&self) -> bool {
        self.run("return document.documentElement.scrollWidth > window.innerWidth + 1;")
            .await
            == json!(true)
    }

    /// The elements that reach past the window's right edge (tag, class, width), for the
    /// message of a failed [`Browser::overflows`].
    async fn overflowing(&self) -> Value {
        self.run(
            "return [...document.querySelectorAll('body *')].filter(e => \
             e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => \
             `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().width)}px`);",
        )
        .await
    }

    async fn screenshot(&self, name: &str) {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("a base64 PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshot dir");
        let path = dir.join(format!("{name}.png"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("the screenshot dir");
        }
        std::fs::write(path, bytes).expect("a screenshot");
    }

    async fn sign_in(&self, server: &TestServer, name: &str) {
        self.goto(&server.at("/sign-in")).await;
        self.type_into("#email", &format!("{name}@example.com"))
            .await;
        self.type_into("#password", &password_of(name)).await;
        self.click("form button[type=submit]").await;
        // The sign-in page has a heading too: wait until the browser has left it.
        for _ in 0..200 {
            if !self.url().await.contains("/sign-in") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.wait_for("#main h1").await;
    }

    async fn sign_out(&self) {
        self.click("form.who button").await;
        self.wait_for("#email").await;
    }
}

fn describe(browser: &Browser) -> String {
    format!("session {}", browser.session)
}

/// Ends the browser with the test, also when it fails or panics: the WebDriver session is
/// deleted (chromedriver quits Chromium), chromedriver is killed, and whatever process still
/// names this browser's profile directory (Chromium's children, its crash handler) is
/// killed too, so no headless browser outlives its test. `.ci/run` checks that none did.
impl Drop for Browser {
    fn drop(&mut self) {
        let _ = delete_session(&self.base, &self.session);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .args(["-KILL", "-f"])
            .arg(self._profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `DELETE /session/{id}` over a plain blocking socket: `Drop` cannot await.
fn delete_session(base: &str, session: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "DELETE /session/{session} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Ok(())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_time() -> jiff::Timestamp {
    "2027-01-04T09:00:00Z".parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_leads_approve_the_icp_in_the_browser() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };

    // Sam, the sales lead, finds the gate in the inbox and approves it.
    browser.sign_in(&server, "sam").await;
    assert!(browser.text("#my-gates").await.contains("ICP approval #1"));
    browser.screenshot("inbox").await;
    browser.click("#my-gates a").await;
    browser.wait_for(".gate-panel").await;
    assert!(
        browser
            .text("#rationale")
            .await
            .contains("Our best customers")
    );
    browser.screenshot("icp-page").await;
    browser.click("#gate-1 button.approve").await;
    browser.wait_for("#gate-1 .decisions").await;
    let panel = browser.text("#gate-1").await;
    assert!(panel.contains("sam approved as sales lead"), "{panel}");
    assert!(
        browser.find_all("#gate-1 button.approve").await.is_empty(),
        "no second approval by sam"
    );
    browser.sign_out().await;

    // Mia, the marketing lead, completes it: the version goes live.
    browser.sign_in(&server, "mia").await;
    browser.click("#my-gates a").await;
    browser.wait_for("#gate-1 button.approve").await;
    browser.type_into("#note-1", "matches the pipeline").await;
    browser.click("#gate-1 button.approve").await;
    // The decision closed the gate: the page comes back as it now is, saying what follows.
    browser.wait_for("p.flash").await;
    let flash = browser.text("p.flash").await;
    assert!(
        flash.contains("is live: discovery has started"),
        "the page says what happened next: {flash}"
    );
    assert!(
        browser.text("h1").await.contains("live"),
        "the header is fresh"
    );
    assert!(
        browser.find_all("#my-gates").await.is_empty(),
        "nothing waits for mia any more"
    );
    browser.goto(&server.at("/icp")).await;
    assert!(browser.text("main table").await.contains("live"));
    let mut conn = server.store.conn().await.unwrap();
    let live = leadgate_store::icp::live(&mut conn, "Mid-market SaaS")
        .await
        .unwrap();
    assert!(live.is_some(), "the approval went through the engine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_sees_no_buttons_and_a_forged_post_is_refused() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "ravi").await;
    assert!(
        browser.find_all("#my-gates").await.is_empty(),
        "nothing waits for a rep"
    );

    browser.goto(&server.at("/icp/1")).await;
    browser.wait_for("#gate-1").await;
    assert!(browser.find_all("#gate-1 button.approve").await.is_empty());
    assert!(browser.find_all("#gate-1 button.reject").await.is_empty());

    // A forged approval with the rep's own session and CSRF token is refused by the gate rule.
    let status = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             const csrf = document.querySelector('input[name=csrf_token]').value;
             fetch('/gates/1/approve', { method: 'POST',
               headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
               body: 'csrf_token=' + encodeURIComponent(csrf) + '&role=sales_lead' })
               .then(r => done(r.status), e => done(String(e)));",
        )
        .await;
    assert_eq!(status, json!(403));
    // Without the CSRF token, the session alone is not enough either.
    let status = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             fetch('/gates/1/approve', { method: 'POST',
               headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'role=sales_lead' })
               .then(r => done(r.status), e => done(String(e)));",
        )
        .await;
    assert_eq!(status, json!(403));

    // That refusal must be the CSRF check's, not the gate rule's: sam, who may decide the
    // gate, posts without the token and is refused with the `csrf` error.
    browser.sign_out().await;
    browser.sign_in(&server, "sam").await;
    browser.goto(&server.at("/icp/1")).await;
    browser.wait_for("#gate-1 button.approve").await;
    let refused = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             fetch('/gates/1/approve', { method: 'POST',
               headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'role=sales_lead' })
               .then(r => r.text().then(t => done([r.status, t])), e => done(String(e)));",
        )
        .await;
    assert_eq!(refused[0], json!(403), "{refused}");
    assert!(
        refused[1].as_str().unwrap_or_default().contains("\"csrf\""),
        "refused by the CSRF check: {refused}"
    );
    let mut conn = server.store.conn().await.unwrap();
    let gate = leadgate_store::gates::get(&mut conn, 1)
        .await
        .unwrap()
        .unwrap();
    assert!(gate.decisions.is_empty(), "nothing was decided");
}

/// Four eyes on the page: sam proposed the ICP and holds a role its gate needs; the decision
/// panel offers him no button and says why, and a forged post with his own session and CSRF
/// token is refused by the gate rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_maker_sees_no_buttons_on_their_own_work() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    leadgate::engine::icp::propose(&server.store, "sam", SAMPLE_ICP, "icp.toml", start_time())
        .await
        .unwrap();
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "sam").await;
    browser.goto(&server.at("/icp/1")).await;
    browser.wait_for("#gate-1").await;
    assert!(browser.find_all("#gate-1 button.approve").await.is_empty());
    assert!(browser.find_all("#gate-1 button.reject").await.is_empty());
    let panel = browser.text("#gate-1").await;
    assert!(panel.contains("four-eyes"), "{panel}");

    let status = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             const csrf = document.querySelector('input[name=csrf_token]').value;
             fetch('/gates/1/approve', { method: 'POST',
               headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
               body: 'csrf_token=' + encodeURIComponent(csrf) + '&role=sales_lead' })
               .then(r => done(r.status), e => done(String(e)));",
        )
        .await;
    assert_eq!(status, json!(403));
    let mut conn = server.store.conn().await.unwrap();
    let gate = leadgate_store::gates::get(&mut conn, 1)
        .await
        .unwrap()
        .unwrap();
    assert!(gate.decisions.is_empty(), "nothing was decided");
    assert_eq!(gate.maker.as_deref(), Some("sam"));
}

/// The people page: a non-admin reads it without forms; an admin deactivates someone with
/// the form, and the page shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_deactivates_someone_on_the_people_page() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "sam").await;
    browser.click("nav a[href='/people']").await;
    browser.wait_for("#people").await;
    assert!(
        browser.find_all("#people form").await.is_empty(),
        "no forms for sam"
    );
    browser.sign_out().await;

    browser.sign_in(&server, "ada").await;
    browser.goto(&server.at("/people")).await;
    browser.wait_for("#person-ravi").await;
    browser
        .click("#person-ravi button[name=action][value=deactivate]")
        .await;
    browser.wait_for("p.flash").await;
    assert!(browser.text("p.flash").await.contains("Deactivated ravi"));
    assert!(browser.text("#person-ravi").await.contains("deactivated"));
    browser.screenshot("people").await;
    let mut conn = server.store.conn().await.unwrap();
    let ravi = leadgate_store::people::get(&mut conn, "ravi")
        .await
        .unwrap()
        .unwrap();
    assert!(!ravi.is_active());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_funnel_counts_what_the_store_holds() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "otto").await;
    browser.click("nav a[href='/pipeline']").await;
    browser.wait_for("#pipeline-chart").await;
    let rows = browser
        .run(
            "return [...document.querySelectorAll('main table tbody tr')].map(r => \
             [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()]);",
        )
        .await;
    let shown: std::collections::BTreeMap<String, i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();

    // The same figures, counted from the store another way.
    let mut conn = server.store.conn().await.unwrap();
    use leadgate_core::discovery::prospect::Standing;
    use leadgate_core::gate::{GateKind, GateStatus};
    use leadgate_store::discovery as stored;
    let records = stored::records(&mut conn).await.unwrap();
    let contacts: std::collections::BTreeSet<i64> = records.iter().map(|r| r.contact_id).collect();
    let lists = stored::lists(&mut conn).await.unwrap();
    let admitted = stored::prospects(&mut conn, lists[0].id, Some(Standing::Admitted))
        .await
        .unwrap()
        .len();
    let open = leadgate_store::gates::list(
        &mut conn,
        &leadgate_store::gates::GateFilter {
            status: Some(GateStatus::Open),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let waiting = |kind: GateKind| open.iter().filter(|g| g.kind == kind).count() as i64;
    let live = leadgate_store::icp::list(&mut conn)
        .await
        .unwrap()
        .iter()
        .filter(|v| v.status == leadgate_store::icp::IcpStatus::Live)
        .count() as i64;
    let expected: std::collections::BTreeMap<String, i64> = [
        ("Live ICP segments", live),
        ("ICP approvals waiting", waiting(GateKind::IcpApproval)),
        ("ICP reviews due", waiting(GateKind::IcpReview)),
        ("Records imported", records.len() as i64),
        ("Contacts resolved", contacts.len() as i64),
        ("Prospects admitted", admitted as i64),
        ("Sample reviews waiting", waiting(GateKind::SampleReview)),
        ("Approved for enrichment", 0),
        (
            "Scoring model approvals waiting",
            waiting(GateKind::ModelCalibration),
        ),
        ("Leads scored", 0),
        ("Scoring model reviews due", waiting(GateKind::ModelReview)),
        ("Qualified for outreach", 0),
        ("In a sequence", 0),
        ("E-mailed", 0),
        ("Handed to sales", 0),
        ("Tasks waiting for their rep", 0),
        ("Acknowledged by a rep", 0),
        ("Meeting booked", 0),
        ("Opportunity opened", 0),
        ("Won", 0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(shown, expected);
    assert_eq!(
        (live, admitted, records.len()),
        (1, 4, 4),
        "the figures are not all zero"
    );

    // One bar per stage, one marker per gate, and the waiting review is a link away.
    assert_eq!(browser.find_all("#pipeline-chart rect").await.len(), 14);
    assert_eq!(
        browser.find_all("#pipeline-chart .gate-mark").await.len(),
        6
    );
    assert!(
        !browser
            .find_all(&format!("#pipeline-chart a[href='/samples/{gate}']"))
            .await
            .is_empty(),
        "the funnel links the sample review that waits"
    );
    browser.resize(1400, 1000).await;
    assert!(
        !browser.overflows().await,
        "nothing scrolls sideways at 1400×1000"
    );
    browser.screenshot("pipeline").await;
    browser.resize(390, 844).await;
    assert!(
        !browser.overflows().await,
        "nothing scrolls sideways on a phone"
    );
    browser.screenshot("pipeline-phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_from_data_renders_inert() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let hostile = SAMPLE_ICP
        .replace(
            "segment = \"Mid-market SaaS\"",
            "segment = \"<img src=x onerror=window.__pwned=1>\"",
        )
        .replace(
            "Our best customers",
            "<script>window.__pwned=2</script> Our best customers",
        );
    leadgate::engine::icp::propose(&server.store, "otto", &hostile, "icp.toml", start_time())
        .await
        .expect("a hostile but valid ICP is stored as text");
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "sam").await;
    for page in ["/", "/icp", "/icp/1", "/audit"] {
        browser.goto(&server.at(page)).await;
        browser.wait_for("#main").await;
        assert_eq!(
            browser.run("return window.__pwned === undefined;").await,
            json!(true),
            "{page} ran data as code"
        );
        let scripts = browser
            .run("return document.querySelectorAll('main script, main img').length;")
            .await;
        assert_eq!(scripts, json!(0), "{page} turned data into elements");
    }
    browser.goto(&server.at("/icp/1")).await;
    assert!(
        browser
            .text("#rationale")
            .await
            .contains("<script>window.__pwned=2</script>")
    );
    assert!(
        browser
            .text("h1")
            .await
            .contains("<img src=x onerror=window.__pwned=1>")
    );
}

/// The audit log reads in words: names, actions as phrases, subjects linked to their pages,
/// inputs as key–value pairs; no stored spelling (`gate.approved`, `person:sam`,
/// `sales_lead`, raw JSON) shows through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_reads_in_words() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    open_sample_review(&server, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "otto").await;
    // A refused attempt on the log too: a wrong password, through the API.
    let refused = server
        .client
        .post(server.at("/api/session"))
        .json(&json!({ "email": "sam@example.com", "password": "wrong-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    browser.goto(&server.at("/audit")).await;
    browser.wait_for("table.audit").await;
    let text = browser
        .run("return document.querySelector('table.audit').innerText;")
        .await;
    let text = text.as_str().unwrap();
    for words in [
        "gate approved",
        "ICP proposed",
        "source imported",
        "refused: sign in",
    ] {
        assert!(text.contains(words), "`{words}` in the log: {text}");
    }
    for spelling in [
        "gate.approved",
        "person:",
        "icp_approval",
        "sales_lead",
        "{\"",
    ] {
        assert!(
            !text.contains(spelling),
            "`{spelling}` shows through: {text}"
        );
    }
    let snake = browser
        .run("return (document.body.innerText.match(/\\b[a-z]+_[a-z_]+\\b/g) || []);")
        .await;
    assert_eq!(snake, json!([]), "snake_case identifiers on the page");
    assert!(
        !browser
            .find_all("table.audit a[href='/gates/1']")
            .await
            .is_empty(),
        "a gate's entries link to the gate"
    );
    browser.resize(1400, 1000).await;
    assert!(!browser.overflows().await);
    browser.screenshot("audit").await;
}

/// No page shows an internal name: every page a person can open, walked with real data
/// behind it (an ICP live, a list built, its sample review open, a scoring model waiting
/// at its gate), shows roles, statuses,
/// actions and reasons in words — a snake_case identifier in the visible text fails. Each
/// is also checked at desktop and phone widths for anything that scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_shows_an_internal_name() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    crate::models_api_story::propose_warned_model(&server.store, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "ada").await;
    let mut walked = 0;
    for concrete in pages_to_read(&server, gate).await {
        browser.goto(&server.at(&concrete)).await;
        browser.wait_for("main").await;
        let snake = browser
            .run("return (document.body.innerText.match(/\\b[a-z]+_[a-z_]+\\b/g) || []);")
            .await;
        assert_eq!(snake, json!([]), "internal names on {concrete}");
        for (width, height) in [(1400, 1000), (390, 844)] {
            browser.resize(width, height).await;
            if browser.overflows().await {
                let wide = browser
                    .run(
                        "return [...document.querySelectorAll('body *')]\
                         .filter(e => !e.closest('main table') && e.getBoundingClientRect().right > window.innerWidth + 1)\
                         .slice(0, 5).map(e => e.tagName + '.' + e.className);",
                    )
                    .await;
                panic!("{concrete} scrolls sideways at {width}×{height}: {wide}");
            }
            // For a person to look at: every page at both sizes, in target/screenshots/all/.
            let name: String = concrete
                .trim_start_matches('/')
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            browser
                .screenshot(&format!(
                    "all/{}-{width}",
                    if name.is_empty() { "home" } else { &name }
                ))
                .await;
        }
        walked += 1;
    }
    assert!(walked >= 9, "the pages were walked: {walked}");
}

/// Every page a signed-in person reads, as paths with data behind them (`gate` is the open
/// sample review of [`open_sample_review`]). Form posts, sign-out, sign-in and the static
/// files are not pages to read.
async fn pages_to_read(server: &TestServer, gate: i64) -> Vec<String> {
    let mut pages = Vec::new();
    for path in leadgate::server::ui::page_paths() {
        let concrete = path
            .replace("/samples/{id}", &format!("/samples/{gate}"))
            .replace("{id}", "1")
            .replace("{name}", "ada");
        let response = server
            .client
            .get(server.at(&concrete))
            .send()
            .await
            .unwrap();
        if response.status() == 405
            || path.starts_with("/static")
            || path.starts_with("/unsubscribe/")
            || path.starts_with("/ack/")
            || path.starts_with("/r/")
            || path == "/sign-in"
        {
            continue;
        }
        pages.push(concrete);
    }
    pages
}

/// Every page of the review UI sends a request without a session to the sign-in page (GET
/// and POST alike), except sign-in itself, the one-click unsubscribe and acknowledge, the
/// click redirect and the static files.
#[tokio::test]
async fn every_page_needs_a_session() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in leadgate::server::ui::page_paths() {
        let url = server.at(&path.replace("{id}", "1").replace("{name}", "app.css"));
        let public = path == "/sign-in"
            || path.starts_with("/static")
            || path.starts_with("/unsubscribe/")
            || path.starts_with("/ack/")
            || path.starts_with("/r/");
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let response = client.request(method.clone(), &url).send().await.unwrap();
            let status = response.status().as_u16();
            if public {
                assert_ne!(status, 303, "{method} {path} is public");
                continue;
            }
            if status == 405 {
                continue;
            }
            assert_eq!(status, 303, "{method} {path} without a session");
            assert_eq!(
                response.headers()["location"],
                "/sign-in",
                "{method} {path}"
            );
        }
    }
}

/// A signed-in plain HTTP client (no JavaScript): its session cookie and CSRF token.
pub(super) async fn sign_in_plainly(
    server: &TestServer,
    name: &str,
    page: &str,
) -> (reqwest::Client, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(server.at("/sign-in"))
        .form(&[
            ("email", format!("{name}@example.com")),
            ("password", password_of(name)),
        ])
        .send()
        .await
        .unwrap();
    let cookie = crate::support::session_cookie(&signed_in).expect("a session cookie");
    let body = client
        .get(server.at(page))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries the CSRF token")
        .to_string();
    (client, cookie, csrf)
}

/// The essential actions work without JavaScript: a plain form post signs in, and a plain
/// form post approves, answered with a redirect back to the gate's page.
#[tokio::test]
async fn forms_work_without_javascript() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let (client, cookie, csrf) = sign_in_plainly(&server, "sam", "/icp/1").await;

    let approved = client
        .post(server.at("/gates/1/approve"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("role", "sales_lead"),
            ("note", "ok"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status().as_u16(), 303);
    assert_eq!(approved.headers()["location"], "/icp/1?decided=approved");
    let after = client
        .get(server.at("/icp/1?decided=approved"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("Your approval is recorded; the gate waits for the other approval."),
        "{after}"
    );
    assert!(after.contains("sam</strong> approved as sales lead"));
}

/// A stale link or a mistyped address, in a browser: the error page in the layout, with the
/// person's navigation, the status and a way back; the API keeps its JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_page_is_a_page_with_the_navigation() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "otto").await;
    browser.resize(1400, 1000).await;

    browser.goto(&server.at("/lists/999")).await;
    browser.wait_for("#error-message").await;
    assert_eq!(browser.text("h1").await, "Not found");
    assert_eq!(browser.text("#error-message").await, "No list 999.");
    assert!(
        !browser
            .find_all("nav[aria-label='Main'] a[href='/lists'][aria-current='page']")
            .await
            .is_empty(),
        "the navigation, at Lists"
    );
    assert!(
        !browser.find_all("main a[href='/lists']").await.is_empty(),
        "a way back to all lists"
    );
    assert!(browser.text("form.who").await.contains("otto"));
    browser.screenshot("not-found").await;

    browser.goto(&server.at("/nothing")).await;
    browser.wait_for("#error-message").await;
    assert_eq!(
        browser.text("#error-message").await,
        "There is no page at /nothing."
    );
    assert!(
        !browser
            .find_all("nav[aria-label='Main'] a[href='/privacy']")
            .await
            .is_empty(),
        "the navigation"
    );
    let status = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             Promise.all(['/lists/999', '/nothing'].map(p => fetch(p, { headers: { accept: 'text/html' } })
               .then(r => [r.status, r.headers.get('content-type')])))
               .then(done, e => done(String(e)));",
        )
        .await;
    assert_eq!(
        status,
        json!([
            [404, "text/html; charset=utf-8"],
            [404, "text/html; charset=utf-8"]
        ])
    );

    browser.goto(&server.at("/api/nothing")).await;
    let body = browser.run("return document.body.innerText;").await;
    let answer: Value = serde_json::from_str(body.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the API answers JSON ({e}): {body}"));
    assert_eq!(answer["error"]["code"], "not_found");
}

/// The router answers by what the client asks for: JSON for the API and for a client that
/// ranks JSON first, the error page for everyone else, and a page's own failure with its
/// own status (400, 403, 404, 405) and message.
#[tokio::test]
async fn errors_answer_in_the_form_the_client_reads() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let (sam, _) = server.sign_in("sam").await;
    let (ravi, ravi_csrf) = server.sign_in("ravi").await;
    let ask = |method: reqwest::Method, path: &str, accept: Option<&str>, cookie: Option<&str>| {
        let mut request = server.client.request(method, server.at(path));
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            (status, kind, response.text().await.unwrap())
        }
    };
    let get = reqwest::Method::GET;

    // The API, and a client that ranks JSON first: the error body, exactly as before.
    for (path, accept) in [
        ("/api/nothing", Some(BROWSER)),
        ("/api/nothing", None),
        ("/nothing", Some("application/json")),
    ] {
        let (status, kind, body) = ask(get.clone(), path, accept, Some(&sam)).await;
        assert_eq!(
            (status, kind.as_str()),
            (404, "application/json"),
            "{path} {accept:?}"
        );
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body,
            json!({ "error": { "code": "not_found", "message": "no such route (the API is described at /api/openapi.json)", "details": null } })
        );
    }
    let (status, kind, body) = ask(
        reqwest::Method::DELETE,
        "/lists",
        Some("application/json"),
        Some(&sam),
    )
    .await;
    assert_eq!((status, kind.as_str()), (405, "application/json"));
    assert!(body.contains("\"method_not_allowed\""), "{body}");

    // A browser, signed out: the page in the frame, no navigation, the way to sign in.
    let (status, kind, body) = ask(get.clone(), "/nothing", Some(BROWSER), None).await;
    assert_eq!((status, kind.as_str()), (404, "text/html; charset=utf-8"));
    assert!(body.contains("There is no page at /nothing."), "{body}");
    assert!(
        !body.contains("aria-label=\"Main\"") && body.contains("href=\"/sign-in\""),
        "{body}"
    );
    let (status, _, body) = ask(get.clone(), "/nothing", None, None).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("<h1>Not found</h1>"),
        "no Accept outside the API gets the page"
    );

    // Signed in: the navigation, and each page's own status and message.
    for (method, path, status, message, back) in [
        (
            get.clone(),
            "/nothing",
            404,
            "There is no page at /nothing.",
            "/",
        ),
        (get.clone(), "/lists/999", 404, "No list 999.", "/lists"),
        (
            get.clone(),
            "/samples/999",
            404,
            "No sample review 999.",
            "/lists",
        ),
        (get.clone(), "/icp/999", 404, "No ICP version 999.", "/icp"),
        (get.clone(), "/gates/999", 404, "No gate 999.", "/"),
        (
            get.clone(),
            "/lists/1?status=nonsense",
            400,
            "Status ",
            "/lists",
        ),
        (
            reqwest::Method::DELETE,
            "/lists",
            405,
            "/lists does not take a DELETE request.",
            "/lists",
        ),
    ] {
        let (got, kind, body) = ask(method, path, Some(BROWSER), Some(&sam)).await;
        assert_eq!(
            (got, kind.as_str()),
            (status, "text/html; charset=utf-8"),
            "{path}"
        );
        assert!(
            body.contains("aria-label=\"Main\""),
            "{path}: the navigation"
        );
        assert!(
            body.contains(&format!("<p id=\"error-message\">{message}")),
            "{path}: {body}"
        );
        assert!(
            body.contains(&format!("<a href=\"{back}\">")),
            "{path}: the way back"
        );
    }

    // A refused decision is the page with its 403; the CSRF check keeps its JSON answer.
    let refused = server
        .client
        .post(server.at("/gates/1/approve"))
        .header("cookie", &ravi)
        .form(&[("csrf_token", ravi_csrf.as_str()), ("role", "sales_lead")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("<h1>Not allowed</h1>") && body.contains("ravi"),
        "{body}"
    );
    let forged = server
        .client
        .post(server.at("/gates/1/approve"))
        .header("cookie", &ravi)
        .form(&[("role", "sales_lead")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert!(forged.text().await.unwrap().contains("\"csrf\""));
}
