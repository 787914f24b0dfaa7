//! Tests of codebook validation (each error's full message and location),
//! the JSON form of a codebook, and adjudications.

use super::*;
use crate::adjudication::Adjudications;
use crate::error::ErrorKind;

fn parse(text: &str) -> Codebook {
    Codebook::parse(Path::new("cb.toml"), text).unwrap()
}

fn parse_err(text: &str) -> String {
    Codebook::parse(Path::new("cb.toml"), text).unwrap_err().to_string()
}

/// A valid codebook: an exclusive parent with two children, and a plain code.
const MOTIVES: &str = r##"[codebook]
name = "Motives for crossing the border"
version = "1.0"
description = "Why people left."
unit = "paragraph"
interviewer = ["I", "Q"]

[[code]]
id = "motive"
label = "Reason for leaving North Korea"
exclusive = true
resolve = "majority"

[[code]]
id = "survival"
parent = "motive"
label = "Defecting as a form of survival"
definition = "Leaving to stay alive."
include = "Hunger, famine."
exclude = "Hunger as background only."
color = "#5E81AC"
examples = ["We were starving."]
counterexamples = ["I was not hungry."]
[code.rule]
any = ["hunger", "starv*", "nothing to eat"]
not = ["not hungry"]

[[code]]
id = "freedom"
parent = "motive"
[code.rule]
all = ["free"]
regex = ["liber(ty|ation)"]

[[code]]
id = "family"
codable = false
"##;

// --- a valid codebook ---------------------------------------------------------

#[test]
fn valid_codebook_reads_header_and_codes() {
    let cb = parse(MOTIVES);
    assert_eq!(cb.name(), "Motives for crossing the border");
    assert_eq!(cb.version(), Some("1.0"));
    assert_eq!(cb.description(), Some("Why people left."));
    assert_eq!(cb.unit(), Unit::Paragraph);
    assert_eq!(cb.interviewer(), ["I", "Q"]);
    assert!(cb.is_interviewer("Q"));
    assert!(!cb.is_interviewer("P"));
    let ids: Vec<&str> = cb.codes().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["motive", "survival", "freedom", "family"]);
    let children: Vec<&str> = cb.children("motive").map(|c| c.id.as_str()).collect();
    assert_eq!(children, ["survival", "freedom"]);
    let exclusive: Vec<&str> = cb.exclusive_parents().map(|c| c.id.as_str()).collect();
    assert_eq!(exclusive, ["motive"]);

    let motive = cb.code("motive").unwrap();
    assert!(motive.exclusive);
    assert!(!motive.codable);
    assert_eq!(motive.resolve, Resolve::Majority);
    assert_eq!(motive.line, 9);

    let survival = cb.code("survival").unwrap();
    assert_eq!(survival.label, "Defecting as a form of survival");
    assert_eq!(survival.parent.as_deref(), Some("motive"));
    assert!(survival.codable);
    assert_eq!(survival.color.as_deref(), Some("#5e81ac"));
    assert_eq!(survival.examples, ["We were starving."]);
    assert_eq!(survival.counterexamples, ["I was not hungry."]);
    let rule = survival.rule.as_ref().unwrap();
    let terms = |t: &[Term]| t.iter().map(|t| t.as_str().to_owned()).collect::<Vec<_>>();
    assert_eq!(terms(&rule.any), ["hunger", "starv*", "nothing to eat"]);
    assert_eq!(terms(&rule.not), ["not hungry"]);
    assert!(rule.all.is_empty() && rule.regex.is_empty());

    let freedom = cb.code("freedom").unwrap();
    assert_eq!(freedom.label, "freedom");
    assert_eq!(freedom.resolve, Resolve::Priority);
    assert!(freedom.rule.as_ref().unwrap().regex[0].is_regex());

    assert!(!cb.code("family").unwrap().codable);
}

#[test]
fn name_defaults_to_the_file_stem() {
    let cb = Codebook::parse(Path::new("dir/motives.toml"), "[[code]]\nid = \"a\"\n").unwrap();
    assert_eq!(cb.name(), "motives");
    assert_eq!(cb.unit(), Unit::Turn);
}

#[test]
fn codebook_without_codes_is_an_error() {
    assert_eq!(
        parse_err("[codebook]\nname = \"x\"\n"),
        "cb.toml:1:1: the codebook has no codes; add [[code]] tables (or a \"code\" array in JSON)"
    );
}

