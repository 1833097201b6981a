//! Shipper: the versioned export of a job under `exports/<job>/v<N>/`:
//! `data/{train,validation}-00000-of-00001.parquet`, `train.jsonl`, `validation.jsonl`,
//! `manifest.json` and `README.md` (a Hugging Face dataset card). The split is by content
//! hash, so a record stays in the same split in every version. Records stream shard by shard,
//! so memory does not grow with the job.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use minijinja::{Environment, context};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::error::{Error, Result};
use crate::model::{Chunk, CorpusRecord, ExportManifest, JobRecord, SplitInfo, Stage, StageStats};
use crate::ports::rfc3339;
use crate::stages::StageContext;
use crate::stages::factory;
use crate::{jsonl, keys};

const CORPUS_SCHEMA: &str = "message corpus {
    REQUIRED BYTE_ARRAY text (UTF8);
    REQUIRED BYTE_ARRAY url (UTF8);
    REQUIRED BYTE_ARRAY title (UTF8);
    REQUIRED BYTE_ARRAY language (UTF8);
    REQUIRED INT64 token_count;
    REQUIRED INT64 chunk_index;
}";

/// Rows per Parquet row group: large enough to compress well, small enough to stream.
const ROW_GROUP: usize = 20_000;

pub const SPLITS: [&str; 2] = ["train", "validation"];

/// Whether a record with this content id goes to validation. Pure function of the content,
/// so the split never moves between versions.
pub fn is_validation(content_id: &str, fraction: f64) -> bool {
    let bucket = content_id
        .get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    (bucket as f64 / u64::MAX as f64) < fraction
}

/// Hugging Face `size_categories` bucket.
pub fn size_category(n: u64) -> &'static str {
    match n {
        0..1_000 => "n<1K",
        1_000..10_000 => "1K<n<10K",
        10_000..100_000 => "10K<n<100K",
        100_000..1_000_000 => "100K<n<1M",
        1_000_000..10_000_000 => "1M<n<10M",
        10_000_000..100_000_000 => "10M<n<100M",
        100_000_000..1_000_000_000 => "100M<n<1B",
        _ => "n>1B",
    }
}

struct ParquetSink {
    writer: SerializedFileWriter<File>,
    rows: Vec<CorpusRecord>,
}

