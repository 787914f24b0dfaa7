//! Evaluating a query on one case: a truth per segment for each part of
//! the expression, or one truth for the case.

use std::ops::Range;

use super::parser::Expr;
use super::{Level, Query};
use crate::coding::Coding;
use crate::rules::{Hits, RuleSet, all_on_boundaries};
use crate::segment::{Segment, blanked};
use crate::transcript::Transcript;

/// What a query matched in one case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryMatch {
    /// Whether the case matches: at the segment level, whether any segment
    /// does.
    pub case: bool,
    /// The matching segments, as indices into the segments given, in
    /// order. At the case level: for a matching case, the segments where
    /// a part of the query that is not negated holds (every coded segment
    /// when only attributes or negations make it match).
    pub segments: Vec<usize>,
}

/// One case, as evaluation sees it.
struct Case<'a> {
    transcript: &'a Transcript,
    segments: &'a [Segment],
    /// Each segment's codings.
    codings: Vec<Vec<&'a Coding>>,
    /// Each segment's term matches (empty when the query has no text).
    hits: Vec<Hits>,
}

impl Query {
    /// Evaluates the query on one case: its transcript, its segments (of
    /// the codebook's unit, in text order) and its codings (of any coder
    /// and any unit: a coding belongs to every segment its span overlaps).
    pub fn evaluate(
        &self,
        transcript: &Transcript,
        segments: &[Segment],
        codings: &[&Coding],
        level: Level,
    ) -> QueryMatch {
        let hits = if self.patterns.is_empty() {
            Vec::new()
        } else {
            segments
                .iter()
                .map(|s| self.terms.scan_blanked(&blanked(transcript, s.bytes.clone())))
                .collect()
        };
        let case = Case { transcript, segments, codings: by_segment(segments, codings), hits };
        match level {
            Level::Segment => {
                let segments = indices(&self.segment_truths(&self.expr, &case));
                QueryMatch { case: !segments.is_empty(), segments }
            }
            Level::Case => {
                if !self.case_truth(&self.expr, &case) {
                    return QueryMatch::default();
                }
                let evidence = self.evidence(&self.expr, &case).map(|e| indices(&e));
                let segments = match evidence {
                    Some(found) if !found.is_empty() => found,
                    _ => (0..segments.len()).filter(|&s| !case.codings[s].is_empty()).collect(),
                };
                QueryMatch { case: true, segments }
            }
        }
    }

    /// Whether each segment matches `expr`.
    fn segment_truths(&self, expr: &Expr, case: &Case<'_>) -> Vec<bool> {
        let each = |f: &dyn Fn(usize) -> bool| (0..case.segments.len()).map(f).collect();
        match expr {
            Expr::Code { codes, coder } => each(&|s| {
                case.codings[s].iter().any(|c| {
                    codes.contains(&c.code) && coder.as_ref().is_none_or(|(n, _)| *n == c.coder)
                })
            }),
            Expr::Coder { name, .. } => each(&|s| case.codings[s].iter().any(|c| c.coder == *name)),
            Expr::Text { term } => each(&|s| RuleSet::matched(&case.hits[s], *term)),
            Expr::Speaker { name, .. } => each(&|s| case.segments[s].speaker == *name),
            Expr::All => vec![true; case.segments.len()],
            Expr::Attribute { name, value, .. } => {
                let holds =
                    case.transcript.attributes().get(name).is_some_and(|v| v.to_string() == *value);
                vec![holds; case.segments.len()]
            }
            Expr::Not(inner) => self.segment_truths(inner, case).into_iter().map(|t| !t).collect(),
            Expr::And(a, b) => {
                zip(self.segment_truths(a, case), self.segment_truths(b, case), |x, y| x && y)
            }
            Expr::Or(a, b) => {
                zip(self.segment_truths(a, case), self.segment_truths(b, case), |x, y| x || y)
            }
            Expr::Near(a, b, n) => {
                let (a, b) = (self.segment_truths(a, case), self.segment_truths(b, case));
                let (near_a, near_b) = (within(&a, *n), within(&b, *n));
                (0..a.len()).map(|s| (a[s] && near_b[s]) || (b[s] && near_a[s])).collect()
            }
            Expr::Overlaps(a, b) => each(&|s| {
                let (a, b) = (self.spans(a, case, s), self.spans(b, case, s));
                a.iter().any(|x| b.iter().any(|y| x.start < y.end && y.start < x.end))
            }),
        }
    }

