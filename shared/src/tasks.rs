//! The serverless task contract: what the state machine passes each stage function and what it
//! gets back, and one handler per stage over the ports. The Lambda binaries only decode the
//! event and call these; the stage logic itself stays in `stages/`.
//!
//! Every handler is idempotent: a shard a stage already finished is not redone (its recorded
//! output stands), so a retried or duplicated task changes nothing and calls no LLM twice.
//! A duplicate that arrives while the first is still working finds its in-progress lease and
//! fails with `TaskInProgress`, which the state machine retries later (when it skips).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::adapters::http::WebFetcher;
use crate::error::{Error, Result};
use crate::generation::Generator;
use crate::jobs;
use crate::keys;
use crate::model::{
    Chunk, Example, ExportManifest, FetchedPage, ItemError, JobRecord, JobStatus, PageStatus,
    ShardReport, Stage, UrlItem,
};
use crate::ports::{Lease, Llm, Orchestrator};
use crate::stages::factory::{self, Factory, Mode};
use crate::stages::inspector::{self, Inspector, Judge};
use crate::stages::refiner::Refiner;
use crate::stages::spider::Spider;
use crate::stages::{StageContext, shipper};

/// Failed-shard records sit in the Shipper's reports at this offset from the shard number,
/// apart from the export's own report (shard 0).
pub const FAILED_SHARD_BASE: u32 = 1_000_000;

/// How long a task's in-progress lease lasts: Lambda's longest timeout, so a lease outlives any
/// invocation that holds it, and one whose holder died frees itself.
pub const TASK_LEASE_SECS: i64 = 900;

/// Run `work` holding the in-progress lease `key`, or fail with [`Error::InProgress`] while
/// another invocation holds it. The lease is given back on failure too, so a retry need not
/// wait for it to expire.
async fn exclusively<T>(
    ctx: &StageContext,
    key: String,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let owner = ulid::Ulid::new().to_string();
    let now = ctx.clock.now().unix_timestamp();
    if let Lease::HeldElsewhere { expires_at, .. } = ctx
        .state
        .acquire_lease(&key, &owner, now, now + TASK_LEASE_SECS)
        .await?
    {
        return Err(Error::InProgress {
            task: key,
            until: expires_at,
        });
    }
    let out = work.await;
    let released = ctx.state.release_lease(&key, &owner).await;
    let out = out?;
    released?;
    Ok(out)
}

fn lease_key(task: &ShardTask, stage: Stage) -> String {
    format!("{}#{stage}#{}", task.job_id, task.shard)
}

/// The input of each shard task: which job, which shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardTask {
    pub job_id: String,
    pub shard: u32,
}

/// What a shard task returns; it carries `job_id` and `shard` on to the next task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardResult {
    pub job_id: String,
    pub shard: u32,
    pub stage: Stage,
    pub items_in: u64,
    pub items_out: u64,
    /// The shard was already done by this stage (a retry or duplicate) or has nothing to do.
    pub skipped: bool,
}

impl ShardResult {
    fn skipped(task: &ShardTask, stage: Stage) -> Self {
        ShardResult {
            job_id: task.job_id.clone(),
            shard: task.shard,
            stage,
            items_in: 0,
            items_out: 0,
            skipped: true,
        }
    }

    fn done(task: &ShardTask, stage: Stage, items_in: usize, items_out: usize) -> Self {
        ShardResult {
            job_id: task.job_id.clone(),
            shard: task.shard,
            stage,
            items_in: items_in as u64,
            items_out: items_out as u64,
            skipped: false,
        }
    }
}

/// The Step Functions error object a Catch hands on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskError {
    #[serde(rename = "Error", default)]
    pub error: String,
    #[serde(rename = "Cause", default)]
    pub cause: String,
}

impl TaskError {
    /// The readable part of a cause: Lambda errors wrap it in JSON as `errorMessage`.
    fn message(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.cause)
            .ok()
            .and_then(|v| v.get("errorMessage")?.as_str().map(str::to_string))
            .unwrap_or_else(|| self.cause.clone())
            .chars()
            .take(2000)
            .collect()
    }
}

/// What the shipper function is asked to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShipperTask {
    /// Export the job (without the shards that failed for good) and complete it.
    Ship { job_id: String },
    /// A shard failed after its retries: record why; the other shards go on.
    ShardFailed {
        job_id: String,
        shard: u32,
        #[serde(default)]
        error: TaskError,
    },
    /// The run itself failed: record it on the job; finished shards stay.
    JobFailed {
        job_id: String,
        #[serde(default)]
        error: TaskError,
    },
}

/// What the shipper function returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipperResult {
    pub job_id: String,
    pub status: JobStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

