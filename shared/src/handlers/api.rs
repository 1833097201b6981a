//! The HTTP API: jobs, their status and exports, templates. Transport-neutral: the `api` Lambda
//! feeds it API Gateway requests; anything else that speaks HTTP can feed it the same way.
//!
//! Errors are JSON `{"error": {"code", "message"}}` with stable codes; every route but the
//! OpenAPI document needs an authenticated principal (API Gateway's authorizer puts it in the
//! request; the handler checks it is there, so a route left open by mistake still refuses).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::JobConfig;
use crate::error::Error;
use crate::input::read_list_bytes;
use crate::model::{JobRecord, Stage};
use crate::ports::Orchestrator;
use crate::stages::StageContext;
use crate::summary::JobSummary;
use crate::tasks::{self, Submission};

/// Request bodies above this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Inline URL lists above this go through S3 (`list_key`) instead.
pub const MAX_INLINE_URLS: usize = 10_000;
const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 100;
/// Presigned export links live this long.
const LINK_TTL: Duration = Duration::from_secs(3600);

/// The OpenAPI document of this API, served at `/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// One request, as any transport hands it over.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub body: Option<String>,
    /// Who is calling (JWT subject or IAM ARN), as the authorizer established it.
    pub principal: Option<String>,
    pub request_id: String,
}

/// One response: a status and a JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: Value,
}

impl Response {
    fn ok(body: Value) -> Self {
        Response { status: 200, body }
    }

    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Response {
            status,
            body: json!({ "error": { "code": code, "message": message.into() } }),
        }
    }
}

fn from_error(e: &Error) -> Response {
    match e {
        Error::JobNotFound(id) => {
            Response::error(404, "job_not_found", format!("job {id} not found"))
        }
        Error::Config(m) => Response::error(400, "invalid_config", m.clone()),
        Error::Input { reason, .. } => Response::error(400, "invalid_list", reason.clone()),
        other => {
            tracing::error!(error = %other, "request failed");
            Response::error(500, "internal", "internal error; see the function's logs")
        }
    }
}

/// `POST /jobs` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewJob {
    #[serde(default)]
    urls: Option<Vec<String>>,
    /// A list already in the bucket (`lists/...` or `inbox/...`).
    #[serde(default)]
    list_key: Option<String>,
    /// The job config (same structure as `datafactory config`); defaults when absent.
    #[serde(default)]
    config: Option<Value>,
}

pub struct Api {
    pub ctx: StageContext,
    pub orchestrator: Arc<dyn Orchestrator>,
    pub bucket: String,
}

impl Api {
    pub async fn handle(&self, req: &Request) -> Response {
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let method = req.method.to_ascii_uppercase();
        if let ("GET", ["openapi.json"]) = (method.as_str(), segments.as_slice()) {
            return Response::ok(serde_json::from_str(OPENAPI).unwrap_or(Value::Null));
        }
        if req.principal.as_deref().is_none_or(str::is_empty) {
            return Response::error(
                401,
                "unauthenticated",
                "this API needs an authenticated caller",
            );
        }
        let result = match (method.as_str(), segments.as_slice()) {
            ("POST", ["jobs"]) => self.create_job(req).await,
            ("GET", ["jobs"]) => self.list_jobs(req).await,
            ("GET", ["jobs", id]) => self.job(id).await,
            ("GET", ["jobs", id, "exports"]) => self.exports(id).await,
            ("GET", ["templates"]) => templates(),
            (_, ["jobs"] | ["jobs", _] | ["jobs", _, "exports"] | ["templates"]) => {
                return Response::error(
                    405,
                    "method_not_allowed",
                    format!("{method} is not allowed on {}", req.path),
                );
            }
            _ => return Response::error(404, "not_found", format!("no route {}", req.path)),
        };
        result.unwrap_or_else(|e| from_error(&e))
    }

