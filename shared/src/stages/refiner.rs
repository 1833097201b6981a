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
use crate::ports::{ClaimLost, ClaimSet};
use crate::stages::StageContext;
use crate::stages::spider::gunzip;
use crate::text::{normalize_for_dedup, sha256_hex};
use crate::tokens::TokenCounter;
use crate::{jsonl, keys};

pub const DUPLICATE_EXACT: &str = "duplicate: exact";
pub const DUPLICATE_NEAR: &str = "duplicate: near";

/// Claim namespaces of the exact and near-duplicate indexes.
const EXACT: &str = "exact";
const NEAR: &str = "lsh";

pub struct Refiner {
    cfg: RefinerConfig,
    splitter: Chunker,
    minhash: MinHasher,
    /// Pages in extraction at once: twice the cores keeps a page ready while others wait on
    /// the blob store.
    in_flight: usize,
    /// `in_flight` slots over all the shards this refiner works on: a runner that extracts two
    /// shards at once (so that one shard's slow last pages do not leave a core idle) keeps the
    /// same number of pages, and so of page-sized buffers, in memory.
    slots: Arc<tokio::sync::Semaphore>,
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

/// A shard's pages after extraction, in list order, waiting for de-duplication.
pub struct Extracted {
    pages: u64,
    outcomes: Vec<Outcome>,
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
        let in_flight = 2 * std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Refiner {
            cfg: cfg.clone(),
            splitter,
            minhash: MinHasher::new(&cfg.dedup),
            in_flight,
            slots: Arc::new(tokio::sync::Semaphore::new(in_flight)),
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
        let extracted = self.extract_shard(ctx, pages).await?;
        self.dedup_shard(ctx, job, shard, extracted).await
    }

    /// The parallel part of a shard, with no effect on the state store: every fetched page
    /// extracted, filtered, signed and chunked. A runner may extract the next shard while
    /// [`Refiner::dedup_shard`] finishes this one.
    pub async fn extract_shard(
        self: &Arc<Self>,
        ctx: &StageContext,
        pages: &[FetchedPage],
    ) -> Result<Extracted> {
        // Owned pages (metadata only, the bodies stay in the store): a closure over borrowed
        // items makes the future's lifetime higher-ranked, and rustc then cannot prove it
        // `Send` for the Lambda runtime.
        let owned: Vec<FetchedPage> = pages
            .iter()
            .filter(|p| p.status == PageStatus::Fetched)
            .cloned()
            .collect();
        let pages = owned.len() as u64;
        // Pages finish in any order and are put back in list order after: an ordered stream
        // holds a slot for every page until the pages before it are done, and with one slot
        // per core that left a core idle behind each slow page (about 1.4 of 2 cores busy).
        let started = std::time::Instant::now();
        let mut outcomes: Vec<(usize, Outcome)> =
            futures::stream::iter(owned.into_iter().enumerate())
                .map(|(i, page)| {
                    let this = Arc::clone(self);
                    async move {
                        let _slot = Arc::clone(&this.slots)
                            .acquire_owned()
                            .await
                            .map_err(|e| Error::State(format!("refiner slots: {e}")))?;
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
                            Some(gz) => {
                                tokio::task::spawn_blocking(move || this.process(&page, &gz))
                                    .await
                                    .map_err(|e| Error::State(format!("refiner task: {e}")))?
                            }
                        };
                        ctx.progress.advance(Stage::Refiner, 1);
                        Ok::<_, Error>((i, outcome))
                    }
                })
                .buffer_unordered(self.in_flight)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<Result<_>>()?;
        outcomes.sort_unstable_by_key(|(i, _)| *i);
        let outcomes: Vec<Outcome> = outcomes.into_iter().map(|(_, o)| o).collect();
        tracing::debug!(target: "datafactory::timing", pages, extract_ms = started.elapsed().as_millis() as u64, "refiner extracted");
        Ok(Extracted { pages, outcomes })
    }

