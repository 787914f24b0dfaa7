//! Excerpts as Markdown: a section per code, a subsection per case with
//! its attributes, and each excerpt as a block quote with its segment.

use super::{Excerpts, attribute_line, byline};
use crate::render::markdown::Markdown;

pub(super) fn render(excerpts: &Excerpts<'_>, coder: &str) -> String {
    let mut md = Markdown::default();
    md.raw("# ").text(&excerpts.title()).raw("\n\n");
    md.text(&excerpts.summary(coder)).raw("\n");
    for code in excerpts.codes() {
        md.raw("\n## ").text(&excerpts.heading(code)).raw("\n");
        for (case, list) in excerpts.by_case(code) {
            md.raw("\n### ").text(&case.case).raw("\n\n");
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                md.text(&attributes).raw("\n\n");
            }
            for e in list {
                let mut quote = Markdown::default();
                quote.text_lines(&e.text).raw("\n\n");
                quote.raw("— ").text(&byline(e)).raw("\n");
                md.quote(quote).raw("\n");
            }
        }
    }
    md.finish()
}
