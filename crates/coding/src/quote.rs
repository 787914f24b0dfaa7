//! Quotes: what a coding covers, stored beside its offsets so that the
//! coding can be found again after the transcript is edited.
//!
//! A quote is the covered text with a short prefix and suffix, as the W3C
//! Web Annotation `TextQuoteSelector` has it (and as Hypothesis uses it to
//! re-anchor annotations). Offsets alone stop meaning anything once a
//! character is inserted before them; the quote says what was meant.
//! See: <https://www.w3.org/TR/annotation-model/#text-quote-selector>

use serde::{Deserialize, Serialize};

/// Code points of context kept on each side of a quote.
pub const QUOTE_CONTEXT: usize = 32;

/// The text a coding covers, with the text just before and after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The covered text, exactly.
    pub exact: String,
    /// Up to [`QUOTE_CONTEXT`] code points before it.
    #[serde(default)]
    pub prefix: String,
    /// Up to [`QUOTE_CONTEXT`] code points after it.
    #[serde(default)]
    pub suffix: String,
}

impl Quote {
    /// The quote of code points `start..end` of the indexed text. Offsets
    /// past the end are clipped to it.
    pub fn new(text: &TextIndex<'_>, start: usize, end: usize) -> Quote {
        let end = end.min(text.chars());
        let start = start.min(end);
        Quote {
            exact: text.slice(start, end).to_owned(),
            prefix: text.slice(start.saturating_sub(QUOTE_CONTEXT), start).to_owned(),
            suffix: text.slice(end, (end + QUOTE_CONTEXT).min(text.chars())).to_owned(),
        }
    }
}

/// Code points between two marks of a [`TextIndex`].
const MARK_EVERY: usize = 64;

/// A text with the byte offset of every 64th code point, so that code-point
/// offsets (as codings store them) are turned into slices by reading at
/// most 63 code points, with an index of an eighth of a byte per byte of
/// text (a byte offset per code point was eight times the text).
#[derive(Debug, Clone)]
pub struct TextIndex<'t> {
    text: &'t str,
    /// The number of code points.
    chars: usize,
    /// Byte offset of code points 0, 64, 128 ...
    marks: Vec<usize>,
}

impl<'t> TextIndex<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        let mut marks = Vec::with_capacity(text.len() / MARK_EVERY + 1);
        let mut chars = 0;
        for (i, _) in text.char_indices() {
            if chars % MARK_EVERY == 0 {
                marks.push(i);
            }
            chars += 1;
        }
        TextIndex { text, chars, marks }
    }

    /// The whole text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The number of code points.
    pub fn chars(&self) -> usize {
        self.chars
    }

    /// Code points `start..end` (clipped to the text).
    pub fn slice(&self, start: usize, end: usize) -> &'t str {
        let end = end.min(self.chars());
        let start = start.min(end);
        &self.text[self.byte_at(start)..self.byte_at(end)]
    }

    /// The code-point offset of byte `byte`, which must start a code point
    /// (or be the text's length): the number of code points that start
    /// before it.
    pub fn char_at(&self, byte: usize) -> usize {
        let Some(mark) = self.marks.partition_point(|&b| b < byte).checked_sub(1) else {
            return 0;
        };
        let base = self.marks[mark];
        let after = self.text[base..].char_indices().take_while(|(i, _)| base + i < byte).count();
        mark * MARK_EVERY + after
    }

    /// The byte offset of code point `offset` (clipped to the text).
    pub fn byte_at(&self, offset: usize) -> usize {
        if offset >= self.chars {
            return self.text.len();
        }
        let base = self.marks[offset / MARK_EVERY];
        let rest = offset % MARK_EVERY;
        self.text[base..].char_indices().nth(rest).map_or(self.text.len(), |(i, _)| base + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_counts_code_points_and_clips_context() {
        let text = "가나다 freedom 라마";
        let index = TextIndex::new(text);
        let quote = Quote::new(&index, 4, 11);
        assert_eq!(quote.exact, "freedom");
        assert_eq!(quote.prefix, "가나다 ");
        assert_eq!(quote.suffix, " 라마");
        assert_eq!(index.char_at(index.byte_at(4)), 4);
    }

    #[test]
    fn offsets_match_a_full_index_across_marks() {
        let text: String = (0..300).map(|i| if i % 3 == 0 { '가' } else { 'a' }).collect();
        let index = TextIndex::new(&text);
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        assert_eq!(index.chars(), 300);
        for (point, &byte) in starts.iter().enumerate() {
            assert_eq!(index.byte_at(point), byte, "{point}");
            assert_eq!(index.char_at(byte), point, "{byte}");
        }
        assert_eq!(index.slice(63, 66), &text[starts[63]..starts[66]]);
        assert_eq!(TextIndex::new("").char_at(0), 0);
        assert_eq!(TextIndex::new("").byte_at(3), 0);
    }

    #[test]
    fn offsets_past_the_end_are_clipped() {
        let index = TextIndex::new("abc");
        let quote = Quote::new(&index, 2, 10);
        assert_eq!((quote.exact.as_str(), quote.suffix.as_str()), ("c", ""));
    }
}
