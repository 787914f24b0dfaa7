//! A small, tolerant XML tree: enough to read REFI-QDA files, and a writer
//! that escapes text and attributes.
//!
//! Element and attribute names are kept as local names (no prefix), so any
//! `urn:QDA-XML:*` namespace, or none, reads the same. Entities other than
//! XML's five are never expanded: a reference to one is an error.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::error::ExchangeError;

/// The deepest nesting of elements read: a deeper document is refused, so
/// that reading and dropping the tree never runs out of stack.
pub(crate) const MAX_DEPTH: usize = 2_000;

/// The deepest nesting of `Code` elements read (a code tree deeper than
/// this is refused).
pub(crate) const MAX_CODE_DEPTH: usize = qda_coding::MAX_CODE_DEPTH;

/// An element: local name, attributes in document order, child elements and
/// the text directly inside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

impl Element {
    /// The attribute with local name `name`, compared case-sensitively as XML
    /// demands.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Child elements named `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child element named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the child `name`, or of the attribute `name` (portableQDA
    /// writes `description` as an attribute).
    pub(crate) fn description(&self) -> Option<String> {
        let text = self
            .child("Description")
            .map(|d| d.text.clone())
            .or_else(|| self.attr("description").map(str::to_owned))
            .or_else(|| self.attr("Description").map(str::to_owned))?;
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Element, ExchangeError> {
    let decoded;
    let bytes = if let Some(utf16) = utf16(bytes) {
        decoded = utf16;
        decoded.as_bytes()
    } else {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    };
    let text = std::str::from_utf8(bytes).map_err(|e| ExchangeError::Xml {
        file: file.to_owned(),
        location: None,
        message: format!(
            "not UTF-8 (invalid byte at offset {}); REFI-QDA files are UTF-8",
            e.valid_up_to()
        ),
    })?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let error = |reader: &Reader<&[u8]>, message: String| {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let location = Some(qda_coding::locate(text, at));
        ExchangeError::Xml { file: file.to_owned(), location, message }
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // How many `Code` elements are open.
    let mut codes = 0;
    let too_deep = |stack: &[Element], codes: usize, start: &BytesStart<'_>| {
        if start.local_name().as_ref() == b"Code" && codes + 1 > MAX_CODE_DEPTH {
            Some(format!(
                "codes are nested more than {MAX_CODE_DEPTH} deep; qda reads at most {MAX_CODE_DEPTH} levels of codes: move deeper codes up a level in the tool that wrote the file"
            ))
        } else if stack.len() + 1 > MAX_DEPTH {
            Some(format!(
                "elements are nested more than {MAX_DEPTH} deep; qda reads at most {MAX_DEPTH} levels: is this a REFI-QDA file?"
            ))
        } else {
            None
        }
    };
    loop {
        let event = reader.read_event().map_err(|e| error(&reader, e.to_string()))?;
        match event {
            Event::Start(start) => {
                if let Some(message) = too_deep(&stack, codes, &start) {
                    return Err(error(&reader, message));
                }
                let element = open(&reader, &start).map_err(|m| error(&reader, m))?;
                codes += usize::from(element.name == "Code");
                stack.push(element);
            }
            Event::Empty(start) => {
                if let Some(message) = too_deep(&stack, codes, &start) {
                    return Err(error(&reader, message));
                }
                let element = open(&reader, &start).map_err(|m| error(&reader, m))?;
                close(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    codes -= usize::from(element.name == "Code");
                    close(&mut stack, &mut root, element);
                }
            }
            Event::Text(t) => {
                let decoded = t.decode().map_err(|e| error(&reader, e.to_string()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&decoded);
                }
            }
            Event::CData(c) => {
                let decoded = c.decode().map_err(|e| error(&reader, e.to_string()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&decoded);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| error(&reader, e.to_string()))?;
                        predefined(&name)
                            .ok_or_else(|| {
                                error(
                                    &reader,
                                    format!("entity `&{name};` is not one of XML's five; entities are not expanded"),
                                )
                            })?
                            .to_owned()
                    }
                    Err(e) => return Err(error(&reader, e.to_string())),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            // A document type declaration is read past: the entities it
            // declares are never expanded (a reference to one is an error).
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(error(&reader, "the document ends inside an element".to_owned()));
    }
    let mut root =
        root.ok_or_else(|| error(&reader, "the document has no root element".to_owned()))?;
    normalize_line_ends(&mut root);
    Ok(root)
}

/// The text of a UTF-16 document with a byte-order mark.
fn utf16(bytes: &[u8]) -> Option<String> {
    let (rest, little) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    let units: Vec<u16> = rest
        .chunks_exact(2)
        .map(|c| {
            if little { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) }
        })
        .collect();
    Some(String::from_utf16_lossy(&units))
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

fn open(reader: &Reader<&[u8]>, start: &BytesStart<'_>) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = attribute.key.local_name();
        let key = String::from_utf8_lossy(key.as_ref()).into_owned();
        if attribute.key.as_ref().starts_with(b"xmlns") {
            continue;
        }
        let value = attribute.decode_and_unescape_value(reader.decoder()).map_err(|e| {
            format!(
                "attribute `{key}`: {e} (only XML's five entities are read; no entity is expanded)"
            )
        })?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element { name, attributes, children: Vec::new(), text: String::new() })
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => {
            if root.is_none() {
                *root = Some(element);
            }
        }
    }
}

/// XML parsers read CRLF as LF; quick-xml leaves that to its caller.
fn normalize_line_ends(element: &mut Element) {
    if element.text.contains('\r') {
        element.text = element.text.replace("\r\n", "\n").replace('\r', "\n");
    }
    for (_, value) in &mut element.attributes {
        if value.contains('\r') {
            *value = value.replace("\r\n", "\n").replace('\r', "\n");
        }
    }
    for child in &mut element.children {
        normalize_line_ends(child);
    }
}

/// Builds an indented XML document.
pub(crate) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Writer { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), depth: 0 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&escape(value, true));
            self.out.push('"');
        }
    }

    /// `<name ...>`, children follow.
    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.tag(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name .../>`.
    pub(crate) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// `<name>text</name>`.
    pub(crate) fn text(&mut self, name: &str, text: &str) {
        self.tag(name, &[]);
        self.out.push('>');
        self.out.push_str(&escape(text, false));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Escapes markup; in attributes also quotes and line ends (which XML would
/// otherwise read back as spaces).
fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            // Characters XML 1.0 cannot carry at all are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qda_coding::Location;

    #[test]
    fn reads_local_names_text_and_predefined_entities() {
        let root = parse(
            "t.xml",
            "\u{feff}<?xml version=\"1.0\"?>\r\n<p:A xmlns:p=\"urn:x\" b=\"1 &amp; 2\"><p:B>x &lt; y&#33;\r\nz</p:B></p:A>"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(root.name, "A");
        assert_eq!(root.attr("b"), Some("1 & 2"));
        assert_eq!(root.child("B").unwrap().text, "x < y!\nz");
    }

    #[test]
    fn never_expands_entities() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"xx\">]><a>&x;</a>";
        let err = parse("t.xml", bomb.as_bytes()).unwrap_err();
        assert!(
            matches!(err, ExchangeError::Xml { location: Some(Location { line: 1, .. }), .. }),
            "{err}"
        );
        let plain = "<?xml version=\"1.0\"?><!DOCTYPE a><a>x</a>";
        assert_eq!(parse("t.xml", plain.as_bytes()).unwrap().text, "x");
        let err = parse("t.xml", b"<a>&x;</a>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.xml:1:7: entity `&x;` is not one of XML's five; entities are not expanded"
        );
        assert!(
            matches!(
                err,
                ExchangeError::Xml { location: Some(Location { line: 1, column: 7 }), .. }
            ),
            "{err}"
        );
    }

    #[test]
    fn reads_utf16_with_a_byte_order_mark() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("<a>é</a>".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(parse("t.xml", &bytes).unwrap().text, "é");
    }

    #[test]
    fn writer_escapes_what_xml_needs() {
        let mut w = Writer::new();
        w.open("a", &[("n", "x\"<&\n")]);
        w.text("b", "1 < 2 & 3");
        w.close("a");
        let out = w.finish();
        assert!(out.contains("n=\"x&quot;&lt;&amp;&#10;\""), "{out}");
        let root = parse("t.xml", out.as_bytes()).unwrap();
        assert_eq!(root.attr("n"), Some("x\"<&\n"));
        assert_eq!(root.child("b").unwrap().text, "1 < 2 & 3");
    }
}
