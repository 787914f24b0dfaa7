//! Parsing transcripts: front matter, speaker turns, paragraphs.
//!
//! A transcript's *text* is the file decoded as UTF-8, without a byte-order
//! mark and with CRLF line ends read as LF. Every offset qda reports (segments,
//! codings) points into that text, so a file saved with Windows line ends
//! gives the same offsets as the same file saved on Linux. The SHA-256 is of
//! the file's bytes as they are, so any change to the file is noticed.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::attributes::{AttributeValue, Attributes};
use crate::doc::{self, Syntax, Value};
use crate::error::{ErrorKind, Position, TranscriptError};
use crate::location::Location;

/// Longest speaker label, in characters.
const MAX_LABEL_CHARS: usize = 32;

/// `[hh:mm:ss]`, `[h:mm:ss]` or `[mm:ss]`, with optional fractions of a second.
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\]").expect("a valid literal pattern")
});

/// A parsed transcript.
#[derive(Debug, Clone)]
pub struct Transcript {
    path: PathBuf,
    case: String,
    attributes: Attributes,
    speakers: Option<Vec<String>>,
    memo: Option<(String, Location)>,
    text: String,
    sha256: String,
    turns: Vec<Turn>,
    timestamps: Vec<Range<usize>>,
}

/// One speaker turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Turn number, from 1, counting every speaker's turns.
    pub number: usize,
    /// The label before the colon (`I`, `P`, ...).
    pub speaker: String,
    /// Line of the label, from 1.
    pub line: usize,
    /// Byte ranges of the turn's paragraphs in the text; empty for a turn with no text.
    pub paragraphs: Vec<Range<usize>>,
}

impl Transcript {
    /// Parses a transcript file's bytes. `path` is used in errors and kept for reports.
    ///
    /// # Errors
    /// Invalid UTF-8, a missing or malformed front matter, a missing `case`, an
    /// attribute of an unsupported type, or text before the first turn.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, TranscriptError> {
        Transcript::from_bytes(path, bytes.to_vec())
    }

    /// As [`Transcript::parse`], taking the bytes: the text reuses their
    /// buffer, so a large transcript is not held twice while it is read.
    ///
    /// # Errors
    /// As [`Transcript::parse`].
    pub fn from_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<Self, TranscriptError> {
        let sha256 = sha256_hex(&bytes);
        if let Some(encoding) = utf16_encoding(&bytes) {
            return Err(TranscriptError {
                kind: ErrorKind::Encoding,
                position: Position { path: path.to_owned(), location: None },
                message: format!(
                    "the file is {encoding}, not UTF-8; save it as UTF-8 (most editors offer this under \"Save as\")"
                ),
            });
        }
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        if bom {
            bytes.drain(..3);
        }
        let decoded = String::from_utf8(bytes).map_err(|e| {
            let body = e.as_bytes();
            let valid_up_to = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&body[..valid_up_to]).unwrap_or_default();
            let offset = valid_up_to + if bom { 3 } else { 0 };
            TranscriptError {
                kind: ErrorKind::Encoding,
                position: Position {
                    path: path.to_owned(),
                    location: Some(crate::location::locate(valid, valid.len())),
                },
                message: format!(
                    "invalid UTF-8 at byte {offset}; save the file as UTF-8 (most editors offer this under \"Save as\")"
                ),
            }
        })?;
        Transcript::from_decoded(path, decoded, sha256).map_err(|(error, _)| error)
    }

    /// As [`Transcript::from_bytes`], for a text already decoded (the file's
    /// bytes are its UTF-8). When the text is not a transcript, the error
    /// comes with the text (LF line ends), so a caller can mend it and try
    /// again without holding a large text twice.
    ///
    /// # Errors
    /// As [`Transcript::parse`], with the text.
    pub fn from_text(path: &Path, mut text: String) -> Result<Self, (TranscriptError, String)> {
        let sha256 = sha256_hex(text.as_bytes());
        if text.starts_with('\u{FEFF}') {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        Transcript::from_decoded(path, text, sha256)
    }

    /// Parses a decoded text without its BOM; `sha256` is that of the file.
    fn from_decoded(
        path: &Path,
        decoded: String,
        sha256: String,
    ) -> Result<Self, (TranscriptError, String)> {
        // CRLF, and a lone CR (old Mac files), both end a line.
        let text = if memchr::memchr(b'\r', decoded.as_bytes()).is_some() {
            decoded.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            decoded
        };
        let parts = match (Parser { path, text: &text }.parse()) {
            Ok(parts) => parts,
            Err(error) => return Err((error, text)),
        };
        Ok(Transcript {
            path: path.to_owned(),
            case: parts.case,
            attributes: parts.attributes,
            speakers: parts.speakers,
            memo: parts.memo,
            text,
            sha256,
            turns: parts.turns,
            timestamps: parts.timestamps,
        })
    }

    /// The text, for a caller done with the rest (no copy is made).
    pub fn into_text(self) -> String {
        self.text
    }

    /// The file this transcript was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The case id from the front matter.
    pub fn case(&self) -> &str {
        &self.case
    }

    /// The case memo of the front matter's `memo` key, if any.
    pub fn memo(&self) -> Option<&str> {
        self.memo.as_ref().map(|(memo, _)| memo.as_str())
    }

    /// Where the front matter's `memo` value starts, for messages.
    pub fn memo_location(&self) -> Option<Location> {
        self.memo.as_ref().map(|(_, at)| *at)
    }

    /// Case attributes: every front-matter key but `case`, `speakers` and `memo`.
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// Mutable attributes, for merging a `cases.csv`.
    pub fn attributes_mut(&mut self) -> &mut Attributes {
        &mut self.attributes
    }

    /// The speaker labels that may start a turn, when the front matter lists them.
    pub fn speakers(&self) -> Option<&[String]> {
        self.speakers.as_deref()
    }

    /// The text all offsets point into (no BOM, LF line ends).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// SHA-256 of the file's bytes, in lower-case hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The speaker turns, in order.
    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    /// Byte ranges of the timestamps in the text, in order.
    pub(crate) fn timestamps(&self) -> &[Range<usize>] {
        &self.timestamps
    }

    /// The line and column of a byte offset in the text.
    pub fn locate(&self, offset: usize) -> Location {
        crate::location::locate(&self.text, offset)
    }
}

