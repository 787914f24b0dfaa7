//! Code co-occurrence as shown: the code × code counts and the ranked
//! pairs, in every `--format` ([`Render`]).
//!
//! [`CooccurrenceReport::new`] takes the codebook, the codes (in the order
//! of the counts' indices) and the counts from `qda_stats::Cooccurrence`;
//! the value is plain data (`Serialize`) for JSON and reports.

use qda_coding::Codebook;
use qda_stats::Cooccurrence;
use serde::Serialize;

use crate::args::UnitLevel;
use crate::provenance::Provenance;
use crate::render::Render;
use crate::render::crosstab::round;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::CodebookInfo;

/// Everything `qda cooccur` shows.
#[derive(Debug, Serialize)]
pub(crate) struct CooccurrenceReport {
    pub(crate) provenance: Provenance,
    pub(crate) codebook: CodebookInfo,
    /// The codebook's unit (turn, paragraph, sentence).
    pub(crate) unit: String,
    /// `segment` or `case`: what counts as together.
    pub(crate) level: &'static str,
    /// Units counted, with or without codes.
    pub(crate) units: u64,
    /// Every codable code, in codebook order, with the units that have it.
    pub(crate) codes: Vec<CodeCount>,
    /// `matrix[a][b]`: units with both codes `a` and `b` (indices into
    /// `codes`); the diagonal holds the units with the code.
    pub(crate) matrix: Vec<Vec<u64>>,
    /// Pairs that occur together at least once, strongest first (Jaccard,
    /// then units together, then codebook order).
    pub(crate) pairs: Vec<Pair>,
    /// How many pairs the table and Markdown list (`--top`).
    #[serde(skip)]
    pub(crate) top: usize,
}

/// A code and how many units have it.
#[derive(Debug, Serialize)]
pub(crate) struct CodeCount {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) units: u64,
}

/// One pair of codes and how strongly they go together.
#[derive(Debug, Serialize)]
pub(crate) struct Pair {
    pub(crate) code_a: String,
    pub(crate) code_b: String,
    /// Units with both.
    pub(crate) together: u64,
    pub(crate) with_a: u64,
    pub(crate) with_b: u64,
    /// `together / (with_a + with_b − together)`.
    pub(crate) jaccard: f64,
    /// `together · units / (with_a · with_b)`; 1 means as often as chance.
    pub(crate) observed_expected: f64,
}

impl CooccurrenceReport {
    pub(crate) fn new(
        codebook: &Codebook,
        level: UnitLevel,
        codes: &[String],
        counts: &Cooccurrence,
        top: usize,
        provenance: Provenance,
    ) -> Self {
        let label = |id: &str| codebook.code(id).map_or_else(|| id.to_owned(), |c| c.label.clone());
        CooccurrenceReport {
            provenance,
            codebook: CodebookInfo::new(codebook),
            unit: codebook.unit().to_string(),
            level: level.as_str(),
            units: counts.units(),
            codes: codes
                .iter()
                .enumerate()
                .map(|(i, c)| CodeCount { code: c.clone(), label: label(c), units: counts.with(i) })
                .collect(),
            matrix: (0..codes.len())
                .map(|a| (0..codes.len()).map(|b| counts.together(a, b)).collect())
                .collect(),
            pairs: counts
                .ranked_pairs()
                .iter()
                .map(|p| Pair {
                    code_a: codes[p.a].clone(),
                    code_b: codes[p.b].clone(),
                    together: p.together,
                    with_a: p.with_a,
                    with_b: p.with_b,
                    jaccard: round(p.jaccard),
                    observed_expected: round(p.observed_expected),
                })
                .collect(),
            top,
        }
    }

    fn units_named(&self) -> String {
        match self.level {
            "case" => format!("{} cases", self.units),
            _ => format!("{} segments ({}s that are not interviewer turns)", self.units, self.unit),
        }
    }

    fn matrix_table(&self) -> Table {
        let mut headers = vec![("code", Align::Left)];
        headers.extend(self.codes.iter().map(|c| (c.code.as_str(), Align::Right)));
        let mut matrix = Table::new(headers);
        for (code, row) in self.codes.iter().zip(&self.matrix) {
            let mut cells = vec![code.code.clone()];
            cells.extend(row.iter().map(ToString::to_string));
            matrix.push(cells);
        }
        matrix
    }

    fn pairs_table(&self) -> Table {
        let mut pairs = Table::new(vec![
            ("rank", Align::Right),
            ("code a", Align::Left),
            ("code b", Align::Left),
            ("both", Align::Right),
            ("a", Align::Right),
            ("b", Align::Right),
            ("Jaccard", Align::Right),
            ("obs/exp", Align::Right),
        ]);
        for (rank, p) in self.pairs.iter().take(self.top).enumerate() {
            pairs.push(vec![
                (rank + 1).to_string(),
                p.code_a.clone(),
                p.code_b.clone(),
                p.together.to_string(),
                p.with_a.to_string(),
                p.with_b.to_string(),
                format!("{:.3}", p.jaccard),
                format!("{:.2}", p.observed_expected),
            ]);
        }
        pairs
    }
}

impl Render for CooccurrenceReport {
    /// The matrix, and the `top` pairs.
    fn document(&self, out: &mut dyn Markup) {
        let version = self.codebook.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default();
        out.heading(
            2,
            &format!(
                "{}{version} ({}): co-occurrence by {}",
                self.codebook.name, self.codebook.path, self.level
            ),
        );
        out.paragraph(&format!("n = {}", self.units_named()));
        out.heading(
            3,
            &format!("{}s with both codes (diagonal: {}s with the code)", self.level, self.level),
        );
        out.table(&self.matrix_table());
        out.blank();
        out.heading(3, "strongest pairs");
        if self.pairs.is_empty() {
            out.last_line("no two codes occur together");
            return;
        }
        out.table(&self.pairs_table());
        if self.pairs.len() > self.top {
            out.blank();
            out.line(&format!(
                "{} more pairs occur together; --top N lists more, --format csv or json lists all",
                self.pairs.len() - self.top
            ));
        } else {
            out.blank();
        }
        out.line(&format!(
            "Jaccard = both / {}s with either code; obs/exp = both × n / (a × b), 1 = as often as if independent",
            self.level
        ));
    }

    /// Every pair of distinct codes: those that occur together ranked first,
    /// then the rest in codebook order (measures empty where neither occurs).
    fn records(&self) -> Vec<Vec<String>> {
        let mut records: Vec<Vec<String>> = vec![
            [
                "code_a",
                "code_b",
                "together",
                "with_a",
                "with_b",
                "units",
                "jaccard",
                "observed_expected",
            ]
            .map(str::to_owned)
            .to_vec(),
        ];
        for p in &self.pairs {
            records.push(vec![
                p.code_a.clone(),
                p.code_b.clone(),
                p.together.to_string(),
                p.with_a.to_string(),
                p.with_b.to_string(),
                self.units.to_string(),
                p.jaccard.to_string(),
                p.observed_expected.to_string(),
            ]);
        }
        for (a, code_a) in self.codes.iter().enumerate() {
            for (b, code_b) in self.codes.iter().enumerate().skip(a + 1) {
                if self.matrix[a][b] > 0 {
                    continue;
                }
                let occurs = code_a.units + code_b.units > 0;
                let zero = if occurs { "0".to_owned() } else { String::new() };
                records.push(vec![
                    code_a.code.clone(),
                    code_b.code.clone(),
                    "0".to_owned(),
                    code_a.units.to_string(),
                    code_b.units.to_string(),
                    self.units.to_string(),
                    zero.clone(),
                    zero,
                ]);
            }
        }
        records
    }
}
