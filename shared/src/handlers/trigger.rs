//! The `trigger` function: a URL list arrives (an S3 upload to `inbox/` via the ingest queue, or
//! a schedule firing); it is validated, the job is created (or found: the same list and config
//! is the same job) and the pipeline is started.
//!
//! Per message: a list that can never work (binary, no URL, too large) is rejected for good, with
//! the reason written next to the list (`rejected/<key>.json`) and the message acknowledged; a
//! failure that may pass (storage, Step Functions) is reported back as a batch item failure, so
//! SQS delivers that message again and only that one.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use serde::{Deserialize, Serialize};

use crate::config::JobConfig;
use crate::error::{Error, Result};
use crate::input::read_list_bytes;
use crate::ports::Orchestrator;
use crate::stages::StageContext;
use crate::tasks::{self, Submission, Submitted};

/// What the schedule rule passes (its input transformer adds the firing time).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ScheduleEvent {
    pub schedule: Schedule,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Schedule {
    /// The list to run again, a key in the bucket.
    pub list_key: String,
    /// When the rule fired: each firing is its own job, a duplicate of one firing is not.
    pub time: String,
}

/// The parts of an S3 event notification the trigger reads. Deliberately lenient: emulators (and
/// EventBridge re-deliveries) omit fields such as `userIdentity` that a strict type requires,
/// and a message that can never be decoded would only bounce to the dead-letter queue.
#[derive(Debug, Deserialize)]
struct S3Notification {
    #[serde(rename = "Records", default)]
    records: Vec<S3Record>,
}

#[derive(Debug, Deserialize)]
struct S3Record {
    #[serde(rename = "eventName", default)]
    event_name: String,
    s3: S3Entity,
}

#[derive(Debug, Deserialize)]
struct S3Entity {
    object: S3Object,
}

#[derive(Debug, Deserialize)]
struct S3Object {
    key: String,
}

/// The outcome of one list.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ListOutcome {
    Submitted(Submitted),
    /// Not a list upload (S3 test event, a folder marker, another prefix): nothing to do.
    Ignored {
        why: String,
    },
    /// The list can never run; the reason is recorded.
    Rejected {
        key: String,
        reason: String,
    },
}

pub struct Trigger {
    pub ctx: StageContext,
    pub orchestrator: Arc<dyn Orchestrator>,
    /// The config inbox uploads and schedules run with.
    pub defaults: JobConfig,
    pub bucket: String,
}

/// Why one list failed: for good, or for now.
enum Failure {
    Permanent(String),
    Transient(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::Input { reason, .. } => Failure::Permanent(reason),
            Error::Config(reason) => Failure::Permanent(reason),
            other => Failure::Transient(other),
        }
    }
}

