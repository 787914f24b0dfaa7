//! `qda check`: validate a codebook and transcripts, and run the codebook's
//! examples and counterexamples through its rules.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use qda_coding::{Codebook, Decision, RuleSet};

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
    let mut study = LoadedStudy::open(codebook_path)?;
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

    let failures = run_examples(&study.codebook, &study.rules, &mut out, &mut err)?;

    if !input.transcripts.is_empty() {
        study = study.with_transcripts(&input)?;
        let (mut cases, mut segments, mut codable) = (0, 0, 0);
        let mut per_code: BTreeMap<String, usize> = BTreeMap::new();
        study.each_coded(|coded| {
            cases += 1;
            segments += coded.segments;
            codable += coded.codable_segments;
            for coding in coded.codings {
                *per_code.entry(coding.code).or_default() += 1;
            }
            Ok(())
        })?;
        writeln!(
            out,
            "transcripts: {cases} cases, {segments} segments ({codable} not by an interviewer)"
        )?;
        for speaker in study.undeclared_speakers() {
            writeln!(err, "warning: {speaker}")?;
        }
        for code in study.rules.codes() {
            if !per_code.contains_key(code) {
                writeln!(
                    err,
                    "warning: code `{code}`: the rule matches no segment of these transcripts"
                )?;
            }
        }
        if codable == segments && !study.codebook.interviewer().is_empty() {
            writeln!(
                err,
                "warning: no turn has an interviewer label ({}); check `interviewer` in the codebook",
                study.codebook.interviewer().join(", ")
            )?;
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

/// Runs every example and counterexample; prints each failure. Returns the
/// number of failures.
fn run_examples(
    codebook: &Codebook,
    rules: &RuleSet,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<usize> {
    let mut failures = 0;
    let mut passed = 0;
    for code in codebook.codes() {
        let tests = code
            .examples
            .iter()
            .map(|t| (true, t))
            .chain(code.counterexamples.iter().map(|t| (false, t)));
        if code.rule.is_none() {
            if !code.examples.is_empty() || !code.counterexamples.is_empty() {
                writeln!(
                    err,
                    "warning: code `{}` has examples but no rule, so they are not checked",
                    code.id
                )?;
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
                passed += 1;
                continue;
            }
            failures += 1;
            let what = if expected { "example" } else { "counterexample" };
            let verdict = if expected { "is not coded" } else { "is coded" };
            writeln!(
                out,
                "FAIL {}: {what} {number} {verdict}: \"{text}\"\n     {}",
                code.id,
                explain(&decision, text)
            )?;
        }
    }
    writeln!(out, "examples: {passed} of {} pass", passed + failures)?;
    Ok(failures)
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
