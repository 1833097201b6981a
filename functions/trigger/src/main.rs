//! Lambda `trigger`: S3 uploads to `inbox/` (through the ingest queue, with partial batch
//! failures) and schedule firings become jobs whose pipeline it starts.

use shared::handlers::trigger::{Trigger, default_config_from_env};
use shared::handlers::{aws_context, orchestrator, serve};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (res, ctx) = aws_context().await?;
    let trigger = Trigger {
        orchestrator: orchestrator(&res).await?,
        defaults: default_config_from_env()?,
        bucket: res.bucket.clone(),
        ctx,
    };
    serve(|event: serde_json::Value| trigger.handle(event)).await
}
