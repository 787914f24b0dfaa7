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
    rollup,,motive,2,2,2,100.0000,34.2380,100.0000,15.8114,100.0000
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
    error: filled.csv: row 2, column G (codes), segment A:t2: unknown code `fredom`; did you mean `freedom`?
    error: filled.csv: row 2, column G (codes), segment A:t2: unknown code `surival`; did you mean `survival`?
    error: filled.csv: row 4, column B (segment): segment `B:t2` appears again (first in row 3); keep one row
    error: filled.csv: row 5, column B (segment): B.txt has no segment `B:t9`
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
            "error: filled.csv: row 3, column J (sha256), segment B:t2: B.txt changed since the sheet was made (SHA-256 "
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
                // An encoding warning may come first.
                assert!(run.stderr.contains("error: "), "{}", context());
                assert!(
                    run.stderr
                        .lines()
                        .all(|l| l.starts_with("error: ") || l.starts_with("warning: ")),
                    "{}",
                    context()
                );
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

/// Runs `qda import-sheet SHEET` on the mini codebook as anna.
fn import(test: &QdaTest, sheet: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "import-sheet",
        sheet,
        "--codebook",
        "codebook.toml",
        "--coder",
        "anna",
        "-o",
        "anna.json",
    ];
    args.extend(extra);
    test.run(&args)
}

/// A case with three codable turns.
const THREE_TURNS: &str = "+++\ncase = \"C\"\n+++\nI: Why did you leave?\nP: I was hungry.\nI: And then?\nP: Freedom came later.\nI: Anything else?\nP: Nothing more.\n";

/// A sheet's rows, as cells.
fn rows(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Writes rows as a sheet with CRLF line ends.
fn unrows(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer =
            csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        for row in rows {
            writer.write_record(row).unwrap();
        }
    }
    out
}

#[test]
fn an_unfilled_sheet_is_refused_unless_nothing_applies() {
    let test = QdaTest::fixture("study-mini");
    test.write("filled.csv", sheet(&test));
    let run = import(&test, "filled.csv", &[]);
    assert!(!test.path("anna.json").exists());
    insta::assert_snapshot!(run.failure(), @r"
    exit: 1
    error: filled.csv: no row has a code in column G (codes), so the sheet looks unfilled; fill it in, or, if no code applies to any of its segments, import it with `--allow-empty` (recorded in the codings file)
    ");

    import(&test, "filled.csv", &["--allow-empty"]).ok();
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["codings"], serde_json::json!([]));
    assert_eq!(json["provenance"]["options"]["allow_empty"], true);
    assert!(json["transcripts"][0].get("reviewed").is_none());
}

#[test]
fn rows_deleted_from_a_sheet_are_named_and_stay_unreviewed() {
    let test = QdaTest::fixture("study-mini");
    test.write("C.txt", THREE_TURNS);
    test.run(&["sheet", "codebook.toml", "C.txt", "-o", "sheet.csv"]).ok();
    let mut rows = rows(&String::from_utf8(test.read("sheet.csv")).unwrap());
    assert_eq!(rows.len(), 4);
    rows[1][6] = "survival".to_owned();
    rows.remove(2);
    test.write("filled.csv", unrows(&rows));
    let run = import(&test, "filled.csv", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr, @r"
    warning: filled.csv: case `C` has no row for 1 of its 3 codable segments (C:t4); they are not marked reviewed, so the rules' codings count there and `qda agree` leaves them out
    wrote anna.json: 1 coding by anna over 1 case
    ");
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["transcripts"][0]["reviewed"], serde_json::json!(["C:t2", "C:t6"]));
}

#[test]
fn a_memo_on_a_row_without_codes_is_kept_as_a_segment_memo() {
    let test = QdaTest::fixture("study-mini");
    let mut rows = rows(&sheet(&test));
    rows[1][6] = "freedom".to_owned();
    rows[2][7] = "Says freedom, but of whom? Ask at the next meeting.".to_owned();
    test.write("filled.csv", unrows(&rows));
    import(&test, "filled.csv", &[]).ok();
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(
        json["memos"],
        serde_json::json!([{"case": "B", "segment": "B:t2", "coder": "anna",
            "memo": "Says freedom, but of whom? Ask at the next meeting."}])
    );
    assert_eq!(json["codings"].as_array().unwrap().len(), 1);
    // The segment with the memo was reviewed: the coder gave it no code.
    assert!(json["transcripts"][1].get("reviewed").is_none());
}

