//! The job config: one structure, read from TOML by `--config`, printed (with every field
//! commented) by `datafactory config`, and taken as JSON by the HTTP API. Every field has a
//! default, a doc comment (which becomes the printed comment) and a rule in [`JobConfig::validate`].

use std::collections::BTreeMap;

use ipnet::IpNet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A datafactory job: how to fetch, refine and export one list of URLs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct JobConfig {
    /// Limits on the URL list itself.
    pub input: InputConfig,
    /// Which addresses may be fetched.
    pub network: NetworkConfig,
    /// Spider: fetching pages politely.
    pub spider: SpiderConfig,
    /// Refiner: extraction, language id, quality filters, chunking, de-duplication.
    pub refiner: RefinerConfig,
    /// The LLM endpoint the Factory (and the optional judge) calls.
    pub llm: LlmConfig,
    /// Factory: which examples to generate from each chunk.
    pub factory: FactoryConfig,
    /// Inspector: the checks every generated example gets.
    pub inspector: InspectorConfig,
    /// Shipper: the exported dataset.
    pub export: ExportConfig,
}

/// Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, llama.cpp server, a
/// gateway). The API key is never part of the config, the job record or any export: it is
/// read from `DATAFACTORY_LLM_API_KEY` (or `OPENAI_API_KEY`) when the job runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Base URL, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1` (Ollama).
    /// Empty: no generation, the job exports the curated corpus. Also read from
    /// `DATAFACTORY_LLM_BASE_URL` or `OPENAI_BASE_URL`.
    pub base_url: String,
    /// Model name. Also read from `DATAFACTORY_LLM_MODEL` or `OPENAI_MODEL`.
    pub model: String,
    /// Sampling temperature.
    pub temperature: f64,
    /// Most tokens per answer.
    pub max_tokens: u32,
    /// How to ask for JSON: `auto` tries `json_schema`, then `json_object`, then plain text
    /// (remembering what the server accepts); or force one of `json_schema`, `json_object`,
    /// `none`. Every answer is validated against the template's schema either way.
    pub structured_output: String,
    /// Most requests in flight at once.
    pub concurrency: usize,
    /// Most requests per minute; 0 means no limit.
    pub requests_per_minute: u32,
    /// Seconds to wait for one answer.
    pub timeout_secs: f64,
    /// Retries after 429, 5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// Extra attempts when an answer is not valid JSON or does not match the schema.
    pub max_invalid_retries: u32,
    /// First backoff delay in milliseconds; doubles per retry; each wait is jittered between half and all of it.
    pub backoff_base_ms: u64,
    /// Longest backoff delay in milliseconds.
    pub backoff_max_ms: u64,
    /// Longest `Retry-After` honoured, in seconds; longer fails the chunk.
    pub max_retry_after_secs: u64,
    /// Price per million tokens by model, for the cost figures; unknown models cost 0.
    pub prices: BTreeMap<String, Price>,
}

/// USD per million tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Per million prompt tokens.
    pub prompt: f64,
    /// Per million completion tokens.
    pub completion: f64,
}

impl Default for LlmConfig {
    fn default() -> Self {
        let price = |prompt, completion| Price { prompt, completion };
        LlmConfig {
            base_url: String::new(),
            model: String::new(),
            temperature: 0.2,
            max_tokens: 1024,
            structured_output: "auto".to_string(),
            concurrency: 8,
            requests_per_minute: 0,
            timeout_secs: 120.0,
            max_retries: 4,
            max_invalid_retries: 2,
            backoff_base_ms: 1000,
            backoff_max_ms: 60_000,
            max_retry_after_secs: 300,
            prices: BTreeMap::from([
                ("gpt-4o".to_string(), price(2.5, 10.0)),
                ("gpt-4o-mini".to_string(), price(0.15, 0.6)),
                ("gpt-4.1".to_string(), price(2.0, 8.0)),
                ("gpt-4.1-mini".to_string(), price(0.4, 1.6)),
                ("gpt-4.1-nano".to_string(), price(0.1, 0.4)),
            ]),
        }
    }
}

