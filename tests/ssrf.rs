//! SSRF: no fetch reaches a non-public address unless the job allows it, whether the address
//! is written literally (in any of the forms URL parsers accept), comes from DNS, from a
//! redirect, or from a DNS answer that changes between two lookups (rebinding).
//!
//! A "secret" server listens on 127.0.0.1 and counts what reaches it; every refused case
//! points at it where it can, so a guard that failed would show up as a request there, not
//! only as a wrong error.

mod common;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::*;
use shared::adapters::http::{Lookup, WebFetcher};
use shared::config::NetworkConfig;
use shared::netguard::BLOCKED_PRIVATE;
use shared::ports::Fetcher;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A DNS server under the attacker's control: fixed answers per name, and names whose answer
/// changes after the first lookup.
#[derive(Default)]
struct HostileDns {
    fixed: HashMap<&'static str, Vec<IpAddr>>,
    rebinding: HashMap<&'static str, (IpAddr, IpAddr)>,
    lookups: Mutex<HashMap<String, usize>>,
}

#[async_trait]
impl Lookup for HostileDns {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        // As resolvers do: a fully qualified name (trailing dot) is the same name.
        let host = host.trim_end_matches('.');
        let n = {
            let mut seen = self.lookups.lock().unwrap();
            let n = seen.entry(host.to_string()).or_default();
            *n += 1;
            *n
        };
        if let Some(ips) = self.fixed.get(host) {
            return Ok(ips.clone());
        }
        if let Some((first, then)) = self.rebinding.get(host) {
            return Ok(vec![if n == 1 { *first } else { *then }]);
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no such host {host}"),
        ))
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Two servers on one port: the secret one on 127.0.0.1, and an "allowed" one on 127.0.0.2,
/// which the jobs below open with `allow_cidrs` (standing in for a public site).
async fn servers() -> (MockServer, MockServer, u16) {
    for _ in 0..20 {
        let allowed = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
        let port = allowed.local_addr().unwrap().port();
        let Ok(secret) = std::net::TcpListener::bind(("127.0.0.1", port)) else {
            continue;
        };
        let secret = MockServer::builder().listener(secret).start().await;
        let allowed = MockServer::builder().listener(allowed).start().await;
        return (secret, allowed, port);
    }
    panic!("no port free on both 127.0.0.1 and 127.0.0.2");
}

fn fetcher(net: NetworkConfig, dns: Arc<HostileDns>) -> WebFetcher {
    let mut spider = test_config().spider;
    spider.connect_timeout_secs = 2.0;
    spider.timeout_secs = 5.0;
    WebFetcher::with_lookup(&spider, &net, false, dns).unwrap()
}

fn allow_only_the_allowed_server() -> NetworkConfig {
    NetworkConfig {
        allow_private: false,
        allow_cidrs: vec!["127.0.0.2/32".parse().unwrap()],
    }
}

fn hostile_dns() -> HostileDns {
    let mut dns = HostileDns::default();
    for (name, ips) in [
        ("evil.test", vec![ip("127.0.0.1")]),
        ("metadata.test", vec![ip("169.254.169.254")]),
        ("v6-loopback.test", vec![ip("::1")]),
        ("mapped.test", vec![ip("::ffff:127.0.0.1")]),
        ("nat64.test", vec![ip("64:ff9b::7f00:1")]),
        ("private.test", vec![ip("10.0.0.5")]),
        ("cgnat.test", vec![ip("100.64.0.1")]),
        ("multicast.test", vec![ip("224.0.0.1")]),
        ("unique-local.test", vec![ip("fd00::1")]),
        ("link-local6.test", vec![ip("fe80::1")]),
        (
            "all-private.test",
            vec![ip("10.0.0.1"), ip("127.0.0.1"), ip("192.168.0.1")],
        ),
        ("allowed.test", vec![ip("127.0.0.2")]),
        ("localhost", vec![ip("127.0.0.1"), ip("::1")]),
    ] {
        dns.fixed.insert(name, ips);
    }
    dns.rebinding
        .insert("rebind.test", (ip("127.0.0.2"), ip("127.0.0.1")));
    dns
}

async fn refused(f: &WebFetcher, url: &str) -> String {
    let u = Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    match f.get(&u).await {
        Ok(r) => panic!("{url} was fetched: HTTP {} from {}", r.status, r.final_url),
        Err(e) => format!("{}: {}", e.reason, e.detail),
    }
}

