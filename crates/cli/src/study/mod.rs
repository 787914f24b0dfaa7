//! A study, loaded once for every command: the codebook and its compiled
//! rules, the transcripts with their case tables (`cases.csv`, `--cases`),
//! the adjudications, the `--bins`, and the codings that count (the rules',
//! or the chosen coder's from codings files). Each input's provenance record
//! is made as the input is read, and [`LoadedStudy::provenance`] lists them
//! in one fixed order: codebook, transcripts, case tables, codings files,
//! adjudications.
//!
//! A command opens the study, adds what it names, then loads the cases the
//! way it needs them: [`LoadedStudy::case_codes`] counts each transcript's
//! codes in the worker threads (`qda tally`), [`LoadedStudy::coded_cases`]
//! keeps every coding (`qda matrix`), [`LoadedStudy::each_coded_case`]
//! keeps what the command makes of each case's codings in the worker
//! threads (`qda cooccur`), and
//! [`LoadedStudy::transcripts`] with [`LoadedStudy::codings`] keeps the
//! transcripts too (`qda memos`, and `qda report` with `--codings`).
//! [`LoadedStudy::tally`] then assigns and counts.

mod coded;
mod codings;
mod files;
mod memos;
mod tally;
mod transcripts;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use qda_coding::{
    Adjudications, CaseCodes, Codebook, CodedTranscript, Coding, CodingsFile, RULES_CODER, RuleSet,
    SegmentMemo, SpeakerLabels, Tally, Transcript, UndeclaredSpeaker,
};
use rayon::prelude::*;

use crate::args::{CodingsArgs, TranscriptArgs};
use crate::provenance::{Input, Provenance};
use crate::shard::Shard;
pub(crate) use coded::{CodedCase, SegmentUnits, case_units_of, codable_segments, coded_cases};
pub(crate) use codings::{LoadedCodings, reanchor_command, refuse_transcripts_among_codings};
pub(crate) use files::{
    FileError, Problems, Sources, TranscriptProblems, codebook as read_codebook, codebook_and_text,
    display_path_buf, how_to_convert, read_bytes, read_csv_text, read_text,
};
pub(crate) use memos::memos_folder_for_saving;
pub(crate) use tally::Binning;
pub(crate) use transcripts::Summary;

/// The inputs of a study, as loaded so far.
pub(crate) struct LoadedStudy {
    pub(crate) codebook: Codebook,
    /// The codebook file's text, as read.
    pub(crate) codebook_text: String,
    pub(crate) rules: RuleSet,
    /// The transcript files and case tables; none until
    /// [`LoadedStudy::with_transcripts`].
    pub(crate) sources: Sources,
    pub(crate) adjudications: Option<Adjudications>,
    pub(crate) binning: Option<Binning>,
    /// Whose codings count: `rules`, or the person chosen from codings files.
    pub(crate) coder: String,
    /// The chosen person's memos on segments they gave no code.
    pub(crate) memos: Vec<SegmentMemo>,
    /// The chosen coder's rejected suggestions (`rejected_suggestions` of
    /// their codings files), with `--codings`.
    pub(crate) rejected: Vec<qda_coding::RejectedSuggestion>,
    /// The speaker labels of every transcript read so far.
    speakers: SpeakerLabels,
    inputs: Inputs,
    /// Every file read, so that no output is written over one.
    read: Vec<PathBuf>,
    /// The transcript files and folders as named on the command line, for
    /// the `qda reanchor` command an error suggests.
    transcript_args: Vec<PathBuf>,
}

/// Provenance records by kind, so they are listed in one order whatever
/// order a command reads its inputs in.
#[derive(Default)]
struct Inputs {
    codebook: Vec<Input>,
    transcripts: Vec<Input>,
    /// Case tables read by the shards of a merged tally.
    merged_tables: Vec<Input>,
    codings: Vec<Input>,
    adjudications: Vec<Input>,
}

