//! What `qda query` shows besides excerpts: counts of matching segments
//! and cases (`--count`, by an attribute with `--by`), and the segments
//! several coders coded (`--multi-coded`), in every format ([`Render`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::render::Render;
use crate::render::agree::shorten;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};

/// `--count`: matches per value of the `--by` attribute (one row without it).
#[derive(Debug, Serialize)]
pub(crate) struct QueryCounts {
    pub(crate) query: String,
    /// `segment` or `case`.
    pub(crate) level: &'static str,
    pub(crate) by: Option<String>,
    pub(crate) rows: Vec<CountRow>,
}

/// The matches among the cases with one value of the `--by` attribute.
#[derive(Debug, Serialize)]
pub(crate) struct CountRow {
    /// The attribute's value; `None` without `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<String>,
    /// Matching segments (at the segment level only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) segments: Option<usize>,
    /// Matching cases.
    pub(crate) cases: usize,
    /// All cases (with this value).
    pub(crate) of_cases: usize,
}

impl QueryCounts {
    fn table(&self) -> Table {
        let mut headers = Vec::new();
        if let Some(by) = &self.by {
            headers.push((by.as_str(), Align::Left));
        }
        if self.level == "segment" {
            headers.push(("segments", Align::Right));
        }
        headers.extend([("cases", Align::Right), ("of cases", Align::Right)]);
        let mut table = Table::new(headers);
        for row in &self.rows {
            let mut cells: Vec<String> = row.value.iter().cloned().collect();
            cells.extend(row.segments.map(|s| s.to_string()));
            cells.extend([row.cases.to_string(), row.of_cases.to_string()]);
            table.push(cells);
        }
        table
    }
}

impl Render for QueryCounts {
    fn document(&self, out: &mut dyn Markup) {
        out.heading(2, &format!("Query: {}", self.query));
        out.paragraph(&format!("Evaluated on each {}.", self.level));
        out.table(&self.table());
    }

    fn records(&self) -> Vec<Vec<String>> {
        let table = self.table();
        std::iter::once(table.headers).chain(table.rows).collect()
    }
}

/// `--multi-coded`: segments two or more coders coded, disagreements first.
#[derive(Debug, Serialize)]
pub(crate) struct MultiCoded {
    pub(crate) query: String,
    /// Every coder with codes on a listed segment, sorted.
    pub(crate) coders: Vec<String>,
    pub(crate) segments: Vec<MultiSegment>,
}

/// One segment several coders coded.
#[derive(Debug, Serialize)]
pub(crate) struct MultiSegment {
    pub(crate) case: String,
    pub(crate) segment: String,
    pub(crate) speaker: String,
    /// Whether every coder gave the same codes.
    pub(crate) agree: bool,
    /// Each coder's codes, in codebook order.
    pub(crate) codes: BTreeMap<String, Vec<String>>,
    pub(crate) text: String,
}

impl MultiCoded {
    fn table(&self, width: usize) -> Table {
        let mut headers =
            vec![("case", Align::Left), ("segment", Align::Left), ("speaker", Align::Left)];
        headers.push(("agreement", Align::Left));
        headers.extend(self.coders.iter().map(|c| (c.as_str(), Align::Left)));
        headers.push(("text", Align::Left));
        let mut table = Table::new(headers);
        for s in &self.segments {
            let mut cells = vec![
                s.case.clone(),
                s.segment.clone(),
                s.speaker.clone(),
                if s.agree { "agree" } else { "differ" }.to_owned(),
            ];
            cells.extend(
                self.coders
                    .iter()
                    .map(|c| s.codes.get(c).map(|v| v.join(", ")).unwrap_or_default()),
            );
            cells.push(shorten(&s.text, width));
            table.push(cells);
        }
        table
    }
}

impl Render for MultiCoded {
    fn document(&self, out: &mut dyn Markup) {
        let differ = self.segments.iter().filter(|s| !s.agree).count();
        out.heading(2, "Segments coded by several coders");
        out.paragraph(&format!(
            "Query: {} · {} segments, {differ} on which the coders' codes differ (listed first).",
            self.query,
            self.segments.len()
        ));
        out.table(&self.table(out.cell_width().unwrap_or(usize::MAX)));
    }

    fn records(&self) -> Vec<Vec<String>> {
        let table = self.table(usize::MAX);
        std::iter::once(table.headers).chain(table.rows).collect()
    }
}
