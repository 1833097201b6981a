//! A fake OpenAI-compatible server that answers like [`super::llm::FakeLlm`] (two grounded
//! question/answer pairs per chunk, a 5/5 judge score) and records every call it answers: which
//! prompt, what it answered, and the tokens it billed. The crash test uses the record to tell
//! which cached answer belongs to which prompt and what was actually paid.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::llm::{between_quotes, grounded_pairs, refuse_bad_key, reply};

/// Tokens billed per answer, whatever it holds (as [`reply`] bills).
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

impl Respond for RecordingLlm {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if let Some(refusal) = refuse_bad_key(req) {
            return refusal;
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
            grounded_pairs(between_quotes(user))
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
        reply(&content, prompt_tokens)
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
