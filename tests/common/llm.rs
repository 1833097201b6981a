//! A fake OpenAI-compatible server: answers like a small, well-behaved model (two grounded
//! question/answer pairs per chunk, a judge score), except for chunks carrying marker words.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const KEY: &str = "sk-test-7f3a9c1e5b2d4f60a8e1c3d5b7f9a2c4";
pub const MODEL: &str = "fake-model";

/// Answers like a small, well-behaved model, except for chunks carrying a marker word.
pub struct FakeLlm {
    pub answered: Arc<AtomicUsize>,
    /// After this many good answers, refuse the key (-1: never).
    pub refuse_after: Arc<AtomicI64>,
    /// Answer 400 to `response_format: json_schema`, as servers without it do.
    pub no_json_schema: bool,
}

/// The chunk text of a generation prompt: what the templates put between triple quotes.
pub fn between_quotes(user: &str) -> &str {
    let mut parts = user.split("\"\"\"");
    parts.next();
    parts.next().unwrap_or(user).trim()
}

/// A chat completion answering `content`, billed 40 completion tokens.
pub fn reply(content: &str, prompt_tokens: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 40, "total_tokens": prompt_tokens + 40}
    }))
}

/// 401 unless the request carries [`KEY`].
pub fn refuse_bad_key(req: &Request) -> Option<ResponseTemplate> {
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    (auth != Some(&format!("Bearer {KEY}")))
        .then(|| ResponseTemplate::new(401).set_body_string("{\"error\":\"bad key\"}"))
}

/// Two grounded question/answer pairs for a chunk, each answer a sentence of the text, as
/// JSON; fenced for texts of even length, as some servers do (the client must cope).
pub fn grounded_pairs(text: &str) -> String {
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
    if text.len().is_multiple_of(2) {
        format!("```json\n{content}\n```")
    } else {
        content
    }
}

impl Respond for FakeLlm {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if let Some(refusal) = refuse_bad_key(req) {
            return refusal;
        }
        let limit = self.refuse_after.load(Ordering::SeqCst);
        if limit >= 0 && self.answered.load(Ordering::SeqCst) as i64 >= limit {
            return ResponseTemplate::new(401).set_body_string("{\"error\":\"key revoked\"}");
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        if self.no_json_schema && body["response_format"]["type"] == "json_schema" {
            return ResponseTemplate::new(400)
                .set_body_string("{\"error\":\"response_format json_schema is not supported\"}");
        }
        let user = body["messages"][1]["content"].as_str().unwrap_or_default();
        let prompt_tokens = (user.len() / 4) as u64;
        if user.contains("Rate how faithful") {
            self.answered.fetch_add(1, Ordering::SeqCst);
            return reply("{\"score\": 5, \"reason\": \"supported\"}", prompt_tokens);
        }
        let text = between_quotes(user);
        if text.contains("MALFORMEDANSWER") {
            return reply(
                "Sure! Here are your pairs: {\"pairs\": [{\"question\": ",
                prompt_tokens,
            );
        }
        if text.contains("WRONGSCHEMA") {
            return reply(
                "{\"pairs\": [{\"q\": \"What?\", \"a\": \"That.\"}]}",
                prompt_tokens,
            );
        }
        if text.contains("SLOWANSWER") {
            return reply("{\"pairs\": []}", prompt_tokens).set_delay(Duration::from_secs(4));
        }
        self.answered.fetch_add(1, Ordering::SeqCst);
        let content = grounded_pairs(text);
        reply(&content, prompt_tokens)
    }
}

impl FakeLlm {
    pub fn new() -> Self {
        FakeLlm {
            answered: Arc::new(AtomicUsize::new(0)),
            refuse_after: Arc::new(AtomicI64::new(-1)),
            no_json_schema: false,
        }
    }
}

/// A loopback server answering `/v1/chat/completions` with [`FakeLlm`].
pub async fn start() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(FakeLlm::new())
        .mount(&server)
        .await;
    server
}
