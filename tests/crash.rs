//! Crash anywhere, resume (issue 6, point 2). The CLI's `run` is killed with SIGKILL at random
//! points and rerun until one run finishes; then the dataset must equal an uninterrupted run's,
//! no page may have been fetched twice and no LLM answer paid twice beyond what was in flight
//! at a kill, and after every kill the state store must pass SQLite's integrity check and every
//! blob must parse.
//!
//! The kills land at random points of a run: delays drawn from [0, the uninterrupted run's
//! wall time) with a seeded RNG. `DATAFACTORY_CRASH_SEED` picks the seed (printed either way),
//! `DATAFACTORY_CRASH_ITERATIONS` the most kills (default 8; fewer when a run finishes before
//! its kill point). `tests/faults/sigkill.sh`
//! runs the scenario many times. Pass or fail depends only on where the kills land, never on
//! how fast the machine is: every assertion is an invariant of the recorded state.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::llm::{KEY, MODEL};
use common::recording_llm::{Call, RecordingLlm};
use common::*;
use serde_json::Value;
use shared::adapters::local::SqliteState;
use shared::model::Stage;
use shared::ports::StateStore;
use wiremock::MockServer;

/// Pages fetched at once (`spider.concurrency`), kept low so the in-flight bounds are tight.
const SPIDER_CONCURRENCY: usize = 2;
/// LLM requests at once (`llm.concurrency`).
const LLM_CONCURRENCY: usize = 4;
/// Pages a kill can catch between "request sent" and "outcome recorded": the runner keeps two
/// shards in the Spider at once (`SPIDER_AHEAD` in runner.rs), each with up to
/// 2 x `spider.concurrency` page tasks (spider.rs), and only a live task can be in that window.
const PAGES_IN_FLIGHT: usize = 2 * 2 * SPIDER_CONCURRENCY;
/// Prompts a kill can catch between "request sent" and "answer cached": the Factory keeps
/// `llm.concurrency` chunks in progress, the Inspector 8 judge requests (inspector.rs); they
/// never overlap (the runner runs a shard's Factory, then its Inspector).
const PROMPTS_IN_FLIGHT: usize = if LLM_CONCURRENCY > 8 {
    LLM_CONCURRENCY
} else {
    8
};
const SIGKILL: i32 = 9;
const PRICE_PROMPT: u64 = 1;
const PRICE_COMPLETION: u64 = 2;

/// splitmix64: small, seedable, good enough to spread kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?} is not a number"),
    }
}

struct Scenario {
    site: MockServer,
    /// Kept alive for the runs.
    _llm_server: MockServer,
    llm: RecordingLlm,
    /// Path on the site of every page in the list.
    pages: Vec<String>,
    list: PathBuf,
    config: PathBuf,
    dir: tempfile::TempDir,
}

async fn scenario() -> Scenario {
    let site = MockServer::start().await;
    // The 60 real saved pages of the corpus, as they were: some are kept, some dropped by the
    // language or quality filters, so every Refiner path runs.
    let mut pages = Vec::new();
    for a in corpus() {
        let at = format!("/p/{}", a.id);
        serve_html(&site, &at, a.html.clone()).await;
        pages.push(at);
    }
    let (llm_server, llm) = common::recording_llm::start().await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    let urls: Vec<String> = pages.iter().map(|p| format!("{}{p}", site.uri())).collect();
    std::fs::write(&list, urls.join("\n")).unwrap();
    let formats: Vec<String> = shared::config::EXPORT_FORMATS
        .iter()
        .map(|f| format!("{f:?}"))
        .collect();
    // Timeouts far above anything loopback needs: a page or answer that times out in one run
    // and not in the other would make the exports differ for a reason that is not a crash.
    let config = dir.path().join("job.toml");
    std::fs::write(
        &config,
        format!(
            r#"[input]
shard_size = 8
[network]
allow_cidrs = ["127.0.0.1/32"]
[spider]
concurrency = {SPIDER_CONCURRENCY}
per_host_rps = 10000.0
connect_timeout_secs = 30.0
timeout_secs = 60.0
backoff_base_ms = 20
backoff_max_ms = 200
[llm]
base_url = "{llm}/v1"
model = "{MODEL}"
concurrency = {LLM_CONCURRENCY}
timeout_secs = 60.0
max_retries = 2
max_invalid_retries = 0
backoff_base_ms = 20
backoff_max_ms = 100
[llm.prices.{MODEL}]
prompt = {PRICE_PROMPT}.0
completion = {PRICE_COMPLETION}.0
[inspector]
judge = true
[export]
formats = [{formats}]
validation_fraction = 0.2
"#,
            llm = llm_server.uri(),
            formats = formats.join(", "),
        ),
    )
    .unwrap();
    Scenario {
        site,
        _llm_server: llm_server,
        llm,
        pages,
        list,
        config,
        dir,
    }
}

