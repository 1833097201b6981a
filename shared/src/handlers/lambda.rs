//! The Lambda side (feature `lambda`): tracing, the AWS context and the serve loop.

use std::sync::Arc;

use crate::adapters::aws::{self, Resources, StepFunctions};
use crate::error::{Error, Result};
use crate::ports::Orchestrator;
use crate::stages::{NoProgress, StageContext};

/// JSON logs to CloudWatch, level from `RUST_LOG` (default info). Never logs secrets: the LLM
/// key is read only by the OpenAI adapter and never formatted.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time()
        .try_init();
}

/// Resources and the stage context on AWS, from the function's environment.
pub async fn aws_context() -> Result<(Resources, StageContext)> {
    let res = Resources::from_env()?;
    let ctx = aws::context(&res, Arc::new(NoProgress)).await;
    Ok((res, ctx))
}

/// The Step Functions state machine the trigger and the API start.
pub async fn orchestrator(res: &Resources) -> Result<Arc<dyn Orchestrator>> {
    let arn = res.state_machine.as_deref().ok_or_else(|| {
        Error::Config("environment variable DATAFACTORY_STATE_MACHINE is not set".into())
    })?;
    Ok(Arc::new(StepFunctions::new(&aws::sdk_config().await, arn)))
}

/// Serve a stage handler: decode the task, run it, encode the result. An error fails the
/// invocation, which the state machine's Retry and Catch then handle.
pub async fn serve<T, R, F, Fut>(handler: F) -> std::result::Result<(), lambda_runtime::Error>
where
    T: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(T) -> Fut + Send + Sync,
    Fut: std::future::Future<Output = Result<R>> + Send,
{
    init_tracing();
    let handler = &handler;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<T>| async move {
            handler(event.payload)
                .await
                .map_err(|e| lambda_runtime::Diagnostic {
                    error_type: e.kind().to_string(),
                    error_message: e.to_string(),
                })
        },
    ))
    .await
}

/// The error type the binaries' `main` returns.
pub type BoxError = lambda_runtime::Error;
