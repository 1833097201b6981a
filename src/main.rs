//! `datafactory`: turn lists of web URLs into clean, de-duplicated LLM training datasets.

#[cfg(unix)]
mod alloc;
mod cloud;
mod commands;
mod progress;
mod review;
mod serve;

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

/// The local data dir: jobs, pages, state and exports.
#[derive(clap::Args)]
pub struct DataDir {
    /// Where jobs, pages, state and exports live.
    #[arg(
        long = "data-dir",
        default_value = "./datafactory-data",
        env = "DATAFACTORY_DATA_DIR"
    )]
    pub path: PathBuf,
}

/// Generation options of `run`; each overrides the config file and the environment.
#[derive(clap::Args)]
pub struct GenerationArgs {
    /// OpenAI-compatible base URL (else DATAFACTORY_LLM_BASE_URL / OPENAI_BASE_URL). The key
    /// comes only from DATAFACTORY_LLM_API_KEY or OPENAI_API_KEY.
    #[arg(long)]
    pub llm_base_url: Option<String>,
    /// Model (else DATAFACTORY_LLM_MODEL / OPENAI_MODEL).
    #[arg(long)]
    pub llm_model: Option<String>,
    /// Template: a built-in name (qa, summarization, classification, instruction), a `.toml`
    /// file, or a directory of your own templates.
    #[arg(long)]
    pub template: Option<String>,
    /// Labels for the classification template (repeat the flag).
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Also score every example's faithfulness with the LLM (one cached call per example).
    #[arg(long)]
    pub judge: bool,
    /// Fine-tuning format(s) to export beside Parquet and JSONL (repeat the flag).
    #[arg(long = "format", value_name = "FORMAT")]
    pub formats: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on a URL list or saved pages, on the embedded default.
    Run {
        /// A URL list (.txt one per line, .csv with a `url` column, .jsonl with a `url`
        /// field), a saved page (.html, .html.gz) or a directory of saved pages.
        input: PathBuf,
        #[command(flatten)]
        data: DataDir,
        /// Job config (TOML); `datafactory config` prints every field with its default.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Allow fetching loopback, private and link-local addresses (off by default).
        #[arg(long)]
        allow_private_network: bool,
        #[command(flatten)]
        generation: GenerationArgs,
    },
    /// List the prompt templates (built-in and yours) with a sample rendered prompt.
    Templates {
        /// A directory of your own templates (`*.toml`).
        #[arg(long)]
        template: Option<PathBuf>,
    },
    /// Export a finished job again as a new version, in other formats or with another
    /// minimum score. Fetches nothing and calls no LLM.
    Export {
        /// Job id (or a unique prefix of it).
        job: String,
        #[command(flatten)]
        data: DataDir,
        /// Fine-tuning format(s): openai, together, together-completion, alpaca, sharegpt, csv
        /// (Parquet and JSONL are always written).
        #[arg(long = "format", value_name = "FORMAT")]
        formats: Vec<String>,
        /// Export only examples with at least this Inspector score (a reviewer's approval
        /// outranks it).
        #[arg(long)]
        min_score: Option<f64>,
        /// Export only examples a reviewer rated at least this, 1-10; unrated ones are left
        /// out. Rejected examples never ship; rewritten ones ship rewritten.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=10))]
        min_rating: Option<u8>,
    },
    /// The dashboard and the JSON API over a data dir, in the browser: watch jobs, look at
    /// quality, review examples, export. Jobs submitted there run in this process.
    Serve {
        #[command(flatten)]
        data: DataDir,
        /// Address to listen on. A non-loopback address needs --token.
        #[arg(long, default_value = "127.0.0.1:8700")]
        bind: std::net::SocketAddr,
        /// Require `Authorization: Bearer <TOKEN>` on every API call.
        #[arg(long, env = "DATAFACTORY_SERVE_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Let jobs submitted here fetch loopback, private and link-local addresses.
        #[arg(long)]
        allow_private_network: bool,
    },
    /// Review a job's examples in the terminal: rate 1-10, approve, reject, rewrite.
    Review {
        /// Job id (or a unique prefix of it).
        job: String,
        #[command(flatten)]
        data: DataDir,
        /// Which examples: all, unreviewed, unrated, below, failed, approved, rejected,
        /// rewritten.
        #[arg(long, default_value = "unreviewed")]
        filter: String,
        /// Order: pipeline, score, -score, rating, -rating.
        #[arg(long, default_value = "pipeline", allow_hyphen_values = true)]
        sort: String,
        /// Score under which `--filter below` shows an example (default: the job's threshold).
        #[arg(long)]
        threshold: Option<f64>,
        /// With `--filter failed`: examples whose score on this check is under 0.5.
        #[arg(long)]
        check: Option<String>,
        /// Your name on the reviews (default: $USER).
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// Extract main text from saved pages: one JSON line per input.
    Extract {
        /// .html / .html.gz files or directories of them; `-` (or nothing) reads stdin.
        files: Vec<PathBuf>,
    },
    /// List the jobs in a data dir, or in a stack's table with --table.
    Jobs {
        #[command(flatten)]
        data: DataDir,
        /// Read the deployed stack's DynamoDB table instead of the data dir.
        #[arg(long, env = "DATAFACTORY_TABLE")]
        table: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// What a job did, stage by stage (from the data dir, or a stack's table with --table).
    Status {
        /// Job id (or a unique prefix of it).
        job: String,
        #[command(flatten)]
        data: DataDir,
        /// Read the deployed stack's DynamoDB table instead of the data dir.
        #[arg(long, env = "DATAFACTORY_TABLE")]
        table: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Upload a URL list to a deployed stack's inbox (S3), which starts a job there.
    Submit {
        /// A URL list: .txt, .csv or .jsonl.
        list: PathBuf,
        #[command(flatten)]
        stack: cloud::Stack,
        /// With --table: how long to wait for the trigger to create the job, in seconds.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
    /// Download a job's export from a deployed stack's bucket.
    Download {
        /// Job id (a unique prefix works when --table is given).
        job: String,
        #[command(flatten)]
        stack: cloud::Stack,
        /// Export version (default: the newest).
        #[arg(long)]
        version: Option<u32>,
        /// Files go to OUT/<job>/v<N>/.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Print the default job config (TOML), every field commented.
    Config,
    /// Write the token tables the Lambda functions read (the vocabulary layer's files) into
    /// DIR, and read each back as a function would.
    Vocab {
        /// Where to write them (the layer's `datafactory/vocab/`).
        dir: PathBuf,
    },
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
                data,
                config,
                allow_private_network,
                generation,
            } => {
                commands::run(
                    &input,
                    &data.path,
                    config.as_deref(),
                    allow_private_network,
                    &generation,
                )
                .await
            }
            Command::Templates { template } => commands::templates(template.as_deref()),
            Command::Export {
                job,
                data,
                formats,
                min_score,
                min_rating,
            } => commands::export(&job, &data.path, &formats, min_score, min_rating).await,
            Command::Serve {
                data,
                bind,
                token,
                allow_private_network,
            } => serve::serve(&data.path, bind, token, allow_private_network).await,
            Command::Review {
                job,
                data,
                filter,
                sort,
                threshold,
                check,
                reviewer,
            } => {
                review::review(
                    &job,
                    &data.path,
                    review::Options {
                        filter,
                        sort,
                        threshold,
                        check,
                        reviewer,
                    },
                )
                .await
            }
            Command::Extract { files } => commands::extract(&files),
            Command::Jobs {
                data,
                table: None,
                json,
            } => commands::jobs(&data.path, json).await,
            Command::Jobs {
                table: Some(table),
                json,
                ..
            } => {
                let stack = cloud::Stack {
                    bucket: None,
                    table: Some(table),
                };
                cloud::jobs(&stack, json).await
            }
            Command::Status {
                job,
                data,
                table: None,
                json,
            } => commands::status(&job, &data.path, json).await,
            Command::Status {
                job,
                table: Some(table),
                json,
                ..
            } => cloud::status(&job, &table, json).await,
            Command::Submit { list, stack, wait } => {
                cloud::submit(&list, &stack, std::time::Duration::from_secs(wait)).await
            }
            Command::Download {
                job,
                stack,
                version,
                out,
            } => cloud::download(&job, &stack, version, &out).await,
            Command::Config => {
                print!("{}", shared::JobConfig::commented_default_toml());
                Ok(())
            }
            Command::Vocab { dir } => commands::vocab(&dir),
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