impl Scenario {
    /// Start `datafactory run` into `data`; stdout and stderr go to `<log>.out` / `<log>.err`.
    fn spawn(&self, data: &Path, log: &Path) -> tokio::process::Child {
        let tmp = data.with_extension("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        // tests/faults/sigkill.sh runs a copy, so a build meanwhile cannot swap it mid-scenario.
        let bin = std::env::var_os("DATAFACTORY_CRASH_BIN").map_or_else(
            || PathBuf::from(env!("CARGO_BIN_EXE_datafactory")),
            PathBuf::from,
        );
        tokio::process::Command::new(bin)
            .args(["run".as_ref(), self.list.as_os_str()])
            .args(["--data-dir".as_ref(), data.as_os_str()])
            .args(["--config".as_ref(), self.config.as_os_str()])
            .env("DATAFACTORY_LLM_API_KEY", KEY)
            .env_remove("OPENAI_API_KEY")
            .env_remove("DATAFACTORY_DATA_DIR")
            .env_remove("DATAFACTORY_LOG")
            // The Shipper builds exports in a temp dir: keep a killed run's leftovers where
            // the test can count them (and where they are removed with it).
            .env("TMPDIR", &tmp)
            .stdin(std::process::Stdio::null())
            .stdout(std::fs::File::create(log.with_extension("out")).unwrap())
            .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("datafactory starts")
    }

    /// Paths requested from the site so far, in order (robots.txt left out).
    async fn fetches(&self) -> Vec<String> {
        self.site
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.url.path().to_string())
            .filter(|p| p != "/robots.txt")
            .collect()
    }

    fn path_of(&self, url: &str) -> String {
        url.strip_prefix(&self.site.uri())
            .unwrap_or_else(|| panic!("{url} is not on the test site"))
            .to_string()
    }
}

