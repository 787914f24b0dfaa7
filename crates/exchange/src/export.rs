//! qda → REFI-QDA project: the codebook, transcripts (as `sources/*.txt`),
//! case attributes (as variables and cases) and codings (as selections).

use indexmap::IndexMap;
use qda_coding::{
    AttributeValue, Codebook, Coding, CodingsFile, ImportedSelection, Segment, SegmentMemo, Source,
    StudyMemos, Transcript, Unit,
};

use crate::archive;
use crate::codebook::{self, CodeSet};
use crate::description::{self, CodingBlock, SelectionBlock, SourceBlock, TEXT_SPEAKER};
use crate::error::ExchangeError;
use crate::guid;
use crate::import::imported_of;
use crate::offsets;
use crate::project::{
    RefiCase, RefiCoding, RefiNote, RefiProject, RefiSelection, RefiTextSource, RefiUser,
    RefiValue, RefiVariable, VariableKind, write_qde,
};

/// The byte offset where a transcript's body starts: after the line that
/// closes the front matter.
pub(crate) fn body_start(text: &str) -> usize {
    let mut offset = 0;
    let mut fences = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "+++" {
            fences += 1;
            if fences == 2 {
                return offset;
            }
        }
    }
    text.len()
}

/// How `startPosition` and `endPosition` are counted in an exported project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Positions {
    /// Unicode code points, as the standard says (`QualCoder`, ATLAS.ti,
    /// MAXQDA, Taguette).
    #[default]
    CodePoints,
    /// UTF-16 code units, as `NVivo` counts: a character outside the Basic
    /// Multilingual Plane (an emoji, a rare Han character) counts as two.
    Utf16,
}

/// Exports a codebook, its transcripts, codings and memos as a `.qdpx`
/// archive, positions in code points. Two exports of the same inputs are
/// byte-identical. Memos become notes: the project memo a note on the
/// project, a code's memo a note on the code, a case memo a note on the
/// case's text source (the schema gives a case no notes), a segment memo a
/// note on a selection of the segment.
///
/// # Errors
/// A coding of a case with no transcript, or offsets outside its transcript.
pub fn export_project(
    codebook: &Codebook,
    sets: &[CodeSet],
    transcripts: &[Transcript],
    codings: &[CodingsFile],
    memos: &StudyMemos,
) -> Result<Vec<u8>, ExchangeError> {
    export_project_with(codebook, sets, transcripts, codings, memos, Positions::CodePoints)
}

/// [`export_project`], with positions counted as `positions` says.
///
/// # Errors
/// A coding of a case with no transcript, or offsets outside its transcript.
pub fn export_project_with(
    codebook: &Codebook,
    sets: &[CodeSet],
    transcripts: &[Transcript],
    codings: &[CodingsFile],
    memos: &StudyMemos,
    positions: Positions,
) -> Result<Vec<u8>, ExchangeError> {
    let (mut project, files) = build(codebook, sets, transcripts, codings)?;
    add_memos(&mut project, codebook, memos);
    if positions == Positions::Utf16 {
        to_utf16(&mut project, &files)?;
        // Says how the file counts, for readers (qda among them) that
        // choose a counting model by the writing tool.
        project.origin = Some(format!(
            "{} (positions in UTF-16 code units, as NVivo counts)",
            codebook::origin()
        ));
    }
    let qde = write_qde(&project);
    let mut entries: Vec<(String, Vec<u8>)> = vec![("project.qde".to_owned(), qde.into_bytes())];
    entries.extend(files);
    archive::write(&entries)
}

/// Counts every selection's positions in UTF-16 code units of its source's
/// text (`files` holds the texts, one per source, in the same order).
fn to_utf16(project: &mut RefiProject, files: &[SourceFile]) -> Result<(), ExchangeError> {
    for (source, (name, bytes)) in project.sources.iter_mut().zip(files) {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ExchangeError::Export(format!("{name}: not UTF-8: {e}")))?;
        let units = offsets::utf16_units(text);
        let convert = |p: u64| usize::try_from(p).ok().and_then(|p| units.get(p).copied());
        for selection in &mut source.selections {
            let (Some(start), Some(end)) = (convert(selection.start), convert(selection.end))
            else {
                return Err(ExchangeError::Export(format!(
                    "source `{}`: positions {}..{} lie outside its text of {} characters",
                    source.name.as_deref().unwrap_or(&source.guid),
                    selection.start,
                    selection.end,
                    units.len() - 1
                )));
            };
            selection.start = start;
            selection.end = end;
        }
    }
    Ok(())
}

