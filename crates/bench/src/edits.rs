//! Seeded edits of the kind researchers make to transcripts after coding
//! them: typo fixes, inserted and deleted sentences, turns split and
//! merged, white space, and deleted passages. For testing and timing
//! `qda reanchor`.
//!
//! Every edit records the code-point range of the old text it replaces, so
//! a test can tell which codings an edit touched.

use crate::Rng;

/// What an edit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EditKind {
    /// Two letters of a word swapped (or swapped back: a typo fixed).
    Typo,
    /// A sentence inserted after a sentence.
    InsertedSentence,
    /// A sentence deleted.
    DeletedSentence,
    /// A participant turn split in two by an interviewer's question.
    SplitTurn,
    /// An interviewer's one-line question removed, so that the participant
    /// turns around it become one.
    MergedTurns,
    /// A space doubled, or white space added at the end of a line.
    WhiteSpace,
    /// A whole turn deleted.
    DeletedPassage,
}

/// Every kind but [`EditKind::DeletedPassage`], which a caller places.
pub const LIGHT_EDITS: [EditKind; 6] = [
    EditKind::Typo,
    EditKind::InsertedSentence,
    EditKind::DeletedSentence,
    EditKind::SplitTurn,
    EditKind::MergedTurns,
    EditKind::WhiteSpace,
];

/// One edit: code points `start..end` of the old text become `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What sort of edit it is.
    pub kind: EditKind,
    /// Start in the old text, in code points.
    pub start: usize,
    /// End (exclusive) in the old text; equal to `start` for an insertion.
    pub end: usize,
    /// The new text of the range.
    pub replacement: String,
}

impl Edit {
    /// Whether the edit changes text inside `start..end` of the old text
    /// (an insertion at either end leaves it as it was).
    pub fn touches(&self, start: usize, end: usize) -> bool {
        if self.start == self.end {
            start < self.start && self.start < end
        } else {
            self.start < end && start < self.end
        }
    }
}

/// A transcript's text (front matter and turns) as code points, with where
/// its turns start.
struct Layout {
    chars: Vec<char>,
    /// Code point where the body (after the front matter) starts.
    body: usize,
    /// Code point of each line that starts a turn (`LABEL: `).
    turns: Vec<usize>,
}

impl Layout {
    fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut fences = 0;
        let mut body = 0;
        let mut turns = Vec::new();
        let mut line_start = 0;
        for i in 0..=chars.len() {
            if i < chars.len() && chars[i] != '\n' {
                continue;
            }
            let line: String = chars[line_start..i].iter().collect();
            if fences < 2 {
                if line == "+++" {
                    fences += 1;
                    body = i + 1;
                }
            } else if line.starts_with("I: ") || line.starts_with("P: ") {
                turns.push(line_start);
            }
            line_start = i + 1;
        }
        Layout { chars, body, turns }
    }

    fn line_end(&self, from: usize) -> usize {
        self.chars[from..].iter().position(|&c| c == '\n').map_or(self.chars.len(), |n| from + n)
    }

    fn speaker(&self, turn_start: usize) -> char {
        self.chars[turn_start]
    }

    /// Where turn `i` ends: the start of the next turn, or the text's end.
    fn turn_end(&self, i: usize) -> usize {
        self.turns.get(i + 1).copied().unwrap_or(self.chars.len())
    }

    /// Code points just after a sentence's period inside participant turns:
    /// `. ` with a letter after it, on one line.
    fn sentence_ends(&self) -> Vec<usize> {
        let mut ends = Vec::new();
        for (i, &start) in self.turns.iter().enumerate() {
            if self.speaker(start) != 'P' {
                continue;
            }
            for at in start + 3..self.turn_end(i).saturating_sub(2) {
                if self.chars[at] == '.'
                    && self.chars[at + 1] == ' '
                    && self.chars[at + 2].is_alphabetic()
                {
                    ends.push(at + 1);
                }
            }
        }
        ends
    }
}

/// Plans one edit of each of `kinds` in `text`, at seeded places, none
/// overlapping another (nor within a few code points of one), plus the
/// deletion of each turn of `deleted_turns` (code points of a place in
/// the turn). Kinds that find no place are left out. Sorted by start.
pub fn plan(rng: &mut Rng, text: &str, kinds: &[EditKind], deleted_turns: &[usize]) -> Vec<Edit> {
    let layout = Layout::new(text);
    let mut edits: Vec<Edit> = Vec::new();
    let free = |edits: &[Edit], start: usize, end: usize| {
        edits.iter().all(|e| end + 4 <= e.start || e.end + 4 <= start)
    };
    for &at in deleted_turns {
        let Some(i) = layout.turns.iter().rposition(|&t| t <= at) else { continue };
        let (start, end) = (layout.turns[i], layout.turn_end(i));
        if free(&edits, start, end) {
            edits.push(Edit {
                kind: EditKind::DeletedPassage,
                start,
                end,
                replacement: String::new(),
            });
        }
    }
    let sentence_ends = layout.sentence_ends();
    for &kind in kinds {
        for _ in 0..20 {
            let Some(edit) = candidate(rng, &layout, &sentence_ends, kind) else { break };
            if edit.start >= layout.body && free(&edits, edit.start, edit.end) {
                edits.push(edit);
                break;
            }
        }
    }
    edits.sort_by_key(|e| (e.start, e.end));
    edits
}

