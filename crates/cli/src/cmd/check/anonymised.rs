//! `qda check --anonymised`: are the transcripts safe to share?
//!
//! Exit policy: an original from the pseudonym table anywhere in a
//! transcript (front matter included) is an error, exit 1. Things that look
//! like personal data in the turns (e-mail addresses, telephone numbers,
//! full dates, capitalised words no list allows) are warnings, exit 0;
//! `--strict` makes them errors too. Originals are never printed: a leak
//! names the table's line and the pseudonym to use.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use qda_coding::{PseudonymTable, SuspectKind, Transcript, allow_words, suspects};

use crate::args::{CheckArgs, TranscriptArgs};
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::study::{Sources, read_bytes, read_codebook, read_csv_text};

pub(crate) fn run(args: &CheckArgs) -> Result<Outcome> {
    let is_codebook = |p: &PathBuf| {
        p.is_file()
            && p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json"))
    };
    let (codebooks, transcripts): (Vec<PathBuf>, Vec<PathBuf>) =
        args.paths.iter().cloned().partition(is_codebook);
    let sources = Sources::collect(&TranscriptArgs { transcripts, cases: args.cases.clone() })?;
    let transcripts = sources.load_all()?;

    let table = match &args.pseudonyms {
        Some(path) => {
            let (text, _) = read_csv_text(path, "pseudonym table")?;
            Some((
                PseudonymTable::parse(&PathBuf::from(display_path(path)), text.as_bytes())?,
                display_path(path),
            ))
        }
        None => None,
    };
    let allowed =
        allowed_words(&codebooks, &args.allow, table.as_ref().map(|(t, _)| t), &transcripts)?;

    let mut out = std::io::stdout().lock();
    let (mut leaks, mut warnings) = (0, 0);
    for transcript in &transcripts {
        let text = transcript.text();
        let shown = display_path(transcript.path());
        let mut leaked = Vec::new();
        if let Some((table, table_path)) = &table {
            for leak in table.find(text) {
                leaked.push(leak.range.clone());
                leaks += 1;
                let at = transcript.locate(leak.range.start);
                let replacement = if leak.pseudonym.is_empty() {
                    "remove it".to_owned()
                } else {
                    format!("replace it with `{}`", leak.pseudonym)
                };
                writeln!(
                    out,
                    "error: {shown}:{at}: the original on line {} of {table_path} is still here; {replacement}",
                    leak.row
                )?;
            }
        }
        let body = transcript
            .turns()
            .iter()
            .flat_map(|t| t.paragraphs.first())
            .map(|p| p.start)
            .next()
            .unwrap_or(text.len());
        let is_allowed = |word: &str| allowed.contains(&word.to_lowercase());
        for suspect in suspects(&text[body..], &is_allowed) {
            let range = body + suspect.range.start..body + suspect.range.end;
            if leaked.iter().any(|l| l.start < range.end && range.start < l.end) {
                continue;
            }
            warnings += 1;
            let at = transcript.locate(range.start);
            // Never print a word of an original: name its line in the table.
            let part_of = table
                .as_ref()
                .and_then(|(t, path)| t.row_with_word(&text[range.clone()]).map(|row| (row, path)));
            let detail = match (suspect.kind, part_of) {
                (SuspectKind::Name, Some((row, path))) => {
                    format!(": part of the original on line {row} of {path}")
                }
                (SuspectKind::Name, None) => {
                    format!(": `{}` (if it is not a name, add it to an --allow file)", &text[range])
                }
                _ => String::new(),
            };
            let level = if args.strict { "error" } else { "warning" };
            writeln!(out, "{level}: {shown}:{at}: {}{detail}", suspect.kind.describe())?;
        }
    }
    writeln!(
        out,
        "{} transcripts: {leaks} original{} from the pseudonym table, {warnings} warning{}",
        transcripts.len(),
        if leaks == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    )?;
    Ok(if leaks > 0 || (args.strict && warnings > 0) { Outcome::Failure } else { Outcome::Success })
}

/// Lower-cased words that are not names: from codebooks, allow files, the
/// pseudonyms, speaker labels and the transcripts' own front-matter values.
fn allowed_words(
    codebooks: &[PathBuf],
    allow_files: &[PathBuf],
    table: Option<&PseudonymTable>,
    transcripts: &[Transcript],
) -> Result<BTreeSet<String>> {
    let mut texts: Vec<String> = Vec::new();
    for path in codebooks {
        let (codebook, _) = read_codebook(path)?;
        texts.push(codebook.name().to_owned());
        for code in codebook.codes() {
            texts.extend([code.id.clone(), code.label.clone()]);
            texts.extend(code.definition.iter().chain(&code.include).chain(&code.exclude).cloned());
            texts.extend(code.examples.iter().chain(&code.counterexamples).cloned());
            if let Some(rule) = &code.rule {
                texts.extend(
                    rule.any
                        .iter()
                        .chain(&rule.all)
                        .chain(&rule.not)
                        .map(|t| t.as_str().to_owned()),
                );
            }
        }
    }
    for path in allow_files {
        let bytes = read_bytes(path)?;
        let text = String::from_utf8_lossy(&bytes);
        texts.extend(text.lines().map(|l| l.split('#').next().unwrap_or("").to_owned()));
    }
    if let Some(table) = table {
        texts.extend(table.pseudonyms().map(str::to_owned));
    }
    for transcript in transcripts {
        texts.extend(transcript.attributes().values().map(ToString::to_string));
        texts.extend(transcript.turns().iter().map(|t| t.speaker.clone()));
    }
    Ok(allow_words(texts.iter().map(String::as_str)))
}
