//! Why a segment got, or did not get, each code: the view model of
//! `qda explain` and its text and JSON renderings.
//!
//! Every position is where a reader finds it in the transcript file: line and
//! column (code points, from 1) and code-point offsets. The rule engine
//! reports byte ranges within the segment; they are moved by the segment's
//! start and located in the transcript's text, whose lines are the file's
//! lines (a CRLF file only loses its CRs).

use std::ops::Range;

use qda_coding::{Clause, Codebook, Decision, Evidence, RuleSet, Segment, Transcript};
use serde::Serialize;

use crate::provenance::{Provenance, display_path};
use crate::render::tally::CodebookInfo;

/// The explanation of one segment.
#[derive(Debug, Serialize)]
pub(crate) struct Explanation {
    pub(crate) provenance: Provenance,
    pub(crate) codebook: CodebookInfo,
    pub(crate) segment: SegmentInfo,
    pub(crate) codes: Vec<CodeVerdict>,
    /// Where the matched terms stand in the segment (merged where they
    /// overlap), for highlighting.
    #[serde(skip)]
    highlights: Vec<Highlight>,
    #[serde(skip)]
    text: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SegmentInfo {
    pub(crate) id: String,
    pub(crate) case: String,
    pub(crate) path: String,
    pub(crate) unit: String,
    pub(crate) turn: usize,
    pub(crate) speaker: String,
    /// Whether the speaker is an interviewer (rules skip the segment).
    pub(crate) interviewer: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) time: Option<String>,
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// Code points from the start of the transcript text, end exclusive.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) text: String,
    /// Text of the first line before the segment (a turn's label), shown
    /// so the segment's first line stands at its column.
    #[serde(skip)]
    lead: String,
}

/// What decided one code.
#[derive(Debug, Serialize)]
pub(crate) struct CodeVerdict {
    pub(crate) code: String,
    pub(crate) label: String,
    /// Whether `qda code` gives the segment this code.
    pub(crate) applies: bool,
    pub(crate) verdict: Verdict,
    /// Whether the rule alone matches (differs from `applies` only for
    /// interviewer turns, which rules skip).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rule_matches: Option<bool>,
    /// Terms that matched, vetoed or are missing, in text order.
    pub(crate) evidence: Vec<EvidenceInfo>,
    /// The `any` terms and regexes, listed when none matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) any_terms: Vec<String>,
}

/// The reason, most decisive first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// The rule codes the segment.
    Coded,
    /// The speaker is an interviewer: rules skip the segment.
    InterviewerTurn,
    /// A `not` term matched.
    Vetoed,
    /// An `all` term is missing.
    MissingAll,
    /// No `any` term or regex matched.
    NoAnyMatch,
    /// The code has no rule: only people code it.
    NoRule,
    /// A grouping parent: no segment carries it.
    NotCodable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    /// An `any`, `all` or regex term that matched.
    Matched,
    /// A `not` term that matched.
    Vetoed,
    /// An `all` term that did not match.
    Missing,
}

#[derive(Debug, Serialize)]
pub(crate) struct EvidenceInfo {
    pub(crate) clause: Clause,
    pub(crate) term: String,
    pub(crate) role: Role,
    /// The term recorded as the coding's source.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) decides: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub(crate) found: Option<Found>,
}

/// Where a term matched.
#[derive(Debug, Serialize)]
pub(crate) struct Found {
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// Code points from the start of the transcript text, end exclusive.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Highlight {
    /// Bytes within the segment text.
    range: Range<usize>,
    veto: bool,
}

