//! `qda excerpts`: every coded excerpt of a study as one table (a row per
//! coding: case, case attributes, segment, speaker, time, code, code path,
//! coder, memo, text), written as CSV, an Excel workbook, a Word document,
//! Markdown or HTML (one module each).
//!
//! Rows come out in one order whatever the inputs' order: by case (study
//! order), then the segment's place in its transcript, the code's place in
//! the codebook, the coder, and the coded span.
//!
//! The excerpts' texts wait in a temporary file (`spill`) while the
//! corpus is read, so memory holds only the transcripts in flight and a few
//! numbers per case; each format is written straight to the output as the
//! excerpts are read back, a case or a code at a time.

mod csv;
mod docx;
mod html;
mod markdown;
mod spill;
mod xlsx;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};
use qda_coding::{Attributes, Codebook, Coding, Segment, Source, Transcript, Unit};
use serde::{Deserialize, Serialize};

use crate::output::Sink;
pub(crate) use spill::{Collector, SpilledCase};

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

/// A case with excerpts shown: its id, attributes and case memo.
#[derive(Debug, Clone)]
pub(crate) struct CaseInfo {
    pub(crate) case: String,
    pub(crate) attributes: Attributes,
    /// The case memo (Markdown), from the memos folder or the front matter.
    pub(crate) memo: Option<String>,
}

/// One coded excerpt.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// For sorting: the segment's start, the code's place in the codebook,
    /// then the coded span.
    order: (usize, Option<usize>, usize, usize),
}

impl Excerpt {
    /// The rows' order within a case: segment, code, coder, span.
    fn row_key(&self) -> (usize, Option<usize>, &str, usize, usize) {
        (self.order.0, self.order.1, &self.coder, self.order.2, self.order.3)
    }

    /// The code's place in the codebook.
    fn rank(&self) -> Option<usize> {
        self.order.1
    }
}

/// One case's excerpts, gathered in the worker thread that read it.
pub(crate) struct CaseExcerpts {
    pub(crate) info: CaseInfo,
    pub(crate) excerpts: Vec<Excerpt>,
}

impl CaseExcerpts {
    /// The excerpts of `codings` (one transcript's, those the selection
    /// keeps), sorted.
    pub(crate) fn new(
        codebook: &Codebook,
        transcript: &Transcript,
        codings: &[&Coding],
    ) -> CaseExcerpts {
        let info = CaseInfo {
            case: transcript.case().to_owned(),
            attributes: transcript.attributes().clone(),
            memo: None,
        };
        if codings.is_empty() {
            return CaseExcerpts { info, excerpts: Vec::new() };
        }
        let segments = Segments::new(transcript, codebook.unit());
        let rank = |code: &str| codebook.codes().iter().position(|c| c.id == code);
        let mut excerpts: Vec<Excerpt> = codings
            .iter()
            .filter_map(|coding| {
                let segment = segments.get(transcript, &coding.segment)?;
                Some(excerpt(transcript, &segment, coding, rank(&coding.code)))
            })
            .collect();
        excerpts.sort_by(|a, b| a.row_key().cmp(&b.row_key()));
        CaseExcerpts { info, excerpts }
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

fn excerpt(
    transcript: &Transcript,
    segment: &Segment,
    coding: &Coding,
    rank: Option<usize>,
) -> Excerpt {
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
        order: (segment.start, rank, coding.start, coding.end),
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

/// Every excerpt shown, with the columns of the table; the texts are read
/// back from the temporary file they were gathered into.
pub(crate) struct Excerpts<'a> {
    pub(crate) codebook: &'a Codebook,
    /// The case attributes' names, in the order first met over the cases.
    pub(crate) attributes: Vec<String>,
    /// The cases with at least one excerpt, in study order.
    pub(crate) cases: Vec<SpilledCase>,
    spill: spill::Spilled,
}

/// The case attributes' names over `cases`, in the order first met, so
/// that a filter does not change the columns.
pub(crate) fn attribute_columns<'c>(cases: impl IntoIterator<Item = &'c CaseInfo>) -> Vec<String> {
    let mut attributes: Vec<String> = Vec::new();
    for case in cases {
        for name in case.attributes.keys() {
            if !attributes.contains(name) {
                attributes.push(name.clone());
            }
        }
    }
    attributes
}

impl<'a> Excerpts<'a> {
    /// How many excerpts there are.
    pub(crate) fn len(&self) -> usize {
        self.cases.iter().map(SpilledCase::len).sum()
    }

