//! `compare-extractors`: quality (Scrapinghub shingle F1) and single-thread
//! speed of Rust main-text extraction crates on the shared article corpus.
//!
//! Run pinned to one core, release mode (see README.md):
//! `taskset -c 0 cargo run --release -- --rounds 5`

mod extractors;
mod scoring;

use std::fs;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flate2::read::GzDecoder;
use serde_json::Value;

use extractors::{Extracted, Variant};
use scoring::Counts;

struct Args {
    corpus: PathBuf,
    rounds: usize,
    only: Option<String>,
    dump: Option<PathBuf>,
}

const USAGE: &str =
    "usage: compare-extractors [--corpus DIR] [--rounds N] [--only SUBSTR] [--dump DIR]
  --corpus DIR   corpus with pages/<id>.html.gz and ground-truth.json
                 (default: <crate>/../../examples/corpus)
  --rounds N     timed rounds per extractor, median reported (default 5)
  --only SUBSTR  run only extractor variants whose name contains SUBSTR
  --dump DIR     write each variant's extracted text and per-page scores to DIR";

fn parse_args() -> Result<Args> {
    let mut args = Args {
        corpus: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/corpus"),
        rounds: 5,
        only: None,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--corpus" => args.corpus = PathBuf::from(value("--corpus")?),
            "--rounds" => {
                args.rounds = value("--rounds")?
                    .parse()
                    .context("--rounds must be a positive integer")?;
                if args.rounds == 0 {
                    bail!("--rounds must be at least 1");
                }
            }
            "--only" => args.only = Some(value("--only")?),
            "--dump" => args.dump = Some(PathBuf::from(value("--dump")?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

struct Page {
    id: String,
    url: String,
    html: String,
    truth: String,
}

fn load_corpus(dir: &Path) -> Result<Vec<Page>> {
    let gt_path = dir.join("ground-truth.json");
    let gt_raw =
        fs::read_to_string(&gt_path).with_context(|| format!("reading {}", gt_path.display()))?;
    let gt: Value =
        serde_json::from_str(&gt_raw).with_context(|| format!("parsing {}", gt_path.display()))?;
    let gt = gt
        .as_object()
        .with_context(|| format!("{}: top level is not an object", gt_path.display()))?;
    let mut pages = Vec::with_capacity(gt.len());
    for (id, entry) in gt {
        let url = entry
            .get("url")
            .and_then(Value::as_str)
            .with_context(|| format!("ground truth {id}: no string `url`"))?;
        let truth = entry
            .get("articleBody")
            .and_then(Value::as_str)
            .with_context(|| format!("ground truth {id}: no string `articleBody`"))?;
        let path = dir.join("pages").join(format!("{id}.html.gz"));
        let file = fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let mut bytes = Vec::new();
        GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .with_context(|| format!("decompressing {}", path.display()))?;
        // The corpus is UTF-8; a stray invalid byte is replaced rather than
        // failing the whole run.
        let html = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "warning: {} is not valid UTF-8, decoding lossily",
                    path.display()
                );
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        pages.push(Page {
            id: id.clone(),
            url: url.to_owned(),
            html,
            truth: truth.to_owned(),
        });
    }
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    if pages.is_empty() {
        bail!("no pages in {}", gt_path.display());
    }
    Ok(pages)
}

enum Outcome {
    Ok(Extracted),
    Err(String),
    Panic(String),
}

fn run_guarded(v: &Variant, p: &Page) -> Outcome {
    match panic::catch_unwind(AssertUnwindSafe(|| (v.run)(&p.html, &p.url))) {
        Ok(Ok(e)) => Outcome::Ok(e),
        Ok(Err(e)) => Outcome::Err(format!("{e:#}")),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".to_owned());
            Outcome::Panic(msg)
        }
    }
}

struct Report {
    name: &'static str,
    settings: &'static str,
    summary: scoring::Summary,
    empty: usize,
    errors: Vec<(String, String)>,
    panics: Vec<(String, String)>,
    no_title: usize,
    lang_found: usize,
    round_totals: Vec<Duration>,
    median_total: Duration,
    slowest: (String, Duration, usize),
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    let n = xs.len();
    if n == 0 {
        Duration::ZERO
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2
    }
}

fn evaluate(v: &Variant, pages: &[Page], rounds: usize, dump: Option<&Path>) -> Result<Report> {
    // Quality pass (also serves as warm-up for the timed rounds).
    let mut counts = Vec::with_capacity(pages.len());
    let mut empty = 0;
    let mut errors = Vec::new();
    let mut panics = Vec::new();
    let mut no_title = 0;
    let mut lang_found = 0;
    let mut dump_rows = String::from("id\ttp\tfp\tfn\tprecision\trecall\toutcome\n");
    let dump_dir = match dump {
        Some(d) => {
            let dir = d.join(v.name.replace('/', "_"));
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            Some(dir)
        }
        None => None,
    };
    for p in pages {
        let (text, outcome) = match run_guarded(v, p) {
            Outcome::Ok(e) => {
                if e.title.trim().is_empty() {
                    no_title += 1;
                }
                if e.lang.as_deref().is_some_and(|l| !l.trim().is_empty()) {
                    lang_found += 1;
                }
                (e.text, "ok")
            }
            Outcome::Err(msg) => {
                errors.push((p.id.clone(), msg));
                (String::new(), "error")
            }
            Outcome::Panic(msg) => {
                panics.push((p.id.clone(), msg));
                (String::new(), "panic")
            }
        };
        if text.trim().is_empty() {
            empty += 1;
        }
        let c: Counts = scoring::shingle_counts(&p.truth, &text);
        if let Some(dir) = &dump_dir {
            let path = dir.join(format!("{}.txt", p.id));
            fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
            dump_rows.push_str(&format!(
                "{}\t{}\t{}\t{}\t{:.4}\t{:.4}\t{}\n",
                p.id,
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                outcome
            ));
        }
        counts.push(c);
    }
    if let Some(dir) = &dump_dir {
        let path = dir.join("scores.tsv");
        fs::write(&path, dump_rows).with_context(|| format!("writing {}", path.display()))?;
    }
    let summary = scoring::summarize(&counts);

    // Timed rounds: extraction only, one page at a time, this thread only.
    let mut per_page: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); pages.len()];
    let mut round_totals = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let mut total = Duration::ZERO;
        for (i, p) in pages.iter().enumerate() {
            let t0 = Instant::now();
            let out = run_guarded(v, p);
            let dt = t0.elapsed();
            std::hint::black_box(&out);
            drop(out);
            total += dt;
            per_page[i].push(dt);
        }
        round_totals.push(total);
    }
    let mut slowest = (String::new(), Duration::ZERO, 0);
    for (p, times) in pages.iter().zip(per_page) {
        let m = median(times);
        if m > slowest.1 {
            slowest = (p.id.clone(), m, p.html.len());
        }
    }
    Ok(Report {
        name: v.name,
        settings: v.settings,
        summary,
        empty,
        errors,
        panics,
        no_title,
        lang_found,
        median_total: median(round_totals.clone()),
        round_totals,
        slowest,
    })
}

