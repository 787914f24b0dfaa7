//! Characters XML cannot hold. Transcripts may carry control characters
//! (a vertical tab or form feed from Word, an escape sequence from a
//! terminal), and `docx-rs` writes text as given, so a Word document with
//! one is refused by Word as unreadable. Each such character is written as
//! U+FFFD instead; the workbook's writer escapes them itself.

use std::borrow::Cow;
use std::io::{self, Write};

/// U+FFFD in UTF-8.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Whether XML 1.0 forbids the byte: the C0 controls but tab, line feed
/// and carriage return. A byte below 0x20 is never part of a longer UTF-8
/// sequence, so bytes can be replaced one by one.
fn forbidden(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r')
}

/// `xml` with every forbidden control character replaced by U+FFFD.
pub(crate) fn xml_safe(xml: &[u8]) -> Cow<'_, [u8]> {
    if !xml.iter().copied().any(forbidden) {
        return Cow::Borrowed(xml);
    }
    let mut safe = Vec::with_capacity(xml.len() + 8);
    for &byte in xml {
        if forbidden(byte) {
            safe.extend_from_slice(REPLACEMENT);
        } else {
            safe.push(byte);
        }
    }
    Cow::Owned(safe)
}

/// A writer that passes on XML with forbidden characters replaced.
pub(crate) struct XmlSafe<W>(pub(crate) W);

impl<W: Write> Write for XmlSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(&xml_safe(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_replacement_characters() {
        assert!(matches!(xml_safe(b"<t>a\tb\nc</t>"), Cow::Borrowed(_)));
        let safe =
            xml_safe("<t>free\u{b}dom \u{c}\u{1b}[31m 자유\u{0}</t>".as_bytes()).into_owned();
        assert_eq!(
            String::from_utf8(safe).unwrap(),
            "<t>free\u{FFFD}dom \u{FFFD}\u{FFFD}[31m 자유\u{FFFD}</t>"
        );
        let mut out = XmlSafe(Vec::new());
        out.write_all(b"a\x0bb").unwrap();
        assert_eq!(out.0, "a\u{FFFD}b".as_bytes());
    }
}
