//! `qda agree`: reliability of codings files and of ratings tables.
//!
//! The ratings fixtures are published worked examples, so the coefficients
//! are checked against their published values end to end:
//! `krippendorff.csv` is Krippendorff (2011), section C (alpha nominal 0.743,
//! interval 0.849); `two_coders.csv` is the two-coder data of
//! `scripts/reference/reliability.py` (statsmodels' Cohen kappa: linear
//! 0.611399, quadratic 0.626335).

use serde_json::Value;

use crate::support::{QdaTest, fixtures};
use crate::tally::tally as mini_tally;

fn ratings(name: &str, extra: &[&str]) -> (QdaTest, crate::support::Run) {
    let test = QdaTest::new();
    test.write(name, std::fs::read(fixtures().join("ratings").join(name)).unwrap());
    let mut args = vec!["agree", "--ratings", name];
    args.extend_from_slice(extra);
    let run = test.run(&args);
    (test, run)
}

fn row(json: &Value) -> &Value {
    &json["rows"][0]
}

#[test]
fn ratings_reproduce_krippendorff_2011() {
    let (_, run) = ratings("krippendorff.csv", &["--format", "json"]);
    let json: Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(row(&json)["krippendorff_alpha"], 0.743421);
    assert_eq!(row(&json)["units"], 11);
    let (_, run) = ratings("krippendorff.csv", &["--format", "json", "--level", "interval"]);
    let json: Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(row(&json)["krippendorff_alpha"], 0.849107);
    // Cohen's kappa and Scott's pi need exactly two coders.
    assert_eq!(row(&json)["cohen_kappa"]["undefined"], "needs exactly two coders, found 4");
}

#[test]
fn ratings_table_output() {
    let (_, run) = ratings("krippendorff.csv", &["--level", "ordinal", "--resamples", "500"]);
    insta::assert_snapshot!(run.ok());
}

