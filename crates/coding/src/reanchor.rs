//! Re-anchoring: carrying a coder's codings over to an edited transcript.
//!
//! Each coding is looked for in the new text by its [`Quote`] (stored since
//! quotes exist, or taken from the transcript the codings were made on):
//!
//! 1. where it was: the same offsets still cover the same text, with the
//!    same text just before or after it;
//! 2. exactly: every occurrence of the covered text, the one whose
//!    surroundings agree most with the quote's prefix and suffix, then the
//!    one nearest the old offsets;
//! 3. approximately: pieces of the quote (with its context) vote for where
//!    it now lies, and a character diff of the quote against that stretch
//!    (the `similar` crate) maps its ends over. The covered text found must
//!    be within an edit distance of a quarter of its length.
//!
//! The segment is then the one of the same unit that holds the new span.
//! Every coding ends [`Fate::Kept`], [`Fate::Moved`], [`Fate::Changed`]
//! (found, but covering other text, which is shown) or [`Fate::Lost`]:
//! nothing is moved onto different text without being reported.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use similar::{Algorithm, DiffOp};

use crate::coding::{Coding, Source};
use crate::codings_file::{CodedSource, CodingsFile};
use crate::error::{ErrorKind, Position, ReanchorError};
use crate::quote::{QUOTE_CONTEXT, Quote, TextIndex};
use crate::segment::{Segment, Unit};
use crate::transcript::Transcript;

/// Code points in each piece of a quote that votes for where it lies now.
const SEED_CHARS: usize = 8;

/// How far from its old offsets a coding is first looked for, in code points.
const NEAR_CHARS: usize = 4096;

/// A piece found more often than this says nothing about where the quote is.
const SEED_MAX_HITS: usize = 64;

/// How a coding came through the edit of its transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// The same offsets cover the same text.
    Kept,
    /// The same text, found at other offsets.
    Moved,
    /// Found, but the text covered now differs from the text coded.
    Changed,
    /// Not found: the coder must code it again.
    Lost,
}

impl Fate {
    /// The word tables and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Kept => "kept",
            Fate::Moved => "moved",
            Fate::Changed => "changed",
            Fate::Lost => "lost",
        }
    }
}

/// One coding carried over, or not.
#[derive(Debug, Clone)]
pub struct Reanchored {
    /// The coding as it was.
    pub old: Coding,
    /// The coding on the new text, with its new segment, offsets and quote;
    /// `None` when lost.
    pub new: Option<Coding>,
    /// How it came through.
    pub fate: Fate,
    /// The text it covered.
    pub old_text: String,
}

impl Reanchored {
    /// The text the coding covers now, when it was found.
    pub fn new_text(&self) -> Option<&str> {
        match self.new.as_ref().map(|c| &c.source) {
            Some(Source::Manual { quote: Some(quote), .. }) => Some(&quote.exact),
            _ => None,
        }
    }
}

/// One case's codings and reviewed segments, carried over to its new text.
#[derive(Debug, Clone)]
pub struct CaseReanchoring {
    /// Every coding of the case, in the order given.
    pub codings: Vec<Reanchored>,
    /// The reviewed segments on the new text (`None`: every codable one).
    pub reviewed: Option<Vec<String>>,
    /// Reviewed segments without codings that could not be found on the
    /// new text: the coder must look at them again.
    pub unreviewed: Vec<String>,
}

