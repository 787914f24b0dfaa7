//! Small files in the shapes other tools write (see the quirks listed in
//! docs/exchange.md), imported: every quirk tolerated, and the text at each
//! imported selection is the text the tool selected.

use std::io::{Cursor, Write};

use qda_exchange::{Counting, ExchangeError, Imported, ImportedCodebook, ImportedProject, import};
use zip::write::SimpleFileOptions;

pub(crate) fn qdpx(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn project(name: &str, bytes: &[u8]) -> ImportedProject {
    match import(name, bytes).unwrap_or_else(|e| panic!("{e}")) {
        Imported::Project(p) => {
            crate::common::assert_readable_by_qda(name, &p);
            crate::common::assert_exports_validly(name, &p);
            p
        }
        Imported::Codebook { .. } => panic!("{name}: read as a codebook"),
    }
}

fn codebook(name: &str, bytes: &[u8]) -> (ImportedCodebook, Vec<String>) {
    match import(name, bytes).unwrap_or_else(|e| panic!("{e}")) {
        Imported::Codebook { codebook, warnings } => (codebook, warnings),
        Imported::Project(_) => panic!("{name}: read as a project"),
    }
}

fn selected(p: &ImportedProject, case: &str) -> Vec<String> {
    let t = p.transcripts.iter().find(|t| t.case == case).unwrap();
    t.selections
        .iter()
        .map(|s| t.text.chars().skip(s.start).take(s.end - s.start).collect())
        .collect()
}

#[test]
fn taguette_codebook_with_empty_sets_imports_flat() {
    let qdc = r#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes><Code guid="098AC082-A9C7-50F4-9728-48730081A95E" name="hope" isCodable="true"/><Code guid="A2209CFF-8E89-5B0A-A7B0-CDDC4BE92936" name="fear / worry" isCodable="true"/></Codes><Sets/></CodeBook>"#;
    let (book, warnings) = codebook("tags.qdc", qdc.as_bytes());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(book.toml.contains("id = \"hope\""), "{}", book.toml);
    assert!(book.toml.contains("id = \"fear-worry\"\nlabel = \"fear / worry\""), "{}", book.toml);
    assert_eq!(
        book.ids.get("a2209cff-8e89-5b0a-a7b0-cddc4be92936").map(String::as_str),
        Some("fear-worry")
    );
}

#[test]
fn maxqda_and_atlas_codebooks_with_old_namespace_colours_and_attribute_descriptions() {
    let qdc = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="MAXQDA 24">
 <Codes>
  <Code guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Themes" isCodable="true" color="#EF8256">
   <Description>Never apply this parent category as a code</Description>
   <Code guid="aaaaaaaa-0000-0000-0000-000000000002" name="Trust" isCodable="true" color="#abc"/>
   <Code guid="AAAAAAAA-0000-0000-0000-000000000003" name="Doubt" isCodable="true" color="rgb(255, 0, 127)" description="Said as an attribute"/>
   <Code guid="AAAAAAAA-0000-0000-0000-000000000004" name="Odd" isCodable="true" color="#ff000080"/>
   <Code guid="AAAAAAAA-0000-0000-0000-000000000005" name="Bad colour" isCodable="true" color="teal"/>
  </Code>
  <Code guid="AAAAAAAA-0000-0000-0000-000000000006" name="Folder" isCodable="false"/>
 </Codes>
 <Sets><Set guid="AAAAAAAA-0000-0000-0000-0000000000FF" name="Group"><MemberCode guid="AAAAAAAA-0000-0000-0000-000000000002"/></Set></Sets>
</CodeBook>"##;
    let (book, warnings) = codebook("maxqda.qdc", qdc.as_bytes());
    let t = &book.toml;
    assert!(
        t.contains("id = \"trust\"\nlabel = \"Trust\"\nparent = \"themes\"\ncolor = \"#aabbcc\""),
        "{t}"
    );
    assert!(
        t.contains(
            "color = \"#ef8256\"\ndefinition = \"Never apply this parent category as a code\""
        ),
        "{t}"
    );
    assert!(t.contains("color = \"#ff007f\"\ndefinition = \"Said as an attribute\""), "{t}");
    assert!(t.contains("color = \"#ff0000\""), "{t}");
    assert!(t.contains("id = \"folder\"\nlabel = \"Folder\"\ncodable = false"), "{t}");
    assert!(t.contains("# set \"Group\": trust"), "{t}");
    assert!(warnings.iter().any(|w| w.contains("colour `teal`")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("no sets")), "{warnings:?}");
    // The sets come back on export.
    let parsed = qda_coding::Codebook::parse(std::path::Path::new("c.toml"), t).unwrap();
    let sets = qda_exchange::sets_in_comments(t);
    assert_eq!(sets, [("Group".to_owned(), vec!["trust".to_owned()])]);
    let again = qda_exchange::export_codebook(&parsed, &sets);
    assert!(again.contains("<Set guid="), "{again}");
    assert!(again.contains("<MemberCode guid="), "{again}");
    // Braced and upper-case GUIDs are the same GUID.
    assert_eq!(
        book.ids.get("aaaaaaaa-0000-0000-0000-000000000001").map(String::as_str),
        Some("themes")
    );
}

/// `NVivo` for Windows: `Sources/`, a BOM, CRLF, an emoji, UTF-16 positions
/// with CRLF counted as two, one selection per code over the same span,
/// lower-case GUIDs, and a `CodeRef` to a case.
#[test]
fn nvivo_windows_positions_are_utf16_with_crlf_as_two() {
    let text = "\u{feff}First comment 😀 here\r\nSecond 🎉 comment\r\nThird one\r\n";
    // UTF-16 over the text after the BOM, CRLF as 2:
    // "First comment 😀 here" = 0..21, CRLF, "Second 🎉 comment" = 23..40, CRLF, "Third one" = 42..51
    let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" name="oltas" origin="NVivo for Windows 12.6" xmlns="urn:QDA-XML:project:1.0">
  <Users><User guid="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" name="Kati" /></Users>
  <CodeBook><Codes>
    <Code guid="11111111-1111-1111-1111-111111111111" name="Szülők" isCodable="true">
      <Description />
      <Code guid="22222222-2222-2222-2222-222222222222" name="Aggódás" isCodable="true" />
    </Code>
  </Codes></CodeBook>
  <Cases><Case guid="33333333-3333-3333-3333-333333333333" name="videos"><SourceRef targetGUID="44444444-4444-4444-4444-444444444444" /></Case></Cases>
  <Sources>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="videos_selection" richTextPath="internal://44444444-4444-4444-4444-444444444444.docx" plainTextPath="internal://44444444-4444-4444-4444-444444444444.txt">
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555551" name="" startPosition="23" endPosition="40" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">
        <Description />
        <Coding guid="66666666-6666-6666-6666-666666666661" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111" /></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555552" name="" startPosition="23" endPosition="40" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">
        <Coding guid="66666666-6666-6666-6666-666666666662" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222" /></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555553" name="" startPosition="42" endPosition="51" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">
        <Coding guid="66666666-6666-6666-6666-666666666663" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645"><CodeRef targetGUID="33333333-3333-3333-3333-333333333333" /></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#
        .replace('\n', "\r\n");
    let bytes = qdpx(&[
        ("project.qde", qde.as_bytes()),
        ("Sources/44444444-4444-4444-4444-444444444444.txt", text.as_bytes()),
        ("Sources/44444444-4444-4444-4444-444444444444.docx", b"PK"),
    ]);
    let p = project("nvivo.qdpx", &bytes);
    let t = &p.transcripts[0];
    assert_eq!(t.case, "videos");
    assert_eq!(t.counting, Counting::Utf16);
    assert_eq!(selected(&p, "videos"), ["Second 🎉 comment", "Second 🎉 comment", "Third one"]);
    assert!(!t.text.contains('\r') && !t.text.contains('\u{feff}'));
    assert_eq!(p.codings.len(), 1);
    let kati = &p.codings[0];
    assert_eq!(kati.coder.as_deref(), Some("Kati"));
    let codes: Vec<&str> = kati.codings.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["aggódás", "szülők"]);
    assert!(p.warnings.iter().any(|w| w.contains("not a code")), "{:?}", p.warnings);
    assert!(p.warnings.iter().any(|w| w.contains("UTF-16")), "{:?}", p.warnings);
}

