//! One LLM answer, paid for at most once: the cache (in the state store, keyed by the hash of
//! endpoint, model, template version, rendered prompt and sampling parameters) is checked
//! first and written before the answer is used; otherwise the request is sent under a
//! concurrency cap and a requests-per-minute limit, retried with backoff on 429/5xx/timeouts
//! (honouring Retry-After), downgraded from `json_schema` to `json_object` to plain text for
//! servers that lack them, and its answer validated against the template's schema, with a
//! bounded number of new attempts when it is not valid. Used by the Factory and the judge.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::config::LlmConfig;
use crate::error::{Error, Result};
use crate::model::StageStats;
use crate::ports::{ChatMessage, ChatRequest, Llm, LlmErrorKind, ResponseFormat, StateStore};
use crate::templates::extract_json;
use crate::text::sha256_hex;

/// What the cache holds per request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CachedAnswer {
    pub content: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub model: String,
    /// The [`Usage::payer`] that paid for it (empty: not recorded).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub paid_by: String,
}

/// Why one request gave no usable answer (recorded on the chunk or example).
#[derive(Clone, Debug, PartialEq)]
pub struct Unanswered {
    pub reason: &'static str,
    pub detail: String,
}

/// A prompt to answer.
pub struct Prompt<'a> {
    pub template: &'a str,
    pub template_version: &'a str,
    pub system: String,
    pub user: String,
    pub schema_name: &'a str,
    pub schema: &'a Value,
    pub validator: &'a jsonschema::Validator,
}

/// Counters of calls made, cache hits, tokens and cost (micro-USD), shared across tasks.
#[derive(Default)]
pub struct Usage {
    /// Whose report these counters go to (one job's stage and shard; see [`Usage::for_shard`]).
    /// A cached answer this payer paid for counts as its call, not as a cache hit: the run
    /// that paid was stopped before it could record the shard's report, so the cost would
    /// otherwise be recorded nowhere. Empty: every cached answer is a cache hit.
    pub payer: String,
    /// Cache keys counted as paid by this payer, so each is counted once.
    counted: Mutex<HashSet<String>>,
    pub calls: AtomicU64,
    pub cache_hits: AtomicU64,
    pub prompt_tokens: AtomicU64,
    pub completion_tokens: AtomicU64,
    pub cost_micro_usd: AtomicU64,
}

impl Usage {
    /// Counters for one shard of one stage of a job.
    pub fn for_shard(job: &str, stage: crate::model::Stage, shard: u32) -> Self {
        Usage {
            payer: format!("{job}/{}/{shard}", stage.as_str()),
            ..Usage::default()
        }
    }

    /// Whether `key` is counted for the first time by this payer.
    fn first_count(&self, key: &str) -> bool {
        self.counted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string())
    }

    fn add_paid(&self, prompt_tokens: u64, completion_tokens: u64, cost_micro_usd: u64) {
        self.prompt_tokens
            .fetch_add(prompt_tokens, Ordering::Relaxed);
        self.completion_tokens
            .fetch_add(completion_tokens, Ordering::Relaxed);
        self.cost_micro_usd
            .fetch_add(cost_micro_usd, Ordering::Relaxed);
    }

    /// Add these counters to a stage report.
    pub fn drain_into(&self, stats: &mut StageStats) {
        for (name, c) in [
            ("llm_calls", &self.calls),
            ("cache_hits", &self.cache_hits),
            ("prompt_tokens", &self.prompt_tokens),
            ("completion_tokens", &self.completion_tokens),
            ("cost_micro_usd", &self.cost_micro_usd),
        ] {
            stats.add(name, c.swap(0, Ordering::Relaxed));
        }
    }
}

pub struct Generator {
    llm: std::sync::Arc<dyn Llm>,
    cfg: LlmConfig,
    permits: Semaphore,
    per_minute: Option<DefaultDirectRateLimiter>,
    /// The best response format the server has accepted so far.
    format: Mutex<ResponseFormat>,
}

impl Generator {
    pub fn new(llm: std::sync::Arc<dyn Llm>, cfg: &LlmConfig) -> Self {
        let format = match cfg.structured_output.as_str() {
            "json_object" => ResponseFormat::JsonObject,
            "none" => ResponseFormat::Text,
            _ => ResponseFormat::JsonSchema,
        };
        let per_minute = NonZeroU32::new(cfg.requests_per_minute)
            .map(|n| RateLimiter::direct(Quota::per_minute(n).allow_burst(NonZeroU32::MIN)));
        Generator {
            llm,
            cfg: cfg.clone(),
            permits: Semaphore::new(cfg.concurrency.max(1)),
            per_minute,
            format: Mutex::new(format),
        }
    }

    pub fn model(&self) -> &str {
        &self.cfg.model
    }

    /// The cache key: everything that shapes the answer, nothing secret.
    fn cache_key(&self, p: &Prompt) -> String {
        let key = json!({
            "endpoint": self.llm.endpoint(),
            "model": self.cfg.model,
            "template": p.template,
            "template_version": p.template_version,
            "system": p.system,
            "user": p.user,
            "schema": p.schema,
            "temperature": self.cfg.temperature,
            "max_tokens": self.cfg.max_tokens,
        });
        sha256_hex(key.to_string())
    }

    fn cost_micro_usd(&self, prompt_tokens: u64, completion_tokens: u64) -> u64 {
        self.cfg.prices.get(&self.cfg.model).map_or(0, |p| {
            (prompt_tokens as f64 * p.prompt + completion_tokens as f64 * p.completion).round()
                as u64
        })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        crate::backoff::delay(self.cfg.backoff_base_ms, self.cfg.backoff_max_ms, attempt)
    }

