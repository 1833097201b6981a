//! The CLI's commands, each a thin layer over the library.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use serde::Serialize;
use shared::JobConfig;
use shared::adapters::local::runner::{LocalRunner, find_job, open_state};
use shared::ports::StateStore;
use shared::summary::JobSummary;

use crate::GenerationArgs;
use crate::progress::CliProgress;

/// Config file, then environment, then flags: the later wins.
fn apply_generation(cfg: &mut JobConfig, args: &GenerationArgs) -> Result<()> {
    cfg.apply_llm_env();
    if let Some(v) = &args.llm_base_url {
        cfg.llm.base_url = v.clone();
    }
    if let Some(v) = &args.llm_model {
        cfg.llm.model = v.clone();
    }
    if let Some(t) = &args.template {
        let p = Path::new(t);
        if p.is_dir() {
            cfg.factory.template_dir = std::path::absolute(p)?.display().to_string();
            // A directory with one template means that one.
            let own: Vec<_> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
                .collect();
            if let [only] = own.as_slice() {
                let t = shared::templates::list(Some(p))?
                    .into_iter()
                    .find(|t| t.origin == only.path().display().to_string());
                if let Some(t) = t {
                    cfg.factory.template = t.name;
                }
            }
        } else if t.ends_with(".toml") {
            cfg.factory.template = std::path::absolute(p)?.display().to_string();
        } else {
            cfg.factory.template = t.clone();
        }
    }
    if !args.labels.is_empty() {
        cfg.factory.labels = args.labels.clone();
    }
    if args.judge {
        cfg.inspector.judge = true;
    }
    if !args.formats.is_empty() {
        cfg.export.formats = args.formats.clone();
    }
    cfg.validate()?;
    Ok(())
}

pub async fn run(
    input: &Path,
    data_dir: &Path,
    config: Option<&Path>,
    allow_private_network: bool,
    args: &GenerationArgs,
) -> Result<()> {
    let mut cfg = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| shared::Error::Config(format!("{}: {e}", path.display())))?;
            JobConfig::from_toml(&text)
                .map_err(|e| shared::Error::Config(format!("{}: {e}", path.display())))?
        }
        None => JobConfig::default(),
    };
    if allow_private_network {
        cfg.network.allow_private = true;
    }
    apply_generation(&mut cfg, args)?;
    let runner = LocalRunner::open(data_dir)?;
    let progress = Arc::new(CliProgress::new());
    let outcome = runner
        .run(input, cfg, progress, |job, resumed| {
            let how = match (resumed, job.status) {
                (false, _) => "new job",
                (true, shared::model::JobStatus::Completed) => "already completed, nothing to redo",
                (true, _) => "resuming",
            };
            println!("job {} ({how})", job.id);
            let _ = std::io::stdout().flush();
        })
        .await?;
    print!("{}", outcome.summary.render());
    Ok(())
}

#[derive(Serialize)]
struct ExtractLine<'a> {
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn expand_inputs(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            out.extend(shared::input::saved_pages_in(f)?);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn read_page(path: &Path) -> Result<Vec<u8>> {
    let mut raw = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut raw)
            .context("reading stdin")?;
    } else {
        raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    }
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .with_context(|| format!("gunzipping {}", path.display()))?;
        return Ok(out);
    }
    Ok(raw)
}

fn extract_one(path: &Path) -> String {
    let source = path.display().to_string();
    let result = read_page(path).and_then(|bytes| {
        let (html, _) = shared::charset::decode_html(&bytes, None);
        let url = if source == "-" {
            "stdin".to_string()
        } else {
            std::path::absolute(path)
                .ok()
                .and_then(|p| url::Url::from_file_path(p).ok())
                .map(|u| u.to_string())
                .unwrap_or_else(|| source.clone())
        };
        shared::extract::extract(&html, &url).map_err(anyhow::Error::from)
    });
    let line = match &result {
        Ok(x) => ExtractLine {
            source: &source,
            title: Some(&x.title),
            language: Some(&x.language),
            text: Some(&x.text),
            error: None,
        },
        Err(e) => ExtractLine {
            source: &source,
            title: None,
            language: None,
            text: None,
            error: Some(format!("{e:#}")),
        },
    };
    serde_json::to_string(&line)
        .unwrap_or_else(|e| format!("{{\"source\":{source:?},\"error\":\"{e}\"}}"))
}

/// Extract in parallel on every core, printing in input order, a batch at a time so memory
/// stays bounded.
pub fn extract(files: &[PathBuf]) -> Result<()> {
    let inputs = if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        expand_inputs(files)?
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for batch in inputs.chunks(512) {
        let next = AtomicUsize::new(0);
        let mut lines: Vec<Option<String>> = vec![None; batch.len()];
        let slots: Vec<std::sync::Mutex<Option<String>>> =
            batch.iter().map(|_| Default::default()).collect();
        std::thread::scope(|s| {
            for _ in 0..workers.min(batch.len()) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = batch.get(i) else { break };
                        let line = extract_one(path);
                        if let Ok(mut slot) = slots[i].lock() {
                            *slot = Some(line);
                        }
                    }
                });
            }
        });
        for (i, slot) in slots.into_iter().enumerate() {
            lines[i] = slot.into_inner().unwrap_or_default();
        }
        for line in lines.into_iter().flatten() {
            if line.contains("\"error\":") && !line.contains("\"text\":") {
                failed += 1;
            }
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    if failed == inputs.len() {
        anyhow::bail!("no text extracted from any of {} input(s)", inputs.len());
    }
    Ok(())
}

