//! The anonymisation check: original names and identifiers that are still in
//! transcripts, and things that look like personal data.
//!
//! A pseudonym table (`original,pseudonym` CSV, kept out of shared data)
//! lists what must not appear. Each original is searched for as a rule term
//! is (case-insensitively, any white space between its words, on word
//! boundaries except next to Han, Kana or Hangul), in both Unicode normal
//! forms (NFC and NFD), so a name typed on another system is found too.
//!
//! Reports never carry an original: a leak names the table's row and the
//! pseudonym to use instead, so the check's output can be shared or logged.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use crate::error::{ErrorKind, Position, TranscriptError};
use crate::location::{CsvLines, Location};
use crate::rules::all_on_boundaries;

/// One row of a pseudonym table.
#[derive(Debug, Clone)]
struct Entry {
    row: usize,
    pseudonym: String,
    matcher: Regex,
    /// The original's words, lower-cased in NFC, to recognise a part of it.
    words: BTreeSet<String>,
}

/// The originals to look for, each with its replacement.
#[derive(Debug, Clone)]
pub struct PseudonymTable {
    entries: Vec<Entry>,
}

/// An original found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The table's line with the original (the header is line 1).
    pub row: usize,
    /// What to write instead.
    pub pseudonym: String,
    /// Where, in bytes of the text searched.
    pub range: Range<usize>,
}

impl PseudonymTable {
    /// Reads a CSV with the columns `original` and `pseudonym` (others are
    /// ignored); an empty pseudonym is allowed for identifiers to remove.
    ///
    /// # Errors
    /// Unreadable CSV, a missing column, an empty original.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, TranscriptError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let error = |kind: ErrorKind, line: usize, message: String| TranscriptError {
            kind,
            position: Position {
                path: path.to_owned(),
                location: Some(Location { line, column: 1 }),
            },
            message,
        };
        let lines = CsvLines::new(bytes);
        let line_of = |byte: u64| lines.line_of(byte) as usize;
        let mut reader = csv::Reader::from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| error(ErrorKind::of_csv(&e), 1, format!("unreadable CSV: {e}")))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
        let (Some(original), Some(pseudonym)) = (column("original"), column("pseudonym")) else {
            return Err(error(
                ErrorKind::Missing,
                1,
                "the pseudonym table needs the columns `original` and `pseudonym`".to_owned(),
            ));
        };
        let mut entries = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                error(
                    ErrorKind::of_csv(&e),
                    e.position().map_or(0, |p| line_of(p.byte())),
                    format!("unreadable CSV row: {e}"),
                )
            })?;
            let row = record.position().map_or(0, |p| line_of(p.byte()));
            let text = record.get(original).unwrap_or("").trim();
            if text.is_empty() {
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                return Err(error(
                    ErrorKind::Missing,
                    row,
                    "the `original` cell is empty".to_owned(),
                ));
            }
            entries.push(Entry {
                row,
                pseudonym: record.get(pseudonym).unwrap_or("").trim().to_owned(),
                matcher: matcher(text),
                words: allow_words(std::iter::once(text.nfc().collect::<String>().as_str())),
            });
        }
        Ok(PseudonymTable { entries })
    }

    /// The pseudonyms, for allow-lists.
    pub fn pseudonyms(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.pseudonym.as_str())
    }

    /// The line of the table whose original contains `word` as one of its
    /// words (case-insensitively), so a report can avoid printing it.
    pub fn row_with_word(&self, word: &str) -> Option<usize> {
        let word: String = word.nfc().collect::<String>().to_lowercase();
        self.entries.iter().find(|e| e.words.contains(&word)).map(|e| e.row)
    }

    /// Every occurrence of every original in `text`, in text order.
    pub fn find(&self, text: &str) -> Vec<Leak> {
        let mut leaks: Vec<Leak> = self
            .entries
            .iter()
            .flat_map(|entry| {
                all_on_boundaries(&entry.matcher, text).into_iter().map(|range| Leak {
                    row: entry.row,
                    pseudonym: entry.pseudonym.clone(),
                    range,
                })
            })
            .collect();
        leaks.sort_by_key(|l| (l.range.start, l.row));
        leaks
    }
}