/// Carries one case's codings over to `new`, its transcript as it is now.
///
/// `old` is the transcript the codings were made on, when known; it is
/// needed for codings stored without a quote, and to find reviewed
/// segments that hold no coding. `path` names the codings file in errors.
///
/// # Errors
/// A coding without a quote when `old` is not given ([`ErrorKind::Missing`]).
pub fn reanchor_case(
    path: &Path,
    codings: &[Coding],
    reviewed: Option<&[String]>,
    old: Option<&Transcript>,
    new: &Transcript,
) -> Result<CaseReanchoring, ReanchorError> {
    let old_index = old.map(|t| TextIndex::new(t.text()));
    let new_index = TextIndex::new(new.text());
    let mut segments = Segments::new(new);
    let mut carried = Vec::with_capacity(codings.len());
    for coding in codings {
        let quote = match (&coding.source, &old_index) {
            (Source::Manual { quote: Some(quote), .. }, _) => quote.clone(),
            (_, Some(index)) => Quote::new(index, coding.start, coding.end),
            (_, None) => {
                return Err(ReanchorError {
                    kind: ErrorKind::Missing,
                    position: Position { path: path.to_owned(), location: None },
                    message: format!(
                        "the coding `{}` of {} has no quote of the text it covers, and the transcript it was made on is not given",
                        coding.code, coding.segment
                    ),
                });
            }
        };
        carried.push(carry(coding, quote, &new_index, &mut segments));
    }

    let mut old_segments = old.map(Segments::new);
    let (reviewed, unreviewed) = match reviewed {
        None => (None, Vec::new()),
        Some(ids) => {
            let mut found: BTreeSet<(usize, String)> = BTreeSet::new();
            let mut unreviewed = Vec::new();
            // Where each old segment's codings went, gathered once rather
            // than searched for once per reviewed segment.
            let mut carried_from: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
            for r in &carried {
                if let Some(new) = &r.new {
                    carried_from.entry(r.old.segment.as_str()).or_default().push(new);
                }
            }
            for id in ids {
                let unit = unit_of(id);
                let mut placed: Vec<String> =
                    carried_from.get(id.as_str()).map_or_else(Vec::new, |codings| {
                        codings.iter().map(|c| c.segment.clone()).collect()
                    });
                if placed.is_empty()
                    && let (Some(old_segments), Some(old_index)) = (&mut old_segments, &old_index)
                    && let Some(span) = old_segments.with_id(unit, id)
                {
                    let (start, end) = (span.start, span.end);
                    let quote = Quote::new(old_index, start, end);
                    if let Some((start, end)) = locate(&quote, start, &new_index)
                        && let Some((segment, _)) = segments.holding(unit, start, end)
                    {
                        placed.push(segment.id.clone());
                    }
                }
                if placed.is_empty() {
                    unreviewed.push(id.clone());
                }
                for segment in placed {
                    found.insert((segments.position(unit, &segment), segment));
                }
            }
            (Some(found.into_iter().map(|(_, id)| id).collect()), unreviewed)
        }
    };
    Ok(CaseReanchoring { codings: carried, reviewed, unreviewed })
}

/// A codings file carried over to the transcripts as they are now.
#[derive(Debug, Clone)]
pub struct Reanchoring {
    /// The new codings file: lost codings left out, the others on the new
    /// text with their quotes, and every transcript's new SHA-256.
    pub file: CodingsFile,
    /// Each case whose transcript changed, in the file's order.
    pub cases: Vec<ChangedCase>,
}

/// One case whose transcript changed, and what became of its codings.
#[derive(Debug, Clone)]
pub struct ChangedCase {
    /// The case id.
    pub case: String,
    /// The transcript file now.
    pub path: String,
    /// Its codings and their fates, and its reviewed segments.
    pub reanchoring: CaseReanchoring,
}

