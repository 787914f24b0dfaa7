//! qda → REFI-QDA project: the codebook, transcripts (as `sources/*.txt`),
//! case attributes (as variables and cases) and codings (as selections).

use qda_coding::{AttributeValue, Codebook, Coding, CodingsFile, SegmentMemo, Source, Transcript};

use crate::archive;
use crate::codebook::{self, CodeSet};
use crate::description::{self, CodingBlock, SelectionBlock, SourceBlock, TEXT_SPEAKER};
use crate::error::ExchangeError;
use crate::guid;
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

/// Exports a codebook, its transcripts and codings as a `.qdpx` archive,
/// positions in code points. Two exports of the same inputs are
/// byte-identical.
///
/// # Errors
/// A coding of a case with no transcript, or offsets outside its transcript.
pub fn export_project(
    codebook: &Codebook,
    sets: &[CodeSet],
    transcripts: &[Transcript],
    codings: &[CodingsFile],
) -> Result<Vec<u8>, ExchangeError> {
    export_project_with(codebook, sets, transcripts, codings, Positions::CodePoints)
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
    positions: Positions,
) -> Result<Vec<u8>, ExchangeError> {
    let (mut project, files) = build(codebook, sets, transcripts, codings)?;
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
    if let Some(c) = all.iter().find(|c| !transcripts.iter().any(|t| t.case() == c.case)) {
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

/// Every coding of every file, in the order selections are written (by
/// case, position, segment, code in codebook order, coder), each once.
fn sorted_codings<'a>(codebook: &Codebook, codings: &'a [CodingsFile]) -> Vec<&'a Coding> {
    let mut all: Vec<&Coding> = codings.iter().flat_map(|f| f.codings.iter()).collect();
    let code_rank =
        |id: &str| codebook.codes().iter().position(|c| c.id == id).unwrap_or(usize::MAX);
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
    all.dedup_by(|a, b| {
        (&a.case, &a.segment, a.start, a.end, &a.code, &a.coder)
            == (&b.case, &b.segment, b.start, b.end, &b.code, &b.coder)
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
    };
    Ok((source, (format!("sources/{source_guid}.txt"), body.as_bytes().to_vec())))
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
        Source::Manual { memo, .. } => Source::Manual { memo: memo.clone(), quote: None },
        Source::Rule { clause, term, match_start, match_end } => Source::Rule {
            clause: *clause,
            term: term.clone(),
            match_start: match_start.saturating_sub(shift),
            match_end: match_end.saturating_sub(shift),
        },
    }
}
