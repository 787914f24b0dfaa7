//! `qda export` and `qda import`: REFI-QDA codebooks and projects, for
//! other QDA tools (`NVivo`, ATLAS.ti, MAXQDA, `QualCoder`, Taguette).

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use qda_coding::{CodingsFile, Dictionary};
use qda_exchange::{Imported, ImportedProject, Positions};

use crate::args::{ExchangeFormat, ExportArgs, ImportArgs, PositionUnits};
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, Provenance, display_path};
use crate::study::{LoadedStudy, read_bytes};

pub(crate) fn export(args: &ExportArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?;
    // Sets of codes live in comments of the codebook file (docs/exchange.md).
    let sets = qda_exchange::sets_in_comments(&study.codebook_text);
    let codes = count(study.codebook.codes().len(), "code");
    let (bytes, what) = match args.to {
        ExchangeFormat::Qdc => {
            if !args.input.transcripts.is_empty() || !args.codings.is_empty() {
                bail!(
                    "--to qdc writes the codebook only; leave out transcripts and --codings, or use --to qdpx"
                );
            }
            if args.positions.is_some() {
                bail!(
                    "--positions applies to the selections of a project; leave it out, or use --to qdpx"
                );
            }
            let bytes = qda_exchange::export_codebook(&study.codebook, &sets).into_bytes();
            (bytes, format!("REFI-QDA codebook of {codes}"))
        }
        ExchangeFormat::Csv => {
            if !args.input.transcripts.is_empty() || !args.codings.is_empty() {
                bail!(
                    "--to csv writes the codebook only; leave out transcripts and --codings, or use --to qdpx"
                );
            }
            if args.positions.is_some() {
                bail!(
                    "--positions applies to the selections of a project; leave it out, or use --to qdpx"
                );
            }
            let bytes = qda_exchange::export_codebook_csv(&study.codebook).into_bytes();
            (bytes, format!("codebook of {codes} as CSV (tag, description)"))
        }
        ExchangeFormat::Qdpx => {
            if args.output.path.is_none() {
                bail!(
                    "a .qdpx project is a zip archive; name the file to write with -o, such as -o project.qdpx"
                );
            }
            // A project of codes only (a codebook to start coding from in
            // another tool) has no transcripts and no codings.
            let codebook_only = args.input.transcripts.is_empty() && args.input.cases.is_none();
            if codebook_only && !args.codings.is_empty() {
                bail!(
                    "--codings needs the transcripts the codings were made on; name transcript files or a folder such as transcripts/"
                );
            }
            if !codebook_only {
                study = study.with_transcripts(&args.input)?;
            }
            let transcripts = if codebook_only { Vec::new() } else { study.transcripts()? };
            let loaded = study.codings_files(&args.codings, &transcripts)?;
            let memos = study.study_memos(args.memos.folder.as_deref(), &transcripts)?;
            let positions = match args.positions {
                Some(PositionUnits::Utf16) => Positions::Utf16,
                Some(PositionUnits::CodePoints) | None => Positions::CodePoints,
            };
            let bytes = qda_exchange::export_project_with(
                &study.codebook,
                &sets,
                &transcripts,
                &loaded.files,
                &memos,
                positions,
            )?;
            let codings: usize = loaded.files.iter().map(|f| f.codings.len()).sum();
            let what = if codebook_only {
                format!("REFI-QDA project of {codes}, without transcripts")
            } else {
                format!(
                    "REFI-QDA project of {} with {codes} and {} by {}",
                    count(transcripts.len(), "transcript"),
                    count(codings, "coding"),
                    count(loaded.coders().len(), "coder")
                )
            };
            (bytes, what)
        }
    };
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}

pub(crate) fn import(args: &ImportArgs) -> Result<Outcome> {
    if Dictionary::is_dictionary(&args.file) {
        return import_dictionary(args);
    }
    let bytes = read_bytes(&args.file)?;
    let shown = display_path(&args.file);
    let source_input = Input::new(&args.file, &bytes);
    // Each transcript is written as soon as it is made, so no more than one
    // source's text is held at a time (docs/exchange.md, Safety).
    let mut staging: Option<Staging> = None;
    let mut transcripts = 0;
    let imported = qda_exchange::import_each(
        &shown,
        &bytes,
        qda_exchange::MAX_SOURCE_BYTES,
        |transcript| -> Result<()> {
            if staging.is_none() {
                staging = Some(Staging::new(args)?);
            }
            let folder = staging.as_mut().expect("created above");
            folder.write(
                &format!("transcripts/{}", transcript.file_name),
                transcript.text.as_bytes(),
            )?;
            transcripts += 1;
            Ok(())
        },
    )?;
    drop(bytes);
    let mut stderr = std::io::stderr().lock();
    match imported {
        Imported::Codebook { codebook, warnings } => {
            for w in &warnings {
                writeln!(stderr, "warning: {w}")?;
            }
            check_codebook_output(args)?;
            let what = format!("codebook of {}", count(codebook.ids.len(), "code"));
            crate::output::write(
                Some(&args.output),
                codebook.toml.as_bytes(),
                &[&args.file],
                what,
            )?;
        }
        Imported::Project(project) => {
            for w in &project.warnings {
                writeln!(stderr, "warning: {w}")?;
            }
            let mut folder = match staging {
                Some(folder) => folder,
                None => Staging::new(args)?,
            };
            for (relative, bytes) in project_files(&project, source_input)? {
                folder.write(&relative, &bytes)?;
            }
            let what = format!(
                "{}{} and {}",
                if project.codebook.is_some() { "codebook.toml, " } else { "" },
                count(transcripts, "transcript"),
                count(project.codings.len(), "codings file")
            );
            folder.finish(what)?;
        }
    }
    Ok(Outcome::Success)
}

