//! Shipper: the versioned export of a job under `exports/<job>/v<N>/`:
//! `data/{train,validation}-00000-of-00001.parquet`, `train.jsonl`, `validation.jsonl`, the
//! fine-tuning formats asked for (`train.openai.jsonl`, ...), `manifest.json` and `README.md`
//! (a Hugging Face dataset card). In corpus mode the records are chunks; with an LLM they are
//! the examples that passed the Inspector. The split is stable: by content hash, stratified by
//! label, and locked in the state store, so an example once in validation never moves to
//! train in a later version. Records stream shard by shard.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use minijinja::{Environment, context};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::error::{Error, Result};
use crate::formats::{Format, FormatWriter};
use crate::model::{
    Chunk, CorpusRecord, ExportManifest, InspectedExample, JobRecord, QualityStats,
    ReviewExportStats, ShardReport, SplitInfo, Stage, StageStats,
};
use crate::ports::{Claim, rfc3339};
use crate::reviews::{self, Verdict};
use crate::stages::StageContext;
use crate::stages::factory::{self, Mode};
use crate::{jsonl, keys, templates};

/// A Parquet row group ends at this many rows or this much text, whichever comes first: large
/// enough to compress well, small enough that the export's memory does not grow with the job
/// (20,000 chunks of a 20,000-page job were 40 MB held at once before the byte cap).
const ROW_GROUP: usize = 20_000;
const ROW_GROUP_BYTES: usize = 8 << 20;

pub const SPLITS: [&str; 2] = ["train", "validation"];

/// What to export: the job's config gives the defaults, `datafactory export` overrides them.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub formats: Vec<Format>,
    pub min_score: f64,
    /// Ship only examples a person rated at least this (unrated ones do not ship).
    pub min_rating: Option<u8>,
    /// Shards that failed for good (recorded on the job): shipped without them, so one bad
    /// shard keeps the others' results instead of failing the export.
    pub skip_shards: std::collections::BTreeSet<u32>,
}

impl ExportOptions {
    /// Each format once, and not `jsonl`: `<split>.jsonl` is always written, and two
    /// writers on one file would corrupt it.
    pub fn without_builtin(mut self) -> Self {
        let mut seen = Vec::new();
        self.formats.retain(|f| {
            let keep = *f != Format::Jsonl && !seen.contains(f);
            seen.push(*f);
            keep
        });
        self
    }

    pub fn from_config(cfg: &crate::config::JobConfig) -> Result<Self> {
        let formats = Format::parse_all(&cfg.export.formats)
            .map_err(|f| Error::Config(format!("unknown export format {f:?}")))?;
        Ok(ExportOptions {
            formats,
            min_score: cfg.export.min_score,
            min_rating: None,
            skip_shards: Default::default(),
        }
        .without_builtin())
    }
}

/// Bucket of a content id in [0, 1): the split's coin, a pure function of the content.
fn bucket(content_id: &str) -> f64 {
    let v = content_id
        .get(..16)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    v as f64 / u64::MAX as f64
}

/// Whether a record with this content id goes to validation (corpus exports).
pub fn is_validation(content_id: &str, fraction: f64) -> bool {
    bucket(content_id) < fraction
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

/// One column's values for a row group.
enum Column {
    Str(Vec<ByteArray>),
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
}

/// A record type with a fixed Parquet schema.
trait ParquetRow: Sized {
    const SCHEMA: &'static str;
    fn columns(rows: &[Self]) -> Vec<Column>;
    /// About how many bytes the row holds (its text), for the row group's byte cap.
    fn weight(&self) -> usize;
}

fn strs<T>(rows: &[T], f: impl Fn(&T) -> &str) -> Column {
    Column::Str(rows.iter().map(|r| ByteArray::from(f(r))).collect())
}

impl ParquetRow for CorpusRecord {
    const SCHEMA: &'static str = "message corpus {
        REQUIRED BYTE_ARRAY text (UTF8);
        REQUIRED BYTE_ARRAY url (UTF8);
        REQUIRED BYTE_ARRAY title (UTF8);
        REQUIRED BYTE_ARRAY language (UTF8);
        REQUIRED INT64 token_count;
        REQUIRED INT64 chunk_index;
    }";
    fn columns(rows: &[Self]) -> Vec<Column> {
        vec![
            strs(rows, |r| &r.text),
            strs(rows, |r| &r.url),
            strs(rows, |r| &r.title),
            strs(rows, |r| &r.language),
            Column::Int(rows.iter().map(|r| i64::from(r.token_count)).collect()),
            Column::Int(rows.iter().map(|r| i64::from(r.chunk_index)).collect()),
        ]
    }
    fn weight(&self) -> usize {
        self.text.len() + self.url.len() + self.title.len()
    }
}

