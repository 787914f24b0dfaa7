//! `qda excerpts`: the CSV and Markdown of the bundled study (snapshots),
//! the HTML's structure, the same bytes every run in every format, the
//! filters, the errors, and the Excel and Word files read back by readers
//! that are not qda's: openpyxl and LibreOffice for `.xlsx`, pandoc and
//! LibreOffice for `.docx`.
//!
//! The readers are found on PATH (`soffice`, `pandoc`) and in `QDA_PYTHON`
//! (a Python with openpyxl; `.ci/run` makes one under `target/py`). Without
//! one, its test says so and passes, unless `QDA_REQUIRE_SOFFICE`,
//! `QDA_REQUIRE_PANDOC` or `QDA_REQUIRE_PYTHON` is set (as CI does), when
//! it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{QdaTest, column, csv_rows};

const STUDY: &[&str] = &["excerpts", "codebooks/motives.toml", "transcripts/"];

/// `qda excerpts` of the bundled study with `extra` arguments, written to
/// `output` and read back.
fn excerpts(test: &QdaTest, extra: &[&str], output: &str) -> Vec<u8> {
    let mut args = STUDY.to_vec();
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", output]);
    test.run(&args).ok();
    test.read(output)
}

#[test]
fn csv_of_the_bundled_study() {
    let test = QdaTest::study();
    let bytes = excerpts(&test, &[], "excerpts.csv");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "Excel needs the byte-order mark");
    let text = String::from_utf8(bytes).expect("UTF-8");
    // Korean and Japanese text of the transcripts, intact.
    assert!(text.contains("굶어 죽는 것보다는 낫다"));
    assert!(text.contains("お母さん"));
    insta::assert_snapshot!(text.trim_start_matches('\u{feff}'));
}

#[test]
fn no_bom_leaves_out_the_byte_order_mark() {
    let test = QdaTest::study();
    let with = excerpts(&test, &[], "with.csv");
    let without = excerpts(&test, &["--no-bom"], "without.csv");
    assert_eq!(&with[3..], &without[..]);
}

#[test]
fn markdown_of_a_parent_code_with_a_coders_memos() {
    let test = QdaTest::study();
    let bytes = excerpts(
        &test,
        &[
            "--codings",
            "codings/anna.json",
            "codings/ben.json",
            "--coder",
            "anna",
            "--code",
            "motive",
        ],
        "motive.md",
    );
    let markdown = String::from_utf8(bytes).expect("UTF-8");
    // anna's memo on P08:t14, under the quote.
    assert!(markdown.contains("P08:t14 · P · 00:11:40 · anna — Starving children"));
    insta::assert_snapshot!(markdown);
}

#[test]
fn markdown_on_standard_output_without_o() {
    let test = QdaTest::study();
    let stdout = test.run(&[STUDY, &["--code", "freedom"]].concat()).ok().to_owned();
    let file = excerpts(&test, &["--code", "freedom"], "freedom.md");
    assert_eq!(stdout.as_bytes(), file);
}

/// The HTML's outline: headings, the excerpts under each, and every
/// element's name, without the transcripts' text.
fn outline(html: &str) -> String {
    let tag =
        regex::Regex::new(r"<(h[123]|blockquote|style|script|link|img)\b[^>]*>([^<]*)").unwrap();
    let mut out = String::new();
    for c in tag.captures_iter(html) {
        match &c[1] {
            "blockquote" => out.push_str("    quote\n"),
            "h1" | "h2" | "h3" => out.push_str(&format!("{} {}\n", &c[1], &c[2])),
            other => out.push_str(&format!("{other}\n")),
        }
    }
    out
}

#[test]
fn html_structure() {
    let test = QdaTest::study();
    let html = String::from_utf8(excerpts(&test, &["--where", "settled_in=Japan"], "e.html"))
        .expect("UTF-8");
    assert!(!html.contains("<script") && !html.contains("src="), "self-contained");
    assert!(html.contains("굶어 죽는 것보다는 낫다"));
    insta::assert_snapshot!(outline(&html));
}

