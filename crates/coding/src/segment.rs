//! Segments: the units a codebook codes (turns, paragraphs or sentences).
//!
//! Ids are stable as long as the transcript's turns do not move:
//! `P01:t12` is turn 12, `P01:t12.p2` its second paragraph, `P01:t12.s3` its
//! third sentence. Offsets are code points into the transcript's text, end
//! exclusive (as `REFI-QDA` and `QualCoder` count), with byte offsets beside them.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::rules::blank_timestamps;
use crate::transcript::Transcript;

/// What a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One speaker turn.
    #[default]
    Turn,
    /// A paragraph of a turn (separated by a blank line).
    Paragraph,
    /// A sentence, by Unicode sentence boundaries, within a paragraph.
    Sentence,
}

impl Unit {
    /// The name used in codebooks and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Turn => "turn",
            Unit::Paragraph => "paragraph",
            Unit::Sentence => "sentence",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "turn" => Ok(Unit::Turn),
            "paragraph" => Ok(Unit::Paragraph),
            "sentence" => Ok(Unit::Sentence),
            other => Err(format!("unknown unit `{other}`; use turn, paragraph or sentence")),
        }
    }
}

/// One segment of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Stable id, such as `P01:t12.p2`.
    pub id: String,
    /// The turn the segment belongs to (from 1).
    pub turn: usize,
    /// The speaker label of the turn.
    pub speaker: String,
    /// The first timestamp in the segment, or the last one before it.
    pub time: Option<String>,
    /// Start, in code points from the start of the text.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
    /// Byte range in the text.
    #[serde(skip)]
    pub bytes: Range<usize>,
    /// Line of the segment's first character, from 1.
    pub line: usize,
}

impl Segment {
    /// The segment's text.
    pub fn text<'t>(&self, transcript: &'t Transcript) -> &'t str {
        &transcript.text()[self.bytes.clone()]
    }
}

impl Transcript {
    /// The code-point span of every segment id of every unit, for checking
    /// codings made with any unit against the transcript.
    pub fn segment_spans(&self) -> std::collections::BTreeMap<String, (usize, usize)> {
        [Unit::Turn, Unit::Paragraph, Unit::Sentence]
            .into_iter()
            .flat_map(|unit| self.segments(unit))
            .map(|s| (s.id, (s.start, s.end)))
            .collect()
    }

    /// Splits the transcript into segments of `unit`, in text order.
    /// Turns without text give no segment.
    pub fn segments(&self, unit: Unit) -> Vec<Segment> {
        self.segment_iter(unit).collect()
    }

    /// As [`Transcript::segments`], one at a time: for a caller that keeps
    /// few of a long text's many segments.
    pub fn segment_iter(&self, unit: Unit) -> impl Iterator<Item = Segment> + '_ {
        let text = self.text();
        let case = self.case();
        let timestamps = self.timestamps();
        let mut bytes_counted = 0;
        let mut line = 1;
        self.segment_places(unit).map(move |place| {
            line += count_newlines(&text[bytes_counted..place.bytes.start]);
            let start_line = line;
            line += count_newlines(&text[place.bytes.clone()]);
            bytes_counted = place.bytes.end;
            let turn = &self.turns()[place.turn - 1];
            let time = segment_time(timestamps, &place.bytes)
                .map(|r| text[r.start + 1..r.end - 1].to_owned());
            Segment {
                id: place.id(case, unit),
                turn: place.turn,
                speaker: turn.speaker.clone(),
                time,
                start: place.start,
                end: place.end,
                bytes: place.bytes,
                line: start_line,
            }
        })
    }

    /// Where each segment of `unit` is, in text order: what coding needs of
    /// a segment, without its line, time or speaker, and with its id made
    /// only when asked for.
    pub(crate) fn segment_places(&self, unit: Unit) -> impl Iterator<Item = SegmentPlace> + '_ {
        let text = self.text();
        // The segment's number within its turn, for its id.
        let mut in_turn = (0, 0);
        let mut chars_before = 0;
        let mut bytes_counted = 0;
        self.segment_bytes(unit).into_iter().map(move |(turn, bytes)| {
            in_turn = if in_turn.0 == turn { (turn, in_turn.1 + 1) } else { (turn, 1) };
            chars_before += code_points(&text[bytes_counted..bytes.start]);
            let start = chars_before;
            let end = start + code_points(&text[bytes.clone()]);
            chars_before = end;
            bytes_counted = bytes.end;
            SegmentPlace { turn, in_turn: in_turn.1, bytes, start, end }
        })
    }

    /// The turn number and byte range of each segment of `unit`, in text
    /// order: what [`Transcript::segments`] gives, without ids, offsets in
    /// code points, lines or times.
    pub fn segment_bytes(&self, unit: Unit) -> Vec<(usize, Range<usize>)> {
        let text = self.text();
        let mut ranges = Vec::new();
        for turn in self.turns() {
            let number = turn.number;
            match unit {
                Unit::Turn => {
                    if let (Some(first), Some(last)) =
                        (turn.paragraphs.first(), turn.paragraphs.last())
                    {
                        ranges.push((number, first.start..last.end));
                    }
                }
                Unit::Paragraph => {
                    ranges.extend(turn.paragraphs.iter().map(|p| (number, p.clone())));
                }
                Unit::Sentence => {
                    for paragraph in &turn.paragraphs {
                        for sentence in sentences(&text[paragraph.clone()]) {
                            let range =
                                paragraph.start + sentence.start..paragraph.start + sentence.end;
                            ranges.push((number, range));
                        }
                    }
                }
            }
        }
        ranges
    }
}