impl ParquetRow for InspectedExample {
    const SCHEMA: &'static str = "message examples {
        REQUIRED BYTE_ARRAY id (UTF8);
        REQUIRED BYTE_ARRAY system (UTF8);
        REQUIRED BYTE_ARRAY instruction (UTF8);
        REQUIRED BYTE_ARRAY input (UTF8);
        REQUIRED BYTE_ARRAY response (UTF8);
        REQUIRED BYTE_ARRAY label (UTF8);
        REQUIRED BYTE_ARRAY task (UTF8);
        REQUIRED BYTE_ARRAY url (UTF8);
        REQUIRED BYTE_ARRAY title (UTF8);
        REQUIRED BYTE_ARRAY language (UTF8);
        REQUIRED BYTE_ARRAY template (UTF8);
        REQUIRED BYTE_ARRAY model (UTF8);
        REQUIRED DOUBLE score;
        REQUIRED BOOLEAN passed;
        REQUIRED BYTE_ARRAY scores (UTF8);
        REQUIRED BYTE_ARRAY review (UTF8);
    }";
    fn columns(rows: &[Self]) -> Vec<Column> {
        vec![
            strs(rows, |r| &r.example.id),
            strs(rows, |r| &r.example.system),
            strs(rows, |r| &r.example.instruction),
            strs(rows, |r| &r.example.input),
            strs(rows, |r| &r.example.response),
            strs(rows, |r| r.example.label.as_deref().unwrap_or("")),
            strs(rows, |r| &r.example.task),
            strs(rows, |r| &r.example.url),
            strs(rows, |r| &r.example.title),
            strs(rows, |r| &r.example.language),
            strs(rows, |r| &r.example.template),
            strs(rows, |r| &r.example.model),
            Column::Float(rows.iter().map(|r| r.score).collect()),
            Column::Bool(rows.iter().map(|r| r.passed).collect()),
            Column::Str(
                rows.iter()
                    .map(|r| {
                        ByteArray::from(
                            serde_json::to_string(&r.scores)
                                .unwrap_or_default()
                                .as_str(),
                        )
                    })
                    .collect(),
            ),
            // JSON of the review (rating, decision, original response); empty when none.
            Column::Str(
                rows.iter()
                    .map(|r| {
                        ByteArray::from(
                            r.review
                                .as_ref()
                                .and_then(|v| serde_json::to_string(v).ok())
                                .unwrap_or_default()
                                .as_str(),
                        )
                    })
                    .collect(),
            ),
        ]
    }
    fn weight(&self) -> usize {
        let e = &self.example;
        e.system.len() + e.instruction.len() + e.input.len() + e.response.len() + e.url.len()
    }
}

struct ParquetSink<R: ParquetRow> {
    writer: SerializedFileWriter<File>,
    rows: Vec<R>,
    bytes: usize,
}

fn pq(e: parquet::errors::ParquetError) -> Error {
    Error::Export(e.to_string())
}

