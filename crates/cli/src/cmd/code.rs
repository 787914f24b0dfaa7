//! `qda code`: rules to codings.
//!
//! The codings file lists one coding per line (so it diffs well in git),
//! then the transcripts coded with their hashes, then the provenance. It is
//! written as transcripts are coded, so memory does not grow with the corpus.
//! With `--shard K/N` only the cases of that shard are coded; the shards'
//! codings files are read together by `qda tally --codings`.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use qda_coding::{CodedSource, CodedTranscript};
use serde::Serialize;

use crate::args::CodeArgs;
use crate::outcome::Outcome;
use crate::output::{Sink, count};
use crate::provenance::{Input, display_path};
use crate::shard::input_list_sha256;
use crate::study::{LoadedStudy, Summary};

pub(crate) fn run(args: &CodeArgs) -> Result<Outcome> {
    let study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let input_list = input_list_sha256(&study.sources.files, &study.sources.case_table_files);
    let mut study = study.with_shard(args.shard);
    let mut sink = Sink::create(args.output.path.as_deref(), &study.read())?;

    let mut transcripts = Vec::new();
    let mut first = true;
    let mut codings = 0;
    sink.write_all(b"{\n  \"coder\": \"rules\",\n  \"codings\": [")?;
    study.each_transcript(
        |codebook, rules, transcript| CodedJson::of(rules.code_transcript(codebook, &transcript)),
        |coded| {
            let json = coded.json?;
            codings += coded.codings;
            // Every coding came with a separator before it; the first of
            // the file has no comma.
            let json = if first && !json.is_empty() {
                first = false;
                &json[1..]
            } else {
                &json[..]
            };
            sink.write_all(json)?;
            let coded = coded.coded;
            transcripts.push(CodedSource {
                case: coded.case,
                path: display_path(&coded.path),
                sha256: coded.sha256,
                segments: coded.segments,
                reviewed: None,
            });
            Ok(())
        },
    )?;
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

/// A transcript coded with the rules, its codings written as the lines of
/// the codings file in the worker thread that coded it: serialising them
/// one by one on the thread that writes the file made it the bottleneck.
struct CodedJson {
    /// The coded transcript, without its codings.
    coded: CodedTranscript,
    /// How many codings `json` holds.
    codings: usize,
    /// Each coding as `,\n    {...}`.
    json: serde_json::Result<Vec<u8>>,
}

impl CodedJson {
    fn of(mut coded: CodedTranscript) -> Self {
        let codings = std::mem::take(&mut coded.codings);
        let mut json = Vec::with_capacity(codings.len() * 256);
        let written = codings.iter().try_for_each(|coding| {
            json.extend_from_slice(b",\n    ");
            serde_json::to_writer(&mut json, coding)
        });
        CodedJson { coded, codings: codings.len(), json: written.map(|()| json) }
    }
}

impl Summary for CodedJson {
    fn case(&self) -> &str {
        &self.coded.case
    }
    fn path(&self) -> &Path {
        &self.coded.path
    }
    fn input(&self) -> Input {
        Input::coded(&self.coded)
    }
}

/// Pretty JSON indented to sit one level deep.
fn indented<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)?.replace('\n', "\n  "))
}
