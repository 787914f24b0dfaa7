//! Codings files (`--codings`): read, checked against the codebook and the
//! transcripts as they are now, and layered into the codings that count.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use qda_coding::{
    Codebook, CoderCodings, Coding, CodingsFile, ErrorKind, RULES_CODER, Source, Transcript, Unit,
};

use crate::provenance::{Input, display_path};
use crate::study::files::{display_path_buf, read_text};

/// Refuses a folder or a `.txt` file among the `--codings` paths, showing
/// the command line in the right order.
///
/// `--codings` takes every path after it, so `qda tally CODEBOOK --codings
/// a.json transcripts/` hands it the transcripts. Taking such paths as
/// transcripts instead would make `--codings` mean different things by file
/// type, and when every path after it is a transcript, would quietly count
/// the rules instead of anyone's codings. A refusal that shows the command
/// to run surprises least.
pub(crate) fn refuse_transcripts_among_codings(paths: &[PathBuf]) -> Result<()> {
    let misplaced: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")))
        .collect();
    let Some(first) = misplaced.first() else { return Ok(()) };
    let what = if first.is_dir() { "a folder" } else { "a transcript" };
    let arguments: Vec<String> =
        crate::provenance::arguments().iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let misplaced: Vec<String> =
        misplaced.iter().map(|p| p.as_os_str().to_string_lossy().into_owned()).collect();
    let fix = match reordered(&arguments, &misplaced) {
        Some(arguments) => format!(": qda {}", arguments.join(" ")),
        None => String::new(),
    };
    bail!(
        "--codings {}: {what} is not a codings file; --codings takes every path after it, so name the transcripts before it{fix}",
        first.display()
    )
}

/// `arguments` with the `misplaced` ones moved to just before `--codings`,
/// quoted for a shell where needed; `None` when `--codings` is not an
/// argument of its own (`--codings=a.json`).
fn reordered(arguments: &[String], misplaced: &[String]) -> Option<Vec<String>> {
    let codings = arguments.iter().position(|a| a == "--codings")?;
    let mut moved = Vec::new();
    let mut rest = Vec::new();
    for (i, argument) in arguments.iter().enumerate() {
        if i > codings && misplaced.contains(argument) && !moved.contains(argument) {
            moved.push(argument.clone());
        } else {
            rest.push(argument.clone());
        }
    }
    rest.splice(codings..codings, moved);
    Some(rest.iter().map(|a| shell_quoted(a)).collect())
}

fn shell_quoted(argument: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_./=:,+@%".contains(c);
    if !argument.is_empty() && argument.chars().all(plain) {
        argument.to_owned()
    } else {
        format!("'{}'", argument.replace('\'', "'\\''"))
    }
}

/// Codings files, each with its provenance input.
pub(crate) struct LoadedCodings {
    pub(crate) files: Vec<CodingsFile>,
    pub(crate) inputs: Vec<Input>,
}

impl LoadedCodings {
    /// Reads and checks each file. A transcript changed since its codings
    /// were made is an error that gives the `qda reanchor` command to run,
    /// with `transcript_args` as the command line named the transcripts.
    pub(crate) fn read(
        paths: &[PathBuf],
        codebook: &Codebook,
        transcripts: &[Transcript],
        transcript_args: &[PathBuf],
    ) -> Result<Self> {
        let index: BTreeMap<String, qda_coding::SourceIndex> = transcripts
            .iter()
            .map(|t| {
                let segments = [Unit::Turn, Unit::Paragraph, Unit::Sentence]
                    .into_iter()
                    .flat_map(|unit| t.segments(unit))
                    .map(|s| (s.id, (s.start, s.end)))
                    .collect();
                let source = qda_coding::SourceIndex {
                    sha256: t.sha256().to_owned(),
                    path: t.path().to_owned(),
                    segments,
                };
                (t.case().to_owned(), source)
            })
            .collect();
        let mut files = Vec::new();
        let mut inputs = Vec::new();
        for path in paths {
            let (text, input) = read_text(path, "codings file")?;
            let shown = display_path_buf(path);
            let file = CodingsFile::parse(&shown, &text)?;
            file.check(&shown, codebook, &index).map_err(|e| {
                if e.kind == ErrorKind::TranscriptChanged && holds_rule_codings(&file) {
                    let command = recode_command(codebook.path(), transcript_args, path);
                    anyhow!("{e}; make the rule codings again with `{command}`")
                } else if e.kind == ErrorKind::TranscriptChanged {
                    let command = reanchor_command(codebook.path(), transcript_args, path);
                    anyhow!("{e}; carry the codings over to the new text with `{command}`")
                } else {
                    e.into()
                }
            })?;
            files.push(file);
            inputs.push(input);
        }
        Ok(LoadedCodings { files, inputs })
    }

