//! The encodings of CSV files that spreadsheets save: UTF-8 ("CSV UTF-8"),
//! Windows-1252 (what Excel writes for plain "CSV" in Western locales) and
//! UTF-16 ("Unicode text"). Coding sheets, `cases.csv` and pseudonym tables
//! are decoded here before they are parsed, so a file saved the wrong way
//! gets a warning naming its encoding instead of a misleading CSV error.

use std::fmt;
use std::path::Path;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::error::{ErrorKind, Position, TranscriptError};
use crate::location::Location;

/// The encoding a CSV file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// Windows-1252, Excel's "CSV" in Western European and American locales.
    Windows1252,
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16 (little-endian)",
            TextEncoding::Utf16Be => "UTF-16 (big-endian)",
            TextEncoding::Windows1252 => "Windows-1252",
        })
    }
}

/// A CSV file's text, and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding the bytes were in.
    pub encoding: TextEncoding,
}

/// What to tell a person whose file is in no encoding qda reads.
pub const SAVE_AS_CSV_UTF8: &str = "save it as \"CSV UTF-8\" (Excel: File > Save As > \"CSV UTF-8 (Comma delimited)\"; LibreOffice: Save As > Text CSV, character set \"Unicode (UTF-8)\")";

/// Decodes a CSV file's bytes: UTF-8 when they are valid UTF-8, UTF-16 when
/// they carry its byte-order mark (or NUL bytes in every other place, as
/// UTF-16 without a mark has), else Windows-1252.
///
/// Windows-1252 gives every byte a character, so it is accepted only for
/// text that is plausibly Windows-1252: no NUL or other control bytes but
/// tab and line ends, none of the five bytes it leaves undefined, and no
/// run of bytes that is itself valid multi-byte UTF-8 (a UTF-8 file with a
/// damaged byte would otherwise turn every accented letter into noise).
///
/// # Errors
/// Bytes that are text in none of these encodings, with the line and
/// column of the first bad byte and how to save the file as UTF-8.
pub fn decode_text(path: &Path, bytes: &[u8]) -> Result<DecodedText, TranscriptError> {
    let error = |location: Location, what: String| TranscriptError {
        kind: ErrorKind::Encoding,
        position: Position { path: path.to_owned(), location: Some(location) },
        message: format!("{what} is not text in UTF-8, UTF-16 or Windows-1252; {SAVE_AS_CSV_UTF8}"),
    };
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(DecodedText { text: text.to_owned(), encoding: TextEncoding::Utf8 }),
            Err(e) => {
                let at = e.valid_up_to();
                Err(error(location_at(&body[..at]), format!("byte 0x{:02X}", body[at])))
            }
        };
    }
    if let Some(encoding) = utf16(bytes) {
        let (decoder, name) = match encoding {
            TextEncoding::Utf16Be => (UTF_16BE, encoding),
            _ => (UTF_16LE, encoding),
        };
        let (text, malformed) = decoder.decode_with_bom_removal(bytes);
        if malformed {
            let at = text.find('\u{FFFD}').unwrap_or(text.len());
            return Err(error(
                location_at(text[..at].as_bytes()),
                format!("a character of this {name} file"),
            ));
        }
        return Ok(DecodedText { text: text.into_owned(), encoding: name });
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(DecodedText { text: text.to_owned(), encoding: TextEncoding::Utf8 }),
        Err(e) => e,
    };
    let bad = bytes.iter().position(|&b| {
        matches!(b, 0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F | 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
    });
    if let Some(at) = bad.or_else(|| has_utf8_sequence(bytes).then(|| utf8_error.valid_up_to())) {
        return Err(error(location_at(&bytes[..at]), format!("byte 0x{:02X}", bytes[at])));
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok(DecodedText { text: text.into_owned(), encoding: TextEncoding::Windows1252 })
}

/// The UTF-16 byte order of `bytes`, when they are UTF-16 text.
fn utf16(bytes: &[u8]) -> Option<TextEncoding> {
    match crate::transcript::utf16_encoding(bytes)? {
        "UTF-16 (big-endian)" => Some(TextEncoding::Utf16Be),
        _ => Some(TextEncoding::Utf16Le),
    }
}

/// Whether `bytes` hold a valid multi-byte UTF-8 sequence.
fn has_utf8_sequence(bytes: &[u8]) -> bool {
    bytes.windows(2).enumerate().any(|(i, pair)| {
        let len = match pair[0] {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return false,
        };
        bytes.get(i..i + len).is_some_and(|seq| std::str::from_utf8(seq).is_ok())
    })
}

/// The line and column just after `before` (the text up to a bad byte),
/// counting characters of its valid UTF-8 or, failing that, bytes.
fn location_at(before: &[u8]) -> Location {
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let tail = &before[start..];
    let column = std::str::from_utf8(tail).map_or(tail.len(), |s| s.chars().count()) + 1;
    Location { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<DecodedText, TranscriptError> {
        decode_text(Path::new("sheet.csv"), bytes)
    }

    #[test]
    fn utf8_is_read_as_it_is_without_its_mark() {
        let decoded = decode("\u{FEFF}case,memo\nA,자유\n".as_bytes()).unwrap();
        assert_eq!(decoded.text, "case,memo\nA,자유\n");
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
    }

    #[test]
    fn excel_csv_is_read_as_windows_1252() {
        let decoded = decode(b"case,memo\nA,caf\xE9 \x93quoted\x94\n").unwrap();
        assert_eq!(decoded.text, "case,memo\nA,café \u{201C}quoted\u{201D}\n");
        assert_eq!(decoded.encoding, TextEncoding::Windows1252);
    }

    #[test]
    fn utf16_is_read_with_or_without_its_mark() {
        let le: Vec<u8> =
            "\u{FEFF}case,memo\n자유\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let decoded = decode(&le).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            ("case,memo\n자유\n", TextEncoding::Utf16Le)
        );
        let be: Vec<u8> = "case,memo\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be).unwrap().encoding, TextEncoding::Utf16Be);
    }

    #[test]
    fn bytes_text_in_no_encoding_are_an_error_with_their_place() {
        let err = decode(b"case,memo\nA,ok\x81\n").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Encoding);
        assert_eq!(err.position.location, Some(Location { line: 2, column: 5 }));
        assert!(err.message.starts_with("byte 0x81 is not text"), "{}", err.message);
        // A UTF-8 file with one damaged byte is not read as Windows-1252.
        let damaged = [&b"case,memo\nA,"[..], "자유".as_bytes(), b"\xFF\n"].concat();
        let err = decode(&damaged).unwrap_err();
        assert_eq!(err.position.location, Some(Location { line: 2, column: 5 }));
    }
}
