//! The dashboard's API over HTTP, as `datafactory serve` answers it: every route the page
//! uses, driven the way the page drives it (create, watch, inspect, review, export, download),
//! with the local server's guards; then the page itself in headless Chromium
//! (`tests/browser/e2e.mjs`, playwright-core over Debian's chromium).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::serve::{self, Served};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn get(s: &Served, path: &str) -> (StatusCode, Value) {
    let r = Client::new().get(s.url(path)).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn send(s: &Served, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r = Client::new()
        .request(method.parse().unwrap(), s.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Both splits of an export version, fetched through the links the exports route gives.
async fn exported(s: &Served, job: &str, version: u64) -> Vec<Value> {
    let (train, validation) = splits(s, job, version).await;
    train.into_iter().chain(validation).collect()
}

/// The train and validation records of an export version, through the API's links.
async fn splits(s: &Served, job: &str, version: u64) -> (Vec<Value>, Vec<Value>) {
    let (status, list) = get(s, &format!("/jobs/{job}/exports")).await;
    assert_eq!(status, 200, "{list}");
    let v = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == version)
        .unwrap_or_else(|| panic!("no version {version} in {list}"));
    assert_eq!(v["complete"], true);
    let mut out = (Vec::new(), Vec::new());
    for split in ["train.jsonl", "validation.jsonl"] {
        let f = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == split)
            .unwrap();
        let url = f["url"].as_str().unwrap();
        assert!(
            url.starts_with('/'),
            "a local store's link is this API's: {url}"
        );
        let r = Client::new().get(s.url(url)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-disposition"],
            format!("attachment; filename=\"{split}\"").as_str()
        );
        let records = jsonl(&r.text().await.unwrap());
        if split == "train.jsonl" {
            out.0 = records;
        } else {
            out.1 = records;
        }
    }
    out
}

