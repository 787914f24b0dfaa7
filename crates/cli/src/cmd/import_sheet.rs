//! `qda import-sheet`: a filled coding sheet back into standoff codings.
//!
//! Every problem is reported with the spreadsheet's row (the header is row
//! 1, and a cell of several lines is still one row), the column's letter
//! and name, and the segment: unknown codes, unknown segments, repeated
//! rows, codes in an interviewer's context row, and transcripts changed
//! since the sheet was made. A sheet saved with `;` as delimiter, with CRLF
//! line ends, with a byte-order mark, in Windows-1252 or in UTF-16 is read
//! as it is. Two traps are refused or named: a sheet with no code at all
//! (exit 1 unless `--allow-empty` says nothing applies), and rows deleted
//! from a case (a warning; their segments stay unreviewed).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use qda_coding::{
    Blinding, Codebook, CodedSource, Coding, CodingsFile, Quote, SegmentMemo, Source, TextIndex,
    Transcript,
};

use crate::args::ImportSheetArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, Provenance, display_path};
use crate::sheet::{CONTEXT_ONLY, REQUIRED, column_letter, sniff_delimiter, split_codes};
use crate::study::{Problems, read_codebook, read_csv_text};

pub(crate) fn run(args: &ImportSheetArgs) -> Result<Outcome> {
    let (codebook, codebook_input) = read_codebook(&args.codebook)?;
    let (text, sheet_input) = read_csv_text(&args.sheet, "coding sheet")?;
    let name = display_path(&args.sheet);
    let coder = args.coder.trim();
    if coder.is_empty() || coder == qda_coding::RULES_CODER {
        bail!(
            "--coder {coder:?}: name the person who filled the sheet (`rules` is reserved for rule codings)"
        );
    }
    let sheet = read_rows(&codebook, &name, &text, coder)?;
    let mut stderr = std::io::stderr().lock();
    for (case, missing, codable) in missing_rows(&codebook, &sheet) {
        writeln!(
            stderr,
            "warning: {name}: case `{case}` has no row for {} of its {codable} codable segments ({}); they are not marked reviewed, so the rules' codings count there and `qda agree` leaves them out",
            missing.len(),
            missing.join(", ")
        )?;
    }
    if sheet.codings.is_empty() && !args.allow_empty {
        writeln!(
            stderr,
            "error: {name}: no row has a code in column {} (codes), so the sheet looks unfilled; fill it in, or, if no code applies to any of its segments, import it with `--allow-empty` (recorded in the codings file)",
            column_letter(sheet.codes_column)
        )?;
        return Ok(Outcome::Failure);
    }
    let file =
        codings_file(&codebook, coder, sheet, vec![codebook_input, sheet_input], args.allow_empty)?;
    let read = [args.sheet.as_path(), args.codebook.as_path()];
    let what = format!(
        "{} by {coder} over {}",
        count(file.codings.len(), "coding"),
        count(file.transcripts.len(), "case")
    );
    // Not while a `qda serve` (or another writer) holds the file.
    let lock = args
        .output
        .path
        .as_deref()
        .map(|path| qda_serve::CodingsLock::acquire(path, "qda import-sheet"))
        .transpose()?;
    crate::output::write(args.output.path.as_deref(), file.to_json().as_bytes(), &read, what)?;
    drop(lock);
    Ok(Outcome::Success)
}

/// What the sheet's rows hold: the transcripts they name, the segments
/// reviewed per case, the codings and the memos of rows without codes.
struct SheetRows {
    transcripts: BTreeMap<String, Loaded>,
    reviewed: BTreeMap<String, Vec<String>>,
    codings: Vec<Coding>,
    memos: Vec<SegmentMemo>,
    /// The index of the `codes` column.
    codes_column: usize,
    /// Whether the sheet was made with `qda sheet --blind`.
    blind: bool,
}

/// Where a cell is, as a spreadsheet shows it.
struct Cell<'a> {
    sheet: &'a str,
    row: u64,
    column: usize,
    header: &'a str,
}

impl std::fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: row {}, column {} ({})",
            self.sheet,
            self.row,
            column_letter(self.column),
            self.header
        )
    }
}

