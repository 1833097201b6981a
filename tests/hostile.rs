//! Hostile pages: each ends as a recorded failure (or a page handled within its bounds) of its
//! own URL, the job completes with the good pages, and the process stays within its memory.
//! The CLI runs as a child process so its peak memory can be read, and so a stack overflow or
//! abort would show as the job failing rather than take the test harness down.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use common::*;
use shared::adapters::local::state::SqliteState;
use shared::model::Stage;
use shared::ports::StateStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Peak resident memory of the process this test runs and waits for, in MiB.
fn children_peak_rss_mib() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN covers waited-for children.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    usage.ru_maxrss as u64 / 1024
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A server that answers slowly on purpose: headers one byte at a time, or a body that
/// trickles, never finishing within any sane timeout.
async fn slow_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                if req.contains("/robots.txt") {
                    // `connection: close`: this server closes after one answer, and a client
                    // that pooled the connection would send the next request into a reset.
                    let _ = sock
                        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                    return;
                }
                let (head, trickle): (&[u8], &[u8]) = if req.contains("/headers") {
                    (
                        b"",
                        b"HTTP/1.1 200 OK\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    )
                } else {
                    (
                        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 1000000\r\n\r\n<html><body><p>",
                        b"slow words arriving one at a time ",
                    )
                };
                if sock.write_all(head).await.is_err() {
                    return;
                }
                for b in trickle.iter().cycle() {
                    if sock.write_all(&[*b]).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn hostile_pages_fail_alone_within_time_and_memory() {
    let site = MockServer::start().await;
    let good = serve_articles(&site, "/good", 4).await;
    // Not one of the good pages' articles, which would make those duplicates of hostile ones.
    let article = english_articles().pop().unwrap();
    let paragraphs = article.paragraphs();

    // Decompression bombs: small on the wire, 256 MiB once inflated.
    let zeros = vec![b' '; 256 << 20];
    let bomb = gzip(&zeros);
    drop(zeros);
    for (at, encoding) in [("/bomb-gzip", "gzip")] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-encoding", encoding)
                    .set_body_raw(bomb.clone(), "text/html"),
            )
            .mount(&site)
            .await;
    }
    // A page of 200,000 nested elements.
    let depth = 200_000;
    let nested = format!(
        "<html><body>{}<p>{}</p>{}</body></html>",
        "<div>".repeat(depth),
        paragraphs.join(" "),
        "</div>".repeat(depth)
    );
    serve_html(&site, "/nested", nested).await;
    // Unclosed nesting of the elements the HTML parser treats specially.
    serve_html(&site, "/nested-tables", "<table><tr><td>".repeat(50_000)).await;
    serve_html(
        &site,
        "/nested-inline",
        format!("<p>{}deep</p>", "<b><i><a href=x>".repeat(50_000)),
    )
    .await;
    // One 3 MB line: a single 'word', then words without any line break.
    serve_html(
        &site,
        "/giant-word",
        format!("<html><body><p>{}</p></body></html>", "x".repeat(3 << 20)),
    )
    .await;
    serve_html(
        &site,
        "/giant-line",
        format!(
            "<html><body><p>{}</p></body></html>",
            paragraphs.join(" ").repeat(800).replace('\n', " ")
        ),
    )
    .await;
    // Invalid UTF-8 in a page declared UTF-8, and NUL bytes.
    // Stray bytes that are never valid UTF-8 (0xFF, a lone continuation byte, a truncated
    // sequence) in the text of a page that declares UTF-8.
    let marked: Vec<String> = paragraphs
        .iter()
        .map(|p| p.replacen(' ', " \u{1} ", 3))
        .collect();
    let marked_refs: Vec<&str> = marked.iter().map(String::as_str).collect();
    let mut broken = Vec::new();
    for part in article_html("Broken bytes", &marked_refs).split('\u{1}') {
        if !broken.is_empty() {
            broken.extend_from_slice(b"\xff\x80\xe2\x82");
        }
        broken.extend_from_slice(part.as_bytes());
    }
    serve_html(&site, "/invalid-utf8", broken).await;
    serve_html(
        &site,
        "/nul-bytes",
        article_html("Nul", &paragraphs).replace(' ', " \0"),
    )
    .await;
    // Binary served as HTML, and a body past the cap without a Content-Length.
    let noise: Vec<u8> = (0..2_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    serve(&site, "/noise", noise, "text/html; charset=utf-8").await;
    Mock::given(method("GET"))
        .and(path("/over-cap"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![b'a'; 12 << 20], "text/html"))
        .mount(&site)
        .await;
    // Endless redirects, and one to a scheme we do not fetch.
    for (at, to) in [
        ("/loop-a", "/loop-b"),
        ("/loop-b", "/loop-a"),
        ("/to-ftp", "ftp://example.com/file"),
    ] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(302).insert_header("location", to))
            .mount(&site)
            .await;
    }
    // Thousands of attributes on one element, and a comment that never closes.
    serve_html(
        &site,
        "/attributes",
        format!(
            "<html><body><p {}>{}</p></body></html>",
            (0..20_000)
                .map(|i| format!("a{i}=\"{i}\""))
                .collect::<Vec<_>>()
                .join(" "),
            paragraphs.join(" ")
        ),
    )
    .await;
    serve_html(
        &site,
        "/open-comment",
        format!("<html><body><!-- {}", "never closed ".repeat(100_000)),
    )
    .await;
    let slow = slow_server().await;

    let hostile = [
        "/bomb-gzip",
        "/nested",
        "/nested-tables",
        "/nested-inline",
        "/giant-word",
        "/giant-line",
        "/invalid-utf8",
        "/nul-bytes",
        "/noise",
        "/over-cap",
        "/loop-a",
        "/to-ftp",
        "/attributes",
        "/open-comment",
    ];
    let mut urls: Vec<String> = hostile
        .iter()
        .map(|p| format!("{}{p}", site.uri()))
        .collect();
    urls.push(format!("{slow}/headers"));
    urls.push(format!("{slow}/body"));
    urls.extend(good.iter().cloned());

    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    let cfg = dir.path().join("job.toml");
    // The timeout must stop the slow servers, and leave a loaded machine ample time to inflate
    // the bomb to the cap (a slow machine must not turn "too large" into "timeout").
    std::fs::write(
        &cfg,
        "[spider]\nper_host_rps = 1000.0\ntimeout_secs = 8.0\nmax_retries = 0\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args(["run", list.to_str().unwrap(), "--data-dir"])
        .arg(&data)
        .arg("--config")
        .arg(&cfg)
        .arg("--allow-private-network")
        .env_remove("DATAFACTORY_DATA_DIR")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the job failed: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    let peak = children_peak_rss_mib();
    eprintln!("{stdout}\npeak RSS of the run: {peak} MiB");

    let state = SqliteState::open(&data.join("state.sqlite")).unwrap();
    let job = state.list_jobs().await.unwrap().pop().unwrap();
    let mut why: BTreeMap<String, String> = BTreeMap::new();
    for stage in [Stage::Spider, Stage::Refiner] {
        for e in state.item_errors(&job.id, stage, 10_000).await.unwrap() {
            why.entry(e.item.clone())
                .or_insert(format!("{stage}: {}: {}", e.reason, e.detail));
        }
    }
    let reason = |p: &str| -> String {
        let url = urls.iter().find(|u| u.ends_with(p)).unwrap();
        why.get(url.as_str())
            .cloned()
            .unwrap_or_else(|| "kept".into())
    };
    for p in &hostile {
        eprintln!("{p:16} {}", reason(p));
    }
    eprintln!("/headers (slow)  {}", reason("/headers"));
    eprintln!("/body (slow)     {}", reason("/body"));

    let expect = [
        ("/nested", "refiner: page too complex"),
        ("/nested-tables", "refiner: page too complex"),
        ("/nested-inline", "refiner: page too complex"),
        ("/bomb-gzip", "spider: too large"),
        ("/over-cap", "spider: too large"),
        ("/loop-a", "spider: too many redirects"),
        ("/to-ftp", "spider: unsupported scheme"),
        ("/headers", "spider: timeout"),
        ("/body", "spider: timeout"),
    ];
    for (p, want) in expect {
        let got = reason(p);
        assert!(got.starts_with(want), "{p}: want {want}, got {got}");
    }
    for u in &good {
        assert_eq!(why.get(u.as_str()), None, "a good page was lost: {u}");
    }
    // Broken bytes in a good page cost those bytes, not the page.
    assert_eq!(reason("/invalid-utf8"), "kept");
    // The rest may be kept or dropped, but each is handled: the job's counters add up.
    let sum = shared::summary::JobSummary::load(&state, &job)
        .await
        .unwrap();
    assert_eq!(
        sum.counter(Stage::Spider, "fetched")
            + sum.counter(Stage::Spider, "failed")
            + sum.counter(Stage::Spider, "skipped"),
        urls.len() as u64,
        "{stdout}"
    );
    // Each hostile page is capped at 10 MiB and a few are in flight at once; the process
    // must not balloon with the bomb's 256 MiB or the pages' sizes times their parse trees.
    assert!(peak < 512, "peak RSS {peak} MiB");
}

