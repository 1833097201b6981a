//! URL normalisation, so that the same page listed twice (with a fragment, a tracking
//! parameter, an upper-case host or a default port) is fetched once.

use url::Url;

/// Query parameters that only track the visitor; dropping them never changes the page.
const TRACKING_PARAMS: [&str; 7] = [
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga",
];

/// Why a URL was refused. The `reason` strings are stable: summaries group by them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRejected {
    pub reason: &'static str,
    pub detail: String,
}

/// Parse and normalise one URL. `allow_file` admits `file://` URLs (local mode only).
pub fn normalize(raw: &str, allow_file: bool) -> Result<Url, UrlRejected> {
    let raw = raw.trim();
    let mut url = Url::parse(raw).map_err(|e| UrlRejected {
        reason: "invalid url",
        detail: format!("{e}: {}", crate::text::first_chars(raw, 200)),
    })?;
    match url.scheme() {
        "http" | "https" => {}
        "file" if allow_file => return Ok(url),
        other => {
            return Err(UrlRejected {
                reason: "unsupported scheme",
                detail: format!("{other}: is not http or https"),
            });
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlRejected {
            reason: "invalid url",
            detail: "no host".to_string(),
        });
    }
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    // A trailing dot on the host names the same host.
    if let Some(host) = url.host_str().map(str::to_string)
        && host.len() > 1
        && let Some(stripped) = host.strip_suffix('.')
    {
        let _ = url.set_host(Some(stripped));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_urls_normalise_to_one() {
        let a = normalize("HTTP://Example.COM:80/a/b?utm_source=x#frag", false).unwrap();
        let b = normalize("http://example.com/a/b", false).unwrap();
        assert_eq!(a, b);
        let c = normalize("https://example.com./p?id=3&fbclid=zz", false).unwrap();
        assert_eq!(c.as_str(), "https://example.com/p?id=3");
    }

    #[test]
    fn other_schemes_and_garbage_are_refused_with_a_reason() {
        assert_eq!(
            normalize("ftp://x.org/f", false).unwrap_err().reason,
            "unsupported scheme"
        );
        assert_eq!(
            normalize("javascript:alert(1)", false).unwrap_err().reason,
            "unsupported scheme"
        );
        assert_eq!(
            normalize("not a url", false).unwrap_err().reason,
            "invalid url"
        );
        assert_eq!(
            normalize("file:///tmp/a.html", false).unwrap_err().reason,
            "unsupported scheme"
        );
        assert!(normalize("file:///tmp/a.html", true).is_ok());
    }
}
