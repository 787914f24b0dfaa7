//! Selections keep their spans: a selection of a text without speaker
//! turns comes back from import and export with the same start and end,
//! whether it is a phrase, crosses paragraphs, or reaches into the line
//! end after a paragraph.

use qda_coding::{Coding, Source};
use qda_exchange::{Imported, ImportedProject, Positions, import};

use crate::refi;
use crate::tools::qdpx;

/// Paragraphs: 0..19, 21..59 and 61..77, a blank line between them.
const TEXT: &str =
    "The river was cold.\n\nWe crossed at night, and nobody spoke.\n\nThen the lights.\n";

const USER: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const SOURCE: &str = "bbbbbbbb-0000-0000-0000-000000000001";
const CROSSING: &str = "cccccccc-0000-0000-0000-000000000001";
const PHRASE: &str = "cccccccc-0000-0000-0000-000000000002";
const LINE: &str = "cccccccc-0000-0000-0000-000000000003";
const SENTENCE: &str = "cccccccc-0000-0000-0000-000000000004";
const THREE: &str = "cccccccc-0000-0000-0000-000000000005";

/// (selection GUID, start, end, code): the selections of the test project.
const SELECTIONS: &[(&str, u64, u64, &str)] = &[
    // "nobody spoke.\n\nThen": across the second and third paragraphs.
    (CROSSING, 46, 65, "fear"),
    // "crossed at night": a phrase.
    (PHRASE, 24, 40, "journey"),
    // "The river was cold.\n": the paragraph and its line end.
    (LINE, 0, 20, "cold"),
    // "The river was cold.": the paragraph alone, the same code.
    (SENTENCE, 0, 19, "cold"),
    // "cold.\n\nWe ... spoke.\n\nThen": over three paragraphs.
    (THREE, 14, 65, "journey"),
];

fn code_guid(code: &str) -> &'static str {
    match code {
        "fear" => "dddddddd-0000-0000-0000-000000000001",
        "journey" => "dddddddd-0000-0000-0000-000000000002",
        _ => "dddddddd-0000-0000-0000-000000000003",
    }
}

/// A project as `NVivo` writes one: a text without turns, one selection per code.
fn project_file() -> Vec<u8> {
    let mut selections = String::new();
    for (n, (guid, start, end, code)) in SELECTIONS.iter().enumerate() {
        selections.push_str(&format!(
            r#"<PlainTextSelection guid="{guid}" name="" startPosition="{start}" endPosition="{end}" creatingUser="{USER}"><Coding guid="eeeeeeee-0000-0000-0000-00000000000{n}" creatingUser="{USER}"><CodeRef targetGUID="{}"/></Coding></PlainTextSelection>"#,
            code_guid(code)
        ));
    }
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="crossing" origin="NVivo for Mac 12.7.0">
<Users><User guid="{USER}" name="Kati"/></Users>
<CodeBook><Codes><Code guid="{}" name="fear" isCodable="true"/><Code guid="{}" name="journey" isCodable="true"/><Code guid="{}" name="cold" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{SOURCE}" name="night" plainTextPath="internal://{SOURCE}.txt">{selections}</TextSource></Sources>
</Project>"#,
        code_guid("fear"),
        code_guid("journey"),
        code_guid("cold"),
    );
    qdpx(&[("project.qde", qde.as_bytes()), (&format!("sources/{SOURCE}.txt"), TEXT.as_bytes())])
}

fn imported(name: &str, bytes: &[u8]) -> ImportedProject {
    match import(name, bytes).unwrap_or_else(|e| panic!("{e}")) {
        Imported::Project(p) => {
            crate::common::assert_readable_by_qda(name, &p);
            crate::common::assert_exports_validly(name, &p);
            p
        }
        Imported::Codebook { .. } => panic!("{name}: read as a codebook"),
    }
}

/// The selections of an exported project: (GUID, start, end, code), sorted.
fn exported_selections(archive: &[u8]) -> Vec<(String, u64, u64, String)> {
    let project = refi::read(&refi::project_document(archive));
    let mut out: Vec<(String, u64, u64, String)> = project
        .codings
        .into_iter()
        .map(|c| (c.selection.to_lowercase(), c.start, c.end, c.code))
        .collect();
    out.sort();
    out
}

fn original_selections() -> Vec<(String, u64, u64, String)> {
    let mut out: Vec<(String, u64, u64, String)> =
        SELECTIONS.iter().map(|(g, s, e, c)| ((*g).to_owned(), *s, *e, (*c).to_owned())).collect();
    out.sort();
    out
}

fn export(p: &ImportedProject) -> Vec<u8> {
    crate::common::export("crossing.qdpx", p, Positions::CodePoints).unwrap()
}

/// (segment, start, end, code, GUID of the selection it records) of each coding.
fn pieces(p: &ImportedProject) -> Vec<(String, usize, usize, String, Option<String>)> {
    let shift = p.transcripts[0].body_start;
    p.codings[0]
        .codings
        .iter()
        .map(|c: &Coding| {
            let guid = match &c.source {
                Source::Manual { imported, .. } => imported.as_ref().map(|i| i.guid.clone()),
                Source::Rule { .. } => None,
            };
            let segment = c.segment.rsplit(':').next().unwrap().to_owned();
            (segment, c.start - shift, c.end - shift, c.code.clone(), guid)
        })
        .collect()
}

