//! Reading the files a command names: codebooks, adjudications, and the
//! transcript files and case tables (`cases.csv`, `--cases`) of a corpus.
//! Each file read yields its provenance [`Input`] with it.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use qda_coding::{
    Adjudications, CaseTable, Codebook, Dictionary, ErrorKind, Position, Transcript,
    TranscriptError,
};

use crate::args::TranscriptArgs;
use rayon::prelude::*;

use crate::provenance::{Input, display_path};
use crate::shard::{Shard, peek_case};

/// Several problems, printed one per line (`error: ...` each).
#[derive(Debug)]
pub(crate) struct Problems(pub(crate) Vec<String>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("\nerror: "))
    }
}

impl std::error::Error for Problems {}

/// A transcript that cannot be used, with where and what sort of problem it
/// is, so that a caller of the library can tell one from another.
#[derive(Debug, thiserror::Error)]
#[error("{position}: {message}")]
pub(crate) struct TranscriptProblem {
    pub(crate) kind: ErrorKind,
    pub(crate) position: Position,
    pub(crate) message: String,
}

impl TranscriptProblem {
    /// A problem with a whole file (it cannot be read, its case is repeated).
    pub(crate) fn file(kind: ErrorKind, path: &Path, message: String) -> Self {
        let position = Position { path: display_path_buf(path), location: None };
        TranscriptProblem { kind, position, message }
    }
}

impl From<TranscriptError> for TranscriptProblem {
    fn from(e: TranscriptError) -> Self {
        TranscriptProblem { kind: e.kind, position: e.position, message: e.message }
    }
}

/// Every problem with the transcripts of a run, printed one per line
/// (`error: ...` each), as [`Problems`].
#[derive(Debug, thiserror::Error)]
pub(crate) struct TranscriptProblems(pub(crate) Vec<TranscriptProblem>);

impl fmt::Display for TranscriptProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\nerror: "))
    }
}

/// A file or folder that cannot be read, named in the message and kept by
/// its path for callers that take errors as data (`qda_cli::json`).
#[derive(Debug, thiserror::Error)]
#[error("{shown}: {problem}")]
pub(crate) struct FileError {
    pub(crate) path: PathBuf,
    shown: String,
    problem: &'static str,
    #[source]
    source: Option<std::io::Error>,
}

impl FileError {
    pub(crate) fn new(path: &Path, problem: &'static str, source: Option<std::io::Error>) -> Self {
        FileError { path: path.to_owned(), shown: display_path(path), problem, source }
    }
}

/// A file's bytes, or an error naming it.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| FileError::new(path, "cannot read the file", Some(e)).into())
}

/// A UTF-8 text file (`what` names it in errors), with its provenance.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<(String, Input)> {
    let bytes = read_bytes(path)?;
    let input = Input::new(path, &bytes);
    if let Some(encoding) = qda_coding::utf16_encoding(&bytes) {
        bail!("{}: the {what} is {encoding}, not UTF-8; save it as UTF-8", display_path(path));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: the {what} is not valid UTF-8 (at byte {}); save it as UTF-8",
            display_path(path),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((text, input))
}

/// A CSV file a spreadsheet may have saved (a coding sheet, a case table, a
/// pseudonym table; `what` names it), decoded to UTF-8, with its provenance.
/// A file in Windows-1252 or UTF-16 is read with a warning naming the
/// encoding, so that a later save as "CSV UTF-8" is not forgotten.
pub(crate) fn read_csv_text(path: &Path, what: &str) -> Result<(String, Input)> {
    let bytes = read_bytes(path)?;
    let input = Input::new(path, &bytes);
    let decoded = qda_coding::decode_text(&display_path_buf(path), &bytes)?;
    let why = match decoded.encoding {
        qda_coding::TextEncoding::Utf8 => None,
        qda_coding::TextEncoding::Windows1252 => Some(
            "Excel's plain \"CSV\"; it cannot hold Korean, Japanese or most other scripts, so such text is lost when saved this way",
        ),
        _ => Some("other tools expect UTF-8"),
    };
    if let Some(why) = why {
        let mut stderr = std::io::stderr().lock();
        writeln!(
            stderr,
            "warning: {}: the {what} was read as {}, not UTF-8 ({why}); {}",
            display_path(path),
            decoded.encoding,
            qda_coding::SAVE_AS_CSV_UTF8
        )?;
    }
    Ok((decoded.text, input))
}