#[test]
fn html_escapes_what_it_shows() {
    let test = QdaTest::new();
    test.write(
        "cb.toml",
        "[codebook]\nname = \"<b>book</b>\"\nunit = \"turn\"\n\n[[code]]\nid = \"tag\"\nlabel = \"A <i>label</i>\"\n[code.rule]\nany = [\"word\"]\n",
    );
    test.write(
        "t/C1.txt",
        "+++\ncase = \"C1\"\nnote = \"<script>x</script>\"\n+++\nP: a word & <em>more</em>\n",
    );
    test.run(&["excerpts", "cb.toml", "t/", "-o", "e.html"]).ok();
    let html = String::from_utf8(test.read("e.html")).unwrap();
    assert!(html.contains("a word &amp; &lt;em&gt;more&lt;/em&gt;"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(html.contains("A &lt;i&gt;label&lt;/i&gt;"));
    assert!(!html.contains("<em>") && !html.contains("<script>"));
}

#[test]
fn same_bytes_every_run_in_every_format() {
    let test = QdaTest::study();
    for extension in ["csv", "xlsx", "docx", "md", "html"] {
        let first = excerpts(&test, &[], &format!("a.{extension}"));
        let second = excerpts(&test, &[], &format!("b.{extension}"));
        assert!(first == second, ".{extension} differs between two runs");
    }
}

#[test]
fn a_parent_code_includes_its_descendants() {
    let test = QdaTest::study();
    let all = csv_rows(&excerpts(&test, &[], "all.csv"));
    let motive = csv_rows(&excerpts(&test, &["--code", "motive"], "motive.csv"));
    let code = column(&all, "code");
    let children = ["survival", "freedom", "involuntary"];
    let expected: Vec<&Vec<String>> =
        all[1..].iter().filter(|r| children.contains(&r[code].as_str())).collect();
    assert!(!expected.is_empty());
    assert_eq!(motive[1..].iter().collect::<Vec<_>>(), expected);
    assert_eq!(motive[0], all[0], "the same columns");
    let path = column(&all, "code path");
    assert!(motive[1..].iter().all(|r| r[path] == format!("motive > {}", r[code])));

    let two = csv_rows(&excerpts(&test, &["--code", "survival", "--code", "freedom"], "two.csv"));
    assert!(two[1..].iter().all(|r| ["survival", "freedom"].contains(&r[code].as_str())));
    assert!(two[1..].iter().any(|r| r[code] == "survival"));
    assert!(two[1..].iter().any(|r| r[code] == "freedom"));
}

#[test]
fn case_and_where_filters() {
    let test = QdaTest::study();
    let all = csv_rows(&excerpts(&test, &[], "all.csv"));
    let (case, settled) = (column(&all, "case"), column(&all, "settled_in"));

    let two = csv_rows(&excerpts(&test, &["--case", "P03", "--case", "P05"], "two.csv"));
    let expected: Vec<&Vec<String>> =
        all[1..].iter().filter(|r| r[case] == "P03" || r[case] == "P05").collect();
    assert_eq!(two[1..].iter().collect::<Vec<_>>(), expected);

    let japan = csv_rows(&excerpts(&test, &["--where", "settled_in=Japan"], "japan.csv"));
    let expected: Vec<&Vec<String>> = all[1..].iter().filter(|r| r[settled] == "Japan").collect();
    assert!(!expected.is_empty() && expected.len() < all.len() - 1);
    assert_eq!(japan[1..].iter().collect::<Vec<_>>(), expected);

    // Values of one attribute are alternatives; attributes must all hold.
    let either = csv_rows(&excerpts(
        &test,
        &["--where", "settled_in=Japan", "--where", "settled_in=South Korea"],
        "either.csv",
    ));
    assert_eq!(either.len(), all.len());
    let gender = column(&all, "gender");
    let both = csv_rows(&excerpts(
        &test,
        &["--where", "settled_in=Japan", "--where", "gender=female"],
        "both.csv",
    ));
    let expected: Vec<&Vec<String>> =
        all[1..].iter().filter(|r| r[settled] == "Japan" && r[gender] == "female").collect();
    assert!(!expected.is_empty());
    assert_eq!(both[1..].iter().collect::<Vec<_>>(), expected);
}

#[test]
fn errors() {
    let test = QdaTest::study();
    let cases: &[(&str, &[&str])] = &[
        ("unknown_code", &["--code", "freedon", "-o", "x.csv"]),
        ("bad_where", &["--where", "settled_in", "-o", "x.csv"]),
        ("unknown_attribute", &["--where", "country=Japan", "-o", "x.csv"]),
        ("unknown_case", &["--case", "P99", "-o", "x.csv"]),
        ("unsupported_extension", &["-o", "x.pdf"]),
    ];
    for (name, extra) in cases {
        let run = test.run(&[STUDY, extra].concat());
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(!test.path("x.csv").exists() && !test.path("x.pdf").exists(), "{name}: no file");
        insta::assert_snapshot!(format!("error_{name}"), run.failure());
    }
}

#[test]
fn a_cell_excel_cannot_hold_fails_without_a_file() {
    let test = QdaTest::new();
    test.write("cb.toml", "[codebook]\nname = \"b\"\nunit = \"turn\"\n\n[[code]]\nid = \"tag\"\n[code.rule]\nany = [\"word\"]\n");
    test.write(
        "t/C1.txt",
        format!("+++\ncase = \"C1\"\n+++\nP: a word\n\nP: word {}\n", "x".repeat(33_000)),
    );
    let run = test.run(&["excerpts", "cb.toml", "t/", "-o", "e.xlsx"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!test.path("e.xlsx").exists(), "no file, not even a partial one");
    insta::assert_snapshot!(run.failure());
}

/// The bundled study with its memos folder and a code memo on `freedom`
/// with emphasis.
fn study_with_memos() -> QdaTest {
    let test = QdaTest::study().with_workspace_folder("memos");
    let codebook = String::from_utf8(test.read("codebooks/motives.toml")).unwrap();
    let with_memo = codebook.replacen(
        "id = \"freedom\"\n",
        "id = \"freedom\"\nmemo = \"\"\"Often said with *regret*.\n\nAsk about **family** left behind.\"\"\"\n",
        1,
    );
    assert_ne!(codebook, with_memo);
    test.write("codebooks/motives.toml", with_memo);
    test
}

#[test]
fn documents_show_code_and_case_memos() {
    let test = study_with_memos();
    let extra = ["--code", "freedom", "--case", "P05", "--case", "P08"];
    let markdown = String::from_utf8(excerpts(&test, &extra, "e.md")).unwrap();
    // Memos stay Markdown in Markdown.
    assert!(markdown.contains("Often said with *regret*.\n\nAsk about **family** left behind."));
    assert!(markdown.contains("## Case memos\n\n### P05\n\nHunger in t4"));
    insta::assert_snapshot!(markdown);

    let html = String::from_utf8(excerpts(&test, &extra, "e.html")).unwrap();
    assert!(html.contains(
        "<div class=\"memo\">\n<p>Often said with <em>regret</em>.</p>\n<p>Ask about <strong>family</strong> left behind.</p>\n</div>"
    ));
    assert!(html.contains("<h3><a href=\"#case-P05\">P05</a></h3>"));
    assert!(html.contains("<h3 id=\"case-P05\">P05</h3>"));
    insta::assert_snapshot!("memos_html_outline", outline(&html));

    let docx = excerpts(&test, &extra, "e.docx");
    let xml = docx_xml(&docx);
    assert!(xml.contains("Hunger in t4"), "the case memo");
    let regret = xml.find(">regret<").expect("the code memo's emphasis");
    let run_start = xml[..regret].rfind("<w:r>").unwrap();
    assert!(xml[run_start..regret].contains("<w:i />"), "an italic run");
    let family = xml.find(">family<").unwrap();
    let run_start = xml[..family].rfind("<w:r>").unwrap();
    assert!(xml[run_start..family].contains("<w:b />"), "a bold run");
}

/// The `word/document.xml` of a Word file.
fn docx_xml(docx: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip archive");
    let mut xml = String::new();
    archive.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml
}

/// The HTML in headless Chromium at 1366 and 390 CSS pixels (a laptop and a
/// phone), measured as the report's browser test does: no element, text
/// included, reaches past the page's right edge, so nothing is clipped or
/// scrolls sideways; with the bundled study and with a 260-character token
/// in a code id, a case attribute, an excerpt and a memo. Fails without
/// Chromium in CI (`CI` set), skips with a message elsewhere.
#[test]
fn html_fits_a_laptop_and_a_phone_in_a_real_browser() {
    use crate::report::{chromium, measure, measuring};
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Chromium for this test: apt-get install -y chromium"
        );
        eprintln!(
            "skipped: chromium not found (apt-get install -y chromium); the excerpts page was not checked in a browser"
        );
        return;
    };
    let test = study_with_memos();
    excerpts(&test, &[], "bundled.html");
    let token = "x".repeat(260);
    test.write("long/cb.toml", format!("[codebook]\nname = \"{token}\"\nunit = \"turn\"\n\n[[code]]\nid = \"c{token}\"\nmemo = \"{token}\"\n[code.rule]\nany = [\"word\"]\n"));
    test.write("long/t/C1.txt", format!("+++\ncase = \"C1\"\nplace = \"{token}\"\nmemo = \"*{token}*\"\n+++\nP: a word {token}\n"));
    test.run(&["excerpts", "long/cb.toml", "long/t/", "-o", "long.html"]).ok();
    for page in ["bundled.html", "long.html"] {
        for width in [1366, 390] {
            test.write("measure.html", measuring(page, width));
            let measured = measure(&chromium, &test.path("measure.html"));
            assert_eq!(measured.client_width, width, "{page}: the frame is {width} px wide");
            assert!(
                measured.scroll_width <= measured.client_width && measured.outside.is_empty(),
                "{page} reaches past the page at {width} px: {measured:?}"
            );
        }
    }
}

/// A reader found, or `None` with a note when it is missing and not required.
fn reader(program: &str, require: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|p| p.join(program)).find(|p| p.is_file())
    });
    if found.is_none() {
        let message = format!("skipped: {program} is not on PATH ({install})");
        assert!(std::env::var_os(require).is_none(), "{message}");
        eprintln!("{message}");
    }
    found
}

