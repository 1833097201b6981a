//! Spider: fetch one shard of URLs politely and store what came back.
//!
//! Per URL: robots.txt of its host (fetched once per job, Crawl-delay honoured), a per-host
//! rate limit and a global concurrency cap, retries with exponential backoff and jitter on
//! connect errors, 429 and 5xx (honouring Retry-After), content-type check, charset decoding.
//! Pages are stored gzipped under `jobs/<job>/raw/<shard>/`, with `pages.jsonl` describing
//! every URL of the shard, fetched or not. Outcomes are saved per URL as they finish, so a
//! rerun after a crash fetches nothing twice.

use std::collections::HashMap;
use std::io::Write;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use crate::charset::decode_html;
use crate::config::SpiderConfig;
use crate::error::Result;
use crate::model::{FetchedPage, PageStatus, ShardReport, Stage, UrlItem};
use crate::netguard::BLOCKED_PRIVATE;
use crate::ports::{FetchError, Fetcher, HttpResponse, rfc3339};
use crate::stages::StageContext;
use crate::{jsonl, keys};

/// Reason for pages robots.txt forbids.
pub const BLOCKED_ROBOTS: &str = "blocked: robots.txt";
/// Reason for responses that are not HTML.
pub const NOT_HTML: &str = "skipped: not html";

enum Robots {
    AllowAll,
    Rules(Box<texting_robots::Robot>),
    /// robots.txt could not be fetched (5xx, network): RFC 9309 says assume full disallow.
    Unreachable(String),
    /// The host itself is refused (network policy, DNS): pages fail with the same reason.
    Refused(FetchError),
}

/// Shared across the shards of a job: robots.txt per host, rate limiters, the concurrency cap.
pub struct Spider {
    fetcher: Arc<dyn Fetcher>,
    cfg: SpiderConfig,
    robots: Mutex<HashMap<String, Arc<OnceCell<Arc<Robots>>>>>,
    limiters: Mutex<HashMap<String, (Duration, Arc<DefaultDirectRateLimiter>)>>,
    permits: Semaphore,
}

