//! Zip archives: written with fixed timestamps and order, read with every
//! entry name checked.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::error::ExchangeError;

/// The largest entry read (1 GiB): a bigger one is refused, not unpacked.
const MAX_ENTRY: u64 = 1 << 30;

/// Writes entries in the order given, each dated 1980-01-01 00:00 (zip's
/// earliest date), so the same entries give the same bytes.
pub(crate) fn write(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ExchangeError> {
    let error =
        |e: &dyn std::fmt::Display| ExchangeError::Export(format!("cannot write the archive: {e}"));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).map_err(|e| error(&e))?;
        zip.write_all(bytes).map_err(|e| error(&e))?;
    }
    Ok(zip.finish().map_err(|e| error(&e))?.into_inner())
}

/// An archive opened for reading: every entry name checked at once, each
/// entry unpacked only when asked for, so no more than one source's text is
/// held at a time.
pub(crate) struct Archive<'a> {
    file: &'a str,
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// The file entries: name (with `/` separators) and index in the zip.
    entries: Vec<(String, usize)>,
}

impl<'a> Archive<'a> {
    /// Opens an archive and checks every entry's name. A name with `..`, an
    /// absolute path or a drive letter is refused: an archive that tries to
    /// reach outside its folder is not imported at all.
    pub(crate) fn open(file: &'a str, bytes: &'a [u8]) -> Result<Self, ExchangeError> {
        let error = |message: String| ExchangeError::Archive { file: file.to_owned(), message };
        let mut zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| error(format!("not a readable zip archive: {e}")))?;
        let mut entries = Vec::new();
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).map_err(|e| error(format!("entry {i}: {e}")))?;
            let name = entry.name().replace('\\', "/");
            let unsafe_name = name.starts_with('/')
                || name.split('/').any(|part| part == "..")
                || name.chars().nth(1) == Some(':')
                || entry.enclosed_name().is_none();
            if unsafe_name {
                return Err(error(format!(
                    "entry `{name}` points outside the archive's folder (`..` or an absolute path); the archive is refused"
                )));
            }
            if !entry.is_dir() {
                entries.push((name, i));
            }
        }
        Ok(Archive { file, zip, entries })
    }

    /// The names of the file entries, in archive order; [`Archive::read`]
    /// takes a position in this list.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// The name of entry `n`.
    pub(crate) fn name(&self, n: usize) -> &str {
        &self.entries[n].0
    }

    /// The size entry `n` declares it unpacks to.
    pub(crate) fn size(&mut self, n: usize) -> Result<u64, ExchangeError> {
        let file = self.file;
        let (name, index) = &self.entries[n];
        self.zip.by_index_raw(*index).map(|e| e.size()).map_err(|e| ExchangeError::Archive {
            file: file.to_owned(),
            message: format!("entry `{name}`: {e}"),
        })
    }

    /// Unpacks entry `n`, with `room` bytes to spare after it (so a caller
    /// can add to the text without the buffer moving). An entry declaring
    /// more than 1 GiB is refused, and one is read only up to the size its
    /// header declares: an entry that unpacks to more is refused as soon as
    /// it does.
    pub(crate) fn read(&mut self, n: usize, room: usize) -> Result<Vec<u8>, ExchangeError> {
        let file = self.file;
        let (name, index) = &self.entries[n];
        let error = |message: String| ExchangeError::Archive { file: file.to_owned(), message };
        let mut entry =
            self.zip.by_index(*index).map_err(|e| error(format!("entry `{name}`: {e}")))?;
        let declared = entry.size();
        if declared > MAX_ENTRY {
            return Err(error(format!(
                "entry `{name}` unpacks to {declared} bytes, more than qda reads"
            )));
        }
        let mut content = Vec::new();
        // Room for the declared size at once (no doubling), or a clear error.
        usize::try_from(declared)
            .ok()
            .and_then(|size| size.checked_add(room))
            .and_then(|size| content.try_reserve_exact(size).ok())
            .ok_or_else(|| error(format!("entry `{name}`: no memory for its {declared} bytes")))?;
        (&mut entry)
            .take(declared + 1)
            .read_to_end(&mut content)
            .map_err(|e| error(format!("entry `{name}`: {e}")))?;
        if content.len() as u64 > declared {
            return Err(error(format!(
                "entry `{name}` unpacks to more than the {declared} bytes its header declares; the archive is damaged or forged: export the project again"
            )));
        }
        Ok(content)
    }
}
