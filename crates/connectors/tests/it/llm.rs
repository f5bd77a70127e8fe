//! The OpenAI-compatible chat client against a loopback server that answers as the
//! published protocol does: the request it sends, the key it carries, and each way a call
//! fails named with the endpoint and the server's own message.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use leadgate_connectors::llm::{ChatModel, Endpoint, LlmError};
use leadgate_core::outreach::writer::Message;
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// Serves `answer` (status, body) to every chat completion; keeps what it was sent.
async fn server(status: StatusCode, answer: Value) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = Arc::clone(&seen);
    let handler = move |State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>| {
        let answer = answer.clone();
        async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            seen.lock().unwrap().push((auth, body));
            (status, Json(answer)).into_response()
        }
    };
    let app = axum::Router::new()
        .route("/v1/chat/completions", post(handler))
        .with_state(kept);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1/"), seen)
}

fn endpoint(base_url: &str, key_variable: Option<&str>) -> Endpoint {
    Endpoint {
        base_url: base_url.to_string(),
        model: "test-model".to_string(),
        key_variable: key_variable.map(str::to_string),
        timeout: Duration::from_secs(5),
    }
}

fn messages() -> Vec<Message> {
    vec![
        Message {
            role: "system".into(),
            content: "Write.".into(),
        },
        Message {
            role: "user".into(),
            content: "[]".into(),
        },
    ]
}

#[tokio::test]
async fn a_completion_sends_the_model_the_messages_and_the_key_and_reads_the_first_choice() {
    // Arrange
    let answer = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there."}, "finish_reason": "stop"}]
    });
    let (base, seen) = server(StatusCode::OK, answer).await;
    let model = ChatModel::with_lookup(endpoint(&base, Some("TEST_LLM_KEY")), |name| {
        (name == "TEST_LLM_KEY").then(|| "sk-test".to_string())
    })
    .unwrap();

    // Act
    let text = model.complete(&messages()).await.unwrap();

    // Assert
    assert_eq!(text, "Hello there.");
    let seen = seen.lock().unwrap();
    let (auth, body) = &seen[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test"));
    assert_eq!(body["model"], "test-model");
    assert_eq!(
        body["messages"][1],
        json!({"role": "user", "content": "[]"})
    );
    assert_eq!(body["stream"], false);
}

#[tokio::test]
async fn each_failure_names_the_endpoint_or_the_variable_to_fix() {
    // Arrange
    let refused = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}});
    let (unauthorized, _) = server(StatusCode::UNAUTHORIZED, refused).await;
    let (garbled, _) = server(StatusCode::OK, json!({"choices": []})).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", listener.local_addr().unwrap())
    };

    // Act
    let status = ChatModel::new(endpoint(&unauthorized, None))
        .unwrap()
        .complete(&messages())
        .await
        .unwrap_err();
    let unreadable = ChatModel::new(endpoint(&garbled, None))
        .unwrap()
        .complete(&messages())
        .await
        .unwrap_err();
    let transport = ChatModel::new(endpoint(&closed, None))
        .unwrap()
        .complete(&messages())
        .await
        .unwrap_err();
    let missing =
        ChatModel::with_lookup(endpoint(&closed, Some("TEST_LLM_KEY")), |_| None).unwrap_err();

    // Assert
    assert!(
        matches!(&status, LlmError::Status { status: 401, message, .. } if message == "Incorrect API key provided"),
        "{status}"
    );
    assert!(
        matches!(unreadable, LlmError::Unreadable { .. }),
        "{unreadable}"
    );
    assert!(
        matches!(transport, LlmError::Transport { .. }),
        "{transport}"
    );
    assert!(transport.to_string().contains(&closed), "{transport}");
    assert_eq!(
        missing,
        LlmError::MissingKey {
            variable: "TEST_LLM_KEY".into()
        }
    );
}