/// Reads every row of the sheet; every problem is reported before failing.
fn read_rows(codebook: &Codebook, name: &str, text: &str, coder: &str) -> Result<SheetRows> {
    let body = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new().delimiter(sniff_delimiter(body)).from_reader(body);
    let headers =
        reader.headers().map_err(|e| anyhow!("{name}: row 1: unreadable CSV: {e}"))?.clone();
    let columns = Columns::find(name, &headers)?;
    let mut checker = RowChecker::new(codebook, name, coder, &columns);
    // Line breaks inside cells so far: a spreadsheet shows such a cell in
    // one row, so they are taken off the file's line count.
    let mut lines_in_cells = 0;
    let lines = qda_coding::CsvLines::new(body);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.line_of(p.byte()));
            anyhow!(
                "{name}: row {}: unreadable row: {e}; quote cells that contain the delimiter, or separate codes with `;`",
                line.saturating_sub(lines_in_cells)
            )
        })?;
        let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
        let row = line.saturating_sub(lines_in_cells);
        lines_in_cells += record.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
        checker.check_row(&record, row);
    }
    checker.finish()
}

/// Where the sheet's columns are, found by their headers.
struct Columns {
    /// The index of each of the [`REQUIRED`] columns.
    index: BTreeMap<&'static str, usize>,
    /// The index of the optional `memo` column.
    memo: Option<usize>,
    /// Whether the sheet has a `blind` column, as `qda sheet --blind` writes.
    blind: bool,
}

impl Columns {
    /// Finds the columns in the header row; a missing required column is an error.
    fn find(name: &str, headers: &csv::StringRecord) -> Result<Self> {
        let column =
            |wanted: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(wanted));
        let mut index = BTreeMap::new();
        for wanted in REQUIRED {
            let Some(i) = column(wanted) else {
                bail!(
                    "{name}: row 1: the sheet has no `{wanted}` column; keep the columns `qda sheet` wrote"
                );
            };
            index.insert(wanted, i);
        }
        Ok(Columns { index, memo: column("memo"), blind: column("blind").is_some() })
    }
}

/// The code-point span of a row's segment, and whether the segment is an
/// interviewer's turn (context, not coded).
struct Located {
    start: usize,
    end: usize,
    context: bool,
}

/// Checks the sheet's rows one at a time, gathering what they hold and
/// every problem found, so that all are reported at once.
struct RowChecker<'a> {
    codebook: &'a Codebook,
    name: &'a str,
    coder: &'a str,
    columns: &'a Columns,
    transcripts: BTreeMap<String, Loaded>,
    /// The row of each case and segment seen, to name a repeated row's first.
    seen: BTreeMap<(String, String), u64>,
    /// The segments with a row, per case.
    reviewed: BTreeMap<String, Vec<String>>,
    codings: Vec<Coding>,
    memos: Vec<SegmentMemo>,
    problems: Vec<String>,
}

