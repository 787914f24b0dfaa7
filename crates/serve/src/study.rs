//! What the server reads once at start: the codebook, the transcripts and
//! their segments, and the rule suggestions. All of it is derived from the
//! files; nothing here changes while the server runs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use qda_coding::{Codebook, Coding, Quote, RuleSet, TextIndex, Transcript};

use crate::error::ServeError;

/// One transcript as the server shows it.
#[derive(Debug)]
pub struct Case {
    /// The transcript, parsed.
    pub transcript: Transcript,
    /// The file to re-hash before each save, to notice a change on disk.
    pub file: PathBuf,
    /// The path recorded in the codings file (relative, `/`-separated).
    pub shown_path: String,
    /// The segments of the codebook's unit, in text order.
    pub segments: Vec<SegmentView>,
    /// Every segment id of every unit with its code-point span, for checking.
    pub spans: BTreeMap<String, (usize, usize)>,
    /// What the codebook's rules code in this transcript.
    pub suggestions: Vec<Coding>,
}

/// A segment with its text, as the page renders it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SegmentView {
    /// The segment id.
    pub id: String,
    /// The speaker label.
    pub speaker: String,
    /// Whether the speaker is an interviewer (not coded).
    pub interviewer: bool,
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
    /// The segment's text.
    pub text: String,
    /// The segment's timestamp, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// Everything loaded at start.
#[derive(Debug)]
pub struct Study {
    /// The codebook.
    pub codebook: Codebook,
    /// Cases by id, sorted.
    pub cases: BTreeMap<String, Case>,
}

/// A transcript handed to [`Study::new`].
#[derive(Debug)]
pub struct LoadedTranscript {
    /// The parsed transcript (with any `cases.csv` attributes merged).
    pub transcript: Transcript,
    /// The file on disk.
    pub file: PathBuf,
    /// The path to record in codings files.
    pub shown_path: String,
}

impl Case {
    /// The quote of code points `start..end` of the transcript.
    pub(crate) fn quote(&self, start: usize, end: usize) -> Quote {
        Quote::new(&TextIndex::new(self.transcript.text()), start, end)
    }
}

impl Study {
    /// Indexes the transcripts and runs the rules once for suggestions.
    ///
    /// # Errors
    /// Two transcripts share a case id, or the codebook's rules do not compile.
    pub fn new(codebook: Codebook, transcripts: Vec<LoadedTranscript>) -> Result<Self, ServeError> {
        let rules = RuleSet::new(&codebook)
            .map_err(|e| ServeError::Setup(format!("the codebook's rules: {e}")))?;
        let mut cases = BTreeMap::new();
        for loaded in transcripts {
            let transcript = loaded.transcript;
            let case_id = transcript.case().to_owned();
            if let Some(first) = cases.get(&case_id).map(|c: &Case| c.shown_path.clone()) {
                return Err(ServeError::Setup(format!(
                    "{}: case `{case_id}` is also the case of {first}; give each transcript its own case id",
                    loaded.shown_path
                )));
            }
            let text = transcript.text();
            let segments = transcript
                .segments(codebook.unit())
                .into_iter()
                .map(|s| SegmentView {
                    interviewer: codebook.is_interviewer(&s.speaker),
                    text: text[s.bytes.clone()].to_owned(),
                    id: s.id,
                    speaker: s.speaker,
                    start: s.start,
                    end: s.end,
                    time: s.time,
                })
                .collect();
            let suggestions = rules.code_transcript(&codebook, &transcript).codings;
            let spans = transcript.segment_spans();
            cases.insert(
                case_id,
                Case {
                    transcript,
                    file: loaded.file,
                    shown_path: loaded.shown_path,
                    segments,
                    spans,
                    suggestions,
                },
            );
        }
        Ok(Study { codebook, cases })
    }

    /// Each case's codable segment ids, in case then text order.
    pub(crate) fn codable_segments(&self) -> Vec<(String, Vec<String>)> {
        self.cases
            .iter()
            .map(|(id, case)| {
                let ids =
                    case.segments.iter().filter(|s| !s.interviewer).map(|s| s.id.clone()).collect();
                (id.clone(), ids)
            })
            .collect()
    }
}
