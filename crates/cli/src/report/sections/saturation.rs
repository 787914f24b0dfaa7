//! Thematic saturation (Guest, Namey & Chen 2020) with the report's
//! defaults (base 4, runs of 2, at most 5% new information, case order):
//! the curve of distinct codes by interview, with the base shaded and each
//! run marked under it (the run that reaches saturation in the accent
//! colour), then the table of runs as `qda saturation` prints it.

use crate::render::markdown::Markdown;
use crate::render::saturation::SaturationReport;
use crate::report::contents::Contents;
use crate::report::html::Html;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
/// Room under the plot for the run marks and the axis labels.
const BOTTOM: f64 = 60.0;

const EXPLAINED: &str = "The first four interviews (in case order) are the base; each run of two interviews after it is measured by the codes first seen in it, as a share of the base's codes. Saturation is reached at the first run that brings 5% new information or less. The qda saturation command chooses the order, base, run and threshold, and adds a bootstrap over random orders.";

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let Some(report) = &contents.saturation else { return };
    h.element("p", &[], EXPLAINED).nl();
    curve(report, h);
    for paragraph in report_paragraphs(report) {
        h.element("p", &[], &paragraph).nl();
    }
    h.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">run</th><th scope=\"col\">cases</th><th scope=\"col\" class=\"num\">new codes</th><th scope=\"col\">which</th><th scope=\"col\" class=\"num\">new information</th></tr></thead><tbody>").nl();
    for run in &report.runs {
        h.open("tr", &[]);
        h.element("td", &[], &format!("{}–{}", run.first, run.last));
        h.element("td", &[], &run.cases.join(", "));
        h.element("td", &[("class", "num")], &run.new.len().to_string());
        h.element("td", &[], &run.new.join(", "));
        h.element("td", &[("class", "num")], &format!("{:.1}%", run.new_percent));
        h.close("tr").nl();
    }
    h.raw("</tbody></table></div>").nl();
}

fn report_paragraphs(report: &SaturationReport) -> Vec<String> {
    vec![report.verdict()]
}

/// The curve as inline SVG: x is the interview (from 1), y the distinct
/// codes so far.
fn curve(report: &SaturationReport, h: &mut Html) {
    let n = report.interviews.len();
    let most = report.interviews.last().map_or(0, |i| i.cumulative).max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| LEFT + plot_w * (i as f64 - 0.5) / n as f64;
    let y = |codes: usize| TOP + plot_h * (1.0 - codes as f64 / most as f64);
    let f = |v: f64| format!("{v:.1}");
    let label = format!(
        "Distinct codes by interview: {} codes after the base of {}, {} after all {n} interviews. {}",
        report.base_codes,
        report.base,
        most,
        report.verdict()
    );
    h.open("figure", &[]).nl();
    h.open(
        "svg",
        &[
            ("viewBox", &format!("0 0 {WIDTH} {HEIGHT}")),
            ("role", "img"),
            ("aria-label", &label),
            ("style", "width:100%;height:auto;max-width:48rem"),
        ],
    )
    .nl();
    // The base, shaded.
    let base_right = x(report.base) + plot_w / n as f64 / 2.0;
    h.empty(
        "rect",
        &[
            ("x", &f(LEFT)),
            ("y", &f(TOP)),
            ("width", &f(base_right - LEFT)),
            ("height", &f(plot_h)),
            ("fill", "#e5e9f0"),
        ],
    )
    .nl();
    h.element("text", &[("x", &f(LEFT + 4.0)), ("y", &f(TOP + 14.0)), ("font-size", "11")], "base")
        .nl();
    // Axes.
    let bottom = f(TOP + plot_h);
    h.empty(
        "line",
        &[
            ("x1", &f(LEFT)),
            ("y1", &bottom),
            ("x2", &f(WIDTH - RIGHT)),
            ("y2", &bottom),
            ("stroke", "#4c566a"),
        ],
    )
    .nl();
    h.empty(
        "line",
        &[
            ("x1", &f(LEFT)),
            ("y1", &f(TOP)),
            ("x2", &f(LEFT)),
            ("y2", &bottom),
            ("stroke", "#4c566a"),
        ],
    )
    .nl();
    for codes in [0, most] {
        h.element(
            "text",
            &[
                ("x", &f(LEFT - 6.0)),
                ("y", &f(y(codes) + 4.0)),
                ("font-size", "11"),
                ("text-anchor", "end"),
            ],
            &codes.to_string(),
        )
        .nl();
    }
    // The curve.
    let points: Vec<String> = report
        .interviews
        .iter()
        .enumerate()
        .map(|(i, interview)| format!("{},{}", f(x(i + 1)), f(y(interview.cumulative))))
        .collect();
    h.empty(
        "polyline",
        &[
            ("points", &points.join(" ")),
            ("fill", "none"),
            ("stroke", "#5e81ac"),
            ("stroke-width", "2"),
        ],
    )
    .nl();
    for (i, interview) in report.interviews.iter().enumerate() {
        h.open(
            "circle",
            &[
                ("cx", &f(x(i + 1))),
                ("cy", &f(y(interview.cumulative))),
                ("r", "3"),
                ("fill", "#5e81ac"),
            ],
        );
        h.element(
            "title",
            &[],
            &format!(
                "{} (interview {}): {} codes so far",
                interview.case,
                i + 1,
                interview.cumulative
            ),
        );
        h.close("circle").nl();
    }
    // The runs, one mark each under the axis, staggered in two rows so
    // that overlapping runs stay apart.
    let reached = report.saturation.interviews;
    for (k, run) in report.runs.iter().enumerate() {
        let row = TOP + plot_h + 8.0 + (k % 2) as f64 * 7.0;
        let saturating = Some(run.last) == reached;
        let colour = if saturating { "#bf616a" } else { "#81a1c1" };
        h.open(
            "line",
            &[
                ("x1", &f(x(run.first) - 4.0)),
                ("y1", &f(row)),
                ("x2", &f(x(run.last) + 4.0)),
                ("y2", &f(row)),
                ("stroke", colour),
                ("stroke-width", if saturating { "4" } else { "3" }),
            ],
        );
        h.element(
            "title",
            &[],
            &format!("run {}–{}: {:.1}% new information", run.first, run.last, run.new_percent),
        );
        h.close("line").nl();
    }
    for i in [1, n] {
        h.element(
            "text",
            &[
                ("x", &f(x(i))),
                ("y", &f(HEIGHT - 12.0)),
                ("font-size", "11"),
                ("text-anchor", "middle"),
            ],
            &i.to_string(),
        )
        .nl();
    }
    h.element(
        "text",
        &[
            ("x", &f(LEFT + plot_w / 2.0)),
            ("y", &f(HEIGHT - 12.0)),
            ("font-size", "11"),
            ("text-anchor", "middle"),
        ],
        "interview",
    )
    .nl();
    h.close("svg").nl();
    h.element(
        "figcaption",
        &[],
        "Distinct codes seen by each interview (line); the base shaded; each run marked under the axis, the run that reaches saturation in red.",
    )
    .nl();
    h.close("figure").nl();
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let Some(report) = &contents.saturation else { return };
    use crate::render::markup::Markup;
    md.paragraph(EXPLAINED);
    let curve: Vec<String> =
        report.interviews.iter().map(|i| format!("{} {}", i.case, i.cumulative)).collect();
    md.paragraph(&format!("Distinct codes by interview: {}.", curve.join(", ")));
    // The table and the verdict, as `qda saturation --format markdown`
    // writes them, without its heading.
    report.body(md);
}
