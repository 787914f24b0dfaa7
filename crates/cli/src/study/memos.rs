//! The study's memos folder: `project.md` and `cases/CASE.md`, read next to
//! the case memos of the transcripts' front matter. The folder is `--memos
//! DIR`, or `memos/` in the current directory when there is one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use qda_coding::{StudyMemos, Transcript};

use super::files::{display_path_buf, read_text};
use crate::provenance::display_path;

/// The folder read when `--memos` is not given, when it exists.
pub(crate) const DEFAULT_MEMOS: &str = "memos";

/// The memos folder to read: `dir`, which must exist, or `memos/` if present.
pub(crate) fn memos_folder(dir: Option<&Path>) -> Result<Option<PathBuf>> {
    match dir {
        Some(dir) if dir.is_dir() => Ok(Some(dir.to_owned())),
        Some(dir) => bail!(
            "{}: no such folder; --memos names the folder that holds project.md and cases/CASE.md",
            display_path(dir)
        ),
        None => Ok(Path::new(DEFAULT_MEMOS).is_dir().then(|| PathBuf::from(DEFAULT_MEMOS))),
    }
}

/// The folder `qda serve` saves case memos into: `dir`, or `memos/`
/// (made on the first save).
pub(crate) fn memos_folder_for_saving(dir: Option<&Path>) -> PathBuf {
    dir.map_or_else(|| PathBuf::from(DEFAULT_MEMOS), Path::to_owned)
}

/// Reads the memos of `folder` and of `transcripts`; the files read are
/// added to `read`. Case memos of cases that are not among the transcripts
/// are left out with a warning.
pub(crate) fn read_memos(
    folder: Option<&Path>,
    transcripts: &[Transcript],
    read: &mut Vec<PathBuf>,
) -> Result<StudyMemos> {
    let mut memos = StudyMemos::new();
    for transcript in transcripts {
        memos.add_transcript(transcript)?;
    }
    add_folder_memos(folder, memos, transcripts.iter().map(Transcript::case), read)
}

/// Adds the memos of `folder` to `memos`, which holds those of the
/// transcripts' front matter (gathered as they were read, so no transcript
/// need be kept), then leaves out, with a warning, the case memos of cases
/// not among `cases`.
pub(crate) fn add_folder_memos<'a>(
    folder: Option<&Path>,
    mut memos: StudyMemos,
    cases: impl IntoIterator<Item = &'a str>,
    read: &mut Vec<PathBuf>,
) -> Result<StudyMemos> {
    if let Some(folder) = folder {
        read_folder(folder, &mut memos, read)?;
    }
    for warning in memos.keep_cases(cases) {
        crate::output::warn(&warning);
    }
    Ok(memos)
}

fn read_folder(folder: &Path, memos: &mut StudyMemos, read: &mut Vec<PathBuf>) -> Result<()> {
    let project = folder.join("project.md");
    if project.is_file() {
        let (text, _) = read_text(&project, "project memo")?;
        memos.set_project(&display_path_buf(&project), &text);
        read.push(project);
    }
    let cases = folder.join("cases");
    if cases.is_dir() {
        let mut files: Vec<PathBuf> = fs::read_dir(&cases)
            .with_context(|| format!("{}: cannot list the folder", display_path(&cases)))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("{}: cannot list the folder", display_path(&cases)))?;
        files.sort();
        for path in files {
            if path.extension().and_then(|e| e.to_str()) != Some("md") {
                if path.is_file() {
                    crate::output::warn(&format!(
                        "{}: not read; a case memo is a Markdown file named after its case, such as P01.md",
                        display_path(&path)
                    ));
                }
                continue;
            }
            let (text, _) = read_text(&path, "case memo")?;
            memos.add_case_file(&display_path_buf(&path), &text)?;
            read.push(path);
        }
    }
    Ok(())
}
