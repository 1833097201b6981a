//! `datafactory review <JOB>`: the review loop in the terminal, one example at a time, one
//! command per line (so it works over ssh, in tmux and from a script). The rules are the
//! library's (`shared::reviews`), the same the dashboard's API applies.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use shared::adapters::local::runner::{LocalRunner, find_job};
use shared::model::Decision;
use shared::ports::rfc3339;
use shared::reviews::{self, Change, Filter, ReviewChange, Reviewed, Sort};
use shared::stages::{NoProgress, StageContext};

pub struct Options {
    pub filter: String,
    pub sort: String,
    pub threshold: Option<f64>,
    pub check: Option<String>,
    pub reviewer: Option<String>,
}

const HELP: &str = "1-10 rate | a approve | r reject | u clear decision | c clear rating | \
                    e rewrite | x drop rewrite | s source | n/enter next | p previous | q quit";

/// What one line asks for.
#[derive(Debug, PartialEq)]
enum Command {
    Change(ReviewChange),
    Rewrite,
    Source,
    Next,
    Previous,
    Quit,
    Help,
}

fn parse(line: &str) -> Option<Command> {
    let word = line.trim();
    if let Ok(r) = word.parse::<u8>() {
        return (1..=10).contains(&r).then(|| {
            Command::Change(ReviewChange {
                rating: Change::Set(r),
                ..ReviewChange::default()
            })
        });
    }
    let change = |f: fn(&mut ReviewChange)| {
        let mut c = ReviewChange::default();
        f(&mut c);
        Some(Command::Change(c))
    };
    match word {
        "a" | "approve" => change(|c| c.decision = Change::Set(Decision::Approved)),
        "r" | "reject" => change(|c| c.decision = Change::Set(Decision::Rejected)),
        "u" => change(|c| c.decision = Change::Clear),
        "c" => change(|c| c.rating = Change::Clear),
        "x" => change(|c| c.rewrite = Change::Clear),
        "e" | "rewrite" => Some(Command::Rewrite),
        "s" | "source" => Some(Command::Source),
        "" | "n" | "next" => Some(Command::Next),
        "p" | "prev" | "previous" => Some(Command::Previous),
        "q" | "quit" | "exit" => Some(Command::Quit),
        "?" | "h" | "help" => Some(Command::Help),
        _ => None,
    }
}

fn show(out: &mut impl Write, i: usize, n: usize, r: &Reviewed) -> std::io::Result<()> {
    let e = &r.example;
    writeln!(out, "\n[{}/{n}] example {}", i + 1, e.example.id)?;
    writeln!(
        out,
        "  score {:.2} ({}) | {} | {}",
        e.score,
        if e.passed { "passed" } else { "failed" },
        e.example.title,
        e.example.url
    )?;
    let scores: Vec<String> = e
        .scores
        .iter()
        .map(|(k, v)| format!("{k} {v:.2}"))
        .collect();
    writeln!(out, "  checks: {}", scores.join(", "))?;
    for note in &e.notes {
        writeln!(out, "  note: {note}")?;
    }
    writeln!(out, "-- instruction:\n{}", e.example.instruction)?;
    if !e.example.input.is_empty() {
        writeln!(out, "-- input:\n{}", e.example.input)?;
    }
    if let Some(label) = &e.example.label {
        writeln!(out, "-- label: {label}")?;
    }
    match r.review.as_ref().and_then(|v| v.rewrite.as_ref()) {
        Some(rewrite) => {
            writeln!(out, "-- response (rewritten):\n{rewrite}")?;
            writeln!(out, "-- original response:\n{}", e.example.response)?;
        }
        None => writeln!(out, "-- response:\n{}", e.example.response)?,
    }
    match &r.review {
        Some(v) => writeln!(
            out,
            "-- review: rating {}, {}, by {} at {}",
            v.rating.map_or("none".to_string(), |r| r.to_string()),
            match v.decision {
                Some(Decision::Approved) => "approved",
                Some(Decision::Rejected) => "rejected",
                None => "no decision",
            },
            v.reviewer,
            v.updated_at
        )?,
        None => writeln!(out, "-- not reviewed")?,
    }
    Ok(())
}

