//! Codings: a code applied to a segment, stored standoff (by offsets), and
//! what coding one transcript gives.

use serde::{Deserialize, Serialize};

use crate::quote::{Quote, TextIndex};
use crate::rules::Clause;

/// The coder name used for codings made by rules.
pub const RULES_CODER: &str = "rules";

/// One code applied to one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// The case the segment belongs to.
    pub case: String,
    /// The segment id, such as `P01:t12`.
    pub segment: String,
    /// The code id.
    pub code: String,
    /// Who coded it: `rules`, or a person's name.
    pub coder: String,
    /// Start of the coded text, in code points from the start of the transcript text.
    pub start: usize,
    /// End of the coded text (exclusive), in code points.
    pub end: usize,
    /// Why the coding exists.
    pub source: Source,
}

/// Where a coding came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Source {
    /// A rule matched.
    Rule {
        /// The clause of the matching term.
        clause: Clause,
        /// The term or regex that matched, as written in the codebook.
        term: String,
        /// Start of the matched text, in code points from the start of the transcript text.
        match_start: usize,
        /// End of the matched text (exclusive).
        match_end: usize,
    },
    /// A person coded it.
    Manual {
        /// The coder's note, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        memo: Option<String>,
        /// What the coding covers, to find it again after the transcript
        /// is edited (`qda reanchor`). Files written before quotes were
        /// stored have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quote: Option<Quote>,
        /// The selection of another QDA tool this coding was imported
        /// from, when the coding alone does not give it back: the
        /// selection crossed a segment boundary (one coding per segment,
        /// each recording the whole selection) or reached past its segment
        /// into text of no segment (a line end, a speaker label).
        /// `qda export --to qdpx` writes such codings as that one selection
        /// again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        imported: Option<ImportedSelection>,
    },
}

/// A selection of another QDA tool (a REFI-QDA `PlainTextSelection`) that a
/// manual coding was imported from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ImportedSelection {
    /// The selection's GUID in the file it came from: the codings of one
    /// selection share it.
    pub guid: String,
    /// Start of the whole selection, in code points from the start of the
    /// transcript text.
    pub start: usize,
    /// End of the whole selection (exclusive).
    pub end: usize,
}

/// What coding one transcript gives: its codings and the counts a tally needs.
#[derive(Debug, Clone)]
pub struct CodedTranscript {
    /// The case id.
    pub case: String,
    /// The transcript file.
    pub path: std::path::PathBuf,
    /// SHA-256 of the transcript file.
    pub sha256: String,
    /// The case attributes from the front matter.
    pub attributes: crate::attributes::Attributes,
    /// Number of segments.
    pub segments: usize,
    /// Number of segments the rules may code (not interviewer turns).
    pub codable_segments: usize,
    /// The codings, in segment order then codebook order.
    pub codings: Vec<Coding>,
}

/// Stores in every manual coding the quote of what it covers in `text`
/// (the transcript text its offsets point into). Rule codings are left
/// alone: the rules find them again.
pub fn quote_manual_codings(text: &str, codings: &mut [Coding]) {
    if !codings.iter().any(|c| matches!(c.source, Source::Manual { .. })) {
        return;
    }
    let index = TextIndex::new(text);
    for coding in codings {
        if let Source::Manual { quote, .. } = &mut coding.source {
            *quote = Some(Quote::new(&index, coding.start, coding.end));
        }
    }
}

/// Gives every manual coding that has no quote the quote of what it
/// covers in `text`.
pub(crate) fn quote_missing(text: &str, codings: &mut [Coding]) {
    let unquoted = |c: &Coding| matches!(c.source, Source::Manual { quote: None, .. });
    if !codings.iter().any(unquoted) {
        return;
    }
    let index = TextIndex::new(text);
    for coding in codings {
        if let Source::Manual { quote: quote @ None, .. } = &mut coding.source {
            *quote = Some(Quote::new(&index, coding.start, coding.end));
        }
    }
}