/// ATLAS.ti: `Project.qde` and `Sources/`, upper-case GUIDs, `::` in code
/// names, a code without colour, several codings in one selection, the
/// selected text in `name` (truncated with `…`), CRLF counted as one, code
/// groups as project sets, a picture source, and a missing text file.
#[test]
fn atlas_names_nest_and_crlf_counts_as_one() {
    let text = "Line one about Coke.\r\nDiet Coke is light and sweet, people say.\r\nEnd.";
    let qde = r##"<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project name="TestProject" origin="ATLAS.ti 8.4.0 573 , macOS" basePath="/Users/x/My Exports/" xmlns="urn:QDA-XML:project:1.0">
 <Users><User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Susanne"/><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/></Users>
 <CodeBook><Codes>
  <Code guid="0A000000-0000-0000-0000-000000000001" name="Coke::Diet Coke" isCodable="true" color="#FF0000"/>
  <Code guid="0A000000-0000-0000-0000-000000000002" name="Coke::full-fat Coke" isCodable="true"/>
  <Code guid="0A000000-0000-0000-0000-000000000003" name="taste" isCodable="true" color="#00FF00"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource plainTextPath="internal://0B000000-0000-0000-0000-000000000001.txt" guid="0C000000-0000-0000-0000-000000000001" name="Mabêl 2ième.txt">
   <PlainTextSelection startPosition="21" endPosition="62" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" guid="0D000000-0000-0000-0000-000000000001" name="Diet Coke is light and…">
    <Coding guid="0E000000-0000-0000-0000-000000000001" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB"><CodeRef targetGUID="0A000000-0000-0000-0000-000000000001"/></Coding>
    <Coding guid="0E000000-0000-0000-0000-000000000002" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB"><CodeRef targetGUID="0A000000-0000-0000-0000-000000000003"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection startPosition="0" endPosition="20" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" guid="0D000000-0000-0000-0000-000000000002" name="Line one about Coke.">
    <Coding guid="0E000000-0000-0000-0000-000000000003" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB"><CodeRef targetGUID="0A000000-0000-0000-0000-000000000002"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource plainTextPath="internal://0B000000-0000-0000-0000-000000000002.txt" guid="0C000000-0000-0000-0000-000000000002" name="Simon.docx"/>
  <PictureSource guid="0F000000-0000-0000-0000-000000000001" path="internal://x.png"/>
 </Sources>
 <Sets><Set guid="0A000000-0000-0000-0000-0000000000FF" name="Drinks"><MemberCode targetGUID="0A000000-0000-0000-0000-000000000001"/></Set></Sets>
</Project>"##;
    let bytes = qdpx(&[
        ("Project.qde", qde.replace('\n', "\r\n").as_bytes()),
        ("Sources/0B000000-0000-0000-0000-000000000001.TXT", text.as_bytes()),
    ]);
    let p = project("atlas.qdpx", &bytes);
    assert_eq!(p.transcripts.len(), 1);
    let t = &p.transcripts[0];
    assert_eq!(t.case, "Mabêl-2ième");
    assert_eq!(t.counting, Counting::CodePointsCrlfAsOne);
    assert_eq!(
        selected(&p, "Mabêl-2ième"),
        ["Diet Coke is light and sweet, people say.", "Line one about Coke."]
    );
    let book = &p.codebook.as_ref().unwrap().toml;
    assert!(book.contains("id = \"coke\"\nlabel = \"Coke\"\ncodable = false"), "{book}");
    assert!(
        book.contains("id = \"diet-coke\"\nlabel = \"Diet Coke\"\nparent = \"coke\""),
        "{book}"
    );
    assert!(book.contains("# set \"Drinks\": diet-coke"), "{book}");
    let w = p.warnings.join("\n");
    assert!(w.contains("`::`"), "{w}");
    assert!(w.contains("1 picture sources not imported"), "{w}");
    assert!(w.contains("source `Simon.docx`: its text `internal://0B000000-0000-0000-0000-000000000002.txt` is not in the archive"), "{w}");
    let susanne = &p.codings[0];
    assert_eq!(susanne.coder.as_deref(), Some("Susanne"));
    assert_eq!(susanne.codings.len(), 3);
}

