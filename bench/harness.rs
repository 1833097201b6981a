//! Times our code on the corpus, single-threaded, for `bench/run.sh` to compare with the
//! Python anchors run on the same inputs. One JSON object per case on stdout.
//!
//! `bench-harness --corpus DIR --repeat R --rounds N --case extract|tokens|chunk|minhash|refine
//! [--passes P]`
//!
//! A round of `tokens`, `chunk` or `minhash` goes over the inputs several times (`passes`, 4, 4
//! and 20 by default), with the units counted as many times: one pass took 0.01-0.1 s, short
//! enough for the machine's noise to swing the median by 2x. The throughput is the same
//! quantity as with one pass.

// Our code as the CLI ships it: with the CLI's allocator and its settings.
#[cfg(unix)]
#[path = "../src/alloc.rs"]
mod alloc;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::json;
use shared::config::{DedupConfig, RefinerConfig};
use shared::minhash::MinHasher;
use shared::stages::refiner::Refiner;

struct Inputs {
    /// (url, html) of every page, repeated.
    pages: Vec<(String, String)>,
    /// The human-written main text of every page, repeated.
    texts: Vec<String>,
    /// (id, html, truth) of the unique pages, for quality.
    unique: Vec<(String, String, String)>,
}

fn load(corpus: &Path, repeat: usize) -> Result<Inputs> {
    let gt: BTreeMap<String, serde_json::Value> = serde_json::from_slice(
        &std::fs::read(corpus.join("ground-truth.json")).context("reading ground-truth.json")?,
    )?;
    let mut unique = Vec::new();
    for (id, v) in &gt {
        let gz = std::fs::read(corpus.join(format!("pages/{id}.html.gz")))?;
        let mut raw = Vec::new();
        flate2::read::MultiGzDecoder::new(gz.as_slice()).read_to_end(&mut raw)?;
        let (html, _) = shared::charset::decode_html(&raw, None);
        let truth = v["articleBody"].as_str().unwrap_or_default().to_string();
        let url = v["url"].as_str().unwrap_or_default().to_string();
        unique.push((url, html, truth));
    }
    let mut pages = Vec::new();
    let mut texts = Vec::new();
    for _ in 0..repeat {
        for (url, html, truth) in &unique {
            pages.push((url.clone(), html.clone()));
            texts.push(truth.clone());
        }
    }
    let unique = gt
        .keys()
        .cloned()
        .zip(unique)
        .map(|(id, (_, h, t))| (id, h, t))
        .collect();
    Ok(Inputs {
        pages,
        texts,
        unique,
    })
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let w = words(text);
    let mut m = HashMap::new();
    if w.is_empty() {
        return m;
    }
    for g in w.windows(4.min(w.len())) {
        *m.entry(g.to_vec()).or_insert(0) += 1;
    }
    m
}

