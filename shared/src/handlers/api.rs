//! The HTTP API: jobs, their status, examples and reviews, exports, templates, cost
//! estimates, and the dashboard that uses them. Transport-neutral: the `api` Lambda feeds it
//! API Gateway requests and `datafactory serve` feeds it hyper's; both get the same answers.
//!
//! Errors are JSON `{"error": {"code", "message"}}` with stable codes; every route but the
//! OpenAPI document and the dashboard's static files needs an authenticated principal (API
//! Gateway's authorizer, or `serve`'s token check, puts it in the request; the handler checks
//! it is there, so a route left open by mistake still refuses). Examples and reviews live in
//! `api_examples.rs`, exports in `api_exports.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::JobConfig;
use crate::error::Error;
use crate::input::{ParsedInput, read_list_bytes};
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
pub(super) const LINK_TTL: Duration = Duration::from_secs(3600);

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

/// One response: a status and a JSON body, or a file (`file` set, `body` null).
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    pub file: Option<FileBody>,
}

/// Bytes to send as they are: an export file or a dashboard asset.
#[derive(Clone, Debug, PartialEq)]
pub struct FileBody {
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Safe to cache for good (content-hashed asset names).
    pub immutable: bool,
    /// Offer it as a download under this name.
    pub download_name: Option<String>,
}

impl Response {
    pub(super) fn ok(body: Value) -> Self {
        Response::with_status(200, body)
    }

    pub(super) fn with_status(status: u16, body: Value) -> Self {
        Response {
            status,
            body,
            file: None,
        }
    }

    pub(super) fn file(file: FileBody) -> Self {
        Response {
            status: 200,
            body: Value::Null,
            file: Some(file),
        }
    }

    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Response::with_status(
            status,
            json!({ "error": { "code": code, "message": message.into() } }),
        )
    }
}

pub(super) fn from_error(e: &Error) -> Response {
    match e {
        Error::JobNotFound(id) => {
            Response::error(404, "job_not_found", format!("job {id} not found"))
        }
        Error::NotFound(m) => Response::error(404, "not_found", m.clone()),
        Error::Config(m) => Response::error(400, "invalid_config", m.clone()),
        Error::InvalidReview(m) => Response::error(400, "invalid_review", m.clone()),
        Error::Conflict(m) => Response::error(409, "conflict", m.clone()),
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
    /// Whether jobs may fetch private, loopback or link-local addresses. On, every job gets
    /// `network.allow_private` (`datafactory serve --allow-private-network`, for one machine).
    /// Off (AWS), a config asking for it or for `network.allow_cidrs` is refused: such a job
    /// could reach the VPC or the metadata service.
    pub allow_private_network: bool,
}

/// The routes, for the 405 answer: a known path with another method.
fn known_path(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["jobs"]
            | ["jobs", _]
            | ["jobs", _, "quality" | "examples" | "exports"]
            | ["jobs", _, "examples", _]
            | ["jobs", _, "examples", _, "review"]
            | ["jobs", _, "reviews", "stats"]
            | ["jobs", _, "exports", _]
            | ["templates" | "formats" | "estimate"]
    )
}

