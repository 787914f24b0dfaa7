//! Finding every occurrence of the rules' literals in a text: the first,
//! fast pass of the rule engine, which names the patterns worth locating.
//!
//! Two automata share the work. Literals that are all ASCII go into a DFA
//! walked over the whole text; since a DFA step waits on the one before,
//! the text is cut into four lanes walked side by side, which keeps the
//! processor busy while each lane waits. Literals with other characters
//! (Hangul, Han, kana) go into a second automaton that reads only the runs
//! of non-ASCII text: in interview text written in a Latin script, that is
//! a small part, and keeping those literals out of the first DFA halves
//! its size.

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, BuildError, MatchKind};

/// Lanes walked side by side over the ASCII literals' automaton.
const LANES: usize = 4;

/// Texts shorter than this are walked in one lane: the lanes' overlaps
/// would cost more than they save.
const MIN_LANE_TEXT: usize = 256;

/// The compiled literals, matched ASCII case-insensitively.
#[derive(Debug, Clone)]
pub(crate) struct Literals {
    ascii: LiteralDfa,
    non_ascii: LiteralDfa,
}

/// Some of the literals, in one DFA.
#[derive(Debug, Clone)]
struct LiteralDfa {
    dfa: DFA,
    /// For each pattern of `dfa`, its index among all the literals.
    ids: Vec<usize>,
    /// Length of each pattern, in bytes.
    lens: Vec<usize>,
    /// The longest pattern, in bytes.
    longest: usize,
    /// The most ASCII bytes a pattern has before its first non-ASCII byte
    /// or after its last (its length, for an ASCII pattern).
    ascii_edge: usize,
}

impl Literals {
    /// Compiles `literals`; an occurrence of `literals[i]` is reported as `i`.
    pub(crate) fn new(literals: &[String]) -> Result<Self, BuildError> {
        let (ascii, non_ascii): (Vec<usize>, Vec<usize>) =
            (0..literals.len()).partition(|&i| literals[i].is_ascii());
        Ok(Literals {
            ascii: LiteralDfa::new(literals, ascii)?,
            non_ascii: LiteralDfa::new(literals, non_ascii)?,
        })
    }

    /// Calls `found` with each occurrence of a literal in `text`: the
    /// literal's index and its byte range. Occurrences come in no set order.
    pub(crate) fn occurrences(&self, text: &[u8], mut found: impl FnMut(usize, Range<usize>)) {
        if text.len() >= MIN_LANE_TEXT {
            self.ascii.walk::<LANES>(text, 0, &mut found);
        } else {
            self.ascii.walk::<1>(text, 0, &mut found);
        }
        for window in non_ascii_windows(text, self.non_ascii.ascii_edge) {
            self.non_ascii.walk::<1>(&text[window.clone()], window.start, &mut found);
        }
    }
}

impl LiteralDfa {
    fn new(literals: &[String], ids: Vec<usize>) -> Result<Self, BuildError> {
        let patterns: Vec<&str> = ids.iter().map(|&i| literals[i].as_str()).collect();
        // Overlapping search finds every literal, also inside another. No
        // prefilter: with hundreds of literals it would rarely skip a byte,
        // and it would make the start state one to test at every step.
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)?;
        let lens: Vec<usize> = patterns.iter().map(|p| p.len()).collect();
        let ascii_edge = |p: &&str| {
            let bytes = p.as_bytes();
            let before = bytes.iter().take_while(|b| b.is_ascii()).count();
            let after = bytes.iter().rev().take_while(|b| b.is_ascii()).count();
            before.max(after)
        };
        Ok(LiteralDfa {
            dfa,
            ids,
            longest: lens.iter().copied().max().unwrap_or(0),
            ascii_edge: patterns.iter().map(ascii_edge).max().unwrap_or(0),
            lens,
        })
    }

    /// Walks the DFA over `text` (which starts at byte `offset` of the text
    /// searched) in `N` lanes. Lane `j` starts afresh at the start of its
    /// part of the text, so it sees exactly the occurrences that start there
    /// or later; it walks on past its part by the longest literal's length
    /// less one, to finish those that start in its part, and reports only
    /// those.
    fn walk<const N: usize>(
        &self,
        text: &[u8],
        offset: usize,
        found: &mut impl FnMut(usize, Range<usize>),
    ) {
        let dfa = &self.dfa;
        let Ok(start) = dfa.start_state(Anchored::No) else { return };
        let part = text.len() / N;
        let part_end = |lane: usize| if lane + 1 == N { text.len() } else { (lane + 1) * part };
        let lanes: [&[u8]; N] = std::array::from_fn(|lane| &text[lane * part..][..part]);
        let mut states = [start; N];
        // Side by side over the first `part` bytes of every lane. Matches
        // are rare: one test for all lanes, then a look at each.
        for at in 0..part {
            let mut special = false;
            for (sid, lane) in states.iter_mut().zip(&lanes) {
                *sid = dfa.next_state(Anchored::No, *sid, lane[at]);
                special |= dfa.is_special(*sid);
            }
            if special {
                for (lane, &sid) in states.iter().enumerate() {
                    let end = lane * part + at + 1;
                    self.report(sid, end, part_end(lane), offset, found);
                }
            }
        }
        // Each lane alone over the rest: the last lane's remainder, the
        // others' overlap into the next part.
        for (lane, sid) in states.iter_mut().enumerate() {
            let until = if lane + 1 == N {
                text.len()
            } else {
                (part_end(lane) + self.longest.saturating_sub(1)).min(text.len())
            };
            let from = lane * part + part;
            for (at, &byte) in (from..).zip(&text[from..until]) {
                *sid = dfa.next_state(Anchored::No, *sid, byte);
                if dfa.is_special(*sid) {
                    self.report(*sid, at + 1, part_end(lane), offset, found);
                }
            }
        }
    }

    /// Reports the occurrences ending at `end` that state `sid` holds (none
    /// if it is not a match state) and that start before `before`.
    #[inline(never)]
    fn report(
        &self,
        sid: StateID,
        end: usize,
        before: usize,
        offset: usize,
        found: &mut impl FnMut(usize, Range<usize>),
    ) {
        if !self.dfa.is_match(sid) {
            return;
        }
        for i in 0..self.dfa.match_len(sid) {
            let pattern = self.dfa.match_pattern(sid, i).as_usize();
            let begin = end - self.lens[pattern];
            if begin < before {
                found(self.ids[pattern], offset + begin..offset + end);
            }
        }
    }
}

