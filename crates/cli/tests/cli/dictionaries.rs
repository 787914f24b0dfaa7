//! Dictionaries as codebooks: `qda import DICT -o codebook.toml` and a
//! `.dic`, `.yml` or `.yaml` file wherever a codebook is named.

use crate::support::QdaTest;

const LIWC: &str =
    "%\n1\tneed\n2\twant\n%\nhungry\t1\nstarv*\t1\nfreedom\t2\nlike\t2 (02 134)1/464\n";

const QUANTEDA: &str = "motive:\n  survival:\n    - hungry\n    - starv*\n  freedom: freedom\n";

#[test]
fn import_writes_a_liwc_dictionary_as_a_codebook() {
    let test = QdaTest::fixture("study-mini");
    test.write("needs.dic", LIWC);
    let run = test.run(&["import", "needs.dic", "-o", "needs.toml"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 0
    warning: needs.dic:8:8: `like`: `(02 134)1/464` is not a category number (LIWC's conditional categories cannot be expressed in qda); left out
    wrote needs.toml: codebook of 2 codes
    ");
    insta::assert_snapshot!(String::from_utf8(test.read("needs.toml")).unwrap(), @r#"
    # Imported from the LIWC dictionary `needs`.

    [codebook]
    name = "needs"

    [[code]]
    id = "need"

    [code.rule]
    any = ["hungry", "starv*"]

    [[code]]
    id = "want"

    [code.rule]
    any = ["freedom", "like"]
    "#);
    // The codebook written is one qda reads.
    test.run(&["check", "needs.toml"]).ok();
}

#[test]
fn import_writes_a_quanteda_dictionary_as_a_code_tree() {
    let test = QdaTest::new();
    test.write("motives.yaml", QUANTEDA);
    test.run(&["import", "motives.yaml", "-o", "codebook.toml"]).ok();
    insta::assert_snapshot!(String::from_utf8(test.read("codebook.toml")).unwrap(), @r#"
    # Imported from the quanteda dictionary `motives`.

    [codebook]
    name = "motives"

    [[code]]
    id = "motive"

    [[code]]
    id = "survival"
    parent = "motive"

    [code.rule]
    any = ["hungry", "starv*"]

    [[code]]
    id = "freedom"
    parent = "motive"

    [code.rule]
    any = ["freedom"]
    "#);
}

/// A dictionary named where a codebook goes codes as the codebook that
/// `qda import` makes of it.
#[test]
fn a_dictionary_is_accepted_wherever_a_codebook_is() {
    let test = QdaTest::fixture("study-mini");
    test.write("motives.yml", QUANTEDA);
    test.run(&["import", "motives.yml", "-o", "motives.toml"]).ok();
    let from_dictionary = test.run(&["code", "motives.yml", "A.txt", "B.txt"]);
    let from_codebook = test.run(&["code", "motives.toml", "A.txt", "B.txt"]);
    let codings =
        |out: &str| serde_json::from_str::<serde_json::Value>(out).unwrap()["codings"].clone();
    assert_eq!(codings(from_dictionary.ok()), codings(from_codebook.ok()));
    assert!(codings(from_dictionary.ok()).as_array().is_some_and(|c| !c.is_empty()));
    let tally = test.run(&["tally", "motives.yml", "A.txt", "B.txt"]);
    assert!(tally.ok().contains("survival"), "{}", tally.stdout);
}

#[test]
fn an_undefined_category_id_is_an_error_and_writes_nothing() {
    let test = QdaTest::new();
    test.write("bad.dic", "%\n1\tneed\n%\nhungry\t1\nfreedom\t1 3\n");
    let run = test.run(&["import", "bad.dic", "-o", "codebook.toml"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: bad.dic:5:11: category 3 is not defined in the header (defined: 1); add `3<TAB>NAME` between the `%` lines or remove it here
    ");
    assert!(!test.path("codebook.toml").exists());
    let run = test.run(&["tally", "bad.dic", "x.txt"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: bad.dic:5:11: category 3"), "{}", run.stderr);
}

#[test]
fn a_yaml_that_is_not_a_dictionary_is_an_error() {
    let test = QdaTest::new();
    test.write("list.yml", "# a list of words, not of categories\n- hungry\n- starving\n");
    let run = test.run(&["import", "list.yml", "-o", "codebook.toml"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: list.yml:2:1: this YAML is a list, not a dictionary; a quanteda dictionary maps each category to its patterns, such as `economy: [growth, jobs*]`
    ");
    assert!(!test.path("codebook.toml").exists());
    // Nesting the loader would follow until the stack ran out.
    test.write("nested.yml", format!("motive:\n  {}hungry\n", "- ".repeat(20_000)));
    let run = test.run(&["import", "nested.yml", "-o", "codebook.toml"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: nested.yml:2:1001: this line is indented or nested more than 1000 columns deep; a quanteda dictionary is a handful of levels: flatten it
    ");
    assert!(!test.path("codebook.toml").exists());
    test.write("broken.yaml", "motive:\n  survival: [hungry\n");
    let run = test.run(&["import", "broken.yaml", "-o", "codebook.toml"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: broken.yaml:3:1: not valid YAML: while parsing a flow sequence, expected ',' or ']'; a quanteda dictionary is `KEY:` lines with lists of patterns
    ");
}
