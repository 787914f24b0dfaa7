//! What the server is started with, shared read-only by every request.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use qda_coding::CodingsFile;

use crate::study::Study;

/// What the server is started with.
#[derive(Debug)]
pub struct Config {
    /// The codebook and transcripts.
    pub study: Study,
    /// The coder whose codings file is edited.
    pub coder: String,
    /// The coder's codings file (created on the first edit).
    pub codings: PathBuf,
    /// Other codings files to compare with: a name for the page, and the file.
    pub compare: Vec<(String, PathBuf)>,
    /// The `qda reanchor` command that carries the codings file over to
    /// the transcripts as they are now, shown when the page cannot.
    pub reanchor_command: String,
    /// The provenance object written into the codings file.
    pub provenance: serde_json::Value,
    /// Blind coding (`--blind`): the page shows neither the rules'
    /// suggestions nor other coders' codings until the coder turns blind
    /// mode off, which the codings file records. A file already recorded as
    /// blind keeps the page blind without it.
    pub blind: bool,
    /// The access token.
    pub token: String,
    /// The `Host` header values accepted, such as `127.0.0.1:8123`.
    pub allowed_hosts: Vec<String>,
    /// The study's memos folder, where case memos are saved
    /// (`cases/CASE.md`, the folder made on the first save).
    pub memos: PathBuf,
}

/// One coder's setup as the handlers see it: [`Config`] with the study
/// shared, so that a class's coders (see `class.rs`) read one copy of it.
#[derive(Debug)]
pub(crate) struct Desk {
    pub(crate) study: Arc<Study>,
    pub(crate) coder: String,
    pub(crate) codings: PathBuf,
    pub(crate) compare: Vec<(String, PathBuf)>,
    pub(crate) reanchor_command: String,
    pub(crate) provenance: serde_json::Value,
    pub(crate) blind: bool,
    pub(crate) token: String,
    pub(crate) allowed_hosts: Vec<String>,
    /// The memos folder; `None` in class mode, where case memos are not edited.
    pub(crate) memos: Option<PathBuf>,
}

impl From<Config> for Desk {
    fn from(config: Config) -> Self {
        Desk {
            study: Arc::new(config.study),
            coder: config.coder,
            codings: config.codings,
            compare: config.compare,
            reanchor_command: config.reanchor_command,
            provenance: config.provenance,
            blind: config.blind,
            token: config.token,
            allowed_hosts: config.allowed_hosts,
            memos: Some(config.memos),
        }
    }
}

/// The shared, read-only setup, plus the lock that serialises saves.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    config: Desk,
    /// Held from reading the codings file to renaming the new one over it,
    /// so two tabs' edits are checked one after the other; holds what the
    /// server last read at start or wrote.
    saving: Mutex<Saved>,
}

/// The codings file as this server last saw it: read at start, or written.
#[derive(Debug)]
pub(crate) struct Saved {
    /// Its version (the `version` of a `store::Snapshot`).
    pub(crate) version: String,
    /// Its bytes (`None` while there is no file).
    pub(crate) bytes: Option<Vec<u8>>,
    /// Its contents, parsed, so a save does not parse the file again.
    pub(crate) file: Arc<CodingsFile>,
}

impl AppState {
    pub(crate) fn new(config: Desk, saved: Saved) -> Self {
        AppState(Arc::new(Inner { config, saving: Mutex::new(saved) }))
    }

    /// Waits for other saves to finish; the guard holds off later ones.
    pub(crate) fn lock_saving(&self) -> MutexGuard<'_, Saved> {
        // A poisoned lock only means an earlier save panicked; the file is
        // whole either way.
        self.0.saving.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::ops::Deref for AppState {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        &self.0.config
    }
}
