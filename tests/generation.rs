//! Generation, inspection and fine-tuning exports against a loopback fake OpenAI-compatible
//! server: structured answers with usage, 429 with Retry-After, 500s, slow, malformed and
//! wrong-schema answers. Asserts what a user would check: examples made and validated, no call
//! paid twice, failures recorded with reasons, the key nowhere on disk or in logs, every
//! format's shape, and a validation split that never moves.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use common::llm::{FakeLlm, KEY, MODEL};
use common::*;
use serde_json::Value;
use shared::adapters::local::runner::LocalRunner;
use shared::adapters::openai::OpenAiClient;
use shared::model::{InspectedExample, JobStatus, Stage};
use shared::ports::StateStore;
use shared::stages::NoProgress;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

struct Setup {
    site: MockServer,
    llm: MockServer,
    refuse_after: Arc<AtomicI64>,
    list: PathBuf,
    _dir: tempfile::TempDir,
    data: PathBuf,
}

async fn setup(flaky: bool) -> Setup {
    setup_with(flaky, false).await
}

async fn setup_with(flaky: bool, no_json_schema: bool) -> Setup {
    let site = MockServer::start().await;
    let articles = english_articles();
    let mut urls = Vec::new();
    for (i, a) in articles.iter().take(8).enumerate() {
        let mut paras: Vec<String> = a.paragraphs().iter().map(|p| p.to_string()).collect();
        let marker = match i {
            5 => Some("MALFORMEDANSWER"),
            6 => Some("WRONGSCHEMA"),
            7 => Some("SLOWANSWER"),
            _ => None,
        };
        if let Some(m) = marker {
            paras[0] = format!("{m} {}", paras[0]);
        }
        let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
        serve_html(
            &site,
            &format!("/a/{i}"),
            article_html(&format!("Story {i}"), &refs),
        )
        .await;
        urls.push(format!("{}/a/{i}", site.uri()));
    }
    let llm = MockServer::start().await;
    if flaky {
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&llm)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .with_priority(2)
            .mount(&llm)
            .await;
    }
    let refuse_after = Arc::new(AtomicI64::new(-1));
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(FakeLlm {
            answered: Arc::new(AtomicUsize::new(0)),
            refuse_after: refuse_after.clone(),
            no_json_schema,
        })
        .with_priority(5)
        .mount(&llm)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    let data = dir.path().join("data");
    Setup {
        site,
        llm,
        refuse_after,
        list,
        _dir: dir,
        data,
    }
}

fn gen_config(s: &Setup) -> shared::JobConfig {
    let mut cfg = test_config();
    cfg.llm.base_url = format!("{}/v1", s.llm.uri());
    cfg.llm.model = MODEL.to_string();
    cfg.llm.timeout_secs = 1.0;
    cfg.llm.max_retries = 2;
    cfg.llm.max_invalid_retries = 1;
    cfg.llm.backoff_base_ms = 20;
    cfg.llm.backoff_max_ms = 100;
    cfg.llm.prices.insert(
        MODEL.into(),
        shared::config::Price {
            prompt: 1.0,
            completion: 2.0,
        },
    );
    cfg.export.formats = shared::config::EXPORT_FORMATS
        .iter()
        .map(|f| f.to_string())
        .collect();
    cfg.export.validation_fraction = 0.3;
    cfg
}

fn runner(s: &Setup) -> LocalRunner {
    let mut r = LocalRunner::open(&s.data).unwrap();
    let client = OpenAiClient::new(
        &format!("{}/v1", s.llm.uri()),
        Some(KEY.to_string()),
        Duration::from_secs(1),
    )
    .unwrap();
    r.llm = Some(Arc::new(client));
    r
}

async fn llm_calls(s: &Setup) -> Vec<Request> {
    s.llm
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/v1/chat/completions")
        .collect()
}

fn read_jsonl(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out
}

