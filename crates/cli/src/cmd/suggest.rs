//! `qda suggest CODEBOOK CODE TRANSCRIPTS`: the segments without a code,
//! ranked by TF-IDF cosine similarity to the segments with it
//! (`qda_coding::SimilarityIndex`), each with the terms they share.
//!
//! Inputs as `qda tally`: without `--codings` the rules' codings are the
//! seeds, coded and split into terms in the worker thread that read each
//! transcript, so only the terms are kept; with them, the chosen coder's
//! codings are, and the coder's rejected suggestions for the code are never
//! suggested again. Only the transcripts of the suggestions listed are read
//! again, for their text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use qda_coding::{
    Codebook, Coding, RULES_CODER, SegmentRole, SegmentTerms, SimilarityIndex, Transcript,
};
use rayon::prelude::*;

use crate::args::SuggestArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, display_path, display_paths};
use crate::render::render;
use crate::render::suggest::SuggestionList;
use crate::study::{LoadedStudy, Summary, read_bytes};

pub(crate) fn run(args: &SuggestArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let codes = code_and_descendants(&study.codebook, &args.code, &args.codebook)?;
    let mut index = SimilarityIndex::new();
    // Each case's transcript, to read the suggestions' text from.
    let mut paths: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut loaded: BTreeMap<String, Transcript> = BTreeMap::new();
    if args.codings.codings.is_empty() {
        study.each_transcript(
            |codebook, rules, transcript| {
                let coded = rules.code_transcript(codebook, &transcript);
                let codings: Vec<&Coding> = coded.codings.iter().collect();
                Split {
                    input: Input::transcript(&transcript),
                    path: transcript.path().to_owned(),
                    case: transcript.case().to_owned(),
                    segments: split(codebook, &transcript, &codings, &codes, &BTreeSet::new()),
                }
            },
            |split| {
                for (segment, role, terms) in split.segments {
                    index.add_terms(&split.case, &segment, role, &terms);
                }
                paths.insert(split.case, split.path);
                Ok(())
            },
        )?;
    } else {
        let transcripts = study.transcripts()?;
        let codings = study.codings(&transcripts, &args.codings)?;
        let rejected: BTreeSet<String> = study
            .rejected
            .iter()
            .filter(|r| r.code == args.code)
            .map(|r| r.segment.clone())
            .collect();
        let mut by_case: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
        for coding in &codings {
            by_case.entry(coding.case.as_str()).or_default().push(coding);
        }
        let codebook = &study.codebook;
        let splits: Vec<_> = transcripts
            .par_iter()
            .map(|t| {
                let of_case = by_case.get(t.case()).map_or(&[][..], Vec::as_slice);
                split(codebook, t, of_case, &codes, &rejected)
            })
            .collect();
        for (t, segments) in transcripts.iter().zip(splits) {
            for (segment, role, terms) in segments {
                index.add_terms(t.case(), &segment, role, &terms);
            }
        }
        loaded = transcripts.into_iter().map(|t| (t.case().to_owned(), t)).collect();
    }
    study.warn_undeclared_speakers();
    let seeds = index.count(SegmentRole::Seed);
    if seeds == 0 {
        bail!(
            "no segment has the code `{}` ({}), so there is nothing to compare with; code a few segments with it first, or choose another code",
            args.code,
            if study.coder == RULES_CODER {
                "from the rules".to_owned()
            } else {
                format!("coded by {}", study.coder)
            }
        );
    }
    let suggestions = index.rank(args.top);
    let mut texts = Vec::with_capacity(suggestions.len());
    for suggestion in &suggestions {
        if !loaded.contains_key(&suggestion.case) {
            let path = &paths[&suggestion.case];
            let transcript = Transcript::from_bytes(path, read_bytes(path)?)?;
            loaded.insert(suggestion.case.clone(), transcript);
        }
        texts.push(segment_text(&study.codebook, &loaded[&suggestion.case], &suggestion.segment));
    }
    let provenance = study
        .provenance("suggest")
        .option("code", args.code.clone())
        .option("coder", study.coder.clone())
        .option("codings", display_paths(&args.codings.codings))
        .option("top", args.top.to_string());
    let list = SuggestionList::new(
        &study.codebook,
        &args.code,
        &study.coder,
        seeds,
        index.count(SegmentRole::Candidate),
        suggestions,
        texts,
        provenance,
    );
    let bytes = render(&list, args.format);
    let what = format!(
        "{} for `{}` ({})",
        count(list.suggestions.len(), "suggestion"),
        args.code,
        args.format.name()
    );
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}

/// The code and every code below it: a segment with any of them is a seed.
fn code_and_descendants(codebook: &Codebook, id: &str, path: &Path) -> Result<BTreeSet<String>> {
    if codebook.code(id).is_none() {
        let hint =
            codebook.suggest(id).map(|s| format!("did you mean `{s}`? ")).unwrap_or_default();
        bail!(
            "no code `{id}` in {}; {hint}codes: {}",
            display_path(path),
            codebook.codes().iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    let mut codes: BTreeSet<String> =
        codebook.descendants(id).into_iter().map(|c| c.id.clone()).collect();
    codes.insert(id.to_owned());
    Ok(codes)
}

/// A transcript's codable segments (not interviewer turns), each with its
/// role and terms, in transcript order.
fn split(
    codebook: &Codebook,
    transcript: &Transcript,
    codings: &[&Coding],
    codes: &BTreeSet<String>,
    rejected: &BTreeSet<String>,
) -> Vec<(String, SegmentRole, SegmentTerms)> {
    let seeds: BTreeSet<&str> =
        codings.iter().filter(|c| codes.contains(&c.code)).map(|c| c.segment.as_str()).collect();
    transcript
        .segments(codebook.unit())
        .into_iter()
        .filter(|s| !codebook.is_interviewer(&s.speaker))
        .map(|s| {
            let role = if seeds.contains(s.id.as_str()) {
                SegmentRole::Seed
            } else if rejected.contains(&s.id) {
                SegmentRole::Excluded
            } else {
                SegmentRole::Candidate
            };
            let terms = SegmentTerms::of(s.text(transcript));
            (s.id, role, terms)
        })
        .collect()
}

/// The text of segment `id`, white space collapsed.
fn segment_text(codebook: &Codebook, transcript: &Transcript, id: &str) -> String {
    transcript
        .segments(codebook.unit())
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| s.text(transcript).split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// What a worker keeps of a transcript: its segments' roles and terms.
struct Split {
    input: Input,
    path: PathBuf,
    case: String,
    segments: Vec<(String, SegmentRole, SegmentTerms)>,
}

impl Summary for Split {
    fn case(&self) -> &str {
        &self.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
    fn input(&self) -> Input {
        self.input.clone()
    }
}
