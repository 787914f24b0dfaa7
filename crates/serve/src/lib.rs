//! `qda serve`: a local web page for coding transcripts by hand, saved
//! straight into a coder's codings file.
//!
//! The server listens on the loopback address, answers only requests that
//! carry its random access token, name its own `Host` and come from its own
//! page, and keeps no state but the codings file: every edit is checked
//! against the file's version (the SHA-256 of its bytes), applied, and
//! written atomically. See `docs/serve.md` for the API and the security model.

mod api;
mod compare;
mod security;
mod store;
mod study;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use security::new_token;
pub use study::{Case, LoadedTranscript, SegmentView, Study};

/// What the server is started with.
#[derive(Debug)]
pub struct Config {
    /// The codebook and transcripts.
    pub study: Study,
    /// The coder whose codings file is edited.
    pub coder: String,
    /// The coder's codings file (created on the first edit).
    pub codings: PathBuf,
    /// Other codings files to compare with: a name for the page, and the file.
    pub compare: Vec<(String, PathBuf)>,
    /// The provenance object written into the codings file.
    pub provenance: serde_json::Value,
    /// The access token.
    pub token: String,
    /// The `Host` header values accepted, such as `127.0.0.1:8123`.
    pub allowed_hosts: Vec<String>,
}

/// Why the server cannot start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The inputs do not fit together.
    #[error("{0}")]
    Setup(String),
    /// A file or socket could not be used.
    #[error("{0}")]
    Io(String),
}

/// The shared, read-only setup, plus the lock that serialises saves.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    /// Held from reading the codings file to renaming the new one over it,
    /// so two tabs' edits are checked one after the other.
    pub(crate) saving: Mutex<()>,
}

impl std::ops::Deref for AppState {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.0.config
    }
}

/// Builds the application after checking the codings file against the study.
///
/// # Errors
/// The coder name is reserved or empty, or the codings file is unreadable,
/// belongs to another coder, or holds codings that do not fit the study.
pub fn app(config: Config) -> Result<Router, ServeError> {
    let coder = config.coder.trim();
    if coder.is_empty() || coder == qda_coding::RULES_CODER || coder != config.coder {
        return Err(ServeError::Setup(format!(
            "--coder {:?}: name the person coding (`rules` is reserved for rule codings; no surrounding spaces)",
            config.coder
        )));
    }
    let snapshot = store::read(&config.codings, &config.coder)?;
    store::check(&config.codings, &snapshot, &config.study, &config.coder)?;
    for (name, path) in &config.compare {
        compare::read_other(name, path, &config.study)?;
    }
    let state = AppState(Arc::new(Inner { config, saving: Mutex::new(()) }));
    Ok(api::routes(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state))
}

/// The `Host` values a browser sends for a server on `addr`.
pub fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![format!("{addr}")];
    if addr.ip().is_loopback() {
        hosts.extend([
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]);
    }
    hosts.dedup();
    hosts
}

/// Serves `app` on `listener` until Ctrl-C.
///
/// # Errors
/// The listener cannot be used, or the server fails.
pub fn run(listener: std::net::TcpListener, app: Router) -> Result<(), ServeError> {
    let io = |e: std::io::Error| ServeError::Io(format!("cannot serve: {e}"));
    listener.set_nonblocking(true).map_err(io)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .map_err(io)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(io)?;
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // Without a signal handler the server still stops with the process.
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(io)
    })
}

/// An error answered as `{"error": "..."}` with a 4xx status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    /// The codings file's version now, for a refused stale edit.
    version: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: String) -> Self {
        ApiError { status, message, version: None }
    }

    pub(crate) fn unauthorized(message: String) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn forbidden(message: String) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn unprocessable(message: String) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub(crate) fn conflict(message: String) -> Self {
        ApiError::new(StatusCode::CONFLICT, message)
    }

    pub(crate) fn with_version(mut self, version: String) -> Self {
        self.version = Some(version);
        self
    }

    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}{}", self.message);
        self
    }
}

impl From<ServeError> for ApiError {
    fn from(e: ServeError) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(version) = self.version {
            body["version"] = version.into();
        }
        (self.status, axum::Json(body)).into_response()
    }
}