/// What the Factory asks the LLM for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FactoryConfig {
    /// Template: `qa`, `summarization`, `classification`, `instruction`, or the name of a
    /// template in `template_dir`.
    pub template: String,
    /// Directory of your own templates (`*.toml`); `--template DIR` sets it.
    pub template_dir: String,
    /// Examples asked for per chunk, for templates that make several.
    pub examples_per_chunk: u32,
    /// Labels for the `classification` template.
    pub labels: Vec<String>,
}

impl Default for FactoryConfig {
    fn default() -> Self {
        FactoryConfig {
            template: "qa".to_string(),
            template_dir: String::new(),
            examples_per_chunk: 3,
            labels: Vec::new(),
        }
    }
}

/// Checks on every generated example; each gives a score in 0..1, combined by weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InspectorConfig {
    /// Least weighted score for an example to pass (and be exported).
    pub threshold: f64,
    /// Weight of each check in the total.
    pub weights: CheckWeights,
    /// Fewest words in a response.
    pub min_response_words: u64,
    /// Most words in a response.
    pub max_response_words: u64,
    /// Fewest words in an instruction or question.
    pub min_instruction_words: u64,
    /// Most words in an instruction or question.
    pub max_instruction_words: u64,
    /// Near-duplicate detection among generated instructions (MinHash LSH).
    pub dedup: DedupConfig,
    /// Ask the LLM to score faithfulness of each example to its source (`--judge`); costs
    /// one call per example, cached like every other call.
    pub judge: bool,
}

impl Default for InspectorConfig {
    fn default() -> Self {
        InspectorConfig {
            threshold: 0.7,
            weights: CheckWeights::default(),
            min_response_words: 1,
            max_response_words: 400,
            min_instruction_words: 3,
            max_instruction_words: 150,
            dedup: DedupConfig {
                shingle_words: 3,
                num_hashes: 64,
                bands: 16,
                rows_per_band: 4,
                ..DedupConfig::default()
            },
            judge: false,
        }
    }
}

/// Weights of the Inspector's checks (0 leaves a check out of the total).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CheckWeights {
    /// Answer matched the template's schema and the example has all its fields.
    pub format: f64,
    /// Instruction and response within the word bounds.
    pub length: f64,
    /// Share of the response's content words found in the source chunk.
    pub groundedness: f64,
    /// Flesch reading ease, mapped to 0..1.
    pub readability: f64,
    /// 1 when no profanity or abuse is found (rustrict), lower when it is.
    pub toxicity: f64,
    /// 0 for a near-duplicate of an earlier example's instruction, else 1.
    pub uniqueness: f64,
    /// The LLM judge's faithfulness score, when `judge` is on.
    pub judge: f64,
}

impl Default for CheckWeights {
    fn default() -> Self {
        CheckWeights {
            format: 1.0,
            length: 0.5,
            groundedness: 1.0,
            readability: 0.5,
            toxicity: 1.0,
            uniqueness: 1.0,
            judge: 1.0,
        }
    }
}

/// Limits on the URL list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    /// Most URLs a list may hold after de-duplication; a longer list is refused.
    pub max_urls: u64,
    /// Largest URL list file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Longest URL accepted, in characters; longer lines are recorded as failed.
    pub max_url_length: usize,
    /// URLs per shard: the unit of work each stage processes. 0 lets the runtime pick: 250
    /// on AWS (one Lambda invocation per shard and stage; a Step Functions execution holds
    /// about 1,400 shards), 50 on one machine, where a shard is only what the Refiner holds
    /// in memory at once (its pages' text and chunks, two shards at a time).
    pub shard_size: usize,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            max_urls: 1_000_000,
            max_file_bytes: 512 * 1024 * 1024,
            max_url_length: 4096,
            shard_size: 0,
        }
    }
}

