//! qda → REFI-QDA project: the codebook, transcripts (as `sources/*.txt`),
//! case attributes (as variables and cases) and codings (as selections).

use std::collections::BTreeMap;

use qda_coding::{AttributeValue, Codebook, Coding, CodingsFile, Source, Transcript};
use serde::{Deserialize, Serialize};

use crate::archive;
use crate::codebook::{self, CodeSet, QDA_MARKER};
use crate::error::ExchangeError;
use crate::guid;
use crate::import::TEXT_SPEAKER;
use crate::project::{
    RefiCase, RefiCoding, RefiProject, RefiSelection, RefiTextSource, RefiUser, RefiValue,
    RefiVariable, VariableKind, write_qde,
};

/// The qda part of a selection's description: the segment and what each
/// coding's source was, which REFI-QDA has no place for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SelectionBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) segment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) coding: Vec<CodingBlock>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodingBlock {
    pub(crate) code: String,
    pub(crate) coder: String,
    pub(crate) source: Source,
}

/// The qda part of a source's description.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SourceBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) case: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) speakers: Option<Vec<String>>,
}

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

/// Exports a codebook, its transcripts and codings as a `.qdpx` archive.
/// Two exports of the same inputs are byte-identical.
///
/// # Errors
/// A coding of a case with no transcript, or offsets outside its transcript.
pub fn export_project(
    codebook: &Codebook,
    sets: &[CodeSet],
    transcripts: &[Transcript],
    codings: &[CodingsFile],
) -> Result<Vec<u8>, ExchangeError> {
    let (project, files) = build(codebook, sets, transcripts, codings)?;
    let qde = write_qde(&project);
    let mut entries: Vec<(String, Vec<u8>)> = vec![("project.qde".to_owned(), qde.into_bytes())];
    entries.extend(files);
    archive::write(&entries)
}

/// A file of the archive: its name and content.
pub type SourceFile = (String, Vec<u8>);

/// The project document and its source files (`sources/GUID.txt`).
pub fn build(
    codebook: &Codebook,
    sets: &[CodeSet],
    transcripts: &[Transcript],
    codings: &[CodingsFile],
) -> Result<(RefiProject, Vec<SourceFile>), ExchangeError> {
    let mut transcripts: Vec<&Transcript> = transcripts.iter().collect();
    transcripts.sort_by(|a, b| a.case().cmp(b.case()));
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

    let mut coders: Vec<&str> = codings.iter().flat_map(|f| f.coders()).collect();
    coders.sort_unstable();
    coders.dedup();
    let user_guid = |coder: &str| guid::derive("user", &[coder]);
    let users = coders
        .iter()
        .map(|c| RefiUser { guid: user_guid(c), name: Some((*c).to_owned()) })
        .collect();

    // Variables: every attribute, typed by what all cases give it.
    let mut kinds: BTreeMap<&str, VariableKind> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for t in &transcripts {
        for (name, value) in t.attributes() {
            let kind = match value {
                AttributeValue::Boolean(_) => VariableKind::Boolean,
                AttributeValue::Integer(_) => VariableKind::Integer,
                AttributeValue::Float(_) => VariableKind::Float,
                AttributeValue::Text(_) => VariableKind::Text,
            };
            match kinds.get(name.as_str()) {
                None => {
                    kinds.insert(name, kind);
                    order.push(name);
                }
                Some(k) if *k == kind => {}
                Some(VariableKind::Float) | Some(VariableKind::Integer)
                    if matches!(kind, VariableKind::Float | VariableKind::Integer) =>
                {
                    kinds.insert(name, VariableKind::Float);
                }
                Some(_) => {
                    kinds.insert(name, VariableKind::Text);
                }
            }
        }
    }
    let variable_guid = |name: &str| guid::derive("variable", &[name]);
    let variables = order
        .iter()
        .map(|name| RefiVariable {
            guid: variable_guid(name),
            name: (*name).to_owned(),
            kind: kinds[name],
        })
        .collect();

    let mut cases = Vec::new();
    let mut sources = Vec::new();
    let mut files = Vec::new();
    for t in &transcripts {
        let case = t.case();
        let source_guid = guid::derive("source", &[case]);
        let values = t
            .attributes()
            .iter()
            .map(|(name, value)| {
                let kind = kinds[name.as_str()];
                let text = match (kind, value) {
                    (VariableKind::Float, AttributeValue::Integer(i)) => format!("{i}.0"),
                    (_, v) => v.to_string(),
                };
                RefiValue { variable: variable_guid(name), kind, value: text }
            })
            .collect();
        cases.push(RefiCase {
            guid: guid::derive("case", &[case]),
            name: Some(case.to_owned()),
            values,
            sources: vec![source_guid.clone()],
        });
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
        let mine: Vec<&&Coding> = all.iter().filter(|c| c.case == case).collect();
        let mut i = 0;
        while i < mine.len() {
            let first = mine[i];
            let group: Vec<&Coding> = mine[i..]
                .iter()
                .take_while(|c| {
                    (c.start, c.end, &c.segment) == (first.start, first.end, &first.segment)
                })
                .map(|c| **c)
                .collect();
            i += group.len();
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
            let (s, e) = ((first.start - shift) as u64, (first.end - shift) as u64);
            let span = [case, first.segment.as_str(), &s.to_string(), &e.to_string()];
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
            let users: Vec<&str> = group.iter().map(|c| c.coder.as_str()).collect();
            selections.push(RefiSelection {
                guid: guid::derive("selection", &span),
                name: None,
                start: s,
                end: e,
                user: users.iter().all(|u| *u == users[0]).then(|| user_guid(users[0])),
                description: Some(format!(
                    "{QDA_MARKER}\n{}",
                    toml::to_string(&block).unwrap_or_default().trim_end()
                )),
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
            });
        }
        let block = SourceBlock {
            case: Some(case.to_owned()),
            speakers: t.speakers().filter(|_| !wrapped).map(<[String]>::to_vec),
        };
        sources.push(RefiTextSource {
            guid: source_guid.clone(),
            name: Some(case.to_owned()),
            plain_text_path: Some(format!("internal://{source_guid}.txt")),
            content: None,
            description: Some(format!(
                "{QDA_MARKER}\n{}",
                toml::to_string(&block).unwrap_or_default().trim_end()
            )),
            values: Vec::new(),
            selections,
        });
        files.push((format!("sources/{source_guid}.txt"), body.as_bytes().to_vec()));
    }
    for c in &all {
        if !transcripts.iter().any(|t| t.case() == c.case) {
            return Err(ExchangeError::Export(format!(
                "a coding of case `{}` ({} {} by {}) has no transcript; add the transcript of `{}`",
                c.case, c.segment, c.code, c.coder, c.case
            )));
        }
    }
    let project = RefiProject {
        name: codebook.name().to_owned(),
        origin: Some(codebook::origin()),
        users,
        // A project's code sets belong to the project, not its codebook.
        sets: codebook::from_qda(codebook, sets).sets,
        codebook: Some(codebook::from_qda(codebook, &[])),
        variables,
        cases,
        sources,
        ..RefiProject::default()
    };
    Ok((project, files))
}

/// A coding's source with match offsets made relative to the body.
fn shifted(source: &Source, shift: usize) -> Source {
    match source {
        Source::Rule { clause, term, match_start, match_end } => Source::Rule {
            clause: *clause,
            term: term.clone(),
            match_start: match_start.saturating_sub(shift),
            match_end: match_end.saturating_sub(shift),
        },
        other => other.clone(),
    }
}
