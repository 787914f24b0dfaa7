//! Plain text a transcriber typed, in UTF-8, UTF-16 (with its byte-order
//! mark, as Word's "Unicode text" and Notepad write) or Windows-1252:
//! decoded, then read as paragraphs separated by blank lines, each line of
//! which may start a turn.

use std::path::Path;

use qda_coding::TextEncoding;

use crate::error::{ConvertError, ConvertErrorKind, Place};
use crate::normalize::normalize_lines;
use crate::turns::{self, Piece};

/// The text of a file in one of the encodings read, and a note naming a
/// legacy encoding.
pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<(String, Option<String>), ConvertError> {
    let decoded = qda_coding::decode_text(path, bytes).map_err(|e| {
        let place = e.position.location.map_or(Place::File, Place::Text);
        let what = e.message.split(';').next().unwrap_or("the file").to_owned();
        ConvertError::new(
            ConvertErrorKind::Encoding,
            place,
            format!("{what}; save the file as UTF-8 text"),
        )
    })?;
    let note = match decoded.encoding {
        TextEncoding::Utf8 => None,
        other => Some(format!("decoded from {other}")),
    };
    Ok((decoded.text, note))
}

pub(crate) fn read(text: &str) -> Result<Vec<Piece>, ConvertError> {
    if text.trim_start_matches('\u{FEFF}').starts_with("+++") {
        return Err(ConvertError::new(
            ConvertErrorKind::AlreadyTranscript,
            Place::Text(qda_coding::Location { line: 1, column: 1 }),
            "this is already a qda transcript (it starts with front matter); copy it into the transcripts folder as it is",
        ));
    }
    let mut pieces = Vec::new();
    let mut paragraph: Vec<String> = Vec::new();
    for line in normalize_lines(text) {
        if line.is_empty() {
            if !paragraph.is_empty() {
                pieces.push(turns::paragraph(&std::mem::take(&mut paragraph), ""));
            }
        } else {
            paragraph.push(line);
        }
    }
    if !paragraph.is_empty() {
        pieces.push(turns::paragraph(&paragraph, ""));
    }
    Ok(pieces)
}
