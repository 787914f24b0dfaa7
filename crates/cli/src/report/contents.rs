//! What a report shows, gathered once: the tally (with intervals and the
//! crosstab), co-occurrence counts, the coded excerpts with their matched
//! terms, the cases and the adjudications. The HTML and Markdown renderers
//! read this and compute nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use indexmap::IndexMap;
use qda_coding::{
    Adjudications, AttributeValue, Codebook, Coding, RuleSet, Segment, SegmentMemo, Source, Tally,
    Transcript, Unit,
};

use crate::provenance::display_path;
use crate::render::tally::TallyReport;
use crate::study::{case_units, coded_cases, segment_units};

/// Everything a report shows.
pub(crate) struct Contents<'a> {
    pub(crate) codebook: &'a Codebook,
    /// Counts, percentages, Wilson intervals, the crosstab and provenance.
    pub(crate) tally: TallyReport,
    /// Whose codings the report counts (`rules` or a person).
    pub(crate) coder: String,
    /// Codes that co-occur in one segment.
    pub(crate) by_segment: Cooccurrence,
    /// Codes that co-occur in one case.
    pub(crate) by_case: Cooccurrence,
    /// Coded excerpts per codable code, in codebook order.
    pub(crate) excerpts: Vec<CodeExcerpts>,
    pub(crate) cases: Vec<CaseEntry>,
    /// The counted coder's memos on segments they gave no code.
    pub(crate) memos: Vec<MemoEntry>,
    pub(crate) adjudications: Vec<AdjudicationEntry>,
    /// The adjudications file, when one was given.
    pub(crate) adjudications_path: Option<String>,
    /// The project, code and case memos (segment memos are with the
    /// excerpts and in `memos`).
    pub(crate) study_memos: Option<crate::render::memos::MemoBook>,
    /// Thematic saturation with the default choices, when the study has
    /// enough interviews and codes for it.
    pub(crate) saturation: Option<crate::render::saturation::SaturationReport>,
}

/// Co-occurrence of the codable codes over the units of `qda cooccur`
/// (segments or cases), counted by `qda_stats::Cooccurrence`.
pub(crate) struct Cooccurrence {
    pub(crate) codes: Vec<String>,
    pub(crate) table: qda_stats::Cooccurrence,
}

impl Cooccurrence {
    /// Counts over units, each given as the indices of the codes it carries.
    fn count(codes: &[String], units: Vec<Vec<usize>>) -> Self {
        let table = qda_stats::Cooccurrence::count(codes.len(), &units)
            .expect("every index comes from the codebook's codes");
        Cooccurrence { codes: codes.to_vec(), table }
    }
}

/// The excerpts of one code: how many there are, and those shown.
pub(crate) struct CodeExcerpts {
    pub(crate) code: String,
    /// Every segment with the code.
    pub(crate) total: usize,
    /// The first segments (in case order), at most `--excerpts` of them:
    /// only these are read out of the transcripts.
    pub(crate) shown: Vec<Excerpt>,
}

/// One coded segment, as a reader sees it.
pub(crate) struct Excerpt {
    pub(crate) case: String,
    pub(crate) segment: String,
    pub(crate) speaker: String,
    pub(crate) time: Option<String>,
    /// `path:line` of the segment's first line.
    pub(crate) location: String,
    pub(crate) text: String,
    /// Byte ranges in `text` where the code's rule terms match, sorted,
    /// not overlapping.
    pub(crate) marks: Vec<Range<usize>>,
    /// `rule` (with the term), or the person who coded it.
    pub(crate) source: String,
}

/// A memo on a segment its coder gave no code, with the segment.
pub(crate) struct MemoEntry {
    pub(crate) case: String,
    pub(crate) segment: String,
    /// `path:line` of the segment's first line.
    pub(crate) location: String,
    pub(crate) text: String,
    pub(crate) coder: String,
    pub(crate) memo: String,
}

/// One case: its attributes and, per exclusive group, its code.
pub(crate) struct CaseEntry {
    pub(crate) case: String,
    pub(crate) path: String,
    pub(crate) attributes: IndexMap<String, AttributeValue>,
    /// Per exclusive group (parent id): the code and how it was decided.
    pub(crate) assigned: Vec<(String, String, &'static str)>,
    /// Codable codes the case has, with segment counts.
    pub(crate) codes: Vec<(String, usize)>,
}

pub(crate) struct AdjudicationEntry {
    pub(crate) case: String,
    pub(crate) parent: String,
    pub(crate) code: String,
    pub(crate) note: String,
    /// The codes the case's segments had, with segment counts.
    pub(crate) candidates: Vec<(String, usize)>,
}

/// What a report is made from.
pub(crate) struct ContentsInputs<'a> {
    pub(crate) codebook: &'a Codebook,
    pub(crate) rules: &'a RuleSet,
    pub(crate) transcripts: &'a [Transcript],
    /// The codings that count.
    pub(crate) codings: &'a [Coding],
    /// The memos of the coder whose codings count, on segments without codes.
    pub(crate) memos: &'a [SegmentMemo],
    pub(crate) tally: &'a Tally,
    pub(crate) adjudications: Option<&'a Adjudications>,
}

