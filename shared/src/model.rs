//! The records that flow between stages and the job bookkeeping around them. Every record is
//! one JSON line in the blob store, so a stage can run anywhere that can read the previous
//! stage's prefix.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::JobConfig;

/// The pipeline's stages, in order. `Input` is the parsing of the URL list itself, so a bad line
/// is accounted for like any other failed item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Input,
    Spider,
    Refiner,
    Factory,
    Inspector,
    Shipper,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Input,
        Stage::Spider,
        Stage::Refiner,
        Stage::Factory,
        Stage::Inspector,
        Stage::Shipper,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::Spider => "spider",
            Stage::Refiner => "refiner",
            Stage::Factory => "factory",
            Stage::Inspector => "inspector",
            Stage::Shipper => "shipper",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One URL to fetch, after normalisation. `line` is where it came from in the user's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlItem {
    pub url: String,
    pub url_hash: String,
    pub line: u64,
}

/// A failed or dropped item: which item, a short stable reason (what summaries group by) and a
/// detail for humans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    pub item: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl ItemError {
    pub fn new(
        item: impl Into<String>,
        reason: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ItemError {
            item: item.into(),
            reason: reason.into(),
            detail: detail.into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageStatus {
    /// Body stored under `body_key`.
    Fetched,
    /// Could not be fetched (network, HTTP status, policy); `reason` says why.
    Failed,
    /// Fetched but not HTML (or otherwise not for us); `reason` says why.
    Skipped,
}

/// What the Spider learnt about one URL. Written to `jobs/<job>/raw/<shard>/pages.jsonl`, with
/// the decoded HTML gzipped beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FetchedPage {
    pub url: String,
    pub url_hash: String,
    pub status: PageStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    pub fetched_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_key: Option<String>,
    #[serde(default)]
    pub body_bytes: u64,
    #[serde(default)]
    pub attempts: u32,
}

impl FetchedPage {
    pub fn error(&self) -> Option<ItemError> {
        self.reason.as_ref().map(|r| {
            ItemError::new(
                self.url.clone(),
                r.clone(),
                self.detail.clone().unwrap_or_default(),
            )
        })
    }
}

/// A token-bounded piece of a kept document. Written to `jobs/<job>/chunks/<shard>.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// SHA-256 of the chunk text.
    pub id: String,
    /// The `url_hash` of the document it came from.
    pub doc_id: String,
    pub url: String,
    pub title: String,
    pub language: String,
    pub text: String,
    pub token_count: u32,
    pub chunk_index: u32,
}

/// One exported record of the curated corpus (the no-LLM path).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorpusRecord {
    pub text: String,
    pub url: String,
    pub title: String,
    pub language: String,
    pub token_count: u32,
    pub chunk_index: u32,
}

impl From<Chunk> for CorpusRecord {
    fn from(c: Chunk) -> Self {
        CorpusRecord {
            text: c.text,
            url: c.url,
            title: c.title,
            language: c.language,
            token_count: c.token_count,
            chunk_index: c.chunk_index,
        }
    }
}

/// Counters of one stage over one shard (or summed over a job). `counters` are named totals
/// (`fetched`, `tokens`, ...); `reasons` count failed or dropped items by their reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStats {
    #[serde(default)]
    pub counters: BTreeMap<String, u64>,
    #[serde(default)]
    pub reasons: BTreeMap<String, u64>,
}

impl StageStats {
    pub fn add(&mut self, counter: &str, n: u64) {
        *self.counters.entry(counter.to_string()).or_default() += n;
    }

    pub fn reason(&mut self, reason: &str) {
        *self.reasons.entry(reason.to_string()).or_default() += 1;
    }

    pub fn get(&self, counter: &str) -> u64 {
        self.counters.get(counter).copied().unwrap_or(0)
    }

    pub fn merge(&mut self, other: &StageStats) {
        for (k, v) in &other.counters {
            *self.counters.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.reasons {
            *self.reasons.entry(k.clone()).or_default() += v;
        }
    }
}

/// What one stage did to one shard: its counters and every failed or dropped item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardReport {
    pub stats: StageStats,
    pub errors: Vec<ItemError>,
}

impl ShardReport {
    pub fn fail(&mut self, err: ItemError) {
        self.stats.reason(&err.reason);
        self.errors.push(err);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Running,
    Completed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        match s {
            "running" => Some(JobStatus::Running),
            "completed" => Some(JobStatus::Completed),
            "failed" => Some(JobStatus::Failed),
            _ => None,
        }
    }
}

/// The job record kept in the state store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: String,
    /// What the user gave us (a path or a list name), for display.
    pub input: String,
    /// SHA-256 over the normalised URL list and the config: the same input and config in the
    /// same data dir resume this job instead of starting another.
    pub input_key: String,
    pub status: JobStatus,
    pub created_at: String,
    pub updated_at: String,
    pub shards: u32,
    pub urls: u64,
    pub config: JobConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// `manifest.json` of one export version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportManifest {
    pub job_id: String,
    pub version: u32,
    pub created_at: String,
    pub datafactory_version: String,
    pub kind: String,
    pub splits: BTreeMap<String, SplitInfo>,
    pub files: Vec<String>,
    pub languages: BTreeMap<String, u64>,
    pub tokens: u64,
    pub stats: BTreeMap<String, StageStats>,
    /// Inspector figures over every inspected example (examples exports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<QualityStats>,
    /// Template that made the examples (examples exports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// What people's reviews changed (examples exports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviews: Option<ReviewExportStats>,
    pub config: JobConfig,
}