/// Which network addresses may be fetched.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// Allow loopback, private, link-local and other non-public addresses (as
    /// `--allow-private-network` does). Off by default: such URLs fail with
    /// `blocked: private address`, checked after DNS resolution and on every redirect.
    pub allow_private: bool,
    /// Non-public networks allowed even when `allow_private` is off, as CIDRs
    /// (e.g. `["127.0.0.1/32"]` for one local test server).
    #[schemars(with = "Vec<String>")]
    pub allow_cidrs: Vec<IpNet>,
}

/// How the Spider fetches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SpiderConfig {
    /// Most requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests per second to any one host (robots.txt `Crawl-delay` may slow this further).
    pub per_host_rps: f64,
    /// Seconds to wait for a TCP/TLS connection.
    pub connect_timeout_secs: f64,
    /// Seconds for a whole request, body included.
    pub timeout_secs: f64,
    /// Largest body kept, in bytes, after decompression; larger pages fail with `too large`.
    pub max_body_bytes: u64,
    /// Redirects followed before a page fails with `too many redirects`.
    pub max_redirects: usize,
    /// Retries after a connect error, HTTP 429 or 5xx (so at most 1 + this many attempts).
    pub max_retries: u32,
    /// First backoff delay in milliseconds; doubles per retry; each wait is jittered between half and all of it.
    pub backoff_base_ms: u64,
    /// Longest backoff delay in milliseconds.
    pub backoff_max_ms: u64,
    /// Longest `Retry-After` honoured, in seconds; a server asking for more fails the page.
    pub max_retry_after_secs: u64,
    /// Obey robots.txt (disallow rules and Crawl-delay).
    pub respect_robots: bool,
    /// Longest robots.txt `Crawl-delay` honoured, in seconds.
    pub max_crawl_delay_secs: f64,
    /// User agent sent with every request.
    pub user_agent: String,
}

impl Default for SpiderConfig {
    fn default() -> Self {
        SpiderConfig {
            concurrency: 16,
            per_host_rps: 2.0,
            connect_timeout_secs: 10.0,
            timeout_secs: 30.0,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            max_retries: 3,
            backoff_base_ms: 500,
            backoff_max_ms: 30_000,
            max_retry_after_secs: 120,
            respect_robots: true,
            max_crawl_delay_secs: 30.0,
            user_agent: crate::USER_AGENT.to_string(),
        }
    }
}

/// What the Refiner keeps and how it cuts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RefinerConfig {
    /// Languages kept, as ISO 639-1 codes (e.g. `["en", "fr"]`); empty keeps every language.
    pub languages: Vec<String>,
    /// Least language-identification confidence (0..1) for a document to count as its language.
    pub min_language_confidence: f64,
    /// Quality filters in the style of Gopher, C4 and FineWeb.
    pub filters: FilterConfig,
    /// Token chunking.
    pub chunking: ChunkingConfig,
    /// Exact and near-duplicate removal.
    pub dedup: DedupConfig,
}

impl Default for RefinerConfig {
    fn default() -> Self {
        RefinerConfig {
            languages: vec!["en".to_string()],
            min_language_confidence: 0.5,
            filters: FilterConfig::default(),
            chunking: ChunkingConfig::default(),
            dedup: DedupConfig::default(),
        }
    }
}

/// Document quality filters. Each dropped document is tagged with the filter that dropped it
/// (`filter: gopher.min_words`, ...). Set a filter's `enabled` to false to skip its group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FilterConfig {
    /// Gopher quality rules (Rae et al. 2021).
    pub gopher: GopherConfig,
    /// Gopher repetition rules.
    pub repetition: RepetitionConfig,
    /// C4 rules (Raffel et al. 2020), document level.
    pub c4: C4Config,
    /// FineWeb rules (Penedo et al. 2024).
    pub fineweb: FineWebConfig,
}

