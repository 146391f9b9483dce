//! Lookout's generator: config -> collect -> store -> render -> serve, plus the demo backend.

pub mod analysis;
pub mod app;
pub mod bench;
mod bench_hugo;
pub mod cli;
pub mod clock;
pub mod collect;
pub mod config;
pub mod content;
pub mod demo;
pub mod detect;
pub mod http;
pub mod lock;
pub mod notify;
pub mod render;
pub mod report;
pub mod schedule;
pub mod serve;
pub mod store;
pub mod zone;

/// Everything that can stop a command; `main` prints it and picks the exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("build failed: {0}")]
    Build(#[from] render::BuildError),
    #[error(transparent)]
    Serve(#[from] serve::ServeError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error(transparent)]
    Mail(#[from] report::mail::MailError),
    #[error("cannot start the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error(transparent)]
    Detect(#[from] detect::DetectError),
    /// Bad input: a flag, an argument (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something failed at run time that the input did not cause (exit 1).
    #[error("{0}")]
    Failed(String),
    /// Notifications or mail not delivered; they stay queued for the next run (exit 1).
    #[error("not delivered, {kept}:\n  {}", .items.join("\n  "))]
    Undelivered {
        /// Where what failed waits (the mail outbox, the notification queue).
        kept: &'static str,
        items: Vec<String>,
    },
    /// `lookout check` found problems (listed on stdout).
    #[error("{0}")]
    Check(String),
}

impl Error {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    /// Exit code: 2 for bad input (config, usage), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            Error::Lock(lock::LockError::NotAFolder { .. }) => 2,
            Error::Store(store::StoreError::NotAFolder { .. }) => 2,
            Error::Detect(detect::DetectError::Header(_) | detect::DetectError::Row { .. }) => 2,
            _ => 1,
        }
    }
}
