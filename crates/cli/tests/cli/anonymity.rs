//! `qda check --anonymised`: planted leaks are all found, and the originals
//! never appear in the report.

use crate::support::QdaTest;

const ORIGINALS: [&str; 5] = ["Soo-jin", "김민수", "田中", "Hoeryong-ri", "Park"];

fn assert_no_original(text: &str) {
    use unicode_normalization::UnicodeNormalization;
    let folded = text.to_lowercase();
    for original in ORIGINALS {
        let nfd: String = original.nfd().collect();
        assert!(
            !folded.contains(&original.to_lowercase()) && !text.contains(&nfd),
            "{original} leaked into:\n{text}"
        );
    }
}

#[test]
fn planted_leaks_are_reported_without_the_originals() {
    let test = QdaTest::fixture("anonymity");
    let run = test.run(&["check", "--anonymised", "--pseudonyms", "pseudonyms.csv", "T1.txt"]);
    assert_eq!(run.code, 1);
    assert_no_original(&run.stdout);
    assert_no_original(&run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn warnings_alone_pass_unless_strict() {
    let test = QdaTest::fixture("anonymity");
    let run = test.run(&["check", "--anonymised", "--pseudonyms", "pseudonyms.csv", "T2.txt"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = test.run(&[
        "check",
        "--anonymised",
        "--pseudonyms",
        "pseudonyms.csv",
        "T2.txt",
        "--strict",
    ]);
    assert_eq!(run.code, 1);
    test.write("allow.txt", "# people who agreed to be named\nYoshida\n");
    let run = test.run(&["check", "--anonymised", "T2.txt", "--strict", "--allow", "allow.txt"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// The bundled transcripts hold no e-mail, telephone number or full date;
/// with the study's allow-list, what remains are the invented names of
/// relatives and acquaintances, which a reviewer reads through.
#[test]
fn bundled_study_with_its_allow_list() {
    let test = QdaTest::study();
    test.write(
        "allow.txt",
        std::fs::read(crate::support::workspace().join("anonymisation/allow.txt")).unwrap(),
    );
    let run = test.run(&[
        "check",
        "--anonymised",
        "transcripts/",
        "codebooks/motives.toml",
        "codebooks/strategies.toml",
        "codebooks/settlement.toml",
        "--allow",
        "allow.txt",
    ]);
    assert_eq!(run.code, 0);
    assert!(
        !run.stdout.contains("e-mail")
            && !run.stdout.contains("telephone")
            && !run.stdout.contains("full date")
    );
    assert!(
        run.stdout.ends_with("26 transcripts: 0 originals from the pseudonym table, 12 warnings\n"),
        "{}",
        run.stdout
    );
}
