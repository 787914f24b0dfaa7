//! Reading the command line's input files: codebooks, transcripts (files or
//! folders, with `cases.csv`), adjudications.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use qda_coding::{
    Adjudications, CaseTable, Codebook, CodedTranscript, RuleSet, Transcript, sha256_hex,
};
use rayon::prelude::*;

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

pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("{}: cannot read the file", display_path(path)))
}

fn read_text(path: &Path, what: &str) -> Result<(String, Input)> {
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

fn display_path_buf(path: &Path) -> PathBuf {
    PathBuf::from(display_path(path))
}

/// The transcript files and case tables named on the command line.
pub(crate) struct Sources {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) case_tables: Vec<(CaseTable, Input)>,
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
                let bytes = read_bytes(path)?;
                let input = Input::new(path, &bytes);
                Ok((CaseTable::parse(&display_path_buf(path), &bytes)?, input))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Sources { files, case_tables })
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

/// How many transcripts are coded at once: enough to keep every core busy,
/// few enough that memory stays bounded by the transcripts in flight.
const CHUNK: usize = 256;

/// Codes every transcript in parallel, chunk by chunk, with a progress bar on
/// a terminal, handing each coded transcript to `each` in file order. Every
/// unreadable transcript and every repeated case id is reported, then the run
/// fails.
pub(crate) fn code_corpus(
    codebook: &Codebook,
    rules: &RuleSet,
    sources: &Sources,
    each: impl FnMut(CodedTranscript) -> Result<()>,
) -> Result<()> {
    summarise_corpus(sources, |transcript| rules.code_transcript(codebook, &transcript), each)
}

/// What a command keeps of a coded transcript, with the case and path that
/// repeated case ids are checked on.
pub(crate) trait Summary: Send {
    fn case(&self) -> &str;
    fn path(&self) -> &Path;
}

impl Summary for CodedTranscript {
    fn case(&self) -> &str {
        &self.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
}

/// Like [`code_corpus`], with `summarise` in place of coding: it runs in the
/// worker threads on each transcript read, so that whatever a command keeps
/// of a transcript is made in parallel; `each` gets the summaries in file
/// order.
pub(crate) fn summarise_corpus<T: Summary>(
    sources: &Sources,
    summarise: impl Fn(Transcript) -> T + Sync,
    mut each: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let progress = ProgressBar::new(sources.files.len() as u64);
    // indicatif draws nothing when stderr is not a terminal.
    progress.set_style(
        ProgressStyle::with_template("{spinner} coding {pos}/{len} transcripts {wide_bar} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for chunk in sources.files.chunks(CHUNK) {
        let results: Vec<Result<T, String>> = chunk
            .par_iter()
            .map(|path| {
                let transcript = sources.load(path);
                progress.inc(1);
                transcript.map(&summarise)
            })
            .collect();
        for result in results {
            match result {
                Ok(summary) => {
                    if let Some(first) = seen.get(summary.case()) {
                        problems.push(format!(
                            "{}: case `{}` is also the case of {}; give each transcript its own case id",
                            display_path(summary.path()),
                            summary.case(),
                            display_path(first)
                        ));
                        continue;
                    }
                    seen.insert(summary.case().to_owned(), summary.path().to_owned());
                    if problems.is_empty() {
                        each(summary)?;
                    }
                }
                Err(e) => problems.push(e),
            }
        }
    }
    progress.finish_and_clear();
    if problems.is_empty() { Ok(()) } else { Err(Problems(problems).into()) }
}

/// The provenance input of a coded transcript (its hash was taken when read).
pub(crate) fn transcript_input(coded: &CodedTranscript) -> Input {
    Input { path: display_path(&coded.path), sha256: coded.sha256.clone() }
}

/// SHA-256 and path of a file read earlier.
impl Input {
    pub(crate) fn new(path: &Path, bytes: &[u8]) -> Self {
        Input { path: display_path(path), sha256: sha256_hex(bytes) }
    }
}

impl Sources {
    /// Every transcript, parsed, sorted by case; every problem is reported
    /// before failing.
    pub(crate) fn load_all(&self) -> Result<Vec<Transcript>> {
        let mut problems = Vec::new();
        let mut transcripts: Vec<Transcript> = Vec::new();
        for path in &self.files {
            match self.load(path) {
                Ok(t) => {
                    if let Some(first) = transcripts.iter().find(|x| x.case() == t.case()) {
                        problems.push(format!(
                            "{}: case `{}` is also the case of {}; give each transcript its own case id",
                            display_path(t.path()),
                            t.case(),
                            display_path(first.path())
                        ));
                    } else {
                        transcripts.push(t);
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        if !problems.is_empty() {
            return Err(Problems(problems).into());
        }
        transcripts.sort_by(|a, b| a.case().cmp(b.case()));
        Ok(transcripts)
    }
}

/// The provenance inputs of parsed transcripts.
pub(crate) fn inputs_of(transcripts: &[Transcript]) -> Vec<Input> {
    transcripts.iter().map(transcript_read).collect()
}

/// The provenance input of a parsed transcript (its hash was taken when read).
pub(crate) fn transcript_read(transcript: &Transcript) -> Input {
    Input { path: display_path(transcript.path()), sha256: transcript.sha256().to_owned() }
}

/// Codings files named with `--codings`, checked against the codebook and
/// the transcripts as they are now.
pub(crate) struct LoadedCodings {
    pub(crate) files: Vec<qda_coding::CodingsFile>,
    pub(crate) inputs: Vec<Input>,
}

impl LoadedCodings {
    pub(crate) fn read(
        paths: &[PathBuf],
        codebook: &Codebook,
        transcripts: &[Transcript],
    ) -> Result<Self> {
        let index: BTreeMap<String, qda_coding::SourceIndex> = transcripts
            .iter()
            .map(|t| {
                let segments = [
                    qda_coding::Unit::Turn,
                    qda_coding::Unit::Paragraph,
                    qda_coding::Unit::Sentence,
                ]
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
            let file = qda_coding::CodingsFile::parse(&shown, &text)?;
            file.check(&shown, codebook, &index)?;
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
    pub(crate) fn coder(&self, name: &str) -> qda_coding::CoderCodings {
        qda_coding::CoderCodings::from_files(name, self.files.iter())
    }
}

/// Each case's codable segment ids (not interviewer turns) in the codebook's unit.
pub(crate) fn codable_segments(
    codebook: &Codebook,
    transcripts: &[Transcript],
) -> Vec<(String, Vec<String>)> {
    transcripts
        .iter()
        .map(|t| {
            let ids = t
                .segments(codebook.unit())
                .into_iter()
                .filter(|s| !codebook.is_interviewer(&s.speaker))
                .map(|s| s.id)
                .collect();
            (t.case().to_owned(), ids)
        })
        .collect()
}