#[test]
fn problems_name_the_spreadsheet_row_column_and_segment() {
    let test = QdaTest::fixture("study-mini");
    test.write("C.txt", THREE_TURNS);
    test.run(&["sheet", "codebook.toml", "C.txt", "-o", "sheet.csv"]).ok();
    let mut rows = rows(&String::from_utf8(test.read("sheet.csv")).unwrap());
    // A memo of three lines is one cell of row 2; the typo is in row 3,
    // which is line 5 of the file.
    rows[1][6] = "survival".to_owned();
    rows[1][7] = "Hunger first.\nThen the border.\nAsk again.".to_owned();
    rows[2][6] = "fredom".to_owned();
    test.write("filled.csv", unrows(&rows));
    let run = import(&test, "filled.csv", &[]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: filled.csv: row 3, column G (codes), segment C:t4: unknown code `fredom`; did you mean `freedom`?
    ");
}

/// A filled sheet of the mini study whose memo needs a character beyond ASCII.
fn filled_with_accents(test: &QdaTest) -> String {
    let mut rows = rows(&sheet(test));
    rows[1][6] = "freedom".to_owned();
    rows[1][7] = "Café owner’s story, in Zürich".to_owned();
    String::from_utf8(unrows(&rows)).unwrap()
}

#[test]
fn excel_csv_in_windows_1252_is_read_with_a_warning() {
    let test = QdaTest::fixture("study-mini");
    let filled = filled_with_accents(&test);
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&filled);
    assert!(!unmappable);
    test.write("filled.csv", &bytes);
    let run = import(&test, "filled.csv", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr, @r#"
    warning: filled.csv: the coding sheet was read as Windows-1252, not UTF-8 (Excel's plain "CSV"; it cannot hold Korean, Japanese or most other scripts, so such text is lost when saved this way); save it as "CSV UTF-8" (Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; LibreOffice: Save As > Text CSV, character set "Unicode (UTF-8)")
    wrote anna.json: 1 coding by anna over 2 cases
    "#);
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["codings"][0]["source"]["memo"], "Café owner’s story, in Zürich");
}

#[test]
fn utf16_sheets_are_read_with_a_warning() {
    let test = QdaTest::fixture("study-mini");
    let text = filled_with_accents(&test);
    let bytes: Vec<u8> =
        "\u{FEFF}".encode_utf16().chain(text.encode_utf16()).flat_map(u16::to_le_bytes).collect();
    test.write("filled.csv", &bytes);
    let run = import(&test, "filled.csv", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr, @r#"
    warning: filled.csv: the coding sheet was read as UTF-16 (little-endian), not UTF-8 (other tools expect UTF-8); save it as "CSV UTF-8" (Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; LibreOffice: Save As > Text CSV, character set "Unicode (UTF-8)")
    wrote anna.json: 1 coding by anna over 2 cases
    "#);
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["codings"][0]["source"]["memo"], "Café owner’s story, in Zürich");
}

#[test]
fn bytes_that_are_text_in_no_encoding_say_how_to_save_as_csv_utf8() {
    let test = QdaTest::fixture("study-mini");
    let mut bytes = filled_with_accents(&test).into_bytes();
    let at = bytes.iter().position(|&b| b == b'Z').unwrap();
    bytes[at] = 0x81;
    test.write("filled.csv", &bytes);
    let run = import(&test, "filled.csv", &[]);
    assert!(!test.path("anna.json").exists());
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    error: filled.csv:2:103: byte 0x81 is not text in UTF-8, UTF-16 or Windows-1252; save it as "CSV UTF-8" (Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; LibreOffice: Save As > Text CSV, character set "Unicode (UTF-8)")
    "#);
}

#[test]
fn case_tables_and_pseudonym_tables_are_decoded_too() {
    let test = QdaTest::fixture("study-mini");
    let (cases, _, _) = encoding_rs::WINDOWS_1252.encode("case,city\nA,Zürich\nB,Seoul\n");
    test.write("cases.csv", &cases);
    let run = test.run(&["matrix", "codebook.toml", "A.txt", "B.txt", "--cases", "cases.csv"]);
    insta::assert_snapshot!(format!("{}{}", run.stderr, run.ok()), @r#"
    warning: cases.csv: the case table was read as Windows-1252, not UTF-8 (Excel's plain "CSV"; it cannot hold Korean, Japanese or most other scripts, so such text is lost when saved this way); save it as "CSV UTF-8" (Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; LibreOffice: Save As > Text CSV, character set "Unicode (UTF-8)")
    warning: case `A` has several codes of the exclusive group `motive` and no adjudication; its `motive` cell is left empty (settle it with --adjudications FILE)
    case,site,city,motive,survival,freedom
    A,Osaka,Zürich,,1,1
    B,Seoul,Seoul,freedom,0,1
    "#);

    let table: Vec<u8> = "\u{FEFF}original,pseudonym\nOsaka,a city\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    test.write("pseudonyms.csv", &table);
    let run = test.run(&["check", "--anonymised", "--pseudonyms", "pseudonyms.csv", "A.txt"]);
    insta::assert_snapshot!(format!("exit: {}\n{}{}", run.code, run.stderr, run.stdout), @r#"
    exit: 1
    warning: pseudonyms.csv: the pseudonym table was read as UTF-16 (little-endian), not UTF-8 (other tools expect UTF-8); save it as "CSV UTF-8" (Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; LibreOffice: Save As > Text CSV, character set "Unicode (UTF-8)")
    error: A.txt:3:9: the original on line 2 of pseudonyms.csv is still here; replace it with `a city`
    1 transcripts: 1 original from the pseudonym table, 0 warnings
    "#);
}

#[test]
fn a_blind_sheet_has_no_suggestions_and_marks_the_interviewers_turns_as_context() {
    let test = QdaTest::fixture("study-mini");
    test.run(&["sheet", "codebook.toml", "A.txt", "B.txt", "--blind", "-o", "blind.csv"]).ok();
    let csv = String::from_utf8(test.read("blind.csv")).unwrap();
    insta::assert_snapshot!(csv.replace("\r\n", "⏎\n"), @r#"
    case,segment,speaker,time,text,codes,memo,transcript,sha256,blind⏎
    A,A:t1,I,,Why did you leave?,"(interviewer: context only, not coded)",,A.txt,43d466b4b1f943d6f3039699a85a8a754ca40cafd6bef219190655fcaa32eb30,yes⏎
    A,A:t2,P,,"We were starving, and I wanted freedom.",,,A.txt,43d466b4b1f943d6f3039699a85a8a754ca40cafd6bef219190655fcaa32eb30,yes⏎
    B,B:t1,I,,Why did you leave?,"(interviewer: context only, not coded)",,B.txt,beba063e210d1917636b26b409933fbeb140105a983db42cdeddb317961a4cae,yes⏎
    B,B:t2,P,,For freedom.,,,B.txt,beba063e210d1917636b26b409933fbeb140105a983db42cdeddb317961a4cae,yes⏎
    "#);

    // Context rows are not coded, and the codings are recorded as blind; a
    // memo on a question is kept.
    let mut rows = rows(&csv);
    rows[2][5] = "freedom".to_owned();
    rows[1][6] = "A leading question?".to_owned();
    test.write("filled.csv", unrows(&rows));
    import(&test, "filled.csv", &[]).ok();
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["blinding"], "blind");
    assert_eq!(json["codings"].as_array().unwrap().len(), 1);
    assert_eq!(json["memos"][0]["segment"], "A:t1");
    assert!(json["transcripts"][0].get("reviewed").is_none());

    // A code typed into a context row is refused, not dropped.
    rows[1][5] = "survival".to_owned();
    test.write("filled.csv", unrows(&rows));
    let run = import(&test, "filled.csv", &[]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: filled.csv: row 2, column F (codes), segment A:t1: the interviewer's turns are context, not coded; clear this cell, or code the participant's answer in its own row
    ");
}

#[test]
fn a_sheet_with_suggestions_is_recorded_as_open_coding() {
    let test = QdaTest::fixture("study-mini");
    let mut rows = rows(&sheet(&test));
    rows[1][6] = "freedom".to_owned();
    test.write("filled.csv", unrows(&rows));
    import(&test, "filled.csv", &[]).ok();
    let json: Value = serde_json::from_slice(&test.read("anna.json")).unwrap();
    assert_eq!(json["blinding"], "open");
}
