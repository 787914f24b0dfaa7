//! Team work on codings in git: `qda merge-codings` (alone and as git's
//! merge driver, in real repositories), `qda git-setup` and `qda log`.

use std::path::Path;
use std::process::Command;

use crate::support::{QdaTest, Run, json};

/// Runs git in the test folder with a fixed author and dates, so commits
/// (and `qda log`) are the same on every run; `qda` is on PATH for the
/// merge driver.
fn git(test: &QdaTest, args: &[&str]) -> Run {
    let bin = test.path("bin");
    if !bin.exists() {
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_qda"), bin.join("qda")).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("git")
        .args(args)
        .current_dir(test.root())
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_COMMITTER_NAME", "qda tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.org")
        .env("GIT_AUTHOR_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-03-01T10:00:00Z")
        .output()
        .expect("git is installed (the CI installs it)");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[track_caller]
fn git_ok(test: &QdaTest, args: &[&str]) -> String {
    let run = git(test, args);
    assert_eq!(run.code, 0, "git {args:?} failed:\n{}\n{}", run.stdout, run.stderr);
    run.stdout
}

fn commit_as(test: &QdaTest, who: &str, message: &str) {
    git_ok(test, &["add", "-A"]);
    git_ok(
        test,
        &[
            "-c",
            &format!("user.name={who}"),
            "-c",
            "user.email=x@example.org",
            "commit",
            "-qm",
            message,
        ],
    );
}

/// The bundled study in a git repository with the merge driver set up and
/// `codings/anna.json` committed (written by qda, one coding per line).
fn repository() -> QdaTest {
    let test = QdaTest::study();
    std::fs::write(test.path(".gitignore"), "bin/\n").unwrap();
    git_ok(&test, &["init", "-q", "-b", "main"]);
    git_ok(&test, &["config", "user.name", "anna"]);
    git_ok(&test, &["config", "user.email", "anna@example.org"]);
    let setup = test.run(&["git-setup"]);
    assert!(setup.ok().contains("codings/*.json merge=qda"), "{}", setup.stdout);
    assert_eq!(
        std::fs::read_to_string(test.path(".gitattributes")).unwrap(),
        "codings/*.json merge=qda\n"
    );
    // The file in qda's line layout, so later diffs are small.
    test.write("empty.json", "");
    test.run(&[
        "merge-codings",
        "empty.json",
        "codings/anna.json",
        "empty.json",
        "-o",
        "codings/anna.json",
        "-q",
    ])
    .ok();
    std::fs::remove_file(test.path("empty.json")).unwrap();
    commit_as(&test, "carol", "Anna's codings");
    test
}

fn anna(test: &QdaTest) -> serde_json::Value {
    json(&String::from_utf8(test.read("codings/anna.json")).unwrap())
}

fn save(test: &QdaTest, file: &serde_json::Value) {
    let codings: qda_coding::CodingsFile = serde_json::from_value(file.clone()).unwrap();
    test.write("codings/anna.json", codings.to_json());
}

fn find<'a>(file: &'a serde_json::Value, segment: &str) -> Option<&'a serde_json::Value> {
    file["codings"].as_array().unwrap().iter().find(|c| c["segment"] == segment)
}

