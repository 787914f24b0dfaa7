//! Coding sheets: CSV files a spreadsheet opens, one row per codable
//! segment, with a column for a coder's codes.

/// The delimiter of a CSV file: `;` when the header line has more semicolons
/// than commas (as spreadsheets in many European locales save), else `,`.
pub(crate) fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    if count(b';') > count(b',') { b';' } else { b',' }
}
