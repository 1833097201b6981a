//! DynamoDB as the state store: one table, string keys `pk` and `sk`.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | job record | `JOB` | job id (ULIDs sort by time, so a query lists newest last) |
//! | URL outcome | `URL#<job>#<url hash>` | `o` |
//! | shard report | `SHARD#<job>` | `<stage>#<shard, 7 digits>` |
//! | claim (dedup index, input keys) | `CLAIM#<job>#<namespace>#<key>` | `c` |
//! | export version counter | `EXPORTS#<job>` | `v` |
//! | LLM answer cache | `LLM#<request hash>` | `a`, with `expires_at` (TTL) |
//! | task lease (in progress) | `LEASE#<task key>` | `l`, with `owner`, `expires_at` (TTL) |
//! | review | `REVIEW#<job>` | example id, with `version` (the condition of the next write) |
//!
//! Keys that see many writes (outcomes, claims, answers) get their own partition so parallel
//! shards never contend on one. Claims and cached answers are conditional writes, so the first
//! writer wins even when Lambdas race; a review is written only over the version its writer
//! read; reports are whole-item puts, so a retried shard replaces its report instead of adding
//! to it.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::describe;
use crate::error::{Error, Result};
use crate::model::{ItemError, JobRecord, JobStatus, Review, ShardReport, Stage, StageStats};
use crate::ports::{Claim, Lease, StateStore, rfc3339};

/// Cached LLM answers expire after this long (DynamoDB TTL), so the cache cannot grow forever.
const LLM_CACHE_TTL_SECS: i64 = 30 * 24 * 3600;
/// DynamoDB refuses items over 400 KB; a report's error list is cut to stay well below.
const MAX_REPORT_BYTES: usize = 300_000;

#[derive(Clone)]
pub struct DynamoState {
    client: Client,
    table: String,
}

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn decode<T: serde::de::DeserializeOwned>(item: &Item, name: &str, what: &str) -> Result<T> {
    let text = get_s(item, name)
        .ok_or_else(|| Error::State(format!("{what}: attribute {name} is missing")))?;
    serde_json::from_str(text).map_err(|e| Error::json(format!("decoding {what}"), e))
}

fn encode<T: serde::Serialize>(v: &T, what: &str) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::json(format!("encoding {what}"), e))
}

fn shard_sk(stage: Stage, shard: u32) -> String {
    format!("{}#{shard:07}", stage.as_str())
}

/// Keep a report under DynamoDB's item limit: counters stay whole, samples are cut.
fn fit_report(report: &ShardReport) -> Result<String> {
    let text = encode(report, "shard report")?;
    if text.len() <= MAX_REPORT_BYTES {
        return Ok(text);
    }
    let mut cut = report.clone();
    while cut.errors.len() > 1 {
        let keep = cut.errors.len() / 2;
        cut.errors.truncate(keep);
        let t = encode(&cut, "shard report")?;
        if t.len() <= MAX_REPORT_BYTES {
            let mut fitted = cut.clone();
            fitted
                .stats
                .add("errors_not_kept", (report.errors.len() - keep) as u64);
            return encode(&fitted, "shard report");
        }
    }
    cut.errors.clear();
    cut.stats.add("errors_not_kept", report.errors.len() as u64);
    encode(&cut, "shard report")
}

impl DynamoState {
    pub fn new(cfg: &aws_config::SdkConfig, table: &str) -> Self {
        DynamoState {
            client: Client::new(cfg),
            table: table.to_string(),
        }
    }

    fn err(&self, what: &str, e: impl std::error::Error) -> Error {
        Error::State(format!("table {}: {what}: {}", self.table, describe(&e)))
    }

    async fn get_item(&self, pk: String, sk: &str) -> Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.err(&format!("get {pk}"), e))?;
        Ok(out.item)
    }

    /// Every item of a partition (optionally those whose sort key starts with `prefix`).
    async fn query(&self, pk: &str, prefix: Option<&str>) -> Result<Vec<Item>> {
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", s(pk));
        req = match prefix {
            Some(p) => req
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :p)")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":p", s(p)),
            None => req.key_condition_expression("#pk = :pk"),
        };
        let mut pages = req.into_paginator().send();
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.err(&format!("query {pk}"), e))?;
            items.extend(page.items.unwrap_or_default());
        }
        Ok(items)
    }

    async fn reports(&self, job: &str, stage: Option<Stage>) -> Result<Vec<(Stage, ShardReport)>> {
        let prefix = stage.map(|s| format!("{}#", s.as_str()));
        let items = self
            .query(&format!("SHARD#{job}"), prefix.as_deref())
            .await?;
        let mut out = Vec::with_capacity(items.len());
        for item in &items {
            let sk = get_s(item, "sk").unwrap_or_default();
            let Some(stage) = sk.split('#').next().and_then(Stage::parse) else {
                continue;
            };
            out.push((stage, decode(item, "report", "shard report")?));
        }
        Ok(out)
    }

    /// Put `item`, replacing any item with its key.
    async fn put(&self, item: Item, what: &str) -> Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| self.err(what, e))?;
        Ok(())
    }

    /// Put `item` unless an item with its key exists. Returns whether it was written.
    async fn put_if_absent(&self, item: Item, what: &str) -> Result<bool> {
        match self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(self.err(what, e)),
        }
    }

    async fn claim_one(&self, job: &str, ns: &str, k: &str, owner: &str) -> Result<Claim> {
        let pk = format!("CLAIM#{job}#{ns}#{k}");
        let mut item = key(pk.clone(), "c");
        item.insert("owner".into(), s(owner));
        if self.put_if_absent(item, "claim").await? {
            return Ok(Claim::Won);
        }
        let holder = self
            .get_item(pk, "c")
            .await?
            .and_then(|i| get_s(&i, "owner").map(str::to_string))
            .unwrap_or_default();
        Ok(if holder == owner {
            Claim::Won
        } else {
            Claim::Lost { owner: holder }
        })
    }
}

