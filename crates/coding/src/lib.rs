//! The coding side of qda: transcripts, segments, codebooks, rules, codings,
//! case assignment and tallies, and carrying codings over to edited
//! transcripts by their quotes ([`CodingsFile::reanchor`]).
//!
//! The crate does no file or terminal I/O: callers pass file contents in and
//! get typed values or typed errors (with file, line and column, and an
//! [`ErrorKind`]) back.
//!
//! # Example
//! ```
//! use std::path::Path;
//! use qda_coding::{Codebook, RuleSet, Transcript};
//!
//! let codebook = Codebook::parse(Path::new("motives.toml"), r#"
//! [codebook]
//! interviewer = ["I"]
//! [[code]]
//! id = "survival"
//! [code.rule]
//! any = ["hunger", "starv*"]
//! "#)?;
//! let transcript = Transcript::parse(Path::new("P01.txt"), b"+++\ncase = \"P01\"\n+++\nI: Why?\nP: We were starving.\n")?;
//! let rules = RuleSet::new(&codebook)?;
//! let coded = rules.code_transcript(&codebook, &transcript);
//! assert_eq!(coded.codings[0].segment, "P01:t2");
//! assert_eq!(coded.codings[0].code, "survival");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod adjudication;
mod agreement;
mod anonymity;
mod attributes;
mod cases;
mod codebook;
mod codebook_diff;
mod coding;
mod codings_file;
mod dictionary;
mod doc;
mod encoding;
mod error;
mod history;
mod literals;
mod location;
mod memos;
mod merge;
mod query;
mod quote;
mod reanchor;
mod rule_coding;
mod rules;
mod segment;
mod similar;
mod speakers;
mod suggest;
mod tally;
mod term;
mod transcript;

pub use adjudication::{Adjudication, Adjudications};
pub use agreement::{AgreementData, CodeUnits, GroupUnits, SegmentUnit};
pub use anonymity::{Leak, PseudonymTable, Suspect, SuspectKind, allow_words, suspects};
pub use attributes::{AttributeValue, Attributes, CaseTable};
pub use cases::{Assignment, CaseCodes, GroupAssignments, Route, assign};
pub use codebook::{Code, Codebook, MAX_CODE_DEPTH, REGEX_SIZE_LIMIT, Resolve, Rule, UNCODED};
pub use codebook_diff::{
    ClauseChange, CodeName, CodebookDiff, Relabelled, RuleChange, SegmentChange, diff_codebooks,
    segment_changes,
};
pub use coding::quote_manual_codings;
pub use coding::{CodedTranscript, Coding, ImportedSelection, RULES_CODER, Source};
pub use codings_file::{
    Blinding, CodedSource, CoderCodings, CodingsFile, RejectedSuggestion, SegmentMemo, SourceIndex,
    layer,
};
pub use dictionary::Dictionary;
pub use encoding::{DecodedText, SAVE_AS_CSV_UTF8, TextEncoding, decode_text};
pub use error::{
    AdjudicationError, CodebookError, CodingsError, ErrorKind, MemoError, Position, ReanchorError,
    TranscriptError,
};
pub use history::{ChangeKind, CodingChange, changes};
pub use location::{CsvLines, Location, csv_record_line, locate};
pub use memos::{Memo, StudyMemos};
pub use merge::{CaseVersion, MergeConflict, Merged, merge};
pub use query::{KnownNames, Level, Query, QueryError, QueryMatch, SegmentCoders, several_coders};
pub use quote::{QUOTE_CONTEXT, Quote, TextIndex};
pub use reanchor::{CaseReanchoring, ChangedCase, Fate, Reanchored, Reanchoring, reanchor_case};
pub use rule_coding::{RuleCoding, SegmentCounts};
pub use rules::{Clause, Decision, Evidence, Hits, RuleSet};
pub use segment::{Segment, Unit};
pub use similar::{
    SHARED_TERMS, SegmentRole, SegmentTerms, SharedTerm, SimilarityIndex, Suggestion,
    similarity_terms,
};
pub use speakers::{SpeakerLabels, UndeclaredSpeaker, looks_like_interviewer};
pub use suggest::closest;
pub use tally::{CodeTally, GroupRow, GroupTally, MISSING, Split, Tally, tally};
pub use term::{MAX_TERM_CHARS, Term};
pub use transcript::{Transcript, Turn, sha256_hex, utf16_encoding};
