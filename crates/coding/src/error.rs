//! Typed errors of the coding library.
//!
//! Every error that comes from a file carries the file's path and, where there
//! is one, the line and column, so the command line can print
//! `error: FILE:LINE:COL: message`, and an [`ErrorKind`] that says what sort
//! of problem it is, for callers and tests that act on it.

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

/// What sort of problem an error reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not UTF-8 text.
    Encoding,
    /// The text is not valid TOML, JSON or CSV, or not laid out as the
    /// format requires (front matter fences, a header row).
    Syntax,
    /// A key the format does not have, usually a typo.
    UnknownKey,
    /// A value of the wrong type, or one the format does not allow.
    InvalidValue,
    /// A value the format needs is missing or empty.
    Missing,
    /// A name that refers to nothing: a code, parent, case, speaker or
    /// segment that does not exist.
    UnknownName,
    /// Something given twice: an id, a case, a column, a row.
    Duplicate,
    /// Values that contradict each other, within the file or with another
    /// input (another coder's codings, a transcript changed since).
    Conflict,
    /// A rule's term or regex that cannot be matched.
    Pattern,
    /// The code tree is inconsistent: a cycle, or a group that cannot be
    /// coded as declared.
    CodeTree,
    /// The rules together exceed a size limit.
    TooLarge,
    /// A transcript changed since the codings of it were made: their
    /// offsets may point at other text until they are carried over
    /// (`qda reanchor`).
    TranscriptChanged,
}

impl ErrorKind {
    /// The kind of a CSV reader's error.
    pub(crate) fn of_csv(e: &csv::Error) -> Self {
        match e.kind() {
            csv::ErrorKind::Utf8 { .. } => ErrorKind::Encoding,
            _ => ErrorKind::Syntax,
        }
    }
}

/// A problem with a transcript or a `cases.csv` file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {message}")]
pub struct TranscriptError {
    /// What sort of problem it is.
    pub kind: ErrorKind,
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
    /// What sort of problem it is.
    pub kind: ErrorKind,
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
    /// What sort of problem it is.
    pub kind: ErrorKind,
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
    /// What sort of problem it is.
    pub kind: ErrorKind,
    /// Where the problem is.
    pub position: Position,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// A problem carrying codings over to an edited transcript (`qda reanchor`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {message}")]
pub struct ReanchorError {
    /// What sort of problem it is.
    pub kind: ErrorKind,
    /// Where the problem is: the codings file.
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

/// A problem with the study's memos (`memos/project.md`, `memos/cases/`,
/// or a transcript's `memo`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{position}: {message}")]
pub struct MemoError {
    /// What sort of problem it is.
    pub kind: ErrorKind,
    /// Where the problem is.
    pub position: Position,
    /// What is wrong, and how to fix it.
    pub message: String,
}
