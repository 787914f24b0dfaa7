//! Pure renderers: results in, bytes out. Commands choose where bytes go.
//!
//! A result that can be shown in every `--format` implements [`Render`]:
//! its document once for the two formats a person reads ([`Markup`]: the
//! aligned text of `text.rs` and the Markdown of `markdown.rs`), its CSV
//! records, and its JSON through `Serialize`. [`render`] picks the format,
//! as hyperfine's `ExportManager` picks an exporter.

pub(crate) mod agree;
pub(crate) mod cooccur;
pub(crate) mod crosstab;
pub(crate) mod csv;
pub(crate) mod diff;
pub(crate) mod excerpts;
pub(crate) mod explain;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod markup;
pub(crate) mod matrix;
pub(crate) mod memo_markdown;
pub(crate) mod memos;
pub(crate) mod names;
pub(crate) mod query;
pub(crate) mod reanchor;
pub(crate) mod saturation;
pub(crate) mod suggest;
pub(crate) mod table;
pub(crate) mod tally;
pub(crate) mod text;
pub(crate) mod xml_chars;

use serde::Serialize;

use crate::args::Format;
use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::text::PlainText;

pub(crate) use json::json;

/// A result shown in every `--format`.
pub(crate) trait Render: Serialize {
    /// The result as a document, for `table` and `markdown`.
    fn document(&self, out: &mut dyn Markup);

    /// The result as CSV records, the header first.
    fn records(&self) -> Vec<Vec<String>>;
}

/// `result` in `format`.
pub(crate) fn render(result: &impl Render, format: Format) -> Vec<u8> {
    match format {
        Format::Table => {
            let mut text = PlainText::default();
            result.document(&mut text);
            text.finish().into_bytes()
        }
        Format::Markdown => {
            let mut markdown = Markdown::default();
            result.document(&mut markdown);
            markdown.finish().into_bytes()
        }
        Format::Csv => csv::write(result.records()),
        Format::Json => json(result),
    }
}
