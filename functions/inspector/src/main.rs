//! Lambda `inspector`: score one shard's examples (and ask the judge, if the job wants one).

use shared::handlers::{aws_context, serve};
use shared::tasks::{self, ShardTask};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (_, ctx) = aws_context().await?;
    let ctx = &ctx;
    serve(move |task: ShardTask| async move { tasks::inspector(ctx, &task, None).await }).await
}
