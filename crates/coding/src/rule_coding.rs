//! Coding transcripts with a rule set: each segment's codings with the
//! term that made them, or only the counts per code a tally needs.

use std::ops::Range;

use crate::cases::CaseCodes;
use crate::codebook::Codebook;
use crate::coding::{CodedTranscript, Coding, RULES_CODER, Source};
use crate::rules::{Clause, Hits, RuleSet, ScanBuffers};
use crate::segment::{Blanked, blanked_in, code_points};
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
                counted_chars += code_points(&text[counted_bytes..byte]);
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

/// A coding the rules give, its strings borrowed from the rule set and the
/// transcript: a [`Coding`] made without allocating, for writing many out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleCoding<'a> {
    case: &'a str,
    segment: &'a str,
    code: &'a str,
    coder: &'static str,
    start: usize,
    end: usize,
    source: RuleSource<'a>,
}

/// [`Source::Rule`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RuleSource<'a> {
    clause: Clause,
    term: &'a str,
    match_start: usize,
    match_end: usize,
}

impl RuleCoding<'_> {
    /// Appends the coding's JSON to `out`: the bytes `serde_json` writes for
    /// its [`Coding`], field by field. Through serde, writing the codings of
    /// a corpus took a third as long as finding them.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let RuleSource { clause, term, match_start, match_end } = self.source;
        out.extend_from_slice(b"{\"case\":");
        json_string(out, self.case);
        out.extend_from_slice(b",\"segment\":");
        json_string(out, self.segment);
        out.extend_from_slice(b",\"code\":");
        json_string(out, self.code);
        out.extend_from_slice(b",\"coder\":");
        json_string(out, self.coder);
        out.extend_from_slice(b",\"start\":");
        json_number(out, self.start);
        out.extend_from_slice(b",\"end\":");
        json_number(out, self.end);
        out.extend_from_slice(b",\"source\":{\"type\":\"rule\",\"clause\":");
        json_string(out, clause.as_str());
        out.extend_from_slice(b",\"term\":");
        json_string(out, term);
        out.extend_from_slice(b",\"match_start\":");
        json_number(out, match_start);
        out.extend_from_slice(b",\"match_end\":");
        json_number(out, match_end);
        out.extend_from_slice(b"}}");
    }

    /// The coding, owning its strings.
    pub fn to_coding(&self) -> Coding {
        let RuleSource { clause, term, match_start, match_end } = self.source;
        Coding {
            case: self.case.to_owned(),
            segment: self.segment.to_owned(),
            code: self.code.to_owned(),
            coder: self.coder.to_owned(),
            start: self.start,
            end: self.end,
            source: Source::Rule { clause, term: term.to_owned(), match_start, match_end },
        }
    }
}

/// `text` as a JSON string. Most need no escape, and are copied as they are.
fn json_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // serde_json escapes as it does everywhere else; a Vec takes every write.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

fn json_number(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// How many segments a transcript has, and how many of them the rules may
/// code (not interviewer turns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentCounts {
    /// Every segment.
    pub segments: usize,
    /// The segments the rules may code.
    pub codable: usize,
}

impl RuleSet {
    /// Codes the segments of one transcript with this rule set. Interviewer
    /// turns (by `codebook`) are skipped.
    pub fn code_transcript(&self, codebook: &Codebook, transcript: &Transcript) -> CodedTranscript {
        let mut codings = Vec::new();
        let counts = self.each_rule_coding(codebook, transcript, |coding| {
            codings.push(coding.to_coding());
        });
        CodedTranscript {
            case: transcript.case().to_owned(),
            path: transcript.path().to_owned(),
            sha256: transcript.sha256().to_owned(),
            attributes: transcript.attributes().clone(),
            segments: counts.segments,
            codable_segments: counts.codable,
            codings,
        }
    }

    /// Gives `each` the codings of [`RuleSet::code_transcript`], in its
    /// order, without making them.
    pub fn each_rule_coding(
        &self,
        codebook: &Codebook,
        transcript: &Transcript,
        mut each: impl FnMut(RuleCoding<'_>),
    ) -> SegmentCounts {
        let unit = codebook.unit();
        let mut counts = SegmentCounts { segments: 0, codable: 0 };
        let mut scan = SegmentScan::default();
        let mut id = String::new();
        for segment in transcript.segment_places(unit) {
            counts.segments += 1;
            if codebook.is_interviewer(&transcript.turns()[segment.turn - 1].speaker) {
                continue;
            }
            counts.codable += 1;
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
            segment.write_id(transcript.case(), unit, &mut id);
            for (code, clause, term, range) in applying {
                each(RuleCoding {
                    case: transcript.case(),
                    segment: &id,
                    code,
                    coder: RULES_CODER,
                    start: segment.start,
                    end: segment.end,
                    source: RuleSource {
                        clause,
                        term,
                        match_start: code_point(range.start),
                        match_end: code_point(range.end),
                    },
                });
            }
        }
        counts
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codings_are_written_as_serde_writes_their_codings() {
        let awkward = [
            "P01",
            "",
            "quote \" and backslash \\",
            "tab\t, new line\n, bell\u{7}, delete\u{7f}",
            "자유를 国籍 ſ \u{212A} \u{2028}",
        ];
        let clauses = [Clause::Any, Clause::All, Clause::Not, Clause::Regex];
        for (i, text) in awkward.iter().enumerate() {
            let coding = RuleCoding {
                case: text,
                segment: awkward[(i + 1) % awkward.len()],
                code: awkward[(i + 2) % awkward.len()],
                coder: RULES_CODER,
                start: i,
                end: usize::MAX - i,
                source: RuleSource {
                    clause: clauses[i % clauses.len()],
                    term: awkward[(i + 3) % awkward.len()],
                    match_start: 10usize.pow(i as u32),
                    match_end: 0,
                },
            };
            let mut written = Vec::new();
            coding.write_json(&mut written);
            let by_serde = serde_json::to_vec(&coding.to_coding()).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(by_serde).unwrap());
        }
    }
}
