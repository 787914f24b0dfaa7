//! `qda import-transcripts`: Word, OpenDocument, subtitle, Whisper and
//! legacy-encoded text files converted into qda transcripts by
//! `qda-convert`, one `CASE.txt` per input in the output folder. A file that
//! cannot be converted is reported and skipped; the others are written.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indexmap::IndexMap;
use qda_coding::CaseTable;
use qda_convert::{Converted, Options, SourceFormat, SpeakerMap};

/// What the summary needs of a converted file: the turns themselves are
/// dropped once written, so memory follows the files in flight, not the folder.
struct Report {
    case: String,
    format: SourceFormat,
    turns: usize,
    preamble: Option<String>,
    speakers: IndexMap<String, usize>,
    notes: Vec<String>,
    left_out: Vec<(&'static str, String)>,
    mapped: Vec<String>,
    interviewer_like: Vec<String>,
}

impl Report {
    fn of(converted: Converted) -> Self {
        let interviewer_like =
            converted.interviewer_like().into_iter().map(str::to_owned).collect();
        Report {
            case: converted.case,
            format: converted.format,
            turns: converted.turns.len(),
            preamble: converted.preamble,
            speakers: converted.speakers,
            notes: converted.notes,
            left_out: converted.left_out,
            mapped: converted.mapped,
            interviewer_like,
        }
    }
}
use rayon::prelude::*;
use regex::Regex;

use crate::args::ImportTranscriptsArgs;
use crate::outcome::Outcome;
use crate::output::{self, count};
use crate::provenance::display_path;
use crate::study::{display_path_buf, how_to_convert, read_csv_text};

/// One input file and what became of it.
struct Job {
    input: PathBuf,
    case: String,
    target: PathBuf,
    /// A problem found before converting (a case clash, an existing output).
    refused: Option<String>,
}

pub(crate) fn run(args: &ImportTranscriptsArgs) -> Result<Outcome> {
    let speaker_map = match &args.speaker_map {
        Some(map) => SpeakerMap::parse(map).map_err(|e| anyhow::anyhow!(e.message))?,
        None => SpeakerMap::default(),
    };
    if let Some(problem) = args.default_speaker.as_deref().and_then(qda_convert::label_problem) {
        bail!("--default-speaker: {problem}");
    }
    let case_from = args
        .case_from
        .as_deref()
        .map(|pattern| {
            Regex::new(pattern)
                .map_err(|e| anyhow::anyhow!("--case-from: `{pattern}` is not a valid regex: {e}"))
        })
        .transpose()?;
    let table = match &args.cases {
        Some(path) => {
            let (text, _) = read_csv_text(path, "case table")?;
            Some((CaseTable::parse(&display_path_buf(path), text.as_bytes())?, path.clone()))
        }
        None => None,
    };
    if args.output.exists() && !args.output.is_dir() {
        bail!(
            "{}: -o names a file; name the folder to write the transcripts into",
            display_path(&args.output)
        );
    }
    let inputs = expand(&args.inputs)?;
    let jobs = plan(&inputs, case_from.as_ref(), &args.output, args.force);

    let results: Vec<Result<Report, String>> = jobs
        .par_iter()
        .map(|job| {
            if let Some(refused) = &job.refused {
                return Err(refused.clone());
            }
            convert_one(job, &speaker_map, args.default_speaker.as_deref(), table.as_ref())
        })
        .collect();

    let mut summary = String::new();
    let mut failed = Vec::new();
    // Each label: its turns, and the cases it speaks in.
    let mut speakers: IndexMap<String, (usize, Vec<String>)> = IndexMap::new();
    let mut interviewer_like: Vec<String> = Vec::new();
    // The --speaker-map entries that renamed some label.
    let mut mapped: BTreeSet<String> = BTreeSet::new();
    for (job, result) in jobs.iter().zip(results) {
        let shown = display_path(&job.input);
        match result {
            Ok(converted) => {
                output::wrote(
                    &job.target,
                    format!(
                        "case {} from {shown}, {}",
                        converted.case,
                        count(converted.turns, "turn")
                    ),
                );
                let _ = writeln!(
                    summary,
                    "{shown}: {}, {}",
                    converted.format.describe(),
                    count(converted.turns, "turn")
                );
                for note in &converted.notes {
                    let _ = writeln!(summary, "  {note}");
                }
                if let Some(preamble) = &converted.preamble {
                    let _ = writeln!(
                        summary,
                        "  text before the first turn kept as `preamble`: {}",
                        shorten(preamble)
                    );
                }
                for (noun, text) in &converted.left_out {
                    let _ = writeln!(summary, "  {noun} left out: {}", shorten(text));
                }
                for (label, turns) in &converted.speakers {
                    let entry = speakers.entry(label.clone()).or_default();
                    entry.0 += turns;
                    entry.1.push(converted.case.clone());
                }
                mapped.extend(converted.mapped.iter().cloned());
                for label in &converted.interviewer_like {
                    if !interviewer_like.contains(label) {
                        interviewer_like.push(label.clone());
                    }
                }
            }
            Err(message) => {
                let _ = writeln!(std::io::stderr().lock(), "error: {message}");
                failed.push(shown);
            }
        }
    }
    let converted = jobs.len() - failed.len();
    if !speakers.is_empty() {
        let _ = writeln!(summary, "speakers (turns, cases):");
        let width = speakers.keys().map(|l| l.chars().count()).max().unwrap_or(0);
        for (label, (turns, cases)) in &speakers {
            let pad = width - label.chars().count();
            let _ =
                writeln!(summary, "  {label}{}  {turns:>5}  {}", " ".repeat(pad), cases.join(", "));
        }
    }
    for old in speaker_map.olds().filter(|old| !mapped.contains(*old)) {
        let _ = writeln!(summary, "--speaker-map: no speaker is labelled `{old}`");
    }
    if !interviewer_like.is_empty() {
        let quoted: Vec<String> = interviewer_like.iter().map(|l| format!("\"{l}\"")).collect();
        let _ = writeln!(
            summary,
            "{} like the interviewer's: if so, list {} in the codebook: interviewer = [{}]",
            if interviewer_like.len() == 1 {
                format!("`{}` reads", interviewer_like[0])
            } else {
                format!("`{}` read", interviewer_like.join("`, `"))
            },
            if interviewer_like.len() == 1 { "it" } else { "them" },
            quoted.join(", ")
        );
    }
    print!("{summary}");
    if failed.is_empty() {
        return Ok(Outcome::Success);
    }
    let what = format!(
        "{} of {} not converted ({}); {} converted into {}",
        failed.len(),
        count(jobs.len(), "file"),
        failed.join(", "),
        converted,
        display_path(&args.output)
    );
    if converted == 0 {
        bail!("{what}");
    }
    let _ = writeln!(std::io::stderr().lock(), "error: {what}");
    Ok(Outcome::Failure)
}

/// The first 80 characters of `text`, on one line.
fn shorten(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line,
    }
}

