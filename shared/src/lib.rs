//! datafactory library: the records that flow between stages, the job config, the stages
//! themselves, the ports they need and the adapters that implement those ports.
//!
//! Binaries (the CLI and the Lambda functions) are thin shells over this crate.

pub mod adapters;
pub mod backoff;
pub mod charset;
pub mod chunker;
pub mod config;
pub mod error;
pub mod estimate;
pub mod extract;
pub mod filters;
pub mod formats;
pub mod generation;
pub mod handlers;
pub mod htmltree;
pub mod input;
pub mod jobs;
pub mod jsonl;
pub mod keys;
pub mod minhash;
pub mod model;
pub mod netguard;
pub mod ports;
pub mod pretokenize;
pub mod readability;
pub mod reviews;
pub mod stages;
pub mod summary;
pub mod tasks;
pub mod templates;
#[cfg(test)]
mod testdata;
pub mod text;
pub mod tokens;
pub mod urlnorm;
pub mod vocab;

pub use config::JobConfig;
pub use error::{Error, Result};

/// The user agent every request carries, so site owners can tell who is fetching.
pub const USER_AGENT: &str = concat!(
    "datafactory/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/datafactory-dev/datafactory)"
);

/// Name used when matching robots.txt groups.
pub const ROBOTS_AGENT: &str = "datafactory";