impl CodingsFile {
    /// Carries every coding of a transcript that changed (by SHA-256) over
    /// to its text now (see [`reanchor_case`]); codings of unchanged
    /// transcripts stay as they are, and manual codings without a quote get
    /// one. `now` and `then` map case ids to transcripts; `then` holds the
    /// transcripts the codings were made on, where known. `unit` is the
    /// codebook's, for counting segments. `path` names the file in errors.
    ///
    /// # Errors
    /// A case missing from `now` ([`ErrorKind::UnknownName`]), a rule coding
    /// ([`ErrorKind::InvalidValue`]: rules code the new text themselves), a
    /// transcript in `then` that is not the one the codings were made on
    /// ([`ErrorKind::Conflict`]), or a coding without a quote and no
    /// transcript in `then` ([`ErrorKind::Missing`]).
    pub fn reanchor(
        &self,
        path: &Path,
        unit: Unit,
        now: &BTreeMap<String, &Transcript>,
        then: &BTreeMap<String, &Transcript>,
    ) -> Result<Reanchoring, ReanchorError> {
        let error = |kind: ErrorKind, message: String| ReanchorError {
            kind,
            position: Position { path: path.to_owned(), location: None },
            message,
        };
        if let Some(rule) = self.codings.iter().find(|c| matches!(c.source, Source::Rule { .. })) {
            return Err(error(
                ErrorKind::InvalidValue,
                format!(
                    "holds rule codings ({} {} by `{}`); rules code the new text themselves: run `qda code` again",
                    rule.segment, rule.code, rule.coder
                ),
            ));
        }
        let mut file = self.clone();
        file.codings.clear();
        let mut cases = Vec::new();
        let mut by_case: BTreeMap<&str, Vec<Coding>> = BTreeMap::new();
        for coding in &self.codings {
            by_case.entry(coding.case.as_str()).or_default().push(coding.clone());
        }
        // Checked in order, so the first problem is the one reported.
        let mut work = Vec::with_capacity(self.transcripts.len());
        for source in &self.transcripts {
            let Some(&transcript) = now.get(&source.case) else {
                return Err(error(
                    ErrorKind::UnknownName,
                    format!(
                        "case `{}` ({}) is not among the transcripts given; add its transcript",
                        source.case, source.path
                    ),
                ));
            };
            let old = then.get(&source.case).copied();
            if transcript.sha256() != source.sha256
                && let Some(old) = old
                && old.sha256() != source.sha256
            {
                return Err(error(
                    ErrorKind::Conflict,
                    format!(
                        "{} is not the transcript of case `{}` these codings were made on (SHA-256 {} recorded, {} found); name the transcripts of the commit the codings were made on",
                        old.path().display(),
                        source.case,
                        source.sha256,
                        old.sha256()
                    ),
                ));
            }
            let codings = by_case.remove(source.case.as_str()).unwrap_or_default();
            work.push((source, transcript, old, codings));
        }
        // Each transcript is carried over on its own, in parallel.
        let done: Vec<Result<Carried, ReanchorError>> = work
            .into_par_iter()
            .map(|(source, transcript, old, mut codings)| {
                if transcript.sha256() == source.sha256 {
                    crate::coding::quote_missing(transcript.text(), &mut codings);
                    return Ok(Carried::Unchanged(codings));
                }
                let reanchoring =
                    reanchor_case(path, &codings, source.reviewed.as_deref(), old, transcript)?;
                let new_source = CodedSource {
                    case: source.case.clone(),
                    path: transcript.path().to_string_lossy().replace('\\', "/"),
                    sha256: transcript.sha256().to_owned(),
                    segments: transcript.segments(unit).len(),
                    reviewed: reanchoring.reviewed.clone(),
                };
                Ok(Carried::Changed(new_source, reanchoring))
            })
            .collect();
        for (carried, new_source) in done.into_iter().zip(&mut file.transcripts) {
            match carried? {
                Carried::Unchanged(codings) => file.codings.extend(codings),
                Carried::Changed(source, reanchoring) => {
                    file.codings.extend(reanchoring.codings.iter().filter_map(|r| r.new.clone()));
                    cases.push(ChangedCase {
                        case: source.case.clone(),
                        path: source.path.clone(),
                        reanchoring,
                    });
                    *new_source = source;
                }
            }
        }
        // Codings of cases the file does not list are left as they are;
        // checking the file reports them.
        let listed: BTreeSet<&str> = self.transcripts.iter().map(|s| s.case.as_str()).collect();
        file.codings
            .extend(self.codings.iter().filter(|c| !listed.contains(c.case.as_str())).cloned());
        Ok(Reanchoring { file, cases })
    }
}

/// One transcript's codings, carried over or not.
enum Carried {
    /// The transcript did not change: its codings, each manual one quoted.
    Unchanged(Vec<Coding>),
    /// The transcript changed: its new entry in `transcripts`, and what
    /// became of its codings.
    Changed(CodedSource, CaseReanchoring),
}

/// A transcript's segments, split once per unit asked for.
struct Segments<'t> {
    transcript: &'t Transcript,
    by_unit: BTreeMap<&'static str, Vec<Segment>>,
    /// Each unit's segments' positions by id, made when first asked for.
    positions: BTreeMap<&'static str, BTreeMap<String, usize>>,
}

impl<'t> Segments<'t> {
    fn new(transcript: &'t Transcript) -> Self {
        Segments { transcript, by_unit: BTreeMap::new(), positions: BTreeMap::new() }
    }

    fn of(&mut self, unit: Unit) -> &[Segment] {
        self.by_unit.entry(unit.as_str()).or_insert_with(|| self.transcript.segments(unit))
    }

    /// The segment that holds `start..end`, or else the one that holds
    /// most of it (`false`: the span had to be cut to it).
    fn holding(&mut self, unit: Unit, start: usize, end: usize) -> Option<(&Segment, bool)> {
        let segments = self.of(unit);
        let overlap = |s: &Segment| end.min(s.end).saturating_sub(start.max(s.start));
        let first = segments.partition_point(|s| s.end <= start);
        let best = segments[first..]
            .iter()
            .take_while(|s| s.start < end)
            .max_by_key(|s| (overlap(s), Reverse(s.start)))?;
        (overlap(best) > 0).then_some((best, best.start <= start && end <= best.end))
    }

