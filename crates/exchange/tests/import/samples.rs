//! Imports every real REFI-QDA file in a folder of samples written by other
//! tools, and checks that the text at each imported selection is the text
//! the tool selected. The samples are not part of the repository; point
//! `QDA_REFI_SAMPLES` at the folder to run this:
//!
//! ```sh
//! QDA_REFI_SAMPLES=/path/to/refi/samples cargo test -p qda-exchange --test import samples -- --nocapture
//! ```

use std::path::PathBuf;

use qda_exchange::{Counting, Imported, ImportedTranscript, import};

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