impl Explanation {
    pub(crate) fn new(
        codebook: &Codebook,
        rules: &RuleSet,
        transcript: &Transcript,
        segment: &Segment,
        only: Option<&str>,
        provenance: Provenance,
    ) -> Self {
        let text = segment.text(transcript).to_owned();
        let interviewer = codebook.is_interviewer(&segment.speaker);
        let hits = rules.scan(&text);
        let decisions: Vec<(&str, Decision)> = rules.decide_all(&hits).collect();
        let start = transcript.locate(segment.bytes.start);
        let line_start = transcript.text()[..segment.bytes.start].rfind('\n').map_or(0, |i| i + 1);
        let found = |range: &Range<usize>| {
            let at = transcript.locate(segment.bytes.start + range.start);
            let before = text[..range.start].chars().count();
            Found {
                line: at.line,
                column: at.column,
                start: segment.start + before,
                end: segment.start + before + text[range.clone()].chars().count(),
                text: text[range.clone()].to_owned(),
            }
        };
        let mut highlights = Vec::new();
        let mut codes = Vec::new();
        for code in codebook.codes() {
            if only.is_some_and(|o| o != code.id) {
                continue;
            }
            let decision = decisions.iter().find(|(c, _)| *c == code.id).map(|(_, d)| d);
            let verdict = match decision {
                _ if !code.codable => Verdict::NotCodable,
                None => Verdict::NoRule,
                Some(_) if interviewer => Verdict::InterviewerTurn,
                Some(d) if d.applies => Verdict::Coded,
                Some(d) if !d.vetoed_by.is_empty() => Verdict::Vetoed,
                Some(d) if !d.missing.is_empty() => Verdict::MissingAll,
                Some(_) => Verdict::NoAnyMatch,
            };
            let mut evidence = Vec::new();
            let mut any_terms = Vec::new();
            if let Some(d) = decision {
                let source = d.applies.then(|| d.source()).flatten();
                let info = |e: &Evidence, role: Role| EvidenceInfo {
                    clause: e.clause,
                    term: e.term.clone(),
                    role,
                    decides: source == Some(e) && !interviewer,
                    found: Some(found(&e.range)),
                };
                evidence.extend(d.vetoed_by.iter().map(|e| info(e, Role::Vetoed)));
                evidence.extend(d.matched.iter().map(|e| info(e, Role::Matched)));
                evidence.sort_by_key(|e| e.found.as_ref().map(|f| f.start));
                evidence.extend(d.missing.iter().map(|term| EvidenceInfo {
                    clause: Clause::All,
                    term: term.clone(),
                    role: Role::Missing,
                    decides: false,
                    found: None,
                }));
                highlights.extend(
                    d.matched.iter().map(|e| Highlight { range: e.range.clone(), veto: false }),
                );
                highlights.extend(
                    d.vetoed_by.iter().map(|e| Highlight { range: e.range.clone(), veto: true }),
                );
                if d.no_any
                    && !interviewer
                    && let Some(rule) = &code.rule
                {
                    any_terms =
                        rule.any.iter().chain(&rule.regex).map(|t| t.as_str().to_owned()).collect();
                }
            }
            codes.push(CodeVerdict {
                code: code.id.clone(),
                label: code.label.clone(),
                applies: verdict == Verdict::Coded,
                verdict,
                rule_matches: (verdict == Verdict::InterviewerTurn)
                    .then(|| decision.is_some_and(|d| d.applies)),
                evidence,
                any_terms,
            });
        }
        Explanation {
            provenance,
            codebook: CodebookInfo::new(codebook),
            segment: SegmentInfo {
                id: segment.id.clone(),
                case: transcript.case().to_owned(),
                path: display_path(transcript.path()),
                unit: codebook.unit().to_string(),
                turn: segment.turn,
                speaker: segment.speaker.clone(),
                interviewer,
                time: segment.time.clone(),
                line: start.line,
                column: start.column,
                start: segment.start,
                end: segment.end,
                text: text.clone(),
                lead: transcript.text()[line_start..segment.bytes.start].to_owned(),
            },
            codes,
            highlights: merge(highlights),
            text,
        }
    }

