//! S3 as the blob store: the same key layout as the local directory.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use super::{custom_endpoint, describe};
use crate::error::{Error, Result};
use crate::ports::BlobStore;

#[derive(Clone)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
}

fn blob_err(key: &str, reason: String) -> Error {
    Error::Blob {
        key: key.to_string(),
        reason,
    }
}

impl S3BlobStore {
    pub fn new(cfg: &aws_config::SdkConfig, bucket: &str) -> Self {
        let conf = aws_sdk_s3::config::Builder::from(cfg)
            .force_path_style(custom_endpoint())
            .build();
        S3BlobStore {
            client: Client::from_conf(conf),
            bucket: bucket.to_string(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// A time-limited download link for one object.
    pub async fn presign_get(&self, key: &str, ttl: Duration) -> Result<String> {
        let conf = PresigningConfig::expires_in(ttl).map_err(|e| blob_err(key, e.to_string()))?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(conf)
            .await
            .map_err(|e| blob_err(key, describe(&e)))?;
        Ok(req.uri().to_string())
    }

    /// Size of an object, or `None` when it does not exist.
    pub async fn size(&self, key: &str) -> Result<Option<u64>> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.content_length().unwrap_or(0).max(0) as u64)),
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(None),
            Err(e) => Err(blob_err(key, describe(&e))),
        }
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        // A PUT replaces the object whole: readers never see half of it.
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| blob_err(key, describe(&e)))?;
        Ok(())
    }

    async fn put_file(&self, key: &str, path: &Path) -> Result<()> {
        let body = ByteStream::from_path(path)
            .await
            .map_err(|e| blob_err(key, format!("reading {}: {e}", path.display())))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(body)
            .send()
            .await
            .map_err(|e| blob_err(key, describe(&e)))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => return Ok(None),
            Err(e) => return Err(blob_err(key, describe(&e))),
        };
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| blob_err(key, format!("reading body: {e}")))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    async fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.size(key).await?.is_some())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| blob_err(prefix, describe(&e)))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string)),
            );
        }
        keys.sort();
        Ok(keys)
    }

    fn locate(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    async fn download_url(&self, key: &str, ttl: Duration) -> Result<String> {
        self.presign_get(key, ttl).await
    }
}
