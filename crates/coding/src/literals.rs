//! Finding every occurrence of the rules' literals in a text: the first,
//! fast pass of the rule engine, which names the patterns worth locating.
//!
//! One DFA, built by the aho-corasick crate, finds every literal. Since a
//! DFA step waits on the one before, the text is cut into four lanes walked
//! side by side, which keeps the processor busy while each lane waits.
//!
//! The DFA's transitions are copied into a table laid out for this one
//! walk. A step is one load: the next state's row is stored already
//! multiplied by the row length, so the index is that plus the byte's
//! class, and the table's length is a power of two, so masking the index
//! proves it in bounds without a check. Rows are as long as the classes
//! (not rounded up to a power of two), so more of them fit in a cache. Match
//! states carry a flag bit, so the lanes' states are OR-ed together and
//! tested once per step.
//!
//! The table stays small enough to be read from the processor's caches: a
//! class for each ASCII byte of the literals (letters folded), and the
//! bytes outside ASCII (of Hangul, Han, kana) spread over the few classes
//! left in a row. Those classes stand for several bytes each, so the DFA
//! may report a literal with such bytes where another character stands; an
//! occurrence of one is compared with the text before it is reported.

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, BuildError, MatchKind};
use indexmap::IndexSet;

/// Lanes walked side by side.
const LANES: usize = 4;

/// Texts shorter than this are walked in one lane: the lanes' overlaps
/// would cost more than they save (256 measured 1% slower than 64 on the
/// benchmark corpus, whose short turns were walked one byte at a time).
const MIN_LANE_TEXT: usize = 64;

/// The flag bit of a match state in the transition table.
const MATCH: u32 = 1 << 31;

/// The fewest classes the bytes outside ASCII share. With fewer, more of a
/// Hangul text's syllables look like a literal's to the DFA, and each such
/// place costs a comparison (4 classes measured 2% slower than 8 on the
/// benchmark corpus).
const MIN_NON_ASCII_CLASSES: usize = 8;

/// Two characters that Unicode case folding turns into ASCII letters (`ſ`
/// into `s`, the Kelvin sign into `k`), looked for with the literals: the
/// regexes fold them, an ASCII case-insensitive search does not.
const FOLDING_TO_ASCII: [&str; 2] = ["\u{17F}", "\u{212A}"];

/// The compiled literals, matched ASCII case-insensitively.
#[derive(Debug, Clone)]
pub(crate) struct Literals {
    /// Row `s` (at `s * row_len`) holds state `s`'s next states, one per
    /// byte class, each stored as its row's offset, with [`MATCH`] set for
    /// a match state. Padded to a power of two; the start state is row 0.
    table: Vec<u32>,
    /// Each byte's class.
    classes: [u8; 256],
    /// The row length.
    row_len: usize,
    /// For each state, its patterns: `matches[match_ranges[s]..match_ranges[s + 1]]`.
    match_ranges: Vec<u32>,
    matches: Vec<u32>,
    /// Each pattern: the literals, then [`FOLDING_TO_ASCII`].
    patterns: Vec<Pattern>,
    /// The number of literals.
    literal_count: usize,
    /// The longest pattern, in bytes.
    longest: usize,
}

#[derive(Debug, Clone)]
struct Pattern {
    len: usize,
    /// The pattern's bytes, for one with bytes outside ASCII: an
    /// occurrence the DFA reports is compared with them.
    compared: Option<Box<[u8]>>,
}

