//! Lambda `factory`: generate training examples from one shard's chunks with the job's LLM
//! (key from `DATAFACTORY_LLM_API_KEY`). Nothing to do for corpus jobs.

use shared::handlers::{aws_context, serve};
use shared::tasks::{self, ShardTask};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (_, ctx) = aws_context().await?;
    let ctx = &ctx;
    serve(move |task: ShardTask| async move { tasks::factory(ctx, &task, None).await }).await
}