/// Gopher quality rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GopherConfig {
    /// Apply these rules.
    pub enabled: bool,
    /// Fewest words a document may have.
    pub min_words: u64,
    /// Most words a document may have.
    pub max_words: u64,
    /// Least mean word length, in characters.
    pub min_mean_word_length: f64,
    /// Most mean word length, in characters.
    pub max_mean_word_length: f64,
    /// Most `#` and `...` per word.
    pub max_symbol_word_ratio: f64,
    /// Most share of lines starting with a bullet.
    pub max_bullet_lines_ratio: f64,
    /// Most share of lines ending with an ellipsis.
    pub max_ellipsis_lines_ratio: f64,
    /// Least share of words holding at least one letter.
    pub min_alpha_words_ratio: f64,
    /// Least count of English stop words (the, be, to, of, and, that, have, with); English only.
    pub min_stop_words: u64,
}

impl Default for GopherConfig {
    fn default() -> Self {
        GopherConfig {
            enabled: true,
            min_words: 50,
            max_words: 100_000,
            min_mean_word_length: 3.0,
            max_mean_word_length: 10.0,
            max_symbol_word_ratio: 0.1,
            max_bullet_lines_ratio: 0.9,
            max_ellipsis_lines_ratio: 0.3,
            min_alpha_words_ratio: 0.8,
            min_stop_words: 2,
        }
    }
}

/// Gopher repetition rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RepetitionConfig {
    /// Apply these rules.
    pub enabled: bool,
    /// Most share of lines that repeat an earlier line.
    pub max_duplicate_lines_ratio: f64,
    /// Most share of characters in lines that repeat an earlier line.
    pub max_duplicate_line_chars_ratio: f64,
    /// Most share of characters covered by the most frequent word 2-gram.
    pub max_top_2gram_ratio: f64,
    /// Most share of characters covered by the most frequent word 3-gram.
    pub max_top_3gram_ratio: f64,
    /// Most share of characters covered by the most frequent word 4-gram.
    pub max_top_4gram_ratio: f64,
}

impl Default for RepetitionConfig {
    fn default() -> Self {
        RepetitionConfig {
            enabled: true,
            max_duplicate_lines_ratio: 0.3,
            max_duplicate_line_chars_ratio: 0.2,
            max_top_2gram_ratio: 0.2,
            max_top_3gram_ratio: 0.18,
            max_top_4gram_ratio: 0.16,
        }
    }
}

/// C4 document rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct C4Config {
    /// Apply these rules.
    pub enabled: bool,
    /// Drop documents containing "lorem ipsum".
    pub drop_lorem_ipsum: bool,
    /// Drop documents containing a curly bracket (C4 does; off by default because it also
    /// drops pages about code).
    pub drop_curly_bracket: bool,
    /// Fewest sentences a document may have.
    pub min_sentences: u64,
}

impl Default for C4Config {
    fn default() -> Self {
        C4Config {
            enabled: true,
            drop_lorem_ipsum: true,
            drop_curly_bracket: false,
            min_sentences: 3,
        }
    }
}

/// FineWeb rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FineWebConfig {
    /// Apply these rules.
    pub enabled: bool,
    /// Least share of lines ending in terminal punctuation.
    pub min_line_punct_ratio: f64,
    /// Most share of short lines (see `short_line_chars`).
    pub max_short_lines_ratio: f64,
    /// Lines this many characters or fewer are short.
    pub short_line_chars: usize,
    /// Most share of characters in duplicated lines.
    pub max_char_duplicates_ratio: f64,
    /// Most newlines per word (lists of fragments rather than prose).
    pub max_newline_ratio: f64,
}

impl Default for FineWebConfig {
    fn default() -> Self {
        FineWebConfig {
            enabled: true,
            min_line_punct_ratio: 0.12,
            max_short_lines_ratio: 0.67,
            short_line_chars: 30,
            max_char_duplicates_ratio: 0.01,
            max_newline_ratio: 0.3,
        }
    }
}

