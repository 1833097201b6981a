//! The AWS side against moto server (started by the nextest setup script): the S3 and DynamoDB
//! adapters keep the same contract as the local ones, the stage tasks give the same dataset on
//! either, and the trigger, shipper and API handlers do what their events ask, idempotently.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::aws::TestStack;
use common::*;
use serde_json::{Value, json};
use shared::adapters::aws::{SqsQueue, StepFunctions, aws_sdk_sfn, sdk_config};
use shared::adapters::local::{DirBlobStore, SqliteState};
use shared::handlers::api::Api;
use shared::handlers::gateway;
use shared::handlers::trigger::Trigger;
use shared::model::{
    Decision, Example, InspectedExample, ItemError, JobRecord, JobStatus, Review, ShardReport,
    Stage,
};
use shared::ports::{BlobStore, Claim, ClaimLost, ClaimSet, Lease, Queue, StateStore, SystemClock};
use shared::reviews::{self, ReviewChange};
use shared::stages::{NoProgress, StageContext};
use shared::tasks::{self, ShardTask, ShipperTask, TaskError};
use wiremock::MockServer;

fn event(name: &str) -> Value {
    let path = repo().join("events").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The OpenAI client with the fake server's key, for in-process stage runs.
fn fake_llm_client(cfg: &shared::JobConfig) -> Arc<dyn shared::ports::Llm> {
    Arc::new(
        shared::adapters::openai::OpenAiClient::new(
            &cfg.llm.base_url,
            Some(common::llm::KEY.to_string()),
            Duration::from_secs_f64(cfg.llm.timeout_secs),
        )
        .unwrap(),
    )
}

fn sample_job(id: &str, input_key: &str) -> JobRecord {
    JobRecord {
        id: id.to_string(),
        input: "test".into(),
        input_key: input_key.into(),
        status: JobStatus::Running,
        created_at: "2026-11-28T10:00:00Z".into(),
        updated_at: "2026-11-28T10:00:00Z".into(),
        shards: 2,
        urls: 3,
        config: test_config(),
        export: None,
        message: None,
        elapsed_ms: 0,
    }
}

/// What every state store must do, whatever is behind it.
async fn state_store_contract(state: &dyn StateStore) {
    let job = sample_job("01jcontract00000000000000a", "key-a");
    state.put_job(&job).await.unwrap();
    assert_eq!(state.get_job(&job.id).await.unwrap(), Some(job.clone()));
    assert_eq!(state.get_job("nope").await.unwrap(), None);
    state
        .set_job_status(
            &job.id,
            JobStatus::Completed,
            Some("done"),
            Some("s3://x"),
            42,
        )
        .await
        .unwrap();
    let got = state.get_job(&job.id).await.unwrap().unwrap();
    assert_eq!(got.status, JobStatus::Completed);
    assert_eq!(got.message.as_deref(), Some("done"));
    assert_eq!(got.export.as_deref(), Some("s3://x"));
    assert_eq!(got.elapsed_ms, 42);
    let other = sample_job("01jcontract00000000000000b", "key-b");
    state.put_job(&other).await.unwrap();
    let ids: Vec<String> = state
        .list_jobs()
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert!(ids.contains(&job.id) && ids.contains(&other.id));

    assert_eq!(state.get_url_outcome(&job.id, "h1").await.unwrap(), None);
    state
        .put_url_outcome(&job.id, "h1", "{\"a\":1}")
        .await
        .unwrap();
    assert_eq!(
        state
            .get_url_outcome(&job.id, "h1")
            .await
            .unwrap()
            .as_deref(),
        Some("{\"a\":1}")
    );

    // A shard completed twice counts once; reports of shards add up.
    let mut r = ShardReport::default();
    r.stats.add("fetched", 5);
    r.fail(ItemError::new("http://a", "http 404", "gone"));
    for _ in 0..2 {
        state
            .complete_shard(&job.id, Stage::Spider, 0, &r)
            .await
            .unwrap();
    }
    state
        .complete_shard(&job.id, Stage::Spider, 1, &r)
        .await
        .unwrap();
    assert!(state.shard_done(&job.id, Stage::Spider, 1).await.unwrap());
    assert!(!state.shard_done(&job.id, Stage::Refiner, 0).await.unwrap());
    let stats = state.stage_stats(&job.id).await.unwrap();
    assert_eq!(stats[&Stage::Spider].get("fetched"), 10);
    assert_eq!(stats[&Stage::Spider].reasons["http 404"], 2);
    assert_eq!(state.shards_done(&job.id).await.unwrap()[&Stage::Spider], 2);
    let errors = state.item_errors(&job.id, Stage::Spider, 1).await.unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].reason, "http 404");

    // First writer wins per key; the owner wins its own keys again.
    let keys = vec!["k1".to_string(), "k2".to_string()];
    assert_eq!(
        state
            .claim_keys(&job.id, "lsh", &keys, "doc-a")
            .await
            .unwrap(),
        vec![Claim::Won, Claim::Won]
    );
    assert_eq!(
        state
            .claim_keys(&job.id, "lsh", &["k2".into(), "k3".into()], "doc-b")
            .await
            .unwrap(),
        vec![
            Claim::Lost {
                owner: "doc-a".into()
            },
            Claim::Won
        ]
    );
    assert_eq!(
        state
            .claim_keys(&job.id, "lsh", &keys, "doc-a")
            .await
            .unwrap(),
        vec![Claim::Won, Claim::Won]
    );
    // Namespaces and jobs do not share keys.
    assert_eq!(
        state
            .claim_keys(&job.id, "exact", &keys, "doc-c")
            .await
            .unwrap(),
        vec![Claim::Won, Claim::Won]
    );
    assert_eq!(
        state
            .claim_keys(&other.id, "lsh", &keys, "doc-d")
            .await
            .unwrap(),
        vec![Claim::Won, Claim::Won]
    );

    // Many documents' claims in one call, in order: a document stops at the first group it
    // loses (that group's free keys are still claimed), and its later groups stay unclaimed.
    let set = |owner: &str, groups: &[(&str, &[&str])]| ClaimSet {
        owner: owner.to_string(),
        groups: groups
            .iter()
            .map(|(ns, keys)| (ns.to_string(), keys.iter().map(|k| k.to_string()).collect()))
            .collect(),
    };
    let sets = vec![
        set("doc-e", &[("exact", &["e1"]), ("lsh", &["b1", "b2"])]),
        set("doc-f", &[("exact", &["e1"]), ("lsh", &["b3"])]),
        set("doc-g", &[("exact", &["e2"]), ("lsh", &["b2", "b4"])]),
        set("doc-h", &[("lsh", &["b3", "b4"])]),
        set("doc-i", &[]),
    ];
    let lost = |group, owner: &str| {
        Some(ClaimLost {
            group,
            owner: owner.to_string(),
        })
    };
    let expected = vec![
        None,
        lost(0, "doc-e"),
        lost(1, "doc-e"),
        lost(0, "doc-g"),
        None,
    ];
    assert_eq!(
        state.claim_in_order(&job.id, &sets).await.unwrap(),
        expected
    );
    // A retried batch gets the same answers.
    assert_eq!(
        state.claim_in_order(&job.id, &sets).await.unwrap(),
        expected
    );
    // doc-f lost its exact key, so b3 went to doc-h; doc-g kept b4 though it lost on b2.
    assert_eq!(
        state
            .claim_keys(&job.id, "lsh", &["b3".into(), "b4".into()], "doc-x")
            .await
            .unwrap(),
        vec![
            Claim::Lost {
                owner: "doc-h".into()
            },
            Claim::Lost {
                owner: "doc-g".into()
            }
        ]
    );

    assert_eq!(state.next_export_version(&job.id).await.unwrap(), 1);
    assert_eq!(state.next_export_version(&job.id).await.unwrap(), 2);
    assert_eq!(state.next_export_version(&other.id).await.unwrap(), 1);

    assert_eq!(state.get_llm_answer("q").await.unwrap(), None);
    state.put_llm_answer("q", "first").await.unwrap();
    state.put_llm_answer("q", "second").await.unwrap();
    assert_eq!(
        state.get_llm_answer("q").await.unwrap().as_deref(),
        Some("first")
    );

    // In-progress leases: one holder at a time, renewable by its owner, taken over only once
    // expired, and given back only by the owner.
    let task = format!("{}#factory#0", job.id);
    let lease = |owner: &'static str, now: i64| {
        let task = task.clone();
        async move {
            state
                .acquire_lease(&task, owner, now, now + 100)
                .await
                .unwrap()
        }
    };
    assert_eq!(lease("a", 1000).await, Lease::Acquired);
    assert_eq!(lease("a", 1010).await, Lease::Acquired);
    assert_eq!(
        lease("b", 1020).await,
        Lease::HeldElsewhere {
            owner: "a".into(),
            expires_at: 1110
        }
    );
    state.release_lease(&task, "b").await.unwrap();
    assert!(matches!(
        lease("b", 1030).await,
        Lease::HeldElsewhere { .. }
    ));
    assert_eq!(lease("b", 1110).await, Lease::Acquired, "expired");
    assert!(matches!(
        lease("a", 1120).await,
        Lease::HeldElsewhere { .. }
    ));
    state.release_lease(&task, "b").await.unwrap();
    assert_eq!(lease("a", 1130).await, Lease::Acquired, "released");
    // Concurrent requests: exactly one wins.
    let other_task = format!("{}#factory#1", job.id);
    let tries = futures::future::join_all((0..8).map(|i| {
        let (t, owner) = (other_task.clone(), format!("w{i}"));
        async move { state.acquire_lease(&t, &owner, 5000, 5100).await.unwrap() }
    }))
    .await;
    assert_eq!(
        tries.iter().filter(|l| **l == Lease::Acquired).count(),
        1,
        "{tries:?}"
    );

    // Reviews: per job and example, each write only over the version its writer read; a
    // cleared review stays stored with its version; listed per job.
    let review = |id: &str, rating: Option<u8>, version: u64| Review {
        example_id: id.into(),
        rating,
        decision: None,
        rewrite: Some(format!("rewrite of {id}, with \"quotes\" and ünïcode")),
        reviewer: "ann".into(),
        updated_at: "2026-11-29T00:00:00Z".into(),
        version,
    };
    let put = |job: &str, r: Review, expected: Option<u64>| {
        let job = job.to_string();
        async move { state.put_review_if(&job, &r, expected).await.unwrap() }
    };
    assert_eq!(state.get_review(&job.id, "e1").await.unwrap(), None);
    assert!(put(&job.id, review("e1", Some(3), 1), None).await);
    assert!(put(&job.id, review("e2", None, 1), None).await);
    assert!(put(&other.id, review("e1", Some(9), 1), None).await);
    assert!(put(&job.id, review("e1", Some(7), 2), Some(1)).await);
    // Writers that read something older lose and write nothing.
    assert!(!put(&job.id, review("e1", Some(1), 1), None).await);
    assert!(!put(&job.id, review("e1", Some(1), 2), Some(1)).await);
    assert!(!put(&job.id, review("e1", Some(1), 1), Some(0)).await);
    assert!(
        !put(&job.id, review("e9", Some(1), 2), Some(1)).await,
        "absent"
    );
    assert_eq!(
        state.get_review(&job.id, "e1").await.unwrap(),
        Some(review("e1", Some(7), 2))
    );
    let all = state.reviews(&job.id).await.unwrap();
    assert_eq!(all, vec![review("e1", Some(7), 2), review("e2", None, 1)]);
    let mut empty = review("e2", None, 2);
    empty.rewrite = None;
    assert!(put(&job.id, empty.clone(), Some(1)).await);
    assert_eq!(state.get_review(&job.id, "e2").await.unwrap(), Some(empty));
    assert!(!put(&job.id, review("e2", Some(5), 1), None).await, "kept");
    assert_eq!(
        reviews::index(state.reviews(&job.id).await.unwrap()).len(),
        1
    );
    assert_eq!(state.reviews(&other.id).await.unwrap().len(), 1);

    // Three reviewers change one example at once, through the path the API takes: the store
    // answers their reads before any write, so two lose a race and apply their change again.
    let example = inspected_example("e3");
    let changes = [
        json!({"rating": 8}),
        json!({"decision": "approved"}),
        json!({"rewrite": "A reviewer's answer."}),
    ]
    .map(|c| ReviewChange::from_json(&c).unwrap());
    let saved = futures::future::join_all(changes.iter().enumerate().map(|(i, c)| {
        let (example, job) = (&example, &job.id);
        async move { reviews::update(state, job, example, c, &format!("r{i}"), "t").await }
    }))
    .await;
    assert!(saved.iter().all(Result::is_ok), "{saved:?}");
    let stored = state.get_review(&job.id, "e3").await.unwrap().unwrap();
    assert_eq!(
        (
            stored.rating,
            stored.decision,
            stored.rewrite.as_deref(),
            stored.version
        ),
        (
            Some(8),
            Some(Decision::Approved),
            Some("A reviewer's answer."),
            3
        )
    );
}