fn candidate(
    rng: &mut Rng,
    layout: &Layout,
    sentence_ends: &[usize],
    kind: EditKind,
) -> Option<Edit> {
    let chars = &layout.chars;
    let edit = |start: usize, end: usize, replacement: &str| Edit {
        kind,
        start,
        end,
        replacement: replacement.to_owned(),
    };
    match kind {
        EditKind::Typo => {
            let at = layout.body + rng.below(chars.len().saturating_sub(layout.body).max(1));
            let word = (at..chars.len()).find(|&i| {
                i + 6 < chars.len() && chars[i..i + 6].iter().all(|c| c.is_ascii_lowercase())
            })?;
            let swapped: String = [chars[word + 2], chars[word + 1]].iter().collect();
            (chars[word + 1] != chars[word + 2]).then(|| edit(word + 1, word + 3, &swapped))
        }
        EditKind::InsertedSentence => {
            let at = *pick(rng, sentence_ends)?;
            Some(edit(at, at, " I remember that part very well."))
        }
        EditKind::DeletedSentence => {
            let at = *pick(rng, sentence_ends)?;
            let line_end = layout.line_end(at);
            let next = (at + 1..line_end).find(|&i| chars[i] == '.')?;
            Some(edit(at, next + 1, ""))
        }
        EditKind::SplitTurn => {
            let at = *pick(rng, sentence_ends)?;
            Some(edit(at, at + 1, "\nI: And then?\nP: "))
        }
        EditKind::MergedTurns => {
            // `\nI: one line\nP: ` between two participant turns.
            let starts: Vec<usize> = layout
                .turns
                .windows(3)
                .filter(|w| {
                    layout.speaker(w[0]) == 'P'
                        && layout.speaker(w[1]) == 'I'
                        && layout.speaker(w[2]) == 'P'
                        && layout.line_end(w[1]) + 1 == w[2]
                })
                .map(|w| w[1])
                .collect();
            let question = *pick(rng, &starts)?;
            let answer_text = layout.line_end(question) + 1 + 3;
            Some(edit(question - 1, answer_text, " "))
        }
        EditKind::WhiteSpace => {
            let at = *pick(rng, sentence_ends)?;
            if rng.chance(0.5) {
                Some(edit(at, at + 1, "  "))
            } else {
                let end = layout.line_end(at);
                Some(edit(end, end, "  "))
            }
        }
        EditKind::DeletedPassage => None,
    }
}

/// Sentences of participant turns, as a coder would code them: each with
/// its turn's number (from 1, counting every turn) and its code-point span
/// (a sentence ends at its period; it starts after the previous one's).
pub fn participant_sentences(text: &str) -> Vec<(usize, usize, usize)> {
    let layout = Layout::new(text);
    let ends = layout.sentence_ends();
    let mut sentences = Vec::new();
    for (i, &start) in layout.turns.iter().enumerate() {
        if layout.speaker(start) != 'P' {
            continue;
        }
        let turn_end = layout.turn_end(i);
        let mut from = start + 3;
        for &end in ends.iter().filter(|&&e| start < e && e < turn_end) {
            // `end` is the space after a period; the sentence starts after
            // the last white space before it.
            let first = (from..end).find(|&c| !layout.chars[c].is_whitespace()).unwrap_or(end);
            if first < end && !layout.chars[first..end].contains(&'\n') {
                sentences.push((i + 1, first, end));
            }
            from = end + 1;
        }
    }
    sentences
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.below(items.len())])
}

/// `text` with `edits` (sorted, not overlapping) applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for edit in edits {
        out.extend(&chars[at..edit.start]);
        out.push_str(&edit.replacement);
        at = edit.end;
    }
    out.extend(&chars[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "+++\ncase = \"P01\"\n+++\nI: Why did you go?\nP: We were hungry. There was nothing to eat. My mother cried.\nI: And then?\nP: We walked to the river. It was cold.\n";

    #[test]
    fn each_kind_finds_a_place_and_applies() {
        for kind in LIGHT_EDITS {
            let mut rng = Rng::new(3);
            let edits = plan(&mut rng, TEXT, &[kind], &[]);
            assert_eq!(edits.len(), 1, "{kind:?}");
            assert_ne!(apply(TEXT, &edits), TEXT, "{kind:?}");
        }
    }

    #[test]
    fn a_deleted_passage_removes_its_whole_turn() {
        let at = TEXT.find("We walked").unwrap();
        let edits = plan(&mut Rng::new(1), TEXT, &[], &[at]);
        assert_eq!(
            apply(TEXT, &edits),
            TEXT.replace("P: We walked to the river. It was cold.\n", "")
        );
    }
}