impl<R: ParquetRow> ParquetSink<R> {
    fn create(path: &Path) -> Result<Self> {
        let schema = Arc::new(parse_message_type(R::SCHEMA).map_err(pq)?);
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(format!("datafactory {}", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        let file =
            File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let writer = SerializedFileWriter::new(file, schema, props).map_err(pq)?;
        Ok(ParquetSink {
            writer,
            rows: Vec::new(),
            bytes: 0,
        })
    }

    fn push(&mut self, r: R) -> Result<()> {
        self.bytes += r.weight();
        self.rows.push(r);
        if self.rows.len() >= ROW_GROUP || self.bytes >= ROW_GROUP_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        self.bytes = 0;
        let mut columns = R::columns(&std::mem::take(&mut self.rows)).into_iter();
        let mut rg = self.writer.next_row_group().map_err(pq)?;
        while let Some(mut col) = rg.next_column().map_err(pq)? {
            let Some(values) = columns.next() else {
                return Err(Error::Export(
                    "parquet schema has more columns than rows give".into(),
                ));
            };
            match values {
                Column::Str(v) => col.typed::<ByteArrayType>().write_batch(&v, None, None),
                Column::Int(v) => col.typed::<Int64Type>().write_batch(&v, None, None),
                Column::Float(v) => col.typed::<DoubleType>().write_batch(&v, None, None),
                Column::Bool(v) => col.typed::<BoolType>().write_batch(&v, None, None),
            }
            .map_err(pq)?;
            col.close().map_err(pq)?;
        }
        rg.close().map_err(pq)?;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.writer.close().map_err(pq)?;
        Ok(())
    }
}

/// The files of one split: Parquet, JSONL of the full records, and any fine-tuning formats.
struct SplitSink<R: ParquetRow> {
    jsonl: BufWriter<File>,
    parquet: ParquetSink<R>,
    formats: Vec<FormatWriter<BufWriter<File>>>,
    info: SplitInfo,
}

fn io_err(what: &str, e: std::io::Error) -> Error {
    Error::io(format!("writing {what}"), e)
}

impl<R: ParquetRow + serde::Serialize> SplitSink<R> {
    fn create(dir: &Path, split: &str, formats: &[Format]) -> Result<Self> {
        let file =
            File::create(dir.join(format!("{split}.jsonl"))).map_err(|e| io_err(split, e))?;
        let formats = formats
            .iter()
            .map(|f| {
                let path = dir.join(f.file_name(split));
                let out = File::create(&path).map_err(|e| io_err(&f.file_name(split), e))?;
                FormatWriter::new(*f, BufWriter::new(out))
            })
            .collect::<Result<_>>()?;
        Ok(SplitSink {
            jsonl: BufWriter::new(file),
            parquet: ParquetSink::create(&dir.join(format!("{split}.parquet")))?,
            formats,
            info: SplitInfo::default(),
        })
    }

    fn push(&mut self, split: &str, record: R, tokens: u64) -> Result<()> {
        serde_json::to_writer(&mut self.jsonl, &record).map_err(|e| Error::json("record", e))?;
        self.jsonl.write_all(b"\n").map_err(|e| io_err(split, e))?;
        self.info.records += 1;
        self.info.tokens += tokens;
        self.parquet.push(record)
    }

    /// Close every file and upload it under the export prefix; returns the keys written.
    async fn ship(
        self,
        ctx: &StageContext,
        dir: &Path,
        prefix: &str,
        split: &str,
    ) -> Result<(SplitInfo, Vec<String>)> {
        let SplitSink {
            mut jsonl,
            parquet,
            formats,
            info,
        } = self;
        jsonl.flush().map_err(|e| io_err(split, e))?;
        drop(jsonl);
        parquet.finish()?;
        for f in formats {
            f.finish()?.flush().map_err(|e| io_err(split, e))?;
        }
        let mut files = Vec::new();
        let pq_key = format!("data/{split}-00000-of-00001.parquet");
        ctx.blobs
            .put_file(
                &format!("{prefix}{pq_key}"),
                &dir.join(format!("{split}.parquet")),
            )
            .await?;
        files.push(pq_key);
        let mut names = vec![format!("{split}.jsonl")];
        for entry in std::fs::read_dir(dir).map_err(|e| io_err(split, e))? {
            let name = entry
                .map_err(|e| io_err(split, e))?
                .file_name()
                .to_string_lossy()
                .to_string();
            if name.starts_with(&format!("{split}."))
                && name != format!("{split}.jsonl")
                && !name.ends_with(".parquet")
            {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            ctx.blobs
                .put_file(&format!("{prefix}{name}"), &dir.join(&name))
                .await?;
            files.push(name);
        }
        Ok((info, files))
    }
}

/// Ship every split; returns each split's figures and the files written.
async fn ship_all<R: ParquetRow + serde::Serialize>(
    sinks: BTreeMap<&'static str, SplitSink<R>>,
    ctx: &StageContext,
    dir: &Path,
    prefix: &str,
) -> Result<(BTreeMap<String, SplitInfo>, Vec<String>)> {
    let mut splits = BTreeMap::new();
    let mut files = Vec::new();
    for (split, sink) in sinks {
        let (info, f) = sink.ship(ctx, dir, prefix, split).await?;
        splits.insert(split.to_string(), info);
        files.extend(f);
    }
    Ok((splits, files))
}

/// Export a job as its next version. Returns the manifest.
pub async fn export(
    ctx: &StageContext,
    job: &JobRecord,
    opts: &ExportOptions,
) -> Result<ExportManifest> {
    let version = ctx.state.next_export_version(&job.id).await?;
    let prefix = keys::export_prefix(&job.id, version);
    let tmp = tempfile::tempdir().map_err(|e| Error::io("creating export temp dir", e))?;
    let mode = factory::mode(&job.config);
    let (splits, mut files, languages, quality, template, review_stats) = match mode {
        Mode::Corpus => {
            let (splits, files, languages) =
                export_corpus(ctx, job, opts, tmp.path(), &prefix).await?;
            (splits, files, languages, None, None, None)
        }
        Mode::Generate => {
            let (splits, files, languages, quality, review_stats) =
                export_examples(ctx, job, opts, tmp.path(), &prefix).await?;
            (
                splits,
                files,
                languages,
                Some(quality),
                Some(job.config.factory.template.clone()),
                Some(review_stats),
            )
        }
    };
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
        kind: match mode {
            Mode::Corpus => "corpus",
            Mode::Generate => "examples",
        }
        .to_string(),
        tokens: splits.values().map(|s| s.tokens).sum(),
        splits,
        files,
        languages,
        stats,
        quality,
        template,
        reviews: review_stats,
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

    let mut report = ShardReport::default();
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

type Shipped = (
    BTreeMap<String, SplitInfo>,
    Vec<String>,
    BTreeMap<String, u64>,
);

async fn export_corpus(
    ctx: &StageContext,
    job: &JobRecord,
    opts: &ExportOptions,
    dir: &Path,
    prefix: &str,
) -> Result<Shipped> {
    let mut sinks = BTreeMap::new();
    for split in SPLITS {
        sinks.insert(split, SplitSink::<CorpusRecord>::create(dir, split, &[])?);
    }
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    let fraction = job.config.export.validation_fraction;
    for shard in (0..job.shards).filter(|s| !opts.skip_shards.contains(s)) {
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
            let tokens = u64::from(chunk.token_count);
            sink.push(split, CorpusRecord::from(chunk), tokens)?;
        }
        ctx.progress.advance(Stage::Shipper, 1);
    }
    let (splits, files) = ship_all(sinks, ctx, dir, prefix).await?;
    Ok((splits, files, languages))
}

async fn read_inspected(
    ctx: &StageContext,
    job: &JobRecord,
    shard: u32,
) -> Result<Vec<InspectedExample>> {
    let key = keys::inspected(&job.id, shard);
    let Some(bytes) = ctx.blobs.get(&key).await? else {
        return Err(Error::Export(format!(
            "{key} is missing: the Inspector has not finished shard {shard}"
        )));
    };
    jsonl::parse(&bytes, &key)
}

/// Decide each exportable example's split: a lock from an earlier export wins; otherwise,
/// within each label, the examples with the lowest content hashes fill the validation share.
async fn assign_splits(
    ctx: &StageContext,
    job: &JobRecord,
    picked: Vec<(String, String)>,
) -> Result<BTreeMap<String, &'static str>> {
    let fraction = job.config.export.validation_fraction;
    let mut by_label: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (label, id) in picked {
        by_label.entry(label).or_default().push(id);
    }
    let mut proposed: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for ids in by_label.values_mut() {
        ids.sort_by(|a, b| bucket(a).total_cmp(&bucket(b)).then(a.cmp(b)));
        let n_val = (ids.len() as f64 * fraction).round() as usize;
        for (i, id) in ids.drain(..).enumerate() {
            proposed
                .entry(if i < n_val { "validation" } else { "train" })
                .or_default()
                .push(id);
        }
    }
    let mut out = BTreeMap::new();
    for (split, ids) in proposed {
        for batch in ids.chunks(500) {
            let claims = ctx.state.claim_keys(&job.id, "split", batch, split).await?;
            for (id, claim) in batch.iter().zip(claims) {
                let locked = match claim {
                    Claim::Won => split,
                    Claim::Lost { owner } if owner == "validation" => "validation",
                    Claim::Lost { .. } => "train",
                };
                out.insert(id.clone(), locked);
            }
        }
    }
    Ok(out)
}

async fn export_examples(
    ctx: &StageContext,
    job: &JobRecord,
    opts: &ExportOptions,
    dir: &Path,
    prefix: &str,
) -> Result<(
    BTreeMap<String, SplitInfo>,
    Vec<String>,
    BTreeMap<String, u64>,
    QualityStats,
    ReviewExportStats,
)> {
    let by_id = reviews::index(ctx.state.reviews(&job.id).await?);
    let verdict = |e: &InspectedExample| {
        reviews::verdict(e, by_id.get(&e.example.id), opts.min_score, opts.min_rating)
    };
    // Pass 1: what is exported, and its split.
    let mut quality = QualityStats {
        threshold: job.config.inspector.threshold,
        min_score: opts.min_score,
        ..QualityStats::default()
    };
    let mut review_stats = ReviewExportStats {
        min_rating: opts.min_rating,
        ..ReviewExportStats::default()
    };
    let mut picked = Vec::new();
    for shard in (0..job.shards).filter(|s| !opts.skip_shards.contains(s)) {
        for e in read_inspected(ctx, job, shard).await? {
            quality.add(&e);
            let review = by_id.get(&e.example.id).filter(|r| !r.is_empty());
            review_stats.reviewed += u64::from(review.is_some());
            match verdict(&e) {
                Verdict::Ship { over_inspector } => {
                    review_stats.approved_over_inspector += u64::from(over_inspector);
                    review_stats.rewritten +=
                        u64::from(review.is_some_and(|r| r.rewrite.is_some()));
                    picked.push((
                        e.example.label.clone().unwrap_or_default(),
                        e.example.id.clone(),
                    ));
                }
                Verdict::Rejected => review_stats.rejected += 1,
                Verdict::BelowMinRating => review_stats.below_min_rating += 1,
                Verdict::Inspector => {}
            }
        }
    }
    quality.exported = picked.len() as u64;
    quality.finish();
    let split_of = assign_splits(ctx, job, picked).await?;

    // Pass 2: write.
    let mut sinks = BTreeMap::new();
    for split in SPLITS {
        sinks.insert(
            split,
            SplitSink::<InspectedExample>::create(dir, split, &opts.formats)?,
        );
    }
    let tokens = crate::tokens::TokenCounter::for_encoding(&job.config.refiner.chunking.encoding)?;
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    for shard in (0..job.shards).filter(|s| !opts.skip_shards.contains(s)) {
        for e in read_inspected(ctx, job, shard).await? {
            let Some(split) = split_of.get(&e.example.id).copied() else {
                continue;
            };
            let review = by_id.get(&e.example.id);
            let e = reviews::shipped(e, review);
            let Some(sink) = sinks.get_mut(split) else {
                continue;
            };
            *languages.entry(e.example.language.clone()).or_default() += 1;
            for f in sink.formats.iter_mut() {
                f.write(&e)?;
            }
            let text_tokens = tokens.count(&e.example.instruction)
                + tokens.count(&e.example.input)
                + tokens.count(&e.example.response);
            sink.push(split, e, text_tokens as u64)?;
        }
        ctx.progress.advance(Stage::Shipper, 1);
    }
    let (splits, files) = ship_all(sinks, ctx, dir, prefix).await?;
    Ok((splits, files, languages, quality, review_stats))
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
    let (task_categories, mode_note, template) = match &m.template {
        Some(name) => {
            let t = templates::load(&cfg.factory)?;
            let note = format!(
                "Examples were generated by `{}` with the `{}` template (v{}) and checked one by one by the Inspector; only those that passed are exported",
                cfg.llm.model, t.name, t.version
            );
            (vec![t.task_category.clone()], note, Some(name.clone()))
        }
        None => (
            vec!["text-generation".to_string()],
            "No LLM endpoint was configured, so the records are the curated chunks themselves"
                .to_string(),
            None,
        ),
    };
    let quality_rows: Vec<(String, f64, Vec<u64>)> = m
        .quality
        .as_ref()
        .map(|q| {
            q.histograms
                .iter()
                .map(|(check, h)| {
                    (
                        check.clone(),
                        q.means.get(check).copied().unwrap_or(0.0),
                        h.to_vec(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let factory_stat = |c: &str| stat("factory", c);
    env.get_template("card")
        .and_then(|t| {
            t.render(context! {
                pretty_name => cfg.export.pretty_name,
                license => cfg.export.license,
                languages => languages,
                size_category => size_category(total),
                task_categories => task_categories,
                files => m.files,
                kind => m.kind,
                template => template,
                quality => m.quality,
                reviews => m.reviews,
                quality_rows => quality_rows,
                llm_calls => factory_stat("llm_calls") + stat("inspector", "llm_calls"),
                cache_hits => factory_stat("cache_hits") + stat("inspector", "cache_hits"),
                cost_usd => format!("{:.4}", (factory_stat("cost_micro_usd") + stat("inspector", "cost_micro_usd")) as f64 / 1e6),
                examples => factory_stat("examples"),
                tags => cfg.export.tags,
                datafactory_version => m.datafactory_version,
                urls => job.urls,
                max_tokens => cfg.refiner.chunking.max_tokens,
                encoding => cfg.refiner.chunking.encoding,
                mode_note => mode_note,
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
    fn row_groups_end_at_the_byte_cap_and_every_row_is_written() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut sink = ParquetSink::<CorpusRecord>::create(&path).unwrap();
        let text = "word ".repeat(1000);
        for i in 0..3000 {
            sink.push(CorpusRecord {
                text: text.clone(),
                url: format!("https://example.com/{i}"),
                title: "t".into(),
                language: "en".into(),
                token_count: 1000,
                chunk_index: i,
            })
            .unwrap();
        }
        sink.finish().unwrap();
        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        let meta = reader.metadata();
        // 3,000 rows of ~5 KB: 15 MB of text, so two groups under the 8 MB cap.
        assert_eq!(meta.num_row_groups(), 2);
        assert_eq!(meta.file_metadata().num_rows(), 3000);
    }

    #[test]
    fn size_categories_follow_the_hub() {
        assert_eq!(size_category(0), "n<1K");
        assert_eq!(size_category(999), "n<1K");
        assert_eq!(size_category(1000), "1K<n<10K");
        assert_eq!(size_category(2_500_000), "1M<n<10M");
    }
}
