//! The provenance footer: the command line, the tool's version, and the
//! SHA-256 of every input, so a reader can check the report's sources.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::report::contents::Contents;
use crate::report::html::Html;

fn command(contents: &Contents<'_>) -> String {
    let p = &contents.tally.provenance;
    std::iter::once(p.tool)
        .chain(p.arguments.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let p = &contents.tally.provenance;
    h.raw("<footer class=\"provenance\" id=\"provenance\">").nl();
    h.element("h2", &[], "Provenance").nl();
    h.open("p", &[])
        .text(&format!("Made by {} {} with ", p.tool, p.version))
        .element("code", &[], &command(contents))
        .text(&format!(". Counted codings: {}. Inputs and their SHA-256:", contents.coder))
        .close("p")
        .nl();
    h.raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">file</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>").nl();
    for input in &p.inputs {
        h.raw("<tr><td>").element("code", &[], &input.path).raw("</td><td>");
        h.element("code", &[("class", "hash")], &input.sha256).raw("</td></tr>").nl();
    }
    h.raw("</tbody></table></div>").nl();
    h.raw("</footer>").nl();
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let p = &contents.tally.provenance;
    md.text(&format!("Made by {} {} with ", p.tool, p.version))
        .code(&command(contents))
        .text(&format!(". Counted codings: {}.", contents.coder))
        .raw("\n\n");
    let mut table =
        Table::new(vec![("file", Align::Left), ("SHA-256", Align::Left)]).code_column(1);
    for input in &p.inputs {
        table.push(vec![input.path.clone(), input.sha256.clone()]);
    }
    md.table(&table);
}
