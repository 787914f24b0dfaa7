//! Word `.docx`: the main document part (`word/document.xml`) read as a
//! stream. Paragraphs and table rows in order; tracked changes accepted
//! (`w:ins` kept, `w:del` and `w:moveFrom` dropped); field codes, drawings
//! and text boxes skipped; headers, footers, comments and footnotes live in
//! other parts and are never mixed in (comments and footnotes are listed).

use std::collections::BTreeSet;

use crate::Extracted;
use crate::error::ConvertError;
use crate::layout::Layout;
use crate::xml::{self, Archive, Node, attr};

/// Elements whose content is not part of the accepted text.
const SKIPPED: &[&str] = &[
    "del",
    "moveFrom",
    "delText",
    "instrText",
    "delInstrText",
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "trPrChange",
    "tcPrChange",
    "numberingChange",
    "drawing",
    "pict",
    "object",
    "Fallback",
    "txbxContent",
    "tabs",
];

pub(crate) fn read(bytes: &[u8]) -> Result<Extracted, ConvertError> {
    let mut archive = Archive::open(bytes, "Word document", "docx")?;
    let main = main_part(&mut archive)?;
    let Some(document) = archive.text(&main)? else {
        return Err(xml::not_a("Word document", &archive, "word/document.xml"));
    };
    let bold_styles = match archive.text("word/styles.xml")? {
        Some(styles) => bold_character_styles(&styles)?,
        None => BTreeSet::new(),
    };
    let mut reader = DocumentReader { bold_styles, ..DocumentReader::default() };
    xml::walk(&main, &document, |node| reader.node(node))?;
    drop(document);
    let mut notes = Vec::new();
    if reader.insertions + reader.deletions > 0 {
        notes.push(format!(
            "tracked changes accepted: {} insertion(s) kept, {} deletion(s) dropped",
            reader.insertions, reader.deletions
        ));
    }
    let mut left_out = Vec::new();
    for (part, item, noun) in [
        ("word/comments.xml", "comment", "comment"),
        ("word/footnotes.xml", "footnote", "footnote"),
        ("word/endnotes.xml", "endnote", "endnote"),
    ] {
        if let Some(text) = archive.text(part)? {
            for note in item_texts(part, &text, item)? {
                left_out.push((noun, note));
            }
        }
    }
    Ok(Extracted { pieces: reader.layout.into_pieces(), notes, left_out })
}

/// The main document part, from the package relationships (`word/document.xml`
/// when they do not say).
fn main_part(archive: &mut Archive<'_>) -> Result<String, ConvertError> {
    let Some(rels) = archive.text("_rels/.rels")? else {
        return Ok("word/document.xml".to_owned());
    };
    let mut target = None;
    xml::walk("_rels/.rels", &rels, |node| {
        if let Node::Open("Relationship", start) = node
            && attr(start, "Type").is_some_and(|t| t.ends_with("/officeDocument"))
            && target.is_none()
        {
            target = attr(start, "Target");
        }
    })?;
    Ok(target
        .map_or_else(|| "word/document.xml".to_owned(), |t| t.trim_start_matches('/').to_owned()))
}

/// Character styles that set bold (LibreOffice's "Strong Emphasis" is one).
fn bold_character_styles(styles: &str) -> Result<BTreeSet<String>, ConvertError> {
    let mut bold = BTreeSet::new();
    let mut current: Option<String> = None;
    xml::walk("word/styles.xml", styles, |node| match node {
        Node::Open("style", start) => {
            current = (attr(start, "type").as_deref() == Some("character"))
                .then(|| attr(start, "styleId"))
                .flatten();
        }
        Node::Open("b", start) => {
            if let Some(id) = &current
                && is_on(start)
            {
                bold.insert(id.clone());
            }
        }
        Node::Close("style") => current = None,
        _ => {}
    })?;
    Ok(bold)
}

