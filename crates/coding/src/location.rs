//! Byte offsets to line and column numbers, for error messages and reports.
//!
//! Lines and columns are 1-based; a column counts Unicode code points, which is
//! what editors show for UTF-8 text.

use std::fmt;

/// A 1-based line and column (in code points) in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in code points, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Maps byte offsets of one text to [`Location`]s.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// The location of byte `offset` in `text` (the text this index was built from).
    pub(crate) fn locate(&self, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Location { line: line + 1, column }
    }
}

/// The location of byte `offset` in `text`, without building an index.
pub(crate) fn locate(text: &str, offset: usize) -> Location {
    LineIndex::new(text).locate(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_code_points() {
        let text = "ab\n자유를 x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.locate(text, 0), Location { line: 1, column: 1 });
        assert_eq!(index.locate(text, 3), Location { line: 2, column: 1 });
        // "자유를 " is 3 Hangul syllables (9 bytes) and a space.
        assert_eq!(index.locate(text, 3 + 10), Location { line: 2, column: 5 });
        assert_eq!(index.locate(text, text.len()), Location { line: 3, column: 1 });
    }
}
