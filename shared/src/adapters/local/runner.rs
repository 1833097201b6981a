//! The whole pipeline in one process on the embedded default: a data directory holding the
//! blob store and `state.sqlite`. Shards stream through Spider and Refiner (the Spider works
//! ahead while the Refiner uses the other core), then the Shipper exports. Every step is
//! recorded as it finishes, so running the same input again resumes where it stopped.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;

use crate::adapters::http::WebFetcher;
use crate::adapters::local::{DirBlobStore, SqliteState};
use crate::config::JobConfig;
use crate::error::{Error, Result};
use crate::generation::Generator;
use crate::input::{ParsedInput, read_input};
use crate::jobs::{self, JobRequest};
use crate::model::{Chunk, Example};
use crate::model::{FetchedPage, JobRecord, JobStatus, Stage, UrlItem};
use crate::ports::{BlobStore, Fetcher, StateStore, SystemClock};
use crate::stages::factory::{self, Factory, Mode};
use crate::stages::inspector::{self, Inspector, Judge};
use crate::stages::refiner::Refiner;
use crate::stages::spider::Spider;
use crate::stages::{Progress, StageContext, shipper};
use crate::summary::JobSummary;
use crate::{jsonl, keys};

/// Shards the Spider works on at once, ahead of the Refiner (one more, finished, may wait in
/// the hand-over channel).
const SPIDER_AHEAD: usize = 2;

/// Shards the Refiner extracts at once.
const EXTRACT_AHEAD: usize = 2;

pub struct LocalRunner {
    data_dir: PathBuf,
    pub blobs: Arc<DirBlobStore>,
    pub state: Arc<SqliteState>,
    /// The LLM to use instead of the one the config names (tests, embedding).
    pub llm: Option<Arc<dyn crate::ports::Llm>>,
}

/// How a run went: the job (completed) and whether it resumed earlier work.
pub struct RunOutcome {
    pub job: JobRecord,
    pub resumed: bool,
    pub summary: JobSummary,
}

