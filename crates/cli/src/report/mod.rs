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

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Result, bail};
use qda_coding::{Coding, Memo, StudyMemos, Transcript};
use qda_stats::SaturationOptions;

use crate::args::ReportArgs;
use crate::outcome::Outcome;
use crate::output::Sink;
use crate::provenance::{Input, display_path};
use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::memos::MemoBook;
use crate::render::saturation::{SaturationChoice, SaturationReport};
use crate::render::tally::TallyReport;
use crate::study::{LoadedStudy, Summary};
use contents::{CaseSummary, Contents, ContentsInputs, Gathering};
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
    let limit = args.excerpts.at_most();
    let mut gathering = Gathering::new(limit);
    let mut transcript_memos = StudyMemos::new();
    let mut memo_entries = Vec::new();
    // With codings files every transcript is read to check them, and kept;
    // the rules code each transcript where it is read, and keep a summary.
    let mut transcripts: Vec<Transcript> = Vec::new();
    if args.codings.codings.is_empty() {
        study.each_transcript(
            |codebook, rules, transcript| {
                let coded = rules.code_transcript(codebook, &transcript);
                Summarised {
                    input: Input::transcript(&transcript),
                    memo: Memo::of_transcript(&transcript),
                    case: CaseSummary::new(codebook, &transcript, &coded.codings, limit),
                }
            },
            |summarised| {
                if let Some(memo) = summarised.memo {
                    transcript_memos.add_case(&summarised.case.case, memo)?;
                }
                gathering.add(summarised.case);
                Ok(())
            },
        )?;
    } else {
        transcripts = study.transcripts()?;
        let codings = study.codings(&transcripts, &args.codings)?;
        // Looked up, not searched for: once per coding, a search of the
        // transcripts made the report quadratic.
        let mut by_case: BTreeMap<&str, Vec<Coding>> =
            transcripts.iter().map(|t| (t.case(), Vec::new())).collect();
        for coding in codings {
            if let Some(of_case) = by_case.get_mut(coding.case.as_str()) {
                of_case.push(coding);
            }
        }
        for transcript in &transcripts {
            transcript_memos.add_transcript(transcript)?;
            let of_case = by_case.remove(transcript.case()).unwrap_or_default();
            gathering.add(CaseSummary::new(&study.codebook, transcript, &of_case, limit));
        }
        memo_entries = contents::memo_entries(&study.memos, &transcripts);
    }
    let gathered = gathering.finish();
    let ids: Vec<String> = gathered.ids().map(str::to_owned).collect();
    let study_memos = study.study_memos_of(
        args.memos.folder.as_deref(),
        transcript_memos,
        ids.iter().map(String::as_str),
    )?;
    let Some(tally) = study.tally(&gathered.counts, args.by.as_deref())? else {
        return Ok(Outcome::Failure);
    };
    let kept: BTreeMap<&str, &Transcript> = transcripts.iter().map(|t| (t.case(), t)).collect();
    let excerpts =
        gathered.excerpts(&study.codebook, &study.rules, |case, path| match kept.get(case) {
            Some(t) => Ok(Cow::Borrowed(*t)),
            None => Ok(Cow::Owned(study.read_again(path)?)),
        })?;

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
        cases: &gathered,
        tally: &tally,
        adjudications: study.adjudications.as_ref(),
    };
    let mut contents =
        Contents::new(&inputs, study.coder.clone(), tally_report, excerpts, memo_entries);
    // Segment memos are shown with their excerpts and in their own section.
    contents.study_memos = Some(MemoBook::of_cases(&study.codebook, &study_memos, &ids));
    // The saturation curve, when the study has a base and a run of
    // interviews with codes (case order, the method's defaults).
    let choice =
        SaturationChoice { under: None, order: None, options: SaturationOptions::default() };
    contents.saturation =
        SaturationReport::new(&study.codebook, &gathered.counts, &choice, None, None).ok();
    let what = format!("report of {}", crate::output::count(tally.n, "case"));
    let mut sink = Sink::create(Some(&args.output), &study.read())?;
    match kind {
        Kind::Html => render_html(&contents, &mut sink)?,
        Kind::Markdown => sink.write_all(render_markdown(&contents).as_bytes())?,
    }
    sink.finish(what)?;
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

/// Writes the HTML report to `out` as it is made.
fn render_html(contents: &Contents<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut h = Html::streaming(out);
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
    h.end()
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

/// What a worker keeps of a transcript: its provenance, case memo and
/// summary.
struct Summarised {
    input: Input,
    memo: Option<Memo>,
    case: CaseSummary,
}

impl Summary for Summarised {
    fn case(&self) -> &str {
        &self.case.case
    }
    fn path(&self) -> &std::path::Path {
        &self.case.path
    }
    fn input(&self) -> Input {
        self.input.clone()
    }
}
