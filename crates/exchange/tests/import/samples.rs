//! Imports every real REFI-QDA file in a folder of samples written by other
//! tools, and checks that the text at each imported selection is the text
//! the tool selected. The samples are not part of the repository; point
//! `QDA_REFI_SAMPLES` at the folder to run this:
//!
//! ```sh
//! QDA_REFI_SAMPLES=/path/to/refi/samples cargo test -p qda-exchange --test import samples -- --nocapture
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use qda_exchange::{Counting, Imported, ImportedTranscript, Positions, import};

use crate::refi;

fn samples() -> Option<Vec<PathBuf>> {
    let Some(folder) = std::env::var_os("QDA_REFI_SAMPLES") else {
        println!("skipped: set QDA_REFI_SAMPLES to a folder of REFI-QDA samples to run this test");
        return None;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", PathBuf::from(&folder).display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| matches!(e.to_str(), Some("qdc" | "qdpx" | "qde")))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .qdc, .qdpx or .qde files in the samples folder");
    Some(files)
}

fn chars(t: &ImportedTranscript, start: usize, end: usize) -> String {
    t.text.chars().skip(start).take(end - start).collect()
}

#[test]
fn every_sample_imports_and_selections_land_on_the_selected_text() {
    let Some(files) = samples() else { return };
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let imported = import(&name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let project = match imported {
            Imported::Codebook { codebook, warnings } => {
                println!(
                    "{name}: codebook, {} codes, {} warnings",
                    codebook.ids.len(),
                    warnings.len()
                );
                continue;
            }
            Imported::Project(p) => p,
        };
        crate::common::assert_readable_by_qda(&name, &project);
        crate::common::assert_exports_validly(&name, &project);
        let selections: usize = project.transcripts.iter().map(|t| t.selections.len()).sum();
        let codings: usize = project.codings.iter().map(|c| c.codings.len()).sum();
        println!(
            "{name}: {} transcripts, {selections} selections, {codings} codings, {} coders, {} warnings",
            project.transcripts.len(),
            project.codings.len(),
            project.warnings.len()
        );
        for t in &project.transcripts {
            let body: Vec<char> = t.text.chars().collect();
            let mut named = 0;
            let mut cuts = 0;
            for s in &t.selections {
                let selected = chars(t, s.start, s.end);
                match s.name.as_deref().map(str::trim) {
                    // `qc` codes whole lines and names the selection by its line (from 0).
                    Some(n) if n.starts_with("line:") => {
                        let line: usize = n[5..].parse().unwrap();
                        let before: String = body[t.body_start..s.start].iter().collect();
                        assert_eq!(before.matches('\n').count(), line, "{name} {}: {n}", t.case);
                        assert!(
                            s.start == t.body_start || body[s.start - 1] == '\n',
                            "{name} {}: {n}",
                            t.case
                        );
                        named += 1;
                    }
                    Some(n) if !n.is_empty() => {
                        let n = n.replace("\r\n", "\n");
                        let expected = n.strip_suffix('…').unwrap_or(&n).trim_end();
                        assert!(
                            selected.trim().starts_with(expected),
                            "{name} {}: selection {}..{} is {selected:?}, the tool selected {n:?}",
                            t.case,
                            s.start,
                            s.end
                        );
                        named += 1;
                    }
                    // NVivo names nothing. In the Windows sample every
                    // selection is whole comments, so neither end may cut
                    // a word in two (the text is not printed: it is public
                    // comments with their authors' handles).
                    _ => {
                        let inside = |i: usize| {
                            i > t.body_start
                                && i < body.len()
                                && body[i - 1].is_alphanumeric()
                                && body[i].is_alphanumeric()
                        };
                        if inside(s.start) || inside(s.end) {
                            cuts += 1;
                        }
                        // ... and starts where a comment (a line) starts.
                        if name.starts_with("nvivo-win") && s.start > t.body_start {
                            assert_eq!(
                                body[s.start - 1],
                                '\n',
                                "{name} {}: selection {}..{}",
                                t.case,
                                s.start,
                                s.end
                            );
                        }
                    }
                }
            }
            if !t.selections.is_empty() {
                println!(
                    "  {}: {} selections ({named} checked by name, {cuts} unnamed ones cut a word), positions as {}",
                    t.case,
                    t.selections.len(),
                    t.counting
                );
            }
            if name.starts_with("nvivo-win") {
                assert_eq!(cuts, 0, "{name} {}: selections that cut a word", t.case);
            }
            if name.starts_with("nvivo") && !t.selections.is_empty() {
                assert_eq!(t.counting, Counting::Utf16, "{name}: NVivo counts UTF-16 code units");
            }
        }
    }
}