    /// Where the segment `id` of `unit` is among them (`usize::MAX`: not there).
    fn position(&mut self, unit: Unit, id: &str) -> usize {
        if !self.positions.contains_key(unit.as_str()) {
            let mut positions = BTreeMap::new();
            for (i, segment) in self.of(unit).iter().enumerate() {
                positions.entry(segment.id.clone()).or_insert(i);
            }
            self.positions.insert(unit.as_str(), positions);
        }
        self.positions[unit.as_str()].get(id).copied().unwrap_or(usize::MAX)
    }

    /// The segment `id` of `unit`, if there is one.
    fn with_id(&mut self, unit: Unit, id: &str) -> Option<&Segment> {
        let at = self.position(unit, id);
        self.of(unit).get(at)
    }
}

/// The unit a segment id names: `P01:t3`, `P01:t3.p2` or `P01:t3.s1`.
fn unit_of(segment: &str) -> Unit {
    let local = segment.rsplit(':').next().unwrap_or(segment);
    match local.split_once('.') {
        Some((_, part)) if part.starts_with('p') => Unit::Paragraph,
        Some((_, part)) if part.starts_with('s') => Unit::Sentence,
        _ => Unit::Turn,
    }
}

fn carry(
    coding: &Coding,
    quote: Quote,
    new: &TextIndex<'_>,
    segments: &mut Segments<'_>,
) -> Reanchored {
    let lost = |quote: Quote| Reanchored {
        old: coding.clone(),
        new: None,
        fate: Fate::Lost,
        old_text: quote.exact,
    };
    let Some((start, end)) = locate(&quote, coding.start, new) else { return lost(quote) };
    let unit = unit_of(&coding.segment);
    let Some((segment, whole)) = segments.holding(unit, start, end) else { return lost(quote) };
    let (start, end) =
        if whole { (start, end) } else { (start.max(segment.start), end.min(segment.end)) };
    let new_quote = Quote::new(new, start, end);
    let fate = if new_quote.exact != quote.exact {
        Fate::Changed
    } else if start == coding.start && end == coding.end && segment.id == coding.segment {
        Fate::Kept
    } else {
        Fate::Moved
    };
    let memo = match &coding.source {
        Source::Manual { memo, .. } => memo.clone(),
        Source::Rule { .. } => None,
    };
    let carried = Coding {
        segment: segment.id.clone(),
        start,
        end,
        // The text moved: an imported selection's extent no longer holds.
        source: Source::Manual { memo, quote: Some(new_quote), imported: None },
        ..coding.clone()
    };
    Reanchored { old: coding.clone(), new: Some(carried), fate, old_text: quote.exact }
}

/// Where `quote` lies in `new`, in code points; `old_start` is where it was.
fn locate(quote: &Quote, old_start: usize, new: &TextIndex<'_>) -> Option<(usize, usize)> {
    let len = quote.exact.chars().count();
    if len == 0 {
        return None;
    }
    let before = |at: usize| new.slice(at.saturating_sub(QUOTE_CONTEXT), at);
    let after = |at: usize| new.slice(at, at + QUOTE_CONTEXT);
    if new.slice(old_start, old_start + len) == quote.exact
        && (before(old_start).ends_with(&quote.prefix)
            || after(old_start + len).starts_with(&quote.suffix))
    {
        return Some((old_start, old_start + len));
    }
    let context = |at: usize| {
        common_suffix(before(at), &quote.prefix) + common_prefix(after(at + len), &quote.suffix)
    };
    // The best occurrence in code points `from..to`: most context, then
    // nearest the old offsets.
    let best = |from: usize, to: usize| {
        let offset = new.byte_at(from);
        new.slice(from, to)
            .match_indices(quote.exact.as_str())
            .map(|(byte, _)| new.char_at(offset + byte))
            .min_by_key(|&at| (Reverse(context(at)), at.abs_diff(old_start), at))
    };
    // Most edits move a coding a little: an occurrence near the old offsets
    // with all its context is the one a search of the whole text would
    // find, since every occurrence outside the window lies farther away.
    let full = quote.prefix.chars().count() + quote.suffix.chars().count();
    let near = best(old_start.saturating_sub(NEAR_CHARS), old_start + len + NEAR_CHARS);
    if let Some(at) = near.filter(|&at| context(at) == full && at.abs_diff(old_start) <= NEAR_CHARS)
    {
        return Some((at, at + len));
    }
    if let Some(at) = best(0, new.chars()) {
        return Some((at, at + len));
    }
    approximate(quote, len, old_start, new)
}

