//! Hostile files, built here and kept to a few MB: each is refused with a
//! clear error, or imported in time linear in its size, never a crash.

use std::fmt::Write as _;

use qda_exchange::{ExchangeError, Imported, MAX_SOURCE_BYTES, import, import_each};

fn nested_codes(depth: usize) -> String {
    let mut qdc = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>"#,
    );
    for i in 0..depth {
        write!(
            qdc,
            r#"<Code guid="{i:08}-0000-0000-0000-000000000000" name="c{i}" isCodable="true">"#
        )
        .unwrap();
    }
    qdc.push_str(&"</Code>".repeat(depth));
    qdc.push_str("</Codes></CodeBook>");
    qdc
}

#[test]
fn codes_nested_too_deep_are_refused_with_a_position() {
    let err = import("deep.qdc", nested_codes(100_000).as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, ExchangeError::Xml { file, location: Some(_), .. } if file == "deep.qdc"),
        "{text}"
    );
    assert!(text.starts_with("deep.qdc:1:"), "{text}");
    assert!(text.contains("nested more than 1000 deep"), "{text}");
}

#[test]
fn codes_nested_as_deep_as_allowed_import() {
    let Imported::Codebook { codebook, .. } =
        import("deep.qdc", nested_codes(1_000).as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("read as a project")
    };
    assert_eq!(codebook.ids.len(), 1_000);
}

#[test]
fn unknown_elements_nested_too_deep_are_refused() {
    let depth = 200_000;
    let mut qde = String::from(r#"<Project name="x">"#);
    qde.push_str(&"<x>".repeat(depth));
    qde.push_str(&"</x>".repeat(depth));
    qde.push_str("</Project>");
    let err = import("deep.qde", qde.as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, ExchangeError::Xml { location: Some(_), .. }), "{text}");
    assert!(text.contains("nested more than 2000 deep"), "{text}");
}

fn path_named_codes(names: impl IntoIterator<Item = String>) -> String {
    let mut qdc = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>"#,
    );
    for (i, name) in names.into_iter().enumerate() {
        write!(
            qdc,
            r#"<Code guid="{i:08}-0000-0000-0000-000000000000" name="{name}" isCodable="true"/>"#
        )
        .unwrap();
    }
    qdc.push_str("</Codes></CodeBook>");
    qdc
}

/// `A::B` names nest as elements do, and no deeper: a name of a million
/// parts ran out of stack.
#[test]
fn names_nested_too_deep_by_double_colons_are_refused() {
    let deep = vec!["a"; 1_000_001].join("::");
    let err = import("paths.qdc", path_named_codes([deep]).as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, ExchangeError::Format { file, .. } if file == "paths.qdc"), "{text}");
    assert!(text.contains("nested 1000001 deep by the `::` in its name"), "{text}");
    assert!(text.contains("at most 1000 levels"), "{text}");

    let allowed = vec!["a"; 1_000].join("::");
    let Imported::Codebook { codebook, .. } =
        import("paths.qdc", path_named_codes([allowed]).as_bytes())
            .unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("read as a project")
    };
    assert_eq!(codebook.ids.len(), 1, "one code of the file");
    assert_eq!(codebook.toml.matches("[[code]]").count(), 1_000, "and its 999 parents");
}

/// Codes under one parent are placed by lookup, not by searching their
/// siblings: 20,000 of them import at once, in the file's order.
#[test]
fn many_path_named_codes_under_one_parent_import() {
    let n = 20_000;
    let Imported::Codebook { codebook, .. } = import(
        "paths.qdc",
        path_named_codes((0..n).map(|i| format!("theme::code {i}"))).as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}")) else {
        panic!("read as a project")
    };
    assert_eq!(codebook.ids.len(), n);
    assert_eq!(codebook.toml.matches("[[code]]").count(), n + 1, "the codes and their parent");
    let toml = &codebook.toml;
    let first = toml.find("code-0\"").unwrap();
    let last = toml.find(&format!("code-{}\"", n - 1)).unwrap();
    assert!(first < last);
}

#[test]
fn many_codes_of_one_name_get_unique_ids() {
    let n = 20_000;
    let mut qdc = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>"#,
    );
    for i in 0..n {
        write!(
            qdc,
            r#"<Code guid="{i:08}-0000-0000-0000-000000000000" name="same" isCodable="true"/>"#
        )
        .unwrap();
    }
    qdc.push_str("</Codes></CodeBook>");
    let Imported::Codebook { codebook, .. } =
        import("same.qdc", qdc.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("read as a project")
    };
    let ids: Vec<&String> = codebook.ids.values().collect();
    assert_eq!(ids.len(), n);
    assert_eq!(ids[0], "same");
    assert_eq!(ids[1], "same-2");
    assert_eq!(ids[n - 1], &format!("same-{n}"));
    let distinct: std::collections::BTreeSet<&String> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), n);
}

