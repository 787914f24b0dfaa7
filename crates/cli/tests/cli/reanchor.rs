//! `qda reanchor`: codings carried over to edited transcripts. The edit
//! generator over the bundled study and `codings/anna.json`, the summary,
//! and the error every other command gives for a changed transcript.

use std::collections::BTreeMap;

use qda_bench::Rng;
use qda_bench::edits::{self, Edit, EditKind, LIGHT_EDITS};

use crate::support::{QdaTest, json};

fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// `codings/anna.json` as files were written before codings stored quotes:
/// `unquoted.json`.
fn unquoted(test: &QdaTest) {
    let mut anna = json(&String::from_utf8(test.read("codings/anna.json")).unwrap());
    for coding in anna["codings"].as_array_mut().unwrap() {
        coding["source"].as_object_mut().unwrap().remove("quote").expect("a quote");
    }
    test.write("unquoted.json", serde_json::to_vec_pretty(&anna).unwrap());
}

/// Gives `unquoted.json` its quotes again: carried over to the unchanged
/// transcripts, every coding is kept and quoted (`quoted.json`).
fn quoted(test: &QdaTest) {
    unquoted(test);
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "unquoted.json",
        "-o",
        "quoted.json",
    ]);
    assert!(run.ok().contains("0 changed transcripts; 73 codings: 73 kept"), "{}", run.stdout);
    let codings =
        |name: &str| json(&String::from_utf8(test.read(name)).unwrap())["codings"].clone();
    assert_eq!(codings("quoted.json"), codings("codings/anna.json"));
}

/// Edits every bundled transcript with each light edit, and deletes the
/// turn of the last coding of every third case; the old transcripts are
/// kept in `old/`. Returns each case's edits and old text.
fn edit_study(test: &QdaTest) -> BTreeMap<String, (Vec<Edit>, String)> {
    let anna = json(&String::from_utf8(test.read("codings/anna.json")).unwrap());
    let mut edited = BTreeMap::new();
    for i in 1..=26 {
        let case = format!("P{i:02}");
        let file = format!("transcripts/{case}.txt");
        let old = String::from_utf8(test.read(&file)).unwrap();
        test.write(&format!("old/{case}.txt"), &old);
        let last_coding = anna["codings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["case"] == case.as_str())
            .map(|c| c["start"].as_u64().unwrap() as usize)
            .next_back();
        let deleted: Vec<usize> = last_coding.filter(|_| i % 3 == 0).into_iter().collect();
        let plan = edits::plan(&mut Rng::for_item(17, i), &old, &LIGHT_EDITS, &deleted);
        test.write(&file, edits::apply(&old, &plan));
        edited.insert(case, (plan, old));
    }
    test.write("old/cases.csv", test.read("transcripts/cases.csv"));
    edited
}

#[test]
fn edit_generator_keeps_untouched_codings_and_reports_the_rest() {
    let test = QdaTest::study();
    quoted(&test);
    let edited = edit_study(&test);
    let kinds: usize = edited.values().map(|(plan, _)| plan.len()).sum();
    assert!(kinds >= 26 * 5, "the generator placed only {kinds} edits");

    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "quoted.json",
        "--format",
        "json",
        "-o",
        "new.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run.stdout);
    let mut fates: BTreeMap<&str, usize> = BTreeMap::new();
    let mut untouched = 0;
    let mut deleted = 0;
    for m in report["moves"].as_array().unwrap() {
        let case = m["case"].as_str().unwrap();
        let fate = m["fate"].as_str().unwrap();
        *fates.entry(fate).or_default() += 1;
        let (plan, old_text) = &edited[case];
        let new_text = String::from_utf8(test.read(&format!("transcripts/{case}.txt"))).unwrap();
        let (start, end) = (
            m["old"]["start"].as_u64().unwrap() as usize,
            m["old"]["end"].as_u64().unwrap() as usize,
        );
        let old = chars(old_text, start, end);
        assert_eq!(m["old"]["text"], old.as_str());
        let in_deleted = plan
            .iter()
            .any(|e| e.kind == EditKind::DeletedPassage && e.start <= start && end <= e.end);
        let touched = plan.iter().any(|e| e.touches(start, end));
        if in_deleted {
            deleted += 1;
            assert_eq!(fate, "lost", "{m:#}");
        } else if !touched {
            untouched += 1;
            assert!(fate == "kept" || fate == "moved", "{m:#}");
        }
        if let Some(new) = m["new"].as_object() {
            let (s, e) =
                (new["start"].as_u64().unwrap() as usize, new["end"].as_u64().unwrap() as usize);
            let now = chars(&new_text, s, e);
            assert_eq!(new["text"], now.as_str(), "{m:#}");
            // Nothing ends on other text without being reported.
            if fate == "kept" || fate == "moved" {
                assert_eq!(now, old, "{m:#}");
            } else {
                assert_ne!(now, old, "{m:#}");
            }
        }
    }
    assert!(deleted >= 8, "{deleted} codings in deleted passages");
    assert!(untouched >= 20, "{untouched} untouched codings");
    eprintln!("edit generator: {fates:?}; {untouched} untouched, {deleted} in deleted passages");
    insta::assert_snapshot!(
        format!("{fates:?}"),
        @r#"{"changed": 27, "kept": 3, "lost": 9, "moved": 34}"#
    );

    // `qda verify` checks the inputs of carried-over codings.
    let verify = test.run(&["verify", "new.json"]);
    assert!(verify.ok().contains("checked"), "{}", verify.stdout);

    // The file written is a valid codings file of the new transcripts.
    let tally = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "new.json",
        "--adjudications",
        "adjudications.toml",
    ]);
    assert_ne!(tally.code, 2, "{}", tally.stderr);

    // Without quotes, the old transcripts give the same result.
    let from_old = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "unquoted.json",
        "--old-transcripts",
        "old",
        "--format",
        "json",
        "-o",
        "from-old.json",
    ]);
    assert_eq!(from_old.code, 1, "{}", from_old.stderr);
    assert_eq!(json(&from_old.stdout)["moves"], report["moves"]);
    let codings =
        |name: &str| json(&String::from_utf8(test.read(name)).unwrap())["codings"].clone();
    assert_eq!(codings("from-old.json"), codings("new.json"));

    // The same inputs give the same bytes.
    let again = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "quoted.json",
        "--format",
        "json",
        "-o",
        "again.json",
    ]);
    assert_eq!(json(&again.stdout)["moves"], report["moves"]);
    assert_eq!(test.read("again.json"), test.read("new.json"));
}

