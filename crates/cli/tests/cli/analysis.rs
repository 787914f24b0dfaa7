//! `qda cooccur` and `qda matrix`: formats on the mini study and the bundled
//! study, codings files, column names, errors.

use crate::support::QdaTest;

fn mini() -> QdaTest {
    let test = QdaTest::fixture("study-mini");
    test.write(
        "adjudications.toml",
        std::fs::read(crate::support::fixtures().join("adjudications/settles_a.toml")).unwrap(),
    );
    test
}

fn run(test: &QdaTest, command: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![command, "codebook.toml", "A.txt", "B.txt"];
    args.extend_from_slice(extra);
    test.run(&args)
}

#[test]
fn cooccur_formats_on_the_mini_study() {
    let test = mini();
    for (level, format) in
        [("segment", "table"), ("segment", "csv"), ("case", "markdown"), ("case", "json")]
    {
        let out = run(&test, "cooccur", &["--level", level, "--format", format]);
        insta::assert_snapshot!(format!("mini_cooccur_{level}_{format}"), out.ok());
    }
}

/// A: survival and freedom in one turn; B: freedom. Counted by hand.
#[test]
fn cooccur_counts_segments_and_cases() {
    let test = mini();
    let json = |level: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["--level", level, "--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_str(run(&test, "cooccur", &args).ok()).unwrap()
    };
    let segments = json("segment", &[]);
    assert_eq!(segments["units"], 2, "two participant turns");
    assert_eq!(segments["matrix"], serde_json::json!([[1, 1], [1, 2]]));
    assert_eq!(segments["pairs"][0]["jaccard"], 0.5);
    assert_eq!(segments["pairs"][0]["observed_expected"], 1.0);
    // At case level the adjudication settles A's motive, so the exclusive
    // siblings no longer occur together.
    let cases = json("case", &["--adjudications", "adjudications.toml"]);
    assert_eq!(cases["matrix"], serde_json::json!([[1, 0], [0, 1]]));
    assert_eq!(cases["pairs"], serde_json::json!([]));
}

