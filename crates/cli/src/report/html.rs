//! A small HTML writer that escapes everything it is not told is markup.
//!
//! Why not a template crate: maud or askama would add a proc-macro build to
//! a CLI whose report is a few hundred lines of markup. The property a
//! template engine gives, that text is escaped unless marked as markup, is
//! kept by types here: tag and attribute names, and raw markup, must be
//! `&'static str` (written in this source), while every runtime value goes
//! through [`escape`] — transcript text, ids, notes, numbers alike.

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An element id (and the fragment that links to it) made of letters,
/// digits, `-` and `_` only, so any case or code id can name an anchor.
pub(crate) fn anchor(kind: &str, id: &str) -> String {
    let mut out = format!("{kind}-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            // Fixed width, so two different ids never give one anchor.
            out.push_str(&format!(".{:06x}", u32::from(c)));
        }
    }
    out
}

/// HTML being written.
#[derive(Default)]
pub(crate) struct Html {
    out: String,
}

impl Html {
    /// Markup written in this source (never runtime text).
    pub(crate) fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// HTML made from user text by a renderer that escapes it (a memo's
    /// Markdown, see `render::memo_markdown`).
    pub(crate) fn rendered(&mut self, html: &str) -> &mut Self {
        self.out.push_str(html);
        self
    }

    /// Text, escaped.
    pub(crate) fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    /// `<tag a="v" ...>`, values escaped.
    pub(crate) fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            self.out.push_str(&escape(value));
            self.out.push('"');
        }
        self.out.push('>');
        self
    }

    /// A self-closing element (`<line ... />` in SVG, `<meta ...>`).
    pub(crate) fn empty(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.open(tag, attrs);
        if tag != "meta" {
            self.out.pop();
            self.out.push_str(" />");
        }
        self
    }

    /// `</tag>`.
    pub(crate) fn close(&mut self, tag: &'static str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// An element with escaped text content.
    pub(crate) fn element(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// A line break in the source, to keep the file readable and diffable.
    pub(crate) fn nl(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }

    /// The start of a self-contained qda page, up to its `<div
    /// class="page">`: the head, with the report's style sheet inline and
    /// no script, font or link, so the file reads the same offline.
    pub(crate) fn page_head(&mut self, title: &str) -> &mut Self {
        self.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        self.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        self.empty(
            "meta",
            &[("name", "generator"), ("content", &format!("qda {}", env!("CARGO_PKG_VERSION")))],
        )
        .nl();
        self.element("title", &[], title).nl();
        self.raw("<style>\n")
            .raw(include_str!("style.css"))
            .raw("</style>\n</head>\n<body>\n<div class=\"page\">\n")
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut html = Html::default();
        html.open("p", &[("title", "\"><script>")])
            .text("<script>alert(1)</script> & 'x'")
            .close("p");
        assert_eq!(
            html.finish(),
            "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;</p>"
        );
    }

    #[test]
    fn anchors_are_plain_ascii() {
        assert_eq!(anchor("case", "P05"), "case-P05");
        assert_eq!(anchor("case", "a b/\"자"), "case-a.000020b.00002f.000022.00c790");
        assert_ne!(anchor("code", "\u{e91}"), anchor("code", "é1"));
    }
}