/// The Python with openpyxl named by `QDA_PYTHON`.
fn python() -> Option<PathBuf> {
    let found = std::env::var_os("QDA_PYTHON").map(PathBuf::from).filter(|p| {
        Command::new(p).args(["-c", "import openpyxl"]).output().is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        let message = "skipped: QDA_PYTHON does not name a Python with openpyxl (python3 -m venv target/py && target/py/bin/pip install openpyxl)";
        assert!(std::env::var_os("QDA_REQUIRE_PYTHON").is_none(), "{message}");
        eprintln!("{message}");
    }
    found
}

/// Runs `program` with `args`, stopped after two minutes (coreutils
/// `timeout`); its standard output.
fn run_with_timeout(program: &Path, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new("timeout")
        .arg("120")
        .arg(program)
        .args(args)
        .output()
        .expect("the reader starts");
    assert!(
        output.status.success(),
        "{} {args:?} failed (124: took more than two minutes): {}\n{}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// LibreOffice headless converting `file` (in `dir`) with `filter`, with a
/// profile of its own so that runs in parallel do not share one; the
/// converted file's bytes.
fn soffice(soffice: &Path, dir: &Path, file: &str, filter: &str, extension: &str) -> Vec<u8> {
    let profile = tempfile::tempdir().expect("a profile folder");
    let out = dir.join("soffice-out");
    let installation = format!("-env:UserInstallation=file://{}", profile.path().display());
    let input = dir.join(file);
    let args: Vec<&std::ffi::OsStr> = [
        installation.as_ref(),
        "--headless".as_ref(),
        "--norestore".as_ref(),
        "--convert-to".as_ref(),
        filter.as_ref(),
        "--outdir".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]
    .to_vec();
    run_with_timeout(soffice, &args);
    let stem = Path::new(file).file_stem().unwrap().to_string_lossy().into_owned();
    std::fs::read(out.join(format!("{stem}.{extension}"))).expect("LibreOffice wrote the file")
}

/// Texts compared as a reader shows them: whitespace runs as one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn xlsx_read_back_by_openpyxl_gives_the_csv_rows() {
    let Some(python) = python() else { return };
    let test = QdaTest::study();
    let csv = csv_rows(&excerpts(&test, &[], "excerpts.csv"));
    excerpts(&test, &[], "excerpts.xlsx");
    let script = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
sheet = book["Excerpts"]
rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
print(json.dumps({"sheets": book.sheetnames, "rows": rows, "freeze": sheet.freeze_panes,
                  "filter": sheet.auto_filter.ref,
                  "survival": sheet.max_row and book["survival"].max_row}))
"#;
    let workbook = test.path("excerpts.xlsx");
    let out = run_with_timeout(&python, &["-c".as_ref(), script.as_ref(), workbook.as_os_str()]);
    let read: serde_json::Value = serde_json::from_str(&out).expect("JSON from the script");
    let rows: Vec<Vec<String>> = serde_json::from_value(read["rows"].clone()).unwrap();
    assert_eq!(rows, csv);
    assert_eq!(
        read["sheets"],
        serde_json::json!(["Excerpts", "survival", "freedom", "involuntary"])
    );
    assert_eq!(read["freeze"], "A2", "the header row is frozen");
    let last = (b'A' + u8::try_from(csv[0].len() - 1).unwrap()) as char;
    assert_eq!(read["filter"], format!("A1:{last}{}", csv.len()), "filters on every column");
    let code = column(&csv, "code");
    let survival = csv.iter().filter(|r| r[code] == "survival").count();
    assert_eq!(read["survival"], survival + 1, "the code's sheet has its rows");
}

#[test]
fn xlsx_read_back_by_libreoffice_gives_the_csv_rows() {
    let Some(soffice_path) =
        reader("soffice", "QDA_REQUIRE_SOFFICE", "apt-get install libreoffice-calc-nogui")
    else {
        return;
    };
    let test = QdaTest::study();
    let csv = csv_rows(&excerpts(&test, &[], "excerpts.csv"));
    excerpts(&test, &[], "excerpts.xlsx");
    // Comma-separated, double quotes, UTF-8 (76), the first sheet.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1";
    let read = csv_rows(&soffice(&soffice_path, test.root(), "excerpts.xlsx", filter, "csv"));
    assert_eq!(read, csv);
}

/// The excerpts' texts in the Word document's order: by code in codebook
/// order, then as the CSV has them (by case and segment).
fn texts_in_document_order(csv: &[Vec<String>]) -> Vec<String> {
    let (code, text) = (column(csv, "code"), column(csv, "text"));
    ["survival", "freedom", "involuntary"]
        .iter()
        .flat_map(|c| csv[1..].iter().filter(move |r| r[code] == *c).map(move |r| r[text].clone()))
        .collect()
}

/// Asserts that every text is in `document`, in order.
fn in_order(document: &str, texts: &[String], reader: &str) {
    let document = squash(document);
    let mut at = 0;
    for (i, text) in texts.iter().enumerate() {
        let text = squash(text);
        match document[at..].find(&text) {
            Some(found) => at += found + text.len(),
            None => panic!("{reader}: excerpt {i} missing or out of order: {text}"),
        }
    }
}

#[test]
fn docx_read_back_by_pandoc_has_every_excerpt_in_order() {
    let Some(pandoc) = reader("pandoc", "QDA_REQUIRE_PANDOC", "apt-get install pandoc") else {
        return;
    };
    let test = QdaTest::study();
    let csv = csv_rows(&excerpts(&test, &[], "excerpts.csv"));
    excerpts(&test, &[], "excerpts.docx");
    let document = test.path("excerpts.docx");
    let plain = run_with_timeout(
        &pandoc,
        &["-t".as_ref(), "plain".as_ref(), "--wrap=none".as_ref(), document.as_os_str()],
    );
    let texts = texts_in_document_order(&csv);
    assert_eq!(texts.len(), csv.len() - 1);
    in_order(&plain, &texts, "pandoc");
    assert!(plain.contains("motive > survival · Leaving to survive"));
}

#[test]
fn docx_read_back_by_libreoffice_has_every_excerpt_in_order() {
    let Some(soffice_path) =
        reader("soffice", "QDA_REQUIRE_SOFFICE", "apt-get install libreoffice-writer-nogui")
    else {
        return;
    };
    let test = QdaTest::study();
    let csv = csv_rows(&excerpts(&test, &[], "excerpts.csv"));
    excerpts(&test, &[], "excerpts.docx");
    let text =
        soffice(&soffice_path, test.root(), "excerpts.docx", "txt:Text (encoded):UTF8", "txt");
    let text = String::from_utf8(text).expect("UTF-8");
    in_order(&text, &texts_in_document_order(&csv), "LibreOffice");
}

/// Control characters in a transcript or a memo (a vertical tab from Word,
/// a terminal's escape) are characters XML cannot hold: written as they
/// were, Word refused the document as unreadable. They become U+FFFD, and
/// pandoc reads the document.
#[test]
fn control_characters_leave_word_documents_readable() {
    let test = QdaTest::new();
    test.write(
        "cb.toml",
        "[codebook]\nname = \"c\"\nunit = \"turn\"\n\n[[code]]\nid = \"freedom\"\n[code.rule]\nany = [\"freedom\"]\n",
    );
    test.write(
        "t/P01.txt",
        "+++\ncase = \"P01\"\nmemo = \"page\\u000cbreak\"\n+++\nP: I wanted freedom\u{b} and \u{1b}[31m more.\n",
    );
    test.run(&["excerpts", "cb.toml", "t/", "-o", "e.docx"]).ok();
    test.run(&["memos", "cb.toml", "t/", "-o", "m.docx"]).ok();
    for name in ["e.docx", "m.docx"] {
        let xml = docx_xml(&test.read(name));
        assert!(!xml.bytes().any(|b| b < 0x20 && !b"\t\n\r".contains(&b)), "{name}: {xml}");
        assert!(xml.contains('\u{FFFD}'), "{name}");
        if let Some(pandoc) = reader("pandoc", "QDA_REQUIRE_PANDOC", "apt-get install pandoc") {
            let path = test.path(name);
            let plain =
                run_with_timeout(&pandoc, &["-t".as_ref(), "plain".as_ref(), path.as_os_str()]);
            assert!(plain.contains("break") || plain.contains("freedom"), "{name}: {plain}");
        }
    }
}