/// A rewritten response: in $EDITOR when on a terminal and one is set, else the lines that
/// follow, up to a line holding a single `.`.
fn read_rewrite(current: &str, input: &mut impl BufRead, out: &mut impl Write) -> Result<String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty());
    if let Some(editor) = editor.filter(|_| std::io::stdin().is_terminal()) {
        let file = tempfile::Builder::new()
            .suffix(".txt")
            .tempfile()
            .context("creating a file for the editor")?;
        std::fs::write(file.path(), current)?;
        let mut parts = editor.split_whitespace();
        let program = parts.next().unwrap_or("vi");
        let status = std::process::Command::new(program)
            .args(parts)
            .arg(file.path())
            .status()
            .with_context(|| format!("starting the editor {editor:?}"))?;
        if !status.success() {
            bail!("the editor {editor:?} exited with {status}");
        }
        return Ok(std::fs::read_to_string(file.path())?);
    }
    writeln!(
        out,
        "Type the new response; end with a line holding only a '.':"
    )?;
    out.flush()?;
    let mut text = Vec::new();
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end_matches(['\n', '\r']);
        if line == "." {
            break;
        }
        text.push(line.to_string());
    }
    Ok(text.join("\n"))
}

pub async fn review(job: &str, data_dir: &Path, opts: Options) -> Result<()> {
    let runner = LocalRunner::open(data_dir)?;
    let job = find_job(runner.state.as_ref(), job).await?;
    let ctx = runner.context(Arc::new(NoProgress));
    let filter = Filter::parse(
        &opts.filter,
        opts.threshold.unwrap_or(job.config.inspector.threshold),
        opts.check.as_deref(),
    )
    .map_err(|m| shared::Error::Config(format!("--filter: {m}")))?;
    let sort =
        Sort::parse(&opts.sort).map_err(|m| shared::Error::Config(format!("--sort: {m}")))?;
    let mut list: Vec<Reviewed> = reviews::load(&ctx, &job)
        .await?
        .into_iter()
        .filter(|r| filter.keeps(r))
        .collect();
    if list.is_empty() {
        println!(
            "job {}: no examples match --filter {} (a corpus job has none; a running job may not have reached the Inspector)",
            job.id, opts.filter
        );
        return Ok(());
    }
    sort.apply(&mut list);
    let reviewer = opts
        .reviewer
        .or_else(|| std::env::var("USER").ok())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "local".to_string());
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout();
    writeln!(
        out,
        "job {}: {} example(s) ({}), reviewing as {reviewer}\n{HELP}",
        job.id,
        list.len(),
        opts.filter
    )?;
    let mut changed = 0usize;
    let mut i = 0;
    show(&mut out, i, list.len(), &list[i])?;
    loop {
        write!(out, "> ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let command = match parse(&line) {
            Some(c) => c,
            None => {
                writeln!(out, "not a command: {:?}\n{HELP}", line.trim())?;
                continue;
            }
        };
        let change = match command {
            Command::Quit => break,
            Command::Help => {
                writeln!(out, "{HELP}")?;
                continue;
            }
            Command::Source => {
                writeln!(out, "-- source:\n{}", list[i].example.example.source)?;
                continue;
            }
            Command::Next | Command::Previous => {
                let last = list.len() - 1;
                if command == Command::Next && i == last {
                    writeln!(out, "that was the last example; q quits")?;
                    continue;
                }
                i = if command == Command::Next {
                    i + 1
                } else {
                    i.saturating_sub(1)
                };
                show(&mut out, i, list.len(), &list[i])?;
                continue;
            }
            Command::Rewrite => {
                let current = list[i]
                    .review
                    .as_ref()
                    .and_then(|v| v.rewrite.clone())
                    .unwrap_or_else(|| list[i].example.example.response.clone());
                let text = read_rewrite(&current, &mut input, &mut out)?;
                ReviewChange {
                    rewrite: Change::Set(text),
                    ..ReviewChange::default()
                }
            }
            Command::Change(c) => c,
        };
        match save(&ctx, &job.id, &mut list[i], change, &reviewer).await {
            Ok(()) => {
                changed += 1;
                show(&mut out, i, list.len(), &list[i])?;
            }
            Err(m) => writeln!(out, "not saved: {m}")?,
        }
    }
    println!(
        "\n{changed} change(s) saved. `datafactory export {}` ships them.",
        job.id
    );
    Ok(())
}

async fn save(
    ctx: &StageContext,
    job: &str,
    r: &mut Reviewed,
    change: ReviewChange,
    reviewer: &str,
) -> Result<(), String> {
    let now = rfc3339(ctx.clock.now());
    let review = reviews::update(ctx.state.as_ref(), job, &r.example, &change, reviewer, &now)
        .await
        .map_err(|e| e.to_string())?;
    r.review = (!review.is_empty()).then_some(review);
    Ok(())
}
