//! `qda agree`: inter-coder reliability of codings files, or of any ratings table.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use indexmap::IndexMap;
use qda_coding::{
    AgreementData, Blinding, Codebook, CoderCodings, CodingsFile, RULES_CODER, Transcript,
};
use qda_stats::{Bootstrap, FlatMatrix, Level};

use crate::args::{AgreeArgs, Format, LevelArg};
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, Provenance, display_path, display_paths};
use crate::render::agree::{AgreeReport, Disagreement, Disagreements, Row, Scope};
use crate::render::render;
use crate::study::{LoadedStudy, codable_segments, read_bytes};

mod ratings;

use ratings::{RatingsTable, parse_order};

pub(crate) fn run(args: &AgreeArgs) -> Result<Outcome> {
    let report = match &args.ratings {
        Some(path) => ratings(path, args)?,
        None => codings(args)?,
    };
    let mut read: Vec<&Path> = args.codings.iter().map(|p| p.as_path()).collect();
    read.extend(args.codebook.as_deref());
    read.extend(args.ratings.as_deref());
    let bytes = if args.disagreements {
        render(&Disagreements(&report), args.format)
    } else {
        render(&report, args.format)
    };
    let coders = count(report.coders.len(), "coder");
    let what = if args.disagreements {
        format!(
            "{} among {coders} ({})",
            count(report.disagreement_count, "disagreement"),
            args.format.name()
        )
    } else {
        format!(
            "agreement of {coders} over {} ({})",
            count(report.units, "unit"),
            args.format.name()
        )
    };
    crate::output::write(args.output.path.as_deref(), &bytes, &read, what)?;

    if let Some(minimum) = args.min_alpha {
        let (what, alpha) = report.headline_alpha();
        let failed = match alpha {
            Some(value) => value < minimum,
            None => true,
        };
        if failed {
            let shown = alpha.map_or_else(|| "undefined".to_owned(), |v| format!("{v:.3}"));
            writeln!(
                std::io::stderr(),
                "error: Krippendorff's alpha ({what}) is {shown}, below --min-alpha {minimum}"
            )?;
            return Ok(Outcome::Failure);
        }
    }
    Ok(Outcome::Success)
}

fn level_name(level: LevelArg) -> &'static str {
    match level {
        LevelArg::Nominal => "nominal",
        LevelArg::Ordinal => "ordinal",
        LevelArg::Interval => "interval",
        LevelArg::Ratio => "ratio",
    }
}

fn bootstrap(args: &AgreeArgs) -> Option<Bootstrap> {
    (args.resamples > 0).then_some(Bootstrap {
        resamples: args.resamples,
        seed: args.seed,
        confidence: 0.95,
    })
}

fn codings(args: &AgreeArgs) -> Result<AgreeReport> {
    let Some(codebook_path) = &args.codebook else {
        bail!("name a codebook, or give --ratings FILE")
    };
    if args.level == LevelArg::Ratio {
        bail!(
            "--level ratio: an exclusive group's children have an order but no true zero; use --level ordinal or interval"
        );
    }
    let mut study = LoadedStudy::open(codebook_path)?.with_transcripts(&args.input)?;
    let transcripts = study.transcripts()?;
    let loaded = study.codings_files(&args.codings, &transcripts)?;
    let codebook = &study.codebook;
    let coders = loaded.coders();
    if coders.len() < 2 {
        bail!(
            "agreement needs two or more coders; the codings files hold only {}; add another coder's codings with --codings",
            if coders.is_empty() {
                "none".to_owned()
            } else {
                format!("`{}`", coders.join("`, `"))
            }
        );
    }
    let group_level: Level = args.level.into();
    let per_coder: Vec<CoderCodings> = coders.iter().map(|c| loaded.coder(c)).collect();
    let blinding: IndexMap<String, &'static str> = coders
        .iter()
        .filter(|c| *c != RULES_CODER)
        .map(|c| (c.clone(), blinding_of(&loaded.files, c)))
        .collect();
    if coders.iter().any(|c| c == RULES_CODER) {
        warn_not_blind(&blinding)?;
    }
    let segments = codable_segments(codebook, &transcripts);
    let data = AgreementData::new(codebook, &segments, &per_coder, args.only_coded);

    let rows = agreement_rows(&data, group_level, bootstrap(args));
    let disagreements = coding_disagreements(&data, codebook, &transcripts);

    let provenance = study
        .provenance("agree")
        .option("unit", codebook.unit().as_str())
        .option("only_coded", args.only_coded)
        .option("level", level_name(args.level))
        .option("resamples", args.resamples)
        .option("seed", args.seed)
        .option("codings", display_paths(&args.codings));
    Ok(AgreeReport {
        provenance,
        coders: data.coders.clone(),
        blinding,
        units: data.units.len(),
        level: level_name(args.level),
        rows,
        disagreement_count: disagreements.len(),
        disagreements,
    })
}

