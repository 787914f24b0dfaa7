//! `qda reanchor`: a coder's codings carried over to transcripts edited
//! since they were coded. The matching is `qda_coding`'s
//! (`CodingsFile::reanchor`); here the files are read, the new codings
//! file is checked and written, and the summary is rendered.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use qda_coding::{ErrorKind, Transcript};

use crate::args::ReanchorArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::render::reanchor::ReanchorReport;
use crate::render::render;
use crate::study::LoadedStudy;

pub(crate) fn run(args: &ReanchorArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let transcripts = study.transcripts()?;
    let codings = study.codings_file(&args.codings)?;
    let old = study.other_transcripts(&args.old_transcripts)?;
    let shown = PathBuf::from(display_path(&args.codings));
    let reanchoring = codings
        .reanchor(&shown, study.codebook.unit(), &by_case(&transcripts), &by_case(&old))
        .map_err(|e| {
            if e.kind == ErrorKind::Missing && args.old_transcripts.is_empty() {
                anyhow::anyhow!(
                    "{e}; the file was written before codings stored quotes: name the transcripts it was made on with --old-transcripts DIR (for example a `git worktree` of the commit the codings were made on)"
                )
            } else {
                e.into()
            }
        })?;

    let mut file = reanchoring.file.clone();
    let mut provenance = serde_json::to_value(
        study
            .provenance("reanchor")
            .option("coder", file.coder.clone().map_or(serde_json::Value::Null, Into::into)),
    )?;
    // No `arguments`: `qda verify` cannot re-make the coder's work, only
    // check the inputs, as for `qda serve`.
    if let Some(object) = provenance.as_object_mut() {
        object.shift_remove("arguments");
    }
    file.provenance = Some(provenance);
    let sources = transcripts
        .iter()
        .map(|t| {
            let index = qda_coding::SourceIndex {
                sha256: t.sha256().to_owned(),
                path: t.path().to_owned(),
                segments: t.segment_spans(),
            };
            (t.case().to_owned(), index)
        })
        .collect();
    // What the file held that no transcript edit explains (an unknown code,
    // a case without its transcript) is reported as for every codings file.
    file.check(&shown, &study.codebook, &sources)?;

    let report = ReanchorReport::new(&reanchoring, &display_path(&args.codings), args);
    let failed = report.failed();
    if let Some(path) = &args.output {
        let coders = file.coders().into_iter().collect::<Vec<_>>().join(", ");
        let what = format!(
            "{} by {coders} over {}",
            crate::output::count(file.codings.len(), "coding"),
            crate::output::count(file.transcripts.len(), "case")
        );
        // Not while a `qda serve` (or another writer) holds the file.
        let lock = qda_serve::CodingsLock::acquire(path, "qda reanchor")?;
        crate::output::write(Some(path), file.to_json().as_bytes(), &study.read(), what)?;
        drop(lock);
    }
    let bytes = render(&report, args.format);
    crate::output::write(None, &bytes, &[], "")?;
    let mut stderr = std::io::stderr().lock();
    for case in &reanchoring.cases {
        let before = codings.transcripts.iter().find(|s| s.case == case.case);
        let after = file.transcripts.iter().find(|s| s.case == case.case);
        if let (Some(before), Some(after)) = (before, after)
            && before.reviewed.is_none()
            && after.segments > before.segments
        {
            writeln!(
                stderr,
                "warning: {}: every segment was reviewed, and the edit added segments ({} then, {} now); the new ones count as reviewed without a code: look at them",
                case.path, before.segments, after.segments
            )?;
        }
        if !case.reanchoring.unreviewed.is_empty() {
            writeln!(
                stderr,
                "warning: {}: reviewed without a code, not found in the new text, so no longer marked reviewed: {}; look at them again",
                case.path,
                case.reanchoring.unreviewed.join(", ")
            )?;
        }
    }
    Ok(if failed { Outcome::Failure } else { Outcome::Success })
}

fn by_case(transcripts: &[Transcript]) -> BTreeMap<String, &Transcript> {
    transcripts.iter().map(|t| (t.case().to_owned(), t)).collect()
}
