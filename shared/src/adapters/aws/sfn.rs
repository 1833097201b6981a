//! Step Functions as the orchestrator port.

use async_trait::async_trait;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::SdkError;
use aws_sdk_sfn::types::ExecutionStatus;

use super::describe;
use crate::error::{Error, Result};
use crate::ports::{Execution, Orchestrator};

#[derive(Clone)]
pub struct StepFunctions {
    client: Client,
    state_machine: String,
}

impl StepFunctions {
    pub fn new(cfg: &aws_config::SdkConfig, state_machine_arn: &str) -> Self {
        StepFunctions {
            client: Client::new(cfg),
            state_machine: state_machine_arn.to_string(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The ARN an execution of this state machine named `name` has.
    pub fn execution_arn(&self, name: &str) -> String {
        format!(
            "{}:{name}",
            self.state_machine
                .replacen(":stateMachine:", ":execution:", 1)
        )
    }
}

/// Executions a job may have: one per resume after a failure is plenty.
const MAX_ATTEMPTS: u32 = 20;

/// Step Functions names are unique for 90 days, so attempts of a job are numbered.
fn attempt_name(job_id: &str, attempt: u32) -> String {
    if attempt == 0 {
        job_id.to_string()
    } else {
        format!("{job_id}-{attempt}")
    }
}

#[async_trait]
impl Orchestrator for StepFunctions {
    async fn start(&self, job_id: &str, input: &serde_json::Value) -> Result<Execution> {
        for attempt in 0..MAX_ATTEMPTS {
            let name = attempt_name(job_id, attempt);
            let res = self
                .client
                .start_execution()
                .state_machine_arn(&self.state_machine)
                .name(&name)
                .input(input.to_string())
                .send()
                .await;
            match res {
                Ok(out) => {
                    return Ok(Execution {
                        id: out.execution_arn().to_string(),
                        already_started: false,
                    });
                }
                Err(SdkError::ServiceError(e)) if e.err().is_execution_already_exists() => {
                    let arn = self.execution_arn(&name);
                    let status = self
                        .client
                        .describe_execution()
                        .execution_arn(&arn)
                        .send()
                        .await
                        .map_err(|e| {
                            Error::State(format!("describing execution {arn}: {}", describe(&e)))
                        })?
                        .status;
                    if status == ExecutionStatus::Running {
                        return Ok(Execution {
                            id: arn,
                            already_started: true,
                        });
                    }
                    // That attempt ended without finishing the job: try the next name.
                }
                Err(e) => {
                    return Err(Error::State(format!(
                        "starting execution {name} of {}: {}",
                        self.state_machine,
                        describe(&e)
                    )));
                }
            }
        }
        Err(Error::State(format!(
            "job {job_id}: {MAX_ATTEMPTS} executions already ended without finishing it"
        )))
    }
}