/// Warns of each coder who saw the rules' suggestions while coding: their
/// agreement with `rules` does not check the rules independently.
fn warn_not_blind(blinding: &IndexMap<String, &'static str>) -> Result<()> {
    let mut stderr = std::io::stderr().lock();
    for (coder, how) in blinding {
        if matches!(*how, "open" | "unblinded") {
            writeln!(
                stderr,
                "warning: {coder} saw the rules' suggestions while coding, so their agreement with `rules` is not an independent check of the rules; for one, code blind (`qda sheet --blind`, `qda serve --blind`)"
            )?;
        }
    }
    Ok(())
}

/// The agreement table: a row per code, the pooled row, and a row per
/// exclusive group at `group_level`.
fn agreement_rows(data: &AgreementData, group_level: Level, boot: Option<Bootstrap>) -> Vec<Row> {
    let mut rows = Vec::new();
    let ordered_groups = group_level != Level::Nominal && !data.groups.is_empty();
    let nominal = |scope, name: &str, values: &[Vec<Option<f64>>]| {
        let row = Row::compute(scope, name, values, Level::Nominal, boot);
        // Every row of a table has the same columns.
        if ordered_groups { row.with_weighted_kappa(values) } else { row }
    };
    for code in &data.codes {
        rows.push(nominal(Scope::Code, &code.code, &code.values));
    }
    rows.push(nominal(Scope::Pooled, "all codes", &data.pooled()));
    for group in &data.groups {
        let values = if group_level == Level::Nominal {
            group.values.clone()
        } else {
            // The children are ordered as in the codebook; `uncoded` (the
            // last category) has no place on that scale, so it is missing.
            let uncoded = (group.categories.len() - 1) as f64;
            group
                .values
                .iter()
                .map(|row| row.iter().map(|v| v.filter(|&v| v != uncoded)).collect())
                .collect()
        };
        rows.push(Row::compute(Scope::Group, &group.parent, &values, group_level, boot));
    }
    rows
}

/// Where the coders differ: per segment and code (with the segment's text),
/// then per case and exclusive group.
fn coding_disagreements(
    data: &AgreementData,
    codebook: &Codebook,
    transcripts: &[Transcript],
) -> Vec<Disagreement> {
    let texts: BTreeMap<(String, String), String> = transcripts
        .iter()
        .flat_map(|t| {
            t.segments(codebook.unit())
                .into_iter()
                .map(move |s| ((t.case().to_owned(), s.id.clone()), s.text(t).to_owned()))
        })
        .collect();
    let mut disagreements = Vec::new();
    for (i, unit) in data.units.iter().enumerate() {
        for code in &data.codes {
            if let Some(decisions) = differing(&data.coders, &code.values[i], |v| {
                if v > 0.5 { "yes" } else { "no" }.to_owned()
            }) {
                disagreements.push(Disagreement {
                    case: unit.case.clone(),
                    unit: Some(unit.segment.clone()),
                    code: code.code.clone(),
                    decisions,
                    text: texts.get(&(unit.case.clone(), unit.segment.clone())).cloned(),
                });
            }
        }
    }
    for group in &data.groups {
        for (case, values) in group.cases.iter().zip(&group.values) {
            if let Some(decisions) =
                differing(&data.coders, values, |v| group.categories[v as usize].clone())
            {
                disagreements.push(Disagreement {
                    case: case.clone(),
                    unit: None,
                    code: group.parent.clone(),
                    decisions,
                    text: None,
                });
            }
        }
    }
    disagreements
}

