//! Coded cases: every case with its attributes and codings, and the units
//! that co-occurrence counts (segments, or cases with only the assigned
//! child of each exclusive group).

use std::collections::{BTreeMap, BTreeSet};

use qda_coding::{
    Adjudications, Attributes, CaseCodes, Codebook, CodedTranscript, Coding, Transcript,
};

/// One case: attributes, codings, and its codable segments without a code.
pub(crate) struct CodedCase {
    pub(crate) case: String,
    pub(crate) attributes: Attributes,
    /// The case's codings (each segment may carry several codes).
    pub(crate) codings: Vec<Coding>,
    /// Codable segments (not interviewer turns, in the codebook's unit) that
    /// have no coding: they are units too.
    pub(crate) uncoded_segments: usize,
}

impl CodedCase {
    /// Segments per code, as `qda tally` counts them.
    pub(crate) fn counts(&self) -> CaseCodes {
        CaseCodes::new(&self.case, self.attributes.clone(), &self.codings)
    }

    /// The codes of each coded segment (in segment id order).
    pub(crate) fn segments(&self) -> Vec<Vec<&str>> {
        let mut by_segment: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for c in &self.codings {
            by_segment.entry(c.segment.as_str()).or_default().insert(c.code.as_str());
        }
        by_segment.into_values().map(|codes| codes.into_iter().collect()).collect()
    }
}

impl From<CodedTranscript> for CodedCase {
    fn from(coded: CodedTranscript) -> Self {
        let coded_segments: BTreeSet<&str> =
            coded.codings.iter().map(|c| c.segment.as_str()).collect();
        let uncoded_segments = coded.codable_segments.saturating_sub(coded_segments.len());
        CodedCase {
            case: coded.case,
            attributes: coded.attributes,
            codings: coded.codings,
            uncoded_segments,
        }
    }
}

/// Each transcript's case with its codings and its codable segments that
/// have none.
pub(crate) fn coded_cases(
    codebook: &Codebook,
    transcripts: &[Transcript],
    codings: &[Coding],
) -> Vec<CodedCase> {
    let codable = codable_segments(codebook, transcripts);
    let by_case = codings_by_case(codings);
    transcripts
        .iter()
        .zip(codable)
        .map(|(t, (_, ids))| {
            let mine: Vec<Coding> =
                by_case.get(t.case()).into_iter().flatten().map(|&c| c.clone()).collect();
            let coded: BTreeSet<&str> = mine.iter().map(|c| c.segment.as_str()).collect();
            let uncoded_segments = ids.iter().filter(|id| !coded.contains(id.as_str())).count();
            CodedCase {
                case: t.case().to_owned(),
                attributes: t.attributes().clone(),
                codings: mine,
                uncoded_segments,
            }
        })
        .collect()
}

/// Each case's codings, in their order: grouped once, so that finding a
/// case's codings does not search all of them for every case.
pub(crate) fn codings_by_case(codings: &[Coding]) -> BTreeMap<&str, Vec<&Coding>> {
    let mut by_case: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
    for coding in codings {
        by_case.entry(coding.case.as_str()).or_default().push(coding);
    }
    by_case
}

/// Each case's codable segment ids (not interviewer turns) in the codebook's unit.
pub(crate) fn codable_segments(
    codebook: &Codebook,
    transcripts: &[Transcript],
) -> Vec<(String, Vec<String>)> {
    transcripts
        .iter()
        .map(|t| {
            let ids = t
                .segments(codebook.unit())
                .into_iter()
                .filter(|s| !codebook.is_interviewer(&s.speaker))
                .map(|s| s.id)
                .collect();
            (t.case().to_owned(), ids)
        })
        .collect()
}

/// Every codable segment: the codes of each coded one, and an empty unit
/// for each one without a code.
pub(crate) fn segment_units(cases: &[CodedCase], index: &BTreeMap<&str, usize>) -> Vec<Vec<usize>> {
    let mut units = Vec::new();
    for case in cases {
        for codes in case.segments() {
            units.push(codes.iter().filter_map(|c| index.get(c).copied()).collect());
        }
        units.extend(std::iter::repeat_n(Vec::new(), case.uncoded_segments));
    }
    units
}

/// Every case: the codes of any of its segments, except that in each
/// exclusive group only the child the case is assigned counts (as in
/// `qda tally`). A case whose conflict is unresolved keeps every child it
/// has, with a warning.
pub(crate) fn case_units(
    codebook: &Codebook,
    cases: &[CodedCase],
    adjudications: Option<&Adjudications>,
    index: &BTreeMap<&str, usize>,
) -> (Vec<Vec<usize>>, Vec<String>) {
    let counted: Vec<CaseCodes> = cases.iter().map(CodedCase::counts).collect();
    case_units_of(codebook, &counted, adjudications, index)
}

/// As [`case_units`], from each case's segments per code (as
/// [`CodedCase::counts`] gives them), for a command that keeps no codings.
pub(crate) fn case_units_of(
    codebook: &Codebook,
    counted: &[CaseCodes],
    adjudications: Option<&Adjudications>,
    index: &BTreeMap<&str, usize>,
) -> (Vec<Vec<usize>>, Vec<String>) {
    let (groups, mut warnings) = qda_coding::assign(codebook, counted, adjudications);
    let units = counted
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let mut present: Vec<&str> =
                case.segments.iter().filter(|(_, n)| **n > 0).map(|(c, _)| c.as_str()).collect();
            for group in &groups {
                let assignment = &group.assignments[i];
                if assignment.route == qda_coding::Route::Unresolved {
                    warnings.push(format!(
                        "case `{}` has several codes of the exclusive group `{}` and no adjudication; it counts with each of them (settle it with --adjudications FILE)",
                        case.case, group.parent
                    ));
                    continue;
                }
                let children: Vec<&str> =
                    codebook.children(&group.parent).map(|c| c.id.as_str()).collect();
                present.retain(|c| !children.contains(c));
                present.extend(assignment.code.as_deref());
            }
            present.iter().filter_map(|c| index.get(c).copied()).collect()
        })
        .collect();
    (units, warnings)
}