// --- the code tree ------------------------------------------------------------

#[test]
fn duplicate_id_names_the_first_line() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n\n[[code]]\nid = \"b\"\n\n[[code]]\nid = \"a\"\n"),
        "cb.toml:8:6: code `a`: duplicate id; it is already used by the code on line 2"
    );
}

#[test]
fn unknown_parent_suggests_a_close_id() {
    assert_eq!(
        parse_err("[[code]]\nid = \"motive\"\n[[code]]\nid = \"survival\"\nparent = \"motiv\"\n"),
        "cb.toml:5:10: code `survival`: unknown parent `motiv`; did you mean `motive`?"
    );
}

/// Each error's kind, for callers that act on what went wrong rather than
/// on the wording of the message.
#[test]
fn errors_carry_their_kind() {
    let kind = |text: &str| Codebook::parse(Path::new("cb.toml"), text).unwrap_err().kind;
    assert_eq!(kind("[[code]]\nid = \"a\"\n[[code]]\nid = \"a\"\n"), ErrorKind::Duplicate);
    assert_eq!(kind("[[code]]\nid = \"b\"\nparent = \"x\"\n"), ErrorKind::UnknownName);
    assert_eq!(kind("[[code]]\nid = \"a\"\nparent = \"a\"\n"), ErrorKind::CodeTree);
    assert_eq!(kind("[[code]]\nid = \"a\"\nexlusive = true\n"), ErrorKind::UnknownKey);
    assert_eq!(kind("[[code]]\nid = \"a\"\ncodable = 1\n"), ErrorKind::InvalidValue);
    assert_eq!(kind("[[code]]\nid = \"a\"\n[code.rule]\nregex = [\"(\"]\n"), ErrorKind::Pattern);
    assert_eq!(kind("[[code]\n"), ErrorKind::Syntax);
    assert_eq!(kind("[codebook]\nname = \"x\"\n"), ErrorKind::Missing);
}

#[test]
fn unknown_parent_without_a_close_id_says_how_to_fix_it() {
    assert_eq!(
        parse_err("[[code]]\nid = \"motive\"\n[[code]]\nid = \"survival\"\nparent = \"reasons\"\n"),
        "cb.toml:5:10: code `survival`: unknown parent `reasons`; add a code with that id or fix the name"
    );
}

#[test]
fn parent_cycle_is_an_error() {
    assert_eq!(
        parse_err(
            "[[code]]\nid = \"a\"\nparent = \"b\"\n[[code]]\nid = \"b\"\nparent = \"c\"\n[[code]]\nid = \"c\"\nparent = \"a\"\n"
        ),
        "cb.toml:3:10: code `a`: the parents form a cycle: a -> b -> c -> a"
    );
}

#[test]
fn code_that_is_its_own_parent_is_a_cycle() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\nparent = \"a\"\n"),
        "cb.toml:3:10: code `a`: the parents form a cycle: a -> a"
    );
}

#[test]
fn resolve_without_exclusive_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"motive\"\nresolve = \"majority\"\n"),
        "cb.toml:3:11: code `motive`: `resolve` settles conflicts between the children of an exclusive parent; add `exclusive = true` or remove `resolve`"
    );
}

#[test]
fn unknown_resolve_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"motive\"\nexclusive = true\nresolve = \"vote\"\n"),
        "cb.toml:4:11: code `motive`: unknown resolve `vote`; use priority, majority or adjudicate"
    );
}

#[test]
fn exclusive_parent_needs_two_children() {
    assert_eq!(
        parse_err(
            "[[code]]\nid = \"motive\"\nexclusive = true\n[[code]]\nid = \"survival\"\nparent = \"motive\"\n"
        ),
        "cb.toml:2:6: code `motive`: an exclusive parent needs at least two children to choose between, found 1; add codes with parent = \"motive\" or remove `exclusive`"
    );
}

#[test]
fn child_of_an_exclusive_parent_must_be_codable() {
    assert_eq!(
        parse_err(
            "[[code]]\nid = \"motive\"\nexclusive = true\n[[code]]\nid = \"a\"\nparent = \"motive\"\n[[code]]\nid = \"b\"\nparent = \"motive\"\ncodable = false\n"
        ),
        "cb.toml:8:6: code `b`: a child of the exclusive parent `motive` is assigned to cases, so it must be codable (and cannot be an exclusive group itself)"
    );
}

