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
mod description;
mod error;
mod export;
mod guid;
mod import;
mod offsets;
mod project;
mod taguette;
mod texts;
mod xml;

pub use codebook::{CodeSet, ImportedCodebook, export_codebook, sets_in_comments};
pub use error::ExchangeError;
pub use export::{Positions, export_project, export_project_with};
pub use import::{
    Imported, ImportedProject, ImportedTranscript, PlacedSelection, import, import_each,
};
pub use offsets::Counting;
pub use taguette::export_codebook_csv;
pub use texts::MAX_SOURCE_BYTES;