fn inspected_example(id: &str) -> InspectedExample {
    InspectedExample {
        example: Example {
            id: id.into(),
            chunk_id: "c".into(),
            doc_id: "d".into(),
            url: "https://example.com/".into(),
            title: "T".into(),
            language: "en".into(),
            template: "qa".into(),
            template_version: "1".into(),
            task: "qa".into(),
            system: String::new(),
            instruction: "Q?".into(),
            input: String::new(),
            response: "The generated answer.".into(),
            label: None,
            source: "src".into(),
            model: "m".into(),
        },
        scores: Default::default(),
        score: 0.9,
        passed: true,
        notes: vec![],
        review: None,
    }
}

#[tokio::test]
async fn dynamodb_state_store_keeps_the_sqlite_contract() {
    let dir = tempfile::tempdir().unwrap();
    state_store_contract(&SqliteState::open(&dir.path().join("s.sqlite")).unwrap()).await;
    let stack = TestStack::create("state");
    state_store_contract(&stack.state().await).await;
}

#[tokio::test]
async fn dynamodb_reads_reviews_stored_before_versions_and_writes_over_them_once() {
    use shared::adapters::aws::aws_sdk_dynamodb::{self, types::AttributeValue};
    let stack = TestStack::create("oldreview");
    let state = stack.state().await;
    let s = |v: &str| AttributeValue::S(v.to_string());
    // An item as an earlier release wrote it: no version, in the JSON or beside it.
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
        .put_item()
        .table_name(&stack.table)
        .item("pk", s("REVIEW#j"))
        .item("sk", s("e"))
        .item(
            "review",
            s(r#"{"example_id":"e","rating":4,"reviewer":"ann","updated_at":"t"}"#),
        )
        .send()
        .await
        .unwrap();
    let stored = state.get_review("j", "e").await.unwrap().unwrap();
    assert_eq!((stored.rating, stored.version), (Some(4), 0));
    let mut next = stored.clone();
    next.rating = Some(6);
    next.version = 1;
    assert!(!state.put_review_if("j", &next, None).await.unwrap());
    assert!(state.put_review_if("j", &next, Some(0)).await.unwrap());
    assert!(!state.put_review_if("j", &next, Some(0)).await.unwrap());
    assert_eq!(state.get_review("j", "e").await.unwrap(), Some(next));
}

#[tokio::test]
async fn dynamodb_keeps_reports_under_the_item_limit() {
    let stack = TestStack::create("big");
    let state = stack.state().await;
    let mut r = ShardReport::default();
    for i in 0..4000 {
        r.fail(ItemError::new(
            format!("https://example.com/{i}/{}", "x".repeat(100)),
            "http 404",
            "y".repeat(100),
        ));
    }
    state
        .complete_shard("j", Stage::Spider, 0, &r)
        .await
        .unwrap();
    let stats = state.stage_stats("j").await.unwrap();
    // Counters stay whole even when samples are cut.
    assert_eq!(stats[&Stage::Spider].reasons["http 404"], 4000);
    assert!(stats[&Stage::Spider].get("errors_not_kept") > 0);
}

async fn blob_store_contract(blobs: &dyn BlobStore) {
    assert_eq!(blobs.get("jobs/j/none").await.unwrap(), None);
    assert!(!blobs.exists("jobs/j/none").await.unwrap());
    blobs.put("jobs/j/b.jsonl", b"two".to_vec()).await.unwrap();
    blobs.put("jobs/j/a.jsonl", b"one".to_vec()).await.unwrap();
    blobs
        .put("jobs/k/a.jsonl", b"other".to_vec())
        .await
        .unwrap();
    blobs
        .put("jobs/j/a.jsonl", b"one again".to_vec())
        .await
        .unwrap();
    assert_eq!(
        blobs.get("jobs/j/a.jsonl").await.unwrap().as_deref(),
        Some(&b"one again"[..])
    );
    assert!(blobs.exists("jobs/j/b.jsonl").await.unwrap());
    assert_eq!(
        blobs.list("jobs/j/").await.unwrap(),
        vec!["jobs/j/a.jsonl", "jobs/j/b.jsonl"]
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.bin");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, &big).unwrap();
    blobs.put_file("exports/j/v1/big.bin", &file).await.unwrap();
    assert_eq!(
        blobs.get("exports/j/v1/big.bin").await.unwrap().unwrap(),
        big
    );
}

#[tokio::test]
async fn s3_blob_store_keeps_the_directory_contract_and_presigns_downloads() {
    let dir = tempfile::tempdir().unwrap();
    blob_store_contract(&DirBlobStore::new(dir.path()).unwrap()).await;
    let stack = TestStack::create("blob");
    let s3 = stack.blobs().await;
    blob_store_contract(&s3).await;
    assert_eq!(
        s3.locate("exports/j/v1/x"),
        format!("s3://{}/exports/j/v1/x", stack.bucket)
    );
    let url = s3
        .download_url("jobs/j/b.jsonl", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(url.contains("X-Amz-Signature"), "{url}");
    let body = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], b"two");
}

/// A local context (directory + SQLite) for comparisons.
fn local_context(dir: &Path) -> StageContext {
    StageContext {
        blobs: Arc::new(DirBlobStore::new(dir).unwrap()),
        state: Arc::new(SqliteState::open(&dir.join("state.sqlite")).unwrap()),
        clock: Arc::new(SystemClock),
        progress: Arc::new(NoProgress),
    }
}

/// The job for a list, as the trigger and the API create it.
async fn create_job(ctx: &StageContext, list: &Path, cfg: &shared::JobConfig) -> JobRecord {
    let parsed = shared::input::read_input(list, &cfg.input, false).unwrap();
    shared::jobs::find_or_create(
        ctx,
        shared::jobs::JobRequest {
            source: "test".into(),
            config: cfg,
            parsed: &parsed,
            salt: "",
            shard_size: shared::ports::CLOUD_SHARD_SIZE,
        },
    )
    .await
    .unwrap()
    .0
}

/// Run a job shard by shard through the task handlers, as the state machine does.
async fn run_tasks(
    ctx: &StageContext,
    list: &Path,
    cfg: &shared::JobConfig,
    llm: Option<Arc<dyn shared::ports::Llm>>,
) -> JobRecord {
    let job = create_job(ctx, list, cfg).await;
    for shard in 0..job.shards {
        let t = ShardTask {
            job_id: job.id.clone(),
            shard,
        };
        let r = tasks::spider(ctx, &t).await.unwrap();
        assert_eq!((r.stage, r.skipped), (Stage::Spider, false));
        tasks::refiner(ctx, &t).await.unwrap();
        tasks::factory(ctx, &t, llm.clone()).await.unwrap();
        tasks::inspector(ctx, &t, llm.clone()).await.unwrap();
        // A repeated task is a no-op; the repeats are the repo's sample events for each
        // function, pointed at this job and shard.
        let sample = |name: &str| -> ShardTask {
            let mut v = event(name);
            v["job_id"] = json!(job.id);
            v["shard"] = json!(shard);
            serde_json::from_value(v).unwrap()
        };
        assert!(
            tasks::spider(ctx, &sample("spider.json"))
                .await
                .unwrap()
                .skipped
        );
        assert!(
            tasks::refiner(ctx, &sample("refiner.json"))
                .await
                .unwrap()
                .skipped
        );
        let (f, i) = (sample("factory.json"), sample("inspector.json"));
        assert!(tasks::factory(ctx, &f, llm.clone()).await.unwrap().skipped);
        assert!(
            tasks::inspector(ctx, &i, llm.clone())
                .await
                .unwrap()
                .skipped
        );
    }
    let mut ship = event("shipper.json");
    ship["job_id"] = json!(job.id);
    let ship: ShipperTask = serde_json::from_value(ship).unwrap();
    let first = tasks::shipper(ctx, &ship).await.unwrap();
    assert_eq!(first.status, JobStatus::Completed);
    assert_eq!(first.version, Some(1));
    // A duplicate Ship makes no second version.
    let again = tasks::shipper(ctx, &ship).await.unwrap();
    assert_eq!(again.export, first.export);
    assert_eq!(again.version, None);
    ctx.state.get_job(&job.id).await.unwrap().unwrap()
}

/// Run a corpus job's shards through spider and refiner, then ship it, as the state machine
/// would.
async fn ship_corpus_job(ctx: &StageContext, job_id: &str) {
    let shards = ctx.state.get_job(job_id).await.unwrap().unwrap().shards;
    for shard in 0..shards {
        let t = ShardTask {
            job_id: job_id.to_string(),
            shard,
        };
        tasks::spider(ctx, &t).await.unwrap();
        tasks::refiner(ctx, &t).await.unwrap();
    }
    let ship = ShipperTask::Ship {
        job_id: job_id.to_string(),
    };
    tasks::shipper(ctx, &ship).await.unwrap();
}

/// The records of an export, by split, as sorted JSON lines without volatile fields.
async fn exported(ctx: &StageContext, job: &str) -> Vec<String> {
    let prefix = shared::keys::export_prefix(job, 1);
    let mut lines = Vec::new();
    for split in ["train", "validation"] {
        let bytes = ctx
            .blobs
            .get(&format!("{prefix}{split}.jsonl"))
            .await
            .unwrap()
            .unwrap_or_default();
        for line in String::from_utf8(bytes).unwrap().lines() {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("job_id");
            }
            lines.push(format!("{split} {v}"));
        }
    }
    lines.sort();
    lines
}

