//! `qda log CODINGS`: from `git log`, who added, removed or changed which
//! codings of a codings file, commit by commit (newest first). Each commit
//! is compared with its first parent, so a merge commit shows what the
//! merge brought in.

use std::io::Write;

use anyhow::{Result, bail};
use qda_coding::{ChangeKind, CodingChange, CodingsFile};
use serde::Serialize;

use crate::args::{LogArgs, LogFormat};
use crate::git::{folder_of, git};
use crate::outcome::Outcome;
use crate::provenance::display_path;

/// One commit that touched the file.
#[derive(Debug, Serialize)]
struct Commit {
    commit: String,
    author: String,
    date: String,
    subject: String,
    merge: bool,
    /// Set when a version of the file at this commit (or its parent) is
    /// not a codings file, so its changes cannot be listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    unreadable: Option<String>,
    changes: Vec<CodingChange>,
}

pub(crate) fn run(args: &LogArgs) -> Result<Outcome> {
    let dir = folder_of(&args.codings);
    let Some(name) = args.codings.file_name().and_then(|n| n.to_str()) else {
        bail!("{}: not a file name; name the codings file", display_path(&args.codings));
    };
    let path = format!("./{name}");
    let shown = display_path(&args.codings);
    if git(dir, &["rev-parse", "--show-toplevel"]).is_err() {
        bail!(
            "{shown}: not in a git repository; `qda log` reads the file's history from git (commit the file in a repository first)"
        );
    }
    let no_commit = || {
        anyhow::anyhow!(
            "{shown}: git has no commit of this file; commit it first (`git add` and `git commit`)"
        )
    };
    if git(dir, &["rev-parse", "--verify", "-q", "HEAD"]).is_err() {
        return Err(no_commit());
    }
    // Fields separated by the unit separator, which no name or subject holds.
    let log = git(dir, &["log", "--format=%H%x1f%P%x1f%an%x1f%aI%x1f%s", "--", &path])?;
    if log.trim().is_empty() {
        return Err(no_commit());
    }
    let mut commits = Vec::new();
    for line in log.lines() {
        let fields: Vec<&str> = line.splitn(5, '\u{1f}').collect();
        let [hash, parents, author, date, subject] = fields[..] else { continue };
        let parent = parents.split(' ').next().filter(|p| !p.is_empty());
        let version = |commit: &str| -> Result<Option<CodingsFile>, String> {
            let Ok(text) = git(dir, &["show", &format!("{commit}:{path}")]) else {
                return Ok(None); // not in that commit: added or deleted there
            };
            // Read leniently: a version may hold a merge's conflicts.
            serde_json::from_str(&text).map(Some).map_err(|e| format!("{}: {e}", &commit[..7]))
        };
        let (new, old) = (version(hash), parent.map_or(Ok(None), version));
        let (changes, unreadable) = match (old, new) {
            (Ok(old), Ok(new)) => {
                (qda_coding::changes(&old.unwrap_or_default(), &new.unwrap_or_default()), None)
            }
            (Err(e), _) | (_, Err(e)) => (Vec::new(), Some(format!("not a codings file at {e}"))),
        };
        commits.push(Commit {
            commit: hash.to_owned(),
            author: author.to_owned(),
            date: date.to_owned(),
            subject: subject.to_owned(),
            merge: parents.split(' ').count() > 1,
            unreadable,
            changes,
        });
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        LogFormat::Json => out.write_all(&crate::render::json(&commits))?,
        LogFormat::Table => out.write_all(table(&commits).as_bytes())?,
    }
    Ok(Outcome::Success)
}

fn table(commits: &[Commit]) -> String {
    let mut text = String::new();
    for commit in commits {
        let count = |kind| commit.changes.iter().filter(|c| c.kind == kind).count();
        text.push_str(&format!(
            "{} {} {}{}: {} (+{} -{} ~{})\n",
            &commit.commit[..commit.commit.len().min(7)],
            commit.date,
            commit.author,
            if commit.merge { " (merge)" } else { "" },
            commit.subject,
            count(ChangeKind::Added),
            count(ChangeKind::Removed),
            count(ChangeKind::Changed),
        ));
        if let Some(why) = &commit.unreadable {
            text.push_str(&format!("  {why}\n"));
        }
        for change in &commit.changes {
            let sign = match change.kind {
                ChangeKind::Added => '+',
                ChangeKind::Removed => '-',
                ChangeKind::Changed => '~',
            };
            let code = change.code.as_deref().unwrap_or("(memo, no code)");
            let memo = change.memo.as_ref().map(|m| format!(": {m:?}")).unwrap_or_default();
            text.push_str(&format!(
                "  {sign} {} {code} by {}{memo}\n",
                change.segment, change.coder
            ));
        }
    }
    text
}