/// `qc`: no XML declaration, `plainTextPath` without `internal://`, no
/// source names, several codings in one selection, positions as code
/// points; the source has a BOM and Korean text.
#[test]
fn qc_bare_paths_and_several_codings_per_selection() {
    let text = "\u{feff}line zero\n자유를 찾고 싶었어요.\nline two\n";
    let qde = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="demo" origin="qc 1.3.2">
<Users><User guid="63687269-7300-0000-0000-000000000000" name="chris"/></Users>
<CodeBook><Codes><Code guid="61000000-0000-0000-0000-000000000000" name="freedom" isCodable="true"/><Code guid="62000000-0000-0000-0000-000000000000" name="hope" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="73000000-0000-0000-0000-000000000000" plainTextPath="board_2017.txt">
<PlainTextSelection guid="74000000-0000-0000-0000-000000000000" name="line:1" startPosition="10" endPosition="23" creatingUser="63687269-7300-0000-0000-000000000000">
<Coding guid="75000000-0000-0000-0000-000000000000" creatingUser="63687269-7300-0000-0000-000000000000"><CodeRef targetGUID="61000000-0000-0000-0000-000000000000"/></Coding>
<Coding guid="76000000-0000-0000-0000-000000000000" creatingUser="63687269-7300-0000-0000-000000000000"><CodeRef targetGUID="62000000-0000-0000-0000-000000000000"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"#;
    let bytes =
        qdpx(&[("project.qde", qde.as_bytes()), ("sources/board_2017.txt", text.as_bytes())]);
    let p = project("qc.qdpx", &bytes);
    assert_eq!(p.transcripts[0].case, "board_2017");
    assert_eq!(selected(&p, "board_2017"), ["자유를 찾고 싶었어요.\n"]);
    let codes: Vec<&str> = p.codings[0].codings.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["freedom", "hope"]);
}