fn cpu_model() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{model}, {cpus} CPU(s) available to this process")
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let pages = load_corpus(&args.corpus)
        .with_context(|| format!("loading corpus {}", args.corpus.display()))?;
    let n = pages.len();
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let mb = bytes as f64 / 1e6;

    // Panics are caught and counted per page; keep stderr quiet meanwhile.
    panic::set_hook(Box::new(|_| {}));

    let mut reports = Vec::new();
    for v in extractors::all() {
        if let Some(only) = &args.only {
            if !v.name.contains(only.as_str()) {
                continue;
            }
        }
        eprintln!("running {} ...", v.name);
        reports.push(evaluate(&v, &pages, args.rounds, args.dump.as_deref())?);
    }
    let _ = panic::take_hook();

    println!(
        "Corpus: {} ({n} pages, {bytes} bytes = {mb:.2} MB of decompressed HTML); rounds: {}\n",
        args.corpus.display(),
        args.rounds
    );
    println!(
        "Machine: {}; load average at end of run: {}\n",
        cpu_model(),
        fs::read_to_string("/proc/loadavg")
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "n/a".to_owned())
    );
    println!("| extractor | F1 | precision | recall | F1 (empty=P0) | empty | errors | panics | pages/s | MB/s | mean ms/page | slowest page ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &reports {
        let secs = r.median_total.as_secs_f64();
        let (pps, mbps) = if secs > 0.0 {
            (n as f64 / secs, mb / secs)
        } else {
            (f64::INFINITY, f64::INFINITY)
        };
        println!(
            "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {} | {} | {} | {:.1} | {:.2} | {:.2} | {:.1} |",
            r.name,
            r.summary.f1,
            r.summary.precision,
            r.summary.recall,
            r.summary.f1_strict,
            r.empty,
            r.errors.len(),
            r.panics.len(),
            pps,
            mbps,
            secs * 1000.0 / n as f64,
            r.slowest.1.as_secs_f64() * 1000.0,
        );
    }
    println!();
    for r in &reports {
        println!("- **{}**: {}", r.name, r.settings);
        println!(
            "  - round totals (ms): {}",
            r.round_totals
                .iter()
                .map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "  - slowest page: {} ({} bytes), median {:.1} ms",
            r.slowest.0,
            r.slowest.2,
            r.slowest.1.as_secs_f64() * 1000.0
        );
        println!(
            "  - precision with empty pages counted as 0: {:.4}",
            r.summary.precision_strict
        );
        println!(
            "  - pages without title: {}; pages with a document language: {}",
            r.no_title, r.lang_found
        );
        for (id, msg) in &r.errors {
            println!("  - error on {id}: {msg}");
        }
        for (id, msg) in &r.panics {
            println!("  - panic on {id}: {msg}");
        }
    }
    Ok(())
}
