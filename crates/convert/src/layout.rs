//! What the Word and OpenDocument readers build as they meet a document's
//! elements: paragraphs (with their line breaks and leading bold text) and
//! the rows of outer tables, as [`Piece`]s. A paragraph inside a table cell
//! becomes a line of that cell; tables nested in a cell are read as its text.

use crate::turns::{self, Piece};

#[derive(Debug, Default)]
pub(crate) struct Layout {
    pieces: Vec<Piece>,
    /// Lines of the paragraph being read; empty outside a paragraph.
    lines: Vec<String>,
    /// Leading bold text of the paragraph, and whether it is still growing.
    bold: String,
    bold_open: bool,
    /// Table nesting, and the row and cell being read at the outer level.
    tables: usize,
    row: Vec<String>,
    cell: Vec<String>,
}

impl Layout {
    pub(crate) fn start_paragraph(&mut self) {
        self.lines = vec![String::new()];
        self.bold.clear();
        self.bold_open = true;
    }

    pub(crate) fn in_paragraph(&self) -> bool {
        !self.lines.is_empty()
    }

    /// Text of the paragraph being read (none outside one), `bold` or not:
    /// bold text before any other counts as the paragraph's label.
    pub(crate) fn text(&mut self, text: &str, bold: bool) {
        let Some(line) = self.lines.last_mut() else { return };
        line.push_str(text);
        if self.bold_open {
            if bold {
                self.bold.push_str(text);
            } else if !(self.bold.trim().is_empty() && text.trim().is_empty()) {
                self.bold_open = false;
            }
        }
    }

    /// A line break inside the paragraph; a label ends at it.
    pub(crate) fn line_break(&mut self) {
        self.lines.push(String::new());
        self.bold_open = false;
    }

    pub(crate) fn end_paragraph(&mut self) {
        let lines = std::mem::take(&mut self.lines);
        if self.tables > 0 {
            self.cell.push(lines.join("\n"));
        } else {
            let bold = std::mem::take(&mut self.bold);
            self.pieces.push(turns::paragraph(&lines, &bold));
        }
    }

    pub(crate) fn start_table(&mut self) {
        self.tables += 1;
    }

    pub(crate) fn end_table(&mut self) {
        self.tables = self.tables.saturating_sub(1);
    }

    pub(crate) fn start_row(&mut self) {
        if self.tables == 1 {
            self.row.clear();
        }
    }

    pub(crate) fn end_row(&mut self) {
        if self.tables == 1 {
            self.pieces.push(Piece::Row(std::mem::take(&mut self.row)));
        }
    }

    pub(crate) fn start_cell(&mut self) {
        if self.tables == 1 {
            self.cell.clear();
        }
    }

    pub(crate) fn end_cell(&mut self) {
        if self.tables == 1 {
            let cell = std::mem::take(&mut self.cell);
            self.row.push(cell.join("\n"));
        }
    }

    pub(crate) fn into_pieces(self) -> Vec<Piece> {
        self.pieces
    }
}
