//! `qda import-sheet`: a filled coding sheet back into standoff codings.
//!
//! Every problem is reported with the sheet's line and spreadsheet column
//! (1 = A): unknown codes, unknown segments, repeated rows, and transcripts
//! changed since the sheet was made. A sheet saved with `;` as delimiter,
//! with CRLF line ends or with a byte-order mark is read as it is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use qda_coding::{Codebook, CodedSource, Coding, CodingsFile, Source, Transcript};

use crate::args::ImportSheetArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, Provenance, display_path};
use crate::sheet::{REQUIRED, sniff_delimiter, split_codes};
use crate::study::{Problems, read_bytes, read_codebook};

pub(crate) fn run(args: &ImportSheetArgs) -> Result<Outcome> {
    let (codebook, codebook_input) = read_codebook(&args.codebook)?;
    let bytes = read_bytes(&args.sheet)?;
    let sheet_input = Input::new(&args.sheet, &bytes);
    let name = display_path(&args.sheet);
    let coder = args.coder.trim();
    if coder.is_empty() || coder == qda_coding::RULES_CODER {
        bail!(
            "--coder {coder:?}: name the person who filled the sheet (`rules` is reserved for rule codings)"
        );
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let sheet = read_rows(&codebook, &name, body, coder)?;
    let file = codings_file(&codebook, coder, sheet, vec![codebook_input, sheet_input])?;
    let read = [args.sheet.as_path(), args.codebook.as_path()];
    let what = format!(
        "{} by {coder} over {}",
        count(file.codings.len(), "coding"),
        count(file.transcripts.len(), "case")
    );
    crate::output::write(args.output.path.as_deref(), &crate::render::json(&file), &read, what)?;
    Ok(Outcome::Success)
}

/// What the sheet's rows hold: the transcripts they name, the segments
/// reviewed per case, and the codings.
struct SheetRows {
    transcripts: BTreeMap<String, Loaded>,
    reviewed: BTreeMap<String, Vec<String>>,
    codings: Vec<Coding>,
}

/// Reads every row of the sheet; every problem is reported before failing.
fn read_rows(codebook: &Codebook, name: &str, body: &[u8], coder: &str) -> Result<SheetRows> {
    let mut reader = csv::ReaderBuilder::new().delimiter(sniff_delimiter(body)).from_reader(body);
    let headers = reader.headers().map_err(|e| anyhow!("{name}:1:1: unreadable CSV: {e}"))?.clone();
    let column = |wanted: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(wanted));
    let mut index = BTreeMap::new();
    for wanted in REQUIRED {
        let Some(i) = column(wanted) else {
            bail!(
                "{name}:1:1: the sheet has no `{wanted}` column; keep the columns `qda sheet` wrote"
            );
        };
        index.insert(wanted, i);
    }
    let memo_column = column("memo");

    let mut transcripts: BTreeMap<String, Loaded> = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut codings = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| qda_coding::csv_record_line(body, p.byte()));
            anyhow!(
                "{name}:{line}:1: unreadable row: {e}; quote cells that contain the delimiter, or separate codes with `;`"
            )
        })?;
        let line = record.position().map_or(0, |p| qda_coding::csv_record_line(body, p.byte()));
        let cell = |key: &str| record.get(index[key]).unwrap_or("").trim();
        let at = |key: &str| format!("{name}:{line}:{}", index[key] + 1);
        let (case, segment, path, sha256) =
            (cell("case"), cell("segment"), cell("transcript"), cell("sha256"));
        if case.is_empty() && segment.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert((case.to_owned(), segment.to_owned()), line) {
            problems.push(format!(
                "{}: segment `{segment}` appears again (first on line {first}); keep one row",
                at("segment")
            ));
            continue;
        }
        if !transcripts.contains_key(case) {
            match load(Path::new(path)) {
                Ok(loaded) => {
                    transcripts.insert(case.to_owned(), loaded);
                }
                Err(e) => {
                    problems.push(format!("{}: {e}", at("transcript")));
                    continue;
                }
            }
        }
        let (transcript, segments) = &transcripts[case];
        if transcript.case() != case {
            problems.push(format!(
                "{}: {path} is the transcript of case `{}`, not `{case}`",
                at("case"),
                transcript.case()
            ));
            continue;
        }
        if transcript.sha256() != sha256 {
            problems.push(format!(
                "{}: {} changed since the sheet was made (SHA-256 {sha256} then, {} now); make a new sheet, or restore the transcript",
                at("sha256"),
                display_path(transcript.path()),
                transcript.sha256()
            ));
            continue;
        }
        let Some(&(start, end)) = segments.get(segment) else {
            problems.push(format!(
                "{}: {} has no segment `{segment}`",
                at("segment"),
                display_path(transcript.path())
            ));
            continue;
        };
        rows.entry(case.to_owned()).or_default().push(segment.to_owned());
        let memo = memo_column.and_then(|i| record.get(i)).map(str::trim).filter(|m| !m.is_empty());
        for code in split_codes(cell("codes")) {
            match codebook.code(code) {
                Some(c) if c.codable => codings.push(Coding {
                    case: case.to_owned(),
                    segment: segment.to_owned(),
                    code: code.to_owned(),
                    coder: coder.to_owned(),
                    start,
                    end,
                    source: Source::Manual { memo: memo.map(str::to_owned) },
                }),
                Some(_) => problems.push(format!("{}: code `{code}` groups other codes and is not codable; use one of its children", at("codes"))),
                None => {
                    let hint = codebook.suggest(code).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                    problems.push(format!("{}: unknown code `{code}`{hint}", at("codes")));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    Ok(SheetRows { transcripts, reviewed: rows, codings })
}

/// The codings file of the sheet's coder: the codings, each transcript with
/// the segments reviewed when not all were, and the provenance.
fn codings_file(
    codebook: &Codebook,
    coder: &str,
    sheet: SheetRows,
    mut inputs: Vec<Input>,
) -> Result<CodingsFile> {
    let SheetRows { transcripts, reviewed: mut rows, codings } = sheet;
    let sources = transcripts
        .values()
        .map(|(t, _)| {
            inputs.push(Input { path: display_path(t.path()), sha256: t.sha256().to_owned() });
            let all: Vec<String> = t
                .segments(codebook.unit())
                .into_iter()
                .filter(|s| !codebook.is_interviewer(&s.speaker))
                .map(|s| s.id)
                .collect();
            let mut reviewed = rows.remove(t.case()).unwrap_or_default();
            reviewed.sort_by_key(|id| all.iter().position(|a| a == id).unwrap_or(usize::MAX));
            CodedSource {
                case: t.case().to_owned(),
                path: display_path(t.path()),
                sha256: t.sha256().to_owned(),
                segments: t.segments(codebook.unit()).len(),
                reviewed: (reviewed != all).then_some(reviewed),
            }
        })
        .collect();
    let provenance = Provenance::new("import-sheet", inputs).option("coder", coder);
    Ok(CodingsFile {
        coder: Some(coder.to_owned()),
        codings,
        transcripts: sources,
        provenance: Some(serde_json::to_value(&provenance)?),
    })
}

/// A transcript and the code-point span of every segment id of every unit.
type Loaded = (Transcript, BTreeMap<String, (usize, usize)>);

fn load(path: &Path) -> Result<Loaded, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read the transcript {}: {e}", display_path(path)))?;
    let transcript =
        Transcript::parse(&PathBuf::from(display_path(path)), &bytes).map_err(|e| e.to_string())?;
    let segments = transcript.segment_spans();
    Ok((transcript, segments))
}
