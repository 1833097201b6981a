//! The embedded default: everything under one data directory.

pub mod blob;
pub mod orchestrator;
pub mod runner;
pub mod state;
mod workers;

pub use blob::DirBlobStore;
pub use orchestrator::LocalOrchestrator;
pub use state::SqliteState;
