//! Every command that writes a file says so on standard error, in one line
//! (`wrote PATH: WHAT`), unless `--quiet`; nothing is said for standard output.

use crate::support::QdaTest;

/// Every command that writes a file, on the bundled study.
const COMMANDS: &[&[&str]] = &[
    &["code", "codebooks/motives.toml", "transcripts/", "-o", "out/rules.json"],
    &["sheet", "codebooks/motives.toml", "transcripts/", "-o", "out/sheet.csv"],
    &[
        "import-sheet",
        "codings/anna-sheet.csv",
        "--codebook",
        "codebooks/motives.toml",
        "--coder",
        "anna",
        "-o",
        "out/anna.json",
    ],
    &[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
        "--format",
        "json",
        "-o",
        "out/tally.json",
    ],
    &[
        "agree",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--resamples",
        "0",
        "-o",
        "out/agree.txt",
    ],
    &[
        "agree",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--disagreements",
        "--format",
        "csv",
        "-o",
        "out/disagreements.csv",
    ],
    &[
        "explain",
        "codebooks/motives.toml",
        "transcripts/P09.txt",
        "P09:t6",
        "-o",
        "out/explain.txt",
    ],
    &[
        "report",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
        "-o",
        "out/report.md",
    ],
    &[
        "cooccur",
        "codebooks/strategies.toml",
        "transcripts/",
        "--level",
        "case",
        "--format",
        "csv",
        "-o",
        "out/pairs.csv",
    ],
    &[
        "matrix",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
        "-o",
        "out/matrix.csv",
    ],
    &[
        "matrix",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
        "--long",
        "-o",
        "out/long.csv",
    ],
    &["export", "codebooks/motives.toml", "--to", "qdc", "-o", "out/motives.qdc"],
    &[
        "export",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--to",
        "qdpx",
        "-o",
        "out/study.qdpx",
    ],
    &["import", "out/motives.qdc", "-o", "out/codebook.toml"],
    &["import", "out/study.qdpx", "-o", "out/study/"],
];

#[test]
fn every_command_that_writes_a_file_says_what_it_wrote() {
    let test = QdaTest::study();
    std::fs::create_dir(test.path("out")).unwrap();
    let mut said = String::new();
    for args in COMMANDS {
        let run = test.run(args);
        assert_eq!(run.code, 0, "qda {}:\n{}", args.join(" "), run.stderr);
        said.push_str(&run.stderr);
    }
    insta::assert_snapshot!(said, @r"
    wrote out/rules.json: 75 codings by rules over 26 cases
    wrote out/sheet.csv: 341 segments of 26 cases to code, one per row
    wrote out/anna.json: 73 codings by anna over 26 cases
    wrote out/tally.json: tally of 26 cases (json)
    warning: anna saw the rules' suggestions while coding, so their agreement with `rules` is not an independent check of the rules; for one, code blind (`qda sheet --blind`, `qda serve --blind`)
    wrote out/agree.txt: agreement of 2 coders over 341 units (table)
    warning: anna saw the rules' suggestions while coding, so their agreement with `rules` is not an independent check of the rules; for one, code blind (`qda sheet --blind`, `qda serve --blind`)
    wrote out/disagreements.csv: 8 disagreements among 2 coders (csv)
    wrote out/explain.txt: explanation of segment P09:t6
    wrote out/report.md: report of 26 cases
    wrote out/pairs.csv: co-occurrence of 4 codes in 26 cases (csv)
    wrote out/matrix.csv: 26 cases × 15 columns
    wrote out/long.csv: 26 cases in the long form
    wrote out/motives.qdc: REFI-QDA codebook of 4 codes
    wrote out/study.qdpx: REFI-QDA project of 26 transcripts with 4 codes and 148 codings by 2 coders
    wrote out/codebook.toml: codebook of 4 codes
    wrote out/study: codebook.toml, 26 transcripts and 2 codings files
    ");
}

#[test]
fn quiet_says_nothing_and_standard_output_is_never_announced() {
    let test = QdaTest::study();
    std::fs::create_dir(test.path("out")).unwrap();
    for args in COMMANDS {
        let mut quiet = args.to_vec();
        quiet.push("--quiet");
        let run = test.run(&quiet);
        // Warnings about the data are still said; only the `wrote` line goes.
        assert_eq!(run.code, 0, "qda {}", quiet.join(" "));
        assert!(
            !run.stderr.lines().any(|line| line.starts_with("wrote ")),
            "qda {}: {}",
            quiet.join(" "),
            run.stderr
        );
    }
    let run = test.run(&["code", "codebooks/motives.toml", "transcripts/"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}
