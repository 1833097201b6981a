//! Lambda `api`: the HTTP API behind API Gateway (payload format 2.0): jobs, status, exports,
//! templates, and the OpenAPI document.

use shared::handlers::api::Api;
use shared::handlers::{aws_context, gateway, orchestrator, serve};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (res, ctx) = aws_context().await?;
    let api = Api {
        orchestrator: orchestrator(&res).await?,
        bucket: res.bucket.clone(),
        ctx,
    };
    serve(|event| gateway::handle(&api, event)).await
}
