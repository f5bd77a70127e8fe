//! What an HTTP connector says about a failed call, the same way for every provider: the
//! server's own message of an error answer, and a transport error with its causes.

use serde_json::Value;

/// An error answer's message: the `error` or `message` of a JSON body (or `error.message`,
/// as OpenAI-compatible APIs answer), else its text, on one line and cut short after `max`
/// characters.
pub(crate) fn error_message(text: &str, max: usize) -> String {
    let from_json = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        ["/error", "/message", "/error/message"]
            .into_iter()
            .find_map(|k| v.pointer(k).and_then(Value::as_str).map(str::to_string))
    });
    let message = from_json.unwrap_or_else(|| text.to_string());
    let one_line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None if one_line.is_empty() => "no message".to_string(),
        None => one_line,
    }
}

/// An error with every error that caused it, joined by ": ".
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        message.push_str(": ");
        message.push_str(&e.to_string());
        source = e.source();
    }
    message
}
