//! A client for any OpenAI-compatible chat completion endpoint: OpenAI's own and the hosted
//! APIs that copy it, and local servers — Ollama (`http://127.0.0.1:11434/v1`), vLLM,
//! llama.cpp's server. `POST {base_url}/chat/completions` with the model and the messages;
//! the answer is the first choice's message content. The key, when the endpoint needs one,
//! is read from an environment variable and sent as `Authorization: Bearer …`; a local
//! server needs none.
//!
//! Nothing here decides whether an answer is used: `leadgate_core::outreach::writer` does.
//! One attempt per call, with a timeout: a model that does not answer in time costs the
//! message its model-written opener, not its place in the queue.

use std::time::Duration;

use leadgate_core::outreach::writer::Message;
use serde::Deserialize;
use serde_json::json;

use crate::http_error::{error_chain, error_message};
use crate::search::ApiKey;

/// How a model is reached: `[outreach.writer]` in the workspace's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Up to and including the API version: `https://api.openai.com/v1`.
    pub base_url: String,
    pub model: String,
    /// The environment variable holding the key, when the endpoint needs one.
    pub key_variable: Option<String>,
    pub timeout: Duration,
}

/// Why a model gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    #[error("the environment variable {variable} holds no API key for the model endpoint")]
    MissingKey { variable: String },
    #[error("the model endpoint {url} answered HTTP {status}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("the model endpoint {url} could not be reached: {message}")]
    Transport { url: String, message: String },
    #[error("the model endpoint {url} gave an answer that is not a chat completion: {message}")]
    Unreadable { url: String, message: String },
}

/// An OpenAI-compatible chat model.
#[derive(Debug, Clone)]
pub struct ChatModel {
    endpoint: Endpoint,
    key: Option<ApiKey>,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Answer,
}

#[derive(Deserialize)]
struct Answer {
    content: Option<String>,
}

impl ChatModel {
    /// A client for `endpoint`, its key read now from the environment.
    pub fn new(endpoint: Endpoint) -> Result<ChatModel, LlmError> {
        ChatModel::with_lookup(endpoint, |name| std::env::var(name).ok())
    }

    /// A client for `endpoint`, its key read through `lookup` (the environment, a test's
    /// map).
    pub fn with_lookup(
        endpoint: Endpoint,
        lookup: impl FnOnce(&str) -> Option<String>,
    ) -> Result<ChatModel, LlmError> {
        let key =
            match &endpoint.key_variable {
                Some(variable) => Some(ApiKey::from_lookup(variable, lookup).map_err(|_| {
                    LlmError::MissingKey {
                        variable: variable.clone(),
                    }
                })?),
                None => None,
            };
        let client = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Transport {
                url: endpoint.base_url.clone(),
                message: error_chain(&e),
            })?;
        Ok(ChatModel {
            endpoint,
            key,
            client,
        })
    }

    pub fn model(&self) -> &str {
        &self.endpoint.model
    }

    /// The model's answer to `messages`: the first choice's text.
    pub async fn complete(&self, messages: &[Message]) -> Result<String, LlmError> {
        let url = format!(
            "{}/chat/completions",
            self.endpoint.base_url.trim_end_matches('/')
        );
        let body = json!({
            "model": self.endpoint.model,
            "messages": messages,
            // Low: an opener should say the facts, not invent around them.
            "temperature": 0.2,
            "max_tokens": 200,
            "stream": false,
        });
        let mut request = self.client.post(&url).json(&body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key.secret());
        }
        let transport = |e: reqwest::Error| LlmError::Transport {
            url: url.clone(),
            message: error_chain(&e),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(LlmError::Status {
                url,
                status: status.as_u16(),
                message: error_message(&text, 200),
            });
        }
        let unreadable = |message: String| LlmError::Unreadable {
            url: url.clone(),
            message,
        };
        let completion: Completion =
            serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
        completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(|| unreadable("no choice with a message".to_string()))
    }
}