fn assert_key_nowhere(dir: &Path) {
    for f in files_under(dir) {
        let bytes = std::fs::read(&f).unwrap();
        let found = bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes());
        assert!(!found, "API key written to {}", f.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examples_are_generated_checked_exported_and_never_paid_twice() {
    let s = setup(true).await;
    let r = runner(&s);
    let started = std::time::Instant::now();
    let out = r
        .run(&s.list, gen_config(&s), Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    // Reported, never asserted: timings are for the note and benchmarks.
    eprintln!(
        "fake server: {} examples in {:.2}s, {} calls",
        out.summary.counter(Stage::Factory, "examples"),
        started.elapsed().as_secs_f64(),
        out.summary.counter(Stage::Factory, "llm_calls")
    );
    assert_eq!(out.job.status, JobStatus::Completed);
    let sum = &out.summary;
    let examples = sum.counter(Stage::Factory, "examples");
    assert!(examples >= 10, "{}", sum.render());
    assert!(
        sum.counter(Stage::Inspector, "passed") > 0,
        "{}",
        sum.render()
    );
    let reasons = &sum
        .stages
        .iter()
        .find(|st| st.stage == Stage::Factory)
        .unwrap()
        .reasons;
    for r in ["llm: invalid json", "llm: schema mismatch", "llm: timeout"] {
        assert_eq!(reasons.get(r), Some(&1), "{r}: {reasons:?}");
    }
    let text = sum.render();
    assert!(
        text.contains("llm:") && text.contains("cache hits") && text.contains('$'),
        "{text}"
    );
    assert!(sum.counter(Stage::Factory, "cost_micro_usd") > 0);
    let first_calls = llm_calls(&s).await.len();

    // Every generated example is in the inspected output, passed or not, with scores.
    let job = &out.job;
    let mut inspected = Vec::new();
    for shard in 0..job.shards {
        let p = s.data.join(shared::keys::inspected(&job.id, shard));
        inspected.extend(read_jsonl(&p));
    }
    assert_eq!(inspected.len() as u64, examples);
    for e in &inspected {
        for check in [
            "format",
            "length",
            "groundedness",
            "readability",
            "toxicity",
            "uniqueness",
        ] {
            let v = e["scores"][check].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&v), "{check} = {v} in {e}");
        }
    }

    // The same job again: nothing to do, no call.
    let again = r
        .run(&s.list, gen_config(&s), Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    assert_eq!(again.job.id, job.id);
    assert_eq!(llm_calls(&s).await.len(), first_calls);

    // Another job over the same chunks: answers come from the cache; only chunks that never
    // got a valid answer are asked again.
    let mut other = gen_config(&s);
    other.export.pretty_name = "Second job".into();
    let second = r
        .run(&s.list, other, Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    assert_ne!(second.job.id, job.id);
    let new_calls: Vec<Request> = llm_calls(&s).await.into_iter().skip(first_calls).collect();
    for call in &new_calls {
        let body = String::from_utf8_lossy(&call.body);
        assert!(
            ["MALFORMEDANSWER", "WRONGSCHEMA", "SLOWANSWER"]
                .iter()
                .any(|m| body.contains(m)),
            "a cached answer was paid for again"
        );
    }
    assert_eq!(second.summary.counter(Stage::Factory, "examples"), examples);
    assert!(second.summary.counter(Stage::Factory, "cache_hits") >= 5);

    // The export: every format present and shaped as documented.
    let export = PathBuf::from(job.export.clone().unwrap());
    let train = read_jsonl(&export.join("train.jsonl"));
    let validation = read_jsonl(&export.join("validation.jsonl"));
    assert!(!train.is_empty() && !validation.is_empty());
    assert!(train.iter().chain(&validation).all(|e| e["passed"] == true));
    for line in read_jsonl(&export.join("train.openai.jsonl")) {
        let roles: Vec<&str> = line["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["system", "user", "assistant"]);
    }
    for line in read_jsonl(&export.join("train.together.jsonl")) {
        assert_eq!(line["messages"].as_array().unwrap().len(), 3);
    }
    for line in read_jsonl(&export.join("train.together-completion.jsonl")) {
        let keys: BTreeSet<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, BTreeSet::from(["prompt", "completion"]));
    }
    for line in read_jsonl(&export.join("train.alpaca.jsonl")) {
        let keys: BTreeSet<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, BTreeSet::from(["instruction", "input", "output"]));
    }
    for line in read_jsonl(&export.join("train.sharegpt.jsonl")) {
        let from: Vec<&str> = line["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["from"].as_str().unwrap())
            .collect();
        assert_eq!(from, ["system", "human", "gpt"]);
    }
    let mut csv = csv::Reader::from_path(export.join("train.csv")).unwrap();
    assert_eq!(csv.headers().unwrap().iter().next(), Some("id"));
    assert_eq!(csv.records().count(), train.len());
    let yaml = card_front_matter(&export);
    assert_eq!(yaml["task_categories"][0], "question-answering");
    let card = std::fs::read_to_string(export.join("README.md")).unwrap();
    assert!(
        card.contains("## Quality") && card.contains("| groundedness |"),
        "{card}"
    );

    // The key was sent (the fake server checks it) but is written nowhere.
    assert_key_nowhere(&s.data);
    drop(s.site);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_stopped_halfway_makes_only_the_missing_calls() {
    let s = setup(false).await;
    let r = runner(&s);
    let mut cfg = gen_config(&s);
    cfg.llm.concurrency = 1;
    // Good answers for the first 3 chunks, then the endpoint refuses the key: the job stops.
    s.refuse_after.store(3, Ordering::SeqCst);
    let err = r
        .run(&s.list, cfg.clone(), Arc::new(NoProgress), |_, _| {})
        .await
        .err()
        .expect("job stops");
    assert!(err.to_string().contains("refused our credentials"), "{err}");
    let job = r.state.list_jobs().await.unwrap().pop().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    let before = llm_calls(&s).await.len();
    assert_eq!(before, 4, "3 answers and the refusal");

    s.refuse_after.store(-1, Ordering::SeqCst);
    let out = r
        .run(&s.list, cfg, Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.job.id, job.id);
    assert_eq!(out.job.status, JobStatus::Completed);
    let chunks = out.summary.counter(Stage::Refiner, "chunks");
    let f = |c: &str| out.summary.counter(Stage::Factory, c);
    let good_new = chunks - 3 - 3; // minus cached, minus the three marker chunks
    let calls = llm_calls(&s).await.len() - before;
    // Each marker chunk costs 2 calls (invalid answers: 1 + max_invalid_retries; timeout: 1 + 2 retries = 3).
    assert_eq!(calls as u64, good_new + 2 + 2 + 3, "chunks {chunks}");
    // The three answers paid before the stop come from the cache, and stay counted as this
    // job's calls (the stopped run could not record them): calls and cost are what the job
    // paid, as if it had never stopped.
    assert_eq!(f("cache_hits"), 0);
    assert_eq!(f("llm_calls"), 3 + calls as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_split_stays_locked_across_exports() {
    let s = setup(false).await;
    let r = runner(&s);
    let out = r
        .run(&s.list, gen_config(&s), Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    let ids = |dir: &Path, split: &str| -> BTreeSet<String> {
        read_jsonl(&dir.join(format!("{split}.jsonl")))
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    let v1 = PathBuf::from(out.job.export.clone().unwrap());
    let (train1, val1) = (ids(&v1, "train"), ids(&v1, "validation"));
    assert!(!val1.is_empty());

    // The user changes the validation share and re-exports: nothing crosses over.
    let mut job = out.job.clone();
    job.config.export.validation_fraction = 0.9;
    r.state.put_job(&job).await.unwrap();
    let opts = shared::stages::shipper::ExportOptions::from_config(&job.config).unwrap();
    let m = shared::adapters::local::runner::reexport(&r, &job, &opts, Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(m.version, 2);
    let v2 = s.data.join(shared::keys::export_prefix(&job.id, 2));
    let (train2, val2) = (ids(&v2, "train"), ids(&v2, "validation"));
    assert_eq!(val1, val2, "validation examples stay in validation");
    assert_eq!(train1, train2, "train examples stay in train");

    // A stricter export keeps the split of what it keeps.
    let strict = shared::stages::shipper::ExportOptions {
        min_score: 0.95,
        ..opts
    };
    let m = shared::adapters::local::runner::reexport(&r, &job, &strict, Arc::new(NoProgress))
        .await
        .unwrap();
    let v3 = s.data.join(shared::keys::export_prefix(&job.id, m.version));
    assert!(ids(&v3, "validation").is_subset(&val1));
    assert!(ids(&v3, "train").is_subset(&train1));
    let kept: Vec<InspectedExample> = read_jsonl(&v3.join("train.jsonl"))
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    assert!(kept.iter().all(|e| e.score >= 0.95));
    let _ = BTreeMap::<u8, u8>::new();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_generates_with_the_key_from_the_environment_and_never_prints_it() {
    let s = setup(false).await;
    let cfg = s.data.parent().unwrap().join("job.toml");
    std::fs::write(
        &cfg,
        "[network]\nallow_cidrs = [\"127.0.0.1/32\"]\n[spider]\nper_host_rps = 500.0\n\
         [llm]\ntimeout_secs = 1.0\nmax_retries = 1\nmax_invalid_retries = 1\nbackoff_base_ms = 20\n",
    )
    .unwrap();
    // A template of the user's own, in a directory of its own.
    let tdir = s.data.parent().unwrap().join("templates");
    std::fs::create_dir_all(&tdir).unwrap();
    let faq = std::fs::read_to_string(repo().join("shared/templates/qa.toml"))
        .unwrap()
        .replace("name = \"qa\"", "name = \"faq\"")
        .replace(
            "Write {{ n }} question",
            "Write {{ n }} frequently asked question",
        );
    std::fs::write(tdir.join("faq.toml"), faq).unwrap();
    let listed = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args(["templates", "--template", tdir.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("== faq (v1, ") && listed.contains("frequently asked question"),
        "{listed}"
    );
    assert!(listed.contains("== qa (v1, built-in"), "{listed}");

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args([
            "run",
            s.list.to_str().unwrap(),
            "--data-dir",
            s.data.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ])
        .args([
            "--llm-base-url",
            &format!("{}/v1", s.llm.uri()),
            "--llm-model",
            MODEL,
            "--format",
            "openai",
            "-vv",
            "--template",
            tdir.to_str().unwrap(),
            "--judge",
        ])
        .env("DATAFACTORY_LLM_API_KEY", KEY)
        .env_remove("OPENAI_API_KEY")
        .output()
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("examples:") && stdout.contains("passed inspection"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "key printed"
    );
    assert_key_nowhere(&s.data);
    let job = stdout.split_whitespace().nth(1).unwrap().to_string();
    let export = PathBuf::from(
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("export:"))
            .unwrap()
            .trim(),
    );
    let train = read_jsonl(&export.join("train.jsonl"));
    assert!(!train.is_empty());
    for e in &train {
        assert_eq!(e["template"], "faq");
        assert_eq!(e["scores"]["judge"], 1.0, "the fake judge says 5/5: {e}");
    }

    // Re-export in another format with a minimum score: no call.
    let calls = llm_calls(&s).await.len();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args([
            "export",
            &job,
            "--data-dir",
            s.data.to_str().unwrap(),
            "--format",
            "alpaca",
            "--min-score",
            "0.8",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("/v2"), "{stdout}");
    assert_eq!(llm_calls(&s).await.len(), calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_without_json_schema_get_json_object_instead() {
    let s = setup_with(false, true).await;
    let r = runner(&s);
    let mut cfg = gen_config(&s);
    cfg.llm.concurrency = 1;
    let out = r
        .run(&s.list, cfg, Arc::new(NoProgress), |_, _| {})
        .await
        .unwrap();
    assert!(out.summary.counter(Stage::Factory, "examples") >= 10);
    let formats: Vec<String> = llm_calls(&s)
        .await
        .iter()
        .map(|c| {
            let v: Value = serde_json::from_slice(&c.body).unwrap();
            v["response_format"]["type"]
                .as_str()
                .unwrap_or("none")
                .to_string()
        })
        .collect();
    // Refused once, then remembered: every later request asks for a JSON object.
    assert_eq!(formats[0], "json_schema");
    assert!(
        formats[1..].iter().all(|f| f == "json_object"),
        "{formats:?}"
    );
}
