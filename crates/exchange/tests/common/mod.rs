//! Shared by the import tests: what `qda tally` and `qda agree` need of an
//! imported project holds.

use std::collections::BTreeMap;
use std::path::Path;

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
