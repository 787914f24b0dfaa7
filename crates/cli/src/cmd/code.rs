//! `qda code`: rules to codings.

use anyhow::Result;
use qda_coding::{Coding, RuleSet};
use serde::Serialize;

use crate::args::CodeArgs;
use crate::input::{self, Sources};
use crate::outcome::Outcome;
use crate::provenance::{Input, Provenance};

/// The codings file: what `qda tally --codings` and other tools read back.
#[derive(Debug, Serialize)]
struct CodingsFile {
    provenance: Provenance,
    /// Every transcript coded, with the hash the offsets are valid for.
    transcripts: Vec<TranscriptInfo>,
    codings: Vec<Coding>,
}

#[derive(Debug, Serialize)]
struct TranscriptInfo {
    case: String,
    path: String,
    sha256: String,
    segments: usize,
}

pub(crate) fn run(args: &CodeArgs) -> Result<Outcome> {
    let (codebook, codebook_input) = input::codebook(&args.codebook)?;
    let rules = RuleSet::new(&codebook)?;
    let sources = Sources::collect(&args.input)?;
    let coded = input::code_corpus(&codebook, &rules, &sources)?;

    let mut inputs: Vec<Input> = vec![codebook_input];
    inputs.extend(input::transcript_inputs(&coded));
    inputs.extend(sources.table_inputs().cloned());
    let provenance = Provenance::new("code", inputs).option("unit", codebook.unit().as_str());
    let transcripts = coded
        .iter()
        .map(|c| TranscriptInfo {
            case: c.case.clone(),
            path: crate::provenance::display_path(&c.path),
            sha256: c.sha256.clone(),
            segments: c.segments,
        })
        .collect();
    let codings = coded.into_iter().flat_map(|c| c.codings).collect();
    let file = CodingsFile { provenance, transcripts, codings };

    let mut read: Vec<&std::path::Path> = vec![args.codebook.as_path()];
    read.extend(sources.files.iter().map(|p| p.as_path()));
    crate::output::write(args.output.as_deref(), &crate::render::json(&file), &read)?;
    Ok(Outcome::Success)
}
