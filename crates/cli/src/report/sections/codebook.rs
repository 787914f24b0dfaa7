//! The codebook: each code's definition, what to include and exclude,
//! examples, and the rule that pre-codes it.

use qda_coding::{Code, Term};

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::report::contents::Contents;
use crate::report::html::{Html, anchor};
use crate::report::sections::shown::colour;

/// A code's kind in words.
fn kind(code: &Code) -> String {
    let mut parts = Vec::new();
    if !code.codable {
        parts.push("groups its children, not coded itself".to_owned());
    }
    if code.exclusive {
        parts.push(format!(
            "exclusive: each case gets one child (resolve = {})",
            code.resolve.as_str()
        ));
    }
    parts.join("; ")
}

/// The rule's clauses that have terms: (clause, terms).
fn clauses(code: &Code) -> Vec<(&'static str, &[Term])> {
    let Some(rule) = &code.rule else { return Vec::new() };
    [("any", &rule.any), ("all", &rule.all), ("not", &rule.not), ("regex", &rule.regex)]
        .into_iter()
        .filter(|(_, terms)| !terms.is_empty())
        .map(|(clause, terms)| (clause, terms.as_slice()))
        .collect()
}

pub(crate) fn html(contents: &Contents<'_>, h: &mut Html) {
    let codebook = contents.codebook;
    if let Some(description) = codebook.description() {
        h.element("p", &[], description).nl();
    }
    h.open("p", &[("class", "note")])
        .text(&format!("Unit: {}.", codebook.unit()))
        .text(&if codebook.interviewer().is_empty() {
            String::new()
        } else {
            format!(
                " Interviewer turns ({}) are never coded by rules.",
                codebook.interviewer().join(", ")
            )
        })
        .close("p")
        .nl();
    for code in codebook.codes() {
        let style = format!("--code:{}", colour(contents, &code.id));
        h.open(
            "article",
            &[("class", "code-card"), ("id", &anchor("code", &code.id)), ("style", &style)],
        )
        .nl();
        h.open("h3", &[]).element("code", &[], &code.id);
        if code.label != code.id {
            h.text(" · ").text(&code.label);
        }
        h.close("h3").nl();
        h.raw("<dl>");
        let field = |h: &mut Html, name: &'static str, value: &str| {
            h.element("dt", &[], name).element("dd", &[], value).nl();
        };
        if let Some(parent) = &code.parent {
            h.raw("<dt>parent</dt><dd><a href=\"")
                .text(&format!("#{}", anchor("code", parent)))
                .raw("\"><code>")
                .text(parent)
                .raw("</code></a></dd>")
                .nl();
        }
        let kind = kind(code);
        if !kind.is_empty() {
            field(h, "kind", &kind);
        }
        for (name, value) in [
            ("definition", &code.definition),
            ("include", &code.include),
            ("exclude", &code.exclude),
        ] {
            if let Some(value) = value {
                field(h, name, value);
            }
        }
        for (name, list) in
            [("examples", &code.examples), ("counterexamples", &code.counterexamples)]
        {
            if list.is_empty() {
                continue;
            }
            h.element("dt", &[], name).raw("<dd><ul>");
            for item in list {
                h.element("li", &[], item);
            }
            h.raw("</ul></dd>").nl();
        }
        let rule = clauses(code);
        if !rule.is_empty() {
            h.raw("<dt>rule</dt><dd class=\"terms\">");
            for (clause, terms) in rule {
                h.open("div", &[("class", clause)])
                    .element("span", &[("class", "note")], clause)
                    .text(": ");
                for (i, term) in terms.iter().enumerate() {
                    if i > 0 {
                        h.text(" ");
                    }
                    h.element("code", &[], term.as_str());
                }
                h.close("div");
            }
            h.raw("</dd>").nl();
        }
        h.raw("</dl>").close("article").nl();
    }
}

pub(crate) fn markdown(contents: &Contents<'_>, md: &mut Markdown) {
    let codebook = contents.codebook;
    if let Some(description) = codebook.description() {
        md.paragraph(description);
    }
    md.paragraph(&format!("Unit: {}.", codebook.unit()));
    for code in codebook.codes() {
        if code.label == code.id {
            md.heading(3, &code.id);
        } else {
            md.heading(3, &format!("{}: {}", code.id, code.label));
        }
        let mut line = |name: &str, value: &str| {
            md.raw("- **").text(name).raw(":** ").text(value).raw("\n");
        };
        if let Some(parent) = &code.parent {
            line("parent", parent);
        }
        let kind = kind(code);
        if !kind.is_empty() {
            line("kind", &kind);
        }
        for (name, value) in [
            ("definition", &code.definition),
            ("include", &code.include),
            ("exclude", &code.exclude),
        ] {
            if let Some(value) = value {
                line(name, value);
            }
        }
        for (name, list) in
            [("examples", &code.examples), ("counterexamples", &code.counterexamples)]
        {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(|e| format!("“{e}”")).collect();
                line(name, &items.join("; "));
            }
        }
        for (clause, terms) in clauses(code) {
            let items: Vec<&str> = terms.iter().map(|t| t.as_str()).collect();
            line(&format!("rule, {clause}"), &items.join(", "));
        }
        md.blank();
    }
}