fn host_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Spider {
    pub fn new(fetcher: Arc<dyn Fetcher>, cfg: SpiderConfig) -> Self {
        let permits = Semaphore::new(cfg.concurrency.max(1));
        Spider {
            fetcher,
            cfg,
            robots: Mutex::new(HashMap::new()),
            limiters: Mutex::new(HashMap::new()),
            permits,
        }
    }

    /// Fetch a shard. Reuses every URL outcome already saved for this job.
    pub async fn run_shard(
        &self,
        ctx: &StageContext,
        job: &str,
        shard: u32,
        urls: &[UrlItem],
    ) -> Result<(Vec<FetchedPage>, ShardReport)> {
        // Indices, not `&UrlItem` items: a closure over borrowed items makes the future's
        // lifetime higher-ranked, and rustc then cannot prove it `Send` for Lambda.
        let mut pages: Vec<(usize, FetchedPage)> = futures::stream::iter(0..urls.len())
            .map(|i| async move {
                let page = self.page(ctx, job, shard, &urls[i]).await;
                ctx.progress.advance(Stage::Spider, 1);
                page.map(|p| (i, p))
            })
            .buffer_unordered(self.cfg.concurrency.max(1) * 2)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        pages.sort_by_key(|(i, _)| *i);
        let pages: Vec<FetchedPage> = pages.into_iter().map(|(_, p)| p).collect();

        let mut report = ShardReport::default();
        report.stats.add("urls", pages.len() as u64);
        for p in &pages {
            match p.status {
                PageStatus::Fetched => {
                    report.stats.add("fetched", 1);
                    report.stats.add("bytes", p.body_bytes);
                }
                PageStatus::Failed => report.stats.add("failed", 1),
                PageStatus::Skipped => report.stats.add("skipped", 1),
            }
            if let Some(e) = p.error() {
                report.fail(e);
            }
        }
        ctx.blobs
            .put(&keys::raw_pages(job, shard), jsonl::to_bytes(&pages)?)
            .await?;
        ctx.state
            .complete_shard(job, Stage::Spider, shard, &report)
            .await?;
        Ok((pages, report))
    }

    async fn page(
        &self,
        ctx: &StageContext,
        job: &str,
        shard: u32,
        item: &UrlItem,
    ) -> Result<FetchedPage> {
        if let Some(saved) = ctx.state.get_url_outcome(job, &item.url_hash).await?
            && let Ok(page) = serde_json::from_str::<FetchedPage>(&saved)
        {
            return Ok(page);
        }
        let (mut page, html) = self.fetch(item).await;
        page.fetched_at = rfc3339(ctx.clock.now());
        if let Some(html) = html {
            let key = keys::raw_body(job, shard, &item.url_hash);
            let gz = gzip(html.as_bytes())?;
            ctx.blobs.put(&key, gz).await?;
            page.body_key = Some(key);
        }
        let json = serde_json::to_string(&page).map_err(|e| crate::Error::json("page", e))?;
        ctx.state
            .put_url_outcome(job, &item.url_hash, &json)
            .await?;
        Ok(page)
    }

    /// Fetch one URL: what happened, and the decoded HTML when there is a page to keep.
    async fn fetch(&self, item: &UrlItem) -> (FetchedPage, Option<String>) {
        let mut page = FetchedPage {
            url: item.url.clone(),
            url_hash: item.url_hash.clone(),
            status: PageStatus::Failed,
            reason: None,
            detail: None,
            http_status: None,
            final_url: None,
            content_type: None,
            charset: None,
            fetched_at: String::new(),
            body_key: None,
            body_bytes: 0,
            attempts: 0,
        };
        let url = match Url::parse(&item.url) {
            Ok(u) => u,
            Err(e) => return no_page(fail(page, "invalid url", e.to_string())),
        };
        let limiter = if url.scheme() == "file" {
            None
        } else {
            let robots = if self.cfg.respect_robots {
                Some(self.robots_for(&url).await)
            } else {
                None
            };
            let mut delay = None;
            match robots.as_deref() {
                Some(Robots::Rules(r)) => {
                    if !r.allowed(url.as_str()) {
                        return no_page(fail(page, BLOCKED_ROBOTS, "disallowed by robots.txt"));
                    }
                    delay = r.delay;
                }
                Some(Robots::Unreachable(why)) => {
                    return no_page(fail(
                        page,
                        BLOCKED_ROBOTS,
                        format!("robots.txt unreachable: {why}"),
                    ));
                }
                Some(Robots::Refused(e)) => {
                    return no_page(fail(page, e.reason, e.detail.clone()));
                }
                Some(Robots::AllowAll) | None => {}
            }
            Some(self.limiter_for(&url, delay))
        };

        let mut attempt = 0u32;
        loop {
            attempt += 1;
            page.attempts = attempt;
            if let Some(l) = &limiter {
                l.until_ready().await;
            }
            let result = {
                let _permit = self.permits.acquire().await;
                self.fetcher.get(&url).await
            };
            let retries_left = attempt <= self.cfg.max_retries;
            match result {
                Ok(resp) if resp.status == 429 || resp.status >= 500 => {
                    page.http_status = Some(resp.status);
                    let reason = if resp.status == 429 {
                        "http 429"
                    } else {
                        "http 5xx"
                    };
                    if !retries_left {
                        return no_page(fail(
                            page,
                            reason,
                            format!("HTTP {} after {attempt} attempts", resp.status),
                        ));
                    }
                    match self.retry_delay(attempt, resp.retry_after.as_deref()) {
                        Ok(d) => tokio::time::sleep(d).await,
                        Err(why) => return no_page(fail(page, reason, why)),
                    }
                }
                Ok(resp) => return self.accept(page, resp),
                Err(e) if e.retryable && retries_left => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(e) => return no_page(fail(page, e.reason, e.detail)),
            }
        }
    }

    fn accept(&self, mut page: FetchedPage, resp: HttpResponse) -> (FetchedPage, Option<String>) {
        page.http_status = Some(resp.status);
        page.final_url = Some(resp.final_url);
        page.content_type = resp.content_type.clone();
        if !(200..300).contains(&resp.status) {
            let reason = match resp.status {
                404 | 410 => "http 404",
                401 | 403 => "http 403",
                _ => "http error",
            };
            return (fail(page, reason, format!("HTTP {}", resp.status)), None);
        }
        if !is_html(resp.content_type.as_deref(), &resp.body) {
            page.status = PageStatus::Skipped;
            page.reason = Some(NOT_HTML.to_string());
            page.detail = Some(
                resp.content_type
                    .unwrap_or_else(|| "no content type, body not HTML".to_string()),
            );
            return (page, None);
        }
        if looks_binary(&resp.body) {
            page.status = PageStatus::Skipped;
            page.reason = Some("skipped: binary content".to_string());
            page.detail = Some("served as HTML but the body is binary".to_string());
            return (page, None);
        }
        let (html, charset) = decode_html(&resp.body, resp.content_type.as_deref());
        page.status = PageStatus::Fetched;
        page.charset = Some(charset.to_string());
        page.body_bytes = resp.body.len() as u64;
        (page, Some(html))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        crate::backoff::delay(self.cfg.backoff_base_ms, self.cfg.backoff_max_ms, attempt)
    }

    /// How long to wait before retrying a 429/5xx: Retry-After if given (seconds or an HTTP
    /// date), else backoff. A wait past the configured maximum gives up on the page.
    fn retry_delay(
        &self,
        attempt: u32,
        retry_after: Option<&str>,
    ) -> std::result::Result<Duration, String> {
        let Some(value) = retry_after.map(str::trim) else {
            return Ok(self.backoff(attempt));
        };
        let wait = if let Ok(secs) = value.parse::<u64>() {
            Duration::from_secs(secs)
        } else if let Ok(when) = httpdate::parse_http_date(value) {
            when.duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO)
        } else {
            return Ok(self.backoff(attempt));
        };
        if wait > Duration::from_secs(self.cfg.max_retry_after_secs) {
            return Err(format!(
                "Retry-After {}s exceeds spider.max_retry_after_secs ({})",
                wait.as_secs(),
                self.cfg.max_retry_after_secs
            ));
        }
        Ok(wait)
    }

    async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let key = host_key(url);
        let cell = {
            let mut map = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| async {
            let robots_url = match url.join("/robots.txt") {
                Ok(u) => u,
                Err(_) => return Arc::new(Robots::AllowAll),
            };
            let limiter = self.limiter_for(url, None);
            let mut attempt = 0;
            loop {
                attempt += 1;
                limiter.until_ready().await;
                let result = {
                    let _permit = self.permits.acquire().await;
                    self.fetcher.get(&robots_url).await
                };
                let robots = match result {
                    Ok(r) if (200..300).contains(&r.status) => {
                        match texting_robots::Robot::new(crate::ROBOTS_AGENT, &r.body) {
                            Ok(robot) => Robots::Rules(Box::new(robot)),
                            Err(_) => Robots::AllowAll,
                        }
                    }
                    Ok(r) if (400..500).contains(&r.status) && r.status != 429 => Robots::AllowAll,
                    Ok(r) if attempt <= self.cfg.max_retries => {
                        let d = self
                            .retry_delay(attempt, r.retry_after.as_deref())
                            .unwrap_or_else(|_| self.backoff(attempt));
                        tokio::time::sleep(d).await;
                        continue;
                    }
                    Ok(r) => Robots::Unreachable(format!("HTTP {}", r.status)),
                    Err(e) if e.reason == BLOCKED_PRIVATE || e.reason == "dns error" => {
                        Robots::Refused(e)
                    }
                    Err(e) if e.retryable && attempt <= self.cfg.max_retries => {
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    // A robots.txt past the size cap is treated like a missing one.
                    Err(e) if e.reason == "too large" => Robots::AllowAll,
                    Err(e) => Robots::Unreachable(format!("{}: {}", e.reason, e.detail)),
                };
                return Arc::new(robots);
            }
        })
        .await
        .clone()
    }

    /// The host's limiter; a Crawl-delay longer than the configured rate replaces it with a
    /// slower one.
    fn limiter_for(&self, url: &Url, crawl_delay: Option<f32>) -> Arc<DefaultDirectRateLimiter> {
        let mut period = Duration::from_secs_f64(1.0 / self.cfg.per_host_rps);
        if let Some(d) = crawl_delay {
            let d = f64::from(d).clamp(0.0, self.cfg.max_crawl_delay_secs);
            period = period.max(Duration::from_secs_f64(d));
        }
        let mut map = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        let key = host_key(url);
        if let Some((p, l)) = map.get(&key)
            && *p >= period
        {
            return l.clone();
        }
        let quota = Quota::with_period(period.max(Duration::from_micros(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::MIN);
        let limiter = Arc::new(RateLimiter::direct(quota));
        map.insert(key, (period, limiter.clone()));
        limiter
    }
}

fn no_page(page: FetchedPage) -> (FetchedPage, Option<String>) {
    (page, None)
}

fn fail(mut page: FetchedPage, reason: &str, detail: impl Into<String>) -> FetchedPage {
    page.status = PageStatus::Failed;
    page.reason = Some(reason.to_string());
    page.detail = Some(detail.into());
    page
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_err(|e| crate::Error::io("gzip", e))
}

/// Read a stored page back.
pub fn gunzip(bytes: &[u8]) -> Result<String> {
    // A gzip stream ends with its text's length (mod 2^32): reserving that up front spares
    // the dozen reallocations and copies of growing the string page by page. It is only a
    // hint (a damaged or hostile blob can claim anything), so it is capped; a longer text
    // still grows as usual.
    const MAX_HINT: usize = 64 << 20;
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |len| u32::from_le_bytes(len) as usize)
        .min(MAX_HINT);
    let mut out = String::with_capacity(hint);
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out)
        .map_err(|e| crate::Error::io("gunzip stored page", e))?;
    Ok(out)
}

fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    let essence = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    match essence.as_str() {
        "text/html" | "application/xhtml+xml" => true,
        "" | "application/octet-stream" => sniff_html(body),
        _ => false,
    }
}

fn sniff_html(body: &[u8]) -> bool {
    let head: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html") || head.starts_with(b"<head")
}

/// Binary bodies have NUL bytes early on; text (in ASCII-compatible encodings) does not.
fn looks_binary(body: &[u8]) -> bool {
    body.iter().take(4096).filter(|b| **b == 0).count() > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gunzip_reserves_the_trailer_length_and_a_wrong_trailer_fails_cleanly() {
        let page = "<p>caf\u{e9}</p>".repeat(5000);
        let gz = gzip(page.as_bytes()).unwrap();
        let back = gunzip(&gz).unwrap();
        assert_eq!(back, page);
        // Reserved once, to the byte: no growth on the way.
        assert_eq!(back.capacity(), page.len());
        // A trailer too small, too large (past the cap) or missing is an error naming what
        // failed, from the stream's own length check, as for any damaged blob; never a panic
        // or a 4 GiB reservation.
        for claim in [0u32, 7, u32::MAX] {
            let mut bad = gz.clone();
            let at = bad.len() - 4;
            bad[at..].copy_from_slice(&claim.to_le_bytes());
            let err = gunzip(&bad).unwrap_err().to_string();
            assert!(err.contains("gunzip stored page"), "{err}");
        }
        for short in [&b""[..], b"\x1f", b"\x1f\x8b\x08"] {
            assert!(gunzip(short).is_err());
        }
    }

    #[test]
    fn html_detection_by_type_then_sniffing() {
        assert!(is_html(Some("text/html; charset=utf-8"), b""));
        assert!(is_html(None, b"  <!DOCTYPE html><html>"));
        assert!(!is_html(None, b"%PDF-1.4"));
        assert!(!is_html(Some("application/pdf"), b"<html>"));
        assert!(!is_html(Some("text/plain"), b"<html>"));
        assert!(looks_binary(b"<html>\0\0\x01"));
    }
}
