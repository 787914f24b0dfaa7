//! A simple table that renders as aligned text, Markdown or CSV.

use unicode_width::UnicodeWidthStr;

fn display_width(s: &str) -> usize {
    s.width()
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Headers and rows of strings.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) headers: Vec<String>,
    pub(crate) align: Vec<Align>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: Vec<(&str, Align)>) -> Self {
        Table {
            headers: headers.iter().map(|(h, _)| (*h).to_owned()).collect(),
            align: headers.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Aligned columns separated by two spaces, header underlined.
    pub(crate) fn to_text(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            let mut parts = Vec::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(display_width(cell));
                let last = i + 1 == cells.len();
                parts.push(match self.align[i] {
                    Align::Right => format!("{}{cell}", " ".repeat(pad)),
                    Align::Left if last => cell.clone(),
                    Align::Left => format!("{cell}{}", " ".repeat(pad)),
                });
            }
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(&self.headers, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, &mut out);
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }

    /// A GitHub-flavoured Markdown table.
    pub(crate) fn to_markdown(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let mut out = format!(
            "| {} |\n",
            self.headers.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | ")
        );
        let marks: Vec<&str> =
            self.align.iter().map(|a| if *a == Align::Right { "---:" } else { "---" }).collect();
        out.push_str(&format!("| {} |\n", marks.join(" | ")));
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.headers.len())
            .map(|i| {
                std::iter::once(&self.headers[i])
                    .chain(self.rows.iter().map(|r| &r[i]))
                    .map(|c| display_width(c))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }
}
