//! What a report shows, gathered once: the tally (with intervals and the
//! crosstab), co-occurrence counts, the coded excerpts with their matched
//! terms, the cases and the adjudications. The HTML and Markdown renderers
//! read this and compute nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use indexmap::IndexMap;
use qda_coding::{
    Adjudications, AttributeValue, Codebook, Coding, RuleSet, Segment, Source, Tally, Transcript,
    Unit,
};

use crate::provenance::display_path;
use crate::render::tally::TallyReport;

/// Everything a report shows.
pub(crate) struct Study<'a> {
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
    pub(crate) excerpts: Vec<(String, Vec<Excerpt>)>,
    /// At most this many excerpts are shown per code (`--excerpts`).
    pub(crate) excerpt_limit: Option<usize>,
    pub(crate) cases: Vec<CaseEntry>,
    pub(crate) adjudications: Vec<AdjudicationEntry>,
    /// The adjudications file, when one was given.
    pub(crate) adjudications_path: Option<String>,
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

/// Where each code's rule terms match in one segment.
type MarksByCode = BTreeMap<String, Vec<Range<usize>>>;

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

impl<'a> Study<'a> {
    #[allow(clippy::too_many_arguments)] // Each is one input of the report; a struct would only rename them.
    pub(crate) fn new(
        codebook: &'a Codebook,
        rules: &RuleSet,
        transcripts: &[Transcript],
        codings: &[Coding],
        coder: String,
        tally: &Tally,
        tally_report: TallyReport,
        adjudications: Option<&Adjudications>,
    ) -> Self {
        let codable: Vec<String> =
            codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.clone()).collect();

        // The units of `qda cooccur`: every codable segment, coded or not;
        // every case, with only its assigned child of each exclusive group.
        let coded = crate::corpus::coded_cases(codebook, transcripts, codings);
        let index: BTreeMap<&str, usize> =
            codable.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        let by_segment =
            Cooccurrence::count(&codable, crate::cmd::cooccur::segment_units(&coded, &index));
        // Unresolved conflicts stopped the report before, so no warnings.
        let (case_units, _) =
            crate::cmd::cooccur::case_units(codebook, &coded, adjudications, &index);
        let by_case = Cooccurrence::count(&codable, case_units);

        // Segments by id: the codebook's unit, and the other units only for
        // a transcript whose codings name one of theirs (a person may code
        // a paragraph under a turn codebook).
        let mut coded_ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for c in codings {
            coded_ids.entry(c.case.as_str()).or_default().insert(c.segment.as_str());
        }
        let segments: BTreeMap<&str, BTreeMap<String, Segment>> = transcripts
            .iter()
            .map(|t| {
                let mut found: BTreeMap<String, Segment> =
                    t.segments(codebook.unit()).into_iter().map(|s| (s.id.clone(), s)).collect();
                let elsewhere = coded_ids
                    .get(t.case())
                    .is_some_and(|ids| ids.iter().any(|id| !found.contains_key(*id)));
                if elsewhere {
                    for unit in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
                        found.extend(t.segments(unit).into_iter().map(|s| (s.id.clone(), s)));
                    }
                }
                (t.case(), found)
            })
            .collect();
        let transcript_of: BTreeMap<&str, &Transcript> =
            transcripts.iter().map(|t| (t.case(), t)).collect();
        // Where each code's rule terms match in each coded segment: one scan
        // of the segment for all codes.
        let mut marks_of: BTreeMap<(&str, &str), MarksByCode> = BTreeMap::new();
        for coding in codings {
            let key = (coding.case.as_str(), coding.segment.as_str());
            if marks_of.contains_key(&key) {
                continue;
            }
            let Some((transcript, segment)) =
                transcript_of.get(key.0).zip(segments.get(key.0).and_then(|s| s.get(key.1)))
            else {
                continue;
            };
            let hits = rules.scan(segment.text(transcript));
            let marks = rules
                .decide_all(&hits)
                .map(|(code, d)| {
                    (code.to_owned(), merge(d.matched.into_iter().map(|e| e.range).collect()))
                })
                .collect();
            marks_of.insert(key, marks);
        }
        let case_order: BTreeMap<&str, usize> =
            transcripts.iter().enumerate().map(|(i, t)| (t.case(), i)).collect();
        let excerpts = codable
            .iter()
            .map(|code| {
                let mut list: Vec<(usize, Excerpt)> = codings
                    .iter()
                    .filter(|c| c.code == *code)
                    .filter_map(|coding| {
                        let transcript = transcript_of.get(coding.case.as_str())?;
                        let segment = segments.get(coding.case.as_str())?.get(&coding.segment)?;
                        let text = segment.text(transcript).to_owned();
                        let marks = marks_of
                            .get(&(coding.case.as_str(), coding.segment.as_str()))
                            .and_then(|m| m.get(code))
                            .cloned()
                            .unwrap_or_default();
                        let source = match &coding.source {
                            Source::Rule { term, .. } => format!("rule: {term}"),
                            Source::Manual { memo: Some(memo) } => {
                                format!("{}: {memo}", coding.coder)
                            }
                            Source::Manual { memo: None } => coding.coder.clone(),
                        };
                        let order = *case_order.get(coding.case.as_str())?;
                        Some((
                            order,
                            Excerpt {
                                case: coding.case.clone(),
                                segment: coding.segment.clone(),
                                speaker: segment.speaker.clone(),
                                time: segment.time.clone(),
                                location: format!(
                                    "{}:{}",
                                    display_path(transcript.path()),
                                    segment.line
                                ),
                                text,
                                marks,
                                source,
                            },
                        ))
                    })
                    .collect();
                list.sort_by_key(|(order, e)| (*order, segment_order(&segments, e)));
                list.dedup_by(|a, b| a.1.case == b.1.case && a.1.segment == b.1.segment);
                (code.clone(), list.into_iter().map(|(_, e)| e).collect())
            })
            .collect();

        // The distinct segments of each case and code, counted once.
        let mut segments_with: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        for c in codings {
            segments_with
                .entry((c.case.as_str(), c.code.as_str()))
                .or_default()
                .insert(c.segment.as_str());
        }
        let cases = transcripts
            .iter()
            .map(|t| {
                let assigned = tally
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
            .collect();

        let adjudication_entries = adjudications
            .map(|a| {
                a.entries()
                    .iter()
                    .map(|entry| AdjudicationEntry {
                        case: entry.case.clone(),
                        parent: entry.parent.clone(),
                        code: entry.code.clone(),
                        note: entry.note.clone(),
                        candidates: tally
                            .groups
                            .iter()
                            .filter(|g| g.parent == entry.parent)
                            .flat_map(|g| &g.assignments)
                            .find(|x| x.case == entry.case)
                            .map(|x| x.candidates.clone())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();

        Study {
            codebook,
            tally: tally_report,
            coder,
            by_segment,
            by_case,
            excerpts,
            excerpt_limit: None,
            cases,
            adjudications: adjudication_entries,
            adjudications_path: adjudications.map(|a| display_path(a.path())),
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

/// Where a segment stands in its transcript (its start), for sorting.
fn segment_order(segments: &BTreeMap<&str, BTreeMap<String, Segment>>, e: &Excerpt) -> usize {
    segments.get(e.case.as_str()).and_then(|s| s.get(&e.segment)).map_or(0, |s| s.start)
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