#[test]
fn child_of_an_exclusive_parent_cannot_be_an_exclusive_group() {
    let text = r#"[[code]]
id = "motive"
exclusive = true
[[code]]
id = "a"
parent = "motive"
[[code]]
id = "b"
parent = "motive"
exclusive = true
[[code]]
id = "b1"
parent = "b"
[[code]]
id = "b2"
parent = "b"
"#;
    assert_eq!(
        parse_err(text),
        "cb.toml:8:6: code `b`: a child of the exclusive parent `motive` is assigned to cases, so it must be codable (and cannot be an exclusive group itself)"
    );
}

#[test]
fn exclusive_parent_cannot_be_codable() {
    assert_eq!(
        parse_err(
            "[[code]]\nid = \"motive\"\nexclusive = true\ncodable = true\n[[code]]\nid = \"a\"\nparent = \"motive\"\n[[code]]\nid = \"b\"\nparent = \"motive\"\n"
        ),
        "cb.toml:2:6: code `motive`: an exclusive parent groups its children and cannot itself be codable; remove `codable = true`"
    );
}

#[test]
fn exclusive_parent_is_not_codable_by_default() {
    let cb = parse(
        "[[code]]\nid = \"motive\"\nexclusive = true\ncodable = false\n[[code]]\nid = \"a\"\nparent = \"motive\"\n[[code]]\nid = \"b\"\nparent = \"motive\"\n",
    );
    assert!(!cb.code("motive").unwrap().codable);
}

// --- rules ----------------------------------------------------------------------

#[test]
fn rule_on_a_code_that_is_not_codable_is_an_error() {
    assert_eq!(
        parse_err(
            "[[code]]\nid = \"family\"\ncodable = false\n[code.rule]\nany = [\"uncle\"]\n[[code]]\nid = \"uncle\"\nparent = \"family\"\n"
        ),
        "cb.toml:4:1: code `family`: this code is not codable, so it cannot have a rule; move the rule to a child code"
    );
}

#[test]
fn rule_with_only_not_is_empty() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nnot = [\"x\"]\n"),
        "cb.toml:3:1: code `a`: the rule is empty: give at least one term in `any` or `all`, or a `regex`"
    );
}

#[test]
fn star_in_the_middle_of_a_term_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nany = [\"hunger\", \"st*rv\"]\n"),
        "cb.toml:4:18: code `a`: term `st*rv`: `*` may stand only at the start or end of a term; use `regex` for other patterns"
    );
}

#[test]
fn empty_term_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nall = [\"\"]\n"),
        "cb.toml:4:8: code `a`: term `` has no text to match; remove it or write a word"
    );
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nnot = [\" * \"]\nany = [\"b\"]\n"),
        "cb.toml:4:8: code `a`: term ` * ` has no text to match; remove it or write a word"
    );
}

#[test]
fn invalid_regex_gives_the_regex_crate_reason() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nregex = [\"starv(ed\"]\n"),
        "cb.toml:4:10: code `a`: invalid regex `starv(ed`: unclosed group"
    );
}

#[test]
fn regex_too_large_names_the_limit() {
    assert_eq!(REGEX_SIZE_LIMIT, 1 << 20);
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nregex = ['\\w{1000}{1000}']\n"),
        "cb.toml:4:10: code `a`: regex `\\w{1000}{1000}` is too large once compiled (over 1024 KiB); split it into several regexes or use terms"
    );
}

#[test]
fn rule_terms_must_be_strings() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nany = [\"a\", 3]\n"),
        "cb.toml:4:13: code `a`: `any` must be a string, found an integer"
    );
}

// --- keys and values -------------------------------------------------------------

#[test]
fn unknown_key_is_an_error_listing_the_known_keys() {
    assert_eq!(
        parse_err("[[code]]\nid = \"motive\"\nexlusive = true\n"),
        "cb.toml:3:1: code `motive`: unknown key `exlusive`; expected one of: id, label, parent, codable, exclusive, resolve, definition, include, exclude, memo, color, examples, counterexamples, rule"
    );
}

#[test]
fn unknown_key_in_a_rule_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[code.rule]\nany = [\"x\"]\nnone = [\"y\"]\n"),
        "cb.toml:5:1: code `a`: unknown key `none`; expected one of: any, all, not, regex"
    );
}

