//! API Gateway (HTTP API, payload format 2.0) in and out of the transport-neutral [`api`].

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::HeaderValue;
use aws_lambda_events::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    X_CONTENT_TYPE_OPTIONS,
};
use base64::Engine as _;

use super::api::{self, Api, MAX_BODY_BYTES};
use crate::error::Result;

/// Who the authorizer says is calling: the JWT subject, or the IAM caller.
fn principal(req: &ApiGatewayV2httpRequest) -> Option<String> {
    let auth = req.request_context.authorizer.as_ref()?;
    if let Some(jwt) = &auth.jwt
        && let Some(sub) = jwt.claims.get("sub").filter(|s| !s.is_empty())
    {
        return Some(format!("jwt:{sub}"));
    }
    let iam = auth.iam.as_ref()?;
    iam.user_arn
        .clone()
        .or_else(|| iam.caller_id.clone())
        .filter(|s| !s.is_empty())
        .map(|a| format!("iam:{a}"))
}

/// The request, or the response that refuses it (an undecodable body).
pub fn request(req: &ApiGatewayV2httpRequest) -> std::result::Result<api::Request, api::Response> {
    let body = match &req.body {
        None => None,
        Some(b) if b.len() > MAX_BODY_BYTES * 4 / 3 + 4 => {
            return Err(api::Response::error(
                413,
                "payload_too_large",
                format!("body is more than {MAX_BODY_BYTES} bytes"),
            ));
        }
        Some(b) if req.is_base64_encoded => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| api::Response::error(400, "invalid_request", format!("body: {e}")))?;
            Some(
                String::from_utf8(bytes)
                    .map_err(|_| api::Response::error(400, "invalid_json", "body is not UTF-8"))?,
            )
        }
        Some(b) => Some(b.clone()),
    };
    let method = req.request_context.http.method.as_str().to_string();
    let path = req
        .raw_path
        .clone()
        .or_else(|| req.request_context.http.path.clone())
        .unwrap_or_default();
    // A stage name prefixes the path on non-default stages.
    let path = match req.request_context.stage.as_deref() {
        Some(stage) if stage != "$default" => path
            .strip_prefix(&format!("/{stage}"))
            .map(str::to_string)
            .unwrap_or(path),
        _ => path,
    };
    Ok(api::Request {
        method,
        path,
        query: req
            .query_string_parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body,
        principal: principal(req),
        request_id: req.request_context.request_id.clone().unwrap_or_default(),
    })
}

/// Lambda's synchronous response limit is 6 MB, base64 included; larger files go through the
/// presigned links that `/jobs/{id}/exports` gives out.
const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

pub fn response(resp: api::Response) -> ApiGatewayV2httpResponse {
    let resp = match &resp.file {
        Some(f) if f.bytes.len() > MAX_FILE_BYTES => api::Response::error(
            413,
            "file_too_large",
            "the file is larger than a Lambda response can carry; download it through its link in /jobs/{id}/exports",
        ),
        _ => resp,
    };
    let mut out = ApiGatewayV2httpResponse {
        status_code: i64::from(resp.status),
        ..Default::default()
    };
    match resp.file {
        Some(f) => {
            out.body = Some(Body::Text(
                base64::engine::general_purpose::STANDARD.encode(&f.bytes),
            ));
            out.is_base64_encoded = true;
            if let Ok(v) = HeaderValue::from_str(&f.content_type) {
                out.headers.insert(CONTENT_TYPE, v);
            }
            let cache = if f.immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            out.headers
                .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
            // The dashboard's page and files: the same policy as `datafactory serve`.
            out.headers.insert(
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(super::assets::CONTENT_SECURITY_POLICY),
            );
            out.headers
                .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            if let Some(name) = f.download_name
                && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            {
                out.headers.insert(CONTENT_DISPOSITION, v);
            }
        }
        None => {
            out.body = Some(Body::Text(resp.body.to_string()));
            out.headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
    }
    out
}

/// One API Gateway event through the API.
pub async fn handle(api: &Api, event: ApiGatewayV2httpRequest) -> Result<ApiGatewayV2httpResponse> {
    let resp = match request(&event) {
        Ok(req) => api.handle(&req).await,
        Err(refusal) => refusal,
    };
    Ok(response(resp))
}
