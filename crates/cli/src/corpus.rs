//! The coded corpus that `qda cooccur` and `qda matrix` count: every case
//! with its attributes and codings, loaded the way `qda tally` loads them:
//! the codebook's rules by default, or codings files with `--codings`
//! (the chosen coder's manual codings over the rule codings).

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Result;
use qda_coding::{Adjudications, Attributes, CaseCodes, Codebook, Coding, RuleSet, Transcript};

use crate::args::{CodingsArgs, TranscriptArgs};
use crate::cmd::tally::{Chosen, choose_codings};
use crate::input::{self, Sources};
use crate::provenance::{Input, display_path};

/// One case: attributes, codings, and its codable segments without a code.
pub(crate) struct CodedCase {
    pub(crate) case: String,
    pub(crate) attributes: Attributes,
    /// The case's codings (each segment may carry several codes).
    pub(crate) codings: Vec<Coding>,
    /// Codable segments (not interviewer turns, in the codebook's unit) that
    /// have no coding: they are units too.
    pub(crate) uncoded_segments: usize,
}

impl CodedCase {
    /// Segments per code, as `qda tally` counts them.
    pub(crate) fn counts(&self) -> CaseCodes {
        CaseCodes::new(&self.case, self.attributes.clone(), &self.codings)
    }

    /// The codes of each coded segment (in segment id order).
    pub(crate) fn segments(&self) -> Vec<Vec<&str>> {
        let mut by_segment: std::collections::BTreeMap<&str, BTreeSet<&str>> =
            std::collections::BTreeMap::new();
        for c in &self.codings {
            by_segment.entry(c.segment.as_str()).or_default().insert(c.code.as_str());
        }
        by_segment.into_values().map(|codes| codes.into_iter().collect()).collect()
    }
}

/// Every case, sorted by case id, with the provenance of what was read.
pub(crate) struct Corpus {
    pub(crate) codebook: Codebook,
    pub(crate) cases: Vec<CodedCase>,
    /// Codebook, transcripts, case tables, codings files, adjudications.
    pub(crate) inputs: Vec<Input>,
    /// Whose codings count: `rules`, or the person chosen.
    pub(crate) coder: String,
    pub(crate) adjudications: Option<Adjudications>,
    /// Every file read, so no output is written over one.
    pub(crate) read: Vec<PathBuf>,
}

impl Corpus {
    /// Reads the codebook, the transcripts and the codings (or codes the
    /// transcripts with the rules) and the adjudications.
    pub(crate) fn load(
        codebook_path: &std::path::Path,
        transcripts: &TranscriptArgs,
        codings: &CodingsArgs,
        adjudications_file: Option<&std::path::Path>,
    ) -> Result<Corpus> {
        let (codebook, codebook_input) = input::codebook(codebook_path)?;
        let sources = Sources::collect(transcripts)?;
        let adjudications = adjudications_file.map(input::adjudications).transpose()?;
        let mut inputs = vec![codebook_input];
        let (cases, coder, transcript_inputs, codings_inputs) = if codings.codings.is_empty() {
            let rules = RuleSet::new(&codebook)?;
            let mut cases = Vec::new();
            let mut transcript_inputs = Vec::new();
            input::code_corpus(&codebook, &rules, &sources, |coded| {
                transcript_inputs.push(input::transcript_input(&coded));
                let coded_segments: BTreeSet<&str> =
                    coded.codings.iter().map(|c| c.segment.as_str()).collect();
                let uncoded_segments = coded.codable_segments.saturating_sub(coded_segments.len());
                cases.push(CodedCase {
                    case: coded.case.clone(),
                    attributes: coded.attributes.clone(),
                    codings: coded.codings,
                    uncoded_segments,
                });
                Ok(())
            })?;
            cases.sort_by(|a, b| a.case.cmp(&b.case));
            (cases, qda_coding::RULES_CODER.to_owned(), transcript_inputs, Vec::new())
        } else {
            from_codings(&codebook, &sources, codings)?
        };
        if let Some((adjudications, _)) = &adjudications {
            adjudications.validate(&codebook, cases.iter().map(|c| c.case.as_str()))?;
        }
        inputs.extend(transcript_inputs);
        inputs.extend(sources.table_inputs().cloned());
        inputs.extend(codings_inputs);
        inputs.extend(adjudications.iter().map(|(_, input)| input.clone()));
        let mut read = vec![codebook_path.to_owned()];
        read.extend(sources.files.iter().cloned());
        read.extend(codings.codings.iter().cloned());
        read.extend(adjudications_file.map(std::path::Path::to_owned));
        Ok(Corpus {
            codebook,
            cases,
            inputs,
            coder,
            adjudications: adjudications.map(|(a, _)| a),
            read,
        })
    }
}

type Loaded = (Vec<CodedCase>, String, Vec<Input>, Vec<Input>);

/// Cases from codings files: the chosen coder's manual codings over the
/// rule codings, as `qda tally --codings` counts them.
fn from_codings(codebook: &Codebook, sources: &Sources, args: &CodingsArgs) -> Result<Loaded> {
    let transcripts = sources.load_all()?;
    let Chosen { codings, coder, inputs } = choose_codings(codebook, &transcripts, args)?;
    let cases = coded_cases(codebook, &transcripts, &codings);
    Ok((cases, coder, input::inputs_of(&transcripts), inputs))
}

/// Each transcript's case with its codings and its codable segments that
/// have none.
pub(crate) fn coded_cases(
    codebook: &Codebook,
    transcripts: &[Transcript],
    codings: &[Coding],
) -> Vec<CodedCase> {
    let codable = input::codable_segments(codebook, transcripts);
    transcripts
        .iter()
        .zip(codable)
        .map(|(t, (_, ids))| {
            let mine: Vec<Coding> =
                codings.iter().filter(|c| c.case == t.case()).cloned().collect();
            let coded: BTreeSet<&str> = mine.iter().map(|c| c.segment.as_str()).collect();
            let uncoded_segments = ids.iter().filter(|id| !coded.contains(id.as_str())).count();
            CodedCase {
                case: t.case().to_owned(),
                attributes: t.attributes().clone(),
                codings: mine,
                uncoded_segments,
            }
        })
        .collect()
}

/// A shown list of paths, for provenance options.
pub(crate) fn shown(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| display_path(p)).collect()
}
