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
//!
//! The aho-corasick crate builds each DFA; its transitions are then copied
//! into a table laid out for this one walk. A step is one load: the next
//! state's row is stored already multiplied by the row length, the row
//! length is a power of two, so adding a byte's class is an OR, and the
//! table's length is a power of two, so masking the index proves it in
//! bounds without a check. Match states carry a flag bit, so the lanes'
//! states are OR-ed together and tested once per step.

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, BuildError, MatchKind};
use indexmap::IndexSet;

/// Lanes walked side by side over the ASCII literals' automaton.
const LANES: usize = 4;

/// Texts shorter than this are walked in one lane: the lanes' overlaps
/// would cost more than they save.
const MIN_LANE_TEXT: usize = 256;

/// The flag bit of a match state in the transition table.
const MATCH: u32 = 1 << 31;

/// The compiled literals, matched ASCII case-insensitively.
#[derive(Debug, Clone)]
pub(crate) struct Literals {
    ascii: LiteralDfa,
    non_ascii: LiteralDfa,
}

/// Some of the literals, in one DFA.
#[derive(Debug, Clone)]
struct LiteralDfa {
    /// Row `s` (at `s << shift`) holds state `s`'s next states, one per
    /// byte class, each stored as its row's offset, with [`MATCH`] set for
    /// a match state. Padded to a power of two; the start state is row 0.
    table: Vec<u32>,
    /// Each byte's class: bytes no literal has share class 0.
    classes: [u8; 256],
    /// log2 of the row length.
    shift: u32,
    /// For each state, its patterns: `matches[match_ranges[s]..match_ranges[s + 1]]`.
    match_ranges: Vec<u32>,
    matches: Vec<u32>,
    /// For each pattern, its index among all the literals.
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
        let overlap = self.ascii.longest.saturating_sub(1);
        if text.len() >= MIN_LANE_TEXT && (text.len() - overlap) / LANES >= overlap {
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
        // Overlapping search finds every literal, also inside another.
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)?;
        // A class for each byte (ASCII letters folded) the patterns have;
        // from any state, every other byte leads back to the start.
        let mut classes = [0u8; 256];
        let mut representatives = vec![0u8];
        for byte in patterns.iter().flat_map(|p| p.bytes()).map(|b| b.to_ascii_lowercase()) {
            if classes[usize::from(byte)] == 0 {
                let class = u8::try_from(representatives.len()).expect("at most 255 bytes");
                classes[usize::from(byte)] = class;
                classes[usize::from(byte.to_ascii_uppercase())] = class;
                representatives.push(byte);
            }
        }
        let shift = representatives.len().next_power_of_two().trailing_zeros();
        // Every state reachable from the start, numbered in the order found.
        let start = dfa
            .start_state(Anchored::No)
            .expect("a DFA built for unanchored search has an unanchored start");
        let mut states: IndexSet<StateID> = IndexSet::from([start]);
        let mut rows: Vec<Vec<StateID>> = Vec::new();
        while let Some(&state) = states.get_index(rows.len()) {
            let row: Vec<StateID> =
                representatives.iter().map(|&b| dfa.next_state(Anchored::No, state, b)).collect();
            states.extend(row.iter().copied());
            rows.push(row);
        }
        let row_len = 1usize << shift;
        let mut table = vec![0u32; (states.len() * row_len).next_power_of_two()];
        // aho-corasick refuses a DFA anywhere near this size first.
        assert!(table.len() <= MATCH as usize, "a literals' DFA of over 2^31 entries");
        for (number, row) in rows.iter().enumerate() {
            for (class, next) in row.iter().enumerate() {
                let next_number = states.get_index_of(next).expect("every state is numbered");
                let offset = u32::try_from(next_number << shift).expect("a table of 2^31 entries");
                let flag = if dfa.is_match(*next) { MATCH } else { 0 };
                table[(number << shift) + class] = offset | flag;
            }
        }
        let mut match_ranges = vec![0u32];
        let mut matches = Vec::new();
        for &state in &states {
            if dfa.is_match(state) {
                matches.extend(
                    (0..dfa.match_len(state)).map(|i| dfa.match_pattern(state, i).as_u32()),
                );
            }
            match_ranges.push(u32::try_from(matches.len()).expect("fewer than 2^32 matches"));
        }
        let lens: Vec<usize> = patterns.iter().map(|p| p.len()).collect();
        let ascii_edge = |p: &&str| {
            let bytes = p.as_bytes();
            let before = bytes.iter().take_while(|b| b.is_ascii()).count();
            let after = bytes.iter().rev().take_while(|b| b.is_ascii()).count();
            before.max(after)
        };
        Ok(LiteralDfa {
            table,
            classes,
            shift,
            match_ranges,
            matches,
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
    /// those. The parts are sized so that every lane but the last walks the
    /// same number of bytes, and the last at most `N - 1` more: all lanes
    /// step together to the end.
    fn walk<const N: usize>(
        &self,
        text: &[u8],
        offset: usize,
        found: &mut impl FnMut(usize, Range<usize>),
    ) {
        let overlap = self.longest.saturating_sub(1);
        let part = if N == 1 { text.len() } else { (text.len() - overlap) / N };
        let part_start = |lane: usize| lane * part;
        let part_end = |lane: usize| if lane + 1 == N { text.len() } else { (lane + 1) * part };
        let together = if N == 1 { text.len() } else { part + overlap };
        let lanes: [&[u8]; N] = std::array::from_fn(|lane| &text[part_start(lane)..][..together]);
        let mut states = [0u32; N];
        let mut at = 0;
        while at < together {
            at = self.step_until_match(&lanes, &mut states, at);
            for (lane, &state) in states.iter().enumerate() {
                self.report(state, part_start(lane) + at, part_end(lane), offset, found);
            }
        }
        // The last lane's few bytes more.
        let last = N - 1;
        let mut state = states[last];
        for (at, &byte) in text.iter().enumerate().skip(part_start(last) + together) {
            state = self.next(state, byte);
            self.report(state, at + 1, text.len(), offset, found);
        }
    }

    /// The state after `state` reads `byte`.
    fn next(&self, state: u32, byte: u8) -> u32 {
        let mask = self.table.len() - 1;
        self.table[(state as usize | usize::from(self.classes[usize::from(byte)])) & mask]
    }

    /// Steps every lane (all of one length) on from byte `at` until a step
    /// ends in a match state in some lane, or the lanes end; returns where
    /// the lanes are. Kept apart from the reporting so that the lanes'
    /// states stay in registers.
    fn step_until_match<const N: usize>(
        &self,
        lanes: &[&[u8]; N],
        states: &mut [u32; N],
        mut at: usize,
    ) -> usize {
        let mask = self.table.len() - 1;
        let table = &self.table[..=mask];
        let classes = &self.classes;
        let len = lanes[0].len();
        let lanes: [&[u8]; N] = std::array::from_fn(|lane| &lanes[lane][..len]);
        let mut current = *states;
        while at < len {
            let mut any = 0;
            for (state, lane) in current.iter_mut().zip(&lanes) {
                *state =
                    table[(*state as usize | usize::from(classes[usize::from(lane[at])])) & mask];
                any |= *state;
            }
            at += 1;
            if any & MATCH != 0 {
                break;
            }
        }
        *states = current;
        at
    }

    /// Reports the occurrences ending at `end` that `state` holds (none if
    /// it is not a match state) and that start before `before`.
    #[inline(never)]
    fn report(
        &self,
        state: u32,
        end: usize,
        before: usize,
        offset: usize,
        found: &mut impl FnMut(usize, Range<usize>),
    ) {
        if state & MATCH == 0 {
            return;
        }
        let number = ((state & !MATCH) >> self.shift) as usize;
        let patterns = self.match_ranges[number] as usize..self.match_ranges[number + 1] as usize;
        for &pattern in &self.matches[patterns] {
            let pattern = pattern as usize;
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
            // Long beside the texts: lanes overlap by most of their length.
            "person's reason: ",
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
