//! `qda report`: one self-contained HTML page, or a Markdown file, with a
//! study's tallies, crosstab, co-occurrence, codebook, coded excerpts, cases,
//! adjudications and provenance.
//!
//! The HTML loads nothing: its CSS is inline, its charts are inline SVG, and
//! it has no script, font, image or link to anywhere but its own anchors,
//! because transcripts are sensitive and a report must open offline. Every
//! value from an input is escaped (`html::Html`). The same inputs give the
//! same bytes: no dates, no absolute paths, everything in codebook or case
//! order.
//!
//! `study` gathers the numbers once; each module of `sections` renders one
//! section as HTML and as Markdown.

mod html;
mod markdown;
mod sections;
mod study;

use std::path::Path;

use anyhow::{Result, bail};
use qda_coding::{CaseCodes, RuleSet};
use rayon::prelude::*;

use crate::args::{CodingsArgs, ReportArgs};
use crate::cmd::tally::{Chosen, choose_codings, parse_bins, tally_cases};
use crate::input::{self, Sources};
use crate::outcome::Outcome;
use crate::provenance::{Input, Provenance, display_path};
use crate::render::tally::TallyReport;
use html::Html;
use sections::SECTIONS;
use study::Study;

/// The two kinds of report, chosen by the output's extension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Html,
    Markdown,
}

pub(crate) fn run(args: &ReportArgs) -> Result<Outcome> {
    let kind = match args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) {
        Some(e) if e == "html" || e == "htm" => Kind::Html,
        Some(e) if e == "md" || e == "markdown" => Kind::Markdown,
        _ => bail!(
            "{}: the report's file name must end in .html (a web page) or .md (Markdown); choose -o report.html or -o report.md",
            display_path(&args.output)
        ),
    };
    let (codebook, codebook_input) = input::codebook(&args.codebook)?;
    let rules = RuleSet::new(&codebook)?;
    let sources = Sources::collect(&args.input)?;
    let adjudications = args.adjudications.as_deref().map(input::adjudications).transpose()?;
    let transcripts = sources.load_all()?;
    let Chosen { codings, coder, inputs: codings_inputs } = if args.codings.codings.is_empty() {
        let codings = transcripts
            .par_iter()
            .flat_map_iter(|t| rules.code_transcript(&codebook, t).codings)
            .collect();
        Chosen { codings, coder: qda_coding::RULES_CODER.to_owned(), inputs: Vec::new() }
    } else {
        choose_codings(&codebook, &transcripts, &args.codings)?
    };
    let bins = args.bins.as_deref().map(parse_bins).transpose()?;
    let cases: Vec<CaseCodes> = transcripts
        .iter()
        .map(|t| CaseCodes::new(t.case(), t.attributes().clone(), &codings))
        .collect();
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
    inputs.extend(input::inputs_of(&transcripts));
    inputs.extend(sources.table_inputs().cloned());
    inputs.extend(codings_inputs);
    inputs.extend(adjudications.iter().map(|(_, input)| input.clone()));
    let mut provenance = Provenance::new("report", inputs)
        .option("unit", codebook.unit().as_str())
        .option("coder", coder.clone())
        .option("by", args.by.clone())
        .option("confidence", 0.95)
        .option("excerpts", args.excerpts);
    if let Some((_, edges)) = &bins {
        provenance = provenance.option("bins", edges.clone());
    }
    let tally_report =
        TallyReport::new(&codebook, &tally, bins.map(|(_, edges)| edges), provenance);
    let mut study = Study::new(
        &codebook,
        &rules,
        &transcripts,
        &codings,
        coder,
        &tally,
        tally_report,
        adjudications.as_ref().map(|(a, _)| a),
    );
    study.excerpt_limit = args.excerpts;
    let bytes = match kind {
        Kind::Html => render_html(&study),
        Kind::Markdown => render_markdown(&study),
    };

    let mut read: Vec<&Path> = vec![args.codebook.as_path()];
    read.extend(sources.files.iter().map(|p| p.as_path()));
    read.extend(args.adjudications.as_deref());
    read.extend(codings_paths(&args.codings));
    crate::output::write(Some(&args.output), bytes.as_bytes(), &read)?;
    Ok(Outcome::Success)
}

fn codings_paths(args: &CodingsArgs) -> impl Iterator<Item = &Path> {
    args.codings.iter().map(|p| p.as_path())
}

/// One sentence on what was counted.
fn summary(study: &Study<'_>) -> String {
    let mut parts = vec![
        format!("{} cases", study.tally.n),
        format!("unit: {}", study.tally.unit),
        format!("codings: {}", study.coder),
    ];
    if let Some(split) = &study.tally.by {
        let values: Vec<String> = split.cases.iter().map(|(v, n)| format!("{v} {n}")).collect();
        parts.push(format!("by {}: {}", split.attribute, values.join(", ")));
    }
    if !study.adjudications.is_empty() {
        parts.push(format!("{} adjudications", study.adjudications.len()));
    }
    parts.join(" · ")
}

fn render_html(study: &Study<'_>) -> String {
    let mut h = Html::default();
    let title = study.title();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.empty(
        "meta",
        &[("name", "generator"), ("content", &format!("qda {}", env!("CARGO_PKG_VERSION")))],
    )
    .nl();
    h.element("title", &[], &format!("{title} · qda report")).nl();
    h.raw("<style>\n")
        .raw(include_str!("style.css"))
        .raw("</style>\n</head>\n<body>\n<div class=\"page\">\n");
    h.raw("<header class=\"title\">\n<p class=\"kicker\">qda report</p>\n");
    h.element("h1", &[], &title).nl();
    h.element("p", &[("class", "lede")], &summary(study)).nl();
    h.raw("<nav class=\"toc\" aria-label=\"Contents\"><ol>");
    for section in SECTIONS.iter().filter(|s| (s.shown)(study)) {
        h.raw("<li><a href=\"#").text(section.id).raw("\">").text(section.title).raw("</a></li>");
    }
    h.raw("<li><a href=\"#provenance\">Provenance</a></li></ol></nav>\n</header>\n<main>\n");
    for section in SECTIONS.iter().filter(|s| (s.shown)(study)) {
        h.open("section", &[("id", section.id)]).nl();
        h.element("h2", &[], section.title).nl();
        (section.html)(study, &mut h);
        h.close("section").nl();
    }
    h.raw("</main>\n");
    sections::provenance::html(study, &mut h);
    h.raw("</div>\n</body>\n</html>\n");
    h.finish()
}

fn render_markdown(study: &Study<'_>) -> String {
    let mut out =
        format!("# {}\n\n{}\n\n", markdown::text(&study.title()), markdown::text(&summary(study)));
    for section in SECTIONS.iter().filter(|s| (s.shown)(study)) {
        out.push_str(&format!("## {}\n\n", section.title));
        (section.markdown)(study, &mut out);
    }
    out.push_str("## Provenance\n\n");
    sections::provenance::markdown(study, &mut out);
    out
}
