//! The texts of a project's sources: found in the archive by path, unpacked
//! one at a time when their source is read, refused over a size limit, and
//! decoded in the buffer they were unpacked into, so a source's text is held
//! once.

use std::collections::BTreeMap;

use crate::archive::Archive;
use crate::error::ExchangeError;
use crate::project::RefiTextSource;

/// The largest source text `qda import` reads (1 GiB, as unpacked or
/// inline). Importing needs about twice the largest source's size in memory
/// at its peak, so the limit keeps an import within about 2.5 GiB plus what
/// the project document takes.
pub const MAX_SOURCE_BYTES: u64 = 1 << 30;

/// Bytes reserved after a text as it is unpacked, for the front matter and
/// first line placed before it, so that they rarely move a large buffer.
const HEAD_ROOM: usize = 16 << 10;

/// The source texts of a project: its archive's entries, indexed by name.
pub(crate) struct Texts<'a> {
    file: &'a str,
    archive: Option<Archive<'a>>,
    max_source: u64,
    /// Lower-case entry name → the first entry of that name.
    by_path: BTreeMap<String, usize>,
    /// Lower-case file name (the last part of an entry name) → the first
    /// entry of that name.
    by_file_name: BTreeMap<String, usize>,
}

impl<'a> Texts<'a> {
    /// The texts in `archive` (none for a bare `.qde`); `file` names the
    /// project in messages; a text over `max_source` bytes is refused.
    pub(crate) fn new(file: &'a str, archive: Option<Archive<'a>>, max_source: u64) -> Self {
        let mut by_path = BTreeMap::new();
        let mut by_file_name = BTreeMap::new();
        for (n, name) in archive.iter().flat_map(Archive::names).enumerate() {
            let name = name.to_lowercase();
            let file_name = name.rsplit('/').next().unwrap_or(&name).to_owned();
            by_file_name.entry(file_name).or_insert(n);
            by_path.entry(name).or_insert(n);
        }
        Texts { file, archive, max_source, by_path, by_file_name }
    }

    /// Finds a source's text file in the archive: `internal://NAME`,
    /// `relative://PATH`, or a bare path; in `sources/` or `Sources/` or
    /// anywhere, names compared without regard to case. The first entry
    /// that fits, in archive order.
    fn find(&self, path: &str) -> Option<usize> {
        let path = path.trim();
        let bare = path
            .strip_prefix("internal://")
            .or_else(|| path.strip_prefix("relative://"))
            .or_else(|| path.strip_prefix("absolute://"))
            .or_else(|| path.strip_prefix("file://"))
            .unwrap_or(path)
            .replace('\\', "/");
        let bare = bare.trim_start_matches('/');
        let wanted = bare.to_lowercase();
        let file_name = wanted.rsplit('/').next().unwrap_or(&wanted);
        let in_sources = self.by_path.get(&format!("sources/{wanted}"));
        let anywhere = self.by_path.get(&wanted);
        in_sources
            .into_iter()
            .chain(anywhere)
            .min()
            .or_else(|| self.by_file_name.get(file_name))
            .copied()
    }

    /// The text of a source (`shown` names it): its `inline` content (taken
    /// from the source, so that it is not copied), or a file in the
    /// archive; `None`, with a warning, when it has none qda reads.
    ///
    /// # Errors
    /// A text over the size limit; an entry that cannot be unpacked.
    pub(crate) fn read(
        &mut self,
        source: &RefiTextSource,
        inline: Option<String>,
        shown: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Option<String>, ExchangeError> {
        let what = format!("{}: source `{shown}`", self.file);
        if let Some(content) = inline {
            self.check_size(shown, content.len() as u64)?;
            return Ok(Some(content));
        }
        let Some(path) = source.plain_text_path.as_deref() else {
            warnings.push(format!(
                "{what}: no plain text (only rich text, which qda does not read); skipped"
            ));
            return Ok(None);
        };
        let (Some(n), Some(archive)) = (self.find(path), self.archive.as_mut()) else {
            warnings.push(format!("{what}: its text `{path}` is not in the archive; skipped"));
            return Ok(None);
        };
        let size = archive.size(n)?;
        self.check_size(shown, size)?;
        let archive = self.archive.as_mut().expect("found in the archive");
        let bytes = archive.read(n, HEAD_ROOM)?;
        Ok(Some(decode(bytes, &what, warnings)))
    }

    /// Refuses a text of `size` bytes over the limit.
    fn check_size(&self, shown: &str, size: u64) -> Result<(), ExchangeError> {
        if size <= self.max_source {
            return Ok(());
        }
        Err(ExchangeError::Format {
            file: self.file.to_owned(),
            message: format!(
                "source `{shown}` is {}; qda imports sources of up to {}; split the text into smaller sources in the tool that wrote the project, and export it again",
                amount(size),
                amount(self.max_source)
            ),
        })
    }
}

/// A number of bytes as people read it: `1 GiB`, `1100.5 MiB`, `900 bytes`.
fn amount(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        // Tenths of a MiB, rounded down: never less than the limit says.
        let tenths = bytes * 10 / MIB;
        format!("{}.{} MiB", tenths / 10, tenths % 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Decodes a source file in the buffer it came in: UTF-8 (a BOM removed),
/// or UTF-16 with a BOM.
fn decode(mut bytes: Vec<u8>, what: &str, warnings: &mut Vec<String>) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> =
            rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> =
            rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            warnings.push(format!(
                "{what}: not valid UTF-8 at byte {}; unreadable bytes were replaced by U+FFFD",
                e.utf8_error().valid_up_to()
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}

/// `text` with CRLF and a lone CR as LF, made in its own buffer.
pub(crate) fn to_lf(text: String) -> String {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    let mut bytes = text.into_bytes();
    let mut write = 0;
    let mut read = 0;
    while read < bytes.len() {
        let b = bytes[read];
        read += 1;
        if b == b'\r' {
            if bytes.get(read) == Some(&b'\n') {
                read += 1;
            }
            bytes[write] = b'\n';
        } else {
            bytes[write] = b;
        }
        write += 1;
    }
    bytes.truncate(write);
    // CR and LF are single bytes that are never part of another character,
    // so the text is still UTF-8.
    String::from_utf8(bytes).expect("line ends replaced by line ends")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_lf_in_place() {
        assert_eq!(to_lf("a\r\nb\rc\n\r\r\nd\u{e9}\r".to_owned()), "a\nb\nc\n\n\nd\u{e9}\n");
        assert_eq!(to_lf("no line ends".to_owned()), "no line ends");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(amount(1 << 30), "1 GiB");
        assert_eq!(amount(900 << 20), "900 MiB");
        assert_eq!(amount((1 << 30) + (1 << 19)), "1024.5 MiB");
        assert_eq!(amount(900), "900 bytes");
    }

    #[test]
    fn a_bom_is_removed_and_utf16_decoded() {
        let mut warnings = Vec::new();
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec(), "x", &mut warnings), "hi");
        assert_eq!(decode(b"\xFF\xFEh\0i\0".to_vec(), "x", &mut warnings), "hi");
        assert_eq!(decode(b"\xFE\xFF\0h\0i".to_vec(), "x", &mut warnings), "hi");
        assert!(warnings.is_empty());
        assert_eq!(decode(b"a\xFFb".to_vec(), "x", &mut warnings), "a\u{FFFD}b");
        assert_eq!(
            warnings,
            ["x: not valid UTF-8 at byte 1; unreadable bytes were replaced by U+FFFD"]
        );
    }
}
