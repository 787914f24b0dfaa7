//! Writing results: to standard output or to a file, never partially and
//! never over an input; and saying on standard error, in one line, what was
//! written to a file (`wrote anna.json: 412 codings by anna over 26 cases`),
//! unless `--quiet`.
//!
//! Everything is first written to a temporary file. Only when the command
//! succeeds is that file renamed over the target (atomic on one file system)
//! or copied to standard output, so a failed run leaves neither a partial
//! file nor half a JSON document on a pipe.
//!
//! A target that is not a regular file (`/dev/null`, `/dev/stdout`, a named
//! pipe) is written into, never renamed over: replacing `/dev/null` with a
//! regular file, as root, breaks every program on the machine. A symbolic
//! link is followed, so the file it points to is replaced, not the link.

use std::fmt::Display;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use tempfile::NamedTempFile;

use crate::provenance::display_path;

/// `--quiet`: set once, from the command line, before any command runs.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Leaves out the `wrote ...` lines (`--quiet`).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Says on standard error what was written to `path`, unless `--quiet`:
/// `wrote PATH: WHAT`.
pub(crate) fn wrote(path: &Path, what: impl Display) {
    if !QUIET.load(Ordering::Relaxed) {
        // A note that cannot be printed (stderr closed) must not fail the run.
        let _ = writeln!(io::stderr().lock(), "wrote {}: {what}", display_path(path));
    }
}

/// A result being written.
pub(crate) struct Sink {
    writer: BufWriter<NamedTempFile>,
    target: Option<Target>,
}

/// Where a finished result goes.
struct Target {
    /// As given on the command line, for messages.
    shown: PathBuf,
    /// The file to replace or write into (a symbolic link followed).
    path: PathBuf,
    /// Written into rather than replaced: a device, a named pipe, a socket.
    special: bool,
}

impl Target {
    fn new(path: &Path) -> Target {
        let resolved = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                path.canonicalize().unwrap_or_else(|_| path.to_owned())
            }
            _ => path.to_owned(),
        };
        let special =
            std::fs::metadata(&resolved).is_ok_and(|meta| !meta.is_file() && !meta.is_dir());
        Target { shown: path.to_owned(), path: resolved, special }
    }
}

impl Sink {
    /// Starts writing to `path`, or to standard output when `None`.
    ///
    /// # Errors
    /// `path` is one of `inputs`, or its folder is not writable.
    pub(crate) fn create(path: Option<&Path>, inputs: &[&Path]) -> Result<Self> {
        let Some(path) = path else {
            let temp = NamedTempFile::new().context("cannot create a temporary file")?;
            return Ok(Sink { writer: BufWriter::new(temp), target: None });
        };
        if let Ok(target) = path.canonicalize()
            && inputs.iter().any(|input| input.canonicalize().is_ok_and(|i| i == target))
        {
            bail!(
                "{}: refusing to write the output over an input file; choose another -o/--output path",
                display_path(path)
            );
        }
        let target = Target::new(path);
        if target.special {
            let temp = NamedTempFile::new().context("cannot create a temporary file")?;
            return Ok(Sink { writer: BufWriter::new(temp), target: Some(target) });
        }
        let folder = match target.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temp = NamedTempFile::new_in(folder).with_context(|| {
            format!(
                "{}: cannot create a temporary file in {}",
                display_path(path),
                display_path(folder)
            )
        })?;
        Ok(Sink { writer: BufWriter::new(temp), target: Some(target) })
    }

    /// Makes the result visible: renames it into place (and says so, with
    /// `what` it holds; see [`wrote`]), or copies it to standard output.
    pub(crate) fn finish(self, what: impl Display) -> Result<()> {
        let shown = self.target.as_ref().map(|target| target.shown.clone());
        self.finish_silently()?;
        if let Some(path) = shown {
            wrote(&path, what);
        }
        Ok(())
    }

    /// As [`Sink::finish`], without a word: for one file of several that a
    /// command reports together.
    fn finish_silently(self) -> Result<()> {
        let temp = self.writer.into_inner().map_err(|e| e.into_error())?;
        match self.target {
            Some(target) if target.special => {
                let shown = display_path(&target.shown);
                let mut out = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target.path)
                    .with_context(|| format!("{shown}: cannot write"))?;
                copy_back(&temp, &mut out).with_context(|| format!("{shown}: cannot write"))?;
            }
            Some(target) => {
                let shown = display_path(&target.shown);
                temp.as_file().sync_all().with_context(|| format!("{shown}: cannot write"))?;
                set_readable(temp.as_file());
                temp.persist(&target.path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("{shown}: cannot write"))?;
            }
            None => copy_back(&temp, &mut io::stdout().lock())?,
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writers of zip archives (Excel, Word) go back to fill in sizes.
impl Seek for Sink {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.writer.seek(pos)
    }
}

/// Copies a finished temporary file to `out`.
fn copy_back(temp: &NamedTempFile, out: &mut impl Write) -> Result<()> {
    let mut file: File = temp.reopen().context("cannot read back the temporary output")?;
    file.rewind()?;
    io::copy(&mut file, out)?;
    out.flush()?;
    Ok(())
}

/// Temporary files are created private (0600); a result is an ordinary file.
#[cfg(unix)]
fn set_readable(file: &File) {
    use std::os::unix::fs::PermissionsExt;
    // Best effort: a result that stays private is still correct.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_readable(_: &File) {}

/// Writes a whole result at once; a file is reported with `what` it holds.
pub(crate) fn write(
    path: Option<&Path>,
    bytes: &[u8],
    inputs: &[&Path],
    what: impl Display,
) -> Result<()> {
    let mut sink = Sink::create(path, inputs)?;
    sink.write_all(bytes)?;
    sink.finish(what)
}

/// As [`write()`], without a word: for one file of several that a command
/// reports together (`qda import-transcripts` into a folder).
pub(crate) fn write_silently(path: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<()> {
    let mut sink = Sink::create(Some(path), inputs)?;
    sink.write_all(bytes)?;
    sink.finish_silently()
}

/// `n` and a noun, plural unless `n` is 1: `1 case`, `26 cases`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

/// Prints a warning on standard error, as `warning: MESSAGE`.
pub(crate) fn warn(message: &impl std::fmt::Display) {
    // A warning that cannot be printed (stderr closed) must not fail the run.
    let _ = writeln!(io::stderr().lock(), "warning: {message}");
}