/// Where a segment is (see [`Transcript::segment_places`]).
pub(crate) struct SegmentPlace {
    /// The turn's number (from 1).
    pub(crate) turn: usize,
    /// The segment's number within its turn (from 1).
    in_turn: usize,
    /// Byte range in the transcript text.
    pub(crate) bytes: Range<usize>,
    /// Start and end in code points of the transcript text.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl SegmentPlace {
    /// The segment's id in a transcript of `case` cut into `unit`s.
    pub(crate) fn id(&self, case: &str, unit: Unit) -> String {
        let mut id = String::new();
        self.write_id(case, unit, &mut id);
        id
    }

    /// As [`SegmentPlace::id`], into `id` (cleared first).
    pub(crate) fn write_id(&self, case: &str, unit: Unit, id: &mut String) {
        use std::fmt::Write;
        let (turn, n) = (self.turn, self.in_turn);
        id.clear();
        // Writing to a String cannot fail.
        let _ = match unit {
            Unit::Turn => write!(id, "{case}:t{turn}"),
            Unit::Paragraph => write!(id, "{case}:t{turn}.p{n}"),
            Unit::Sentence => write!(id, "{case}:t{turn}.s{n}"),
        };
    }
}

/// The text of `transcript` at `bytes` (a segment) with its timestamps
/// blanked, as [`blank_timestamps`] does, from the timestamps found when the
/// transcript was read rather than by searching again. A segment cut inside
/// a timestamp is searched as `blank_timestamps` would.
pub(crate) fn blanked(transcript: &Transcript, bytes: Range<usize>) -> Cow<'_, str> {
    let mut buffer = String::new();
    match blanked_in(transcript, bytes, &mut buffer) {
        Blanked::Unchanged(text) => Cow::Borrowed(text),
        Blanked::InBuffer => Cow::Owned(buffer),
    }
}

/// Where [`blanked_in`] left a segment's text.
pub(crate) enum Blanked<'t> {
    /// The segment has no timestamps: its text as it is.
    Unchanged(&'t str),
    /// In the buffer given.
    InBuffer,
}

/// As [`blanked`], into `buffer` when the text changes, so that the
/// segments of a transcript share one buffer.
pub(crate) fn blanked_in<'t>(
    transcript: &'t Transcript,
    bytes: Range<usize>,
    buffer: &mut String,
) -> Blanked<'t> {
    let text = &transcript.text()[bytes.clone()];
    let stamps = transcript.timestamps();
    let from = stamps.partition_point(|stamp| stamp.end <= bytes.start);
    let until = stamps.partition_point(|stamp| stamp.start < bytes.end);
    let inside = &stamps[from..until];
    if inside.is_empty() {
        return Blanked::Unchanged(text);
    }
    buffer.clear();
    if inside.iter().any(|stamp| stamp.start < bytes.start || stamp.end > bytes.end) {
        buffer.push_str(&blank_timestamps(text));
        return Blanked::InBuffer;
    }
    let mut at = bytes.start;
    for stamp in inside {
        buffer.push_str(&transcript.text()[at..stamp.start]);
        buffer.extend(std::iter::repeat_n(' ', stamp.len()));
        at = stamp.end;
    }
    buffer.push_str(&transcript.text()[at..bytes.end]);
    Blanked::InBuffer
}

/// The number of code points in `text`, counted with SIMD (the bytecount
/// crate): every segment of a transcript is counted, for its offsets.
pub(crate) fn code_points(text: &str) -> usize {
    bytecount::num_chars(text.as_bytes())
}

/// The number of line breaks in `text`, counted with the memchr crate's
/// vectorised count rather than one search per line break.
fn count_newlines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

/// The first timestamp inside `bytes`, else the last one before it.
/// `timestamps` are sorted byte ranges.
fn segment_time<'t>(
    timestamps: &'t [Range<usize>],
    bytes: &Range<usize>,
) -> Option<&'t Range<usize>> {
    let next = timestamps.partition_point(|r| r.start < bytes.start);
    match timestamps.get(next) {
        Some(inside) if inside.start < bytes.end => Some(inside),
        _ => next.checked_sub(1).map(|i| &timestamps[i]),
    }
}

/// Byte ranges of the sentences of one paragraph, trimmed of white space.
///
/// A paragraph's single line breaks are read as spaces first: UAX #29 ends a
/// sentence at every line break, but a transcript wraps sentences across lines.
fn sentences(paragraph: &str) -> Vec<Range<usize>> {
    let flat: String =
        paragraph.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    flat.split_sentence_bound_indices()
        .filter_map(|(start, sentence)| {
            let leading = sentence.len() - sentence.trim_start().len();
            let trimmed = sentence.trim();
            (!trimmed.is_empty()).then(|| start + leading..start + leading + trimmed.len())
        })
        .collect()
}
