//! Shared by the import tests: what `qda tally` and `qda agree` need of an
//! imported project holds.

use std::collections::BTreeMap;
use std::path::Path;

use std::io::{Cursor, Read};
use std::process::Command;

use qda_coding::{Codebook, SourceIndex, Transcript};
use qda_exchange::{ImportedProject, Positions};

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

/// The project exported again as a `.qdpx`, positions counted as
/// `positions` says; `None` when it has no codes or no transcripts.
pub(crate) fn export(
    name: &str,
    project: &ImportedProject,
    positions: Positions,
) -> Option<Vec<u8>> {
    let book = project.codebook.as_ref()?;
    let codebook = Codebook::parse(Path::new("codebook.toml"), &book.toml).unwrap();
    let transcripts: Vec<Transcript> = project
        .transcripts
        .iter()
        .map(|t| Transcript::parse(Path::new(&t.file_name), t.text.as_bytes()).unwrap())
        .collect();
    if transcripts.is_empty() {
        return None;
    }
    let sets = qda_exchange::sets_in_comments(&book.toml);
    let bytes = qda_exchange::export_project_with(
        &codebook,
        &sets,
        &transcripts,
        &project.codings,
        &memos_of(project),
        positions,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(bytes)
}

/// Exported again, the project validates against the official schema (when
/// `xmllint` is installed).
pub(crate) fn assert_exports_validly(name: &str, project: &ImportedProject) {
    let Some(bytes) = export(name, project, Positions::CodePoints) else { return };
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

/// The project and case memos an import gave, as qda reads them back from
/// the memos folder it writes them to.
pub(crate) fn memos_of(project: &ImportedProject) -> qda_coding::StudyMemos {
    let memo = |path: &str, text: &str| qda_coding::Memo {
        text: text.to_owned(),
        path: std::path::PathBuf::from(path),
        location: None,
    };
    let mut memos = qda_coding::StudyMemos::new();
    memos.project = project.project_memo.as_deref().map(|m| memo("memos/project.md", m));
    for (case, text) in &project.case_memos {
        memos.cases.insert(case.clone(), memo(&format!("memos/cases/{case}.md"), text));
    }
    memos
}
