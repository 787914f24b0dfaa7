//! Reading transcripts as the command line does: a folder stands for its
//! `*.txt` files (sorted by name) and its `cases.csv`; every case table's
//! attributes are merged into the transcripts it names.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use qda_coding::{CaseTable, Transcript};
use rayon::prelude::*;

use crate::error::Failure;

/// The transcript files and case tables of some paths.
pub(crate) struct Corpus {
    files: Vec<PathBuf>,
    tables: Vec<CaseTable>,
}

impl Corpus {
    /// Expands folders and reads the case tables: each folder's
    /// `cases.csv`, then `cases` (more tables named by the caller).
    pub(crate) fn collect(paths: &[PathBuf], cases: &[PathBuf]) -> Result<Self, Failure> {
        if paths.is_empty() {
            return Err(Failure::new(
                "InputError",
                "no transcripts given; name transcript files or a folder such as transcripts/",
            ));
        }
        let mut files = Vec::new();
        let mut table_paths = Vec::new();
        for path in paths {
            let shown = path.display().to_string();
            if path.is_dir() {
                let listing = fs::read_dir(path).map_err(|e| {
                    Failure::file("InputError", &shown, &format!("cannot list the folder: {e}"))
                })?;
                let mut found: Vec<PathBuf> = listing
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"))
                    })
                    .collect();
                found.sort();
                if found.is_empty() {
                    return Err(Failure::file(
                        "InputError",
                        &shown,
                        "no transcripts found (looked for *.txt files)",
                    ));
                }
                files.extend(found);
                let table = path.join("cases.csv");
                if table.is_file() {
                    table_paths.push(table);
                }
            } else if path.is_file() {
                files.push(path.clone());
            } else {
                return Err(Failure::file("InputError", &shown, "no such file or folder"));
            }
        }
        table_paths.extend(cases.iter().cloned());
        let tables = table_paths
            .iter()
            .map(|path| {
                let (text, path) = read_text(path, "case table")?;
                Ok(CaseTable::parse(&path, text.as_bytes())?)
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        Ok(Corpus { files, tables })
    }

    /// Every transcript, parsed in parallel with its attributes merged,
    /// sorted by case; the first file that fails (in file order) is the
    /// error, and so is a case id that two files give.
    pub(crate) fn load(&self) -> Result<Vec<Transcript>, Failure> {
        let mut transcripts = self
            .files
            .par_iter()
            .map(|path| self.load_one(path))
            .collect::<Result<Vec<_>, Failure>>()?;
        let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
        for transcript in &transcripts {
            if let Some(first) = seen.insert(transcript.case(), transcript.path()) {
                let mut failure = Failure::file(
                    "TranscriptError",
                    &transcript.path().display().to_string(),
                    &format!(
                        "case `{}` is also the case of {}; give each transcript its own case id",
                        transcript.case(),
                        first.display()
                    ),
                );
                failure.set_kind("duplicate");
                return Err(failure);
            }
        }
        transcripts.sort_by(|a, b| a.case().cmp(b.case()));
        Ok(transcripts)
    }

    fn load_one(&self, path: &Path) -> Result<Transcript, Failure> {
        let shown = path.display().to_string();
        let bytes = fs::read(path).map_err(|e| {
            Failure::file("InputError", &shown, &format!("cannot read the file: {e}"))
        })?;
        let mut transcript = Transcript::from_bytes(path, bytes)?;
        for table in &self.tables {
            let case = transcript.case().to_owned();
            table.merge_into(&case, transcript.attributes_mut(), path)?;
        }
        Ok(transcript)
    }
}

/// A UTF-8 text file (`what` names it in errors), with its path.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<(String, PathBuf), Failure> {
    let shown = path.display().to_string();
    let bytes = fs::read(path).map_err(|e| {
        Failure::file("InputError", &shown, &format!("cannot read the {what}: {e}"))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::file(
            "InputError",
            &shown,
            &format!(
                "the {what} is not valid UTF-8 (at byte {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok((text, path.to_owned()))
}
