//! From what a reader found (paragraphs, table rows, cues) to speaker turns:
//! the one place that decides where a turn starts and who speaks it.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use crate::error::{ConvertError, ConvertErrorKind, Place};
use crate::labels::{self, TYPED, TurnStart};
use crate::normalize::normalize_line;
use crate::{Location, SpeakerMap};

/// What a reader hands on, in document order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// A paragraph: its lines (line breaks inside it), normalised, and its
    /// leading bold text.
    Paragraph { lines: Vec<String>, bold: String },
    /// A table row: each cell's text, its paragraphs as lines.
    Row(Vec<String>),
    /// A subtitle cue or a Whisper segment, starting at `line` of the file.
    Cue { line: usize, start: Option<f64>, speaker: Option<String>, text: String },
}

/// One speaker turn of the converted transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The turn's start as `hh:mm:ss`, when the source had one.
    pub time: Option<String>,
    /// The speaker label, fitted to qda's rule.
    pub speaker: String,
    /// The turn's paragraphs, each a list of lines.
    pub paragraphs: Vec<Vec<String>>,
}

/// Turns, the text before the first of them, and what was noticed.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub(crate) preamble: Vec<Vec<String>>,
    pub(crate) turns: Vec<Turn>,
    pub(crate) notes: Vec<String>,
    /// The `--speaker-map` entries that renamed a label.
    pub(crate) mapped: BTreeSet<String>,
}

/// Header cells of a transcription table (`Time | Speaker | Text`).
const HEADER_WORDS: &[&str] = &[
    "time",
    "timestamp",
    "time code",
    "timecode",
    "start",
    "speaker",
    "name",
    "person",
    "text",
    "transcript",
    "transcription",
    "utterance",
    "content",
    "sprecher",
    "zeit",
];

struct Builder<'a> {
    map: &'a SpeakerMap,
    built: Built,
    /// Whether the last turn came from cues (and may take in the next cue of its speaker).
    open_cue_turn: bool,
    renamed: IndexMap<String, String>,
}

