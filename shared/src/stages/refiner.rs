//! Refiner: from stored pages to clean, de-duplicated, token-sized chunks.
//!
//! Per page, in parallel: extract the main text and title, identify the language, apply the
//! quality filters, compute the MinHash signature and cut the text into chunks. Then, in list
//! order (so the result does not depend on timing): drop exact duplicates (SHA-256 of the
//! normalised text) and near-duplicates (MinHash LSH), first writer wins through the state
//! store's claims, so shards refined on different machines still agree. Every dropped document
//! is recorded with the rule that dropped it.

use std::sync::Arc;

use futures::StreamExt;
use tiktoken_rs::CoreBPE;

use crate::chunker::Chunker;
use crate::config::RefinerConfig;
use crate::error::{Error, Result};
use crate::extract::extract;
use crate::filters;
use crate::minhash::MinHasher;
use crate::model::{Chunk, FetchedPage, ItemError, PageStatus, ShardReport, Stage};
use crate::ports::Claim;
use crate::stages::StageContext;
use crate::stages::spider::gunzip;
use crate::text::{normalize_for_dedup, sha256_hex};
use crate::tokens::TokenCounter;
use crate::{jsonl, keys};

pub const DUPLICATE_EXACT: &str = "duplicate: exact";
pub const DUPLICATE_NEAR: &str = "duplicate: near";

pub struct Refiner {
    cfg: RefinerConfig,
    splitter: Chunker,
    minhash: MinHasher,
}

/// tiktoken-rs's tokenizer for an encoding name (the reference the faster counter is tested
/// against); shipped inside the binary.
pub fn tokenizer(name: &str) -> Result<&'static CoreBPE> {
    Ok(match name {
        "cl100k_base" => tiktoken_rs::cl100k_base_singleton(),
        "o200k_base" => tiktoken_rs::o200k_base_singleton(),
        "p50k_base" => tiktoken_rs::p50k_base_singleton(),
        "r50k_base" => tiktoken_rs::r50k_base_singleton(),
        other => return Err(Error::Config(format!("unknown encoding {other:?}"))),
    })
}

/// A document that passed extraction and filters, waiting for the de-duplication verdict.
pub struct Candidate {
    pub url: String,
    pub url_hash: String,
    /// SHA-256 of the normalised text.
    pub exact_key: String,
    /// MinHash LSH band keys.
    pub band_keys: Vec<String>,
    pub chunks: Vec<Chunk>,
    pub short_chunks: u64,
}

enum Outcome {
    Kept(Candidate),
    Dropped(ItemError),
}

impl Refiner {
    pub fn new(cfg: &RefinerConfig) -> Result<Self> {
        let tokens = TokenCounter::for_encoding(&cfg.chunking.encoding)?;
        let splitter = Chunker::new(tokens, cfg.chunking.max_tokens, cfg.chunking.overlap_tokens)
            .map_err(|e| match e {
            Error::Config(m) => Error::Config(format!("refiner.{m}")),
            other => other,
        })?;
        Ok(Refiner {
            cfg: cfg.clone(),
            splitter,
            minhash: MinHasher::new(&cfg.dedup),
        })
    }

    /// Refine the pages of one shard (the Spider's `pages.jsonl`).
    pub async fn run_shard(
        self: &Arc<Self>,
        ctx: &StageContext,
        job: &str,
        shard: u32,
        pages: &[FetchedPage],
    ) -> Result<(Vec<Chunk>, ShardReport)> {
        let fetched: Vec<&FetchedPage> = pages
            .iter()
            .filter(|p| p.status == PageStatus::Fetched)
            .collect();
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        // Owned pages (metadata only, the bodies stay in the store): a closure over borrowed
        // items makes the future's lifetime higher-ranked, and rustc then cannot prove it
        // `Send` for the Lambda runtime.
        let owned: Vec<FetchedPage> = fetched.iter().map(|p| (*p).clone()).collect();
        let outcomes: Vec<Outcome> = futures::stream::iter(owned)
            .map(|page| {
                let this = Arc::clone(self);
                async move {
                    let html = match &page.body_key {
                        Some(k) => ctx.blobs.get(k).await?,
                        None => None,
                    };
                    let outcome = match html {
                        None => Outcome::Dropped(ItemError::new(
                            &page.url,
                            "missing page",
                            "the stored page is gone",
                        )),
                        Some(gz) => tokio::task::spawn_blocking(move || this.process(&page, &gz))
                            .await
                            .map_err(|e| Error::State(format!("refiner task: {e}")))?,
                    };
                    ctx.progress.advance(Stage::Refiner, 1);
                    Ok::<_, Error>(outcome)
                }
            })
            .buffered(workers)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_>>()?;

        let mut report = ShardReport::default();
        report.stats.add("pages", fetched.len() as u64);
        let mut chunks = Vec::new();
        for outcome in outcomes {
            let cand = match outcome {
                Outcome::Dropped(e) => {
                    report.stats.add("documents_dropped", 1);
                    report.fail(e);
                    continue;
                }
                Outcome::Kept(c) => c,
            };
            if let Some(dup) = self.duplicate_of(ctx, job, &cand).await? {
                report.stats.add("documents_dropped", 1);
                report.stats.add("duplicates", 1);
                report.fail(dup);
                continue;
            }
            report.stats.add("documents_kept", 1);
            report.stats.add("chunks", cand.chunks.len() as u64);
            report.stats.add("chunks_too_short", cand.short_chunks);
            report.stats.add(
                "tokens",
                cand.chunks.iter().map(|c| u64::from(c.token_count)).sum(),
            );
            chunks.extend(cand.chunks);
        }
        ctx.blobs
            .put(&keys::chunks(job, shard), jsonl::to_bytes(&chunks)?)
            .await?;
        ctx.state
            .complete_shard(job, Stage::Refiner, shard, &report)
            .await?;
        Ok((chunks, report))
    }

