//! `qda export` and `qda import`: REFI-QDA codebooks and projects. A round
//! trip keeps the tally and the agreement; exports are deterministic and
//! valid against the official schemas (with `xmllint`, when installed).

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::Command;

use crate::support::{QdaTest, workspace};

const CODINGS: [&str; 2] = ["codings/anna.json", "codings/rules.json"];

fn export_study(test: &QdaTest, out: &str) {
    let mut args = vec!["export", "codebooks/motives.toml", "transcripts", "--codings"];
    args.extend(CODINGS);
    args.extend(["--to", "qdpx", "-o", out]);
    test.run(&args).ok();
}

/// Validates `file` against one of the bundled schemas; `false` (with a
/// message) when `xmllint` is not installed.
fn validates(file: &Path, schema: &str) -> bool {
    let schema = workspace().join("crates/exchange/schema").join(schema);
    match Command::new("xmllint").arg("--noout").arg("--schema").arg(&schema).arg(file).output() {
        Err(_) => {
            println!("skipped: xmllint is not installed (Debian: apt-get install libxml2-utils)");
            false
        }
        Ok(out) => {
            assert!(
                out.status.success(),
                "{} does not validate against {}:\n{}",
                file.display(),
                schema.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
    }
}

fn unzip(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entry = zip.by_name(name).unwrap();
    let mut out = Vec::new();
    entry.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn a_project_round_trip_keeps_the_tally_and_the_agreement() {
    let test = QdaTest::study();
    export_study(&test, "study.qdpx");
    test.run(&["import", "study.qdpx", "-o", "imported"]).ok();

    // Anna's memos on segments she gave no code travel as REFI-QDA notes.
    let project = String::from_utf8(unzip(&test.read("study.qdpx"), "project.qde")).unwrap();
    assert!(project.contains(
        "<PlainTextContent>Hunger around him, not his reason for leaving.</PlainTextContent>"
    ));
    let memos = |path: &str| {
        let json: serde_json::Value = serde_json::from_slice(&test.read(path)).unwrap();
        json["memos"].clone()
    };
    assert_eq!(memos("imported/codings/anna.json"), memos("codings/anna.json"));
    assert_eq!(memos("imported/codings/anna.json").as_array().unwrap().len(), 4);

    let tally = |codebook: &str, transcripts: &str, codings: [&str; 2]| {
        let mut args = vec![
            "tally",
            codebook,
            transcripts,
            "--adjudications",
            "adjudications.toml",
            "--codings",
        ];
        args.extend(codings);
        test.run(&args).ok().replacen(codebook, "CODEBOOK", 1)
    };
    let before = tally("codebooks/motives.toml", "transcripts", CODINGS);
    let after = tally(
        "imported/codebook.toml",
        "imported/transcripts",
        ["imported/codings/anna.json", "imported/codings/rules.json"],
    );
    assert_eq!(before, after);
    assert!(before.contains("survival         4"), "{before}");

    // Imported codings made by hand quote the same text as the originals.
    let quotes = |file: &str| {
        let value: serde_json::Value = serde_json::from_slice(&test.read(file)).unwrap();
        let mut quotes: Vec<(String, String, String)> = value["codings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let exact = c["source"]["quote"]["exact"].as_str().expect("a quote");
                (c["segment"].to_string(), c["code"].to_string(), exact.to_owned())
            })
            .collect();
        quotes.sort();
        quotes
    };
    assert_eq!(quotes("imported/codings/anna.json"), quotes("codings/anna.json"));

    let agree = |codebook: &str, transcripts: &str, codings: [&str; 2]| {
        let mut args = vec!["agree", codebook, transcripts, "--disagreements", "--codings"];
        args.extend(codings);
        test.run(&args).ok().replacen(codebook, "CODEBOOK", 1)
    };
    let before = agree("codebooks/motives.toml", "transcripts", CODINGS);
    let after = agree(
        "imported/codebook.toml",
        "imported/transcripts",
        ["imported/codings/anna.json", "imported/codings/rules.json"],
    );
    assert_eq!(before, after);

    // Exporting the imported project again gives the same project document.
    let mut args = vec!["export", "imported/codebook.toml", "imported/transcripts", "--codings"];
    args.extend([
        "imported/codings/anna.json",
        "imported/codings/rules.json",
        "--to",
        "qdpx",
        "-o",
        "again.qdpx",
    ]);
    test.run(&args).ok();
    assert_eq!(
        unzip(&test.read("study.qdpx"), "project.qde"),
        unzip(&test.read("again.qdpx"), "project.qde")
    );
}

#[test]
fn exports_are_byte_identical_and_valid_against_the_official_schemas() {
    let test = QdaTest::study();
    export_study(&test, "one.qdpx");
    export_study(&test, "two.qdpx");
    let one = test.read("one.qdpx");
    assert_eq!(one, test.read("two.qdpx"));
    let qde = unzip(&one, "project.qde");
    let text = String::from_utf8(qde.clone()).unwrap();
    assert!(text.contains(r#"<Project xmlns="urn:QDA-XML:project:1.0""#), "{}", &text[..300]);
    let order: Vec<usize> = ["<Users>", "<CodeBook>", "<Variables>", "<Cases>", "<Sources>"]
        .iter()
        .map(|tag| text.find(tag).unwrap_or_else(|| panic!("no {tag}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "children out of schema order: {order:?}");
    // Sources are UTF-8, LF, no BOM, and what the transcript's body is.
    test.write("project.qde", &qde);
    let validated = validates(&test.path("project.qde"), "Project.xsd");
    for name in ["motives", "settlement", "strategies"] {
        let out = format!("{name}.qdc");
        test.run(&["export", &format!("codebooks/{name}.toml"), "--to", "qdc", "-o", &out]).ok();
        if validated {
            validates(&test.path(&out), "Codebook.xsd");
        }
    }
}

#[test]
fn sources_are_the_transcript_bodies_in_utf8_with_lf_and_no_bom() {
    let test = QdaTest::study();
    export_study(&test, "study.qdpx");
    let bytes = test.read("study.qdpx");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    assert_eq!(names[0], "project.qde");
    assert_eq!(names.len(), 27, "{names:?}");
    let transcript = std::fs::read_to_string(test.path("transcripts/P01.txt")).unwrap();
    let body = &transcript[transcript.match_indices("+++\n").nth(1).unwrap().0 + 4..];
    let mut found = false;
    for name in &names[1..] {
        assert!(name.starts_with("sources/") && name.ends_with(".txt"), "{name}");
        let mut text = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        assert!(!text.starts_with('\u{feff}') && !text.contains('\r'), "{name}");
        found |= text == body;
    }
    assert!(found, "no source is the body of P01");
}

#[test]
fn a_codebook_round_trip_keeps_rules_examples_and_texts() {
    let test = QdaTest::study();
    test.run(&["export", "codebooks/motives.toml", "--to", "qdc", "-o", "motives.qdc"]).ok();
    let qdc = String::from_utf8(test.read("motives.qdc")).unwrap();
    assert!(qdc.contains("Include: Accounts of hunger"), "{qdc}");
    test.run(&["import", "motives.qdc", "-o", "motives.toml"]).ok();
    // The imported codebook runs the same examples and codes the same way.
    test.run(&["check", "motives.toml", "transcripts"]).ok();
    test.run(&["code", "codebooks/motives.toml", "transcripts", "-o", "a.json"]).ok();
    test.run(&["code", "motives.toml", "transcripts", "-o", "b.json"]).ok();
    let codings = |file: &str| {
        let value: serde_json::Value = serde_json::from_slice(&test.read(file)).unwrap();
        value["codings"].clone()
    };
    assert_eq!(codings("a.json"), codings("b.json"));
    test.run(&["export", "motives.toml", "--to", "qdc", "-o", "again.qdc"]).ok();
    assert_eq!(test.read("motives.qdc"), test.read("again.qdc"));
}

#[test]
fn import_refuses_a_non_empty_folder_unless_forced() {
    let test = QdaTest::study();
    export_study(&test, "study.qdpx");
    test.write("taken/notes.md", "mine");
    insta::assert_snapshot!(test.run(&["import", "study.qdpx", "-o", "taken"]).failure(), @r#"
        exit: 2
        error: taken: the folder is not empty; choose a new folder, or add --force to write into it
    "#);
    assert!(!test.path("taken/codebook.toml").exists());
    test.run(&["import", "study.qdpx", "-o", "taken", "--force"]).ok();
    assert!(test.path("taken/codebook.toml").exists());
    assert_eq!(test.read("taken/notes.md"), b"mine");
}

/// A project of two sources, `a` and `b`, whose text `sources/b.txt` (the
/// first entry) declares 1.5 GiB in its headers: over the limit, which is
/// checked before an entry is unpacked.
fn project_with_a_source_over_the_limit() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("sources/b.txt", options).unwrap();
    zip.write_all(b"b").unwrap();
    zip.start_file("sources/a.txt", options).unwrap();
    zip.write_all(b"a").unwrap();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(
        br#"<Project name="x"><Sources><TextSource guid="1" name="a" plainTextPath="internal://a.txt"/><TextSource guid="2" name="b" plainTextPath="internal://b.txt"/></Sources></Project>"#,
    )
    .unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    let declared = (3u32 << 29).to_le_bytes();
    bytes[22..26].copy_from_slice(&declared);
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&declared);
    bytes
}

#[test]
fn a_source_over_the_limit_is_refused_and_nothing_is_written() {
    let test = QdaTest::new();
    test.write("big.qdpx", project_with_a_source_over_the_limit());
    insta::assert_snapshot!(test.run(&["import", "big.qdpx", "-o", "out"]).failure(), @r#"
        exit: 2
        error: big.qdpx: source `b` is 1536 MiB; qda imports sources of up to 1 GiB; split the text into smaller sources in the tool that wrote the project, and export it again
    "#);
    assert!(!test.path("out").exists());
    test.write("taken/notes.md", "mine");
    test.run(&["import", "big.qdpx", "-o", "taken", "--force"]).failure();
    assert!(!test.path("taken/transcripts").exists(), "source `a` was not moved in");
    let left: Vec<_> =
        std::fs::read_dir(test.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!left.iter().any(|n| n.to_string_lossy().starts_with(".qda-import-")), "{left:?}");
}

#[test]
fn an_archive_reaching_outside_its_folder_is_refused() {
    let test = QdaTest::new();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(b"<Project name=\"x\"/>").unwrap();
    zip.start_file("sources/../../evil.txt", options).unwrap();
    zip.write_all(b"x").unwrap();
    test.write("evil.qdpx", zip.finish().unwrap().into_inner());
    insta::assert_snapshot!(test.run(&["import", "evil.qdpx", "-o", "out"]).failure(), @r#"
        exit: 2
        error: evil.qdpx: entry `sources/../../evil.txt` points outside the archive's folder (`..` or an absolute path); the archive is refused
    "#);
    assert!(!test.path("out").exists());
    assert!(!test.root().parent().unwrap().join("evil.txt").exists());
}

#[test]
fn bad_exchange_usage() {
    let test = QdaTest::study();
    insta::assert_snapshot!(test.run(&["export", "codebooks/motives.toml", "transcripts", "--to", "qdpx"]).failure(), @r#"
        exit: 2
        error: a .qdpx project is a zip archive; name the file to write with -o, such as -o project.qdpx
    "#);
    insta::assert_snapshot!(test.run(&["export", "codebooks/motives.toml", "transcripts", "--to", "qdc"]).failure(), @r#"
        exit: 2
        error: --to qdc writes the codebook only; leave out transcripts and --codings, or use --to qdpx
    "#);
    test.run(&["export", "codebooks/motives.toml", "--to", "qdc", "-o", "m.qdc"]).ok();
    insta::assert_snapshot!(test.run(&["import", "m.qdc", "-o", "codebooks/motives.toml"]).failure(), @r#"
    exit: 2
    error: codebooks/motives.toml: exists; choose another -o/--output path, or add --force to replace it
    "#);
    test.run(&["import", "m.qdc", "-o", "codebooks/motives.toml", "--force"]).ok();
    test.write("not.qdc", "<html><body>hello</body></html>");
    insta::assert_snapshot!(test.run(&["import", "not.qdc", "-o", "x.toml"]).failure(), @r#"
        exit: 2
        error: not.qdc: the root element is `html`, not `Project` (a REFI-QDA project) or `CodeBook` (a codebook); export the file from your QDA tool as REFI-QDA (.qdpx or .qdc)
    "#);
    test.write("broken.qdc", "<CodeBook><Codes><Code name=\"a\"></Codes></CodeBook>");
    insta::assert_snapshot!(test.run(&["import", "broken.qdc", "-o", "x.toml"]).failure(), @r#"
        exit: 2
        error: broken.qdc:1:41: ill-formed document: expected `</Code>`, but `</Codes>` was found
    "#);
}

/// A project in the shape another tool writes (no turns in the text, two
/// users, a BOM and CRLF) imports into files `qda tally` and `qda agree` read.
#[test]
fn a_project_from_another_tool_is_tallied_and_agreed_on() {
    let test = QdaTest::new();
    let text =
        "\u{feff}We had nothing to eat.\r\n\r\nI wanted to be free.\r\n\r\nMy son sent for me.\r\n";
    let qde = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews" origin="MAXQDA 24 (Release 24.7.0)">
<Users><User guid="A0000000-0000-0000-0000-000000000001" name="Mina"/><User guid="A0000000-0000-0000-0000-000000000002" name="Jun"/></Users>
<CodeBook><Codes><Code guid="C0000000-0000-0000-0000-000000000000" name="Motive" isCodable="true" color="#ef8256">
<Code guid="C0000000-0000-0000-0000-000000000001" name="Survival" isCodable="true"/>
<Code guid="C0000000-0000-0000-0000-000000000002" name="Freedom" isCodable="true"/></Code></Codes></CodeBook>
<Variables><Variable guid="B0000000-0000-0000-0000-000000000001" name="settled in" typeOfVariable="Text"/></Variables>
<Cases><Case guid="D0000000-0000-0000-0000-000000000001" name="Interview 7"><VariableValue><VariableRef targetGUID="B0000000-0000-0000-0000-000000000001"/><TextValue>Japan</TextValue></VariableValue><SourceRef targetGUID="E0000000-0000-0000-0000-000000000001"/></Case></Cases>
<Sources><TextSource guid="E0000000-0000-0000-0000-000000000001" name="Interview 7.docx" plainTextPath="internal://E0000000-0000-0000-0000-000000000001.txt">
<PlainTextSelection guid="F0000000-0000-0000-0000-000000000001" startPosition="0" endPosition="22" creatingUser="A0000000-0000-0000-0000-000000000001"><Coding guid="F1000000-0000-0000-0000-000000000001" creatingUser="A0000000-0000-0000-0000-000000000001"><CodeRef targetGUID="C0000000-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>
<PlainTextSelection guid="F0000000-0000-0000-0000-000000000002" startPosition="26" endPosition="46" creatingUser="A0000000-0000-0000-0000-000000000001"><Coding guid="F1000000-0000-0000-0000-000000000002" creatingUser="A0000000-0000-0000-0000-000000000001"><CodeRef targetGUID="C0000000-0000-0000-0000-000000000002"/></Coding></PlainTextSelection>
<PlainTextSelection guid="F0000000-0000-0000-0000-000000000003" startPosition="0" endPosition="22" creatingUser="A0000000-0000-0000-0000-000000000002"><Coding guid="F1000000-0000-0000-0000-000000000003" creatingUser="A0000000-0000-0000-0000-000000000002"><CodeRef targetGUID="C0000000-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"##;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    zip.start_file("sources/E0000000-0000-0000-0000-000000000001.txt", options).unwrap();
    zip.write_all(text.as_bytes()).unwrap();
    test.write("interviews.qdpx", zip.finish().unwrap().into_inner());
    let run = test.run(&["import", "interviews.qdpx", "-o", "imported"]);
    run.ok();
    insta::assert_snapshot!(run.stderr, @r"
    warning: interviews.qdpx: source `Interview 7.docx`: positions read as Unicode code points (as the standard says), CRLF counted as two
    wrote imported: codebook.toml, 1 transcript and 2 codings files
    ");
    let transcript = String::from_utf8(test.read("imported/transcripts/Interview-7.txt")).unwrap();
    insta::assert_snapshot!(transcript, @r#"
    +++
    case = "Interview-7"
    "settled in" = "Japan"
    speakers = ["text"]
    +++
    text:
    We had nothing to eat.

    I wanted to be free.

    My son sent for me.
    "#);
    let codings = "imported/codings";
    let tally = test.run(&[
        "tally",
        "imported/codebook.toml",
        "imported/transcripts",
        "--codings",
        &format!("{codings}/Mina.json"),
        &format!("{codings}/Jun.json"),
        "--coder",
        "Mina",
        "--by",
        "settled in",
    ]);
    insta::assert_snapshot!(tally.ok(), @r#"
    Interviews (imported/codebook.toml)

    n = 1 cases; unit: paragraph; by settled in: Japan 1

    codes

    code                parent  segments  cases      %  95% CI (Wilson)  (Clopper-Pearson)  Japan
    ------------------  ------  --------  -----  -----  ---------------  -----------------  -----
    motive                             0      0    0.0         0.0–79.3           0.0–97.5      0
    motive (rolled up)                 2      1  100.0       20.7–100.0          2.5–100.0      1
    survival            motive         1      1  100.0       20.7–100.0          2.5–100.0      1
    freedom             motive         1      1  100.0       20.7–100.0          2.5–100.0      1

    codes by settled in: cases with the code, % of the value's cases

    code                settled in  cases  of      %      Wilson  Clopper-Pearson
    ------------------  ----------  -----  --  -----  ----------  ---------------
    motive              Japan           0   1    0.0    0.0–79.3         0.0–97.5
    motive (rolled up)  Japan           1   1  100.0  20.7–100.0        2.5–100.0
    survival            Japan           1   1  100.0  20.7–100.0        2.5–100.0
    freedom             Japan           1   1  100.0  20.7–100.0        2.5–100.0

    motive: no test of independence: the table has 1 non-empty row(s) and 1 non-empty column(s); both need at least 2
    motive (rolled up): no test of independence: the table has 1 non-empty row(s) and 1 non-empty column(s); both need at least 2
    survival: no test of independence: the table has 1 non-empty row(s) and 1 non-empty column(s); both need at least 2
    freedom: no test of independence: the table has 1 non-empty row(s) and 1 non-empty column(s); both need at least 2
    "#);
    let agree = test.run(&[
        "agree",
        "imported/codebook.toml",
        "imported/transcripts",
        "--codings",
        &format!("{codings}/Mina.json"),
        &format!("{codings}/Jun.json"),
    ]);
    agree.ok();

    // Exported again, the text is the original one (LF, no BOM, no `text:` line).
    test.run(&[
        "export",
        "imported/codebook.toml",
        "imported/transcripts",
        "--codings",
        &format!("{codings}/Mina.json"),
        &format!("{codings}/Jun.json"),
        "--to",
        "qdpx",
        "-o",
        "again.qdpx",
    ])
    .ok();
    let again = test.read("again.qdpx");
    let mut zip = zip::ZipArchive::new(Cursor::new(again)).unwrap();
    let name = zip.file_names().find(|n| n.starts_with("sources/")).unwrap().to_owned();
    let mut body = String::new();
    zip.by_name(&name).unwrap().read_to_string(&mut body).unwrap();
    assert_eq!(body, "We had nothing to eat.\n\nI wanted to be free.\n\nMy son sent for me.\n");
    let mut qde = String::new();
    zip.by_name("project.qde").unwrap().read_to_string(&mut qde).unwrap();
    assert!(qde.contains(r#"startPosition="0" endPosition="22""#), "{qde}");
    assert!(qde.contains(r#"startPosition="24" endPosition="44""#), "{qde}");
}

#[test]
fn every_selection_is_one_coder_s_and_names_them() {
    let test = QdaTest::study();
    export_study(&test, "study.qdpx");
    let qde = String::from_utf8(unzip(&test.read("study.qdpx"), "project.qde")).unwrap();
    let users: std::collections::BTreeMap<String, String> = qde
        .match_indices("<User ")
        .map(|(i, _)| {
            let tag = &qde[i..i + qde[i..].find('>').unwrap()];
            (attribute(tag, "guid").unwrap(), attribute(tag, "name").unwrap())
        })
        .collect();
    let mut codings = 0;
    let mut selections = 0;
    for (i, _) in qde.match_indices("<PlainTextSelection ") {
        selections += 1;
        let end = i + qde[i..].find("</PlainTextSelection>").unwrap();
        let element = &qde[i..end];
        let tag = &element[..element.find('>').unwrap()];
        let user = attribute(tag, "creatingUser").unwrap_or_else(|| panic!("no user: {tag}"));
        assert!(users.contains_key(&user), "{tag}");
        for (j, _) in element.match_indices("<Coding ") {
            let coding = &element[j..j + element[j..].find('>').unwrap()];
            assert_eq!(attribute(coding, "creatingUser").as_ref(), Some(&user), "{element}");
            codings += 1;
        }
    }
    let given: usize = CODINGS
        .iter()
        .map(|file| {
            let value: serde_json::Value = serde_json::from_slice(&test.read(file)).unwrap();
            value["codings"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(codings, given);
    assert!(selections > 77, "{selections} selections");
}

/// The value of attribute `name` in an element's start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

#[test]
fn each_source_carries_its_case_s_variable_values() {
    let test = QdaTest::study();
    export_study(&test, "study.qdpx");
    let qde = String::from_utf8(unzip(&test.read("study.qdpx"), "project.qde")).unwrap();
    // The `VariableValue`s of each element `<TAG ... name="CASE" ...>`.
    let values = |tag: &str| -> std::collections::BTreeMap<String, String> {
        let open = format!("<{tag} ");
        let close = format!("</{tag}>");
        qde.match_indices(&open)
            .map(|(i, _)| {
                let element = &qde[i..i + qde[i..].find(&close).unwrap()];
                let start_tag = &element[..element.find('>').unwrap()];
                let values: String = element
                    .match_indices("<VariableValue>")
                    .map(|(j, _)| {
                        let end = j + element[j..].find("</VariableValue>").unwrap();
                        &element[j..end]
                    })
                    .collect();
                (attribute(start_tag, "name").unwrap(), values)
            })
            .collect()
    };
    let cases = values("Case");
    assert_eq!(cases.len(), 26);
    assert!(cases.values().all(|v| v.contains("<VariableValue>")), "{cases:?}");
    assert_eq!(values("TextSource"), cases);
    test.write("project.qde", qde.as_bytes());
    validates(&test.path("project.qde"), "Project.xsd");
}

#[test]
fn positions_are_counted_in_utf16_code_units_for_nvivo() {
    let test = QdaTest::new();
    // 😀 and 🎉 (emoji), 𠀋 (U+2000B) and 𪚥 (U+2A6A5): two UTF-16 units each.
    let text = "Hi \u{1F600}, we ate \u{2000B} rice.\n\n\u{2A6A5} and \u{1F389} freedom.\n";
    let chars: Vec<char> = text.chars().collect();
    let at = |word: &str| {
        let byte = text.find(word).unwrap();
        let start = text[..byte].chars().count();
        (start, start + word.chars().count())
    };
    let ((rs, re), (fs, fe)) = (at("rice"), at("freedom"));
    write_one_source_project(&test, "in.qdpx", text, &[(rs, re), (fs, fe)]);
    test.run(&["import", "in.qdpx", "-o", "imported"]).ok();

    // Every selection of an export, as (start, end, the text they select
    // under UTF-16 counting, the same under code points).
    let export = |extra: &[&str]| {
        let out = format!("out{}.qdpx", extra.join(""));
        let mut args = vec![
            "export",
            "imported/codebook.toml",
            "imported/transcripts",
            "--codings",
            "imported/codings/Mina.json",
            "--to",
            "qdpx",
            "-o",
            &out,
        ];
        args.extend(extra);
        test.run(&args).ok();
        let qde = String::from_utf8(unzip(&test.read(&out), "project.qde")).unwrap();
        test.write("project.qde", qde.as_bytes());
        validates(&test.path("project.qde"), "Project.xsd");
        let units: Vec<u16> = text.encode_utf16().collect();
        qde.match_indices("<PlainTextSelection ")
            .map(|(i, _)| {
                let tag = &qde[i..i + qde[i..].find('>').unwrap()];
                let number = |name: &str| attribute(tag, name).unwrap().parse::<usize>().unwrap();
                let (s, e) = (number("startPosition"), number("endPosition"));
                let utf16 = units.get(s..e).map(String::from_utf16_lossy);
                let code_points = chars.get(s..e).map(|c| c.iter().collect::<String>());
                (s, e, utf16, code_points)
            })
            .collect::<Vec<_>>()
    };
    let some = |s: &str| Some(s.to_owned());
    let utf16 = export(&["--positions", "utf16"]);
    assert_eq!(utf16.len(), 2, "{utf16:?}");
    for (word, (_, _, selected, _)) in ["rice", "freedom"].iter().zip(&utf16) {
        assert_eq!(selected, &some(word), "{utf16:?}");
    }
    assert_eq!((utf16[0].0, utf16[1].0), (rs + 2, fs + 4));
    let code_points = export(&[]);
    for (word, (_, _, _, selected)) in ["rice", "freedom"].iter().zip(&code_points) {
        assert_eq!(selected, &some(word), "{code_points:?}");
    }
    assert_eq!(code_points, export(&["--positions", "code-points"]));

    // qda reads its own UTF-16 export back to the same codings.
    test.run(&["import", "out--positionsutf16.qdpx", "-o", "again"]).ok();
    let spans = |file: &str| {
        let value: serde_json::Value = serde_json::from_slice(&test.read(file)).unwrap();
        let codings = value["codings"].as_array().unwrap().clone();
        codings.iter().map(|c| (c["start"].clone(), c["end"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(spans("again/codings/Mina.json"), spans("imported/codings/Mina.json"));

    let run =
        test.run(&["export", "imported/codebook.toml", "--to", "qdc", "--positions", "utf16"]);
    assert!(
        run.stderr.contains("--positions applies to the selections of a project"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_codebook_as_csv_has_the_columns_taguette_imports() {
    let test = QdaTest::study();
    test.run(&["export", "codebooks/motives.toml", "--to", "csv", "-o", "motives.csv"]).ok();
    let bytes = test.read("motives.csv");
    let run = test.run(&["export", "codebooks/motives.toml", "--to", "csv"]);
    assert_eq!(run.ok().as_bytes(), &bytes[..]);
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, ["tag", "description"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let codebook = std::fs::read_to_string(test.path("codebooks/motives.toml")).unwrap();
    assert_eq!(rows.len(), codebook.matches("[[code]]").count());
    let survival = rows.iter().find(|r| &r[0] == "Leaving to survive").expect("a row per code");
    assert!(survival[1].contains("\n\nInclude: "), "{:?}", &survival[1]);
    assert!(!survival[1].contains("--- qda ---"), "{:?}", &survival[1]);
    assert!(rows.iter().all(|r| !r[0].trim().is_empty()), "Taguette refuses an empty tag");

    let run = test.run(&["export", "codebooks/motives.toml", "transcripts", "--to", "csv"]);
    assert!(run.stderr.contains("--to csv writes the codebook only"), "{}", run.stderr);
}

#[test]
fn a_project_of_codes_without_transcripts_is_exported() {
    let test = QdaTest::study();
    let run = test.run(&["export", "codebooks/motives.toml", "--to", "qdpx", "-o", "codes.qdpx"]);
    run.ok();
    assert!(run.stderr.contains("of 4 codes, without transcripts"), "{}", run.stderr);
    let bytes = test.read("codes.qdpx");
    let qde = unzip(&bytes, "project.qde");
    let text = String::from_utf8(qde.clone()).unwrap();
    assert!(text.contains("<CodeBook>") && !text.contains("<Sources>"), "{text}");
    test.write("project.qde", &qde);
    validates(&test.path("project.qde"), "Project.xsd");
    test.run(&["import", "codes.qdpx", "-o", "imported"]).ok();
    let codebook = String::from_utf8(test.read("imported/codebook.toml")).unwrap();
    assert_eq!(codebook.matches("[[code]]").count(), 4, "{codebook}");

    let run = test.run(&[
        "export",
        "codebooks/motives.toml",
        "--codings",
        "codings/anna.json",
        "--to",
        "qdpx",
        "-o",
        "x.qdpx",
    ]);
    assert!(run.stderr.contains("--codings needs the transcripts"), "{}", run.stderr);
    assert!(!test.path("x.qdpx").exists());
}

/// Writes `file`: a project (as MAXQDA writes it) of one text source,
/// `text`, with the user Mina, the codes Food and Freedom, and a selection
/// per span (in code points) coded with Food, then Freedom, alternately.
fn write_one_source_project(test: &QdaTest, file: &str, text: &str, spans: &[(usize, usize)]) {
    let user = "A0000000-0000-0000-0000-000000000001";
    let selections: String = spans
        .iter()
        .enumerate()
        .map(|(i, (start, end))| {
            format!(
                r#"<PlainTextSelection guid="F0000000-0000-0000-0000-00000000000{i}" startPosition="{start}" endPosition="{end}" creatingUser="{user}"><Coding guid="F1000000-0000-0000-0000-00000000000{i}" creatingUser="{user}"><CodeRef targetGUID="C0000000-0000-0000-0000-00000000000{}"/></Coding></PlainTextSelection>"#,
                i % 2 + 1
            )
        })
        .collect();
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews" origin="MAXQDA 24">
<Users><User guid="{user}" name="Mina"/></Users>
<CodeBook><Codes><Code guid="C0000000-0000-0000-0000-000000000001" name="Food" isCodable="true"/><Code guid="C0000000-0000-0000-0000-000000000002" name="Freedom" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="E0000000-0000-0000-0000-000000000001" name="Interview 1" plainTextPath="internal://E0000000-0000-0000-0000-000000000001.txt">
{selections}
</TextSource></Sources></Project>"##
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    zip.start_file("sources/E0000000-0000-0000-0000-000000000001.txt", options).unwrap();
    zip.write_all(text.as_bytes()).unwrap();
    test.write(file, zip.finish().unwrap().into_inner());
}

#[test]
fn qda_reads_its_own_utf16_positions_back_where_both_models_would_fit() {
    let test = QdaTest::new();
    // "c" is 6..7 in code points and 7..8 in UTF-16 units; 7..8 read as
    // code points is a space between words, which fits too.
    let text = "\u{1F600} a b c d\n";
    write_one_source_project(&test, "in.qdpx", text, &[(6, 7)]);
    test.run(&["import", "in.qdpx", "-o", "imported"]).ok();
    let codings = "imported/codings/Mina.json";
    let common = ["imported/codebook.toml", "imported/transcripts", "--codings", codings];
    let mut args = vec!["export"];
    args.extend(common);
    args.extend(["--to", "qdpx", "--positions", "utf16", "-o", "out.qdpx"]);
    test.run(&args).ok();
    let qde = String::from_utf8(unzip(&test.read("out.qdpx"), "project.qde")).unwrap();
    assert!(qde.contains(r#"startPosition="7" endPosition="8""#), "{qde}");
    test.run(&["import", "out.qdpx", "-o", "again"]).ok();
    let spans = |file: &str| {
        let value: serde_json::Value = serde_json::from_slice(&test.read(file)).unwrap();
        let codings = value["codings"].as_array().unwrap().clone();
        codings.iter().map(|c| (c["start"].clone(), c["end"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(spans("again/codings/Mina.json"), spans(codings));
}

#[test]
fn an_archive_with_two_project_documents_is_refused() {
    let test = QdaTest::new();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for name in ["project.qde", "old/project.qde"] {
        zip.start_file(name, options).unwrap();
        zip.write_all(b"<Project name=\"x\"/>").unwrap();
    }
    test.write("two.qdpx", zip.finish().unwrap().into_inner());
    insta::assert_snapshot!(test.run(&["import", "two.qdpx", "-o", "out"]).failure(), @r"
    exit: 2
    error: two.qdpx: the archive holds 2 project documents (`project.qde`, `old/project.qde`), and a REFI-QDA project has one; export the project again from the tool that made it, or delete from the archive the `.qde` that is not the project
    ");
    assert!(!test.path("out").exists());
}

/// A selection across two paragraphs is imported as a coding of each (with
/// a warning naming it), and exported as the one selection again.
#[test]
fn a_selection_across_paragraphs_comes_back_whole() {
    let test = QdaTest::new();
    // "short.\n\nWe left" is 9..24: the end of one paragraph and the start of the next.
    let text = "Food was short.\n\nWe left at night.\n";
    write_one_source_project(&test, "in.qdpx", text, &[(9, 24)]);
    let run = test.run(&["import", "in.qdpx", "-o", "imported"]);
    insta::assert_snapshot!(run.stderr, @r"
    warning: in.qdpx: 1 selection crosses a paragraph boundary: each is split into one coding per paragraph, and the codings record the selection (its GUID and whole span), so that `qda export --to qdpx` writes it whole again: `F0000000-0000-0000-0000-000000000000`
    wrote imported: codebook.toml, 1 transcript and 1 codings file
    ");
    let codings = String::from_utf8(test.read("imported/codings/Mina.json")).unwrap();
    assert_eq!(codings.matches("\"imported\":{").count(), 2, "{codings}");
    test.run(&[
        "export",
        "imported/codebook.toml",
        "imported/transcripts",
        "--codings",
        "imported/codings/Mina.json",
        "--to",
        "qdpx",
        "-o",
        "out.qdpx",
    ])
    .ok();
    let qde = String::from_utf8(unzip(&test.read("out.qdpx"), "project.qde")).unwrap();
    assert_eq!(qde.matches("<PlainTextSelection ").count(), 1, "{qde}");
    assert!(
        qde.contains(
            r#"guid="F0000000-0000-0000-0000-000000000000" startPosition="9" endPosition="24""#
        ),
        "{qde}"
    );
    test.write("project.qde", qde.as_bytes());
    validates(&test.path("project.qde"), "Project.xsd");
}
