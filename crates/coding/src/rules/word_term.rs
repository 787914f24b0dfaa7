//! Locating a match of a word or phrase written in ASCII straight from an
//! occurrence of its literal, without its regex.
//!
//! Such a term's regex is its words, escaped, joined by `\s+`, with `\w*`
//! for a `*` at either end. Once the prefilter has found one of its words
//! (the literal), the rest is a few byte comparisons around it: the words
//! before and after it across white space, and the runs of word characters
//! a `*` stands for. This gives the same match as the regex: a text with a
//! character that folds to an ASCII letter (`ſ`, the Kelvin sign) never
//! comes here (the rule engine searches every pattern with its regex then),
//! so ASCII case-insensitive comparison is the regex's case folding.

use std::ops::Range;

use super::{is_word, on_boundaries};
use crate::term::{Anchor, Term, split_wildcards};

/// A word or phrase in ASCII, ready to be located from its literal.
#[derive(Debug, Clone)]
pub(super) struct WordTerm {
    /// The words, as written (compared ASCII case-insensitively).
    words: Vec<Box<[u8]>>,
    /// Which word the prefilter's literal is.
    literal: usize,
    /// A `*` at the start: any run of word characters before the first word.
    prefix_wildcard: bool,
    /// A `*` at the end: any run of word characters after the last word.
    suffix_wildcard: bool,
}

impl WordTerm {
    /// The term's words, when it is a word or phrase all in ASCII whose
    /// literal is one of its words and whose match is not the literal alone.
    pub(super) fn of(term: &Term) -> Option<Self> {
        if term.is_regex || !term.text.is_ascii() {
            return None;
        }
        let literal = match term.literal.as_ref()?.anchor {
            Anchor::Start => 0,
            Anchor::InWord(word) => word,
            Anchor::Whole | Anchor::Inside => return None,
        };
        let (core, (prefix_wildcard, suffix_wildcard)) = split_wildcards(&term.text);
        let words: Vec<Box<[u8]>> =
            core.split_ascii_whitespace().map(|w| w.as_bytes().into()).collect();
        (literal < words.len()).then_some(WordTerm {
            words,
            literal,
            prefix_wildcard,
            suffix_wildcard,
        })
    }

    /// The match on word boundaries in which `occurrence` (an occurrence of
    /// the literal in `text`) is the literal's word, if there is one.
    pub(super) fn locate(&self, text: &str, occurrence: Range<usize>) -> Option<Range<usize>> {
        let bytes = text.as_bytes();
        let mut start = occurrence.start;
        for word in self.words[..self.literal].iter().rev() {
            let gap = white_space_before(text, start);
            if gap == start {
                return None;
            }
            let begin = gap.checked_sub(word.len())?;
            if !bytes[begin..gap].eq_ignore_ascii_case(word) {
                return None;
            }
            start = begin;
        }
        if self.prefix_wildcard {
            start = word_characters_before(text, start);
        }
        let mut end = occurrence.end;
        for word in &self.words[self.literal + 1..] {
            let gap = white_space_after(text, end);
            if gap == end {
                return None;
            }
            let stop = gap + word.len();
            if !bytes.get(gap..stop).is_some_and(|found| found.eq_ignore_ascii_case(word)) {
                return None;
            }
            end = stop;
        }
        if self.suffix_wildcard {
            end = word_characters_after(text, end);
        }
        // A matched word is ASCII, so `start` and `end` are on characters.
        on_boundaries(text, start..end).then_some(start..end)
    }
}

/// Where the run of white space (Unicode's, as `\s` has it) that ends at
/// byte `at` starts; `at` when there is none.
fn white_space_before(text: &str, at: usize) -> usize {
    let run: usize =
        text[..at].chars().rev().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum();
    at - run
}

/// Where the run of white space that starts at byte `at` ends.
fn white_space_after(text: &str, at: usize) -> usize {
    let run: usize = text[at..].chars().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum();
    at + run
}

/// Where the run of word characters (`\w`) that ends at byte `at` starts.
fn word_characters_before(text: &str, at: usize) -> usize {
    let run: usize = text[..at].chars().rev().take_while(|&c| is_word(c)).map(char::len_utf8).sum();
    at - run
}

/// Where the run of word characters that starts at byte `at` ends.
fn word_characters_after(text: &str, at: usize) -> usize {
    let run: usize = text[at..].chars().take_while(|&c| is_word(c)).map(char::len_utf8).sum();
    at + run
}
