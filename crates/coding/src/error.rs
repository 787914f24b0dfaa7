//! Typed errors of the coding library.
//!
//! Every error that comes from a file carries the file's path and, where there
//! is one, the line and column, so the command line can print
//! `error: FILE:LINE:COL: message`.

use std::fmt;
use std::path::PathBuf;

use crate::location::Location;

/// Where in which file something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file, as the caller named it.
    pub path: PathBuf,
    /// The line and column, when known.
    pub location: Option<Location>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(location) => write!(f, "{}:{location}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// A problem with a transcript or a `cases.csv` file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {message}")]
pub struct TranscriptError {
    /// Where the problem is.
    pub position: Position,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// A problem with a codebook: its syntax, its code tree, or one of its rules.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {}{message}", code_prefix(code.as_deref()))]
pub struct CodebookError {
    /// Where the problem is.
    pub position: Position,
    /// The id of the code concerned, when there is one.
    pub code: Option<String>,
    /// What is wrong, and how to fix it.
    pub message: String,
}

fn code_prefix(code: Option<&str>) -> String {
    code.map(|c| format!("code `{c}`: ")).unwrap_or_default()
}

/// A problem with an adjudications file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {message}")]
pub struct AdjudicationError {
    /// Where the problem is.
    pub position: Position,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// A problem with a codings file (JSON written by `qda code` or by hand).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {message}")]
pub struct CodingsError {
    /// Where the problem is.
    pub position: Position,
    /// What is wrong, and how to fix it.
    pub message: String,
}
