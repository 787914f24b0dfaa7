//! Running `git` for the commands that work with a repository (`qda
//! git-setup`, `qda log`). No other command needs git.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

/// Runs `git ARGS` in `dir` and returns its standard output.
///
/// # Errors
/// git is not installed, or exits non-zero (its message is passed on).
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let output = match Command::new("git").args(args).current_dir(dir).env("LC_ALL", "C").output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "`git` is not installed (or not on PATH); install git to use this command (no other qda command needs it)"
            )
        }
        Err(e) => bail!("cannot run `git {}`: {e}", args.join(" ")),
    };
    if !output.status.success() {
        bail!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The folder holding `path`, for running git in it.
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}