    /// Every row in order, a case at a time.
    pub(crate) fn rows(
        &self,
        mut each: impl FnMut(&CaseInfo, &Excerpt) -> Result<()>,
    ) -> Result<()> {
        for case in &self.cases {
            for excerpt in self.spill.rows(case)? {
                each(&case.info, &excerpt)?;
            }
        }
        Ok(())
    }

    /// The excerpts of `code` case by case, in study order.
    pub(crate) fn by_case(
        &self,
        code: &str,
        mut each: impl FnMut(&CaseInfo, Vec<Excerpt>) -> Result<()>,
    ) -> Result<()> {
        for case in &self.cases {
            if let Some(list) = self.spill.of_code(case, code)? {
                each(&case.info, list)?;
            }
        }
        Ok(())
    }

    /// How many excerpts `code` has.
    pub(crate) fn count_of(&self, code: &str) -> usize {
        self.cases.iter().map(|c| c.count_of(code)).sum()
    }

    /// The codes that have excerpts, in codebook order.
    pub(crate) fn codes(&self) -> Vec<&'a str> {
        let used: std::collections::BTreeSet<&str> =
            self.cases.iter().flat_map(SpilledCase::codes).collect();
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

    /// A code's memo (Markdown), if it has one.
    pub(crate) fn code_memo(&self, code: &str) -> Option<&'a str> {
        let memo = self.codebook.code(code)?.memo.as_deref()?.trim();
        (!memo.is_empty()).then_some(memo)
    }

    /// The cases with a case memo, in study order, with their memos.
    pub(crate) fn case_memos(&self) -> impl Iterator<Item = (&CaseInfo, &str)> {
        self.cases.iter().filter_map(|c| Some((&c.info, c.info.memo.as_deref()?)))
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
    pub(crate) fn cells(&self, case: &CaseInfo, e: &Excerpt) -> Vec<String> {
        let mut cells = vec![case.case.clone()];
        cells.extend(self.attribute_values(case).into_iter().map(|(_, v)| v));
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

    /// Writes the excerpts in `kind` to `output` (standard output when
    /// `None`), never over one of `inputs`, and says what was written.
    pub(crate) fn write(
        &self,
        kind: Kind,
        coder: &str,
        bom: bool,
        output: Option<&Path>,
        inputs: &[&Path],
    ) -> Result<()> {
        let what = format!(
            "{} from {} ({})",
            crate::output::count(self.len(), "excerpt"),
            crate::output::count(self.cases.len(), "case"),
            kind.name()
        );
        let mut sink = Sink::create(output, inputs)?;
        self.render(kind, coder, bom, &mut sink)?;
        sink.finish(what)
    }

    /// Writes the file in `kind` to `out`.
    pub(crate) fn render(&self, kind: Kind, coder: &str, bom: bool, out: &mut Sink) -> Result<()> {
        match kind {
            Kind::Csv => csv::render(self, bom, out),
            Kind::Xlsx => xlsx::render(self, out),
            Kind::Docx => docx::render(self, coder, out),
            Kind::Markdown => markdown::render(self, coder, out),
            Kind::Html => html::render(self, coder, out),
        }
    }
}

/// A segment's line under its quote: `P01:t3.p1 · A · 00:03:12 · rules`,
/// and the memo after a dash.
pub(crate) fn byline(e: &Excerpt) -> String {
    let mut line = segment_line(e);
    if let Some(memo) = &e.memo {
        line.push_str(" — ");
        line.push_str(memo);
    }
    line
}

/// A segment's line without the memo: `P01:t3.p1 · A · 00:03:12 · rules`.
pub(crate) fn segment_line(e: &Excerpt) -> String {
    let mut parts = vec![e.segment.as_str(), e.speaker.as_str()];
    if let Some(time) = &e.time {
        parts.push(time);
    }
    parts.push(&e.coder);
    parts.join(" · ")
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
