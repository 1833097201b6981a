//! Implementations of the ports: `local` (directory blob store, SQLite state, in-process run)
//! and `http` (the reqwest fetcher with the network policy).

#[cfg(feature = "aws")]
pub mod aws;
pub mod http;
pub mod local;
pub mod openai;