impl Literals {
    /// Compiles `literals`; an occurrence of `literals[i]` is reported as `i`.
    pub(crate) fn new(literals: &[String]) -> Result<Self, BuildError> {
        let texts: Vec<&str> =
            literals.iter().map(String::as_str).chain(FOLDING_TO_ASCII).collect();
        // A class for each ASCII byte (letters folded) the patterns have;
        // the other ASCII bytes share class 0.
        let mut classes = [0u8; 256];
        let mut representatives = vec![0u8];
        for byte in texts.iter().flat_map(|t| t.bytes()).filter(u8::is_ascii) {
            let byte = byte.to_ascii_lowercase();
            if classes[usize::from(byte)] == 0 {
                let class = u8::try_from(representatives.len()).expect("fewer than 128 classes");
                classes[usize::from(byte)] = class;
                classes[usize::from(byte.to_ascii_uppercase())] = class;
                representatives.push(byte);
            }
        }
        if let Some(unused) = (0..=127u8).find(|&b| classes[usize::from(b)] == 0) {
            representatives[0] = unused;
        }
        // The bytes outside ASCII spread over the rest of the row: class
        // `first + k` for each byte `b` with `b % spread == k`, standing in
        // the DFA's patterns as byte `0x80 + k`.
        let first = representatives.len();
        let row_len = first + MIN_NON_ASCII_CLASSES;
        let spread = row_len - first;
        for byte in 128..=255u8 {
            let k = usize::from(byte) % spread;
            classes[usize::from(byte)] = u8::try_from(first + k).expect("a row of 256 classes");
        }
        representatives
            .extend((0..spread).map(|k| u8::try_from(0x80 + k).expect("fewer than 128 classes")));
        let stand_in = |text: &str| -> Vec<u8> {
            (text.bytes())
                .map(|b| {
                    if b.is_ascii() {
                        b
                    } else {
                        representatives[usize::from(classes[usize::from(b)])]
                    }
                })
                .collect()
        };
        let stand_ins: Vec<Vec<u8>> = texts.iter().map(|t| stand_in(t)).collect();
        // Overlapping search finds every literal, also inside another.
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&stand_ins)?;
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
        let mut table = vec![0u32; (states.len() * row_len).next_power_of_two()];
        // aho-corasick refuses a DFA anywhere near this size first.
        assert!(table.len() <= MATCH as usize, "a literals' DFA of over 2^31 entries");
        for (number, row) in rows.iter().enumerate() {
            for (class, next) in row.iter().enumerate() {
                let next_number = states.get_index_of(next).expect("every state is numbered");
                let offset = u32::try_from(next_number * row_len).expect("a table of 2^31 entries");
                let flag = if dfa.is_match(*next) { MATCH } else { 0 };
                table[number * row_len + class] = offset | flag;
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
        let patterns: Vec<Pattern> = texts
            .iter()
            .map(|t| Pattern {
                len: t.len(),
                compared: (!t.is_ascii()).then(|| t.as_bytes().into()),
            })
            .collect();
        Ok(Literals {
            table,
            classes,
            row_len,
            match_ranges,
            matches,
            longest: patterns.iter().map(|p| p.len).max().unwrap_or(0),
            patterns,
            literal_count: literals.len(),
        })
    }

    /// Calls `found` with each occurrence of a literal in `text`: the
    /// literal's index and its byte range. Occurrences come in no set order.
    /// Returns whether `text` has `ſ` or the Kelvin sign, which regexes
    /// fold to ASCII letters and this search does not.
    pub(crate) fn occurrences(
        &self,
        text: &[u8],
        mut found: impl FnMut(usize, Range<usize>),
    ) -> bool {
        let mut folds_to_ascii = false;
        let mut each = |pattern: usize, range: Range<usize>| {
            if pattern < self.literal_count {
                found(pattern, range);
            } else {
                folds_to_ascii = true;
            }
        };
        let overlap = self.longest.saturating_sub(1);
        if text.len() >= MIN_LANE_TEXT && (text.len() - overlap) / LANES >= overlap {
            self.walk::<LANES>(text, &mut each);
        } else {
            self.walk::<1>(text, &mut each);
        }
        folds_to_ascii
    }

    /// Walks the DFA over `text` in `N` lanes. Lane `j` starts afresh at the
    /// start of its part of the text, so it sees exactly the occurrences
    /// that start there or later; it walks on past its part by the longest
    /// pattern's length less one, to finish those that start in its part,
    /// and reports only those. The parts are sized so that every lane but
    /// the last walks the same number of bytes, and the last at most `N - 1`
    /// more: all lanes step together to the end.
    fn walk<const N: usize>(&self, text: &[u8], found: &mut impl FnMut(usize, Range<usize>)) {
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
                self.report(text, state, part_start(lane) + at, part_end(lane), found);
            }
        }
        // The last lane's few bytes more.
        let last = N - 1;
        let mut state = states[last];
        for (at, &byte) in text.iter().enumerate().skip(part_start(last) + together) {
            state = self.next(state, byte);
            self.report(text, state, at + 1, text.len(), found);
        }
    }

    /// The state after `state` reads `byte`.
    fn next(&self, state: u32, byte: u8) -> u32 {
        let mask = self.table.len() - 1;
        self.table[(state as usize + usize::from(self.classes[usize::from(byte)])) & mask]
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
                    table[(*state as usize + usize::from(classes[usize::from(lane[at])])) & mask];
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

    /// Reports the occurrences in `text` ending at `end` that `state` holds
    /// (none if it is not a match state) and that start before `before`.
    #[inline(never)]
    fn report(
        &self,
        text: &[u8],
        state: u32,
        end: usize,
        before: usize,
        found: &mut impl FnMut(usize, Range<usize>),
    ) {
        if state & MATCH == 0 {
            return;
        }
        let number = (state & !MATCH) as usize / self.row_len;
        let patterns = self.match_ranges[number] as usize..self.match_ranges[number + 1] as usize;
        for &pattern in &self.matches[patterns] {
            let pattern = pattern as usize;
            let Pattern { len, compared } = &self.patterns[pattern];
            let begin = end - len;
            let stands_there =
                compared.as_ref().is_none_or(|bytes| text[begin..end].eq_ignore_ascii_case(bytes));
            if begin < before && stands_there {
                found(pattern, begin..end);
            }
        }
    }
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
        let folds =
            compiled.occurrences(text.as_bytes(), |literal, range| all.push((literal, range)));
        assert_eq!(folds, text.contains(['\u{17F}', '\u{212A}']), "text {text:?}");
        all.sort_by_key(|(p, r)| (r.start, r.end, *p));
        all
    }

    #[test]
    fn lanes_find_what_one_plain_search_finds() {
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

    #[test]
    fn characters_sharing_a_class_are_told_apart() {
        let literals: Vec<String> =
            ["자유", "배고", "식량", "자", "難民", "ありがとう", "K팝"].map(String::from).to_vec();
        // Every Hangul syllable and thousands of Han and kana, whose bytes
        // share the DFA's classes with the literals' bytes, and each
        // literal once.
        let characters: Vec<char> =
            ('가'..='힣').chain('一'..'\u{5000}').chain('ぁ'..'ゟ').collect();
        for chunk in characters.chunks(997) {
            let piece: String = chunk.iter().collect::<String>() + " 자유 難民 ありがとう k팝";
            assert_eq!(found(&literals, &piece), plain(&literals, &piece));
        }
    }

    #[test]
    fn characters_folding_to_ascii_are_noticed() {
        let literals = vec!["son".to_owned(), "자유".to_owned()];
        for text in ["a ſon", "\u{212A}", "plain son", "자유", &"ſ son ".repeat(100)] {
            // `found` checks what `occurrences` says of them.
            assert_eq!(found(&literals, text), plain(&literals, text));
        }
    }
}
