//! `qda diff`: a revision of the bundled codebook (one term moved from
//! `any` to `not`), from a file and from git, its effect on segments, cases,
//! tallies and agreement; `--fail-on-change`; and bad input.

use std::process::Command;

use crate::support::{QdaTest, json};

/// `codebooks/motives.toml` with "hungry" moved from survival's `any` to
/// its `not`, written as `revised.toml`.
fn revise(test: &QdaTest) {
    let text = String::from_utf8(test.read("codebooks/motives.toml")).unwrap();
    let revised = text
        .replace(r#"any = ["hunger", "hungry", "starv*""#, r#"any = ["hunger", "starv*""#)
        .replace(
            r#"not = ["never hungry", "never went hungry"]"#,
            r#"not = ["never hungry", "never went hungry", "hungry"]"#,
        );
    assert_ne!(text, revised, "the revision applies");
    test.write("revised.toml", revised);
}

#[test]
fn a_term_moved_from_any_to_not() {
    let test = QdaTest::study();
    revise(&test);
    let args = [
        "diff",
        "codebooks/motives.toml",
        "revised.toml",
        "transcripts",
        "--adjudications",
        "adjudications.toml",
    ];
    let run = test.run(&args);
    insta::assert_snapshot!(run.ok());

    let markdown: Vec<&str> = args.iter().copied().chain(["--format", "markdown"]).collect();
    assert!(test.run(&markdown).ok().contains("| P05:t4 | survival | lost |"));

    let as_json: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
    let result = json(test.run(&as_json).ok());
    let rule = &result["codebook"]["rules"][0];
    assert_eq!(rule["code"], "survival");
    assert_eq!(rule["clauses"][0]["clause"], "any");
    assert_eq!(rule["clauses"][0]["removed"], serde_json::json!(["hungry"]));
    assert_eq!(rule["clauses"][1]["clause"], "not");
    assert_eq!(rule["clauses"][1]["added"], serde_json::json!(["hungry"]));
    let first = &result["segments"][0];
    assert_eq!(
        (first["segment"].as_str(), first["gained"].as_bool()),
        (Some("P05:t4"), Some(false))
    );
    assert_eq!((first["clause"].as_str(), first["term"].as_str()), (Some("not"), Some("hungry")));
    assert_eq!(result["cases"][0]["lost"], serde_json::json!(["P05", "P17"]));
    // 4 of 26 cases: the Wilson interval `qda tally` gives (6.150034,
    // 33.531199), to four decimals.
    let survival = &result["groups"][0]["rows"][0];
    assert_eq!(survival["old"]["wilson_95"], serde_json::json!([6.15, 33.5312]));
    assert_eq!(result["provenance"]["command"], "diff");

    // --fail-on-change: the revision changes which cases have survival.
    let failing: Vec<&str> = args.iter().copied().chain(["--fail-on-change"]).collect();
    assert_eq!(test.run(&failing).code, 1);
    // A codebook against itself changes nothing, and passes.
    let same = [
        "diff",
        "codebooks/motives.toml",
        "codebooks/motives.toml",
        "transcripts",
        "--adjudications",
        "adjudications.toml",
        "--fail-on-change",
    ];
    let run = test.run(&same);
    assert!(run.ok().contains("No code or rule changed."), "{}", run.stdout);
    assert!(run.stdout.contains("The tallies are the same."));
}

/// The old codebook from git: `git:HEAD:codebooks/motives.toml` against
/// the revision in the working tree.
#[test]
fn the_old_codebook_from_git() {
    let test = QdaTest::study();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(test.root())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "anna")
            .env("GIT_AUTHOR_EMAIL", "anna@example.org")
            .env("GIT_COMMITTER_NAME", "anna")
            .env("GIT_COMMITTER_EMAIL", "anna@example.org")
            .output()
            .expect("git is installed");
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "codebooks"]);
    git(&["commit", "-qm", "codebooks"]);
    revise(&test);
    std::fs::rename(test.path("revised.toml"), test.path("codebooks/motives.toml")).unwrap();
    let run = test.run(&[
        "diff",
        "git:HEAD:codebooks/motives.toml",
        "codebooks/motives.toml",
        "transcripts",
        "--format",
        "json",
    ]);
    let result = json(run.ok());
    assert_eq!(result["old"]["path"], "git:HEAD:codebooks/motives.toml");
    assert_eq!(result["codebook"]["rules"][0]["code"], "survival");
    let bad = test.run(&["diff", "git:HEAD", "codebooks/motives.toml", "transcripts"]);
    insta::assert_snapshot!(bad.failure());
    // A revision git would take for an option is refused before git runs.
    let option = "git:--output=written:codebooks/motives.toml";
    let bad = test.run(&["diff", option, "codebooks/motives.toml", "transcripts"]);
    insta::assert_snapshot!(bad.failure(), @r"
    exit: 2
    error: git:--output=written:codebooks/motives.toml: a revision cannot start with `-`; give a commit, branch or tag, such as git:HEAD~1:codebooks/motives.toml
    ");
    assert!(
        std::fs::read_dir(test.root())
            .unwrap()
            .all(|e| { !e.unwrap().file_name().to_string_lossy().starts_with("written") })
    );
}

/// Codebooks with different units cannot be compared segment by segment.
#[test]
fn different_units_are_refused() {
    let test = QdaTest::study();
    let text = String::from_utf8(test.read("codebooks/motives.toml")).unwrap();
    test.write("paragraphs.toml", text.replace(r#"unit = "turn""#, r#"unit = "paragraph""#));
    let run = test.run(&["diff", "codebooks/motives.toml", "paragraphs.toml", "transcripts"]);
    insta::assert_snapshot!(run.failure());
    let run = test.run(&["diff", "missing.toml", "paragraphs.toml", "transcripts"]);
    insta::assert_snapshot!(run.failure());
}
