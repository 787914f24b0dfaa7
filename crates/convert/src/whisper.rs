//! Whisper's JSON output (`whisper --output_format json`) and WhisperX's
//! (which adds `speaker` to each segment after diarisation): each segment
//! becomes a [`Piece::Cue`].

use serde_json::Value;

use crate::Location;
use crate::error::{ConvertError, ConvertErrorKind, Place};
use crate::turns::Piece;

pub(crate) fn read(text: &str) -> Result<(Vec<Piece>, Vec<String>), ConvertError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ConvertError::new(
            ConvertErrorKind::Damaged,
            Place::Text(Location { line: e.line().max(1), column: e.column().max(1) }),
            format!("not valid JSON: {e}"),
        )
    })?;
    let Some(segments) = value.get("segments").and_then(Value::as_array) else {
        return Err(ConvertError::new(
            ConvertErrorKind::WrongKind,
            Place::File,
            "JSON, but not a Whisper transcript: it has no `segments` list (write Whisper's output with --output_format json)",
        ));
    };
    let mut pieces = Vec::new();
    let mut speakers = 0;
    for (number, segment) in (1..).zip(segments) {
        let bad = |what: &str| {
            ConvertError::new(
                ConvertErrorKind::Damaged,
                Place::File,
                format!("segment {number} of `segments` {what}"),
            )
        };
        let text =
            segment.get("text").and_then(Value::as_str).ok_or_else(|| bad("has no `text`"))?;
        let start = match segment.get("start") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_f64()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| bad("has a `start` that is not a number of seconds"))?,
            ),
        };
        let speaker = segment.get("speaker").and_then(Value::as_str).map(str::to_owned);
        speakers += usize::from(speaker.is_some());
        pieces.push(Piece::Cue { line: 0, start, speaker, text: text.to_owned() });
    }
    if pieces.is_empty() {
        return Err(ConvertError::new(
            ConvertErrorKind::Empty,
            Place::File,
            "the transcript has no segments",
        ));
    }
    let note = if speakers > 0 {
        format!(
            "{} segment(s), {speakers} with a diarised `speaker` (as WhisperX writes)",
            pieces.len()
        )
    } else {
        format!("{} segment(s), no speakers (plain Whisper)", pieces.len())
    };
    Ok((pieces, vec![note]))
}