impl ParquetSink {
    fn create(path: &Path) -> Result<Self> {
        let schema =
            Arc::new(parse_message_type(CORPUS_SCHEMA).map_err(|e| Error::Export(e.to_string()))?);
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(format!("datafactory {}", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        let file =
            File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let writer = SerializedFileWriter::new(file, schema, props)
            .map_err(|e| Error::Export(e.to_string()))?;
        Ok(ParquetSink {
            writer,
            rows: Vec::new(),
        })
    }

    fn push(&mut self, r: CorpusRecord) -> Result<()> {
        self.rows.push(r);
        if self.rows.len() >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let pq = |e: parquet::errors::ParquetError| Error::Export(e.to_string());
        let rows = std::mem::take(&mut self.rows);
        let strings: [Vec<ByteArray>; 4] = [
            rows.iter()
                .map(|r| ByteArray::from(r.text.as_str()))
                .collect(),
            rows.iter()
                .map(|r| ByteArray::from(r.url.as_str()))
                .collect(),
            rows.iter()
                .map(|r| ByteArray::from(r.title.as_str()))
                .collect(),
            rows.iter()
                .map(|r| ByteArray::from(r.language.as_str()))
                .collect(),
        ];
        let ints: [Vec<i64>; 2] = [
            rows.iter().map(|r| i64::from(r.token_count)).collect(),
            rows.iter().map(|r| i64::from(r.chunk_index)).collect(),
        ];
        let mut rg = self.writer.next_row_group().map_err(pq)?;
        let mut col_index = 0;
        while let Some(mut col) = rg.next_column().map_err(pq)? {
            if col_index < 4 {
                col.typed::<ByteArrayType>()
                    .write_batch(&strings[col_index], None, None)
                    .map_err(pq)?;
            } else {
                col.typed::<Int64Type>()
                    .write_batch(&ints[col_index - 4], None, None)
                    .map_err(pq)?;
            }
            col.close().map_err(pq)?;
            col_index += 1;
        }
        rg.close().map_err(pq)?;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.writer
            .close()
            .map_err(|e| Error::Export(e.to_string()))?;
        Ok(())
    }
}

struct SplitSink {
    jsonl: BufWriter<File>,
    parquet: ParquetSink,
    info: SplitInfo,
}

/// Export a job's curated corpus as the next version. Returns the manifest.
pub async fn export(ctx: &StageContext, job: &JobRecord) -> Result<ExportManifest> {
    match factory::mode(&job.config) {
        factory::Mode::Corpus => {}
    }
    let version = ctx.state.next_export_version(&job.id).await?;
    let prefix = keys::export_prefix(&job.id, version);
    let tmp = tempfile::tempdir().map_err(|e| Error::io("creating export temp dir", e))?;
    let io = |what: &str, e: std::io::Error| Error::io(format!("writing {what}"), e);

    let mut sinks = BTreeMap::new();
    for split in SPLITS {
        let jsonl_path = tmp.path().join(format!("{split}.jsonl"));
        let file = File::create(&jsonl_path).map_err(|e| io(split, e))?;
        sinks.insert(
            split,
            SplitSink {
                jsonl: BufWriter::new(file),
                parquet: ParquetSink::create(&tmp.path().join(format!("{split}.parquet")))?,
                info: SplitInfo::default(),
            },
        );
    }
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    let fraction = job.config.export.validation_fraction;
    for shard in 0..job.shards {
        let key = keys::chunks(&job.id, shard);
        let Some(bytes) = ctx.blobs.get(&key).await? else {
            return Err(Error::Export(format!(
                "{key} is missing: the Refiner has not finished shard {shard}"
            )));
        };
        for chunk in jsonl::parse::<Chunk>(&bytes, &key)? {
            let split = if is_validation(&chunk.id, fraction) {
                "validation"
            } else {
                "train"
            };
            let Some(sink) = sinks.get_mut(split) else {
                continue;
            };
            *languages.entry(chunk.language.clone()).or_default() += 1;
            let record = CorpusRecord::from(chunk);
            serde_json::to_writer(&mut sink.jsonl, &record)
                .map_err(|e| Error::json("record", e))?;
            sink.jsonl.write_all(b"\n").map_err(|e| io(split, e))?;
            sink.info.records += 1;
            sink.info.tokens += u64::from(record.token_count);
            sink.parquet.push(record)?;
        }
        ctx.progress.advance(Stage::Shipper, 1);
    }

    let mut splits = BTreeMap::new();
    let mut files = Vec::new();
    for (split, sink) in sinks {
        let SplitSink {
            mut jsonl,
            parquet,
            info,
        } = sink;
        jsonl.flush().map_err(|e| io(split, e))?;
        drop(jsonl);
        parquet.finish()?;
        let pq_key = format!("data/{split}-00000-of-00001.parquet");
        ctx.blobs
            .put_file(
                &format!("{prefix}{pq_key}"),
                &tmp.path().join(format!("{split}.parquet")),
            )
            .await?;
        let jl_key = format!("{split}.jsonl");
        ctx.blobs
            .put_file(&format!("{prefix}{jl_key}"), &tmp.path().join(&jl_key))
            .await?;
        files.push(pq_key);
        files.push(jl_key);
        splits.insert(split.to_string(), info);
    }

    let stats: BTreeMap<String, StageStats> = ctx
        .state
        .stage_stats(&job.id)
        .await?
        .into_iter()
        .map(|(s, st)| (s.as_str().to_string(), st))
        .collect();
    files.push("manifest.json".to_string());
    files.push("README.md".to_string());
    let manifest = ExportManifest {
        job_id: job.id.clone(),
        version,
        created_at: rfc3339(ctx.clock.now()),
        datafactory_version: env!("CARGO_PKG_VERSION").to_string(),
        kind: "corpus".to_string(),
        tokens: splits.values().map(|s| s.tokens).sum(),
        splits,
        files,
        languages,
        stats,
        config: job.config.clone(),
    };
    let card = dataset_card(job, &manifest)?;
    // The card and manifest go last: their presence says the export is complete.
    ctx.blobs
        .put(&format!("{prefix}README.md"), card.into_bytes())
        .await?;
    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| Error::json("manifest", e))?;
    ctx.blobs
        .put(&format!("{prefix}manifest.json"), manifest_json)
        .await?;

    let mut report = crate::model::ShardReport::default();
    report.stats.add("version", u64::from(version));
    for (name, info) in &manifest.splits {
        report.stats.add("records", info.records);
        report.stats.add(name, info.records);
    }
    // One report per job, replaced by each export: it describes the latest version.
    ctx.state
        .complete_shard(&job.id, Stage::Shipper, 0, &report)
        .await?;
    Ok(manifest)
}

/// The Hugging Face dataset card: YAML front matter (configs, data files, languages, size,
/// task categories, licence) and the job's statistics.
pub fn dataset_card(job: &JobRecord, m: &ExportManifest) -> Result<String> {
    let mut env = Environment::new();
    // JSON strings are valid YAML double-quoted scalars; unlike `tojson` this does not
    // HTML-escape `<` (which `n<1K` needs).
    env.add_filter("yaml", |s: String| {
        serde_json::to_string(&s).unwrap_or_default()
    });
    env.add_template("card", include_str!("dataset_card.md.j2"))
        .map_err(|e| Error::Export(format!("card template: {e}")))?;
    let stat = |stage: &str, counter: &str| m.stats.get(stage).map_or(0, |s| s.get(counter));
    let mut reasons: Vec<(String, u64)> = m
        .stats
        .iter()
        .filter(|(stage, _)| *stage != "input")
        .flat_map(|(_, s)| s.reasons.iter().map(|(r, n)| (r.clone(), *n)))
        .collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: u64 = m.splits.values().map(|s| s.records).sum();
    let languages: Vec<&String> = m.languages.keys().filter(|l| l.len() == 2).collect();
    let cfg = &job.config;
    let split = |name: &str| m.splits.get(name).map_or(0, |s| s.records);
    env.get_template("card")
        .and_then(|t| {
            t.render(context! {
                pretty_name => cfg.export.pretty_name,
                license => cfg.export.license,
                languages => languages,
                size_category => size_category(total),
                task_categories => ["text-generation"],
                tags => cfg.export.tags,
                datafactory_version => m.datafactory_version,
                urls => job.urls,
                max_tokens => cfg.refiner.chunking.max_tokens,
                encoding => cfg.refiner.chunking.encoding,
                mode_note => "No LLM endpoint was configured, so the records are the curated chunks themselves",
                job_id => job.id,
                version => m.version,
                created_at => m.created_at,
                train_records => split("train"),
                validation_records => split("validation"),
                tokens => m.tokens,
                fetched => stat("spider", "fetched"),
                failed => stat("spider", "failed") + stat("spider", "skipped"),
                kept => stat("refiner", "documents_kept"),
                dropped => stat("refiner", "documents_dropped"),
                duplicates => stat("refiner", "duplicates"),
                chunks => stat("refiner", "chunks"),
                reasons => reasons,
            })
        })
        .map_err(|e| Error::Export(format!("rendering card: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_a_pure_function_of_content() {
        let ids: Vec<String> = (0..10_000)
            .map(|i| crate::text::sha256_hex(format!("c{i}")))
            .collect();
        let val = ids.iter().filter(|id| is_validation(id, 0.05)).count();
        assert!((350..650).contains(&val), "{val}");
        assert!(
            ids.iter()
                .all(|id| is_validation(id, 0.05) == is_validation(id, 0.05))
        );
        assert!(!ids.iter().any(|id| is_validation(id, 0.0)));
    }

    #[test]
    fn size_categories_follow_the_hub() {
        assert_eq!(size_category(0), "n<1K");
        assert_eq!(size_category(999), "n<1K");
        assert_eq!(size_category(1000), "1K<n<10K");
        assert_eq!(size_category(2_500_000), "1M<n<10M");
    }
}
