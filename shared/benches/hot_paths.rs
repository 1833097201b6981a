//! Micro-benchmarks of the Refiner's hot paths on real pages (`examples/corpus`), for spotting
//! regressions between commits. Side-by-side comparisons with the Python tools live in
//! `bench/run.sh`; neither is a pass/fail test.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::LazyLock;

use shared::config::{DedupConfig, FilterConfig, RefinerConfig};
use shared::minhash::MinHasher;
use shared::stages::refiner::Refiner;

fn main() {
    divan::main();
}

struct Corpus {
    /// (url, html) per page.
    pages: Vec<(String, String)>,
    /// Human-written main text per page.
    texts: Vec<String>,
}

static CORPUS: LazyLock<Corpus> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/corpus");
    let gt: BTreeMap<String, serde_json::Value> = std::fs::read(dir.join("ground-truth.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut pages = Vec::new();
    let mut texts = Vec::new();
    for (id, v) in gt {
        let Ok(gz) = std::fs::read(dir.join(format!("pages/{id}.html.gz"))) else {
            continue;
        };
        let mut raw = Vec::new();
        if flate2::read::MultiGzDecoder::new(gz.as_slice())
            .read_to_end(&mut raw)
            .is_err()
        {
            continue;
        }
        let (html, _) = shared::charset::decode_html(&raw, None);
        pages.push((v["url"].as_str().unwrap_or_default().to_string(), html));
        texts.push(v["articleBody"].as_str().unwrap_or_default().to_string());
    }
    Corpus { pages, texts }
});

#[divan::bench]
fn extract_60_pages() -> usize {
    CORPUS
        .pages
        .iter()
        .map(|(u, h)| shared::extract::extract(h, u).map_or(0, |x| x.text.len()))
        .sum()
}

#[divan::bench]
fn count_tokens_60_texts() -> usize {
    let counter = shared::tokens::TokenCounter::for_encoding("cl100k_base").expect("shipped");
    CORPUS.texts.iter().map(|t| counter.count(t)).sum()
}

/// The pre-tokenizer alone (the first half of counting), ours and the regex it replaces.
#[divan::bench]
fn pretokenize_60_texts() -> usize {
    CORPUS
        .texts
        .iter()
        .map(|t| shared::pretokenize::cl100k_pieces(t).count())
        .sum()
}

#[divan::bench]
fn pretokenize_regex_60_texts() -> usize {
    let tok = bpe_openai::cl100k_base();
    CORPUS.texts.iter().map(|t| tok.split(t).count()).sum()
}

/// bpe-openai's own count (regex, then BPE on every piece), for comparison with ours.
#[divan::bench]
fn count_tokens_bpe_openai_60_texts() -> usize {
    let tok = bpe_openai::cl100k_base();
    CORPUS.texts.iter().map(|t| tok.count(t)).sum()
}

#[divan::bench]
fn chunk_60_texts(bencher: divan::Bencher) {
    let refiner = Refiner::new(&RefinerConfig::default()).expect("default config");
    bencher.bench(|| {
        CORPUS
            .texts
            .iter()
            .map(|t| refiner.chunk_count(t))
            .sum::<usize>()
    });
}

#[divan::bench]
fn minhash_60_texts(bencher: divan::Bencher) {
    let m = MinHasher::new(&DedupConfig::default());
    bencher.bench(|| {
        CORPUS
            .texts
            .iter()
            .map(|t| m.band_keys(&m.signature(t)).len())
            .sum::<usize>()
    });
}

#[divan::bench]
fn filters_60_texts() -> usize {
    let cfg = FilterConfig::default();
    CORPUS
        .texts
        .iter()
        .filter(|t| shared::filters::check(t, "en", &cfg).is_ok())
        .count()
}

#[divan::bench]
fn language_60_texts() -> usize {
    CORPUS
        .texts
        .iter()
        .map(|t| shared::extract::detect_language(t).0.len())
        .sum()
}
