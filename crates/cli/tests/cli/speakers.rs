//! Speaker labels that are neither interviewer labels of the codebook nor in
//! a transcript's `speakers`: `qda check`, `code` and `tally` warn once per
//! label, since rules code such turns as a participant's.

use crate::support::{QdaTest, fixtures};

/// The mini codebook (`interviewer = ["I"]`) over transcripts that write
/// `Q:` and `A:`, as some transcription services do.
fn questions_and_answers() -> QdaTest {
    let test = QdaTest::new();
    test.write(
        "codebook.toml",
        std::fs::read(fixtures().join("study-mini/codebook.toml")).unwrap(),
    );
    test.write(
        "A.txt",
        "+++\ncase = \"A\"\n+++\nQ: Were you hungry, or did you want freedom?\nA: We were starving.\n",
    );
    test.write(
        "B.txt",
        "+++\ncase = \"B\"\n+++\n[00:10] Interviewer 2: Why did you leave?\nA: For freedom.\nQ: Was there hunger?\nA: No.\n",
    );
    test
}

#[test]
fn check_warns_once_per_undeclared_label() {
    let test = questions_and_answers();
    let run = test.run(&["check", "codebook.toml", "A.txt", "B.txt"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stderr, @r"
    warning: A.txt:5:1: speaker `A` (3 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    warning: B.txt:4:9: speaker `Interviewer 2` (1 turn in 1 transcript) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Interviewer 2` to `interviewer` in codebook.toml if it is the interviewer
    warning: A.txt:4:1: speaker `Q` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Q` to `interviewer` in codebook.toml if it is the interviewer
    warning: no turn has an interviewer label (I); check `interviewer` in the codebook
    ");
}

#[test]
fn code_and_tally_warn_too() {
    let test = questions_and_answers();
    let run = test.run(&["code", "codebook.toml", "A.txt", "B.txt", "-o", "rules.json"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stderr, @r"
    warning: A.txt:5:1: speaker `A` (3 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    warning: B.txt:4:9: speaker `Interviewer 2` (1 turn in 1 transcript) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Interviewer 2` to `interviewer` in codebook.toml if it is the interviewer
    warning: A.txt:4:1: speaker `Q` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Q` to `interviewer` in codebook.toml if it is the interviewer
    wrote rules.json: 4 codings by rules over 2 cases
    ");
    let run = test.run(&["tally", "codebook.toml", "A.txt", "B.txt", "--codings", "rules.json"]);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 1
    warning: A.txt:5:1: speaker `A` (3 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    warning: B.txt:4:9: speaker `Interviewer 2` (1 turn in 1 transcript) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Interviewer 2` to `interviewer` in codebook.toml if it is the interviewer
    warning: A.txt:4:1: speaker `Q` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; add `Q` to `interviewer` in codebook.toml if it is the interviewer
    error: codebook.toml: 1 of 2 cases have several codes of the exclusive group `motive`, which is settled by adjudication (resolve = "adjudicate"):
      A: survival (2 segments), freedom (1 segment)
    add a decision for each to an adjudications file and pass it with --adjudications FILE:

    [[adjudication]]
    case = "A"
    parent = "motive"
    code = "survival | freedom"
    note = "why"
    "#);
}

/// One transcript's `speakers` declares the labels for the study, and
/// interviewer labels of the codebook need no declaration.
#[test]
fn declared_labels_are_quiet() {
    let test = questions_and_answers();
    test.write(
        "codebook.toml",
        std::fs::read_to_string(fixtures().join("study-mini/codebook.toml"))
            .unwrap()
            .replace(r#"interviewer = ["I"]"#, r#"interviewer = ["Q", "Interviewer 2"]"#),
    );
    test.write(
        "A.txt",
        "+++\ncase = \"A\"\nspeakers = [\"Q\", \"A\"]\n+++\nQ: Were you hungry?\nA: We were starving.\n",
    );
    let run = test.run(&["check", "codebook.toml", "A.txt", "B.txt"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stderr, @"");
}
