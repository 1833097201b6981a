//! robots.txt as the Spider uses it (shared/src/stages/spider.rs, `robots_for` and the check
//! before every fetch): `texting_robots::Robot::new(shared::ROBOTS_AGENT, body)`, then
//! `allowed(url.as_str())` for parsed URLs, then the Crawl-delay turned into a rate-limit
//! period the way `limiter_for` does. None of it may panic.
//!
//! Input: the robots.txt body. The URLs checked are a fixed few, plus every Allow/Disallow
//! value of the body used as a path (so the matcher sees its own patterns), plus the body's
//! last line as a path.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use url::Url;

const FIXED: [&str; 5] = [
    "https://example.com/",
    "https://example.com/private/page.html?x=1&y=%C3%A9",
    "https://example.com/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p",
    "https://example.com/%E2%82%AC/caf%C3%A9/*$",
    "http://example.com:8080/search?q=rust#top",
];

fuzz_target!(|data: &[u8]| {
    let Ok(robot) = texting_robots::Robot::new(shared::ROBOTS_AGENT, data) else {
        // The Spider treats an unparsable robots.txt as allow-all.
        return;
    };
    let base = Url::parse("https://example.com/").unwrap();
    let mut urls: Vec<Url> = FIXED.iter().map(|u| Url::parse(u).unwrap()).collect();
    let text = String::from_utf8_lossy(data);
    let mut paths: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| {
            let k = k.trim().to_ascii_lowercase();
            k == "allow" || k == "disallow"
        })
        .map(|(_, v)| v.trim())
        .take(16)
        .collect();
    if let Some(last) = text.lines().last() {
        paths.push(last);
    }
    for p in paths {
        // Item URLs reach the Spider parsed and normalised; an unparsable one never does.
        if let Ok(u) = base.join(p) {
            urls.push(u);
        }
    }
    for u in &urls {
        let _ = robot.allowed(u.as_str());
    }
    // `limiter_for`: the Crawl-delay, clamped to the configured maximum, may lengthen the
    // per-host period. Same arithmetic with the default config (2 rps, 30 s cap).
    let mut period = Duration::from_secs_f64(1.0 / 2.0);
    if let Some(d) = robot.delay {
        let d = f64::from(d).clamp(0.0, 30.0);
        period = period.max(Duration::from_secs_f64(d));
    }
    assert!(period <= Duration::from_secs(30));
    let _ = period.max(Duration::from_micros(1));
});
