//! Reading the files a command names: codebooks, adjudications, and the
//! transcript files and case tables (`cases.csv`, `--cases`) of a corpus.
//! Each file read yields its provenance [`Input`] with it.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use qda_coding::{Adjudications, CaseTable, Codebook, Transcript};

use crate::args::TranscriptArgs;
use crate::provenance::{Input, display_path};

/// Several problems, printed one per line (`error: ...` each).
#[derive(Debug)]
pub(crate) struct Problems(pub(crate) Vec<String>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("\nerror: "))
    }
}

impl std::error::Error for Problems {}

/// A file's bytes, or an error naming it.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("{}: cannot read the file", display_path(path)))
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

/// Reads and validates a codebook.
pub(crate) fn codebook(path: &Path) -> Result<(Codebook, Input)> {
    let (text, input) = read_text(path, "codebook")?;
    let codebook = Codebook::parse(&display_path_buf(path), &text)?;
    Ok((codebook, input))
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
                if found.is_empty() {
                    bail!("{}: no transcripts found (looked for *.txt files)", display_path(path));
                }
                files.extend(found);
                let csv = path.join("cases.csv");
                if csv.is_file() {
                    tables.push(csv);
                }
            } else if path.exists() {
                files.push(path.clone());
            } else {
                bail!("{}: no such file or folder", display_path(path));
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
        Ok(Sources { files, case_tables, case_table_files: tables })
    }

    /// Reads and parses one transcript, with its `cases.csv` attributes merged.
    pub(crate) fn load(&self, path: &Path) -> Result<Transcript, String> {
        let bytes = fs::read(path)
            .map_err(|e| format!("{}: cannot read the file: {e}", display_path(path)))?;
        let shown = display_path_buf(path);
        let mut transcript = Transcript::from_bytes(&shown, bytes).map_err(|e| e.to_string())?;
        for (table, _) in &self.case_tables {
            let case = transcript.case().to_owned();
            table
                .merge_into(&case, transcript.attributes_mut(), &shown)
                .map_err(|e| e.to_string())?;
        }
        Ok(transcript)
    }

    /// The case tables as provenance inputs.
    pub(crate) fn table_inputs(&self) -> impl Iterator<Item = &Input> {
        self.case_tables.iter().map(|(_, input)| input)
    }
}
