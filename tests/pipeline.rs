//! The pipeline end to end on the embedded default, against a loopback site serving every
//! kind of page the web throws at a crawler. Assertions are what a user would see: which
//! pages were kept, which dropped and why, what the export holds.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use shared::adapters::local::runner::{LocalRunner, RunOutcome};
use shared::model::{FetchedPage, JobStatus, Stage};
use shared::ports::StateStore;
use shared::stages::NoProgress;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Fixture {
    server: MockServer,
    urls: Vec<String>,
    articles: Vec<Article>,
}

impl Fixture {
    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.server.uri())
    }
}

/// Every fixture page on one server; `urls` is the list given to the job, in order.
async fn fixture_site() -> Fixture {
    let server = MockServer::start().await;
    let articles = english_articles();
    assert!(
        articles.len() >= 12,
        "need English corpus articles, got {}",
        articles.len()
    );
    robots(&server, "User-agent: *\nDisallow: /private/\n").await;
    let mut paths = Vec::new();
    for (i, a) in articles.iter().take(6).enumerate() {
        let html = article_html(&format!("Story {i}"), &a.paragraphs());
        serve_html(&server, &format!("/a/{i}"), html).await;
        paths.push(format!("/a/{i}"));
    }
    // Exact copy of /a/0 elsewhere; near copy of /a/1 (one word changed, one sentence added).
    serve_html(
        &server,
        "/copy-exact",
        article_html("Story 0", &articles[0].paragraphs()),
    )
    .await;
    let mut near: Vec<String> = articles[1]
        .paragraphs()
        .iter()
        .map(|p| p.to_string())
        .collect();
    near[0] = near[0].replacen(' ', " indeed ", 1);
    near.push("This story was updated with a correction.".to_string());
    let near_refs: Vec<&str> = near.iter().map(String::as_str).collect();
    serve_html(
        &server,
        "/copy-near",
        article_html("Story 1, updated", &near_refs),
    )
    .await;
    let french: Vec<&str> = FRENCH.split('\n').collect();
    serve_html(&server, "/fr", article_html("Conseil municipal", &french)).await;
    serve_html(
        &server,
        "/private/secret",
        article_html("Secret", &articles[6].paragraphs()),
    )
    .await;

    // 429 with Retry-After once, then the page; 500 once, then the page.
    Mock::given(method("GET"))
        .and(path("/retry-after"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_html(
        &server,
        "/retry-after",
        article_html("Patience", &articles[7].paragraphs()),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_html(
        &server,
        "/flaky",
        article_html("Flaky", &articles[8].paragraphs()),
    )
    .await;

    Mock::given(method("GET"))
        .and(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(article_html("Slow", &articles[9].paragraphs()), "text/html")
                .set_delay(Duration::from_secs(6)),
        )
        .mount(&server)
        .await;
    let huge = format!(
        "<html><body><p>{}</p></body></html>",
        "big ".repeat(800_000)
    );
    serve_html(&server, "/huge", huge).await;
    serve(
        &server,
        "/doc.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
        "application/pdf",
    )
    .await;
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend((0..4000u32).map(|i| (i * 7 % 251) as u8));
    serve(&server, "/binary", binary, "text/html").await;
    for (at, to) in [
        (
            "/to-metadata",
            "http://169.254.169.254/latest/meta-data/".to_string(),
        ),
        (
            "/to-other-loopback",
            format!("http://127.0.0.2:{}/a/0", server.address().port()),
        ),
        ("/loop", "/loop".to_string()),
    ] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(302).insert_header("location", to.as_str()))
            .mount(&server)
            .await;
    }
    // English with accents, in windows-1252, while header and <meta> claim UTF-8.
    let mut accented: Vec<String> = articles[10]
        .paragraphs()
        .iter()
        .map(|p| p.to_string())
        .collect();
    accented.push(
        "After the match the café owner served a naïve crème brûlée to everyone.".to_string(),
    );
    let accented_refs: Vec<&str> = accented.iter().map(String::as_str).collect();
    let latin1_html = article_html("Café", &accented_refs);
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&latin1_html);
    serve_html(&server, "/latin1", latin1.into_owned()).await;
    Mock::given(method("GET"))
        .and(path("/always-500"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    serve_html(
        &server,
        "/menu",
        "<html><body><nav><a href='/'>Home</a> <a href='/x'>Shop</a></nav></body></html>",
    )
    .await;

    paths.extend(
        [
            "/copy-exact",
            "/copy-near",
            "/fr",
            "/private/secret",
            "/retry-after",
            "/flaky",
            "/slow",
            "/huge",
            "/doc.pdf",
            "/binary",
            "/to-metadata",
            "/to-other-loopback",
            "/loop",
            "/latin1",
            "/gone",
            "/menu",
            "/always-500",
        ]
        .map(String::from),
    );
    let uri = server.uri();
    let urls = paths.iter().map(|p| format!("{uri}{p}")).collect();
    Fixture {
        server,
        urls,
        articles,
    }
}

fn write_list(dir: &std::path::Path, lines: &[String]) -> std::path::PathBuf {
    let p = dir.join("urls.txt");
    std::fs::write(&p, lines.join("\n")).unwrap();
    p
}

async fn run(runner: &LocalRunner, list: &std::path::Path, cfg: shared::JobConfig) -> RunOutcome {
    runner
        .run(list, cfg, Arc::new(NoProgress), |_, _| {})
        .await
        .expect("job completes")
}

/// url -> reason it is not in the dataset (spider or refiner), or "kept".
async fn outcomes(
    runner: &LocalRunner,
    job: &shared::model::JobRecord,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for shard in 0..job.shards {
        let key = shared::keys::raw_pages(&job.id, shard);
        let bytes = std::fs::read(runner.data_dir().join(&key)).unwrap();
        for p in shared::jsonl::parse::<FetchedPage>(&bytes, &key).unwrap() {
            out.insert(
                p.url.clone(),
                p.reason.clone().unwrap_or_else(|| "kept".to_string()),
            );
        }
    }
    for e in runner
        .state
        .item_errors(&job.id, Stage::Refiner, 10_000)
        .await
        .unwrap()
    {
        out.insert(e.item.clone(), e.reason.clone());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_kept_or_dropped_with_its_reason() {
    let site = fixture_site().await;
    let dir = tempfile::tempdir().unwrap();
    let mut lines = site.urls.clone();
    lines.push("# a comment".into());
    lines.push(format!("{}#again", site.url("/a/0")));
    lines.push("ftp://example.com/file".into());
    lines.push("not a url".into());
    let list = write_list(dir.path(), &lines);
    let mut cfg = test_config();
    cfg.spider.max_body_bytes = 1024 * 1024;
    cfg.spider.max_redirects = 3;
    let runner = LocalRunner::open(&dir.path().join("data")).unwrap();
    let out = run(&runner, &list, cfg).await;
    assert_eq!(out.job.status, JobStatus::Completed);

    let got = outcomes(&runner, &out.job).await;
    let expect = |p: &str, reason: &str| {
        let url = site.url(p);
        assert_eq!(
            got.get(&url).map(String::as_str),
            Some(reason),
            "{p}: {got:#?}"
        );
    };
    for i in 0..6 {
        expect(&format!("/a/{i}"), "kept");
    }
    expect("/copy-exact", "duplicate: exact");
    expect("/copy-near", "duplicate: near");
    expect("/fr", "filter: language");
    expect("/private/secret", "blocked: robots.txt");
    expect("/retry-after", "kept");
    expect("/flaky", "kept");
    expect("/slow", "timeout");
    expect("/huge", "too large");
    expect("/doc.pdf", "skipped: not html");
    expect("/binary", "skipped: binary content");
    expect("/to-metadata", "blocked: private address");
    expect("/to-other-loopback", "blocked: private address");
    expect("/loop", "too many redirects");
    expect("/latin1", "kept");
    expect("/gone", "http 404");
    expect("/always-500", "http 5xx");
    // A navigation-only page: no main text, or too little to pass a filter.
    let menu = &got[&site.url("/menu")];
    assert!(
        menu.starts_with("filter: ") || menu == "no main text",
        "{menu}"
    );
    assert_eq!(
        got.len(),
        site.urls.len(),
        "every listed URL accounted for once"
    );

    // Retries happened, and only as often as needed.
    let requests = site.server.received_requests().await.unwrap();
    let hits = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    assert_eq!(hits("/retry-after"), 2);
    assert_eq!(hits("/flaky"), 2);
    assert_eq!(hits("/gone"), 1, "4xx is not retried");
    assert_eq!(hits("/always-500"), 4, "1 attempt + spider.max_retries (3)");
    assert_eq!(hits("/robots.txt"), 1, "robots.txt fetched once per host");
    assert_eq!(
        hits("/private/secret"),
        0,
        "disallowed pages are never requested"
    );

    // The summary counts agree with the outcomes.
    let s = &out.summary;
    assert_eq!(s.counter(Stage::Input, "lines_refused"), 2);
    assert_eq!(s.counter(Stage::Input, "duplicate_urls"), 1);
    let fetched = s.counter(Stage::Spider, "fetched");
    assert_eq!(
        fetched + s.counter(Stage::Spider, "failed") + s.counter(Stage::Spider, "skipped"),
        site.urls.len() as u64
    );
    assert_eq!(
        s.counter(Stage::Refiner, "documents_kept")
            + s.counter(Stage::Refiner, "documents_dropped"),
        fetched
    );
    assert_eq!(s.counter(Stage::Refiner, "duplicates"), 2);
    let text = s.render();
    for needle in [
        "timeout",
        "blocked: robots.txt",
        "duplicates: 2 removed (1 exact, 1 near)",
        "examples:",
        "export:",
    ] {
        assert!(text.contains(needle), "summary lacks {needle:?}:\n{text}");
    }

    // The export: only kept pages, main text without boilerplate, correct decoding.
    let export = std::path::PathBuf::from(out.job.export.clone().unwrap());
    let records: Vec<serde_json::Value> = ["train", "validation"]
        .iter()
        .flat_map(|s| export_records(&export, s))
        .collect();
    let kept: std::collections::BTreeSet<String> = got
        .iter()
        .filter(|(_, r)| *r == "kept")
        .map(|(u, _)| u.clone())
        .collect();
    let exported: std::collections::BTreeSet<String> = records
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(exported, kept);
    let all_text: String = records
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for b in BOILERPLATE {
        assert!(
            !all_text.contains(b),
            "boilerplate {b:?} leaked into the export"
        );
    }
    assert!(
        all_text.contains("café owner served a naïve crème brûlée"),
        "mis-decoded windows-1252 page"
    );
    // Main text of a kept article made it through.
    let first_para = site.articles[2].paragraphs()[0];
    let probe: String = first_para
        .split_whitespace()
        .take(8)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(all_text.contains(&probe), "article text missing: {probe}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_without_permission() {
    let server = MockServer::start().await;
    serve_html(
        &server,
        "/a",
        article_html("A", &["Some text for the page."]),
    )
    .await;
    let port = server.address().port();
    let dir = tempfile::tempdir().unwrap();
    let list = write_list(
        dir.path(),
        &[
            format!("http://127.0.0.1:{port}/a"),
            format!("http://localhost:{port}/a"),
            format!("http://[::1]:{port}/a"),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://10.0.0.1/".to_string(),
        ],
    );
    let runner = LocalRunner::open(&dir.path().join("data")).unwrap();
    // The default network policy: nothing private.
    let mut cfg = shared::JobConfig::default();
    cfg.spider.connect_timeout_secs = 1.0;
    let out = run(&runner, &list, cfg).await;
    let got = outcomes(&runner, &out.job).await;
    assert_eq!(got.len(), 5);
    for (url, reason) in &got {
        assert_eq!(reason, "blocked: private address", "{url}");
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no request may reach the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerunning_resumes_and_fetches_nothing_twice() {
    let server = MockServer::start().await;
    let urls = serve_articles(&server, "/p", 10).await;
    let dir = tempfile::tempdir().unwrap();
    let list = write_list(dir.path(), &urls);
    let runner = LocalRunner::open(&dir.path().join("data")).unwrap();
    let first = run(&runner, &list, test_config()).await;
    let requests = server.received_requests().await.unwrap().len();
    assert_eq!(requests, 11, "10 pages + robots.txt");

    // Same input, same config: the same job, already complete.
    let again = run(&runner, &list, test_config()).await;
    assert!(again.resumed);
    assert_eq!(again.job.id, first.job.id);
    assert_eq!(server.received_requests().await.unwrap().len(), requests);

    // A job that stopped after fetching (marked failed, refiner output gone) resumes from the
    // stored pages: no request, same records.
    runner
        .state
        .set_job_status(&first.job.id, JobStatus::Failed, Some("killed"), None, 0)
        .await
        .unwrap();
    let resumed = run(&runner, &list, test_config()).await;
    assert_eq!(resumed.job.id, first.job.id);
    assert_eq!(resumed.job.status, JobStatus::Completed);
    assert_eq!(server.received_requests().await.unwrap().len(), requests);
    let v1 = std::path::PathBuf::from(first.job.export.unwrap());
    let v2 = std::path::PathBuf::from(resumed.job.export.unwrap());
    assert!(v2.ends_with("v2"), "{}", v2.display());
    for split in ["train", "validation"] {
        assert_eq!(export_records(&v1, split), export_records(&v2, split));
    }
    // A different config is a different job.
    let mut cfg = test_config();
    cfg.refiner.chunking.max_tokens = 256;
    let other = run(&runner, &list, cfg).await;
    assert!(!other.resumed);
    assert_ne!(other.job.id, first.job.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_and_rate_limit_space_requests_to_a_host() {
    let server = MockServer::start().await;
    robots(&server, "User-agent: *\nCrawl-delay: 0.4\n").await;
    let urls = serve_articles(&server, "/p", 4).await;
    let dir = tempfile::tempdir().unwrap();
    let list = write_list(dir.path(), &urls);
    let runner = LocalRunner::open(&dir.path().join("data")).unwrap();
    let started = std::time::Instant::now();
    let out = run(&runner, &list, test_config()).await;
    assert_eq!(out.summary.counter(Stage::Spider, "fetched"), 4);
    // Four pages at one per 0.4 s cannot take less than 1.2 s, however fast the machine.
    assert!(
        started.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_errors_are_retried_then_recorded() {
    // A port nobody listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let list = write_list(dir.path(), &[format!("http://127.0.0.1:{port}/page")]);
    let runner = LocalRunner::open(&dir.path().join("data")).unwrap();
    let mut cfg = test_config();
    cfg.spider.max_retries = 2;
    cfg.spider.respect_robots = false;
    let out = run(&runner, &list, cfg).await;
    let key = shared::keys::raw_pages(&out.job.id, 0);
    let bytes = std::fs::read(runner.data_dir().join(&key)).unwrap();
    let pages: Vec<FetchedPage> = shared::jsonl::parse(&bytes, &key).unwrap();
    assert_eq!(pages[0].reason.as_deref(), Some("connect error"));
    assert_eq!(pages[0].attempts, 3);
    assert_eq!(
        out.job.status,
        JobStatus::Completed,
        "one bad URL never fails the job"
    );
}