    /// Exact, then near-duplicate check. Claims are idempotent for the same owner, so a
    /// retried shard keeps its own documents.
    async fn duplicate_of(
        &self,
        ctx: &StageContext,
        job: &str,
        cand: &Candidate,
    ) -> Result<Option<ItemError>> {
        if self.cfg.dedup.exact {
            let claim = ctx
                .state
                .claim_keys(
                    job,
                    "exact",
                    std::slice::from_ref(&cand.exact_key),
                    &cand.url_hash,
                )
                .await?;
            if let Some(Claim::Lost { owner }) = claim.into_iter().next() {
                return Ok(Some(ItemError::new(
                    &cand.url,
                    DUPLICATE_EXACT,
                    format!("same text as document {owner}"),
                )));
            }
        }
        if self.cfg.dedup.near && !cand.band_keys.is_empty() {
            let claims = ctx
                .state
                .claim_keys(job, "lsh", &cand.band_keys, &cand.url_hash)
                .await?;
            if let Some(owner) = claims.into_iter().find_map(|c| match c {
                Claim::Lost { owner } => Some(owner),
                Claim::Won => None,
            }) {
                return Ok(Some(ItemError::new(
                    &cand.url,
                    DUPLICATE_NEAR,
                    format!("near-duplicate of document {owner}"),
                )));
            }
        }
        Ok(None)
    }

    /// The CPU part for one page: extraction, language, filters, signature, chunks.
    fn process(&self, page: &FetchedPage, gz: &[u8]) -> Outcome {
        let html = match gunzip(gz) {
            Ok(h) => h,
            Err(e) => {
                return Outcome::Dropped(ItemError::new(&page.url, "missing page", e.to_string()));
            }
        };
        let base = page.final_url.as_deref().unwrap_or(&page.url);
        match self.refine_html(&page.url, &page.url_hash, base, &html) {
            Ok(c) => Outcome::Kept(c),
            Err(e) => Outcome::Dropped(e),
        }
    }

    /// How many chunks the configured splitter cuts a text into (benchmarks and tests).
    pub fn chunk_count(&self, text: &str) -> usize {
        self.splitter.chunks(text).len()
    }

    /// Everything the Refiner does to one page before de-duplication, with no I/O: extract,
    /// language, filters, signature, chunks. `base` resolves relative links.
    pub fn refine_html(
        &self,
        url: &str,
        url_hash: &str,
        base: &str,
        html: &str,
    ) -> std::result::Result<Candidate, ItemError> {
        let drop = |reason: &str, detail: String| Err(ItemError::new(url, reason, detail));
        let doc = match extract(html, base) {
            Ok(d) => d,
            Err(e) => return drop(e.reason, e.detail),
        };
        let langs = &self.cfg.languages;
        if !langs.is_empty() {
            let confident = doc.language_confidence >= self.cfg.min_language_confidence;
            if !confident || !langs.iter().any(|l| l == &doc.language) {
                return drop(
                    "filter: language",
                    format!(
                        "{} (confidence {:.2}) not in {:?}",
                        doc.language, doc.language_confidence, langs
                    ),
                );
            }
        }
        if let Err(d) = filters::check(&doc.text, &doc.language, &self.cfg.filters) {
            return drop(&d.reason(), d.detail);
        }
        let exact_key = sha256_hex(normalize_for_dedup(&doc.text));
        let band_keys = if self.cfg.dedup.near {
            self.minhash.band_keys(&self.minhash.signature(&doc.text))
        } else {
            Vec::new()
        };
        let mut chunks = Vec::new();
        let mut short_chunks = 0;
        for c in self.splitter.chunks(&doc.text) {
            let (piece, token_count) = (c.text, c.tokens);
            if token_count < self.cfg.chunking.min_tokens {
                short_chunks += 1;
                continue;
            }
            chunks.push(Chunk {
                id: sha256_hex(piece),
                doc_id: url_hash.to_string(),
                url: url.to_string(),
                title: doc.title.clone(),
                language: doc.language.clone(),
                text: piece.to_string(),
                token_count: token_count as u32,
                chunk_index: chunks.len() as u32,
            });
        }
        if chunks.is_empty() {
            return drop(
                "no chunks",
                "all chunks shorter than refiner.chunking.min_tokens".to_string(),
            );
        }
        Ok(Candidate {
            url: url.to_string(),
            url_hash: url_hash.to_string(),
            exact_key,
            band_keys,
            chunks,
            short_chunks,
        })
    }
}
