//! Each exclusive group's tally: a bar chart with 95% Wilson whiskers, and
//! the same numbers as a table.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::{GroupReport, interval_shown, percent_shown};
use crate::report::contents::Contents;
use crate::report::html::{Html, anchor};
use crate::report::sections::shown::{colour, pct};

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let n = contents.tally.n.to_string();
    h.open("p", &[]).text(&format!(
        "Each case is assigned exactly one code of each exclusive group. Bars show the share of the {n} cases; whiskers the 95% Wilson interval."
    )).close("p").nl();
    for group in &contents.tally.groups {
        h.element("h3", &[("id", &anchor("group", &group.parent))], &group.title()).nl();
        chart(contents, group, h);
        h.raw("<div class=\"scroll\"><table>").nl();
        h.open("caption", &[])
            .text(&format!("{}: cases per code (n = {n})", group.parent))
            .close("caption");
        h.raw("<thead><tr><th scope=\"col\">code</th><th scope=\"col\">label</th><th scope=\"col\" class=\"num\">cases</th><th scope=\"col\" class=\"num\">%</th><th scope=\"col\" class=\"num\">95% CI (Wilson)</th></tr></thead><tbody>").nl();
        for row in &group.rows {
            h.raw("<tr><td>");
            h.open(
                "span",
                &[
                    ("class", "swatch"),
                    ("style", &format!("background:{}", colour(contents, &row.code))),
                ],
            )
            .close("span");
            h.open("code", &[]).text(&row.code).close("code").raw("</td>");
            h.element("td", &[], &row.label);
            h.element("td", &[("class", "num")], &row.cases.to_string());
            h.element("td", &[("class", "num")], &percent_shown(row.percent));
            h.element("td", &[("class", "num")], &interval_shown(row.wilson_95));
            h.raw("</tr>").nl();
        }
        h.raw("<tr class=\"total\"><td>total</td><td></td>");
        h.element("td", &[("class", "num")], &n);
        h.raw("<td class=\"num\">100.0</td><td></td></tr>").nl();
        h.raw("</tbody></table></div>").nl();
        h.element("p", &[("class", "note")], &format!("Decided by: {}.", routes(group))).nl();
    }
}

fn routes(group: &GroupReport) -> String {
    format!("{} (resolve = {})", group.decided_by(), group.resolve)
}

