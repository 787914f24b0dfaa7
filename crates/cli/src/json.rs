//! The JSON documents of `qda tally`, `qda agree --ratings` and `qda check`
//! for callers that want the result rather than the command's output (the
//! Python package): the same code builds them as for the command line, so
//! the numbers are the same, and failures come back as an [`Error`] that
//! says where and what sort they are, not as lines on standard error.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Parser;
use qda_coding::{
    AdjudicationError, CodebookError, ErrorKind, Position, Transcript, TranscriptError,
};
use serde::Serialize;

use crate::args::{Cli, Command, TranscriptArgs};
use crate::cmd;
use crate::render::json;
use crate::study::{FileError, LoadedStudy, Sources, TranscriptProblems};

/// Which input a failure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A file or folder missing or unreadable, an argument that does not fit.
    Input,
    /// A codebook that does not parse or validate, a rule that does not compile.
    Codebook,
    /// A transcript or case table that does not parse, a repeated case id.
    Transcript,
    /// An adjudications file that does not parse or names what does not exist.
    Adjudication,
    /// Cases of an exclusive group settled by adjudication that carry
    /// several of its codes.
    Conflict,
    /// A ratings table that cannot be read as ratings.
    Ratings,
}

/// A failure, with the message the command line prints after `error: `.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// Which input it is about.
    pub class: ErrorClass,
    /// The file, line and column, where known.
    pub position: Option<Position>,
    /// What sort of problem it is, where the engine says.
    pub kind: Option<ErrorKind>,
    /// What is wrong and how to fix it, led by `FILE:LINE:COL:` where known.
    pub message: String,
}

impl Error {
    /// Classifies a command's error by the typed errors in its chain.
    fn from_command(err: anyhow::Error, otherwise: ErrorClass) -> Self {
        let message = format!("{err:#}");
        for cause in err.chain() {
            let (class, position, kind) = if let Some(e) = cause.downcast_ref::<CodebookError>() {
                (ErrorClass::Codebook, e.position.clone(), e.kind)
            } else if let Some(e) = cause.downcast_ref::<TranscriptError>() {
                (ErrorClass::Transcript, e.position.clone(), e.kind)
            } else if let Some(e) = cause.downcast_ref::<AdjudicationError>() {
                (ErrorClass::Adjudication, e.position.clone(), e.kind)
            } else if let Some(TranscriptProblems(problems)) = cause.downcast_ref() {
                let Some(first) = problems.first() else { continue };
                (ErrorClass::Transcript, first.position.clone(), first.kind)
            } else if let Some(e) = cause.downcast_ref::<FileError>() {
                let position = Position { path: e.path.clone(), location: None };
                return Error {
                    class: ErrorClass::Input,
                    position: Some(position),
                    kind: None,
                    message,
                };
            } else {
                continue;
            };
            return Error { class, position: Some(position), kind: Some(kind), message };
        }
        Error { class: otherwise, position: None, kind: None, message }
    }

    fn input(message: String) -> Self {
        Error { class: ErrorClass::Input, position: None, kind: None, message }
    }
}

/// A codebook: where it was read from (named in errors and provenance)
/// and its text.
#[derive(Debug, Clone, Copy)]
pub struct CodebookSource<'a> {
    /// The file, as errors and the provenance name it.
    pub path: &'a Path,
    /// Its TOML (or JSON, by the path's extension).
    pub text: &'a str,
}

/// A JSON document as the command writes it (`--format json`), and the
/// warnings the command prints on standard error, without `warning: `.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document, pretty-printed, ending with a newline.
    pub json: String,
    /// What the command would warn about, in its order.
    pub warnings: Vec<String>,
}

/// Parses a command line as the `qda` command does, so that every option
/// is checked as there.
fn command(args: Vec<OsString>) -> Result<Command, Error> {
    crate::provenance::set_arguments(args.clone());
    let argv = std::iter::once(OsString::from("qda")).chain(args);
    Cli::try_parse_from(argv).map(|cli| cli.command).map_err(|e| {
        let shown = e.render().to_string();
        Error::input(
            shown.trim_end().strip_prefix("error: ").unwrap_or(shown.trim_end()).to_owned(),
        )
    })
}

