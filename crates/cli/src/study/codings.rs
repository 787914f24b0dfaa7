//! Codings files (`--codings`): read, checked against the codebook and the
//! transcripts as they are now, and layered into the codings that count.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Result, bail};
use qda_coding::{Codebook, CoderCodings, Coding, CodingsFile, RULES_CODER, Transcript, Unit};

use crate::provenance::Input;
use crate::study::files::{display_path_buf, read_text};

/// Codings files, each with its provenance input.
pub(crate) struct LoadedCodings {
    pub(crate) files: Vec<CodingsFile>,
    pub(crate) inputs: Vec<Input>,
}

impl LoadedCodings {
    pub(crate) fn read(
        paths: &[PathBuf],
        codebook: &Codebook,
        transcripts: &[Transcript],
    ) -> Result<Self> {
        let index: BTreeMap<String, qda_coding::SourceIndex> = transcripts
            .iter()
            .map(|t| {
                let segments = [Unit::Turn, Unit::Paragraph, Unit::Sentence]
                    .into_iter()
                    .flat_map(|unit| t.segments(unit))
                    .map(|s| (s.id, (s.start, s.end)))
                    .collect();
                let source = qda_coding::SourceIndex {
                    sha256: t.sha256().to_owned(),
                    path: t.path().to_owned(),
                    segments,
                };
                (t.case().to_owned(), source)
            })
            .collect();
        let mut files = Vec::new();
        let mut inputs = Vec::new();
        for path in paths {
            let (text, input) = read_text(path, "codings file")?;
            let shown = display_path_buf(path);
            let file = CodingsFile::parse(&shown, &text)?;
            file.check(&shown, codebook, &index)?;
            files.push(file);
            inputs.push(input);
        }
        Ok(LoadedCodings { files, inputs })
    }

    /// Every coder named in the files, sorted.
    pub(crate) fn coders(&self) -> Vec<String> {
        let mut coders: Vec<String> =
            self.files.iter().flat_map(|f| f.coders()).map(str::to_owned).collect();
        coders.sort();
        coders.dedup();
        coders
    }

    /// One coder's codings and coverage, gathered from every file.
    pub(crate) fn coder(&self, name: &str) -> CoderCodings {
        CoderCodings::from_files(name, self.files.iter())
    }

    /// The chosen coder's manual codings over the rule codings (see
    /// `qda_coding::layer`), and whose they are: `--coder`, or implicitly
    /// the one person who coded, or `rules`.
    pub(crate) fn choose(&self, coder: Option<&str>) -> Result<(Vec<Coding>, String)> {
        let coders = self.coders();
        let people: Vec<&String> = coders.iter().filter(|c| *c != RULES_CODER).collect();
        let chosen = match (coder, people.as_slice()) {
            (Some(name), _) if !coders.iter().any(|c| c == name) => bail!(
                "--coder {name}: no codings by `{name}` in the codings files; coders there: {}",
                coders.join(", ")
            ),
            (Some(name), _) => Some(name.to_owned()),
            (None, []) => None,
            (None, [one]) => Some((*one).clone()),
            (None, several) => bail!(
                "the codings files hold several coders ({}); choose whose codings count with --coder NAME",
                several.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        let rules = self.coder(RULES_CODER);
        let codings = match &chosen {
            Some(name) if name != RULES_CODER => {
                qda_coding::layer(&rules.codings, &self.coder(name))
            }
            _ => rules.codings,
        };
        Ok((codings, chosen.unwrap_or_else(|| RULES_CODER.to_owned())))
    }
}
