//! A streaming walk over an XML part of a Word or OpenDocument file: element
//! starts and ends by local name, and text with entities resolved. Each
//! reader keeps only the state it needs, so memory stays bounded by the part.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::result::ZipError;

use crate::error::{ConvertError, ConvertErrorKind, Place};

/// What the walk meets, in document order.
pub(crate) enum Node<'a> {
    /// An element starts (an empty element is followed by its `Close`).
    Open(&'a str, &'a BytesStart<'a>),
    /// An element ends.
    Close(&'a str),
    /// Text.
    Text(&'a str),
}

/// An attribute's value by its local name (`w:val` is `val`).
pub(crate) fn attr(start: &BytesStart<'_>, local: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(std::borrow::Cow::into_owned))
}

/// Walks the XML text of `part`, calling `on` for each node.
pub(crate) fn walk(
    part: &str,
    xml: &str,
    mut on: impl FnMut(Node<'_>),
) -> Result<(), ConvertError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let error = |reader: &Reader<&[u8]>, message: String| {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX).min(xml.len());
        ConvertError::new(
            ConvertErrorKind::Damaged,
            Place::Part { part: part.to_owned(), location: qda_coding::locate(xml, at) },
            format!("the document is damaged: {message}; open it and save it again"),
        )
    };
    loop {
        let event = reader.read_event().map_err(|e| error(&reader, e.to_string()))?;
        match event {
            Event::Start(start) => {
                let name = std::str::from_utf8(start.local_name().into_inner()).unwrap_or("");
                on(Node::Open(name, &start));
            }
            Event::Empty(start) => {
                let name = std::str::from_utf8(start.local_name().into_inner()).unwrap_or("");
                on(Node::Open(name, &start));
                on(Node::Close(name));
            }
            Event::End(end) => {
                let name = std::str::from_utf8(end.local_name().into_inner()).unwrap_or("");
                on(Node::Close(name));
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|e| error(&reader, e.to_string()))?;
                on(Node::Text(&text));
            }
            Event::CData(text) => {
                let text = text.decode().map_err(|e| error(&reader, e.to_string()))?;
                on(Node::Text(&text));
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = reference.decode().map_err(|e| error(&reader, e.to_string()))?;
                        match name.as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            other => {
                                return Err(error(&reader, format!("unknown entity `&{other};`")));
                            }
                        }
                        .to_owned()
                    }
                    Err(e) => return Err(error(&reader, e.to_string())),
                };
                on(Node::Text(&resolved));
            }
            Event::Eof => return Ok(()),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

/// The largest part read from an archive: a guard against zip bombs, far
/// above any transcript (a 10,000-word document's text is about 300 KB).
const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;

/// A zip archive's parts, read one at a time.
pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
}

impl<'a> Archive<'a> {
    /// Opens `bytes` as a zip archive; `what` names the document type expected.
    pub(crate) fn open(bytes: &'a [u8], what: &str, extension: &str) -> Result<Self, ConvertError> {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Err(compound_file(bytes, what, extension));
        }
        if bytes.is_empty() {
            return Err(ConvertError::new(
                ConvertErrorKind::Empty,
                Place::File,
                "the file is empty (0 bytes)",
            ));
        }
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ConvertError::new(
                ConvertErrorKind::Damaged,
                Place::File,
                format!("not a readable {what}: a .{extension} file is a zip archive, and this one cannot be opened ({e}); open it in the program that wrote it and save it again as .{extension}"),
            )
        })?;
        Ok(Archive { zip })
    }

    /// Whether the archive has a part of that name.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// A part's text, or `None` when there is no such part.
    pub(crate) fn text(&mut self, name: &str) -> Result<Option<String>, ConvertError> {
        let mut file = match self.zip.by_name(name) {
            Ok(file) => file,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(ZipError::UnsupportedArchive(why)) if why == ZipError::PASSWORD_REQUIRED => {
                return Err(encrypted_error());
            }
            Err(e) => return Err(damaged(name, &e.to_string())),
        };
        let mut bytes =
            Vec::with_capacity(usize::try_from(file.size().min(MAX_PART_BYTES)).unwrap_or(0));
        (&mut file)
            .take(MAX_PART_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(name, &e.to_string()))?;
        if bytes.len() as u64 > MAX_PART_BYTES {
            return Err(damaged(name, "the part unpacks to more than 512 MiB"));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
        String::from_utf8(bytes).map(Some).map_err(|e| {
            damaged(name, &format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to()))
        })
    }
}

fn damaged(part: &str, why: &str) -> ConvertError {
    ConvertError::new(
        ConvertErrorKind::Damaged,
        Place::File,
        format!(
            "the document is damaged: {part} cannot be read ({why}); open it and save it again"
        ),
    )
}

pub(crate) fn encrypted_error() -> ConvertError {
    ConvertError::new(
        ConvertErrorKind::Encrypted,
        Place::File,
        "the document is password-protected (encrypted); open it, remove the password (Word: File > Info > Protect Document; LibreOffice: File > Properties > Security), save it, and convert it again",
    )
}

/// An OLE compound file: an encrypted Office document, or an old binary one.
fn compound_file(bytes: &[u8], what: &str, extension: &str) -> ConvertError {
    let marker: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
    if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
        return encrypted_error();
    }
    ConvertError::new(
        ConvertErrorKind::Unsupported,
        Place::File,
        format!(
            "not a {what}: this is an old binary document (Word 97-2003 .doc); open it and save it as .{extension}"
        ),
    )
}

/// An archive the reader does not recognise.
pub(crate) fn not_a(what: &str, archive: &Archive<'_>, part: &str) -> ConvertError {
    let hint = if archive.has("word/document.xml") {
        " (it is a Word document: name it .docx)"
    } else if archive.has("content.xml") {
        " (it is an OpenDocument file: name it .odt)"
    } else {
        ""
    };
    ConvertError::new(
        ConvertErrorKind::WrongKind,
        Place::File,
        format!("a zip archive, but not a {what}: it has no {part}{hint}"),
    )
}

/// Whether the OpenDocument manifest says parts are encrypted.
pub(crate) fn manifest_encrypted(manifest: &str) -> bool {
    manifest.contains("encryption-data")
}