/// Byte ranges of `text` that hold every occurrence of a literal with a
/// non-ASCII byte, where `reach` is the most ASCII bytes such a literal has
/// before or after its non-ASCII ones: each run of non-ASCII bytes, widened
/// by `reach` on both sides, overlapping ones merged. (A literal all in
/// Hangul, Han or kana lies inside one run, so `reach` is usually 0.)
fn non_ascii_windows(text: &[u8], reach: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    let mut runs = std::iter::from_fn(move || {
        let start = at + first_non_ascii(&text[at..])?;
        let end = text[start..].iter().position(u8::is_ascii).map_or(text.len(), |n| start + n);
        at = end;
        Some(start.saturating_sub(reach)..(end + reach).min(text.len()))
    })
    .peekable();
    std::iter::from_fn(move || {
        let mut window = runs.next()?;
        while let Some(next) = runs.next_if(|next| next.start <= window.end) {
            window.end = next.end;
        }
        Some(window)
    })
}

/// The position of the first non-ASCII byte of `bytes`. Whole blocks are
/// tested first: the standard library tests a block a machine word at a time.
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let block = bytes.chunks(BLOCK).position(|block| !block.is_ascii())?;
    let from = block * BLOCK;
    bytes[from..].iter().position(|b| !b.is_ascii()).map(|n| from + n)
}

#[cfg(test)]
mod tests {
    use aho_corasick::AhoCorasick;

    use super::*;

    /// Every occurrence, found the plain way: one overlapping search.
    fn plain(literals: &[String], text: &str) -> Vec<(usize, Range<usize>)> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(literals)
            .unwrap();
        let mut all: Vec<_> =
            ac.find_overlapping_iter(text).map(|m| (m.pattern().as_usize(), m.range())).collect();
        all.sort_by_key(|(p, r)| (r.start, r.end, *p));
        all
    }

    fn found(literals: &[String], text: &str) -> Vec<(usize, Range<usize>)> {
        let compiled = Literals::new(literals).unwrap();
        let mut all = Vec::new();
        compiled.occurrences(text.as_bytes(), |literal, range| all.push((literal, range)));
        all.sort_by_key(|(p, r)| (r.start, r.end, *p));
        all
    }

    #[test]
    fn lanes_and_windows_find_what_one_plain_search_finds() {
        let literals: Vec<String> = [
            "son",
            "person",
            "reason",
            "ration",
            "on",
            "자유",
            "자유를",
            "国籍",
            "a 자",
            "유a",
            "K팝",
        ]
        .map(String::from)
        .to_vec();
        // Texts around the lane threshold, with occurrences at every offset,
        // so that some straddle each lane boundary.
        let unit = "a Person's reason: 자유를 国籍 ration, k팝 유a. ";
        for repeat in 1..40 {
            let text = unit.repeat(repeat);
            for cut in 0..text.len().min(64) {
                let Some(piece) = text.get(cut..) else { continue };
                assert_eq!(found(&literals, piece), plain(&literals, piece), "text {piece:?}");
            }
        }
    }

    #[test]
    fn no_literals_find_nothing() {
        assert!(found(&[], "any text at all").is_empty());
        let only_korean = vec!["자유".to_owned()];
        assert_eq!(found(&only_korean, &"plain ascii ".repeat(50)), Vec::new());
    }
}