/// The bundled study with two transcripts edited: in P05 words inserted
/// before one of anna's coded turns and into another; in P03 the last
/// coded turn deleted.
fn small_edit(test: &QdaTest) {
    let edit = |file: &str, from: &str, to: &str| {
        let path = format!("transcripts/{file}");
        let text = String::from_utf8(test.read(&path)).unwrap();
        assert!(text.contains(from), "{from}");
        test.write(&path, text.replacen(from, to, 1));
    };
    edit("P05.txt", "I grew up in Chongjin", "I grew up in Chongjin, in the north-east");
    edit("P05.txt", "In 2008, a friend", "In 2008, a good friend");
    let anna = json(&String::from_utf8(test.read("codings/anna.json")).unwrap());
    let last = anna["codings"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["case"] == "P03")
        .map(|c| c["start"].as_u64().unwrap() as usize)
        .unwrap();
    let old = String::from_utf8(test.read("transcripts/P03.txt")).unwrap();
    let plan = edits::plan(&mut Rng::new(1), &old, &[], &[last]);
    test.write("transcripts/P03.txt", edits::apply(&old, &plan));
}

#[test]
fn summary_table_lists_moved_changed_and_lost_codings() {
    let test = QdaTest::study();
    quoted(&test);
    small_edit(&test);
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "quoted.json",
        "-o",
        "new.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn tally_names_the_reanchor_command_for_a_changed_transcript() {
    let test = QdaTest::study();
    small_edit(&test);
    let run = test.run(&[
        "tally",
        "codebooks/motives.toml",
        "transcripts/",
        "--codings",
        "codings/anna.json",
    ]);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn agree_names_the_reanchor_command_for_a_changed_transcript() {
    let test = QdaTest::study();
    small_edit(&test);
    let run = test.run(&[
        "agree",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/anna.json",
        "codings/rules.json",
    ]);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn report_names_the_reanchor_command_for_a_changed_transcript() {
    let test = QdaTest::study();
    small_edit(&test);
    let run = test.run(&[
        "report",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/anna.json",
        "-o",
        "report.html",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("; carry the codings over to the new text with `qda reanchor codebooks/motives.toml transcripts --codings codings/anna.json -o codings/anna.reanchored.json`"),
        "{}",
        run.stderr
    );
    assert!(!test.path("report.html").exists());
}

#[test]
fn reanchor_without_quotes_asks_for_the_old_transcripts() {
    let test = QdaTest::study();
    unquoted(&test);
    small_edit(&test);
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "unquoted.json",
        "-o",
        "new.json",
    ]);
    insta::assert_snapshot!(run.failure());
    assert!(!test.path("new.json").exists());
}

#[test]
fn reanchor_refuses_old_transcripts_the_codings_were_not_made_on() {
    let test = QdaTest::study();
    unquoted(&test);
    small_edit(&test);
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "unquoted.json",
        "--old-transcripts",
        "transcripts",
        "-o",
        "new.json",
    ]);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn reanchor_refuses_rule_codings() {
    let test = QdaTest::study();
    small_edit(&test);
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/rules.json",
    ]);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn reanchor_never_writes_over_its_input() {
    let test = QdaTest::study();
    quoted(&test);
    small_edit(&test);
    let before = test.read("quoted.json");
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "quoted.json",
        "-o",
        "quoted.json",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(test.read("quoted.json"), before);
}

#[test]
fn reanchor_checks_the_codings_as_every_command_does() {
    let test = QdaTest::study();
    let anna = String::from_utf8(test.read("codings/anna.json")).unwrap();
    test.write("typo.json", anna.replacen("\"code\": \"freedom\"", "\"code\": \"freedon\"", 1));
    small_edit(&test);
    let run = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "typo.json",
        "-o",
        "new.json",
    ]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: typo.json: coding 1 (P01 P01:t12 freedon): unknown code `freedon` in codebooks/motives.toml; did you mean `freedom`?
    ");
    assert!(!test.path("new.json").exists());
}
