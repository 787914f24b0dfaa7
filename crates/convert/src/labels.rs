//! Speaker labels and timestamps as transcribers type them, and as qda
//! writes them: `[00:01:02] Dr. Kim: text` becomes a turn of `Dr. Kim` at
//! `[00:01:02]`; labels are made to fit qda's rule (1 to 32 characters, no
//! colon), after `--speaker-map` renamed them.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::{ConvertError, ConvertErrorKind, Place};

/// qda's limit on a label's length (docs/formats.md).
pub(crate) const MAX_LABEL_CHARS: usize = 32;

/// A time at the start of a line, followed by white space: `[00:01:02]`,
/// `(1:02)`, `00:01:02.5`.
static LEADING_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\[(]?(\d{1,2}(?::\d{2}){1,2})(?:[.,]\d+)?[\])]?(?:\s+|$)").expect("valid regex")
});

/// A table cell that holds only a time.
static WHOLE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\[(]?(\d{1,2}(?::\d{2}){1,2})(?:[.,]\d+)?[\])]?$").expect("valid regex")
});

/// A time as qda writes it (`hh:mm:ss`), from `h:mm:ss` or `mm:ss`.
fn clock(hms: &str) -> String {
    let parts: Vec<u64> = hms.split(':').filter_map(|p| p.parse().ok()).collect();
    let seconds = parts.iter().fold(0, |total, part| total * 60 + part);
    clock_of_seconds(seconds as f64)
}

/// A number of seconds as `hh:mm:ss` (the fraction dropped).
pub(crate) fn clock_of_seconds(seconds: f64) -> String {
    let whole = if seconds.is_finite() && seconds > 0.0 { seconds.floor() as u64 } else { 0 };
    format!("{:02}:{:02}:{:02}", whole / 3600, whole / 60 % 60, whole % 60)
}

/// The time of a table cell that holds nothing else.
pub(crate) fn cell_time(cell: &str) -> Option<String> {
    WHOLE_TIME.captures(cell.trim()).map(|c| clock(&c[1]))
}

/// How strict to be about what reads as a label.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LabelRule {
    /// Most words a label has (`He told me: go home` is text, not a turn).
    pub(crate) max_words: usize,
    /// Most characters, before the label is shortened to qda's limit.
    pub(crate) max_chars: usize,
}

/// Labels typed in a document's paragraphs.
pub(crate) const TYPED: LabelRule = LabelRule { max_words: 4, max_chars: MAX_LABEL_CHARS };
/// Labels a program wrote or a transcriber set in bold: trusted further.
pub(crate) const MARKED: LabelRule = LabelRule { max_words: 8, max_chars: 64 };

/// A line that starts a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TurnStart {
    pub(crate) time: Option<String>,
    /// The label as written, white space collapsed.
    pub(crate) label: String,
    pub(crate) rest: String,
}

/// The turn `line` starts, if it starts one: an optional time, a label, a
/// colon (or a full-width `：`) and white space or the end of the line.
/// `bold` is the line's leading bold text: a bold label is held to [`MARKED`]
/// rather than `rule`.
pub(crate) fn turn_start(line: &str, bold: &str, rule: LabelRule) -> Option<TurnStart> {
    let (time, after) = match LEADING_TIME.captures(line) {
        Some(c) => (Some(clock(&c[1])), &line[c.get(0).map_or(0, |m| m.end())..]),
        None => (None, line),
    };
    let (colon, width) = after.char_indices().find_map(|(i, c)| match c {
        ':' => Some((i, 1)),
        '：' => Some((i, '：'.len_utf8())),
        _ => None,
    })?;
    let label = after[..colon].trim_end();
    let rest = &after[colon + width..];
    if label.is_empty()
        || label.starts_with(char::is_whitespace)
        || (width == 1 && !(rest.is_empty() || rest.starts_with(char::is_whitespace)))
        || label.chars().all(|c| c.is_ascii_digit())
        || label.contains(['?', '!', ';', ',', '"'].as_slice())
    {
        return None;
    }
    let rule = if is_bold_label(bold, label) { MARKED } else { rule };
    let label = label.split_whitespace().collect::<Vec<_>>();
    if label.len() > rule.max_words
        || label.iter().map(|w| w.chars().count() + 1).sum::<usize>() > rule.max_chars + 1
    {
        return None;
    }
    Some(TurnStart { time, label: label.join(" "), rest: rest.trim().to_owned() })
}

/// Whether `label` is set in bold: the line's leading bold text, less a
/// colon, ends with it (a bold time before it may be bold too).
pub(crate) fn is_bold_label(bold: &str, label: &str) -> bool {
    let bold = bold.trim().trim_end_matches([':', '：']).trim_end();
    !bold.is_empty() && bold.split_whitespace().collect::<Vec<_>>().join(" ").ends_with(label)
}

