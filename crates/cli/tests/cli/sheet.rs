//! `qda sheet` and `qda import-sheet`: a coding sheet out to a spreadsheet
//! and back, as spreadsheets really save it.

use serde_json::Value;

use crate::support::QdaTest;

fn sheet(test: &QdaTest) -> String {
    test.run(&["sheet", "codebook.toml", "A.txt", "B.txt", "-o", "sheet.csv"]).ok();
    String::from_utf8(test.read("sheet.csv")).unwrap()
}

#[test]
fn a_sheet_has_one_row_per_codable_segment_with_suggestions() {
    let test = QdaTest::fixture("study-mini");
    insta::assert_snapshot!(sheet(&test).replace("\r\n", "⏎\n"));
    test.run(&["sheet", "codebook.toml", "A.txt", "--bom", "-o", "bom.csv"]).ok();
    assert!(test.read("bom.csv").starts_with(b"\xEF\xBB\xBFcase,segment,"));
}

/// Fill the `codes` column the way a coder does in a spreadsheet that saves
/// with `;` between cells, CRLF line ends and a byte-order mark.
fn fill(csv: &str, codes: &[&str]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer.write_record(reader.headers().unwrap()).unwrap();
        for (record, code) in reader.records().zip(codes) {
            let mut record: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
            record[6] = (*code).to_owned();
            record[7] = if code.is_empty() { String::new() } else { "clear case".to_owned() };
            writer.write_record(&record).unwrap();
        }
    }
    out
}

#[test]
fn a_filled_sheet_becomes_codings_that_tally_and_agree_read() {
    let test = QdaTest::fixture("study-mini");
    let csv = sheet(&test);
    test.write("filled.csv", fill(&csv, &["freedom", "freedom"]));
    test.run(&[
        "import-sheet",
        "filled.csv",
        "--codebook",
        "codebook.toml",
        "--coder",
        "anna",
        "-o",
        "anna.json",
    ])
    .ok();
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["coder"], "anna");
    assert_eq!(json["codings"].as_array().unwrap().len(), 2);
    let source = &json["codings"][0]["source"];
    assert_eq!((&source["type"], &source["memo"]), (&"manual".into(), &"clear case".into()));
    // What the coding covers, to find it again after the transcript is edited.
    let quote = &source["quote"];
    assert!(quote["exact"].as_str().is_some_and(|t| !t.is_empty()), "{quote}");
    assert!(quote["prefix"].as_str().is_some_and(|t| t.ends_with("P: ")), "{quote}");
    assert_eq!(json["codings"][0]["segment"], "A:t2");
    // The whole transcript was on the sheet, so anna reviewed every segment.
    assert!(json["transcripts"][0].get("reviewed").is_none());

    let run = test.run(&[
        "tally",
        "codebook.toml",
        "A.txt",
        "B.txt",
        "--codings",
        "anna.json",
        "--format",
        "csv",
    ]);
    insta::assert_snapshot!(run.ok(), @r"
    table,parent,code,segments,cases,n,percent,wilson_95_lower,wilson_95_upper,clopper_pearson_95_lower,clopper_pearson_95_upper
    group,motive,survival,,0,2,0.0000,0.0000,65.7620,0.0000,84.1886
    group,motive,freedom,,2,2,100.0000,34.2380,100.0000,15.8114,100.0000
    group,motive,uncoded,,0,2,0.0000,0.0000,65.7620,0.0000,84.1886
    code,motive,survival,0,0,2,0.0000,0.0000,65.7620,0.0000,84.1886
    code,motive,freedom,2,2,2,100.0000,34.2380,100.0000,15.8114,100.0000
    ");
}

