//! A small HTML writer that escapes everything it is not told is markup.
//!
//! Why not a template crate: maud or askama would add a proc-macro build to
//! a CLI whose report is a few hundred lines of markup. The property a
//! template engine gives, that text is escaped unless marked as markup, is
//! kept by types here: tag and attribute names, and raw markup, must be
//! `&'static str` (written in this source), while every runtime value goes
//! through [`escape`] — transcript text, ids, notes, numbers alike.

use std::io::{self, Write};

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

/// HTML being written: kept whole ([`Html::finish`]), or handed on to a
/// writer as it grows ([`Html::streaming`]).
#[derive(Default)]
pub(crate) struct Html<'w> {
    out: String,
    /// Where the markup goes a megabyte at a time: a report's table of
    /// thousands of cases is then never held whole.
    sink: Option<&'w mut dyn Write>,
    /// The first error writing to `sink`, given by [`Html::end`].
    failed: Option<io::Error>,
}

/// How much markup is held before it goes to the writer.
const SPILL_AT: usize = 1 << 20;

impl<'w> Html<'w> {
    /// HTML written to `sink` as it is made; [`Html::end`] writes the rest.
    pub(crate) fn streaming(sink: &'w mut dyn Write) -> Self {
        Html { out: String::new(), sink: Some(sink), failed: None }
    }

    /// Hands what is held to the writer, once there is enough of it.
    fn spill(&mut self) {
        if self.out.len() < SPILL_AT || self.failed.is_some() {
            return;
        }
        if let Some(sink) = self.sink.as_mut() {
            if let Err(e) = sink.write_all(self.out.as_bytes()) {
                self.failed = Some(e);
            }
            self.out.clear();
        }
    }

    /// Writes the rest of a streaming page.
    ///
    /// # Errors
    /// The first error writing to the writer.
    pub(crate) fn end(mut self) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        match self.sink.take() {
            Some(sink) => sink.write_all(self.out.as_bytes()),
            None => Ok(()),
        }
    }

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
        self.spill();
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

    /// The page, held whole.
    pub(crate) fn finish(self) -> String {
        debug_assert!(self.sink.is_none(), "a streaming page ends with Html::end");
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

    /// Several megabytes of rows, as a report's table of cases makes them.
    fn rows(h: &mut Html<'_>) {
        for i in 0..60_000 {
            h.open("tr", &[("id", &format!("case-{i}"))]).element("td", &[], "P & Q").close("tr");
            h.nl();
        }
    }

    #[test]
    fn a_streaming_page_is_the_page_held_whole() {
        let mut whole = Html::default();
        rows(&mut whole);
        let whole = whole.finish();
        assert!(whole.len() > 2 * SPILL_AT, "the rows must spill more than once");
        let mut written = Vec::new();
        let mut streaming = Html::streaming(&mut written);
        rows(&mut streaming);
        // It holds less than the page: the rest went to the writer.
        assert!(streaming.out.len() < SPILL_AT);
        streaming.end().unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), whole);
    }

    #[test]
    fn a_streaming_page_gives_the_writers_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut full = Full;
        let mut h = Html::streaming(&mut full);
        rows(&mut h);
        assert_eq!(h.end().unwrap_err().kind(), io::ErrorKind::StorageFull);
    }

    #[test]
    fn anchors_are_plain_ascii() {
        assert_eq!(anchor("case", "P05"), "case-P05");
        assert_eq!(anchor("case", "a b/\"자"), "case-a.000020b.00002f.000022.00c790");
        assert_ne!(anchor("code", "\u{e91}"), anchor("code", "é1"));
    }
}
