//! The traits stages need from the world. Stage code sees only these; adapters (local
//! directory + SQLite, HTTP, and later AWS) implement them.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::Result;
use crate::model::{ItemError, JobRecord, JobStatus, Review, ShardReport, Stage, StageStats};

/// Object storage laid out like the S3 bucket: `jobs/<job>/...`, `exports/<job>/v<N>/...`.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Write an object atomically: readers see the old object or the whole new one.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()>;
    /// Upload a local file (large exports) under `key`.
    async fn put_file(&self, key: &str, path: &Path) -> Result<()>;
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    async fn exists(&self, key: &str) -> Result<bool>;
    /// Keys under a prefix, sorted.
    async fn list(&self, prefix: &str) -> Result<Vec<String>>;
    /// Where a user can find an object (a path locally, an `s3://` URI on AWS).
    fn locate(&self, key: &str) -> String;
    /// A link a user can download the object from for `ttl` (presigned on S3).
    async fn download_url(&self, key: &str, ttl: std::time::Duration) -> Result<String> {
        let _ = ttl;
        Ok(self.locate(key))
    }
}

/// What a first-writer-wins claim found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key was free and is now ours (or was already ours).
    Won,
    /// Another owner holds it.
    Lost { owner: String },
}

/// One document's claims for [`StateStore::claim_in_order`]: groups of keys, each in its own
/// namespace, claimed in order for `owner`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimSet {
    pub owner: String,
    pub groups: Vec<(String, Vec<String>)>,
}

/// Where a document's claims stopped: the first group with a key another owner holds (every
/// key of that group was still claimed where free, as [`StateStore::claim_keys`] does; later
/// groups were not claimed at all), and that key's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimLost {
    pub group: usize,
    pub owner: String,
}

/// The owner holding the first key of a batch that was lost, if any was.
pub fn first_lost(claims: impl IntoIterator<Item = Claim>) -> Option<String> {
    claims.into_iter().find_map(|c| match c {
        Claim::Lost { owner } => Some(owner),
        Claim::Won => None,
    })
}

/// The answer to a lease request: the task is ours until the lease expires, or someone else is
/// working on it right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lease {
    Acquired,
    HeldElsewhere { owner: String, expires_at: i64 },
}

/// Job records, per-URL outcomes, per-shard stage reports and the de-duplication index.
#[async_trait]
pub trait StateStore: Send + Sync {
    async fn put_job(&self, job: &JobRecord) -> Result<()>;
    async fn get_job(&self, id: &str) -> Result<Option<JobRecord>>;
    /// The newest job with this input key, to resume instead of starting over.
    async fn find_job_by_input_key(&self, input_key: &str) -> Result<Option<JobRecord>>;
    async fn list_jobs(&self) -> Result<Vec<JobRecord>>;
    async fn set_job_status(
        &self,
        id: &str,
        status: JobStatus,
        message: Option<&str>,
        export: Option<&str>,
        elapsed_ms: u64,
    ) -> Result<()>;

    /// The saved outcome of one URL of a job (a `FetchedPage` as JSON), if it was fetched.
    async fn get_url_outcome(&self, job: &str, url_hash: &str) -> Result<Option<String>>;
    async fn put_url_outcome(&self, job: &str, url_hash: &str, outcome: &str) -> Result<()>;

    /// Record a shard as done by a stage, with its report, in one atomic write. Writing the
    /// same shard again replaces the report, so a retried stage never double-counts.
    async fn complete_shard(
        &self,
        job: &str,
        stage: Stage,
        shard: u32,
        report: &ShardReport,
    ) -> Result<()>;
    async fn shard_done(&self, job: &str, stage: Stage, shard: u32) -> Result<bool>;
    /// Counters summed over the shards each stage finished.
    async fn stage_stats(&self, job: &str) -> Result<BTreeMap<Stage, StageStats>>;
    /// Number of shards each stage finished.
    async fn shards_done(&self, job: &str) -> Result<BTreeMap<Stage, u32>>;
    /// Up to `limit` failed or dropped items of a stage.
    async fn item_errors(&self, job: &str, stage: Stage, limit: usize) -> Result<Vec<ItemError>>;

