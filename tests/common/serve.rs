//! `datafactory serve` as a child process on a free loopback port, with a loopback site of
//! corpus articles and the fake LLM behind it, for the dashboard's API and browser tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use wiremock::MockServer;

use super::llm::{self, KEY, MODEL};
use super::{article_html, english_articles, serve_html};

pub struct Served {
    pub child: Child,
    pub base: String,
    pub site: MockServer,
    pub llm: MockServer,
    pub urls: Vec<String>,
    pub data: PathBuf,
    pub _dir: tempfile::TempDir,
}

/// A loopback site with `pages` corpus articles; their URLs.
pub async fn site(pages: usize) -> (MockServer, Vec<String>) {
    let site = MockServer::start().await;
    let mut urls = Vec::new();
    for (i, a) in english_articles().iter().take(pages).enumerate() {
        serve_html(
            &site,
            &format!("/a/{i}"),
            article_html(&format!("Story {i}"), &a.paragraphs()),
        )
        .await;
        urls.push(format!("{}/a/{i}", site.uri()));
    }
    (site, urls)
}

/// Start `datafactory serve` on a free port with `extra` arguments; the LLM settings come from
/// the environment, as a user would give them.
pub async fn start(pages: usize, extra: &[&str]) -> Served {
    let (site, urls) = site(pages).await;
    let llm = llm::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args(["serve", "--bind", "127.0.0.1:0", "--allow-private-network"])
        .arg("--data-dir")
        .arg(&data)
        .args(extra)
        .env("DATAFACTORY_LLM_BASE_URL", format!("{}/v1", llm.uri()))
        .env("DATAFACTORY_LLM_MODEL", MODEL)
        .env("DATAFACTORY_LLM_API_KEY", KEY)
        .env_remove("DATAFACTORY_SERVE_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("serve printed its address within 30 s")
        .unwrap()
        .expect("serve printed a line");
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .trim_end_matches('/')
        .to_string();
    // Keep reading so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Served {
        child,
        base,
        site,
        llm,
        urls,
        data,
        _dir: dir,
    }
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Poll a job until it leaves pending/running; its final record.
    pub async fn wait_done(&self, id: &str, within: Duration) -> Value {
        let client = reqwest::Client::new();
        let start = Instant::now();
        loop {
            let v: Value = client
                .get(self.url(&format!("/jobs/{id}")))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let status = v["job"]["status"].as_str().unwrap_or("").to_string();
            if status == "completed" || status == "failed" {
                return v;
            }
            assert!(
                start.elapsed() < within,
                "job {id} still {status} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

pub fn export_dir(data: &Path, job: &str, version: u64) -> PathBuf {
    data.join(format!("exports/{job}/v{version}"))
}