/// The name of the UTF-16 encoding `bytes` are in, when they are: a UTF-16
/// byte-order mark, or NUL bytes in every other place of the first line (as
/// UTF-16 text without a mark has). Such a file read as UTF-8 gives noise.
pub fn utf16_encoding(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some("UTF-16 (little-endian)");
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 (big-endian)");
    }
    let head = &bytes[..bytes.len().min(64) & !1];
    let nul = |parity: usize| head.iter().skip(parity).step_by(2).all(|&b| b == 0);
    match head.len() >= 4 {
        true if nul(1) => Some("UTF-16 (little-endian)"),
        true if nul(0) => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the parser finds; the text itself stays with the caller.
struct Parts {
    case: String,
    attributes: Attributes,
    speakers: Option<Vec<String>>,
    memo: Option<(String, Location)>,
    turns: Vec<Turn>,
    timestamps: Vec<Range<usize>>,
}

/// What the front matter gives: the case, the speaker labels, the case memo
/// and the attributes.
type FrontMatter = (String, Option<Vec<String>>, Option<(String, Location)>, Attributes);

struct Parser<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Parser<'_> {
    fn error(&self, kind: ErrorKind, offset: usize, message: impl Into<String>) -> TranscriptError {
        TranscriptError {
            kind,
            position: Position {
                path: self.path.to_owned(),
                location: Some(crate::location::locate(self.text, offset)),
            },
            message: message.into(),
        }
    }

    fn parse(&self) -> Result<Parts, TranscriptError> {
        let mut lines = lines_with_offsets(self.text);
        let Some((first_start, first)) = lines.next().filter(|(_, l)| l.trim_end() == "+++") else {
            return Err(self.error(
                ErrorKind::Syntax, 0,
                "a transcript starts with a `+++` line that opens its front matter (case = \"P01\" and other attributes), closed by another `+++` line",
            ));
        };
        // The closing line, and its number (from 1).
        let Some((close_line, (close_start, close))) =
            (2..).zip(&mut lines).find(|(_, (_, l))| l.trim_end() == "+++")
        else {
            return Err(self.error(
                ErrorKind::Syntax,
                first_start,
                "the front matter opened here is never closed; add a line `+++` after it",
            ));
        };
        let front_start = first_start + first.len() + 1;
        let front = &self.text[front_start..close_start];
        let (case, speakers, memo, attributes) = self.front_matter(front, front_start)?;
        let body_start = (close_start + close.len() + 1).min(self.text.len());
        let turns = self.turns(lines, close_line + 1, speakers.as_deref())?;
        let timestamps = self.timestamps(body_start);
        Ok(Parts { case, attributes, speakers, memo, turns, timestamps })
    }

    fn front_matter(&self, front: &str, offset: usize) -> Result<FrontMatter, TranscriptError> {
        let node = doc::parse(front, Syntax::Toml)
            .map_err(|e| self.error(e.kind, offset + e.offset, e.message))?;
        let Value::Table(entries) = &node.value else {
            return Err(self.error(
                ErrorKind::Syntax,
                offset,
                "the front matter must be TOML key = value lines",
            ));
        };
        let mut case = None;
        let mut speakers = None;
        let mut memo = None;
        let mut attributes = Attributes::new();
        for (key, key_span, value) in entries {
            let at = offset + value.span.start;
            match (key.as_str(), &value.value) {
                ("case", Value::String(s)) => {
                    let s = s.trim();
                    if s.is_empty() || s.contains(|c: char| c == ':' || c.is_whitespace()) {
                        return Err(self.error(
                            ErrorKind::InvalidValue, at,
                            format!("case id `{s}` must be non-empty, without spaces or colons (segment ids are `CASE:t12`)"),
                        ));
                    }
                    case = Some(s.to_owned());
                }
                ("case", other) => {
                    return Err(self.error(
                        ErrorKind::InvalidValue,
                        at,
                        format!(
                            "`case` must be a string such as \"P01\", found {}",
                            other.type_name()
                        ),
                    ));
                }
                ("speakers", Value::Array(items)) => {
                    let mut labels = Vec::new();
                    for item in items {
                        match &item.value {
                            Value::String(s) if valid_label(s) => labels.push(s.clone()),
                            _ => {
                                return Err(self.error(
                                    ErrorKind::InvalidValue, offset + item.span.start,
                                    format!("`speakers` lists speaker labels: strings of 1 to {MAX_LABEL_CHARS} characters without a colon"),
                                ));
                            }
                        }
                    }
                    speakers = Some(labels);
                }
                ("speakers", other) => {
                    return Err(self.error(
                        ErrorKind::InvalidValue,
                        at,
                        format!(
                            "`speakers` must be an array such as [\"I\", \"P\"], found {}",
                            other.type_name()
                        ),
                    ));
                }
                // The case memo: the researcher's notes, not a case attribute.
                ("memo", Value::String(s)) => {
                    memo = Some((s.clone(), crate::location::locate(self.text, at)));
                }
                ("memo", other) => {
                    return Err(self.error(
                        ErrorKind::InvalidValue,
                        at,
                        format!(
                            "`memo` is the case memo and must be a string (\"\"\"...\"\"\" for several lines), found {}",
                            other.type_name()
                        ),
                    ));
                }
                (_, Value::String(s)) => {
                    attributes.insert(key.clone(), AttributeValue::Text(s.clone()));
                }
                (_, Value::Datetime(s)) => {
                    attributes.insert(key.clone(), AttributeValue::Text(s.clone()));
                }
                (_, Value::Integer(i)) => {
                    attributes.insert(key.clone(), AttributeValue::Integer(*i));
                }
                (_, Value::Float(f)) if f.is_finite() => {
                    attributes.insert(key.clone(), AttributeValue::Float(*f));
                }
                (_, Value::Boolean(b)) => {
                    attributes.insert(key.clone(), AttributeValue::Boolean(*b));
                }
                (_, other) => {
                    return Err(self.error(
                        ErrorKind::InvalidValue,
                        offset + key_span.start,
                        format!(
                            "attribute `{key}` must be a string, number, boolean or date, found {}",
                            if matches!(other, Value::Float(_)) {
                                "a number that is not finite"
                            } else {
                                other.type_name()
                            }
                        ),
                    ));
                }
            }
        }
        let case = case.ok_or_else(|| {
            self.error(
                ErrorKind::Missing,
                offset,
                "the front matter has no `case`; add a line such as case = \"P01\"",
            )
        })?;
        Ok((case, speakers, memo, attributes))
    }

    /// The turns of the body's `lines`, the first of which is line `first_line`.
    fn turns<'t>(
        &self,
        lines: impl Iterator<Item = (usize, &'t str)>,
        first_line: usize,
        speakers: Option<&[String]>,
    ) -> Result<Vec<Turn>, TranscriptError> {
        let mut turns: Vec<Turn> = Vec::new();
        // Byte range of the paragraph being built, and whether a blank line ended it.
        let mut current: Option<Range<usize>> = None;
        let mut blank_seen = false;
        // Where the last line starts, for an error at the end.
        let mut last_start = 0;
        for (line_number, (start, line)) in (first_line..).zip(lines) {
            last_start = start;
            if let Some((speaker, content)) = turn_start(line, speakers) {
                if let (Some(turn), Some(paragraph)) = (turns.last_mut(), current.take()) {
                    turn.paragraphs.push(paragraph);
                }
                let content_start = start + content;
                let trimmed = line[content..].trim_end();
                current =
                    (!trimmed.is_empty()).then(|| content_start..content_start + trimmed.len());
                blank_seen = false;
                turns.push(Turn {
                    number: turns.len() + 1,
                    speaker,
                    line: line_number,
                    paragraphs: Vec::new(),
                });
                continue;
            }
            if line.trim().is_empty() {
                blank_seen = true;
                continue;
            }
            let Some(turn) = turns.last_mut() else {
                let long_label = line.split_once(':').is_some_and(|(label, _)| {
                    !label.starts_with(char::is_whitespace)
                        && label.trim_end().chars().count() > MAX_LABEL_CHARS
                });
                let message = if long_label {
                    format!(
                        "text before the first speaker turn: a speaker label has at most {MAX_LABEL_CHARS} characters; shorten the label"
                    )
                } else {
                    "text before the first speaker turn; start the line with a speaker label such as `P:`, or remove it".to_owned()
                };
                return Err(self.error(ErrorKind::Syntax, start, message));
            };
            let indent = line.len() - line.trim_start().len();
            let line_range = start + indent..start + line.trim_end().len();
            match current.as_mut() {
                Some(paragraph) if !blank_seen => paragraph.end = line_range.end,
                Some(_) => {
                    if let Some(done) = current.take() {
                        turn.paragraphs.push(done);
                    }
                    current = Some(line_range);
                }
                None => current = Some(line_range),
            }
            blank_seen = false;
        }
        if let (Some(turn), Some(paragraph)) = (turns.last_mut(), current.take()) {
            turn.paragraphs.push(paragraph);
        }
        if turns.is_empty() {
            return Err(self.error(
                ErrorKind::Missing, last_start,
                "the transcript has no speaker turns; write each turn as a line `LABEL: text`, such as `P: ...`",
            ));
        }
        Ok(turns)
    }

    fn timestamps(&self, body_start: usize) -> Vec<Range<usize>> {
        let body = &self.text[body_start..];
        TIMESTAMP.find_iter(body).map(|m| body_start + m.start()..body_start + m.end()).collect()
    }
}