impl LoadedStudy {
    /// Reads and validates the codebook and compiles its rules.
    pub(crate) fn open(codebook: &Path) -> Result<Self> {
        let (text, _) = files::read_text(codebook, "codebook")?;
        Self::from_text(codebook, text)
    }

    /// [`LoadedStudy::open`] on the codebook's text, read from `codebook`
    /// (which names it in errors and provenance; a dictionary by its
    /// extension).
    pub(crate) fn from_text(codebook: &Path, text: String) -> Result<Self> {
        let input = Input::new(codebook, text.as_bytes());
        let (parsed, text) = files::codebook_of_text(codebook, text)?;
        let rules = RuleSet::new(&parsed)?;
        Ok(LoadedStudy {
            codebook: parsed,
            codebook_text: text,
            rules,
            sources: Sources::default(),
            adjudications: None,
            binning: None,
            coder: RULES_CODER.to_owned(),
            memos: Vec::new(),
            rejected: Vec::new(),
            speakers: SpeakerLabels::new(),
            inputs: Inputs { codebook: vec![input], ..Inputs::default() },
            read: vec![codebook.to_owned()],
            transcript_args: Vec::new(),
        })
    }

    /// Lists the transcript files (folders expand to their `.txt` files)
    /// and reads the case tables.
    pub(crate) fn with_transcripts(mut self, args: &TranscriptArgs) -> Result<Self> {
        self.sources = Sources::collect(args)?;
        self.transcript_args = args.transcripts.clone();
        self.read.extend(self.sources.files.iter().cloned());
        self.read.extend(self.sources.case_table_files.iter().cloned());
        Ok(self)
    }

    /// With `--shard`: processes only the cases of `shard`.
    pub(crate) fn with_shard(mut self, shard: Option<Shard>) -> Self {
        if let Some(shard) = shard {
            self.sources.restrict_to(shard);
        }
        self
    }

    /// The transcripts and case tables the shards of a merged tally read,
    /// listed in the provenance as if read here.
    pub(crate) fn add_merged_inputs(&mut self, transcripts: Vec<Input>, tables: Vec<Input>) {
        self.inputs.transcripts.extend(transcripts);
        self.inputs.merged_tables.extend(tables);
    }

    /// The provenance records of the transcripts read so far.
    pub(crate) fn transcript_inputs(&self) -> &[Input] {
        &self.inputs.transcripts
    }

    /// Reads the adjudications file, when one is given.
    pub(crate) fn with_adjudications(mut self, path: Option<&Path>) -> Result<Self> {
        if let Some(path) = path {
            let (adjudications, input) = files::adjudications(path)?;
            self.adjudications = Some(adjudications);
            self.inputs.adjudications.push(input);
            self.read.push(path.to_owned());
        }
        Ok(self)
    }

    /// Reads `--bins`, when given.
    pub(crate) fn with_bins(mut self, spec: Option<&str>) -> Result<Self> {
        self.binning = spec.map(tally::parse_bins).transpose()?;
        Ok(self)
    }

    /// The project and case memos: those of the memos folder (`--memos`,
    /// else `memos/` when it exists) and of the transcripts' front matter.
    pub(crate) fn study_memos(
        &mut self,
        folder: Option<&Path>,
        transcripts: &[Transcript],
    ) -> Result<qda_coding::StudyMemos> {
        let folder = memos::memos_folder(folder)?;
        memos::read_memos(folder.as_deref(), transcripts, &mut self.read)
    }

