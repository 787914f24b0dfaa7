//! Speaker labels that nobody declared.
//!
//! Rules code every turn whose label is not an interviewer label of the
//! codebook, so a study whose transcripts write `Q:` for the interviewer,
//! with `interviewer = ["I"]` in the codebook, has its questions coded as
//! answers. A label is *declared* when it is an interviewer label of the
//! codebook or listed in the `speakers` of any transcript of the study (one
//! list says what the study's labels are; repeating it in every transcript
//! adds nothing). Every other label is reported once, with where it first
//! occurs, and with a hint when it looks like an interviewer's.
//!
//! [`SpeakerLabels`] is gathered per transcript (in the threads that read
//! them) and merged, so no transcript needs to be kept.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use crate::codebook::Codebook;
use crate::location::Location;
use crate::transcript::Transcript;

/// The speaker labels used and declared in some transcripts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerLabels {
    used: BTreeMap<String, LabelUse>,
    declared: BTreeSet<String>,
}

/// Where and how often one label starts a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LabelUse {
    turns: usize,
    transcripts: usize,
    /// The first turn with the label, the least by path then location.
    first: (PathBuf, Location),
}

impl SpeakerLabels {
    /// No transcript yet.
    pub fn new() -> Self {
        SpeakerLabels::default()
    }

    /// The labels of one transcript.
    pub fn of(transcript: &Transcript) -> Self {
        let mut labels = SpeakerLabels::new();
        labels.declared.extend(transcript.speakers().into_iter().flatten().cloned());
        for turn in transcript.turns() {
            if let Some(known) = labels.used.get_mut(&turn.speaker) {
                known.turns += 1;
                continue;
            }
            let first = (transcript.path().to_owned(), label_location(transcript, turn));
            labels.used.insert(turn.speaker.clone(), LabelUse { turns: 1, transcripts: 1, first });
        }
        labels
    }

    /// Adds another transcript's (or set of transcripts') labels.
    pub fn merge(&mut self, other: SpeakerLabels) {
        self.declared.extend(other.declared);
        for (label, usage) in other.used {
            match self.used.get_mut(&label) {
                Some(known) => {
                    known.turns += usage.turns;
                    known.transcripts += usage.transcripts;
                    if usage.first < known.first {
                        known.first = usage.first;
                    }
                }
                None => {
                    self.used.insert(label, usage);
                }
            }
        }
    }

    /// Every label that starts a turn but is neither an interviewer label of
    /// `codebook` nor in any transcript's `speakers`, sorted by label.
    pub fn undeclared(&self, codebook: &Codebook) -> Vec<UndeclaredSpeaker> {
        self.used
            .iter()
            .filter(|(label, _)| !codebook.is_interviewer(label) && !self.declared.contains(*label))
            .map(|(label, usage)| UndeclaredSpeaker {
                label: label.clone(),
                turns: usage.turns,
                transcripts: usage.transcripts,
                path: usage.first.0.clone(),
                location: usage.first.1,
                codebook: codebook.path().to_owned(),
                looks_like_interviewer: looks_like_interviewer(label),
            })
            .collect()
    }
}

/// A warning: turns of a label nobody declared are coded as a participant's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeclaredSpeaker {
    /// The label, as written before the colon.
    pub label: String,
    /// Turns with the label, in all transcripts.
    pub turns: usize,
    /// Transcripts with at least one such turn.
    pub transcripts: usize,
    /// The transcript of the first such turn (the least path).
    pub path: PathBuf,
    /// Where that turn's label is.
    pub location: Location,
    /// The codebook whose `interviewer` labels were consulted.
    pub codebook: PathBuf,
    /// Whether the label reads like an interviewer's (`Q`, `Int`,
    /// `Moderator`, `I1`, ...), so the message suggests adding it to
    /// `interviewer`.
    pub looks_like_interviewer: bool,
}

impl fmt::Display for UndeclaredSpeaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{}:{}: speaker `{}` ({} in {}) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; ",
            self.path.display(),
            self.location,
            self.label,
            plural(self.turns, "turn"),
            plural(self.transcripts, "transcript"),
        )?;
        if self.looks_like_interviewer {
            write!(
                f,
                "add `{}` to `interviewer` in {} if it is the interviewer",
                self.label,
                self.codebook.display()
            )
        } else {
            write!(f, "list it in a transcript's `speakers` if that is right")
        }
    }
}

