//! The generated corpus is valid qda input and matches at a realistic rate,
//! checked with the real rule engine.

use std::path::Path;

use qda_bench::{Generator, case_id};
use qda_coding::{Codebook, RuleSet, Transcript};

fn codebook(generator: &Generator) -> Codebook {
    Codebook::parse(Path::new("codebook.toml"), &generator.codebook_toml())
        .unwrap_or_else(|e| panic!("generated codebook is invalid: {e}"))
}

#[test]
fn codebook_has_every_kind_of_rule() {
    let generator = Generator::new(120, 42);
    let text = generator.codebook_toml();
    let codebook = codebook(&generator);
    let rules: Vec<_> = codebook.codes().iter().filter_map(|c| c.rule.as_ref()).collect();
    assert_eq!(rules.len(), 120);
    assert_eq!(codebook.exclusive_parents().count(), 1);
    assert!(rules.iter().any(|r| r.any.is_empty() && !r.all.is_empty()), "an all-only rule");
    assert!(rules.iter().filter(|r| !r.not.is_empty()).count() >= 10);
    assert!(rules.iter().filter(|r| !r.regex.is_empty()).count() >= 2);
    assert!(text.contains("*\""), "a suffix wildcard");
    assert!(text.contains("\"*"), "a prefix wildcard");
    assert!(RuleSet::new(&codebook).expect("compiles").pattern_count() >= 400);
}

#[test]
fn examples_are_coded_and_counterexamples_are_not() {
    let generator = Generator::new(150, 1);
    let codebook = codebook(&generator);
    let rules = RuleSet::new(&codebook).expect("compiles");
    for code in codebook.codes() {
        for example in &code.examples {
            let decision = rules.decide(&code.id, example).expect("has a rule");
            assert!(decision.applies, "{}: example not coded: {example}", code.id);
        }
        for counter in &code.counterexamples {
            let decision = rules.decide(&code.id, counter).expect("has a rule");
            assert!(!decision.applies, "{}: counterexample coded: {counter}", code.id);
        }
    }
}

#[test]
fn transcripts_parse_and_most_turns_match_few_codes() {
    let generator = Generator::new(120, 42);
    let codebook = codebook(&generator);
    let rules = RuleSet::new(&codebook).expect("compiles");
    let mut per_segment = vec![0usize; 8];
    let mut coded = std::collections::BTreeSet::new();
    for index in 0..3 {
        let text = generator.transcript(index, 150_000);
        let transcript = Transcript::parse(Path::new("t.txt"), text.as_bytes())
            .unwrap_or_else(|e| panic!("generated transcript is invalid: {e}"));
        assert_eq!(transcript.case(), case_id(index));
        assert!(transcript.attributes().contains_key("site"));
        let result = rules.code_transcript(&codebook, &transcript);
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for coding in &result.codings {
            *counts.entry(coding.segment.as_str()).or_default() += 1;
            coded.insert(coding.code.clone());
        }
        per_segment[0] += result.codable_segments - counts.len();
        for n in counts.values() {
            per_segment[(*n).min(7)] += 1;
        }
    }
    let total: usize = per_segment.iter().sum();
    let share = |n: usize| per_segment[n] as f64 / total as f64;
    assert!((0.3..0.6).contains(&share(0)), "uncoded share {}: {per_segment:?}", share(0));
    let few: usize = per_segment[..4].iter().sum();
    assert!(few as f64 / total as f64 > 0.95, "{per_segment:?}");
    assert!(coded.len() > 60, "only {} codes used", coded.len());
}

#[test]
fn filler_matches_no_rule() {
    let generator = Generator::new(300, 42);
    let codebook = codebook(&generator);
    let rules = RuleSet::new(&codebook).expect("compiles");
    for turn in generator.filler_turns(300_000) {
        let hits = rules.scan(&turn);
        for (code, decision) in rules.decide_all(&hits) {
            let any_or_regex = decision
                .matched
                .iter()
                .any(|e| matches!(e.clause, qda_coding::Clause::Any | qda_coding::Clause::Regex));
            assert!(
                !decision.applies && !any_or_regex && decision.vetoed_by.is_empty(),
                "{code} matches filler: {:?} in {turn}",
                decision.matched
            );
        }
    }
}

#[test]
fn participant_turns_reach_the_size() {
    let turns = Generator::new(120, 5).participant_turns(100_000);
    let sum: usize = turns.iter().map(String::len).sum();
    assert!(sum >= 100_000);
    assert!(turns.len() > 50);
}
