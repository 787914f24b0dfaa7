//! Transcripts as researchers get them, converted into qda transcripts:
//! Word (`.docx`), OpenDocument (`.odt`), WebVTT and SubRip subtitles (as
//! Zoom and Microsoft Teams write them), Whisper and WhisperX JSON, and
//! plain text in UTF-8, UTF-16 or Windows-1252.
//!
//! Each reader turns its file into pieces (paragraphs, table rows, cues);
//! `turns` decides where turns start and who speaks them; `write` lays the
//! result out as a qda transcript. Like `qda-coding`, the crate reads no
//! files: callers pass bytes in and get a [`Converted`] or a typed
//! [`ConvertError`] back. See docs/import.md.
//!
//! # Example
//! ```
//! use std::path::Path;
//! use qda_convert::{Options, convert};
//!
//! let vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nAnna: Where did you grow up?\n\n\
//!            2\n00:00:04.000 --> 00:00:06.000\nKim: In Hamhung.\n";
//! let converted = convert(Path::new("P01.vtt"), vtt.as_bytes(), &Options::new("P01"))?;
//! assert!(converted.text().ends_with("[00:00:01] Anna: Where did you grow up?\n[00:00:04] Kim: In Hamhung.\n"));
//! # Ok::<(), qda_convert::ConvertError>(())
//! ```

mod docx;
mod error;
mod labels;
mod layout;
mod normalize;
mod odt;
mod plain;
mod subtitles;
mod turns;
mod whisper;
mod write;
mod xml;

use std::path::Path;

use indexmap::IndexMap;
use qda_coding::{AttributeValue, Attributes, Location};

pub use error::{ConvertError, ConvertErrorKind, Place};
pub use labels::SpeakerMap;
pub use turns::Turn;

use crate::turns::Piece;

/// The kinds of file that are converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SourceFormat {
    /// A Word document (Office Open XML, Word 2007 and later).
    Docx,
    /// An OpenDocument text (LibreOffice, Google Docs' download).
    Odt,
    /// WebVTT subtitles (Zoom, Microsoft Teams).
    WebVtt,
    /// SubRip subtitles.
    SubRip,
    /// Whisper's or WhisperX's JSON.
    WhisperJson,
    /// Plain text.
    Text,
}

impl SourceFormat {
    /// The format a file name's extension says, for the files converted.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "docx" | "docm" => SourceFormat::Docx,
            "odt" => SourceFormat::Odt,
            "vtt" => SourceFormat::WebVtt,
            "srt" => SourceFormat::SubRip,
            "json" => SourceFormat::WhisperJson,
            "txt" | "text" => SourceFormat::Text,
            _ => return None,
        })
    }

    /// What the format is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            SourceFormat::Docx => "Word document (.docx)",
            SourceFormat::Odt => "OpenDocument text (.odt)",
            SourceFormat::WebVtt => "WebVTT subtitles (.vtt)",
            SourceFormat::SubRip => "SubRip subtitles (.srt)",
            SourceFormat::WhisperJson => "Whisper JSON (.json)",
            SourceFormat::Text => "plain text",
        }
    }
}

/// A file that looks like a transcript but is not a qda transcript: what it
/// is, and whether `qda import-transcripts` converts it. `None` for a `.txt`
/// file and for files that do not look like transcripts.
pub fn transcript_like(path: &Path) -> Option<(&'static str, bool)> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "docx" | "docm" => ("a Word document", true),
        "odt" => ("an OpenDocument text", true),
        "vtt" => ("a WebVTT subtitle file", true),
        "srt" => ("a SubRip subtitle file", true),
        "json" => ("a JSON file (a Whisper transcript?)", true),
        "doc" => ("an old Word 97-2003 document", false),
        "rtf" => ("an RTF document", false),
        "pdf" => ("a PDF", false),
        "pages" => ("an Apple Pages document", false),
        _ => return None,
    })
}

/// Why `label` cannot be a qda speaker label (more than 32 characters, a
/// colon, a leading space), if it cannot; for checking options up front.
pub fn label_problem(label: &str) -> Option<String> {
    labels::check_label(label).err()
}

/// How to convert one file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The case id the transcript gets.
    pub case: String,
    /// Labels to rename (`--speaker-map`).
    pub speaker_map: SpeakerMap,
    /// The label for text without a speaker (`--default-speaker`).
    pub default_speaker: Option<String>,
}

impl Options {
    /// Options for `case`, renaming nothing.
    pub fn new(case: &str) -> Self {
        Options { case: case.to_owned(), ..Options::default() }
    }
}

/// A converted transcript, before it is written.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The case id.
    pub case: String,
    /// The format read.
    pub format: SourceFormat,
    /// Front-matter attributes: where it came from, what was detected, the
    /// preamble; callers may add more (a case table's) before [`Converted::text`].
    pub attributes: Attributes,
    /// Text before the first turn (a title, the date, notes), if any.
    pub preamble: Option<String>,
    /// The turns.
    pub turns: Vec<Turn>,
    /// Each speaker label and its number of turns, in order of first turn.
    pub speakers: IndexMap<String, usize>,
    /// What was noticed: encodings, tracked changes, labels shortened.
    pub notes: Vec<String>,
    /// Comments, footnotes and endnotes left out: the kind and the text.
    pub left_out: Vec<(&'static str, String)>,
    /// The labels of the speaker map that renamed a speaker here.
    pub mapped: Vec<String>,
}

