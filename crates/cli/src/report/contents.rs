//! What a report shows, gathered once: the tally (with intervals and the
//! crosstab), co-occurrence counts, the coded excerpts with their matched
//! terms, the cases and the adjudications. The HTML and Markdown renderers
//! read this and compute nothing.
//!
//! Memory stays bounded by the transcripts in flight: each transcript is
//! summarised where it was read ([`CaseSummary`]: counts, the codes of each
//! coded segment, and where its excerpts are), only the first excerpts of
//! each code are kept as references ([`Gathering`]), and the few
//! transcripts those are in are read again for their text.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Result;
use indexmap::IndexMap;
use qda_coding::{
    Adjudications, AttributeValue, CaseCodes, Codebook, Coding, RuleSet, Segment, SegmentMemo,
    Source, Tally, Transcript, Unit,
};

use crate::provenance::display_path;
use crate::render::tally::TallyReport;
use crate::study::{SegmentUnits, case_units_of};

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
    pub(crate) cases: Vec<CaseEntry<'a>>,
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
    fn count<U: AsRef<[usize]>>(codes: &[&str], units: impl IntoIterator<Item = U>) -> Self {
        let table = qda_stats::Cooccurrence::count(codes.len(), units)
            .expect("every index comes from the codebook's codes");
        Cooccurrence { codes: codes.iter().map(|&c| c.to_owned()).collect(), table }
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
pub(crate) struct CaseEntry<'a> {
    pub(crate) case: String,
    pub(crate) path: String,
    pub(crate) attributes: IndexMap<String, AttributeValue>,
    /// Per exclusive group (parent id): the code and how it was decided.
    pub(crate) assigned: Vec<(String, String, &'static str)>,
    /// Codable codes the case has, with segment counts; the ids are the
    /// codebook's, not a copy for each case.
    pub(crate) codes: Vec<(&'a str, usize)>,
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
    /// Every case, sorted by case.
    pub(crate) cases: &'a Gathered,
    pub(crate) tally: &'a Tally,
    pub(crate) adjudications: Option<&'a Adjudications>,
}

impl<'a> Contents<'a> {
    /// Gathers the report around the `excerpts` and segment `memos`
    /// already read out.
    pub(crate) fn new(
        inputs: &ContentsInputs<'a>,
        coder: String,
        tally: TallyReport,
        excerpts: Vec<CodeExcerpts>,
        memos: Vec<MemoEntry>,
    ) -> Self {
        let codable = codable(inputs.codebook);
        let (by_segment, by_case) = cooccurrences(inputs, &codable);
        Contents {
            codebook: inputs.codebook,
            tally,
            coder,
            by_segment,
            by_case,
            excerpts,
            study_memos: None,
            saturation: None,
            cases: cases(inputs),
            memos,
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

/// The codable codes, in codebook order: the report's co-occurrence and
/// excerpts are of these.
pub(crate) fn codable(codebook: &Codebook) -> Vec<&str> {
    codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.as_str()).collect()
}

/// What the report keeps of one case: its counts, the codes of each coded
/// segment, and its first excerpts of each code as references.
pub(crate) struct CaseSummary {
    pub(crate) case: String,
    /// The transcript's path, as shown.
    pub(crate) path: PathBuf,
    /// Segments per code, with parents' roll-ups: what the tally counts.
    counts: CaseCodes,
    /// The codable codes (indices into [`codable`]) of each codable
    /// segment, counted by set. Added to the corpus's in [`Gathering`],
    /// then dropped: a corpus's segments are not kept one by one.
    segment_units: SegmentUnits,
    /// Per codable code: its distinct segments, and the first `limit` of
    /// them in text order. Handed to [`Gathering`], then dropped.
    found: BTreeMap<String, (usize, Vec<ExcerptRef>)>,
}

/// Where an excerpt is: its case, segment and how it was coded.
#[derive(Clone)]
pub(crate) struct ExcerptRef {
    case: String,
    start: usize,
    segment: String,
    source: String,
}

impl ExcerptRef {
    /// Case order, then text order.
    fn order(a: &ExcerptRef, b: &ExcerptRef) -> std::cmp::Ordering {
        (&a.case, a.start, &a.segment).cmp(&(&b.case, b.start, &b.segment))
    }
}

impl CaseSummary {
    /// Summarises `transcript` with `codings` (those of its case that
    /// count), keeping at most `limit` excerpt references per code.
    pub(crate) fn new(
        codebook: &Codebook,
        transcript: &Transcript,
        codings: &[Coding],
        limit: Option<usize>,
    ) -> CaseSummary {
        let case = transcript.case();
        let codable = codable(codebook);
        let index: BTreeMap<&str, usize> =
            codable.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        let mut by_segment: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for c in codings {
            let codes = by_segment.entry(c.segment.as_str()).or_default();
            codes.extend(index.get(c.code.as_str()));
        }
        let uncoded = transcript
            .segment_iter(codebook.unit())
            .filter(|s| !codebook.is_interviewer(&s.speaker))
            .filter(|s| !by_segment.contains_key(s.id.as_str()))
            .count();
        let mut segment_units = SegmentUnits::default();
        for codes in by_segment.values() {
            segment_units.add_segments(codes.iter().copied().collect(), 1);
        }
        segment_units.add_segments(Vec::new(), uncoded);
        let segments = segments_by_id(codebook, transcript, codings);
        // Each code's codings, gathered once: a search of the case's codings
        // for each codable code took most of a report with 2,000 codes.
        let mut by_code: BTreeMap<&str, Vec<(usize, &Coding)>> = BTreeMap::new();
        for c in codings {
            if let Some(segment) = segments.get(&c.segment) {
                by_code.entry(c.code.as_str()).or_default().push((segment.start, c));
            }
        }
        let found = codable
            .iter()
            .filter_map(|&code| {
                let mut found = by_code.remove(code)?;
                found.sort_by_key(|(start, c)| (*start, c.segment.as_str()));
                found.dedup_by(|a, b| a.1.segment == b.1.segment);
                let refs = found
                    .iter()
                    .take(limit.unwrap_or(usize::MAX))
                    .map(|(start, coding)| ExcerptRef {
                        case: case.to_owned(),
                        start: *start,
                        segment: coding.segment.clone(),
                        source: source(coding),
                    })
                    .collect();
                Some((code.to_owned(), (found.len(), refs)))
            })
            .collect();
        CaseSummary {
            case: case.to_owned(),
            path: transcript.path().to_owned(),
            counts: CaseCodes::with_parents(
                codebook,
                case,
                transcript.attributes().clone(),
                codings,
            ),
            segment_units,
            found,
        }
    }
}

/// The cases summarised so far, and each code's first excerpts over them.
pub(crate) struct Gathering {
    limit: Option<usize>,
    /// Each case's counts, with its transcript's path.
    cases: Vec<(CaseCodes, PathBuf)>,
    segment_units: SegmentUnits,
    /// Per code: its excerpts' count, and the first `limit` in case order.
    excerpts: BTreeMap<String, (usize, Vec<ExcerptRef>)>,
}

/// What the report keeps of the corpus once every case is summarised:
/// what a case needs is its counts (which hold its attributes), so a
/// corpus costs its counts, not its codings or segments.
pub(crate) struct Gathered {
    /// Every case's counts, sorted by case: what the tally counts.
    pub(crate) counts: Vec<CaseCodes>,
    /// The transcripts' paths, in the same order.
    paths: Vec<PathBuf>,
    /// The codable codes of every codable segment, counted by set.
    segment_units: SegmentUnits,
    /// Per code: its excerpts' count, and the first `limit` in case order.
    excerpts: BTreeMap<String, (usize, Vec<ExcerptRef>)>,
}

impl Gathering {
    pub(crate) fn new(limit: Option<usize>) -> Gathering {
        Gathering {
            limit,
            cases: Vec::new(),
            segment_units: SegmentUnits::default(),
            excerpts: BTreeMap::new(),
        }
    }

    /// Adds a case (in any order) and keeps its excerpts if they are among
    /// the first of their code.
    pub(crate) fn add(&mut self, case: CaseSummary) {
        let CaseSummary { case: _, path, counts, segment_units, found } = case;
        for (code, (total, refs)) in found {
            let (sum, kept) = self.excerpts.entry(code).or_default();
            *sum += total;
            kept.extend(refs);
            // Without a limit every reference is kept, sorted once at the end.
            if let Some(limit) = self.limit {
                kept.sort_by(ExcerptRef::order);
                kept.truncate(limit);
            }
        }
        self.segment_units.add(segment_units);
        self.cases.push((counts, path));
    }

    /// Every case, sorted by case.
    pub(crate) fn finish(mut self) -> Gathered {
        self.cases.sort_by(|a, b| a.0.case.cmp(&b.0.case));
        let (counts, paths) = self.cases.into_iter().unzip();
        Gathered { counts, paths, segment_units: self.segment_units, excerpts: self.excerpts }
    }
}

impl Gathered {
    /// The case ids, in order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.counts.iter().map(|c| c.case.as_str())
    }

    /// Each codable code's excerpts, read out of their transcripts, which
    /// `transcript` gives (by case and path) one at a time.
    pub(crate) fn excerpts<'t>(
        &self,
        codebook: &Codebook,
        rules: &RuleSet,
        mut transcript: impl FnMut(&str, &Path) -> Result<Cow<'t, Transcript>>,
    ) -> Result<Vec<CodeExcerpts>> {
        let mut wanted: BTreeMap<&str, Vec<(&str, &ExcerptRef)>> = BTreeMap::new();
        for (code, (_, refs)) in &self.excerpts {
            for r in refs {
                wanted.entry(r.case.as_str()).or_default().push((code.as_str(), r));
            }
        }
        let mut read: BTreeMap<(String, String, String), Excerpt> = BTreeMap::new();
        for (case, path) in self.ids().zip(&self.paths) {
            let Some(refs) = wanted.get(case) else { continue };
            let t = transcript(case, path)?;
            let ids: BTreeSet<&str> = refs.iter().map(|(_, r)| r.segment.as_str()).collect();
            let segments = segments_with_ids(codebook, &t, &ids);
            for (code, r) in refs {
                let Some(segment) = segments.get(r.segment.as_str()) else { continue };
                let marks = marks(rules, code, segment.text(&t));
                let key = ((*code).to_owned(), r.case.clone(), r.segment.clone());
                read.insert(key, excerpt(r, &t, segment, marks));
            }
        }
        Ok(codable(codebook)
            .into_iter()
            .map(|code| {
                let (total, mut refs) = self.excerpts.get(code).cloned().unwrap_or_default();
                refs.sort_by(ExcerptRef::order);
                let shown = refs
                    .iter()
                    .filter_map(|r| {
                        read.remove(&(code.to_owned(), r.case.clone(), r.segment.clone()))
                    })
                    .collect();
                CodeExcerpts { code: code.to_owned(), total, shown }
            })
            .collect())
    }
}

/// Co-occurrence over the units of `qda cooccur`: every codable segment,
/// coded or not; every case, with only its assigned child of each
/// exclusive group.
fn cooccurrences(inputs: &ContentsInputs<'_>, codable: &[&str]) -> (Cooccurrence, Cooccurrence) {
    let index: BTreeMap<&str, usize> = codable.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let by_segment = Cooccurrence::count(codable, inputs.cases.segment_units.units());
    // Unresolved conflicts stopped the report before, so no warnings.
    let (case_units, _) =
        case_units_of(inputs.codebook, &inputs.cases.counts, inputs.adjudications, &index);
    (by_segment, Cooccurrence::count(codable, case_units))
}

/// A transcript's segments that `codings` name, by id: the codebook's unit,
/// and the other units only when a coding names one of theirs (a person
/// may code a paragraph under a turn codebook).
fn segments_by_id(
    codebook: &Codebook,
    transcript: &Transcript,
    codings: &[Coding],
) -> BTreeMap<String, Segment> {
    let ids: BTreeSet<&str> = codings.iter().map(|c| c.segment.as_str()).collect();
    segments_with_ids(codebook, transcript, &ids)
        .into_iter()
        .map(|(id, s)| (id.to_owned(), s))
        .collect()
}

/// The segments of `ids` in `transcript`, by id.
fn segments_with_ids<'i>(
    codebook: &Codebook,
    transcript: &Transcript,
    ids: &BTreeSet<&'i str>,
) -> BTreeMap<&'i str, Segment> {
    let mut found: BTreeMap<&str, Segment> = BTreeMap::new();
    keep_segments(&mut found, ids, transcript.segments(codebook.unit()));
    if found.len() < ids.len() {
        for unit in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
            keep_segments(&mut found, ids, transcript.segments(unit));
        }
    }
    found
}

