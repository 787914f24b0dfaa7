//! Crosstabs by a case attribute (`--by`): each exclusive group's codes by
//! the attribute's values, counts with column percentages.

use indexmap::IndexMap;

use crate::render::table::{Align, Table};
use crate::report::html::Html;
use crate::report::markdown;
use crate::report::sections::share;
use crate::report::study::{GroupTest, Study};

/// A p-value as reported: three decimals, or "< 0.001".
fn p(value: f64) -> String {
    if value < 0.001 { "< 0.001".to_owned() } else { format!("= {value:.3}") }
}

/// The tests of independence in one paragraph.
fn verdict(test: &GroupTest) -> String {
    let mut parts = Vec::new();
    if let Some(chi) = &test.chi_square {
        let yates = if chi.corrected { ", Yates-corrected" } else { "" };
        parts.push(format!(
            "Pearson's χ² = {:.2}, df = {}, p {}{yates}",
            chi.statistic,
            chi.df,
            p(chi.p_value)
        ));
        if chi.cells_expected_below_5 > 0 {
            parts.push(format!(
                "{} of {} cells have an expected count below 5, so the χ² approximation is doubtful",
                chi.cells_expected_below_5, chi.cells
            ));
        }
    }
    match test.fisher {
        Some(qda_stats::FisherExact::Exact { p_value, .. }) => {
            parts.push(format!("Fisher's exact test: p {}", p(p_value)));
        }
        Some(qda_stats::FisherExact::TooLarge { .. }) => {
            parts.push("Fisher's exact test: the table is too large to enumerate".to_owned());
        }
        None => {}
    }
    if let Some(none) = &test.none {
        parts.push(format!("No test of independence: {none}"));
    }
    format!("{}.", parts.join("; "))
}

/// One crosstab: a title, the column values with their case totals, and
/// rows of (code, label, counts per column).
struct Crosstab<'s> {
    title: String,
    columns: &'s IndexMap<String, usize>,
    rows: Vec<(&'s str, &'s str, &'s IndexMap<String, usize>)>,
    total: usize,
    /// The test of independence, for an exclusive group.
    test: Option<&'s GroupTest>,
}

fn crosstabs<'s>(study: &'s Study<'_>) -> Vec<Crosstab<'s>> {
    let Some(split) = &study.tally.by else { return Vec::new() };
    let mut tables: Vec<Crosstab<'s>> = study
        .tally
        .groups
        .iter()
        .zip(&study.group_tests)
        .map(|(g, test)| Crosstab {
            title: format!("{} by {}", g.parent, split.attribute),
            columns: &split.cases,
            rows: g
                .rows
                .iter()
                .filter_map(|r| Some((r.code.as_str(), r.label.as_str(), r.by.as_ref()?)))
                .collect(),
            total: study.tally.n,
            test: Some(test),
        })
        .collect();
    tables.push(Crosstab {
        title: format!("cases with each code by {}", split.attribute),
        columns: &split.cases,
        rows: study
            .tally
            .codes
            .iter()
            .filter_map(|c| Some((c.code.as_str(), c.label.as_str(), c.by.as_ref()?)))
            .collect(),
        total: study.tally.n,
        test: None,
    });
    tables
}

pub(crate) fn html(study: &Study<'_>, h: &mut Html) {
    let Some(split) = &study.tally.by else { return };
    h.open("p", &[])
        .text(&format!(
            "Cases by {}: count, and in brackets the percentage of the column's cases.",
            split.attribute
        ))
        .close("p")
        .nl();
    for table in crosstabs(study) {
        h.element("h3", &[], &table.title).nl();
        h.raw("<div class=\"scroll\"><table>").nl();
        h.raw("<thead><tr><th scope=\"col\">code</th>");
        for (value, n) in table.columns {
            h.open("th", &[("scope", "col"), ("class", "num")])
                .text(value)
                .raw("<br><small>n = ")
                .text(&n.to_string())
                .raw("</small></th>");
        }
        h.raw("<th scope=\"col\" class=\"num\">all<br><small>n = ")
            .text(&table.total.to_string())
            .raw("</small></th></tr></thead><tbody>")
            .nl();
        for (code, label, counts) in &table.rows {
            h.open("tr", &[]).open("th", &[("scope", "row"), ("title", label)]);
            h.element("code", &[], code).close("th");
            let mut all = 0;
            for (value, n) in *counts {
                all += n;
                let column = table.columns.get(value).copied().unwrap_or(0);
                cell(h, *n, column);
            }
            cell(h, all, table.total);
            h.close("tr").nl();
        }
        h.raw("</tbody></table></div>").nl();
        if let Some(test) = table.test {
            h.element("p", &[("class", "note")], &verdict(test)).nl();
        }
    }
}

fn cell(h: &mut Html, n: usize, column: usize) {
    h.open("td", &[("class", "num")])
        .text(&n.to_string())
        .raw(" <small>(")
        .text(&share(n, column))
        .raw(")</small></td>");
}

pub(crate) fn markdown(study: &Study<'_>, out: &mut String) {
    let Some(split) = &study.tally.by else { return };
    out.push_str(&format!(
        "Cases by {}: count (percentage of the column's cases).\n\n",
        markdown::text(&split.attribute)
    ));
    for t in crosstabs(study) {
        out.push_str(&format!("### {}\n\n", markdown::text(&t.title)));
        let headers: Vec<String> = std::iter::once("code".to_owned())
            .chain(t.columns.iter().map(|(v, n)| format!("{} (n = {n})", markdown::text(v))))
            .chain(std::iter::once(format!("all (n = {})", t.total)))
            .collect();
        let mut table = Table::new(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.as_str(), if i == 0 { Align::Left } else { Align::Right }))
                .collect(),
        );
        for (code, _, counts) in &t.rows {
            let mut cells = vec![markdown::text(code)];
            let mut all = 0;
            for (value, n) in *counts {
                all += n;
                cells.push(format!(
                    "{n} ({})",
                    share(*n, t.columns.get(value).copied().unwrap_or(0))
                ));
            }
            cells.push(format!("{all} ({})", share(all, t.total)));
            table.push(cells);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
        if let Some(test) = t.test {
            out.push_str(&format!("{}\n\n", verdict(test)));
        }
    }
}
