//! A fake OpenAI-compatible server that answers like [`super::llm::FakeLlm`] (two grounded
//! question/answer pairs per chunk, a 5/5 judge score) and records every call it answers: which
//! prompt, what it answered, and the tokens it billed. The crash test uses the record to tell
//! which cached answer belongs to which prompt and what was actually paid.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::llm::{KEY, MODEL};

/// Tokens billed per answer, whatever it holds.
pub const COMPLETION_TOKENS: u64 = 40;

/// One answered call.
#[derive(Clone, Debug)]
pub struct Call {
    /// SHA-256 of the system and user prompts: the prompt's identity.
    pub prompt: String,
    /// The message content answered (what the client caches).
    pub content: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[derive(Clone, Default)]
pub struct RecordingLlm {
    pub calls: Arc<Mutex<Vec<Call>>>,
}

impl RecordingLlm {
    /// The calls answered so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn between_quotes(user: &str) -> &str {
    let mut parts = user.split("\"\"\"");
    parts.next();
    parts.next().unwrap_or(user).trim()
}

impl Respond for RecordingLlm {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if auth != Some(&format!("Bearer {KEY}")) {
            return ResponseTemplate::new(401).set_body_string("{\"error\":\"bad key\"}");
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let system = body["messages"][0]["content"].as_str().unwrap_or_default();
        let user = body["messages"][1]["content"].as_str().unwrap_or_default();
        let prompt = shared::text::sha256_hex(format!("{system}\n\u{0}\n{user}"));
        let prompt_tokens = (user.len() / 4) as u64;
        let content = if user.contains("Rate how faithful") {
            // The reason names the prompt, so every judge answer is told apart from the others.
            json!({"score": 5, "reason": format!("supported ({})", &prompt[..16])}).to_string()
        } else {
            let text = between_quotes(user);
            // Two grounded pairs: each answer is a sentence of the text.
            let pairs: Vec<Value> = text
                .split_inclusive(". ")
                .map(str::trim)
                .filter(|s| s.split_whitespace().count() >= 6)
                .take(2)
                .map(|s| {
                    let topic: Vec<&str> = s.split_whitespace().take(6).collect();
                    json!({"question": format!("What is reported about {}?", topic.join(" ")), "answer": s})
                })
                .collect();
            let content = json!({ "pairs": pairs }).to_string();
            // Some servers wrap JSON in a fence; the client must cope.
            if text.len().is_multiple_of(2) {
                format!("```json\n{content}\n```")
            } else {
                content
            }
        };
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Call {
                prompt,
                content: content.clone(),
                prompt_tokens,
                completion_tokens: COMPLETION_TOKENS,
            });
        ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": COMPLETION_TOKENS,
                      "total_tokens": prompt_tokens + COMPLETION_TOKENS}
        }))
    }
}

/// A loopback server answering `/v1/chat/completions` with a [`RecordingLlm`]; its record.
pub async fn start() -> (MockServer, RecordingLlm) {
    let server = MockServer::start().await;
    let llm = RecordingLlm::default();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(llm.clone())
        .mount(&server)
        .await;
    (server, llm)
}
