//! Errors of reading and writing exchange files.

/// Why an exchange file could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The XML is not well-formed, or uses what a REFI-QDA file must not.
    #[error("{file}: {message}")]
    Xml {
        /// The file (or zip entry) read.
        file: String,
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
