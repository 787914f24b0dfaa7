//! For each code, the segments coded with it, the rule's matched terms
//! marked, each linked to its case.

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::report::contents::{CodeExcerpts, Contents, Excerpt, pieces};
use crate::report::html::{Html, anchor};
use crate::report::sections::shown::colour;

/// A note when `--excerpts` left some of a code's excerpts out.
fn left_out(excerpts: &CodeExcerpts) -> Option<String> {
    (excerpts.shown.len() < excerpts.total).then(|| {
        format!(
            "Showing the first {} of {} excerpts, in case order; --excerpts all shows every one.",
            excerpts.shown.len(),
            excerpts.total
        )
    })
}

/// Who, where and why, in one line.
fn about(e: &Excerpt) -> Vec<String> {
    let mut parts = vec![e.segment.clone(), format!("speaker {}", e.speaker)];
    parts.extend(e.time.clone());
    parts.push(e.location.clone());
    parts.push(e.source.clone());
    parts
}

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    h.element(
        "p",
        &[],
        "The segments each code was given, in case order. Marked words are the code's rule terms that match; the last item names the rule term recorded, or the person who coded the segment.",
    )
    .nl();
    for excerpts in &contents.excerpts {
        let code = &excerpts.code;
        let style = format!("--code:{}", colour(contents, code));
        h.open("section", &[("id", &anchor("excerpts", code)), ("style", &style)]).nl();
        h.open("h3", &[]).element("code", &[], code);
        let label = contents.label(code);
        if label != *code {
            h.text(" · ").text(&label);
        }
        h.close("h3").nl();
        let n = excerpts.total;
        h.element(
            "p",
            &[("class", "note")],
            &format!("{n} segment{}", if n == 1 { "" } else { "s" }),
        )
        .nl();
        if excerpts.total == 0 {
            h.element("p", &[("class", "empty")], "No segment has this code.").nl();
        }
        if let Some(note) = left_out(excerpts) {
            h.element("p", &[("class", "note")], &note).nl();
        }
        for e in &excerpts.shown {
            h.open("blockquote", &[("class", "excerpt")]).raw("<p>");
            for (piece, marked) in pieces(&e.text, &e.marks) {
                if marked {
                    h.element("mark", &[], piece);
                } else {
                    h.text(piece);
                }
            }
            h.raw("</p><footer>");
            h.open("a", &[("href", &format!("#{}", anchor("case", &e.case)))])
                .text(&e.case)
                .close("a");
            for part in about(e) {
                h.text(" · ").text(&part);
            }
            h.raw("</footer></blockquote>").nl();
        }
        h.close("section").nl();
    }
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    for excerpts in &contents.excerpts {
        let code = &excerpts.code;
        let label = contents.label(code);
        if label == *code {
            md.heading(3, code);
        } else {
            md.heading(3, &format!("{code}: {label}"));
        }
        if excerpts.total == 0 {
            md.paragraph("No segment has this code.");
        }
        if let Some(note) = left_out(excerpts) {
            md.paragraph(&note);
        }
        for e in &excerpts.shown {
            let mut text = Markdown::default();
            for (piece, marked) in pieces(&e.text, &e.marks) {
                if marked {
                    text.strong(piece);
                } else {
                    text.text_lines(piece);
                }
            }
            md.quote(text).raw(">\n> — ").text(&about(e).join(" · ")).raw("\n\n");
        }
    }
}
