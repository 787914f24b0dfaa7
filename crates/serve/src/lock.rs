//! The inter-process lock on a codings file.
//!
//! A codings file is written by one process at a time: `qda serve` holds its
//! lock while it runs, and `qda import-sheet -o` and `qda reanchor -o` hold it
//! while they write. The lock is an advisory lock (the operating system's
//! file lock, released when the process ends, even by `kill -9`) on a small
//! file next to the codings file, `.NAME.lock`, which also says who holds it:
//! the process id and what it is (the server's URL, without its token).
//! The codings file itself cannot carry the lock, as every save renames a new
//! file over it. A lock file left behind by a process that ended is not
//! held, and is taken over.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::ServeError;

/// The lock on one codings file, held until dropped; dropping it removes
/// the lock file.
#[derive(Debug)]
pub struct CodingsLock {
    file: File,
    path: PathBuf,
}

/// The lock file of `codings`: `.NAME.lock` in the same folder.
pub fn lock_path(codings: &Path) -> PathBuf {
    let name = codings.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    codings.with_file_name(format!(".{name}.lock"))
}

impl CodingsLock {
    /// Takes the lock on `codings` for this process, which is `what` (such as
    /// `qda import-sheet`), or refuses when another process holds it.
    ///
    /// # Errors
    /// Another process holds the lock (named with its process id and what
    /// it is), or the lock file cannot be created.
    pub fn acquire(codings: &Path, what: &str) -> Result<Self, ServeError> {
        let path = lock_path(codings);
        if let Some(folder) = codings.parent().filter(|f| !f.as_os_str().is_empty())
            && !folder.is_dir()
        {
            return Err(ServeError::Setup(format!(
                "{}: the folder {} does not exist; create it, or choose another codings file",
                codings.display(),
                folder.display()
            )));
        }
        let io = |e: std::io::Error| {
            ServeError::io(format!("{}: cannot create the lock file", path.display()))(e)
        };
        // A lock file removed by its holder between opening and locking it
        // is locked in vain: open it again (bounded, as each round needs
        // another process to finish in between).
        for _ in 0..100 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    // What the holder wrote; it may be writing it right now.
                    let _ = file.read_to_string(&mut holder);
                    return Err(ServeError::Locked(held_message(codings, &holder)));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let mut lock = CodingsLock { file, path: path.clone() };
            lock.describe(what)?;
            return Ok(lock);
        }
        Err(ServeError::Locked(format!(
            "{}: its lock file {} keeps changing; another program is starting and stopping on it",
            codings.display(),
            path.display()
        )))
    }

    /// Says in the lock file who holds it: this process's id and `what`.
    ///
    /// # Errors
    /// The lock file cannot be written.
    pub fn describe(&mut self, what: &str) -> Result<(), ServeError> {
        let io = |e: std::io::Error| {
            ServeError::io(format!("{}: cannot write the lock file", self.path.display()))(e)
        };
        let text = format!("pid {}\n{what}\n", std::process::id());
        self.file.set_len(0).map_err(io)?;
        self.file.rewind().map_err(io)?;
        self.file.write_all(text.as_bytes()).map_err(io)?;
        self.file.flush().map_err(io)
    }
}

impl Drop for CodingsLock {
    fn drop(&mut self) {
        // Removed while still locked, so no other process takes a lock on a
        // file about to vanish; the lock goes with the handle.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The refusal when another process holds the lock.
fn held_message(codings: &Path, holder: &str) -> String {
    let mut lines = holder.lines();
    let pid = lines.next().and_then(|l| l.strip_prefix("pid ")).map(str::trim);
    let what = lines.next().map(str::trim).filter(|w| !w.is_empty());
    let who = match (pid, what) {
        (Some(pid), Some(what)) => format!("process {pid} ({what})"),
        (Some(pid), None) => format!("process {pid}"),
        _ => "another process".to_owned(),
    };
    format!(
        "{}: in use by {who}; only one program may write a codings file at a time: stop it first, or use another codings file",
        codings.display()
    )
}

/// Whether the open `file` is still the one at `path`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}