pub async fn load_job(ctx: &StageContext, id: &str) -> Result<JobRecord> {
    ctx.state
        .get_job(id)
        .await?
        .ok_or_else(|| Error::JobNotFound(id.to_string()))
}

/// Fetch one shard's URLs.
pub async fn spider(ctx: &StageContext, task: &ShardTask) -> Result<ShardResult> {
    exclusively(
        ctx,
        lease_key(task, Stage::Spider),
        spider_leased(ctx, task),
    )
    .await
}

async fn spider_leased(ctx: &StageContext, task: &ShardTask) -> Result<ShardResult> {
    if ctx
        .state
        .shard_done(&task.job_id, Stage::Spider, task.shard)
        .await?
    {
        return Ok(ShardResult::skipped(task, Stage::Spider));
    }
    let job = load_job(ctx, &task.job_id).await?;
    let urls: Vec<UrlItem> = ctx
        .read_records(&keys::urls_shard(&job.id, task.shard))
        .await?;
    // `file://` lists are a local convenience; a function must never read its own disk.
    let fetcher = Arc::new(WebFetcher::new(
        &job.config.spider,
        &job.config.network,
        false,
    )?);
    let spider = Spider::new(fetcher, job.config.spider.clone());
    let (pages, _) = spider.run_shard(ctx, &job.id, task.shard, &urls).await?;
    let fetched = pages
        .iter()
        .filter(|p| p.status == PageStatus::Fetched)
        .count();
    Ok(ShardResult::done(task, Stage::Spider, urls.len(), fetched))
}

/// Extract, filter, de-duplicate and chunk one shard's pages.
pub async fn refiner(ctx: &StageContext, task: &ShardTask) -> Result<ShardResult> {
    exclusively(
        ctx,
        lease_key(task, Stage::Refiner),
        refiner_leased(ctx, task),
    )
    .await
}

async fn refiner_leased(ctx: &StageContext, task: &ShardTask) -> Result<ShardResult> {
    if ctx
        .state
        .shard_done(&task.job_id, Stage::Refiner, task.shard)
        .await?
    {
        return Ok(ShardResult::skipped(task, Stage::Refiner));
    }
    let job = load_job(ctx, &task.job_id).await?;
    let pages: Vec<FetchedPage> = ctx
        .read_records(&keys::raw_pages(&job.id, task.shard))
        .await?;
    let refiner = Arc::new(Refiner::new(&job.config.refiner)?);
    let (chunks, _) = refiner.run_shard(ctx, &job.id, task.shard, &pages).await?;
    Ok(ShardResult::done(
        task,
        Stage::Refiner,
        pages.len(),
        chunks.len(),
    ))
}

/// The LLM a job uses: the injected one (tests), else the job's endpoint with the key from
/// the environment.
fn job_llm(job: &JobRecord, llm: Option<Arc<dyn Llm>>) -> Result<Arc<dyn Llm>> {
    match llm {
        Some(l) => Ok(l),
        None => factory::llm_from_env(&job.config),
    }
}

/// The job, when `stage` (a generation stage) has work on this shard: not in corpus mode, and
/// not already done.
async fn generation_job(
    ctx: &StageContext,
    task: &ShardTask,
    stage: Stage,
) -> Result<Option<JobRecord>> {
    let job = load_job(ctx, &task.job_id).await?;
    let idle = factory::mode(&job.config) == Mode::Corpus
        || ctx.state.shard_done(&job.id, stage, task.shard).await?;
    Ok((!idle).then_some(job))
}

/// Generate examples from one shard's chunks (nothing to do in corpus mode).
pub async fn factory(
    ctx: &StageContext,
    task: &ShardTask,
    llm: Option<Arc<dyn Llm>>,
) -> Result<ShardResult> {
    exclusively(
        ctx,
        lease_key(task, Stage::Factory),
        factory_leased(ctx, task, llm),
    )
    .await
}

async fn factory_leased(
    ctx: &StageContext,
    task: &ShardTask,
    llm: Option<Arc<dyn Llm>>,
) -> Result<ShardResult> {
    let Some(job) = generation_job(ctx, task, Stage::Factory).await? else {
        return Ok(ShardResult::skipped(task, Stage::Factory));
    };
    let chunks: Vec<Chunk> = ctx.read_records(&keys::chunks(&job.id, task.shard)).await?;
    let generator = Arc::new(Generator::new(job_llm(&job, llm)?, &job.config.llm));
    let factory = Factory::new(generator, &job.config)?;
    let (examples, _) = factory
        .run_shard(
            ctx,
            &job.id,
            task.shard,
            &chunks,
            job.config.llm.concurrency,
        )
        .await?;
    Ok(ShardResult::done(
        task,
        Stage::Factory,
        chunks.len(),
        examples.len(),
    ))
}

