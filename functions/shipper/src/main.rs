//! Lambda `shipper`: `{"kind": "ship", "job_id"}` exports a job to `exports/<job>/v<N>/`;
//! `shard_failed` and `job_failed` (from the state machine's Catch) record failures on the job.

use shared::handlers::{aws_context, serve};
use shared::tasks::{self, ShipperTask};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (_, ctx) = aws_context().await?;
    let ctx = &ctx;
    serve(move |task: ShipperTask| async move { tasks::shipper(ctx, &task).await }).await
}
