//! Test support: fixture pages built from the real corpus in `examples/corpus`, a loopback
//! site (wiremock) to serve them, and a fast job config for tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use shared::JobConfig;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus_dir() -> PathBuf {
    repo().join("examples/corpus")
}

/// One corpus article: its raw saved page and the human-written main text.
pub struct Article {
    pub id: String,
    pub html: Vec<u8>,
    pub body: String,
}

impl Article {
    pub fn paragraphs(&self) -> Vec<&str> {
        self.body
            .split('\n')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

pub fn gunzip_file(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes.as_slice())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// All 60 corpus articles, in id order.
pub fn corpus() -> Vec<Article> {
    let gt: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(corpus_dir().join("ground-truth.json")).unwrap())
            .unwrap();
    gt.into_iter()
        .map(|(id, v)| Article {
            html: gunzip_file(&corpus_dir().join(format!("pages/{id}.html.gz"))),
            body: v["articleBody"].as_str().unwrap_or_default().to_string(),
            id,
        })
        .collect()
}

/// Corpus articles in English with enough text to pass the quality filters.
pub fn english_articles() -> Vec<Article> {
    corpus()
        .into_iter()
        .filter(|a| {
            let (lang, conf) = shared::extract::detect_language(&a.body);
            lang == "en" && conf > 0.5 && a.body.len() > 2000
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A news page: the article wrapped in the boilerplate real sites have (cookie banner,
/// navigation, related links, footer, scripts).
pub fn article_html(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>\n", escape(p)))
        .collect();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{t} | The Daily Example</title>
<script>window.dataLayer = window.dataLayer || []; function track(e) {{ dataLayer.push(e); }}</script>
<style>body {{ font-family: serif; }} .cookie {{ position: fixed; }}</style></head>
<body>
<div class="cookie-banner cookie">We use cookies to improve your experience. Accept all cookies</div>
<header class="site-header"><nav class="menu"><ul>
<li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/subscribe">Subscribe</a></li><li><a href="/login">Sign in</a></li></ul></nav></header>
<main><article class="story"><h1>{t}</h1><p class="byline">By Staff Writer</p>
{body}</article>
<aside class="sidebar"><h3>Most read</h3><ul>
<li><a href="/r1">Ten things you missed this week</a></li>
<li><a href="/r2">The best deals of the season, ranked</a></li>
<li><a href="/r3">Why everyone is talking about the weather</a></li></ul></aside></main>
<footer class="site-footer"><p>Copyright 2024 The Daily Example. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>
</body></html>"#,
        t = escape(title),
    )
}

/// Strings that appear only in the boilerplate of [`article_html`].
pub const BOILERPLATE: [&str; 5] = [
    "Accept all cookies",
    "All rights reserved",
    "Most read",
    "Ten things you missed",
    "Privacy policy",
];

pub async fn serve(server: &MockServer, at: &str, body: impl Into<Vec<u8>>, content_type: &str) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.into(), content_type))
        .mount(server)
        .await;
}

pub async fn serve_html(server: &MockServer, at: &str, html: impl Into<Vec<u8>>) {
    serve(server, at, html, "text/html; charset=utf-8").await;
}

pub async fn robots(server: &MockServer, body: &str) {
    serve(
        server,
        "/robots.txt",
        body.as_bytes().to_vec(),
        "text/plain",
    )
    .await;
}

/// A config for tests: loopback server allowed (only 127.0.0.1), fast rates, short timeouts.
pub fn test_config() -> JobConfig {
    let mut cfg = JobConfig::default();
    cfg.network.allow_cidrs = vec!["127.0.0.1/32".parse().unwrap()];
    cfg.spider.per_host_rps = 500.0;
    cfg.spider.connect_timeout_secs = 2.0;
    cfg.spider.timeout_secs = 2.0;
    cfg.spider.backoff_base_ms = 20;
    cfg.spider.backoff_max_ms = 200;
    cfg.input.shard_size = 8;
    cfg
}

/// Records of an export split, parsed from its JSONL.
pub fn export_records(export_dir: &Path, split: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(export_dir.join(format!("{split}.jsonl"))).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Word 5-gram shingles, for checking near-duplicates independently of the code under test.
pub fn shingles(text: &str) -> std::collections::HashSet<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect()
        })
        .filter(|w: &String| !w.is_empty())
        .collect();
    words
        .windows(5.min(words.len().max(1)))
        .map(|w| w.join(" "))
        .collect()
}

