//! `qda tally`: cases per code, per exclusive group, with intervals; of
//! one shard (`--shard K/N --partial`) or merged from shards (`--partials`,
//! see [`super::partial`]).

use std::path::Path;

use anyhow::Result;
use qda_coding::{CaseCodes, Tally};

use crate::args::TallyArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{ShardInput, display_path, display_paths};
use crate::render::render;
use crate::render::tally::TallyReport;
use crate::study::LoadedStudy;

pub(crate) fn run(args: &TallyArgs) -> Result<Outcome> {
    if let Some(shard) = args.shard {
        return super::partial::write(args, shard);
    }
    if !args.partials.is_empty() {
        return super::partial::merge(args);
    }
    let (study, cases) = load(LoadedStudy::open(&args.codebook)?, args)?;
    study.warn_undeclared_speakers();
    finish(args, study, cases, Vec::new(), &[])
}

/// The study `args` name, its codebook opened, and each case's codes.
pub(crate) fn load(study: LoadedStudy, args: &TallyArgs) -> Result<(LoadedStudy, Vec<CaseCodes>)> {
    let mut study = study
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?
        .with_bins(args.bins.as_deref())?;
    let cases = study.case_codes(&args.codings)?;
    Ok((study, cases))
}

/// Tallies `cases` and writes the result; `shards` and the partials `read`
/// when merged from shards.
pub(crate) fn finish(
    args: &TallyArgs,
    study: LoadedStudy,
    cases: Vec<CaseCodes>,
    shards: Vec<ShardInput>,
    read: &[&Path],
) -> Result<Outcome> {
    let Some(tally) = study.tally(&cases, args.by.as_deref())? else {
        return Ok(Outcome::Failure);
    };
    let report = report(args, &study, &tally, shards);
    let bytes = render(&report, args.format);
    let what = format!("tally of {} ({})", count(tally.n, "case"), args.format.name());
    let mut inputs = study.read();
    inputs.extend(read);
    crate::output::write(args.output.path.as_deref(), &bytes, &inputs, what)?;
    Ok(Outcome::Success)
}

/// What `qda tally` shows of `tally`, with its provenance.
pub(crate) fn report(
    args: &TallyArgs,
    study: &LoadedStudy,
    tally: &Tally,
    shards: Vec<ShardInput>,
) -> TallyReport {
    let mut provenance = study
        .provenance("tally")
        .option("unit", study.codebook.unit().as_str())
        .option("coder", study.coder.clone())
        .option("codings", display_paths(&args.codings.codings))
        .option("adjudications", args.adjudications.as_deref().map(display_path))
        .option("by", args.by.clone())
        .option("confidence", 0.95);
    let edges = study.binning.as_ref().map(|b| b.edges.clone());
    if let Some(edges) = &edges {
        // Recorded only when used, so results made without --bins keep their shape.
        provenance = provenance.option("bins", edges.clone());
    }
    provenance.shards = shards;
    TallyReport::new(&study.codebook, tally, edges, provenance)
}