    /// Whether the case as a whole matches `expr`.
    fn case_truth(&self, expr: &Expr, case: &Case<'_>) -> bool {
        match expr {
            Expr::Not(inner) => !self.case_truth(inner, case),
            Expr::And(a, b) => self.case_truth(a, case) && self.case_truth(b, case),
            Expr::Or(a, b) => self.case_truth(a, case) || self.case_truth(b, case),
            Expr::Attribute { name, value, .. } => {
                case.transcript.attributes().get(name).is_some_and(|v| v.to_string() == *value)
            }
            atom_or_proximity => self.segment_truths(atom_or_proximity, case).contains(&true),
        }
    }

    /// The segments where a part of `expr` that is not negated holds;
    /// `None` when no such part says anything about segments.
    fn evidence(&self, expr: &Expr, case: &Case<'_>) -> Option<Vec<bool>> {
        match expr {
            Expr::Not(_) | Expr::Attribute { .. } => None,
            Expr::And(a, b) | Expr::Or(a, b) => {
                match (self.evidence(a, case), self.evidence(b, case)) {
                    (Some(x), Some(y)) => Some(zip(x, y, |x, y| x || y)),
                    (x, y) => x.or(y),
                }
            }
            other => Some(self.segment_truths(other, case)),
        }
    }

    /// The spans (code points) in segment `s` that an `OVERLAPS` operand
    /// covers: its codings, or its text matches.
    fn spans(&self, expr: &Expr, case: &Case<'_>, s: usize) -> Vec<Range<usize>> {
        let codings = case.codings[s].iter();
        match expr {
            Expr::Code { codes, coder } => codings
                .filter(|c| {
                    codes.contains(&c.code) && coder.as_ref().is_none_or(|(n, _)| *n == c.coder)
                })
                .map(|c| c.start..c.end)
                .collect(),
            Expr::Coder { name, .. } => {
                codings.filter(|c| c.coder == *name).map(|c| c.start..c.end).collect()
            }
            Expr::Text { term } if RuleSet::matched(&case.hits[s], *term) => {
                let segment = &case.segments[s];
                let text = blanked(case.transcript, segment.bytes.clone());
                let point = |byte: usize| segment.start + text[..byte].chars().count();
                all_on_boundaries(&self.patterns[*term], &text)
                    .into_iter()
                    .map(|m| point(m.start)..point(m.end))
                    .collect()
            }
            // The parser allows only codes, coders and texts here.
            _ => Vec::new(),
        }
    }
}

/// Each segment's codings: those whose span overlaps the segment (an empty
/// span belongs where it stands).
pub(super) fn by_segment<'a>(segments: &[Segment], codings: &[&'a Coding]) -> Vec<Vec<&'a Coding>> {
    let mut out = vec![Vec::new(); segments.len()];
    for &coding in codings {
        let end = coding.end.max(coding.start + 1);
        let first = segments.partition_point(|s| s.end <= coding.start);
        for (s, segment) in segments.iter().enumerate().skip(first) {
            if segment.start >= end {
                break;
            }
            out[s].push(coding);
        }
    }
    out
}

fn zip(a: Vec<bool>, b: Vec<bool>, f: impl Fn(bool, bool) -> bool) -> Vec<bool> {
    a.into_iter().zip(b).map(|(x, y)| f(x, y)).collect()
}

fn indices(truths: &[bool]) -> Vec<usize> {
    truths.iter().enumerate().filter(|(_, t)| **t).map(|(i, _)| i).collect()
}

/// Whether some segment within `n` of each segment is true.
fn within(truths: &[bool], n: usize) -> Vec<bool> {
    // Counts of true segments before each index, for any window in O(1).
    let mut before = Vec::with_capacity(truths.len() + 1);
    before.push(0usize);
    for &t in truths {
        before.push(before.last().copied().unwrap_or(0) + usize::from(t));
    }
    (0..truths.len())
        .map(|s| {
            let (from, to) = (s.saturating_sub(n), s.saturating_add(n).min(truths.len() - 1));
            before[to + 1] > before[from]
        })
        .collect()
}
