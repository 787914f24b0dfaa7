//! Excerpts as one self-contained web page, styled as `qda report` is
//! (its inline CSS, no script, font or link), every value escaped; memos
//! rendered from their Markdown (`render::memo_markdown`).

use std::io::Write;

use anyhow::Result;

use super::{Excerpts, attribute_line, segment_line};
use crate::output::Sink;
use crate::render::memo_markdown::memo_html;
use crate::report::html::{Html, anchor};

pub(super) fn render(excerpts: &Excerpts<'_>, coder: &str, out: &mut Sink) -> Result<()> {
    let mut h = Html::default();
    let title = excerpts.title();
    h.page_head(&title);
    h.raw("<header class=\"title\">\n<p class=\"kicker\">qda excerpts</p>\n");
    h.element("h1", &[], &title).nl();
    h.element("p", &[("class", "lede")], &excerpts.summary(coder)).nl();
    let codes = excerpts.codes();
    let memos: Vec<_> = excerpts.case_memos().collect();
    h.raw("<nav class=\"toc\" aria-label=\"Contents\"><ol>");
    for code in &codes {
        h.open("li", &[]).open("a", &[("href", &format!("#{}", anchor("code", code)))]);
        h.text(&excerpts.path(code)).close("a").close("li");
    }
    if !memos.is_empty() {
        h.raw("<li><a href=\"#case-memos\">Case memos</a></li>");
    }
    h.raw("</ol></nav>\n</header>\n<main>\n");
    out.write_all(h.finish().as_bytes())?;
    for code in codes {
        let mut h = Html::default();
        h.open("section", &[("id", &anchor("code", code))]).nl();
        h.element("h2", &[], &excerpts.heading(code)).nl();
        if let Some(memo) = excerpts.code_memo(code) {
            h.rendered(&memo_html(memo));
        }
        out.write_all(h.finish().as_bytes())?;
        excerpts.by_case(code, |case, list| {
            let mut h = Html::default();
            h.open("h3", &[]);
            if case.memo.is_some() {
                h.open("a", &[("href", &format!("#{}", anchor("case", &case.case)))]);
                h.text(&case.case).close("a");
            } else {
                h.text(&case.case);
            }
            h.close("h3").nl();
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                h.element("p", &[("class", "note")], &attributes).nl();
            }
            for e in &list {
                h.open("blockquote", &[("class", "excerpt")]);
                h.element("p", &[], &e.text);
                h.element("footer", &[], &segment_line(e));
                if let Some(memo) = &e.memo {
                    h.rendered(&memo_html(memo));
                }
                h.close("blockquote").nl();
            }
            Ok(out.write_all(h.finish().as_bytes())?)
        })?;
        out.write_all(b"</section>\n")?;
    }
    let mut h = Html::default();
    if !memos.is_empty() {
        h.raw("<section id=\"case-memos\">\n");
        h.element("h2", &[], "Case memos").nl();
        for (case, memo) in memos {
            h.element("h3", &[("id", &anchor("case", &case.case))], &case.case).nl();
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                h.element("p", &[("class", "note")], &attributes).nl();
            }
            h.rendered(&memo_html(memo));
        }
        h.raw("</section>\n");
    }
    h.raw("</main>\n</div>\n</body>\n</html>\n");
    out.write_all(h.finish().as_bytes())?;
    Ok(())
}
