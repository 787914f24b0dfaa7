//! `qda.tally`: cases per code and per exclusive group, with the shares and
//! intervals `qda tally --format json` gives, as columns.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use qda_coding::{Adjudications, CaseCodes, Codebook, Tally, UNCODED};
use rayon::prelude::*;

use crate::codebook::PyCodebook;
use crate::corpus::{Corpus, read_text};
use crate::error::Failure;

const CONFIDENCE: f64 = 0.95;

/// Tallies the transcripts at `paths`: a dict with `n`, `by`, and the
/// `groups`, `codes`, `routes` and `assignments` tables as columns.
#[pyfunction]
#[pyo3(signature = (codebook, paths, cases, adjudications, by))]
pub(crate) fn _tally<'py>(
    py: Python<'py>,
    codebook: &PyCodebook,
    paths: Vec<PathBuf>,
    cases: Vec<PathBuf>,
    adjudications: Option<PathBuf>,
    by: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let tally = py.detach(|| tally(codebook, &paths, &cases, adjudications, by.as_deref()))?;
    tables(py, &codebook.codebook, &tally)
}

fn tally(
    study: &PyCodebook,
    paths: &[PathBuf],
    cases: &[PathBuf],
    adjudications: Option<PathBuf>,
    by: Option<&str>,
) -> Result<Tally, Failure> {
    let (codebook, rules) = (&study.codebook, &study.rules);
    let adjudications = adjudications
        .map(|path| {
            let (text, path) = read_text(&path, "adjudications file")?;
            Ok::<_, Failure>(Adjudications::parse(&path, &text)?)
        })
        .transpose()?;
    let transcripts = Corpus::collect(paths, cases)?.load()?;
    let counted: Vec<CaseCodes> =
        transcripts.par_iter().map(|t| rules.case_codes(codebook, t)).collect();
    if let Some(adjudications) = &adjudications {
        adjudications.validate(codebook, counted.iter().map(|c| c.case.as_str()))?;
    }
    if let Some(attribute) = by
        && !counted.iter().any(|c| c.attributes.contains_key(attribute))
    {
        let mut known: Vec<&str> =
            counted.iter().flat_map(|c| c.attributes.keys().map(String::as_str)).collect();
        known.sort_unstable();
        known.dedup();
        return Err(Failure::new(
            "InputError",
            format!(
                "by=\"{attribute}\": no case has the attribute `{attribute}`; known attributes: {}",
                known.join(", ")
            ),
        ));
    }
    let tally = qda_coding::tally(codebook, &counted, adjudications.as_ref(), by);
    unresolved(codebook, &tally)?;
    Ok(tally)
}