    async fn create_job(&self, req: &Request) -> crate::Result<Response> {
        let body = req.body.as_deref().unwrap_or("");
        if body.len() > MAX_BODY_BYTES {
            return Ok(Response::error(
                413,
                "payload_too_large",
                format!("body is {} bytes, more than {MAX_BODY_BYTES}", body.len()),
            ));
        }
        let new: NewJob = match serde_json::from_str(body) {
            Ok(n) => n,
            Err(e) => {
                return Ok(Response::error(
                    400,
                    "invalid_json",
                    format!("request body: {e}"),
                ));
            }
        };
        let mut cfg = match &new.config {
            Some(v) => match JobConfig::from_json(&v.to_string()) {
                Ok(c) => c,
                Err(e) => return Ok(Response::error(400, "invalid_config", e.to_string())),
            },
            None => JobConfig::default(),
        };
        cfg.apply_llm_env();
        let (name, bytes, source) = match (&new.urls, &new.list_key) {
            (Some(urls), None) => {
                if urls.is_empty() {
                    return Ok(Response::error(400, "invalid_list", "urls is empty"));
                }
                if urls.len() > MAX_INLINE_URLS {
                    return Ok(Response::error(
                        413,
                        "payload_too_large",
                        format!(
                            "{} URLs inline, more than {MAX_INLINE_URLS}; upload the list and pass list_key",
                            urls.len()
                        ),
                    ));
                }
                if let Some((i, _)) = urls
                    .iter()
                    .enumerate()
                    .find(|(_, u)| u.contains(['\n', '\r']))
                {
                    return Ok(Response::error(
                        400,
                        "invalid_list",
                        format!("urls[{i}] contains a line break"),
                    ));
                }
                (
                    "urls.txt",
                    urls.join("\n").into_bytes(),
                    format!("api:{}", req.principal.as_deref().unwrap_or_default()),
                )
            }
            (None, Some(key)) => {
                let name = key.rsplit('/').next().unwrap_or_default();
                // The function may read only these prefixes (see infra/template.yaml).
                if !(key.starts_with("lists/") || key.starts_with(crate::keys::INBOX)) {
                    return Ok(Response::error(
                        400,
                        "invalid_list",
                        format!("list_key {key:?} must be under lists/ or inbox/"),
                    ));
                }
                if key.contains("..") || name.is_empty() {
                    return Ok(Response::error(
                        400,
                        "invalid_list",
                        format!("list_key {key:?} is not an object key"),
                    ));
                }
                let Some(bytes) = self.ctx.blobs.get(key).await? else {
                    return Ok(Response::error(
                        400,
                        "invalid_list",
                        format!("s3://{}/{key} does not exist", self.bucket),
                    ));
                };
                if bytes.len() as u64 > cfg.input.max_file_bytes {
                    return Ok(Response::error(
                        413,
                        "payload_too_large",
                        format!(
                            "{key} is {} bytes, more than input.max_file_bytes",
                            bytes.len()
                        ),
                    ));
                }
                (name, bytes, format!("s3://{}/{key}", self.bucket))
            }
            _ => {
                return Ok(Response::error(
                    400,
                    "invalid_request",
                    "give exactly one of urls and list_key",
                ));
            }
        };
        let parsed = match read_list_bytes(name, &bytes, &cfg.input) {
            Ok(p) => p,
            Err(Error::Input { reason, .. }) => {
                return Ok(Response::error(400, "invalid_list", reason));
            }
            Err(e) => return Err(e),
        };
        let submitted = tasks::submit(
            &self.ctx,
            self.orchestrator.as_ref(),
            Submission {
                source,
                config: &cfg,
                parsed: &parsed,
                salt: "",
            },
        )
        .await?;
        let mut body = serde_json::to_value(&submitted).map_err(|e| Error::json("response", e))?;
        body["links"] = json!({ "self": format!("/jobs/{}", submitted.job_id), "exports": format!("/jobs/{}/exports", submitted.job_id) });
        body["refused"] = serde_json::to_value(parsed.errors.iter().take(20).collect::<Vec<_>>())
            .map_err(|e| Error::json("response", e))?;
        Ok(Response { status: 202, body })
    }

    async fn list_jobs(&self, req: &Request) -> crate::Result<Response> {
        let limit = match req.query.get("limit").map(|l| l.parse::<usize>()) {
            None => DEFAULT_PAGE,
            Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
            Some(_) => {
                return Ok(Response::error(
                    400,
                    "invalid_query",
                    format!("limit must be 1..={MAX_PAGE}"),
                ));
            }
        };
        let jobs = self.ctx.state.list_jobs().await?;
        let start = match req.query.get("cursor") {
            Some(c) => match jobs.iter().position(|j| &j.id == c) {
                Some(i) => i + 1,
                None => {
                    return Ok(Response::error(
                        400,
                        "invalid_query",
                        "cursor is not a job id of this list",
                    ));
                }
            },
            None => 0,
        };
        let page: Vec<&JobRecord> = jobs.iter().skip(start).take(limit).collect();
        let next = (start + page.len() < jobs.len())
            .then(|| page.last().map(|j| j.id.clone()))
            .flatten();
        Ok(Response::ok(json!({
            "jobs": page.iter().map(|j| job_brief(j)).collect::<Vec<_>>(),
            "next_cursor": next,
        })))
    }

    async fn job(&self, id: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let summary = JobSummary::load(self.ctx.state.as_ref(), &job).await?;
        let mut stages = serde_json::Map::new();
        for s in &summary.stages {
            stages.insert(
                s.stage.as_str().to_string(),
                json!({
                    "shards_done": s.shards_done,
                    "counters": s.counters,
                    "drop_reasons": s.reasons,
                    "error_samples": s.samples,
                }),
            );
        }
        let factory = summary.counter(Stage::Factory, "cost_micro_usd");
        let inspector = summary.counter(Stage::Inspector, "cost_micro_usd");
        Ok(Response::ok(json!({
            "job": job_brief(&job),
            "config": job.config,
            "stages": stages,
            "cost_usd": { "llm": (factory + inspector) as f64 / 1e6 },
        })))
    }

    async fn exports(&self, id: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let prefix = format!("exports/{}/", job.id);
        let mut versions: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
        for key in self.ctx.blobs.list(&prefix).await? {
            let rest = &key[prefix.len()..];
            let Some((v, file)) = rest.split_once('/') else {
                continue;
            };
            let Some(n) = v.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let url = self.ctx.blobs.download_url(&key, LINK_TTL).await?;
            versions
                .entry(n)
                .or_default()
                .push(json!({ "file": file, "key": key, "url": url }));
        }
        let versions: Vec<Value> = versions
            .into_iter()
            .rev()
            .map(|(v, files)| json!({ "version": v, "files": files }))
            .collect();
        Ok(Response::ok(
            json!({ "job_id": job.id, "status": job.status, "expires_in_s": LINK_TTL.as_secs(), "versions": versions }),
        ))
    }
}

fn job_brief(j: &JobRecord) -> Value {
    json!({
        "id": j.id,
        "status": j.status,
        "input": j.input,
        "created_at": j.created_at,
        "updated_at": j.updated_at,
        "urls": j.urls,
        "shards": j.shards,
        "export": j.export,
        "message": j.message,
    })
}

fn templates() -> crate::Result<Response> {
    let list: Vec<Value> = crate::templates::list(None)?
        .into_iter()
        .map(|t| json!({ "name": t.name, "version": t.version, "task": t.task, "description": t.description }))
        .collect();
    Ok(Response::ok(json!({ "templates": list })))
}