    /// Readable text; `colour` uses ANSI colours instead of «» marks.
    pub(crate) fn text(&self, colour: bool) -> String {
        let style = Style { on: colour };
        let mut out = String::new();
        let s = &self.segment;
        let mut about = vec![format!("turn {}", s.turn), format!("speaker {}", s.speaker)];
        if let Some(time) = &s.time {
            about.push(format!("at {time}"));
        }
        out.push_str(&format!(
            "{} {}  ({})\n",
            style.bold("segment"),
            style.bold(&s.id),
            about.join(", ")
        ));
        out.push_str(&format!("{}:{}:{}\n\n", s.path, s.line, s.column));
        out.push_str(&self.quoted(&style));
        let version = self.codebook.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default();
        out.push_str(&format!(
            "\n{}{version} ({}), unit: {}\n",
            self.codebook.name, self.codebook.path, s.unit
        ));
        let names = |verdicts: &dyn Fn(&CodeVerdict) -> bool| {
            let names: Vec<&str> =
                self.codes.iter().filter(|c| verdicts(c)).map(|c| c.code.as_str()).collect();
            if names.is_empty() { "none".to_owned() } else { names.join(", ") }
        };
        out.push_str(&format!(
            "coded: {}; not coded: {}\n",
            names(&|c| c.applies),
            names(&|c| !c.applies && c.verdict != Verdict::NotCodable)
        ));
        for code in &self.codes {
            out.push('\n');
            out.push_str(&self.code_text(code, &style));
        }
        out
    }

    /// The segment's lines, numbered as in the file, terms marked.
    fn quoted(&self, style: &Style) -> String {
        // Text between highlights, and highlighted runs, in order.
        let mut marked = String::new();
        let mut at = 0;
        for h in &self.highlights {
            marked.push_str(&self.text[at..h.range.start]);
            let term = &self.text[h.range.clone()];
            marked.push_str(&if style.on {
                if h.veto { style.veto(term) } else { style.matched(term) }
            } else {
                format!("«{term}»")
            });
            at = h.range.end;
        }
        marked.push_str(&self.text[at..]);
        let lead = &self.segment.lead;
        // A turn's first line keeps its label; any other text before the
        // segment (earlier sentences) becomes blank space.
        let lead = if lead.trim_end().ends_with(&format!("{}:", self.segment.speaker)) {
            lead.clone()
        } else {
            " ".repeat(unicode_width::UnicodeWidthStr::width(lead.as_str()))
        };
        let last = self.segment.line + marked.matches('\n').count();
        let width = last.to_string().len().max(3);
        let mut out = String::new();
        for (i, line) in marked.split('\n').enumerate() {
            let number = format!("{:>width$}", self.segment.line + i);
            let text = if i == 0 { format!("{}{line}", style.dim(&lead)) } else { line.to_owned() };
            let row = format!("{} {} {text}", style.dim(&number), style.dim("│"));
            out.push_str(row.trim_end());
            out.push('\n');
        }
        out
    }

    fn code_text(&self, code: &CodeVerdict, style: &Style) -> String {
        let name = if code.label == code.code {
            style.bold(&code.code)
        } else {
            format!("{} ({})", style.bold(&code.code), code.label)
        };
        let mut out = String::new();
        let (mark, headline) = match code.verdict {
            Verdict::Coded => (style.good("✓"), style.good("coded")),
            Verdict::InterviewerTurn => (
                style.dim("–"),
                format!(
                    "not coded: an interviewer turn (speaker {} is listed in `interviewer`), which rules skip",
                    self.segment.speaker
                ),
            ),
            Verdict::Vetoed => {
                (style.bad("✗"), format!("{}: a `not` term vetoed it", style.bad("not coded")))
            }
            Verdict::MissingAll => {
                (style.bad("✗"), format!("{}: an `all` term is missing", style.bad("not coded")))
            }
            Verdict::NoAnyMatch => (
                style.bad("✗"),
                format!("{}: no `any` term or regex matched", style.bad("not coded")),
            ),
            Verdict::NoRule => (style.dim("·"), "no rule: only people code it".to_owned()),
            Verdict::NotCodable => (
                style.dim("·"),
                "not codable: a parent code that groups its children; cases get it through them"
                    .to_owned(),
            ),
        };
        out.push_str(&format!("{mark} {name}: {headline}\n"));
        if code.verdict == Verdict::InterviewerTurn {
            let would = if code.rule_matches == Some(true) {
                "outside an interviewer turn the rule would code it"
            } else {
                "the rule would not code it anyway"
            };
            out.push_str(&format!("    {would}\n"));
        }
        let vetoed = code.verdict == Verdict::Vetoed;
        for e in &code.evidence {
            let term = format!("`{}` term \"{}\"", e.clause.as_str(), e.term);
            let line = match (&e.found, e.role) {
                (Some(f), Role::Vetoed) => format!(
                    "{}: {term} matched \"{}\" at {}:{}",
                    style.bad("veto"),
                    style.veto(&f.text),
                    f.line,
                    f.column
                ),
                (Some(f), _) => {
                    let note = if e.decides {
                        " (the source recorded in the coding)"
                    } else if vetoed {
                        ", but the veto overrules it"
                    } else {
                        ""
                    };
                    format!(
                        "{term} matched \"{}\" at {}:{}{note}",
                        style.matched(&f.text),
                        f.line,
                        f.column
                    )
                }
                (None, _) => {
                    format!("{}: {term} does not occur in the segment", style.bad("missing"))
                }
            };
            out.push_str(&format!("    {line}\n"));
        }
        if !code.any_terms.is_empty() {
            let terms: Vec<String> = code.any_terms.iter().map(|t| format!("\"{t}\"")).collect();
            out.push_str(&format!("    none of {} occurs\n", terms.join(", ")));
        }
        out
    }
}

