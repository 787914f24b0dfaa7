//! The adjudications: each decision on a conflicting case, with its note.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::report::contents::{AdjudicationEntry, Contents};
use crate::report::html::{Html, anchor};

fn candidates(entry: &AdjudicationEntry) -> String {
    let parts: Vec<String> = entry
        .candidates
        .iter()
        .map(|(code, n)| format!("{code} ({n} segment{})", if *n == 1 { "" } else { "s" }))
        .collect();
    parts.join(", ")
}

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let from = contents.adjudications_path.as_deref().unwrap_or("");
    h.open("p", &[])
        .text("Cases whose segments carry several codes of an exclusive group, and the decision recorded for each in ")
        .element("code", &[], from)
        .text(".")
        .close("p")
        .nl();
    for entry in &contents.adjudications {
        h.open("div", &[("class", "decision")]).raw("<p class=\"verdict\">");
        h.open("a", &[("href", &format!("#{}", anchor("case", &entry.case)))])
            .text(&entry.case)
            .close("a");
        h.text(" · ").element("code", &[], &entry.parent).text(" → ").element(
            "code",
            &[],
            &entry.code,
        );
        h.raw("</p>");
        if !entry.candidates.is_empty() {
            h.element(
                "p",
                &[("class", "note")],
                &format!("The segments had: {}.", candidates(entry)),
            );
        }
        h.element("p", &[], &entry.note).close("div").nl();
    }
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let mut table = Table::new(vec![
        ("case", Align::Left),
        ("group", Align::Left),
        ("code", Align::Left),
        ("the segments had", Align::Left),
        ("note", Align::Left),
    ]);
    for entry in &contents.adjudications {
        table.push(vec![
            entry.case.clone(),
            entry.parent.clone(),
            entry.code.clone(),
            candidates(entry),
            entry.note.clone(),
        ]);
    }
    md.table(&table);
    md.blank();
}
