//! REFI-QDA exchange for qda: codebooks (`.qdc`) and projects (`.qdpx`),
//! read tolerantly from what `NVivo`, ATLAS.ti, MAXQDA, `QualCoder` and
//! Taguette write, and written deterministically and valid against the official
//! schemas (bundled in `schema/`).
//!
//! The crate does no file I/O: callers pass bytes in and get bytes, texts
//! and warnings back.

mod archive;
mod codebook;
mod color;
mod error;
mod export;
mod guid;
mod import;
mod offsets;
mod project;
mod xml;

pub use codebook::{
    CODEBOOK_NAMESPACE, CodeSet, ImportedCodebook, QDA_MARKER, RefiCode, RefiCodebook, RefiSet,
    from_qda, read_qdc, sets_in_comments, to_qda, write_qdc,
};
pub use error::ExchangeError;
pub use export::{SourceFile, build, export_project};
pub use import::{
    Imported, ImportedProject, ImportedTranscript, PlacedSelection, TEXT_SPEAKER, import,
};
pub use offsets::Counting;
pub use project::{
    PROJECT_NAMESPACE, RefiCase, RefiCoding, RefiProject, RefiSelection, RefiTextSource, RefiUser,
    RefiValue, RefiVariable, VariableKind, read_qde, write_qde,
};
