//! The fetcher: one GET through reqwest with the job's network policy applied after DNS
//! resolution (the resolver hands reqwest only permitted addresses, so the connection goes to
//! the address that was checked) and to every redirect target; plus `file://` reads of saved
//! pages in local mode. Retries, robots.txt and rate limits are the Spider's business.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::config::{NetworkConfig, SpiderConfig};
use crate::error::{Error, Result};
use crate::netguard::{BLOCKED_PRIVATE, NetPolicy};
use crate::ports::{FetchError, Fetcher, HttpResponse};

#[derive(Debug)]
struct BlockedAddress(String);

impl std::fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to non-public addresses", self.0)
    }
}
impl std::error::Error for BlockedAddress {}

#[derive(Debug)]
struct RedirectRefused(&'static str, String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0, self.1)
    }
}
impl std::error::Error for RedirectRefused {}

/// Name resolution, a seam so tests can play a hostile DNS server (rebinding, private answers).
#[async_trait]
pub trait Lookup: Send + Sync {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>>;
}

/// The system resolver (getaddrinfo).
pub struct SystemLookup;

#[async_trait]
impl Lookup for SystemLookup {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok(tokio::net::lookup_host((host, 0))
            .await?
            .map(|a| a.ip())
            .collect())
    }
}

/// Resolves once, then keeps only addresses the policy permits; reqwest connects to exactly
/// those, so a DNS answer that changes between check and connect (rebinding) changes nothing.
struct GuardedResolver {
    policy: Arc<NetPolicy>,
    lookup: Arc<dyn Lookup>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (policy, lookup) = (self.policy.clone(), self.lookup.clone());
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = lookup
                .lookup(&host)
                .await?
                .into_iter()
                .map(|ip| SocketAddr::new(ip, 0))
                .collect();
            let permitted: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            if permitted.is_empty() && !found.is_empty() {
                return Err(
                    Box::new(BlockedAddress(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(a) => Some(IpAddr::V4(a)),
        Host::Ipv6(a) => Some(IpAddr::V6(a)),
        Host::Domain(_) => None,
    }
}

pub struct WebFetcher {
    client: reqwest::Client,
    policy: Arc<NetPolicy>,
    max_body: u64,
    allow_files: bool,
}

impl WebFetcher {
    /// `allow_files` serves `file://` URLs from disk (local runs over saved pages).
    pub fn new(spider: &SpiderConfig, net: &NetworkConfig, allow_files: bool) -> Result<Self> {
        Self::with_lookup(spider, net, allow_files, Arc::new(SystemLookup))
    }

    /// As [`WebFetcher::new`], resolving names with `lookup`.
    pub fn with_lookup(
        spider: &SpiderConfig,
        net: &NetworkConfig,
        allow_files: bool,
        lookup: Arc<dyn Lookup>,
    ) -> Result<Self> {
        let policy = Arc::new(NetPolicy::from_config(net));
        let redirect_policy = {
            let policy = policy.clone();
            let max = spider.max_redirects;
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max {
                    let detail = format!("more than {max} redirects");
                    return attempt.error(RedirectRefused("too many redirects", detail));
                }
                let next = attempt.url();
                if !matches!(next.scheme(), "http" | "https") {
                    let detail = format!("redirect to {}", next.scheme());
                    return attempt.error(RedirectRefused("unsupported scheme", detail));
                }
                if let Some(ip) = literal_ip(next)
                    && !policy.permits(ip)
                {
                    let detail = format!("redirect to {ip}");
                    return attempt.error(RedirectRefused(BLOCKED_PRIVATE, detail));
                }
                attempt.follow()
            })
        };
        let client = reqwest::Client::builder()
            .user_agent(spider.user_agent.clone())
            .connect_timeout(Duration::from_secs_f64(spider.connect_timeout_secs))
            .timeout(Duration::from_secs_f64(spider.timeout_secs))
            .read_timeout(Duration::from_secs_f64(spider.timeout_secs))
            .redirect(redirect_policy)
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
                lookup,
            }))
            .no_proxy()
            .build()
            .map_err(|e| Error::Config(format!("building HTTP client: {e}")))?;
        Ok(WebFetcher {
            client,
            policy,
            max_body: spider.max_body_bytes,
            allow_files,
        })
    }
}

