//! `qda git-setup`: makes `git merge` merge codings files with `qda
//! merge-codings`: the driver in the repository's git config, and a
//! `.gitattributes` line per pattern at the repository's top.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::args::GitSetupArgs;
use crate::git::git;
use crate::outcome::Outcome;

/// The merge driver: git passes the ancestor, our and their versions, and
/// takes the result from our file; exit 1 leaves the conflicts to settle.
pub(crate) const DRIVER: &str = "qda merge-codings %O %A %B -o %A";

pub(crate) fn run(args: &GitSetupArgs) -> Result<Outcome> {
    let here = Path::new(".");
    let top = git(here, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        if e.to_string().contains("not a git repository") {
            anyhow::anyhow!(
                "the current folder is not in a git repository; run `qda git-setup` in the study's repository (`git init` makes one)"
            )
        } else {
            e
        }
    })?;
    let top = Path::new(top.trim_end_matches(['\n', '\r']));
    git(here, &["config", "merge.qda.name", "qda: three-way merge of codings files"])?;
    git(here, &["config", "merge.qda.driver", DRIVER])?;

    let attributes = top.join(".gitattributes");
    let before = match std::fs::read_to_string(&attributes) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => anyhow::bail!("{}: cannot read the file: {e}", attributes.display()),
    };
    let mut after = before.clone();
    let mut added = Vec::new();
    for pattern in &args.patterns {
        let line = format!("{pattern} merge=qda");
        if !before.lines().any(|l| l.trim() == line) {
            if !after.is_empty() && !after.ends_with('\n') {
                after.push('\n');
            }
            after.push_str(&line);
            after.push('\n');
            added.push(line);
        }
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "git config merge.qda.driver \"{DRIVER}\"")?;
    if added.is_empty() {
        writeln!(stdout, ".gitattributes already routes {} to qda", args.patterns.join(", "))?;
    } else {
        let what = format!("added {}", added.join("; "));
        crate::output::write(Some(&attributes), after.as_bytes(), &[], what)?;
        for line in &added {
            writeln!(stdout, ".gitattributes: {line}")?;
        }
    }
    writeln!(
        stdout,
        "git merge now merges these codings files with `qda merge-codings` (qda must be on PATH); commit .gitattributes so that every clone has the line, and run `qda git-setup` in each clone for the driver"
    )?;
    Ok(Outcome::Success)
}