/// A zip whose first entry, `sources/s.txt` (the text of the project's one
/// source), holds `size` bytes but whose headers declare `declared`.
fn lying_zip(size: usize, declared: u32) -> Vec<u8> {
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("sources/s.txt", options).unwrap();
    zip.write_all(&vec![b'a'; size]).unwrap();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(
        br#"<Project name="x"><Sources><TextSource guid="1" name="s" plainTextPath="internal://s.txt"/></Sources></Project>"#,
    )
    .unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    bytes[22..26].copy_from_slice(&declared.to_le_bytes());
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&declared.to_le_bytes());
    bytes
}

#[test]
fn an_entry_larger_than_its_header_declares_is_refused() {
    let err = import("lying.qdpx", &lying_zip(2 << 20, 40)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, ExchangeError::Archive { file, .. } if file == "lying.qdpx"), "{text}");
    assert!(text.contains("`sources/s.txt` unpacks to more than the 40 bytes"), "{text}");
    // The same entry, declared truly, is read.
    assert!(import("true.qdpx", &lying_zip(2 << 20, 2 << 20)).is_ok());
}

const POSITIONS_QDE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Project name="p" origin="QualCoder 3.5" xmlns="urn:QDA-XML:project:1.0">
<Users><User guid="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645" name="Kati"/></Users>
<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="A" isCodable="true"/></Codes></CodeBook>
<Variables><Variable guid="22222222-2222-2222-2222-222222222222" name="age" typeOfVariable="Integer"/></Variables>
<Cases><Case guid="33333333-3333-3333-3333-333333333333" name="Anna"><VariableValue><VariableRef targetGUID="22222222-2222-2222-2222-222222222222"/><IntegerValue>34</IntegerValue></VariableValue></Case></Cases>
<Sources><TextSource guid="44444444-4444-4444-4444-444444444444" name="s.txt" plainTextPath="internal://44444444-4444-4444-4444-444444444444.txt">
<PlainTextSelection guid="55555555-5555-5555-5555-555555555551" START endPosition="7" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">
<Coding guid="66666666-6666-6666-6666-666666666661"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="55555555-5555-5555-5555-555555555552" startPosition="8" endPosition="13" creatingUser="8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645">
<Coding guid="66666666-6666-6666-6666-666666666662"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"#;

fn positions_project(start: &str) -> qda_exchange::ImportedProject {
    let qde = POSITIONS_QDE.replace("START", start);
    let bytes = crate::tools::qdpx(&[
        ("project.qde", qde.as_bytes()),
        ("sources/44444444-4444-4444-4444-444444444444.txt", b"one two three"),
    ]);
    match import("p.qdpx", &bytes).unwrap_or_else(|e| panic!("{e}")) {
        Imported::Project(p) => p,
        Imported::Codebook { .. } => panic!("read as a codebook"),
    }
}

