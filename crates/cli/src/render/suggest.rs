//! `qda suggest`'s ranking as shown, in every `--format` ([`Render`]).

use qda_coding::{Codebook, Suggestion};
use serde::Serialize;

use crate::provenance::Provenance;
use crate::render::Render;
use crate::render::crosstab::round;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::CodebookInfo;

/// The longest text a table row shows, in characters; JSON and CSV hold it all.
const TABLE_TEXT: usize = 80;

/// Everything `qda suggest` shows.
#[derive(Debug, Serialize)]
pub(crate) struct SuggestionList {
    pub(crate) provenance: Provenance,
    pub(crate) codebook: CodebookInfo,
    pub(crate) code: String,
    pub(crate) label: String,
    /// Whose codings are the seeds: `rules`, or a person.
    pub(crate) coder: String,
    /// Segments with the code (or one below it).
    pub(crate) seeds: usize,
    /// Segments without it, ranked.
    pub(crate) candidates: usize,
    /// Best first.
    pub(crate) suggestions: Vec<Row>,
}

/// One suggestion.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    pub(crate) rank: usize,
    pub(crate) case: String,
    pub(crate) segment: String,
    /// Cosine similarity to the seeds, 0 to 1 (six decimals).
    pub(crate) score: f64,
    /// The terms contributing most, largest first.
    pub(crate) terms: Vec<String>,
    pub(crate) text: String,
}

impl SuggestionList {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        codebook: &Codebook,
        code: &str,
        coder: &str,
        seeds: usize,
        candidates: usize,
        suggestions: Vec<Suggestion>,
        texts: Vec<String>,
        provenance: Provenance,
    ) -> Self {
        SuggestionList {
            provenance,
            codebook: CodebookInfo::new(codebook),
            code: code.to_owned(),
            label: codebook.code(code).map_or_else(|| code.to_owned(), |c| c.label.clone()),
            coder: coder.to_owned(),
            seeds,
            candidates,
            suggestions: suggestions
                .into_iter()
                .zip(texts)
                .enumerate()
                .map(|(i, (s, text))| Row {
                    rank: i + 1,
                    case: s.case,
                    segment: s.segment,
                    score: round(s.score),
                    terms: s.terms.into_iter().map(|t| t.term).collect(),
                    text,
                })
                .collect(),
        }
    }
}

impl Render for SuggestionList {
    fn document(&self, out: &mut dyn Markup) {
        let version = self.codebook.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default();
        out.heading(
            2,
            &format!(
                "{}{version} ({}): segments like those coded `{}`",
                self.codebook.name, self.codebook.path, self.code
            ),
        );
        out.paragraph(&format!(
            "{} ({}); seeds: {} coded by {}; candidates: {} without the code",
            self.code, self.label, self.seeds, self.coder, self.candidates
        ));
        if self.suggestions.is_empty() {
            out.last_line("no segment without the code shares a term with those that have it");
            return;
        }
        let mut table = Table::new(vec![
            ("rank", Align::Right),
            ("score", Align::Right),
            ("segment", Align::Left),
            ("shared terms", Align::Left),
            ("text", Align::Left),
        ]);
        for row in &self.suggestions {
            let mut text: String = row.text.chars().take(TABLE_TEXT).collect();
            if row.text.chars().nth(TABLE_TEXT).is_some() {
                text.push('…');
            }
            table.push(vec![
                row.rank.to_string(),
                format!("{:.3}", row.score),
                row.segment.clone(),
                row.terms.join(", "),
                text,
            ]);
        }
        out.table(&table);
        out.blank();
        out.line("score: TF-IDF cosine similarity to the seeds' mean, 0 to 1 (docs/suggest.md)");
    }

    fn records(&self) -> Vec<Vec<String>> {
        let mut records =
            vec![["rank", "case", "segment", "score", "terms", "text"].map(str::to_owned).to_vec()];
        for row in &self.suggestions {
            records.push(vec![
                row.rank.to_string(),
                row.case.clone(),
                row.segment.clone(),
                row.score.to_string(),
                row.terms.join(" "),
                row.text.clone(),
            ]);
        }
        records
    }
}
