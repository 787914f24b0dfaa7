//! Tests of reading LIWC and quanteda dictionaries as codebooks: the codes
//! and terms they make, the warnings, and each error's message and place.

use std::path::Path;

use super::Dictionary;
use crate::{RuleSet, Transcript};

fn read(name: &str, text: &str) -> Dictionary {
    Dictionary::parse(Path::new(name), text).unwrap()
}

fn read_err(name: &str, text: &str) -> String {
    Dictionary::parse(Path::new(name), text).unwrap_err().to_string()
}

const LIWC: &str = "%\n1\tposemo\n2\tnegemo\n3\tfamily\n%\nhappy\t1\nhope*\t1\nsad\t2\nafraid\t2\nmother\t3\nmom*\t3 1\nHappy\t1\n";

#[test]
fn liwc_categories_become_codes_with_any_terms() {
    let dictionary = read("emotions.dic", LIWC);
    assert!(dictionary.warnings().is_empty());
    insta::assert_snapshot!(dictionary.to_codebook_toml(), @r#"
    # Imported from the LIWC dictionary `emotions`.

    [codebook]
    name = "emotions"

    [[code]]
    id = "posemo"

    [code.rule]
    any = ["happy", "hope*", "mom*"]

    [[code]]
    id = "negemo"

    [code.rule]
    any = ["sad", "afraid"]

    [[code]]
    id = "family"

    [code.rule]
    any = ["mother", "mom*"]
    "#);
}

#[test]
fn a_liwc_codebook_codes_like_the_dictionary() {
    let dictionary = read("emotions.dic", LIWC);
    let codebook = dictionary.to_codebook(Path::new("emotions.dic")).unwrap();
    let rules = RuleSet::new(&codebook).unwrap();
    let transcript = Transcript::parse(
        Path::new("P01.txt"),
        b"+++\ncase = \"P01\"\n+++\nP: I was HOPEFUL for my Mommy.\n\nP: Nothing sad here.\n",
    )
    .unwrap();
    let coded = rules.code_transcript(&codebook, &transcript);
    let codes: Vec<(&str, &str)> =
        coded.codings.iter().map(|c| (c.segment.as_str(), c.code.as_str())).collect();
    assert_eq!(codes, [("P01:t1", "posemo"), ("P01:t1", "family"), ("P01:t2", "negemo")]);
}

#[test]
fn liwc_conditional_categories_are_left_out_with_a_warning() {
    let dictionary = read("d.dic", "%\n1\tfunct\n2\tverb\n%\nlike\t1 (02 134)2/464\n");
    assert_eq!(
        dictionary.warnings(),
        [
            "d.dic:5:8: `like`: `(02 134)2/464` is not a category number (LIWC's conditional categories cannot be expressed in qda); left out"
        ]
    );
}

#[test]
fn liwc_undefined_category_is_an_error_at_its_column() {
    insta::assert_snapshot!(
        read_err("d.dic", "%\n1\tposemo\n%\nhappy\t1 7\n"),
        @"d.dic:4:9: category 7 is not defined in the header (defined: 1); add `7<TAB>NAME` between the `%` lines or remove it here"
    );
}

#[test]
fn liwc_errors_name_the_line() {
    insta::assert_snapshot!(read_err("d.dic", "1\tposemo\n"), @"d.dic:1:1: a LIWC dictionary starts with a line holding only `%`, then its categories as `ID<TAB>NAME`, then another `%` line");
    insta::assert_snapshot!(read_err("d.dic", "%\n1\tposemo\nhappy\t1\n"), @"d.dic:3:1: `happy\t1` is not a category: a header line is a number, a tab and a name, such as `1<TAB>posemo`; close the header with a `%` line");
    insta::assert_snapshot!(read_err("d.dic", "%\n1\tposemo\n1\tnegemo\n%\n"), @"d.dic:3:1: category 1 is defined twice; give each category its own number");
    insta::assert_snapshot!(read_err("d.dic", "%\n1\tposemo\n%\nhappy\n"), @"d.dic:4:1: `happy` has no category numbers; add them after a tab, such as `happy<TAB>1`");
    insta::assert_snapshot!(read_err("d.dic", "%\n1\tposemo\n"), @"d.dic:2:1: the category header is never closed; add a line holding only `%` after the last category");
    insta::assert_snapshot!(read_err("d.dic", "%\n%\n"), @"d.dic:1:1: the dictionary defines no categories; a codebook needs at least one code");
}

const QUANTEDA: &str = "\
economy:
  - growth
  - jobs*
  - '*flation'
opposition:
  opposition:
    - Opposition
    - reject*
  taxing:
    - tax?s
    - 'un*able'
    - higher taxes
";

#[test]
fn quanteda_keys_nest_into_a_code_tree() {
    let dictionary = read("lsd.yml", QUANTEDA);
    insta::assert_snapshot!(dictionary.to_codebook_toml(), @r#"
    # Imported from the quanteda dictionary `lsd`.

    [codebook]
    name = "lsd"

    [[code]]
    id = "economy"

    [code.rule]
    any = ["growth", "jobs*", "*flation"]

    [[code]]
    id = "opposition"

    [[code]]
    id = "opposition/opposition"
    label = "opposition"
    parent = "opposition"

    [code.rule]
    any = ["Opposition", "reject*"]

    [[code]]
    id = "taxing"
    parent = "opposition"

    [code.rule]
    any = ["higher taxes"]
    regex = ['\btax\ws\b', '\bun\w*able\b']
    "#);
    dictionary.to_codebook(Path::new("lsd.yml")).unwrap();
}

#[test]
fn globs_qda_terms_cannot_say_match_as_quanteda_would() {
    let dictionary = read("d.yaml", "taxing:\n  - tax?s\n  - 'un*able'\n");
    let codebook = dictionary.to_codebook(Path::new("d.yaml")).unwrap();
    let rules = RuleSet::new(&codebook).unwrap();
    let transcript = Transcript::parse(
        Path::new("P01.txt"),
        b"+++\ncase = \"P01\"\n+++\nP: taxes\n\nP: syntaxes\n\nP: Unbearable\n\nP: unable\n\nP: taxis\n",
    )
    .unwrap();
    let coded = rules.code_transcript(&codebook, &transcript);
    let segments: Vec<&str> = coded.codings.iter().map(|c| c.segment.as_str()).collect();
    assert_eq!(segments, ["P01:t1", "P01:t3", "P01:t4", "P01:t5"]);
}

#[test]
fn patterns_that_match_every_word_are_left_out() {
    let dictionary = read("d.yml", "all:\n  - '*'\n  - word\nempty:\n");
    assert_eq!(
        dictionary.warnings(),
        [
            "d.yml:2:5: pattern `*` of `all` would match every word; left out",
            "d.yml:4:1: category `empty` has no patterns; it becomes a code without a rule"
        ]
    );
}

#[test]
fn yaml_that_is_not_a_dictionary_is_an_error_at_its_place() {
    insta::assert_snapshot!(read_err("d.yml", "- growth\n- jobs\n"), @"d.yml:1:1: this YAML is a list, not a dictionary; a quanteda dictionary maps each category to its patterns, such as `economy: [growth, jobs*]`");
    insta::assert_snapshot!(read_err("d.yml", "economy:\n  - growth\n  - {a: 1}\n"), @"d.yml:3:5: a pattern of `economy` is a mapping; list patterns as plain words such as `- jobs*`, and nest categories as keys");
    insta::assert_snapshot!(read_err("d.yml", "economy: [growth\n"), @"d.yml:2:1: not valid YAML: while parsing a flow sequence, expected ',' or ']'; a quanteda dictionary is `KEY:` lines with lists of patterns");
    insta::assert_snapshot!(read_err("d.yml", ""), @"d.yml:1:1: the file is empty; a quanteda dictionary maps each category to its patterns, such as `economy: [growth, jobs*]`");
}