impl Builder<'_> {
    fn label(&mut self, raw: &str) -> String {
        if let Some((old, new)) = self.map.rename(raw) {
            self.built.mapped.insert(old.to_owned());
            return new.to_owned();
        }
        let fitted = labels::fit_label(raw).unwrap_or_else(|| "?".to_owned());
        if fitted != raw {
            self.renamed.insert(raw.to_owned(), fitted.clone());
        }
        fitted
    }

    fn start_turn(&mut self, time: Option<String>, raw_label: &str, first: Vec<String>) {
        let speaker = self.label(raw_label);
        let paragraphs = if first.iter().all(String::is_empty) { Vec::new() } else { vec![first] };
        self.built.turns.push(Turn { time, speaker, paragraphs });
        self.open_cue_turn = false;
    }

    /// A new paragraph of the current turn, or of the preamble.
    fn add_paragraph(&mut self, lines: Vec<String>) {
        if lines.iter().all(String::is_empty) {
            return;
        }
        match self.built.turns.last_mut() {
            Some(turn) => turn.paragraphs.push(lines),
            None => self.built.preamble.push(lines),
        }
        self.open_cue_turn = false;
    }

    /// A line continuing the current paragraph.
    fn add_line(&mut self, line: String) {
        if line.is_empty() {
            return;
        }
        let paragraphs = match self.built.turns.last_mut() {
            Some(turn) => &mut turn.paragraphs,
            None => &mut self.built.preamble,
        };
        match paragraphs.last_mut() {
            Some(paragraph) => paragraph.push(line),
            None => paragraphs.push(vec![line]),
        }
    }

    /// Lines of a paragraph or cell: each may start a turn.
    fn lines(&mut self, lines: &[String], bold: &str, accept: &dyn Fn(&TurnStart) -> bool) {
        let mut first = true;
        for line in lines {
            let bold = if first { bold } else { "" };
            let start = labels::turn_start(line, bold, TYPED)
                .filter(|s| labels::is_bold_label(bold, &s.label) || accept(s));
            match start {
                Some(start) => self.start_turn(start.time, &start.label, vec![start.rest]),
                None if first => self.add_paragraph(vec![line.clone()]),
                None => self.add_line(line.clone()),
            }
            first = false;
        }
    }

    fn row(&mut self, cells: &[String], accept: &dyn Fn(&TurnStart) -> bool) {
        let cells: Vec<Vec<String>> = cells
            .iter()
            .map(|cell| cell.lines().map(normalize_line).filter(|l| !l.is_empty()).collect())
            .collect();
        let joined: Vec<String> = cells.iter().map(|c| c.join(" ")).collect();
        if joined.iter().all(String::is_empty) {
            return;
        }
        if joined
            .iter()
            .filter(|c| !c.is_empty())
            .all(|c| HEADER_WORDS.contains(&c.to_lowercase().trim_end_matches(':')))
        {
            self.built.notes.push(format!("table header row `{}` left out", joined.join(" | ")));
            return;
        }
        let time_cell = joined.iter().position(|c| labels::cell_time(c).is_some());
        let time = time_cell.and_then(|i| labels::cell_time(&joined[i]));
        let others: Vec<usize> = (0..cells.len())
            .filter(|&i| Some(i) != time_cell && (!cells[i].is_empty() || i + 1 < cells.len()))
            .collect();
        match others.as_slice() {
            [] => {}
            [only] => {
                let lines = cells[*only].clone();
                let before = self.built.turns.len();
                self.lines(&lines, "", accept);
                if self.built.turns.len() > before
                    && let Some(turn) = self.built.turns.get_mut(before)
                {
                    turn.time = turn.time.take().or(time);
                }
            }
            [speaker, text @ ..] => {
                let label = joined[*speaker].trim_end_matches([':', '：']).trim_end().to_owned();
                let lines: Vec<String> = text.iter().flat_map(|&i| cells[i].clone()).collect();
                if label.is_empty() {
                    self.add_paragraph(lines);
                } else {
                    self.start_turn(time, &label, Vec::new());
                    if !lines.is_empty() {
                        self.add_paragraph(lines);
                    }
                }
            }
        }
    }

    fn cue(
        &mut self,
        line: usize,
        start: Option<f64>,
        speaker: Option<&str>,
        text: &str,
        default: Option<&str>,
    ) -> Result<(), ConvertError> {
        let text = normalize_line(text);
        let raw = match (speaker.map(normalize_line).filter(|s| !s.is_empty()), default) {
            (Some(s), _) => s,
            (None, Some(d)) => d.to_owned(),
            (None, None) => {
                // Whisper's segments have no line; subtitle cues do.
                let (place, what) = match line {
                    0 => (
                        Place::File,
                        "the segments name no speaker (plain Whisper; WhisperX adds `speaker` after diarisation)",
                    ),
                    _ => (
                        Place::Text(Location { line, column: 1 }),
                        "this cue names no speaker (no `<v Name>` tag, no `Name:` before its text)",
                    ),
                };
                return Err(ConvertError::new(
                    ConvertErrorKind::NoSpeaker,
                    place,
                    format!("{what}; give --default-speaker LABEL for text without a speaker"),
                ));
            }
        };
        let speaker = self.label(&raw);
        if self.open_cue_turn
            && let Some(turn) = self.built.turns.last_mut()
            && turn.speaker == speaker
        {
            if let Some(paragraph) = turn.paragraphs.last_mut().and_then(|p| p.last_mut()) {
                if !text.is_empty() {
                    paragraph.push(' ');
                    paragraph.push_str(&text);
                }
            } else if !text.is_empty() {
                turn.paragraphs.push(vec![text]);
            }
            return Ok(());
        }
        let time = start.map(labels::clock_of_seconds);
        self.built.turns.push(Turn {
            time,
            speaker,
            paragraphs: if text.is_empty() { Vec::new() } else { vec![vec![text]] },
        });
        self.open_cue_turn = true;
        Ok(())
    }
}