#[tokio::test]
async fn no_fetch_reaches_a_private_address_by_any_route() {
    let (secret, allowed, port) = servers().await;
    serve_html(&secret, "/", "<p>internal admin</p>").await;
    serve_html(&allowed, "/page", "<p>public page</p>").await;
    let redirects = [
        ("/to-literal", format!("http://127.0.0.1:{port}/")),
        ("/to-decimal", format!("http://2130706433:{port}/")),
        ("/to-v6", format!("http://[::1]:{port}/")),
        ("/to-mapped", format!("http://[::ffff:127.0.0.1]:{port}/")),
        ("/to-name", format!("http://evil.test:{port}/")),
        (
            "/to-metadata",
            "http://169.254.169.254/latest/meta-data/".into(),
        ),
        ("/to-metadata-name", "http://metadata.test/latest/".into()),
        ("/hop", format!("http://allowed.test:{port}/to-literal")),
    ];
    for (at, to) in &redirects {
        Mock::given(method("GET"))
            .and(path(*at))
            .respond_with(ResponseTemplate::new(302).insert_header("location", to.as_str()))
            .mount(&allowed)
            .await;
    }
    let dns = Arc::new(hostile_dns());
    let f = fetcher(allow_only_the_allowed_server(), dns.clone());

    // The allowed server is reachable, so the refusals below are the guard's doing.
    let ok = f
        .get(&Url::parse(&format!("http://127.0.0.2:{port}/page")).unwrap())
        .await
        .unwrap();
    assert_eq!(ok.status, 200);

    let mut cases = Vec::new();
    // Literal addresses, in the spellings URL parsers turn into loopback and friends.
    for host in [
        "127.0.0.1",
        "127.1",
        "127.000.000.001",
        "2130706433",
        "0x7f000001",
        "0x7f.0.0.1",
        "0177.0.0.1",
        "0",
        "0.0.0.0",
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:ffff:127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "localhost",
        "LOCALHOST",
        "localhost.",
    ] {
        cases.push(format!("http://{host}:{port}/"));
    }
    for u in [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[fe80::1]/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://192.0.0.1/",
        "http://198.18.0.1/",
        "http://224.0.0.1/",
        "http://239.255.255.250:1900/",
        "http://255.255.255.255/",
        "http://[ff02::1]/",
        "http://[fc00::1]/",
        "http://240.0.0.1/",
    ] {
        cases.push(u.to_string());
    }
    // Names whose DNS answers are non-public.
    for name in [
        "evil.test",
        "metadata.test",
        "v6-loopback.test",
        "mapped.test",
        "nat64.test",
        "private.test",
        "cgnat.test",
        "multicast.test",
        "unique-local.test",
        "link-local6.test",
        "all-private.test",
    ] {
        cases.push(format!("http://{name}:{port}/"));
    }
    // Redirects from the allowed server to each of those kinds of place.
    for (at, _) in &redirects {
        cases.push(format!("http://127.0.0.2:{port}{at}"));
    }
    let mut reasons = Vec::new();
    for url in &cases {
        let why = refused(&f, url).await;
        assert!(
            why.starts_with(BLOCKED_PRIVATE),
            "{url} was refused for the wrong reason: {why}"
        );
        reasons.push(why);
    }

    // Rebinding: the name passes the check once (127.0.0.2), then answers with the secret
    // server's address. The second fetch resolves again and is refused; no connection is
    // ever made to an address that was not checked.
    let first = f
        .get(&Url::parse(&format!("http://rebind.test:{port}/page")).unwrap())
        .await
        .unwrap();
    assert_eq!(first.status, 200);
    let fresh = fetcher(allow_only_the_allowed_server(), dns.clone());
    let why = refused(&fresh, &format!("http://rebind.test:{port}/")).await;
    assert!(why.starts_with(BLOCKED_PRIVATE), "{why}");
    assert!(dns.lookups.lock().unwrap()["rebind.test"] >= 2);

    let reached = secret.received_requests().await.unwrap();
    assert!(
        reached.is_empty(),
        "{} request(s) reached the private server",
        reached.len()
    );
    eprintln!("{} SSRF attempts refused", cases.len() + 1);
}

#[tokio::test]
async fn a_job_that_opens_the_network_reaches_only_what_it_opened() {
    let (secret, _allowed, port) = servers().await;
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    Mock::given(method("GET"))
        .respond_with(move |_: &wiremock::Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_string("<p>internal</p>")
        })
        .mount(&secret)
        .await;
    let url = Url::parse(&format!("http://evil.test:{port}/")).unwrap();

    let one_cidr = NetworkConfig {
        allow_private: false,
        allow_cidrs: vec!["127.0.0.1/32".parse().unwrap()],
    };
    let f = fetcher(one_cidr, Arc::new(hostile_dns()));
    assert_eq!(f.get(&url).await.unwrap().status, 200);
    // The opened CIDR does not open its neighbours.
    let why = refused(&f, "http://metadata.test/").await;
    assert!(why.starts_with(BLOCKED_PRIVATE), "{why}");

    let everything = NetworkConfig {
        allow_private: true,
        allow_cidrs: vec![],
    };
    let f = fetcher(everything, Arc::new(hostile_dns()));
    assert_eq!(f.get(&url).await.unwrap().status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
