//! Lambda function `api`: a thin shell over the `api` stage of the shared library.
//!
//! Not deployable yet: the AWS adapters (S3, DynamoDB, SQS, Step Functions) and the Lambda
//! event handling land with the serverless issue. Until then this binary only states so, and
//! exits non-zero, so nothing mistakes it for a working function.

fn main() -> anyhow::Result<()> {
    anyhow::bail!(
        "the api Lambda is not built yet (serverless issue); use `datafactory run` locally. {}",
        shared::USER_AGENT
    )
}
