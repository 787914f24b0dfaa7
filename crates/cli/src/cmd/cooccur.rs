//! `qda cooccur`: how often codes are given together, per segment or per
//! case, and the strongest pairs.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use qda_coding::CaseCodes;
use qda_stats::Cooccurrence;

use crate::args::{CooccurArgs, UnitLevel};
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{display_path, display_paths};
use crate::render::cooccur::CooccurrenceReport;
use crate::render::render;
use crate::study::{LoadedStudy, SegmentUnits, case_units_of};

pub(crate) fn run(args: &CooccurArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?;
    let codes: Vec<String> =
        study.codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.clone()).collect();
    let index: BTreeMap<&str, usize> =
        codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    // Each case is reduced to its counts in the worker that codes it, so
    // memory follows the transcripts in flight, not the corpus.
    let counts = match args.level {
        UnitLevel::Segment => {
            let mut units = SegmentUnits::default();
            for (_, case) in
                study.each_coded_case(&args.codings, |case| SegmentUnits::of(&case, &index))?
            {
                units.add(case);
            }
            Cooccurrence::count(codes.len(), units.units())
        }
        UnitLevel::Case => {
            let counted: Vec<CaseCodes> = study
                .each_coded_case(&args.codings, |case| case.counts())?
                .into_iter()
                .map(|(_, counts)| counts)
                .collect();
            let (units, warnings) =
                case_units_of(&study.codebook, &counted, study.adjudications.as_ref(), &index);
            let mut stderr = std::io::stderr().lock();
            for warning in warnings {
                writeln!(stderr, "warning: {warning}")?;
            }
            Cooccurrence::count(codes.len(), &units)
        }
    }
    .expect("every index comes from the codebook's codes");
    let codebook = &study.codebook;
    let provenance = study
        .provenance("cooccur")
        .option("unit", codebook.unit().as_str())
        .option("level", args.level.as_str())
        .option("coder", study.coder.clone())
        .option("codings", display_paths(&args.codings.codings))
        .option("adjudications", args.adjudications.as_deref().map(display_path));
    let report =
        CooccurrenceReport::new(codebook, args.level, &codes, &counts, args.top, provenance);
    let bytes = render(&report, args.format);
    let what = format!(
        "co-occurrence of {} in {} ({})",
        count(codes.len(), "code"),
        count(report.units as usize, args.level.as_str()),
        args.format.name()
    );
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}