#[test]
fn unknown_key_in_the_header_is_an_error() {
    assert_eq!(
        parse_err("[codebook]\nunits = \"turn\"\n[[code]]\nid = \"a\"\n"),
        "cb.toml:2:1: unknown key `units`; expected one of: name, version, description, unit, interviewer"
    );
}

#[test]
fn wrong_type_names_the_key() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\nexclusive = \"yes\"\n"),
        "cb.toml:3:13: code `a`: `exclusive` must be true or false, found a string"
    );
}

#[test]
fn bad_colour_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\ncolor = \"#12345\"\n"),
        "cb.toml:3:9: code `a`: colour `#12345` must be written #rrggbb, such as #5e81ac"
    );
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\ncolor = \"red\"\n"),
        "cb.toml:3:9: code `a`: colour `red` must be written #rrggbb, such as #5e81ac"
    );
}

#[test]
fn unknown_unit_is_an_error() {
    assert_eq!(
        parse_err("[codebook]\nunit = \"turns\"\n[[code]]\nid = \"a\"\n"),
        "cb.toml:2:8: unknown unit `turns`; use turn, paragraph or sentence"
    );
}

#[test]
fn uncoded_is_a_reserved_id() {
    assert_eq!(UNCODED, "uncoded");
    assert_eq!(
        parse_err("[[code]]\nid = \"uncoded\"\n"),
        "cb.toml:2:6: code `uncoded`: `uncoded` is reserved for cases without a code of an exclusive group; choose another id"
    );
}

#[test]
fn id_with_a_space_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a b\"\n"),
        "cb.toml:2:6: code id `a b` may use only letters, digits, `_`, `-`, `.` and `/`"
    );
}

#[test]
fn code_without_id_is_an_error() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\n[[code]]\nlabel = \"b\"\n"),
        "cb.toml:3:1: this code has no `id`; add id = \"...\""
    );
}

#[test]
fn toml_syntax_error_is_located() {
    assert_eq!(
        parse_err("[[code]]\nid = \"a\"\nlabel = \"x\n"),
        "cb.toml:3:11: invalid TOML: invalid basic string, expected `\"`"
    );
}

#[test]
fn bom_does_not_shift_locations() {
    assert_eq!(
        parse_err("\u{feff}[[code]]\nid = \"a\"\ncolor = \"red\"\n"),
        "cb.toml:3:9: code `a`: colour `red` must be written #rrggbb, such as #5e81ac"
    );
}

// --- JSON -----------------------------------------------------------------------

const MOTIVES_JSON: &str = r##"{
  "codebook": {
    "name": "Motives for crossing the border",
    "version": "1.0",
    "description": "Why people left.",
    "unit": "paragraph",
    "interviewer": ["I", "Q"]
  },
  "code": [
    {
      "id": "motive",
      "label": "Reason for leaving North Korea",
      "exclusive": true,
      "resolve": "majority"
    },
    {
      "id": "survival",
      "parent": "motive",
      "label": "Defecting as a form of survival",
      "definition": "Leaving to stay alive.",
      "include": "Hunger, famine.",
      "exclude": "Hunger as background only.",
      "color": "#5E81AC",
      "examples": ["We were starving."],
      "counterexamples": ["I was not hungry."],
      "rule": {
        "any": ["hunger", "starv*", "nothing to eat"],
        "not": ["not hungry"]
      }
    },
    {
      "id": "freedom",
      "parent": "motive",
      "rule": { "all": ["free"], "regex": ["liber(ty|ation)"] }
    },
    { "id": "family", "codable": false }
  ]
}
"##;

/// The codes with their lines cleared, since the two files lay them out differently.
fn codes_without_lines(cb: &Codebook) -> Vec<Code> {
    cb.codes().iter().cloned().map(|c| Code { line: 0, ..c }).collect()
}

#[test]
fn json_codebook_parses_to_the_same_codes_as_toml() {
    let toml = parse(MOTIVES);
    let json = Codebook::parse(Path::new("cb.json"), MOTIVES_JSON).unwrap();
    assert_eq!(codes_without_lines(&json), codes_without_lines(&toml));
    assert_eq!(json.name(), toml.name());
    assert_eq!(json.version(), toml.version());
    assert_eq!(json.description(), toml.description());
    assert_eq!(json.unit(), toml.unit());
    assert_eq!(json.interviewer(), toml.interviewer());
    let lines: Vec<usize> = json.codes().iter().map(|c| c.line).collect();
    assert_eq!(lines, [11, 17, 32, 36]);
}