/// A file of the archive: its name and content.
pub(crate) type SourceFile = (String, Vec<u8>);

/// The project document and its source files (`sources/GUID.txt`).
pub(crate) fn build(
    codebook: &Codebook,
    sets: &[CodeSet],
    transcripts: &[Transcript],
    codings: &[CodingsFile],
) -> Result<(RefiProject, Vec<SourceFile>), ExchangeError> {
    let mut transcripts: Vec<&Transcript> = transcripts.iter().collect();
    transcripts.sort_by(|a, b| a.case().cmp(b.case()));
    let all = sorted_codings(codebook, codings);
    let kinds = variable_kinds(&transcripts);
    let variables = kinds
        .iter()
        .map(|(name, kind)| RefiVariable {
            guid: variable_guid(name),
            name: (*name).to_owned(),
            kind: *kind,
        })
        .collect();
    let mut cases = Vec::new();
    let mut sources = Vec::new();
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let memos = sorted_memos(codings);
    for t in &transcripts {
        let case = case_of(t, &kinds);
        let mine: Vec<&Coding> = all.iter().copied().filter(|c| c.case == t.case()).collect();
        let (mut source, file) = source_of(t, &mine)?;
        // QualCoder reads attributes from the source only.
        source.values.clone_from(&case.values);
        cases.push(case);
        let shift = t.text()[..body_start(t.text())].chars().count();
        let spans = t.segment_spans();
        for memo in memos.iter().filter(|m| m.case == t.case()) {
            let Some(&(start, end)) = spans.get(&memo.segment).filter(|(s, _)| *s >= shift) else {
                return Err(ExchangeError::Export(format!(
                    "{}'s memo on {}: {} has no such segment in its text",
                    memo.coder,
                    memo.segment,
                    t.path().display()
                )));
            };
            let (selection, note) = memo_selection(memo, start - shift, end - shift);
            source.selections.push(selection);
            notes.push(note);
        }
        sources.push(source);
        files.push(file);
    }
    let transcribed: std::collections::BTreeSet<&str> =
        transcripts.iter().map(|t| t.case()).collect();
    if let Some(c) = all.iter().find(|c| !transcribed.contains(c.case.as_str())) {
        return Err(ExchangeError::Export(format!(
            "a coding of case `{}` ({} {} by {}) has no transcript; add the transcript of `{}`",
            c.case, c.segment, c.code, c.coder, c.case
        )));
    }
    let project = RefiProject {
        name: codebook.name().to_owned(),
        origin: Some(codebook::origin()),
        users: users(codings),
        // A project's code sets belong to the project, not its codebook.
        sets: codebook::from_qda(codebook, sets).sets,
        codebook: Some(codebook::from_qda(codebook, &[])),
        variables,
        cases,
        sources,
        notes,
        ..RefiProject::default()
    };
    Ok((project, files))
}

/// The project, code and case memos as notes, referred to from the
/// project, the code and the case's text source.
fn add_memos(project: &mut RefiProject, codebook: &Codebook, memos: &StudyMemos) {
    let note = |kind: &str, id: &str, name: String, content: &str| RefiNote {
        guid: guid::derive(kind, &[id]),
        name: Some(name),
        user: None,
        content: content.to_owned(),
    };
    if let Some(book) = &mut project.codebook {
        for code in codebook.codes() {
            let Some(memo) = code.memo.as_deref().map(str::trim).filter(|m| !m.is_empty()) else {
                continue;
            };
            let note = note("code-memo", &code.id, format!("Memo on code {}", code.id), memo);
            book.code_notes
                .entry(codebook::code_guid(&code.id))
                .or_default()
                .push(note.guid.clone());
            project.notes.push(note);
        }
    }
    for (case, memo) in &memos.cases {
        let Some(source) = project.sources.iter_mut().find(|s| s.name.as_deref() == Some(case))
        else {
            continue;
        };
        let note = note("case-memo", case, format!("Memo on case {case}"), &memo.text);
        source.notes.push(note.guid.clone());
        project.notes.push(note);
    }
    if let Some(memo) = &memos.project {
        let note = note("project-memo", "", "Project memo".to_owned(), &memo.text);
        project.note_refs.push(note.guid.clone());
        project.notes.push(note);
    }
}