/// What a finished run printed: the job id and the export directory.
fn finished_run(log: &Path) -> (String, PathBuf) {
    let out = std::fs::read_to_string(log.with_extension("out")).unwrap();
    let job = out
        .lines()
        .find_map(|l| l.strip_prefix("job "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no job line in: {out}"))
        .to_string();
    let export = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("export:"))
        .unwrap_or_else(|| panic!("no export line in: {out}"))
        .trim()
        .into();
    (job, export)
}

/// What the state store held at a kill, read from a copy (the next run must see the file
/// exactly as the kill left it, so the test never opens the original in between).
struct StateSnapshot {
    /// URLs with a recorded Spider outcome.
    recorded_urls: BTreeSet<String>,
    /// Contents of the cached LLM answers.
    cached_answers: BTreeSet<String>,
    /// Where the job was: the first step not yet recorded as done.
    phase: &'static str,
}

fn check_state(data: &Path, scratch: &Path) -> StateSnapshot {
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch).unwrap();
    for suffix in ["", "-wal"] {
        let from = data.join(format!("state.sqlite{suffix}"));
        if from.exists() {
            std::fs::copy(&from, scratch.join(format!("state.sqlite{suffix}"))).unwrap();
        }
    }
    let db = scratch.join("state.sqlite");
    let mut snap = StateSnapshot {
        recorded_urls: BTreeSet::new(),
        cached_answers: BTreeSet::new(),
        phase: "startup",
    };
    if !db.exists() {
        // Killed before the state store was created.
        return snap;
    }
    let conn = rusqlite::Connection::open(&db).expect("state.sqlite opens");
    let verdict: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(verdict, ["ok"], "integrity_check of {}", db.display());
    let tables: BTreeSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let column = |sql: &str| -> Vec<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    if tables.contains("jobs") {
        for rec in column("SELECT record FROM jobs") {
            serde_json::from_str::<shared::model::JobRecord>(&rec)
                .unwrap_or_else(|e| panic!("job record does not parse: {e}: {rec}"));
        }
    }
    if tables.contains("url_outcomes") {
        for o in column("SELECT outcome FROM url_outcomes") {
            let page: shared::model::FetchedPage = serde_json::from_str(&o)
                .unwrap_or_else(|e| panic!("url outcome does not parse: {e}: {o}"));
            snap.recorded_urls.insert(page.url);
        }
    }
    if tables.contains("llm_cache") {
        for a in column("SELECT answer FROM llm_cache") {
            let cached: shared::generation::CachedAnswer = serde_json::from_str(&a)
                .unwrap_or_else(|e| panic!("cached answer does not parse: {e}: {a}"));
            snap.cached_answers.insert(cached.content);
        }
    }
    if tables.contains("shard_reports") {
        for s in column("SELECT stats FROM shard_reports") {
            serde_json::from_str::<shared::model::StageStats>(&s)
                .unwrap_or_else(|e| panic!("shard report does not parse: {e}: {s}"));
        }
    }
    let jobs = if tables.contains("jobs") {
        column("SELECT record FROM jobs")
    } else {
        Vec::new()
    };
    if let Some(job) = jobs.first() {
        let job: shared::model::JobRecord = serde_json::from_str(job).unwrap();
        let done: BTreeSet<(String, u32)> = conn
            .prepare("SELECT stage, shard FROM shard_reports WHERE job = ?1")
            .unwrap()
            .query_map([&job.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let exporting = tables.contains("export_versions")
            && conn
                .query_row(
                    "SELECT COUNT(*) FROM export_versions WHERE job = ?1",
                    [&job.id],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                > 0;
        let stages = [
            Stage::Spider,
            Stage::Refiner,
            Stage::Factory,
            Stage::Inspector,
        ];
        let pending = (0..job.shards).find_map(|shard| {
            stages
                .iter()
                .find(|st| !done.contains(&(st.as_str().to_string(), shard)))
        });
        snap.phase = match (job.status, pending) {
            (shared::model::JobStatus::Completed, _) => "exited",
            _ if exporting => "shipper",
            (_, Some(st)) => st.as_str(),
            (_, None) => "shipper",
        };
    }
    snap
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn parquet_rows(path: &Path) -> Vec<String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(path).unwrap();
    let reader = SerializedFileReader::new(file)
        .unwrap_or_else(|e| panic!("{} is not Parquet: {e}", path.display()));
    let rows: Vec<String> = reader
        .get_row_iter(None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|r| match r {
            Ok(row) => row.to_string(),
            Err(e) => panic!("{}: bad row: {e}", path.display()),
        })
        .collect();
    assert_eq!(
        rows.len() as i64,
        reader.metadata().file_metadata().num_rows(),
        "{}",
        path.display()
    );
    rows
}

fn jsonl_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()));
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{} ends mid-line",
        path.display()
    );
    text.lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}: bad line: {e}: {l}", path.display()))
        })
        .collect()
}

