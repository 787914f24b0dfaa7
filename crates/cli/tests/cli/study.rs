//! The bundled 26-interview study: the published numbers, every codebook's
//! tally, and byte-identical results across runs and thread counts.

use serde_json::Value;

use crate::support::QdaTest;

const MOTIVES: &[&str] =
    &["tally", "codebooks/motives.toml", "transcripts/", "--adjudications", "adjudications.toml"];

fn json_tally(test: &QdaTest, extra: &[&str]) -> Value {
    let mut args = MOTIVES.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    args.extend_from_slice(extra);
    serde_json::from_str(test.run(&args).ok()).expect("tally JSON parses")
}

fn group_cases(tally: &Value, code: &str) -> u64 {
    tally["groups"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == code)
        .and_then(|r| r["cases"].as_u64())
        .expect("row present")
}

/// The study reports survival 4, freedom 13, involuntary 9 of n = 26, with
/// 21 participants settled in Japan and 5 in South Korea.
#[test]
fn bundled_tally_reproduces_the_published_motives() {
    let test = QdaTest::study();
    let tally = json_tally(&test, &["--by", "settled_in"]);
    assert_eq!(tally["n"], 26);
    assert_eq!(tally["groups"][0]["parent"], "motive");
    assert_eq!(group_cases(&tally, "survival"), 4);
    assert_eq!(group_cases(&tally, "freedom"), 13);
    assert_eq!(group_cases(&tally, "involuntary"), 9);
    assert_eq!(group_cases(&tally, "uncoded"), 0);
    assert_eq!(tally["by"]["cases"]["Japan"], 21);
    assert_eq!(tally["by"]["cases"]["South Korea"], 5);
    // Five conflicts between motives are settled by the committed adjudications.
    assert_eq!(tally["groups"][0]["routes"]["adjudication"], 5);
    assert_eq!(tally["groups"][0]["routes"]["single"], 21);
}

#[test]
fn motives_tally_by_settlement() {
    let test = QdaTest::study();
    let mut args = MOTIVES.to_vec();
    args.extend_from_slice(&["--by", "settled_in"]);
    insta::assert_snapshot!(test.run(&args).ok());
}

#[test]
fn motives_tally_json() {
    let test = QdaTest::study();
    let tally = json_tally(&test, &[]);
    insta::assert_json_snapshot!(tally);
}

#[test]
fn strategies_tally() {
    let test = QdaTest::study();
    insta::assert_snapshot!(test.run(&["tally", "codebooks/strategies.toml", "transcripts/"]).ok());
}

#[test]
fn settlement_tally_by_settlement() {
    let test = QdaTest::study();
    let run =
        test.run(&["tally", "codebooks/settlement.toml", "transcripts/", "--by", "settled_in"]);
    insta::assert_snapshot!(run.ok());
}

#[test]
fn motives_without_adjudications_lists_the_conflicts() {
    let test = QdaTest::study();
    let run = test.run(&["tally", "codebooks/motives.toml", "transcripts/"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "", "an unfinished tally prints no numbers");
    insta::assert_snapshot!(run.failure());
}

#[test]
fn every_bundled_codebook_checks_clean() {
    let test = QdaTest::study();
    for codebook in ["motives", "strategies", "settlement"] {
        let path = format!("codebooks/{codebook}.toml");
        let run = test.run(&["check", &path, "transcripts/"]);
        assert_eq!(run.stderr, "", "{codebook}: no warnings expected");
        insta::assert_snapshot!(format!("check_{codebook}"), run.ok());
    }
}

#[test]
fn results_are_byte_identical_across_runs_and_thread_counts() {
    let one = QdaTest::study().env("RAYON_NUM_THREADS", "1");
    let two = QdaTest::study().env("RAYON_NUM_THREADS", "2");
    let mut args = MOTIVES.to_vec();
    args.extend_from_slice(&["--format", "json", "-o", "tally.json"]);
    one.run(&args).ok();
    two.run(&args).ok();
    assert_eq!(one.read("tally.json"), two.read("tally.json"));
    let code = ["code", "codebooks/strategies.toml", "transcripts/", "-o", "codings.json"];
    one.run(&code).ok();
    two.run(&code).ok();
    assert_eq!(one.read("codings.json"), two.read("codings.json"));
    let first = two.read("codings.json");
    two.run(&code).ok();
    assert_eq!(two.read("codings.json"), first, "a second run gives the same bytes");
}

/// The published results and codings are current: `qda verify` re-runs
/// each recorded command and reproduces every value; and anna's sheet is a
/// sheet of the transcripts as they are now.
#[test]
fn published_results_verify() {
    let test = QdaTest::study();
    let published = [
        "results/motives-tally.json",
        "results/strategies-tally.json",
        "results/settlement-tally.json",
        "results/motives-agreement.json",
        "results/strategies-cooccur.json",
        "results/motives-cooccur.json",
        "results/motives-matrix.json",
        "codings/rules.json",
        "codings/anna.json",
        "codings/ben.json",
    ];
    let mut args = vec!["verify"];
    args.extend(published);
    let run = test.run(&args);
    insta::assert_snapshot!(run.ok(), @r"
    ok: results/motives-tally.json: every input unchanged and every value reproduced
    ok: results/strategies-tally.json: every input unchanged and every value reproduced
    ok: results/settlement-tally.json: every input unchanged and every value reproduced
    ok: results/motives-agreement.json: every input unchanged and every value reproduced
    ok: results/strategies-cooccur.json: every input unchanged and every value reproduced
    ok: results/motives-cooccur.json: every input unchanged and every value reproduced
    ok: results/motives-matrix.json: every input unchanged and every value reproduced
    ok: codings/rules.json: every input unchanged and every value reproduced
    ok: codings/anna.json: every input unchanged and every value reproduced
    ok: codings/ben.json: every input unchanged and every value reproduced
    ");

    test.run(&["sheet", "codebooks/motives.toml", "transcripts/", "-o", "blank.csv"]).ok();
    let columns = |bytes: Vec<u8>| -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        reader
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 6 && *i != 7)
                    .map(|(_, c)| c.to_owned())
                    .collect()
            })
            .collect()
    };
    assert_eq!(columns(test.read("blank.csv")), columns(test.read("codings/anna-sheet.csv")));
}

