//! `qda tally`: cases per code, per exclusive group, with intervals.

use anyhow::Result;

use crate::args::TallyArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{display_path, display_paths};
use crate::render::render;
use crate::render::tally::TallyReport;
use crate::study::LoadedStudy;

pub(crate) fn run(args: &TallyArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?
        .with_bins(args.bins.as_deref())?;
    let cases = study.case_codes(&args.codings)?;
    study.warn_undeclared_speakers();
    let Some(tally) = study.tally(cases, args.by.as_deref())? else {
        return Ok(Outcome::Failure);
    };
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
    let report = TallyReport::new(&study.codebook, &tally, edges, provenance);
    let bytes = render(&report, args.format);
    let what = format!("tally of {} ({})", count(tally.n, "case"), args.format.name());
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}
