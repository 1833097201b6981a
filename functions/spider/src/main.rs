//! Lambda `spider`: fetch one shard's URLs. Input `{"job_id", "shard"}` (from the state
//! machine's Map); output the shard result, which carries `job_id` and `shard` on.

use shared::handlers::{aws_context, serve};
use shared::tasks::{self, ShardTask};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (_, ctx) = aws_context().await?;
    let ctx = &ctx;
    serve(move |task: ShardTask| async move { tasks::spider(ctx, &task).await }).await
}