/// One changed word in one transcript: verify names the file with both
/// hashes, shows the number that moved, and exits 1.
#[test]
fn a_tampered_transcript_fails_verification() {
    let test = QdaTest::study();
    let text = String::from_utf8(test.read("transcripts/P25.txt")).unwrap();
    assert!(text.contains("freedom"));
    test.write("transcripts/P25.txt", text.replacen("freedom", "liberty", 1));
    let run = test.run(&["verify", "results/motives-tally.json"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "FAIL: results/motives-tally.json");
    assert!(lines[1].starts_with("  transcripts/P25.txt: changed (SHA-256 expected 72e3672a3ccb3f26cf9411ac41435ef0f79f69c38c39d76b42abc1d67d888aa9, found "), "{}", lines[1]);
    // freedom, and the roll-up of its parent motive.
    assert!(run.stdout.contains("codes[2].segments: 32 → 31"), "{}", run.stdout);
    assert!(run.stdout.contains("codes[0].segments: 75 → 74"), "{}", run.stdout);
}

#[test]
fn verify_refuses_what_it_cannot_check() {
    let test = QdaTest::study();
    test.write("plain.json", "{\"n\": 26}");
    insta::assert_snapshot!(test.run(&["verify", "plain.json"]).failure(), @r"
    exit: 2
    error: plain.json: no `provenance` object; only JSON results written by qda can be verified
    ");
}

/// Anna's reading settles the conflicts the rules leave to adjudication and
/// gives the published tally on its own.
#[test]
fn the_second_coder_reproduces_the_tally_and_agrees_with_the_rules() {
    let test = QdaTest::study();
    let run = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--format",
        "json",
    ]);
    let tally: Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(group_cases(&tally, "survival"), 4);
    assert_eq!(group_cases(&tally, "freedom"), 13);
    assert_eq!(group_cases(&tally, "involuntary"), 9);
    let run = test.run(&[
        "agree",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
    ]);
    insta::assert_snapshot!(run.ok());
    let run = test.run(&[
        "agree",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--disagreements",
    ]);
    insta::assert_snapshot!(run.ok());
}

/// `--only-coded` keeps the segments some coder coded: far fewer units, and
/// lower agreement, since agreement on uncoded text no longer counts.
#[test]
fn only_coded_segments_count_as_units() {
    let test = QdaTest::study();
    let agree = |extra: &[&str]| -> Value {
        let mut args = vec![
            "agree",
            "codebooks/motives.toml",
            "transcripts/",
            "--codings",
            "codings/rules.json",
            "codings/anna.json",
            "--format",
            "json",
            "--resamples",
            "0",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(test.run(&args).ok()).unwrap()
    };
    let all = agree(&[]);
    let coded = agree(&["--only-coded"]);
    let pooled = |json: &Value| {
        json["rows"].as_array().unwrap().iter().find(|r| r["scope"] == "pooled").cloned().unwrap()
    };
    assert_eq!(all["units"], 341);
    let units = coded["units"].as_u64().unwrap();
    assert!(units > 0 && units < 341, "{units}");
    assert!(
        pooled(&coded)["percent_agreement"].as_f64() < pooled(&all)["percent_agreement"].as_f64()
    );
    assert_eq!(coded["provenance"]["options"]["only_coded"], true);
}

/// The worked example of docs/analysis.md: motives by year of crossing, binned.
#[test]
fn motives_by_crossing_year_in_bins() {
    let test = QdaTest::study();
    let mut args = MOTIVES.to_vec();
    args.extend_from_slice(&["--by", "crossing_year", "--bins", "2000,2005"]);
    insta::assert_snapshot!(test.run(&args).ok());
}

/// Hand-made codings (`qda serve`) have no command to re-run: verify checks
/// their inputs and says that it could do no more.
#[test]
fn verify_checks_the_inputs_of_hand_made_codings() {
    let test = QdaTest::study();
    let hash = qda_coding::sha256_hex(&test.read("transcripts/P01.txt"));
    let hand_made = format!(
        r#"{{"coder": "mina", "codings": [], "transcripts": [],
        "provenance": {{"tool": "qda", "version": "0", "command": "serve",
        "inputs": [{{"path": "transcripts/P01.txt", "sha256": "{hash}"}}], "options": {{}}}}}}"#
    );
    test.write("mina.json", hand_made);
    insta::assert_snapshot!(test.run(&["verify", "mina.json"]).ok(), @"ok: mina.json: every input unchanged (made by `qda serve`, which cannot be re-run: only the inputs are checked)");
    test.write("transcripts/P01.txt", "changed");
    let run = test.run(&["verify", "mina.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("FAIL: mina.json\n  transcripts/P01.txt: changed (SHA-256 expected "),
        "{}",
        run.stdout
    );
}
