//! Crosstabs by a case attribute (`--by`): each exclusive group's codes by
//! the attribute's values (counts with column percentages, and the tests of
//! independence), then every code by the attribute with Fisher's exact test
//! of "with the code" against "without". The numbers and sentences are those
//! of `qda tally --by` (`render::crosstab`), so the report and the tally
//! agree.

use indexmap::IndexMap;

use crate::render::crosstab::{Crosstab, FisherResult};
use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::report::contents::Contents;
use crate::report::html::Html;
use crate::report::sections::chart::{self, Bar, Group};
use crate::report::sections::shown::{colour, share};

/// One table as the report shows it: a title, the columns with their case
/// totals, rows of (code, label, counts per column, the row's own test),
/// and the table's tests.
struct View<'s> {
    title: String,
    columns: &'s IndexMap<String, usize>,
    rows: Vec<Line<'s>>,
    total: usize,
    tests: Vec<String>,
    /// Whether rows carry their own test (the codes table).
    row_tests: bool,
}

struct Line<'s> {
    code: &'s str,
    /// The code as the row names it (a parent's roll-up marked).
    shown: String,
    label: &'s str,
    counts: &'s IndexMap<String, usize>,
    /// Fisher's exact test of this code against its absence.
    fisher: Option<String>,
    /// The crosstab this line is a row of, and the row, for the chart.
    crosstab: Option<(&'s Crosstab, usize)>,
}

/// Fisher's p-value of a crosstab, when it was computed.
fn fisher(crosstab: Option<&Crosstab>) -> Option<String> {
    crosstab?.tests.fisher_exact.as_ref().map(FisherResult::cell)
}

fn views<'s>(contents: &'s Contents<'_>) -> Vec<View<'s>> {
    let Some(split) = &contents.tally.by else { return Vec::new() };
    let mut views: Vec<View<'s>> = contents
        .tally
        .groups
        .iter()
        .map(|g| View {
            title: format!("{} by {}", g.parent, split.attribute),
            columns: &split.cases,
            rows: g
                .rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let counts = r.by.as_ref()?;
                    let crosstab = g.crosstab.as_ref().map(|x| (x, i));
                    let shown = r.code.clone();
                    Some(Line {
                        code: &r.code,
                        shown,
                        label: &r.label,
                        counts,
                        fisher: None,
                        crosstab,
                    })
                })
                .collect(),
            total: contents.tally.n,
            tests: g.crosstab.as_ref().map(Crosstab::test_lines).unwrap_or_default(),
            row_tests: false,
        })
        .collect();
    views.push(View {
        title: format!("cases with each code by {}", split.attribute),
        columns: &split.cases,
        rows: contents
            .tally
            .codes
            .iter()
            .filter_map(|c| {
                let counts = c.by.as_ref()?;
                let fisher = fisher(c.crosstab.as_ref());
                let crosstab = c.crosstab.as_ref().map(|x| (x, 0));
                Some(Line {
                    code: &c.code,
                    shown: c.shown(),
                    label: &c.label,
                    counts,
                    fisher,
                    crosstab,
                })
            })
            .collect(),
        total: contents.tally.n,
        tests: std::iter::once(format!(
            "Fisher's exact test per code: cases with the code against cases without it, by {}",
            split.attribute
        ))
        .chain(FisherResult::methods(
            contents
                .tally
                .codes
                .iter()
                .filter_map(|c| c.crosstab.as_ref()?.tests.fisher_exact.as_ref()),
        ))
        .collect(),
        row_tests: true,
    });
    views
}

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let Some(split) = &contents.tally.by else { return };
    h.open("p", &[])
        .text(&format!(
            "Cases by {}: count, and in brackets the percentage of the column's cases.",
            split.attribute
        ))
        .close("p")
        .nl();
    for view in views(contents) {
        h.element("h3", &[], &view.title).nl();
        h.raw("<div class=\"scroll\"><table>").nl();
        h.raw("<thead><tr><th scope=\"col\">code</th>");
        for (value, n) in view.columns {
            h.open("th", &[("scope", "col"), ("class", "num")])
                .text(value)
                .raw("<br><small>n = ")
                .text(&n.to_string())
                .raw("</small></th>");
        }
        h.raw("<th scope=\"col\" class=\"num\">all<br><small>n = ")
            .text(&view.total.to_string())
            .raw("</small></th>");
        if view.row_tests {
            h.raw("<th scope=\"col\" class=\"num\">Fisher p</th>");
        }
        h.raw("</tr></thead><tbody>").nl();
        for line in &view.rows {
            h.open("tr", &[]).open("th", &[("scope", "row"), ("title", line.label)]);
            h.element("code", &[], &line.shown).close("th");
            let mut all = 0;
            for (value, n) in line.counts {
                all += n;
                cell(h, *n, view.columns.get(value).copied().unwrap_or(0));
            }
            cell(h, all, view.total);
            if view.row_tests {
                h.element("td", &[("class", "num")], line.fisher.as_deref().unwrap_or("–"));
            }
            h.close("tr").nl();
        }
        h.raw("</tbody></table></div>").nl();
        chart(contents, &split.attribute, &view, h);
        for test in &view.tests {
            h.element("p", &[("class", "note")], &sentence(test)).nl();
        }
    }
}

