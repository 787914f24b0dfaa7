//! `qda tally`: cases per code, per exclusive group, with intervals.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use qda_coding::{Adjudications, AttributeValue, CaseCodes, Codebook, RuleSet, Tally};
use qda_stats::Bins;

use crate::args::TallyArgs;
use crate::input::{self, Sources};
use crate::outcome::Outcome;
use crate::provenance::{Input, Provenance, display_path};
use crate::render::tally::TallyReport;

pub(crate) fn run(args: &TallyArgs) -> Result<Outcome> {
    let (codebook, codebook_input) = input::codebook(&args.codebook)?;
    let rules = RuleSet::new(&codebook)?;
    let sources = Sources::collect(&args.input)?;
    let adjudications = args.adjudications.as_deref().map(input::adjudications).transpose()?;
    let bins = args.bins.as_deref().map(parse_bins).transpose()?;
    let Counted { cases, transcript_inputs, codings_inputs, coder } =
        if args.codings.codings.is_empty() {
            let mut counted =
                Counted { coder: qda_coding::RULES_CODER.to_owned(), ..Counted::default() };
            input::summarise_corpus(
                &sources,
                |transcript| CodedCase {
                    input: input::transcript_read(&transcript),
                    codes: rules.case_codes(&codebook, &transcript),
                    path: transcript.path().to_owned(),
                },
                |coded| {
                    counted.transcript_inputs.push(coded.input);
                    counted.cases.push(coded.codes);
                    Ok(())
                },
            )?;
            counted.cases.sort_by(|a, b| a.case.cmp(&b.case));
            counted
        } else {
            from_codings(&codebook, &sources, &args.codings)?
        };
    let Some(tally) = tally_cases(
        &codebook,
        cases,
        adjudications.as_ref().map(|(a, _)| a),
        args.by.as_deref(),
        bins.as_ref().map(|(b, _)| b),
    )?
    else {
        return Ok(Outcome::Failure);
    };

    let mut inputs: Vec<Input> = vec![codebook_input];
    inputs.extend(transcript_inputs);
    inputs.extend(sources.table_inputs().cloned());
    inputs.extend(codings_inputs);
    inputs.extend(adjudications.iter().map(|(_, input)| input.clone()));
    let mut provenance = Provenance::new("tally", inputs)
        .option("unit", codebook.unit().as_str())
        .option("coder", coder)
        .option("codings", args.codings.codings.iter().map(|p| display_path(p)).collect::<Vec<_>>())
        .option("adjudications", args.adjudications.as_deref().map(display_path))
        .option("by", args.by.clone())
        .option("confidence", 0.95);
    if let Some((_, edges)) = &bins {
        // Recorded only when used, so results made without --bins keep their shape.
        provenance = provenance.option("bins", edges.clone());
    }
    let report = TallyReport::new(&codebook, &tally, bins.map(|(_, edges)| edges), provenance);

    let mut read: Vec<&std::path::Path> = vec![args.codebook.as_path()];
    read.extend(sources.files.iter().map(|p| p.as_path()));
    read.extend(args.adjudications.as_deref());
    read.extend(args.codings.codings.iter().map(|p| p.as_path()));
    crate::output::write(args.output.path.as_deref(), &report.render(args.format), &read)?;
    Ok(Outcome::Success)
}

/// Tallies the cases: checks the adjudications against them and the `--by`
/// attribute, bins it, assigns and counts, and prints the warnings. `None`
/// when conflicts await adjudication (they are listed on stderr).
pub(crate) fn tally_cases(
    codebook: &Codebook,
    mut cases: Vec<CaseCodes>,
    adjudications: Option<&Adjudications>,
    by: Option<&str>,
    bins: Option<&Bins>,
) -> Result<Option<Tally>> {
    if let Some(adjudications) = adjudications {
        adjudications.validate(codebook, cases.iter().map(|c| c.case.as_str()))?;
    }
    if let Some(attribute) = by {
        if !cases.iter().any(|c| c.attributes.contains_key(attribute)) {
            let mut known: Vec<&str> =
                cases.iter().flat_map(|c| c.attributes.keys().map(String::as_str)).collect();
            known.sort_unstable();
            known.dedup();
            bail!(
                "--by {attribute}: no case has the attribute `{attribute}`; known attributes: {}",
                known.join(", ")
            );
        }
        if let Some(bins) = bins {
            bin_attribute(&mut cases, attribute, bins)?;
        }
    }
    let mut tally = qda_coding::tally(codebook, &cases, adjudications, by);
    if let Some(bins) = bins {
        order_bins(&mut tally, bins);
    }
    let mut stderr = std::io::stderr().lock();
    for warning in &tally.warnings {
        writeln!(stderr, "warning: {warning}")?;
    }
    Ok(if report_unresolved(&tally, codebook, &mut stderr)? { None } else { Some(tally) })
}