#[test]
fn real_pages_are_far_from_the_complexity_limits() {
    use shared::htmltree;
    let shapes: Vec<(usize, usize, String)> = corpus()
        .iter()
        .map(|a| {
            let html = String::from_utf8_lossy(&a.html);
            let t = htmltree::build_within(&html, usize::MAX, usize::MAX).unwrap();
            (t.depth, t.nodes.len(), a.id.clone())
        })
        .collect();
    let deepest = shapes.iter().max_by_key(|s| s.0).unwrap();
    let largest = shapes.iter().max_by_key(|s| s.1).unwrap();
    eprintln!("deepest corpus page: {deepest:?}; largest: {largest:?}");
    assert!(deepest.0 * 4 < htmltree::MAX_DEPTH);
    // Nodes count text runs as well as elements: more than the elements the limit counts.
    assert!(largest.1 * 4 < htmltree::MAX_ELEMENTS);
}

#[tokio::test]
async fn hostile_lists_are_refused_naming_the_line_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |list: std::path::PathBuf| {
        let data = data.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
                .args(["run", list.to_str().unwrap(), "--data-dir"])
                .arg(&data)
                .env_remove("DATAFACTORY_DATA_DIR")
                .output()
                .await
                .unwrap()
        }
    };
    // One 256 MiB line, then a million copies of one refused URL: nothing usable.
    let list = dir.path().join("giant.txt");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&list).unwrap());
        let block = vec![b'a'; 1 << 20];
        for _ in 0..256 {
            f.write_all(&block).unwrap();
        }
        f.write_all(b"\n").unwrap();
        for _ in 0..1_000_000 {
            f.write_all(b"gopher://example.com/x\n").unwrap();
        }
    }
    let out = run(list).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("giant.txt") && stderr.contains("line 1: line too long"),
        "{stderr}"
    );
    let peak = children_peak_rss_mib();
    eprintln!("peak RSS reading a 256 MiB line: {peak} MiB");
    assert!(peak < 128, "the giant line was held in memory: {peak} MiB");

    // Binary data named as a list.
    let bin = dir.path().join("urls.txt");
    std::fs::write(&bin, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let out = run(bin).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("binary file"), "{stderr}");

    // Nothing half-written: no job exists for the refused lists.
    if data.join("state.sqlite").exists() {
        let state = SqliteState::open(&data.join("state.sqlite")).unwrap();
        assert!(state.list_jobs().await.unwrap().is_empty());
    }
}