impl LocalRunner {
    pub fn open(data_dir: &Path) -> Result<Self> {
        let blobs = Arc::new(DirBlobStore::new(data_dir)?);
        let state = Arc::new(SqliteState::open(&data_dir.join("state.sqlite"))?);
        Ok(LocalRunner {
            data_dir: data_dir.to_path_buf(),
            blobs,
            state,
            llm: None,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn context(&self, progress: Arc<dyn Progress>) -> StageContext {
        StageContext {
            blobs: self.blobs.clone(),
            state: self.state.clone(),
            clock: Arc::new(SystemClock),
            progress,
        }
    }

    /// Run (or resume) the job for `input` with `cfg`. `on_start` hears the job record before
    /// any work starts, and whether it is resumed. Input that is unusable as a whole is an
    /// error; failed items are recorded and the job still completes.
    pub async fn run(
        &self,
        input: &Path,
        cfg: JobConfig,
        progress: Arc<dyn Progress>,
        on_start: impl FnOnce(&JobRecord, bool),
    ) -> Result<RunOutcome> {
        cfg.validate()?;
        let parsed = {
            let (path, icfg) = (input.to_path_buf(), cfg.input.clone());
            tokio::task::spawn_blocking(move || read_input(&path, &icfg, true))
                .await
                .map_err(|e| Error::input(input, format!("reading failed: {e}")))??
        };
        let ctx = self.context(progress.clone());
        let (job, resumed) = self.find_or_create_job(&ctx, input, &cfg, &parsed).await?;
        // The URLs are in the job's shard files now; a list of a million would otherwise stay
        // in memory for the whole run.
        drop(parsed);
        on_start(&job, resumed);
        if job.status == JobStatus::Completed {
            let summary = JobSummary::load(self.state.as_ref(), &job).await?;
            return Ok(RunOutcome {
                job,
                resumed,
                summary,
            });
        }
        self.execute(&ctx, &job).await?;
        let job = self
            .state
            .get_job(&job.id)
            .await?
            .ok_or_else(|| Error::JobNotFound(job.id.clone()))?;
        let summary = JobSummary::load(self.state.as_ref(), &job).await?;
        Ok(RunOutcome {
            job,
            resumed,
            summary,
        })
    }

    /// Run (or resume) a job that exists already, as `datafactory serve` does for the jobs the
    /// API creates. The job's status says how it ended.
    pub async fn run_job(&self, job_id: &str, progress: Arc<dyn Progress>) -> Result<()> {
        let job = self
            .state
            .get_job(job_id)
            .await?
            .ok_or_else(|| Error::JobNotFound(job_id.to_string()))?;
        if job.status == JobStatus::Completed {
            return Ok(());
        }
        let ctx = self.context(progress);
        self.execute(&ctx, &job).await
    }

    /// The pipeline with the job's status kept: running, then completed with the export's
    /// location, or failed with the reason (and how to resume).
    async fn execute(&self, ctx: &StageContext, job: &JobRecord) -> Result<()> {
        let started = Instant::now();
        let previous_ms = job.elapsed_ms;
        let cfg = &job.config;
        let run = async {
            let fetcher: Arc<dyn Fetcher> =
                Arc::new(WebFetcher::new(&cfg.spider, &cfg.network, true)?);
            self.pipeline(ctx, job, fetcher).await
        };
        match run.await {
            Ok(export) => {
                let elapsed = previous_ms + started.elapsed().as_millis() as u64;
                self.state
                    .set_job_status(&job.id, JobStatus::Completed, None, Some(&export), elapsed)
                    .await?;
                Ok(())
            }
            Err(e) => {
                let elapsed = previous_ms + started.elapsed().as_millis() as u64;
                let msg = format!("stopped: {e}; run the same command again to resume");
                let _ = self
                    .state
                    .set_job_status(&job.id, JobStatus::Failed, Some(&msg), None, elapsed)
                    .await;
                Err(e)
            }
        }
    }

    async fn find_or_create_job(
        &self,
        ctx: &StageContext,
        input: &Path,
        cfg: &JobConfig,
        parsed: &ParsedInput,
    ) -> Result<(JobRecord, bool)> {
        let source = std::path::absolute(input)
            .unwrap_or_else(|_| input.to_path_buf())
            .display()
            .to_string();
        jobs::find_or_create(
            ctx,
            JobRequest {
                source,
                config: cfg,
                parsed,
                salt: "",
                shard_size: crate::ports::LOCAL_SHARD_SIZE,
            },
        )
        .await
    }

    async fn pipeline(
        &self,
        ctx: &StageContext,
        job: &JobRecord,
        fetcher: Arc<dyn Fetcher>,
    ) -> Result<String> {
        let cfg = &job.config;
        self.state
            .set_job_status(&job.id, JobStatus::Running, None, None, job.elapsed_ms)
            .await?;
        let spider = Spider::new(fetcher, cfg.spider.clone());
        let refiner = Arc::new(Refiner::new(&cfg.refiner)?);
        let generation = match factory::mode(cfg) {
            Mode::Corpus => None,
            Mode::Generate => {
                let llm = match &self.llm {
                    Some(l) => l.clone(),
                    None => factory::llm_from_env(cfg)?,
                };
                let generator = Arc::new(Generator::new(llm, &cfg.llm));
                let judge = if cfg.inspector.judge {
                    Some(Judge::new(generator.clone())?)
                } else {
                    None
                };
                Some((
                    Factory::new(generator, cfg)?,
                    Inspector::new(&cfg.inspector),
                    judge,
                ))
            }
        };
        let progress = ctx.progress.clone();
        progress.total(Stage::Spider, job.urls);
        progress.total(Stage::Refiner, 0);

        // The Spider runs beside the rest, SPIDER_AHEAD shards at a time, handing each
        // finished shard over a channel: a stream buffered in this loop would only make
        // progress while the loop waits on it, not while a shard is refined or generated. It
        // is a task of its own so that its per-page work (decoding, compressing, recording)
        // runs on another worker thread than the one driving the Refiner's ordered part.
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        // Dropping the pipeline (it failed, or the caller gave up) stops the Spider too.
        let fetch = tokio_util::task::AbortOnDropHandle::new(tokio::spawn({
            let (ctx, job, spider) = (ctx.clone(), job.clone(), Arc::new(spider));
            async move {
                let mut fetched = futures::stream::iter(0..job.shards)
                    .map(|shard| {
                        let (ctx, job, spider) = (&ctx, &job, &spider);
                        async move { (shard, spider_shard(ctx, spider, job, shard).await) }
                    })
                    .buffered(SPIDER_AHEAD);
                while let Some(done) = fetched.next().await {
                    let shard = done.0;
                    let waited = Instant::now();
                    if tx.send(done).await.is_err() {
                        break;
                    }
                    tracing::debug!(target: "datafactory::timing", shard, blocked_ms = waited.elapsed().as_millis() as u64, "spider handed shard over");
                }
            }
        }));
        // A Spider that panicked closed the channel early; that must not pass for the end of
        // the input.
        let fetch = async move {
            fetch
                .await
                .map_err(|e| Error::State(format!("spider task: {e}")))
        };
        // The Refiner's parallel part (extraction) runs beside its ordered part (claims, the
        // chunk file) and generation, one shard ahead, for the same reason: when they ran
        // one after the other, a core idled through each shard's ordered tail. Extraction
        // writes nothing, so a crash in between loses no finished work. Two shards are
        // extracted at once, each as a task of its own: with one, a core idled while the
        // shard's slowest last pages finished. The Refiner's slots keep the pages in flight
        // (and so the memory) the same over both.
        let (extracted_tx, mut extracted_rx) = tokio::sync::mpsc::channel(1);
        let extract = {
            let (progress, refiner, state) =
                (progress.clone(), refiner.clone(), self.state.clone());
            let (ctx, job_id) = (ctx.clone(), job.id.clone());
            async move {
                let mut refiner_total = 0;
                // Oldest first; each yields the shard's extraction, or None when an earlier
                // run finished the shard.
                let mut running = std::collections::VecDeque::new();
                let mut open = true;
                while open || !running.is_empty() {
                    let waited = Instant::now();
                    tokio::select! {
                        biased;
                        got = rx.recv(), if open && running.len() < EXTRACT_AHEAD => {
                            let Some((shard, pages)) = got else {
                                open = false;
                                continue;
                            };
                            let waited_ms = waited.elapsed().as_millis() as u64;
                            let fetched = pages.as_ref().map_or(0, |pages| {
                                pages
                                    .iter()
                                    .filter(|p| p.status == crate::model::PageStatus::Fetched)
                                    .count() as u64
                            });
                            refiner_total += fetched;
                            progress.total(Stage::Refiner, refiner_total);
                            let (ctx, job_id, state) = (ctx.clone(), job_id.clone(), state.clone());
                            let (refiner, progress) = (refiner.clone(), progress.clone());
                            let task = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(
                                async move {
                                    let pages = pages?;
                                    if state.shard_done(&job_id, Stage::Refiner, shard).await? {
                                        progress.advance(Stage::Refiner, fetched);
                                        return Ok((shard, None));
                                    }
                                    tracing::debug!(target: "datafactory::timing", shard, waited_for_spider_ms = waited_ms, "refiner extracting");
                                    Ok((shard, Some(refiner.extract_shard(&ctx, &pages).await?)))
                                },
                            ));
                            running.push_back(task);
                        }
                        done = async {
                            match running.front_mut() {
                                Some(task) => task.await,
                                None => std::future::pending().await,
                            }
                        }, if !running.is_empty() => {
                            running.pop_front();
                            let item: Result<(u32, Option<_>)> = done
                                .map_err(|e| Error::State(format!("refiner task: {e}")))
                                .and_then(|r| r);
                            let failed = item.is_err();
                            if extracted_tx.send(item).await.is_err() || failed {
                                break;
                            }
                        }
                    }
                }
            }
        };
        let process = async {
            let (mut chunks_total, mut examples_total) = (0u64, 0u64);
            loop {
                let waited = Instant::now();
                let Some(item) = extracted_rx.recv().await else {
                    break;
                };
                let (shard, extracted) = item?;
                let chunks = match extracted {
                    None => None,
                    Some(e) => {
                        tracing::debug!(target: "datafactory::timing", shard, waited_for_extraction_ms = waited.elapsed().as_millis() as u64, "refiner de-duplicating");
                        Some(refiner.dedup_shard(ctx, &job.id, shard, e).await?.0)
                    }
                };
                let Some((factory, inspector, judge)) = &generation else {
                    continue;
                };
                let chunks: Vec<Chunk> = match chunks {
                    Some(c) => c,
                    None => ctx.read_records(&keys::chunks(&job.id, shard)).await?,
                };
                chunks_total += chunks.len() as u64;
                progress.total(Stage::Factory, chunks_total);
                let examples: Vec<Example> = if self
                    .state
                    .shard_done(&job.id, Stage::Factory, shard)
                    .await?
                {
                    progress.advance(Stage::Factory, chunks.len() as u64);
                    ctx.read_records(&keys::generated(&job.id, shard)).await?
                } else {
                    factory
                        .run_shard(ctx, &job.id, shard, &chunks, cfg.llm.concurrency)
                        .await?
                        .0
                };
                examples_total += examples.len() as u64;
                progress.total(Stage::Inspector, examples_total);
                if self
                    .state
                    .shard_done(&job.id, Stage::Inspector, shard)
                    .await?
                {
                    progress.advance(Stage::Inspector, examples.len() as u64);
                } else {
                    inspector::run_shard(ctx, &job.id, shard, &examples, inspector, judge.as_ref())
                        .await?;
                }
            }
            Ok::<(), Error>(())
        };
        // Stop fetching and extracting as soon as processing fails; once they are done, finish
        // processing.
        let produce = futures::future::join(fetch, extract);
        match futures::future::select(std::pin::pin!(produce), std::pin::pin!(process)).await {
            futures::future::Either::Left(((fetched, _), process)) => {
                let processed = process.await;
                fetched?;
                processed?
            }
            futures::future::Either::Right((processed, produce)) => {
                processed?;
                // Processing ends when extraction has nothing more, so this is at hand; it
                // says whether the Spider ended or broke off.
                produce.await.0?;
            }
        }
        progress.finish(Stage::Spider);
        progress.finish(Stage::Refiner);
        // In corpus mode these saw nothing; the progress display says why.
        progress.finish(Stage::Factory);
        progress.finish(Stage::Inspector);

        progress.total(Stage::Shipper, u64::from(job.shards));
        let opts = shipper::ExportOptions::from_config(cfg)?;
        let manifest = shipper::export(ctx, job, &opts).await?;
        progress.finish(Stage::Shipper);
        Ok(self
            .blobs
            .locate(&keys::export_prefix(&job.id, manifest.version)))
    }
}

/// Re-export a finished job as a new version (no fetching, no LLM calls); see
/// [`crate::tasks::reexport`].
pub async fn reexport(
    runner: &LocalRunner,
    job: &JobRecord,
    opts: &shipper::ExportOptions,
    progress: Arc<dyn Progress>,
) -> Result<crate::model::ExportManifest> {
    let ctx = runner.context(progress);
    Ok(crate::tasks::reexport(&ctx, job, opts.clone()).await?.0)
}

/// Open the state of a data dir for read-only commands (`jobs`, `status`).
pub fn open_state(data_dir: &Path) -> Result<Arc<dyn StateStore>> {
    Ok(Arc::new(SqliteState::open(&data_dir.join("state.sqlite"))?))
}

pub use crate::jobs::find_job;

/// A shard's pages: from the Spider's finished output, or by running the Spider.
async fn spider_shard(
    ctx: &StageContext,
    spider: &Spider,
    job: &JobRecord,
    shard: u32,
) -> Result<Vec<FetchedPage>> {
    let pages_key = keys::raw_pages(&job.id, shard);
    if ctx.state.shard_done(&job.id, Stage::Spider, shard).await?
        && let Some(bytes) = ctx.blobs.get(&pages_key).await?
    {
        let pages: Vec<FetchedPage> = jsonl::parse(&bytes, &pages_key)?;
        ctx.progress.advance(Stage::Spider, pages.len() as u64);
        return Ok(pages);
    }
    let urls: Vec<UrlItem> = ctx.read_records(&keys::urls_shard(&job.id, shard)).await?;
    let t = Instant::now();
    let (pages, _) = spider.run_shard(ctx, &job.id, shard, &urls).await?;
    tracing::debug!(target: "datafactory::timing", shard, fetch_ms = t.elapsed().as_millis() as u64, "fetched shard");
    Ok(pages)
}