/// What a file that looks like a transcript but is not a qda one is, and
/// how to convert it; `None` for other files. A `.json` file counts only
/// when it reads like Whisper's output (`"segments"` near its start), so a
/// codebook in JSON is not taken for one. `named`: the file was given by
/// name (it is then not skipped but refused).
pub(crate) fn foreign_transcript(path: &Path, named: bool) -> Option<String> {
    let (what, convertible) = qda_convert::transcript_like(path)?;
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) && !whisper_like(path) {
        return None;
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => display_path(p),
        _ => ".".to_owned(),
    };
    let shown = display_path(path);
    let verb = if named { "is" } else { "skipped:" };
    Some(if convertible {
        format!(
            "{verb} {what}, not a qda transcript; convert it with `qda import-transcripts {shown} -o {folder}`"
        )
    } else {
        format!("{verb} {what}, not a qda transcript; {}", how_to_convert(path))
    })
}

/// What to do with a transcript in a form `qda import-transcripts` does not read.
pub(crate) fn how_to_convert(path: &Path) -> &'static str {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        "a PDF's text loses who speaks when; export the transcript from the program that made the PDF as Word (.docx) or text (.txt), then run `qda import-transcripts` on that"
    } else {
        "open it in Word or LibreOffice, save it as Word (.docx), then run `qda import-transcripts` on that"
    }
}

/// Whether a `.json` file begins like Whisper's output.
fn whisper_like(path: &Path) -> bool {
    let Ok(file) = fs::File::open(path) else { return false };
    let mut start = Vec::new();
    let _ = std::io::Read::read_to_end(&mut std::io::Read::take(file, 64 * 1024), &mut start);
    String::from_utf8_lossy(&start).contains("\"segments\"")
}

/// Warns about every file in `folder` that looks like a transcript qda
/// skips (a Word document, subtitles, a PDF), naming the import command;
/// not about one with a `.txt` of the same name beside it (the transcript
/// converted from it, with the original kept).
fn warn_about_foreign_transcripts(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else { return };
    let mut paths: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    let mut stderr = std::io::stderr().lock();
    for path in paths.iter().filter(|p| !p.with_extension("txt").is_file()) {
        if let Some(advice) = foreign_transcript(path, false) {
            let _ = writeln!(stderr, "warning: {}: {advice}", display_path(path));
        }
    }
}

/// Reads and validates a codebook.
pub(crate) fn codebook(path: &Path) -> Result<(Codebook, Input)> {
    let (codebook, _, input) = codebook_and_text(path)?;
    Ok((codebook, input))
}

/// Reads and validates a codebook, and returns its text as well. A
/// dictionary (`.dic`, `.yml`, `.yaml`) is read as the codebook it makes
/// (docs/dictionaries.md), whose TOML is the text returned; what it cannot
/// carry over is a warning on stderr.
pub(crate) fn codebook_and_text(path: &Path) -> Result<(Codebook, String, Input)> {
    let (text, input) = read_text(path, "codebook")?;
    let (codebook, text) = codebook_of_text(path, text)?;
    Ok((codebook, text, input))
}

