//! `qda merge-codings BASE OURS THEIRS -o OUT`: a three-way merge of codings
//! files (`qda_coding::merge`), usable as git's merge driver (`%O %A %B -o
//! %A`). Conflicts are written into OUT with both versions, listed on
//! standard error, and exit 1.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use qda_coding::CodingsFile;

use crate::args::MergeCodingsArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, Provenance, display_path};
use crate::study::read_text;

pub(crate) fn run(args: &MergeCodingsArgs) -> Result<Outcome> {
    let base = read(&args.base)?;
    let ours = read(&args.ours)?;
    let theirs = read(&args.theirs)?;
    let mut merged = qda_coding::merge(&base, &ours, &theirs);

    // The merged codings were made on the transcripts they list; `qda
    // verify` checks those, and cannot re-make a merge (no `arguments`).
    let inputs = merged
        .file
        .transcripts
        .iter()
        .map(|t| Input { path: t.path.clone(), sha256: t.sha256.clone() })
        .collect();
    let mut provenance = serde_json::to_value(Provenance::new("merge-codings", inputs))?;
    if let Some(object) = provenance.as_object_mut() {
        object.shift_remove("arguments");
        object.shift_remove("options");
    }
    merged.file.provenance = Some(provenance);

    let text = merged.file.to_json();
    let coders = merged.file.coders().into_iter().collect::<Vec<_>>().join(", ");
    let conflicts = merged.file.conflicts.len();
    let what = format!(
        "{} by {} over {}, {} from theirs{}",
        count(merged.file.codings.len(), "coding"),
        if coders.is_empty() { "nobody" } else { &coders },
        count(merged.file.transcripts.len(), "case"),
        count(merged.from_theirs, "change"),
        if conflicts == 0 { String::new() } else { format!(", {}", count(conflicts, "conflict")) }
    );
    // OURS may be the output (git's driver writes the result over `%A`).
    crate::output::write(
        args.output.as_deref(),
        text.as_bytes(),
        &[&args.base, &args.theirs],
        what,
    )?;
    if conflicts == 0 {
        return Ok(Outcome::Success);
    }
    let shown = args.output.as_deref().map_or_else(|| "(standard output)".to_owned(), display_path);
    let mut stderr = std::io::stderr().lock();
    for (conflict, line) in merged.file.conflicts.iter().zip(conflict_lines(&text)) {
        writeln!(stderr, "conflict: {shown}:{line}: {}", conflict.describe())?;
    }
    writeln!(
        stderr,
        "{} kept with both versions under `conflicts` in {shown}: keep the version you want of each in `codings` or `memos`, delete `conflicts`, then commit",
        count(conflicts, "conflict")
    )?;
    Ok(Outcome::Failure)
}

/// A side of the merge; an empty file (git's `%O` when the sides have no
/// common ancestor) is a file without codings.
fn read(path: &Path) -> Result<CodingsFile> {
    let (text, _) = read_text(path, "codings file")?;
    if text.trim().is_empty() {
        return Ok(CodingsFile::default());
    }
    Ok(CodingsFile::parse(&PathBuf::from(display_path(path)), &text)?)
}

/// The line of each conflict in the written file: the entries of
/// `conflicts` start at four spaces' indent.
fn conflict_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("  \"conflicts\"") {
            inside = true;
        } else if inside && line == "    {" {
            lines.push(i + 1);
        } else if inside && line.starts_with("  ]") {
            break;
        }
    }
    lines
}
