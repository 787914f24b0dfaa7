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

/// One entry read from an archive.
pub(crate) struct Entry {
    /// The name, with `/` separators.
    pub(crate) name: String,
    /// The content.
    pub(crate) bytes: Vec<u8>,
}

/// Reads every file entry. A name with `..`, an absolute path or a drive
/// letter is refused: an archive that tries to reach outside its folder is
/// not imported at all.
pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Vec<Entry>, ExchangeError> {
    let error = |message: String| ExchangeError::Archive { file: file.to_owned(), message };
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| error(format!("not a readable zip archive: {e}")))?;
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| error(format!("entry {i}: {e}")))?;
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
        if entry.is_dir() {
            continue;
        }
        if entry.size() > MAX_ENTRY {
            return Err(error(format!(
                "entry `{name}` unpacks to {} bytes, more than qda reads",
                entry.size()
            )));
        }
        // Read no more than the header declares (and one byte to tell): an
        // entry that unpacks to more is refused as soon as it does.
        let declared = entry.size();
        let mut content = Vec::new();
        // Room for the declared size at once (no doubling), or a clear error.
        content
            .try_reserve_exact(usize::try_from(declared).unwrap_or(usize::MAX))
            .map_err(|_| error(format!("entry `{name}`: no memory for its {declared} bytes")))?;
        (&mut entry)
            .take(declared + 1)
            .read_to_end(&mut content)
            .map_err(|e| error(format!("entry `{name}`: {e}")))?;
        if content.len() as u64 > declared {
            return Err(error(format!(
                "entry `{name}` unpacks to more than the {declared} bytes its header declares; the archive is damaged or forged: export the project again"
            )));
        }
        entries.push(Entry { name, bytes: content });
    }
    Ok(entries)
}
