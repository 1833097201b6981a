//! `datafactory`: turn lists of web URLs into clean, de-duplicated LLM training datasets.

mod commands;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "datafactory", version, about, long_about = None)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on a URL list or saved pages, on the embedded default.
    Run {
        /// A URL list (.txt one per line, .csv with a `url` column, .jsonl with a `url`
        /// field), a saved page (.html, .html.gz) or a directory of saved pages.
        input: PathBuf,
        /// Where jobs, pages, state and exports live.
        #[arg(
            long,
            default_value = "./datafactory-data",
            env = "DATAFACTORY_DATA_DIR"
        )]
        data_dir: PathBuf,
        /// Job config (TOML); `datafactory config` prints every field with its default.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Allow fetching loopback, private and link-local addresses (off by default).
        #[arg(long)]
        allow_private_network: bool,
    },
    /// Extract main text from saved pages: one JSON line per input.
    Extract {
        /// .html / .html.gz files or directories of them; `-` (or nothing) reads stdin.
        files: Vec<PathBuf>,
    },
    /// List the jobs in a data dir.
    Jobs {
        #[arg(
            long,
            default_value = "./datafactory-data",
            env = "DATAFACTORY_DATA_DIR"
        )]
        data_dir: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// What a job did, stage by stage.
    Status {
        /// Job id (or a unique prefix of it).
        job: String,
        #[arg(
            long,
            default_value = "./datafactory-data",
            env = "DATAFACTORY_DATA_DIR"
        )]
        data_dir: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Print the default job config (TOML), every field commented.
    Config,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DATAFACTORY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run {
                input,
                data_dir,
                config,
                allow_private_network,
            } => commands::run(&input, &data_dir, config.as_deref(), allow_private_network).await,
            Command::Extract { files } => commands::extract(&files),
            Command::Jobs { data_dir, json } => commands::jobs(&data_dir, json).await,
            Command::Status {
                job,
                data_dir,
                json,
            } => commands::status(&job, &data_dir, json).await,
            Command::Config => {
                print!("{}", shared::JobConfig::commented_default_toml());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            // Unusable input and bad config are the user's to fix: a distinct code.
            let user_error = e.downcast_ref::<shared::Error>().is_some_and(|e| {
                matches!(
                    e,
                    shared::Error::Input { .. }
                        | shared::Error::Config(_)
                        | shared::Error::JobNotFound(_)
                )
            });
            ExitCode::from(if user_error { 2 } else { 1 })
        }
    }
}
