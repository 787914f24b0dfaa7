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
//! `contents` gathers the numbers once; each module of `sections` renders one
//! section as HTML and as Markdown.

mod contents;
pub(crate) mod html;
mod sections;

use anyhow::{Result, bail};
use qda_coding::CaseCodes;
use qda_stats::SaturationOptions;

use crate::args::ReportArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::memos::MemoBook;
use crate::render::saturation::{SaturationChoice, SaturationReport};
use crate::render::tally::TallyReport;
use crate::study::LoadedStudy;
use contents::{Contents, ContentsInputs};
use html::Html;
use sections::SECTIONS;

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
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?
        .with_bins(args.bins.as_deref())?;
    let transcripts = study.transcripts()?;
    let codings = study.codings(&transcripts, &args.codings)?;
    let study_memos = study.study_memos(args.memos.folder.as_deref(), &transcripts)?;
    let cases: Vec<CaseCodes> = transcripts
        .iter()
        .map(|t| {
            CaseCodes::with_parents(&study.codebook, t.case(), t.attributes().clone(), &codings)
        })
        .collect();
    let Some(tally) = study.tally(cases, args.by.as_deref())? else {
        return Ok(Outcome::Failure);
    };

    let mut provenance = study
        .provenance("report")
        .option("unit", study.codebook.unit().as_str())
        .option("coder", study.coder.clone())
        .option("by", args.by.clone())
        .option("confidence", 0.95)
        .option(
            "excerpts",
            args.excerpts.at_most().map_or_else(|| "all".into(), serde_json::Value::from),
        );
    let edges = study.binning.as_ref().map(|b| b.edges.clone());
    if let Some(edges) = &edges {
        provenance = provenance.option("bins", edges.clone());
    }
    let tally_report = TallyReport::new(&study.codebook, &tally, edges, provenance);
    let inputs = ContentsInputs {
        codebook: &study.codebook,
        rules: &study.rules,
        transcripts: &transcripts,
        codings: &codings,
        memos: &study.memos,
        tally: &tally,
        adjudications: study.adjudications.as_ref(),
    };
    let mut contents =
        Contents::new(&inputs, study.coder.clone(), tally_report, args.excerpts.at_most());
    // Segment memos are shown with their excerpts and in their own section.
    contents.study_memos = Some(MemoBook::new(&study.codebook, &study_memos, &transcripts, &[]));
    // The saturation curve, when the study has a base and a run of
    // interviews with codes (case order, the method's defaults).
    let coded = crate::study::coded_cases(&study.codebook, &transcripts, &codings);
    let choice =
        SaturationChoice { under: None, order: None, options: SaturationOptions::default() };
    contents.saturation = SaturationReport::new(&study.codebook, &coded, &choice, None, None).ok();
    let bytes = match kind {
        Kind::Html => render_html(&contents),
        Kind::Markdown => render_markdown(&contents),
    };
    let what = format!("report of {}", crate::output::count(tally.n, "case"));
    crate::output::write(Some(&args.output), bytes.as_bytes(), &study.read(), what)?;
    Ok(Outcome::Success)
}

/// One sentence on what was counted.
fn summary(contents: &Contents<'_>) -> String {
    let mut parts = vec![
        format!("{} cases", contents.tally.n),
        format!("unit: {}", contents.tally.unit),
        format!("codings: {}", contents.coder),
    ];
    if let Some(split) = &contents.tally.by {
        let values: Vec<String> = split.cases.iter().map(|(v, n)| format!("{v} {n}")).collect();
        parts.push(format!("by {}: {}", split.attribute, values.join(", ")));
    }
    if !contents.adjudications.is_empty() {
        parts.push(format!("{} adjudications", contents.adjudications.len()));
    }
    parts.join(" · ")
}

fn render_html(contents: &Contents<'_>) -> String {
    let mut h = Html::default();
    let title = contents.title();
    h.page_head(&format!("{title} · qda report"));
    h.raw("<header class=\"title\">\n<p class=\"kicker\">qda report</p>\n");
    h.element("h1", &[], &title).nl();
    h.element("p", &[("class", "lede")], &summary(contents)).nl();
    h.raw("<nav class=\"toc\" aria-label=\"Contents\"><ol>");
    for section in SECTIONS.iter().filter(|s| (s.shown)(contents)) {
        h.raw("<li><a href=\"#").text(section.id).raw("\">").text(section.title).raw("</a></li>");
    }
    h.raw("<li><a href=\"#provenance\">Provenance</a></li></ol></nav>\n</header>\n<main>\n");
    for section in SECTIONS.iter().filter(|s| (s.shown)(contents)) {
        h.open("section", &[("id", section.id)]).nl();
        h.element("h2", &[], section.title).nl();
        (section.html)(contents, &mut h);
        h.close("section").nl();
    }
    h.raw("</main>\n");
    sections::provenance::html(contents, &mut h);
    h.raw("</div>\n</body>\n</html>\n");
    h.finish()
}

fn render_markdown(contents: &Contents<'_>) -> String {
    let mut md = Markdown::default();
    md.heading(1, &contents.title());
    md.paragraph(&summary(contents));
    for section in SECTIONS.iter().filter(|s| (s.shown)(contents)) {
        md.heading(2, section.title);
        (section.markdown)(contents, &mut md);
    }
    md.heading(2, "Provenance");
    sections::provenance::markdown(contents, &mut md);
    md.finish()
}
