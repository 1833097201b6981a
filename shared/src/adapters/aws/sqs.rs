//! SQS as the queue port.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;

use super::describe;
use crate::error::{Error, Result};
use crate::ports::{Queue, QueueMessage};

#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    url: String,
}

impl SqsQueue {
    pub fn new(cfg: &aws_config::SdkConfig, queue_url: &str) -> Self {
        SqsQueue {
            client: Client::new(cfg),
            url: queue_url.to_string(),
        }
    }

    /// The URL of a queue by name.
    pub async fn url_of(cfg: &aws_config::SdkConfig, name: &str) -> Result<String> {
        let out = Client::new(cfg)
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .map_err(|e| Error::State(format!("queue {name}: {}", describe(&e))))?;
        out.queue_url()
            .map(str::to_string)
            .ok_or_else(|| Error::State(format!("queue {name}: no URL in the answer")))
    }

    fn err(&self, what: &str, e: impl std::error::Error) -> Error {
        Error::State(format!("queue {}: {what}: {}", self.url, describe(&e)))
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, body: &str) -> Result<()> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| self.err("send", e))?;
        Ok(())
    }

    async fn receive(&self, max: u32, wait: Duration) -> Result<Vec<QueueMessage>> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .wait_time_seconds(wait.as_secs().min(20) as i32)
            .send()
            .await
            .map_err(|e| self.err("receive", e))?;
        Ok(out
            .messages()
            .iter()
            .map(|m| QueueMessage {
                id: m.message_id().unwrap_or_default().to_string(),
                receipt: m.receipt_handle().unwrap_or_default().to_string(),
                body: m.body().unwrap_or_default().to_string(),
            })
            .collect())
    }

    async fn delete(&self, receipt: &str) -> Result<()> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(|e| self.err("delete", e))?;
        Ok(())
    }
}
