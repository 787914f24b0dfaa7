//! `qda query` on the bundled study: excerpts (the writers of `qda
//! excerpts`, and its `--query` filter), counts checked against `qda
//! excerpts`, the case level, segments several coders coded, and the
//! errors, each pointing at its column.

use std::collections::BTreeSet;

use crate::support::{QdaTest, column, csv_rows, json};

const STUDY: &[&str] = &["codebooks/motives.toml", "transcripts/"];
const CODERS: &[&str] = &["--codings", "codings/anna.json", "codings/ben.json"];

/// `qda query EXPR` of the bundled study with `extra` arguments.
fn query(test: &QdaTest, expr: &str, extra: &[&str]) -> String {
    let mut args = vec!["query", expr];
    args.extend_from_slice(STUDY);
    args.extend_from_slice(extra);
    test.run(&args).ok().to_owned()
}

#[test]
fn markdown_of_codes_near_a_text() {
    let test = QdaTest::study();
    let markdown = query(&test, "freedom NEAR/2 \"broker*\" AND speaker:P", &[]);
    insta::assert_snapshot!(markdown);
}

#[test]
fn a_text_search_shows_segments_no_code_was_given() {
    let test = QdaTest::study();
    query(&test, "\"rice\" AND NOT survival AND speaker:P", &["-o", "rice.csv"]);
    let rows = csv_rows(&test.read("rice.csv"));
    let (code, text) = (column(&rows, "code"), column(&rows, "text"));
    assert!(rows.len() > 1, "some participant turns mention rice without survival");
    for row in &rows[1..] {
        assert_ne!(row[code], "survival");
        assert!(row[text].to_lowercase().contains("rice"), "{}", row[text]);
    }
    assert!(rows[1..].iter().any(|r| r[code] == "uncoded"));
}

#[test]
fn excerpts_with_a_query_are_the_querys_excerpts() {
    let test = QdaTest::study();
    let expr = "(freedom OR survival) AND \"china\"";
    query(&test, expr, &["-o", "query.csv"]);
    let mut args = vec!["excerpts"];
    args.extend_from_slice(STUDY);
    args.extend_from_slice(&["--query", expr, "-o", "excerpts.csv"]);
    test.run(&args).ok();
    let (from_query, from_excerpts) = (test.read("query.csv"), test.read("excerpts.csv"));
    assert!(csv_rows(&from_query).len() > 2);
    assert_eq!(from_query, from_excerpts);
    // Every coded excerpt of those segments, so also codes the query did not name.
    test.run(&["excerpts", STUDY[0], STUDY[1], "-o", "all.csv"]).ok();
    assert!(csv_rows(&test.read("all.csv")).len() > csv_rows(&from_query).len());
}

#[test]
fn counts_agree_with_the_excerpts_of_a_code() {
    let test = QdaTest::study();
    test.run(&["excerpts", STUDY[0], STUDY[1], "--code", "freedom", "-o", "freedom.csv"]).ok();
    let rows = csv_rows(&test.read("freedom.csv"));
    let (case, settled) = (column(&rows, "case"), column(&rows, "settled_in"));
    let japan: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[settled] == "Japan").collect();
    let japan_cases: BTreeSet<&str> = japan.iter().map(|r| r[case].as_str()).collect();
    query(&test, "freedom", &["--count", "--by", "settled_in", "-o", "counts.json"]);
    let counts = json(&String::from_utf8(test.read("counts.json")).unwrap());
    let row = counts["rows"].as_array().unwrap().iter().find(|r| r["value"] == "Japan").unwrap();
    assert_eq!(row["segments"], japan.len());
    assert_eq!(row["cases"], japan_cases.len());
    insta::assert_snapshot!(query(&test, "freedom", &["--count", "--by", "settled_in"]));
}

#[test]
fn the_case_level_finds_codes_anywhere_in_a_case() {
    let test = QdaTest::study();
    let count = |level: &str| {
        query(&test, "survival AND freedom", &["--count", "--level", level, "-o", "n.json"]);
        json(&String::from_utf8(test.read("n.json")).unwrap())["rows"][0]["cases"].as_u64().unwrap()
    };
    // No turn is coded both (the motives exclude each other), but cases
    // that mention both exist.
    assert_eq!(count("segment"), 0);
    assert!(count("case") > 0);
}

