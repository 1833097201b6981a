//! The exports routes: versions with download links, one version's manifest and dataset card,
//! a new version from the review state (`POST`), and the files themselves for stores that
//! cannot hand out their own links (the local directory behind `datafactory serve`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{Api, FileBody, LINK_TTL, Request, Response};
use crate::error::Error;
use crate::formats::Format;
use crate::keys;
use crate::model::JobStatus;
use crate::stages::shipper::ExportOptions;

/// `POST /jobs/{id}/exports` body; absent fields take the job's config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewExport {
    #[serde(default)]
    formats: Option<Vec<String>>,
    #[serde(default)]
    min_score: Option<f64>,
    #[serde(default)]
    min_rating: Option<u8>,
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "jsonl" => "application/x-ndjson; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}

fn version_of(v: &str) -> Option<u32> {
    v.strip_prefix('v').unwrap_or(v).parse().ok()
}

impl Api {
    pub(super) async fn exports(&self, id: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let prefix = format!("exports/{}/", job.id);
        let mut versions: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
        for key in self.ctx.blobs.list(&prefix).await? {
            let rest = &key[prefix.len()..];
            let Some((v, file)) = rest.split_once('/') else {
                continue;
            };
            let Some(n) = v.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let link = self.ctx.blobs.download_url(&key, LINK_TTL).await?;
            // A store without links of its own (a local path) is served by this API.
            let url = if link.starts_with("https://") || link.starts_with("http://") {
                link
            } else {
                format!("/jobs/{}/exports/{n}/files/{file}", job.id)
            };
            versions
                .entry(n)
                .or_default()
                .push(json!({ "file": file, "key": key, "url": url }));
        }
        let versions: Vec<Value> = versions
            .into_iter()
            .rev()
            .map(|(v, files)| {
                // No manifest yet: the export is being written, or was cut short.
                let complete = files.iter().any(|f| f["file"] == "manifest.json");
                json!({ "version": v, "complete": complete, "files": files })
            })
            .collect();
        Ok(Response::ok(
            json!({ "job_id": job.id, "status": job.status, "expires_in_s": LINK_TTL.as_secs(), "versions": versions }),
        ))
    }

    /// One version's manifest and dataset card.
    pub(super) async fn export_version(&self, id: &str, v: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let Some(version) = version_of(v) else {
            return Ok(Response::error(
                400,
                "invalid_version",
                format!("{v:?} is not an export version number"),
            ));
        };
        let prefix = keys::export_prefix(&job.id, version);
        let Some(manifest) = self
            .ctx
            .blobs
            .get(&format!("{prefix}manifest.json"))
            .await?
        else {
            return Err(Error::NotFound(format!(
                "job {} has no complete export version {version}",
                job.id
            )));
        };
        let manifest: Value =
            serde_json::from_slice(&manifest).map_err(|e| Error::json("manifest.json", e))?;
        let card = self
            .ctx
            .blobs
            .get(&format!("{prefix}README.md"))
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        Ok(Response::ok(json!({ "manifest": manifest, "card": card })))
    }

    /// Export a finished job again, with the reviews as they are now.
    pub(super) async fn create_export(&self, id: &str, req: &Request) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let new: NewExport = if req.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            NewExport::default()
        } else {
            match Self::body(req) {
                Ok(n) => n,
                Err(refusal) => return Ok(refusal),
            }
        };
        if job.status != JobStatus::Completed {
            return Ok(Response::error(
                409,
                "job_not_finished",
                format!(
                    "job {} is {}; it can be exported again once it has completed",
                    job.id,
                    job.status.as_str()
                ),
            ));
        }
        let mut opts = ExportOptions::from_config(&job.config)?;
        if let Some(formats) = &new.formats {
            opts.formats = match Format::parse_all(formats) {
                Ok(f) => f,
                Err(f) => {
                    return Ok(Response::error(
                        400,
                        "invalid_format",
                        format!(
                            "unknown format {f:?}; known: {}",
                            crate::config::EXPORT_FORMATS.join(", ")
                        ),
                    ));
                }
            };
        }
        if let Some(m) = new.min_score {
            if !(0.0..=1.0).contains(&m) {
                return Ok(Response::error(
                    400,
                    "invalid_request",
                    "min_score must be between 0 and 1",
                ));
            }
            opts.min_score = m;
        }
        if let Some(r) = new.min_rating {
            if !(1..=10).contains(&r) {
                return Ok(Response::error(
                    400,
                    "invalid_request",
                    "min_rating must be between 1 and 10",
                ));
            }
            opts.min_rating = Some(r);
        }
        let (manifest, location) =
            crate::tasks::reexport(&self.ctx, &job, opts.without_builtin()).await?;
        Ok(Response::with_status(
            201,
            json!({ "version": manifest.version, "location": location, "manifest": manifest }),
        ))
    }

    /// A file of an export version, for stores that cannot give out links.
    pub(super) async fn export_file(
        &self,
        id: &str,
        v: &str,
        file: &str,
    ) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let Some(version) = version_of(v) else {
            return Ok(Response::error(
                400,
                "invalid_version",
                format!("{v:?} is not an export version number"),
            ));
        };
        if file.chars().any(char::is_control)
            || file
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Ok(Response::error(
                400,
                "invalid_path",
                format!("{file:?} is not a file of an export"),
            ));
        }
        let key = format!("{}{file}", keys::export_prefix(&job.id, version));
        let Some(bytes) = self.ctx.blobs.get(&key).await? else {
            return Err(Error::NotFound(format!(
                "export version {version} of job {} has no file {file}",
                job.id
            )));
        };
        Ok(Response::file(FileBody {
            content_type: content_type(file).to_string(),
            bytes,
            immutable: false,
            download_name: file.rsplit('/').next().map(str::to_string),
        }))
    }
}