    /// The ordered part of a shard: de-duplication claims in list order (one batch through
    /// the state store), then the chunk file and the shard's report.
    pub async fn dedup_shard(
        &self,
        ctx: &StageContext,
        job: &str,
        shard: u32,
        extracted: Extracted,
    ) -> Result<(Vec<Chunk>, ShardReport)> {
        let started = std::time::Instant::now();
        let mut report = ShardReport::default();
        report.stats.add("pages", extracted.pages);
        let mut kept = Vec::new();
        for outcome in extracted.outcomes {
            match outcome {
                Outcome::Dropped(e) => {
                    report.stats.add("documents_dropped", 1);
                    report.fail(e);
                }
                Outcome::Kept(c) => kept.push(c),
            }
        }
        let verdicts = self.duplicates(ctx, job, &mut kept).await?;
        let mut chunks = Vec::new();
        for (cand, dup) in kept.into_iter().zip(verdicts) {
            if let Some(dup) = dup {
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
        let deduped = started.elapsed();
        ctx.blobs
            .put(&keys::chunks(job, shard), jsonl::to_bytes(&chunks)?)
            .await?;
        ctx.state
            .complete_shard(job, Stage::Refiner, shard, &report)
            .await?;
        tracing::debug!(target: "datafactory::timing", shard, dedup_ms = deduped.as_millis() as u64, write_ms = (started.elapsed() - deduped).as_millis() as u64, "refiner de-duplicated");
        Ok((chunks, report))
    }

    /// Exact, then near-duplicate check per candidate, in list order, first writer wins.
    /// Claims are idempotent for the same owner, so a retried shard keeps its own documents.
    /// The candidates' keys move into the claims: nothing reads them after.
    async fn duplicates(
        &self,
        ctx: &StageContext,
        job: &str,
        kept: &mut [Candidate],
    ) -> Result<Vec<Option<ItemError>>> {
        let sets: Vec<ClaimSet> = kept
            .iter_mut()
            .map(|cand| {
                let mut groups = Vec::new();
                if self.cfg.dedup.exact {
                    groups.push((EXACT.to_string(), vec![std::mem::take(&mut cand.exact_key)]));
                }
                if self.cfg.dedup.near && !cand.band_keys.is_empty() {
                    groups.push((NEAR.to_string(), std::mem::take(&mut cand.band_keys)));
                }
                ClaimSet {
                    owner: cand.url_hash.clone(),
                    groups,
                }
            })
            .collect();
        let lost = ctx.state.claim_in_order(job, &sets).await?;
        if lost.len() != kept.len() {
            return Err(Error::State(format!(
                "state store answered {} of {} claim sets",
                lost.len(),
                kept.len()
            )));
        }
        Ok(kept
            .iter()
            .zip(&sets)
            .zip(lost)
            .map(|((cand, set), lost)| {
                let ClaimLost { group, owner } = lost?;
                let exact = set.groups.get(group).is_some_and(|(ns, _)| ns == EXACT);
                Some(if exact {
                    ItemError::new(
                        &cand.url,
                        DUPLICATE_EXACT,
                        format!("same text as document {owner}"),
                    )
                } else {
                    ItemError::new(
                        &cand.url,
                        DUPLICATE_NEAR,
                        format!("near-duplicate of document {owner}"),
                    )
                })
            })
            .collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::local::{DirBlobStore, SqliteState};
    use crate::ports::{BlobStore, SystemClock};
    use crate::stages::NoProgress;

    /// A blob store whose reads of later pages return sooner, so pages finish extraction in
    /// roughly the reverse of list order.
    struct LateFirstPages {
        inner: DirBlobStore,
        pages: u64,
    }

    #[async_trait::async_trait]
    impl BlobStore for LateFirstPages {
        async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
            self.inner.put(key, bytes).await
        }
        async fn put_file(&self, key: &str, path: &std::path::Path) -> Result<()> {
            self.inner.put_file(key, path).await
        }
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
            let index: u64 = key
                .rsplit('/')
                .next()
                .and_then(|n| n.strip_prefix('p'))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let wait = 3 * self.pages.saturating_sub(index);
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            self.inner.get(key).await
        }
        async fn exists(&self, key: &str) -> Result<bool> {
            self.inner.exists(key).await
        }
        async fn list(&self, prefix: &str) -> Result<Vec<String>> {
            self.inner.list(prefix).await
        }
        fn locate(&self, key: &str) -> String {
            self.inner.locate(key)
        }
    }

    /// Refine one shard of corpus pages, each listed twice under different URLs, into a
    /// fresh store; `late_first` makes the later pages finish extraction first.
    async fn refine_copies(late_first: bool) -> (Vec<Chunk>, ShardReport) {
        let dir = tempfile::tempdir().unwrap();
        let mut files = crate::testdata::corpus_page_paths();
        files.truncate(8);
        let listed: Vec<&std::path::PathBuf> = files.iter().chain(files.iter()).collect();
        let blobs = DirBlobStore::new(dir.path().join("blobs")).unwrap();
        let mut pages = Vec::new();
        for (i, file) in listed.iter().enumerate() {
            let key = format!("jobs/j/raw/00000/p{i}");
            blobs.put(&key, std::fs::read(file).unwrap()).await.unwrap();
            let url = format!("https://example.com/p{i}");
            pages.push(FetchedPage {
                url_hash: sha256_hex(&url),
                url,
                status: PageStatus::Fetched,
                reason: None,
                detail: None,
                http_status: Some(200),
                final_url: None,
                content_type: Some("text/html".to_string()),
                charset: Some("utf-8".to_string()),
                fetched_at: String::new(),
                body_key: Some(key),
                body_bytes: 0,
                attempts: 1,
            });
        }
        let blobs: Arc<dyn BlobStore> = if late_first {
            Arc::new(LateFirstPages {
                inner: blobs,
                pages: listed.len() as u64,
            })
        } else {
            Arc::new(blobs)
        };
        let ctx = StageContext {
            blobs,
            state: Arc::new(SqliteState::open(&dir.path().join("state.sqlite")).unwrap()),
            clock: Arc::new(SystemClock),
            progress: Arc::new(NoProgress),
        };
        let refiner = Arc::new(Refiner::new(&RefinerConfig::default()).unwrap());
        refiner.run_shard(&ctx, "j", 0, &pages).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn duplicates_are_decided_in_list_order_whatever_finishes_first() {
        let (chunks, report) = refine_copies(false).await;
        let (late_chunks, late_report) = refine_copies(true).await;
        assert_eq!(chunks, late_chunks);
        assert_eq!(report.errors, late_report.errors);
        assert_eq!(report.stats, late_report.stats);
        // Every second copy is dropped, and the first copy (earlier in the list) owns it.
        let dups: Vec<&ItemError> = late_report
            .errors
            .iter()
            .filter(|e| e.reason == DUPLICATE_EXACT)
            .collect();
        assert!(dups.len() >= 4, "{:?}", late_report.errors);
        for d in dups {
            let index: usize = d.item.rsplit('p').next().unwrap().parse().unwrap();
            assert!(index >= 8, "{} dropped as a copy of a later page", d.item);
        }
    }
}