/// The codebook in `text`, read from `path`, with its codebook text (a
/// dictionary's is the codebook it is read as).
pub(crate) fn codebook_of_text(path: &Path, text: String) -> Result<(Codebook, String)> {
    let shown = display_path_buf(path);
    if !Dictionary::is_dictionary(path) {
        let codebook = Codebook::parse(&shown, &text)?;
        return Ok((codebook, text));
    }
    let dictionary = Dictionary::parse(&shown, &text)?;
    let mut stderr = std::io::stderr().lock();
    for warning in dictionary.warnings() {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    let codebook = dictionary.to_codebook(&shown)?;
    Ok((codebook, dictionary.to_codebook_toml()))
}

/// Reads an adjudications file.
pub(crate) fn adjudications(path: &Path) -> Result<(Adjudications, Input)> {
    let (text, input) = read_text(path, "adjudications file")?;
    Ok((Adjudications::parse(&display_path_buf(path), &text)?, input))
}

/// The path as outputs show it, for the libraries' error messages.
pub(crate) fn display_path_buf(path: &Path) -> PathBuf {
    PathBuf::from(display_path(path))
}

/// The transcript files and case tables named on the command line.
#[derive(Default)]
pub(crate) struct Sources {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) case_tables: Vec<(CaseTable, Input)>,
    /// Where the case tables were read from.
    pub(crate) case_table_files: Vec<PathBuf>,
    /// With `--shard`: the shard, and every transcript file of the run
    /// (`files` then keeps only those that may be in the shard).
    pub(crate) shard: Option<(Shard, Vec<PathBuf>)>,
}

impl Sources {
    /// Expands folders into their `.txt` files (sorted by name) and reads
    /// `cases.csv` files.
    pub(crate) fn collect(args: &TranscriptArgs) -> Result<Self> {
        let mut files = Vec::new();
        let mut tables = Vec::new();
        for path in &args.transcripts {
            if path.is_dir() {
                let mut found: Vec<PathBuf> = fs::read_dir(path)
                    .with_context(|| format!("{}: cannot list the folder", display_path(path)))?
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"))
                    })
                    .collect();
                found.sort();
                warn_about_foreign_transcripts(path);
                if found.is_empty() {
                    bail!("{}: no transcripts found (looked for *.txt files)", display_path(path));
                }
                files.extend(found);
                let csv = path.join("cases.csv");
                if csv.is_file() {
                    tables.push(csv);
                }
            } else if path.exists() {
                if let Some(advice) = foreign_transcript(path, true) {
                    bail!("{}: {advice}", display_path(path));
                }
                files.push(path.clone());
            } else {
                return Err(FileError::new(path, "no such file or folder", None).into());
            }
        }
        if args.transcripts.is_empty() {
            bail!("no transcripts given; name transcript files or a folder such as transcripts/");
        }
        tables.extend(args.cases.iter().cloned());
        let case_tables = tables
            .iter()
            .map(|path| {
                let (text, input) = read_csv_text(path, "case table")?;
                Ok((CaseTable::parse(&display_path_buf(path), text.as_bytes())?, input))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Sources { files, case_tables, case_table_files: tables, shard: None })
    }

    /// Keeps the files whose case may be in `shard`: those whose front
    /// matter names a case of the shard, and those whose case id is only
    /// known once parsed (they are checked again then).
    pub(crate) fn restrict_to(&mut self, shard: Shard) {
        let all = self.files.clone();
        self.files = all
            .par_iter()
            .filter(|path| peek_case(path).is_none_or(|case| shard.contains(&case)))
            .cloned()
            .collect();
        self.shard = Some((shard, all));
    }

    /// Whether a parsed transcript's case is processed here.
    pub(crate) fn in_shard(&self, case: &str) -> bool {
        self.shard.as_ref().is_none_or(|(shard, _)| shard.contains(case))
    }

    /// Reads and parses one transcript, with its `cases.csv` attributes merged.
    pub(crate) fn load(&self, path: &Path) -> Result<Transcript, TranscriptProblem> {
        let bytes = fs::read(path).map_err(|e| {
            TranscriptProblem::file(ErrorKind::Missing, path, format!("cannot read the file: {e}"))
        })?;
        let shown = display_path_buf(path);
        let mut transcript = Transcript::from_bytes(&shown, bytes)?;
        for (table, _) in &self.case_tables {
            let case = transcript.case().to_owned();
            table.merge_into(&case, transcript.attributes_mut(), &shown)?;
        }
        Ok(transcript)
    }

    /// The case tables as provenance inputs.
    pub(crate) fn table_inputs(&self) -> impl Iterator<Item = &Input> {
        self.case_tables.iter().map(|(_, input)| input)
    }
}
