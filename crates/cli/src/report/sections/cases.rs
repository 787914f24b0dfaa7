//! The cases: attributes, the code each exclusive group assigned and how,
//! and the codes their segments carry. Excerpts link here.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::report::contents::Contents;
use crate::report::html::{Html, anchor};

/// The attribute names of all cases, in first-seen order.
fn attribute_names(contents: &Contents<'_>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for case in &contents.cases {
        for name in case.attributes.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn groups(contents: &Contents<'_>) -> Vec<String> {
    contents.tally.groups.iter().map(|g| g.parent.clone()).collect()
}

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let attributes = attribute_names(contents);
    h.element("p", &[], "One row per case; the table scrolls sideways on a narrow screen.").nl();
    h.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">case</th>");
    for group in groups(contents) {
        h.element("th", &[("scope", "col")], &group);
    }
    h.raw("<th scope=\"col\">codes (segments)</th>");
    for name in &attributes {
        h.element("th", &[("scope", "col")], name);
    }
    h.raw("</tr></thead><tbody>").nl();
    for case in &contents.cases {
        h.open("tr", &[("id", &anchor("case", &case.case))]);
        h.open("th", &[("scope", "row"), ("title", &case.path)]).text(&case.case).close("th");
        for (_, code, route) in &case.assigned {
            h.open("td", &[])
                .element("code", &[], code)
                .raw("<br>")
                .element("small", &[], route)
                .close("td");
        }
        h.open("td", &[]);
        for (i, (code, n)) in case.codes.iter().enumerate() {
            if i > 0 {
                h.raw(", ");
            }
            h.open("a", &[("href", &format!("#{}", anchor("excerpts", code)))])
                .text(code)
                .close("a");
            h.text(&format!(" ({n})"));
        }
        h.close("td");
        for name in &attributes {
            let value = case.attributes.get(name).map(ToString::to_string).unwrap_or_default();
            h.element("td", &[], &value);
        }
        h.close("tr").nl();
    }
    h.raw("</tbody></table></div>").nl();
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let attributes = attribute_names(contents);
    let mut headers: Vec<String> = vec!["case".to_owned()];
    headers.extend(groups(contents));
    headers.push("codes (segments)".to_owned());
    headers.extend(attributes.iter().cloned());
    let mut table = Table::new(headers.iter().map(|h| (h.as_str(), Align::Left)).collect());
    for case in &contents.cases {
        let mut cells = vec![case.case.clone()];
        cells.extend(case.assigned.iter().map(|(_, code, route)| format!("{code} ({route})")));
        let codes: Vec<String> =
            case.codes.iter().map(|(code, n)| format!("{code} ({n})")).collect();
        cells.push(codes.join(", "));
        cells.extend(
            attributes
                .iter()
                .map(|name| case.attributes.get(name).map(ToString::to_string).unwrap_or_default()),
        );
        table.push(cells);
    }
    md.table(&table);
    md.blank();
}
