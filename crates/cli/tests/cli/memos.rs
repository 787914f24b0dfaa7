//! `qda memos` and the report's "Memos" section: the project, code, case
//! and segment memos of the bundled study (with a code memo added), in
//! Markdown (snapshot), HTML (anchors and links) and Word (its text, the
//! same bytes every run); and the errors and warnings about memo files.

use std::io::Read;

use crate::support::QdaTest;

const CODINGS: &[&str] = &["--codings", "codings/anna.json", "codings/ben.json"];

/// The bundled study with its memos folder and a code memo on `freedom`.
fn study() -> QdaTest {
    let test = QdaTest::study().with_workspace_folder("memos");
    let codebook = String::from_utf8(test.read("codebooks/motives.toml")).unwrap();
    let with_memo = codebook.replacen(
        "id = \"freedom\"\n",
        "id = \"freedom\"\nmemo = \"\"\"Often said with regret.\n\nAsk about family left behind.\"\"\"\n",
        1,
    );
    assert_ne!(codebook, with_memo);
    test.write("codebooks/motives.toml", with_memo);
    test
}

fn memos(test: &QdaTest, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["memos", "codebooks/motives.toml", "transcripts/"];
    args.extend_from_slice(CODINGS);
    args.extend_from_slice(extra);
    test.run(&args).ok();
    extra.iter().position(|a| *a == "-o").map_or_else(Vec::new, |i| test.read(extra[i + 1]))
}

#[test]
fn markdown_memos_of_the_bundled_study() {
    let test = study();
    let mut args = vec!["memos", "codebooks/motives.toml", "transcripts/"];
    args.extend_from_slice(CODINGS);
    let markdown = test.run(&args).ok().to_owned();
    assert!(markdown.contains("## Project\n\nWhy do people who left North Korea"));
    assert!(markdown.contains("### freedom (Hoping for freedom)\n\nCode path: motive \\> freedom"));
    // A memo on a segment without a code, and one on a coded segment.
    assert!(markdown.contains("**P05:t4 · anna · no code**"));
    assert!(markdown.contains("**P08:t14 · anna · survival**"));
    insta::assert_snapshot!(markdown);
    assert_eq!(memos(&test, &["-o", "memos.md"]), markdown.as_bytes());
}

#[test]
fn html_memos_link_cases_and_codes() {
    let test = study();
    let html = String::from_utf8(memos(&test, &["-o", "memos.html"])).unwrap();
    assert!(
        html.contains("<h3 id=\"code-freedom\"><code>freedom</code> (Hoping for freedom)</h3>")
    );
    assert!(html.contains("<h3 id=\"case-P05\">P05</h3>"));
    // Memos are Markdown, rendered.
    assert!(html.contains("<div class=\"memo\">\n<p>Often said with regret.</p>\n<p>Ask about family left behind.</p>\n</div>"));
    // A segment memo links to its code when the code has a memo here.
    assert!(html.contains("<a href=\"#code-freedom\">freedom</a>"));
    assert!(!html.contains("<script"));
    assert_eq!(memos(&test, &["-o", "memos.html"]), html.as_bytes());
}