/// The text of each `item` (`w:comment`, `w:footnote`) of a part, leaving
/// out the separators Word keeps among the footnotes.
fn item_texts(part: &str, xml_text: &str, item: &str) -> Result<Vec<String>, ConvertError> {
    let mut texts = Vec::new();
    let mut current: Option<String> = None;
    let mut in_text = false;
    xml::walk(part, xml_text, |node| match node {
        Node::Open(name, start) if name == item => {
            let kind = attr(start, "type");
            current = kind.is_none_or(|k| k == "normal").then(String::new);
        }
        Node::Open("t", _) => in_text = true,
        Node::Close("t") => in_text = false,
        Node::Close("p") => {
            if let Some(text) = current.as_mut() {
                text.push(' ');
            }
        }
        Node::Text(t) if in_text => {
            if let Some(text) = current.as_mut() {
                text.push_str(t);
            }
        }
        Node::Close(name) if name == item => {
            if let Some(text) = current.take() {
                let text = crate::normalize::normalize_line(&text);
                if !text.is_empty() {
                    texts.push(text);
                }
            }
        }
        _ => {}
    })?;
    Ok(texts)
}

/// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`) that is on.
fn is_on(start: &quick_xml::events::BytesStart<'_>) -> bool {
    !matches!(attr(start, "val").as_deref(), Some("0" | "false" | "off" | "none"))
}

#[derive(Default)]
struct DocumentReader {
    bold_styles: BTreeSet<String>,
    layout: Layout,
    /// Depth inside skipped elements.
    skip: usize,
    in_text: bool,
    run_bold: bool,
    in_run_properties: bool,
    insertions: usize,
    deletions: usize,
}

impl DocumentReader {
    fn node(&mut self, node: Node<'_>) {
        if self.skip > 0 {
            match node {
                Node::Open(..) => self.skip += 1,
                Node::Close(_) => self.skip -= 1,
                Node::Text(_) => {}
            }
            return;
        }
        match node {
            Node::Open(name, start) => self.open(name, start),
            Node::Close(name) => self.close(name),
            Node::Text(text) => {
                if self.in_text {
                    self.text(text);
                }
            }
        }
    }

    fn open(&mut self, name: &str, start: &quick_xml::events::BytesStart<'_>) {
        if SKIPPED.contains(&name) {
            if name == "del" || name == "moveFrom" {
                self.deletions += 1;
            }
            self.skip = 1;
            return;
        }
        match name {
            "p" => self.layout.start_paragraph(),
            "r" => self.run_bold = false,
            "rPr" => self.in_run_properties = true,
            "b" if self.in_run_properties => self.run_bold = is_on(start),
            "rStyle"
                if self.in_run_properties
                    && attr(start, "val").is_some_and(|s| self.bold_styles.contains(&s)) =>
            {
                self.run_bold = true;
            }
            "t" => self.in_text = true,
            "tab" if !self.in_run_properties && self.layout.in_paragraph() => self.text("\t"),
            // A page or column break is layout, not a line of the text.
            "br" | "cr" if !matches!(attr(start, "type").as_deref(), Some("page" | "column")) => {
                self.layout.line_break();
            }
            "noBreakHyphen" => self.text("-"),
            "sym" => {
                if let Some(c) = attr(start, "char")
                    .and_then(|hex| u32::from_str_radix(&hex, 16).ok())
                    .and_then(char::from_u32)
                    .filter(|c| !('\u{E000}'..='\u{F8FF}').contains(c))
                {
                    self.text(&c.to_string());
                }
            }
            "ins" | "moveTo" => self.insertions += 1,
            "tbl" => self.layout.start_table(),
            "tr" => self.layout.start_row(),
            "tc" => self.layout.start_cell(),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "t" => self.in_text = false,
            "rPr" => self.in_run_properties = false,
            "p" => self.layout.end_paragraph(),
            "tc" => self.layout.end_cell(),
            "tr" => self.layout.end_row(),
            "tbl" => self.layout.end_table(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        self.layout.text(text, self.run_bold);
    }
}
