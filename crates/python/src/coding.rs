//! Segments and codings as columns: `read_transcripts`, `code` (transcripts)
//! and `code_texts` (any texts, each a unit, such as survey answers).

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qda_coding::{AttributeValue, Source, Transcript, Unit};
use rayon::prelude::*;

use crate::codebook::PyCodebook;
use crate::error::Failure;

/// Every segment of the transcripts at `paths` as columns (case, segment,
/// speaker, time, start, end, text), and each case's attributes.
#[pyfunction]
#[pyo3(signature = (paths, cases, unit))]
pub(crate) fn _read_transcripts<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    cases: Option<PathBuf>,
    unit: &str,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let unit: Unit = unit.parse().map_err(|e: String| Failure::new("InputError", e))?;
    let transcripts = py
        .detach(|| qda_cli::json::transcripts(&paths, cases.as_deref()))
        .map_err(Failure::from)?;
    let segments = Segments::of(&transcripts, unit);
    let columns = PyDict::new(py);
    columns.set_item("case", segments.case)?;
    columns.set_item("segment", segments.segment)?;
    columns.set_item("speaker", segments.speaker)?;
    columns.set_item("time", segments.time)?;
    columns.set_item("start", segments.start)?;
    columns.set_item("end", segments.end)?;
    columns.set_item("text", segments.text)?;
    Ok((columns, attributes(py, &transcripts)?))
}

/// Segment columns.
#[derive(Default)]
struct Segments {
    case: Vec<String>,
    segment: Vec<String>,
    speaker: Vec<String>,
    time: Vec<Option<String>>,
    start: Vec<usize>,
    end: Vec<usize>,
    text: Vec<String>,
}

impl Segments {
    fn of(transcripts: &[Transcript], unit: Unit) -> Self {
        let mut columns = Segments::default();
        for transcript in transcripts {
            for segment in transcript.segment_iter(unit) {
                columns.case.push(transcript.case().to_owned());
                columns.text.push(segment.text(transcript).to_owned());
                columns.segment.push(segment.id);
                columns.speaker.push(segment.speaker);
                columns.time.push(segment.time);
                columns.start.push(segment.start);
                columns.end.push(segment.end);
            }
        }
        columns
    }
}

/// Each case's attributes: `{case: {attribute: value}}`, in case order.
fn attributes<'py>(py: Python<'py>, transcripts: &[Transcript]) -> PyResult<Bound<'py, PyDict>> {
    let cases = PyDict::new(py);
    for transcript in transcripts {
        let values = PyDict::new(py);
        for (key, value) in transcript.attributes() {
            match value {
                AttributeValue::Boolean(b) => values.set_item(key, *b)?,
                AttributeValue::Integer(i) => values.set_item(key, *i)?,
                AttributeValue::Float(f) => values.set_item(key, *f)?,
                AttributeValue::Text(t) => values.set_item(key, t)?,
            }
        }
        cases.set_item(transcript.case(), values)?;
    }
    Ok(cases)
}

/// The rules' codings of the transcripts at `paths`, as columns.
#[pyfunction]
#[pyo3(signature = (codebook, paths, cases))]
pub(crate) fn _code<'py>(
    py: Python<'py>,
    codebook: &PyCodebook,
    paths: Vec<PathBuf>,
    cases: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let codings = py.detach(|| -> Result<_, Failure> {
        let transcripts = qda_cli::json::transcripts(&paths, cases.as_deref())?;
        Ok(transcripts
            .par_iter()
            .flat_map_iter(|t| codebook.rules.code_transcript(&codebook.codebook, t).codings)
            .collect::<Vec<_>>())
    })?;
    let columns = PyDict::new(py);
    columns.set_item("case", codings.iter().map(|c| c.case.as_str()).collect::<Vec<_>>())?;
    columns.set_item("segment", codings.iter().map(|c| c.segment.as_str()).collect::<Vec<_>>())?;
    columns.set_item("code", codings.iter().map(|c| c.code.as_str()).collect::<Vec<_>>())?;
    columns.set_item("coder", codings.iter().map(|c| c.coder.as_str()).collect::<Vec<_>>())?;
    columns.set_item("start", codings.iter().map(|c| c.start).collect::<Vec<_>>())?;
    columns.set_item("end", codings.iter().map(|c| c.end).collect::<Vec<_>>())?;
    fn rule(
        c: &qda_coding::Coding,
    ) -> (Option<&'static str>, Option<&str>, Option<usize>, Option<usize>) {
        match &c.source {
            Source::Rule { clause, term, match_start, match_end } => {
                (Some(clause.as_str()), Some(term.as_str()), Some(*match_start), Some(*match_end))
            }
            Source::Manual { .. } => (None, None, None, None),
        }
    }
    columns.set_item("clause", codings.iter().map(|c| rule(c).0).collect::<Vec<_>>())?;
    columns.set_item("term", codings.iter().map(|c| rule(c).1).collect::<Vec<_>>())?;
    columns.set_item("match_start", codings.iter().map(|c| rule(c).2).collect::<Vec<_>>())?;
    columns.set_item("match_end", codings.iter().map(|c| rule(c).3).collect::<Vec<_>>())?;
    Ok(columns)
}

/// One code a text gets: the text's position, the code, and the term that
/// made it with where it matched (code points into the text).
struct TextCoding {
    row: usize,
    code: String,
    clause: &'static str,
    term: String,
    match_start: usize,
    match_end: usize,
}

/// Codes each text as one unit, in parallel with the GIL released.
/// `None` (a missing answer) gets no code.
#[pyfunction]
pub(crate) fn _code_texts<'py>(
    py: Python<'py>,
    codebook: &PyCodebook,
    texts: Vec<Option<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let rules = &codebook.rules;
    let codings: Vec<TextCoding> = py.detach(|| {
        texts
            .par_iter()
            .enumerate()
            .flat_map_iter(|(row, text)| {
                let text = text.as_deref().unwrap_or("");
                let hits = rules.scan(text);
                let found: Vec<TextCoding> = rules
                    .applying(&hits)
                    .map(|(code, clause, term, range)| TextCoding {
                        row,
                        code: code.to_owned(),
                        clause: clause.as_str(),
                        term: term.to_owned(),
                        match_start: text[..range.start].chars().count(),
                        match_end: text[..range.end].chars().count(),
                    })
                    .collect();
                found
            })
            .collect()
    });
    let columns = PyDict::new(py);
    columns.set_item("row", codings.iter().map(|c| c.row).collect::<Vec<_>>())?;
    columns.set_item("code", codings.iter().map(|c| c.code.as_str()).collect::<Vec<_>>())?;
    columns.set_item("clause", codings.iter().map(|c| c.clause).collect::<Vec<_>>())?;
    columns.set_item("term", codings.iter().map(|c| c.term.as_str()).collect::<Vec<_>>())?;
    columns.set_item("match_start", codings.iter().map(|c| c.match_start).collect::<Vec<_>>())?;
    columns.set_item("match_end", codings.iter().map(|c| c.match_end).collect::<Vec<_>>())?;
    Ok(columns)
}