/// How the inspected examples scored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QualityStats {
    pub inspected: u64,
    pub passed: u64,
    /// Passed and at least the export's minimum score.
    pub exported: u64,
    pub pass_rate: f64,
    pub threshold: f64,
    pub min_score: f64,
    /// Per check (and `total`), counts of scores in ten bins [0, 0.1), ..., [0.9, 1].
    pub histograms: BTreeMap<String, [u64; 10]>,
    /// Per check (and `total`), mean score.
    pub means: BTreeMap<String, f64>,
}

impl QualityStats {
    pub fn add(&mut self, ex: &InspectedExample) {
        self.inspected += 1;
        if ex.passed {
            self.passed += 1;
        }
        let all = ex
            .scores
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .chain([("total", ex.score)]);
        for (check, v) in all {
            let bin = ((v.clamp(0.0, 1.0) * 10.0) as usize).min(9);
            self.histograms.entry(check.to_string()).or_default()[bin] += 1;
            *self.means.entry(check.to_string()).or_default() += v;
        }
    }

    /// Turn sums into means and the pass rate, once all examples are added.
    pub fn finish(&mut self) {
        for (check, sum) in self.means.iter_mut() {
            let n: u64 = self.histograms.get(check).map_or(0, |h| h.iter().sum());
            if n > 0 {
                *sum = (*sum / n as f64 * 10_000.0).round() / 10_000.0;
            }
        }
        if self.inspected > 0 {
            self.pass_rate =
                (self.passed as f64 / self.inspected as f64 * 10_000.0).round() / 10_000.0;
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SplitInfo {
    pub records: u64,
    pub tokens: u64,
}

/// One training example the Factory made from one chunk, in a shape every export format can
/// be written from: an instruction (question, task), optional input (text to work on), the
/// response, and for classification the label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// SHA-256 over template, instruction, input and response: the example's identity.
    pub id: String,
    pub chunk_id: String,
    pub doc_id: String,
    pub url: String,
    pub title: String,
    pub language: String,
    /// Template name and version that made it.
    pub template: String,
    pub template_version: String,
    /// `qa`, `summarization`, `classification`, `instruction`, or a custom template's task.
    pub task: String,
    /// System prompt for chat formats; may be empty.
    #[serde(default)]
    pub system: String,
    pub instruction: String,
    /// Context the instruction applies to (text to summarise or classify); may be empty.
    #[serde(default)]
    pub input: String,
    pub response: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The chunk text the example was generated from, for grounding checks.
    pub source: String,
    /// Model that wrote it.
    pub model: String,
}

/// An example with the Inspector's verdict. Failed examples are kept, with their scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectedExample {
    #[serde(flatten)]
    pub example: Example,
    /// Each check's score in 0..1 (`format`, `length`, `groundedness`, `readability`,
    /// `toxicity`, `uniqueness`, and `judge` when the LLM judge ran). 1 is best.
    pub scores: BTreeMap<String, f64>,
    /// Weighted mean of `scores`.
    pub score: f64,
    /// `score >= threshold` and no hard failure.
    pub passed: bool,
    /// Why checks scored low, for humans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A person's review, in exports only (the Inspector never sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ShippedReview>,
}

/// A reviewer's decision on an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approved,
    Rejected,
}

/// What a person said about one example: a rating, a decision and a rewritten response, each
/// optional. Stored per job and example id; the example itself is never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub example_id: String,
    /// 1 (useless) to 10 (perfect).
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub decision: Option<Decision>,
    /// The response the reviewer wants shipped instead of the generated one.
    #[serde(default)]
    pub rewrite: Option<String>,
    pub reviewer: String,
    pub updated_at: String,
    /// Counts the writes of this record: a write names the version it read and is refused if
    /// another came first, so two reviewers changing one example at once cannot overwrite
    /// each other. Records stored before versions existed read as 0.
    #[serde(default)]
    pub version: u64,
}

impl Review {
    /// Nothing is set: the same as no review.
    pub fn is_empty(&self) -> bool {
        self.rating.is_none() && self.decision.is_none() && self.rewrite.is_none()
    }
}

/// The review as an exported record carries it: the generated response is kept here when the
/// record ships a rewrite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippedReview {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_response: Option<String>,
    pub reviewer: String,
}

/// What reviews did to one export.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewExportStats {
    /// Examples with any review.
    pub reviewed: u64,
    /// Rejected examples left out.
    pub rejected: u64,
    /// Examples shipped with the reviewer's response.
    pub rewritten: u64,
    /// Approved examples shipped although the Inspector failed them or they scored under
    /// `min_score`: a person's approval outranks the automatic checks.
    pub approved_over_inspector: u64,
    /// `--min-rating`, when given; unrated examples are then left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rating: Option<u8>,
    /// Left out for a rating under `min_rating` (or none).
    pub below_min_rating: u64,
}
