//! Lambda `refiner`: extract, filter, de-duplicate and chunk one shard's pages.

use shared::handlers::{aws_context, serve};
use shared::tasks::{self, ShardTask};

#[tokio::main]
async fn main() -> Result<(), shared::handlers::BoxError> {
    let (_, ctx) = aws_context().await?;
    let ctx = &ctx;
    serve(move |task: ShardTask| async move { tasks::refiner(ctx, &task).await }).await
}
