//! `qda diff OLD NEW TRANSCRIPTS...`: what a codebook revision changes. The
//! codebooks are compared by `qda_coding::diff_codebooks`; both code the
//! transcripts, and the segments, cases, exclusive-group tallies and the
//! agreement of old and new codings are compared in `render::diff`.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use qda_coding::{Codebook, RuleSet};

use crate::args::DiffArgs;
use crate::git::git;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::Input;
use crate::render::diff::DiffReport;
use crate::render::render;
use crate::study::{LoadedStudy, read_codebook};

pub(crate) fn run(args: &DiffArgs) -> Result<Outcome> {
    let (old, old_input) = old_codebook(&args.old)?;
    let mut study = LoadedStudy::open(&args.new)?
        .with_transcripts(&args.input)?
        .with_adjudications(args.adjudications.as_deref())?;
    let new = &study.codebook;
    if old.unit() != new.unit() {
        bail!(
            "{}: the old codebook segments by `{}`, the new one ({}) by `{}`; a diff compares the codes of the same segments: give both codebooks the same `unit`",
            args.old,
            old.unit().as_str(),
            new.path().display(),
            new.unit().as_str()
        );
    }
    let old_rules = RuleSet::new(&old)?;
    let transcripts = study.transcripts()?;
    let mut provenance = study
        .provenance("diff")
        .option("old", args.old.clone())
        .option("unit", study.codebook.unit().as_str())
        .option("confidence", 0.95);
    // A codebook from git is no file `qda verify` could check: its hash
    // is recorded with the revision instead.
    if args.old.starts_with("git:") {
        provenance = provenance.option("old_sha256", old_input.sha256);
    } else {
        provenance.inputs.insert(0, old_input);
    }
    let report = DiffReport::new(
        (&old, &old_rules),
        (&study.codebook, &study.rules),
        &transcripts,
        study.adjudications.as_ref(),
        provenance,
    );
    let bytes = render(&report, args.format);
    let what = format!(
        "diff of {} over {} ({})",
        args.old,
        count(transcripts.len(), "case"),
        args.format.name()
    );
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(if args.fail_on_change && report.tallies_changed() {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// The old codebook, from a file or from git (`git:REV:PATH`).
fn old_codebook(spec: &str) -> Result<(Codebook, Input)> {
    let Some(rest) = spec.strip_prefix("git:") else {
        return read_codebook(Path::new(spec));
    };
    let Some((rev, path)) = rest.split_once(':').filter(|(r, p)| !r.is_empty() && !p.is_empty())
    else {
        bail!(
            "{spec}: give the old codebook as git:REV:PATH, such as git:HEAD~1:codebooks/motives.toml"
        );
    };
    if rev.starts_with('-') {
        // git would read it as an option (`--output=FILE` writes a file).
        bail!(
            "{spec}: a revision cannot start with `-`; give a commit, branch or tag, such as git:HEAD~1:codebooks/motives.toml"
        );
    }
    let relative = if path.starts_with("./") || path.starts_with('/') {
        path.to_owned()
    } else {
        format!("./{path}")
    };
    let text = git(Path::new("."), &["show", &format!("{rev}:{relative}")])?;
    let codebook = Codebook::parse(&PathBuf::from(spec), &text)?;
    Ok((codebook, Input { path: spec.to_owned(), sha256: qda_coding::sha256_hex(text.as_bytes()) }))
}
