//! `qda matrix`: a code-by-case matrix for R, SPSS or Stata.

use std::io::Write;

use anyhow::Result;
use indexmap::IndexMap;
use qda_coding::{Route, UNCODED};

use crate::args::{MatrixArgs, MatrixFormat};
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{display_path, display_paths};
use crate::render::matrix::{CaseMatrix, CaseRow, CodeCells};
use crate::render::tally::CodebookInfo;
use crate::study::LoadedStudy;

pub(crate) fn run(args: &MatrixArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?;
    let cases = study.coded_cases(&args.codings)?;
    let codebook = &study.codebook;
    let counted: Vec<qda_coding::CaseCodes> = cases
        .iter()
        .map(|c| {
            qda_coding::CaseCodes::with_parents(codebook, &c.case, c.attributes.clone(), &c.codings)
        })
        .collect();
    let (groups, mut warnings) =
        qda_coding::assign(codebook, &counted, study.adjudications.as_ref());
    // Every attribute any case has, in the order first met.
    let mut attributes: Vec<String> = Vec::new();
    for case in &cases {
        for key in case.attributes.keys() {
            if !attributes.contains(key) {
                attributes.push(key.clone());
            }
        }
    }
    let codes: Vec<&str> =
        codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.as_str()).collect();
    let parents: Vec<&str> = if args.rollup {
        codebook
            .codes()
            .iter()
            .map(|c| c.id.as_str())
            .filter(|&c| codebook.has_children(c))
            .collect()
    } else {
        Vec::new()
    };
    let rows = counted
        .iter()
        .enumerate()
        .map(|(i, case)| CaseRow {
            case: case.case.clone(),
            attributes: attributes
                .iter()
                .map(|a| (a.clone(), case.attributes.get(a).map(ToString::to_string)))
                .collect(),
            groups: groups
                .iter()
                .map(|g| {
                    let a = &g.assignments[i];
                    let value = match a.route {
                        Route::Unresolved => {
                            warnings.push(format!(
                                "case `{}` has several codes of the exclusive group `{}` and no adjudication; its `{}` cell is left empty (settle it with --adjudications FILE)",
                                case.case, g.parent, g.parent
                            ));
                            None
                        }
                        _ => Some(a.code.clone().unwrap_or_else(|| UNCODED.to_owned())),
                    };
                    (g.parent.clone(), value)
                })
                .collect(),
            codes: codes.iter().map(|&c| (c.to_owned(), case.count(c))).collect::<IndexMap<_, _>>(),
            rollup: parents.iter().map(|&p| (p.to_owned(), case.rolled_up(p))).collect(),
        })
        .collect();
    let provenance = study
        .provenance("matrix")
        .option("unit", codebook.unit().as_str())
        .option("coder", study.coder.clone())
        .option("codings", display_paths(&args.codings.codings))
        .option("adjudications", args.adjudications.as_deref().map(display_path))
        .option("counts", args.counts)
        .option("long", args.long)
        .option("rollup", args.rollup);
    let info = CodebookInfo::new(codebook);
    let (matrix, renames) = CaseMatrix::new(info, rows, provenance);
    let mut stderr = std::io::stderr().lock();
    for warning in &warnings {
        writeln!(stderr, "warning: {warning}")?;
    }
    if !args.long {
        for r in &renames {
            let describe = |name: &str| {
                matrix
                    .columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(name))
                    .map_or_else(String::new, |c| format!("{} `{}`", c.kind, c.source))
            };
            writeln!(
                stderr,
                "warning: the column of {} would be `{}`, as is the column of {} (names are compared ignoring case, as SPSS does); it is written as `{}`",
                describe(&r.written),
                r.wanted,
                describe(&r.wanted),
                r.written
            )?;
        }
    }
    let what = if args.long {
        format!("{} in the long form", count(matrix.cases.len(), "case"))
    } else {
        format!("{} × {}", count(matrix.cases.len(), "case"), count(matrix.columns.len(), "column"))
    };
    let bytes = match (args.format, args.long) {
        (MatrixFormat::Json, _) => crate::render::json(&matrix),
        (MatrixFormat::Csv, true) => matrix.long_csv(),
        (MatrixFormat::Csv, false) => {
            matrix.wide_csv(if args.counts { CodeCells::Segments } else { CodeCells::Presence })
        }
    };
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}
