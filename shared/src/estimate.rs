//! What a job will cost before it runs: pages, chunks, LLM calls, tokens and dollars for a URL
//! count and a config. The ratios come from the finished jobs in the same state store when
//! there are any (the user's own sites and model), otherwise from defaults measured on our
//! corpus. The figure is an upper bound in one way: answers already in the LLM cache cost
//! nothing and are counted as paid.

use serde::Serialize;

use crate::config::JobConfig;
use crate::model::{JobStatus, Stage};
use crate::ports::StateStore;
use crate::stages::factory::{self, Mode};

/// Ratios used when no finished job says otherwise. Chunks per page: the 60 corpus pages give
/// 1.9 chunks of 512 tokens per kept page. Tokens per call: a 512-token chunk plus the
/// built-in templates' instructions (about 300 tokens) in, three short examples out.
const DEFAULT_FETCHED_SHARE: f64 = 0.9;
const DEFAULT_KEPT_SHARE: f64 = 0.8;
const DEFAULT_CHUNKS_PER_KEPT_PAGE: f64 = 1.9;
const TEMPLATE_OVERHEAD_TOKENS: f64 = 300.0;
const COMPLETION_TOKENS_PER_EXAMPLE: f64 = 120.0;
/// The judge sees an example and its source chunk and answers with a number.
const JUDGE_COMPLETION_TOKENS: f64 = 20.0;
/// Finished jobs looked at for ratios.
const HISTORY_JOBS: usize = 20;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub urls: u64,
    pub pages: u64,
    pub documents: u64,
    pub chunks: u64,
    pub examples: u64,
    pub llm_calls: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost_usd: f64,
    pub model: String,
    /// The model has a price in `llm.prices`; without one the cost shows as 0.
    pub priced: bool,
    /// Where the ratios came from, in words.
    pub basis: String,
}

/// Ratios observed on finished jobs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    pub jobs: u64,
    pub fetched_share: Option<f64>,
    pub kept_share: Option<f64>,
    pub chunks_per_doc: Option<f64>,
    pub examples_per_chunk: Option<f64>,
    pub prompt_tokens_per_call: Option<f64>,
    pub completion_tokens_per_call: Option<f64>,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Ratios over the newest finished jobs of a state store.
pub async fn observe(state: &dyn StateStore) -> crate::Result<Observed> {
    let mut jobs = state.list_jobs().await?;
    jobs.retain(|j| j.status == JobStatus::Completed);
    jobs.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    let (mut urls, mut fetched, mut pages, mut kept, mut chunks) = (0, 0, 0, 0, 0);
    let (mut gen_chunks, mut examples, mut calls, mut prompt, mut completion) = (0, 0, 0, 0, 0);
    let mut n = 0;
    for job in jobs.iter().take(HISTORY_JOBS) {
        let stats = state.stage_stats(&job.id).await?;
        let get = |s: Stage, c: &str| stats.get(&s).map_or(0, |st| st.get(c));
        n += 1;
        urls += get(Stage::Spider, "urls");
        fetched += get(Stage::Spider, "fetched");
        pages += get(Stage::Refiner, "pages");
        kept += get(Stage::Refiner, "documents_kept");
        chunks += get(Stage::Refiner, "chunks");
        // Token figures only from paid calls: cached answers record none.
        if get(Stage::Factory, "llm_calls") > 0 {
            gen_chunks += get(Stage::Factory, "chunks_ok");
            examples += get(Stage::Factory, "examples");
            calls += get(Stage::Factory, "llm_calls");
            prompt += get(Stage::Factory, "prompt_tokens");
            completion += get(Stage::Factory, "completion_tokens");
        }
    }
    Ok(Observed {
        jobs: n,
        fetched_share: ratio(fetched, urls),
        kept_share: ratio(kept, pages),
        chunks_per_doc: ratio(chunks, kept),
        examples_per_chunk: ratio(examples, gen_chunks),
        prompt_tokens_per_call: ratio(prompt, calls),
        completion_tokens_per_call: ratio(completion, calls),
    })
}

