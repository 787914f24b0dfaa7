//! `qda cooccur`: how often codes are given together, per segment or per
//! case, and the strongest pairs.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use qda_coding::{Adjudications, Codebook};
use qda_stats::Cooccurrence;

use crate::args::{CooccurArgs, UnitLevel};
use crate::corpus::{self, CodedCase, Corpus};
use crate::outcome::Outcome;
use crate::provenance::{Provenance, display_path};
use crate::render::cooccur::CooccurrenceReport;

pub(crate) fn run(args: &CooccurArgs) -> Result<Outcome> {
    let corpus =
        Corpus::load(&args.codebook, &args.input, &args.codings, args.adjudications.as_deref())?;
    let codes: Vec<String> =
        corpus.codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.clone()).collect();
    let index: BTreeMap<&str, usize> =
        codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let units: Vec<Vec<usize>> = match args.level {
        UnitLevel::Segment => segment_units(&corpus.cases, &index),
        UnitLevel::Case => {
            let (units, warnings) =
                case_units(&corpus.codebook, &corpus.cases, corpus.adjudications.as_ref(), &index);
            let mut stderr = std::io::stderr().lock();
            for warning in warnings {
                writeln!(stderr, "warning: {warning}")?;
            }
            units
        }
    };
    let counts = Cooccurrence::count(codes.len(), &units)
        .expect("every index comes from the codebook's codes");
    let provenance = Provenance::new("cooccur", corpus.inputs.clone())
        .option("unit", corpus.codebook.unit().as_str())
        .option("level", args.level.as_str())
        .option("coder", corpus.coder.clone())
        .option("codings", corpus::shown(&args.codings.codings))
        .option("adjudications", args.adjudications.as_deref().map(display_path));
    let report = CooccurrenceReport::new(&corpus.codebook, args.level, &codes, &counts, provenance);
    let read: Vec<&std::path::Path> = corpus.read.iter().map(|p| p.as_path()).collect();
    crate::output::write(
        args.output.path.as_deref(),
        &report.render(args.format, args.top),
        &read,
    )?;
    Ok(Outcome::Success)
}

/// Every codable segment: the codes of each coded one, and an empty unit
/// for each one without a code.
pub(crate) fn segment_units(cases: &[CodedCase], index: &BTreeMap<&str, usize>) -> Vec<Vec<usize>> {
    let mut units = Vec::new();
    for case in cases {
        for codes in case.segments() {
            units.push(codes.iter().filter_map(|c| index.get(c).copied()).collect());
        }
        units.extend(std::iter::repeat_n(Vec::new(), case.uncoded_segments));
    }
    units
}

/// Every case: the codes of any of its segments, except that in each
/// exclusive group only the child the case is assigned counts (as in
/// `qda tally`). A case whose conflict is unresolved keeps every child it
/// has, with a warning.
pub(crate) fn case_units(
    codebook: &Codebook,
    cases: &[CodedCase],
    adjudications: Option<&Adjudications>,
    index: &BTreeMap<&str, usize>,
) -> (Vec<Vec<usize>>, Vec<String>) {
    let counted: Vec<qda_coding::CaseCodes> = cases.iter().map(CodedCase::counts).collect();
    let (groups, mut warnings) = qda_coding::assign(codebook, &counted, adjudications);
    let units = counted
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let mut present: Vec<&str> =
                case.segments.iter().filter(|(_, n)| **n > 0).map(|(c, _)| c.as_str()).collect();
            for group in &groups {
                let assignment = &group.assignments[i];
                if assignment.route == qda_coding::Route::Unresolved {
                    warnings.push(format!(
                        "case `{}` has several codes of the exclusive group `{}` and no adjudication; it counts with each of them (settle it with --adjudications FILE)",
                        case.case, group.parent
                    ));
                    continue;
                }
                let children: Vec<&str> =
                    codebook.children(&group.parent).map(|c| c.id.as_str()).collect();
                present.retain(|c| !children.contains(c));
                present.extend(assignment.code.as_deref());
            }
            present.iter().filter_map(|c| index.get(c).copied()).collect()
        })
        .collect();
    (units, warnings)
}