impl<'a> Contents<'a> {
    /// Gathers the report; `excerpt_limit` excerpts per code at most (`None`: all).
    pub(crate) fn new(
        inputs: &ContentsInputs<'a>,
        coder: String,
        tally: TallyReport,
        excerpt_limit: Option<usize>,
    ) -> Self {
        let codable: Vec<String> =
            inputs.codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.clone()).collect();
        let (by_segment, by_case) = cooccurrences(inputs, &codable);
        Contents {
            codebook: inputs.codebook,
            tally,
            coder,
            by_segment,
            by_case,
            excerpts: excerpts(inputs, &codable, excerpt_limit),
            study_memos: None,
            saturation: None,
            cases: cases(inputs, &codable),
            memos: memos(inputs),
            adjudications: adjudication_entries(inputs),
            adjudications_path: inputs.adjudications.map(|a| display_path(a.path())),
        }
    }

    /// The title: the codebook's name and version.
    pub(crate) fn title(&self) -> String {
        match self.codebook.version() {
            Some(v) => format!("{} {v}", self.codebook.name()),
            None => self.codebook.name().to_owned(),
        }
    }

    /// A code's label, or its id when it has none.
    pub(crate) fn label(&self, id: &str) -> String {
        self.codebook.code(id).map_or_else(|| id.to_owned(), |c| c.label.clone())
    }
}

/// Co-occurrence over the units of `qda cooccur`: every codable segment,
/// coded or not; every case, with only its assigned child of each
/// exclusive group.
fn cooccurrences(inputs: &ContentsInputs<'_>, codable: &[String]) -> (Cooccurrence, Cooccurrence) {
    let coded = coded_cases(inputs.codebook, inputs.transcripts, inputs.codings);
    let index: BTreeMap<&str, usize> =
        codable.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let by_segment = Cooccurrence::count(codable, segment_units(&coded, &index));
    // Unresolved conflicts stopped the report before, so no warnings.
    let (case_units, _) = case_units(inputs.codebook, &coded, inputs.adjudications, &index);
    (by_segment, Cooccurrence::count(codable, case_units))
}

/// Segments by case and id: the codebook's unit, and the other units only
/// for a transcript whose codings name one of theirs (a person may code a
/// paragraph under a turn codebook).
fn segments_by_id<'t>(inputs: &ContentsInputs<'t>) -> Segments<'t> {
    let mut coded_ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in inputs.codings {
        coded_ids.entry(c.case.as_str()).or_default().insert(c.segment.as_str());
    }
    inputs
        .transcripts
        .iter()
        .map(|t| {
            let ids = coded_ids.get(t.case());
            // Only coded segments are kept: a large corpus has many more.
            let coded = |s: &Segment| ids.is_some_and(|ids| ids.contains(s.id.as_str()));
            let mut found: BTreeMap<String, Segment> = t
                .segments(inputs.codebook.unit())
                .into_iter()
                .filter(coded)
                .map(|s| (s.id.clone(), s))
                .collect();
            let elsewhere = ids.is_some_and(|ids| ids.iter().any(|id| !found.contains_key(*id)));
            if elsewhere {
                for unit in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
                    let segments = t.segments(unit).into_iter().filter(coded);
                    found.extend(segments.map(|s| (s.id.clone(), s)));
                }
            }
            (t.case(), found)
        })
        .collect()
}

/// Segments of each case, by id.
type Segments<'t> = BTreeMap<&'t str, BTreeMap<String, Segment>>;

/// Where `code`'s rule terms match in a segment's text, sorted and merged.
fn marks(rules: &RuleSet, code: &str, text: &str) -> Vec<Range<usize>> {
    let hits = rules.scan(text);
    rules
        .decide_all(&hits)
        .filter(|(c, _)| *c == code)
        .flat_map(|(_, d)| merge(d.matched.into_iter().map(|e| e.range).collect()))
        .collect()
}

/// Coded excerpts per codable code, in case and segment order: each code's
/// segments counted, and only the first `limit` read out with their marks.
fn excerpts(
    inputs: &ContentsInputs<'_>,
    codable: &[String],
    limit: Option<usize>,
) -> Vec<CodeExcerpts> {
    let segments = segments_by_id(inputs);
    let transcript_of: BTreeMap<&str, (usize, &Transcript)> =
        inputs.transcripts.iter().enumerate().map(|(i, t)| (t.case(), (i, t))).collect();
    codable
        .iter()
        .map(|code| {
            let mut found: Vec<(usize, usize, &Coding)> = inputs
                .codings
                .iter()
                .filter(|c| c.code == *code)
                .filter_map(|coding| {
                    let (order, _) = transcript_of.get(coding.case.as_str())?;
                    let segment = segments.get(coding.case.as_str())?.get(&coding.segment)?;
                    Some((*order, segment.start, coding))
                })
                .collect();
            found.sort_by_key(|(order, start, c)| (*order, *start, c.segment.as_str()));
            found.dedup_by(|a, b| a.2.case == b.2.case && a.2.segment == b.2.segment);
            let shown = found
                .iter()
                .take(limit.unwrap_or(usize::MAX))
                .filter_map(|(_, _, coding)| {
                    let (_, transcript) = transcript_of.get(coding.case.as_str())?;
                    let segment = segments.get(coding.case.as_str())?.get(&coding.segment)?;
                    let marks = marks(inputs.rules, code, segment.text(transcript));
                    Some(excerpt(coding, transcript, segment, marks))
                })
                .collect();
            CodeExcerpts { code: code.clone(), total: found.len(), shown }
        })
        .collect()
}

