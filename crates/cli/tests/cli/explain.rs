//! `qda explain`: which clause decided each code for one segment, on the
//! bundled study (a veto, a missing `all` term, an interviewer turn), and
//! the errors for segments and codes that do not exist.

use crate::support::QdaTest;

fn explain(test: &QdaTest, transcript: &str, rest: &[&str]) -> crate::support::Run {
    let mut args = vec!["explain", "codebooks/motives.toml", transcript];
    args.extend_from_slice(rest);
    test.run(&args)
}

/// P09 says "We were never hungry": `hungry` matches, `never hungry` vetoes.
#[test]
fn a_veto() {
    let test = QdaTest::study();
    insta::assert_snapshot!(explain(&test, "transcripts/P09.txt", &["P09:t6"]).ok());
}

/// P05's interviewer asks about hunger: the rule matches, but rules skip
/// interviewer turns.
#[test]
fn an_interviewer_turn() {
    let test = QdaTest::study();
    insta::assert_snapshot!(explain(&test, "transcripts/P05.txt", &["t3"]).ok());
}

#[test]
fn a_coded_turn_as_json_points_into_the_file() {
    let test = QdaTest::study();
    let run = explain(&test, "transcripts/P05.txt", &["P05:t4", "survival", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    let evidence = &json["codes"][0]["evidence"][0];
    assert_eq!(json["codes"][0]["verdict"], "coded");
    assert_eq!(evidence["term"], "hungry");
    // The line and column a reader finds the word at in the file.
    let file = String::from_utf8(test.read("transcripts/P05.txt")).unwrap();
    let line = file.lines().nth(evidence["line"].as_u64().unwrap() as usize - 1).unwrap();
    let column = evidence["column"].as_u64().unwrap() as usize - 1;
    assert!(line.chars().skip(column).collect::<String>().starts_with("hungry"));
    insta::assert_json_snapshot!(json);
}

/// A code whose rule needs every `all` term: the broker is missing in P05:t4.
#[test]
fn a_missing_all_term() {
    let test = QdaTest::study();
    let codebook = String::from_utf8(test.read("codebooks/motives.toml")).unwrap();
    test.write(
        "codebooks/motives.toml",
        format!(
            "{codebook}\n[[code]]\nid = \"broker_hunger\"\nlabel = \"Hunger and a broker\"\n[code.rule]\nany = [\"hungry\"]\nall = [\"people\", \"broker\"]\n"
        ),
    );
    insta::assert_snapshot!(
        explain(&test, "transcripts/P05.txt", &["P05:t4", "broker_hunger"]).ok()
    );
}

/// A folder of transcripts: the segment id names the case.
#[test]
fn the_transcript_is_found_in_a_folder() {
    let test = QdaTest::study();
    let from_file = explain(&test, "transcripts/P09.txt", &["P09:t6"]).ok().to_owned();
    assert_eq!(explain(&test, "transcripts/", &["P09:t6"]).ok(), from_file);
    let runs =
        [explain(&test, "transcripts/", &["t6"]), explain(&test, "transcripts/", &["P9:t6"])];
    let all: Vec<String> = runs.iter().map(|r| r.failure()).collect();
    insta::assert_snapshot!(all.join("\n"), @r"
    exit: 2
    error: transcripts: a folder of transcripts needs the case in the segment id, such as `CASE:t6`; or name the transcript file

    exit: 2
    error: transcripts: no transcript of case `P9`; did you mean `P09` or `P19`? cases there: P01, P02, P03, P04, P05, P06, P07, P08, P09, P10, P11, P12, P13, P14, P15, P16, P17, P18, P19, P20, P21, P22, P23, P24, P25, P26
    ");
}

/// A code without a rule is coded only by people.
#[test]
fn a_code_without_a_rule() {
    let test = QdaTest::study();
    let codebook = String::from_utf8(test.read("codebooks/motives.toml")).unwrap();
    test.write(
        "codebooks/motives.toml",
        format!("{codebook}\n[[code]]\nid = \"memory\"\nlabel = \"A memory of home\"\n"),
    );
    let run = explain(&test, "transcripts/P05.txt", &["P05:t4", "memory"]);
    assert!(
        run.ok().contains("· memory (A memory of home): no rule: only people code it\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_crlf_transcript_gives_the_same_lines_and_columns() {
    let test = QdaTest::study();
    let lf = explain(&test, "transcripts/P09.txt", &["P09:t6"]).ok().to_owned();
    let file = String::from_utf8(test.read("transcripts/P09.txt")).unwrap();
    test.write("transcripts/P09.txt", file.replace('\n', "\r\n"));
    assert_eq!(explain(&test, "transcripts/P09.txt", &["P09:t6"]).ok(), lf);
}

#[test]
fn unknown_segments_and_codes() {
    let test = QdaTest::study();
    let runs = [
        explain(&test, "transcripts/P05.txt", &["P05:t40"]),
        explain(&test, "transcripts/P05.txt", &["P05:t4.p2"]),
        explain(&test, "transcripts/P05.txt", &["P06:t4"]),
        explain(&test, "transcripts/P05.txt", &["t4", "survivl"]),
    ];
    let all: Vec<String> = runs.iter().map(|r| r.failure()).collect();
    insta::assert_snapshot!(all.join("\n"), @r#"
    exit: 2
    error: transcripts/P05.txt: no turn `P05:t40` in case `P05`; did you mean `P05:t4`, `P05:t10` or `P05:t20`? its turns are `P05:t1` to `P05:t26`

    exit: 2
    error: transcripts/P05.txt: `P05:t4.p2` is a paragraph, but codebooks/motives.toml codes each turn (unit = "turn"); explain `P05:t4`

    exit: 2
    error: transcripts/P05.txt: segment `P06:t4` belongs to case `P06`, but this transcript is case `P05`; name the transcript of case `P06`

    exit: 2
    error: codebooks/motives.toml: no code `survivl` in the codebook; did you mean `survival`?
    "#);
}