/// How `coder` coded, over every file with their work: blind only if every
/// file says so; open if any does.
fn blinding_of(files: &[CodingsFile], coder: &str) -> &'static str {
    let recorded: Vec<Option<Blinding>> =
        files.iter().filter(|f| f.coders().contains(coder)).map(|f| f.blinding).collect();
    if recorded.contains(&Some(Blinding::Open)) {
        "open"
    } else if recorded.contains(&Some(Blinding::Unblinded)) {
        "unblinded"
    } else if !recorded.is_empty() && recorded.iter().all(|b| *b == Some(Blinding::Blind)) {
        "blind"
    } else {
        "not recorded"
    }
}

/// Whether at least two coders decided on a unit, and not all alike.
fn disagree(values: &[Option<f64>]) -> bool {
    let mut present = values.iter().flatten();
    present.next().is_some_and(|first| present.any(|v| v.total_cmp(first).is_ne()))
}

/// Each coder's decision on a unit, when the coders who decided differ.
fn differing(
    coders: &[String],
    values: &[Option<f64>],
    label: impl Fn(f64) -> String,
) -> Option<IndexMap<String, String>> {
    if !disagree(values) {
        return None;
    }
    Some(
        coders
            .iter()
            .zip(values)
            .map(|(coder, v)| (coder.clone(), v.map_or_else(|| "—".to_owned(), &label)))
            .collect(),
    )
}

fn ratings(path: &Path, args: &AgreeArgs) -> Result<AgreeReport> {
    let bytes = read_bytes(path)?;
    ratings_of(path, &bytes, args)
}

/// `--ratings`: the agreement of the table `bytes` (CSV), read from `path`.
pub(crate) fn ratings_of(path: &Path, bytes: &[u8], args: &AgreeArgs) -> Result<AgreeReport> {
    let input = Input::new(path, bytes);
    if args.order.is_some() && args.level == LevelArg::Ratio {
        bail!("--order ranks labels, and ranks have no true zero; use --level ordinal or interval");
    }
    let order = args.order.as_deref().map(parse_order).transpose()?;
    let name = display_path(path);
    let table = RatingsTable::parse(&name, bytes, args.level, order.as_deref())?;
    let level: Level = args.level.into();
    let boot = bootstrap(args);
    let matrix = &table.matrix;
    let summary = matrix.summary();
    let rows = vec![Row::compute_flat(Scope::Ratings, &name, matrix, &summary, level, boot)];
    let disagreement_count = summary.disagreeing_units();
    // A million units may disagree on hundreds of thousands: each is made
    // into a listing only where one is written.
    let listed = args.disagreements || args.format == Format::Json;
    let disagreements = if listed {
        table
            .units
            .iter()
            .zip(matrix.rows())
            .filter(|(_, cells)| disagree_cells(cells))
            .filter_map(|(unit, cells)| {
                let values: Vec<Option<f64>> = cells.iter().map(|&c| matrix.value(c)).collect();
                differing(&table.coders, &values, |v| table.label(v)).map(|decisions| {
                    Disagreement {
                        case: unit.to_string(),
                        unit: None,
                        code: String::new(),
                        decisions,
                        text: None,
                    }
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let level_name = level_name(args.level);
    let mut provenance = Provenance::new("agree", vec![input])
        .option("level", level_name)
        .option("resamples", args.resamples)
        .option("seed", args.seed);
    if let Some(order) = order {
        // Recorded only when given, so results made without it keep their shape.
        provenance = provenance.option("order", order);
    }
    Ok(AgreeReport {
        provenance,
        coders: table.coders.clone(),
        blinding: IndexMap::new(),
        units: table.units.len(),
        level: level_name,
        rows,
        disagreements,
        disagreement_count,
    })
}

/// Whether at least two coders gave a unit a value, and not all the same
/// (equal values share a category).
fn disagree_cells(cells: &[u32]) -> bool {
    let mut present = cells.iter().filter(|&&c| c != FlatMatrix::MISSING);
    present.next().is_some_and(|first| present.any(|c| c != first))
}