/// Adds to `found` the segments of `ids` (the first of each id).
fn keep_segments<'i>(
    found: &mut BTreeMap<&'i str, Segment>,
    ids: &BTreeSet<&'i str>,
    segments: Vec<Segment>,
) {
    for s in segments {
        if let Some(id) = ids.get(s.id.as_str()) {
            found.entry(id).or_insert(s);
        }
    }
}

/// Where `code`'s rule terms match in a segment's text, sorted and merged.
/// Only `code`'s rule is decided: deciding every rule for each excerpt took
/// most of a report with 2,000 codes.
fn marks(rules: &RuleSet, code: &str, text: &str) -> Vec<Range<usize>> {
    rules
        .decide(code, text)
        .map(|d| merge(d.matched.into_iter().map(|e| e.range).collect()))
        .unwrap_or_default()
}

/// How an excerpt was coded: the rule term, or the coder (and memo).
fn source(coding: &Coding) -> String {
    match &coding.source {
        Source::Rule { term, .. } => format!("rule: {term}"),
        Source::Manual { memo: Some(memo), .. } => format!("{}: {memo}", coding.coder),
        Source::Manual { memo: None, .. } => coding.coder.clone(),
    }
}

fn excerpt(
    at: &ExcerptRef,
    transcript: &Transcript,
    segment: &Segment,
    marks: Vec<Range<usize>>,
) -> Excerpt {
    Excerpt {
        case: at.case.clone(),
        segment: at.segment.clone(),
        speaker: segment.speaker.clone(),
        time: segment.time.clone(),
        location: format!("{}:{}", display_path(transcript.path()), segment.line),
        text: segment.text(transcript).to_owned(),
        marks,
        source: at.source.clone(),
    }
}