#[test]
fn selections_keep_their_spans_through_import_and_export() {
    let p = imported("crossing.qdpx", &project_file());
    let upper = |g: &str| Some(g.to_uppercase());
    // A phrase stays a phrase; a crossing selection is one coding per
    // paragraph, each naming the selection.
    assert_eq!(
        pieces(&p),
        [
            ("t1.p1".to_owned(), 0, 19, "cold".to_owned(), None),
            ("t1.p1".to_owned(), 0, 19, "cold".to_owned(), upper(LINE)),
            ("t1.p1".to_owned(), 14, 19, "journey".to_owned(), upper(THREE)),
            ("t1.p2".to_owned(), 21, 59, "journey".to_owned(), upper(THREE)),
            ("t1.p2".to_owned(), 24, 40, "journey".to_owned(), None),
            ("t1.p2".to_owned(), 46, 59, "fear".to_owned(), upper(CROSSING)),
            ("t1.p3".to_owned(), 61, 65, "fear".to_owned(), upper(CROSSING)),
            ("t1.p3".to_owned(), 61, 65, "journey".to_owned(), upper(THREE)),
        ]
    );
    let split = p.warnings.iter().find(|w| w.contains("split")).expect("a warning of the split");
    assert!(
        split.starts_with("crossing.qdpx: 2 selections cross a paragraph boundary")
            && split.contains(&CROSSING.to_uppercase())
            && split.contains(&THREE.to_uppercase()),
        "{split}"
    );
    let past = p.warnings.iter().find(|w| w.contains("past its")).expect("a warning");
    assert!(
        past.starts_with("crossing.qdpx: 1 selection reaches past its paragraph")
            && past.contains(&LINE.to_uppercase()),
        "{past}"
    );
    // Exported, every selection is back whole; a joined one under its own GUID.
    let back = exported_selections(&export(&p));
    let spans = |list: &[(String, u64, u64, String)]| {
        let mut spans: Vec<(u64, u64, String)> =
            list.iter().map(|(_, s, e, c)| (*s, *e, c.clone())).collect();
        spans.sort();
        spans
    };
    assert_eq!(spans(&back), spans(&original_selections()));
    for guid in [CROSSING, LINE, THREE] {
        assert!(back.iter().any(|b| b.0 == guid), "{guid} not in {back:?}");
    }
}

/// Imported, exported and imported again, a project gives the same codings.
#[test]
fn a_second_round_gives_the_same_codings() {
    let first = imported("crossing.qdpx", &project_file());
    let second = imported("again.qdpx", &export(&first));
    assert_eq!(second.transcripts[0].text, first.transcripts[0].text);
    let codings = |p: &ImportedProject| {
        p.codings.iter().map(|f| (f.coder.clone(), f.codings.clone())).collect::<Vec<_>>()
    };
    assert_eq!(codings(&second), codings(&first));
}

/// When the pieces of a selection no longer make it up (a coder removed
/// one in qda), they are exported as they are, not as the selection.
#[test]
fn pieces_that_no_longer_make_the_selection_are_exported_as_they_are() {
    let mut p = imported("crossing.qdpx", &project_file());
    let middle =
        |c: &Coding| c.code == "journey" && c.segment.ends_with("t1.p2") && c.end - c.start > 30;
    let before = p.codings[0].codings.len();
    p.codings[0].codings.retain(|c| !middle(c));
    assert_eq!(p.codings[0].codings.len(), before - 1);
    let back = exported_selections(&export(&p));
    let mut journey: Vec<(u64, u64)> =
        back.iter().filter(|b| b.3 == "journey").map(|b| (b.1, b.2)).collect();
    journey.sort_unstable();
    assert_eq!(journey, [(14, 19), (24, 40), (61, 65)]);
}

/// An archive with two project documents is refused, naming both.
#[test]
fn an_archive_with_two_project_documents_is_refused() {
    let qde = b"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"x\"/>";
    let bytes = qdpx(&[("project.qde", qde), ("backup/old.qde", qde)]);
    let error = import("two.qdpx", &bytes).unwrap_err().to_string();
    assert_eq!(
        error,
        "two.qdpx: the archive holds 2 project documents (`project.qde`, `backup/old.qde`), and a REFI-QDA project has one; export the project again from the tool that made it, or delete from the archive the `.qde` that is not the project"
    );
}

/// `NVivo` counts UTF-16 code units: a selection across paragraphs after an
/// emoji, exported with `--positions utf16`, has its positions back.
#[test]
fn a_selection_across_paragraphs_keeps_its_utf16_positions() {
    let text = "\u{1F600} One.\n\nTwo \u{1F389} three.\n";
    // "One.\n\nTwo 🎉" is 3..15 in UTF-16 units (2..13 in code points).
    let qde = format!(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="emoji" origin="NVivo for Mac 12.7.0">
<Users><User guid="{USER}" name="Kati"/></Users>
<CodeBook><Codes><Code guid="{}" name="fear" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{SOURCE}" name="emoji" plainTextPath="internal://{SOURCE}.txt">
<PlainTextSelection guid="{CROSSING}" startPosition="3" endPosition="15" creatingUser="{USER}"><Coding guid="eeeeeeee-0000-0000-0000-000000000001" creatingUser="{USER}"><CodeRef targetGUID="{}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"#,
        code_guid("fear"),
        code_guid("fear"),
    );
    let bytes = qdpx(&[
        ("project.qde", qde.as_bytes()),
        (&format!("sources/{SOURCE}.txt"), text.as_bytes()),
    ]);
    let p = imported("emoji.qdpx", &bytes);
    assert_eq!(p.codings[0].codings.len(), 2);
    let archive = crate::common::export("emoji.qdpx", &p, Positions::Utf16).unwrap();
    assert_eq!(exported_selections(&archive), [(CROSSING.to_owned(), 3, 15, "fear".to_owned())]);
}
