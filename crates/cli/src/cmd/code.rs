//! `qda code`: rules to codings.
//!
//! The codings file lists one coding per line (so it diffs well in git),
//! then the transcripts coded with their hashes, then the provenance. It is
//! written as transcripts are coded, so memory does not grow with the corpus.
//! With `--shard K/N` only the cases of that shard are coded; the shards'
//! codings files are read together by `qda tally --codings`.

use std::io::Write;

use anyhow::Result;
use qda_coding::CodedSource;
use serde::Serialize;

use crate::args::CodeArgs;
use crate::outcome::Outcome;
use crate::output::{Sink, count};
use crate::provenance::display_path;
use crate::shard::input_list_sha256;
use crate::study::LoadedStudy;

pub(crate) fn run(args: &CodeArgs) -> Result<Outcome> {
    let study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let input_list = input_list_sha256(&study.sources.files, &study.sources.case_table_files);
    let mut study = study.with_shard(args.shard);
    let mut sink = Sink::create(args.output.path.as_deref(), &study.read())?;

    let mut transcripts = Vec::new();
    let mut first = true;
    let mut codings = 0;
    sink.write_all(b"{\n  \"coder\": \"rules\",\n  \"codings\": [")?;
    study.each_coded(|coded| {
        codings += coded.codings.len();
        for coding in &coded.codings {
            let separator = if first { "\n    " } else { ",\n    " };
            first = false;
            sink.write_all(separator.as_bytes())?;
            serde_json::to_writer(&mut sink, coding)?;
        }
        transcripts.push(CodedSource {
            case: coded.case,
            path: display_path(&coded.path),
            sha256: coded.sha256,
            segments: coded.segments,
            reviewed: None,
        });
        Ok(())
    })?;
    study.warn_undeclared_speakers();
    let mut provenance = study.provenance("code").option("unit", study.codebook.unit().as_str());
    if let Some(shard) = args.shard {
        // Recorded only when used, so unsharded codings keep their shape.
        provenance =
            provenance.option("shard", shard.to_string()).option("input_list_sha256", input_list);
    }
    sink.write_all(if first { b"],\n" } else { b"\n  ],\n" })?;
    writeln!(sink, "  \"transcripts\": {},", indented(&transcripts)?)?;
    write!(sink, "  \"provenance\": {}\n}}\n", indented(&provenance)?)?;
    let cases = transcripts.len();
    sink.finish(format!("{} by rules over {}", count(codings, "coding"), count(cases, "case")))?;
    Ok(Outcome::Success)
}

/// Pretty JSON indented to sit one level deep.
fn indented<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)?.replace('\n', "\n  "))
}
