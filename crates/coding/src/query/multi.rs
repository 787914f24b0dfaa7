//! Segments that several people coded, with each one's codes: for a
//! coding team's meeting.

use std::collections::{BTreeMap, BTreeSet};

use super::eval::by_segment;
use crate::coding::{Coding, RULES_CODER};
use crate::segment::Segment;

/// A segment two or more people coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentCoders {
    /// Index into the segments given.
    pub segment: usize,
    /// Each coder's codes on the segment (the rules are no coder here).
    pub codes: BTreeMap<String, BTreeSet<String>>,
}

impl SegmentCoders {
    /// Whether every coder gave the segment the same codes.
    pub fn agree(&self) -> bool {
        let mut sets = self.codes.values();
        let first = sets.next();
        sets.all(|s| Some(s) == first)
    }
}

/// The segments of one case (of the codebook's unit, in text order) that
/// two or more people coded, in text order.
pub fn several_coders(segments: &[Segment], codings: &[&Coding]) -> Vec<SegmentCoders> {
    by_segment(segments, codings)
        .into_iter()
        .enumerate()
        .filter_map(|(segment, codings)| {
            let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for coding in codings.iter().filter(|c| c.coder != RULES_CODER) {
                codes.entry(coding.coder.clone()).or_default().insert(coding.code.clone());
            }
            (codes.len() >= 2).then_some(SegmentCoders { segment, codes })
        })
        .collect()
}
