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

/// A text with the byte offset of every code point, so that code-point
/// offsets (as codings store them) are turned into slices in constant time.
#[derive(Debug, Clone)]
pub struct TextIndex<'t> {
    text: &'t str,
    /// Byte offset of each code point, then the text's length.
    starts: Vec<usize>,
}

impl<'t> TextIndex<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        starts.push(text.len());
        TextIndex { text, starts }
    }

    /// The whole text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The number of code points.
    pub fn chars(&self) -> usize {
        self.starts.len() - 1
    }

    /// Code points `start..end` (clipped to the text).
    pub fn slice(&self, start: usize, end: usize) -> &'t str {
        let end = end.min(self.chars());
        let start = start.min(end);
        &self.text[self.starts[start]..self.starts[end]]
    }

    /// The code-point offset of byte `byte`, which must start a code point
    /// (or be the text's length).
    pub fn char_at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }

    /// The byte offset of code point `offset` (clipped to the text).
    pub fn byte_at(&self, offset: usize) -> usize {
        self.starts[offset.min(self.chars())]
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
    fn offsets_past_the_end_are_clipped() {
        let index = TextIndex::new("abc");
        let quote = Quote::new(&index, 2, 10);
        assert_eq!((quote.exact.as_str(), quote.suffix.as_str()), ("c", ""));
    }
}