/// The benchmark's scoring: per-page shingle precision/recall, averaged; empty predictions
/// have recall 0 and are left out of the precision average.
fn f1(pairs: &[(String, String)]) -> (f64, f64, f64) {
    let (mut ps, mut rs) = (Vec::new(), Vec::new());
    for (pred, truth) in pairs {
        let (p, t) = (shingles(pred), shingles(truth));
        let (np, nt): (usize, usize) = (p.values().sum(), t.values().sum());
        let matched: usize = p
            .iter()
            .map(|(k, c)| (*c).min(*t.get(k).unwrap_or(&0)))
            .sum();
        if np > 0 {
            ps.push(matched as f64 / np as f64);
        }
        rs.push(if nt > 0 {
            matched as f64 / nt as f64
        } else {
            1.0
        });
    }
    let avg = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (avg(&ps), avg(&rs));
    (
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
        p,
        r,
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The sum of `f` over every text, `passes` times over.
fn over_texts(passes: usize, texts: &[String], f: impl Fn(&str) -> usize) -> u64 {
    (0..passes)
        .map(|_| texts.iter().map(|t| f(t) as u64).sum::<u64>())
        .sum()
}

/// Times `rounds` runs of `f` after one untimed run: `run.sh` starts a process per round, and
/// a first run pays for faulting in the token tables and warming the allocator, which the
/// Python side's warm-up passes also keep out of its timings.
fn time_rounds(rounds: usize, mut f: impl FnMut() -> u64) -> (f64, Vec<f64>, u64) {
    std::hint::black_box(f());
    let mut times = Vec::new();
    let mut check = 0;
    for _ in 0..rounds {
        let (t, c) = time_once(&mut f);
        times.push(t);
        check = c;
    }
    (median(times.clone()), times, check)
}

/// Seconds one run of `f` takes, and what it returned.
fn time_once(mut f: impl FnMut() -> u64) -> (f64, u64) {
    let t = Instant::now();
    let check = std::hint::black_box(f());
    (t.elapsed().as_secs_f64(), check)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let corpus = PathBuf::from(arg("--corpus").unwrap_or_else(|| "examples/corpus".into()));
    let repeat: usize = arg("--repeat").unwrap_or_else(|| "10".into()).parse()?;
    let rounds: usize = arg("--rounds").unwrap_or_else(|| "5".into()).parse()?;
    let case = arg("--case").context("--case extract|tokens|chunk|minhash|refine")?;
    let passes: usize = match arg("--passes") {
        Some(p) => p.parse()?,
        None => match case.as_str() {
            "tokens" | "chunk" => 4,
            "minhash" => 20,
            _ => 1,
        },
    };
    if passes == 0 {
        bail!("--passes must be at least 1");
    }
    let inputs = load(&corpus, repeat)?;
    let html_bytes: usize = inputs.pages.iter().map(|p| p.1.len()).sum();
    let text_bytes: usize = inputs.texts.iter().map(String::len).sum();
    let version = env!("CARGO_PKG_VERSION");
    let out = match case.as_str() {
        "extract" => {
            // Timed as trafilatura's `extract` works (title and main text), and again with the
            // language detected as the Refiner does, round for round so noise hits both alike.
            let text_bytes_of = |extract: &dyn Fn(&str, &str) -> Option<usize>| -> u64 {
                inputs
                    .pages
                    .iter()
                    .map(|(u, h)| extract(h, u).unwrap_or(0) as u64)
                    .sum()
            };
            let main_text = || {
                text_bytes_of(&|h, u| {
                    shared::extract::extract_main_text(h, u)
                        .ok()
                        .map(|x| x.text.len())
                })
            };
            let with_lang =
                || text_bytes_of(&|h, u| shared::extract::extract(h, u).ok().map(|x| x.text.len()));
            // One untimed pass warms both (see `time_rounds`).
            std::hint::black_box(with_lang());
            let (mut text_only, mut with_language) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                text_only.push(time_once(main_text).0);
                with_language.push(time_once(with_lang).0);
            }
            let (m, r) = (median(text_only.clone()), text_only);
            let pairs: Vec<(String, String)> = inputs
                .unique
                .iter()
                .map(|(_, h, t)| {
                    let pred = shared::extract::extract(h, "https://example.org/")
                        .map(|x| x.text)
                        .unwrap_or_default();
                    (pred, t.clone())
                })
                .collect();
            let (f, p, rc) = f1(&pairs);
            json!({"case": case, "impl": "rust", "tool": format!("datafactory {version} (htmltree + readability rules)"),
                   "median_s": m, "rounds": r, "units": {"pages": inputs.pages.len(), "bytes": html_bytes},
                   "quality": {"f1": f, "precision": p, "recall": rc},
                   "with_language": {"median_s": median(with_language.clone()), "rounds": with_language}})
        }
        "tokens" => {
            let counter = shared::tokens::TokenCounter::for_encoding("cl100k_base")?;
            let (m, r, n) = time_rounds(rounds, || {
                over_texts(passes, &inputs.texts, |t| counter.count(t))
            });
            json!({"case": case, "impl": "rust", "tool": "datafactory pre-tokenizer + BPE (merging up to 15 bytes, bpe-openai 0.3 past that), cl100k_base (as the Refiner counts)", "median_s": m, "rounds": r,
                   "passes": passes, "units": {"tokens": n, "bytes": text_bytes * passes}})
        }
        "chunk" => {
            let refiner = Refiner::new(&RefinerConfig::default())?;
            let (m, r, n) = time_rounds(rounds, || {
                over_texts(passes, &inputs.texts, |t| refiner.chunk_count(t))
            });
            json!({"case": case, "impl": "rust", "tool": "datafactory chunker (shared/src/chunker.rs, as the Refiner chunks) + the same counting, 512/50", "median_s": m, "rounds": r,
                   "passes": passes, "units": {"chunks": n, "bytes": text_bytes * passes}})
        }
        "minhash" => {
            let hasher = MinHasher::new(&DedupConfig::default());
            // Each pass starts from an empty index, as each round of datasketch does.
            let (m, r, n) = time_rounds(rounds, || {
                let mut dups = 0u64;
                for _ in 0..passes {
                    let mut index: HashMap<String, usize> = HashMap::new();
                    for (i, t) in inputs.texts.iter().enumerate() {
                        let keys = hasher.band_keys(&hasher.signature(t));
                        if keys.iter().any(|k| index.contains_key(k)) {
                            dups += 1;
                        }
                        for k in keys {
                            index.entry(k).or_insert(i);
                        }
                    }
                }
                dups
            });
            json!({"case": case, "impl": "rust", "tool": "datafactory MinHash 112 = 14x8, in-memory LSH", "median_s": m, "rounds": r,
                   "passes": passes, "units": {"docs": inputs.texts.len() * passes, "bytes": text_bytes * passes}, "check": {"duplicates": n / passes as u64}})
        }
        "refine" => {
            let mut cfg = RefinerConfig::default();
            cfg.languages.clear();
            let refiner = Refiner::new(&cfg)?;
            let hasher_keys_seen = std::cell::RefCell::new(HashMap::<String, usize>::new());
            let (m, r, n) = time_rounds(rounds, || {
                hasher_keys_seen.borrow_mut().clear();
                let mut chunks = 0u64;
                for (i, (u, h)) in inputs.pages.iter().enumerate() {
                    if let Ok(c) = refiner.refine_html(u, "x", u, h) {
                        let mut seen = hasher_keys_seen.borrow_mut();
                        let dup = c.band_keys.iter().any(|k| seen.contains_key(k));
                        for k in c.band_keys {
                            seen.entry(k).or_insert(i);
                        }
                        if !dup {
                            chunks += c.chunks.len() as u64;
                        }
                    }
                }
                chunks
            });
            // Pages past extraction and the filters, counted untimed, as the Python side's `kept`.
            let kept = inputs
                .pages
                .iter()
                .filter(|(u, h)| refiner.refine_html(u, "x", u, h).is_ok())
                .count();
            json!({"case": case, "impl": "rust", "tool": format!("datafactory {version} refiner (no I/O)"), "median_s": m, "rounds": r,
                   "units": {"pages": inputs.pages.len(), "bytes": html_bytes}, "check": {"chunks": n}, "detail": {"kept": kept}})
        }
        other => bail!("unknown case {other}"),
    };
    println!("{out}");
    Ok(())
}