/// Every coding of every file, in the order selections are written (by
/// case, position, segment, code in codebook order, coder), each once.
fn sorted_codings<'a>(codebook: &Codebook, codings: &'a [CodingsFile]) -> Vec<&'a Coding> {
    let mut all: Vec<&Coding> = codings.iter().flat_map(|f| f.codings.iter()).collect();
    // Ranked once, not searched for at every comparison.
    let ranks: std::collections::BTreeMap<&str, usize> =
        codebook.codes().iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let code_rank = |id: &str| ranks.get(id).copied().unwrap_or(usize::MAX);
    all.sort_by(|a, b| {
        (&a.case, a.start, a.end, &a.segment, code_rank(&a.code), &a.coder).cmp(&(
            &b.case,
            b.start,
            b.end,
            &b.segment,
            code_rank(&b.code),
            &b.coder,
        ))
    });
    // Pieces of two imported selections are two codings, though they
    // cover the same part of a segment.
    all.dedup_by(|a, b| {
        (&a.case, &a.segment, a.start, a.end, &a.code, &a.coder, imported_of(a))
            == (&b.case, &b.segment, b.start, b.end, &b.code, &b.coder, imported_of(b))
    });
    all
}

/// Every segment memo of every file, by case, segment and coder, each once.
fn sorted_memos(codings: &[CodingsFile]) -> Vec<&SegmentMemo> {
    let mut memos: Vec<&SegmentMemo> = codings.iter().flat_map(|f| f.memos.iter()).collect();
    memos.sort_by(|a, b| (&a.case, &a.segment, &a.coder).cmp(&(&b.case, &b.segment, &b.coder)));
    memos.dedup_by(|a, b| (&a.case, &a.segment, &a.coder) == (&b.case, &b.segment, &b.coder));
    memos
}

/// A memo on a segment without codes: REFI-QDA's way, a selection of the
/// segment with no coding that refers to a note holding the memo.
fn memo_selection(memo: &SegmentMemo, start: usize, end: usize) -> (RefiSelection, RefiNote) {
    let key = [memo.case.as_str(), memo.segment.as_str(), memo.coder.as_str()];
    let note = RefiNote {
        guid: guid::derive("note", &key),
        name: Some(format!("{} on {}", memo.coder, memo.segment)),
        user: Some(user_guid(&memo.coder)),
        content: memo.memo.clone(),
    };
    let block = SelectionBlock { segment: Some(memo.segment.clone()), coding: Vec::new() };
    let selection = RefiSelection {
        guid: guid::derive("memo", &key),
        name: None,
        start: start as u64,
        end: end as u64,
        user: Some(user_guid(&memo.coder)),
        description: Some(description::write(&block)),
        codings: Vec::new(),
        notes: vec![note.guid.clone()],
    };
    (selection, note)
}

fn user_guid(coder: &str) -> String {
    guid::derive("user", &[coder])
}

fn variable_guid(name: &str) -> String {
    guid::derive("variable", &[name])
}

/// One user per coder, by name.
fn users(codings: &[CodingsFile]) -> Vec<RefiUser> {
    let mut coders: Vec<&str> = codings.iter().flat_map(|f| f.coders()).collect();
    coders.sort_unstable();
    coders.dedup();
    coders.iter().map(|c| RefiUser { guid: user_guid(c), name: Some((*c).to_owned()) }).collect()
}

