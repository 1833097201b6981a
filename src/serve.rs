//! `datafactory serve`: the dashboard and the JSON API over a local data dir, on one port.
//! Every request goes to the same `Api` the deployed stack runs; jobs it creates run in this
//! process (`LocalOrchestrator`).
//!
//! Who may call: on a loopback address without a token, the machine's user. A web page in the
//! same browser must not act for them, so requests must name a loopback host (DNS rebinding
//! fails there) and writes must be `application/json` (a cross-site form cannot send that
//! without a CORS preflight, which this server never allows). With `--token`, every API call
//! needs `Authorization: Bearer <token>`; a non-loopback address requires one.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::adapters::local::LocalOrchestrator;
use shared::adapters::local::runner::LocalRunner;
use shared::handlers::api::{self, Api, MAX_BODY_BYTES};
use shared::stages::NoProgress;
use subtle::ConstantTimeEq;

struct Server {
    api: Api,
    token: Option<String>,
}

pub async fn serve(
    data_dir: &Path,
    bind: SocketAddr,
    token: Option<String>,
    allow_private_network: bool,
) -> Result<()> {
    let loopback = bind.ip().is_loopback();
    if !loopback && token.as_deref().is_none_or(str::is_empty) {
        bail!(
            "serving on {bind}, which is not a loopback address, needs --token (or DATAFACTORY_SERVE_TOKEN): anyone who can reach it could run jobs and read data"
        );
    }
    if !shared::handlers::assets::present() {
        bail!("this binary was built without the dashboard (dashboard/dist was missing)");
    }
    let runner = Arc::new(LocalRunner::open(data_dir)?);
    let ctx = runner.context(Arc::new(NoProgress));
    let unfinished: Vec<String> = ctx
        .state
        .list_jobs()
        .await?
        .into_iter()
        .filter(|j| j.status != shared::model::JobStatus::Completed)
        .map(|j| j.id)
        .collect();
    let server = Arc::new(Server {
        api: Api {
            ctx,
            orchestrator: Arc::new(LocalOrchestrator::new(runner)),
            bucket: data_dir.display().to_string(),
            allow_private_network,
        },
        token: token.filter(|t| !t.is_empty()),
    });
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("listening on {bind}"))?;
    let addr = listener.local_addr()?;
    // The test harness and scripts read this line for the port when given port 0.
    println!(
        "datafactory dashboard on http://{addr}/ (data dir {})",
        data_dir.display()
    );
    if !unfinished.is_empty() {
        println!(
            "{} unfinished job(s) here; submit the same list again to resume: {}",
            unfinished.len(),
            unfinished.join(", ")
        );
    }
    let app = axum::Router::new().fallback(move |method, uri, headers, body| {
        let server = server.clone();
        async move { server.handle(method, uri, headers, body).await }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")?;
    Ok(())
}

fn refuse(status: u16, code: &str, message: &str) -> api::Response {
    api::Response::error(status, code, message)
}

impl Server {
    /// Who is calling, or the refusal.
    fn principal(&self, method: &Method, headers: &HeaderMap) -> Result<String, api::Response> {
        if let Some(token) = &self.token {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
                return Ok("token".to_string());
            }
            return Err(refuse(
                401,
                "unauthenticated",
                "this server needs Authorization: Bearer <token>",
            ));
        }
        // Loopback without a token (checked at start): the caller must be this machine's
        // user, not a page they happen to have open.
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let name = host
            .rsplit_once(':')
            .filter(|(h, port)| !h.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
            .map_or(host, |(h, _)| h);
        if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(refuse(
                403,
                "forbidden_host",
                "this server answers only requests addressed to a loopback host",
            ));
        }
        // Every method but reads, whatever its spelling (the API upper-cases it).
        if !matches!(
            method.as_str().to_ascii_uppercase().as_str(),
            "GET" | "HEAD"
        ) {
            let json = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if !json {
                return Err(refuse(
                    415,
                    "unsupported_media_type",
                    "send request bodies as application/json",
                ));
            }
        }
        Ok("local".to_string())
    }

    async fn handle(
        &self,
        method: Method,
        uri: axum::http::Uri,
        headers: HeaderMap,
        body: Body,
    ) -> Response {
        let principal = match self.principal(&method, &headers) {
            Ok(p) => Some(p),
            // Static files carry no data: the dashboard must load to ask for a token.
            Err(_)
                if method == Method::GET && shared::handlers::assets::get(uri.path()).is_some() =>
            {
                None
            }
            Err(refusal) => return reply(refusal),
        };
        let bytes = match to_bytes(body, MAX_BODY_BYTES + 1).await {
            Ok(b) if b.len() > MAX_BODY_BYTES => {
                return reply(refuse(
                    413,
                    "payload_too_large",
                    &format!("body is more than {MAX_BODY_BYTES} bytes"),
                ));
            }
            Ok(b) => b,
            Err(_) => {
                return reply(refuse(
                    413,
                    "payload_too_large",
                    &format!("body is more than {MAX_BODY_BYTES} bytes"),
                ));
            }
        };
        let body = if bytes.is_empty() {
            None
        } else {
            match String::from_utf8(bytes.to_vec()) {
                Ok(s) => Some(s),
                Err(_) => return reply(refuse(400, "invalid_json", "body is not UTF-8")),
            }
        };
        let query: BTreeMap<String, String> = uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let path = percent_decode(uri.path());
        let req = api::Request {
            method: method.as_str().to_string(),
            path,
            query,
            body,
            principal,
            request_id: String::new(),
        };
        reply(self.api.handle(&req).await)
    }
}

fn percent_decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

fn reply(resp: api::Response) -> Response {
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = match resp.file {
        Some(f) => {
            let mut r = (status, f.bytes).into_response();
            let h = r.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&f.content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(if f.immutable {
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                }),
            );
            if let Some(name) = f.download_name
                && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        None => {
            let mut r = (status, resp.body.to_string()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
    };
    let h = out.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(shared::handlers::assets::CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    out
}