#[test]
fn json_syntax_error_is_located() {
    // The comma is missing right after `"a"`, at column 15.
    let text = "{\n  \"code\": [\n    {\"id\": \"a\" \"label\": \"b\"}\n  ]\n}\n";
    assert_eq!(
        Codebook::parse(Path::new("cb.json"), text).unwrap_err().to_string(),
        "cb.json:3:15: invalid JSON: Expected comma"
    );
}

#[test]
fn json_syntax_error_column_counts_code_points() {
    // "자유" is two code points but six bytes; the comma is missing at column 30.
    let text = "{\n  \"code\": [\n    {\"id\": \"a\", \"label\": \"자유\" \"x\": 1}\n  ]\n}\n";
    assert_eq!(
        Codebook::parse(Path::new("cb.json"), text).unwrap_err().to_string(),
        "cb.json:3:30: invalid JSON: Expected comma"
    );
}

#[test]
fn json_validation_error_is_located() {
    let text = "{\n  \"code\": [\n    {\"id\": \"a\", \"color\": \"red\"}\n  ]\n}\n";
    assert_eq!(
        Codebook::parse(Path::new("cb.json"), text).unwrap_err().to_string(),
        "cb.json:3:26: code `a`: colour `red` must be written #rrggbb, such as #5e81ac"
    );
}

// --- adjudications ----------------------------------------------------------------

const ADJ_CODEBOOK: &str = r#"[[code]]
id = "motive"
exclusive = true
[[code]]
id = "survival"
parent = "motive"
[[code]]
id = "freedom"
parent = "motive"
[[code]]
id = "family"
"#;

const CASES: [&str; 2] = ["P01", "P02"];

fn adjudicate(text: &str) -> Result<Adjudications, String> {
    let cb = parse(ADJ_CODEBOOK);
    let adjudications =
        Adjudications::parse(Path::new("adj.toml"), text).map_err(|e| e.to_string())?;
    adjudications.validate(&cb, CASES.iter().copied()).map_err(|e| e.to_string())?;
    Ok(adjudications)
}

fn entry(case: &str, parent: &str, code: &str) -> String {
    format!(
        "[[adjudication]]\ncase = \"{case}\"\nparent = \"{parent}\"\ncode = \"{code}\"\nnote = \"Why.\"\n"
    )
}

#[test]
fn valid_adjudication_is_read() {
    let adjudications = adjudicate(&entry("P01", "motive", "freedom")).unwrap();
    let a = adjudications.find("P01", "motive").unwrap();
    assert_eq!(
        (a.case.as_str(), a.parent.as_str(), a.code.as_str(), a.note.as_str(), a.line),
        ("P01", "motive", "freedom", "Why.", 2)
    );
    assert_eq!(adjudications.entries().len(), 1);
    assert!(adjudications.find("P02", "motive").is_none());
}

#[test]
fn adjudication_of_an_unknown_case_suggests_one() {
    assert_eq!(
        adjudicate(&entry("P1", "motive", "freedom")).unwrap_err(),
        "adj.toml:2:8: unknown case `P1`: no transcript has it; did you mean `P01`?"
    );
}

#[test]
fn adjudication_of_an_unknown_parent_suggests_one() {
    assert_eq!(
        adjudicate(&entry("P01", "motiv", "freedom")).unwrap_err(),
        "adj.toml:3:10: unknown code `motiv` in cb.toml; did you mean `motive`?"
    );
}

#[test]
fn adjudication_of_a_parent_that_is_not_exclusive_is_an_error() {
    assert_eq!(
        adjudicate(&entry("P01", "family", "freedom")).unwrap_err(),
        "adj.toml:3:10: `family` is not an exclusive parent, so there is nothing to adjudicate; name an exclusive parent"
    );
}

#[test]
fn adjudicated_code_must_be_a_child_of_the_parent() {
    assert_eq!(
        adjudicate(&entry("P01", "motive", "family")).unwrap_err(),
        "adj.toml:4:8: code `family` is not a child of `motive` (its children: survival, freedom)"
    );
    assert_eq!(
        adjudicate(&entry("P01", "motive", "fredom")).unwrap_err(),
        "adj.toml:4:8: unknown code `fredom` is not a child of `motive` (its children: survival, freedom); did you mean `freedom`?"
    );
}