    /// First writer wins, per key, in one atomic step for the whole batch: each key is claimed
    /// for `owner` unless someone else holds it. Used for exact and near-duplicate indexes.
    async fn claim_keys(
        &self,
        job: &str,
        namespace: &str,
        keys: &[String],
        owner: &str,
    ) -> Result<Vec<Claim>>;

    /// The claims of many documents, one document after another in slice order, each as if by
    /// one [`StateStore::claim_keys`] call per group, stopping at the first group it loses:
    /// the result for a document is `None` if it won every group. Stores that can (SQLite)
    /// do the whole batch in one transaction, which saves a round trip per document; the
    /// outcome is the same either way, so it stays independent of how the batch is cut.
    async fn claim_in_order(&self, job: &str, sets: &[ClaimSet]) -> Result<Vec<Option<ClaimLost>>> {
        let mut out = Vec::with_capacity(sets.len());
        for set in sets {
            let mut lost = None;
            for (group, (namespace, keys)) in set.groups.iter().enumerate() {
                let claims = self.claim_keys(job, namespace, keys, &set.owner).await?;
                if let Some(owner) = first_lost(claims) {
                    lost = Some(ClaimLost { group, owner });
                    break;
                }
            }
            out.push(lost);
        }
        Ok(out)
    }

    /// Reserve the next export version of a job (1, 2, ...).
    async fn next_export_version(&self, job: &str) -> Result<u32>;

    /// A cached LLM answer (JSON of a `CachedAnswer`) by request hash; shared by all jobs.
    async fn get_llm_answer(&self, key: &str) -> Result<Option<String>>;
    /// Cache an answer; the first answer stored for a key stays.
    async fn put_llm_answer(&self, key: &str, answer: &str) -> Result<()>;

    /// An in-progress record for a task, in the manner of Powertools' idempotency utility:
    /// taken unless another owner holds an unexpired lease (`expires_at`, Unix seconds, past
    /// `now`). The owner may renew its own lease. A holder that died frees it by expiry.
    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<Lease>;
    /// Give a lease back; a lease held by someone else (ours expired and was taken) is left.
    async fn release_lease(&self, key: &str, owner: &str) -> Result<()>;

    /// A person's review of one example of a job. A cleared review (see [`Review::is_empty`])
    /// comes back as stored, empty, with its version.
    async fn get_review(&self, job: &str, example_id: &str) -> Result<Option<Review>>;
    /// Store `review` in place of the example's review only if that is still the one the
    /// caller read: `expected` is its version, `None` if there was none. Returns false, having
    /// written nothing, when another write came first. An empty review is stored too, not
    /// deleted, so that its version keeps counting: were it deleted, a new review would start
    /// again at version 1 and a writer still holding an old version 1 would overwrite it.
    /// [`crate::reviews::update`] is the one caller; it retries a refused write.
    async fn put_review_if(
        &self,
        job: &str,
        review: &Review,
        expected: Option<u64>,
    ) -> Result<bool>;
    /// Every review of a job, cleared ones included ([`crate::reviews::index`] leaves those out).
    async fn reviews(&self, job: &str) -> Result<Vec<Review>>;
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

/// How a request asks for JSON; servers differ in what they accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseFormat {
    JsonSchema,
    JsonObject,
    Text,
}

/// A chat-completions request.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub temperature: f64,
    pub max_tokens: u32,
    pub format: ResponseFormat,
    pub schema_name: String,
    pub schema: serde_json::Value,
}

/// The answer text and its token usage.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChatAnswer {
    pub content: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// The answer was cut off at `max_tokens`.
    #[serde(default)]
    pub truncated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LlmErrorKind {
    /// 429: retry after a while.
    RateLimited,
    /// 5xx.
    Server,
    Timeout,
    Connect,
    /// The server does not accept the requested `response_format`.
    UnsupportedFormat,
    /// 401/403: the key is wrong; no retry will help.
    Auth,
    /// Other 4xx: the server refused the request.
    Invalid,
    /// A 2xx whose body is not a chat completion (not JSON, no content, too large).
    BadResponse,
}