/// Highlights sorted and merged where they overlap; a merged run is a veto
/// when any part of it is (the veto is what the reader must see).
fn merge(mut highlights: Vec<Highlight>) -> Vec<Highlight> {
    highlights.sort_by_key(|h| (h.range.start, h.range.end));
    let mut merged: Vec<Highlight> = Vec::new();
    for h in highlights {
        match merged.last_mut() {
            Some(last) if h.range.start < last.range.end => {
                last.range.end = last.range.end.max(h.range.end);
                last.veto |= h.veto;
            }
            _ => merged.push(h),
        }
    }
    merged
}

/// ANSI styles, or none.
struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, codes: &str, text: &str) -> String {
        if self.on { format!("\x1b[{codes}m{text}\x1b[0m") } else { text.to_owned() }
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn good(&self, text: &str) -> String {
        self.paint("1;32", text)
    }
    fn bad(&self, text: &str) -> String {
        self.paint("1;31", text)
    }
    fn matched(&self, text: &str) -> String {
        self.paint("1;4;32", text)
    }
    fn veto(&self, text: &str) -> String {
        self.paint("1;4;31", text)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// On a terminal terms are coloured (green for a match, red for a
    /// veto) instead of marked with «»; in a file they are marked.
    #[test]
    fn colour_replaces_the_marks() {
        let codebook = Codebook::parse(
            Path::new("c.toml"),
            "[codebook]\ninterviewer = [\"I\"]\n[[code]]\nid = \"survival\"\n[code.rule]\nany = [\"hungry\"]\nnot = [\"never hungry\"]\n",
        )
        .unwrap();
        let transcript = Transcript::parse(
            Path::new("T.txt"),
            b"+++\ncase = \"T\"\n+++\nP: We were never hungry.\n",
        )
        .unwrap();
        let rules = RuleSet::new(&codebook).unwrap();
        let segment = &transcript.segments(codebook.unit())[0];
        let provenance = Provenance::new("explain", Vec::new());
        let e = Explanation::new(&codebook, &rules, &transcript, segment, None, provenance);
        let plain = e.text(false);
        assert!(plain.contains("We were «never hungry»."), "{plain}");
        assert!(!plain.contains('\x1b'));
        let colour = e.text(true);
        assert!(colour.contains("We were \x1b[1;4;31mnever hungry\x1b[0m."), "{colour}");
        assert!(!colour.contains('«'));
        // The veto is located in the file: line 4, column 12.
        assert!(plain.contains("matched \"never hungry\" at 4:12"), "{plain}");
    }

    #[test]
    fn overlapping_highlights_merge_and_a_veto_wins() {
        let h = |range: Range<usize>, veto| Highlight { range, veto };
        assert_eq!(
            merge(vec![h(6..12, false), h(0..12, true), h(20..25, false)]),
            vec![h(0..12, true), h(20..25, false)]
        );
    }
}