/// A view as grouped bars: each value's share of cases with each code and
/// its 95% Wilson interval. A group's codes are grouped by value (the bars
/// of a value add up to 100%); the codes table's by code (each bar is the
/// share of that value's cases with the code).
fn chart(contents: &Contents<'_>, attribute: &str, view: &View<'_>, h: &mut Html) {
    let bar = |line: &Line<'_>, column: usize, name: String, detail: Option<String>| {
        let (crosstab, row) = line.crosstab?;
        let cell = crosstab.cells.get(row)?.get(column)?;
        Some(Bar {
            name,
            detail,
            cases: cell.count as usize,
            of: crosstab.column_totals[column] as usize,
            percent: cell.column.map(|s| s.percent),
            wilson_95: cell.column.map(|s| s.wilson_95),
            colour: colour(contents, line.code),
        })
    };
    let groups: Vec<Group> = if view.row_tests {
        view.rows
            .iter()
            .map(|line| Group {
                heading: Some(line.shown.clone()),
                bars: view
                    .columns
                    .keys()
                    .enumerate()
                    .filter_map(|(c, value)| bar(line, c, value.clone(), None))
                    .collect(),
            })
            .collect()
    } else {
        view.columns
            .iter()
            .enumerate()
            .map(|(c, (value, n))| Group {
                heading: Some(format!("{attribute} = {value} (n = {n})")),
                bars: view
                    .rows
                    .iter()
                    .filter_map(|line| {
                        let detail = (line.label != line.code).then(|| line.label.to_owned());
                        bar(line, c, line.code.to_owned(), detail)
                    })
                    .collect(),
            })
            .collect()
    };
    if groups.iter().all(|g| g.bars.is_empty()) {
        return;
    }
    let caption = if view.row_tests {
        format!(
            "{}: for each code, the share of each {attribute}'s cases with the code (bar) and its 95% Wilson interval (whisker).",
            view.title
        )
    } else {
        format!(
            "{}: for each {attribute}, the share of its cases with each code (bar) and its 95% Wilson interval (whisker).",
            view.title
        )
    };
    chart::figure(h, &groups, &caption);
}

/// A test line as a sentence: capitalised, with a full stop.
fn sentence(line: &str) -> String {
    let mut chars = line.chars();
    let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    let rest = chars.as_str();
    if rest.ends_with('.') { format!("{first}{rest}") } else { format!("{first}{rest}.") }
}

fn cell(h: &mut Html, n: usize, column: usize) {
    h.open("td", &[("class", "num")])
        .text(&n.to_string())
        .raw(" <small>(")
        .text(&share(n, column))
        .raw(")</small></td>");
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let Some(split) = &contents.tally.by else { return };
    md.paragraph(&format!(
        "Cases by {}: count (percentage of the column's cases).",
        split.attribute
    ));
    for view in views(contents) {
        md.heading(3, &view.title);
        let mut headers: Vec<String> = std::iter::once("code".to_owned())
            .chain(view.columns.iter().map(|(v, n)| format!("{v} (n = {n})")))
            .chain(std::iter::once(format!("all (n = {})", view.total)))
            .collect();
        if view.row_tests {
            headers.push("Fisher p".to_owned());
        }
        let mut table = Table::new(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.as_str(), if i == 0 { Align::Left } else { Align::Right }))
                .collect(),
        );
        for line in &view.rows {
            let mut cells = vec![line.shown.clone()];
            let mut all = 0;
            for (value, n) in line.counts {
                all += n;
                cells.push(format!(
                    "{n} ({})",
                    share(*n, view.columns.get(value).copied().unwrap_or(0))
                ));
            }
            cells.push(format!("{all} ({})", share(all, view.total)));
            if view.row_tests {
                cells.push(line.fisher.clone().unwrap_or_else(|| "–".to_owned()));
            }
            table.push(cells);
        }
        md.table(&table);
        md.blank();
        for test in &view.tests {
            md.paragraph(&sentence(test));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn test_lines_become_sentences() {
        assert_eq!(super::sentence("chi-square = 1, p = 0.5"), "Chi-square = 1, p = 0.5.");
        assert_eq!(super::sentence("done."), "Done.");
    }
}
