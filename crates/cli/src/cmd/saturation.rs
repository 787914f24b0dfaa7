//! `qda saturation`: thematic saturation of the coded interviews (Guest,
//! Namey & Chen 2020), with rule codings or a coder's (`--codings`).

use anyhow::{Result, bail};
use qda_stats::SaturationOptions;

use crate::args::SaturationArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::display_paths;
use crate::render::render;
use crate::render::saturation::{SaturationChoice, SaturationReport};
use crate::study::LoadedStudy;

pub(crate) fn run(args: &SaturationArgs) -> Result<Outcome> {
    if !(0.0..=100.0).contains(&args.threshold) {
        bail!("--threshold {}: give a percentage from 0 to 100, such as 5", args.threshold);
    }
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let cases: Vec<_> = study.coded_cases(&args.codings)?.iter().map(|c| c.counts()).collect();
    study.warn_undeclared_speakers();
    let choice = SaturationChoice {
        under: args.under.as_deref(),
        order: args.order.as_deref(),
        options: SaturationOptions {
            base: args.base,
            run: args.run,
            threshold: args.threshold / 100.0,
        },
    };
    let provenance = study
        .provenance("saturation")
        .option("unit", study.codebook.unit().as_str())
        .option("coder", study.coder.clone())
        .option("codings", display_paths(&args.codings.codings))
        .option("under", args.under.clone())
        .option("order", args.order.clone())
        .option("base", args.base)
        .option("run", args.run)
        .option("threshold_percent", args.threshold)
        .option("bootstrap", args.bootstrap)
        .option("seed", (args.bootstrap > 0).then_some(args.seed));
    let report = SaturationReport::new(
        &study.codebook,
        &cases,
        &choice,
        Some((args.bootstrap, args.seed)),
        Some(provenance),
    )?;
    let bytes = render(&report, args.format);
    let what = format!(
        "saturation over {} ({})",
        count(report.interviews.len(), "interview"),
        args.format.name()
    );
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}
