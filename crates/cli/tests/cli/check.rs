//! `qda check`: examples and counterexamples, and warnings about transcripts.

use crate::support::{QdaTest, fixtures};

#[test]
fn failing_examples_are_reported_with_the_reason() {
    let test = QdaTest::new();
    test.write(
        "cb.toml",
        std::fs::read(fixtures().join("codebooks/failing_examples.toml")).unwrap(),
    );
    let run = test.run(&["check", "cb.toml"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_rule_that_matches_nothing_is_a_warning() {
    let test = QdaTest::fixture("study-mini");
    let run = test.run(&["check", "codebook.toml", "B.txt"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stderr, @r"
    warning: B.txt:6:1: speaker `P` (1 turn in 1 transcript) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    warning: code `survival`: the rule matches no segment of these transcripts
    ");
}