impl Api {
    pub async fn handle(&self, req: &Request) -> Response {
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let method = req.method.to_ascii_uppercase();
        if let ("GET", ["openapi.json"]) = (method.as_str(), segments.as_slice()) {
            return Response::ok(serde_json::from_str(OPENAPI).unwrap_or(Value::Null));
        }
        // The dashboard's files hold no data; the data comes through the routes below.
        if method == "GET"
            && let Some(a) = super::assets::get(&req.path)
        {
            return Response::file(FileBody {
                content_type: a.content_type,
                bytes: a.bytes,
                immutable: a.immutable,
                download_name: None,
            });
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
            ("GET", ["jobs", id, "quality"]) => self.quality(id).await,
            ("GET", ["jobs", id, "examples"]) => self.examples(id, req).await,
            ("GET", ["jobs", id, "examples", ex]) => self.example(id, ex).await,
            ("PUT", ["jobs", id, "examples", ex, "review"]) => self.review(id, ex, req).await,
            ("GET", ["jobs", id, "reviews", "stats"]) => self.review_stats(id).await,
            ("GET", ["jobs", id, "exports"]) => self.exports(id).await,
            ("POST", ["jobs", id, "exports"]) => self.create_export(id, req).await,
            ("GET", ["jobs", id, "exports", v]) => self.export_version(id, v).await,
            ("GET", ["jobs", id, "exports", v, "files", file @ ..]) if !file.is_empty() => {
                self.export_file(id, v, &file.join("/")).await
            }
            ("POST", ["estimate"]) => self.estimate(req).await,
            ("GET", ["templates"]) => templates(),
            ("GET", ["formats"]) => Ok(Response::ok(
                json!({ "formats": crate::config::EXPORT_FORMATS }),
            )),
            (_, s) if known_path(s) => {
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

    /// The body of a request as JSON of type `T`, or the response refusing it.
    pub(super) fn body<T: serde::de::DeserializeOwned>(
        req: &Request,
    ) -> std::result::Result<T, Response> {
        let body = req.body.as_deref().unwrap_or("");
        if body.len() > MAX_BODY_BYTES {
            return Err(Response::error(
                413,
                "payload_too_large",
                format!("body is {} bytes, more than {MAX_BODY_BYTES}", body.len()),
            ));
        }
        serde_json::from_str(body)
            .map_err(|e| Response::error(400, "invalid_json", format!("request body: {e}")))
    }

    /// The config a new job or an estimate asks for, over the defaults and the server's LLM
    /// settings, or the response refusing it.
    fn job_config(&self, given: Option<&Value>) -> std::result::Result<JobConfig, Response> {
        let mut cfg = match given {
            Some(v) => JobConfig::from_json(&v.to_string())
                .map_err(|e| Response::error(400, "invalid_config", e.to_string()))?,
            None => JobConfig::default(),
        };
        // The endpoint gets the server's LLM key: a caller may not send it elsewhere.
        let mut server = JobConfig::default();
        server.apply_llm_env();
        let asked = cfg.llm.base_url.trim().trim_end_matches('/');
        if !asked.is_empty() && asked != server.llm.base_url.trim().trim_end_matches('/') {
            return Err(Response::error(
                403,
                "llm_endpoint_refused",
                "llm.base_url is this server's setting (DATAFACTORY_LLM_BASE_URL): its key is sent there and nowhere else",
            ));
        }
        cfg.apply_llm_env();
        if self.allow_private_network {
            // As `run --allow-private-network`: the operator's word covers every job.
            cfg.network.allow_private = true;
        } else if cfg.network.allow_private || !cfg.network.allow_cidrs.is_empty() {
            return Err(Response::error(
                403,
                "private_network_refused",
                "network.allow_private and network.allow_cidrs are refused by this server: its jobs fetch public addresses only",
            ));
        }
        Ok(cfg)
    }

    /// The parsed URL list of a `POST /jobs` or `POST /estimate` body and where it came
    /// from, or the response refusing it.
    async fn list_of(
        &self,
        new: &NewJob,
        cfg: &JobConfig,
        req: &Request,
    ) -> crate::Result<std::result::Result<(ParsedInput, String), Response>> {
        let refuse = |status, code: &str, msg: String| Ok(Err(Response::error(status, code, msg)));
        let (name, bytes, source) = match (&new.urls, &new.list_key) {
            (Some(urls), None) => {
                if urls.is_empty() {
                    return refuse(400, "invalid_list", "urls is empty".into());
                }
                if urls.len() > MAX_INLINE_URLS {
                    return refuse(
                        413,
                        "payload_too_large",
                        format!(
                            "{} URLs inline, more than {MAX_INLINE_URLS}; upload the list and pass list_key",
                            urls.len()
                        ),
                    );
                }
                if let Some((i, _)) = urls
                    .iter()
                    .enumerate()
                    .find(|(_, u)| u.contains(['\n', '\r']))
                {
                    return refuse(
                        400,
                        "invalid_list",
                        format!("urls[{i}] contains a line break"),
                    );
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
                    return refuse(
                        400,
                        "invalid_list",
                        format!("list_key {key:?} must be under lists/ or inbox/"),
                    );
                }
                if key.contains("..") || name.is_empty() {
                    return refuse(
                        400,
                        "invalid_list",
                        format!("list_key {key:?} is not an object key"),
                    );
                }
                let Some(bytes) = self.ctx.blobs.get(key).await? else {
                    return refuse(
                        400,
                        "invalid_list",
                        format!("s3://{}/{key} does not exist", self.bucket),
                    );
                };
                if bytes.len() as u64 > cfg.input.max_file_bytes {
                    return refuse(
                        413,
                        "payload_too_large",
                        format!(
                            "{key} is {} bytes, more than input.max_file_bytes",
                            bytes.len()
                        ),
                    );
                }
                (name, bytes, format!("s3://{}/{key}", self.bucket))
            }
            _ => {
                return refuse(
                    400,
                    "invalid_request",
                    "give exactly one of urls and list_key".into(),
                );
            }
        };
        match read_list_bytes(name, &bytes, &cfg.input) {
            Ok(parsed) => Ok(Ok((parsed, source))),
            Err(Error::Input { reason, .. }) => refuse(400, "invalid_list", reason),
            Err(e) => Err(e),
        }
    }

    /// The config, parsed list and source of a `POST /jobs` or `POST /estimate` request, or the
    /// response refusing it.
    async fn new_job(
        &self,
        req: &Request,
    ) -> crate::Result<std::result::Result<(JobConfig, ParsedInput, String), Response>> {
        let new: NewJob = match Self::body(req) {
            Ok(n) => n,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let cfg = match self.job_config(new.config.as_ref()) {
            Ok(c) => c,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(self
            .list_of(&new, &cfg, req)
            .await?
            .map(|(parsed, source)| (cfg, parsed, source)))
    }

    async fn create_job(&self, req: &Request) -> crate::Result<Response> {
        let (cfg, parsed, source) = match self.new_job(req).await? {
            Ok(n) => n,
            Err(refusal) => return Ok(refusal),
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
        body["refused"] = refused(&parsed)?;
        Ok(Response::with_status(202, body))
    }

    /// What a job would cost, before it is submitted: same body as `POST /jobs`.
    async fn estimate(&self, req: &Request) -> crate::Result<Response> {
        let (cfg, parsed, _) = match self.new_job(req).await? {
            Ok(n) => n,
            Err(refusal) => return Ok(refusal),
        };
        let seen = crate::estimate::observe(self.ctx.state.as_ref()).await?;
        let est = crate::estimate::estimate(&cfg, parsed.items.len() as u64, &seen);
        Ok(Response::ok(json!({
            "urls": parsed.items.len(),
            "lines_refused": parsed.refused,
            "refused": refused(&parsed)?,
            "estimate": est,
        })))
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
        let mut rows = Vec::with_capacity(page.len());
        for j in page {
            let stats = self.ctx.state.stage_stats(&j.id).await?;
            let done = self.ctx.state.shards_done(&j.id).await?;
            rows.push(job_row(
                j,
                |s, c| stats.get(&s).map_or(0, |st| st.get(c)),
                |s| done.get(&s).copied().unwrap_or(0),
            ));
        }
        Ok(Response::ok(json!({ "jobs": rows, "next_cursor": next })))
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
            "job": job_row(&job, |s, c| summary.counter(s, c), |s| summary
                .stages
                .iter()
                .find(|st| st.stage == s)
                .map_or(0, |st| st.shards_done)),
            "config": job.config,
            "stages": stages,
            "cost_usd": { "llm": (factory + inspector) as f64 / 1e6 },
        })))
    }
}

/// The first refused lines of a list, with their reasons.
fn refused(parsed: &ParsedInput) -> crate::Result<Value> {
    serde_json::to_value(parsed.errors.iter().take(20).collect::<Vec<_>>())
        .map_err(|e| Error::json("response", e))
}

/// A job as the jobs list and the job view show it: the record, progress per stage and the
/// totals, from a stage's counter and its shards done (read once by the caller).
fn job_row(
    j: &JobRecord,
    counter: impl Fn(Stage, &str) -> u64,
    done: impl Fn(Stage) -> u32,
) -> Value {
    let mut row = job_brief(j);
    row["progress"] = json!({
        "shards_total": j.shards,
        "shards_done": Stage::ALL
            .iter()
            .filter(|s| **s != Stage::Input)
            .map(|s| (s.as_str(), done(*s)))
            .collect::<BTreeMap<_, _>>(),
    });
    row["totals"] = json!({
        "pages_fetched": counter(Stage::Spider, "fetched"),
        "documents_kept": counter(Stage::Refiner, "documents_kept"),
        "chunks": counter(Stage::Refiner, "chunks"),
        "examples": counter(Stage::Factory, "examples"),
        "passed": counter(Stage::Inspector, "passed"),
        "exported": counter(Stage::Shipper, "records"),
        "cost_usd": (counter(Stage::Factory, "cost_micro_usd") + counter(Stage::Inspector, "cost_micro_usd")) as f64 / 1e6,
    });
    row
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
