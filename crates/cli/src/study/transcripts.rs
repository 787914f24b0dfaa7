//! Reading every transcript of a corpus: all at once, sorted by case, or in
//! parallel chunks handed on in file order, so that a command that keeps
//! only a summary of each transcript never holds the whole corpus.
//!
//! Every unreadable transcript and every repeated case id is reported, then
//! the run fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use qda_coding::{CodedTranscript, ErrorKind, Transcript};
use rayon::prelude::*;

use crate::provenance::{Input, display_path};
use crate::study::files::{Sources, TranscriptProblem, TranscriptProblems};

/// How many transcripts are read at once: enough to keep every core busy,
/// few enough that memory stays bounded by the transcripts in flight.
const CHUNK: usize = 128;

/// What a command keeps of a transcript, with the case and path that
/// repeated case ids are checked on.
pub(crate) trait Summary: Send {
    fn case(&self) -> &str;
    fn path(&self) -> &Path;
    /// The transcript's provenance (its hash was taken when it was read).
    fn input(&self) -> Input;
}

impl Summary for CodedTranscript {
    fn case(&self) -> &str {
        &self.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
    fn input(&self) -> Input {
        Input::coded(self)
    }
}

impl Sources {
    /// Reads every transcript in parallel, chunk by chunk, with a progress
    /// bar on a terminal. `summarise` runs in the worker threads on each
    /// transcript read, so whatever a command keeps of a transcript is made
    /// in parallel; `each` gets the summaries in file order, one chunk's
    /// while the next chunk is read, so that no core waits on it.
    pub(crate) fn summarise<T: Summary>(
        &self,
        summarise: impl Fn(Transcript) -> T + Sync,
        mut each: impl FnMut(T) -> Result<()> + Send,
    ) -> Result<()> {
        let progress = ProgressBar::new(self.files.len() as u64);
        // indicatif draws nothing when stderr is not a terminal.
        progress.set_style(
            ProgressStyle::with_template(
                "{spinner} coding {pos}/{len} transcripts {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let summarise_chunk = |chunk: &[PathBuf]| -> Vec<Result<Option<T>, TranscriptProblem>> {
            chunk
                .par_iter()
                .map(|path| {
                    let transcript = self.load(path);
                    progress.inc(1);
                    // With --shard, a case of another shard is read, not processed.
                    transcript.map(|t| self.in_shard(t.case()).then(|| summarise(t)))
                })
                .collect()
        };
        let mut problems = Vec::new();
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut hand_on = |results: Vec<Result<Option<T>, TranscriptProblem>>| -> Result<()> {
            for result in results {
                match result {
                    Ok(None) => {}
                    Ok(Some(summary)) => {
                        if let Some(first) = seen.get(summary.case()) {
                            problems.push(repeated_case(summary.path(), summary.case(), first));
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
            Ok(())
        };
        let mut chunks = self.files.chunks(CHUNK);
        let mut summarised = chunks.next().map(summarise_chunk);
        while let Some(results) = summarised {
            let next = chunks.next();
            let (handed_on, next) = rayon::join(|| hand_on(results), || next.map(summarise_chunk));
            handed_on?;
            summarised = next;
        }
        progress.finish_and_clear();
        if problems.is_empty() { Ok(()) } else { Err(TranscriptProblems(problems).into()) }
    }

    /// Every transcript, parsed, sorted by case.
    pub(crate) fn load_all(&self) -> Result<Vec<Transcript>> {
        let mut problems = Vec::new();
        let mut transcripts: Vec<Transcript> = Vec::new();
        // Each case's first path: looked up, not searched for, so reading
        // stays linear in the number of transcripts.
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        for path in &self.files {
            match self.load(path) {
                Ok(t) => {
                    if let Some(first) = seen.get(t.case()) {
                        problems.push(repeated_case(t.path(), t.case(), first));
                    } else {
                        seen.insert(t.case().to_owned(), t.path().to_owned());
                        transcripts.push(t);
                    }
                }
                Err(e) => problems.push(e),
            }
        }
        if !problems.is_empty() {
            return Err(TranscriptProblems(problems).into());
        }
        transcripts.sort_by(|a, b| a.case().cmp(b.case()));
        Ok(transcripts)
    }
}

fn repeated_case(path: &Path, case: &str, first: &Path) -> TranscriptProblem {
    TranscriptProblem::file(
        ErrorKind::Duplicate,
        path,
        format!(
            "case `{case}` is also the case of {}; give each transcript its own case id",
            display_path(first)
        ),
    )
}