/// How kept text is cut into chunks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChunkingConfig {
    /// Tokenizer: `cl100k_base` (GPT-4, GPT-3.5), `o200k_base` (GPT-4o), `p50k_base` or
    /// `r50k_base`. Shipped with the binary; nothing is downloaded.
    pub encoding: String,
    /// Most tokens per chunk.
    pub max_tokens: usize,
    /// Tokens shared by consecutive chunks.
    pub overlap_tokens: usize,
    /// Chunks with fewer tokens are dropped (the tail of a document, a stray caption).
    pub min_tokens: usize,
}

impl Default for ChunkingConfig {
    fn default() -> Self {
        ChunkingConfig {
            encoding: "cl100k_base".to_string(),
            max_tokens: 512,
            overlap_tokens: 50,
            min_tokens: 16,
        }
    }
}

/// De-duplication of documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DedupConfig {
    /// Drop documents whose normalised text was already kept.
    pub exact: bool,
    /// Drop near-duplicates found by MinHash LSH.
    pub near: bool,
    /// Words per shingle.
    pub shingle_words: usize,
    /// Number of MinHash functions; must equal `bands * rows_per_band`.
    pub num_hashes: usize,
    /// LSH bands; two documents sharing any band are near-duplicates.
    pub bands: usize,
    /// Hashes per band.
    pub rows_per_band: usize,
    /// Seed of the hash functions (changing it changes which borderline pairs match).
    pub seed: u64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            exact: true,
            near: true,
            shingle_words: 5,
            num_hashes: 112,
            bands: 14,
            rows_per_band: 8,
            seed: 1,
        }
    }
}

/// The exported dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExportConfig {
    /// Share of records in the validation split (by content hash, so stable across versions).
    pub validation_fraction: f64,
    /// Name shown in the dataset card.
    pub pretty_name: String,
    /// Licence field of the dataset card. Web pages keep their own licences: `other` unless you
    /// know better.
    pub license: String,
    /// Extra tags for the dataset card.
    pub tags: Vec<String>,
    /// Fine-tuning formats written beside Parquet and `<split>.jsonl` when examples were
    /// generated: `openai`, `together`, `together-completion`, `alpaca`, `sharegpt`, `csv`
    /// (`jsonl`, the full inspected records, is always written).
    pub formats: Vec<String>,
    /// Least Inspector score for an example to be exported (on top of passing).
    pub min_score: f64,
}

impl Default for ExportConfig {
    fn default() -> Self {
        ExportConfig {
            validation_fraction: 0.05,
            pretty_name: "datafactory corpus".to_string(),
            license: "other".to_string(),
            tags: vec!["datafactory".to_string()],
            formats: Vec::new(),
            min_score: 0.0,
        }
    }
}

/// Export formats beyond Parquet and JSONL.
pub const EXPORT_FORMATS: [&str; 7] = [
    "jsonl",
    "openai",
    "together",
    "together-completion",
    "alpaca",
    "sharegpt",
    "csv",
];

