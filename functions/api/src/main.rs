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
        // A deployed stack fetches public addresses only, whatever a caller asks.
        allow_private_network: false,
    };
    serve(|event| gateway::handle(&api, event)).await
}