/// Every input the extraction fuzz target has kept (its corpus, and the timeouts it found in
/// the extractor of that time) goes through `extract` as the target sends it, on a thread with
/// the 2 MiB stack the Refiner's blocking threads have: each ends Ok with text, or as an error,
/// never as a panic (which `extract` would report as "extraction failed") or an overflow.
#[test]
fn saved_fuzz_inputs_extract_or_fail_without_panicking() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus/extract", "artifacts/extract"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    assert!(files.len() > 2000, "{} inputs", files.len());
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let (mut ok, mut refused) = (0, 0);
            for path in &files {
                let data = std::fs::read(path).unwrap();
                let Some((&sel, body)) = data.split_first() else {
                    continue;
                };
                // The fuzz target's first byte picks a Content-Type; any of them will do here.
                let ct = ["text/html", "text/html; charset=ISO-8859-1"][usize::from(sel) % 2];
                let (html, _) = shared::charset::decode_html(body, Some(ct));
                match shared::extract::extract(&html, "https://example.com/a") {
                    Ok(doc) => {
                        assert!(!doc.text.is_empty(), "{}", path.display());
                        ok += 1;
                    }
                    // `extract` turns a panic into this error: it must not happen.
                    Err(e) => {
                        assert_ne!(e.reason, "extraction failed", "{}: {e}", path.display());
                        refused += 1;
                    }
                }
            }
            (ok, refused)
        })
        .unwrap();
    let (ok, refused) = worker.join().expect("extraction panicked");
    eprintln!("saved fuzz inputs: {ok} extracted, {refused} refused");
    assert!(ok > 100, "{ok} extracted");
}