impl JobConfig {
    /// Parse a TOML config; unknown fields are errors (a typo must not silently fall back).
    pub fn from_toml(text: &str) -> Result<JobConfig> {
        let cfg: JobConfig = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parse the same structure from JSON (the HTTP API's form).
    pub fn from_json(text: &str) -> Result<JobConfig> {
        let cfg: JobConfig =
            serde_json::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Fill an empty LLM base URL and model from the environment (`DATAFACTORY_LLM_*`, then
    /// `OPENAI_*`), so the job record names the endpoint the job really used.
    pub fn apply_llm_env(&mut self) {
        let env_first = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        if self.llm.base_url.is_empty()
            && let Some(v) = env_first(&["DATAFACTORY_LLM_BASE_URL", "OPENAI_BASE_URL"])
        {
            self.llm.base_url = v;
        }
        if self.llm.model.is_empty()
            && let Some(v) = env_first(&["DATAFACTORY_LLM_MODEL", "OPENAI_MODEL"])
        {
            self.llm.model = v;
        }
    }

    /// Every rule broken, each naming its field.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let mut need = |ok: bool, msg: &str| {
            if !ok {
                p.push(msg.to_string());
            }
        };
        let s = &self.spider;
        let i = &self.input;
        need(i.max_urls >= 1, "input.max_urls must be at least 1");
        need(
            i.max_file_bytes >= 1,
            "input.max_file_bytes must be at least 1",
        );
        need(
            i.max_url_length >= 16,
            "input.max_url_length must be at least 16",
        );
        need(
            i.shard_size <= 100_000,
            "input.shard_size must be at most 100000 (0: the runtime picks)",
        );
        need(
            (1..=1024).contains(&s.concurrency),
            "spider.concurrency must be between 1 and 1024",
        );
        need(
            s.per_host_rps > 0.0 && s.per_host_rps.is_finite(),
            "spider.per_host_rps must be a positive number",
        );
        need(
            s.connect_timeout_secs > 0.0 && s.connect_timeout_secs <= 600.0,
            "spider.connect_timeout_secs must be in (0, 600]",
        );
        need(
            s.timeout_secs > 0.0 && s.timeout_secs <= 3600.0,
            "spider.timeout_secs must be in (0, 3600]",
        );
        need(
            s.max_body_bytes >= 1024,
            "spider.max_body_bytes must be at least 1024",
        );
        need(
            s.max_redirects <= 50,
            "spider.max_redirects must be at most 50",
        );
        need(s.max_retries <= 20, "spider.max_retries must be at most 20");
        need(
            s.backoff_base_ms <= s.backoff_max_ms,
            "spider.backoff_base_ms must not exceed spider.backoff_max_ms",
        );
        need(
            s.max_crawl_delay_secs >= 0.0 && s.max_crawl_delay_secs.is_finite(),
            "spider.max_crawl_delay_secs must be a non-negative number",
        );
        need(
            !s.user_agent.trim().is_empty(),
            "spider.user_agent must not be empty",
        );
        let r = &self.refiner;
        need(
            (0.0..=1.0).contains(&r.min_language_confidence),
            "refiner.min_language_confidence must be in [0, 1]",
        );
        for lang in &r.languages {
            need(
                crate::text::language_known(lang),
                &format!("refiner.languages: unknown ISO 639-1 code {lang:?}"),
            );
        }
        let c = &r.chunking;
        let shipped = crate::vocab::Encoding::ALL.map(|e| e.name());
        need(
            crate::vocab::Encoding::from_name(&c.encoding).is_some(),
            &format!(
                "refiner.chunking.encoding must be one of {}",
                shipped.join(", ")
            ),
        );
        need(
            (16..=1_000_000).contains(&c.max_tokens),
            "refiner.chunking.max_tokens must be between 16 and 1000000",
        );
        need(
            c.overlap_tokens < c.max_tokens,
            "refiner.chunking.overlap_tokens must be less than max_tokens",
        );
        need(
            c.min_tokens <= c.max_tokens,
            "refiner.chunking.min_tokens must not exceed max_tokens",
        );
        let d = &r.dedup;
        need(
            (1..=64).contains(&d.shingle_words),
            "refiner.dedup.shingle_words must be between 1 and 64",
        );
        need(
            d.bands >= 1 && d.rows_per_band >= 1 && d.bands * d.rows_per_band == d.num_hashes,
            "refiner.dedup.num_hashes must equal bands * rows_per_band (both at least 1)",
        );
        need(
            d.num_hashes <= 1024,
            "refiner.dedup.num_hashes must be at most 1024",
        );
        let g = &r.filters.gopher;
        need(
            g.min_words <= g.max_words,
            "refiner.filters.gopher.min_words must not exceed max_words",
        );
        need(
            g.min_mean_word_length <= g.max_mean_word_length,
            "refiner.filters.gopher.min_mean_word_length must not exceed max_mean_word_length",
        );
        for (name, v) in self.ratios() {
            need(
                (0.0..=1.0).contains(&v),
                &format!("{name} must be in [0, 1]"),
            );
        }
        let e = &self.export;
        need(
            (0.0..1.0).contains(&e.validation_fraction),
            "export.validation_fraction must be in [0, 1)",
        );
        need(
            !e.license.trim().is_empty(),
            "export.license must not be empty",
        );
        p
    }

    fn ratios(&self) -> Vec<(&'static str, f64)> {
        let f = &self.refiner.filters;
        vec![
            (
                "refiner.filters.gopher.max_symbol_word_ratio",
                f.gopher.max_symbol_word_ratio,
            ),
            (
                "refiner.filters.gopher.max_bullet_lines_ratio",
                f.gopher.max_bullet_lines_ratio,
            ),
            (
                "refiner.filters.gopher.max_ellipsis_lines_ratio",
                f.gopher.max_ellipsis_lines_ratio,
            ),
            (
                "refiner.filters.gopher.min_alpha_words_ratio",
                f.gopher.min_alpha_words_ratio,
            ),
            (
                "refiner.filters.repetition.max_duplicate_lines_ratio",
                f.repetition.max_duplicate_lines_ratio,
            ),
            (
                "refiner.filters.repetition.max_duplicate_line_chars_ratio",
                f.repetition.max_duplicate_line_chars_ratio,
            ),
            (
                "refiner.filters.repetition.max_top_2gram_ratio",
                f.repetition.max_top_2gram_ratio,
            ),
            (
                "refiner.filters.repetition.max_top_3gram_ratio",
                f.repetition.max_top_3gram_ratio,
            ),
            (
                "refiner.filters.repetition.max_top_4gram_ratio",
                f.repetition.max_top_4gram_ratio,
            ),
            (
                "refiner.filters.fineweb.min_line_punct_ratio",
                f.fineweb.min_line_punct_ratio,
            ),
            (
                "refiner.filters.fineweb.max_short_lines_ratio",
                f.fineweb.max_short_lines_ratio,
            ),
            (
                "refiner.filters.fineweb.max_char_duplicates_ratio",
                f.fineweb.max_char_duplicates_ratio,
            ),
            (
                "refiner.filters.fineweb.max_newline_ratio",
                f.fineweb.max_newline_ratio,
            ),
        ]
    }

    pub fn validate(&self) -> Result<()> {
        let p = self.problems();
        if p.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(p.join("; ")))
        }
    }

