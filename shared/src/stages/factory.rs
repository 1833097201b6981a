//! Factory: turns chunks into training examples with an LLM.
//!
//! LLM generation is not built yet (it is the issue "LLM generation, quality control and
//! fine-tuning exports"). Until then every job runs in corpus mode: the Factory makes no
//! examples, and the Shipper exports the curated chunks themselves, one record per chunk.

use crate::config::JobConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No LLM endpoint: export the curated corpus.
    Corpus,
}

/// What the Factory will do for a job.
pub fn mode(_cfg: &JobConfig) -> Mode {
    Mode::Corpus
}

/// Said in summaries and the dataset card when the Factory made no examples.
pub const CORPUS_NOTE: &str = "no LLM endpoint configured: exported the curated corpus";
