//! The server over real HTTP, on both backends: signing in, sessions and CSRF, deciding a
//! gate through the API, the route walk (401 without credentials, 403 for a rep on every gate
//! decision), rate limiting, token revocation, the ops endpoints and graceful shutdown.

use jiff::{SignedDuration, Timestamp};
use leadgate_core::audit::Actor;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_both_backends;
use crate::support::{Backend, TestServer, open_sample_review, password_of, session_cookie};

on_both_backends!(sign_in_and_approve_through_the_api, approve_story);
on_both_backends!(
    every_route_needs_credentials_and_reps_cannot_decide,
    route_walk_story
);
on_both_backends!(failed_sign_ins_are_rate_limited, rate_limit_story);
on_both_backends!(a_revoked_token_is_refused, token_story);
on_both_backends!(ops_endpoints_answer, ops_story);
on_both_backends!(a_sample_is_reviewed_through_the_api, sample_api_story);
on_both_backends!(prospect_lists_are_read_through_the_api, lists_api_story);
on_both_backends!(shutdown_lets_a_request_in_flight_finish, shutdown_story);

fn t0() -> Timestamp {
    "2027-01-04T09:00:00Z".parse().unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn audit_actions(server: &TestServer, token: &str) -> Vec<String> {
    let page = json_of(
        server
            .client
            .get(server.at("/api/audit?limit=500"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn approve_story(backend: Backend) {
    let Some(mut server) = TestServer::start(backend, t0(), true).await else {
        return;
    };
    // Arrange: sam signs in with a password.
    let (sam_cookie, sam_csrf) = server.sign_in("sam").await;
    let me = json_of(
        server
            .client
            .get(server.at("/api/me"))
            .header("cookie", &sam_cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["person"]["name"], "sam");
    assert_eq!(me["via"], "session");

    // The inbox shows sam the gate.
    let inbox = json_of(
        server
            .client
            .get(server.at("/api/gates?for=me"))
            .header("cookie", &sam_cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        inbox["items"][0]["pending_roles"],
        json!(["sales_lead", "marketing_lead"])
    );

    // Act: without the CSRF token the approval is refused; with it, it is recorded.
    let forged = server
        .client
        .post(server.at("/api/gates/1/approve"))
        .header("cookie", &sam_cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(forged).await["error"]["code"], "csrf");
    let wrong = server
        .client
        .post(server.at("/api/gates/1/approve"))
        .header("cookie", &sam_cookie)
        .header("x-csrf-token", "0".repeat(64))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let approved = server
        .client
        .post(server.at("/api/gates/1/approve"))
        .header("cookie", &sam_cookie)
        .header("x-csrf-token", &sam_csrf)
        .json(&json!({ "note": "fits our pipeline" }))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    let gate = json_of(approved).await;
    assert_eq!(gate["status"], "open");
    assert_eq!(gate["pending_roles"], json!(["marketing_lead"]));

    // The same form through a urlencoded body carries its CSRF token as a field.
    let again = server
        .client
        .post(server.at("/api/gates/1/approve"))
        .header("cookie", &sam_cookie)
        .form(&[("csrf_token", sam_csrf.as_str())])
        .send()
        .await
        .unwrap();
    // Past CSRF, the JSON endpoint refuses the form body itself.
    assert_eq!(again.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // mia signs in through a one-time link, which works once.
    let link = leadgate::engine::auth::issue_link(&server.store, &Actor::System, "mia", t0())
        .await
        .unwrap();
    // Opening the link (as a mail scanner would) shows a button and spends nothing.
    for _ in 0..2 {
        let opened = server
            .client
            .get(server.at(&format!("/sign-in/link/{link}")))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::OK);
        assert!(session_cookie(&opened).is_none(), "no session from a GET");
        let page = opened.text().await.unwrap();
        assert!(
            page.contains(&format!("action=\"/sign-in/link/{link}\"")),
            "{page}"
        );
    }
    let followed = server
        .client
        .post(server.at(&format!("/sign-in/link/{link}")))
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    assert_eq!(followed.headers()["location"], "/");
    let set_cookie = followed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "plain HTTP gets no Secure cookie"
    );
    let mia_cookie = session_cookie(&followed).unwrap();
    let spent = server
        .client
        .post(server.at(&format!("/sign-in/link/{link}")))
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), StatusCode::UNAUTHORIZED);
    let mia_csrf = json_of(
        server
            .client
            .get(server.at("/api/me"))
            .header("cookie", &mia_cookie)
            .send()
            .await
            .unwrap(),
    )
    .await["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let closed = json_of(
        server
            .client
            .post(server.at("/api/gates/1/approve"))
            .header("cookie", &mia_cookie)
            .header("x-csrf-token", &mia_csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(closed["status"], "approved");

    // Assert: the ICP is live, and the record holds every step.
    let icp = json_of(
        server
            .client
            .get(server.at("/api/icp/1"))
            .header("cookie", &mia_cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(icp["status"], "live");
    assert!(icp["source_text"].as_str().unwrap().contains("segment"));
    let token = server.token("ada").await;
    let actions = audit_actions(&server, &token).await;
    for expected in [
        "auth.signed_in",
        "auth.csrf.refused",
        "gate.approved",
        "icp.live",
        "auth.sign_in.refused",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    let verified = json_of(
        server
            .client
            .get(server.at("/api/audit/verify"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(verified["intact"], true);

    // Signing out ends the session.
    let out = server
        .client
        .delete(server.at("/api/session"))
        .header("cookie", &mia_cookie)
        .header("x-csrf-token", &mia_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = server
        .client
        .get(server.at("/api/me"))
        .header("cookie", &mia_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    server.stop().await.unwrap();
}

/// Path parameters filled in so that every route matches.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{version}", "1")
        .replace("{token}", "not-a-token")
}

fn is_gate_decision(path: &str, method: &str) -> bool {
    method == "post" && path.starts_with("/api/gates/{id}/")
}

async fn route_walk_story(backend: Backend) {
    let Some(mut server) = TestServer::start(backend, t0(), true).await else {
        return;
    };
    let document = json_of(
        server
            .client
            .get(server.at("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let rep = server.token("ravi").await;
    let mut walked = 0;
    let mut decisions = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let public = operation.get("security").is_none();
            let url = server.at(&concrete(path));
            let verb: reqwest::Method = method.to_uppercase().parse().unwrap();
            let anonymous = server
                .client
                .request(verb.clone(), &url)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = anonymous.status();
            if public {
                // Public routes answer without credentials (a bad sign-in link is a 401 of
                // its own, about the link).
                if !path.contains("{token}") {
                    assert_ne!(
                        status,
                        StatusCode::UNAUTHORIZED,
                        "{method} {path} is public"
                    );
                }
                assert_ne!(status, StatusCode::NOT_FOUND, "{method} {path} is served");
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} without credentials"
                );
                let body = json_of(anonymous).await;
                assert_eq!(body["error"]["code"], "unauthenticated", "{method} {path}");
            }
            if is_gate_decision(path, method) {
                let body = if path.ends_with("/reject") {
                    json!({ "reason": "not for us" })
                } else {
                    json!({})
                };
                let refused = server
                    .client
                    .request(verb, &url)
                    .bearer_auth(&rep)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    refused.status(),
                    StatusCode::FORBIDDEN,
                    "a rep on {method} {path}"
                );
                decisions += 1;
            }
            walked += 1;
        }
    }
    assert!(walked >= 20, "walked {walked} operations");
    assert_eq!(decisions, 2, "approve and reject");
    // Admin-only: a rep cannot add people either.
    let add = server
        .client
        .post(server.at("/api/users"))
        .bearer_auth(&rep)
        .json(&json!({ "name": "eve", "email": "eve@example.com", "roles": ["admin"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(add.status(), StatusCode::FORBIDDEN);
    // The gate is untouched, and the refusals are on record.
    let admin = server.token("ada").await;
    let gate = json_of(
        server
            .client
            .get(server.at("/api/gates/1"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(gate["decisions"], json!([]));
    let actions = audit_actions(&server, &admin).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "gate.decide.refused")
            .count(),
        2,
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a == "user.add.refused"));
    // An admin can add people, and gets a sign-in link for them.
    let added = server
        .client
        .post(server.at("/api/users"))
        .bearer_auth(&admin)
        .json(&json!({ "name": "rita", "email": "rita@example.com", "roles": ["reviewer"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let added = json_of(added).await;
    assert!(
        added["sign_in_link"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:8080/sign-in/link/")
    );
    // Errors from extractors have the same body.
    let bad = server
        .client
        .get(server.at("/api/gates/abc"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_of(bad).await["error"]["code"], "invalid");
    let garbled = server
        .client
        .post(server.at("/api/gates/1/reject"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
    assert!(json_of(garbled).await["error"]["message"].is_string());
    server.stop().await.unwrap();
}

async fn try_sign_in(server: &TestServer, password: &str) -> reqwest::Response {
    server
        .client
        .post(server.at("/api/session"))
        .json(&json!({ "email": "sam@example.com", "password": password }))
        .send()
        .await
        .unwrap()
}

async fn rate_limit_story(backend: Backend) {
    let Some(mut server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    for _ in 0..leadgate::server::auth::MAX_FAILURES_PER_EMAIL {
        let failed = try_sign_in(&server, "not the password").await;
        assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = try_sign_in(&server, &password_of("sam")).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(wait, 15 * 60);
    assert_eq!(json_of(blocked).await["error"]["code"], "rate_limited");

    server.advance(SignedDuration::from_mins(16));
    let allowed = try_sign_in(&server, &password_of("sam")).await;
    assert_eq!(allowed.status(), StatusCode::OK);

    // A success clears the address's count: one failure short of the limit, a success,
    // then as many again, and the right password still signs in.
    use leadgate::server::auth::{MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_EMAIL};
    for round in 0..2 {
        for _ in 0..MAX_FAILURES_PER_EMAIL - 1 {
            let failed = try_sign_in(&server, "not the password").await;
            assert_eq!(failed.status(), StatusCode::UNAUTHORIZED, "round {round}");
        }
        let signed_in = try_sign_in(&server, &password_of("sam")).await;
        assert_eq!(signed_in.status(), StatusCode::OK, "round {round}");
    }

    // Per client: failures spread over many addresses, none reaching its own limit, stop
    // the client — also for a right password.
    server.advance(SignedDuration::from_mins(16));
    for i in 0..MAX_FAILURES_PER_CLIENT {
        let failed = server
            .client
            .post(server.at("/api/session"))
            .json(&json!({ "email": format!("guess{i}@example.com"), "password": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(failed.status(), StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let blocked = try_sign_in(&server, &password_of("sam")).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    server.advance(SignedDuration::from_mins(16));
    let allowed = try_sign_in(&server, &password_of("sam")).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    server.stop().await.unwrap();
}

async fn token_story(backend: Backend) {
    let Some(mut server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    let token = server.token("sam").await;
    for _ in 0..3 {
        let me = server
            .client
            .get(server.at("/api/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK);
    }
    let mut conn = server.store.conn().await.unwrap();
    let tokens = leadgate_store::credentials::list_tokens(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let id = tokens[0].id;
    assert_eq!(tokens[0].last_used_at, Some(t0()));
    leadgate::engine::auth::revoke_token(&server.store, &Actor::System, id, t0())
        .await
        .unwrap();
    let refused = server
        .client
        .get(server.at("/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().contains_key("www-authenticate"));

    let admin = server.token("ada").await;
    let actions = audit_actions(&server, &admin).await;
    let count = |name: &str| actions.iter().filter(|a| *a == name).count();
    assert_eq!(
        count("token.used"),
        2,
        "first use per token per day: {actions:?}"
    );
    assert_eq!(count("token.revoked"), 1);
    assert_eq!(count("auth.credentials.refused"), 1);
    server.stop().await.unwrap();
}

async fn ops_story(backend: Backend) {
    let Some(mut server) = TestServer::start(backend, t0(), true).await else {
        return;
    };
    let health = server
        .client
        .get(server.at("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let request_id = health.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    let ready = server
        .client
        .get(server.at("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(json_of(ready).await["status"], "ready");
    let _ = server
        .client
        .get(server.at("/api/gates"))
        .send()
        .await
        .unwrap();
    let _ = server
        .client
        .get(server.at("/no/such/route"))
        .send()
        .await
        .unwrap();

    let metrics = server
        .client
        .get(server.at("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    for line in [
        "leadgate_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1",
        "leadgate_http_requests_total{route=\"/api/gates\",method=\"GET\",status=\"401\"} 1",
        "leadgate_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        "leadgate_http_request_duration_seconds_count{route=\"/readyz\"} 1",
        "leadgate_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1",
        "leadgate_jobs{state=\"queued\"} 0",
        "leadgate_gates_open{kind=\"icp_approval\"} 1",
        "leadgate_gates_open{kind=\"icp_review\"} 0",
        "# TYPE leadgate_http_request_duration_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
    }
    server.stop().await.unwrap();
}

async fn shutdown_story(backend: Backend) {
    let Some(mut server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    // Arrange: a sign-in whose body is only half sent when the shutdown comes.
    let body = json!({ "email": "sam@example.com", "password": password_of("sam") }).to_string();
    let address = server.url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/session HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    // Act: ask the server to stop, then finish the request.
    let stopping = tokio::spawn(async move {
        let outcome = server.stop().await;
        (server, outcome)
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();

    // Assert: the request in flight got its answer, then the server stopped cleanly and
    // takes no new connections.
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("leadgate_session="));
    let (server, outcome) = stopping.await.unwrap();
    outcome.expect("a clean stop");
    assert!(tokio::net::TcpStream::connect(&address).await.is_err());
    drop(server);
}

/// A reviewer reads a sample and records verdicts through the API; a rep may not, a bad
/// verdict is named, and the last verdict closes the gate.
async fn lists_api_story(backend: Backend) {
    let Some(server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, t0()).await;
    let rita = server.token("rita").await;
    let get = |path: String| {
        let request = server.client.get(server.at(&path)).bearer_auth(&rita);
        async move { request.send().await.unwrap() }
    };

    let lists = json_of(get("/api/lists".into()).await).await;
    let list = &lists["items"][0];
    assert_eq!(list["status"], "in_review", "{lists}");
    assert_eq!(list["gate_id"], gate);
    assert_eq!(list["admitted"], 4, "the sheet's four rows: {list}");
    assert!(lists["next"].is_null());
    let id = list["id"].as_i64().unwrap();
    let one = json_of(get(format!("/api/lists/{id}")).await).await;
    assert_eq!(&one, list);

    // Paged by contact id: three, then the last one, then no further page.
    let first = json_of(get(format!("/api/lists/{id}/prospects?limit=3")).await).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 3, "{first}");
    let next = first["next"].as_str().expect("a next page").to_string();
    assert!(next.contains("after="), "{next}");
    let second = json_of(get(next).await).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1, "{second}");
    assert!(second["next"].is_null());
    let ids: Vec<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|p| p["contact_id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let prospect = &first["items"][0];
    assert_eq!(prospect["status"], "admitted");
    assert_eq!(
        prospect["profile"]["person"]["last_name"]["source"],
        "sheet"
    );
    assert!(prospect["evaluation"].is_object(), "{prospect}");

    let dropped = json_of(get(format!("/api/lists/{id}/prospects?status=dropped")).await).await;
    assert!(dropped["items"].as_array().unwrap().is_empty(), "{dropped}");
    let waiting = json_of(get(format!("/api/lists/{id}/prospects?status=needs_data")).await).await;
    assert!(waiting["items"].as_array().unwrap().is_empty(), "{waiting}");
    let held = get(format!("/api/lists/{id}/prospects?status=held")).await;
    assert_eq!(
        held.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no standing is called held"
    );
    let bad = get(format!("/api/lists/{id}/prospects?status=maybe")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(bad).await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("status")
    );
    for path in ["/api/lists/999999", "/api/lists/999999/prospects"] {
        assert_eq!(
            get(path.into()).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // The same list as pages: the lists, and the admitted prospects with names escaped.
    let page = |path: String| {
        let request = server.client.get(server.at(&path)).bearer_auth(&rita);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.text().await.unwrap()
        }
    };
    let lists_page = page("/lists".into()).await;
    assert!(
        lists_page.contains(&format!("href=\"/lists/{id}\"")),
        "{lists_page}"
    );
    assert!(lists_page.contains(&format!("href=\"/samples/{gate}\"")));
    let list_page = page(format!("/lists/{id}?status=admitted")).await;
    assert!(list_page.contains("Ann0 Lee0"), "{list_page}");
    assert!(!list_page.contains("<script>window"), "{list_page}");
    assert!(list_page.contains("&#60;script&#62;"), "{list_page}");
    let dropped_page = page(format!("/lists/{id}?status=dropped")).await;
    assert!(
        dropped_page.contains("No prospect on this list is dropped."),
        "{dropped_page}"
    );

    // The privacy page: a reviewer sees no form; sales ops runs a dry run, which changes
    // nothing (the prospects are still four below).
    let privacy = page("/privacy".into()).await;
    assert!(
        privacy.contains("takes the admin or sales ops role")
            && !privacy.contains("<form method=\"post\" action=\"/privacy\"")
    );
    // Its old path leads there, keeping the method: a form posted to it still arrives.
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let old = server
            .client
            .request(method.clone(), server.at("/erasures"))
            .bearer_auth(&rita)
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), StatusCode::PERMANENT_REDIRECT, "{method}");
        assert_eq!(old.headers()["location"], "/privacy", "{method}");
    }
    let otto_token = server.token("otto").await;
    let dry = server
        .client
        .post(server.at("/privacy"))
        .bearer_auth(&otto_token)
        .form(&[
            ("email", "ann1@firm1.com"),
            ("reason", "her request"),
            ("dry_run", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(dry.status(), StatusCode::OK);
    let dry = dry.text().await.unwrap();
    assert!(
        dry.contains("Dry run: nothing changed")
            && dry.contains("Would erase 1 record(s)")
            && dry.contains("the address"),
        "{dry}"
    );
    assert!(
        dry.contains("value=\"ann1@firm1.com\""),
        "the form stays filled for the real one"
    );
    let people = dry
        .split("<table id=\"erased-people\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_else(|| panic!("the dry run names the person: {dry}"));
    assert!(
        people.contains("<td>Ann1 Lee1</td><td>ann1@firm1.com</td>"),
        "{people}"
    );

    // An erasure request: a reviewer may not; sales ops may, and the person leaves the list.
    let erase = |token: String, body: Value| {
        let request = server
            .client
            .post(server.at("/api/erasures"))
            .bearer_auth(token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let request = json!({ "email": "ANN0@firm0.com", "reason": "her request" });
    let refused = erase(rita.clone(), request.clone()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let otto = server.token("otto").await;
    let bad = erase(otto.clone(), json!({ "email": "ann0", "reason": "x" })).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let dry = erase(
        otto.clone(),
        json!({ "email": "ann0@firm0.com", "reason": "her request", "dry_run": true }),
    )
    .await;
    let dry = json_of(dry).await;
    assert_eq!(
        (
            &dry["people"][0]["name"],
            &dry["people"][0]["email"],
            &dry["people"][0]["records"]
        ),
        (&json!("Ann0 Lee0"), &json!("ann0@firm0.com"), &json!(1)),
        "{dry}"
    );
    let done = erase(otto, request).await;
    assert_eq!(done.status(), StatusCode::OK);
    let done = json_of(done).await;
    assert_eq!(done["records"], 1, "{done}");
    assert_eq!(done["dry_run"], false);
    assert_eq!(done["people"], json!([]), "the erasure names no one");
    let left = json_of(get(format!("/api/lists/{id}/prospects")).await).await;
    assert_eq!(left["items"].as_array().unwrap().len(), 3, "{left}");
}

async fn sample_api_story(backend: Backend) {
    let Some(server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    let gate = open_sample_review(&server, t0()).await;
    let rita = server.token("rita").await;
    let ravi = server.token("ravi").await;
    let path = format!("/api/samples/{gate}");

    let sample = json_of(
        server
            .client
            .get(server.at(&path))
            .bearer_auth(&rita)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(sample["gate"]["id"], gate);
    assert_eq!(sample["gate"]["status"], "open");
    let items = sample["items"].as_array().unwrap().clone();
    assert!(!items.is_empty(), "{sample}");
    let first = &items[0];
    assert!(first["verdict"].is_null());
    let last_name = &first["profile"]["person"]["last_name"];
    assert!(
        last_name["source"] == "sheet" && last_name["observed_at"].is_string(),
        "every field with its source and age: {last_name}"
    );

    let post = |token: &str, body: Value| {
        server
            .client
            .post(server.at(&format!("{path}/verdicts")))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let one = json!({ "verdicts": [{ "position": 1, "verdict": "match" }] });
    let refused = post(&ravi, one.clone()).await.unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "a rep is no reviewer"
    );
    let bad = post(
        &rita,
        json!({ "verdicts": [{ "position": 1, "verdict": "maybe" }] }),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(bad).await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("verdicts[0].verdict")
    );

    let all: Vec<Value> = items
        .iter()
        .map(|i| json!({ "position": i["position"], "verdict": "match" }))
        .collect();
    let done = post(&rita, json!({ "verdicts": all })).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let done = json_of(done).await;
    assert_eq!(done["gate"]["status"], "approved", "{done}");
    assert!(
        done["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["verdict"] == "match" && i["reviewer"] == "rita")
    );
    let again = post(&rita, one).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "a closed review takes no verdicts"
    );

    let missing = server
        .client
        .get(server.at("/api/samples/999999"))
        .bearer_auth(&rita)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

on_both_backends!(
    the_maker_of_an_icp_never_decides_it_through_the_api,
    maker_story
);

/// Four eyes through the API: sam proposes a version with his token, holds a role its gate
/// needs, and is refused both ways; the refusal is audited and the gate says who made it.
async fn maker_story(backend: Backend) {
    let Some(server) = TestServer::start(backend, t0(), false).await else {
        return;
    };
    let sam = server.token("sam").await;
    let proposed = server
        .client
        .post(server.at("/api/icp"))
        .bearer_auth(&sam)
        .json(&json!({ "toml": leadgate_core::icp::SAMPLE_ICP }))
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), StatusCode::CREATED);
    let gate = json_of(proposed).await["gate"].clone();
    assert_eq!(gate["maker"], "sam");
    let id = gate["id"].as_i64().unwrap();

    for (path, body) in [
        ("approve", json!({})),
        ("reject", json!({ "reason": "changed my mind" })),
    ] {
        let refused = server
            .client
            .post(server.at(&format!("/api/gates/{id}/{path}")))
            .bearer_auth(&sam)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        let error = json_of(refused).await["error"].clone();
        assert!(
            error["message"].as_str().unwrap().contains("four-eyes"),
            "{error}"
        );
    }
    let inbox = json_of(
        server
            .client
            .get(server.at("/api/gates?for=me"))
            .bearer_auth(&sam)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(inbox["items"], json!([]), "no own work in the inbox");
    let audit = json_of(
        server
            .client
            .get(server.at(&format!("/api/audit?subject=gate:{id}")))
            .bearer_auth(&sam)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let refusals = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "gate.decide.refused")
        .count();
    assert_eq!(refusals, 2, "{audit}");
}

on_both_backends!(people_change_roles_and_leave_through_the_api, people_story);

/// An admin changes people through the API: a role given and taken, the last admin kept, a
/// person who left deactivated — their session and token stop at once, a gate only they could
/// decide is named in a warning, their past decision stays theirs — and reactivated.
async fn people_story(backend: Backend) {
    let Some(server) = TestServer::start(backend, t0(), true).await else {
        return;
    };
    let ada = server.token("ada").await;
    let post = |path: String, token: String, body: serde_json::Value| {
        let request = server
            .client
            .post(server.at(&path))
            .bearer_auth(token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };

    // Roles: given, then taken back; a non-admin is refused and the refusal audited.
    let given = post(
        "/api/users/ravi/roles".into(),
        ada.clone(),
        json!({ "add": ["reviewer"] }),
    )
    .await;
    assert_eq!(given.status(), StatusCode::OK);
    assert_eq!(
        json_of(given).await["person"]["roles"],
        json!(["reviewer", "rep"])
    );
    let taken = post(
        "/api/users/ravi/roles".into(),
        ada.clone(),
        json!({ "remove": ["reviewer"] }),
    )
    .await;
    assert_eq!(json_of(taken).await["person"]["roles"], json!(["rep"]));
    let sam = server.token("sam").await;
    let not_admin = post(
        "/api/users/ravi/roles".into(),
        sam.clone(),
        json!({ "add": ["admin"] }),
    )
    .await;
    assert_eq!(not_admin.status(), StatusCode::FORBIDDEN);
    let last = post("/api/users/ada/deactivate".into(), ada.clone(), json!({})).await;
    assert_eq!(last.status(), StatusCode::CONFLICT);
    assert!(
        json_of(last).await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("last active admin")
    );

    // sam approves the ICP, then mia leaves before her approval.
    let approved = post("/api/gates/1/approve".into(), sam.clone(), json!({})).await;
    assert_eq!(approved.status(), StatusCode::OK);
    let mia_token = server.token("mia").await;
    let (mia_cookie, _) = server.sign_in("mia").await;
    let gone = post("/api/users/mia/deactivate".into(), ada.clone(), json!({})).await;
    assert_eq!(gone.status(), StatusCode::OK);
    let gone = json_of(gone).await;
    assert_eq!(gone["person"]["active"], false);
    let warning = gone["warnings"][0].as_str().unwrap_or_default();
    assert!(
        warning.contains("gate 1") && warning.contains("marketing_lead"),
        "the gate only mia could decide is named: {gone}"
    );
    let me = |auth: reqwest::RequestBuilder| async move { auth.send().await.unwrap().status() };
    assert_eq!(
        me(server
            .client
            .get(server.at("/api/me"))
            .bearer_auth(&mia_token))
        .await,
        StatusCode::UNAUTHORIZED,
        "her token stopped at once"
    );
    assert_eq!(
        me(server
            .client
            .get(server.at("/api/me"))
            .header("cookie", &mia_cookie))
        .await,
        StatusCode::UNAUTHORIZED,
        "her session ended"
    );
    let signed_in = server
        .client
        .post(server.at("/api/session"))
        .json(&json!({ "email": "mia@example.com", "password": password_of("mia") }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        StatusCode::UNAUTHORIZED,
        "nor may she sign in"
    );
    let people = json_of(
        server
            .client
            .get(server.at("/api/users"))
            .bearer_auth(&ada)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mia = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "mia")
        .unwrap();
    assert_eq!(mia["active"], false, "{mia}");

    // Back again: she decides, and sam's earlier decision is still his.
    let back = post("/api/users/mia/reactivate".into(), ada.clone(), json!({})).await;
    assert_eq!(back.status(), StatusCode::OK);
    let (mia_cookie, mia_csrf) = server.sign_in("mia").await;
    let closed = server
        .client
        .post(server.at("/api/gates/1/approve"))
        .header("cookie", &mia_cookie)
        .header("x-csrf-token", &mia_csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let closed = json_of(closed).await;
    assert_eq!(closed["status"], "approved", "{closed}");
    assert_eq!(closed["decisions"][0]["person"], "sam");
    let audit = json_of(
        server
            .client
            .get(server.at("/api/audit?subject=user:mia"))
            .bearer_auth(&ada)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let actions: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"]["name"].as_str().unwrap_or(""),
            )
        })
        .filter(|(a, _)| a.ends_with("activated"))
        .collect();
    assert_eq!(
        actions,
        [("user.reactivated", "ada"), ("user.deactivated", "ada")],
        "{audit}"
    );
}
