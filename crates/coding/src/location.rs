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
pub fn locate(text: &str, offset: usize) -> Location {
    LineIndex::new(text).locate(text, offset)
}

/// The 1-based line of a CSV record that the csv crate says starts at byte
/// `byte` of `bytes`.
///
/// The csv crate's own line count (`Position::line`) is one short for every
/// record after the first in a file with CRLF line ends: it consumes only
/// the CR of a record's terminator and counts the LF as the first byte of
/// the next record. Counting line ends up to and including `byte` gives
/// the right line in CRLF and LF files alike. Use `Position::line` again
/// once the crate counts CRLF lines.
/// See: <https://github.com/BurntSushi/rust-csv/issues/395>
pub fn csv_record_line(bytes: &[u8], byte: u64) -> u64 {
    let end = usize::try_from(byte).map_or(bytes.len(), |b| (b + 1).min(bytes.len()));
    1 + memchr::memchr_iter(b'\n', &bytes[..end]).count() as u64
}

/// [`csv_record_line`] for the records of one file read in order: each call
/// counts line ends only from the previous record on, so numbering every
/// record costs one pass over the file rather than one pass per record.
#[derive(Debug)]
pub struct CsvLines<'a> {
    bytes: &'a [u8],
    /// The end of the bytes counted so far, and the line ends among them.
    counted: std::cell::Cell<(usize, u64)>,
    /// Bytes looked at, counting a byte again each time it is.
    #[cfg(test)]
    scanned: std::cell::Cell<usize>,
}

impl<'a> CsvLines<'a> {
    /// Line numbers of the records of `bytes`, nothing counted yet.
    pub fn new(bytes: &'a [u8]) -> Self {
        CsvLines {
            bytes,
            counted: std::cell::Cell::new((0, 0)),
            #[cfg(test)]
            scanned: std::cell::Cell::new(0),
        }
    }

    /// The 1-based line of the record that starts at byte `byte`, as
    /// [`csv_record_line`] gives it. A byte before the previous call's is
    /// counted again from the start of the file.
    pub fn line_of(&self, byte: u64) -> u64 {
        let end = usize::try_from(byte).map_or(self.bytes.len(), |b| (b + 1).min(self.bytes.len()));
        let (mut from, mut line_ends) = self.counted.get();
        if end < from {
            (from, line_ends) = (0, 0);
        }
        line_ends += memchr::memchr_iter(b'\n', &self.bytes[from..end]).count() as u64;
        self.counted.set((end, line_ends));
        #[cfg(test)]
        self.scanned.set(self.scanned.get() + (end - from));
        1 + line_ends
    }
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

    #[test]
    fn csv_record_lines_count_crlf_and_lf_alike() {
        for body in [&b"h1,h2\r\na,b\r\nc,d\r\n"[..], b"h1,h2\na,b\nc,d\n"] {
            let mut reader = csv::Reader::from_reader(body);
            let lines: Vec<u64> = reader
                .records()
                .map(|r| csv_record_line(body, r.unwrap().position().unwrap().byte()))
                .collect();
            assert_eq!(lines, [2, 3]);
        }
    }

    #[test]
    fn csv_lines_agree_with_counting_from_the_start_in_one_pass() {
        let body = b"h1,h2\r\na,\"b\nb\"\r\nc,d\r\n\r\ne,f\n";
        let lines = CsvLines::new(body);
        let starts: Vec<u64> = csv::Reader::from_reader(&body[..])
            .records()
            .map(|r| r.unwrap().position().unwrap().byte())
            .collect();
        for &start in &starts {
            assert_eq!(lines.line_of(start), csv_record_line(body, start));
        }
        // Every byte up to the last record's first is looked at once.
        assert_eq!(lines.scanned.get() as u64, starts.last().unwrap() + 1);
        // Going back counts again, and is still right.
        assert_eq!(lines.line_of(starts[0]), csv_record_line(body, starts[0]));
    }
}
