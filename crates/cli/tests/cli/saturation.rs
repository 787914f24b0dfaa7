//! `qda saturation`: the runs and saturation point on the bundled study,
//! with rule codings and with a coder's, the seeded bootstrap, and bad
//! choices.

use crate::support::{QdaTest, json};

/// The strategies codebook over the interviews in date order: the table a
/// methods section quotes.
#[test]
fn strategies_by_interview_date() {
    let test = QdaTest::study();
    let run = test.run(&[
        "saturation",
        "codebooks/strategies.toml",
        "transcripts",
        "--order",
        "interview_date",
        "--bootstrap",
        "200",
        "--seed",
        "3",
    ]);
    insta::assert_snapshot!(run.ok());
}

/// JSON: the curve, each run with its new codes, and the point; the same
/// seed gives the same bootstrap.
#[test]
fn json_and_bootstrap() {
    let test = QdaTest::study();
    let args = [
        "saturation",
        "codebooks/strategies.toml",
        "transcripts",
        "--order",
        "interview_date",
        "--bootstrap",
        "200",
        "--format",
        "json",
    ];
    let result = json(test.run(&args).ok());
    assert_eq!(result["base_codes"], 2);
    assert_eq!(result["interviews"][0]["case"], "P16");
    let cumulative: Vec<u64> = result["interviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cumulative"].as_u64().unwrap())
        .collect();
    assert!(cumulative.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(result["runs"][0]["new"], serde_json::json!(["southeast_asia"]));
    assert_eq!(result["runs"][0]["new_percent"], 50.0);
    assert_eq!(result["saturation"]["at"], "6+2");
    assert_eq!(result["saturation"]["interviews"], 8);
    assert_eq!(result["bootstrap"]["orders"], 200);
    assert_eq!(result["provenance"]["command"], "saturation");
    assert_eq!(json(test.run(&args).ok())["bootstrap"], result["bootstrap"]);
}

/// Not reached: the last run's distance from the threshold is told.
#[test]
fn not_reached_says_how_far() {
    let test = QdaTest::study();
    let args = [
        "saturation",
        "codebooks/motives.toml",
        "transcripts",
        "--base",
        "2",
        "--run",
        "24",
        "--threshold",
        "0",
    ];
    insta::assert_snapshot!(test.run(&args).ok());
    let csv: Vec<&str> = args.iter().copied().chain(["--format", "csv"]).collect();
    insta::assert_snapshot!(test.run(&csv).ok());
}

/// With a coder's codings: anna's, over the rules' where she did not look.
#[test]
fn with_a_coders_codings() {
    let test = QdaTest::study();
    let run = test.run(&[
        "saturation",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/rules.json",
        "codings/anna.json",
        "--coder",
        "anna",
        "--format",
        "json",
    ]);
    let result = json(run.ok());
    assert_eq!(result["provenance"]["options"]["coder"], "anna");
    // P01 and P02: freedom only; P03: survival; P04: involuntary.
    assert_eq!(result["interviews"][3]["codes"], serde_json::json!(["involuntary"]));
    assert_eq!(result["base_codes"], 3);
    assert_eq!(result["saturation"]["at"], "4+2");
}

/// Bad choices: a base larger than the study, an unknown parent, an
/// attribute some case lacks, a threshold that is no percentage.
#[test]
fn errors() {
    let test = QdaTest::study();
    let base = ["saturation", "codebooks/motives.toml", "transcripts"];
    for extra in [
        &["--base", "30"][..],
        &["--under", "motiv"],
        &["--under", "survival"],
        &["--order", "interviewer"],
        &["--threshold", "120"],
        &["--run", "0"],
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let run = test.run(&args);
        assert_eq!(run.code, 2, "{args:?}");
        insta::assert_snapshot!(
            extra.join(" ").trim_start_matches("--").replace(' ', "_"),
            run.failure()
        );
    }
}

/// The report's section: the curve with the runs marked, and the table.
#[test]
fn the_report_shows_the_curve() {
    let test = QdaTest::study();
    let base = [
        "report",
        "codebooks/motives.toml",
        "transcripts",
        "--adjudications",
        "adjudications.toml",
        "-q",
        "-o",
    ];
    let html: Vec<&str> = base.iter().copied().chain(["report.html"]).collect();
    test.run(&html).ok();
    let page = String::from_utf8(test.read("report.html")).unwrap();
    let section = &page[page.find("<section id=\"saturation\">").expect("the section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<polyline points="), "the curve");
    assert_eq!(section.matches("<title>run ").count(), 21, "a mark per run");
    assert!(section.contains("Saturation reached at 4+2 (6 interviews)"));
    let md: Vec<&str> = base.iter().copied().chain(["report.md"]).collect();
    test.run(&md).ok();
    let text = String::from_utf8(test.read("report.md")).unwrap();
    assert!(text.contains("## Saturation"));
    assert!(text.contains("| 5–6 | P05, P06 | 0 |  | 0.0% |"));
}

/// Random orders are kept until the median is taken: a count beyond memory
/// aborted the process; more than a million is refused.
#[test]
fn more_than_a_million_random_orders_are_refused() {
    let test = QdaTest::study();
    let args = ["saturation", "codebooks/strategies.toml", "transcripts", "--bootstrap", "1000001"];
    let run = test.run(&args);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: invalid value '1000001' for '--bootstrap <N>': 1000001 is not in 0..=1000000

    For more information, try '--help'.
    ");
}