/// The files to convert: files as named, folders' files of the kinds
/// converted (sorted by name), with a warning for each file left out that
/// looks like a transcript in a form qda cannot read.
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in inputs {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(path)
                .with_context(|| format!("{}: cannot list the folder", display_path(path)))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            let before = files.len();
            for file in found {
                match SourceFormat::from_path(&file) {
                    Some(SourceFormat::Text) if is_qda_transcript(&file) => {}
                    Some(_) => files.push(file),
                    None => {
                        if let Some((what, false)) = qda_convert::transcript_like(&file) {
                            let _ = writeln!(
                                std::io::stderr().lock(),
                                "warning: {}: skipped, {what} is not converted; {}",
                                display_path(&file),
                                how_to_convert(&file)
                            );
                        }
                    }
                }
            }
            if files.len() == before {
                bail!(
                    "{}: nothing to convert (looked for .docx, .odt, .vtt, .srt, .json and .txt files)",
                    display_path(path)
                );
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            bail!("{}: no such file or folder", display_path(path));
        }
    }
    Ok(files)
}

/// Whether a `.txt` file in a folder already is a qda transcript (it starts
/// with front matter), so converting the folder leaves it alone.
fn is_qda_transcript(path: &Path) -> bool {
    let mut start = [0u8; 8];
    let Ok(mut file) = fs::File::open(path) else { return false };
    let n = std::io::Read::read(&mut file, &mut start).unwrap_or(0);
    let start = start[..n].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&start[..n]);
    start.starts_with(b"+++")
}