    /// The default config as TOML, every field preceded by its doc comment, every table by its
    /// description. Generated from the struct's own docs, so it cannot drift from the code.
    pub fn commented_default_toml() -> String {
        let schema = schemars::schema_for!(JobConfig);
        let descriptions = collect_descriptions(schema.as_value());
        let plain = toml::to_string_pretty(&JobConfig::default()).unwrap_or_default();
        let mut out = String::from(
            "# datafactory job config. Every field is optional; these are the defaults.\n\
             # Use with `datafactory run LIST --config FILE`; the HTTP API takes the same\n\
             # structure as JSON.\n",
        );
        let mut section = String::new();
        for line in plain.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with('[') && trimmed.ends_with(']') {
                section = schema_path(
                    trimmed.trim_matches(|c| c == '[' || c == ']'),
                    &descriptions,
                );
                out.push('\n');
                if let Some(d) = descriptions.get(&section) {
                    push_comment(&mut out, d);
                }
                out.push_str(line);
                out.push('\n');
                continue;
            }
            if let Some((key, _)) = line.split_once(" = ")
                && !key.starts_with(' ')
            {
                let path = if section.is_empty() {
                    key.to_string()
                } else {
                    format!("{section}.{key}")
                };
                if let Some(d) = descriptions.get(&path) {
                    push_comment(&mut out, d);
                }
            }
            if !line.is_empty() {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

/// A TOML table path as the schema names it: map keys (`llm.prices."gpt-4o"`) become `*`.
fn schema_path(header: &str, descriptions: &BTreeMap<String, String>) -> String {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    segments.push(current);
    let mut path = String::new();
    for seg in segments {
        let seg = seg.trim();
        let candidate = if path.is_empty() {
            seg.to_string()
        } else {
            format!("{path}.{seg}")
        };
        let known = descriptions
            .keys()
            .any(|k| k == &candidate || k.starts_with(&format!("{candidate}.")));
        path = if known {
            candidate
        } else if path.is_empty() {
            "*".to_string()
        } else {
            format!("{path}.*")
        };
    }
    path
}

fn push_comment(out: &mut String, text: &str) {
    for l in text.lines() {
        out.push_str("# ");
        out.push_str(l.trim_end());
        out.push('\n');
    }
}

/// Map of dotted field path -> description, from the config's JSON Schema.
pub fn collect_descriptions(schema: &serde_json::Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let defs = schema.get("$defs").cloned().unwrap_or_default();
    walk(schema, &defs, "", &mut out);
    out
}

fn walk(
    node: &serde_json::Value,
    defs: &serde_json::Value,
    prefix: &str,
    out: &mut BTreeMap<String, String>,
) {
    let Some(props) = node.get("properties").and_then(|p| p.as_object()) else {
        return;
    };
    for (name, prop) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let target = resolve(prop, defs);
        let desc = prop
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(|d| d.as_str());
        if let Some(d) = desc {
            out.insert(path.clone(), d.to_string());
        }
        walk(target, defs, &path, out);
        // Maps: describe their values' fields under `<map>.*`.
        if let Some(values) = target.get("additionalProperties").filter(|v| v.is_object()) {
            let values = resolve(values, defs);
            walk(values, defs, &format!("{path}.*"), out);
        }
    }
}

fn resolve<'a>(prop: &'a serde_json::Value, defs: &'a serde_json::Value) -> &'a serde_json::Value {
    let reference = prop.get("$ref").or_else(|| {
        prop.get("allOf")
            .and_then(|a| a.get(0))
            .and_then(|a| a.get("$ref"))
    });
    match reference.and_then(|r| r.as_str()) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| defs.get(name))
            .unwrap_or(prop),
        None => prop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        assert_eq!(JobConfig::default().problems(), Vec::<String>::new());
    }