#[async_trait]
impl StateStore for DynamoState {
    async fn put_job(&self, job: &JobRecord) -> Result<()> {
        let mut item = key("JOB", job.id.clone());
        item.insert("record".into(), s(encode(job, "job")?));
        item.insert("status".into(), s(job.status.as_str()));
        item.insert("input_key".into(), s(job.input_key.clone()));
        self.put(item, "put job").await
    }

    async fn get_job(&self, id: &str) -> Result<Option<JobRecord>> {
        match self.get_item("JOB".into(), id).await? {
            Some(item) => Ok(Some(decode(&item, "record", "job")?)),
            None => Ok(None),
        }
    }

    async fn find_job_by_input_key(&self, input_key: &str) -> Result<Option<JobRecord>> {
        // The input key is claimed by the job that owns it (see `jobs::find_or_create`).
        let Some(item) = self
            .get_item(format!("CLAIM##input#{input_key}"), "c")
            .await?
        else {
            return Ok(None);
        };
        match get_s(&item, "owner") {
            Some(owner) => self.get_job(owner).await,
            None => Ok(None),
        }
    }

    async fn list_jobs(&self) -> Result<Vec<JobRecord>> {
        let items = self.query("JOB", None).await?;
        let mut jobs: Vec<JobRecord> = items
            .iter()
            .map(|i| decode(i, "record", "job"))
            .collect::<Result<_>>()?;
        // Newest first, as the local store lists them.
        jobs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(jobs)
    }

    async fn set_job_status(
        &self,
        id: &str,
        status: JobStatus,
        message: Option<&str>,
        export: Option<&str>,
        elapsed_ms: u64,
    ) -> Result<()> {
        let mut job = self
            .get_job(id)
            .await?
            .ok_or_else(|| Error::JobNotFound(id.to_string()))?;
        job.status = status;
        job.message = message.map(str::to_string);
        if let Some(e) = export {
            job.export = Some(e.to_string());
        }
        job.elapsed_ms = elapsed_ms;
        job.updated_at = rfc3339(time::OffsetDateTime::now_utc());
        self.put_job(&job).await
    }

    async fn get_url_outcome(&self, job: &str, url_hash: &str) -> Result<Option<String>> {
        Ok(self
            .get_item(format!("URL#{job}#{url_hash}"), "o")
            .await?
            .and_then(|i| get_s(&i, "outcome").map(str::to_string)))
    }

    async fn put_url_outcome(&self, job: &str, url_hash: &str, outcome: &str) -> Result<()> {
        let mut item = key(format!("URL#{job}#{url_hash}"), "o");
        item.insert("outcome".into(), s(outcome));
        self.put(item, "put url outcome").await
    }

    async fn complete_shard(
        &self,
        job: &str,
        stage: Stage,
        shard: u32,
        report: &ShardReport,
    ) -> Result<()> {
        let mut item = key(format!("SHARD#{job}"), shard_sk(stage, shard));
        item.insert("report".into(), s(fit_report(report)?));
        self.put(item, "complete shard").await
    }

    async fn shard_done(&self, job: &str, stage: Stage, shard: u32) -> Result<bool> {
        Ok(self
            .get_item(format!("SHARD#{job}"), &shard_sk(stage, shard))
            .await?
            .is_some())
    }

    async fn stage_stats(&self, job: &str) -> Result<BTreeMap<Stage, StageStats>> {
        let mut out: BTreeMap<Stage, StageStats> = BTreeMap::new();
        for (stage, report) in self.reports(job, None).await? {
            out.entry(stage).or_default().merge(&report.stats);
        }
        Ok(out)
    }

    async fn shards_done(&self, job: &str) -> Result<BTreeMap<Stage, u32>> {
        let mut out: BTreeMap<Stage, u32> = BTreeMap::new();
        for (stage, _) in self.reports(job, None).await? {
            *out.entry(stage).or_default() += 1;
        }
        Ok(out)
    }