#[test]
fn weighted_kappa_for_ordered_ratings_with_semicolons() {
    let (_, run) = ratings("two_coders.csv", &["--level", "ordinal", "--format", "json"]);
    let json: Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(row(&json)["cohen_kappa"], 0.597315);
    assert_eq!(row(&json)["cohen_kappa_linear"], 0.611399);
    assert_eq!(row(&json)["cohen_kappa_quadratic"], 0.626335);
    assert_eq!(row(&json)["scott_pi"], 0.59596);
    let (_, run) = ratings("two_coders.csv", &["--disagreements", "--format", "csv"]);
    insta::assert_snapshot!(run.ok(), @r"
    case,unit,code,first,second,text
    u02,,,1,2,
    u06,,,3,1,
    u10,,,1,2,
    u12,,,2,3,
    ");
}

#[test]
fn bootstrap_interval_is_reproducible_by_seed() {
    let interval = |seed: &str| {
        let (_, run) = ratings(
            "krippendorff.csv",
            &["--format", "json", "--seed", seed, "--resamples", "300"],
        );
        let json: Value = serde_json::from_str(run.ok()).unwrap();
        row(&json)["krippendorff_alpha_95"].clone()
    };
    assert_eq!(interval("5"), interval("5"));
    assert_ne!(interval("5"), interval("6"));
}

#[test]
fn min_alpha_fails_below_the_threshold() {
    let (_, run) = ratings("krippendorff.csv", &["--min-alpha", "0.8", "--resamples", "0"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr, @"error: Krippendorff's alpha (of the ratings) is 0.743, below --min-alpha 0.8");
    let (_, run) = ratings("krippendorff.csv", &["--min-alpha", "0.7", "--resamples", "0"]);
    assert_eq!(run.code, 0);
}

#[test]
fn ratings_that_are_not_numbers() {
    let (_, run) = ratings("not_numbers.csv", &["--level", "interval"]);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    error: not_numbers.csv:2:2: value `low` is not a number; --level interval needs numbers, or labels with --order "LOWEST,...,HIGHEST" (or use --level nominal)
    "#);
}

/// `labels.csv` is `krippendorff.csv` with the values 1-5 written as the
/// labels of the `krippendorff` package's `value_domain` example; that
/// package (0.9.0) gives ordinal alpha 0.815388 and nominal 0.743421
/// (`scripts/reference/ordinal_labels.py`).
#[test]
fn ordinal_ratings_given_as_labels_with_an_order() {
    let order = ["--order", "very low, low,mid,high,very high"];
    let alpha = |level: &str| {
        let mut args = vec!["--format", "json", "--resamples", "0", "--level", level];
        args.extend_from_slice(&order);
        let (_, run) = ratings("labels.csv", &args);
        let json: Value = serde_json::from_str(run.ok()).unwrap();
        row(&json)["krippendorff_alpha"].clone()
    };
    assert_eq!(alpha("ordinal"), 0.815388);
    assert_eq!(alpha("nominal"), 0.743421);
    // Equally spaced labels: the same as the numbers 1-5 (0.849107 above).
    assert_eq!(alpha("interval"), 0.849107);
    let mut args = vec!["--disagreements", "--format", "csv", "--level", "ordinal"];
    args.extend_from_slice(&order);
    let (_, run) = ratings("labels.csv", &args);
    insta::assert_snapshot!(run.ok(), @r"
    case,unit,code,A,B,C,D,text
    2,,,low,low,mid,low,
    6,,,very low,low,mid,high,
    8,,,very low,very low,low,very low,
    ");
}

#[test]
fn a_label_outside_the_order() {
    let (_, run) =
        ratings("labels.csv", &["--level", "ordinal", "--order", "very low,low,mid,high"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: labels.csv:11:3: value `very high` (coder `B`) is not in --order; add it to --order or correct the cell
    ");
    let (_, run) = ratings("labels.csv", &["--level", "ordinal", "--order", "low,,high"]);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    error: --order "low,,high": a label is empty; list the labels from lowest to highest, separated by commas
    "#);
    let (_, run) = ratings("labels.csv", &["--level", "ratio", "--order", "low,mid"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: --order ranks labels, and ranks have no true zero; use --level ordinal or interval
    ");
    let (_, run) = ratings("labels.csv", &["--level", "ordinal", "--order", "low,mid,low"]);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    error: --order "low,mid,low": label `low` is listed twice; list each label once
    "#);
}

/// An exclusive group's children in codebook order (mild < moderate <
/// severe), coded by two people on six cases; `krippendorff` 0.9.0 gives
/// nominal 0.297872, ordinal 0.705357 and interval 0.691589
/// (`scripts/reference/ordinal_labels.py`).
#[test]
fn exclusive_groups_at_the_ordinal_level() {
    let test = QdaTest::new();
    test.write(
        "codebook.toml",
        "[codebook]\nname = \"Severity\"\ninterviewer = [\"I\"]\n\n[[code]]\nid = \"severity\"\nexclusive = true\nresolve = \"priority\"\n\n[[code]]\nid = \"mild\"\nparent = \"severity\"\n[code.rule]\nany = [\"x\"]\n\n[[code]]\nid = \"moderate\"\nparent = \"severity\"\n\n[[code]]\nid = \"severe\"\nparent = \"severity\"\n",
    );
    let cases = ["C1", "C2", "C3", "C4", "C5", "C6"];
    for case in cases {
        test.write(
            &format!("{case}.txt"),
            format!("+++\ncase = \"{case}\"\nspeakers = [\"P\"]\n+++\nP: x\n"),
        );
    }
    let files: Vec<String> = cases.iter().map(|c| format!("{c}.txt")).collect();
    let mut code = vec!["code", "codebook.toml"];
    code.extend(files.iter().map(String::as_str));
    code.extend(["-o", "rules.json"]);
    test.run(&code).ok();
    let rules: Value = serde_json::from_slice(&test.read("rules.json")).unwrap();
    for (coder, codes) in [
        ("anna", ["mild", "moderate", "severe", "severe", "mild", "moderate"]),
        ("ben", ["mild", "severe", "severe", "moderate", "mild", "mild"]),
    ] {
        let mut file = rules.clone();
        file["coder"] = coder.into();
        for (coding, code) in file["codings"].as_array_mut().unwrap().iter_mut().zip(codes) {
            coding["coder"] = coder.into();
            coding["code"] = code.into();
            coding["source"] = serde_json::json!({"type": "manual"});
        }
        test.write(&format!("{coder}.json"), serde_json::to_vec_pretty(&file).unwrap());
    }
    let alpha = |level: &str| {
        let mut args = vec!["agree", "codebook.toml"];
        args.extend(files.iter().map(String::as_str));
        args.extend(["--codings", "anna.json", "ben.json", "--resamples", "0"]);
        args.extend(["--format", "json", "--level", level]);
        let json: Value = serde_json::from_str(test.run(&args).ok()).unwrap();
        let group = json["rows"].as_array().unwrap().iter().find(|r| r["scope"] == "group");
        group.unwrap()["krippendorff_alpha"].clone()
    };
    assert_eq!(alpha("nominal"), 0.297872);
    assert_eq!(alpha("ordinal"), 0.705357);
    assert_eq!(alpha("interval"), 0.691589);
    // Rows of codes get the weighted kappas' columns too.
    let mut args = vec!["agree", "codebook.toml"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--codings", "anna.json", "ben.json", "--resamples", "0", "--level", "ordinal"]);
    insta::assert_snapshot!(test.run(&args).ok(), @r"
    coders: anna, ben; units: 6; level: ordinal for exclusive groups (children in codebook order), nominal for codes

    anna: not recorded whether the rules' suggestions were on view; ben: not recorded whether the rules' suggestions were on view.

    scope   name       units  % agreement  Cohen κ  Cohen κ linear  Cohen κ quadratic  Scott π  Fleiss κ  Gwet AC1  Krippendorff α  α 95% CI
    ------  ---------  -----  -----------  -------  --------------  -----------------  -------  --------  --------  --------------  --------
    code    mild           6        0.833    0.667           0.667              0.667    0.657     0.657     0.676           0.686
    code    moderate       6        0.500   -0.286          -0.286             -0.286   -0.333    -0.333     0.200          -0.222
    code    severe         6        0.667    0.250           0.250              0.250    0.250     0.250     0.400           0.312
    pooled  all codes     18        0.667    0.250           0.250              0.250    0.250     0.250     0.400           0.271
    group   severity       6        0.500    0.250           0.471              0.667    0.234     0.234     0.258           0.705

    9 disagreements; list them with --disagreements
    ");
    let mut args = vec!["agree", "codebook.toml", "C1.txt", "--codings", "anna.json"];
    args.extend(["--level", "ratio"]);
    insta::assert_snapshot!(test.run(&args).failure(), @r"
    exit: 2
    error: --level ratio: an exclusive group's children have an order but no true zero; use --level ordinal or interval
    ");
}

/// Rules and a person on the mini study: the person drops `survival` from A.
fn two_coders_on_mini() -> QdaTest {
    two_coders_on(QdaTest::fixture("study-mini"))
}

/// Rules and a person on `test`'s `A.txt` and `B.txt`: the person drops
/// `survival`.
fn two_coders_on(test: QdaTest) -> QdaTest {
    test.run(&["code", "codebook.toml", "A.txt", "B.txt", "-o", "rules.json"]).ok();
    let mut anna: Value = serde_json::from_slice(&test.read("rules.json")).unwrap();
    anna["coder"] = "anna".into();
    let codings = anna["codings"].as_array_mut().unwrap();
    codings.retain(|c| c["code"] != "survival");
    for coding in codings.iter_mut() {
        coding["coder"] = "anna".into();
        coding["source"] = serde_json::json!({"type": "manual", "memo": "read twice"});
    }
    test.write("anna.json", serde_json::to_vec_pretty(&anna).unwrap());
    test
}

#[test]
fn codings_of_two_coders() {
    let test = two_coders_on_mini();
    let args = ["agree", "codebook.toml", "A.txt", "B.txt", "--codings", "rules.json", "anna.json"];
    insta::assert_snapshot!(test.run(&args).ok());
    let mut list = args.to_vec();
    list.push("--disagreements");
    insta::assert_snapshot!(test.run(&list).ok(), @r"
    case  unit  code      anna  rules  text
    ----  ----  --------  ----  -----  ---------------------------------------
    A     A:t2  survival  no    yes    We were starving, and I wanted freedom.
    ");
}

/// Transcript text in a Markdown list of disagreements is text, escaped
/// as everywhere in Markdown.
#[test]
fn disagreements_in_markdown_escape_the_text() {
    let test = QdaTest::fixture("study-mini");
    test.write(
        "A.txt",
        "+++\ncase = \"A\"\nsite = \"Osaka\"\n+++\nI: Why did you leave?\nP: We were *starving*, <b>and</b> I wanted freedom.\n",
    );
    let test = two_coders_on(test);
    let args = [
        "agree",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--codings",
        "rules.json",
        "anna.json",
        "--disagreements",
        "--format",
        "markdown",
    ];
    insta::assert_snapshot!(test.run(&args).ok(), @r"
    | case | unit | code | anna | rules | text |
    | --- | --- | --- | --- | --- | --- |
    | A | A:t2 | survival | no | yes | We were \*starving\*, \<b\>and\</b\> I wanted freedom. |
    ");
}

#[test]
fn one_coder_is_not_enough() {
    let test = two_coders_on_mini();
    let run = test.run(&["agree", "codebook.toml", "A.txt", "B.txt", "--codings", "rules.json"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: agreement needs two or more coders; the codings files hold only `rules`; add another coder's codings with --codings
    ");
}

#[test]
fn a_transcript_changed_since_coding_is_named() {
    let test = two_coders_on_mini();
    test.write(
        "B.txt",
        "+++\ncase = \"B\"\nsite = \"Seoul\"\n+++\nI: Why did you leave?\nP: For freedom!\n",
    );
    let run = test.run(&[
        "agree",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--codings",
        "rules.json",
        "anna.json",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(
            "error: rules.json: B.txt changed since these codings were made (SHA-256 "
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "; make the rule codings again with `qda code codebook.toml A.txt B.txt -o rules.json`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn tally_layers_a_coder_over_the_rules_and_adjudication_over_both() {
    let test = two_coders_on_mini();
    let tally = |extra: &[&str]| {
        let mut args = vec!["--codings", "rules.json", "anna.json", "--format", "json"];
        args.extend_from_slice(extra);
        let run = mini_tally(&test, &args);
        serde_json::from_str::<Value>(run.ok()).unwrap()
    };
    // anna reviewed A and coded only freedom: her reading replaces the rules' conflict.
    let json = tally(&[]);
    assert_eq!(json["provenance"]["options"]["coder"], "anna");
    assert_eq!(json["groups"][0]["assignments"][0]["code"], "freedom");
    assert_eq!(json["groups"][0]["assignments"][0]["route"], "single");
    // An adjudication wins over any coder.
    std::fs::copy(fixtures().join("adjudications/settles_a.toml"), test.path("adj.toml")).unwrap();
    let json = tally(&["--adjudications", "adj.toml"]);
    assert_eq!(json["groups"][0]["assignments"][0]["code"], "survival");
    assert_eq!(json["groups"][0]["assignments"][0]["route"], "adjudication");
    // --coder rules: the rules alone, whose conflict is unsettled.
    let run = mini_tally(&test, &["--codings", "rules.json", "anna.json", "--coder", "rules"]);
    assert_eq!(run.code, 1);
}

#[test]
fn several_coders_need_a_choice() {
    let test = two_coders_on_mini();
    let ben = String::from_utf8(test.read("anna.json")).unwrap().replace("\"anna\"", "\"ben\"");
    test.write("ben.json", ben);
    let run = mini_tally(&test, &["--codings", "rules.json", "anna.json", "ben.json"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: the codings files hold several coders (anna, ben); choose whose codings count with --coder NAME
    ");
    let run = mini_tally(&test, &["--codings", "rules.json", "anna.json", "--coder", "carl"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: --coder carl: no codings by `carl` in the codings files; coders there: anna, rules
    ");
}

/// `qda agree` says how each person coded, and warns when one who saw the
/// rules' suggestions is compared with the rules.
#[test]
fn agree_says_who_coded_blind_and_warns_of_anchoring_on_the_rules() {
    let test = two_coders_on_mini();
    let mut anna: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    anna["blinding"] = "open".into();
    test.write("anna.json", serde_json::to_vec_pretty(&anna).unwrap());
    let ben = String::from_utf8(test.read("anna.json"))
        .unwrap()
        .replace("\"anna\"", "\"ben\"")
        .replace("\"open\"", "\"blind\"");
    test.write("ben.json", ben);
    let args = [
        "agree",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--codings",
        "rules.json",
        "anna.json",
        "ben.json",
    ];
    let run = test.run(&args);
    insta::assert_snapshot!(format!("{}\n{}", run.stderr, run.ok().lines().take(3).collect::<Vec<_>>().join("\n")), @r"
    warning: anna saw the rules' suggestions while coding, so their agreement with `rules` is not an independent check of the rules; for one, code blind (`qda sheet --blind`, `qda serve --blind`)

    coders: anna, ben, rules; units: 2; level: nominal

    anna: saw the rules' suggestions; ben: coded blind.
    ");
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let out: Value = serde_json::from_str(test.run(&json).ok()).unwrap();
    assert_eq!(out["blinding"], serde_json::json!({"anna": "open", "ben": "blind"}));

    // Two people without the rules: nothing to warn of.
    let run = test.run(&[
        "agree",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--codings",
        "anna.json",
        "ben.json",
    ]);
    assert_eq!(run.stderr, "");
}

/// Resamples are kept until the quantiles are taken: a count beyond memory
/// aborted the process; more than a million is refused.
#[test]
fn more_than_a_million_resamples_are_refused() {
    let (_, run) = ratings("krippendorff.csv", &["--resamples", "100000000000000"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: invalid value '100000000000000' for '--resamples <N>': 100000000000000 is not in 0..=1000000

    For more information, try '--help'.
    ");
}

/// A threshold alpha cannot reach, or none at all (NaN passed every table),
/// is refused.
#[test]
fn min_alpha_must_be_a_number_alpha_can_reach() {
    for bad in ["nan", "inf", "1.5", "x"] {
        let (_, run) = ratings("krippendorff.csv", &["--min-alpha", bad, "--resamples", "0"]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("give a number no greater than 1"), "{bad}: {}", run.stderr);
    }
    let (_, run) = ratings("krippendorff.csv", &["--min-alpha", "nan", "--resamples", "0"]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: invalid value 'nan' for '--min-alpha <X>': give a number no greater than 1, such as 0.8 (alpha is at most 1)

    For more information, try '--help'.
    ");
}
