//! The memos a coder wrote on segments they gave no code: often the reason
//! a segment is not coded, or a question for the team.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::report::contents::Contents;
use crate::report::html::{Html, anchor};

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    h.element(
        "p",
        &[],
        "Memos on segments the coder reviewed and gave no code, in case order, with the segment.",
    )
    .nl();
    for entry in &contents.memos {
        h.open("div", &[("class", "decision")]).raw("<p class=\"verdict\">");
        h.open("a", &[("href", &format!("#{}", anchor("case", &entry.case)))])
            .text(&entry.case)
            .close("a");
        h.text(" · ").element("code", &[], &entry.segment).text(" · ").text(&entry.location);
        h.raw("</p>");
        h.element("p", &[], &format!("{}: {}", entry.coder, entry.memo));
        h.element("blockquote", &[], &entry.text).close("div").nl();
    }
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let mut table = Table::new(vec![
        ("case", Align::Left),
        ("segment", Align::Left),
        ("coder", Align::Left),
        ("memo", Align::Left),
        ("text", Align::Left),
    ]);
    for entry in &contents.memos {
        table.push(vec![
            entry.case.clone(),
            entry.segment.clone(),
            entry.coder.clone(),
            entry.memo.clone(),
            entry.text.clone(),
        ]);
    }
    md.table(&table);
    md.blank();
}
