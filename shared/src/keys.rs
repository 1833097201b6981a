//! Where each record lives in the blob store. One layout for the local directory and S3.

/// Uploads under this prefix of the bucket are URL lists to run (the trigger's S3 filter).
pub const INBOX: &str = "inbox/";

pub fn job_prefix(job: &str) -> String {
    format!("jobs/{job}/")
}

pub fn urls_shard(job: &str, shard: u32) -> String {
    format!("jobs/{job}/urls/{shard:05}.jsonl")
}

pub fn raw_pages(job: &str, shard: u32) -> String {
    format!("jobs/{job}/raw/{shard:05}/pages.jsonl")
}

pub fn raw_body(job: &str, shard: u32, url_hash: &str) -> String {
    format!("jobs/{job}/raw/{shard:05}/{url_hash}.html.gz")
}

pub fn chunks(job: &str, shard: u32) -> String {
    format!("jobs/{job}/chunks/{shard:05}.jsonl")
}

pub fn generated(job: &str, shard: u32) -> String {
    format!("jobs/{job}/generated/{shard:05}.jsonl")
}

pub fn inspected(job: &str, shard: u32) -> String {
    format!("jobs/{job}/inspected/{shard:05}.jsonl")
}

pub fn export_prefix(job: &str, version: u32) -> String {
    format!("exports/{job}/v{version}/")
}
