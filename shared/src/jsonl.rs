//! JSON Lines, the format of every record file between stages.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

pub fn to_bytes<T: Serialize>(records: &[T]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for r in records {
        serde_json::to_writer(&mut out, r).map_err(|e| Error::json("encoding record", e))?;
        out.push(b'\n');
    }
    Ok(out)
}

/// Parse a record file; `what` names it in the error (a key or path).
pub fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<Vec<T>> {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, l)| {
            serde_json::from_slice(l).map_err(|e| Error::json(format!("{what} line {}", i + 1), e))
        })
        .collect()
}