    #[test]
    fn commented_toml_round_trips_and_comments_every_field() {
        let text = JobConfig::commented_default_toml();
        let parsed = JobConfig::from_toml(&text).expect("printed config parses");
        assert_eq!(parsed, JobConfig::default());
        // Every key line is preceded by a comment line.
        let lines: Vec<&str> = text.lines().collect();
        let mut keys = 0;
        for (i, line) in lines.iter().enumerate() {
            if line.contains(" = ") && !line.starts_with('#') && !line.starts_with(' ') {
                keys += 1;
                assert!(
                    i > 0 && lines[i - 1].starts_with('#'),
                    "field without a comment: {line}"
                );
            }
        }
        assert!(keys > 40, "expected every field printed, saw {keys}");
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused_with_the_field_name() {
        let err = JobConfig::from_toml("[spider]\nconcurency = 3\n").unwrap_err();
        assert!(err.to_string().contains("concurency"), "{err}");
        let err = JobConfig::from_toml("[refiner.dedup]\nbands = 10\n").unwrap_err();
        assert!(
            err.to_string().contains("refiner.dedup.num_hashes"),
            "{err}"
        );
        let err = JobConfig::from_json(r#"{"spider":{"per_host_rps":0}}"#).unwrap_err();
        assert!(err.to_string().contains("spider.per_host_rps"), "{err}");
    }
}
