//! `qda code`: the codings file.

use crate::support::QdaTest;

#[test]
fn codings_file_lists_codings_transcripts_and_provenance() {
    let test = QdaTest::fixture("study-mini");
    let run = test.run(&["code", "codebook.toml", "A.txt", "B.txt"]);
    insta::assert_snapshot!(run.ok());
}

#[test]
fn codings_of_the_bundled_study() {
    let test = QdaTest::study();
    test.run(&["code", "codebooks/motives.toml", "transcripts/", "-o", "codings.json"]).ok();
    let json: serde_json::Value = serde_json::from_slice(&test.read("codings.json")).unwrap();
    let codings = json["codings"].as_array().unwrap();
    assert!(codings.iter().all(|c| c["coder"] == "rules"));
    assert!(codings.iter().all(|c| !c["segment"].as_str().unwrap().is_empty()));
    assert_eq!(json["transcripts"].as_array().unwrap().len(), 26);
    // codebook, 26 transcripts and transcripts/cases.csv
    assert_eq!(json["provenance"]["inputs"].as_array().unwrap().len(), 28);
    insta::assert_snapshot!(String::from_utf8(test.read("codings.json")).unwrap());
}

#[test]
fn no_codings_is_an_empty_list() {
    let test = QdaTest::fixture("study-mini");
    test.write("C.txt", "+++\ncase = \"C\"\n+++\nI: Why?\nP: I do not remember.\n");
    let json: serde_json::Value =
        serde_json::from_str(test.run(&["code", "codebook.toml", "C.txt"]).ok()).unwrap();
    assert_eq!(json["codings"], serde_json::json!([]));
}
