//! `qda excerpts`: every coded excerpt of a study as one table (a row per
//! coding: case, case attributes, segment, speaker, time, code, code path,
//! coder, memo, text), written as CSV, an Excel workbook, a Word document,
//! Markdown or HTML (one module each).
//!
//! Rows come out in one order whatever the inputs' order: by case (study
//! order), then the segment's place in its transcript, the code's place in
//! the codebook, the coder, and the coded span.

mod csv;
mod docx;
mod html;
mod markdown;
mod xlsx;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};
use qda_coding::{Attributes, Codebook, Coding, Segment, Source, Transcript, Unit};

use crate::provenance::display_path;

/// The file kinds `-o` writes, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Csv,
    Xlsx,
    Docx,
    Markdown,
    Html,
}

impl Kind {
    /// The kind of `-o FILE`, by its extension; Markdown on standard output.
    pub(crate) fn of(output: Option<&Path>) -> Result<Kind> {
        let Some(path) = output else { return Ok(Kind::Markdown) };
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        Ok(match extension.as_deref() {
            Some("csv") => Kind::Csv,
            Some("xlsx") => Kind::Xlsx,
            Some("docx") => Kind::Docx,
            Some("md" | "markdown") => Kind::Markdown,
            Some("html" | "htm") => Kind::Html,
            _ => bail!(
                "{}: excerpts are written as .csv, .xlsx (Excel), .docx (Word), .md (Markdown) or .html; choose -o with one of these extensions",
                display_path(path)
            ),
        })
    }

    /// What the file is, for the `wrote FILE: ...` line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Csv => "CSV",
            Kind::Xlsx => "Excel workbook",
            Kind::Docx => "Word document",
            Kind::Markdown => "Markdown",
            Kind::Html => "HTML",
        }
    }
}

/// A case with excerpts shown: its id and attributes.
#[derive(Debug, Clone)]
pub(crate) struct CaseInfo {
    pub(crate) case: String,
    pub(crate) attributes: Attributes,
}

/// One coded excerpt.
#[derive(Debug, Clone)]
pub(crate) struct Excerpt {
    /// The segment id, such as `P01:t12.p2`.
    pub(crate) segment: String,
    pub(crate) speaker: String,
    pub(crate) time: Option<String>,
    pub(crate) code: String,
    pub(crate) coder: String,
    pub(crate) memo: Option<String>,
    /// The coded span's text: the whole segment when the coding covers it.
    pub(crate) text: String,
    /// For sorting: the segment's start, then the coded span.
    order: (usize, usize, usize),
}

/// One case's excerpts, gathered in the worker thread that read it.
pub(crate) struct CaseExcerpts {
    pub(crate) info: CaseInfo,
    pub(crate) excerpts: Vec<Excerpt>,
}

impl CaseExcerpts {
    /// The excerpts of `codings` (one transcript's) whose code `keep`
    /// allows, sorted.
    pub(crate) fn new(
        codebook: &Codebook,
        transcript: &Transcript,
        codings: &[&Coding],
        keep: impl Fn(&str) -> bool,
    ) -> CaseExcerpts {
        let info = CaseInfo {
            case: transcript.case().to_owned(),
            attributes: transcript.attributes().clone(),
        };
        let codings: Vec<&&Coding> = codings.iter().filter(|c| keep(&c.code)).collect();
        if codings.is_empty() {
            return CaseExcerpts { info, excerpts: Vec::new() };
        }
        let segments = Segments::new(transcript, codebook.unit());
        let rank = |code: &str| codebook.codes().iter().position(|c| c.id == code);
        let mut ranked: Vec<(Option<usize>, Excerpt)> = codings
            .iter()
            .filter_map(|coding| {
                let segment = segments.get(transcript, &coding.segment)?;
                Some((rank(&coding.code), excerpt(transcript, &segment, coding)))
            })
            .collect();
        ranked.sort_by(|(ra, a), (rb, b)| {
            (a.order.0, ra, &a.coder, a.order.1, a.order.2)
                .cmp(&(b.order.0, rb, &b.coder, b.order.1, b.order.2))
        });
        CaseExcerpts { info, excerpts: ranked.into_iter().map(|(_, e)| e).collect() }
    }
}