/// What the samples of the REFI reference material cannot give back, and
/// why: (sample, reason, codings). A coding that does not come back must
/// have one of the reasons [`loss_reason`] checks, and for these samples
/// the counts must be exactly these.
const KNOWN_LOSSES: &[(&str, &str, usize)] = &[
    // ATLAS.ti's standard project: the `.qde` alone, and a `.qdpx` whose
    // `Sources/` folder is empty (the README of the samples says so). The
    // import warns that each source's text is missing.
    ("atlasti-mac-8.4.0__Project.qde", "the source's text is not in the file", 7),
    ("atlasti-mac-8.4.0__TestProject.qdpx", "the source's text is not in the file", 7),
];

/// Why a coding of the original did not come back, when the reason is one
/// the import reports (with a warning), checked here on the file itself:
/// its source's text is not in the file, the selection is empty, or it ends
/// beyond the text however positions are counted.
fn loss_reason(
    original: &refi::Project,
    bytes: &[u8],
    coding: &refi::SelectionCoding,
) -> Option<&'static str> {
    let source = original.sources.get(&coding.source)?;
    if coding.start >= coding.end {
        return Some("the selection is empty");
    }
    if source.inline {
        return None;
    }
    let Some(raw) = raw_text(bytes, source) else {
        return Some("the source's text is not in the file");
    };
    // UTF-16 units with CRLF as two: the longest count of the text.
    let longest: usize = raw.chars().map(char::len_utf16).sum();
    (coding.end > longest as u64).then_some("the selection ends beyond its text")
}

/// The original positions of a source, as the tool counted them, moved to
/// the text qda exports (LF line ends): a tool that counted CRLF as two
/// counts an LF as one in the exported text. Other counts are unchanged.
fn to_lf_positions(raw: &str, counting: Counting, positions: &mut [(u64, u64)]) {
    let crlf_as_two = matches!(counting, Counting::CodePoints | Counting::Utf16);
    if !crlf_as_two || !raw.contains("\r\n") {
        return;
    }
    let utf16 = matches!(counting, Counting::Utf16);
    // (position in the tool's count, CRs before it)
    let mut marks: Vec<(u64, u64)> = Vec::new();
    let (mut at, mut crs) = (0u64, 0u64);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        marks.push((at, crs));
        if c == '\r' && chars.peek() == Some(&'\n') {
            crs += 1;
        }
        at += if utf16 { c.len_utf16() as u64 } else { 1 };
    }
    marks.push((at, crs));
    let lf = |p: u64| {
        let i = marks.partition_point(|(a, _)| *a <= p).saturating_sub(1);
        p - marks[i].1
    };
    for (s, e) in positions {
        (*s, *e) = (lf(*s), lf(*e));
    }
}

/// The text of a source as the archive holds it (no BOM), for counting.
fn raw_text(bytes: &[u8], source: &refi::TextSource) -> Option<String> {
    let path = source.path.as_deref()?;
    let file_name = path.rsplit(['/', '\\']).next()?.to_lowercase();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let entry = zip
        .file_names()
        .find(|n| n.to_lowercase().rsplit('/').next() == Some(file_name.as_str()))?
        .to_owned();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&entry).ok()?, &mut out).ok()?;
    let out = out.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&out);
    Some(String::from_utf8_lossy(out).into_owned())
}

