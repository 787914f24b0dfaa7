//! `qda explain`: why one segment got, or did not get, each code.
//!
//! The decision is the rule engine's own (`RuleSet::scan` and `decide_all`,
//! what `qda code` and `qda check` use), so the explanation cannot drift from
//! what coding does. This module finds the segment and checks the arguments;
//! `render::explain` turns the decisions into text or JSON.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use qda_coding::{Codebook, Segment, Transcript, Unit};

use crate::args::{ExplainArgs, ExplainFormat, TranscriptArgs};
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::render::explain::Explanation;
use crate::study::{LoadedStudy, Sources};

pub(crate) fn run(args: &ExplainArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?;
    let path = transcript_path(&args.transcript, &args.segment)?;
    let transcript = study.transcript(&path)?;
    let (codebook, rules) = (&study.codebook, &study.rules);
    let segment = find_segment(codebook, &transcript, &args.segment)?;
    if let Some(code) = &args.code
        && codebook.code(code).is_none()
    {
        let hint =
            codebook.suggest(code).map(|s| format!("; did you mean `{s}`?")).unwrap_or_else(|| {
                format!(
                    "; codes: {}",
                    codebook.codes().iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
                )
            });
        bail!("{}: no code `{code}` in the codebook{hint}", display_path(&args.codebook));
    }
    let provenance = study
        .provenance("explain")
        .option("unit", codebook.unit().as_str())
        .option("segment", segment.id.clone())
        .option("code", args.code.clone());
    let explanation =
        Explanation::new(codebook, rules, &transcript, &segment, args.code.as_deref(), provenance);
    let bytes = match args.format {
        ExplainFormat::Json => crate::render::json(&explanation),
        ExplainFormat::Text => {
            // Colour only for a person at a terminal; https://no-color.org
            let colour = args.output.path.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            explanation.text(colour).into_bytes()
        }
    };
    let what = format!("explanation of segment {}", segment.id);
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}

/// The transcript file: `given`, or, when `given` is a folder, the
/// transcript in it whose case the segment id names (`P05:t4`).
fn transcript_path(given: &Path, segment: &str) -> Result<PathBuf> {
    if !given.is_dir() {
        return Ok(given.to_owned());
    }
    let shown = display_path(given);
    let Some((case, _)) = segment.split_once(':') else {
        bail!(
            "{shown}: a folder of transcripts needs the case in the segment id, such as `CASE:{segment}`; or name the transcript file"
        );
    };
    let sources =
        Sources::collect(&TranscriptArgs { transcripts: vec![given.to_owned()], cases: None })?;
    let mut cases = Vec::new();
    for file in &sources.files {
        let transcript = sources.load(file).map_err(|e| anyhow!(e))?;
        if transcript.case() == case {
            return Ok(file.clone());
        }
        cases.push(transcript.case().to_owned());
    }
    let close: Vec<String> = qda_coding::closest(case, cases.iter().map(String::as_str))
        .iter()
        .map(|c| format!("`{c}`"))
        .collect();
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!("did you mean {}? ", close.join(" or "))
    };
    bail!("{shown}: no transcript of case `{case}`; {hint}cases there: {}", cases.join(", "))
}

/// The segment named `wanted` (`P05:t4`, or `t4` for the transcript's case),
/// in the codebook's unit; otherwise an error naming close ids.
fn find_segment(codebook: &Codebook, transcript: &Transcript, wanted: &str) -> Result<Segment> {
    let case = transcript.case();
    let path = display_path(transcript.path());
    let id = if wanted.contains(':') { wanted.to_owned() } else { format!("{case}:{wanted}") };
    if let Some((given, _)) = id.split_once(':')
        && given != case
    {
        bail!(
            "{path}: segment `{id}` belongs to case `{given}`, but this transcript is case `{case}`; name the transcript of case `{given}`"
        );
    }
    let unit = codebook.unit();
    let segments = transcript.segments(unit);
    if let Some(segment) = segments.iter().find(|s| s.id == id) {
        return Ok(segment.clone());
    }
    for other in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
        if other != unit && transcript.segments(other).iter().any(|s| s.id == id) {
            let within = segments
                .iter()
                .find(|s| id.starts_with(&format!("{}.", s.id)))
                .or_else(|| segments.iter().find(|s| s.id.starts_with(&format!("{id}."))))
                .map(|s| format!("; explain `{}`", s.id))
                .unwrap_or_default();
            bail!(
                "{path}: `{id}` is a {other}, but {} codes each {unit} (unit = \"{unit}\"){within}",
                display_path(codebook.path())
            );
        }
    }
    let Some((first, last)) = segments.first().zip(segments.last()) else {
        bail!("{path}: the transcript has no segments");
    };
    let close = qda_coding::closest(&id, segments.iter().map(|s| s.id.as_str()));
    let hint = if close.is_empty() {
        String::new()
    } else {
        let mut names: Vec<String> = close.iter().map(|s| format!("`{s}`")).collect();
        let last = names.pop().unwrap_or_default();
        let names = if names.is_empty() { last } else { format!("{} or {last}", names.join(", ")) };
        format!("did you mean {names}? ")
    };
    bail!(
        "{path}: no {unit} `{id}` in case `{case}`; {hint}its {unit}s are `{}` to `{}`",
        first.id,
        last.id
    )
}
