//! How a tool counted `startPosition` / `endPosition`, and converting its
//! positions to code points of the text as qda reads it (no BOM, LF).
//!
//! The standard says Unicode code points (REFI-QDA 1.5, 10.2). `NVivo` counts
//! UTF-16 code units and, on Windows, CRLF as two; ATLAS.ti writes CRLF but
//! counts a line end as one. The model is chosen per source: the one under
//! which every selection fits the text, then the one whose selections match
//! the selected text the file records (`name`), then the one whose
//! selections start and end between words, then by the writing tool.

use std::fmt;

/// A way of counting positions in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Code points, CRLF counted as 2 (the standard's model).
    CodePoints,
    /// Code points, CRLF counted as 1 (ATLAS.ti).
    CodePointsCrlfAsOne,
    /// UTF-16 code units, CRLF counted as 2 (`NVivo`).
    Utf16,
    /// UTF-16 code units, CRLF counted as 1.
    Utf16CrlfAsOne,
}

impl Counting {
    /// Says how positions were counted; line ends are mentioned only for a
    /// text that has CRLF.
    pub fn describe(self, crlf: bool) -> String {
        let (units, two) = match self {
            Counting::CodePoints => ("Unicode code points (as the standard says)", true),
            Counting::CodePointsCrlfAsOne => ("Unicode code points", false),
            Counting::Utf16 => ("UTF-16 code units (as NVivo counts)", true),
            Counting::Utf16CrlfAsOne => ("UTF-16 code units", false),
        };
        match (crlf, two) {
            (false, _) => units.to_owned(),
            (true, true) => format!("{units}, CRLF counted as two"),
            (true, false) => format!("{units}, CRLF counted as one"),
        }
    }
}

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(true))
    }
}

const ALL: [Counting; 4] = [
    Counting::CodePoints,
    Counting::CodePointsCrlfAsOne,
    Counting::Utf16,
    Counting::Utf16CrlfAsOne,
];

/// Positions of one counting model mapped to code points of the LF text:
/// only the positions asked for are kept, so the memory is that of the
/// selections, not of the text.
pub(crate) struct Map {
    /// Each position asked for, in order, with the code point it lands on
    /// in the LF text and that code point's byte offset in the text as
    /// written (before line ends become LF), or `None` inside a
    /// character (half a surrogate pair, between CR and LF). A position
    /// beyond the text is left out.
    positions: Vec<(u64, Option<(usize, usize)>)>,
}

/// Walks positions in order, keeping the ones asked for.
struct Walk<'a> {
    wanted: &'a [u64],
    next: usize,
    position: u64,
    found: Vec<(u64, Option<(usize, usize)>)>,
}

impl Walk<'_> {
    fn emit(&mut self, value: Option<(usize, usize)>) {
        if self.wanted.get(self.next) == Some(&self.position) {
            self.found.push((self.position, value));
            self.next += 1;
        }
        self.position += 1;
    }

    fn done(&self) -> bool {
        self.next >= self.wanted.len()
    }
}

impl Map {
    /// The map of the positions `wanted` (any order, repeats allowed).
    fn new(raw: &str, counting: Counting, wanted: &[u64]) -> Self {
        let utf16 = matches!(counting, Counting::Utf16 | Counting::Utf16CrlfAsOne);
        let crlf_one = matches!(counting, Counting::CodePointsCrlfAsOne | Counting::Utf16CrlfAsOne);
        let mut sorted = wanted.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut walk = Walk { wanted: &sorted, next: 0, position: 0, found: Vec::new() };
        let (mut lf, mut byte) = (0, 0);
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if walk.done() {
                break;
            }
            if c == '\r' && chars.peek() == Some(&'\n') {
                walk.emit(Some((lf, byte)));
                if !crlf_one {
                    walk.emit(None);
                }
                chars.next();
                lf += 1;
                byte += 2;
                continue;
            }
            walk.emit(Some((lf, byte)));
            if utf16 && c.len_utf16() == 2 {
                walk.emit(None);
            }
            lf += 1;
            byte += c.len_utf8();
        }
        if chars.peek().is_none() {
            walk.emit(Some((lf, byte)));
        }
        Map { positions: walk.found }
    }

    /// The code point of a position asked for, when it falls on a character
    /// boundary.
    pub(crate) fn get(&self, position: u64) -> Option<usize> {
        self.at(position).map(|(point, _)| point)
    }

    /// The code point of a position asked for and its byte offset in the
    /// text as written, when it falls on a character boundary.
    fn at(&self, position: u64) -> Option<(usize, usize)> {
        let i = self.positions.binary_search_by_key(&position, |(p, _)| *p).ok()?;
        self.positions[i].1
    }
}

/// For each code point of `text` and its end, the UTF-16 code units
/// before it: the position `NVivo` gives it.
pub(crate) fn utf16_units(text: &str) -> Vec<u64> {
    let mut units = Vec::with_capacity(text.len() + 1);
    let mut n: u64 = 0;
    for c in text.chars() {
        units.push(n);
        n += c.len_utf16() as u64;
    }
    units.push(n);
    units
}

/// A selection to place: its positions and the text the tool recorded.
pub(crate) struct Probe<'a> {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) name: Option<&'a str>,
}

