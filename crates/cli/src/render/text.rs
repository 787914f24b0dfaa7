//! `--format table`: plain text with aligned columns, for a terminal.

use unicode_width::UnicodeWidthStr;

use crate::render::markup::Markup;
use crate::render::table::{Align, Table};

/// A plain-text document being written.
#[derive(Default)]
pub(crate) struct PlainText {
    out: String,
}

impl PlainText {
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

impl Markup for PlainText {
    fn heading(&mut self, _level: usize, text: &str) {
        self.paragraph(text);
    }

    fn paragraph(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push_str("\n\n");
    }

    fn line(&mut self, text: &str) {
        self.last_line(text);
    }

    fn last_line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn item(&mut self, text: &str) {
        self.out.push_str("- ");
        self.last_line(text);
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn table(&mut self, table: &Table) {
        self.out.push_str(&aligned(table));
    }

    fn cell_width(&self) -> Option<usize> {
        Some(80)
    }
}

/// Aligned columns separated by two spaces, the header underlined.
pub(crate) fn aligned(table: &Table) -> String {
    let widths = widths(table);
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let mut parts = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.width());
            let last = i + 1 == cells.len();
            parts.push(match table.align[i] {
                Align::Right => format!("{}{cell}", " ".repeat(pad)),
                Align::Left if last => cell.clone(),
                Align::Left => format!("{cell}{}", " ".repeat(pad)),
            });
        }
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&table.headers, &mut out);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, &mut out);
    for row in &table.rows {
        line(row, &mut out);
    }
    out
}

/// Each column's width on a terminal: its widest cell.
fn widths(table: &Table) -> Vec<usize> {
    (0..table.headers.len())
        .map(|i| {
            std::iter::once(&table.headers[i])
                .chain(table.rows.iter().map(|r| &r[i]))
                .map(|c| c.width())
                .max()
                .unwrap_or(0)
        })
        .collect()
}
