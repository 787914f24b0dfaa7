//! `qda tally`: formats, conflicts, adjudications, `--by`, output files.

use crate::support::QdaTest;

const TALLY: &[&str] = &["tally", "codebook.toml", "A.txt", "B.txt"];

/// `qda tally` of the mini study (`codebook.toml`, `A.txt`, `B.txt`) with `extra` arguments.
pub(crate) fn tally(test: &QdaTest, extra: &[&str]) -> crate::support::Run {
    let mut args = TALLY.to_vec();
    args.extend_from_slice(extra);
    test.run(&args)
}

fn mini() -> QdaTest {
    let test = QdaTest::fixture("study-mini");
    test.write(
        "adjudications.toml",
        std::fs::read(crate::support::fixtures().join("adjudications/settles_a.toml")).unwrap(),
    );
    test
}

#[test]
fn an_unsettled_conflict_exits_1_with_a_template() {
    let run = tally(&mini(), &[]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 1
    warning: A.txt:6:1: speaker `P` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    error: codebook.toml: 1 of 2 cases have several codes of the exclusive group `motive`, which is settled by adjudication (resolve = "adjudicate"):
      A: survival (1 segment), freedom (1 segment)
    add a decision for each to an adjudications file and pass it with --adjudications FILE:

    [[adjudication]]
    case = "A"
    parent = "motive"
    code = "survival | freedom"
    note = "why"
    "#);
}

#[test]
fn formats() {
    let test = mini();
    let adjudicated = ["--adjudications", "adjudications.toml", "--by", "site"];
    for (format, name) in [
        ("table", "mini_table"),
        ("markdown", "mini_markdown"),
        ("csv", "mini_csv"),
        ("json", "mini_json"),
    ] {
        let mut args = adjudicated.to_vec();
        args.extend_from_slice(&["--format", format]);
        insta::assert_snapshot!(name, tally(&test, &args).ok());
    }
}

/// A label is text in every format: `qda tally --format markdown` escapes
/// it as the Markdown report does, so the markup shows as written.
#[test]
fn markdown_escapes_a_label_as_the_report_does() {
    let test = mini();
    let codebook = String::from_utf8(test.read("codebook.toml")).unwrap();
    test.write(
        "codebook.toml",
        codebook.replace(
            "id = \"motive\"\n",
            "id = \"motive\"\nlabel = \"Reason <b>for</b> *leaving*\"\n",
        ),
    );
    let args = ["--adjudications", "adjudications.toml", "--format", "markdown"];
    let tallied = tally(&test, &args).ok().to_owned();
    insta::assert_snapshot!("label_with_markup_markdown", tallied);
    let escaped = "motive: Reason \\<b\\>for\\</b\\> \\*leaving\\*";
    assert!(tallied.contains(&format!("### {escaped} (exclusive")));
    let mut report = TALLY.to_vec();
    report[0] = "report";
    report.extend_from_slice(&["--adjudications", "adjudications.toml", "-o", "r.md"]);
    test.run(&report).ok();
    let reported = String::from_utf8(test.read("r.md")).unwrap();
    assert!(reported.contains(&format!("### {escaped}\n")), "{reported}");
}

#[test]
fn priority_and_majority_settle_without_adjudication() {
    let test = mini();
    let codebook = String::from_utf8(test.read("codebook.toml")).unwrap();
    test.write(
        "codebook.toml",
        codebook.replace("resolve = \"adjudicate\"", "resolve = \"priority\""),
    );
    let json: serde_json::Value =
        serde_json::from_str(tally(&test, &["--format", "json"]).ok()).unwrap();
    assert_eq!(json["groups"][0]["assignments"][0]["code"], "survival");
    assert_eq!(json["groups"][0]["assignments"][0]["route"], "priority");

    // A has one segment of each; a second freedom segment makes freedom the majority.
    test.write(
        "codebook.toml",
        codebook.replace("resolve = \"adjudicate\"", "resolve = \"majority\""),
    );
    let a = String::from_utf8(test.read("A.txt")).unwrap();
    test.write("A.txt", format!("{a}I: And?\nP: Freedom, again.\n"));
    let json: serde_json::Value =
        serde_json::from_str(tally(&test, &["--format", "json"]).ok()).unwrap();
    assert_eq!(json["groups"][0]["assignments"][0]["code"], "freedom");
    assert_eq!(json["groups"][0]["assignments"][0]["route"], "majority");
}

#[test]
fn adjudication_errors() {
    for name in ["unknown_case", "unknown_code", "not_exclusive", "duplicate", "missing_note"] {
        let test = QdaTest::fixture("study-mini");
        test.write(
            "adj.toml",
            std::fs::read(crate::support::fixtures().join(format!("adjudications/{name}.toml")))
                .unwrap(),
        );
        let run = tally(&test, &["--adjudications", "adj.toml"]);
        assert_eq!(run.code, 2, "{name}");
        insta::assert_snapshot!(format!("adjudication_{name}"), run.failure());
    }
}

#[test]
fn by_an_unknown_attribute_is_an_error() {
    let run = tally(&mini(), &["--adjudications", "adjudications.toml", "--by", "country"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    warning: A.txt:6:1: speaker `P` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    error: --by country: no case has the attribute `country`; known attributes: site
    ");
}

#[test]
fn output_goes_to_a_file_and_never_over_an_input() {
    let test = mini();
    let run = tally(&test, &["--adjudications", "adjudications.toml", "-o", "out/../tally.txt"]);
    assert_eq!(run.code, 2, "a missing folder is an error");
    tally(&test, &["--adjudications", "adjudications.toml", "-o", "tally.txt"]).ok();
    assert!(String::from_utf8(test.read("tally.txt")).unwrap().contains("n = 2 cases"));

    let before = test.read("A.txt");
    let run = tally(&test, &["--adjudications", "adjudications.toml", "-o", "A.txt"]);
    assert_eq!(test.read("A.txt"), before, "the input is unchanged");
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    warning: A.txt:6:1: speaker `P` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    error: A.txt: refusing to write the output over an input file; choose another -o/--output path
    ");
}

/// The mini study with a numeric attribute `year` from a case table.
fn mini_with_years() -> QdaTest {
    let test = mini();
    test.write("cases.csv", "case,year\nA,1999\nB,2004\n");
    test
}

#[test]
fn bins_group_a_numeric_attribute() {
    let test = mini_with_years();
    let args = ["--adjudications", "adjudications.toml", "--cases", "cases.csv", "--by", "year"];
    let mut binned = args.to_vec();
    binned.extend(["--bins", "2000"]);
    insta::assert_snapshot!(tally(&test, &binned).ok());
    binned.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(tally(&test, &binned).ok()).unwrap();
    assert_eq!(json["by"]["bins"], serde_json::json!([2000.0]));
    assert_eq!(json["provenance"]["options"]["bins"], serde_json::json!([2000.0]));
    assert_eq!(
        json["groups"][0]["crosstab"]["columns"],
        serde_json::json!(["(-inf, 2000)", "[2000, inf)"])
    );
}

#[test]
fn bins_of_a_text_attribute_are_an_error() {
    let run = tally(
        &mini(),
        &["--adjudications", "adjudications.toml", "--by", "site", "--bins", "2000"],
    );
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    warning: A.txt:6:1: speaker `P` (2 turns in 2 transcripts) is neither an interviewer label of the codebook nor in a transcript's `speakers`, so its turns are coded as a participant's; list it in a transcript's `speakers` if that is right
    error: --bins: `site` is not a number in every case: case `A` has "Osaka" (and 1 more case); --bins needs a numeric attribute (leave out --bins to split by each value)
    "#);
}

#[test]
fn bad_bin_specifications_are_errors() {
    let test = mini_with_years();
    let base =
        ["--adjudications", "adjudications.toml", "--cases", "cases.csv", "--by", "year", "--bins"];
    let mut failures = String::new();
    for spec in ["2000,abc", "2005,2000", "2000,,2005", "inf"] {
        let mut args = base.to_vec();
        args.push(spec);
        failures.push_str(&tally(&test, &args).failure());
    }
    let run = test.run(&["tally", "codebook.toml", "A.txt", "B.txt", "--bins", "2000"]);
    failures.push_str(&run.failure());
    insta::assert_snapshot!(failures, @r#"
    exit: 2
    error: --bins 2000,abc: `abc` is not a number; give numbers separated by commas, such as --bins 1995,2000,2005
    exit: 2
    error: --bins 2005,2000: the edges must increase strictly, such as --bins 1995,2000,2005
    exit: 2
    error: --bins 2000,,2005: an empty edge; give numbers separated by commas, such as --bins 1995,2000,2005
    exit: 2
    error: --bins inf: `inf` is not a finite number; give numbers separated by commas, such as --bins 1995,2000,2005
    exit: 2
    error: the following required arguments were not provided:
      --by <ATTR>

    Usage: qda tally --by <ATTR> --bins <EDGES> <CODEBOOK> <TRANSCRIPTS>...

    For more information, try '--help'.
    "#);
}

/// `--codings` takes every path after it; transcripts named after it are
/// refused with the command in the right order, never read as codings.
#[test]
fn transcripts_after_codings_are_refused_with_the_right_order() {
    let test = mini();
    test.run(&["code", "codebook.toml", "A.txt", "B.txt", "-o", "rules.json"]).ok();
    test.write("my transcripts/C.txt", "+++\ncase = \"C\"\n+++\nP: hungry\n");
    let run = test.run(&["tally", "codebook.toml", "--codings", "rules.json", "A.txt", "B.txt"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: --codings A.txt: a transcript is not a codings file; --codings takes every path after it, so name the transcripts before it: qda tally codebook.toml A.txt B.txt --codings rules.json
    ");
    let run = test.run(&["tally", "codebook.toml", "--codings", "rules.json", "my transcripts"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: --codings my transcripts: a folder is not a codings file; --codings takes every path after it, so name the transcripts before it: qda tally codebook.toml 'my transcripts' --codings rules.json
    ");
    let run = test.run(&["agree", "codebook.toml", "A.txt", "--codings", "rules.json", "B.txt"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: --codings B.txt: a transcript is not a codings file; --codings takes every path after it, so name the transcripts before it: qda agree codebook.toml A.txt B.txt --codings rules.json
    ");
}

/// A parent gets a row of the segments and cases with it or any code under
/// it, marked as rolled up; A's one segment with survival and freedom counts
/// once. The exclusive group's table is unchanged.
#[test]
fn a_parent_rolls_up_its_children() {
    let test = mini();
    let adjudicated = ["--adjudications", "adjudications.toml"];
    let mut args = adjudicated.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(tally(&test, &args).ok()).unwrap();
    let rolled: Vec<&serde_json::Value> =
        json["codes"].as_array().unwrap().iter().filter(|c| c["rolled_up"] == true).collect();
    assert_eq!(rolled.len(), 1);
    assert_eq!(rolled[0]["code"], "motive");
    assert_eq!((rolled[0]["segments"].as_u64(), rolled[0]["cases"].as_u64()), (Some(2), Some(2)));
    // Wilson's lower bound for x = n is n / (n + z²): 2 / (2 + 1.959964²) = 0.342380.
    assert_eq!(rolled[0]["wilson_95"], serde_json::json!([34.238023, 100.0]));
    let text = tally(&test, &adjudicated).ok().to_owned();
    assert!(text.contains("motive (rolled up)"), "{text}");
    let mut args = adjudicated.to_vec();
    args.extend_from_slice(&["--format", "csv"]);
    assert!(tally(&test, &args).ok().contains("\nrollup,,motive,2,2,2,100.0000,"));
}
