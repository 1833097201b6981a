//! The CLI against a deployed stack (or the emulator, via `AWS_ENDPOINT_URL`): upload a list to
//! the inbox, follow a job in the table, download an export.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use shared::adapters::aws::{DynamoState, S3BlobStore, sdk_config};
use shared::ports::{BlobStore, StateStore};

/// Where the stack's resources are; each also comes from the environment the functions use.
#[derive(clap::Args, Clone, Debug)]
pub struct Stack {
    /// The stack's bucket.
    #[arg(long, env = "DATAFACTORY_BUCKET")]
    pub bucket: Option<String>,
    /// The stack's DynamoDB table.
    #[arg(long, env = "DATAFACTORY_TABLE")]
    pub table: Option<String>,
}

impl Stack {
    fn bucket(&self) -> Result<&str> {
        self.bucket
            .as_deref()
            .context("give --bucket (or set DATAFACTORY_BUCKET): the stack's bucket")
    }

    fn table(&self) -> Result<&str> {
        self.table
            .as_deref()
            .context("give --table (or set DATAFACTORY_TABLE): the stack's table")
    }
}

pub async fn state(table: &str) -> Arc<dyn StateStore> {
    Arc::new(DynamoState::new(&sdk_config().await, table))
}

/// Upload a list to `inbox/`; with a table, wait for the trigger to make its job.
pub async fn submit(list: &Path, stack: &Stack, wait: Duration) -> Result<()> {
    let bucket = stack.bucket()?;
    // Refuse a list the trigger would refuse, before it travels.
    let parsed = shared::input::read_input(list, &shared::JobConfig::default().input, false)?;
    if parsed.kind != shared::input::InputKind::UrlList {
        bail!(
            "{}: submit takes a URL list (.txt, .csv, .jsonl)",
            list.display()
        );
    }
    let name = list
        .file_name()
        .context("the list has no file name")?
        .to_string_lossy()
        .to_string();
    let key = format!("{}{name}", shared::keys::INBOX);
    let blobs = S3BlobStore::new(&sdk_config().await, bucket);
    let started = shared::ports::rfc3339(shared::ports::Clock::now(&shared::ports::SystemClock));
    blobs.put_file(&key, list).await?;
    println!(
        "uploaded {} URLs ({} lines refused) to {}",
        parsed.items.len(),
        parsed.refused,
        blobs.locate(&key)
    );
    let Some(table) = stack.table.as_deref() else {
        println!("give --table to wait for the job id");
        return Ok(());
    };
    let state = state(table).await;
    let source = blobs.locate(&key);
    let deadline = Instant::now() + wait;
    loop {
        let found = state
            .list_jobs()
            .await?
            .into_iter()
            .find(|j| j.input == source && j.updated_at >= started);
        if let Some(job) = found {
            println!("job {} ({})", job.id, job.status.as_str());
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "no job for {source} after {}s: is the trigger deployed? (see rejected/ in the bucket)",
                wait.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Download an export version (the newest by default) into `out/<job>/v<N>/`.
pub async fn download(job: &str, stack: &Stack, version: Option<u32>, out: &Path) -> Result<()> {
    let bucket = stack.bucket()?;
    let job_id = match &stack.table {
        Some(t) => {
            shared::jobs::find_job(state(t).await.as_ref(), job)
                .await?
                .id
        }
        None => job.to_string(),
    };
    let blobs = S3BlobStore::new(&sdk_config().await, bucket);
    let prefix = format!("exports/{job_id}/");
    let keys = blobs.list(&prefix).await?;
    let version_of = |k: &str| -> Option<u32> {
        k[prefix.len()..]
            .split('/')
            .next()?
            .strip_prefix('v')?
            .parse()
            .ok()
    };
    let Some(newest) = keys.iter().filter_map(|k| version_of(k)).max() else {
        bail!("job {job_id} has no export in s3://{bucket}/{prefix} yet");
    };
    let v = version.unwrap_or(newest);
    let dir: PathBuf = out.join(&job_id).join(format!("v{v}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut n = 0;
    for key in keys.iter().filter(|k| version_of(k) == Some(v)) {
        let rel = &key[prefix.len()..]
            .split_once('/')
            .map(|x| x.1)
            .unwrap_or_default();
        if rel.is_empty() || rel.contains("..") {
            continue;
        }
        let bytes = blobs
            .get(key)
            .await?
            .with_context(|| format!("{key} vanished while downloading"))?;
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        n += 1;
    }
    if n == 0 {
        bail!("job {job_id} has no export version {v}");
    }
    println!("downloaded {n} files of version {v} to {}", dir.display());
    Ok(())
}

/// `status --table`: what a job did, from the stack's table.
pub async fn status(job: &str, table: &str, json: bool) -> Result<()> {
    let state = state(table).await;
    crate::commands::print_status(state.as_ref(), job, json).await
}

/// `jobs --table`.
pub async fn jobs(stack: &Stack, json: bool) -> Result<()> {
    let state = state(stack.table()?).await;
    crate::commands::print_jobs(state.as_ref(), &format!("table {}", stack.table()?), json).await
}