    async fn item_errors(&self, job: &str, stage: Stage, limit: usize) -> Result<Vec<ItemError>> {
        Ok(self
            .reports(job, Some(stage))
            .await?
            .into_iter()
            .flat_map(|(_, r)| r.errors)
            .take(limit)
            .collect())
    }

    async fn claim_keys(
        &self,
        job: &str,
        namespace: &str,
        keys: &[String],
        owner: &str,
    ) -> Result<Vec<Claim>> {
        // One conditional write per key, all in flight at once. Unlike SQLite's one transaction
        // this is not atomic over the batch (DynamoDB transactions stop at 100 items and fail
        // whole on the first taken key); each key is still first-writer-wins, and a retried
        // batch by the same owner wins its own keys again.
        futures::future::try_join_all(
            keys.iter()
                .map(|k| self.claim_one(job, namespace, k, owner)),
        )
        .await
    }

    async fn next_export_version(&self, job: &str) -> Result<u32> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("EXPORTS#{job}"), "v")))
            .update_expression("ADD #last :one")
            .expression_attribute_names("#last", "last")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| self.err("next export version", e))?;
        out.attributes
            .as_ref()
            .and_then(|a| a.get("last"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Error::State(format!("table {}: no export version back", self.table)))
    }

    async fn get_llm_answer(&self, key_hash: &str) -> Result<Option<String>> {
        let Some(item) = self.get_item(format!("LLM#{key_hash}"), "a").await? else {
            return Ok(None);
        };
        // TTL deletion runs late; an expired answer is treated as gone.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let expired = item
            .get("expires_at")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<i64>().ok())
            .is_some_and(|t| t < now);
        if expired {
            return Ok(None);
        }
        Ok(get_s(&item, "answer").map(str::to_string))
    }

    async fn acquire_lease(
        &self,
        task: &str,
        owner: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<Lease> {
        let mut item = key(format!("LEASE#{task}"), "l");
        item.insert("owner".into(), s(owner));
        item.insert(
            "expires_at".into(),
            AttributeValue::N(expires_at.to_string()),
        );
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            // TTL deletes late, so an expired lease is overwritten here, not waited for.
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at <= :now OR #owner = :owner",
            )
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(":owner", s(owner))
            .send()
            .await;
        match put {
            Ok(_) => Ok(Lease::Acquired),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let held = self.get_item(format!("LEASE#{task}"), "l").await?;
                let holder = held.as_ref().and_then(|i| get_s(i, "owner"));
                let until = held
                    .as_ref()
                    .and_then(|i| i.get("expires_at"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok());
                match (holder, until) {
                    (Some(o), Some(t)) => Ok(Lease::HeldElsewhere {
                        owner: o.to_string(),
                        expires_at: t,
                    }),
                    // Released between our write and our read: try once more.
                    _ => Box::pin(self.acquire_lease(task, owner, now, expires_at)).await,
                }
            }
            Err(e) => Err(self.err("acquire lease", e)),
        }
    }

    async fn release_lease(&self, task: &str, owner: &str) -> Result<()> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("LEASE#{task}"), "l")))
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(self.err("release lease", e)),
        }
    }

    async fn get_review(&self, job: &str, example_id: &str) -> Result<Option<Review>> {
        match self.get_item(format!("REVIEW#{job}"), example_id).await? {
            Some(item) => Ok(Some(decode(&item, "review", "review")?)),
            None => Ok(None),
        }
    }

    async fn put_review_if(
        &self,
        job: &str,
        review: &Review,
        expected: Option<u64>,
    ) -> Result<bool> {
        let mut item = key(format!("REVIEW#{job}"), review.example_id.clone());
        item.insert("review".into(), s(encode(review, "review")?));
        // The version inside the JSON is what readers see; this copy is for the condition.
        item.insert(
            "version".into(),
            AttributeValue::N(review.version.to_string()),
        );
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let put = match expected {
            None => put.condition_expression("attribute_not_exists(pk)"),
            // Stored before reviews had versions: the item has no version attribute.
            Some(0) => put
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(#v)")
                .expression_attribute_names("#v", "version"),
            Some(v) => put
                .condition_expression("#v = :v")
                .expression_attribute_names("#v", "version")
                .expression_attribute_values(":v", AttributeValue::N(v.to_string())),
        };
        match put.send().await {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(self.err("put review", e)),
        }
    }

    async fn reviews(&self, job: &str) -> Result<Vec<Review>> {
        self.query(&format!("REVIEW#{job}"), None)
            .await?
            .iter()
            .map(|item| decode(item, "review", "review"))
            .collect()
    }

    async fn put_llm_answer(&self, key_hash: &str, answer: &str) -> Result<()> {
        let mut item = key(format!("LLM#{key_hash}"), "a");
        item.insert("answer".into(), s(answer));
        let expires = time::OffsetDateTime::now_utc().unix_timestamp() + LLM_CACHE_TTL_SECS;
        item.insert("expires_at".into(), AttributeValue::N(expires.to_string()));
        // First answer stays, as in the local store.
        self.put_if_absent(item, "put llm answer").await?;
        Ok(())
    }
}