/// A transcript's segments by id: those of the codebook's unit, and of
/// every unit when a codings file names a segment of another.
struct Segments {
    by_id: BTreeMap<String, Segment>,
}

impl Segments {
    fn new(transcript: &Transcript, unit: Unit) -> Segments {
        Segments { by_id: transcript.segment_iter(unit).map(|s| (s.id.clone(), s)).collect() }
    }

    fn get(&self, transcript: &Transcript, id: &str) -> Option<Segment> {
        if let Some(segment) = self.by_id.get(id) {
            return Some(segment.clone());
        }
        [Unit::Turn, Unit::Paragraph, Unit::Sentence]
            .into_iter()
            .flat_map(|unit| transcript.segment_iter(unit))
            .find(|s| s.id == id)
    }
}

fn excerpt(transcript: &Transcript, segment: &Segment, coding: &Coding) -> Excerpt {
    let memo = match &coding.source {
        Source::Manual { memo, .. } => memo.clone(),
        Source::Rule { .. } => None,
    };
    Excerpt {
        segment: coding.segment.clone(),
        speaker: segment.speaker.clone(),
        time: segment.time.clone(),
        code: coding.code.clone(),
        coder: coding.coder.clone(),
        memo,
        text: span_text(transcript, segment, coding.start, coding.end).trim().to_owned(),
        order: (segment.start, coding.start, coding.end),
    }
}

/// The text from code point `start` to `end`: counted within the segment
/// when the span lies in it (it always does for a checked coding), so a
/// long transcript is not walked from its start for every coding.
fn span_text<'t>(
    transcript: &'t Transcript,
    segment: &Segment,
    start: usize,
    end: usize,
) -> &'t str {
    let (text, first) = if start >= segment.start && end <= segment.end {
        (segment.text(transcript), segment.start)
    } else {
        (transcript.text(), 0)
    };
    let byte = |at: usize| text.char_indices().nth(at - first).map_or(text.len(), |(i, _)| i);
    let (from, to) = (byte(start.max(first)), byte(end.max(first)));
    &text[from..to.max(from)]
}

/// Every excerpt shown, with the columns of the table.
pub(crate) struct Excerpts<'a> {
    pub(crate) codebook: &'a Codebook,
    /// The case attributes' names, in the order first met over the cases.
    pub(crate) attributes: Vec<String>,
    /// The cases with at least one excerpt, in study order, each with its
    /// excerpts.
    pub(crate) cases: Vec<CaseExcerpts>,
}

/// One row of the table, every cell as text.
pub(crate) struct Row<'e> {
    pub(crate) case: &'e CaseInfo,
    pub(crate) excerpt: &'e Excerpt,
}

/// The case attributes' names over `cases`, in the order first met, so
/// that a filter does not change the columns.
pub(crate) fn attribute_columns(cases: &[CaseExcerpts]) -> Vec<String> {
    let mut attributes: Vec<String> = Vec::new();
    for case in cases {
        for name in case.info.attributes.keys() {
            if !attributes.contains(name) {
                attributes.push(name.clone());
            }
        }
    }
    attributes
}

