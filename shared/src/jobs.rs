//! Creating a job from a parsed URL list, the same way for the local runner, the trigger and the
//! HTTP API: the same URLs with the same config (and the same salt) always find the same job, so
//! a rerun or a duplicate delivery resumes it instead of starting another.

use crate::config::JobConfig;
use crate::error::{Error, Result};
use crate::input::ParsedInput;
use crate::model::{JobRecord, JobStatus, ShardReport, Stage, UrlItem};
use crate::ports::{Claim, rfc3339};
use crate::stages::StageContext;
use crate::text::sha256_hex;
use crate::{jsonl, keys};

/// Claims on input keys live under this namespace, outside any job.
const INPUT_NAMESPACE: &str = "input";

/// What to create a job from.
pub struct JobRequest<'a> {
    /// What the user gave, for display (a path, an `s3://` URI, "api").
    pub source: String,
    pub config: &'a JobConfig,
    pub parsed: &'a ParsedInput,
    /// Separates runs that must not share a job although their list and config are equal
    /// (each firing of a schedule). Empty for "same list, same job".
    pub salt: &'a str,
    /// URLs per shard when the config leaves it to the runtime
    /// ([`crate::ports::Orchestrator::shard_size`]).
    pub shard_size: usize,
}

/// Find the job for this request, or create it. Returns the job and whether it existed.
///
/// Safe under concurrent and repeated calls: the input key is claimed first (first writer
/// wins), then the URL shards, the input report and the job record are written; every write is
/// idempotent, so a caller that lost the claim, or that retries after a crash between the
/// writes, completes the winner's job instead of making a second one.
pub async fn find_or_create(ctx: &StageContext, req: JobRequest<'_>) -> Result<(JobRecord, bool)> {
    let input_key = input_key(req.config, &req.parsed.items, req.salt)?;
    if let Some(job) = ctx.state.find_job_by_input_key(&input_key).await? {
        return Ok((job, true));
    }
    let fresh_id = ulid::Ulid::new().to_string().to_lowercase();
    let claim = ctx
        .state
        .claim_keys(
            "",
            INPUT_NAMESPACE,
            std::slice::from_ref(&input_key),
            &fresh_id,
        )
        .await?;
    let id = match claim.into_iter().next() {
        Some(Claim::Lost { owner }) => owner,
        _ => fresh_id,
    };
    if let Some(job) = ctx.state.get_job(&id).await? {
        return Ok((job, true));
    }
    let now = rfc3339(ctx.clock.now());
    let shard_size = match req.config.input.shard_size {
        0 => req.shard_size.max(1),
        n => n,
    };
    let items = &req.parsed.items;
    let job = JobRecord {
        id,
        input: req.source,
        input_key,
        status: JobStatus::Running,
        created_at: now.clone(),
        updated_at: now,
        shards: items.len().div_ceil(shard_size) as u32,
        urls: items.len() as u64,
        config: req.config.clone(),
        export: None,
        message: None,
        elapsed_ms: 0,
    };
    // URL shards first, then the job record: a job in the store always has its shards.
    for (i, shard) in items.chunks(shard_size).enumerate() {
        ctx.blobs
            .put(
                &keys::urls_shard(&job.id, i as u32),
                jsonl::to_bytes(shard)?,
            )
            .await?;
    }
    let mut report = ShardReport::default();
    report.stats.add("urls", items.len() as u64);
    report.stats.add("lines_refused", req.parsed.refused);
    report.stats.add("duplicate_urls", req.parsed.duplicates);
    for e in &req.parsed.errors {
        report.fail(e.clone());
    }
    ctx.state
        .complete_shard(&job.id, Stage::Input, 0, &report)
        .await?;
    ctx.state.put_job(&job).await?;
    Ok((job, false))
}

/// Same URLs, same config and same salt -> same key.
pub fn input_key(cfg: &JobConfig, items: &[UrlItem], salt: &str) -> Result<String> {
    let mut buf = serde_json::to_vec(cfg).map_err(|e| Error::json("config", e))?;
    for i in items {
        buf.push(b'\n');
        buf.extend_from_slice(i.url.as_bytes());
    }
    // Appended only when present, so keys of unsalted jobs stay what they always were.
    if !salt.is_empty() {
        buf.extend_from_slice(b"\nsalt:");
        buf.extend_from_slice(salt.as_bytes());
    }
    Ok(sha256_hex(buf))
}

/// The shards of a job as the state machine's Map iterates them.
pub fn shard_tasks(job: &JobRecord) -> serde_json::Value {
    let shards: Vec<serde_json::Value> = (0..job.shards)
        .map(|s| serde_json::json!({ "job_id": job.id, "shard": s }))
        .collect();
    serde_json::json!({ "job_id": job.id, "shards": shards })
}

/// The job with this id, or the only one whose id starts with it.
pub async fn find_job(state: &dyn crate::ports::StateStore, id: &str) -> Result<JobRecord> {
    if let Some(j) = state.get_job(id).await? {
        return Ok(j);
    }
    let id_lower = id.to_lowercase();
    let mut matches = state
        .list_jobs()
        .await?
        .into_iter()
        .filter(|j| j.id.starts_with(&id_lower));
    match (matches.next(), matches.next()) {
        (Some(j), None) => Ok(j),
        (None, _) => Err(Error::JobNotFound(id.to_string())),
        (Some(_), Some(_)) => Err(Error::State(format!(
            "several jobs start with {id}; give more of the id"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::adapters::local::{DirBlobStore, SqliteState};
    use crate::ports::{CLOUD_SHARD_SIZE, LOCAL_SHARD_SIZE, SystemClock};
    use crate::stages::NoProgress;

    /// How many shards a 120-URL list gets, for a config's `shard_size` and the runtime's.
    async fn shards(configured: usize, runtime: usize) -> u32 {
        let dir = tempfile::tempdir().unwrap();
        let ctx = StageContext {
            blobs: Arc::new(DirBlobStore::new(dir.path().join("blobs")).unwrap()),
            state: Arc::new(SqliteState::open(&dir.path().join("state.sqlite")).unwrap()),
            clock: Arc::new(SystemClock),
            progress: Arc::new(NoProgress),
        };
        let mut config = JobConfig::default();
        config.input.shard_size = configured;
        let list: String = (0..120)
            .map(|i| format!("https://example.com/{i}\n"))
            .collect();
        let parsed =
            crate::input::read_list_bytes("urls.txt", list.as_bytes(), &config.input).unwrap();
        let req = JobRequest {
            source: "test".into(),
            config: &config,
            parsed: &parsed,
            salt: "",
            shard_size: runtime,
        };
        let (job, _) = find_or_create(&ctx, req).await.unwrap();
        job.shards
    }

    #[tokio::test]
    async fn the_runtime_picks_the_shard_size_unless_the_config_sets_one() {
        assert_eq!(shards(0, LOCAL_SHARD_SIZE).await, 3);
        assert_eq!(shards(0, CLOUD_SHARD_SIZE).await, 1);
        assert_eq!(shards(7, LOCAL_SHARD_SIZE).await, 18);
        assert_eq!(shards(7, CLOUD_SHARD_SIZE).await, 18);
    }
}
