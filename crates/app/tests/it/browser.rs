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

    async fn screenshot(&self, name: &str) {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("a base64 PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), bytes).expect("a screenshot");
    }

    async fn sign_in(&self, server: &TestServer, name: &str) {
        self.goto(&server.at("/sign-in")).await;
        self.type_into("#email", &format!("{name}@example.com"))
            .await;
        self.type_into("#password", &password_of(name)).await;
        self.click("form button[type=submit]").await;
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
    assert!(panel.contains("sam approved as sales_lead"), "{panel}");
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
    browser.wait_for("#gate-1 .status-approved").await;
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
async fn the_pipeline_overview_renders_its_chart() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "otto").await;
    browser.click("nav a[href='/pipeline']").await;
    browser.wait_for("#pipeline-chart").await;
    let bars = browser.find_all("#pipeline-chart rect").await;
    assert_eq!(bars.len(), 12, "one bar per stage and gate");
    let table = browser.text("main table").await;
    assert!(table.contains("Gate: ICP approval 1"), "{table}");
    browser.screenshot("pipeline").await;
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

/// Every page of the review UI sends a request without a session to the sign-in page (GET
/// and POST alike), except sign-in itself and the static files.
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
        let public = path == "/sign-in" || path.starts_with("/static");
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

/// The essential actions work without JavaScript: a plain form post signs in, and a plain
/// form post approves, answered with a redirect back to the gate's page.
#[tokio::test]
async fn forms_work_without_javascript() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), true).await else {
        return;
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(server.at("/sign-in"))
        .form(&[
            ("email", "sam@example.com"),
            ("password", password_of("sam").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    let cookie = crate::support::session_cookie(&signed_in).expect("a session cookie");
    let page = client
        .get(server.at("/icp/1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries the CSRF token")
        .to_string();

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
    assert!(after.contains("Your approval is recorded."));
    assert!(after.contains("sam</strong> approved as sales_lead"));
}

/// The sample-review page: every field of every sampled record with its source and age,
/// data shown as text, and the reviewer's verdicts deciding the gate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_review_page_shows_provenance_and_takes_the_verdicts() {
    let Some(server) = TestServer::start(Backend::Sqlite, start_time(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, start_time()).await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser.sign_in(&server, "rita").await;
    browser.goto(&server.at("/")).await;
    let inbox = browser.run("return document.body.innerText;").await;
    assert!(
        !browser
            .find_all(&format!("a[href='/samples/{gate}']"))
            .await
            .is_empty(),
        "the inbox links the sample review: {inbox}"
    );
    browser.click(&format!("a[href='/samples/{gate}']")).await;
    browser.wait_for(".sample-item").await;
    assert_eq!(
        browser.run("return window.__pwned === undefined;").await,
        json!(true)
    );
    let rows = browser
        .run(
            "return [...document.querySelectorAll('.sample-item tbody tr')].map(r => \
             [...r.cells].map(c => c.textContent.trim()));",
        )
        .await;
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 4 * 8, "every field is shown: {rows:?}");
    for row in rows {
        let cells: Vec<&str> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(
            cells[2].starts_with("sheet"),
            "a source on every field: {cells:?}"
        );
        assert!(!cells[3].is_empty(), "an age on every field: {cells:?}");
    }
    assert!(
        rows.iter()
            .any(|r| r[1].as_str().unwrap().contains("<script>")),
        "data shows as text"
    );
    browser.screenshot("sample").await;
    for position in 1..=4 {
        browser
            .click(&format!("input[name='verdict_{position}'][value='match']"))
            .await;
    }
    browser.click("form button[type='submit'].approve").await;
    browser.wait_for("p.flash").await;
    assert!(browser.text("h1").await.contains("approved"));

    // The list it reviewed, from the main navigation: approved, its four prospects shown.
    browser.click("nav a[href='/lists']").await;
    browser.wait_for("tbody a[href^='/lists/']").await;
    assert!(browser.text("tbody").await.contains("approved"));
    browser.click("tbody a[href^='/lists/']").await;
    browser.wait_for("nav.filters").await;
    let names = browser
        .run("return [...document.querySelectorAll('tbody tr')].map(r => r.cells[2].textContent);")
        .await;
    assert_eq!(
        names,
        json!(["Ann0 Lee0", "Ann1 Lee1", "Ann2 Lee2", "Ann3 Lee3"])
    );
    browser.screenshot("prospect-list").await;

    // Sales ops erases one of them from the Privacy page: a dry run first, then for real.
    browser.sign_out().await;
    browser.sign_in(&server, "otto").await;
    browser.click("nav a[href='/erasures']").await;
    browser.wait_for("form[action='/erasures']").await;
    browser.type_into("#email", "ann3@firm3.com").await;
    browser.type_into("#reason", "her e-mail to privacy@").await;
    browser
        .click("form[action='/erasures'] button[type='submit']")
        .await;
    browser.wait_for("#dry-run-h").await;
    browser.click("input[name='dry_run']").await;
    browser
        .click("form[action='/erasures'] button[type='submit']")
        .await;
    browser.wait_for("#erased-h").await;
    assert!(
        browser
            .text("section.gate-panel")
            .await
            .contains("1 record(s)")
    );
}