/// Bars as HTML rows: the label and numbers are text (they wrap and scale
/// like text on a phone); only the bar and whisker are SVG, stretched to
/// the row's width, with strokes that keep their width when stretched.
fn chart(contents: &Contents<'_>, group: &GroupReport, h: &mut Html) {
    h.open("figure", &[("class", "bars")]).nl();
    for row in &group.rows {
        h.raw("<div class=\"bar-row\"><span class=\"bar-label\">").text(&row.code);
        if row.label != row.code {
            h.element("small", &[], &row.label);
        }
        h.raw("</span>");
        let interval = row.wilson_95.map_or_else(
            || "undefined".to_owned(),
            |[lower, upper]| format!("{} to {}", pct(lower), pct(upper)),
        );
        let described = format!(
            "{}: {} of {} cases, {}%, 95% interval {interval}",
            row.code,
            row.cases,
            contents.tally.n,
            percent_shown(row.percent),
        );
        h.open(
            "svg",
            &[
                ("viewBox", "0 0 100 14"),
                ("preserveAspectRatio", "none"),
                ("role", "img"),
                ("aria-label", &described),
            ],
        );
        h.empty(
            "rect",
            &[("x", "0"), ("y", "0"), ("width", "100"), ("height", "14"), ("fill", "#ffffff")],
        );
        for x in ["25", "50", "75"] {
            h.empty(
                "line",
                &[
                    ("x1", x),
                    ("y1", "0"),
                    ("x2", x),
                    ("y2", "14"),
                    ("stroke", "#d8dee4"),
                    ("vector-effect", "non-scaling-stroke"),
                ],
            );
        }
        h.empty(
            "rect",
            &[
                ("x", "0"),
                ("y", "3"),
                // No bar where the share is undefined (no cases).
                ("width", &format!("{:.2}", row.percent.unwrap_or(0.0))),
                ("height", "8"),
                ("fill", &colour(contents, &row.code)),
            ],
        );
        let stroke = [
            ("stroke", "#1f2328"),
            ("stroke-width", "1.5"),
            ("vector-effect", "non-scaling-stroke"),
        ];
        let line = |h: &mut Html, x1: &str, y1: &str, x2: &str, y2: &str| {
            let mut attrs = vec![("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)];
            attrs.extend(stroke);
            h.empty("line", &attrs);
        };
        if let Some([lower, upper]) = row.wilson_95 {
            let (lo, hi) = (format!("{lower:.2}"), format!("{upper:.2}"));
            line(h, &lo, "7", &hi, "7");
            line(h, &lo, "3.5", &lo, "10.5");
            line(h, &hi, "3.5", &hi, "10.5");
        }
        h.raw("</svg><span class=\"bar-value\">");
        h.text(&format!("{} · {}%", row.cases, percent_shown(row.percent)));
        h.raw("<br>")
            .element("small", &[], &interval_shown(row.wilson_95))
            .raw("</span></div>")
            .nl();
    }
    h.raw("<div class=\"axis\" aria-hidden=\"true\"><span></span><span class=\"ticks\"><span>0%</span><span>50%</span><span>100%</span></span><span></span></div>").nl();
    h.open("figcaption", &[])
        .text(&format!(
            "{}: share of cases (bar) and 95% Wilson interval (whisker).",
            group.title()
        ))
        .close("figcaption");
    h.close("figure").nl();
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    for group in &contents.tally.groups {
        md.heading(3, &group.title());
        let mut table = Table::new(vec![
            ("code", Align::Left),
            ("label", Align::Left),
            ("cases", Align::Right),
            ("%", Align::Right),
            ("95% CI (Wilson)", Align::Right),
        ]);
        for row in &group.rows {
            table.push(vec![
                row.code.clone(),
                row.label.clone(),
                row.cases.to_string(),
                percent_shown(row.percent),
                interval_shown(row.wilson_95),
            ]);
        }
        table.push(vec![
            "total".to_owned(),
            String::new(),
            contents.tally.n.to_string(),
            pct(100.0),
            String::new(),
        ]);
        md.table(&table);
        md.blank();
        md.paragraph(&format!("Decided by: {}.", routes(group)));
    }
}

/// Every codable code: segments, cases, share of cases with its interval.
pub(crate) fn codes_html(contents: &Contents<'_>, h: &mut Html) {
    h.element(
        "p",
        &[],
        "Every code that segments can carry: how many segments carry it, and how many cases have at least one such segment.",
    )
    .nl();
    h.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">code</th><th scope=\"col\">parent</th><th scope=\"col\" class=\"num\">segments</th><th scope=\"col\" class=\"num\">cases</th><th scope=\"col\" class=\"num\">%</th><th scope=\"col\" class=\"num\">95% CI (Wilson)</th></tr></thead><tbody>").nl();
    for code in &contents.tally.codes {
        h.open("tr", &[]).open("td", &[]);
        h.open("a", &[("href", &format!("#{}", anchor("code", &code.code)))]);
        h.element("code", &[], &code.code).close("a").close("td");
        h.element("td", &[], code.parent.as_deref().unwrap_or(""));
        h.element("td", &[("class", "num")], &code.segments.to_string());
        h.element("td", &[("class", "num")], &code.cases.to_string());
        h.element("td", &[("class", "num")], &percent_shown(code.percent));
        h.element("td", &[("class", "num")], &interval_shown(code.wilson_95));
        h.close("tr").nl();
    }
    h.raw("</tbody></table></div>").nl();
}

pub(crate) fn codes_markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let mut table = Table::new(vec![
        ("code", Align::Left),
        ("parent", Align::Left),
        ("segments", Align::Right),
        ("cases", Align::Right),
        ("%", Align::Right),
        ("95% CI (Wilson)", Align::Right),
    ]);
    for code in &contents.tally.codes {
        table.push(vec![
            code.code.clone(),
            code.parent.clone().unwrap_or_default(),
            code.segments.to_string(),
            code.cases.to_string(),
            percent_shown(code.percent),
            interval_shown(code.wilson_95),
        ]);
    }
    md.table(&table);
    md.blank();
}