/// Each file's case and target, and the problems visible before reading it:
/// two files giving one case, a case id that cannot be one, an existing
/// transcript without `--force`.
fn plan(inputs: &[PathBuf], case_from: Option<&Regex>, output: &Path, force: bool) -> Vec<Job> {
    let mut jobs: Vec<Job> = inputs
        .iter()
        .map(|input| {
            let shown = display_path(input);
            let stem = input.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            let (case, refused) = match case_of(&stem, case_from) {
                Ok(case) => (case, None),
                Err(why) => (String::new(), Some(format!("{shown}: {why}"))),
            };
            let target = output.join(format!("{case}.txt"));
            let refused = refused.or_else(|| {
                (!force && target.exists()).then(|| {
                    format!(
                        "{shown}: {} already exists; give --force to replace it, or choose another -o folder",
                        display_path(&target)
                    )
                })
            });
            Job { input: input.clone(), case, target, refused }
        })
        .collect();
    let mut first: IndexMap<String, usize> = IndexMap::new();
    for i in 0..jobs.len() {
        if jobs[i].refused.is_some() {
            continue;
        }
        match first.get(&jobs[i].case) {
            Some(&j) => {
                let message = |a: &Job, b: &Job| {
                    format!(
                        "{}: gives the case `{}`, as {} does; rename one of them, or choose the case with --case-from",
                        display_path(&a.input),
                        a.case,
                        display_path(&b.input)
                    )
                };
                let clash = message(&jobs[i], &jobs[j]);
                let earlier = message(&jobs[j], &jobs[i]);
                jobs[i].refused = Some(clash);
                if jobs[j].refused.is_none() {
                    jobs[j].refused = Some(earlier);
                }
            }
            None => {
                first.insert(jobs[i].case.clone(), i);
            }
        }
    }
    jobs
}

/// The case id of a file named `stem`: `--case-from`'s first group (or
/// whole match), else the name; white space becomes `_`.
fn case_of(stem: &str, case_from: Option<&Regex>) -> Result<String, String> {
    let raw = match case_from {
        Some(pattern) => {
            let captures = pattern.captures(stem).ok_or_else(|| {
                format!("--case-from `{}` does not match the file name `{stem}`", pattern.as_str())
            })?;
            captures.get(1).or_else(|| captures.get(0)).map_or("", |m| m.as_str()).to_owned()
        }
        None => stem.to_owned(),
    };
    let case = raw.split_whitespace().collect::<Vec<_>>().join("_");
    if case.is_empty() || case.contains(':') {
        return Err(format!(
            "`{raw}` cannot be a case id (letters, digits, no spaces or colons); rename the file or use --case-from"
        ));
    }
    Ok(case)
}

/// Reads, converts and writes one file; the error names the file.
fn convert_one(
    job: &Job,
    speaker_map: &SpeakerMap,
    default_speaker: Option<&str>,
    table: Option<&(CaseTable, PathBuf)>,
) -> Result<Report, String> {
    let shown = display_path_buf(&job.input);
    let bytes = fs::read(&job.input)
        .map_err(|e| format!("{}: cannot read the file: {e}", shown.display()))?;
    let options = Options {
        case: job.case.clone(),
        speaker_map: speaker_map.clone(),
        default_speaker: default_speaker.map(str::to_owned),
    };
    let mut converted =
        qda_convert::convert(&shown, &bytes, &options).map_err(|e| e.to_string())?;
    drop(bytes);
    if let Some((table, _)) = table {
        table
            .merge_into(&job.case, &mut converted.attributes, &shown)
            .map_err(|e| e.to_string())?;
    }
    let text = converted.text();
    // What is written must read as a transcript, as every command will read it.
    qda_coding::Transcript::parse(&display_path_buf(&job.target), text.as_bytes()).map_err(
        |e| format!("{}: the converted transcript does not read back: {e}", shown.display()),
    )?;
    // The folder is made only when there is something to put in it.
    if let Some(folder) = job.target.parent().filter(|f| !f.as_os_str().is_empty()) {
        fs::create_dir_all(folder)
            .map_err(|e| format!("{}: cannot make the folder: {e}", display_path(folder)))?;
    }
    output::write_silently(&job.target, text.as_bytes(), &[job.input.as_path()])
        .map_err(|e| format!("{e:#}"))?;
    Ok(Report::of(converted))
}