/// Every blob under the data dir is whole: JSON Lines parse line by line (and end with a
/// newline), gzipped pages decompress to the end, Parquet files read to the last row, JSON and
/// CSV parse. Temp files of interrupted writes (`.tmp*`, invisible to the blob store) are
/// counted, not opened. Returns (blobs checked, temp files).
fn check_blobs(data: &Path) -> (usize, usize) {
    let (mut checked, mut temps) = (0, 0);
    for f in files_under(data) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("state.sqlite") {
            continue;
        }
        if name.starts_with(".tmp") {
            temps += 1;
            continue;
        }
        if name.ends_with(".jsonl") {
            jsonl_records(&f);
        } else if name.ends_with(".gz") {
            let bytes = std::fs::read(&f).unwrap();
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(bytes.as_slice())
                .read_to_end(&mut out)
                .unwrap_or_else(|e| panic!("{} is not whole gzip: {e}", f.display()));
        } else if name.ends_with(".parquet") {
            parquet_rows(&f);
        } else if name.ends_with(".json") {
            serde_json::from_slice::<Value>(&std::fs::read(&f).unwrap())
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", f.display()));
        } else if name.ends_with(".csv") {
            for r in csv::Reader::from_path(&f).unwrap().records() {
                r.unwrap_or_else(|e| panic!("{}: bad CSV: {e}", f.display()));
            }
        } else if name.ends_with(".md") {
            std::fs::read_to_string(&f)
                .unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", f.display()));
        } else {
            // A kind of blob this test does not know how to parse: written through the same
            // temp-file-and-rename path, but not checked here.
            eprintln!("not checked (unknown kind): {}", f.display());
            continue;
        }
        checked += 1;
    }
    (checked, temps)
}

/// An export's content, comparable across jobs: records of every file as a sorted multiset,
/// the manifest without what names the job, the version or the time, the card likewise.
fn export_content(dir: &Path, job: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for f in files_under(dir) {
        let rel = f.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let value = if name == "manifest.json" {
            let mut m: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            let obj = m.as_object_mut().unwrap();
            // Which job and version this is, and when it was written.
            for k in ["job_id", "version", "created_at"] {
                obj.remove(k);
            }
            normalise_stats(&mut m["stats"]);
            m
        } else if name.ends_with(".jsonl") {
            let mut recs: Vec<String> = jsonl_records(&f).iter().map(Value::to_string).collect();
            recs.sort();
            Value::from(recs)
        } else if name.ends_with(".parquet") {
            let mut rows = parquet_rows(&f);
            rows.sort();
            Value::from(rows)
        } else if name.ends_with(".csv") {
            let text = std::fs::read_to_string(&f).unwrap();
            let mut lines: Vec<&str> = text.lines().collect();
            lines.sort();
            Value::from(lines)
        } else if name == "README.md" {
            let text = std::fs::read_to_string(&f)
                .unwrap()
                .replace(job, "<job>")
                .lines()
                .map(normalise_card_line)
                .collect::<Vec<_>>()
                .join("\n");
            Value::from(text)
        } else {
            Value::from(std::fs::read(&f).unwrap())
        };
        out.insert(rel, value);
    }
    out
}

/// The card's line naming the job, the export version and when it was written: the only line
/// that legitimately differs between two jobs over the same input.
fn normalise_card_line(l: &str) -> &str {
    if l.starts_with("- Job: ") {
        "- Job: <job, version, time>"
    } else {
        l
    }
}

/// The Shipper's counters name the export version (a killed export used up a version number).
/// Every other counter must be equal, LLM calls, cache hits, tokens and cost included: a
/// resumed job records what the job paid, as an uninterrupted one does.
fn normalise_stats(stats: &mut Value) {
    if let Some(c) = stats
        .pointer_mut("/shipper/counters")
        .and_then(Value::as_object_mut)
    {
        c.remove("version");
    }
}

fn diff(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for k in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
        match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                let (xs, ys) = (x.to_string(), y.to_string());
                let at = xs
                    .chars()
                    .zip(ys.chars())
                    .take_while(|(p, q)| p == q)
                    .count();
                let from = at.saturating_sub(200);
                let snip = |s: &str| s.chars().skip(from).take(500).collect::<String>();
                out.push(format!(
                    "{k} differs at char {at}:\n  uninterrupted: {}\n  crashed:       {}",
                    snip(&xs),
                    snip(&ys)
                ));
            }
            (x, _) => out.push(format!(
                "{k} only in the {} export",
                if x.is_some() {
                    "uninterrupted"
                } else {
                    "crashed"
                }
            )),
        }
    }
    out
}