/// Concurrent additions, removals and memo edits on two branches: `git
/// merge` merges the codings file through the driver, keeps every change,
/// and the result passes `qda verify` and is read by `qda tally`.
#[test]
fn git_merge_keeps_both_branches_work() {
    let test = repository();
    git_ok(&test, &["checkout", "-qb", "ben"]);
    let mut file = anna(&test);
    let codings = file["codings"].as_array_mut().unwrap();
    codings.retain(|c| c["segment"] != "P02:t22");
    let p01 = codings.iter_mut().find(|c| c["segment"] == "P01:t12").unwrap();
    p01["source"]["memo"] = "ben: the balcony night is the decision".into();
    save(&test, &file);
    commit_as(&test, "ben", "Ben drops P02:t22, notes P01:t12");

    git_ok(&test, &["checkout", "-q", "main"]);
    let mut file = anna(&test);
    let codings = file["codings"].as_array_mut().unwrap();
    // A second selection in a segment she coded.
    let mut added = codings.iter().find(|c| c["segment"] == "P03:t6").unwrap().clone();
    added["start"] = (added["start"].as_u64().unwrap() + 10).into();
    added["source"].as_object_mut().unwrap().remove("quote");
    codings.push(added);
    let p04 = codings.iter_mut().find(|c| c["segment"] == "P04:t14").unwrap();
    p04["source"]["memo"] = "anna: pressure from the uncle".into();
    file["memos"].as_array_mut().unwrap().push(serde_json::json!({
        "case": "P06", "segment": "P06:t4", "coder": "anna", "memo": "nothing to code, but telling"
    }));
    save(&test, &file);
    commit_as(&test, "anna", "Anna adds survival at P03:t6");

    let merge = git(&test, &["merge", "-q", "--no-edit", "ben"]);
    assert_eq!(merge.code, 0, "{}\n{}", merge.stdout, merge.stderr);
    let merged = anna(&test);
    assert!(find(&merged, "P02:t22").is_none(), "ben's removal is honoured");
    assert_eq!(
        find(&merged, "P01:t12").unwrap()["source"]["memo"],
        "ben: the balcony night is the decision"
    );
    assert_eq!(
        find(&merged, "P04:t14").unwrap()["source"]["memo"],
        "anna: pressure from the uncle"
    );
    let p05: Vec<_> =
        merged["codings"].as_array().unwrap().iter().filter(|c| c["segment"] == "P03:t6").collect();
    assert_eq!(p05.len(), 2, "anna's addition is kept");
    assert!(merged["memos"].as_array().unwrap().iter().any(|m| m["segment"] == "P06:t4"));
    assert_eq!(merged["codings"].as_array().unwrap().len(), 73);

    // One coding per line: a line-based diff names each coding.
    let text = String::from_utf8(test.read("codings/anna.json")).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("    {\"case\"")).count(),
        73 + merged["memos"].as_array().unwrap().len()
    );

    let verify = test.run(&["verify", "codings/anna.json"]);
    assert!(verify.ok().contains("made by `qda merge-codings`"), "{}", verify.stdout);
    test.run(&["tally", "codebooks/motives.toml", "transcripts", "--codings", "codings/anna.json"])
        .ok();

    // `qda log`: who did what, newest first; the merge shows what it brought in.
    let log = test.run(&["log", "codings/anna.json"]);
    let shown: Vec<String> = log
        .ok()
        .lines()
        .take(12)
        .map(|l| if l.starts_with(' ') { l.to_owned() } else { l[8..].to_owned() })
        .collect();
    insta::assert_snapshot!(shown.join("\n"), @r#"
    2026-03-01T10:00:00Z anna (merge): Merge branch 'ben' (+0 -1 ~1)
      ~ P01:t12 freedom by anna: "ben: the balcony night is the decision"
      - P02:t22 freedom by anna
    2026-03-01T10:00:00Z anna: Anna adds survival at P03:t6 (+2 -0 ~1)
      + P03:t6 survival by anna
      ~ P04:t14 involuntary by anna: "anna: pressure from the uncle"
      + P06:t4 (memo, no code) by anna: "nothing to code, but telling"
    2026-03-01T10:00:00Z ben: Ben drops P02:t22, notes P01:t12 (+0 -1 ~1)
      ~ P01:t12 freedom by anna: "ben: the balcony night is the decision"
      - P02:t22 freedom by anna
    2026-03-01T10:00:00Z carol: Anna's codings (+77 -0 ~0)
      + P01:t12 freedom by anna
    "#);
    let log = json(test.run(&["log", "codings/anna.json", "--format", "json"]).ok());
    assert_eq!(log[1]["changes"][0]["kind"], "added");
    assert_eq!(log[1]["changes"][0]["code"], "survival");
    assert_eq!(log[0]["merge"], true);
}

/// True conflicts are never settled silently: the same memo edited
/// differently on both branches, and a coding removed on one branch whose
/// memo the other edited. `git merge` stops, the file keeps both versions,
/// and every command refuses it until someone settles them.
#[test]
fn git_merge_stops_on_true_conflicts() {
    let test = repository();
    git_ok(&test, &["checkout", "-qb", "ben"]);
    let mut file = anna(&test);
    let codings = file["codings"].as_array_mut().unwrap();
    codings.iter_mut().find(|c| c["segment"] == "P01:t12").unwrap()["source"]["memo"] =
        "ben's reading".into();
    codings.retain(|c| c["segment"] != "P04:t14");
    save(&test, &file);
    commit_as(&test, "ben", "Ben");

    git_ok(&test, &["checkout", "-q", "main"]);
    let mut file = anna(&test);
    let codings = file["codings"].as_array_mut().unwrap();
    codings.iter_mut().find(|c| c["segment"] == "P01:t12").unwrap()["source"]["memo"] =
        "anna's reading".into();
    codings.iter_mut().find(|c| c["segment"] == "P04:t14").unwrap()["source"]["memo"] =
        "keep this".into();
    save(&test, &file);
    commit_as(&test, "anna", "Anna");

    let merge = git(&test, &["merge", "-q", "--no-edit", "ben"]);
    assert_ne!(merge.code, 0, "git stops on the conflict");
    let temp = regex::Regex::new(r"\.merge_file_\w+").unwrap();
    insta::assert_snapshot!(
        temp.replace_all(&format!("{}{}", merge.stdout, merge.stderr), "[TEMP]")
    );
    let merged = anna(&test);
    let conflicts = merged["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 2);
    assert_eq!(conflicts[0]["ours"]["source"]["memo"], "anna's reading");
    assert_eq!(conflicts[0]["theirs"]["source"]["memo"], "ben's reading");
    assert!(
        conflicts[1]["theirs"].is_null() && conflicts[1]["ours"]["source"]["memo"] == "keep this"
    );

    let tally = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/anna.json",
    ]);
    insta::assert_snapshot!(tally.failure());
    let verify = test.run(&["verify", "codings/anna.json"]);
    assert_eq!(verify.code, 1);
    assert!(verify.stdout.contains("2 unresolved merge conflicts"), "{}", verify.stdout);
}

