//! The two formats a person reads, `--format table` and `--format
//! markdown`, as one trait: a renderer writes its document once, as
//! headings, paragraphs, lines and tables, and each format lays them out
//! (as hyperfine's `MarkupExporter` does for its Markdown, `AsciiDoc` and
//! Org tables).
//!
//! Text goes in as it is; the Markdown writer escapes it, in one place
//! (`render::markdown`), and the plain-text writer needs no escaping.

use crate::render::table::Table;

/// A document in plain text or Markdown.
pub(crate) trait Markup {
    /// A heading: level 2 is a document's title, 3 a section, 4 a part.
    fn heading(&mut self, level: usize, text: &str);

    /// A paragraph: text, then a blank line.
    fn paragraph(&mut self, text: &str);

    /// One line of a block whose lines must stay apart (notes, tests).
    fn line(&mut self, text: &str);

    /// The last line of a block: no line break needed after it.
    fn last_line(&mut self, text: &str);

    /// An item of a bulleted list.
    fn item(&mut self, text: &str);

    /// An empty line.
    fn blank(&mut self);

    /// A table.
    fn table(&mut self, table: &Table);

    /// How wide a long text (a transcript's segment) may be in a table
    /// cell: aligned columns must fit a terminal; `None` for no limit.
    fn cell_width(&self) -> Option<usize>;
}