#[test]
fn unsafe_archives_and_entities_are_refused() {
    let evil = qdpx(&[("project.qde", b"<Project name=\"x\"/>"), ("../evil.txt", b"x")]);
    let err = import("evil.qdpx", &evil).unwrap_err();
    assert!(matches!(err, ExchangeError::Archive { .. }), "{err}");
    let absolute = qdpx(&[("project.qde", b"<Project name=\"x\"/>"), ("/etc/evil.txt", b"x")]);
    let err = import("abs.qdpx", &absolute).unwrap_err();
    assert!(matches!(err, ExchangeError::Archive { .. }), "{err}");
    let bomb =
        br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><Project name="&lol;"/>"#;
    let err = import("bomb.qde", bomb).unwrap_err();
    assert!(
        matches!(&err, ExchangeError::Xml { file, location: Some(_), .. } if file == "bomb.qde"),
        "{err}"
    );
    let empty = qdpx(&[("readme.txt", b"x")]);
    let err = import("empty.qdpx", &empty).unwrap_err();
    assert!(matches!(err, ExchangeError::Format { .. }), "{err}");
}

#[test]
fn a_blank_project_imports_with_a_warning() {
    let p = project("blank.qde", br#"<?xml version="1.0" encoding="utf-8"?><Project name="blank" origin="ATLAS.ti for Windows 23.2.3.27778" xmlns="urn:QDA-XML:project:1.0"><Users><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/></Users></Project>"#);
    assert!(p.codebook.is_none());
    assert!(p.transcripts.is_empty());
    assert!(p.warnings.iter().any(|w| w.contains("no codes")), "{:?}", p.warnings);
}

/// Damaged files give errors or warnings, never a panic.
#[test]
fn damaged_files_never_panic() {
    let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project name="p" origin="NVivo for Windows 12.6" xmlns="urn:QDA-XML:project:1.0">
<Users><User guid="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" name="Kati"/></Users>
<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="A" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="44444444-4444-4444-4444-444444444444" plainTextPath="internal://44444444-4444-4444-4444-444444444444.txt">
<PlainTextSelection guid="55555555-5555-5555-5555-555555555551" startPosition="3" endPosition="9" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">
<Coding guid="66666666-6666-6666-6666-666666666661"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"#;
    let text = "\u{feff}one 😀 two\r\nthree";
    let good = qdpx(&[
        ("project.qde", qde.as_bytes()),
        ("sources/44444444-4444-4444-4444-444444444444.txt", text.as_bytes()),
    ]);
    assert!(import("p.qdpx", &good).is_ok());
    for cut in (0..good.len()).step_by(7) {
        let _ = import("p.qdpx", &good[..cut]);
    }
    for cut in 0..qde.len() {
        let _ = import("p.qde", &qde.as_bytes()[..cut]);
    }
    // Positions beyond the text, reversed, or inside a character.
    for (start, end) in [("3", "900"), ("9", "3"), ("5", "6"), ("-1", "2"), ("x", "y")] {
        let changed = qde.replace(
            r#"startPosition="3" endPosition="9""#,
            &format!(r#"startPosition="{start}" endPosition="{end}""#),
        );
        let bytes = qdpx(&[
            ("project.qde", changed.as_bytes()),
            ("sources/44444444-4444-4444-4444-444444444444.txt", text.as_bytes()),
        ]);
        let _ = import("p.qdpx", &bytes);
    }
}