impl Converted {
    /// The qda transcript: front matter and turns.
    pub fn text(&self) -> String {
        let speakers: Vec<String> = self.speakers.keys().cloned().collect();
        write::transcript(&self.case, &self.attributes, &speakers, &self.turns)
    }

    /// Labels that read like an interviewer's (`Interviewer`, `Q`, `Int`), to
    /// propose for the codebook's `interviewer` list.
    pub fn interviewer_like(&self) -> Vec<&str> {
        self.speakers
            .keys()
            .map(String::as_str)
            .filter(|l| qda_coding::looks_like_interviewer(l))
            .collect()
    }
}

/// What a reader found.
pub(crate) struct Extracted {
    pub(crate) pieces: Vec<Piece>,
    pub(crate) notes: Vec<String>,
    pub(crate) left_out: Vec<(&'static str, String)>,
}

/// Converts the file `path` (named in errors and in the front matter; its
/// extension says the format) with the contents `bytes`.
///
/// # Errors
/// A file that cannot be read as its format, one with no text or no turns,
/// text without a speaker and no default speaker; with the place in the file
/// where there is one.
pub fn convert(path: &Path, bytes: &[u8], options: &Options) -> Result<Converted, ConvertError> {
    convert_inner(path, bytes, options).map_err(|mut e| {
        e.path = path.to_owned();
        e
    })
}

fn convert_inner(path: &Path, bytes: &[u8], options: &Options) -> Result<Converted, ConvertError> {
    let format = SourceFormat::from_path(path).ok_or_else(|| {
        let what = transcript_like(path).map_or("a file type", |(what, _)| what);
        ConvertError::new(
            ConvertErrorKind::Unsupported,
            Place::File,
            format!("{what} that qda does not convert; save it as Word (.docx) or plain text (.txt) and convert that"),
        )
    })?;
    if let Some(default) = &options.default_speaker {
        labels::check_label(default).map_err(|why| {
            ConvertError::new(
                ConvertErrorKind::Option,
                Place::File,
                format!("--default-speaker: {why}"),
            )
        })?;
    }
    let extracted = match format {
        SourceFormat::Docx => docx::read(bytes)?,
        SourceFormat::Odt => odt::read(bytes)?,
        SourceFormat::WebVtt
        | SourceFormat::SubRip
        | SourceFormat::WhisperJson
        | SourceFormat::Text => {
            let (text, encoding) = plain::decode(path, bytes)?;
            let (pieces, mut notes) = match format {
                SourceFormat::WebVtt => subtitles::read(&text, subtitles::Flavour::WebVtt)?,
                SourceFormat::SubRip => subtitles::read(&text, subtitles::Flavour::SubRip)?,
                SourceFormat::WhisperJson => whisper::read(&text)?,
                _ => (plain::read(&text)?, Vec::new()),
            };
            notes.splice(0..0, encoding);
            Extracted { pieces, notes, left_out: Vec::new() }
        }
    };
    let built =
        turns::build(&extracted.pieces, &options.speaker_map, options.default_speaker.as_deref())?;
    let mut speakers: IndexMap<String, usize> = IndexMap::new();
    for turn in &built.turns {
        *speakers.entry(turn.speaker.clone()).or_default() += 1;
    }
    let mut notes = extracted.notes;
    notes.extend(built.notes);
    let preamble = (!built.preamble.is_empty())
        .then(|| built.preamble.iter().map(|p| p.join("\n")).collect::<Vec<_>>().join("\n\n"));
    let mut detected = vec![format.describe().to_owned()];
    detected.extend(notes.iter().cloned());
    for (noun, count) in left_out_counts(&extracted.left_out) {
        detected.push(format!("{count} {noun}(s) left out"));
    }
    let name = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut attributes = Attributes::new();
    attributes.insert("source_file".to_owned(), AttributeValue::Text(name));
    attributes
        .insert("source_sha256".to_owned(), AttributeValue::Text(qda_coding::sha256_hex(bytes)));
    attributes.insert("source_detected".to_owned(), AttributeValue::Text(detected.join("; ")));
    if let Some(preamble) = &preamble {
        attributes.insert("preamble".to_owned(), AttributeValue::Text(preamble.clone()));
    }
    let converted = Converted {
        case: options.case.clone(),
        format,
        attributes,
        preamble,
        turns: built.turns,
        speakers,
        notes,
        left_out: extracted.left_out,
        mapped: built.mapped.into_iter().collect(),
    };
    Ok(converted)
}

/// How many comments, footnotes and endnotes, in that order.
fn left_out_counts(left_out: &[(&'static str, String)]) -> Vec<(&'static str, usize)> {
    let mut counts: IndexMap<&'static str, usize> = IndexMap::new();
    for (noun, _) in left_out {
        *counts.entry(noun).or_default() += 1;
    }
    counts.into_iter().collect()
}
