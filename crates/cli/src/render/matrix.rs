//! The code-by-case matrix: one row per case with its attributes, the child
//! assigned in each exclusive group, and a column per codable code; or the
//! tidy long form (case, code, segments).

use indexmap::IndexMap;
use serde::Serialize;

use crate::provenance::Provenance;
use crate::render::csv;
use crate::render::names::{Rename, safe_names};
use crate::render::tally::CodebookInfo;

/// Everything `qda matrix` writes.
#[derive(Debug, Serialize)]
pub(crate) struct CaseMatrix {
    pub(crate) provenance: Provenance,
    pub(crate) codebook: CodebookInfo,
    /// The wide form's columns: the name written and what it holds.
    pub(crate) columns: Vec<Column>,
    pub(crate) cases: Vec<CaseRow>,
}

/// One column of the wide form.
#[derive(Debug, Serialize)]
pub(crate) struct Column {
    /// The name written: safe for R, SPSS and Stata.
    pub(crate) name: String,
    /// `case`, `attribute`, `group` (an exclusive parent), `code` or
    /// `rollup` (a parent with every code under it, `--rollup`).
    pub(crate) kind: &'static str,
    /// The attribute, parent or code id it stands for.
    pub(crate) source: String,
}

/// One case.
#[derive(Debug, Serialize)]
pub(crate) struct CaseRow {
    pub(crate) case: String,
    /// Every attribute any case has; `None` where this case lacks it.
    pub(crate) attributes: IndexMap<String, Option<String>>,
    /// Per exclusive parent: the child assigned, `uncoded`, or `None` when
    /// the conflict is unresolved.
    pub(crate) groups: IndexMap<String, Option<String>>,
    /// Segments per codable code.
    pub(crate) codes: IndexMap<String, usize>,
    /// With `--rollup`, per parent code: segments with it or any code under it.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub(crate) rollup: IndexMap<String, usize>,
}

/// The column name a parent's roll-up is written under.
fn rollup_name(parent: &str) -> String {
    format!("{parent}_all")
}

impl CaseMatrix {
    /// Names the wide form's columns; returns the collisions disambiguated.
    pub(crate) fn new(
        codebook: CodebookInfo,
        cases: Vec<CaseRow>,
        provenance: Provenance,
    ) -> (Self, Vec<Rename>) {
        let mut sources: Vec<(&'static str, String)> = vec![("case", "case".to_owned())];
        if let Some(first) = cases.first() {
            sources.extend(first.attributes.keys().map(|a| ("attribute", a.clone())));
            sources.extend(first.groups.keys().map(|g| ("group", g.clone())));
            sources.extend(first.codes.keys().map(|c| ("code", c.clone())));
            sources.extend(first.rollup.keys().map(|p| ("rollup", p.clone())));
        }
        let originals: Vec<String> = sources
            .iter()
            .map(|(kind, s)| if *kind == "rollup" { rollup_name(s) } else { s.clone() })
            .collect();
        let (names, renames) = safe_names(&originals);
        let columns = sources
            .into_iter()
            .zip(names)
            .map(|((kind, source), name)| Column { name, kind, source })
            .collect();
        (CaseMatrix { provenance, codebook, columns, cases }, renames)
    }

    /// The wide form: a row per case, a code's cell as `cells` says.
    pub(crate) fn wide_csv(&self, cells: CodeCells) -> Vec<u8> {
        let header = self.columns.iter().map(|c| c.name.clone()).collect();
        let mut records = vec![header];
        for row in &self.cases {
            let mut record = vec![row.case.clone()];
            record.extend(row.attributes.values().map(|v| v.clone().unwrap_or_default()));
            record.extend(row.groups.values().map(|v| v.clone().unwrap_or_default()));
            record.extend(row.codes.values().chain(row.rollup.values()).map(|&n| match cells {
                CodeCells::Segments => n.to_string(),
                CodeCells::Presence => u8::from(n > 0).to_string(),
            }));
            records.push(record);
        }
        csv::write(records)
    }

    /// The tidy long form: `case,code,segments`, a row per case and code.
    pub(crate) fn long_csv(&self) -> Vec<u8> {
        let mut records = vec![["case", "code", "segments"].map(str::to_owned).to_vec()];
        for row in &self.cases {
            for (code, n) in &row.codes {
                records.push(vec![row.case.clone(), code.clone(), n.to_string()]);
            }
            for (parent, n) in &row.rollup {
                records.push(vec![row.case.clone(), rollup_name(parent), n.to_string()]);
            }
        }
        csv::write(records)
    }
}

/// What a code's cell holds in the wide form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeCells {
    /// 1 when the case has the code, else 0.
    Presence,
    /// The case's segments with the code (`--counts`).
    Segments,
}