/// Every sample with text selections, imported and exported again with the
/// positions its tool counts (`NVivo`: UTF-16 code units; the others: code
/// points) gives back every coding of every selection: the same source,
/// code, start, end and coder. A coding that cannot come back must have a
/// reason [`loss_reason`] finds in the file, and is named in the output.
#[test]
fn samples_round_trip_every_selection() {
    let Some(files) = samples() else { return };
    let mut failures: Vec<String> = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".qdc") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let original = refi::read(&refi::project_document(&bytes));
        let Imported::Project(project) = import(&name, &bytes).unwrap() else {
            panic!("{name}: read as a codebook")
        };
        let positions =
            if name.starts_with("nvivo") { Positions::Utf16 } else { Positions::CodePoints };
        let exported = crate::common::export(&name, &project, positions)
            .map(|archive| refi::read(&refi::project_document(&archive)))
            .unwrap_or_default();
        // The exported source of a case → the original source.
        let source_of_case: BTreeMap<&str, &ImportedTranscript> =
            project.transcripts.iter().map(|t| (t.case.as_str(), t)).collect();
        let mut back: Vec<refi::SelectionCoding> = exported
            .codings
            .iter()
            .map(|c| {
                let case = exported.sources[&c.source].name.clone().unwrap();
                let t = source_of_case[case.as_str()];
                refi::SelectionCoding {
                    source: t.source.trim_matches(['{', '}']).to_lowercase(),
                    selection: String::new(),
                    ..c.clone()
                }
            })
            .collect();
        back.sort();
        let mut expected = original.codings.clone();
        for t in &project.transcripts {
            let key = t.source.trim_matches(['{', '}']).to_lowercase();
            let Some(raw) = raw_text(&bytes, &original.sources[&key]) else { continue };
            let mine: Vec<usize> =
                (0..expected.len()).filter(|&i| expected[i].source == key).collect();
            let mut spans: Vec<(u64, u64)> =
                mine.iter().map(|&i| (expected[i].start, expected[i].end)).collect();
            to_lf_positions(&raw, t.counting, &mut spans);
            for (&i, (s, e)) in mine.iter().zip(spans) {
                (expected[i].start, expected[i].end) = (s, e);
            }
        }
        let repeats = expected.len();
        expected.dedup_by(|a, b| {
            (&a.source, &a.code, a.start, a.end, &a.coder)
                == (&b.source, &b.code, b.start, b.end, &b.coder)
        });
        let repeats = repeats - expected.len();
        let same = |a: &refi::SelectionCoding, b: &refi::SelectionCoding| {
            (&a.source, &a.code, a.start, a.end, &a.coder)
                == (&b.source, &b.code, b.start, b.end, &b.coder)
        };
        let mut losses: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut identical = 0;
        for want in &expected {
            if back.iter().any(|got| same(got, want)) {
                identical += 1;
            } else if let Some(reason) = loss_reason(&original, &bytes, want) {
                losses.entry(reason).or_default().push(&want.selection);
            } else {
                failures.push(format!(
                    "{name}: selection {} ({} by {}, {}..{}) did not come back",
                    want.selection, want.code, want.coder, want.start, want.end
                ));
            }
        }
        for got in &back {
            if !expected.iter().any(|want| same(got, want)) {
                failures.push(format!(
                    "{name}: the export has {} by {} at {}..{}, which the original has not",
                    got.code, got.coder, got.start, got.end
                ));
            }
        }
        let known: BTreeMap<&str, usize> = KNOWN_LOSSES
            .iter()
            .filter(|(sample, _, _)| *sample == name)
            .map(|(_, reason, n)| (*reason, *n))
            .collect();
        let counts: BTreeMap<&str, usize> = losses.iter().map(|(r, l)| (*r, l.len())).collect();
        let listed = KNOWN_LOSSES.iter().any(|(sample, _, _)| *sample == name);
        if listed && counts != known {
            failures.push(format!(
                "{name}: codings not given back {counts:?}, but KNOWN_LOSSES lists {known:?}"
            ));
        }
        println!(
            "{name}: {} codings of text selections compared, {identical} identical; {} codings of something not a code, {} selections with unreadable positions and {repeats} exact repeats not compared",
            expected.len(),
            original.not_codes.len(),
            original.unreadable.len(),
        );
        for (reason, selections) in &losses {
            let mut named = selections.clone();
            named.sort_unstable();
            named.dedup();
            println!(
                "  {} codings of {} selections not given back ({reason}): {}",
                selections.len(),
                named.len(),
                named.join(", ")
            );
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}
