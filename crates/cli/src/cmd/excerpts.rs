//! `qda excerpts`: every coded excerpt, with its case and attributes, as
//! CSV, Excel, Word, Markdown or HTML (`render/excerpts/`), with the case
//! and code memos in the documents.
//!
//! Inputs as `qda tally`: without `--codings` the rules code each
//! transcript in the worker thread that read it, which keeps only that
//! transcript's excerpts, and those go to a temporary file, so memory is
//! bounded by the transcripts in flight; with them, the chosen coder's
//! codings count.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use qda_coding::{Codebook, Coding, Memo, StudyMemos, Transcript};

use crate::args::ExcerptsArgs;
use crate::cmd::query::QueryFilter;
use crate::outcome::Outcome;
use crate::provenance::{Input, display_path};
use crate::render::excerpts::{CaseExcerpts, Collector, Kind, SpilledCase, attribute_columns};
use crate::study::{LoadedStudy, Summary};

pub(crate) fn run(args: &ExcerptsArgs) -> Result<Outcome> {
    let kind = Kind::of(args.output.as_deref())?;
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?;
    let selection = Selection::new(&study.codebook, args)?;
    let mut collector = Collector::new()?;
    let mut transcript_memos = StudyMemos::new();
    if args.codings.codings.is_empty() {
        study.each_transcript(
            |codebook, rules, transcript| {
                let coded = rules.code_transcript(codebook, &transcript);
                let codings: Vec<&Coding> = coded.codings.iter().collect();
                let kept = selection.keep(codebook, &transcript, codings);
                Gathered {
                    input: Input::transcript(&transcript),
                    excerpts: CaseExcerpts::new(codebook, &transcript, &kept),
                    memo: Memo::of_transcript(&transcript),
                    path: transcript.path().to_owned(),
                }
            },
            |gathered| {
                if let Some(memo) = gathered.memo {
                    transcript_memos.add_case(&gathered.excerpts.info.case, memo)?;
                }
                collector.add(gathered.excerpts)
            },
        )?;
    } else {
        let transcripts = study.transcripts()?;
        let codings = study.codings(&transcripts, &args.codings)?;
        let mut by_case: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
        for coding in &codings {
            by_case.entry(coding.case.as_str()).or_default().push(coding);
        }
        for transcript in &transcripts {
            transcript_memos.add_transcript(transcript)?;
            let of_case = by_case.remove(transcript.case()).unwrap_or_default();
            let kept = selection.keep(&study.codebook, transcript, of_case);
            collector.add(CaseExcerpts::new(&study.codebook, transcript, &kept))?;
        }
    }
    selection.query.check(&study.coder)?;
    study.warn_undeclared_speakers();
    let cases = collector.cases();
    if let Some(adjudications) = &study.adjudications {
        adjudications.validate(&study.codebook, cases.iter().map(|c| c.info.case.as_str()))?;
    }
    let attributes = attribute_columns(cases.iter().map(|c| &c.info));
    check_cases(cases, &args.only_cases)?;
    check_filters(&attributes, &args.filters)?;
    let ids: Vec<String> = cases.iter().map(|c| c.info.case.clone()).collect();
    let memos = study.study_memos_of(
        args.memos.folder.as_deref(),
        transcript_memos,
        ids.iter().map(String::as_str),
    )?;
    let excerpts = collector.finish(&study.codebook, attributes, &memos)?;
    excerpts.write(kind, &study.coder, !args.no_bom, args.output.as_deref(), &study.read())?;
    Ok(Outcome::Success)
}

/// Which excerpts are shown: those of the codes `--code` names (and the
/// codes below them), of the cases `--case` names, of the cases whose
/// attributes match every `--where`. [`Selection::keep`] is the one place
/// that decides.
struct Selection {
    /// `None` for every code.
    codes: Option<BTreeSet<String>>,
    cases: Vec<String>,
    /// `--where`: the values allowed for each attribute named.
    filters: BTreeMap<String, Vec<String>>,
    /// `--query`: only the codings of the segments it matches.
    query: QueryFilter,
}

impl Selection {
    fn new(codebook: &Codebook, args: &ExcerptsArgs) -> Result<Selection> {
        let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &args.filters {
            filters.entry(name.clone()).or_default().push(value.clone());
        }
        Ok(Selection {
            codes: chosen_codes(codebook, args)?,
            cases: args.only_cases.clone(),
            filters,
            query: QueryFilter::new(args.query.as_deref(), codebook)?,
        })
    }

    /// The codings of one transcript's case that are shown.
    fn keep<'c>(
        &self,
        codebook: &Codebook,
        transcript: &Transcript,
        codings: Vec<&'c Coding>,
    ) -> Vec<&'c Coding> {
        if !self.keeps_case(transcript) {
            return Vec::new();
        }
        self.query
            .keep(codebook, transcript, codings)
            .into_iter()
            .filter(|c| self.codes.as_ref().is_none_or(|set| set.contains(&c.code)))
            .collect()
    }

    /// Whether the case passes `--case` and every `--where` (one of the
    /// values given for each attribute named).
    fn keeps_case(&self, transcript: &Transcript) -> bool {
        let case = transcript.case();
        (self.cases.is_empty() || self.cases.iter().any(|c| c == case))
            && self.filters.iter().all(|(name, values)| {
                transcript.attributes().get(name).is_some_and(|v| values.contains(&v.to_string()))
            })
    }
}

/// The codes `--code` names and every code below them; `None` for all.
fn chosen_codes(codebook: &Codebook, args: &ExcerptsArgs) -> Result<Option<BTreeSet<String>>> {
    if args.codes.is_empty() {
        return Ok(None);
    }
    let mut chosen = BTreeSet::new();
    for id in &args.codes {
        if codebook.code(id).is_none() {
            let hint =
                codebook.suggest(id).map(|s| format!("did you mean `{s}`? ")).unwrap_or_default();
            bail!(
                "--code {id}: no code `{id}` in {}; {hint}codes: {}",
                display_path(&args.codebook),
                codebook.codes().iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
        chosen.insert(id.clone());
        chosen.extend(codebook.descendants(id).into_iter().map(|c| c.id.clone()));
    }
    Ok(Some(chosen))
}

/// Refuses a `--case` that no transcript has.
fn check_cases(cases: &[SpilledCase], wanted: &[String]) -> Result<()> {
    for id in wanted {
        if !cases.iter().any(|c| c.info.case == *id) {
            let known: Vec<&str> = cases.iter().map(|c| c.info.case.as_str()).collect();
            bail!("--case {id}: no transcript has the case `{id}`; cases: {}", known.join(", "));
        }
    }
    Ok(())
}

/// Refuses a `--where` attribute that no case has.
fn check_filters(attributes: &[String], filters: &[(String, String)]) -> Result<()> {
    for (name, value) in filters {
        if !attributes.contains(name) {
            bail!(
                "--where {name}={value}: no case has the attribute `{name}`; known attributes: {}",
                attributes.join(", ")
            );
        }
    }
    Ok(())
}

/// What a worker keeps of a transcript: its provenance, its excerpts and
/// its case memo.
struct Gathered {
    input: Input,
    excerpts: CaseExcerpts,
    memo: Option<Memo>,
    path: std::path::PathBuf,
}

impl Summary for Gathered {
    fn case(&self) -> &str {
        &self.excerpts.info.case
    }
    fn path(&self) -> &std::path::Path {
        &self.path
    }
    fn input(&self) -> Input {
        self.input.clone()
    }
}