/// `label` made to fit qda's rule: white space collapsed, a colon replaced,
/// at most 32 characters. `None` when nothing is left.
pub(crate) fn fit_label(label: &str) -> Option<String> {
    let collapsed =
        label.split_whitespace().collect::<Vec<_>>().join(" ").replace([':', '：'], "-");
    let short: String = collapsed.chars().take(MAX_LABEL_CHARS).collect();
    let short = short.trim_end().to_owned();
    (!short.is_empty()).then_some(short)
}

/// `--speaker-map "Interviewer=I,Dr. Kim=I"`: labels renamed, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerMap {
    entries: Vec<(String, String)>,
}

impl SpeakerMap {
    /// Reads `OLD=NEW` pairs separated by commas.
    ///
    /// # Errors
    /// A pair without `=`, an empty side, or a new label that breaks qda's
    /// label rule.
    pub fn parse(text: &str) -> Result<Self, ConvertError> {
        let mut entries = Vec::new();
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            let bad = |why: &str| {
                ConvertError::new(
                    ConvertErrorKind::Option,
                    Place::File,
                    format!(
                        "--speaker-map: `{}` {why}; write OLD=NEW pairs separated by commas, such as \"Interviewer=I,Dr. Kim=I\"",
                        pair.trim()
                    ),
                )
            };
            let (old, new) = pair.split_once('=').ok_or_else(|| bad("has no `=`"))?;
            let (old, new) = (old.split_whitespace().collect::<Vec<_>>().join(" "), new.trim());
            if old.is_empty() || new.is_empty() {
                return Err(bad("has an empty side"));
            }
            check_label(new).map_err(|why| bad(&why))?;
            entries.push((old, new.to_owned()));
        }
        Ok(SpeakerMap { entries })
    }

    /// The new label for `label`, if the map renames it: an exact match
    /// first, then one that differs only in case.
    pub(crate) fn rename(&self, label: &str) -> Option<(&str, &str)> {
        self.entries
            .iter()
            .find(|(old, _)| old == label)
            .or_else(|| {
                self.entries.iter().find(|(old, _)| old.to_lowercase() == label.to_lowercase())
            })
            .map(|(old, new)| (old.as_str(), new.as_str()))
    }

    /// The labels the map renames.
    pub fn olds(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(old, _)| old.as_str())
    }
}

/// Why `label` cannot be a qda label, if it cannot.
pub(crate) fn check_label(label: &str) -> Result<(), String> {
    if label.chars().count() > MAX_LABEL_CHARS {
        Err(format!("`{label}` is longer than {MAX_LABEL_CHARS} characters"))
    } else if label.contains(':') || label.starts_with(char::is_whitespace) || label.is_empty() {
        Err(format!("`{label}` is not a speaker label (no colon, no leading space)"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(line: &str) -> Option<(Option<String>, String, String)> {
        turn_start(line, "", TYPED).map(|t| (t.time, t.label, t.rest))
    }

    #[test]
    fn typed_labels_and_times() {
        assert_eq!(start("Dr. Kim: Hello"), Some((None, "Dr. Kim".into(), "Hello".into())));
        assert_eq!(
            start("[00:01:02] I: Why?"),
            Some((Some("00:01:02".into()), "I".into(), "Why?".into()))
        );
        assert_eq!(start("1:02 P:"), Some((Some("00:01:02".into()), "P".into(), String::new())));
        assert_eq!(
            start("インタビュアー：はい"),
            Some((None, "インタビュアー".into(), "はい".into()))
        );
        assert_eq!(start("10:30 we left"), None);
        assert_eq!(start("http://example.org"), None);
        assert_eq!(start("He told me, quietly: go"), None);
        assert_eq!(start("and then he told me: go"), None);
    }

    #[test]
    fn bold_labels_may_be_longer() {
        let line = "Interviewer from the regional office: so";
        assert_eq!(turn_start(line, "", TYPED), None);
        assert!(turn_start(line, "Interviewer from the regional office:", TYPED).is_some());
    }

    #[test]
    fn labels_fit_the_rule() {
        assert_eq!(fit_label("  Dr.   Kim "), Some("Dr. Kim".into()));
        assert_eq!(fit_label(&"x".repeat(40)), Some("x".repeat(32)));
        assert_eq!(fit_label(" "), None);
        assert_eq!(cell_time("[1:02:03.5]"), Some("01:02:03".into()));
        assert_eq!(cell_time("Speaker"), None);
    }

    #[test]
    fn speaker_map() {
        let map = SpeakerMap::parse("Interviewer=I, Dr. Kim = I,Respondent=P").unwrap();
        assert_eq!(map.rename("dr. kim"), Some(("Dr. Kim", "I")));
        assert_eq!(map.rename("Respondent"), Some(("Respondent", "P")));
        assert_eq!(map.rename("Other"), None);
        assert!(SpeakerMap::parse("Interviewer").is_err());
        assert!(SpeakerMap::parse("A=B:C").is_err());
    }
}