/// Builds turns from `pieces`. A label typed only once in a document whose
/// other labels recur (three times or more) is read as text when it has
/// several words (`He told me: go home`), so a sentence is not taken for a
/// speaker; bold labels, table rows and cues are always turns.
pub(crate) fn build(
    pieces: &[Piece],
    map: &SpeakerMap,
    default_speaker: Option<&str>,
) -> Result<Built, ConvertError> {
    let mut counts: IndexMap<String, usize> = IndexMap::new();
    for piece in pieces {
        if let Piece::Paragraph { lines, bold } = piece {
            for (i, line) in lines.iter().enumerate() {
                if let Some(start) = labels::turn_start(line, if i == 0 { bold } else { "" }, TYPED)
                {
                    *counts.entry(start.label).or_default() += 1;
                }
            }
        }
    }
    let recurring = counts.values().any(|&n| n >= 3);
    let demoted: Vec<String> = counts
        .iter()
        .filter(|&(label, &n)| recurring && n == 1 && label.split_whitespace().count() > 1)
        .map(|(label, _)| label.clone())
        .collect();
    let accept = |start: &TurnStart| !demoted.contains(&start.label);
    let mut builder =
        Builder { map, built: Built::default(), open_cue_turn: false, renamed: IndexMap::new() };
    for piece in pieces {
        match piece {
            Piece::Paragraph { lines, bold } => builder.lines(lines, bold, &accept),
            Piece::Row(cells) => builder.row(cells, &accept),
            Piece::Cue { line, start, speaker, text } => {
                builder.cue(*line, *start, speaker.as_deref(), text, default_speaker)?;
            }
        }
    }
    let mut built = builder.built;
    for label in &demoted {
        built
            .notes
            .push(format!("`{label}:` occurs once and is read as text, not as a speaker label"));
    }
    for (raw, fitted) in &builder.renamed {
        if map.rename(raw).is_none() {
            built.notes.push(format!(
                "speaker label `{raw}` written as `{fitted}` (at most {} characters, no colon)",
                labels::MAX_LABEL_CHARS
            ));
        }
    }
    if built.turns.is_empty() {
        if built.preamble.is_empty() {
            return Err(ConvertError::new(
                ConvertErrorKind::Empty,
                Place::File,
                "the document has no text",
            ));
        }
        let Some(default) = default_speaker else {
            return Err(ConvertError::new(
                ConvertErrorKind::Empty,
                Place::File,
                "no speaker turns found: no paragraph starts with a label such as `Interviewer:` or a bold name, and no table row has a speaker column; label the turns, or give --default-speaker LABEL to make the whole text one speaker's turn",
            ));
        };
        let mut builder = Builder {
            map,
            built: Built::default(),
            open_cue_turn: false,
            renamed: IndexMap::new(),
        };
        let paragraphs = std::mem::take(&mut built.preamble);
        builder.start_turn(None, default, Vec::new());
        for paragraph in paragraphs {
            builder.add_paragraph(paragraph);
        }
        built.turns = builder.built.turns;
        built.mapped.extend(builder.built.mapped);
        built.notes.push(format!(
            "no speaker labels: the whole text is one turn of `{default}` (--default-speaker)"
        ));
    }
    Ok(built)
}