async fn site_and_list(dir: &Path, n: usize) -> (MockServer, std::path::PathBuf) {
    let site = MockServer::start().await;
    let mut urls = serve_articles(&site, "/a", n).await;
    urls.push(format!("{}/missing", site.uri()));
    let list = dir.join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    (site, list)
}

#[tokio::test]
async fn stage_tasks_on_aws_ship_the_same_dataset_as_locally() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 12).await;
    let mut cfg = test_config();
    cfg.input.shard_size = 5;
    let local = local_context(&dir.path().join("local"));
    let stack = TestStack::create("tasks");
    let aws = stack.context().await;

    let job_l = run_tasks(&local, &list, &cfg, None).await;
    let job_a = run_tasks(&aws, &list, &cfg, None).await;
    assert_eq!(job_a.shards, 3);
    let (l, a) = (
        exported(&local, &job_l.id).await,
        exported(&aws, &job_a.id).await,
    );
    assert!(l.len() > 10, "{}", l.len());
    assert_eq!(
        l, a,
        "the same list gives the same corpus on AWS and locally"
    );
    let sum_l = shared::summary::JobSummary::load(local.state.as_ref(), &job_l)
        .await
        .unwrap();
    let sum_a = shared::summary::JobSummary::load(aws.state.as_ref(), &job_a)
        .await
        .unwrap();
    for stage in [Stage::Input, Stage::Spider, Stage::Refiner] {
        let counters = |s: &shared::summary::JobSummary| {
            s.stages
                .iter()
                .find(|x| x.stage == stage)
                .map(|x| (x.counters.clone(), x.reasons.clone()))
        };
        assert_eq!(counters(&sum_l), counters(&sum_a), "{stage} counters");
    }
    assert_eq!(sum_a.counter(Stage::Spider, "fetched"), 12);
    assert_eq!(
        job_a.export.as_deref(),
        Some(format!("s3://{}/exports/{}/v1/", stack.bucket, job_a.id).as_str())
    );
}

#[tokio::test]
async fn generation_tasks_on_aws_match_local_and_never_pay_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 4).await;
    let llm_server = common::llm::start().await;
    let mut cfg = test_config();
    cfg.llm.base_url = format!("{}/v1", llm_server.uri());
    cfg.llm.model = common::llm::MODEL.into();
    cfg.input.shard_size = 3;
    let llm = fake_llm_client(&cfg);
    let local = local_context(&dir.path().join("local"));
    let stack = TestStack::create("gen");
    let aws = stack.context().await;
    let job_l = run_tasks(&local, &list, &cfg, Some(llm.clone())).await;
    let calls_local = llm_server.received_requests().await.unwrap().len();
    let job_a = run_tasks(&aws, &list, &cfg, Some(llm.clone())).await;
    let calls_both = llm_server.received_requests().await.unwrap().len();
    assert!(calls_local > 0);
    assert_eq!(
        calls_both,
        2 * calls_local,
        "each store pays once for its own answers"
    );
    let (l, a) = (
        exported(&local, &job_l.id).await,
        exported(&aws, &job_a.id).await,
    );
    assert!(!l.is_empty());
    assert_eq!(l.len(), a.len());
    let sum = shared::summary::JobSummary::load(aws.state.as_ref(), &job_a)
        .await
        .unwrap();
    assert!(sum.counter(Stage::Factory, "examples") > 0);
    assert!(sum.counter(Stage::Inspector, "passed") > 0);
    // Running every task again calls the LLM no more.
    for shard in 0..job_a.shards {
        let t = ShardTask {
            job_id: job_a.id.clone(),
            shard,
        };
        tasks::factory(&aws, &t, Some(llm.clone())).await.unwrap();
        tasks::inspector(&aws, &t, Some(llm.clone())).await.unwrap();
    }
    assert_eq!(
        llm_server.received_requests().await.unwrap().len(),
        calls_both
    );
}