impl<'a> RowChecker<'a> {
    /// A checker of the rows of the sheet `name`, with nothing read yet.
    fn new(codebook: &'a Codebook, name: &'a str, coder: &'a str, columns: &'a Columns) -> Self {
        RowChecker {
            codebook,
            name,
            coder,
            columns,
            transcripts: BTreeMap::new(),
            seen: BTreeMap::new(),
            reviewed: BTreeMap::new(),
            codings: Vec::new(),
            memos: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Checks the sheet's row `row` (as a spreadsheet numbers it), taking
    /// its codings and memo, or noting its problems. Rows without a case
    /// and segment are skipped.
    fn check_row(&mut self, record: &csv::StringRecord, row: u64) {
        let (name, columns) = (self.name, self.columns);
        let cell = |key: &str| record.get(columns.index[key]).unwrap_or("").trim();
        let at =
            |key: &'static str| Cell { sheet: name, row, column: columns.index[key], header: key };
        let (case, segment, path, sha256) =
            (cell("case"), cell("segment"), cell("transcript"), cell("sha256"));
        if case.is_empty() && segment.is_empty() {
            return;
        }
        if let Some(first) = self.seen.insert((case.to_owned(), segment.to_owned()), row) {
            self.problems.push(format!(
                "{}: segment `{segment}` appears again (first in row {first}); keep one row",
                at("segment")
            ));
            return;
        }
        let Some(Located { start, end, context }) = self.locate(case, segment, path, sha256, &at)
        else {
            return;
        };
        let memo =
            columns.memo.and_then(|i| record.get(i)).map(str::trim).filter(|m| !m.is_empty());
        let codes = cell("codes");
        if context && !codes.is_empty() && codes != CONTEXT_ONLY {
            // The interviewer's turn is never coded, but a code typed there
            // is the coder's work: refused, never dropped.
            self.problems.push(format!(
                "{}, segment {segment}: the interviewer's turns are context, not coded; clear this cell, or code the participant's answer in its own row",
                at("codes")
            ));
            return;
        }
        if !context {
            self.reviewed.entry(case.to_owned()).or_default().push(segment.to_owned());
        }
        let found = if context { Vec::new() } else { split_codes(codes) };
        if found.is_empty()
            && let Some(memo) = memo
        {
            self.memos.push(SegmentMemo {
                case: case.to_owned(),
                segment: segment.to_owned(),
                coder: self.coder.to_owned(),
                memo: memo.to_owned(),
            });
        }
        for code in found {
            match self.codebook.code(code) {
                Some(c) if c.codable => self.codings.push(Coding {
                    case: case.to_owned(),
                    segment: segment.to_owned(),
                    code: code.to_owned(),
                    coder: self.coder.to_owned(),
                    start,
                    end,
                    source: Source::Manual {
                        memo: memo.map(str::to_owned),
                        quote: None,
                        imported: None,
                    },
                }),
                Some(_) => self.problems.push(format!("{}, segment {segment}: code `{code}` groups other codes and is not codable; use one of its children", at("codes"))),
                None => {
                    let hint = self.codebook.suggest(code).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                    self.problems.push(format!("{}, segment {segment}: unknown code `{code}`{hint}", at("codes")));
                }
            }
        }
    }

    /// Finds a row's segment in its transcript, loading the transcript at
    /// the case's first row. `None`, with the problem noted, when the
    /// transcript cannot be read, is another case's, changed since the sheet
    /// was made, or has no such segment.
    fn locate<'c>(
        &mut self,
        case: &str,
        segment: &str,
        path: &str,
        sha256: &str,
        at: &impl Fn(&'static str) -> Cell<'c>,
    ) -> Option<Located> {
        if !self.transcripts.contains_key(case) {
            match load(self.codebook, Path::new(path)) {
                Ok(loaded) => {
                    self.transcripts.insert(case.to_owned(), loaded);
                }
                Err(e) => {
                    self.problems.push(format!("{}, segment {segment}: {e}", at("transcript")));
                    return None;
                }
            }
        }
        let loaded = &self.transcripts[case];
        let transcript = &loaded.transcript;
        if transcript.case() != case {
            self.problems.push(format!(
                "{}, segment {segment}: {path} is the transcript of case `{}`, not `{case}`",
                at("case"),
                transcript.case()
            ));
            return None;
        }
        if transcript.sha256() != sha256 {
            self.problems.push(format!(
                "{}, segment {segment}: {} changed since the sheet was made (SHA-256 {sha256} then, {} now); make a new sheet, or restore the transcript",
                at("sha256"),
                display_path(transcript.path()),
                transcript.sha256()
            ));
            return None;
        }
        let Some(&(start, end)) = loaded.spans.get(segment) else {
            self.problems.push(format!(
                "{}: {} has no segment `{segment}`",
                at("segment"),
                display_path(transcript.path())
            ));
            return None;
        };
        Some(Located { start, end, context: loaded.interviewer.contains(segment) })
    }

    /// What the rows hold, or every problem found in them.
    fn finish(self) -> Result<SheetRows> {
        if !self.problems.is_empty() {
            return Err(Problems(self.problems).into());
        }
        Ok(SheetRows {
            transcripts: self.transcripts,
            reviewed: self.reviewed,
            codings: self.codings,
            memos: self.memos,
            codes_column: self.columns.index["codes"],
            blind: self.columns.blind,
        })
    }
}

/// The codable segments of each case on the sheet that have no row, in
/// transcript order, with the number of the case's codable segments.
fn missing_rows(codebook: &Codebook, sheet: &SheetRows) -> Vec<(String, Vec<String>, usize)> {
    sheet
        .transcripts
        .iter()
        .filter_map(|(case, loaded)| {
            let rows: BTreeSet<&str> =
                sheet.reviewed.get(case)?.iter().map(String::as_str).collect();
            let all = codable(codebook, &loaded.transcript);
            let missing: Vec<String> =
                all.iter().filter(|id| !rows.contains(id.as_str())).cloned().collect();
            (!missing.is_empty()).then(|| (case.clone(), missing, all.len()))
        })
        .collect()
}

/// The ids of a transcript's codable segments in the codebook's unit.
fn codable(codebook: &Codebook, transcript: &Transcript) -> Vec<String> {
    transcript
        .segments(codebook.unit())
        .into_iter()
        .filter(|s| !codebook.is_interviewer(&s.speaker))
        .map(|s| s.id)
        .collect()
}

/// The codings file of the sheet's coder: the codings, each transcript with
/// the segments reviewed when not all were, and the provenance.
fn codings_file(
    codebook: &Codebook,
    coder: &str,
    sheet: SheetRows,
    mut inputs: Vec<Input>,
    allow_empty: bool,
) -> Result<CodingsFile> {
    let SheetRows { transcripts, reviewed: mut rows, mut codings, memos, blind, .. } = sheet;
    // One pass over the codings, each finding its transcript's index.
    let indexes: BTreeMap<&str, TextIndex> = transcripts
        .iter()
        .map(|(case, l)| (case.as_str(), TextIndex::new(l.transcript.text())))
        .collect();
    for coding in &mut codings {
        if let (Source::Manual { quote, .. }, Some(index)) =
            (&mut coding.source, indexes.get(coding.case.as_str()))
        {
            *quote = Some(Quote::new(index, coding.start, coding.end));
        }
    }
    drop(indexes);
    let sources = transcripts
        .values()
        .map(|Loaded { transcript: t, .. }| {
            inputs.push(Input::transcript(t));
            let all = codable(codebook, t);
            let mut reviewed = rows.remove(t.case()).unwrap_or_default();
            let order: BTreeMap<&str, usize> =
                all.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
            reviewed.sort_by_key(|id| order.get(id.as_str()).copied().unwrap_or(usize::MAX));
            CodedSource {
                case: t.case().to_owned(),
                path: display_path(t.path()),
                sha256: t.sha256().to_owned(),
                segments: t.segments(codebook.unit()).len(),
                reviewed: (reviewed != all).then_some(reviewed),
            }
        })
        .collect();
    let mut provenance = Provenance::new("import-sheet", inputs).option("coder", coder);
    if allow_empty && codings.is_empty() {
        provenance = provenance.option("allow_empty", true);
    }
    Ok(CodingsFile {
        coder: Some(coder.to_owned()),
        codings,
        transcripts: sources,
        memos,
        blinding: Some(if blind { Blinding::Blind } else { Blinding::Open }),
        conflicts: Vec::new(),
        provenance: Some(serde_json::to_value(&provenance)?),
        rejected_suggestions: Vec::new(),
    })
}

/// A transcript, the code-point span of every segment id of every unit,
/// and the ids of the interviewer's segments in the codebook's unit.
struct Loaded {
    transcript: Transcript,
    spans: BTreeMap<String, (usize, usize)>,
    interviewer: BTreeSet<String>,
}

fn load(codebook: &Codebook, path: &Path) -> Result<Loaded, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read the transcript {}: {e}", display_path(path)))?;
    let transcript =
        Transcript::parse(&PathBuf::from(display_path(path)), &bytes).map_err(|e| e.to_string())?;
    let spans = transcript.segment_spans();
    let interviewer = transcript
        .segments(codebook.unit())
        .into_iter()
        .filter(|s| codebook.is_interviewer(&s.speaker))
        .map(|s| s.id)
        .collect();
    Ok(Loaded { transcript, spans, interviewer })
}