/// Every attribute, in the order first given, typed by what all cases give
/// it: one type if they agree, else a number if all are numbers, else text.
fn variable_kinds<'a>(transcripts: &[&'a Transcript]) -> Vec<(&'a str, VariableKind)> {
    let mut kinds: Vec<(&str, VariableKind)> = Vec::new();
    for t in transcripts {
        for (name, value) in t.attributes() {
            let kind = match value {
                AttributeValue::Boolean(_) => VariableKind::Boolean,
                AttributeValue::Integer(_) => VariableKind::Integer,
                AttributeValue::Float(_) => VariableKind::Float,
                AttributeValue::Text(_) => VariableKind::Text,
            };
            match kinds.iter_mut().find(|(n, _)| n == name) {
                None => kinds.push((name, kind)),
                Some((_, k)) if *k == kind => {}
                Some((_, k @ (VariableKind::Float | VariableKind::Integer)))
                    if matches!(kind, VariableKind::Float | VariableKind::Integer) =>
                {
                    *k = VariableKind::Float;
                }
                Some((_, k)) => *k = VariableKind::Text,
            }
        }
    }
    kinds
}

/// A transcript's case, with its attributes as values of the variables.
fn case_of(t: &Transcript, kinds: &[(&str, VariableKind)]) -> RefiCase {
    let case = t.case();
    let values = t
        .attributes()
        .iter()
        .map(|(name, value)| {
            let kind = kinds.iter().find(|(n, _)| n == name).map_or(VariableKind::Text, |k| k.1);
            let text = match (kind, value) {
                (VariableKind::Float, AttributeValue::Integer(i)) => format!("{i}.0"),
                (_, v) => v.to_string(),
            };
            RefiValue { variable: variable_guid(name), kind, value: text }
        })
        .collect();
    RefiCase {
        guid: guid::derive("case", &[case]),
        name: Some(case.to_owned()),
        values,
        sources: vec![guid::derive("source", &[case])],
    }
}

/// A transcript's text source (its body, without the front matter) with a
/// selection per coded span, and the body's file.
///
/// `codings` are the transcript's own, sorted as [`sorted_codings`] sorts.
fn source_of(
    t: &Transcript,
    codings: &[&Coding],
) -> Result<(RefiTextSource, SourceFile), ExchangeError> {
    let case = t.case();
    let source_guid = guid::derive("source", &[case]);
    let text = t.text();
    // A text imported from another tool was made one turn of the
    // speaker `text`; it goes back without that line.
    let wrapped = t.speakers().is_some_and(|s| s.len() == 1 && s[0] == TEXT_SPEAKER);
    let mut start = body_start(text);
    let label = format!("{TEXT_SPEAKER}:\n");
    if wrapped && text[start..].starts_with(&label) {
        start += label.len();
    }
    let body = &text[start..];
    let shift = text[..start].chars().count();
    let body_chars = body.chars().count();
    let (joined, codings) = join_imported(t, codings, (shift, shift + body_chars));
    let mut selections: Vec<RefiSelection> = Vec::new();
    let mut i = 0;
    while i < codings.len() {
        let first = codings[i];
        let span: Vec<&Coding> = codings[i..]
            .iter()
            .take_while(|c| {
                (c.start, c.end, &c.segment) == (first.start, first.end, &first.segment)
            })
            .copied()
            .collect();
        i += span.len();
        if first.start > first.end || first.start < shift || first.end - shift > body_chars {
            return Err(ExchangeError::Export(format!(
                "coding {} {} by {}: offsets {}..{} lie outside the text of {}",
                first.segment,
                first.code,
                first.coder,
                first.start,
                first.end,
                t.path().display()
            )));
        }
        // One selection per coder, as QualCoder and NVivo write them: a
        // reader takes a selection's coder from its `creatingUser`.
        let mut coders: Vec<&str> = span.iter().map(|c| c.coder.as_str()).collect();
        coders.sort_unstable();
        coders.dedup();
        for coder in coders {
            let group: Vec<&Coding> = span.iter().copied().filter(|c| c.coder == coder).collect();
            selections.push(selection(case, &group, shift));
        }
    }
    let mut guids: std::collections::BTreeSet<String> =
        selections.iter().map(|s| s.guid.clone()).collect();
    for ((whole, coder), group) in &joined {
        selections.push(joined_selection(case, whole, coder, group, shift, &mut guids));
    }
    // In text order; the selections of segments keep their order.
    selections.sort_by_key(|s| (s.start, s.end));
    let block = SourceBlock {
        case: Some(case.to_owned()),
        speakers: t.speakers().filter(|_| !wrapped).map(<[String]>::to_vec),
    };
    let source = RefiTextSource {
        guid: source_guid.clone(),
        name: Some(case.to_owned()),
        plain_text_path: Some(format!("internal://{source_guid}.txt")),
        content: None,
        description: Some(description::write(&block)),
        values: Vec::new(),
        selections,
        notes: Vec::new(),
    };
    Ok((source, (format!("sources/{source_guid}.txt"), body.as_bytes().to_vec())))
}