#[test]
fn multi_coded_lists_disagreements_first() {
    let test = QdaTest::study();
    let mut extra = CODERS.to_vec();
    extra.extend_from_slice(&["--multi-coded", "-o", "multi.csv"]);
    query(&test, "ALL", &extra);
    let rows = csv_rows(&test.read("multi.csv"));
    assert_eq!(rows[0][..6], ["case", "segment", "speaker", "agreement", "anna", "ben"]);
    let agreement = column(&rows, "agreement");
    let first_agree = rows[1..].iter().position(|r| r[agreement] == "agree").unwrap();
    assert!(first_agree > 0, "a disagreement comes first");
    assert!(rows[1 + first_agree..].iter().all(|r| r[agreement] == "agree"));
    for row in &rows[1..] {
        assert_eq!(row[agreement] == "agree", row[4] == row[5], "{row:?}");
    }
    // As many as the segments both coders coded, from their files.
    let coded = |file: &str| -> BTreeSet<String> {
        let value = json(&String::from_utf8(test.read(file)).unwrap());
        value["codings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["segment"].as_str().unwrap().to_owned())
            .collect()
    };
    let (anna, ben) = (coded("codings/anna.json"), coded("codings/ben.json"));
    assert_eq!(rows.len() - 1, anna.intersection(&ben).count());
    // --coded-by anna --not-coded-by ben: anna's segments ben left alone.
    let mut extra = CODERS.to_vec();
    extra.extend_from_slice(&[
        "--coded-by",
        "anna",
        "--not-coded-by",
        "ben",
        "--count",
        "-o",
        "only.json",
    ]);
    query(&test, "ALL", &extra);
    let only = json(&String::from_utf8(test.read("only.json")).unwrap());
    assert_eq!(only["rows"][0]["segments"], anna.difference(&ben).count());
}

/// A query is read up to 256 operators and parentheses, which bound how
/// deep it nests (30,000 `NOT`s ran out of stack).
#[test]
fn a_query_nested_too_deep_is_refused() {
    let test = QdaTest::study();
    let expr = format!("{}freedom{}", "(".repeat(257), ")".repeat(257));
    let mut args = vec!["query", expr.as_str()];
    args.extend_from_slice(STUDY);
    args.extend_from_slice(&["-o", "x.csv"]);
    let run = test.run(&args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!test.path("x.csv").exists());
    insta::assert_snapshot!(run.failure());
}

#[test]
fn errors() {
    let test = QdaTest::study();
    let cases: &[(&str, &str, &[&str])] = &[
        ("empty", "", &[]),
        ("unknown_code", "fredom OR survival", &[]),
        ("missing_operand", "freedom AND (survival OR)", &[]),
        ("unclosed_parenthesis", "(freedom OR survival", &[]),
        ("unclosed_quote", "freedom AND \"rice", &[]),
        ("two_operands", "freedom survival", &[]),
        ("lower_case_operator", "freedom and survival", &[]),
        ("bad_near", "freedom NEAR/two survival", &[]),
        ("overlaps_needs_spans", "freedom OVERLAPS settled_in=Japan", &[]),
        ("bad_term", "\"st*rv\"", &[]),
        ("unknown_coder", "freedom@ana", CODERS),
        ("unknown_speaker", "speaker:Q AND freedom", &[]),
        ("unknown_attribute", "setled_in=Japan", &[]),
        ("unknown_coded_by", "ALL", &["--codings", "codings/anna.json", "--coded-by", "ben"]),
        ("unknown_by", "freedom", &["--count", "--by", "country"]),
        ("count_extension", "freedom", &["--count", "-o", "x.xlsx"]),
    ];
    for (name, expr, extra) in cases {
        let mut args = vec!["query", expr];
        args.extend_from_slice(STUDY);
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", "x.csv"]);
        if extra.contains(&"-o") {
            args.truncate(args.len() - 2);
        }
        let run = test.run(&args);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(!test.path("x.csv").exists() && !test.path("x.xlsx").exists(), "{name}: no file");
        insta::assert_snapshot!(format!("error_{name}"), run.failure());
    }
    // The same errors from `qda excerpts --query`.
    let run = test.run(&["excerpts", STUDY[0], STUDY[1], "--query", "fredom", "-o", "x.csv"]);
    assert_eq!(run.code, 2);
    let run2 = test.run(&["excerpts", STUDY[0], STUDY[1], "--query", "speaker:Q", "-o", "x.csv"]);
    assert_eq!(run2.code, 2);
    assert!(!test.path("x.csv").exists());
    insta::assert_snapshot!(
        "excerpts_query_errors",
        format!("{}\n{}", run.failure(), run2.failure())
    );
}

#[test]
fn a_coding_in_two_files_is_listed_once() {
    let test = QdaTest::study();
    query(&test, "freedom", &["--codings", "codings/anna.json", "-o", "once.csv"]);
    let twice = ["--codings", "codings/anna.json", "codings/anna.json", "-o", "twice.csv"];
    query(&test, "freedom", &twice);
    assert!(csv_rows(&test.read("once.csv")).len() > 2);
    assert_eq!(test.read("once.csv"), test.read("twice.csv"));
}