/// `qda import DICT.dic|.yml|.yaml`: a LIWC or quanteda dictionary as a
/// qda codebook (docs/dictionaries.md).
fn import_dictionary(args: &ImportArgs) -> Result<Outcome> {
    let (codebook, toml, _) = crate::study::codebook_and_text(&args.file)?;
    check_codebook_output(args)?;
    let what = format!("codebook of {}", count(codebook.codes().len(), "code"));
    crate::output::write(Some(&args.output), toml.as_bytes(), &[&args.file], what)?;
    Ok(Outcome::Success)
}

/// Refuses a codebook's output path that is a folder, or a file that
/// exists without --force.
fn check_codebook_output(args: &ImportArgs) -> Result<()> {
    if args.output.is_dir() {
        bail!(
            "{}: is a folder; a codebook is written to a file, such as -o codebook.toml",
            display_path(&args.output)
        );
    }
    if args.output.exists() && !args.force {
        bail!(
            "{}: exists; choose another -o/--output path, or add --force to replace it",
            display_path(&args.output)
        );
    }
    Ok(())
}

/// An imported project's folder as it is written: each file goes into a
/// fresh temporary folder beside the target as soon as it is made, and all
/// are moved into place when the import has succeeded, so a failed import
/// leaves nothing behind. The temporary folder is renamed into place; with
/// --force into a folder that is not empty, its files are moved in one by
/// one (replacing files of the same name, leaving others alone).
struct Staging<'a> {
    args: &'a ImportArgs,
    temp: tempfile::TempDir,
    /// The target is a folder with files in it (allowed by --force).
    into_existing: bool,
    /// The files written, by path relative to the folder.
    written: Vec<String>,
}

impl<'a> Staging<'a> {
    /// Checks the target and makes the temporary folder.
    fn new(args: &'a ImportArgs) -> Result<Self> {
        let target = &args.output;
        let shown = display_path(target);
        let non_empty = target.is_dir()
            && fs::read_dir(target)
                .with_context(|| format!("{shown}: cannot list the folder"))?
                .next()
                .is_some();
        if target.exists() && !target.is_dir() {
            bail!("{shown}: is a file; a project is written to a folder, such as -o project/");
        }
        if non_empty && !args.force {
            bail!(
                "{shown}: the folder is not empty; choose a new folder, or add --force to write into it"
            );
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create the folder", display_path(parent)))?;
        let temp =
            tempfile::Builder::new().prefix(".qda-import-").tempdir_in(parent).with_context(
                || format!("{shown}: cannot create a temporary folder in {}", display_path(parent)),
            )?;
        Ok(Staging { args, temp, into_existing: non_empty, written: Vec::new() })
    }

    /// Writes one file of the project.
    fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.temp.path().join(relative);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder)?;
        }
        fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", display_path(&path)))?;
        self.written.push(relative.to_owned());
        Ok(())
    }

    /// Moves the files into place and says what was written.
    fn finish(self, what: String) -> Result<()> {
        let target = &self.args.output;
        let shown = display_path(target);
        if self.into_existing {
            let input = self.args.file.canonicalize().ok();
            for relative in &self.written {
                let path = target.join(relative);
                if input.is_some() && path.canonicalize().ok() == input {
                    bail!(
                        "{}: refusing to write the output over an input file; choose another -o/--output path",
                        display_path(&path)
                    );
                }
            }
            for relative in &self.written {
                let path = target.join(relative);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).with_context(|| {
                        format!("{}: cannot create the folder", display_path(parent))
                    })?;
                }
                fs::rename(self.temp.path().join(relative), &path)
                    .with_context(|| format!("{}: cannot write", display_path(&path)))?;
            }
            crate::output::wrote(target, what);
            return Ok(());
        }
        if target.is_dir() {
            fs::remove_dir(target)
                .with_context(|| format!("{shown}: cannot replace the empty folder"))?;
        }
        // On failure the temporary folder is removed when `temp` is dropped.
        fs::rename(self.temp.path(), target)
            .with_context(|| format!("{shown}: cannot move the imported project into place"))?;
        // Renamed away: there is nothing left for `temp` to remove.
        let _ = self.temp.keep();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(target, fs::Permissions::from_mode(0o755));
        }
        crate::output::wrote(target, what);
        Ok(())
    }
}

/// The files of an imported project but its transcripts (written as they
/// are made), by path relative to its folder. Every name comes from
/// sanitised case ids and coder names, never from the archive's entry names.
fn project_files(project: &ImportedProject, source: Input) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    if let Some(codebook) = &project.codebook {
        files.push(("codebook.toml".to_owned(), codebook.toml.clone().into_bytes()));
    }
    let mut taken: Vec<String> = Vec::new();
    for codings in &project.codings {
        let coder = codings.coder.clone().unwrap_or_default();
        let mut stem: String = coder
            .chars()
            .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_') { c } else { '-' })
            .collect();
        if stem.trim_matches('-').is_empty() {
            stem = "coder".to_owned();
        }
        let mut name = stem.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{stem}-{n}");
            n += 1;
        }
        taken.push(name.clone());
        let provenance = Provenance::new("import", vec![source.clone()]);
        let file =
            CodingsFile { provenance: Some(serde_json::to_value(&provenance)?), ..codings.clone() };
        files.push((format!("codings/{name}.json"), file.to_json().into_bytes()));
    }
    // The memos folder that `qda memos`, `report` and `export` read.
    if let Some(memo) = &project.project_memo {
        files.push(("memos/project.md".to_owned(), format!("{memo}\n").into_bytes()));
    }
    for (case, memo) in &project.case_memos {
        files.push((format!("memos/cases/{case}.md"), format!("{memo}\n").into_bytes()));
    }
    Ok(files)
}
