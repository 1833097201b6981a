//! Factory: training examples from chunks, through an LLM.
//!
//! Per chunk: render the template's prompts, ask the [`Generator`] (cache first, then the
//! endpoint, with retries and schema validation), turn the valid answer into examples. A chunk
//! whose answer stays invalid is recorded with its reason and skipped; the job goes on. With no
//! endpoint configured the job runs in corpus mode: no examples, the Shipper exports chunks.

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};

use crate::config::JobConfig;
use crate::error::{Error, Result};
use crate::generation::{Generator, Prompt, Usage};
use crate::model::{Chunk, Example, ItemError, ShardReport, Stage};
use crate::ports::Llm;
use crate::stages::StageContext;
use crate::templates::{self, Template};
use crate::{jsonl, keys};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No LLM endpoint: export the curated corpus.
    Corpus,
    /// Generate examples with the configured endpoint and model.
    Generate,
}

/// What the Factory will do for a job.
pub fn mode(cfg: &JobConfig) -> Mode {
    if cfg.llm.base_url.trim().is_empty() || cfg.llm.model.trim().is_empty() {
        Mode::Corpus
    } else {
        Mode::Generate
    }
}

/// Said in summaries and the dataset card when the Factory made no examples.
pub const CORPUS_NOTE: &str = "no LLM endpoint configured: exported the curated corpus";

pub struct Factory {
    generator: Arc<Generator>,
    template: Template,
    cfg: crate::config::FactoryConfig,
    schema: serde_json::Value,
    validator: jsonschema::Validator,
}

impl Factory {
    pub fn new(generator: Arc<Generator>, cfg: &JobConfig) -> Result<Self> {
        let template = templates::load(&cfg.factory)?;
        let schema = template.schema(&cfg.factory)?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| Error::Config(format!("template {}: schema: {e}", template.name)))?;
        Ok(Factory {
            generator,
            template,
            cfg: cfg.factory.clone(),
            schema,
            validator,
        })
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Generate examples for one shard's chunks; writes `generated/<shard>.jsonl`.
    pub async fn run_shard(
        &self,
        ctx: &StageContext,
        job: &str,
        shard: u32,
        chunks: &[Chunk],
        concurrency: usize,
    ) -> Result<(Vec<Example>, ShardReport)> {
        let usage = Usage::for_shard(job, Stage::Factory, shard);
        // try_collect stops at the first job-level error (a refused key) instead of sending
        // every remaining chunk to an endpoint that will refuse it too.
        let results: Vec<std::result::Result<Vec<Example>, ItemError>> =
            // Indices, not `&Chunk` items: a closure over borrowed items makes the future's
            // lifetime higher-ranked, and rustc then cannot prove it `Send` for Lambda.
            futures::stream::iter(0..chunks.len())
                .map(|i| {
                    let chunk = &chunks[i];
                    let usage = &usage;
                    async move {
                        let out = self.chunk(ctx, chunk, usage).await;
                        ctx.progress.advance(Stage::Factory, 1);
                        out
                    }
                })
                .buffered(concurrency.max(1))
                .try_collect()
                .await?;
        let mut report = ShardReport::default();
        let mut examples = Vec::new();
        report.stats.add("chunks", chunks.len() as u64);
        for r in results {
            match r {
                Ok(ex) => {
                    report.stats.add("chunks_ok", 1);
                    report.stats.add("examples", ex.len() as u64);
                    examples.extend(ex);
                }
                Err(e) => {
                    report.stats.add("chunks_failed", 1);
                    report.fail(e);
                }
            }
        }
        usage.drain_into(&mut report.stats);
        ctx.blobs
            .put(&keys::generated(job, shard), jsonl::to_bytes(&examples)?)
            .await?;
        ctx.state
            .complete_shard(job, Stage::Factory, shard, &report)
            .await?;
        Ok((examples, report))
    }

    async fn chunk(
        &self,
        ctx: &StageContext,
        chunk: &Chunk,
        usage: &Usage,
    ) -> Result<std::result::Result<Vec<Example>, ItemError>> {
        let (system, user) = self.template.messages(chunk, &self.cfg)?;
        let prompt = Prompt {
            template: &self.template.name,
            template_version: &self.template.version,
            system,
            user,
            schema_name: &self.template.name,
            schema: &self.schema,
            validator: &self.validator,
        };
        let item = format!("{}#{}", chunk.url, chunk.chunk_index);
        match self
            .generator
            .ask(ctx.state.as_ref(), &prompt, usage)
            .await?
        {
            Ok(answer) => {
                let ex =
                    self.template
                        .examples(&answer, chunk, &self.cfg, self.generator.model())?;
                if ex.is_empty() {
                    return Ok(Err(ItemError::new(
                        item,
                        "llm: no examples",
                        "the answer held no usable item",
                    )));
                }
                Ok(Ok(ex))
            }
            Err(u) => Ok(Err(ItemError::new(item, u.reason, u.detail))),
        }
    }
}

/// The LLM client for a job: the OpenAI-compatible adapter with the key from the environment.
pub fn llm_from_env(cfg: &JobConfig) -> Result<Arc<dyn Llm>> {
    let key = ["DATAFACTORY_LLM_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    Ok(Arc::new(crate::adapters::openai::OpenAiClient::new(
        &cfg.llm.base_url,
        key,
        std::time::Duration::from_secs_f64(cfg.llm.timeout_secs),
    )?))
}
