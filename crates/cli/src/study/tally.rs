//! From each case's codes to the tally: the adjudications checked against
//! the cases, the `--by` attribute checked and binned (`--bins`), exclusive
//! groups assigned and counted, warnings printed, and unresolved conflicts
//! listed with a template to settle them.

use std::io::Write;

use anyhow::{Result, bail};
use qda_coding::{Adjudications, AttributeValue, CaseCodes, Codebook, Tally};
use qda_stats::Bins;

use crate::provenance::display_path;

/// `--bins`: the bins and the edges they were made from.
pub(crate) struct Binning {
    pub(crate) bins: Bins,
    pub(crate) edges: Vec<f64>,
}

/// Tallies the cases: checks the adjudications against them and the `--by`
/// attribute, bins it, assigns and counts, and writes the warnings
/// (`warning: ...` lines) to `out`. `None` when conflicts await
/// adjudication (they are listed on `out`, standard error for a command).
pub(crate) fn tally_cases(
    codebook: &Codebook,
    adjudications: Option<&Adjudications>,
    binning: Option<&Binning>,
    cases: &[CaseCodes],
    by: Option<&str>,
    out: &mut dyn Write,
) -> Result<Option<Tally>> {
    let bins = binning.map(|b| &b.bins);
    if let Some(adjudications) = adjudications {
        adjudications.validate(codebook, cases.iter().map(|c| c.case.as_str()))?;
    }
    if let Some(attribute) = by
        && !cases.iter().any(|c| c.attributes.contains_key(attribute))
    {
        let mut known: Vec<&str> =
            cases.iter().flat_map(|c| c.attributes.keys().map(String::as_str)).collect();
        known.sort_unstable();
        known.dedup();
        bail!(
            "--by {attribute}: no case has the attribute `{attribute}`; known attributes: {}",
            known.join(", ")
        );
    }
    // Binned in a copy: the caller's cases keep their values.
    let binned = match (by, bins) {
        (Some(attribute), Some(bins)) => {
            let mut binned = cases.to_vec();
            bin_attribute(&mut binned, attribute, bins)?;
            Some(binned)
        }
        _ => None,
    };
    let cases = binned.as_deref().unwrap_or(cases);
    let mut tally = qda_coding::tally(codebook, cases, adjudications, by);
    if let Some(bins) = bins {
        order_bins(&mut tally, bins);
    }
    for warning in &tally.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    Ok(if report_unresolved(&tally, codebook, out)? { None } else { Some(tally) })
}

/// Reads `--bins`: numbers separated by commas, strictly increasing.
pub(crate) fn parse_bins(spec: &str) -> Result<Binning> {
    let example = "such as --bins 1995,2000,2005";
    let mut edges = Vec::new();
    for part in spec.split(',') {
        let part = part.trim();
        match part.parse::<f64>() {
            Ok(x) if x.is_finite() => edges.push(x),
            Ok(_) => bail!(
                "--bins {spec}: `{part}` is not a finite number; give numbers separated by commas, {example}"
            ),
            _ if part.is_empty() => {
                bail!("--bins {spec}: an empty edge; give numbers separated by commas, {example}")
            }
            _ => bail!(
                "--bins {spec}: `{part}` is not a number; give numbers separated by commas, {example}"
            ),
        }
    }
    let bins = Bins::new(edges.clone()).map_err(|_| {
        anyhow::anyhow!("--bins {spec}: the edges must increase strictly, {example}")
    })?;
    Ok(Binning { bins, edges })
}

/// Replaces each case's value of `attribute` by its bin's label; a value
/// that is not a number is an error naming the case.
fn bin_attribute(cases: &mut [CaseCodes], attribute: &str, bins: &Bins) -> Result<()> {
    let mut not_numbers: Vec<String> = Vec::new();
    for case in cases.iter_mut() {
        let Some(value) = case.attributes.get_mut(attribute) else { continue };
        match value.as_f64() {
            Some(x) => *value = AttributeValue::Text(bins.label(bins.bin(x))),
            None => not_numbers.push(format!("case `{}` has \"{value}\"", case.case)),
        }
    }
    if let Some(first) = not_numbers.first() {
        let more = match not_numbers.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more case)".to_owned(),
            n => format!(" (and {n} more cases)"),
        };
        bail!(
            "--bins: `{attribute}` is not a number in every case: {first}{more}; --bins needs a numeric attribute (leave out --bins to split by each value)"
        );
    }
    Ok(())
}

/// Puts the crosstab columns of a binned attribute in bin order (the tally
/// sorts labels as text), with cases without the attribute last.
fn order_bins(tally: &mut Tally, bins: &Bins) {
    let Some(split) = tally.by.as_mut() else { return };
    let rank =
        |label: &str| (0..bins.len()).position(|b| bins.label(b) == label).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..split.values.len()).collect();
    order.sort_by_key(|&i| rank(&split.values[i]));
    let permute = |v: &mut Vec<usize>| *v = order.iter().map(|&i| v[i]).collect();
    split.values = order.iter().map(|&i| split.values[i].clone()).collect();
    permute(&mut split.totals);
    for group in &mut tally.groups {
        for row in &mut group.rows {
            if let Some(by) = row.by.as_mut() {
                permute(by);
            }
        }
    }
    for code in &mut tally.codes {
        if let Some(by) = code.by.as_mut() {
            permute(by);
        }
    }
}

/// Lists conflicts that need an adjudication, with a template to fill in.
/// Returns whether there were any.
fn report_unresolved(tally: &Tally, codebook: &Codebook, out: &mut dyn Write) -> Result<bool> {
    let mut any = false;
    for group in &tally.groups {
        let unresolved: Vec<_> = group.unresolved().collect();
        if unresolved.is_empty() {
            continue;
        }
        any = true;
        writeln!(
            out,
            "error: {}: {} of {} cases have several codes of the exclusive group `{}`, which is settled by adjudication (resolve = \"adjudicate\"):",
            display_path(codebook.path()),
            unresolved.len(),
            tally.n,
            group.parent
        )?;
        for a in &unresolved {
            let candidates: Vec<String> = a
                .candidates
                .iter()
                .map(|(code, n)| format!("{code} ({n} segment{})", if *n == 1 { "" } else { "s" }))
                .collect();
            writeln!(out, "  {}: {}", a.case, candidates.join(", "))?;
        }
        writeln!(
            out,
            "add a decision for each to an adjudications file and pass it with --adjudications FILE:"
        )?;
        for a in &unresolved {
            let options: Vec<&str> = a.candidates.iter().map(|(c, _)| c.as_str()).collect();
            writeln!(
                out,
                "\n[[adjudication]]\ncase = \"{}\"\nparent = \"{}\"\ncode = \"{}\"\nnote = \"why\"",
                a.case,
                group.parent,
                options.join(" | ")
            )?;
        }
    }
    Ok(any)
}