pub async fn jobs(data_dir: &Path, json: bool) -> Result<()> {
    let state = open_state(data_dir)?;
    print_jobs(state.as_ref(), &data_dir.display().to_string(), json).await
}

pub async fn print_jobs(state: &dyn StateStore, place: &str, json: bool) -> Result<()> {
    let jobs = state.list_jobs().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&jobs)?);
        return Ok(());
    }
    if jobs.is_empty() {
        println!("no jobs in {place}");
        return Ok(());
    }
    println!(
        "{:<26}  {:<9}  {:<20}  {:>7}  {:>8}  input",
        "job", "status", "created", "urls", "records"
    );
    for j in jobs {
        let summary = JobSummary::load(state, &j).await?;
        let records = summary.counter(shared::model::Stage::Shipper, "records");
        println!(
            "{:<26}  {:<9}  {:<20}  {:>7}  {:>8}  {}",
            j.id,
            j.status.as_str(),
            j.created_at.get(..19).unwrap_or(&j.created_at),
            j.urls,
            records,
            j.input
        );
    }
    Ok(())
}

pub async fn status(job: &str, data_dir: &Path, json: bool) -> Result<()> {
    let state = open_state(data_dir)?;
    print_status(state.as_ref(), job, json).await
}

pub async fn print_status(state: &dyn StateStore, job: &str, json: bool) -> Result<()> {
    let job = find_job(state, job).await?;
    let summary = JobSummary::load(state, &job).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary.render_status());
    }
    Ok(())
}

/// `datafactory vocab DIR`: the files of the vocabulary layer (shared/src/vocab.rs), each read
/// back through the functions' own loader, with the time that takes (a function pays it on
/// the first use of the encoding).
pub fn vocab(dir: &Path) -> Result<()> {
    for (encoding, path) in shared::vocab::write_dir(dir)? {
        let size = std::fs::metadata(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .len();
        let started = std::time::Instant::now();
        shared::vocab::read_back(&path, encoding)?;
        println!(
            "{}: {:.1} MB, reads back in {} ms",
            path.display(),
            size as f64 / 1e6,
            started.elapsed().as_millis()
        );
    }
    Ok(())
}

pub fn templates(dir: Option<&Path>) -> Result<()> {
    let mut cfg = shared::config::FactoryConfig {
        labels: vec!["news".into(), "opinion".into(), "review".into()],
        ..Default::default()
    };
    for t in shared::templates::list(dir)? {
        cfg.template = t.name.clone();
        println!(
            "== {} (v{}, {}, task {}) — {}",
            t.name, t.version, t.origin, t.task, t.description
        );
        match t.messages(&shared::templates::sample_chunk(), &cfg) {
            Ok((system, user)) => {
                println!("-- system:\n{system}\n-- user:\n{user}\n");
            }
            Err(e) => println!("-- does not render: {e}\n"),
        }
    }
    Ok(())
}

pub async fn export(
    job: &str,
    data_dir: &Path,
    formats: &[String],
    min_score: Option<f64>,
    min_rating: Option<u8>,
) -> Result<()> {
    let runner = LocalRunner::open(data_dir)?;
    let job = find_job(runner.state.as_ref(), job).await?;
    if job.status != shared::model::JobStatus::Completed {
        anyhow::bail!(
            "job {} is {}: run it to completion first (rerun the same command to resume)",
            job.id,
            job.status.as_str()
        );
    }
    let mut opts = shared::stages::shipper::ExportOptions::from_config(&job.config)?;
    if !formats.is_empty() {
        opts.formats = shared::formats::Format::parse_all(formats).map_err(|f| {
            shared::Error::Config(format!(
                "unknown format {f:?} (one of {})",
                shared::config::EXPORT_FORMATS.join(", ")
            ))
        })?;
    }
    opts = opts.without_builtin();
    if let Some(m) = min_score {
        if !(0.0..=1.0).contains(&m) {
            return Err(shared::Error::Config("--min-score must be in [0, 1]".into()).into());
        }
        opts.min_score = m;
    }
    opts.min_rating = min_rating;
    let (manifest, path) = shared::tasks::reexport(
        &runner.context(Arc::new(shared::stages::NoProgress)),
        &job,
        opts,
    )
    .await?;
    for (split, info) in &manifest.splits {
        println!("{split}: {} records", info.records);
    }
    if let Some(r) = manifest.reviews.as_ref().filter(|r| r.reviewed > 0) {
        println!(
            "reviews: {} reviewed, {} rejected left out, {} shipped rewritten, {} approved over the Inspector{}",
            r.reviewed,
            r.rejected,
            r.rewritten,
            r.approved_over_inspector,
            r.min_rating.map_or(String::new(), |m| format!(
                ", {} under rating {m} left out",
                r.below_min_rating
            ))
        );
    }
    println!("export: {path}");
    Ok(())
}