/// Reads `--bins`: numbers separated by commas, strictly increasing.
pub(crate) fn parse_bins(spec: &str) -> Result<(Bins, Vec<f64>)> {
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
    Ok((bins, edges))
}

/// Replaces each case's value of `attribute` by its bin's label; a value
/// that is not a number is an error naming the case.
pub(crate) fn bin_attribute(cases: &mut [CaseCodes], attribute: &str, bins: &Bins) -> Result<()> {
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
pub(crate) fn order_bins(tally: &mut Tally, bins: &Bins) {
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
pub(crate) fn report_unresolved(
    tally: &Tally,
    codebook: &qda_coding::Codebook,
    out: &mut impl Write,
) -> Result<bool> {
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

/// The cases to tally, and where their codes came from.
#[derive(Default)]
struct Counted {
    cases: Vec<CaseCodes>,
    transcript_inputs: Vec<Input>,
    codings_inputs: Vec<Input>,
    /// Whose codings count: `rules`, or the person chosen.
    coder: String,
}

/// Cases from codings files: the chosen coder's manual codings over the
/// rule codings (see `qda_coding::layer`).
fn from_codings(
    codebook: &qda_coding::Codebook,
    sources: &Sources,
    args: &crate::args::CodingsArgs,
) -> Result<Counted> {
    let transcripts = sources.load_all()?;
    let Chosen { codings, coder, inputs } = choose_codings(codebook, &transcripts, args)?;
    let cases = transcripts
        .iter()
        .map(|t| CaseCodes::new(t.case(), t.attributes().clone(), &codings))
        .collect();
    Ok(Counted {
        cases,
        transcript_inputs: input::inputs_of(&transcripts),
        codings_inputs: inputs,
        coder,
    })
}

/// The codings that count, read from codings files.
pub(crate) struct Chosen {
    pub(crate) codings: Vec<qda_coding::Coding>,
    /// Whose codings count: `rules`, or the person chosen.
    pub(crate) coder: String,
    /// The codings files.
    pub(crate) inputs: Vec<Input>,
}

/// The chosen coder's manual codings over the rule codings (see
/// `qda_coding::layer`); the coder is implicit when only one person coded.
pub(crate) fn choose_codings(
    codebook: &qda_coding::Codebook,
    transcripts: &[qda_coding::Transcript],
    args: &crate::args::CodingsArgs,
) -> Result<Chosen> {
    let loaded = input::LoadedCodings::read(&args.codings, codebook, transcripts)?;
    let coders = loaded.coders();
    let people: Vec<&String> = coders.iter().filter(|c| *c != qda_coding::RULES_CODER).collect();
    let chosen = match (&args.coder, people.as_slice()) {
        (Some(name), _) if !coders.contains(name) => bail!(
            "--coder {name}: no codings by `{name}` in the codings files; coders there: {}",
            coders.join(", ")
        ),
        (Some(name), _) => Some(name.clone()),
        (None, []) => None,
        (None, [one]) => Some((*one).clone()),
        (None, several) => bail!(
            "the codings files hold several coders ({}); choose whose codings count with --coder NAME",
            several.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    let rules = loaded.coder(qda_coding::RULES_CODER);
    let codings = match &chosen {
        Some(name) if name != qda_coding::RULES_CODER => {
            qda_coding::layer(&rules.codings, &loaded.coder(name))
        }
        _ => rules.codings,
    };
    let coder = chosen.unwrap_or_else(|| qda_coding::RULES_CODER.to_owned());
    Ok(Chosen { codings, coder, inputs: loaded.inputs })
}

/// What tally keeps of a coded transcript: its hash and its case's codes.
struct CodedCase {
    input: Input,
    codes: CaseCodes,
    path: PathBuf,
}

impl input::Summary for CodedCase {
    fn case(&self) -> &str {
        &self.codes.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
}