/// Lines of a paragraph, normalised; for readers that collect raw text.
pub(crate) fn paragraph(raw_lines: &[String], bold: &str) -> Piece {
    Piece::Paragraph {
        lines: raw_lines.iter().map(|l| normalize_line(l)).collect(),
        bold: normalize_line(bold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Piece {
        Piece::Row(cells.iter().map(|c| (*c).to_owned()).collect())
    }

    fn para(line: &str) -> Piece {
        paragraph(&[line.to_owned()], "")
    }

    #[test]
    fn rows_without_times_and_rows_that_continue_a_turn() {
        let pieces = [
            row(&["Name", "Text"]),
            row(&["Interviewer:", "Where did you live?"]),
            row(&["Kim", "In Hamhung."]),
            row(&["", "Near the coast."]),
            row(&["", ""]),
        ];
        let built = build(&pieces, &SpeakerMap::default(), None).unwrap();
        assert_eq!(built.notes, ["table header row `Name | Text` left out"]);
        let turns: Vec<(&str, &[Vec<String>])> =
            built.turns.iter().map(|t| (t.speaker.as_str(), t.paragraphs.as_slice())).collect();
        assert_eq!(
            turns,
            [
                ("Interviewer", &[vec!["Where did you live?".to_owned()]][..]),
                ("Kim", &[vec!["In Hamhung.".to_owned()], vec!["Near the coast.".to_owned()]][..]),
            ]
        );
    }

    #[test]
    fn a_one_off_label_of_several_words_is_text_when_others_recur() {
        let mut pieces: Vec<Piece> =
            (0..3).flat_map(|_| [para("I: Why?"), para("P: Because.")]).collect();
        pieces.insert(2, para("My mother said: go."));
        pieces.push(para("Translator: once"));
        let built = build(&pieces, &SpeakerMap::default(), None).unwrap();
        let speakers: Vec<&str> = built.turns.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(speakers, ["I", "P", "I", "P", "I", "P", "Translator"]);
        assert_eq!(built.turns[1].paragraphs[1], ["My mother said: go."]);
    }

    #[test]
    fn cues_of_one_speaker_merge_and_a_missing_speaker_needs_the_default() {
        let cue = |line, start, speaker: Option<&str>, text: &str| Piece::Cue {
            line,
            start: Some(start),
            speaker: speaker.map(str::to_owned),
            text: text.to_owned(),
        };
        let pieces = [
            cue(3, 1.5, Some("Anna"), "Hello."),
            cue(7, 4.0, Some("Anna"), "Ready?"),
            cue(11, 3661.9, None, "Yes."),
        ];
        let error = build(&pieces, &SpeakerMap::default(), None).unwrap_err();
        assert_eq!(
            (error.kind, error.place),
            (ConvertErrorKind::NoSpeaker, Place::Text(Location { line: 11, column: 1 }))
        );
        let built = build(&pieces, &SpeakerMap::default(), Some("P")).unwrap();
        assert_eq!(built.turns[0].time.as_deref(), Some("00:00:01"));
        assert_eq!(built.turns[0].paragraphs, [vec!["Hello. Ready?".to_owned()]]);
        assert_eq!(
            (built.turns[1].speaker.as_str(), built.turns[1].time.as_deref()),
            ("P", Some("01:01:01"))
        );
    }

    #[test]
    fn a_label_alone_takes_the_paragraphs_after_it() {
        let pieces = [para("Interviewer"), para("Interviewer:"), para("Where?"), para("Here.")];
        let built = build(&pieces, &SpeakerMap::default(), None).unwrap();
        assert_eq!(built.preamble, [vec!["Interviewer".to_owned()]]);
        assert_eq!(
            built.turns[0].paragraphs,
            [vec!["Where?".to_owned()], vec!["Here.".to_owned()]]
        );
    }

    #[test]
    fn a_document_without_labels_is_one_turn_of_the_default_speaker() {
        let pieces = [para("Just text."), para("More text.")];
        let error = build(&pieces, &SpeakerMap::default(), None).unwrap_err();
        assert_eq!(error.kind, ConvertErrorKind::Empty);
        let built = build(&pieces, &SpeakerMap::default(), Some("P")).unwrap();
        assert_eq!(built.turns.len(), 1);
        assert_eq!(built.turns[0].paragraphs.len(), 2);
        assert!(built.preamble.is_empty());
    }
}