/// Read a saved page from disk (gunzipping `.gz`), bounded by the body cap.
fn read_file(url: &Url, max_body: u64) -> std::result::Result<HttpResponse, FetchError> {
    let path = url
        .to_file_path()
        .map_err(|()| FetchError::new("invalid url", "not a local file path", false))?;
    let file = std::fs::File::open(&path)
        .map_err(|e| FetchError::new("file error", format!("{}: {e}", path.display()), false))?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    let mut body = Vec::new();
    let limit = max_body + 1;
    let read = if gz {
        flate2::read::MultiGzDecoder::new(file)
            .take(limit)
            .read_to_end(&mut body)
    } else {
        file.take(limit).read_to_end(&mut body)
    };
    read.map_err(|e| FetchError::new("file error", format!("{}: {e}", path.display()), false))?;
    if body.len() as u64 > max_body {
        return Err(too_large(max_body));
    }
    Ok(HttpResponse {
        status: 200,
        final_url: url.to_string(),
        content_type: Some("text/html".to_string()),
        retry_after: None,
        body,
    })
}

fn too_large(max: u64) -> FetchError {
    FetchError::new(
        "too large",
        format!("body larger than spider.max_body_bytes ({max})"),
        false,
    )
}

/// Turn a reqwest error into a stable reason, looking through its causes for ours.
fn classify(e: &reqwest::Error) -> FetchError {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut chain = Vec::new();
    while let Some(s) = src {
        if let Some(b) = s.downcast_ref::<BlockedAddress>() {
            return FetchError::new(BLOCKED_PRIVATE, b.to_string(), false);
        }
        if let Some(r) = s.downcast_ref::<RedirectRefused>() {
            return FetchError::new(r.0, r.1.clone(), false);
        }
        chain.push(s.to_string());
        src = s.source();
    }
    let detail = chain.join(": ");
    if e.is_timeout() {
        FetchError::new("timeout", detail, false)
    } else if detail.contains("dns error") || detail.contains("failed to lookup address") {
        FetchError::new("dns error", detail, false)
    } else if e.is_connect() {
        FetchError::new("connect error", detail, true)
    } else if e.is_redirect() {
        FetchError::new("redirect error", detail, false)
    } else if e.is_body() || e.is_decode() {
        FetchError::new("body error", detail, true)
    } else {
        FetchError::new("request error", detail, true)
    }
}

#[async_trait]
impl Fetcher for WebFetcher {
    async fn get(&self, url: &Url) -> std::result::Result<HttpResponse, FetchError> {
        if url.scheme() == "file" {
            if !self.allow_files {
                return Err(FetchError::new(
                    "unsupported scheme",
                    "file: URLs are local-only",
                    false,
                ));
            }
            let (this_url, max) = (url.clone(), self.max_body);
            // Reading and gunzipping a page is blocking work.
            return tokio::task::spawn_blocking(move || read_file(&this_url, max))
                .await
                .map_err(|e| FetchError::new("file error", e.to_string(), false))?;
        }
        if let Some(ip) = literal_ip(url)
            && !self.policy.permits(ip)
        {
            return Err(FetchError::new(BLOCKED_PRIVATE, ip.to_string(), false));
        }
        let mut resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        let final_url = resp.url().to_string();
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let retry_after = header(reqwest::header::RETRY_AFTER);
        if resp.content_length().is_some_and(|n| n > self.max_body) {
            return Err(too_large(self.max_body));
        }
        let mut body = Vec::new();
        // Only read bodies we may use; error pages are not worth the bandwidth.
        if (200..300).contains(&status) {
            while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e))? {
                if (body.len() + chunk.len()) as u64 > self.max_body {
                    return Err(too_large(self.max_body));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(HttpResponse {
            status,
            final_url,
            content_type,
            retry_after,
            body,
        })
    }
}
