//! The LLM port over any OpenAI-compatible `/chat/completions` endpoint (OpenAI, vLLM, Ollama,
//! llama.cpp server, gateways). One request per call; retries, caching and validation are the
//! caller's business. The API key lives only in this struct's header, never in anything
//! that is written or logged.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::ports::{ChatAnswer, ChatRequest, Llm, LlmError, LlmErrorKind, ResponseFormat};

/// Largest answer body read; a bigger one is refused rather than held in memory.
const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

pub struct OpenAiClient {
    http: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
}

impl std::fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("OpenAiClient")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl OpenAiClient {
    pub fn new(base_url: &str, api_key: Option<String>, timeout: Duration) -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Config(format!("building LLM client: {e}")))?;
        Ok(OpenAiClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.filter(|k| !k.is_empty()),
        })
    }

    fn body(req: &ChatRequest) -> Value {
        let mut body = json!({
            "model": req.model,
            "messages": req.messages,
            "temperature": req.temperature,
            "max_tokens": req.max_tokens,
        });
        match req.format {
            ResponseFormat::JsonSchema => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": req.schema_name, "schema": req.schema, "strict": false},
                });
            }
            ResponseFormat::JsonObject => body["response_format"] = json!({"type": "json_object"}),
            ResponseFormat::Text => {}
        }
        body
    }
}

fn err(kind: LlmErrorKind, detail: impl Into<String>) -> LlmError {
    LlmError {
        kind,
        detail: detail.into(),
        retry_after: None,
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// Whether a 400 says the server does not do the `response_format` we sent.
fn rejects_format(body: &str) -> bool {
    let b = body.to_ascii_lowercase();
    b.contains("response_format") || b.contains("json_schema") || b.contains("json_object")
}

#[async_trait]
impl Llm for OpenAiClient {
    async fn chat(&self, req: &ChatRequest) -> std::result::Result<ChatAnswer, LlmError> {
        let mut builder = self
            .http
            .post(format!("{}/chat/completions", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(Self::body(req).to_string());
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        let mut resp = builder.send().await.map_err(|e| {
            let kind = if e.is_timeout() {
                LlmErrorKind::Timeout
            } else {
                LlmErrorKind::Connect
            };
            err(kind, e.without_url().to_string())
        })?;
        let status = resp.status().as_u16();
        let after = retry_after(resp.headers());
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if body.len() + c.len() > MAX_ANSWER_BYTES {
                        return Err(err(LlmErrorKind::BadResponse, "answer larger than 8 MiB"));
                    }
                    body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Err(err(LlmErrorKind::Timeout, e.without_url().to_string()));
                }
                Err(e) => return Err(err(LlmErrorKind::Connect, e.without_url().to_string())),
            }
        }
        let text = String::from_utf8_lossy(&body);
        let snippet: String = text.chars().take(300).collect();
        match status {
            200..=299 => {}
            429 => {
                return Err(LlmError {
                    kind: LlmErrorKind::RateLimited,
                    detail: format!("HTTP 429: {snippet}"),
                    retry_after: after,
                });
            }
            401 | 403 => return Err(err(LlmErrorKind::Auth, format!("HTTP {status}: {snippet}"))),
            400 | 422 if req.format != ResponseFormat::Text && rejects_format(&text) => {
                return Err(err(
                    LlmErrorKind::UnsupportedFormat,
                    format!("HTTP {status}: {snippet}"),
                ));
            }
            500..=599 => {
                return Err(LlmError {
                    kind: LlmErrorKind::Server,
                    detail: format!("HTTP {status}: {snippet}"),
                    retry_after: after,
                });
            }
            _ => {
                return Err(err(
                    LlmErrorKind::Invalid,
                    format!("HTTP {status}: {snippet}"),
                ));
            }
        }
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            err(
                LlmErrorKind::BadResponse,
                format!("response is not JSON: {e}: {snippet}"),
            )
        })?;
        let choice = &v["choices"][0];
        let content = choice["message"]["content"].as_str().ok_or_else(|| {
            err(
                LlmErrorKind::BadResponse,
                format!("no choices[0].message.content: {snippet}"),
            )
        })?;
        Ok(ChatAnswer {
            content: content.to_string(),
            prompt_tokens: v["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
            completion_tokens: v["usage"]["completion_tokens"].as_u64().unwrap_or(0),
            truncated: choice["finish_reason"].as_str() == Some("length"),
        })
    }

    fn endpoint(&self) -> String {
        self.base_url.clone()
    }
}
