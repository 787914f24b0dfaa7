//! Code co-occurrence as shown: the code × code counts and the ranked
//! pairs, in four renderings.
//!
//! [`CooccurrenceReport::new`] takes the codebook, the codes (in the order
//! of the counts' indices) and the counts from `qda_stats::Cooccurrence`;
//! the value is plain data (`Serialize`) for JSON and reports.

use qda_coding::Codebook;
use qda_stats::Cooccurrence;
use serde::Serialize;

use crate::args::{Format, UnitLevel};
use crate::provenance::{Provenance, display_path};
use crate::render::crosstab::round;
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
    pub(crate) codes: Vec<CodeUnits>,
    /// `matrix[a][b]`: units with both codes `a` and `b` (indices into
    /// `codes`); the diagonal holds the units with the code.
    pub(crate) matrix: Vec<Vec<u64>>,
    /// Pairs that occur together at least once, strongest first (Jaccard,
    /// then units together, then codebook order).
    pub(crate) pairs: Vec<Pair>,
}

/// A code and how many units have it.
#[derive(Debug, Serialize)]
pub(crate) struct CodeUnits {
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
        provenance: Provenance,
    ) -> Self {
        let label = |id: &str| codebook.code(id).map_or_else(|| id.to_owned(), |c| c.label.clone());
        CooccurrenceReport {
            provenance,
            codebook: CodebookInfo {
                name: codebook.name().to_owned(),
                version: codebook.version().map(str::to_owned),
                path: display_path(codebook.path()),
            },
            unit: codebook.unit().to_string(),
            level: level.as_str(),
            units: counts.units(),
            codes: codes
                .iter()
                .enumerate()
                .map(|(i, c)| CodeUnits { code: c.clone(), label: label(c), units: counts.with(i) })
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
        }
    }

    /// The report in `format`; the table and Markdown list the `top` pairs.
    pub(crate) fn render(&self, format: Format, top: usize) -> Vec<u8> {
        match format {
            Format::Json => crate::render::json(self),
            Format::Table => self.text(false, top).into_bytes(),
            Format::Markdown => self.text(true, top).into_bytes(),
            Format::Csv => self.csv(),
        }
    }

    fn units_named(&self) -> String {
        match self.level {
            "case" => format!("{} cases", self.units),
            _ => format!("{} segments ({}s that are not interviewer turns)", self.units, self.unit),
        }
    }

    fn text(&self, markdown: bool, top: usize) -> String {
        let render = |t: &Table| if markdown { t.to_markdown() } else { t.to_text() };
        let (h2, h3) = if markdown { ("## ", "### ") } else { ("", "") };
        let version = self.codebook.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default();
        let mut out = format!(
            "{h2}{}{version} ({}): co-occurrence by {}\n\nn = {}\n\n",
            self.codebook.name,
            self.codebook.path,
            self.level,
            self.units_named()
        );
        out.push_str(&format!(
            "{h3}{}s with both codes (diagonal: {}s with the code)\n\n",
            self.level, self.level
        ));
        let mut headers = vec![("code", Align::Left)];
        headers.extend(self.codes.iter().map(|c| (c.code.as_str(), Align::Right)));
        let mut matrix = Table::new(headers);
        for (code, row) in self.codes.iter().zip(&self.matrix) {
            let mut cells = vec![code.code.clone()];
            cells.extend(row.iter().map(ToString::to_string));
            matrix.push(cells);
        }
        out.push_str(&render(&matrix));
        out.push_str(&format!("\n{h3}strongest pairs\n\n"));
        if self.pairs.is_empty() {
            out.push_str("no two codes occur together\n");
            return out;
        }
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
        for (rank, p) in self.pairs.iter().take(top).enumerate() {
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
        out.push_str(&render(&pairs));
        let newline = if markdown { "  \n" } else { "\n" };
        if self.pairs.len() > top {
            out.push_str(&format!(
                "\n{} more pairs occur together; --top N lists more, --format csv or json lists all{newline}",
                self.pairs.len() - top
            ));
        } else {
            out.push('\n');
        }
        out.push_str(&format!(
            "Jaccard = both / {}s with either code; obs/exp = both × n / (a × b), 1 = as often as if independent{newline}",
            self.level
        ));
        out
    }

    /// Every pair of distinct codes: those that occur together ranked first,
    /// then the rest in codebook order (measures empty where neither occurs).
    fn csv(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
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
        for record in records {
            writer.write_record(&record).expect("writing CSV to memory cannot fail");
        }
        writer.into_inner().expect("writing CSV to memory cannot fail")
    }
}