#[test]
fn a_selection_without_a_readable_position_is_skipped_with_a_warning() {
    let good = positions_project(r#"startPosition="4""#);
    assert_eq!(good.transcripts[0].selections.len(), 2, "{:?}", good.warnings);
    assert!(!good.warnings.iter().any(|w| w.contains("selection `")), "{:?}", good.warnings);
    for (start, what) in [
        ("", "startPosition is missing"),
        (r#"startPosition="""#, "startPosition `` is not"),
        (r#"startPosition="abc""#, "startPosition `abc` is not"),
        (r#"startPosition="0x1""#, "startPosition `0x1` is not"),
        (r#"startPosition="-5""#, "startPosition `-5` is not"),
        (r#"startPosition="NaN""#, "startPosition `NaN` is not"),
    ] {
        let p = positions_project(start);
        let warning = p
            .warnings
            .iter()
            .find(|w| w.contains("selection `55555555-5555-5555-5555-555555555551`"))
            .unwrap_or_else(|| panic!("{start}: {:?}", p.warnings));
        assert!(
            warning.contains(what) && warning.ends_with("the selection is skipped"),
            "{warning}"
        );
        let t = &p.transcripts[0];
        assert_eq!(t.selections.len(), 1, "{start}: only the good selection is read");
        let s = &t.selections[0];
        let text: String = t.text.chars().skip(s.start).take(s.end - s.start).collect();
        assert_eq!(text, "three");
    }
}

#[test]
fn variables_of_a_case_without_sources_are_reported() {
    let p = positions_project(r#"startPosition="4""#);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("case `Anna` refers to no source")
                && w.contains("1 variable values")),
        "{:?}",
        p.warnings
    );
}

/// A project of two sources, `a` then `b`, whose texts are the entries
/// `sources/a.txt` and `sources/b.txt` of `entries` (in the order given).
fn two_sources(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let qde = r#"<Project name="two"><Sources>
<TextSource guid="1" name="a" plainTextPath="internal://a.txt"/>
<TextSource guid="2" name="b" plainTextPath="internal://b.txt"/>
</Sources></Project>"#;
    let mut all = entries.to_vec();
    all.push(("project.qde", qde.as_bytes()));
    crate::tools::qdpx(&all)
}

/// What `import_each` ends with when the transcript sink stops it.
#[derive(Debug)]
enum Stopped {
    Import(ExchangeError),
    Sink(String),
}

impl From<ExchangeError> for Stopped {
    fn from(e: ExchangeError) -> Self {
        Stopped::Import(e)
    }
}

#[test]
fn a_source_over_the_limit_is_refused_naming_it_and_the_limit() {
    let big = vec![b'x'; 3 << 20];
    let bytes = two_sources(&[("sources/a.txt", b"short"), ("sources/b.txt", &big)]);
    let mut handed = Vec::new();
    let err = import_each("big.qdpx", &bytes, 2 << 20, |t| {
        handed.push(t.case);
        Ok::<_, ExchangeError>(())
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "big.qdpx: source `b` is 3 MiB; qda imports sources of up to 2 MiB; split the text into smaller sources in the tool that wrote the project, and export it again"
    );
    assert_eq!(handed, ["a"]);
    // At the limit, it is read.
    let imported = import_each("big.qdpx", &bytes, 3 << 20, |_| Ok::<_, ExchangeError>(()));
    assert!(imported.is_ok());
}

#[test]
fn an_inline_text_over_the_limit_is_refused() {
    let qde = format!(
        r#"<Project name="x"><Sources><TextSource guid="1" name="inline"><PlainTextContent>{}</PlainTextContent></TextSource></Sources></Project>"#,
        "y".repeat(1_500)
    );
    let err =
        import_each("x.qde", qde.as_bytes(), 1_000, |_| Ok::<_, ExchangeError>(())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.qde: source `inline` is 1500 bytes; qda imports sources of up to 1000 bytes; split the text into smaller sources in the tool that wrote the project, and export it again"
    );
}

#[test]
fn each_transcript_is_handed_on_before_the_next_source_is_read() {
    // `b.txt` comes first in the archive and unpacks to more than it
    // declares, so reading it fails; `a` was made and handed on before.
    let mut bytes = two_sources(&[("sources/b.txt", &[b'b'; 4096]), ("sources/a.txt", b"text a")]);
    bytes[22..26].copy_from_slice(&40u32.to_le_bytes());
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&40u32.to_le_bytes());
    let mut handed = Vec::new();
    let result = import_each("two.qdpx", &bytes, MAX_SOURCE_BYTES, |t| {
        handed.push((t.case, t.text));
        Ok::<_, ExchangeError>(())
    });
    let err = result.unwrap_err();
    assert!(err.to_string().contains("`sources/b.txt` unpacks to more than the 40 bytes"), "{err}");
    assert_eq!(handed.len(), 1);
    assert_eq!(handed[0].0, "a");
    assert!(handed[0].1.ends_with("text:\ntext a"), "{}", handed[0].1);
}

#[test]
fn a_sink_that_fails_stops_the_import_with_its_error() {
    let bytes = two_sources(&[("sources/a.txt", b"text a"), ("sources/b.txt", b"text b")]);
    let mut calls = 0;
    let result = import_each("two.qdpx", &bytes, MAX_SOURCE_BYTES, |_| {
        calls += 1;
        Err(Stopped::Sink("disk full".to_owned()))
    });
    assert!(matches!(result, Err(Stopped::Sink(m)) if m == "disk full"));
    assert_eq!(calls, 1);
    // Collected, the same project gives both transcripts, by `import`.
    let Imported::Project(p) = import("two.qdpx", &bytes).unwrap() else { panic!("a codebook") };
    let cases: Vec<&str> = p.transcripts.iter().map(|t| t.case.as_str()).collect();
    assert_eq!(cases, ["a", "b"]);
    let stopped = Stopped::from(ExchangeError::Export("x".to_owned()));
    assert!(matches!(stopped, Stopped::Import(e) if e.to_string() == "x"));
}