/// Score one shard's examples (nothing to do in corpus mode).
pub async fn inspector(
    ctx: &StageContext,
    task: &ShardTask,
    llm: Option<Arc<dyn Llm>>,
) -> Result<ShardResult> {
    exclusively(
        ctx,
        lease_key(task, Stage::Inspector),
        inspector_leased(ctx, task, llm),
    )
    .await
}

async fn inspector_leased(
    ctx: &StageContext,
    task: &ShardTask,
    llm: Option<Arc<dyn Llm>>,
) -> Result<ShardResult> {
    let Some(job) = generation_job(ctx, task, Stage::Inspector).await? else {
        return Ok(ShardResult::skipped(task, Stage::Inspector));
    };
    let examples: Vec<Example> = ctx
        .read_records(&keys::generated(&job.id, task.shard))
        .await?;
    let judge = if job.config.inspector.judge {
        let generator = Arc::new(Generator::new(job_llm(&job, llm)?, &job.config.llm));
        Some(Judge::new(generator)?)
    } else {
        None
    };
    let report = inspector::run_shard(
        ctx,
        &job.id,
        task.shard,
        &examples,
        &Inspector::new(&job.config.inspector),
        judge.as_ref(),
    )
    .await?;
    let passed = report.stats.get("passed");
    Ok(ShardResult {
        items_out: passed,
        ..ShardResult::done(task, Stage::Inspector, examples.len(), 0)
    })
}

/// The stage whose output the Shipper exports.
fn last_stage(job: &JobRecord) -> Stage {
    match factory::mode(&job.config) {
        Mode::Corpus => Stage::Refiner,
        Mode::Generate => Stage::Inspector,
    }
}

/// Ship a job, record a failed shard, or record a failed run.
pub async fn shipper(ctx: &StageContext, task: &ShipperTask) -> Result<ShipperResult> {
    match task {
        ShipperTask::Ship { job_id } => {
            exclusively(ctx, format!("{job_id}#ship"), ship(ctx, job_id)).await
        }
        ShipperTask::ShardFailed {
            job_id,
            shard,
            error,
        } => {
            let job = load_job(ctx, job_id).await?;
            let mut stage = Stage::Spider;
            for s in [
                Stage::Spider,
                Stage::Refiner,
                Stage::Factory,
                Stage::Inspector,
            ] {
                stage = s;
                if !ctx.state.shard_done(&job.id, s, *shard).await? {
                    break;
                }
            }
            let mut report = ShardReport::default();
            report.stats.add("shards_failed", 1);
            report.fail(ItemError::new(
                format!("shard {shard}"),
                format!("shard failed: {stage}"),
                format!("{}: {}", error.error, error.message()),
            ));
            ctx.state
                .complete_shard(&job.id, Stage::Shipper, FAILED_SHARD_BASE + shard, &report)
                .await?;
            Ok(ShipperResult {
                job_id: job.id,
                status: job.status,
                export: None,
                version: None,
            })
        }
        ShipperTask::JobFailed { job_id, error } => {
            let job = load_job(ctx, job_id).await?;
            let msg = format!(
                "stopped: {}: {}; finished shards are kept, submit the same list again to resume",
                error.error,
                error.message()
            );
            ctx.state
                .set_job_status(&job.id, JobStatus::Failed, Some(&msg), None, job.elapsed_ms)
                .await?;
            Ok(ShipperResult {
                job_id: job.id,
                status: JobStatus::Failed,
                export: None,
                version: None,
            })
        }
    }
}

async fn ship(ctx: &StageContext, job_id: &str) -> Result<ShipperResult> {
    let job = load_job(ctx, job_id).await?;
    // A duplicate Ship task must not make a second version.
    if job.status == JobStatus::Completed
        && let Some(export) = &job.export
    {
        return Ok(ShipperResult {
            job_id: job.id.clone(),
            status: job.status,
            export: Some(export.clone()),
            version: None,
        });
    }
    let skip = unfinished_shards(ctx, &job).await?;
    if !skip.is_empty() && skip.len() == job.shards as usize {
        let msg = "no shard finished; nothing to ship";
        ctx.state
            .set_job_status(&job.id, JobStatus::Failed, Some(msg), None, job.elapsed_ms)
            .await?;
        return Err(Error::Export(format!("job {}: {msg}", job.id)));
    }
    let mut opts = shipper::ExportOptions::from_config(&job.config)?;
    opts.skip_shards = skip.clone();
    let manifest = shipper::export(ctx, &job, &opts).await?;
    let export = ctx
        .blobs
        .locate(&keys::export_prefix(&job.id, manifest.version));
    let message = (!skip.is_empty()).then(|| {
        format!(
            "shipped without {} failed shard(s) {:?}; see the shipper's errors",
            skip.len(),
            skip
        )
    });
    let elapsed = elapsed_ms(&job, ctx);
    ctx.state
        .set_job_status(
            &job.id,
            JobStatus::Completed,
            message.as_deref(),
            Some(&export),
            elapsed,
        )
        .await?;
    Ok(ShipperResult {
        job_id: job.id,
        status: JobStatus::Completed,
        export: Some(export),
        version: Some(manifest.version),
    })
}

