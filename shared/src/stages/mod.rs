//! The pipeline's stages. Each is one module with one entry function over records and ports;
//! the local runner and the Lambda functions both call these.

pub mod factory;
pub mod inspector;
pub mod refiner;
pub mod shipper;
pub mod spider;

use std::sync::Arc;

use crate::model::Stage;
use crate::ports::{BlobStore, Clock, StateStore};

/// Progress of a stage, for bars on a terminal or log lines elsewhere.
pub trait Progress: Send + Sync {
    /// A stage learnt how many items it will see in all (may be called again as it grows).
    fn total(&self, stage: Stage, total: u64);
    /// `n` more items done.
    fn advance(&self, stage: Stage, n: u64);
    /// The stage will see no more items.
    fn finish(&self, stage: Stage);
}

pub struct NoProgress;

impl Progress for NoProgress {
    fn total(&self, _: Stage, _: u64) {}
    fn advance(&self, _: Stage, _: u64) {}
    fn finish(&self, _: Stage) {}
}

/// The ports every stage gets.
#[derive(Clone)]
pub struct StageContext {
    pub blobs: Arc<dyn BlobStore>,
    pub state: Arc<dyn StateStore>,
    pub clock: Arc<dyn Clock>,
    pub progress: Arc<dyn Progress>,
}

impl StageContext {
    /// The records a stage left at `key`; a missing file is a state error (a stage that said it
    /// finished has written it).
    pub async fn read_records<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> crate::error::Result<Vec<T>> {
        let bytes = self
            .blobs
            .get(key)
            .await?
            .ok_or_else(|| crate::error::Error::State(format!("{key} is missing")))?;
        crate::jsonl::parse(&bytes, key)
    }
}
