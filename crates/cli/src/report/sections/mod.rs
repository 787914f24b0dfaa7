//! The report's sections, one module each. Every section writes both its
//! HTML and its Markdown, side by side, so the two carry the same tables.

pub(crate) mod adjudications;
pub(crate) mod cases;
pub(crate) mod chart;
pub(crate) mod codebook;
pub(crate) mod cooccurrence;
pub(crate) mod crosstab;
pub(crate) mod excerpts;
pub(crate) mod memos;
pub(crate) mod provenance;
pub(crate) mod saturation;
pub(crate) mod shown;
pub(crate) mod study_memos;
pub(crate) mod tally;

use crate::render::markdown::Markdown;
use crate::report::contents::Contents;
use crate::report::html::Html;

/// A section: its anchor and title, whether this report has it, and its
/// two renderings.
pub(crate) struct Section {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) shown: fn(&Contents<'_>) -> bool,
    pub(crate) html: fn(&Contents<'_>, &mut Html),
    pub(crate) markdown: fn(&Contents<'_>, &mut Markdown),
}

/// The sections in report order (the provenance footer follows them).
pub(crate) const SECTIONS: &[Section] = &[
    Section {
        id: "tallies",
        title: "Tallies",
        shown: |s| !s.tally.groups.is_empty(),
        html: tally::html,
        markdown: tally::markdown,
    },
    Section {
        id: "crosstab",
        title: "By attribute",
        shown: |s| s.tally.by.is_some(),
        html: crosstab::html,
        markdown: crosstab::markdown,
    },
    Section {
        id: "codes",
        title: "Codes",
        shown: |_| true,
        html: tally::codes_html,
        markdown: tally::codes_markdown,
    },
    Section {
        id: "cooccurrence",
        title: "Co-occurrence",
        shown: |s| s.by_segment.codes.len() > 1,
        html: cooccurrence::html,
        markdown: cooccurrence::markdown,
    },
    Section {
        id: "saturation",
        title: "Saturation",
        shown: |s| s.saturation.is_some(),
        html: saturation::html,
        markdown: saturation::markdown,
    },
    Section {
        id: "codebook",
        title: "Codebook",
        shown: |_| true,
        html: codebook::html,
        markdown: codebook::markdown,
    },
    Section {
        id: "excerpts",
        title: "Coded excerpts",
        shown: |_| true,
        html: excerpts::html,
        markdown: excerpts::markdown,
    },
    Section {
        id: "study-memos",
        title: "Memos",
        shown: |s| s.study_memos.as_ref().is_some_and(|m| !m.is_empty()),
        html: study_memos::html,
        markdown: study_memos::markdown,
    },
    Section {
        id: "memos",
        title: "Memos on segments without codes",
        shown: |s| !s.memos.is_empty(),
        html: memos::html,
        markdown: memos::markdown,
    },
    Section {
        id: "cases",
        title: "Cases",
        shown: |_| true,
        html: cases::html,
        markdown: cases::markdown,
    },
    Section {
        id: "adjudications",
        title: "Adjudications",
        shown: |s| !s.adjudications.is_empty(),
        html: adjudications::html,
        markdown: adjudications::markdown,
    },
];
