//! The one error type of the converters: what went wrong, in which file, and
//! where in it.

use std::fmt;
use std::path::PathBuf;

use qda_coding::Location;

/// Where in the input an error is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place {
    /// Nowhere in particular: the file as a whole.
    File,
    /// A line and column of a text file (subtitles, JSON, plain text).
    Text(Location),
    /// A line and column of an XML part inside a zip archive (`word/document.xml`).
    Part {
        /// The part's name in the archive.
        part: String,
        /// Where in the part.
        location: Location,
    },
}

/// What sort of problem a [`ConvertError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConvertErrorKind {
    /// A file type qda does not convert (PDF, RTF, old `.doc`, unknown extension).
    Unsupported,
    /// A damaged file: a broken zip archive or XML part, invalid JSON.
    Damaged,
    /// A password-protected (encrypted) document.
    Encrypted,
    /// A valid file of another kind than its name says (a zip that is not a
    /// Word document, JSON that is not a Whisper transcript).
    WrongKind,
    /// A subtitle timing line that cannot be read.
    Timing,
    /// A document with no text, or with text but no speaker turns.
    Empty,
    /// Text without a speaker and no `--default-speaker` to give it to.
    NoSpeaker,
    /// Bytes that are text in none of the encodings read.
    Encoding,
    /// A file that is already a qda transcript.
    AlreadyTranscript,
    /// An option that cannot be used: a bad `--speaker-map` or default speaker.
    Option,
}

/// A file that could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConvertError {
    /// The file, as the caller named it.
    pub path: PathBuf,
    /// Where in it.
    pub place: Place,
    /// What sort of problem it is.
    pub kind: ConvertErrorKind,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConvertError {
    pub(crate) fn new(kind: ConvertErrorKind, place: Place, message: impl Into<String>) -> Self {
        // The path is filled in by `convert`, which knows it.
        ConvertError { path: PathBuf::new(), place, kind, message: message.into() }
    }
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.place {
            Place::File => write!(f, "{path}: {}", self.message),
            Place::Text(location) => write!(f, "{path}:{location}: {}", self.message),
            Place::Part { part, location } => {
                write!(f, "{path}: {part}:{location}: {}", self.message)
            }
        }
    }
}