fn valid_label(label: &str) -> bool {
    let chars = label.chars().count();
    (1..=MAX_LABEL_CHARS).contains(&chars)
        && !label.contains(':')
        && !label.starts_with(char::is_whitespace)
}

/// If `line` starts a turn, the speaker label and the byte offset in `line`
/// where the turn's text begins.
fn turn_start(line: &str, speakers: Option<&[String]>) -> Option<(String, usize)> {
    let mut rest_start = 0;
    // Only a timestamp right at the start counts; most lines have none.
    if let Some(m) =
        line.starts_with('[').then(|| TIMESTAMP.find(line)).flatten().filter(|m| m.start() == 0)
    {
        let after = &line[m.end()..];
        let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
        if spaces == 0 {
            return None;
        }
        rest_start = m.end() + spaces;
    }
    let rest = &line[rest_start..];
    if rest.starts_with(char::is_whitespace) {
        return None;
    }
    let colon = label_colon(rest)?;
    let label = rest[..colon].trim_end();
    let after = &rest[colon + 1..];
    if !valid_label(label) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    if speakers.is_some_and(|allowed| !allowed.iter().any(|s| s == label)) {
        return None;
    }
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    Some((label.to_owned(), rest_start + colon + 1 + spaces))
}

/// Where the colon after a speaker label is in `rest`: the first colon, when
/// what comes before it, less trailing white space, is short enough to be a
/// label. Stops looking once it is not, rather than searching a long line.
fn label_colon(rest: &str) -> Option<usize> {
    let mut label_chars = 0;
    for (chars, (i, c)) in (1..).zip(rest.char_indices()) {
        if c == ':' {
            return Some(i);
        }
        if !c.is_whitespace() {
            label_chars = chars;
        }
        if label_chars > MAX_LABEL_CHARS {
            return None;
        }
    }
    None
}

/// Each line of `text` (without its line break) with the byte offset where
/// it starts; a text ending in a line break ends with an empty line. Line
/// breaks are found with the memchr crate's vectorised search.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        if start > text.len() {
            return None;
        }
        let end = ends.next().unwrap_or(text.len());
        let line = (start, &text[start..end]);
        start = end + 1;
        Some(line)
    })
}

#[cfg(test)]
mod tests;