    /// Every coder named in the files, sorted.
    pub(crate) fn coders(&self) -> Vec<String> {
        let mut coders: Vec<String> =
            self.files.iter().flat_map(|f| f.coders()).map(str::to_owned).collect();
        coders.sort();
        coders.dedup();
        coders
    }

    /// One coder's codings and coverage, gathered from every file.
    pub(crate) fn coder(&self, name: &str) -> CoderCodings {
        CoderCodings::from_files(name, self.files.iter())
    }

    /// The chosen coder's manual codings over the rule codings (see
    /// `qda_coding::layer`), and whose they are: `--coder`, or implicitly
    /// the one person who coded, or `rules`.
    pub(crate) fn choose(&self, coder: Option<&str>) -> Result<(Vec<Coding>, String)> {
        let coders = self.coders();
        let people: Vec<&String> = coders.iter().filter(|c| *c != RULES_CODER).collect();
        let chosen = match (coder, people.as_slice()) {
            (Some(name), _) if !coders.iter().any(|c| c == name) => bail!(
                "--coder {name}: no codings by `{name}` in the codings files; coders there: {}",
                coders.join(", ")
            ),
            (Some(name), _) => Some(name.to_owned()),
            (None, []) => None,
            (None, [one]) => Some((*one).clone()),
            (None, several) => bail!(
                "the codings files hold several coders ({}); choose whose codings count with --coder NAME",
                several.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        let rules = self.coder(RULES_CODER);
        let codings = match &chosen {
            Some(name) if name != RULES_CODER => {
                qda_coding::layer(&rules.codings, &self.coder(name))
            }
            _ => rules.codings,
        };
        Ok((codings, chosen.unwrap_or_else(|| RULES_CODER.to_owned())))
    }
}

/// Whether the file holds the rules' codings, which `qda code` makes again
/// rather than `qda reanchor` carrying them over.
fn holds_rule_codings(file: &CodingsFile) -> bool {
    file.coder.as_deref() == Some(RULES_CODER)
        || file.codings.iter().any(|c| matches!(c.source, Source::Rule { .. }))
}

/// The `qda code` command that makes `codings` again on the transcripts
/// as they are now.
fn recode_command(codebook: &Path, transcripts: &[PathBuf], codings: &Path) -> String {
    let mut words = vec!["qda".to_owned(), "code".to_owned(), display_path(codebook)];
    words.extend(transcripts.iter().map(|p| display_path(p)));
    words.extend(["-o".to_owned(), display_path(codings)]);
    words.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" ")
}

/// The `qda reanchor` command that carries `codings` over to the
/// transcripts as they are now, writing a new file beside it.
pub(crate) fn reanchor_command(codebook: &Path, transcripts: &[PathBuf], codings: &Path) -> String {
    let mut words = vec!["qda".to_owned(), "reanchor".to_owned(), display_path(codebook)];
    words.extend(transcripts.iter().map(|p| display_path(p)));
    words.extend(["--codings".to_owned(), display_path(codings), "-o".to_owned()]);
    words.push(display_path(&reanchored_name(codings)));
    words.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" ")
}

/// `codings/anna.json` → `codings/anna.reanchored.json`.
pub(crate) fn reanchored_name(codings: &Path) -> PathBuf {
    let stem = codings.file_stem().map_or_else(|| "codings".into(), |s| s.to_string_lossy());
    codings.with_file_name(format!("{stem}.reanchored.json"))
}

/// A word as a POSIX shell reads it: quoted when it holds anything but
/// safe characters.
fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=+,@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
