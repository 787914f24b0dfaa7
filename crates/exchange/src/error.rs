//! Errors of reading and writing exchange files.

use qda_coding::Location;

/// Why an exchange file could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The XML is not well-formed, or uses what a REFI-QDA file must not.
    #[error("{file}{}: {message}", at(location))]
    Xml {
        /// The file (or zip entry) read.
        file: String,
        /// The line and column of the problem, when the text could be read.
        location: Option<Location>,
        /// What is wrong.
        message: String,
    },
    /// Well-formed XML that is not a REFI-QDA codebook or project.
    #[error("{file}: {message}")]
    Format {
        /// The file (or zip entry) read.
        file: String,
        /// What is wrong, and how to fix it.
        message: String,
    },
    /// The zip archive is unreadable or unsafe.
    #[error("{file}: {message}")]
    Archive {
        /// The archive.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The qda inputs cannot be exported as they are.
    #[error("{0}")]
    Export(String),
}

/// `:LINE:COLUMN` after a file name, or nothing.
fn at(location: &Option<Location>) -> String {
    location.map(|l| format!(":{l}")).unwrap_or_default()
}