/// Cases whose conflicts await an adjudication, as a `ConflictError`
/// naming each with its candidate codes.
fn unresolved(codebook: &Codebook, tally: &Tally) -> Result<(), Failure> {
    let mut lines = Vec::new();
    for group in &tally.groups {
        for a in group.unresolved() {
            let candidates: Vec<String> =
                a.candidates.iter().map(|(code, n)| format!("{code} ({n})")).collect();
            lines.push(format!("  {} in `{}`: {}", a.case, group.parent, candidates.join(", ")));
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    let mut failure = Failure::file(
        "ConflictError",
        &codebook.path().display().to_string(),
        &format!(
            "{} cases have several codes of an exclusive group settled by adjudication; add a decision for each to an adjudications file and pass it as adjudications=FILE:\n{}",
            lines.len(),
            lines.join("\n")
        ),
    );
    failure.set_kind("conflict");
    Err(failure)
}

/// Percent of `n` and the Wilson and Clopper-Pearson intervals in
/// percent, rounded to six decimals as the command line's JSON; each
/// undefined (`None`) without cases.
fn share(cases: usize, n: usize) -> [Option<f64>; 5] {
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let percent = (n > 0).then(|| round(100.0 * cases as f64 / n as f64));
    let wilson = qda_stats::wilson_interval(cases as u64, n as u64, CONFIDENCE).ok();
    let exact = qda_stats::clopper_pearson_interval(cases as u64, n as u64, CONFIDENCE).ok();
    [
        percent,
        wilson.map(|i| round(100.0 * i.lower)),
        wilson.map(|i| round(100.0 * i.upper)),
        exact.map(|i| round(100.0 * i.lower)),
        exact.map(|i| round(100.0 * i.upper)),
    ]
}

/// The columns of a share, in the order [`share`] gives them.
const SHARE_COLUMNS: [&str; 5] = [
    "percent",
    "wilson_95_low",
    "wilson_95_high",
    "clopper_pearson_95_low",
    "clopper_pearson_95_high",
];

fn label(codebook: &Codebook, id: &str) -> String {
    if id == UNCODED {
        return "no code of the group".to_owned();
    }
    codebook.code(id).map_or_else(|| id.to_owned(), |c| c.label.clone())
}

fn tables<'py>(
    py: Python<'py>,
    codebook: &Codebook,
    tally: &Tally,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("n", tally.n)?;
    out.set_item("unit", codebook.unit().as_str())?;
    let values: Vec<String> = tally.by.as_ref().map(|s| s.values.clone()).unwrap_or_default();
    if let Some(split) = &tally.by {
        let by = PyDict::new(py);
        by.set_item("attribute", &split.attribute)?;
        by.set_item("values", &split.values)?;
        by.set_item("cases", &split.totals)?;
        out.set_item("by", by)?;
    }

    let (mut parent, mut code, mut labels, mut cases) = (vec![], vec![], vec![], vec![]);
    let mut shares: Vec<[Option<f64>; 5]> = Vec::new();
    let mut by_counts: Vec<Vec<usize>> = vec![Vec::new(); values.len()];
    let (mut r_parent, mut r_route, mut r_cases) = (vec![], vec![], vec![]);
    let (mut a_parent, mut a_case, mut a_code, mut a_route, mut a_note) =
        (vec![], vec![], vec![], vec![], vec![]);
    for group in &tally.groups {
        for row in &group.rows {
            parent.push(group.parent.clone());
            code.push(row.code.clone());
            labels.push(label(codebook, &row.code));
            cases.push(row.cases);
            shares.push(share(row.cases, tally.n));
            for (column, n) in by_counts.iter_mut().zip(row.by.iter().flatten()) {
                column.push(*n);
            }
        }
        for (route, n) in group.routes.iter().filter(|(_, n)| *n > 0) {
            r_parent.push(group.parent.clone());
            r_route.push(route.name());
            r_cases.push(*n);
        }
        for a in &group.assignments {
            a_parent.push(group.parent.clone());
            a_case.push(a.case.clone());
            a_code.push(a.code.clone().unwrap_or_else(|| UNCODED.to_owned()));
            a_route.push(a.route.name());
            a_note.push(a.note.clone());
        }
    }
    let groups = PyDict::new(py);
    groups.set_item("parent", parent)?;
    groups.set_item("code", code)?;
    groups.set_item("label", labels)?;
    groups.set_item("cases", cases)?;
    set_shares(&groups, &shares)?;
    set_by(py, &groups, &values, by_counts)?;
    out.set_item("groups", groups)?;

    let routes = PyDict::new(py);
    routes.set_item("parent", r_parent)?;
    routes.set_item("route", r_route)?;
    routes.set_item("cases", r_cases)?;
    out.set_item("routes", routes)?;

    let assignments = PyDict::new(py);
    assignments.set_item("parent", a_parent)?;
    assignments.set_item("case", a_case)?;
    assignments.set_item("code", a_code)?;
    assignments.set_item("route", a_route)?;
    assignments.set_item("note", a_note)?;
    out.set_item("assignments", assignments)?;

    let codes = PyDict::new(py);
    let rows = &tally.codes;
    codes.set_item("code", rows.iter().map(|c| c.code.clone()).collect::<Vec<_>>())?;
    codes.set_item("rolled_up", rows.iter().map(|c| c.rolled_up).collect::<Vec<_>>())?;
    codes.set_item("label", rows.iter().map(|c| label(codebook, &c.code)).collect::<Vec<_>>())?;
    codes.set_item(
        "parent",
        rows.iter()
            .map(|c| codebook.code(&c.code).and_then(|c| c.parent.clone()))
            .collect::<Vec<_>>(),
    )?;
    codes.set_item("segments", rows.iter().map(|c| c.segments).collect::<Vec<_>>())?;
    codes.set_item("cases", rows.iter().map(|c| c.cases).collect::<Vec<_>>())?;
    let shares: Vec<_> = rows.iter().map(|c| share(c.cases, tally.n)).collect();
    set_shares(&codes, &shares)?;
    let mut by_counts: Vec<Vec<usize>> = vec![Vec::new(); values.len()];
    for row in rows {
        for (column, n) in by_counts.iter_mut().zip(row.by.iter().flatten()) {
            column.push(*n);
        }
    }
    set_by(py, &codes, &values, by_counts)?;
    out.set_item("codes", codes)?;
    out.set_item("warnings", PyList::new(py, &tally.warnings)?)?;
    Ok(out)
}

fn set_shares(table: &Bound<'_, PyDict>, shares: &[[Option<f64>; 5]]) -> PyResult<()> {
    for (i, name) in SHARE_COLUMNS.iter().enumerate() {
        table.set_item(*name, shares.iter().map(|s| s[i]).collect::<Vec<_>>())?;
    }
    Ok(())
}

/// The cases per value of the `by` attribute, one column per value, under
/// the key `by` (so they cannot clash with the table's own columns).
fn set_by(
    py: Python<'_>,
    table: &Bound<'_, PyDict>,
    values: &[String],
    counts: Vec<Vec<usize>>,
) -> PyResult<()> {
    let by = PyDict::new(py);
    for (value, column) in values.iter().zip(counts) {
        by.set_item(value, column)?;
    }
    table.set_item("by", by)
}