    /// A valid answer (from the cache or the endpoint), `Ok(Err(_))` when this prompt could
    /// not be answered, `Err` when nothing can be (bad key, storage failure).
    pub async fn ask(
        &self,
        state: &dyn StateStore,
        p: &Prompt<'_>,
        usage: &Usage,
    ) -> Result<std::result::Result<Value, Unanswered>> {
        let key = self.cache_key(p);
        if let Some(cached) = state.get_llm_answer(&key).await? {
            let cached: CachedAnswer =
                serde_json::from_str(&cached).map_err(|e| Error::json("cached answer", e))?;
            if let Some(v) = extract_json(&cached.content).filter(|v| p.validator.is_valid(v)) {
                if !usage.payer.is_empty()
                    && cached.paid_by == usage.payer
                    && usage.first_count(&key)
                {
                    // Paid for this shard by a run that stopped before recording it.
                    usage.calls.fetch_add(1, Ordering::Relaxed);
                    usage.add_paid(
                        cached.prompt_tokens,
                        cached.completion_tokens,
                        self.cost_micro_usd(cached.prompt_tokens, cached.completion_tokens),
                    );
                } else {
                    usage.cache_hits.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(Ok(v));
            }
        }
        let mut transient = 0u32;
        let mut invalid = 0u32;
        loop {
            let format = *self.format.lock().unwrap_or_else(|e| e.into_inner());
            let req = ChatRequest {
                model: self.cfg.model.clone(),
                messages: vec![
                    ChatMessage {
                        role: "system".into(),
                        content: p.system.clone(),
                    },
                    ChatMessage {
                        role: "user".into(),
                        content: p.user.clone(),
                    },
                ],
                temperature: self.cfg.temperature,
                max_tokens: self.cfg.max_tokens,
                format,
                schema_name: p.schema_name.to_string(),
                schema: p.schema.clone(),
            };
            if let Some(l) = &self.per_minute {
                l.until_ready().await;
            }
            let result = {
                let _permit = self.permits.acquire().await;
                usage.calls.fetch_add(1, Ordering::Relaxed);
                self.llm.chat(&req).await
            };
            let answer = match result {
                Ok(a) => a,
                Err(e)
                    if e.kind == LlmErrorKind::UnsupportedFormat
                        && format != ResponseFormat::Text =>
                {
                    let next = match format {
                        ResponseFormat::JsonSchema => ResponseFormat::JsonObject,
                        _ => ResponseFormat::Text,
                    };
                    tracing::info!(
                        ?next,
                        "LLM endpoint refused the response format; falling back"
                    );
                    *self.format.lock().unwrap_or_else(|e| e.into_inner()) = next;
                    continue;
                }
                Err(e) if e.kind == LlmErrorKind::Auth => {
                    return Err(Error::Config(format!(
                        "the LLM endpoint refused our credentials ({}); check DATAFACTORY_LLM_API_KEY",
                        e.detail
                    )));
                }
                Err(e) if e.retryable() && transient < self.cfg.max_retries => {
                    transient += 1;
                    let wait = match e.retry_after {
                        Some(d) if d > Duration::from_secs(self.cfg.max_retry_after_secs) => {
                            return Ok(Err(Unanswered {
                                reason: "llm: rate limited",
                                detail: format!(
                                    "Retry-After {}s exceeds llm.max_retry_after_secs",
                                    d.as_secs()
                                ),
                            }));
                        }
                        Some(d) => d,
                        None => self.backoff(transient),
                    };
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Err(e) => {
                    let reason = match e.kind {
                        LlmErrorKind::RateLimited => "llm: rate limited",
                        LlmErrorKind::Server => "llm: server error",
                        LlmErrorKind::Timeout => "llm: timeout",
                        LlmErrorKind::Connect => "llm: connect error",
                        LlmErrorKind::BadResponse => "llm: invalid response",
                        _ => "llm: bad request",
                    };
                    return Ok(Err(Unanswered {
                        reason,
                        detail: e.detail,
                    }));
                }
            };
            usage.add_paid(
                answer.prompt_tokens,
                answer.completion_tokens,
                self.cost_micro_usd(answer.prompt_tokens, answer.completion_tokens),
            );
            let problem = match extract_json(&answer.content) {
                None if answer.truncated => Unanswered {
                    reason: "llm: truncated",
                    detail: format!("answer cut at llm.max_tokens ({})", self.cfg.max_tokens),
                },
                None => Unanswered {
                    reason: "llm: invalid json",
                    detail: snippet(&answer.content),
                },
                Some(v) => match p.validator.validate(&v) {
                    Ok(()) => {
                        let cached = CachedAnswer {
                            content: answer.content.clone(),
                            prompt_tokens: answer.prompt_tokens,
                            completion_tokens: answer.completion_tokens,
                            model: self.cfg.model.clone(),
                            paid_by: usage.payer.clone(),
                        };
                        usage.first_count(&key);
                        let cached =
                            serde_json::to_string(&cached).map_err(|e| Error::json("answer", e))?;
                        state.put_llm_answer(&key, &cached).await?;
                        return Ok(Ok(v));
                    }
                    Err(e) => Unanswered {
                        reason: "llm: schema mismatch",
                        detail: format!("{e} at {}", e.instance_path()),
                    },
                },
            };
            if invalid >= self.cfg.max_invalid_retries {
                return Ok(Err(problem));
            }
            invalid += 1;
        }
    }
}

fn snippet(s: &str) -> String {
    let t: String = s.chars().take(200).collect();
    if t.len() < s.len() {
        format!("{t}...")
    } else {
        t
    }
}
