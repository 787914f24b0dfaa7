//! Coding sheets: CSV files a spreadsheet opens, one row per codable
//! segment, with a column for a coder's codes.
//!
//! Columns: `case, segment, speaker, time, text, suggested, codes, memo,
//! transcript, sha256`. `suggested` holds the rules' codes; the coder writes
//! codes into `codes`, several separated by `;`. `transcript` and `sha256`
//! tie each row to the exact transcript file it was made from.
//!
//! A blind sheet (`qda sheet --blind`) has no `suggested` column, so a
//! second coder is not anchored by the rules, and adds the interviewer's
//! turns as context rows whose `codes` cell says they are not coded; its
//! last column, `blind`, tells `qda import-sheet` to record the coding as
//! blind.

/// The columns of a coding sheet, in order.
pub(crate) const COLUMNS: [&str; 10] = [
    "case",
    "segment",
    "speaker",
    "time",
    "text",
    "suggested",
    "codes",
    "memo",
    "transcript",
    "sha256",
];

/// The columns of a blind coding sheet, in order.
pub(crate) const BLIND_COLUMNS: [&str; 10] = [
    "case",
    "segment",
    "speaker",
    "time",
    "text",
    "codes",
    "memo",
    "transcript",
    "sha256",
    "blind",
];

/// The `codes` cell of an interviewer's turn on a blind sheet.
pub(crate) const CONTEXT_ONLY: &str = "(interviewer: context only, not coded)";

/// Columns a filled sheet must keep.
pub(crate) const REQUIRED: [&str; 5] = ["case", "segment", "codes", "transcript", "sha256"];

/// The delimiter of a CSV file: `;` when the header line has more semicolons
/// than commas (as spreadsheets in many European locales save), else `,`.
pub(crate) fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    if count(b';') > count(b',') { b';' } else { b',' }
}

/// The code ids in a `codes` cell: separated by `;`, `,` or line breaks.
pub(crate) fn split_codes(cell: &str) -> Vec<&str> {
    let mut codes: Vec<&str> =
        cell.split([';', ',', '\n', '\r']).map(str::trim).filter(|c| !c.is_empty()).collect();
    codes.dedup();
    codes
}

/// A column's name as spreadsheets show it: A, B, ..., Z, AA, AB, ...
pub(crate) fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.iter().rev().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter(b"case;segment;codes\nP01;P01:t2;a,b\n"), b';');
        assert_eq!(sniff_delimiter(b"case,segment,codes\n"), b',');
    }

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        let letters: Vec<String> = [0, 6, 25, 26, 27, 701, 702].map(column_letter).into();
        assert_eq!(letters, ["A", "G", "Z", "AA", "AB", "ZZ", "AAA"]);
    }

    #[test]
    fn codes_split_on_semicolons_commas_and_lines() {
        assert_eq!(
            split_codes(" freedom; survival ,broker\ncourt;"),
            ["freedom", "survival", "broker", "court"]
        );
        assert!(split_codes("  ").is_empty());
    }
}
