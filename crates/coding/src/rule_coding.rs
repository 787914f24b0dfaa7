//! Coding transcripts with a rule set: each segment's codings with the
//! term that made them, or only the counts per code a tally needs.

use std::ops::Range;

use crate::cases::CaseCodes;
use crate::codebook::Codebook;
use crate::coding::{CodedTranscript, Coding, RULES_CODER, Source};
use crate::rules::{Hits, RuleSet, ScanBuffers};
use crate::segment::{Blanked, blanked_in};
use crate::transcript::Transcript;

/// Code-point offsets of a few byte offsets in one text, counted in one pass
/// over the text rather than once per offset: a long turn with many codings
/// would otherwise be counted again for each.
struct CodePoints {
    /// Sorted byte offsets, each with its code-point offset.
    offsets: Vec<(usize, usize)>,
}

impl CodePoints {
    fn new(text: &str, bytes: impl IntoIterator<Item = usize>) -> Self {
        let mut bytes: Vec<usize> = bytes.into_iter().collect();
        bytes.sort_unstable();
        bytes.dedup();
        let (mut counted_bytes, mut counted_chars) = (0, 0);
        let offsets = bytes
            .into_iter()
            .map(|byte| {
                counted_chars += text[counted_bytes..byte].chars().count();
                counted_bytes = byte;
                (byte, counted_chars)
            })
            .collect();
        CodePoints { offsets }
    }

    /// The code-point offset of `byte`, which must be one of the offsets given.
    fn get(&self, byte: usize) -> usize {
        let i = self.offsets.partition_point(|&(b, _)| b < byte);
        self.offsets[i].1
    }
}

/// Scanning a transcript's segments one after another, with buffers kept
/// from one segment to the next rather than allocated for each.
#[derive(Default)]
struct SegmentScan {
    /// A segment's text with its timestamps blanked, when it has any.
    text: String,
    buffers: ScanBuffers,
    hits: Hits,
    rules: Vec<usize>,
}

impl SegmentScan {
    /// The rules of `rules` that apply to the segment of `transcript` at
    /// `bytes`, in codebook order, with what the scan found.
    fn applying(
        &mut self,
        rules: &RuleSet,
        transcript: &Transcript,
        bytes: Range<usize>,
    ) -> (&[usize], &Hits) {
        let text = match blanked_in(transcript, bytes, &mut self.text) {
            Blanked::Unchanged(unchanged) => unchanged,
            Blanked::InBuffer => self.text.as_str(),
        };
        rules.scan_blanked_into(text, &mut self.buffers, &mut self.hits);
        rules.applying_rules_into(&self.hits, &mut self.rules);
        (&self.rules, &self.hits)
    }
}

impl RuleSet {
    /// Codes the segments of one transcript with this rule set. Interviewer
    /// turns (by `codebook`) are skipped.
    pub fn code_transcript(&self, codebook: &Codebook, transcript: &Transcript) -> CodedTranscript {
        let unit = codebook.unit();
        let mut codings = Vec::new();
        let (mut segments, mut codable_segments) = (0, 0);
        let mut scan = SegmentScan::default();
        for segment in transcript.segment_places(unit) {
            segments += 1;
            if codebook.is_interviewer(&transcript.turns()[segment.turn - 1].speaker) {
                continue;
            }
            codable_segments += 1;
            let (rules, hits) = scan.applying(self, transcript, segment.bytes.clone());
            if rules.is_empty() {
                continue;
            }
            let applying: Vec<_> =
                rules.iter().filter_map(|&rule| self.source(rule, hits)).collect();
            // In a segment of ASCII (as many code points as bytes), a byte
            // offset is a code-point offset.
            let ascii = segment.end - segment.start == segment.bytes.len();
            let code_points = (!ascii).then(|| {
                CodePoints::new(
                    &transcript.text()[segment.bytes.clone()],
                    applying.iter().flat_map(|(_, _, _, range)| [range.start, range.end]),
                )
            });
            let code_point = |byte: usize| {
                segment.start + code_points.as_ref().map_or(byte, |points| points.get(byte))
            };
            let id = segment.id(transcript.case(), unit);
            for (code, clause, term, range) in applying {
                codings.push(Coding {
                    case: transcript.case().to_owned(),
                    segment: id.clone(),
                    code: code.to_owned(),
                    coder: RULES_CODER.to_owned(),
                    start: segment.start,
                    end: segment.end,
                    source: Source::Rule {
                        clause,
                        term: term.to_owned(),
                        match_start: code_point(range.start),
                        match_end: code_point(range.end),
                    },
                });
            }
        }
        CodedTranscript {
            case: transcript.case().to_owned(),
            path: transcript.path().to_owned(),
            sha256: transcript.sha256().to_owned(),
            attributes: transcript.attributes().clone(),
            segments,
            codable_segments,
            codings,
        }
    }

    /// The codes the rules give one transcript, counted by segment: what
    /// [`CaseCodes::from_coded`] makes of [`RuleSet::code_transcript`]'s
    /// codings, without making the codings or the segments' ids. `codebook`
    /// is the one the rules were compiled from.
    pub fn case_codes(&self, codebook: &Codebook, transcript: &Transcript) -> CaseCodes {
        // Counted by rule and by parent, and named once at the end.
        let mut segments = vec![0; self.rule_count()];
        let mut rolled_up = vec![0; self.parent_count()];
        let mut parents: Vec<usize> = Vec::new();
        let mut scan = SegmentScan::default();
        for (turn, bytes) in transcript.segment_bytes(codebook.unit()) {
            if codebook.is_interviewer(&transcript.turns()[turn - 1].speaker) {
                continue;
            }
            let (rules, _) = scan.applying(self, transcript, bytes);
            parents.clear();
            // Each code applies to a segment once.
            for &rule in rules {
                segments[rule] += 1;
                parents.extend_from_slice(self.rolled_up(rule));
            }
            // A parent counts a segment once, however many of its codes it has.
            parents.sort_unstable();
            parents.dedup();
            for &parent in &parents {
                rolled_up[parent] += 1;
            }
        }
        let counted = |counts: Vec<usize>, name: &dyn Fn(usize) -> String| {
            (counts.into_iter().enumerate())
                .filter(|(_, n)| *n > 0)
                .map(|(i, n)| (name(i), n))
                .collect()
        };
        CaseCodes {
            case: transcript.case().to_owned(),
            attributes: transcript.attributes().clone(),
            segments: counted(segments, &|rule| self.rule_code(rule).to_owned()),
            rolled_up: counted(rolled_up, &|parent| self.parent(parent).to_owned()),
        }
    }
}
