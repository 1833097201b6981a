//! What the Lambda functions and `datafactory serve` run: the transport-neutral HTTP API and
//! its dashboard assets (always built), and, with feature `lambda`, event decoding and the
//! wiring of the AWS adapters around the stage handlers in [`crate::tasks`]. Each binary in
//! `functions/` is one call into here.

pub mod api;
mod api_examples;
mod api_exports;
pub mod assets;

// The event types, for callers that build or read events (tests, tools).
#[cfg(feature = "lambda")]
pub use aws_lambda_events;
#[cfg(feature = "lambda")]
pub mod gateway;
#[cfg(feature = "lambda")]
mod lambda;
#[cfg(feature = "lambda")]
pub mod trigger;
#[cfg(feature = "lambda")]
pub use lambda::*;
