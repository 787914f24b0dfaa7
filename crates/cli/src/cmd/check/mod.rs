//! `qda check`: validate a codebook and transcripts, and run the codebook's
//! examples and counterexamples through its rules.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use qda_coding::{Codebook, Decision, RuleSet};
use serde::Serialize;

mod anonymised;

use crate::args::CheckArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::study::LoadedStudy;

pub(crate) fn run(args: &CheckArgs) -> Result<Outcome> {
    if args.anonymised {
        return anonymised::run(args);
    }
    let (codebook_path, transcripts) = args.paths.split_first().expect("clap requires a path");
    let input = crate::args::TranscriptArgs {
        transcripts: transcripts.to_vec(),
        cases: args.cases.clone(),
    };
    let study = LoadedStudy::open(codebook_path)?;
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();

    let with_rules = study.codebook.codes().iter().filter(|c| c.rule.is_some()).count();
    writeln!(
        out,
        "{}: {} codes, {} with rules ({} patterns); unit: {}",
        display_path(study.codebook.path()),
        study.codebook.codes().len(),
        with_rules,
        study.rules.pattern_count(),
        study.codebook.unit()
    )?;

    let examples = run_examples(&study.codebook, &study.rules);
    for warning in &examples.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    for failure in &examples.failures {
        let verdict = if failure.kind == "example" { "is not coded" } else { "is coded" };
        writeln!(
            out,
            "FAIL {}: {} {} {verdict}: \"{}\"\n     {}",
            failure.code, failure.kind, failure.number, failure.text, failure.why
        )?;
    }
    let failures = examples.failures.len();
    writeln!(out, "examples: {} of {} pass", examples.passed, examples.passed + failures)?;

    if !input.transcripts.is_empty() {
        let (corpus, warnings) = code_corpus(study, &input)?;
        writeln!(
            out,
            "transcripts: {} cases, {} segments ({} not by an interviewer)",
            corpus.cases, corpus.segments, corpus.codable_segments
        )?;
        for warning in warnings {
            writeln!(err, "warning: {warning}")?;
        }
    }

    if failures == 0 {
        writeln!(out, "ok")?;
        Ok(Outcome::Success)
    } else {
        writeln!(out, "{failures} example{} failed", if failures == 1 { "" } else { "s" })?;
        Ok(Outcome::Failure)
    }
}

/// What running a codebook's examples and counterexamples found.
#[derive(Debug, Serialize)]
pub(crate) struct Examples {
    /// Examples the rules do not code and counterexamples they code.
    pub(crate) failures: Vec<ExampleFailure>,
    /// How many examples and counterexamples came out as they should.
    pub(crate) passed: usize,
    /// Codes with examples but no rule to run them through.
    #[serde(skip)]
    pub(crate) warnings: Vec<String>,
}

/// An example the rule does not code, or a counterexample it codes.
#[derive(Debug, Serialize)]
pub(crate) struct ExampleFailure {
    pub(crate) code: String,
    /// `example` or `counterexample`.
    pub(crate) kind: &'static str,
    /// Its number among the code's examples (or counterexamples), from 1.
    pub(crate) number: usize,
    pub(crate) text: String,
    /// Why the rule decided as it did ([`explain`]).
    pub(crate) why: String,
}

/// The transcripts a codebook was checked on.
#[derive(Debug, Serialize)]
pub(crate) struct Corpus {
    pub(crate) cases: usize,
    pub(crate) segments: usize,
    /// Segments not by an interviewer.
    pub(crate) codable_segments: usize,
}

/// Runs every example and counterexample through the rules.
pub(crate) fn run_examples(codebook: &Codebook, rules: &RuleSet) -> Examples {
    let mut examples = Examples { failures: Vec::new(), passed: 0, warnings: Vec::new() };
    for code in codebook.codes() {
        let tests = code
            .examples
            .iter()
            .map(|t| (true, t))
            .chain(code.counterexamples.iter().map(|t| (false, t)));
        if code.rule.is_none() {
            if !code.examples.is_empty() || !code.counterexamples.is_empty() {
                examples.warnings.push(format!(
                    "code `{}` has examples but no rule, so they are not checked",
                    code.id
                ));
            }
            continue;
        }
        let mut numbers = (0, 0);
        for (expected, text) in tests {
            let number = if expected {
                numbers.0 += 1;
                numbers.0
            } else {
                numbers.1 += 1;
                numbers.1
            };
            let Some(decision) = rules.decide(&code.id, text) else { continue };
            if decision.applies == expected {
                examples.passed += 1;
                continue;
            }
            examples.failures.push(ExampleFailure {
                code: code.id.clone(),
                kind: if expected { "example" } else { "counterexample" },
                number,
                text: text.clone(),
                why: explain(&decision, text),
            });
        }
    }
    examples
}

/// Codes the transcripts `input` names; with the warnings `qda check`
/// gives about them: undeclared speaker labels, rules that match no
/// segment, no interviewer turn.
pub(crate) fn code_corpus(
    study: LoadedStudy,
    input: &crate::args::TranscriptArgs,
) -> Result<(Corpus, Vec<String>)> {
    let mut study = study.with_transcripts(input)?;
    let mut corpus = Corpus { cases: 0, segments: 0, codable_segments: 0 };
    let mut per_code: BTreeMap<String, usize> = BTreeMap::new();
    study.each_coded(|coded| {
        corpus.cases += 1;
        corpus.segments += coded.segments;
        corpus.codable_segments += coded.codable_segments;
        for coding in coded.codings {
            *per_code.entry(coding.code).or_default() += 1;
        }
        Ok(())
    })?;
    let mut warnings: Vec<String> =
        study.undeclared_speakers().iter().map(ToString::to_string).collect();
    for code in study.rules.codes() {
        if !per_code.contains_key(code) {
            warnings
                .push(format!("code `{code}`: the rule matches no segment of these transcripts"));
        }
    }
    if corpus.codable_segments == corpus.segments && !study.codebook.interviewer().is_empty() {
        warnings.push(format!(
            "no turn has an interviewer label ({}); check `interviewer` in the codebook",
            study.codebook.interviewer().join(", ")
        ));
    }
    Ok((corpus, warnings))
}

/// Why a rule did or did not code a text, in one line.
pub(crate) fn explain(decision: &Decision, text: &str) -> String {
    let quoted = |range: &std::ops::Range<usize>| format!("\"{}\"", &text[range.clone()]);
    if decision.applies {
        let source = decision.source().map_or_else(String::new, |e| {
            format!("`{}` term `{}` matched {}", e.clause.as_str(), e.term, quoted(&e.range))
        });
        return format!("coded: {source}");
    }
    let mut reasons = Vec::new();
    if decision.no_any {
        reasons.push("no `any` term or regex matched".to_owned());
    }
    if !decision.missing.is_empty() {
        let missing: Vec<String> = decision.missing.iter().map(|t| format!("`{t}`")).collect();
        reasons.push(format!(
            "`all` term{} {} missing",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    for veto in &decision.vetoed_by {
        reasons.push(format!("`not` term `{}` matched {}", veto.term, quoted(&veto.range)));
    }
    let matched: Vec<String> = decision
        .matched
        .iter()
        .map(|e| format!("`{}` term `{}` matched {}", e.clause.as_str(), e.term, quoted(&e.range)))
        .collect();
    if !matched.is_empty() {
        reasons.push(format!("although {}", matched.join(", ")));
    }
    format!("not coded: {}", reasons.join("; "))
}
