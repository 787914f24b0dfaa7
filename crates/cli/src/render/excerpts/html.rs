//! Excerpts as one self-contained web page, styled as `qda report` is
//! (its inline CSS, no script, font or link), every value escaped.

use super::{Excerpts, attribute_line, byline};
use crate::report::html::{Html, anchor};

pub(super) fn render(excerpts: &Excerpts<'_>, coder: &str) -> String {
    let mut h = Html::default();
    let title = excerpts.title();
    h.page_head(&title);
    h.raw("<header class=\"title\">\n<p class=\"kicker\">qda excerpts</p>\n");
    h.element("h1", &[], &title).nl();
    h.element("p", &[("class", "lede")], &excerpts.summary(coder)).nl();
    let codes = excerpts.codes();
    h.raw("<nav class=\"toc\" aria-label=\"Contents\"><ol>");
    for code in &codes {
        h.open("li", &[]).open("a", &[("href", &format!("#{}", anchor("code", code)))]);
        h.text(&excerpts.path(code)).close("a").close("li");
    }
    h.raw("</ol></nav>\n</header>\n<main>\n");
    for code in codes {
        h.open("section", &[("id", &anchor("code", code))]).nl();
        h.element("h2", &[], &excerpts.heading(code)).nl();
        for (case, list) in excerpts.by_case(code) {
            h.element("h3", &[], &case.case).nl();
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                h.element("p", &[("class", "note")], &attributes).nl();
            }
            for e in list {
                h.open("blockquote", &[("class", "excerpt")]);
                h.element("p", &[], &e.text);
                h.element("footer", &[], &byline(e));
                h.close("blockquote").nl();
            }
        }
        h.close("section").nl();
    }
    h.raw("</main>\n</div>\n</body>\n</html>\n");
    h.finish()
}
