//! What a job did, from the per-shard reports: the end-of-run summary and `status`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::error::Result;
use crate::model::{ItemError, JobRecord, Stage, StageStats};
use crate::ports::StateStore;
use crate::stages::factory::CORPUS_NOTE;

/// Error samples kept per stage in a summary.
pub const SAMPLES: usize = 5;

#[derive(Clone, Debug, Serialize)]
pub struct StageSummary {
    pub stage: Stage,
    pub shards_done: u32,
    pub counters: BTreeMap<String, u64>,
    pub reasons: BTreeMap<String, u64>,
    pub samples: Vec<ItemError>,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobSummary {
    pub job: JobRecord,
    pub stages: Vec<StageSummary>,
}

impl JobSummary {
    pub async fn load(state: &dyn StateStore, job: &JobRecord) -> Result<JobSummary> {
        let stats = state.stage_stats(&job.id).await?;
        let done = state.shards_done(&job.id).await?;
        let mut stages = Vec::new();
        for stage in Stage::ALL {
            let s = stats.get(&stage).cloned().unwrap_or_default();
            stages.push(StageSummary {
                stage,
                shards_done: done.get(&stage).copied().unwrap_or(0),
                counters: s.counters,
                reasons: s.reasons,
                samples: state.item_errors(&job.id, stage, SAMPLES).await?,
            });
        }
        Ok(JobSummary {
            job: job.clone(),
            stages,
        })
    }

    fn stats(&self, stage: Stage) -> StageStats {
        self.stages
            .iter()
            .find(|s| s.stage == stage)
            .map(|s| StageStats {
                counters: s.counters.clone(),
                reasons: s.reasons.clone(),
            })
            .unwrap_or_default()
    }

    pub fn counter(&self, stage: Stage, name: &str) -> u64 {
        self.stats(stage).get(name)
    }

    /// The summary printed at the end of `run`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let spider = self.stats(Stage::Spider);
        let refiner = self.stats(Stage::Refiner);
        let input = self.stats(Stage::Input);
        let _ = writeln!(out, "job {} ({})", self.job.id, self.job.status.as_str());
        if input.get("lines_refused") > 0 || input.get("duplicate_urls") > 0 {
            let _ = writeln!(
                out,
                "  input: {} URLs ({} lines refused, {} duplicates)",
                input.get("urls"),
                input.get("lines_refused"),
                input.get("duplicate_urls")
            );
            push_reasons(&mut out, &input.reasons);
        }
        let _ = writeln!(
            out,
            "  pages:      {} fetched, {} failed, {} skipped (of {})",
            spider.get("fetched"),
            spider.get("failed"),
            spider.get("skipped"),
            spider.get("urls")
        );
        push_reasons(&mut out, &spider.reasons);
        let _ = writeln!(
            out,
            "  documents:  {} kept, {} dropped",
            refiner.get("documents_kept"),
            refiner.get("documents_dropped")
        );
        push_reasons(&mut out, &refiner.reasons);
        let _ = writeln!(
            out,
            "  duplicates: {} removed ({} exact, {} near)",
            refiner.get("duplicates"),
            refiner
                .reasons
                .get(crate::stages::refiner::DUPLICATE_EXACT)
                .copied()
                .unwrap_or(0),
            refiner
                .reasons
                .get(crate::stages::refiner::DUPLICATE_NEAR)
                .copied()
                .unwrap_or(0),
        );
        let _ = writeln!(
            out,
            "  chunks:     {} ({} tokens)",
            refiner.get("chunks"),
            refiner.get("tokens")
        );
        if crate::stages::factory::mode(&self.job.config) == crate::stages::factory::Mode::Generate
        {
            let f = self.stats(Stage::Factory);
            let i = self.stats(Stage::Inspector);
            let _ = writeln!(
                out,
                "  examples:   {} generated from {} of {} chunks; {} passed inspection, {} did not",
                f.get("examples"),
                f.get("chunks_ok"),
                f.get("chunks"),
                i.get("passed"),
                i.get("failed"),
            );
            push_reasons(&mut out, &f.reasons);
            push_reasons(&mut out, &i.reasons);
            let both = |c: &str| f.get(c) + i.get(c);
            let _ = writeln!(
                out,
                "  llm:        {} calls, {} cache hits, {} prompt + {} completion tokens, ${:.4}",
                both("llm_calls"),
                both("cache_hits"),
                both("prompt_tokens"),
                both("completion_tokens"),
                both("cost_micro_usd") as f64 / 1e6
            );
        } else {
            let _ = writeln!(out, "  examples:   0 ({CORPUS_NOTE})");
        }
        let shipper = self.stats(Stage::Shipper);
        if shipper.get("records") > 0 || self.job.export.is_some() {
            let _ = writeln!(
                out,
                "  exported:   {} records ({} train, {} validation)",
                shipper.get("records"),
                shipper.get("train"),
                shipper.get("validation")
            );
        }
        let _ = writeln!(
            out,
            "  elapsed:    {:.1}s",
            self.job.elapsed_ms as f64 / 1000.0
        );
        if let Some(e) = &self.job.export {
            let _ = writeln!(out, "  export:     {e}");
        }
        if let Some(m) = &self.job.message {
            let _ = writeln!(out, "  note:       {m}");
        }
        out
    }

    /// Per-stage detail for `status`.
    pub fn render_status(&self) -> String {
        let mut out = String::new();
        let j = &self.job;
        let _ = writeln!(out, "job       {}", j.id);
        let _ = writeln!(out, "status    {}", j.status.as_str());
        let _ = writeln!(
            out,
            "input     {} ({} URLs, {} shards)",
            j.input, j.urls, j.shards
        );
        let _ = writeln!(out, "created   {}", j.created_at);
        let _ = writeln!(out, "updated   {}", j.updated_at);
        if let Some(e) = &j.export {
            let _ = writeln!(out, "export    {e}");
        }
        if let Some(m) = &j.message {
            let _ = writeln!(out, "note      {m}");
        }
        for s in &self.stages {
            let _ = writeln!(out, "\n{} ({} shards done)", s.stage, s.shards_done);
            if s.counters.is_empty() && s.reasons.is_empty() {
                let corpus =
                    crate::stages::factory::mode(&j.config) == crate::stages::factory::Mode::Corpus;
                let note = match s.stage {
                    Stage::Factory | Stage::Inspector if corpus => CORPUS_NOTE,
                    _ => "nothing yet",
                };
                let _ = writeln!(out, "  {note}");
            }
            for (k, v) in &s.counters {
                let _ = writeln!(out, "  {k:<20} {v}");
            }
            for (k, v) in &s.reasons {
                let _ = writeln!(out, "  ! {k:<18} {v}");
            }
            for e in &s.samples {
                let _ = writeln!(out, "    e.g. {}: {} {}", e.item, e.reason, e.detail);
            }
        }
        out
    }
}

fn push_reasons(out: &mut String, reasons: &BTreeMap<String, u64>) {
    let mut v: Vec<_> = reasons.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (r, n) in v {
        let _ = writeln!(out, "      {n:>6}  {r}");
    }
}
