//! Shared by the import tests: what `qda tally` and `qda agree` need of an
//! imported project holds.

use std::collections::BTreeMap;
use std::path::Path;

use std::io::{Cursor, Read};
use std::process::Command;

use qda_coding::{Codebook, SourceIndex, Transcript};
use qda_exchange::ImportedProject;

/// The codebook parses, every transcript parses, and every codings file
/// passes the checks `qda tally --codings` makes.
pub(crate) fn assert_readable_by_qda(name: &str, project: &ImportedProject) {
    let Some(codebook) = &project.codebook else { return };
    let codebook = Codebook::parse(Path::new("codebook.toml"), &codebook.toml)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut index = BTreeMap::new();
    for t in &project.transcripts {
        let parsed = Transcript::parse(Path::new(&t.file_name), t.text.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        index.insert(
            parsed.case().to_owned(),
            SourceIndex {
                sha256: parsed.sha256().to_owned(),
                path: parsed.path().to_owned(),
                segments: parsed.segment_spans(),
            },
        );
    }
    for file in &project.codings {
        file.check(Path::new("codings.json"), &codebook, &index)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Exported again, the project validates against the official schema (when
/// `xmllint` is installed).
pub(crate) fn assert_exports_validly(name: &str, project: &ImportedProject) {
    let Some(codebook) = &project.codebook else { return };
    let codebook = Codebook::parse(Path::new("codebook.toml"), &codebook.toml).unwrap();
    let transcripts: Vec<Transcript> = project
        .transcripts
        .iter()
        .map(|t| Transcript::parse(Path::new(&t.file_name), t.text.as_bytes()).unwrap())
        .collect();
    if transcripts.is_empty() {
        return;
    }
    let sets = qda_exchange::sets_in_comments(&project.codebook.as_ref().unwrap().toml);
    let bytes = qda_exchange::export_project(&codebook, &sets, &transcripts, &project.codings)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut qde = Vec::new();
    zip.by_name("project.qde").unwrap().read_to_end(&mut qde).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("project.qde");
    std::fs::write(&file, qde).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/Project.xsd");
    match Command::new("xmllint").arg("--noout").arg("--schema").arg(&schema).arg(&file).output() {
        Err(_) => println!("{name}: re-export not validated: xmllint is not installed"),
        Ok(out) => assert!(
            out.status.success(),
            "{name}: the re-exported project does not validate:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
