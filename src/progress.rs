//! Progress per stage: bars on a terminal, plain lines (every 10%) when stderr is not one.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use shared::model::Stage;
use shared::stages::Progress;
use shared::stages::factory::CORPUS_NOTE;

const SHOWN: [Stage; 5] = [
    Stage::Spider,
    Stage::Refiner,
    Stage::Factory,
    Stage::Inspector,
    Stage::Shipper,
];

pub enum CliProgress {
    Bars(HashMap<Stage, ProgressBar>),
    Lines(Mutex<HashMap<Stage, (u64, u64, u64)>>),
}

impl CliProgress {
    pub fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return CliProgress::Lines(Mutex::new(HashMap::new()));
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>10.bold} [{bar:32.cyan/blue}] {pos:>7}/{len:7} {elapsed:>4} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bars = SHOWN
            .iter()
            .map(|s| {
                let bar = multi.add(ProgressBar::new(0));
                bar.set_style(style.clone());
                bar.set_prefix(s.as_str());
                (*s, bar)
            })
            .collect();
        CliProgress::Bars(bars)
    }
}

impl Progress for CliProgress {
    fn total(&self, stage: Stage, total: u64) {
        match self {
            CliProgress::Bars(b) => {
                if let Some(bar) = b.get(&stage) {
                    bar.set_length(total);
                }
            }
            CliProgress::Lines(m) => {
                let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
                m.entry(stage).or_default().1 = total;
            }
        }
    }

    fn advance(&self, stage: Stage, n: u64) {
        match self {
            CliProgress::Bars(b) => {
                if let Some(bar) = b.get(&stage) {
                    bar.inc(n);
                }
            }
            CliProgress::Lines(m) => {
                let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
                let e = m.entry(stage).or_default();
                e.0 += n;
                if let Some(decile) = (e.0 * 10).checked_div(e.1)
                    && decile > e.2
                    && decile < 10
                {
                    e.2 = decile;
                    eprintln!("{stage}: {}/{} ({}%)", e.0, e.1, decile * 10);
                }
            }
        }
    }

    fn finish(&self, stage: Stage) {
        let may_skip = matches!(stage, Stage::Factory | Stage::Inspector);
        match self {
            CliProgress::Bars(b) => {
                if let Some(bar) = b.get(&stage) {
                    let skipped = may_skip && bar.length().unwrap_or(0) == 0;
                    if skipped {
                        bar.finish_with_message(format!("skipped: {CORPUS_NOTE}"));
                    } else {
                        bar.finish_with_message("done");
                    }
                }
            }
            CliProgress::Lines(m) => {
                let m = m.lock().unwrap_or_else(|e| e.into_inner());
                let seen = m.get(&stage).is_some_and(|e| e.1 > 0);
                if may_skip && !seen {
                    eprintln!("{stage}: skipped ({CORPUS_NOTE})");
                } else {
                    let (done, total, _) = m.get(&stage).copied().unwrap_or_default();
                    eprintln!("{stage}: done {done}/{total}");
                }
            }
        }
    }
}