#[derive(Clone, Debug)]
pub struct LlmError {
    pub kind: LlmErrorKind,
    pub detail: String,
    pub retry_after: Option<std::time::Duration>,
}

impl LlmError {
    pub fn retryable(&self) -> bool {
        matches!(
            self.kind,
            LlmErrorKind::RateLimited
                | LlmErrorKind::Server
                | LlmErrorKind::Timeout
                | LlmErrorKind::Connect
        )
    }
}

/// An OpenAI-compatible chat endpoint.
#[async_trait]
pub trait Llm: Send + Sync {
    async fn chat(&self, req: &ChatRequest) -> std::result::Result<ChatAnswer, LlmError>;
    /// The endpoint's identity for cache keys (base URL; never the key).
    fn endpoint(&self) -> String;
}

/// A fetched HTTP response, body already bounded by the fetcher's cap.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub final_url: String,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// Why a fetch failed; `reason` strings are stable, `retryable` marks transient failures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError {
    pub reason: &'static str,
    pub detail: String,
    pub retryable: bool,
}

impl FetchError {
    pub fn new(reason: &'static str, detail: impl Into<String>, retryable: bool) -> Self {
        FetchError {
            reason,
            detail: detail.into(),
            retryable,
        }
    }
}

/// One GET, with the network policy, timeouts, redirect limit and body cap applied.
#[async_trait]
pub trait Fetcher: Send + Sync {
    async fn get(&self, url: &url::Url) -> std::result::Result<HttpResponse, FetchError>;
}

/// One message taken from a queue; `receipt` deletes it.
#[derive(Clone, Debug)]
pub struct QueueMessage {
    pub id: String,
    pub receipt: String,
    pub body: String,
}

/// A message queue (the SQS ingest queue on AWS). At-least-once: a message not deleted comes
/// back, so whatever handles one must be idempotent.
#[async_trait]
pub trait Queue: Send + Sync {
    async fn send(&self, body: &str) -> Result<()>;
    /// Up to `max` messages, waiting up to `wait` for the first.
    async fn receive(&self, max: u32, wait: std::time::Duration) -> Result<Vec<QueueMessage>>;
    async fn delete(&self, receipt: &str) -> Result<()>;
}

/// What starting a pipeline execution found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Where to look it up (the execution ARN on AWS).
    pub id: String,
    /// An execution for the job was already running: nothing started.
    pub already_started: bool,
}

/// Starts the pipeline for a job (Step Functions on AWS).
#[async_trait]
pub trait Orchestrator: Send + Sync {
    /// Start the job's pipeline with `input`, unless an execution for the job is running
    /// already: duplicate deliveries of one submission start it once, and a job whose last
    /// execution ended without finishing gets a new one (which resumes it).
    async fn start(&self, job_id: &str, input: &serde_json::Value) -> Result<Execution>;

    /// URLs per shard for a job whose config does not say: the unit of work this runtime
    /// runs at once.
    fn shard_size(&self) -> usize {
        CLOUD_SHARD_SIZE
    }
}

/// URLs per shard on AWS: one Lambda invocation per shard and stage, and a Step Functions
/// execution holds about 1,400 shards (256 KB of state), so about 350,000 URLs.
pub const CLOUD_SHARD_SIZE: usize = 250;

/// URLs per shard on one machine, where nothing is invoked per shard: the Refiner holds a
/// shard's extracted pages until it de-duplicates them in order, two shards at a time, so
/// `run`'s memory swings with the shard. From 2,000 to 20,000 pages its peak grew by 9 MB on
/// average at 250, by 4 at 50, at the same speed (`bench/results/2026-11-30.md`).
pub const LOCAL_SHARD_SIZE: usize = 50;

/// Time, behind a port so tests can pin it.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// RFC 3339 timestamp, the one format we write.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}