#[test]
fn import_reports_every_problem_with_line_and_column() {
    let test = QdaTest::fixture("study-mini");
    let csv = sheet(&test);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replacen(",,,transcripts", ",fredom; surival,,transcripts", 1).replacen(
        ",,,A.txt",
        ",fredom; surival,,A.txt",
        1,
    );
    let duplicate = lines[2].clone();
    lines.push(duplicate);
    lines.push(lines[2].replace("B:t2", "B:t9"));
    test.write("filled.csv", lines.join("\n"));
    let run = test.run(&[
        "import-sheet",
        "filled.csv",
        "--codebook",
        "codebook.toml",
        "--coder",
        "anna",
        "-o",
        "anna.json",
    ]);
    assert!(!test.path("anna.json").exists());
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: filled.csv:2:7: unknown code `fredom`; did you mean `freedom`?
    error: filled.csv:2:7: unknown code `surival`; did you mean `survival`?
    error: filled.csv:4:2: segment `B:t2` appears again (first on line 3); keep one row
    error: filled.csv:5:2: B.txt has no segment `B:t9`
    ");
}

#[test]
fn a_transcript_changed_since_the_sheet_is_refused() {
    let test = QdaTest::fixture("study-mini");
    let csv = sheet(&test);
    test.write("filled.csv", csv);
    test.write("B.txt", "+++\ncase = \"B\"\n+++\nI: Why?\nP: Freedom, I said.\n");
    let run =
        test.run(&["import-sheet", "filled.csv", "--codebook", "codebook.toml", "--coder", "anna"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(
            "error: filled.csv:3:10: B.txt changed since the sheet was made (SHA-256 "
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_rules_name_is_reserved() {
    let test = QdaTest::fixture("study-mini");
    test.write("filled.csv", sheet(&test));
    let run = test.run(&[
        "import-sheet",
        "filled.csv",
        "--codebook",
        "codebook.toml",
        "--coder",
        "rules",
    ]);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    error: --coder "rules": name the person who filled the sheet (`rules` is reserved for rule codings)
    "#);
}

/// Fragments a spreadsheet's CSV treats specially.
const SHEET_PIECES: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xC3",
    b"freedom",
    b"survival;freedom",
    b"nonexistent",
    b"A:t2",
    b"case",
    b"codes",
    "자유".as_bytes(),
    b"\x00",
];

/// Bounded property run of the sheet reader (`QDA_PROPERTY_ROUNDS` raises
/// it): a mutated filled sheet is imported or refused with a clear error and
/// exit 1 or 2, never a panic, and a refused sheet leaves no output file.
#[test]
fn mutated_sheets_import_or_fail_cleanly() {
    let rounds = std::env::var("QDA_PROPERTY_ROUNDS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(60, |n| n / 5);
    let test = QdaTest::fixture("study-mini");
    let filled = fill(&sheet(&test), &["freedom", "survival"]);
    let mut rng = qda_bench::Rng::new(2027);
    let (mut imported, mut refused) = (0, 0);
    for round in 0..rounds {
        let bytes = qda_bench::mutate(&mut rng, &filled, SHEET_PIECES);
        test.write("mutated.csv", &bytes);
        let _ = std::fs::remove_file(test.path("out.json"));
        let run = test.run(&[
            "import-sheet",
            "mutated.csv",
            "--codebook",
            "codebook.toml",
            "--coder",
            "anna",
            "-o",
            "out.json",
        ]);
        let context =
            || format!("round {round}: {}\n{}", run.failure(), String::from_utf8_lossy(&bytes));
        assert!(!run.stderr.contains("panicked"), "{}", context());
        match run.code {
            0 => {
                imported += 1;
                let json: Value = serde_json::from_slice(&test.read("out.json")).unwrap();
                assert_eq!(json["coder"], "anna", "{}", context());
            }
            1 | 2 => {
                refused += 1;
                assert!(run.stderr.starts_with("error: "), "{}", context());
                assert!(!test.path("out.json").exists(), "{}", context());
            }
            _ => panic!("unexpected exit code: {}", context()),
        }
    }
    assert!(
        imported > 0 && refused > 10,
        "both outcomes must be exercised: {imported} imported, {refused} refused"
    );
}