impl<'a> Excerpts<'a> {
    /// The excerpts of `cases` (in study order), with the `attributes`
    /// columns; cases without excerpts are left out.
    pub(crate) fn new(
        codebook: &'a Codebook,
        attributes: Vec<String>,
        cases: Vec<CaseExcerpts>,
    ) -> Excerpts<'a> {
        let cases = cases.into_iter().filter(|c| !c.excerpts.is_empty()).collect();
        Excerpts { codebook, attributes, cases }
    }

    /// How many excerpts there are.
    pub(crate) fn len(&self) -> usize {
        self.cases.iter().map(|c| c.excerpts.len()).sum()
    }

    /// Every row, in order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.cases.iter().flat_map(|case| {
            case.excerpts.iter().map(move |excerpt| Row { case: &case.info, excerpt })
        })
    }

    /// The codes that have excerpts, in codebook order.
    pub(crate) fn codes(&self) -> Vec<&'a str> {
        let used: std::collections::BTreeSet<&str> =
            self.rows().map(|r| r.excerpt.code.as_str()).collect();
        let mut codes: Vec<&'a str> = self
            .codebook
            .codes()
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| used.contains(id))
            .collect();
        // `qda query` shows a matching segment that has no code as `uncoded`.
        if used.contains(qda_coding::UNCODED) {
            codes.push(qda_coding::UNCODED);
        }
        codes
    }

    /// The column names.
    pub(crate) fn header(&self) -> Vec<String> {
        let mut header = vec!["case".to_owned()];
        header.extend(self.attributes.iter().cloned());
        header.extend(
            ["segment", "speaker", "time", "code", "code path", "coder", "memo", "text"]
                .map(str::to_owned),
        );
        header
    }

    /// A row's cells, in the order of [`Excerpts::header`].
    pub(crate) fn cells(&self, row: &Row<'_>) -> Vec<String> {
        let e = row.excerpt;
        let mut cells = vec![row.case.case.clone()];
        cells.extend(self.attribute_values(row.case).into_iter().map(|(_, v)| v));
        cells.extend([
            e.segment.clone(),
            e.speaker.clone(),
            e.time.clone().unwrap_or_default(),
            e.code.clone(),
            self.path(&e.code),
            e.coder.clone(),
            e.memo.clone().unwrap_or_default(),
            e.text.clone(),
        ]);
        cells
    }

    /// A case's value of every attribute column (empty where it has none).
    pub(crate) fn attribute_values(&self, case: &CaseInfo) -> Vec<(String, String)> {
        self.attributes
            .iter()
            .map(|name| {
                let value = case.attributes.get(name).map(ToString::to_string).unwrap_or_default();
                (name.clone(), value)
            })
            .collect()
    }

    /// A code's path from its top-level ancestor: `motive > freedom`.
    pub(crate) fn path(&self, code: &str) -> String {
        self.codebook.path_of(code).join(" > ")
    }

    /// A code's heading: its path, and its label when it has its own.
    pub(crate) fn heading(&self, code: &str) -> String {
        let path = self.path(code);
        match self.codebook.code(code) {
            Some(c) if c.label != c.id => format!("{path} · {}", c.label),
            _ => path,
        }
    }

    /// The excerpts of `code`, grouped by case in study order.
    pub(crate) fn by_case(&self, code: &str) -> Vec<(&CaseInfo, Vec<&Excerpt>)> {
        self.cases
            .iter()
            .filter_map(|case| {
                let list: Vec<&Excerpt> = case.excerpts.iter().filter(|e| e.code == code).collect();
                (!list.is_empty()).then_some((&case.info, list))
            })
            .collect()
    }

    /// The title of a document of these excerpts.
    pub(crate) fn title(&self) -> String {
        format!("Coded excerpts · {}", self.codebook.name())
    }

    /// One line on what is shown.
    pub(crate) fn summary(&self, coder: &str) -> String {
        format!(
            "{} from {} · codings: {coder}",
            crate::output::count(self.len(), "excerpt"),
            crate::output::count(self.cases.len(), "case"),
        )
    }

    /// The file's bytes in `kind`.
    pub(crate) fn render(&self, kind: Kind, coder: &str, bom: bool) -> Result<Vec<u8>> {
        Ok(match kind {
            Kind::Csv => csv::render(self, bom)?,
            Kind::Xlsx => xlsx::render(self)?,
            Kind::Docx => docx::render(self, coder)?,
            Kind::Markdown => markdown::render(self, coder).into_bytes(),
            Kind::Html => html::render(self, coder).into_bytes(),
        })
    }
}

/// A segment's line under its quote: `P01:t3.p1 · A · 00:03:12 · rules`,
/// and the memo after a dash.
pub(crate) fn byline(e: &Excerpt) -> String {
    let mut parts = vec![e.segment.as_str(), e.speaker.as_str()];
    if let Some(time) = &e.time {
        parts.push(time);
    }
    parts.push(&e.coder);
    let mut line = parts.join(" · ");
    if let Some(memo) = &e.memo {
        line.push_str(" — ");
        line.push_str(memo);
    }
    line
}

/// A case's attributes in one line: `gender: female · year: 2009`.
pub(crate) fn attribute_line(values: &[(String, String)]) -> String {
    values
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}
