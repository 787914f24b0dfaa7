//! Each exclusive group's tally: a bar chart with 95% Wilson whiskers, and
//! the same numbers as a table.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::{CodeReport, GroupReport, ROLLED_UP, interval_shown, percent_shown};
use crate::report::contents::Contents;
use crate::report::html::{Html, anchor};
use crate::report::sections::chart::{self, Bar, Group};
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

/// A group's children (and `uncoded`) as bars of the share of all cases.
fn chart(contents: &Contents<'_>, group: &GroupReport, h: &mut Html) {
    let bars = group
        .rows
        .iter()
        .map(|row| Bar {
            name: row.code.clone(),
            detail: (row.label != row.code).then(|| row.label.clone()),
            cases: row.cases,
            of: contents.tally.n,
            percent: row.percent,
            wilson_95: row.wilson_95,
            colour: colour(contents, &row.code),
        })
        .collect();
    chart::figure(
        h,
        &[Group { heading: None, bars }],
        &format!("{}: share of cases (bar) and 95% Wilson interval (whisker).", group.title()),
    );
}

/// The codes outside exclusive groups (and the parents' roll-ups) as bars
/// of the share of all cases: a case may have several, so the shares do
/// not add up to 100%.
fn codes_chart(contents: &Contents<'_>, h: &mut Html) {
    let in_group = |code: &CodeReport| {
        !code.rolled_up
            && code
                .parent
                .as_deref()
                .is_some_and(|p| contents.tally.groups.iter().any(|g| g.parent == p))
    };
    let bars: Vec<Bar> = contents
        .tally
        .codes
        .iter()
        .filter(|code| !in_group(code))
        .map(|code| Bar {
            name: code.shown(),
            detail: (code.label != code.code).then(|| code.label.clone()),
            cases: code.cases,
            of: contents.tally.n,
            percent: code.percent,
            wilson_95: code.wilson_95,
            colour: colour(contents, &code.code),
        })
        .collect();
    if bars.is_empty() {
        return;
    }
    chart::figure(
        h,
        &[Group { heading: None, bars }],
        "Codes outside exclusive groups: share of cases with the code (bar) and 95% Wilson interval (whisker); a case may have several codes.",
    );
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
        "Every code that segments can carry: how many segments carry it, and how many cases have at least one such segment. A parent's row marked (rolled up) counts the segments and cases with the parent or any code under it.",
    )
    .nl();
    codes_chart(contents, h);
    h.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">code</th><th scope=\"col\">parent</th><th scope=\"col\" class=\"num\">segments</th><th scope=\"col\" class=\"num\">cases</th><th scope=\"col\" class=\"num\">%</th><th scope=\"col\" class=\"num\">95% CI (Wilson)</th></tr></thead><tbody>").nl();
    for code in &contents.tally.codes {
        h.open("tr", &[]).open("td", &[]);
        h.open("a", &[("href", &format!("#{}", anchor("code", &code.code)))]);
        h.element("code", &[], &code.code).close("a");
        if code.rolled_up {
            h.raw(" ").element("small", &[], ROLLED_UP);
        }
        h.close("td");
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
            code.shown(),
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
