//! Errors: why the server cannot start or run, and what a request is
//! answered when it cannot be served.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why the server cannot start or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The inputs do not fit together.
    #[error("{0}")]
    Setup(String),
    /// A file or socket could not be used.
    #[error("{context}")]
    Io {
        /// What was being done, and with which file.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the codings file's lock.
    #[error("{0}")]
    Locked(String),
    /// The codings file is not UTF-8, or not a codings file.
    #[error("{0}")]
    Codings(String),
    /// Data that could not be written as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl ServeError {
    /// An I/O error while doing `context`.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServeError {
        let context = context.into();
        move |source| ServeError::Io { context, source }
    }
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
        // The page shows one line: the error and what caused it.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message = format!("{message}: {cause}");
            source = cause.source();
        }
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
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