pub fn jaccard(
    a: &std::collections::HashSet<String>,
    b: &std::collections::HashSet<String>,
) -> f64 {
    let inter = a.intersection(b).count() as f64;
    let union = a.union(b).count() as f64;
    if union == 0.0 { 0.0 } else { inter / union }
}

pub const FRENCH: &str = "Le conseil municipal s'est réuni mardi soir pour examiner le budget de \
l'année prochaine. Les élus ont longuement débattu de la rénovation de la bibliothèque, dont le \
toit fuit depuis plusieurs hivers, et de l'agrandissement de l'école primaire du quartier nord.\n\
La maire a rappelé que les finances de la commune restaient fragiles, mais que les subventions \
de la région permettraient de lancer les travaux dès le printemps. Plusieurs habitants, venus \
nombreux, ont demandé que les horaires d'ouverture de la bibliothèque soient élargis le samedi.\n\
Le vote définitif aura lieu le mois prochain, après une consultation publique qui se tiendra à \
la mairie. Les associations sportives ont également présenté leurs projets pour la saison, \
notamment la création d'un nouveau terrain de football et la remise en état des vestiaires.\n\
Enfin, le conseil a adopté à l'unanimité une motion de soutien aux commerçants du centre-ville, \
touchés par les travaux de voirie qui se prolongent depuis l'été dernier.";

/// `\w+` tokens, as the corpus benchmark scores them.
pub fn word_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn shingle_counts(tokens: &[String]) -> std::collections::HashMap<Vec<String>, usize> {
    let mut m = std::collections::HashMap::new();
    if tokens.is_empty() {
        return m;
    }
    for w in tokens.windows(4.min(tokens.len())) {
        *m.entry(w.to_vec()).or_insert(0) += 1;
    }
    m
}

/// Precision and recall of one extraction against the ground truth (word 4-gram multisets).
pub fn precision_recall(predicted: &str, truth: &str) -> (f64, f64) {
    let p = shingle_counts(&word_tokens(predicted));
    let t = shingle_counts(&word_tokens(truth));
    let (np, nt) = (p.values().sum::<usize>(), t.values().sum::<usize>());
    if np == 0 || nt == 0 {
        let both_empty = np == 0 && nt == 0;
        return if both_empty { (1.0, 1.0) } else { (0.0, 0.0) };
    }
    let matched: usize = p
        .iter()
        .map(|(k, c)| (*c).min(*t.get(k).unwrap_or(&0)))
        .sum();
    (matched as f64 / np as f64, matched as f64 / nt as f64)
}

/// The benchmark's F1: from precision and recall averaged over pages.
pub fn corpus_f1(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len().max(1) as f64;
    let p = pairs.iter().map(|x| x.0).sum::<f64>() / n;
    let r = pairs.iter().map(|x| x.1).sum::<f64>() / n;
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Serve the first `n` English corpus articles as news pages at `<prefix>/<i>`; their URLs.
pub async fn serve_articles(server: &MockServer, prefix: &str, n: usize) -> Vec<String> {
    let mut urls = Vec::new();
    for (i, a) in english_articles().iter().take(n).enumerate() {
        let at = format!("{prefix}/{i}");
        serve_html(server, &at, article_html(&format!("P{i}"), &a.paragraphs())).await;
        urls.push(format!("{}{at}", server.uri()));
    }
    urls
}

/// The YAML front matter of an export's dataset card, parsed (fails the test if invalid).
pub fn card_front_matter(export_dir: &Path) -> serde_yaml::Value {
    let card = std::fs::read_to_string(export_dir.join("README.md")).unwrap();
    let front = card
        .strip_prefix("---\n")
        .and_then(|c| c.split("\n---\n").next())
        .expect("card starts with YAML front matter");
    serde_yaml::from_str(front).expect("front matter is valid YAML")
}
pub mod aws;
pub mod llm;
pub mod recording_llm;
pub mod serve;
