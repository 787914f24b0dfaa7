//! Failures of the engine, as the `qda.errors` exceptions Python sees: each
//! names its class and carries the file, line and column when known.

use pyo3::prelude::*;
use qda_coding::{AdjudicationError, CodebookError, ErrorKind, Position, TranscriptError};

/// A failure to raise in Python as `qda.errors.<class>`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct Failure {
    /// The exception class in `qda.errors`.
    class: &'static str,
    /// What is wrong and how to fix it, led by `FILE:LINE:COL: ` when known.
    message: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    /// The library's [`ErrorKind`], in snake case.
    kind: Option<String>,
}

impl Failure {
    /// A failure with no position in a file (an argument, an empty input).
    pub(crate) fn new(class: &'static str, message: impl Into<String>) -> Self {
        Failure { class, message: message.into(), file: None, line: None, column: None, kind: None }
    }

    /// A failure about a whole file (it cannot be read, it is not there).
    pub(crate) fn file(class: &'static str, file: &str, message: &str) -> Self {
        Failure { file: Some(file.to_owned()), ..Failure::new(class, format!("{file}: {message}")) }
    }

    fn at(class: &'static str, shown: String, position: &Position, kind: ErrorKind) -> Self {
        Failure {
            class,
            message: shown,
            file: Some(position.path.display().to_string()),
            line: position.location.map(|l| l.line),
            column: position.location.map(|l| l.column),
            kind: Some(kind_name(kind)),
        }
    }
}

/// `ErrorKind::UnknownKey` as `unknown_key`.
fn kind_name(kind: ErrorKind) -> String {
    let name = format!("{kind:?}");
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

impl From<CodebookError> for Failure {
    fn from(e: CodebookError) -> Self {
        Failure::at("CodebookError", e.to_string(), &e.position, e.kind)
    }
}

impl From<TranscriptError> for Failure {
    fn from(e: TranscriptError) -> Self {
        Failure::at("TranscriptError", e.to_string(), &e.position, e.kind)
    }
}

impl From<AdjudicationError> for Failure {
    fn from(e: AdjudicationError) -> Self {
        Failure::at("AdjudicationError", e.to_string(), &e.position, e.kind)
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> Self {
        Python::attach(|py| {
            let raised = py.import("qda.errors").and_then(|errors| {
                let class = errors.getattr(failure.class)?;
                let args = (
                    failure.message.clone(),
                    failure.file.clone(),
                    failure.line,
                    failure.column,
                    failure.kind.clone(),
                );
                class.call1(args)
            });
            match raised {
                Ok(exception) => PyErr::from_value(exception),
                // `qda.errors` ships with the extension; without it the
                // message still reaches the caller.
                Err(_) => pyo3::exceptions::PyRuntimeError::new_err(failure.message),
            }
        })
    }
}

impl From<qda_cli::json::Error> for Failure {
    fn from(e: qda_cli::json::Error) -> Self {
        use qda_cli::json::ErrorClass;
        let class = match e.class {
            ErrorClass::Input => "InputError",
            ErrorClass::Codebook => "CodebookError",
            ErrorClass::Transcript => "TranscriptError",
            ErrorClass::Adjudication => "AdjudicationError",
            ErrorClass::Conflict => "ConflictError",
            ErrorClass::Ratings => "RatingsError",
        };
        match (&e.position, e.kind) {
            (Some(position), Some(kind)) => Failure::at(class, e.message, position, kind),
            // A file that cannot be read, or is not there: named, no line.
            (Some(position), None) => Failure {
                file: Some(position.path.display().to_string()),
                ..Failure::new(class, e.message)
            },
            _ => Failure::new(class, e.message),
        }
    }
}
