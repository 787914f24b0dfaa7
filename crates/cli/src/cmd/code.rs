//! `qda code`: rules to codings.
//!
//! The codings file lists one coding per line (so it diffs well in git),
//! then the transcripts coded with their hashes, then the provenance. It is
//! written as transcripts are coded, so memory does not grow with the corpus.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use qda_coding::{CodedSource, RuleSet};
use serde::Serialize;

use crate::args::CodeArgs;
use crate::input::{self, Sources};
use crate::outcome::Outcome;
use crate::output::Sink;
use crate::provenance::{Input, Provenance, display_path};

pub(crate) fn run(args: &CodeArgs) -> Result<Outcome> {
    let (codebook, codebook_input) = input::codebook(&args.codebook)?;
    let rules = RuleSet::new(&codebook)?;
    let sources = Sources::collect(&args.input)?;

    let mut read: Vec<&Path> = vec![args.codebook.as_path()];
    read.extend(sources.files.iter().map(|p| p.as_path()));
    let mut sink = Sink::create(args.output.path.as_deref(), &read)?;

    let mut transcripts = Vec::new();
    let mut inputs: Vec<Input> = vec![codebook_input];
    let mut first = true;
    sink.write_all(b"{\n  \"coder\": \"rules\",\n  \"codings\": [")?;
    input::code_corpus(&codebook, &rules, &sources, |coded| {
        for coding in &coded.codings {
            let separator = if first { "\n    " } else { ",\n    " };
            first = false;
            sink.write_all(separator.as_bytes())?;
            serde_json::to_writer(&mut sink, coding)?;
        }
        inputs.push(input::transcript_input(&coded));
        transcripts.push(CodedSource {
            case: coded.case,
            path: display_path(&coded.path),
            sha256: coded.sha256,
            segments: coded.segments,
            reviewed: None,
        });
        Ok(())
    })?;
    inputs.extend(sources.table_inputs().cloned());
    let provenance = Provenance::new("code", inputs).option("unit", codebook.unit().as_str());
    sink.write_all(if first { b"],\n" } else { b"\n  ],\n" })?;
    writeln!(sink, "  \"transcripts\": {},", indented(&transcripts)?)?;
    write!(sink, "  \"provenance\": {}\n}}\n", indented(&provenance)?)?;
    sink.finish()?;
    Ok(Outcome::Success)
}

/// Pretty JSON indented to sit one level deep.
fn indented<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)?.replace('\n', "\n  "))
}