/// A case-insensitive pattern for `original` in NFC and NFD, with any run of
/// white space between its words.
fn matcher(original: &str) -> Regex {
    let form =
        |text: String| text.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+");
    let nfc = form(original.nfc().collect());
    let nfd = form(original.nfd().collect());
    let pattern = if nfc == nfd { format!("(?i){nfc}") } else { format!("(?i)(?:{nfc}|{nfd})") };
    Regex::new(&pattern).expect("escaped text is a valid pattern")
}

/// What a suspect looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SuspectKind {
    /// An e-mail address.
    Email,
    /// A telephone number (eight digits or more).
    Phone,
    /// A full date (day, month and year), possibly a date of birth.
    FullDate,
    /// A capitalised word inside a sentence that no list allows.
    Name,
}

impl SuspectKind {
    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            SuspectKind::Email => "an e-mail address",
            SuspectKind::Phone => "a telephone number",
            SuspectKind::FullDate => "a full date (a date of birth?)",
            SuspectKind::Name => "a capitalised word that may be a name",
        }
    }
}

/// Something that looks like personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// What it looks like.
    pub kind: SuspectKind,
    /// Where, in bytes of the text searched.
    pub range: Range<usize>,
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+").expect("valid pattern"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\(?\d[\d\s().-]{6,}\d").expect("valid pattern"));
static FULL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let month = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?";
    Regex::new(&format!(
        r"(?i)\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{month}\s+\d{{4}}|{month}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}年\d{{1,2}}月\d{{1,2}}日|\d{{4}}년\s*\d{{1,2}}월\s*\d{{1,2}}일)"
    ))
    .expect("valid pattern")
});
/// Capitalised words that are never names: months, days, titles.
const NOT_NAMES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Lu}[\p{Ll}\p{M}]+(?:[-'][\p{L}]+)*").expect("valid pattern"));

/// Things in `text` that look like personal data: e-mail addresses,
/// telephone numbers, full dates, and capitalised words inside a sentence
/// for which `allowed` (given the word) says no.
pub fn suspects(text: &str, allowed: &dyn Fn(&str) -> bool) -> Vec<Suspect> {
    let text = crate::rules::blank_timestamps(text);
    let mut found: Vec<Suspect> = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    for (kind, regex) in [
        (SuspectKind::Email, &*EMAIL),
        (SuspectKind::FullDate, &*FULL_DATE),
        (SuspectKind::Phone, &*PHONE),
    ] {
        for m in regex.find_iter(&text) {
            if taken.iter().any(|t| t.start < m.end() && m.start() < t.end) {
                continue;
            }
            if kind == SuspectKind::Phone
                && m.as_str().chars().filter(char::is_ascii_digit).count() < 8
            {
                continue;
            }
            taken.push(m.range());
            found.push(Suspect { kind, range: m.range() });
        }
    }
    for m in WORD.find_iter(&text) {
        let glued = text[..m.start()].chars().next_back().is_some_and(char::is_alphanumeric);
        let before = text[..m.start()].trim_end_matches([' ', '\t', '"', '\'', '(', '“', '‘']);
        let starts_sentence =
            before.is_empty() || before.ends_with(['.', '!', '?', ':', ';', '…', '\n']);
        let inside_other = taken.iter().any(|t| t.start < m.end() && m.start() < t.end);
        let lower = m.as_str().to_lowercase();
        let calendar =
            NOT_NAMES.contains(&lower.as_str()) || NOT_NAMES.contains(&lower.trim_end_matches('s'));
        if glued || starts_sentence || inside_other || calendar || allowed(m.as_str()) {
            continue;
        }
        found.push(Suspect { kind: SuspectKind::Name, range: m.range() });
    }
    found.sort_by_key(|s| (s.range.start, s.kind));
    found
}

/// Words of `texts` (split at anything but letters, digits, `-` and `'`),
/// lower-cased: an allow-list built from a codebook or a list file.
pub fn allow_words<'a>(texts: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    texts
        .flat_map(|t| t.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests;