/// The text of a Word document's body, paragraph by paragraph.
fn docx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let paragraphs = regex::Regex::new(r"(?s)<w:p[ >].*?</w:p>").unwrap();
    let texts = regex::Regex::new(r"(?s)<w:t[^>]*>(.*?)</w:t>").unwrap();
    paragraphs
        .find_iter(&xml)
        .map(|p| texts.captures_iter(p.as_str()).map(|c| c[1].to_owned()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn word_memos_hold_every_memo_and_are_the_same_every_run() {
    let test = study();
    let first = memos(&test, &["-o", "memos.docx"]);
    let text = docx_text(&first);
    for expected in [
        "Project",
        "Open question: hunger is everywhere in the early accounts.",
        "freedom (Hoping for freedom)",
        "Ask about family left behind.",
        "Hunger in t4 is the neighbourhood&apos;s",
        "P05:t4 · anna · no code",
        "Hunger around him, not his reason for leaving.",
        "P05:t4 · ben · survival",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // Korean in a quoted segment is kept.
    assert!(text.contains("꽃제비"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(memos(&test, &["-o", "memos.docx"]), first, "not the same bytes");
}

#[test]
fn report_has_a_memos_section() {
    let test = study();
    let args = [
        "report",
        "codebooks/motives.toml",
        "transcripts/",
        "--adjudications",
        "adjudications.toml",
        "-o",
        "report.html",
    ];
    test.run(&args).ok();
    let html = String::from_utf8(test.read("report.html")).unwrap();
    let section = html.split("<section id=\"study-memos\">").nth(1).expect("a Memos section");
    let section = section.split("</section>").next().unwrap();
    assert!(section.contains("<h3 id=\"memo-project\">Project</h3>"));
    assert!(section.contains("<a href=\"#code-freedom\">motive &gt; freedom</a>"));
    assert!(section.contains("<a href=\"#case-P05\">P05</a>"));
    // Memos are Markdown, rendered; their raw HTML is shown as text.
    test.write("memos/cases/P05.md", "Spoke *freely*.\n\n<script>x</script>\n");
    test.run(&args).ok();
    let html = String::from_utf8(test.read("report.html")).unwrap();
    assert!(html.contains(
        "<div class=\"memo\">\n<p>Spoke <em>freely</em>.</p>\n&lt;script&gt;x&lt;/script&gt;</div>"
    ));
    assert!(!html.contains("<script>"));
    // Markdown keeps them as written.
    let markdown = memos(&test, &["-o", "memos.md"]);
    assert!(
        String::from_utf8(markdown)
            .unwrap()
            .contains("### P05\n\nSpoke *freely*.\n\n<script>x</script>\n")
    );
    // Without a memos folder or code memos there is no section.
    let plain = std::fs::read(crate::support::workspace().join("codebooks/motives.toml")).unwrap();
    test.write("codebooks/plain.toml", plain);
    std::fs::remove_dir_all(test.path("memos")).unwrap();
    let mut plain_args = args;
    plain_args[1] = "codebooks/plain.toml";
    test.run(&plain_args).ok();
    assert!(!String::from_utf8(test.read("report.html")).unwrap().contains("study-memos"));
}

#[test]
fn a_case_memo_in_the_front_matter_is_not_an_attribute() {
    let test = study();
    let p01 = String::from_utf8(test.read("transcripts/P01.txt")).unwrap();
    test.write(
        "transcripts/P01.txt",
        p01.replacen(
            "case = \"P01\"\n",
            "case = \"P01\"\nmemo = \"Talks fast; check the recording.\"\n",
            1,
        ),
    );
    let markdown = test.run(&["memos", "codebooks/motives.toml", "transcripts/"]).ok().to_owned();
    assert!(markdown.contains("### P01\n\nTalks fast; check the recording.\n"));
    let tally = test
        .run(&[
            "matrix",
            "codebooks/motives.toml",
            "transcripts/",
            "--adjudications",
            "adjudications.toml",
        ])
        .ok()
        .to_owned();
    assert!(!tally.contains("memo"), "{tally}");
}

#[test]
fn memo_files_that_do_not_fit_are_errors_or_warnings() {
    let test = study();
    let base = ["memos", "codebooks/motives.toml", "transcripts/"];
    // A memo file for a case no transcript has: left out, with a warning.
    test.write("memos/cases/P5.md", "Misnamed.\n");
    test.write("memos/cases/notes.txt", "Not a memo.\n");
    let run = test.run(&base);
    let out = run.ok().to_owned();
    assert!(!out.contains("Misnamed."));
    insta::assert_snapshot!("memo_warnings", run.stderr);
    std::fs::remove_file(test.path("memos/cases/P5.md")).unwrap();
    std::fs::remove_file(test.path("memos/cases/notes.txt")).unwrap();

    // A case memo both in a file and in the front matter.
    let p05 = String::from_utf8(test.read("transcripts/P05.txt")).unwrap();
    test.write(
        "transcripts/P05.txt",
        p05.replacen("case = \"P05\"\n", "case = \"P05\"\nmemo = \"Twice.\"\n", 1),
    );
    insta::assert_snapshot!("memo_twice", test.run(&base).failure());
    test.write(
        "transcripts/P05.txt",
        p05.replacen("case = \"P05\"\n", "case = \"P05\"\nmemo = [\"a list\"]\n", 1),
    );
    insta::assert_snapshot!("memo_not_a_string", test.run(&base).failure());
    test.write("transcripts/P05.txt", p05);

    // A --memos folder that does not exist, and an output of another kind.
    let mut missing = base.to_vec();
    missing.extend_from_slice(&["--memos", "nowhere"]);
    insta::assert_snapshot!("memos_folder_missing", test.run(&missing).failure());
    let mut pdf = base.to_vec();
    pdf.extend_from_slice(&["-o", "memos.pdf"]);
    insta::assert_snapshot!("memos_output_kind", test.run(&pdf).failure());
    assert!(!test.path("memos.pdf").exists());
}

#[test]
fn memos_go_to_refi_qda_as_notes_and_come_back() {
    let test = study();
    let export = [
        "export",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/anna.json",
        "--to",
        "qdpx",
        "-o",
        "study.qdpx",
    ];
    test.run(&export).ok();
    let bytes = test.read("study.qdpx");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut qde = String::new();
    archive.by_name("project.qde").unwrap().read_to_string(&mut qde).unwrap();
    for name in ["Memo on code freedom", "Memo on case P05", "Project memo"] {
        assert!(qde.contains(&format!("name=\"{name}\"")), "no note {name:?}");
    }
    // NoteRefs on the code, on the case's source and on the project.
    let code = qde.split("<Code ").find(|c| c.contains("name=\"Hoping for freedom\"")).unwrap();
    assert!(code.contains("<NoteRef "), "{code}");
    assert!(qde.trim_end().ends_with("/>\n</Project>") || qde.contains("<NoteRef targetGUID"));
    test.write("project.qde", qde.as_bytes());
    let schema = crate::support::workspace().join("crates/exchange/schema/Project.xsd");
    let lint = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(test.path("project.qde"))
        .output();
    match lint {
        Ok(out) => assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr)),
        Err(_) if std::env::var_os("CI").is_some() => panic!("xmllint is not installed"),
        Err(_) => println!("skipped: xmllint is not installed"),
    }

    test.run(&["import", "study.qdpx", "-o", "back"]).ok();
    let read = |p: &str| String::from_utf8(test.read(p)).unwrap();
    assert_eq!(read("back/memos/project.md"), format!("{}\n", read("memos/project.md").trim()));
    assert_eq!(read("back/memos/cases/P05.md"), format!("{}\n", read("memos/cases/P05.md").trim()));
    assert!(read("back/codebook.toml").contains("Often said with regret."));
    // The imported study's memos read as the original's, segment memos too.
    let original = test
        .run(&["memos", "codebooks/motives.toml", "transcripts/", "--codings", "codings/anna.json"])
        .ok()
        .to_owned();
    let back = test
        .run(&[
            "memos",
            "back/codebook.toml",
            "back/transcripts/",
            "--codings",
            "back/codings/anna.json",
            "--memos",
            "back/memos",
        ])
        .ok()
        .to_owned();
    let body = |s: &str| s.split_once('\n').unwrap().1.to_owned();
    assert_eq!(body(&back), body(&original));
}
