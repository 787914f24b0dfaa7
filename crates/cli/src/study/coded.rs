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

/// Codable segments counted by the set of codes each has (the empty set for
/// a segment without a code), as co-occurrence counts them: one entry per
/// distinct set however many segments there are, so a corpus is counted
/// case by case without keeping its segments.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SegmentUnits(BTreeMap<Vec<usize>, usize>);

impl SegmentUnits {
    /// `case`'s codable segments, with its codes as indices in `index` (codes
    /// not in it are left out).
    pub(crate) fn of(case: &CodedCase, index: &BTreeMap<&str, usize>) -> Self {
        let mut units = SegmentUnits::default();
        for codes in case.segments() {
            let mut set: Vec<usize> = codes.iter().filter_map(|c| index.get(c).copied()).collect();
            set.sort_unstable();
            units.add_segments(set, 1);
        }
        units.add_segments(Vec::new(), case.uncoded_segments);
        units
    }

    /// Adds `other`'s segments to these.
    pub(crate) fn add(&mut self, other: SegmentUnits) {
        for (set, n) in other.0 {
            self.add_segments(set, n);
        }
    }

    /// Adds `n` segments with the codes `set` (indices, sorted).
    pub(crate) fn add_segments(&mut self, set: Vec<usize>, n: usize) {
        if n > 0 {
            *self.0.entry(set).or_default() += n;
        }
    }

    /// Every segment's codes, each set repeated once per segment that has it.
    pub(crate) fn units(&self) -> impl Iterator<Item = &[usize]> {
        self.0.iter().flat_map(|(set, &n)| std::iter::repeat_n(set.as_slice(), n))
    }
}

/// Every case: the codes of any of its segments, except that in each
/// exclusive group only the child the case is assigned counts (as in
/// `qda tally`). A case whose conflict is unresolved keeps every child it
/// has, with a warning. From each case's segments per code (as
/// [`CodedCase::counts`] gives them), so no coding need be kept.
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

#[cfg(test)]
mod tests {
    use qda_coding::Source;
    use qda_stats::Cooccurrence;

    use super::*;

    fn case(name: &str, segments: &[(&str, &[&str])], uncoded_segments: usize) -> CodedCase {
        let codings = segments
            .iter()
            .flat_map(|(segment, codes)| {
                codes.iter().map(move |code| Coding {
                    case: name.to_owned(),
                    segment: (*segment).to_owned(),
                    code: (*code).to_owned(),
                    coder: "rules".to_owned(),
                    start: 0,
                    end: 1,
                    source: Source::Manual { memo: None, quote: None, imported: None },
                })
            })
            .collect();
        CodedCase {
            case: name.to_owned(),
            attributes: Attributes::default(),
            codings,
            uncoded_segments,
        }
    }

    #[test]
    fn segment_units_count_as_every_segment_does_and_keep_one_entry_per_set() {
        let index: BTreeMap<&str, usize> = [("a", 0), ("b", 1), ("c", 2)].into();
        // `x` is not in the index (a code that groups others): left out.
        let first = case("P01", &[("t1", &["b", "a"]), ("t2", &["a"]), ("t3", &["x"])], 2);
        let second = case("P02", &[("t1", &["a", "b"]), ("t4", &["c", "a", "b"])], 1);
        let mut units = SegmentUnits::of(&first, &index);
        units.add(SegmentUnits::of(&second, &index));
        // The same units, one per segment, as they were counted before.
        let every_segment: Vec<Vec<usize>> =
            vec![vec![0, 1], vec![0], vec![], vec![], vec![], vec![0, 1], vec![0, 1, 2], vec![]];
        assert_eq!(
            Cooccurrence::count(3, units.units()).unwrap(),
            Cooccurrence::count(3, &every_segment).unwrap()
        );
        // {a, b} twice, {a}, {a, b, c}, and the empty set four times.
        assert_eq!(units.0.len(), 4);
        assert_eq!(units.units().count(), 8);
    }
}