fn excerpt(
    coding: &Coding,
    transcript: &Transcript,
    segment: &Segment,
    marks: Vec<Range<usize>>,
) -> Excerpt {
    let source = match &coding.source {
        Source::Rule { term, .. } => format!("rule: {term}"),
        Source::Manual { memo: Some(memo), .. } => format!("{}: {memo}", coding.coder),
        Source::Manual { memo: None, .. } => coding.coder.clone(),
    };
    Excerpt {
        case: coding.case.clone(),
        segment: coding.segment.clone(),
        speaker: segment.speaker.clone(),
        time: segment.time.clone(),
        location: format!("{}:{}", display_path(transcript.path()), segment.line),
        text: segment.text(transcript).to_owned(),
        marks,
        source,
    }
}

/// The memos on segments without codes, in case and segment order.
fn memos(inputs: &ContentsInputs<'_>) -> Vec<MemoEntry> {
    let mut entries: Vec<(usize, usize, MemoEntry)> = inputs
        .memos
        .iter()
        .filter_map(|memo| {
            let (order, transcript) =
                inputs.transcripts.iter().enumerate().find(|(_, t)| t.case() == memo.case)?;
            let segment = [Unit::Turn, Unit::Paragraph, Unit::Sentence]
                .into_iter()
                .flat_map(|unit| transcript.segments(unit))
                .find(|s| s.id == memo.segment)?;
            let entry = MemoEntry {
                case: memo.case.clone(),
                segment: memo.segment.clone(),
                location: format!("{}:{}", display_path(transcript.path()), segment.line),
                text: segment.text(transcript).to_owned(),
                coder: memo.coder.clone(),
                memo: memo.memo.clone(),
            };
            Some((order, segment.start, entry))
        })
        .collect();
    entries.sort_by(|a, b| (a.0, a.1, &a.2.coder).cmp(&(b.0, b.1, &b.2.coder)));
    entries.into_iter().map(|(_, _, e)| e).collect()
}

/// Every case: its attributes, its code in each exclusive group, and its
/// codable codes with the distinct segments of each.
fn cases(inputs: &ContentsInputs<'_>, codable: &[String]) -> Vec<CaseEntry> {
    let mut segments_with: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for c in inputs.codings {
        segments_with
            .entry((c.case.as_str(), c.code.as_str()))
            .or_default()
            .insert(c.segment.as_str());
    }
    inputs
        .transcripts
        .iter()
        .map(|t| {
            let assigned = inputs
                .tally
                .groups
                .iter()
                .filter_map(|g| {
                    let a = g.assignments.iter().find(|a| a.case == t.case())?;
                    let code = a.code.clone().unwrap_or_else(|| qda_coding::UNCODED.to_owned());
                    Some((g.parent.clone(), code, a.route.label()))
                })
                .collect();
            let codes = codable
                .iter()
                .filter_map(|code| {
                    let n = segments_with.get(&(t.case(), code.as_str()))?.len();
                    Some((code.clone(), n))
                })
                .collect();
            CaseEntry {
                case: t.case().to_owned(),
                path: display_path(t.path()),
                attributes: t.attributes().clone(),
                assigned,
                codes,
            }
        })
        .collect()
}

/// Every adjudication with the codes the case's segments had.
fn adjudication_entries(inputs: &ContentsInputs<'_>) -> Vec<AdjudicationEntry> {
    let Some(adjudications) = inputs.adjudications else { return Vec::new() };
    adjudications
        .entries()
        .iter()
        .map(|entry| AdjudicationEntry {
            case: entry.case.clone(),
            parent: entry.parent.clone(),
            code: entry.code.clone(),
            note: entry.note.clone(),
            candidates: inputs
                .tally
                .groups
                .iter()
                .filter(|g| g.parent == entry.parent)
                .flat_map(|g| &g.assignments)
                .find(|x| x.case == entry.case)
                .map(|x| x.candidates.clone())
                .unwrap_or_default(),
        })
        .collect()
}

/// Ranges sorted and merged where they overlap.
pub(crate) fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Text and marked runs, in order: `(text, marked)`.
pub(crate) fn pieces<'t>(text: &'t str, marks: &[Range<usize>]) -> Vec<(&'t str, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for m in marks {
        if m.start > at {
            out.push((&text[at..m.start], false));
        }
        out.push((&text[m.clone()], true));
        at = m.end;
    }
    if at < text.len() {
        out.push((&text[at..], false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_split_text_into_pieces() {
        assert_eq!(
            pieces("we were hungry then", &merge(vec![8..14, 3..7, 8..10])),
            [("we ", false), ("were", true), (" ", false), ("hungry", true), (" then", false)]
        );
    }
}