/// The search of step 3 (see the module docs).
fn approximate(
    quote: &Quote,
    len: usize,
    old_start: usize,
    new: &TextIndex<'_>,
) -> Option<(usize, usize)> {
    let budget = (len / 4).max(1);
    let needle: Vec<char> =
        quote.prefix.chars().chain(quote.exact.chars()).chain(quote.suffix.chars()).collect();
    let before = quote.prefix.chars().count();
    // Each piece of the needle found in the text votes for the needle's start.
    let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, piece) in needle.chunks_exact(SEED_CHARS).enumerate() {
        let piece: String = piece.iter().collect();
        let hits: Vec<usize> =
            new.text().match_indices(piece.as_str()).take(SEED_MAX_HITS + 1).map(|h| h.0).collect();
        if hits.len() > SEED_MAX_HITS {
            continue;
        }
        for byte in hits {
            if let Some(start) = new.char_at(byte).checked_sub(i * SEED_CHARS) {
                *votes.entry(start).or_default() += 1;
            }
        }
    }
    let wanted = old_start.saturating_sub(before);
    let (&aligned, _) =
        votes.iter().max_by_key(|&(&at, &n)| (n, Reverse(at.abs_diff(wanted)), Reverse(at)))?;
    let from = aligned.saturating_sub(budget);
    let to = (aligned + needle.len() + budget).min(new.chars());
    let region: Vec<char> = new.slice(from, to).chars().collect();
    let ops = similar::capture_diff_slices(Algorithm::Myers, &needle, &region);
    let start = from + map_start(&ops, before)?;
    let end = from + map_end(&ops, before + len)?;
    if end <= start {
        return None;
    }
    let found = new.slice(start, end);
    (strsim::levenshtein(&quote.exact, found) <= budget).then_some((start, end))
}

/// Where the character at `i` of the old sequence went.
fn map_start(ops: &[DiffOp], i: usize) -> Option<usize> {
    ops.iter().find_map(|op| {
        let (old, new) = (op.old_range(), op.new_range());
        if !old.contains(&i) {
            return None;
        }
        Some(match op {
            DiffOp::Equal { .. } => new.start + (i - old.start),
            DiffOp::Replace { .. } => new.start + (i - old.start).min(new.len()),
            _ => new.start,
        })
    })
}

/// Where the end (exclusive) of the old sequence's `..i` went.
fn map_end(ops: &[DiffOp], i: usize) -> Option<usize> {
    let last = i.checked_sub(1)?;
    ops.iter().find_map(|op| {
        let (old, new) = (op.old_range(), op.new_range());
        if !old.contains(&last) {
            return None;
        }
        Some(match op {
            DiffOp::Equal { .. } => new.start + (last - old.start) + 1,
            DiffOp::Replace { .. } => new.start + (i - old.start).min(new.len()),
            _ => new.start,
        })
    })
}

/// Code points shared at the end of `a` and `b`.
fn common_suffix(a: &str, b: &str) -> usize {
    a.chars().rev().zip(b.chars().rev()).take_while(|(x, y)| x == y).count()
}

