//! `--format markdown` and the Markdown report: the one place where text
//! is escaped for Markdown.
//!
//! Every text a [`Markdown`] writer is given is escaped: transcripts,
//! labels, notes, ids and the tool's own sentences alike, so a code label
//! `Reason <b>for</b> *leaving*` comes out as those characters wherever it
//! is shown. Markup the tool writes itself (a list's dash, a block quote,
//! strong text, a code span) goes through the writer's own methods.

use crate::render::markup::Markup;
use crate::render::table::{Align, Table};

/// A Markdown document being written.
#[derive(Default)]
pub(crate) struct Markdown {
    out: String,
}

impl Markdown {
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// Text within a line, escaped; line breaks become spaces.
    pub(crate) fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text).replace('\n', " "));
        self
    }

    /// Text that may span lines, escaped, its line breaks kept.
    pub(crate) fn text_lines(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    /// Strong text, escaped, its line breaks kept.
    pub(crate) fn strong(&mut self, text: &str) -> &mut Self {
        self.out.push_str("**");
        self.text_lines(text);
        self.out.push_str("**");
        self
    }

    /// A code span: its text is shown as it is.
    pub(crate) fn code(&mut self, text: &str) -> &mut Self {
        self.out.push('`');
        self.out.push_str(&text.replace('`', "'"));
        self.out.push('`');
        self
    }

    /// Markdown a person wrote (a memo), kept as Markdown: its surrounding
    /// blank lines trimmed, nothing escaped.
    pub(crate) fn verbatim(&mut self, markdown: &str) -> &mut Self {
        self.out.push_str(markdown.trim_matches('\n'));
        self
    }

    /// Markup written here, not from any input: `- `, `**`, `\n`.
    pub(crate) fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// A block quote of `inner`'s document: each line quoted, a blank
    /// line kept as an empty quoted line.
    pub(crate) fn quote(&mut self, inner: Markdown) -> &mut Self {
        for line in inner.out.lines() {
            let line = line.trim_end();
            self.out.push('>');
            if !line.is_empty() {
                self.out.push(' ');
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        self
    }
}

impl Markup for Markdown {
    fn heading(&mut self, level: usize, text: &str) {
        self.out.push_str(&"#".repeat(level));
        self.out.push(' ');
        self.text(text);
        self.out.push_str("\n\n");
    }

    fn paragraph(&mut self, text: &str) {
        self.text(text);
        self.out.push_str("\n\n");
    }

    fn line(&mut self, text: &str) {
        self.text(text);
        // Two spaces: a line break within the paragraph.
        self.out.push_str("  \n");
    }

    fn last_line(&mut self, text: &str) {
        self.text(text);
        self.out.push('\n');
    }

    fn item(&mut self, text: &str) {
        self.out.push_str("- ");
        self.last_line(text);
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    /// A GitHub-flavoured Markdown table.
    fn table(&mut self, table: &Table) {
        let row = |cells: &[String], code_columns: &[usize]| {
            let cells: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let mut md = Markdown::default();
                    if code_columns.contains(&i) {
                        md.code(cell);
                    } else {
                        md.text(cell);
                    }
                    md.out.replace('|', "\\|")
                })
                .collect();
            format!("| {} |\n", cells.join(" | "))
        };
        self.out.push_str(&row(&table.headers, &[]));
        let marks: Vec<&str> =
            table.align.iter().map(|a| if *a == Align::Right { "---:" } else { "---" }).collect();
        self.out.push_str(&format!("| {} |\n", marks.join(" | ")));
        for cells in &table.rows {
            self.out.push_str(&row(cells, &table.code_columns));
        }
    }

    fn cell_width(&self) -> Option<usize> {
        None
    }
}

/// `CommonMark`'s backslash escapes for the characters that start emphasis,
/// links, code, headings and HTML, and `&` as an entity where it could start
/// one. `|` is left alone: only table cells need it escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let inside_word = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|p| chars.get(p));
        let after = chars.get(i + 1);
        match c {
            // An underscore inside a word (`settled_in`) starts no emphasis.
            '_' if inside_word(before) && inside_word(after) => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            // Only `&name;` and `&#…;` are entities; `a & b` is text.
            '&' if after.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '#') => {
                out.push_str("&amp;");
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_emphasis_are_escaped() {
        let mut md = Markdown::default();
        md.text("<script>alert(1)</script> *a* &amp; [b](c) settled_in _x_ a & b");
        assert_eq!(
            md.finish(),
            "\\<script\\>alert(1)\\</script\\> \\*a\\* &amp;amp; \\[b\\](c) settled_in \\_x\\_ a & b"
        );
    }

    #[test]
    fn table_cells_are_escaped_once() {
        let mut table = Table::new(vec![("code", Align::Left), ("n", Align::Right)]);
        table.push(vec!["a|b <i>".to_owned(), "1".to_owned()]);
        let mut md = Markdown::default();
        md.table(&table);
        assert_eq!(md.finish(), "| code | n |\n| --- | ---: |\n| a\\|b \\<i\\> | 1 |\n");
    }
}