/// The codings of one imported selection by one coder, one per code
/// (the first piece of each), by the selection and coder.
type Joined<'a> = IndexMap<(&'a ImportedSelection, &'a str), Vec<&'a Coding>>;

/// Joins the pieces of each imported selection (the manual codings that
/// record it, by one coder with one code) into that selection again, when
/// the transcript still gives it: the selection lies in the body (`body`,
/// code points of the transcript text), its pieces lie in segments of one
/// unit without overlapping, and everything of the selection outside them
/// lies in no segment of that unit. Returns the joined selections and the
/// other codings, in their order.
fn join_imported<'a>(
    t: &Transcript,
    codings: &[&'a Coding],
    body: (usize, usize),
) -> (Joined<'a>, Vec<&'a Coding>) {
    let mut groups: IndexMap<(&ImportedSelection, &str, &str), Vec<usize>> = IndexMap::new();
    for (i, c) in codings.iter().enumerate() {
        if let Some(whole) = imported_of(c) {
            groups.entry((whole, c.coder.as_str(), c.code.as_str())).or_default().push(i);
        }
    }
    if groups.is_empty() {
        return (IndexMap::new(), codings.to_vec());
    }
    let units = UnitSegments::of(t);
    let mut joined: Joined<'a> = IndexMap::new();
    let mut taken = vec![false; codings.len()];
    for ((whole, coder, _), pieces) in groups {
        let pieces_of: Vec<&Coding> = pieces.iter().map(|&i| codings[i]).collect();
        if joinable(whole, &pieces_of, &units, body) {
            joined.entry((whole, coder)).or_default().push(pieces_of[0]);
            for i in pieces {
                taken[i] = true;
            }
        }
    }
    let rest = codings.iter().zip(taken).filter(|(_, t)| !t).map(|(c, _)| *c).collect();
    (joined, rest)
}

/// A transcript's segments of every unit: which unit a segment id is of,
/// and each unit's spans in text order (they do not overlap).
struct UnitSegments {
    unit_of: std::collections::BTreeMap<String, usize>,
    spans: Vec<Vec<(usize, usize)>>,
}

impl UnitSegments {
    fn of(t: &Transcript) -> Self {
        let mut unit_of = std::collections::BTreeMap::new();
        let mut spans = Vec::new();
        for (n, unit) in [Unit::Turn, Unit::Paragraph, Unit::Sentence].into_iter().enumerate() {
            let segments: Vec<Segment> = t.segments(unit);
            spans.push(segments.iter().map(|s| (s.start, s.end)).collect());
            unit_of.extend(segments.into_iter().map(|s| (s.id, n)));
        }
        UnitSegments { unit_of, spans }
    }
}

/// Whether `pieces` (codings in text order) and the text of no segment
/// between and around them make up exactly `whole`.
fn joinable(
    whole: &ImportedSelection,
    pieces: &[&Coding],
    units: &UnitSegments,
    (body_start, body_end): (usize, usize),
) -> bool {
    if whole.start < body_start || whole.end > body_end || whole.start >= whole.end {
        return false;
    }
    let Some(&unit) = units.unit_of.get(&pieces[0].segment) else { return false };
    let segments = &units.spans[unit];
    let in_unit = |c: &&Coding| units.unit_of.get(&c.segment) == Some(&unit);
    let mut gaps = Vec::with_capacity(pieces.len() + 1);
    let mut at = whole.start;
    for piece in pieces {
        if piece.start < at || piece.start >= piece.end {
            return false;
        }
        gaps.push((at, piece.start));
        at = piece.end;
    }
    if at > whole.end {
        return false;
    }
    gaps.push((at, whole.end));
    // Of the segments, only the last to start before a gap's end may reach
    // into it.
    let in_no_segment = |&(a, b): &(usize, usize)| {
        let before = segments.partition_point(|&(start, _)| start < b);
        a == b || before == 0 || segments[before - 1].1 <= a
    };
    pieces.iter().all(in_unit) && gaps.iter().all(in_no_segment)
}