/// Two deliveries of one task at once: one does the work; the other either finds it in
/// progress (and is retried, as the state machine's `TaskInProgress` Retry does) or finds it
/// done. Returns the worker's result.
async fn deliver_twice<F, Fut>(task: F) -> tasks::ShardResult
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = shared::Result<tasks::ShardResult>>,
{
    let (a, b) = tokio::join!(task(), task());
    let mut worked = Vec::new();
    for r in [a, b] {
        match r {
            Ok(r) if !r.skipped => worked.push(r),
            Ok(_) => {}
            Err(shared::Error::InProgress { .. }) => {
                let retry = task().await.unwrap();
                assert!(retry.skipped, "the retry finds the work done: {retry:?}");
            }
            Err(e) => panic!("a duplicate delivery failed: {e}"),
        }
    }
    assert_eq!(worked.len(), 1, "exactly one delivery does the work");
    worked.remove(0)
}

#[tokio::test]
async fn concurrent_duplicate_tasks_do_the_work_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 4).await;
    let llm_server = common::llm::start().await;
    let mut cfg = test_config();
    cfg.llm.base_url = format!("{}/v1", llm_server.uri());
    cfg.llm.model = common::llm::MODEL.into();
    cfg.input.shard_size = 3;
    let llm = fake_llm_client(&cfg);
    let local = local_context(&dir.path().join("local"));
    let job_l = run_tasks(&local, &list, &cfg, Some(llm.clone())).await;
    let calls_once = llm_server.received_requests().await.unwrap().len();
    assert!(calls_once > 0);

    let stack = TestStack::create("twice");
    let ctx = stack.context().await;
    let job = create_job(&ctx, &list, &cfg).await;
    for shard in 0..job.shards {
        let t = ShardTask {
            job_id: job.id.clone(),
            shard,
        };
        deliver_twice(|| tasks::spider(&ctx, &t)).await;
        deliver_twice(|| tasks::refiner(&ctx, &t)).await;
        deliver_twice(|| tasks::factory(&ctx, &t, Some(llm.clone()))).await;
        deliver_twice(|| tasks::inspector(&ctx, &t, Some(llm.clone()))).await;
    }
    let ship = ShipperTask::Ship {
        job_id: job.id.clone(),
    };
    let (a, b) = tokio::join!(tasks::shipper(&ctx, &ship), tasks::shipper(&ctx, &ship));
    let versions: Vec<_> = [a, b]
        .into_iter()
        .filter_map(|r| match r {
            Ok(r) => r.version,
            Err(shared::Error::InProgress { .. }) => None,
            Err(e) => panic!("a duplicate Ship failed: {e}"),
        })
        .collect();
    assert_eq!(versions, vec![1], "one export version");
    tasks::shipper(&ctx, &ship).await.unwrap();

    assert_eq!(
        llm_server.received_requests().await.unwrap().len(),
        2 * calls_once,
        "the doubled deliveries paid for each answer once, as the single run did"
    );
    assert_eq!(
        exported(&ctx, &job.id).await,
        exported(&local, &job_l.id).await
    );
    let (sum_a, sum_l) = (
        shared::summary::JobSummary::load(ctx.state.as_ref(), &job)
            .await
            .unwrap(),
        shared::summary::JobSummary::load(local.state.as_ref(), &job_l)
            .await
            .unwrap(),
    );
    for (stage, counter) in [
        (Stage::Spider, "fetched"),
        (Stage::Refiner, "chunks"),
        (Stage::Factory, "examples"),
        (Stage::Inspector, "passed"),
    ] {
        assert_eq!(
            sum_a.counter(stage, counter),
            sum_l.counter(stage, counter),
            "{stage} {counter}"
        );
    }
}

#[tokio::test]
async fn a_failed_shard_is_recorded_and_the_others_still_ship() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 6).await;
    let mut cfg = test_config();
    cfg.input.shard_size = 4;
    let stack = TestStack::create("fail");
    let ctx = stack.context().await;
    let job = create_job(&ctx, &list, &cfg).await;
    assert_eq!(job.shards, 2);
    let t0 = ShardTask {
        job_id: job.id.clone(),
        shard: 0,
    };
    tasks::spider(&ctx, &t0).await.unwrap();
    tasks::refiner(&ctx, &t0).await.unwrap();
    // Shard 1 fetched, then its refiner failed for good (as the state machine's Catch says).
    let t1 = ShardTask {
        job_id: job.id.clone(),
        shard: 1,
    };
    tasks::spider(&ctx, &t1).await.unwrap();
    let failed: ShipperTask = serde_json::from_value(event("shipper-shard-failed.json")).unwrap();
    let ShipperTask::ShardFailed { error, .. } = failed else {
        panic!("the sample is a shard failure");
    };
    tasks::shipper(
        &ctx,
        &ShipperTask::ShardFailed {
            job_id: job.id.clone(),
            shard: 1,
            error,
        },
    )
    .await
    .unwrap();
    let shipped = tasks::shipper(
        &ctx,
        &ShipperTask::Ship {
            job_id: job.id.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(shipped.status, JobStatus::Completed);
    let job = ctx.state.get_job(&job.id).await.unwrap().unwrap();
    assert!(
        job.message
            .as_deref()
            .unwrap_or_default()
            .contains("1 failed shard"),
        "{:?}",
        job.message
    );
    let errors = ctx
        .state
        .item_errors(&job.id, Stage::Shipper, 10)
        .await
        .unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e.item == "shard 1" && e.reason == "shard failed: refiner"),
        "{errors:?}"
    );
    assert!(!exported(&ctx, &job.id).await.is_empty());

    // A failed run is recorded on the job, with what to do.
    tasks::shipper(
        &ctx,
        &ShipperTask::JobFailed {
            job_id: job.id.clone(),
            error: TaskError {
                error: "States.Timeout".into(),
                cause: "{\"errorMessage\": \"took too long\"}".into(),
            },
        },
    )
    .await
    .unwrap();
    let job = ctx.state.get_job(&job.id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert!(job.message.unwrap().contains("took too long"));
}

/// A state machine that stays running, so duplicate starts can be seen as such.
async fn waiting_state_machine(tag: &str) -> String {
    let client = aws_sdk_sfn::Client::new(&sdk_config().await);
    let out = client
        .create_state_machine()
        .name(format!("wait-{tag}-{}", ulid::Ulid::new()))
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .definition(
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    out.state_machine_arn().to_string()
}

async fn executions(sm: &str) -> Vec<String> {
    let client = aws_sdk_sfn::Client::new(&sdk_config().await);
    let out = client
        .list_executions()
        .state_machine_arn(sm)
        .send()
        .await
        .unwrap();
    let mut names: Vec<String> = out
        .executions()
        .iter()
        .map(|e| e.name().to_string())
        .collect();
    names.sort();
    names
}

async fn trigger_for(stack: &TestStack, sm: &str) -> Trigger {
    let ctx = stack.context().await;
    Trigger {
        ctx,
        orchestrator: Arc::new(StepFunctions::new(&sdk_config().await, sm)),
        defaults: test_config(),
        bucket: stack.bucket.clone(),
    }
}

/// Messages on the ingest queue (read through the SQS adapter), as the Lambda service would hand
/// them to the trigger.
async fn receive_sqs_event(stack: &TestStack, want: usize) -> Value {
    let queue = SqsQueue::new(&sdk_config().await, &stack.queue_url);
    let mut records = Vec::new();
    for _ in 0..20 {
        for m in queue.receive(10, Duration::from_secs(1)).await.unwrap() {
            // The notification setup sends a test event first; it is part of the stream too.
            records.push(json!({
                "messageId": m.id,
                "receiptHandle": m.receipt,
                "body": m.body,
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": stack.queue_arn,
                "awsRegion": "us-east-1",
            }));
        }
        let real = records
            .iter()
            .filter(|r| {
                r["body"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("ObjectCreated")
            })
            .count();
        if real >= want {
            break;
        }
    }
    json!({ "Records": records })
}

#[tokio::test]
async fn an_upload_to_the_inbox_becomes_one_job_however_often_it_is_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 3).await;
    let stack = TestStack::create("trig");
    let sm = waiting_state_machine("trig").await;
    let trigger = trigger_for(&stack, &sm).await;
    // The sample event's key: a name S3 URL-encodes.
    let key = "inbox/my urls(2).txt";
    stack.blobs().await.put_file(key, &list).await.unwrap();
    let event = receive_sqs_event(&stack, 1).await;
    assert!(
        event.to_string().contains("my+urls%282%29.txt"),
        "the notification carries the encoded key: {event}"
    );
    let resp = trigger.handle(event.clone()).await.unwrap();
    assert_eq!(resp["batchItemFailures"], json!([]), "{resp}");
    let jobs = stack.state().await.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.input, format!("s3://{}/{key}", stack.bucket));
    assert_eq!(job.urls, 4);
    assert_eq!(executions(&sm).await, vec![job.id.clone()]);
    let input_shards = stack
        .blobs()
        .await
        .list(&format!("jobs/{}/urls/", job.id))
        .await
        .unwrap();
    assert_eq!(input_shards.len(), job.shards as usize);

    // The same event again (SQS delivers at least once), and the repo's sample event naming
    // the same object: still one job, one execution.
    trigger.handle(event).await.unwrap();
    let sample = event_with_bucket("trigger-s3-sqs.json", &stack.bucket);
    let resp = trigger.handle(sample).await.unwrap();
    assert_eq!(resp["batchItemFailures"], json!([]), "{resp}");
    assert_eq!(stack.state().await.list_jobs().await.unwrap().len(), 1);
    assert_eq!(executions(&sm).await, vec![job.id.clone()]);

    // Concurrent duplicates too.
    let ev = event_with_bucket("trigger-s3-sqs.json", &stack.bucket);
    let (a, b) = tokio::join!(trigger.handle(ev.clone()), trigger.handle(ev));
    a.unwrap();
    b.unwrap();
    assert_eq!(stack.state().await.list_jobs().await.unwrap().len(), 1);
    assert_eq!(executions(&sm).await, vec![job.id.clone()]);
}