#[test]
fn duplicate_decision_names_the_first_line() {
    let text =
        format!("{}\n{}", entry("P01", "motive", "freedom"), entry("P01", "motive", "survival"));
    assert_eq!(
        adjudicate(&text).unwrap_err(),
        "adj.toml:8:8: case `P01` is already adjudicated for `motive` on line 2; keep one decision"
    );
}

#[test]
fn adjudication_without_a_note_is_an_error() {
    assert_eq!(
        adjudicate("[[adjudication]]\ncase = \"P01\"\nparent = \"motive\"\ncode = \"freedom\"\n")
            .unwrap_err(),
        "adj.toml:1:1: this adjudication has no `note`; give case, parent, code and note"
    );
}

#[test]
fn adjudication_with_an_empty_note_is_an_error() {
    assert_eq!(
        adjudicate("[[adjudication]]\ncase = \"P01\"\nparent = \"motive\"\ncode = \"freedom\"\nnote = \"  \"\n")
            .unwrap_err(),
        "adj.toml:5:8: `note` is empty"
    );
}

#[test]
fn adjudication_with_an_unknown_key_is_an_error() {
    assert_eq!(
        adjudicate(&format!("{}reason = \"x\"\n", entry("P01", "motive", "freedom"))).unwrap_err(),
        "adj.toml:6:1: unknown key `reason`; expected one of: case, parent, code, note"
    );
}

#[test]
fn numeric_version_is_kept_as_written() {
    assert_eq!(parse("[codebook]\nversion = 1.10\n[[code]]\nid = \"a\"\n").version(), Some("1.10"));
    assert_eq!(parse("[codebook]\nversion = 2.0\n[[code]]\nid = \"a\"\n").version(), Some("2.0"));
}

#[test]
fn a_code_memo_is_kept_apart_from_the_definition() {
    let codebook = parse(
        "[[code]]\nid = \"freedom\"\ndefinition = \"Leaving to live freely.\"\nmemo = \"Often said with regret; ask about family.\"\n",
    );
    let code = &codebook.codes()[0];
    assert_eq!(code.definition.as_deref(), Some("Leaving to live freely."));
    assert_eq!(code.memo.as_deref(), Some("Often said with regret; ask about family."));
    assert_eq!(
        parse_err("[[code]]\nid = \"freedom\"\nmemo = [\"a\"]\n"),
        "cb.toml:3:8: code `freedom`: `memo` must be a string, found an array"
    );
}

#[test]
fn descendants_are_every_level_below_in_codebook_order() {
    let codebook = parse(
        r#"[codebook]
name = "t"
[[code]]
id = "a"
codable = false
[[code]]
id = "b"
parent = "a"
codable = false
[[code]]
id = "c"
parent = "b"
[[code]]
id = "d"
parent = "a"
[[code]]
id = "e"
"#,
    );
    let ids = |id| codebook.descendants(id).iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids("a"), ["b", "c", "d"]);
    assert_eq!(ids("b"), ["c"]);
    assert!(ids("e").is_empty());
    assert!(ids("nope").is_empty());
    assert_eq!(codebook.path_of("c"), ["a", "b", "c"]);
    assert_eq!(codebook.path_of("e"), ["e"]);
}

/// A chain of `depth` codes, each the parent of the next.
fn chain(depth: usize) -> String {
    let mut toml = String::new();
    for i in 0..depth {
        toml.push_str(&format!("[[code]]\nid = \"c{i}\"\n"));
        if i > 0 {
            toml.push_str(&format!("parent = \"c{}\"\n", i - 1));
        }
    }
    toml
}

#[test]
fn codes_nest_at_most_a_thousand_deep() {
    let book = Codebook::parse(Path::new("cb.toml"), &chain(MAX_CODE_DEPTH)).unwrap();
    assert_eq!(book.codes().len(), MAX_CODE_DEPTH);
    // The 1,001st code's `parent` is on line 3 × 1,000 + 2.
    assert_eq!(
        parse_err(&chain(MAX_CODE_DEPTH + 1)),
        "cb.toml:3002:10: code `c1000`: the code is nested 1001 deep; qda reads at most 1000 levels of codes: give it a parent higher up"
    );
}
