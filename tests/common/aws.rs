//! Test support for the AWS side: a fresh stack of resources on the emulator per test (moto
//! server, started by the nextest setup script `tests/aws/emulator.sh`), made by the same
//! script users run against LocalStack (`localstack/create_resources.py`).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use shared::adapters::aws::{DynamoState, Resources, S3BlobStore, sdk_config};
use shared::ports::SystemClock;
use shared::stages::{NoProgress, StageContext};

/// The emulator's endpoint. Tests of the AWS side fail (not skip) without it: a skipped test
/// would pass on a machine where nothing was checked.
pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!(
            "AWS_ENDPOINT_URL is not set: run the tests with `cargo nextest run` (its setup \
             script starts moto server), or start it with `bash tests/aws/emulator.sh` and \
             export AWS_ENDPOINT_URL=http://127.0.0.1:24501"
        )
    })
}

/// The emulator's Python (boto3 comes with moto).
fn python() -> PathBuf {
    super::repo().join("target/aws-emulator/venv/bin/python")
}

/// One test's resources: a bucket with its inbox notification, the ingest queue and the table.
pub struct TestStack {
    pub bucket: String,
    pub table: String,
    pub queue_url: String,
    pub queue_arn: String,
}

impl TestStack {
    /// Names are unique per call, so tests run in parallel on one emulator.
    pub fn create(tag: &str) -> TestStack {
        endpoint();
        // Handlers log why they hand a message back; show it in the test's output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let id = ulid::Ulid::new().to_string().to_lowercase();
        let bucket = format!("df-{tag}-{}", &id[id.len() - 10..]);
        let out = Command::new(python())
            .arg(super::repo().join("localstack/create_resources.py"))
            .args(["--bucket", &bucket])
            .output()
            .expect("running localstack/create_resources.py");
        assert!(
            out.status.success(),
            "create_resources.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("create_resources.py prints JSON");
        let s = |ptr: &str| {
            v.pointer(ptr)
                .and_then(|x| x.as_str())
                .unwrap_or_else(|| panic!("{ptr} missing in {v}"))
                .to_string()
        };
        TestStack {
            bucket: s("/bucket"),
            table: s("/table"),
            queue_url: s("/ingest_queue_url"),
            queue_arn: s("/ingest_queue_arn"),
        }
    }

    pub fn resources(&self, state_machine: Option<String>) -> Resources {
        Resources {
            bucket: self.bucket.clone(),
            table: self.table.clone(),
            state_machine,
        }
    }

    pub async fn blobs(&self) -> S3BlobStore {
        S3BlobStore::new(&sdk_config().await, &self.bucket)
    }

    pub async fn state(&self) -> DynamoState {
        DynamoState::new(&sdk_config().await, &self.table)
    }

    pub async fn context(&self) -> StageContext {
        StageContext {
            blobs: Arc::new(self.blobs().await),
            state: Arc::new(self.state().await),
            clock: Arc::new(SystemClock),
            progress: Arc::new(NoProgress),
        }
    }

    /// The environment a function process needs to work on this stack.
    pub fn function_env(&self, state_machine: Option<&str>) -> Vec<(String, String)> {
        let mut env = vec![
            ("DATAFACTORY_BUCKET".to_string(), self.bucket.clone()),
            ("DATAFACTORY_TABLE".to_string(), self.table.clone()),
        ];
        if let Some(sm) = state_machine {
            env.push(("DATAFACTORY_STATE_MACHINE".to_string(), sm.to_string()));
        }
        env
    }
}