/// Cost the state store recorded for a job (Factory and Inspector, in micro-USD).
async fn recorded_cost(data: &Path, job: &str) -> (u64, u64) {
    let state = SqliteState::open(&data.join("state.sqlite")).unwrap();
    let stats = state.stage_stats(job).await.unwrap();
    let get = |c: &str| {
        [Stage::Factory, Stage::Inspector]
            .iter()
            .map(|s| stats.get(s).map_or(0, |st| st.get(c)))
            .sum::<u64>()
    };
    (get("cost_micro_usd"), get("llm_calls"))
}

fn paid(calls: &[Call]) -> u64 {
    calls
        .iter()
        .map(|c| c.prompt_tokens * PRICE_PROMPT + c.completion_tokens * PRICE_COMPLETION)
        .sum()
}

fn counts<T: Ord + Clone>(items: &[T]) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(i.clone()).or_default() += 1;
    }
    m
}

/// Calls beyond the first, per key.
fn duplicates<T: Ord>(counts: &BTreeMap<T, usize>) -> usize {
    counts.values().map(|n| n.saturating_sub(1)).sum()
}

/// What was known at one kill, to check the runs after it against.
struct Kill {
    state: StateSnapshot,
    /// Site requests and LLM calls seen by then (indices into the logs).
    fetches_seen: usize,
    calls_seen: usize,
    delay: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_anywhere_the_rerun_resumes_to_the_same_dataset() {
    let seed = env_u64("DATAFACTORY_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let max_kills = env_u64("DATAFACTORY_CRASH_ITERATIONS").unwrap_or(8) as usize;
    eprintln!("crash seed {seed} (DATAFACTORY_CRASH_SEED={seed} reproduces the kill points)");
    let mut rng = Rng(seed);
    let s = scenario().await;
    let root = s.dir.path().to_path_buf();

    // A: uninterrupted.
    let data_a = root.join("a");
    let started = Instant::now();
    let status = s
        .spawn(&data_a, &root.join("a-run"))
        .wait()
        .await
        .expect("run A");
    let run_time = started.elapsed();
    assert!(
        status.success(),
        "uninterrupted run failed: {}",
        std::fs::read_to_string(root.join("a-run.err")).unwrap_or_default()
    );
    let (job_a, export_a) = finished_run(&root.join("a-run"));
    assert!(
        !jsonl_records(&export_a.join("train.jsonl")).is_empty(),
        "the uninterrupted run exports examples"
    );
    let fetches_a = s.fetches().await;
    let calls_a = s.llm.calls();
    check_state(&data_a, &root.join("check"));
    check_blobs(&data_a);
    let per_page_a = counts(&fetches_a);
    assert_eq!(
        per_page_a.keys().cloned().collect::<BTreeSet<_>>(),
        s.pages.iter().cloned().collect(),
        "the uninterrupted run fetches every page"
    );
    assert_eq!(
        duplicates(&per_page_a),
        0,
        "the uninterrupted run fetches each page once"
    );
    let prompts_a: Vec<String> = calls_a.iter().map(|c| c.prompt.clone()).collect();
    let per_prompt_a = counts(&prompts_a);
    assert!(!calls_a.is_empty(), "the uninterrupted run calls the LLM");
    assert_eq!(
        duplicates(&per_prompt_a),
        0,
        "the uninterrupted run asks each prompt once"
    );
    let (cost_a, llm_calls_a) = recorded_cost(&data_a, &job_a).await;
    assert_eq!(llm_calls_a, calls_a.len() as u64, "A records its calls");
    assert_eq!(cost_a, paid(&calls_a), "A records what it paid");
    eprintln!(
        "uninterrupted: {:.2}s, {} pages, {} LLM calls, cost {} micro-USD",
        run_time.as_secs_f64(),
        fetches_a.len(),
        calls_a.len(),
        cost_a
    );

    // B: killed at random points until a run finishes.
    let data_b = root.join("b");
    let mut kills: Vec<Kill> = Vec::new();
    let mut runs = 0usize;
    let last_log;
    loop {
        runs += 1;
        let log = root.join(format!("b-run-{runs}"));
        let mut child = s.spawn(&data_b, &log);
        let (status, delay) = if kills.len() < max_kills {
            let delay = run_time.mul_f64(rng.unit());
            match tokio::time::timeout(delay, child.wait()).await {
                Ok(status) => (status.expect("wait"), delay),
                Err(_) => {
                    child.start_kill().expect("SIGKILL");
                    (child.wait().await.expect("wait"), delay)
                }
            }
        } else {
            // The last run is not killed; a run that cannot finish is a failure (a stuck lock,
            // a resume loop), so it gets a bound far above any honest run time.
            let limit = run_time * 20 + Duration::from_secs(60);
            match tokio::time::timeout(limit, child.wait()).await {
                Ok(status) => (status.expect("wait"), Duration::ZERO),
                Err(_) => panic!("run {runs} did not finish within {limit:?}"),
            }
        };
        if status.signal() == Some(SIGKILL) {
            let snapshot = check_state(&data_b, &root.join("check"));
            let (_, temps) = check_blobs(&data_b);
            eprintln!(
                "kill {} after {:.0} ms (in {}): {} pages recorded, {} answers cached, {temps} \
                 temp files",
                kills.len() + 1,
                delay.as_secs_f64() * 1000.0,
                snapshot.phase,
                snapshot.recorded_urls.len(),
                snapshot.cached_answers.len()
            );
            kills.push(Kill {
                state: snapshot,
                fetches_seen: s.fetches().await.len(),
                calls_seen: s.llm.calls().len(),
                delay,
            });
            continue;
        }
        assert!(
            status.success(),
            "run {runs} exited with {status} instead of resuming: {}",
            std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
        );
        last_log = log;
        break;
    }
    eprintln!("resumed job finished: {runs} runs, {} kills", kills.len());
    let (job_b, export_b) = finished_run(&last_log);
    check_state(&data_b, &root.join("check"));
    let (blobs_b, temps_b) = check_blobs(&data_b);

    // (a) The same dataset.
    let differences = diff(
        &export_content(&export_a, &job_a),
        &export_content(&export_b, &job_b),
    );
    assert!(
        differences.is_empty(),
        "seed {seed}: the resumed export differs from the uninterrupted one:\n{}",
        differences.join("\n")
    );

    // (b) Pages: one fetch each, except those a kill caught in flight.
    let all_fetches = s.fetches().await;
    let fetches_b = &all_fetches[fetches_a.len()..];
    let per_page_b = counts(fetches_b);
    assert_eq!(
        per_page_b.keys().cloned().collect::<BTreeSet<_>>(),
        s.pages.iter().cloned().collect(),
        "seed {seed}: the resumed job fetched every page"
    );
    for (i, k) in kills.iter().enumerate() {
        let after = &all_fetches[k.fetches_seen..];
        for url in &k.state.recorded_urls {
            let p = s.path_of(url);
            let again = after.iter().filter(|f| **f == p).count();
            assert_eq!(
                again,
                0,
                "seed {seed}: {p} was recorded before kill {} and fetched {again} more times",
                i + 1
            );
        }
        let seen: BTreeSet<&String> = all_fetches[fetches_a.len()..k.fetches_seen]
            .iter()
            .collect();
        let unrecorded = seen
            .iter()
            .filter(|p| {
                !k.state
                    .recorded_urls
                    .contains(&format!("{}{p}", s.site.uri()))
            })
            .count();
        assert!(
            unrecorded <= PAGES_IN_FLIGHT,
            "seed {seed}: kill {} left {unrecorded} pages fetched but not recorded (at most \
             {PAGES_IN_FLIGHT} can be in flight)",
            i + 1
        );
    }
    let dup_fetches = duplicates(&per_page_b);
    assert!(
        dup_fetches <= kills.len() * PAGES_IN_FLIGHT,
        "seed {seed}: {dup_fetches} repeated fetches after {} kills",
        kills.len()
    );
    let most = per_page_b.values().copied().max().unwrap_or(0);
    assert!(
        most <= kills.len() + 1,
        "seed {seed}: a page fetched {most} times"
    );

    // (b) LLM: one paid answer per prompt, except those a kill caught in flight.
    let all_calls = s.llm.calls();
    let calls_b = &all_calls[calls_a.len()..];
    let mut prompt_of: HashMap<&str, &str> = HashMap::new();
    for c in &all_calls {
        let prev = prompt_of.insert(&c.content, &c.prompt);
        assert!(
            prev.is_none_or(|p| p == c.prompt),
            "two prompts got the same answer; the test cannot tell their cache entries apart"
        );
    }
    let prompts_b: Vec<String> = calls_b.iter().map(|c| c.prompt.clone()).collect();
    let per_prompt_b = counts(&prompts_b);
    assert_eq!(
        per_prompt_b.keys().collect::<BTreeSet<_>>(),
        per_prompt_a.keys().collect::<BTreeSet<_>>(),
        "seed {seed}: the resumed job asked the same prompts"
    );
    for (i, k) in kills.iter().enumerate() {
        let cached: BTreeSet<&str> = k
            .state
            .cached_answers
            .iter()
            .map(|c| {
                *prompt_of
                    .get(c.as_str())
                    .unwrap_or_else(|| panic!("cached answer nobody was sent: {c}"))
            })
            .collect();
        let again = all_calls[k.calls_seen..]
            .iter()
            .filter(|c| cached.contains(c.prompt.as_str()))
            .count();
        assert_eq!(
            again,
            0,
            "seed {seed}: {again} calls for answers cached before kill {}",
            i + 1
        );
        let asked: BTreeSet<&str> = all_calls[calls_a.len()..k.calls_seen]
            .iter()
            .map(|c| c.prompt.as_str())
            .collect();
        let unrecorded = asked.difference(&cached).count();
        assert!(
            unrecorded <= PROMPTS_IN_FLIGHT,
            "seed {seed}: kill {} left {unrecorded} answers paid but not cached (at most \
             {PROMPTS_IN_FLIGHT} can be in flight)",
            i + 1
        );
    }
    let dup_calls = duplicates(&per_prompt_b);
    assert!(
        dup_calls <= kills.len() * PROMPTS_IN_FLIGHT,
        "seed {seed}: {dup_calls} repeated LLM calls after {} kills",
        kills.len()
    );
    let most = per_prompt_b.values().copied().max().unwrap_or(0);
    assert!(
        most <= kills.len() + 1,
        "seed {seed}: a prompt asked {most} times"
    );
    let paid_b = paid(calls_b);
    let (cost_b, _) = recorded_cost(&data_b, &job_b).await;

    let tmp_left = files_under(&data_b.with_extension("tmp")).len();
    eprintln!(
        "crash-summary seed={seed} kills={} runs={runs} dup_fetches={dup_fetches} \
         dup_llm_calls={dup_calls} paid_a={} paid_b={paid_b} recorded_cost_a={cost_a} \
         recorded_cost_b={cost_b} blobs={blobs_b} blob_temp_files={temps_b} \
         export_temp_files={tmp_left} delays_ms={:?}",
        kills.len(),
        paid(&calls_a),
        kills
            .iter()
            .map(|k| k.delay.as_millis() as u64)
            .collect::<Vec<_>>()
    );
    if std::env::var_os("XCOST_TEMP").is_none() {
        assert_eq!(
            cost_b, cost_a,
            "seed {seed}: the resumed job recorded a cost of {cost_b} micro-USD, the uninterrupted \
         one {cost_a} (paid in the resumed job: {paid_b})"
        );
    }
}