fn ids_of(records: &[Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_serves_the_dashboard_and_the_review_loop_reaches_the_export() {
    let s = serve::start(6, &[]).await;

    // The page itself, with its guards.
    let r = Client::new().get(s.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let html = r.text().await.unwrap();
    let asset = html
        .split('"')
        .find(|p| p.starts_with("/assets/") && p.ends_with(".js"))
        .unwrap_or_else(|| panic!("no script in {html}"));
    let r = Client::new().get(s.url(asset)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    // Templates, formats, and the estimate before submitting.
    let (_, t) = get(&s, "/templates").await;
    assert!(
        t["templates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "qa")
    );
    let (_, f) = get(&s, "/formats").await;
    assert!(f["formats"].as_array().unwrap().contains(&json!("openai")));
    let mut with_junk = s.urls.clone();
    with_junk.push("not a url".into());
    let new_job = json!({ "urls": with_junk, "config": { "factory": { "template": "qa" } } });
    let (status, est) = send(&s, "POST", "/estimate", new_job.clone()).await;
    assert_eq!(status, 200, "{est}");
    assert_eq!(est["urls"], 6);
    assert_eq!(est["lines_refused"], 1);
    assert!(est["refused"][0]["reason"].as_str().is_some(), "{est}");
    assert_eq!(est["estimate"]["model"], common::llm::MODEL);
    assert_eq!(est["estimate"]["llm_calls"], est["estimate"]["chunks"]);
    assert_eq!(
        est["estimate"]["priced"], false,
        "the fake model has no price"
    );
    assert!(
        est["estimate"]["basis"]
            .as_str()
            .unwrap()
            .contains("no price")
    );

    // Submit, then watch it finish.
    let (status, created) = send(&s, "POST", "/jobs", new_job.clone()).await;
    assert_eq!(status, 202, "{created}");
    let id = created["job_id"].as_str().unwrap().to_string();
    assert_eq!(created["lines_refused"], 1);
    let (status, again) = send(&s, "POST", "/jobs", new_job).await;
    assert_eq!(
        (status.as_u16(), again["job_id"].as_str()),
        (202, Some(id.as_str()))
    );
    let done = s.wait_done(&id, Duration::from_secs(120)).await;
    assert_eq!(done["job"]["status"], "completed", "{done}");
    for stage in ["spider", "refiner", "factory", "inspector", "shipper"] {
        assert!(
            done["stages"][stage]["shards_done"].as_u64() >= Some(1),
            "{stage}: {done}"
        );
    }
    assert_eq!(done["stages"]["spider"]["counters"]["fetched"], 6);
    let (_, jobs) = get(&s, "/jobs").await;
    let row = &jobs["jobs"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["totals"]["pages_fetched"], 6);
    assert!(row["totals"]["examples"].as_u64() > Some(4), "{row}");
    assert_eq!(row["progress"]["shards_done"]["shipper"], 1);

    // Quality: histograms per check and the worst examples first.
    let (status, q) = get(&s, &format!("/jobs/{id}/quality")).await;
    assert_eq!(status, 200, "{q}");
    let inspected = q["inspected"].as_u64().unwrap();
    assert_eq!(
        q["histograms"]["total"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum::<u64>(),
        inspected
    );
    assert!(q["histograms"]["groundedness"].is_array());
    let worst: Vec<f64> = q["worst"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["score"].as_f64().unwrap())
        .collect();
    assert!(worst.windows(2).all(|w| w[0] <= w[1]), "{worst:?}");

    // Browse, then review four examples.
    let (_, all) = get(&s, &format!("/jobs/{id}/examples?limit=500")).await;
    assert_eq!(all["total"].as_u64(), Some(inspected));
    let ids: Vec<String> = all["examples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["passed"] == true)
        .take(4)
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 4, "four passing examples to review");
    let review = |ex: &str| format!("/jobs/{id}/examples/{ex}/review");
    let (status, one) = send(
        &s,
        "PUT",
        &review(&ids[0]),
        json!({ "rating": 9, "decision": "approved" }),
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(
        (
            one["review"]["rating"].as_u64(),
            one["review"]["reviewer"].as_str()
        ),
        (Some(9), Some("local"))
    );
    let (_, two) = send(
        &s,
        "PUT",
        &review(&ids[1]),
        json!({ "rating": 2, "decision": "rejected" }),
    )
    .await;
    assert_eq!(two["review"]["decision"], "rejected");
    let rewrite = "A reviewer's clearer answer, kept verbatim.";
    let (_, three) = send(
        &s,
        "PUT",
        &review(&ids[2]),
        json!({ "rating": 8, "rewrite": rewrite }),
    )
    .await;
    assert_eq!(three["review"]["rewrite"], rewrite);
    let original = three["response"].as_str().unwrap().to_string();
    assert_ne!(
        original, rewrite,
        "the example keeps its generated response"
    );
    let (_, four) = send(&s, "PUT", &review(&ids[3]), json!({ "rating": 5 })).await;
    assert_eq!(four["review"]["rating"], 5);
    // A change touches only what it names; null clears.
    let (_, cleared) = send(
        &s,
        "PUT",
        &review(&ids[3]),
        json!({ "decision": "approved", "rating": null }),
    )
    .await;
    assert_eq!(
        (
            cleared["review"]["rating"].clone(),
            cleared["review"]["decision"].clone()
        ),
        (Value::Null, json!("approved"))
    );
    let (_, four) = send(
        &s,
        "PUT",
        &review(&ids[3]),
        json!({ "rating": 5, "decision": null }),
    )
    .await;
    assert_eq!(
        (
            four["review"]["rating"].clone(),
            four["review"]["decision"].clone()
        ),
        (json!(5), Value::Null)
    );

    // Bad reviews: each refused with its reason, nothing stored.
    for (body, code) in [
        (json!({ "rating": 11 }), "invalid_review"),
        (json!({ "decision": "maybe" }), "invalid_review"),
        (json!({ "stars": 3 }), "invalid_review"),
        (json!({ "rewrite": "x".repeat(40_000) }), "invalid_review"),
    ] {
        let (status, e) = send(&s, "PUT", &review(&ids[0]), body).await;
        assert_eq!(
            (status.as_u16(), e["error"]["code"].as_str()),
            (400, Some(code)),
            "{e}"
        );
    }
    let (status, e) = send(
        &s,
        "PUT",
        &format!("/jobs/{id}/examples/nope/review"),
        json!({ "rating": 3 }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    // Filters and sorts see the reviews; one example with its source.
    let count = |v: &Value| v["total"].as_u64().unwrap();
    let (_, unrev) = get(&s, &format!("/jobs/{id}/examples?filter=unreviewed")).await;
    assert_eq!(count(&unrev), inspected - 4);
    let (_, rej) = get(&s, &format!("/jobs/{id}/examples?filter=rejected")).await;
    assert_eq!(rej["examples"][0]["id"], ids[1].as_str());
    let (_, rw) = get(&s, &format!("/jobs/{id}/examples?filter=rewritten")).await;
    assert_eq!(count(&rw), 1);
    let (_, by_rating) = get(&s, &format!("/jobs/{id}/examples?sort=-rating&limit=2")).await;
    assert_eq!(by_rating["examples"][0]["review"]["rating"], 9);
    assert_eq!(by_rating["examples"].as_array().unwrap().len(), 2);
    let (status, e) = get(&s, &format!("/jobs/{id}/examples?filter=bogus")).await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (400, Some("invalid_query"))
    );
    let (_, one) = get(&s, &format!("/jobs/{id}/examples/{}", ids[2])).await;
    assert!(one["source"].as_str().unwrap().len() > 100);
    assert_eq!(one["review"]["rewrite"], rewrite);

    // Stats: counts, histogram, agreement.
    let (_, st) = get(&s, &format!("/jobs/{id}/reviews/stats")).await;
    assert_eq!(
        (
            st["reviewed"].as_u64(),
            st["rated"].as_u64(),
            st["rejected"].as_u64(),
            st["rewritten"].as_u64()
        ),
        (Some(4), Some(4), Some(1), Some(1))
    );
    assert_eq!(st["ratings"][8], 1);
    assert_eq!(st["ratings"][1], 1);
    assert_eq!(st["agreement"]["pairs"], 4);
    assert_eq!(st["agreement"]["decisions"], 2);
    assert_eq!(
        st["agreement"]["decision_agreement"], 0.5,
        "the rejected one had passed"
    );

    // Export again: the rejected never ships, the rewrite ships with the original kept.
    let (status, ex) = send(
        &s,
        "POST",
        &format!("/jobs/{id}/exports"),
        json!({ "formats": ["openai"] }),
    )
    .await;
    assert_eq!(status, 201, "{ex}");
    let version = ex["version"].as_u64().unwrap();
    assert_eq!(version, 2);
    assert_eq!(ex["manifest"]["reviews"]["rejected"], 1);
    assert_eq!(ex["manifest"]["reviews"]["rewritten"], 1);
    let records = exported(&s, &id, version).await;
    let shipped: BTreeSet<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        !shipped.contains(ids[1].as_str()),
        "rejected example shipped"
    );
    let rec = records.iter().find(|r| r["id"] == ids[2].as_str()).unwrap();
    assert_eq!(rec["response"], rewrite);
    assert_eq!(rec["review"]["original_response"], original.as_str());
    assert_eq!(rec["review"]["rating"], 8);
    let first = records.iter().find(|r| r["id"] == ids[0].as_str()).unwrap();
    assert_eq!(first["review"]["decision"], "approved");
    let (_, detail) = get(&s, &format!("/jobs/{id}/exports/{version}")).await;
    let card = detail["card"].as_str().unwrap();
    assert!(
        card.contains("## Human review") && card.contains("1 rejected"),
        "{card}"
    );
    assert_eq!(detail["manifest"]["version"], version);
    // The fine-tuning file carries the rewrite too.
    let openai = Client::new()
        .get(s.url(&format!(
            "/jobs/{id}/exports/{version}/files/train.openai.jsonl"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let val = Client::new()
        .get(s.url(&format!(
            "/jobs/{id}/exports/{version}/files/validation.openai.jsonl"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(format!("{openai}{val}").contains(rewrite));

    // --min-rating: only examples rated at least that.
    let (status, ex) = send(
        &s,
        "POST",
        &format!("/jobs/{id}/exports"),
        json!({ "min_rating": 8 }),
    )
    .await;
    assert_eq!(status, 201, "{ex}");
    let strict = exported(&s, &id, 3).await;
    let got: BTreeSet<&str> = strict.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(got, BTreeSet::from([ids[0].as_str(), ids[2].as_str()]));
    // The validation split stays locked across all three versions: reviews change what
    // ships, never which split an example is in.
    let (_, listed) = get(&s, &format!("/jobs/{id}/exports")).await;
    assert_eq!(listed["versions"].as_array().unwrap().len(), 3);
    let (train1, val1) = splits(&s, &id, 1).await;
    assert!(!val1.is_empty(), "the first export has a validation split");
    for v in [2, 3] {
        let (train, val) = splits(&s, &id, v).await;
        let (val, train) = (ids_of(&val), ids_of(&train));
        assert!(
            ids_of(&val1).is_disjoint(&train),
            "v{v}: a validation example moved to train"
        );
        assert!(
            ids_of(&train1).is_disjoint(&val),
            "v{v}: a train example moved to validation"
        );
    }

    // Refusals with stable codes.
    let (status, e) = send(
        &s,
        "POST",
        &format!("/jobs/{id}/exports"),
        json!({ "formats": ["nope"] }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (400, Some("invalid_format"))
    );
    let (status, e) = send(
        &s,
        "POST",
        &format!("/jobs/{id}/exports"),
        json!({ "min_rating": 0 }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, _) = get(
        &s,
        &format!("/jobs/{id}/exports/{version}/files/..%2F..%2Fstate.sqlite"),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = get(&s, &format!("/jobs/{id}/exports/99")).await;
    assert_eq!(status, 404);
    let (status, e) = send(&s, "DELETE", &format!("/jobs/{id}"), json!({})).await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    let (status, _) = get(&s, "/jobs/01jnosuchjob0000000000000000/quality").await;
    assert_eq!(status, 404);

    // The local server's own guards: a page elsewhere in the browser cannot act for the user.
    let r = Client::new()
        .get(s.url("/jobs"))
        .header("host", "evil.example:80")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "DNS rebinding: a foreign Host is refused");
    let r = Client::new()
        .post(s.url("/jobs"))
        .header("content-type", "text/plain")
        .body(r#"{"urls":["https://a.example/"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415, "a cross-site form post is refused");
    let r = Client::new()
        .request("post".parse().unwrap(), s.url("/jobs"))
        .header("content-type", "text/plain")
        .body(r#"{"urls":["https://a.example/"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415, "however the method is spelt");
    let (status, _) = get(
        &s,
        &format!("/jobs/{id}/exports/{version}/files/train%00.jsonl"),
    )
    .await;
    assert_eq!(status, 400);
    // The LLM endpoint is the server's: its key goes nowhere a caller names.
    let (status, e) = send(&s, "POST", "/jobs", json!({ "urls": ["https://a.example/"], "config": { "llm": { "base_url": "https://attacker.example/v1" } } })).await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (403, Some("llm_endpoint_refused")),
        "{e}"
    );
    let (status, e) = send(&s, "POST", "/estimate", json!({ "urls": ["https://a.example/"], "config": { "llm": { "base_url": format!("{}/v1/", s.llm.uri()) } } })).await;
    assert_eq!(status, 200, "the server's own endpoint is fine: {e}");
    let (status, e) = send(
        &s,
        "POST",
        "/jobs",
        json!({ "urls": ["https://a.example/"], "bogus": 1 }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), e["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );
}

#[tokio::test]
async fn serve_with_a_token_refuses_calls_without_it_and_never_listens_openly_without_one() {
    let s = serve::start(1, &["--token", "t0ken-for-tests"]).await;
    let r = Client::new().get(s.url("/jobs")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = Client::new()
        .get(s.url("/jobs"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = Client::new()
        .get(s.url("/jobs"))
        .bearer_auth("t0ken-for-tests")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The page still loads, so it can ask for the token.
    let r = Client::new().get(s.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"))
        .args(["serve", "--bind", "0.0.0.0:0", "--data-dir"])
        .arg(&s.data)
        .env_remove("DATAFACTORY_SERVE_TOKEN")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs --token"), "{err}");
}

/// The page in headless Chromium: a new job against the loopback site and fake LLM, watched to
/// the end, quality looked at, four examples reviewed with the keyboard and the buttons, a new
/// export made and downloaded through the page. The script checks the downloads; this test
/// checks the export on disk too. Screenshots land in `target/dashboard-screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium_reviews_and_exports() {
    let s = serve::start(6, &[]).await;
    let shots = common::repo().join("target/dashboard-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let result = s._dir.path().join("e2e.json");
    let chromium = std::env::var("DATAFACTORY_TEST_CHROMIUM")
        .unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    let out = tokio::time::timeout(
        Duration::from_secs(300),
        tokio::process::Command::new("node")
            .arg(common::repo().join("tests/browser/e2e.mjs"))
            .env("BASE_URL", &s.base)
            .env("SITE_URLS", s.urls.join("\n"))
            .env("SCREENSHOT_DIR", &shots)
            .env("RESULT_JSON", &result)
            .env("CHROMIUM", chromium)
            .env("JOB_TIMEOUT_MS", "120000")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the browser run ends within 300 s")
    .expect("node runs (tests/browser/setup.sh installs what it needs)");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser run failed:\n{log}");
    for shot in [
        "01-jobs.png",
        "02-new-job-estimate.png",
        "03-job-completed.png",
        "04-quality.png",
        "05-review.png",
        "06-exports-card.png",
    ] {
        let len = std::fs::metadata(shots.join(shot)).map_or(0, |m| m.len());
        assert!(len > 5_000, "screenshot {shot} missing or empty:\n{log}");
    }

    // What the page did, checked against the export on disk, not only what the page saw.
    let r: Value = serde_json::from_slice(&std::fs::read(&result).unwrap()).unwrap();
    let job = r["job_id"].as_str().unwrap();
    let version = r["export_version"].as_u64().unwrap();
    let dir = serve::export_dir(&s.data, job, version);
    let mut records = common::export_records(&dir, "train");
    records.extend(common::export_records(&dir, "validation"));
    let by_id = |id: &str| records.iter().find(|x| x["id"] == id);
    let rejected = r["rejected"].as_array().unwrap();
    assert!(!rejected.is_empty());
    for id in rejected {
        assert!(
            by_id(id.as_str().unwrap()).is_none(),
            "rejected {id} shipped"
        );
    }
    let rewritten = r["rewritten"].as_object().unwrap();
    assert!(rewritten.len() >= 2, "{r}");
    for (id, text) in rewritten {
        let rec = by_id(id).unwrap_or_else(|| panic!("rewritten {id} not shipped"));
        assert_eq!(&rec["response"], text);
        assert!(
            rec["review"]["original_response"]
                .as_str()
                .is_some_and(|o| o != text)
        );
    }
    let rated = r["rated"].as_object().unwrap();
    assert!(rated.len() >= 2, "{r}");
    for (id, rating) in rated {
        if let Some(rec) = by_id(id) {
            assert_eq!(&rec["review"]["rating"], rating, "{id}");
        }
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["reviews"]["rejected"].as_u64(),
        Some(rejected.len() as u64)
    );
}

async fn datafactory(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use tokio::io::AsyncWriteExt;
    let llm_env = std::env::var("DF_TEST_LLM").unwrap_or_default();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_datafactory"));
    cmd.args(args)
        .env("DATAFACTORY_LLM_BASE_URL", llm_env)
        .env("DATAFACTORY_LLM_MODEL", common::llm::MODEL)
        .env("DATAFACTORY_LLM_API_KEY", common::llm::KEY)
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_in_the_terminal_then_export_by_rating() {
    let (_site, urls) = serve::site(4).await;
    let llm = common::llm::start().await;
    // SAFETY: set before any child starts; the tests of this binary run as separate processes.
    unsafe { std::env::set_var("DF_TEST_LLM", format!("{}/v1", llm.uri())) };
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let (ok, out, err) = datafactory(
        &[
            "run",
            list.to_str().unwrap(),
            "--data-dir",
            data_s,
            "--allow-private-network",
        ],
        None,
    )
    .await;
    assert!(ok, "{out}\n{err}");
    let (_, jobs, _) = datafactory(&["jobs", "--data-dir", data_s, "--json"], None).await;
    let jobs: Value = serde_json::from_str(&jobs).unwrap();
    let job = jobs[0]["id"].as_str().unwrap().to_string();

    // Rate the best 8, reject the next (rated 3), rewrite the third over two lines and rate it
    // 9, then a typo and quit.
    let script = "8\nn\n3\nr\nn\ne\nA rewritten answer from the terminal.\nIt has two lines.\n.\n9\nwat\nq\n";
    let (ok, out, err) = datafactory(
        &[
            "review",
            &job,
            "--data-dir",
            data_s,
            "--filter",
            "all",
            "--sort",
            "-score",
            "--reviewer",
            "ann",
        ],
        Some(script),
    )
    .await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("5 change(s) saved"), "{out}");
    assert!(out.contains("not a command: \"wat\""), "{out}");
    assert!(
        out.contains(
            "-- response (rewritten):\nA rewritten answer from the terminal.\nIt has two lines."
        ),
        "{out}"
    );
    let ids: Vec<String> = out
        .lines()
        .filter_map(|l| {
            l.split_once("] example ")
                .map(|(_, id)| id.trim().to_string())
        })
        .collect::<Vec<_>>();
    let mut seen = Vec::new();
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    assert_eq!(seen.len(), 3, "{out}");

    // The reviewer filter sees them; the export honours them.
    let (_, rated, _) = datafactory(
        &["review", &job, "--data-dir", data_s, "--filter", "rejected"],
        Some("q\n"),
    )
    .await;
    assert!(
        rated.contains("1 example(s)") && rated.contains(&seen[1]),
        "{rated}"
    );
    let (ok, out, err) = datafactory(
        &["export", &job, "--data-dir", data_s, "--min-rating", "8"],
        None,
    )
    .await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("1 rejected left out") && out.contains("1 shipped rewritten"),
        "{out}"
    );
    let export = serve::export_dir(&data, &job, 2);
    let mut records = common::export_records(&export, "train");
    records.extend(common::export_records(&export, "validation"));
    let got: BTreeSet<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(got, BTreeSet::from([seen[0].as_str(), seen[2].as_str()]));
    let rewritten = records
        .iter()
        .find(|r| r["id"] == seen[2].as_str())
        .unwrap();
    assert_eq!(
        rewritten["response"],
        "A rewritten answer from the terminal.\nIt has two lines."
    );
    assert_eq!(rewritten["review"]["reviewer"], "ann");
    assert_eq!(rewritten["review"]["rating"], 9);
    let (ok, _, err) = datafactory(
        &["export", &job, "--data-dir", data_s, "--min-rating", "11"],
        None,
    )
    .await;
    assert!(!ok && err.contains("min-rating"), "{err}");
}
