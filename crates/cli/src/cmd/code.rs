//! `qda code`: rules to codings.
//!
//! The codings file lists one coding per line (so it diffs well in git),
//! then the transcripts coded with their hashes, then the provenance. It is
//! written as transcripts are coded, so memory does not grow with the corpus.
//! With `--shard K/N` only the cases of that shard are coded; the shards'
//! codings files are read together by `qda tally --codings`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use qda_coding::{Codebook, CodedSource, RuleSet, Transcript};
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
        |codebook, rules, transcript| CodedJson::of(codebook, rules, &transcript),
        |coded| {
            let json = coded.json;
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
            transcripts.push(CodedSource {
                path: display_path(&coded.path),
                case: coded.case,
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
/// The codings are written as the rules find them, never made: a corpus
/// has hundreds of thousands, each of five strings.
struct CodedJson {
    case: String,
    path: PathBuf,
    sha256: String,
    /// How many segments the transcript has.
    segments: usize,
    /// How many codings `json` holds.
    codings: usize,
    /// Each coding as `,\n    {...}`.
    json: Vec<u8>,
}

impl CodedJson {
    fn of(codebook: &Codebook, rules: &RuleSet, transcript: &Transcript) -> Self {
        // About what the benchmark corpus's transcripts need, so that the
        // buffer is seldom copied as it grows.
        let mut json = Vec::with_capacity(transcript.text().len() / 3);
        let mut codings = 0;
        let counts = rules.each_rule_coding(codebook, transcript, |coding| {
            json.extend_from_slice(b",\n    ");
            coding.write_json(&mut json);
            codings += 1;
        });
        CodedJson {
            case: transcript.case().to_owned(),
            path: transcript.path().to_owned(),
            sha256: transcript.sha256().to_owned(),
            segments: counts.segments,
            codings,
            json,
        }
    }
}

impl Summary for CodedJson {
    fn case(&self) -> &str {
        &self.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
    fn input(&self) -> Input {
        Input::hashed(&self.path, &self.sha256)
    }
}

/// Pretty JSON indented to sit one level deep.
fn indented<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)?.replace('\n', "\n  "))
}