fn event_with_bucket(name: &str, bucket: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("events").join(name))
        .unwrap()
        .replace("datafactory-local", bucket);
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn bad_lists_are_rejected_with_a_reason_and_not_retried() {
    let stack = TestStack::create("rej");
    let sm = waiting_state_machine("rej").await;
    let trigger = trigger_for(&stack, &sm).await;
    let blobs = stack.blobs().await;
    blobs
        .put("inbox/binary.txt", vec![0u8, 159, 146, 150, 0, 1, 2])
        .await
        .unwrap();
    blobs
        .put("inbox/empty.txt", b"# nothing here\n\n".to_vec())
        .await
        .unwrap();
    blobs
        .put("inbox/settings.toml", b"[input]\n".to_vec())
        .await
        .unwrap();
    let batch = receive_sqs_event(&stack, 3).await;
    let resp = trigger.handle(batch).await.unwrap();
    assert_eq!(
        resp["batchItemFailures"],
        json!([]),
        "a bad list is not retried: {resp}"
    );
    for key in ["inbox/binary.txt", "inbox/empty.txt"] {
        let rec = blobs
            .get(&format!("rejected/{key}.json"))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no rejection recorded for {key}"));
        let rec: Value = serde_json::from_slice(&rec).unwrap();
        assert!(
            rec["list"].as_str().unwrap().ends_with(key),
            "the record names the list: {rec}"
        );
        assert!(!rec["reason"].as_str().unwrap().is_empty());
    }
    assert!(
        blobs
            .get("rejected/inbox/settings.toml.json")
            .await
            .unwrap()
            .is_none()
    );
    assert!(stack.state().await.list_jobs().await.unwrap().is_empty());
    assert!(executions(&sm).await.is_empty());

    // The S3 test event is acknowledged and ignored.
    let resp = trigger
        .handle(event("trigger-s3-test-event.json"))
        .await
        .unwrap();
    assert_eq!(resp["batchItemFailures"], json!([]));
}

#[tokio::test]
async fn a_message_that_fails_for_now_is_handed_back_alone() {
    let stack = TestStack::create("part");
    // No such state machine: starting fails, which may pass later, so SQS must redeliver.
    let trigger = trigger_for(
        &stack,
        "arn:aws:states:us-east-1:123456789012:stateMachine:missing",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 2).await;
    let blobs = stack.blobs().await;
    blobs.put_file("inbox/good.txt", &list).await.unwrap();
    blobs
        .put("inbox/bad.txt", vec![0u8, 1, 2, 3])
        .await
        .unwrap();
    let event = receive_sqs_event(&stack, 2).await;
    let good_id = event["Records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["body"].as_str().unwrap().contains("good.txt"))
        .map(|r| r["messageId"].clone())
        .unwrap();
    let resp = trigger.handle(event).await.unwrap();
    assert_eq!(
        resp["batchItemFailures"],
        json!([{ "itemIdentifier": good_id }]),
        "only the message that may pass later comes back"
    );
}

#[tokio::test]
async fn each_schedule_firing_is_one_job() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 2).await;
    let stack = TestStack::create("sched");
    let sm = waiting_state_machine("sched").await;
    let trigger = trigger_for(&stack, &sm).await;
    let sample = event("trigger-schedule.json");
    let key = sample["schedule"]["list_key"].as_str().unwrap().to_string();
    stack.blobs().await.put_file(&key, &list).await.unwrap();
    let first = trigger.handle(sample.clone()).await.unwrap();
    assert_eq!(first["outcome"], "submitted", "{first}");
    // The same firing delivered twice.
    let again = trigger.handle(sample.clone()).await.unwrap();
    assert_eq!(again["job_id"], first["job_id"]);
    assert_eq!(again["existing"], true);
    // The next firing.
    let mut next = sample.clone();
    next["schedule"]["time"] = json!("2026-11-29T03:00:00Z");
    let second = trigger.handle(next).await.unwrap();
    assert_ne!(second["job_id"], first["job_id"]);
    assert_eq!(executions(&sm).await.len(), 2);
}

fn with_job_id(mut v: Value, id: &str) -> Value {
    if let Some(o) = v.get_mut("pathParameters").and_then(|p| p.as_object_mut()) {
        o.insert("id".into(), json!(id));
    }
    for k in ["rawPath", "routeKey"] {
        if let Some(s) = v.get(k).and_then(|s| s.as_str()) {
            let s = s.replace("01jsampl3000000000000000000", id);
            v[k] = json!(s);
        }
    }
    if let Some(p) = v
        .pointer("/requestContext/http/path")
        .and_then(|s| s.as_str())
    {
        let p = p.replace("01jsampl3000000000000000000", id);
        v["requestContext"]["http"]["path"] = json!(p);
    }
    v
}

/// An API Gateway event for `method path` by the sample's authenticated caller.
fn route(method: &str, path: &str, body: Option<Value>) -> Value {
    let mut ev = event("api-list-jobs.json");
    ev["rawPath"] = json!(path);
    ev["requestContext"]["http"]["path"] = json!(path);
    ev["requestContext"]["http"]["method"] = json!(method);
    ev["routeKey"] = json!(format!("{method} {path}"));
    if let Some(b) = body {
        ev["body"] = json!(b.to_string());
    }
    ev
}

/// A raw answer: status, content type and the decoded bytes (base64 for files).
async fn call_raw(api: &Api, ev: Value) -> (u16, String, Vec<u8>) {
    use base64::Engine as _;
    let req = serde_json::from_value(ev).unwrap();
    let resp = gateway::handle(api, req).await.unwrap();
    let text = match resp.body {
        Some(shared::handlers::aws_lambda_events::encodings::Body::Text(t)) => t,
        other => panic!("unexpected body {other:?}"),
    };
    let bytes = if resp.is_base64_encoded {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    } else {
        text.into_bytes()
    };
    let ct = resp.headers.get("content-type").unwrap().to_str().unwrap();
    (resp.status_code as u16, ct.to_string(), bytes)
}

async fn call(api: &Api, ev: Value) -> (u16, Value) {
    let req = serde_json::from_value(ev).unwrap();
    let resp = gateway::handle(api, req).await.unwrap();
    let body = match resp.body {
        Some(shared::handlers::aws_lambda_events::encodings::Body::Text(t)) => {
            serde_json::from_str(&t).unwrap()
        }
        other => panic!("unexpected body {other:?}"),
    };
    assert_eq!(
        resp.headers.get("content-type").unwrap(),
        "application/json"
    );
    (resp.status_code as u16, body)
}

