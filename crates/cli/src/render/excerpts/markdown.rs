//! Excerpts as Markdown: a section per code (with the code's memo), a
//! subsection per case with its attributes, and each excerpt as a block
//! quote with its segment; then the case memos. Memos are Markdown already
//! and are written as they are.

use std::io::Write;

use anyhow::Result;

use super::{Excerpts, attribute_line, byline};
use crate::output::Sink;
use crate::render::markdown::Markdown;

pub(super) fn render(excerpts: &Excerpts<'_>, coder: &str, out: &mut Sink) -> Result<()> {
    let mut md = Markdown::default();
    md.raw("# ").text(&excerpts.title()).raw("\n\n");
    md.text(&excerpts.summary(coder)).raw("\n");
    out.write_all(md.finish().as_bytes())?;
    for code in excerpts.codes() {
        let mut md = Markdown::default();
        md.raw("\n## ").text(&excerpts.heading(code)).raw("\n");
        if let Some(memo) = excerpts.code_memo(code) {
            md.raw("\n").verbatim(memo).raw("\n");
        }
        out.write_all(md.finish().as_bytes())?;
        excerpts.by_case(code, |case, list| {
            let mut md = Markdown::default();
            md.raw("\n### ").text(&case.case).raw("\n\n");
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                md.text(&attributes).raw("\n\n");
            }
            for e in &list {
                let mut quote = Markdown::default();
                quote.text_lines(&e.text).raw("\n\n");
                quote.raw("— ").text(&byline(e)).raw("\n");
                md.quote(quote).raw("\n");
            }
            Ok(out.write_all(md.finish().as_bytes())?)
        })?;
    }
    let mut memos = excerpts.case_memos().peekable();
    if memos.peek().is_some() {
        let mut md = Markdown::default();
        md.raw("\n## Case memos\n");
        for (case, memo) in memos {
            md.raw("\n### ").text(&case.case).raw("\n\n").verbatim(memo).raw("\n");
        }
        out.write_all(md.finish().as_bytes())?;
    }
    Ok(())
}