#[test]
fn cooccur_reads_a_coders_codings() {
    let test = QdaTest::study();
    let run = test.run(&[
        "cooccur",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--level",
        "case",
        "--adjudications",
        "adjudications.toml",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(json["provenance"]["options"]["coder"], "anna");
    assert_eq!(json["units"], 26);
}

#[test]
fn cooccur_on_the_bundled_study() {
    let test = QdaTest::study();
    let out =
        test.run(&["cooccur", "codebooks/strategies.toml", "transcripts/", "--level", "case"]);
    insta::assert_snapshot!(out.ok());
}

#[test]
fn matrix_wide_long_and_counts() {
    let test = mini();
    let adjudicated = ["--adjudications", "adjudications.toml"];
    let mut args = adjudicated.to_vec();
    insta::assert_snapshot!(run(&test, "matrix", &args).ok(), @r#"
    case,site,motive,survival,freedom
    A,Osaka,survival,1,1
    B,Seoul,freedom,0,1
    "#);
    args.push("--counts");
    insta::assert_snapshot!(run(&test, "matrix", &args).ok(), @r#"
    case,site,motive,survival,freedom
    A,Osaka,survival,1,1
    B,Seoul,freedom,0,1
    "#);
    insta::assert_snapshot!(run(&test, "matrix", &["--long"]).ok(), @r#"
    case,code,segments
    A,survival,1
    A,freedom,1
    B,survival,0
    B,freedom,1
    "#);
    let json: serde_json::Value =
        serde_json::from_str(run(&test, "matrix", &["--format", "json"]).ok()).unwrap();
    assert_eq!(json["provenance"]["command"], "matrix");
    assert_eq!(json["cases"][0]["groups"]["motive"], serde_json::Value::Null, "A is unresolved");
}

/// `--rollup` adds a column per parent: the segments with it or any code
/// under it, each segment once (A's one segment has survival and freedom).
#[test]
fn matrix_rolls_up_parents() {
    let test = mini();
    let args = ["--adjudications", "adjudications.toml", "--rollup", "--counts"];
    insta::assert_snapshot!(run(&test, "matrix", &args).ok(), @r#"
    case,site,motive,survival,freedom,motive_all
    A,Osaka,survival,1,1,1
    B,Seoul,freedom,0,1,1
    "#);
    insta::assert_snapshot!(run(&test, "matrix", &["--rollup", "--long"]).ok(), @r#"
    case,code,segments
    A,survival,1
    A,freedom,1
    A,motive_all,1
    B,survival,0
    B,freedom,1
    B,motive_all,1
    "#);
    let json: serde_json::Value =
        serde_json::from_str(run(&test, "matrix", &["--rollup", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["cases"][0]["rollup"]["motive"], 1);
    let json: serde_json::Value =
        serde_json::from_str(run(&test, "matrix", &["--format", "json"]).ok()).unwrap();
    assert!(json["cases"][0].get("rollup").is_none(), "no roll-up without --rollup");
}

#[test]
fn matrix_column_names_are_safe_and_collisions_are_renamed() {
    let test = mini();
    test.write("cases.csv", "case,survival,if,1st visit,Site\nA,yes,1,x,north\nB,no,2,y,south\n");
    let out =
        run(&test, "matrix", &["--adjudications", "adjudications.toml", "--cases", "cases.csv"]);
    insta::assert_snapshot!(format!("stdout:\n{}stderr:\n{}", out.ok(), out.stderr), @r#"
    stdout:
    case,site,survival,if_v,x1st_visit,Site_2,motive,survival_2,freedom
    A,Osaka,yes,1,x,north,survival,1,1
    B,Seoul,no,2,y,south,freedom,0,1
    stderr:
    warning: the column of attribute `Site` would be `Site`, as is the column of attribute `site` (names are compared ignoring case, as SPSS does); it is written as `Site_2`
    warning: the column of code `survival` would be `survival`, as is the column of attribute `survival` (names are compared ignoring case, as SPSS does); it is written as `survival_2`
    "#);
}

#[test]
fn matrix_of_the_bundled_study() {
    let test = QdaTest::study();
    let out = test.run(&[
        "matrix",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
    ]);
    insta::assert_snapshot!(out.ok());
}

#[test]
fn errors() {
    let test = mini();
    let mut failures = String::new();
    failures.push_str(&run(&test, "cooccur", &["--codings", "missing.json"]).failure());
    failures.push_str(&run(&test, "matrix", &["--coder", "anna"]).failure());
    failures.push_str(&run(&test, "cooccur", &["--level", "paragraph"]).failure());
    let before = test.read("A.txt");
    failures.push_str(&run(&test, "matrix", &["-o", "A.txt"]).failure());
    assert_eq!(test.read("A.txt"), before, "the input is unchanged");
    insta::assert_snapshot!(failures, @r#"
    exit: 2
    error: missing.json: cannot read the file: No such file or directory (os error 2)
    exit: 2
    error: the following required arguments were not provided:
      --codings <FILE>...

    Usage: qda matrix --codings <FILE>... --coder <NAME> <CODEBOOK> <TRANSCRIPTS>...

    For more information, try '--help'.
    exit: 2
    error: invalid value 'paragraph' for '--level <LEVEL>'
      [possible values: segment, case]

    For more information, try '--help'.
    exit: 2
    warning: case `A` has several codes of the exclusive group `motive` and no adjudication; its `motive` cell is left empty (settle it with --adjudications FILE)
    error: A.txt: refusing to write the output over an input file; choose another -o/--output path
    "#);
}

/// `qda verify` re-runs a co-occurrence result and names a changed value.
#[test]
fn verify_catches_a_changed_cooccurrence() {
    let test = QdaTest::study();
    let path = "results/strategies-cooccur.json";
    let mut json: serde_json::Value = serde_json::from_slice(&test.read(path)).unwrap();
    json["matrix"][0][0] = serde_json::json!(99);
    test.write(path, serde_json::to_vec_pretty(&json).unwrap());
    let run = test.run(&["verify", path]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout, @r#"
    FAIL: results/strategies-cooccur.json
      matrix[0][0]: 99 → 9
    "#);
}
