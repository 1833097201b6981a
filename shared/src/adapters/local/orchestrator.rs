//! The Orchestrator port on one machine: each started job runs in a task of this process
//! (`datafactory serve`), through the same local pipeline as `datafactory run`. A job already
//! running here is not started twice; one that stopped is resumed by starting it again.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::runner::LocalRunner;
use crate::error::Result;
use crate::model::JobStatus;
use crate::ports::StateStore;
use crate::ports::{Execution, LOCAL_SHARD_SIZE, Orchestrator};
use crate::stages::NoProgress;

pub struct LocalOrchestrator {
    runner: Arc<LocalRunner>,
    running: Arc<Mutex<HashSet<String>>>,
}

impl LocalOrchestrator {
    pub fn new(runner: Arc<LocalRunner>) -> Self {
        LocalOrchestrator {
            runner,
            running: Arc::default(),
        }
    }

    /// Jobs running in this process now.
    pub fn running(&self) -> Vec<String> {
        let set = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let mut ids: Vec<String> = set.iter().cloned().collect();
        ids.sort();
        ids
    }
}

/// Takes the job off the running set however its task ends, panics included.
struct Running {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

#[async_trait]
impl Orchestrator for LocalOrchestrator {
    async fn start(&self, job_id: &str, _input: &serde_json::Value) -> Result<Execution> {
        let fresh = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job_id.to_string());
        let id = format!("local:{job_id}");
        if !fresh {
            return Ok(Execution {
                id,
                already_started: true,
            });
        }
        let guard = Running {
            set: self.running.clone(),
            id: job_id.to_string(),
        };
        let runner = self.runner.clone();
        let job = job_id.to_string();
        tokio::spawn(async move {
            let _guard = guard;
            // The job's status records the outcome; the log says it too. A panic is caught
            // here so the job is not left "running" with nothing running it.
            let work = tokio::spawn({
                let (runner, job) = (runner.clone(), job.clone());
                async move { runner.run_job(&job, Arc::new(NoProgress)).await }
            });
            match work.await {
                Ok(Ok(())) => tracing::info!(job = %job, "job finished"),
                Ok(Err(e)) => tracing::warn!(job = %job, error = %e, "job stopped"),
                Err(panic) => {
                    tracing::error!(job = %job, error = %panic, "job panicked");
                    let msg =
                        format!("stopped: internal error ({panic}); submit it again to resume");
                    let _ = runner
                        .state
                        .set_job_status(&job, JobStatus::Failed, Some(&msg), None, 0)
                        .await;
                }
            }
        });
        Ok(Execution {
            id,
            already_started: false,
        })
    }

    fn shard_size(&self) -> usize {
        LOCAL_SHARD_SIZE
    }
}