/// An imported selection joined again: `whole` by `coder`, with `group`'s
/// codes. It keeps the GUID it was imported with, unless another selection
/// of the source has it (the same selection split by coder) or it is not
/// one the schema takes. Its qda part names no segment: imported again, it
/// is placed on the segments it overlaps and split as before.
fn joined_selection(
    case: &str,
    whole: &ImportedSelection,
    coder: &str,
    group: &[&Coding],
    shift: usize,
    guids: &mut std::collections::BTreeSet<String>,
) -> RefiSelection {
    let (s, e) = ((whole.start - shift).to_string(), (whole.end - shift).to_string());
    let key = [case, whole.guid.as_str(), s.as_str(), e.as_str()];
    let guid = guid::normalized(&whole.guid)
        .filter(|g| !guids.contains(g))
        .unwrap_or_else(|| guid::derive("selection", &[key[0], key[1], key[2], key[3], coder]));
    guids.insert(guid.clone());
    let block = SelectionBlock {
        segment: None,
        coding: group
            .iter()
            .map(|c| CodingBlock {
                code: c.code.clone(),
                coder: c.coder.clone(),
                source: shifted(&c.source, shift),
            })
            .collect(),
    };
    RefiSelection {
        guid,
        name: None,
        start: (whole.start - shift) as u64,
        end: (whole.end - shift) as u64,
        user: Some(user_guid(coder)),
        description: Some(description::write(&block)),
        codings: group
            .iter()
            .map(|c| RefiCoding {
                guid: guid::derive("coding", &[key[0], key[1], key[2], key[3], &c.code, coder]),
                code: codebook::code_guid(&c.code),
                user: Some(user_guid(coder)),
            })
            .collect(),
        notes: Vec::new(),
    }
}

/// The selection of one span of `case`'s body by one coder, with `group`'s
/// codings (all of the span, of one segment, by that coder); `shift` is the
/// code points before the body.
fn selection(case: &str, group: &[&Coding], shift: usize) -> RefiSelection {
    let first = group[0];
    let (s, e) = ((first.start - shift) as u64, (first.end - shift) as u64);
    let span = [case, first.segment.as_str(), &s.to_string(), &e.to_string()];
    let coder = first.coder.as_str();
    let block = SelectionBlock {
        segment: Some(first.segment.clone()),
        coding: group
            .iter()
            .map(|c| CodingBlock {
                code: c.code.clone(),
                coder: c.coder.clone(),
                source: shifted(&c.source, shift),
            })
            .collect(),
    };
    RefiSelection {
        guid: guid::derive("selection", &[span[0], span[1], span[2], span[3], coder]),
        name: None,
        start: s,
        end: e,
        user: Some(user_guid(coder)),
        description: Some(description::write(&block)),
        codings: group
            .iter()
            .map(|c| RefiCoding {
                guid: guid::derive(
                    "coding",
                    &[span[0], span[1], span[2], span[3], &c.code, &c.coder],
                ),
                code: codebook::code_guid(&c.code),
                user: Some(user_guid(&c.coder)),
            })
            .collect(),
        notes: Vec::new(),
    }
}

/// A coding's source with match offsets made relative to the body. A
/// manual coding's quote is left out: the project carries the text, and
/// import quotes the coding again.
fn shifted(source: &Source, shift: usize) -> Source {
    match source {
        Source::Manual { memo, .. } => {
            Source::Manual { memo: memo.clone(), quote: None, imported: None }
        }
        Source::Rule { clause, term, match_start, match_end } => Source::Rule {
            clause: *clause,
            term: term.clone(),
            match_start: match_start.saturating_sub(shift),
            match_end: match_end.saturating_sub(shift),
        },
    }
}