/// Where `turn`'s label is: its line, and the column after any timestamp.
fn label_location(transcript: &Transcript, turn: &crate::transcript::Turn) -> Location {
    let text = transcript.text();
    // Most turns' text starts on the label's line: find that line from the
    // text's start rather than by counting lines from the top of the file.
    let from_text = turn.paragraphs.first().and_then(|p| {
        let start = text[..p.start].rfind('\n').map_or(0, |i| i + 1);
        text[start..p.start].contains(turn.speaker.as_str()).then(|| {
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            &text[start..end]
        })
    });
    let line = from_text.unwrap_or_else(|| text.split('\n').nth(turn.line - 1).unwrap_or_default());
    let skip = if line.starts_with('[') { line.find(']').map_or(0, |i| i + 1) } else { 0 };
    let column = line[skip..]
        .find(turn.speaker.as_str())
        .map_or(1, |i| line[..skip + i].chars().count() + 1);
    Location { line: turn.line, column }
}

/// Labels transcripts commonly give the interviewer, lower-case, without a
/// number (`I1`, `Interviewer 2`) or a letter (`Interviewer B`).
const INTERVIEWER_LABELS: &[&str] = &[
    "i",
    "int",
    "intv",
    "iv",
    "ivr",
    "interviewer",
    "interviewerin",
    "q",
    "question",
    "mod",
    "moderator",
    "fac",
    "facilitator",
    "researcher",
    "entrevistador",
    "entrevistadora",
];

/// Whether `label` reads like an interviewer's (`I`, `Int`, `Interviewer 2`,
/// `Moderator`, `Q`).
pub fn looks_like_interviewer(label: &str) -> bool {
    let lower = label.trim().to_lowercase();
    let mut base = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    base = base.trim_end_matches([' ', '_', '-', '.', '#']);
    if let Some((word, tag)) = base.rsplit_once(' ')
        && tag.chars().count() == 1
    {
        base = word.trim_end();
    }
    INTERVIEWER_LABELS.contains(&base)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn transcript(name: &str, text: &str) -> Transcript {
        Transcript::parse(Path::new(name), text.as_bytes()).expect("a valid transcript")
    }

    fn codebook() -> Codebook {
        Codebook::parse(
            Path::new("cb.toml"),
            "[codebook]\nname = \"x\"\ninterviewer = [\"I\"]\n\n[[code]]\nid = \"a\"\n",
        )
        .expect("a valid codebook")
    }

    #[test]
    fn interviewer_like_labels() {
        for label in ["Q", "q", "Int", "INT.", "Interviewer", "Interviewer 2", "Interviewer B"] {
            assert!(looks_like_interviewer(label), "{label}");
        }
        for label in ["I1", "Mod", "Moderator", "Facilitator", "IV", "Q2"] {
            assert!(looks_like_interviewer(label), "{label}");
        }
        for label in ["P", "A", "Interviewee", "Participant", "R1", "Anna", "Mother"] {
            assert!(!looks_like_interviewer(label), "{label}");
        }
    }

    #[test]
    fn undeclared_labels_are_reported_once_with_the_first_turn() {
        let mut labels = SpeakerLabels::new();
        labels.merge(SpeakerLabels::of(&transcript(
            "b.txt",
            "+++\ncase = \"B\"\n+++\nQ: Why?\nA: Hunger.\nQ: And?\n",
        )));
        labels.merge(SpeakerLabels::of(&transcript(
            "a.txt",
            "+++\ncase = \"A\"\n+++\nI: Hello.\n[00:01] Q: Why?\nA: Freedom.\n",
        )));
        let found = labels.undeclared(&codebook());
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.txt:6:1: speaker `A` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right",
                "a.txt:5:9: speaker `Q` (3 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Q` to `interviewer` in cb.toml if it is the interviewer",
            ]
        );
    }

    #[test]
    fn a_label_alone_on_its_line_is_found() {
        let t = transcript("a.txt", "+++\ncase = \"A\"\n+++\nI: Hello.\n[01:00] Q:\n   Why?\n");
        let labels = SpeakerLabels::of(&t);
        let found = labels.undeclared(&codebook());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].label.as_str(), found[0].location),
            ("Q", Location { line: 5, column: 9 })
        );
    }

    #[test]
    fn a_speakers_list_in_any_transcript_declares_its_labels() {
        let mut labels = SpeakerLabels::new();
        labels.merge(SpeakerLabels::of(&transcript(
            "a.txt",
            "+++\ncase = \"A\"\nspeakers = [\"I\", \"P\"]\n+++\nI: Why?\nP: Hunger.\n",
        )));
        labels.merge(SpeakerLabels::of(&transcript("b.txt", "+++\ncase = \"B\"\n+++\nP: Yes.\n")));
        assert_eq!(labels.undeclared(&codebook()), []);
    }
}