#[tokio::test]
async fn the_api_serves_jobs_status_exports_and_refuses_what_it_must() {
    let site = MockServer::start().await;
    let urls = serve_articles(&site, "/a", 3).await;
    let stack = TestStack::create("api");
    let sm = waiting_state_machine("api").await;
    // The test site is on loopback; the deployed function refuses that (checked below).
    let mut api = Api {
        ctx: stack.context().await,
        orchestrator: Arc::new(StepFunctions::new(&sdk_config().await, &sm)),
        bucket: stack.bucket.clone(),
        allow_private_network: true,
    };
    let mut post = event("api-post-jobs.json");
    let mut cfg = serde_json::to_value(test_config()).unwrap();
    cfg["input"]["shard_size"] = json!(2);
    post["body"] = json!(json!({ "urls": urls, "config": cfg }).to_string());
    let (status, body) = call(&api, post.clone()).await;
    assert_eq!(status, 202, "{body}");
    let id = body["job_id"].as_str().unwrap().to_string();
    assert_eq!(body["urls"], 3);
    assert_eq!(body["shards"], 2);
    assert_eq!(body["existing"], false);
    // The same request again (a client retry): the same job, no second execution.
    let (status, again) = call(&api, post.clone()).await;
    assert_eq!((status, again["job_id"].as_str()), (202, Some(id.as_str())));
    assert_eq!(again["existing"], true);
    assert_eq!(executions(&sm).await.len(), 1);

    // Run it through the tasks, so status and exports have something to show.
    ship_corpus_job(&api.ctx, &id).await;

    let (status, job) = call(&api, with_job_id(event("api-get-job.json"), &id)).await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["job"]["status"], "completed");
    assert_eq!(job["stages"]["spider"]["counters"]["fetched"], 3);
    assert!(job["cost_usd"]["llm"].is_number());

    let mut list = event("api-list-jobs.json");
    list["queryStringParameters"] = json!({ "limit": "1" });
    list["rawQueryString"] = json!("limit=1");
    let (status, page) = call(&api, list).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["jobs"][0]["id"], id.as_str());
    assert_eq!(page["next_cursor"], Value::Null);

    let mut exports = with_job_id(event("api-get-job.json"), &id);
    let path = format!("/jobs/{id}/exports");
    exports["rawPath"] = json!(path);
    exports["requestContext"]["http"]["path"] = json!(path);
    exports["routeKey"] = json!("GET /jobs/{id}/exports");
    let (status, ex) = call(&api, exports).await;
    assert_eq!(status, 200, "{ex}");
    let files = ex["versions"][0]["files"].as_array().unwrap();
    let manifest = files.iter().find(|f| f["file"] == "manifest.json").unwrap();
    let got = reqwest::get(manifest["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let got: Value = serde_json::from_slice(&got).unwrap();
    assert_eq!(got["job_id"], id.as_str());

    // The dashboard's routes through API Gateway: its page (no token needed), the examples
    // of a corpus job (none), a new export written to S3, its card and a file through the API.
    let mut page = route("GET", "/", None);
    page["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    let (status, ct, html) = call_raw(&api, page).await;
    assert_eq!((status, ct.as_str()), (200, "text/html"));
    assert!(String::from_utf8_lossy(&html).contains("/assets/"));
    let (status, ex) = call(&api, route("GET", &format!("/jobs/{id}/examples"), None)).await;
    assert_eq!((status, ex["total"].as_u64()), (200, Some(0)), "{ex}");
    let (status, made) = call(
        &api,
        route("POST", &format!("/jobs/{id}/exports"), Some(json!({}))),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let v = made["version"].as_u64().unwrap();
    assert!(made["location"].as_str().unwrap().starts_with("s3://"));
    let (status, detail) = call(&api, route("GET", &format!("/jobs/{id}/exports/{v}"), None)).await;
    assert_eq!(status, 200, "{detail}");
    assert!(detail["card"].as_str().unwrap().starts_with("---"));
    let (status, ct, bytes) = call_raw(
        &api,
        route(
            "GET",
            &format!("/jobs/{id}/exports/{v}/files/train.jsonl"),
            None,
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/x-ndjson"), "{ct}");
    assert_eq!(
        String::from_utf8_lossy(&bytes).lines().count(),
        detail["manifest"]["splits"]["train"]["records"]
            .as_u64()
            .unwrap() as usize
    );

    // Refusals, each with its stable code.
    let mut anon = event("api-list-jobs.json");
    anon["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    assert_eq!(call(&api, anon).await.0, 401);
    let mut bad = post.clone();
    bad["body"] = json!("{not json");
    let (status, body) = call(&api, bad).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );
    let mut bad = post.clone();
    bad["body"] = json!(
        json!({"urls": ["https://a.example/"], "config": {"spider": {"concurrency": 0}}})
            .to_string()
    );
    let (status, body) = call(&api, bad).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_config")),
        "{body}"
    );
    let mut bad = post.clone();
    bad["body"] = json!(json!({"urls": ["ftp://a.example/x", "not a url"]}).to_string());
    let (status, body) = call(&api, bad).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_list")),
        "{body}"
    );
    let mut bad = post.clone();
    bad["body"] =
        json!(json!({"urls": ["https://a.example/"], "list_key": "lists/x.txt"}).to_string());
    assert_eq!(call(&api, bad).await.1["error"]["code"], "invalid_request");
    let mut bad = post.clone();
    bad["body"] = json!("x".repeat(shared::handlers::api::MAX_BODY_BYTES + 1));
    assert_eq!(call(&api, bad).await.0, 413);
    // As deployed: a job that would fetch private addresses is refused, whoever asks.
    api.allow_private_network = false;
    let (status, body) = call(&api, post.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("private_network_refused")),
        "{body}"
    );
    api.allow_private_network = true;
    let (status, body) = call(
        &api,
        with_job_id(event("api-get-job.json"), "01jnosuchjob0000000000000000"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("job_not_found"))
    );
    let mut templates = event("api-list-jobs.json");
    templates["rawPath"] = json!("/templates");
    templates["requestContext"]["http"]["path"] = json!("/templates");
    let (status, t) = call(&api, templates).await;
    assert_eq!(status, 200);
    let names: BTreeSet<&str> = t["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    assert!(
        names.contains("qa") && names.contains("classification"),
        "{names:?}"
    );
    // The OpenAPI document is public and names every route the handler serves.
    let mut doc = event("api-list-jobs.json");
    doc["rawPath"] = json!("/openapi.json");
    doc["requestContext"]["http"]["path"] = json!("/openapi.json");
    doc["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    let (status, doc) = call(&api, doc).await;
    assert_eq!(status, 200);
    for p in ["/jobs", "/jobs/{id}", "/jobs/{id}/exports", "/templates"] {
        assert!(doc["paths"].get(p).is_some(), "{p} is documented");
    }
}

/// Fill a Parameters template the way Step Functions does for the paths our ASL uses
/// (`"key.$": "$.a.b"`), so the contract test sees the exact payload each function gets.
fn fill(template: &Value, input: &Value) -> Value {
    match template {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                match (k.strip_suffix(".$"), v.as_str()) {
                    (Some(name), Some(path)) => {
                        let ptr = path.strip_prefix('$').unwrap_or(path).replace('.', "/");
                        let got = if ptr.is_empty() {
                            input.clone()
                        } else {
                            input.pointer(&ptr).cloned().unwrap_or(Value::Null)
                        };
                        assert!(!got.is_null(), "{path} is not in the state {input}");
                        out.insert(name.to_string(), got);
                    }
                    _ => {
                        out.insert(k.clone(), fill(v, input));
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Every Task state of a definition (Map iterators included), by name.
fn task_states(states: &Value, out: &mut Vec<(String, Value)>) {
    for (name, st) in states.as_object().unwrap() {
        if st["Type"] == "Task" {
            out.push((name.clone(), st.clone()));
        }
        for inner in ["Iterator", "ItemProcessor"] {
            if let Some(s) = st.get(inner).and_then(|i| i.get("States")) {
                task_states(s, out);
            }
        }
    }
}

#[test]
fn the_state_machine_passes_each_function_exactly_what_it_takes() {
    let asl: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("infra/statemachine/pipeline.asl.json")).unwrap(),
    )
    .unwrap();
    let mut tasks_found = Vec::new();
    task_states(&asl["States"], &mut tasks_found);
    let job = "01jsampl3000000000000000000";
    let shard_state = json!({ "job_id": job, "shard": 3 });
    // What a shard task returns is the next task's state (OutputPath $.Payload).
    let result = serde_json::to_value(tasks::ShardResult {
        job_id: job.into(),
        shard: 3,
        stage: Stage::Spider,
        items_in: 10,
        items_out: 9,
        skipped: false,
    })
    .unwrap();
    let error = json!({ "Error": "Lambda.Unknown", "Cause": "{\"errorMessage\": \"boom\"}" });
    let mut seen = BTreeSet::new();
    for (name, st) in &tasks_found {
        assert_eq!(st["Resource"], "arn:aws:states:::lambda:invoke", "{name}");
        assert_eq!(st["OutputPath"], "$.Payload", "{name}");
        let function = st["Parameters"]["FunctionName"].as_str().unwrap();
        let template = &st["Parameters"]["Payload"];
        match function {
            "${SpiderFunctionArn}"
            | "${RefinerFunctionArn}"
            | "${FactoryFunctionArn}"
            | "${InspectorFunctionArn}" => {
                for state in [&shard_state, &result] {
                    let payload = fill(template, state);
                    let task: ShardTask = serde_json::from_value(payload.clone())
                        .unwrap_or_else(|e| panic!("{name} sends {payload}: {e}"));
                    assert_eq!(
                        task,
                        ShardTask {
                            job_id: job.into(),
                            shard: 3
                        }
                    );
                }
                assert!(
                    st["Catch"][0]["Next"] == "ShardFailed",
                    "{name} catches to ShardFailed"
                );
            }
            "${ShipperFunctionArn}" => {
                let mut state = json!({ "job_id": job, "shards": [shard_state], "shard": 3 });
                state["error"] = error.clone();
                let payload = fill(template, &state);
                let task: ShipperTask = serde_json::from_value(payload.clone())
                    .unwrap_or_else(|e| panic!("{name} sends {payload}: {e}"));
                match (name.as_str(), &task) {
                    ("Ship", ShipperTask::Ship { job_id }) => assert_eq!(job_id, job),
                    ("ShardFailed", ShipperTask::ShardFailed { shard, error, .. }) => {
                        assert_eq!(*shard, 3);
                        assert_eq!(error.error, "Lambda.Unknown");
                    }
                    ("JobFailed", ShipperTask::JobFailed { error, .. }) => {
                        assert_eq!(error.error, "Lambda.Unknown")
                    }
                    _ => panic!("{name} sends the shipper {task:?}"),
                }
            }
            other => panic!("{name} calls an unknown function {other}"),
        }
        seen.insert(function.to_string());
    }
    assert_eq!(seen.len(), 5, "every stage function is called: {seen:?}");

    // The sample events are what the functions take.
    for f in [
        "spider.json",
        "refiner.json",
        "factory.json",
        "inspector.json",
    ] {
        let _: ShardTask = serde_json::from_value(event(f)).unwrap();
    }
    for f in [
        "shipper.json",
        "shipper-shard-failed.json",
        "shipper-job-failed.json",
    ] {
        let _: ShipperTask = serde_json::from_value(event(f)).unwrap();
    }
    // Every substitution the definition uses is one the template provides.
    let template = std::fs::read_to_string(repo().join("infra/template.yaml")).unwrap();
    for f in &seen {
        let name = f.trim_start_matches("${").trim_end_matches('}');
        assert!(
            template.contains(&format!("{name}:")),
            "{name} is substituted"
        );
    }
}

/// Kills its processes when dropped, so a failing test leaves nothing running.
struct Processes(Vec<std::process::Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Where cargo put the workspace's binaries for this test run.
fn bin_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/aws-<hash>
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// Waits for a server on `port`; when none comes, the panic carries what its logs say.
fn wait_for_port(port: u16, logs: &[std::path::PathBuf]) {
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let said: String = logs
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            format!("--- {}\n{text}", p.display())
        })
        .collect();
    panic!("nothing listens on 127.0.0.1:{port}\n{said}");
}

/// A dependency-free cargo project naming `functions` as its binaries, for `cargo lambda watch`
/// to start in: it runs `cargo metadata` on its working directory and only invokes functions
/// that are binaries there. On our workspace, `cargo metadata` resolves every platform's
/// dependencies, and on a clean machine it first downloads crates that only other platforms
/// use (CI timed out waiting for it).
fn stand_in_project(dir: &Path, functions: &[&str]) -> std::path::PathBuf {
    let project = dir.join("lambda-apis");
    std::fs::create_dir_all(project.join("src")).unwrap();
    let mut manifest = String::from(
        "[package]\nname = \"lambda-apis\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    for f in functions {
        manifest.push_str(&format!(
            "\n[[bin]]\nname = \"{f}\"\npath = \"src/main.rs\"\n"
        ));
    }
    std::fs::write(project.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
    project
}

/// `cargo lambda watch --only-lambda-apis` (the Lambda Invoke and Runtime APIs) with the trigger
/// and the five stage binaries attached as the functions it runs.
fn start_functions(
    stack: &TestStack,
    state_machine: &str,
    extra_env: &[(&str, &str)],
    log_dir: &Path,
) -> Processes {
    let port: u16 = std::env::var("DATAFACTORY_TEST_LAMBDA_PORT")
        .expect("DATAFACTORY_TEST_LAMBDA_PORT (set by tests/aws/emulator.sh)")
        .parse()
        .unwrap();
    let cargo_lambda = std::env::var("DATAFACTORY_TEST_CARGO_LAMBDA")
        .expect("DATAFACTORY_TEST_CARGO_LAMBDA (set by tests/aws/emulator.sh)");
    let log = |name: &str| std::fs::File::create(log_dir.join(format!("{name}.log"))).unwrap();
    let functions = [
        "trigger",
        "spider",
        "refiner",
        "factory",
        "inspector",
        "shipper",
    ];
    let mut procs = Processes(Vec::new());
    procs.0.push(
        std::process::Command::new(&cargo_lambda)
            .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
            .args(["-A", "127.0.0.1", "-P", &port.to_string()])
            .current_dir(stand_in_project(log_dir, &functions))
            .stdout(log("cargo-lambda"))
            .stderr(log("cargo-lambda.err"))
            .spawn()
            .expect("starting cargo lambda watch"),
    );
    wait_for_port(
        port,
        &[
            log_dir.join("cargo-lambda.log"),
            log_dir.join("cargo-lambda.err.log"),
        ],
    );
    for f in functions {
        let mut cmd = std::process::Command::new(bin_dir().join(f));
        cmd.env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{port}/.rt/{f}"),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", f)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .envs(stack.function_env(Some(state_machine)))
        .envs(extra_env.iter().copied())
        .stdout(log(f))
        .stderr(log(&format!("{f}.err")));
        procs
            .0
            .push(cmd.spawn().unwrap_or_else(|e| panic!("starting {f}: {e}")));
    }
    procs
}

/// Invoke a function through cargo lambda's Invoke API, as the Lambda service does.
async fn invoke_function(name: &str, payload: &Value) -> Value {
    let port = std::env::var("DATAFACTORY_TEST_LAMBDA_PORT").unwrap();
    let resp = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/2015-03-31/functions/{name}/invocations"
        ))
        .body(payload.to_string())
        .send()
        .await
        .unwrap();
    let failed = resp.headers().get("x-amz-function-error").is_some();
    let body = resp.bytes().await.unwrap();
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert!(!failed, "{name} failed: {}", String::from_utf8_lossy(&body));
    v
}

/// The pipeline's state machine from `infra/`, with the functions' ARNs filled in.
async fn pipeline_state_machine(tag: &str) -> String {
    let mut def =
        std::fs::read_to_string(repo().join("infra/statemachine/pipeline.asl.json")).unwrap();
    for (var, f) in [
        ("SpiderFunctionArn", "spider"),
        ("RefinerFunctionArn", "refiner"),
        ("FactoryFunctionArn", "factory"),
        ("InspectorFunctionArn", "inspector"),
        ("ShipperFunctionArn", "shipper"),
    ] {
        def = def.replace(
            &format!("${{{var}}}"),
            &format!("arn:aws:lambda:us-east-1:123456789012:function:df-{tag}-{f}"),
        );
    }
    let client = aws_sdk_sfn::Client::new(&sdk_config().await);
    client
        .create_state_machine()
        .name(format!("pipeline-{tag}-{}", ulid::Ulid::new()))
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .definition(def)
        .send()
        .await
        .unwrap()
        .state_machine_arn()
        .to_string()
}

/// Wait for an execution to end; returns its status and its history as a timeline.
async fn finish(arn: &str, limit: Duration) -> (String, Vec<String>) {
    let client = aws_sdk_sfn::Client::new(&sdk_config().await);
    let start = std::time::Instant::now();
    let status = loop {
        let d = client
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .unwrap();
        let s = d.status().as_str().to_string();
        if s != "RUNNING" {
            break s;
        }
        assert!(
            start.elapsed() < limit,
            "execution {arn} still running after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let history = client
        .get_execution_history()
        .execution_arn(arn)
        .max_results(1000)
        .send()
        .await
        .unwrap();
    let events = history.events();
    let t0 = events
        .first()
        .map(|e| e.timestamp().as_secs_f64())
        .unwrap_or(0.0);
    let timeline = events
        .iter()
        .filter_map(|e| {
            let name = e
                .state_entered_event_details()
                .map(|d| format!("enter {}", d.name()))
                .or_else(|| {
                    e.state_exited_event_details()
                        .map(|d| format!("exit  {}", d.name()))
                })
                .or_else(|| {
                    e.task_failed_event_details()
                        .map(|d| format!("FAILED {:?} {:?}", d.error(), d.cause()))
                })?;
            Some(format!(
                "{:>8.3}s  {name}",
                e.timestamp().as_secs_f64() - t0
            ))
        })
        .collect();
    (status, timeline)
}

#[tokio::test]
async fn an_upload_runs_the_real_state_machine_and_functions_to_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 9).await;
    let llm_server = common::llm::start().await;
    let mut cfg = test_config();
    cfg.llm.base_url = format!("{}/v1", llm_server.uri());
    cfg.llm.model = common::llm::MODEL.into();
    cfg.input.shard_size = 4;
    cfg.export.formats = vec!["openai".into()];
    // Near-duplicate checks across shards are first-come: with shards in parallel, which of two
    // near-duplicate instructions is "earlier" depends on timing (a known limitation, in the
    // README). The fake model's questions share a prefix, so this comparison turns it off.
    cfg.inspector.dedup.near = false;

    let stack = TestStack::create("e2e");
    let sm = pipeline_state_machine("e2e").await;
    let job_config = toml::to_string(&cfg).unwrap();
    let _functions = start_functions(
        &stack,
        &sm,
        &[
            ("DATAFACTORY_LLM_API_KEY", common::llm::KEY),
            ("DATAFACTORY_JOB_CONFIG", &job_config),
            ("RUST_LOG", "info"),
        ],
        dir.path(),
    );

    // Upload -> S3 notification -> queue -> the trigger function (as the Lambda service hands it
    // the batch) -> execution.
    let started = std::time::Instant::now();
    stack
        .blobs()
        .await
        .put_file("inbox/news.txt", &list)
        .await
        .unwrap();
    let event = receive_sqs_event(&stack, 1).await;
    let resp = invoke_function("trigger", &event).await;
    assert_eq!(resp["batchItemFailures"], json!([]), "{resp}");
    let job = stack.state().await.list_jobs().await.unwrap().remove(0);
    assert_eq!(job.shards, 3);
    let arn = StepFunctions::new(&sdk_config().await, &sm).execution_arn(&job.id);
    let (status, timeline) = finish(&arn, Duration::from_secs(240)).await;
    let logs =
        |f: &str| std::fs::read_to_string(dir.path().join(format!("{f}.err"))).unwrap_or_default();
    assert_eq!(
        status,
        "SUCCEEDED",
        "timeline:\n{}\nspider log:\n{}\nshipper log:\n{}",
        timeline.join("\n"),
        logs("spider"),
        logs("shipper")
    );
    println!(
        "end to end in {:.1}s; execution timeline:\n{}",
        started.elapsed().as_secs_f64(),
        timeline.join("\n")
    );

    let job = stack.state().await.get_job(&job.id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Completed, "{:?}", job.message);
    assert_eq!(
        job.export.as_deref(),
        Some(format!("s3://{}/exports/{}/v1/", stack.bucket, job.id).as_str())
    );
    let aws = stack.context().await;
    let files = aws
        .blobs
        .list(&format!("exports/{}/v1/", job.id))
        .await
        .unwrap();
    for f in [
        "train.jsonl",
        "train-00000-of-00001.parquet",
        "manifest.json",
        "README.md",
        "train.openai.jsonl",
    ] {
        assert!(
            files.iter().any(|k| k.ends_with(&format!("/{f}"))),
            "{f} in {files:?}"
        );
    }

    // The same list through a local run gives the same examples.
    let runner = {
        let mut r =
            shared::adapters::local::runner::LocalRunner::open(&dir.path().join("local")).unwrap();
        r.llm = Some(fake_llm_client(&cfg));
        r
    };
    let calls_before_local = llm_server.received_requests().await.unwrap().len();
    let local = runner
        .run(&list, cfg.clone(), Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    let local_ctx = runner.context(Arc::new(NoProgress));
    let (l, a) = (
        exported(&local_ctx, &local.job.id).await,
        exported(&aws, &job.id).await,
    );
    assert!(!a.is_empty());
    assert_eq!(l, a, "the stack ships what a local run ships");
    assert!(llm_server.received_requests().await.unwrap().len() > calls_before_local);

    // The same upload delivered again, and a stage task delivered again: nothing changes.
    let calls = llm_server.received_requests().await.unwrap().len();
    let resp = invoke_function("trigger", &event).await;
    assert_eq!(resp["batchItemFailures"], json!([]));
    assert_eq!(executions(&sm).await, vec![job.id.clone()]);
    let again = tasks::factory(
        &aws,
        &ShardTask {
            job_id: job.id.clone(),
            shard: 0,
        },
        None,
    )
    .await
    .unwrap();
    assert!(again.skipped);
    assert_eq!(llm_server.received_requests().await.unwrap().len(), calls);
    assert_eq!(
        aws.blobs
            .list(&format!("exports/{}/", job.id))
            .await
            .unwrap()
            .iter()
            .filter(|k| k.ends_with("manifest.json"))
            .count(),
        1,
        "one export version"
    );
}

async fn datafactory(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args(args)
        .env_remove("DATAFACTORY_BUCKET")
        .env_remove("DATAFACTORY_TABLE")
        .output()
        .await
        .expect("datafactory runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_submits_follows_and_downloads_against_a_stack() {
    let dir = tempfile::tempdir().unwrap();
    let (_site, list) = site_and_list(dir.path(), 3).await;
    let stack = TestStack::create("cli");
    let sm = waiting_state_machine("cli").await;
    let trigger = trigger_for(&stack, &sm).await;

    // The deployed trigger, played by this test: it takes the upload's notification.
    let trigger_run = async {
        let event = receive_sqs_event(&stack, 1).await;
        trigger.handle(event).await.unwrap()
    };
    let args = [
        "submit",
        list.to_str().unwrap(),
        "--bucket",
        &stack.bucket,
        "--table",
        &stack.table,
        "--wait",
        "30",
    ];
    let submit = datafactory(&args);
    let ((ok, out, err), _) = tokio::join!(submit, trigger_run);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains(&format!("s3://{}/inbox/urls.txt", stack.bucket)),
        "{out}"
    );
    let job_id = out
        .lines()
        .find_map(|l| l.strip_prefix("job "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no job id in {out}"))
        .to_string();

    // The stack runs it (the state machine's tasks, in process here).
    ship_corpus_job(&stack.context().await, &job_id).await;

    let (ok, out, err) = datafactory(&["status", &job_id[..12], "--table", &stack.table]).await;
    assert!(ok, "{err}");
    assert!(out.contains(&job_id) && out.contains("completed"), "{out}");
    let (ok, out, _) = datafactory(&["status", &job_id, "--table", &stack.table, "--json"]).await;
    assert!(ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["job"]["status"], "completed");
    let (ok, out, _) = datafactory(&["jobs", "--table", &stack.table]).await;
    assert!(ok && out.contains(&job_id), "{out}");

    let dest = dir.path().join("dl");
    let (ok, out, err) = datafactory(&[
        "download",
        &job_id[..12],
        "--bucket",
        &stack.bucket,
        "--table",
        &stack.table,
        "--out",
        dest.to_str().unwrap(),
    ])
    .await;
    assert!(ok, "{out}\n{err}");
    let v1 = dest.join(&job_id).join("v1");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(v1.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["job_id"], job_id.as_str());
    let remote = stack
        .blobs()
        .await
        .get(&format!("exports/{job_id}/v1/train.jsonl"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(std::fs::read(v1.join("train.jsonl")).unwrap(), remote);
    assert!(v1.join("data/train-00000-of-00001.parquet").is_file());

    // Refusals name what is missing or wrong.
    let (ok, _, err) = datafactory(&["download", &job_id, "--out", "x"]).await;
    assert!(!ok && err.contains("--bucket"), "{err}");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, [0u8, 159, 0, 1]).unwrap();
    let (ok, _, err) =
        datafactory(&["submit", bad.to_str().unwrap(), "--bucket", &stack.bucket]).await;
    assert!(
        !ok && err.contains("bad.txt") && err.contains("binary"),
        "{err}"
    );
}