/// Code points shared at the start of `a` and `b`.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::ImportedSelection;

    fn transcript(body: &str) -> Transcript {
        let text = format!("+++\ncase = \"P01\"\n+++\n{body}");
        Transcript::parse(Path::new("P01.txt"), text.as_bytes()).unwrap()
    }

    fn coding_of(t: &Transcript, words: &str) -> Coding {
        let index = TextIndex::new(t.text());
        let byte = t.text().find(words).unwrap();
        let start = index.char_at(byte);
        let end = start + words.chars().count();
        let segment = t.segments(Unit::Turn).into_iter().find(|s| s.start <= start && end <= s.end);
        Coding {
            case: "P01".into(),
            segment: segment.unwrap().id,
            code: "freedom".into(),
            coder: "anna".into(),
            start,
            end,
            source: Source::Manual {
                memo: None,
                quote: Some(Quote::new(&index, start, end)),
                imported: None,
            },
        }
    }

    fn fates(old: &str, new: &str, words: &str) -> (Fate, Option<String>, Option<String>) {
        let (old, new) = (transcript(old), transcript(new));
        let coding = coding_of(&old, words);
        let result = reanchor_case(Path::new("anna.json"), &[coding], None, None, &new).unwrap();
        let r = &result.codings[0];
        (r.fate, r.new_text().map(str::to_owned), r.new.as_ref().map(|c| c.segment.clone()))
    }

    #[test]
    fn untouched_text_is_kept() {
        let body = "I: Why?\nP: I wanted to be free.\n";
        assert_eq!(fates(body, body, "wanted to be free").0, Fate::Kept);
    }

    #[test]
    fn a_turn_inserted_before_moves_the_coding_and_its_segment() {
        let old = "I: Why?\nP: I wanted to be free.\n";
        let new = "I: Hello.\nP: Hello.\nI: Why?\nP: I wanted to be free.\n";
        assert_eq!(
            fates(old, new, "wanted to be free"),
            (Fate::Moved, Some("wanted to be free".into()), Some("P01:t4".into()))
        );
    }

    /// The selection an imported coding records was measured on the old
    /// text: a carried coding leaves it out.
    #[test]
    fn a_carried_coding_drops_the_selection_it_was_imported_from() {
        let old = transcript("I: Why?\nP: I wanted to be free.\n");
        let new = transcript("I: Hello.\nP: Hello.\nI: Why?\nP: I wanted to be free.\n");
        let mut coding = coding_of(&old, "wanted to be free");
        if let Source::Manual { imported, .. } = &mut coding.source {
            let guid = "F0000000-0000-0000-0000-000000000000".to_owned();
            *imported = Some(ImportedSelection { guid, start: coding.start, end: coding.end + 2 });
        }
        let result = reanchor_case(Path::new("anna.json"), &[coding], None, None, &new).unwrap();
        let carried = result.codings[0].new.as_ref().unwrap();
        assert!(matches!(carried.source, Source::Manual { imported: None, .. }));
    }

    #[test]
    fn a_typo_fixed_inside_the_coding_is_changed_and_shown() {
        let old = "I: Why?\nP: I wanted to be fre, so I left.\n";
        let new = "I: Why?\nP: I wanted to be free, so I left.\n";
        assert_eq!(
            fates(old, new, "wanted to be fre,"),
            (Fate::Changed, Some("wanted to be free,".into()), Some("P01:t2".into()))
        );
    }

    #[test]
    fn a_deleted_passage_is_lost() {
        let old = "I: Why?\nP: Nothing to eat at home, so we went across the river.\nI: And then?\nP: Then we walked.\n";
        let new = "I: Why?\nP: Then we walked.\n";
        assert_eq!(fates(old, new, "Nothing to eat at home").0, Fate::Lost);
    }

    #[test]
    fn a_typo_fixed_in_korean_text_is_found_approximately() {
        let old = "I: 왜요?\nP: 정말로 자유를 원했어요, 그래서 떠났어요.\n";
        let new = "I: 왜요?\nP: 정말로 자유를 원했어요. 그래서 떠났어요.\n";
        assert_eq!(
            fates(old, new, "자유를 원했어요,"),
            (Fate::Changed, Some("자유를 원했어요.".into()), Some("P01:t2".into()))
        );
    }

    #[test]
    fn reviewed_segments_follow_their_codings_or_the_old_text() {
        let old = transcript("I: Why?\nP: We were hungry.\nI: And?\nP: Nothing else.\n");
        let new =
            transcript("I: Hi.\nP: Hi.\nI: Why?\nP: We were hungry.\nI: And?\nP: Nothing else.\n");
        let coding = coding_of(&old, "hungry");
        let reviewed = ["P01:t2".to_owned(), "P01:t4".to_owned()];
        let path = Path::new("anna.json");
        let with_old =
            reanchor_case(path, std::slice::from_ref(&coding), Some(&reviewed), Some(&old), &new)
                .unwrap();
        assert_eq!(with_old.reviewed, Some(vec!["P01:t4".to_owned(), "P01:t6".to_owned()]));
        assert!(with_old.unreviewed.is_empty());
        // Without the old text, a reviewed segment without codings cannot be found.
        let without = reanchor_case(path, &[coding], Some(&reviewed), None, &new).unwrap();
        assert_eq!(without.reviewed, Some(vec!["P01:t4".to_owned()]));
        assert_eq!(without.unreviewed, vec!["P01:t4".to_owned()]);
    }

    #[test]
    fn units_are_read_from_segment_ids() {
        assert_eq!(unit_of("P01:t3"), Unit::Turn);
        assert_eq!(unit_of("P01:t3.p2"), Unit::Paragraph);
        assert_eq!(unit_of("P01:t3.s1"), Unit::Sentence);
    }
}
