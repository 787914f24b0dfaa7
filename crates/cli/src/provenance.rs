//! Provenance: what made a result, so a reviewer can re-run it.

use std::cell::RefCell;
use std::ffi::OsString;
use std::path::{Component, Path};

use indexmap::IndexMap;
use qda_coding::{CodedTranscript, Transcript, sha256_hex};
use serde::Serialize;

/// Written into every JSON output.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Provenance {
    pub(crate) tool: &'static str,
    pub(crate) version: &'static str,
    pub(crate) command: &'static str,
    /// The command line after `qda`, with paths relative to the working
    /// directory: `qda verify` re-runs it.
    pub(crate) arguments: Vec<String>,
    pub(crate) inputs: Vec<Input>,
    /// Every option that changes a number.
    pub(crate) options: IndexMap<&'static str, serde_json::Value>,
    /// A tally merged from shards (`qda tally --partials`): each partial,
    /// by shard. Absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) shards: Vec<ShardInput>,
}

/// One partial of a merged tally.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ShardInput {
    /// `K/N`.
    pub(crate) shard: String,
    pub(crate) path: String,
    pub(crate) sha256: String,
    /// The command line that made the partial, after `qda`.
    pub(crate) arguments: Vec<String>,
}

/// One input file and its SHA-256.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Input {
    pub(crate) path: String,
    pub(crate) sha256: String,
}

impl Input {
    /// A file read just now.
    pub(crate) fn new(path: &Path, bytes: &[u8]) -> Self {
        Input { path: display_path(path), sha256: sha256_hex(bytes) }
    }

    /// A file hashed when it was read.
    pub(crate) fn hashed(path: &Path, sha256: &str) -> Self {
        Input { path: display_path(path), sha256: sha256.to_owned() }
    }

    /// A parsed transcript (its hash was taken when it was read).
    pub(crate) fn transcript(transcript: &Transcript) -> Self {
        Input::hashed(transcript.path(), transcript.sha256())
    }

    /// A coded transcript (its hash was taken when it was read).
    pub(crate) fn coded(coded: &CodedTranscript) -> Self {
        Input::hashed(&coded.path, &coded.sha256)
    }
}

thread_local! {
    /// The arguments of the command being run on this thread, when the
    /// library was given them ([`crate::run`], [`crate::json`]).
    static ARGUMENTS: RefCell<Option<Vec<OsString>>> = const { RefCell::new(None) };
    /// The program name [`crate::run`] was given (its first argument).
    static PROGRAM: RefCell<Option<OsString>> = const { RefCell::new(None) };
}

/// Records the program name the command was started as.
pub(crate) fn set_program(program: Option<OsString>) {
    PROGRAM.with(|p| *p.borrow_mut() = program);
}

/// The program name the command was started as, when [`crate::run`] was given one.
pub(crate) fn program() -> Option<OsString> {
    PROGRAM.with(|p| p.borrow().clone())
}

/// Records the arguments (without the program name) of the command this
/// thread runs, for the provenance and for error messages that repeat them.
pub(crate) fn set_arguments(arguments: Vec<OsString>) {
    ARGUMENTS.with(|a| *a.borrow_mut() = Some(arguments));
}

/// The arguments of the command being run: as recorded, else the process's.
pub(crate) fn arguments() -> Vec<OsString> {
    ARGUMENTS.with(|a| a.borrow().clone()).unwrap_or_else(|| std::env::args_os().skip(1).collect())
}

impl Provenance {
    pub(crate) fn new(command: &'static str, inputs: Vec<Input>) -> Self {
        Provenance {
            tool: "qda",
            version: env!("CARGO_PKG_VERSION"),
            command,
            arguments: arguments()
                .iter()
                .map(|a| portable_argument(&a.to_string_lossy()))
                .collect(),
            inputs,
            options: IndexMap::new(),
            shards: Vec::new(),
        }
    }

    pub(crate) fn option(
        mut self,
        name: &'static str,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.options.insert(name, value.into());
        self
    }
}

/// An argument as recorded: an absolute path below the working directory,
/// or any existing path, written as `display_path` writes it; anything else
/// as given.
fn portable_argument(argument: &str) -> String {
    let path = Path::new(argument);
    if path.is_absolute() || (path.exists() && !argument.starts_with('-')) {
        display_path(path)
    } else {
        argument.to_owned()
    }
}

/// Paths as [`display_path`] shows them, for provenance options.
pub(crate) fn display_paths(paths: &[std::path::PathBuf]) -> Vec<String> {
    paths.iter().map(|p| display_path(p)).collect()
}

/// A path as it should appear in outputs: relative to the working directory
/// where it lies below it, with `/` separators, so results do not depend on
/// where or on which system they were made.
pub(crate) fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return ".".to_owned();
    }
    let joined = parts.join("/");
    if relative.has_root() && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined.replace("//", "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_with_forward_slashes() {
        assert_eq!(display_path(Path::new("./transcripts/P01.txt")), "transcripts/P01.txt");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            display_path(&cwd.join("codebooks").join("motives.toml")),
            "codebooks/motives.toml"
        );
    }
}
