//! Library errors. Per-item failures (a bad URL, page or answer) are data, not errors: they are
//! recorded on the item as an [`crate::model::ItemError`]. These are the errors that stop a
//! stage or the job: unusable input, storage that cannot be read or written, bad config.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("input {path}: {reason}")]
    Input { path: PathBuf, reason: String },

    #[error("config: {0}")]
    Config(String),

    #[error("blob store: {key}: {reason}")]
    Blob { key: String, reason: String },

    #[error("state store: {0}")]
    State(String),

    #[error("job {0} not found")]
    JobNotFound(String),

    /// Something else a caller named (an example, an export version) does not exist.
    #[error("{0}")]
    NotFound(String),

    /// A reviewer's change the rules refuse (see [`crate::reviews::ReviewChange::apply`]).
    #[error("{0}")]
    InvalidReview(String),

    /// A write lost to other writes of the same record every time it was tried.
    #[error("{0}")]
    Conflict(String),

    /// A duplicate delivery of a task another invocation is working on; retry after `until`.
    #[error("task {task} is in progress elsewhere (lease until {until}, Unix time); retry later")]
    InProgress { task: String, until: i64 },

    /// A token table the build reads from a file (the Lambda functions': see
    /// [`crate::vocab`]) is missing or unusable.
    #[error("vocabulary {encoding}: {}: {reason}", path.display())]
    Vocab {
        encoding: &'static str,
        path: PathBuf,
        reason: String,
    },

    #[error("export: {0}")]
    Export(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{context}: {source}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// The error's name as Lambda reports it (`errorType`), which the state machine's Retry
    /// matches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InProgress { .. } => "TaskInProgress",
            Error::Input { .. } => "InvalidInput",
            Error::Config(_) => "InvalidConfig",
            Error::JobNotFound(_) => "JobNotFound",
            _ => "TaskFailed",
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn json(context: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Json {
            context: context.into(),
            source,
        }
    }

    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::State(e.to_string())
    }
}