/// The memos on segments without codes, in case and segment order.
pub(crate) fn memo_entries(memos: &[SegmentMemo], transcripts: &[Transcript]) -> Vec<MemoEntry> {
    let mut entries: Vec<(usize, usize, MemoEntry)> = memos
        .iter()
        .filter_map(|memo| {
            let (order, transcript) =
                transcripts.iter().enumerate().find(|(_, t)| t.case() == memo.case)?;
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
fn cases<'a>(inputs: &ContentsInputs<'a>) -> Vec<CaseEntry<'a>> {
    let codable = codable(inputs.codebook);
    // Each group's assignments by case, looked up rather than searched for
    // once per case.
    let groups: Vec<(&str, BTreeMap<&str, &qda_coding::Assignment>)> = inputs
        .tally
        .groups
        .iter()
        .map(|g| (g.parent.as_str(), g.assignments.iter().map(|a| (a.case.as_str(), a)).collect()))
        .collect();
    inputs
        .cases
        .counts
        .iter()
        .zip(&inputs.cases.paths)
        .map(|(t, path)| {
            let assigned = groups
                .iter()
                .filter_map(|(parent, assignments)| {
                    let a = assignments.get(t.case.as_str())?;
                    let code = a.code.clone().unwrap_or_else(|| qda_coding::UNCODED.to_owned());
                    Some(((*parent).to_owned(), code, a.route.label()))
                })
                .collect();
            let codes =
                codable.iter().filter_map(|&code| Some((code, *t.segments.get(code)?))).collect();
            CaseEntry {
                case: t.case.clone(),
                path: display_path(path),
                attributes: t.attributes.clone(),
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
