//! `qda excerpts`: every coded excerpt, with its case and attributes, as
//! CSV, Excel, Word, Markdown or HTML (`render/excerpts/`).
//!
//! Inputs as `qda tally`: without `--codings` the rules code each
//! transcript in the worker thread that read it, which keeps only that
//! transcript's excerpts; with them, the chosen coder's codings count.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use qda_coding::{Codebook, Coding, Transcript};

use crate::args::ExcerptsArgs;
use crate::cmd::query::QueryFilter;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, display_path};
use crate::render::excerpts::{CaseExcerpts, Excerpts, Kind, attribute_columns};
use crate::study::{LoadedStudy, Summary};

pub(crate) fn run(args: &ExcerptsArgs) -> Result<Outcome> {
    let kind = Kind::of(args.output.as_deref())?;
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?;
    let codes = chosen_codes(&study.codebook, args)?;
    let filter = QueryFilter::new(args.query.as_deref(), &study.codebook)?;
    let keep = |code: &str| codes.as_ref().is_none_or(|set| set.contains(code));
    let mut cases: Vec<CaseExcerpts> = Vec::new();
    if args.codings.codings.is_empty() {
        study.each_transcript(
            |codebook, rules, transcript| {
                let coded = rules.code_transcript(codebook, &transcript);
                let codings = filter.keep(codebook, &transcript, coded.codings.iter().collect());
                Gathered {
                    input: Input::transcript(&transcript),
                    excerpts: CaseExcerpts::new(codebook, &transcript, &codings, keep),
                    path: transcript.path().to_owned(),
                }
            },
            |gathered| {
                cases.push(gathered.excerpts);
                Ok(())
            },
        )?;
    } else {
        let transcripts = study.transcripts()?;
        let codings = study.codings(&transcripts, &args.codings)?;
        cases = with_codings(&study.codebook, &transcripts, &codings, &filter, keep);
    }
    filter.check(&study.coder)?;
    study.warn_undeclared_speakers();
    cases.sort_by(|a, b| a.info.case.cmp(&b.info.case));
    if let Some(adjudications) = &study.adjudications {
        adjudications.validate(&study.codebook, cases.iter().map(|c| c.info.case.as_str()))?;
    }
    let attributes = attribute_columns(&cases);
    check_cases(&cases, &args.only_cases)?;
    check_filters(&attributes, &args.filters)?;
    cases.retain(|c| {
        (args.only_cases.is_empty() || args.only_cases.contains(&c.info.case))
            && matches_filters(c, &args.filters)
    });
    let excerpts = Excerpts::new(&study.codebook, attributes, cases);
    let bytes = excerpts.render(kind, &study.coder, !args.no_bom)?;
    let what = format!(
        "{} from {} ({})",
        count(excerpts.len(), "excerpt"),
        count(excerpts.cases.len(), "case"),
        kind.name()
    );
    crate::output::write(args.output.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
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

/// Each transcript's excerpts from the codings that count.
fn with_codings(
    codebook: &Codebook,
    transcripts: &[Transcript],
    codings: &[Coding],
    filter: &QueryFilter,
    keep: impl Fn(&str) -> bool + Copy,
) -> Vec<CaseExcerpts> {
    let mut by_case: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
    for coding in codings {
        by_case.entry(coding.case.as_str()).or_default().push(coding);
    }
    transcripts
        .iter()
        .map(|t| {
            let of_case = by_case.get(t.case()).cloned().unwrap_or_default();
            CaseExcerpts::new(codebook, t, &filter.keep(codebook, t, of_case), keep)
        })
        .collect()
}

/// Refuses a `--case` that no transcript has.
fn check_cases(cases: &[CaseExcerpts], wanted: &[String]) -> Result<()> {
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

/// Whether a case passes every `--where`: one of the values given for each
/// attribute named.
fn matches_filters(case: &CaseExcerpts, filters: &[(String, String)]) -> bool {
    let mut wanted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in filters {
        wanted.entry(name).or_default().push(value);
    }
    wanted.iter().all(|(name, values)| {
        case.info.attributes.get(*name).is_some_and(|v| values.contains(&v.to_string().as_str()))
    })
}

/// What a worker keeps of a transcript: its provenance and its excerpts.
struct Gathered {
    input: Input,
    excerpts: CaseExcerpts,
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