/// `merge-codings` alone: conflicts listed with their line in OUT, exit 1;
/// and two sides coded on different versions of a transcript.
#[test]
fn merge_codings_lists_conflicts_and_transcript_versions() {
    let test = QdaTest::study();
    let base = anna(&test);
    let mut ours = base.clone();
    let mut theirs = base.clone();
    // Both sides coded P01 again, on different edits of its transcript.
    for (side, sha, memo) in [(&mut ours, "a", "ours"), (&mut theirs, "b", "theirs")] {
        side["transcripts"][0]["sha256"] = sha.repeat(64).into();
        side["codings"][0]["source"]["memo"] = memo.into();
    }
    // And a memo on a segment without codes edited differently.
    ours["memos"][0]["memo"] = "our memo".into();
    theirs["memos"][0]["memo"] = "their memo".into();
    for (name, value) in [("base.json", &base), ("ours.json", &ours), ("theirs.json", &theirs)] {
        test.write(name, serde_json::to_vec_pretty(value).unwrap());
    }
    let run =
        test.run(&["merge-codings", "base.json", "ours.json", "theirs.json", "-o", "out.json"]);
    insta::assert_snapshot!(run.failure());
    test.write("conflicted.json", test.read("out.json"));
    let out = json(&String::from_utf8(test.read("out.json")).unwrap());
    assert_eq!(out["conflicts"][0]["kind"], "transcript");
    assert_eq!(out["conflicts"][0]["theirs"]["transcript"]["sha256"], "b".repeat(64));
    assert_eq!(out["conflicts"][1]["kind"], "memo");
    assert!(out["codings"].as_array().unwrap().iter().all(|c| c["case"] != "P01"));

    // One side coded on an edited transcript, the other left that case
    // alone: no conflict, the edited side's case is taken whole.
    test.write("theirs.json", serde_json::to_vec_pretty(&base).unwrap());
    let run =
        test.run(&["merge-codings", "base.json", "ours.json", "theirs.json", "-o", "out.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = json(&String::from_utf8(test.read("out.json")).unwrap());
    assert_eq!(out["transcripts"][0]["sha256"], "a".repeat(64));
    assert_eq!(out["codings"][0]["source"]["memo"], "ours");

    // A file with unsettled conflicts is refused, as by every command.
    let run = test.run(&[
        "merge-codings",
        "base.json",
        "conflicted.json",
        "theirs.json",
        "-o",
        "out.json",
    ]);
    insta::assert_snapshot!(run.failure());
}

/// Bad input: not a codings file, a missing file; exit 2 and nothing written.
#[test]
fn merge_codings_errors() {
    let test = QdaTest::study();
    test.write("bad.json", "{\n  \"codings\": [\n    {\"case\": 3}\n  ]\n}\n");
    let run = test.run(&[
        "merge-codings",
        "codings/anna.json",
        "codings/anna.json",
        "bad.json",
        "-o",
        "out.json",
    ]);
    insta::assert_snapshot!(run.failure());
    let run = test.run(&[
        "merge-codings",
        "missing.json",
        "codings/anna.json",
        "codings/ben.json",
        "-o",
        "out.json",
    ]);
    insta::assert_snapshot!(run.failure());
    assert!(!Path::new(&test.path("out.json")).exists());
}

/// `qda git-setup` outside a repository; run twice, it adds the line once.
#[test]
fn git_setup_errors_and_repeats() {
    let test = QdaTest::study();
    insta::assert_snapshot!(test.run(&["git-setup"]).failure());
    git_ok(&test, &["init", "-q"]);
    test.write(".gitattributes", "*.txt text");
    test.run(&["git-setup"]).ok();
    let again = test.run(&["git-setup"]);
    assert!(again.ok().contains("already routes codings/*.json to qda"), "{}", again.stdout);
    assert_eq!(
        std::fs::read_to_string(test.path(".gitattributes")).unwrap(),
        "*.txt text\ncodings/*.json merge=qda\n"
    );
    assert_eq!(
        git_ok(&test, &["config", "merge.qda.driver"]).trim(),
        "qda merge-codings %O %A %B -o %A"
    );
}

/// `qda log` outside a repository, or on a file git never saw.
#[test]
fn log_errors() {
    let test = QdaTest::study();
    insta::assert_snapshot!(test.run(&["log", "codings/anna.json"]).failure());
    git_ok(&test, &["init", "-q"]);
    insta::assert_snapshot!(test.run(&["log", "codings/anna.json"]).failure());
}