    /// As [`LoadedStudy::study_memos`], from the case memos of the
    /// transcripts' front matter gathered as they were read, and the ids of
    /// every case read.
    pub(crate) fn study_memos_of<'a>(
        &mut self,
        folder: Option<&Path>,
        transcript_memos: qda_coding::StudyMemos,
        cases: impl IntoIterator<Item = &'a str>,
    ) -> Result<qda_coding::StudyMemos> {
        let folder = memos::memos_folder(folder)?;
        memos::add_folder_memos(folder.as_deref(), transcript_memos, cases, &mut self.read)
    }

    /// Every transcript, parsed, sorted by case.
    pub(crate) fn transcripts(&mut self) -> Result<Vec<Transcript>> {
        let transcripts = self.sources.load_all()?;
        self.inputs.transcripts.extend(transcripts.iter().map(Input::transcript));
        for transcript in &transcripts {
            self.speakers.merge(SpeakerLabels::of(transcript));
        }
        Ok(transcripts)
    }

    /// A transcript of the study read again (`qda report` reads the few
    /// whose excerpts it shows a second time rather than keep them all).
    /// `shown` is the transcript's path as it shows it.
    pub(crate) fn read_again(&self, shown: &Path) -> Result<Transcript> {
        let file = self.sources.files.iter().find(|f| files::display_path_buf(f) == shown);
        self.sources.load(file.map_or(shown, PathBuf::as_path)).map_err(anyhow::Error::msg)
    }

    /// One transcript file, parsed, named on its own (`qda explain`).
    pub(crate) fn transcript(&mut self, path: &Path) -> Result<Transcript> {
        let bytes = read_bytes(path)?;
        self.inputs.transcripts.push(Input::new(path, &bytes));
        self.read.push(path.to_owned());
        let transcript = Transcript::from_bytes(&files::display_path_buf(path), bytes)?;
        self.speakers.merge(SpeakerLabels::of(&transcript));
        Ok(transcript)
    }

    /// Reads every transcript in parallel and hands what `summarise` keeps
    /// of each to `each`, in file order (see [`Sources::summarise`]).
    pub(crate) fn each_transcript<T: Summary>(
        &mut self,
        summarise: impl Fn(&Codebook, &RuleSet, Transcript) -> T + Sync,
        mut each: impl FnMut(T) -> Result<()> + Send,
    ) -> Result<()> {
        let (codebook, rules) = (&self.codebook, &self.rules);
        let mut inputs = Vec::new();
        let speakers = &mut self.speakers;
        self.sources.summarise(
            |transcript| Labelled {
                speakers: SpeakerLabels::of(&transcript),
                summary: summarise(codebook, rules, transcript),
            },
            |labelled| {
                inputs.push(labelled.summary.input());
                speakers.merge(labelled.speakers);
                each(labelled.summary)
            },
        )?;
        self.inputs.transcripts.extend(inputs);
        Ok(())
    }

    /// Every transcript coded with the rules, in file order.
    pub(crate) fn each_coded(
        &mut self,
        each: impl FnMut(CodedTranscript) -> Result<()> + Send,
    ) -> Result<()> {
        self.each_transcript(|codebook, rules, t| rules.code_transcript(codebook, &t), each)
    }

    /// Reads codings files, checked against the codebook and `transcripts`.
    pub(crate) fn codings_files(
        &mut self,
        paths: &[PathBuf],
        transcripts: &[Transcript],
    ) -> Result<LoadedCodings> {
        let loaded =
            LoadedCodings::read(paths, &self.codebook, transcripts, &self.transcript_args)?;
        let sharded: Vec<(String, Option<&serde_json::Value>)> = loaded
            .inputs
            .iter()
            .zip(&loaded.files)
            .map(|(input, file)| (input.path.clone(), file.provenance.as_ref()))
            .collect();
        crate::shard::check_sharded_codings(&sharded).map_err(anyhow::Error::msg)?;
        self.inputs.codings.extend(loaded.inputs.iter().cloned());
        self.read.extend(paths.iter().cloned());
        Ok(loaded)
    }

    /// Reads one codings file as it is, unchecked (`qda reanchor` checks
    /// the file it makes of it).
    pub(crate) fn codings_file(&mut self, path: &Path) -> Result<CodingsFile> {
        let (text, input) = files::read_text(path, "codings file")?;
        let file = CodingsFile::parse(&files::display_path_buf(path), &text)?;
        self.inputs.codings.push(input);
        self.read.push(path.to_owned());
        Ok(file)
    }

    /// Transcripts named apart from the study's (`--old-transcripts`),
    /// parsed, sorted by case.
    pub(crate) fn other_transcripts(&mut self, paths: &[PathBuf]) -> Result<Vec<Transcript>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let sources =
            Sources::collect(&TranscriptArgs { transcripts: paths.to_vec(), cases: None })?;
        let transcripts = sources.load_all()?;
        self.inputs.transcripts.extend(transcripts.iter().map(Input::transcript));
        self.read.extend(sources.files);
        Ok(transcripts)
    }

    /// The codings that count for `transcripts`: the rules' (coded in
    /// parallel), or with `--codings` the chosen coder's over the rules'.
    pub(crate) fn codings(
        &mut self,
        transcripts: &[Transcript],
        args: &CodingsArgs,
    ) -> Result<Vec<Coding>> {
        if args.codings.is_empty() {
            let (codebook, rules) = (&self.codebook, &self.rules);
            return Ok(transcripts
                .par_iter()
                .flat_map_iter(|t| rules.code_transcript(codebook, t).codings)
                .collect());
        }
        let loaded = self.codings_files(&args.codings, transcripts)?;
        let (codings, coder) = loaded.choose(args.coder.as_deref())?;
        self.memos = loaded
            .files
            .iter()
            .flat_map(|f| &f.memos)
            .filter(|m| m.coder == coder)
            .cloned()
            .collect();
        self.rejected = loaded
            .files
            .iter()
            .filter(|f| f.coder.as_deref() == Some(coder.as_str()))
            .flat_map(|f| f.rejected_suggestions.iter().cloned())
            .collect();
        self.coder = coder;
        Ok(codings)
    }

    /// Each case's segments per code, sorted by case: counted in the worker
    /// threads from the rules, so no coding is kept, or from the codings
    /// that count with `--codings`.
    pub(crate) fn case_codes(&mut self, args: &CodingsArgs) -> Result<Vec<CaseCodes>> {
        if args.codings.is_empty() {
            let mut cases = Vec::new();
            self.each_transcript(
                |codebook, rules, transcript| CountedTranscript {
                    input: Input::transcript(&transcript),
                    codes: rules.case_codes(codebook, &transcript),
                    path: transcript.path().to_owned(),
                },
                |counted| {
                    cases.push(counted.codes);
                    Ok(())
                },
            )?;
            cases.sort_by(|a, b| a.case.cmp(&b.case));
            return Ok(cases);
        }
        let transcripts = self.transcripts()?;
        // Each case's codings, grouped once rather than searched for per case.
        let mut by_case: BTreeMap<String, Vec<Coding>> = BTreeMap::new();
        for coding in self.codings(&transcripts, args)? {
            by_case.entry(coding.case.clone()).or_default().push(coding);
        }
        Ok(transcripts
            .iter()
            .map(|t| {
                let codings = by_case.get(t.case()).map_or(&[][..], Vec::as_slice);
                CaseCodes::with_parents(&self.codebook, t.case(), t.attributes().clone(), codings)
            })
            .collect())
    }

    /// Every case with its codings, sorted by case.
    pub(crate) fn coded_cases(&mut self, args: &CodingsArgs) -> Result<Vec<CodedCase>> {
        let cases = self.each_coded_case(args, |case| case)?;
        Ok(cases.into_iter().map(|(_, case)| case).collect())
    }

    /// What `keep` keeps of each case with its codings, with the case, sorted
    /// by case. From the rules, `keep` runs in the worker thread that coded
    /// the transcript, so only what it keeps outlives the transcript (`qda
    /// cooccur`); with `--codings` the codings are read whole anyway.
    pub(crate) fn each_coded_case<T: Send>(
        &mut self,
        args: &CodingsArgs,
        keep: impl Fn(CodedCase) -> T + Sync,
    ) -> Result<Vec<(String, T)>> {
        let mut cases = Vec::new();
        if args.codings.is_empty() {
            self.each_transcript(
                |codebook, rules, transcript| {
                    let coded = rules.code_transcript(codebook, &transcript);
                    let (input, path) = (Input::coded(&coded), coded.path.clone());
                    let case = CodedCase::from(coded);
                    KeptCase { case: case.case.clone(), input, path, kept: keep(case) }
                },
                |kept| {
                    cases.push((kept.case, kept.kept));
                    Ok(())
                },
            )?;
            cases.sort_by(|a, b| a.0.cmp(&b.0));
        } else {
            let transcripts = self.transcripts()?;
            let codings = self.codings(&transcripts, args)?;
            cases = coded_cases(&self.codebook, &transcripts, &codings)
                .into_iter()
                .map(|case| (case.case.clone(), keep(case)))
                .collect();
        }
        if let Some(adjudications) = &self.adjudications {
            adjudications.validate(&self.codebook, cases.iter().map(|(case, _)| case.as_str()))?;
        }
        Ok(cases)
    }

    /// Tallies `cases` (see [`tally::tally_cases`]); `None` when conflicts
    /// await adjudication.
    pub(crate) fn tally(&self, cases: &[CaseCodes], by: Option<&str>) -> Result<Option<Tally>> {
        self.tally_into(cases, by, &mut std::io::stderr().lock())
    }

    /// [`LoadedStudy::tally`] with its warnings and conflicts written to `out`.
    pub(crate) fn tally_into(
        &self,
        cases: &[CaseCodes],
        by: Option<&str>,
        out: &mut dyn std::io::Write,
    ) -> Result<Option<Tally>> {
        tally::tally_cases(
            &self.codebook,
            self.adjudications.as_ref(),
            self.binning.as_ref(),
            cases,
            by,
            out,
        )
    }

    /// The provenance of a result: every input read, in one order.
    pub(crate) fn provenance(&self, command: &'static str) -> Provenance {
        let Inputs { codebook, transcripts, merged_tables, codings, adjudications } = &self.inputs;
        let inputs = codebook
            .iter()
            .chain(transcripts)
            .chain(self.sources.table_inputs())
            .chain(merged_tables)
            .chain(codings)
            .chain(adjudications)
            .cloned()
            .collect();
        Provenance::new(command, inputs)
    }

    /// Speaker labels of the transcripts read so far that are neither
    /// interviewer labels nor in any transcript's `speakers`.
    pub(crate) fn undeclared_speakers(&self) -> Vec<UndeclaredSpeaker> {
        self.speakers.undeclared(&self.codebook)
    }

    /// Prints a warning per undeclared speaker label on standard error
    /// (`qda check`, `code` and `tally`: the commands that code with rules).
    pub(crate) fn warn_undeclared_speakers(&self) {
        for speaker in self.undeclared_speakers() {
            crate::output::warn(&speaker);
        }
    }

    /// Every file read, for [`crate::output::write`] to refuse to write over.
    pub(crate) fn read(&self) -> Vec<&Path> {
        self.read.iter().map(PathBuf::as_path).collect()
    }
}

/// A command's summary of a transcript, with the transcript's speaker labels.
struct Labelled<T> {
    summary: T,
    speakers: SpeakerLabels,
}

impl<T: Summary> Summary for Labelled<T> {
    fn case(&self) -> &str {
        self.summary.case()
    }
    fn path(&self) -> &Path {
        self.summary.path()
    }
    fn input(&self) -> Input {
        self.summary.input()
    }
}

/// What `qda tally` keeps of a transcript: its provenance and its case's
/// segments per code.
struct CountedTranscript {
    input: Input,
    codes: CaseCodes,
    path: PathBuf,
}

impl Summary for CountedTranscript {
    fn case(&self) -> &str {
        &self.codes.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
    fn input(&self) -> Input {
        self.input.clone()
    }
}

/// What a command keeps of a coded case ([`LoadedStudy::each_coded_case`]),
/// with the case's provenance.
struct KeptCase<T> {
    case: String,
    input: Input,
    path: PathBuf,
    kept: T,
}

impl<T: Send> Summary for KeptCase<T> {
    fn case(&self) -> &str {
        &self.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
    fn input(&self) -> Input {
        self.input.clone()
    }
}
