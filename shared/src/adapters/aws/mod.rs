//! The AWS adapters behind the ports (feature `aws`): S3 blob store, DynamoDB state store, SQS
//! queue and Step Functions orchestrator, plus how functions find their resources.
//!
//! Endpoints come from the SDK's usual chain, so `AWS_ENDPOINT_URL` points everything at an
//! emulator (moto server in our tests) without code changes.

mod dynamo;
mod s3;
mod sfn;
mod sqs;

pub use dynamo::DynamoState;
pub use s3::S3BlobStore;
pub use sfn::StepFunctions;
pub use sqs::SqsQueue;

use aws_config::BehaviorVersion;
// The SDK crates, for callers (tests, tools) that need a client of their own at the same version.
pub use {aws_sdk_dynamodb, aws_sdk_s3, aws_sdk_sfn, aws_sdk_sqs};

use crate::error::{Error, Result};

/// The SDK config from the environment (region, credentials, `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// An emulator answers on one host for every bucket, so S3 must use path-style addresses there.
fn custom_endpoint() -> bool {
    std::env::var("AWS_ENDPOINT_URL").is_ok_and(|v| !v.trim().is_empty())
        || std::env::var("AWS_ENDPOINT_URL_S3").is_ok_and(|v| !v.trim().is_empty())
}

/// The resources a function works on, named by its environment (set by the SAM template).
#[derive(Clone, Debug)]
pub struct Resources {
    pub bucket: String,
    pub table: String,
    /// Only the trigger and the API start executions.
    pub state_machine: Option<String>,
}

impl Resources {
    pub fn from_env() -> Result<Self> {
        let need = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| Error::Config(format!("environment variable {name} is not set")))
        };
        Ok(Resources {
            bucket: need("DATAFACTORY_BUCKET")?,
            table: need("DATAFACTORY_TABLE")?,
            state_machine: std::env::var("DATAFACTORY_STATE_MACHINE")
                .ok()
                .filter(|v| !v.trim().is_empty()),
        })
    }
}

/// The stage context on AWS: S3 for blobs, DynamoDB for state.
pub async fn context(
    res: &Resources,
    progress: std::sync::Arc<dyn crate::stages::Progress>,
) -> crate::stages::StageContext {
    let cfg = sdk_config().await;
    crate::stages::StageContext {
        blobs: std::sync::Arc::new(S3BlobStore::new(&cfg, &res.bucket)),
        state: std::sync::Arc::new(DynamoState::new(&cfg, &res.table)),
        clock: std::sync::Arc::new(crate::ports::SystemClock),
        progress,
    }
}

/// An SDK error with its whole chain of causes, which `Display` alone hides.
fn describe<E: std::error::Error>(e: &E) -> String {
    aws_smithy_types::error::display::DisplayErrorContext(e).to_string()
}