/// Picks the counting model for a source. `raw` is the source text without
/// a BOM, line ends as written (no LF copy of it is made); `origin` the
/// writing tool.
pub(crate) fn choose(raw: &str, probes: &[Probe<'_>], origin: &str) -> (Counting, Map, bool) {
    let origin = origin.to_ascii_lowercase();
    let preference: [Counting; 4] = if origin.contains("nvivo") {
        [
            Counting::Utf16,
            Counting::Utf16CrlfAsOne,
            Counting::CodePoints,
            Counting::CodePointsCrlfAsOne,
        ]
    } else if origin.contains("atlas") {
        [
            Counting::CodePointsCrlfAsOne,
            Counting::CodePoints,
            Counting::Utf16CrlfAsOne,
            Counting::Utf16,
        ]
    } else {
        ALL
    };
    type Scored = ((usize, usize, usize, usize), Counting, Map);
    let mut best: Option<Scored> = None;
    let wanted: Vec<u64> = probes.iter().flat_map(|p| [p.start, p.end]).collect();
    for (rank, counting) in preference.into_iter().enumerate() {
        let map = Map::new(raw, counting, &wanted);
        let (mut fits, mut names, mut words) = (0, 0, 0);
        for p in probes {
            let (Some((s, s_byte)), Some((e, e_byte))) = (map.at(p.start), map.at(p.end)) else {
                continue;
            };
            if s > e {
                continue;
            }
            fits += 1;
            if p.name.is_some_and(|n| name_matches(n, &raw[s_byte..e_byte])) {
                names += 1;
            }
            // CR, like the LF it becomes, is no part of a word.
            let word = |byte: usize| {
                let before = raw[..byte].chars().next_back();
                let after = raw[byte..].chars().next();
                before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric)
            };
            if !word(s_byte) && !word(e_byte) {
                words += 1;
            }
        }
        let score = (fits, names, words, usize::MAX - rank);
        if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
            best = Some((score, counting, map));
        }
    }
    let ((fits, ..), counting, map) = best.expect("four models were tried");
    // Whether the choice mattered: a CR or a character outside the BMP.
    let ambiguous = raw.contains('\r') || raw.chars().any(|c| c.len_utf16() == 2);
    (counting, map, ambiguous && fits > 0)
}

/// Whether `selected` (line ends as written) is the text a tool recorded
/// as a selection's name (ATLAS.ti truncates long ones with `…`). The
/// selection is compared with its line ends as LF, without a copy.
pub(crate) fn name_matches(name: &str, selected: &str) -> bool {
    let name = name.replace("\r\n", "\n");
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    // Line ends are white space: trimming before or after making them LF
    // leaves the same text.
    let mut selected = lf_chars(selected.trim());
    match name.strip_suffix('…') {
        Some(prefix) => prefix.trim_end().chars().all(|c| selected.next() == Some(c)),
        None => selected.eq(name.chars()),
    }
}

/// The characters of `text` with CRLF and a lone CR read as LF.
fn lf_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        if c == '\r' {
            chars.next_if_eq(&'\n');
            return Some('\n');
        }
        Some(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_after_an_emoji_are_found() {
        // "a😀 word" : UTF-16 puts "word" at 4..8, code points at 3..7.
        let raw = "a\u{1F600} word and more";
        let probes = [Probe { start: 4, end: 8, name: None }];
        let (counting, map, _) = choose(raw, &probes, "NVivo for Mac 12.7.0");
        assert_eq!(counting, Counting::Utf16);
        let text: Vec<char> = raw.chars().collect();
        let (s, e) = (map.get(4).unwrap(), map.get(8).unwrap());
        assert_eq!(text[s..e].iter().collect::<String>(), "word");
    }

    #[test]
    fn crlf_counted_as_two_or_one_is_told_apart_by_the_selected_text() {
        let raw = "one\r\ntwo\r\nthree";
        // CRLF as 2: "three" is 10..15; as 1: 8..13.
        let two = [Probe { start: 10, end: 15, name: Some("three") }];
        assert_eq!(choose(raw, &two, "").0, Counting::CodePoints);
        let one = [Probe { start: 8, end: 13, name: Some("three") }];
        assert_eq!(choose(raw, &one, "").0, Counting::CodePointsCrlfAsOne);
    }

    #[test]
    fn utf16_units_count_characters_outside_the_bmp_twice() {
        // a, 😀, space, 𠀋 (U+2000B), b
        assert_eq!(utf16_units("a\u{1F600} \u{2000B}b"), [0, 1, 3, 4, 6, 7]);
        assert_eq!(utf16_units(""), [0]);
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_does_not_fit() {
        let map = Map::new("\u{1F600}x", Counting::Utf16, &[9, 2, 1, 2]);
        assert_eq!(map.get(1), None);
        assert_eq!(map.get(2), Some(1));
        assert_eq!(map.get(9), None);
    }

    #[test]
    fn names_match_selections_whose_line_ends_are_crlf_or_cr() {
        assert!(name_matches("one\r\ntwo", "one\r\ntwo"));
        assert!(name_matches("one\ntwo", " one\rtwo\r\n"));
        assert!(name_matches("one\ntw…", "one\r\ntwo"));
        assert!(!name_matches("one\n\ntwo", "one\r\ntwo"));
        assert!(!name_matches("one\ntwo", "one\r\ntwo three"));
    }

    #[test]
    fn truncated_names_match_by_prefix() {
        let text = "For some reason babies";
        assert!(name_matches("For some…", text));
        assert!(!name_matches("For none…", text));
    }
}