fn os(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// `qda tally CODEBOOK TRANSCRIPTS [--cases FILE] [--adjudications FILE]
/// [--by ATTR] --format json`: the document it writes.
///
/// # Errors
/// As the command fails; [`ErrorClass::Conflict`] (with the command's
/// list of cases and template) while conflicts await adjudication.
pub fn tally(
    codebook: CodebookSource<'_>,
    transcripts: &[PathBuf],
    cases: Option<&Path>,
    adjudications: Option<&Path>,
    by: Option<&str>,
) -> Result<Document, Error> {
    let mut args = vec![os("tally"), os("--format"), os("json")];
    if let Some(cases) = cases {
        args.extend([os("--cases"), os(cases)]);
    }
    if let Some(adjudications) = adjudications {
        args.extend([os("--adjudications"), os(adjudications)]);
    }
    if let Some(by) = by {
        args.extend([os("--by"), os(by)]);
    }
    args.extend([os("--"), os(codebook.path)]);
    args.extend(transcripts.iter().map(os));
    let Command::Tally(args) = command(args)? else { unreachable!("parsed as tally") };
    let fail = |e| Error::from_command(e, ErrorClass::Input);
    let study = LoadedStudy::from_text(codebook.path, codebook.text.to_owned()).map_err(fail)?;
    let (study, cases) = cmd::tally::load(study, &args).map_err(fail)?;
    let mut warnings: Vec<String> =
        study.undeclared_speakers().iter().map(ToString::to_string).collect();
    let mut printed = Vec::new();
    let tallied = study.tally_into(&cases, args.by.as_deref(), &mut printed).map_err(fail)?;
    let printed = String::from_utf8_lossy(&printed).into_owned();
    let Some(tally) = tallied else {
        let message = printed.lines().filter(|l| !l.starts_with("warning: ")).collect::<Vec<_>>();
        let message = message.join("\n");
        return Err(Error {
            class: ErrorClass::Conflict,
            position: Some(Position { path: codebook.path.to_owned(), location: None }),
            kind: Some(ErrorKind::Conflict),
            message: message.strip_prefix("error: ").unwrap_or(&message).to_owned(),
        });
    };
    warnings.extend(printed.lines().filter_map(|l| l.strip_prefix("warning: ").map(str::to_owned)));
    let report = cmd::tally::report(&args, &study, &tally, Vec::new());
    Ok(Document { json: document(&report), warnings })
}

/// `qda agree --ratings FILE --level LEVEL [--order LABELS] --resamples N
/// --seed N --format json` on the CSV `table` (a unit column, then one
/// column per coder), as if read from `name`.
///
/// # Errors
/// [`ErrorClass::Ratings`] for a table the command refuses;
/// [`ErrorClass::Input`] for an option it refuses.
pub fn agree_ratings(
    table: &[u8],
    name: &Path,
    level: &str,
    order: Option<&str>,
    resamples: usize,
    seed: u64,
) -> Result<Document, Error> {
    let mut args = vec![os("agree"), os("--format"), os("json"), os("--ratings"), os(name)];
    args.extend([os("--level"), os(level)]);
    args.extend([os("--resamples"), os(resamples.to_string())]);
    args.extend([os("--seed"), os(seed.to_string())]);
    if let Some(order) = order {
        args.extend([os("--order"), os(order)]);
    }
    let Command::Agree(args) = command(args)? else { unreachable!("parsed as agree") };
    let report = cmd::agree::ratings_of(name, table, &args)
        .map_err(|e| Error::from_command(e, ErrorClass::Ratings))?;
    Ok(Document { json: document(&report), warnings: Vec::new() })
}

/// What `qda check CODEBOOK [TRANSCRIPTS] [--cases FILE]` finds: the
/// codebook's size, the examples that fail with why (`failures`: `code`,
/// `kind`, `number`, `text`, `why`), how many `passed`, and with
/// transcripts their `cases`, `segments` and `codable_segments`. The
/// warnings are the command's.
///
/// # Errors
/// As the command fails.
pub fn check(
    codebook: CodebookSource<'_>,
    transcripts: &[PathBuf],
    cases: Option<&Path>,
) -> Result<Document, Error> {
    let fail = |e| Error::from_command(e, ErrorClass::Input);
    let study = LoadedStudy::from_text(codebook.path, codebook.text.to_owned()).map_err(fail)?;
    let examples = cmd::check::run_examples(&study.codebook, &study.rules);
    let summary = CheckSummary {
        codes: study.codebook.codes().len(),
        with_rules: study.codebook.codes().iter().filter(|c| c.rule.is_some()).count(),
        patterns: study.rules.pattern_count(),
        unit: study.codebook.unit().as_str(),
    };
    let mut warnings = examples.warnings.clone();
    let corpus = if transcripts.is_empty() {
        None
    } else {
        let input =
            TranscriptArgs { transcripts: transcripts.to_vec(), cases: cases.map(Path::to_owned) };
        let (corpus, more) = cmd::check::code_corpus(study, &input).map_err(fail)?;
        warnings.extend(more);
        Some(corpus)
    };
    let checked = Checked { codebook: summary, examples, transcripts: corpus };
    Ok(Document { json: document(&checked), warnings })
}

#[derive(Serialize)]
struct Checked {
    codebook: CheckSummary,
    #[serde(flatten)]
    examples: cmd::check::Examples,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcripts: Option<cmd::check::Corpus>,
}

#[derive(Serialize)]
struct CheckSummary {
    codes: usize,
    with_rules: usize,
    patterns: usize,
    unit: &'static str,
}

/// Every transcript `paths` names (a folder stands for its `*.txt` files
/// and its `cases.csv`), with the attributes of the case tables merged,
/// sorted by case: what the commands read.
///
/// # Errors
/// As the commands fail on these transcripts.
pub fn transcripts(paths: &[PathBuf], cases: Option<&Path>) -> Result<Vec<Transcript>, Error> {
    let args = TranscriptArgs { transcripts: paths.to_vec(), cases: cases.map(Path::to_owned) };
    Sources::collect(&args)
        .and_then(|sources| sources.load_all())
        .map_err(|e| Error::from_command(e, ErrorClass::Input))
}

fn document(value: &impl Serialize) -> String {
    String::from_utf8(json(value)).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn tally_of(
        transcripts: &[PathBuf],
        adjudications: Option<&Path>,
        by: Option<&str>,
    ) -> Result<Document, Error> {
        let path = root().join("codebooks/motives.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        tally(CodebookSource { path: &path, text: &text }, transcripts, None, adjudications, by)
    }

    #[test]
    fn a_tally_is_the_document_with_its_crosstab_tests() {
        let adjudications = root().join("adjudications.toml");
        let tallied =
            tally_of(&[root().join("transcripts")], Some(&adjudications), Some("settled_in"))
                .unwrap();
        let document: serde_json::Value = serde_json::from_str(&tallied.json).unwrap();
        let cases: Vec<u64> = document["groups"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["cases"].as_u64().unwrap())
            .collect();
        assert_eq!(cases, [4, 13, 9, 0]);
        assert_eq!(document["by"]["cases"], serde_json::json!({"Japan": 21, "South Korea": 5}));
        let tests = &document["groups"][0]["crosstab"]["tests"];
        assert!(tests["chi_square"]["p_value"].is_f64() && tests["fisher_exact"].is_object());
        assert_eq!(document["provenance"]["arguments"][0], "tally");
    }

    #[test]
    fn unsettled_conflicts_are_a_conflict_naming_the_codebook() {
        let err = tally_of(&[root().join("transcripts")], None, None).unwrap_err();
        assert_eq!((err.class, err.kind), (ErrorClass::Conflict, Some(ErrorKind::Conflict)));
        assert!(err.position.unwrap().path.ends_with("codebooks/motives.toml"));
        let first = err.message.lines().nth(1).unwrap();
        insta::assert_snapshot!(first, @"  P05: survival (1 segment), freedom (3 segments)");
    }

    #[test]
    fn a_repeated_case_is_a_transcript_error_at_the_second_file() {
        let folder = tempfile::tempdir().unwrap();
        let p01 = root().join("transcripts/P01.txt");
        std::fs::copy(&p01, folder.path().join("P01.txt")).unwrap();
        std::fs::copy(&p01, folder.path().join("P01-copy.txt")).unwrap();
        let err = tally_of(&[folder.path().to_owned()], None, None).unwrap_err();
        assert_eq!((err.class, err.kind), (ErrorClass::Transcript, Some(ErrorKind::Duplicate)));
        assert!(err.position.unwrap().path.ends_with("P01.txt"));
        let shown = err.message.replace(&folder.path().display().to_string(), "DIR");
        insta::assert_snapshot!(shown, @"DIR/P01.txt: case `P01` is also the case of DIR/P01-copy.txt; give each transcript its own case id");
    }

    #[test]
    fn a_ratings_table_the_command_refuses_is_a_ratings_error() {
        let err = agree_ratings(b"unit,anna\nu1,1\n", Path::new("ratings"), "nominal", None, 0, 1)
            .unwrap_err();
        assert_eq!(err.class, ErrorClass::Ratings);
        insta::assert_snapshot!(err.message, @"ratings:1:1: a ratings table needs a unit column and at least two coder columns");
        let err =
            agree_ratings(b"unit,a,b\n", Path::new("ratings"), "cardinal", None, 0, 1).unwrap_err();
        assert_eq!(err.class, ErrorClass::Input);
        assert!(err.message.contains("cardinal"), "{}", err.message);
    }
}