pub fn estimate(cfg: &JobConfig, urls: u64, seen: &Observed) -> Estimate {
    let fetched_share = seen.fetched_share.unwrap_or(DEFAULT_FETCHED_SHARE);
    let kept_share = seen.kept_share.unwrap_or(DEFAULT_KEPT_SHARE);
    let chunks_per_doc = seen.chunks_per_doc.unwrap_or(DEFAULT_CHUNKS_PER_KEPT_PAGE);
    let pages = (urls as f64 * fetched_share).round();
    let documents = (pages * kept_share).round();
    let chunks = (documents * chunks_per_doc).round();
    let model = cfg.llm.model.clone();
    let price = cfg.llm.prices.get(&model);
    let mut est = Estimate {
        urls,
        pages: pages as u64,
        documents: documents as u64,
        chunks: chunks as u64,
        examples: 0,
        llm_calls: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_usd: 0.0,
        model,
        priced: price.is_some(),
        basis: String::new(),
    };
    let source = if seen.jobs > 0 {
        format!(
            "ratios from the {} newest finished job(s) in this store",
            seen.jobs
        )
    } else {
        "default ratios measured on our 60-page corpus (no finished job to learn from yet)"
            .to_string()
    };
    if factory::mode(cfg) == Mode::Corpus {
        est.basis = format!(
            "{source}; no LLM endpoint is configured, so the job makes no LLM calls and costs nothing"
        );
        return est;
    }
    let per_chunk = seen
        .examples_per_chunk
        .filter(|n| *n > 0.0)
        .unwrap_or(f64::from(cfg.factory.examples_per_chunk.max(1)));
    let examples = (chunks * per_chunk).round();
    let chunk_tokens = cfg.refiner.chunking.max_tokens as f64 * 0.9;
    let prompt_per_call = seen
        .prompt_tokens_per_call
        .unwrap_or(chunk_tokens + TEMPLATE_OVERHEAD_TOKENS);
    let completion_per_call = seen
        .completion_tokens_per_call
        .unwrap_or((per_chunk * COMPLETION_TOKENS_PER_EXAMPLE).min(f64::from(cfg.llm.max_tokens)));
    let mut prompt = chunks * prompt_per_call;
    let mut completion = chunks * completion_per_call;
    let mut calls = chunks;
    if cfg.inspector.judge {
        calls += examples;
        // The judge reads the source chunk, its instructions and one example.
        let example_tokens = completion_per_call / per_chunk;
        prompt += examples * (chunk_tokens + TEMPLATE_OVERHEAD_TOKENS + example_tokens);
        completion += examples * JUDGE_COMPLETION_TOKENS;
    }
    est.examples = examples as u64;
    est.llm_calls = calls as u64;
    est.prompt_tokens = prompt.round() as u64;
    est.completion_tokens = completion.round() as u64;
    est.cost_usd = price.map_or(0.0, |p| {
        ((prompt * p.prompt + completion * p.completion) / 1e6 * 10_000.0).round() / 10_000.0
    });
    est.basis = format!(
        "{source}: {:.0}% of URLs fetched, {:.0}% of pages kept, {chunks_per_doc:.1} chunks per page, one call per chunk{}; {prompt_per_call:.0} prompt and {completion_per_call:.0} completion tokens per call; {}. Answers already cached cost nothing, so this is an upper bound.",
        fetched_share * 100.0,
        kept_share * 100.0,
        if cfg.inspector.judge {
            " and one judge call per example"
        } else {
            ""
        },
        if est.priced {
            format!("prices for {} from llm.prices", est.model)
        } else {
            format!(
                "no price for model {:?} in llm.prices, so the cost shows as 0",
                est.model
            )
        },
    );
    est
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generating(model: &str) -> JobConfig {
        let mut cfg = JobConfig::default();
        cfg.llm.base_url = "http://127.0.0.1:9/v1".into();
        cfg.llm.model = model.into();
        cfg
    }

    #[test]
    fn corpus_jobs_cost_nothing() {
        let e = estimate(&JobConfig::default(), 1000, &Observed::default());
        assert_eq!((e.llm_calls, e.cost_usd), (0, 0.0));
        assert_eq!(e.pages, 900);
        assert!(e.basis.contains("no LLM endpoint"), "{}", e.basis);
    }

    #[test]
    fn priced_models_cost_and_the_judge_adds_calls() {
        let plain = estimate(&generating("gpt-4o-mini"), 1000, &Observed::default());
        assert_eq!(plain.chunks, 1368);
        assert_eq!(plain.llm_calls, plain.chunks);
        assert!(plain.priced && plain.cost_usd > 0.0);
        let mut cfg = generating("gpt-4o-mini");
        cfg.inspector.judge = true;
        let judged = estimate(&cfg, 1000, &Observed::default());
        assert_eq!(judged.llm_calls, plain.chunks + plain.examples);
        assert!(judged.cost_usd > plain.cost_usd);
        let unpriced = estimate(&generating("llama3.1:8b"), 1000, &Observed::default());
        assert!(!unpriced.priced && unpriced.cost_usd == 0.0);
        assert!(unpriced.basis.contains("no price"), "{}", unpriced.basis);
    }

    #[test]
    fn observed_ratios_win_over_defaults() {
        let seen = Observed {
            jobs: 3,
            fetched_share: Some(0.5),
            kept_share: Some(1.0),
            chunks_per_doc: Some(2.0),
            examples_per_chunk: Some(1.0),
            prompt_tokens_per_call: Some(1000.0),
            completion_tokens_per_call: Some(100.0),
        };
        let e = estimate(&generating("gpt-4o"), 100, &seen);
        assert_eq!((e.pages, e.chunks, e.llm_calls), (50, 100, 100));
        assert_eq!((e.prompt_tokens, e.completion_tokens), (100_000, 10_000));
        // 0.1M prompt at $2.5 + 0.01M completion at $10.
        assert_eq!(e.cost_usd, 0.35);
        assert!(e.basis.contains("3 newest finished"), "{}", e.basis);
    }
}