/// Wall time from the job's creation to now: the serverless run has no single process to time.
fn elapsed_ms(job: &JobRecord, ctx: &StageContext) -> u64 {
    time::OffsetDateTime::parse(
        &job.created_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| (ctx.clock.now() - t).whole_milliseconds().max(0) as u64)
    .unwrap_or(job.elapsed_ms)
}

/// Shards the job's last stage never finished (they failed for good and were recorded): an
/// export ships without them, as the first one did.
pub async fn unfinished_shards(ctx: &StageContext, job: &JobRecord) -> Result<BTreeSet<u32>> {
    let last = last_stage(job);
    let mut skip = BTreeSet::new();
    for shard in 0..job.shards {
        if !ctx.state.shard_done(&job.id, last, shard).await? {
            skip.insert(shard);
        }
    }
    Ok(skip)
}

/// Export a finished job again as its next version (`datafactory export`, `POST
/// /jobs/{id}/exports`): without the shards the first export skipped, with the reviews as they
/// are now, and recorded as the job's export. Returns the manifest and where it is.
pub async fn reexport(
    ctx: &StageContext,
    job: &JobRecord,
    mut opts: shipper::ExportOptions,
) -> Result<(ExportManifest, String)> {
    opts.skip_shards = unfinished_shards(ctx, job).await?;
    let manifest = shipper::export(ctx, job, &opts).await?;
    let location = ctx
        .blobs
        .locate(&keys::export_prefix(&job.id, manifest.version));
    ctx.state
        .set_job_status(
            &job.id,
            job.status,
            job.message.as_deref(),
            Some(&location),
            job.elapsed_ms,
        )
        .await?;
    Ok((manifest, location))
}

/// What a submission did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    pub job_id: String,
    /// The job existed already (same list, same config): it is resumed, not redone.
    pub existing: bool,
    pub status: JobStatus,
    pub urls: u64,
    pub shards: u32,
    pub lines_refused: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    /// The job's execution was already running (a duplicate delivery): none was started.
    pub duplicate: bool,
}

/// A URL list to turn into a job and run.
pub struct Submission<'a> {
    pub source: String,
    pub config: &'a crate::config::JobConfig,
    pub parsed: &'a crate::input::ParsedInput,
    /// See [`jobs::JobRequest::salt`].
    pub salt: &'a str,
}

/// Create (or find) the job and start its execution, unless it is already complete.
pub async fn submit(
    ctx: &StageContext,
    orchestrator: &dyn Orchestrator,
    sub: Submission<'_>,
) -> Result<Submitted> {
    let (job, existing) = jobs::find_or_create(
        ctx,
        jobs::JobRequest {
            source: sub.source,
            config: sub.config,
            parsed: sub.parsed,
            salt: sub.salt,
            shard_size: orchestrator.shard_size(),
        },
    )
    .await?;
    let mut out = Submitted {
        job_id: job.id.clone(),
        existing,
        status: job.status,
        urls: job.urls,
        shards: job.shards,
        lines_refused: sub.parsed.refused,
        execution: None,
        duplicate: false,
    };
    if job.status == JobStatus::Completed {
        return Ok(out);
    }
    // Running before the start, not after: a pipeline that ends at once (everything was
    // done but the Shipper) must not have its final status overwritten.
    if job.status == JobStatus::Failed {
        ctx.state
            .set_job_status(&job.id, JobStatus::Running, None, None, job.elapsed_ms)
            .await?;
    }
    let started = match orchestrator.start(&job.id, &jobs::shard_tasks(&job)).await {
        Ok(s) => s,
        Err(e) => {
            if job.status == JobStatus::Failed {
                let _ = ctx
                    .state
                    .set_job_status(
                        &job.id,
                        JobStatus::Failed,
                        job.message.as_deref(),
                        None,
                        job.elapsed_ms,
                    )
                    .await;
            }
            return Err(e);
        }
    };
    out.execution = Some(started.id);
    out.duplicate = started.already_started;
    if job.status == JobStatus::Failed {
        out.status = JobStatus::Running;
    }
    Ok(out)
}
