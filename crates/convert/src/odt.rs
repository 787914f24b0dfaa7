//! OpenDocument `.odt`: `content.xml` read as a stream, as `docx.rs` reads
//! Word. Tracked changes are accepted by leaving out the change log
//! (`text:tracked-changes`, which holds the deleted text); notes and
//! annotations are left out and listed; headers and footers are in
//! `styles.xml`, which is not read.

use std::collections::BTreeSet;

use crate::Extracted;
use crate::error::ConvertError;
use crate::layout::Layout;
use crate::xml::{self, Archive, Node, attr};

pub(crate) fn read(bytes: &[u8]) -> Result<Extracted, ConvertError> {
    let mut archive = Archive::open(bytes, "OpenDocument text", "odt")?;
    if archive.text("META-INF/manifest.xml")?.is_some_and(|m| xml::manifest_encrypted(&m)) {
        return Err(xml::encrypted_error());
    }
    let Some(content) = archive.text("content.xml")? else {
        return Err(xml::not_a("OpenDocument text", &archive, "content.xml"));
    };
    let mut reader = ContentReader::default();
    xml::walk("content.xml", &content, |node| reader.node(node))?;
    let mut notes = Vec::new();
    if reader.insertions + reader.deletions > 0 {
        notes.push(format!(
            "tracked changes accepted: {} insertion(s) kept, {} deletion(s) dropped",
            reader.insertions, reader.deletions
        ));
    }
    Ok(Extracted { pieces: reader.layout.into_pieces(), notes, left_out: reader.left_out })
}

#[derive(Default)]
struct ContentReader {
    layout: Layout,
    /// Automatic text styles that set bold.
    bold_styles: BTreeSet<String>,
    style: Option<String>,
    in_body: bool,
    /// Depth inside a skipped element, and the note or comment being collected.
    skip: usize,
    aside: Option<(&'static str, String)>,
    left_out: Vec<(&'static str, String)>,
    insertions: usize,
    deletions: usize,
    /// Paragraphs open inside a skipped note or comment.
    aside_paragraphs: usize,
    /// Paragraph nesting (a note's paragraph inside a paragraph), and
    /// whether each open span is bold.
    paragraph: usize,
    spans: Vec<bool>,
}

impl ContentReader {
    fn node(&mut self, node: Node<'_>) {
        if self.skip > 0 {
            match node {
                Node::Open(name, _) => {
                    self.skip += 1;
                    match name {
                        "insertion" => self.insertions += 1,
                        "deletion" => self.deletions += 1,
                        "p" | "h" => self.aside_paragraphs += 1,
                        _ => {}
                    }
                }
                Node::Close(name) => {
                    self.skip -= 1;
                    if name == "p" || name == "h" {
                        self.aside_paragraphs = self.aside_paragraphs.saturating_sub(1);
                    }
                    if self.skip == 0 {
                        if let Some((noun, text)) = self.aside.take() {
                            let text = crate::normalize::normalize_line(&text);
                            if !text.is_empty() {
                                self.left_out.push((noun, text));
                            }
                        }
                    } else if name == "p"
                        && let Some((_, text)) = self.aside.as_mut()
                    {
                        text.push(' ');
                    }
                }
                Node::Text(t) => {
                    // A note's or comment's own text, not its number, author or date.
                    if self.aside_paragraphs > 0
                        && let Some((_, text)) = self.aside.as_mut()
                    {
                        text.push_str(t);
                    }
                }
            }
            return;
        }
        match node {
            Node::Open(name, start) => self.open(name, start),
            Node::Close(name) => self.close(name),
            Node::Text(text) => {
                if self.paragraph > 0 {
                    self.text(text);
                }
            }
        }
    }

    fn open(&mut self, name: &str, start: &quick_xml::events::BytesStart<'_>) {
        match name {
            "style" if !self.in_body => self.style = attr(start, "name"),
            "text-properties" if !self.in_body => {
                if let Some(style) = &self.style
                    && attr(start, "font-weight")
                        .is_some_and(|w| w == "bold" || w.parse::<u32>().is_ok_and(|n| n >= 600))
                {
                    self.bold_styles.insert(style.clone());
                }
            }
            "text" if start.name().as_ref() == b"office:text" => self.in_body = true,
            "tracked-changes" => {
                self.skip = 1;
            }
            "note" => {
                self.skip = 1;
                let noun = if attr(start, "note-class").as_deref() == Some("endnote") {
                    "endnote"
                } else {
                    "footnote"
                };
                self.aside = Some((noun, String::new()));
            }
            "annotation" => {
                self.skip = 1;
                self.aside = Some(("comment", String::new()));
            }
            "frame" | "sequence-decls" | "variable-decls" => self.skip = 1,
            "p" | "h" if self.in_body => {
                self.paragraph += 1;
                if self.paragraph == 1 {
                    self.layout.start_paragraph();
                    self.spans.clear();
                }
            }
            "span" if self.paragraph > 0 => {
                let bold = attr(start, "style-name")
                    .is_some_and(|s| self.bold_styles.contains(&s) || s == "Strong_20_Emphasis");
                let inherited = self.spans.last().copied().unwrap_or(false);
                self.spans.push(bold || inherited);
            }
            "s" if self.paragraph > 0 => {
                let count = attr(start, "c").and_then(|c| c.parse::<usize>().ok()).unwrap_or(1);
                self.text(&" ".repeat(count.min(1000)));
            }
            "tab" if self.paragraph > 0 => self.text("\t"),
            "line-break" if self.paragraph > 0 => self.layout.line_break(),
            "table" if self.in_body => self.layout.start_table(),
            "table-row" => self.layout.start_row(),
            "table-cell" => self.layout.start_cell(),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "style" => self.style = None,
            "span" if self.paragraph > 0 => {
                self.spans.pop();
            }
            "p" | "h" if self.paragraph > 0 => {
                self.paragraph -= 1;
                if self.paragraph == 0 {
                    self.layout.end_paragraph();
                }
            }
            "table-cell" => self.layout.end_cell(),
            "table-row" => self.layout.end_row(),
            "table" => self.layout.end_table(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        self.layout.text(text, self.spans.last().copied().unwrap_or(false));
    }
}