/// S3 event keys are URL-encoded, with `+` for spaces.
pub fn decode_key(raw: &str) -> String {
    // Form decoding is exactly that; a raw `&` would split the "form", so it is escaped first.
    url::form_urlencoded::parse(format!("k={}", raw.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| raw.to_string())
}

/// The config inbox uploads and schedules use: `DATAFACTORY_JOB_CONFIG` (TOML text) if set,
/// else the defaults, with the LLM endpoint from the environment.
pub fn default_config_from_env() -> Result<JobConfig> {
    let mut cfg = match std::env::var("DATAFACTORY_JOB_CONFIG") {
        Ok(text) if !text.trim().is_empty() => JobConfig::from_toml(&text)
            .map_err(|e| Error::Config(format!("DATAFACTORY_JOB_CONFIG: {e}")))?,
        _ => JobConfig::default(),
    };
    cfg.apply_llm_env();
    cfg.validate()?;
    Ok(cfg)
}

impl Trigger {
    /// Any event the trigger takes: an SQS batch, a schedule, or a bare S3 event.
    pub async fn handle(&self, event: serde_json::Value) -> Result<serde_json::Value> {
        let is_sqs = event
            .pointer("/Records/0/eventSource")
            .and_then(|v| v.as_str())
            == Some("aws:sqs");
        if is_sqs {
            let sqs: SqsEvent =
                serde_json::from_value(event).map_err(|e| Error::json("SQS event", e))?;
            let resp = self.handle_sqs(sqs).await;
            return serde_json::to_value(resp).map_err(|e| Error::json("batch response", e));
        }
        if event.get("schedule").is_some() {
            let ev: ScheduleEvent =
                serde_json::from_value(event).map_err(|e| Error::json("schedule event", e))?;
            let out = self.handle_schedule(&ev.schedule).await?;
            return serde_json::to_value(out).map_err(|e| Error::json("trigger result", e));
        }
        Err(Error::Config(
            "unrecognised event: expected an SQS batch of S3 notifications or {\"schedule\": ...}"
                .into(),
        ))
    }

    pub async fn handle_sqs(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut failures = Vec::new();
        for record in event.records {
            let id = record.message_id.clone().unwrap_or_default();
            let body = record.body.unwrap_or_default();
            if let Err(e) = self.handle_message(&body).await {
                tracing::warn!(message_id = %id, error = %e, "will be delivered again");
                failures.push(BatchItemFailure {
                    item_identifier: id,
                });
            }
        }
        SqsBatchResponse {
            batch_item_failures: failures,
        }
    }

    /// One queue message: an S3 notification with one or more records.
    async fn handle_message(&self, body: &str) -> Result<Vec<ListOutcome>> {
        let value: serde_json::Value =
            serde_json::from_str(body).map_err(|e| Error::json("queue message", e))?;
        if value.get("Event").and_then(|v| v.as_str()) == Some("s3:TestEvent") {
            return Ok(vec![ListOutcome::Ignored {
                why: "S3 test event".into(),
            }]);
        }
        let event: S3Notification =
            serde_json::from_value(value).map_err(|e| Error::json("S3 notification", e))?;
        let mut out = Vec::new();
        for r in event.records {
            let key = decode_key(&r.s3.object.key);
            if !r.event_name.starts_with("ObjectCreated") {
                out.push(ListOutcome::Ignored {
                    why: format!("{key}: not an upload"),
                });
                continue;
            }
            let outcome = self.submit_key(&key, "").await?;
            tracing::info!(key = %key, outcome = ?outcome, "list handled");
            out.push(outcome);
        }
        Ok(out)
    }

    pub async fn handle_schedule(&self, s: &Schedule) -> Result<ListOutcome> {
        self.submit_key(&s.list_key, &format!("schedule:{}", s.time))
            .await
    }

    /// Run the list at `key`. Errors are the transient failures only.
    pub async fn submit_key(&self, key: &str, salt: &str) -> Result<ListOutcome> {
        let name = key.rsplit('/').next().unwrap_or(key);
        if key.ends_with('/') || name.is_empty() {
            return Ok(ListOutcome::Ignored {
                why: format!("{key}: a folder, not a list"),
            });
        }
        if name.ends_with(".toml") || name.ends_with(".json") && !name.ends_with(".jsonl") {
            return Ok(ListOutcome::Ignored {
                why: format!("{key}: not a URL list"),
            });
        }
        match self.try_submit(key, name, salt).await {
            Ok(s) => Ok(ListOutcome::Submitted(s)),
            Err(Failure::Transient(e)) => Err(e),
            Err(Failure::Permanent(reason)) => {
                let record = serde_json::json!({
                    "list": format!("s3://{}/{key}", self.bucket),
                    "reason": reason,
                });
                self.ctx
                    .blobs
                    .put(
                        &format!("rejected/{key}.json"),
                        record.to_string().into_bytes(),
                    )
                    .await?;
                tracing::warn!(key = %key, reason = %reason, "list rejected");
                Ok(ListOutcome::Rejected {
                    key: key.to_string(),
                    reason,
                })
            }
        }
    }

    async fn try_submit(
        &self,
        key: &str,
        name: &str,
        salt: &str,
    ) -> std::result::Result<Submitted, Failure> {
        let Some(bytes) = self.ctx.blobs.get(key).await? else {
            return Err(Failure::Permanent(format!(
                "s3://{}/{key} does not exist (deleted after upload?)",
                self.bucket
            )));
        };
        let max = self.defaults.input.max_file_bytes;
        if bytes.len() as u64 > max {
            return Err(Failure::Permanent(format!(
                "file is {} bytes, more than input.max_file_bytes ({max})",
                bytes.len()
            )));
        }
        let (name, icfg) = (name.to_string(), self.defaults.input.clone());
        let parsed = tokio::task::spawn_blocking(move || read_list_bytes(&name, &bytes, &icfg))
            .await
            .map_err(|e| Error::State(format!("parsing {key}: {e}")))??;
        let submitted = tasks::submit(
            &self.ctx,
            self.orchestrator.as_ref(),
            Submission {
                source: format!("s3://{}/{key}", self.bucket),
                config: &self.defaults,
                parsed: &parsed,
                salt,
            },
        )
        .await?;
        Ok(submitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_decoded_as_s3_encodes_them() {
        assert_eq!(
            decode_key("inbox/my+urls%282%29.txt"),
            "inbox/my urls(2).txt"
        );
        assert_eq!(decode_key("inbox/a%2Bb.txt"), "inbox/a+b.txt");
        assert_eq!(decode_key("inbox/x%26y.txt"), "inbox/x&y.txt");
        assert_eq!(decode_key("inbox/%C3%A9t%C3%A9.txt"), "inbox/été.txt");
    }
}
