//! A table of text: headers, alignment and rows, laid out by each format
//! (`render::text` aligns it, `render::markdown` writes a GitHub table).

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
    /// Columns whose cells are literal values (hashes) that Markdown shows
    /// as code.
    pub(crate) code_columns: Vec<usize>,
}

impl Table {
    pub(crate) fn new(headers: Vec<(&str, Align)>) -> Self {
        Table {
            headers: headers.iter().map(|(h, _)| (*h).to_owned()).collect(),
            align: headers.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
            code_columns: Vec::new(),
        }
    }

    /// Shows `column` as code where the format has code.
    pub(crate) fn code_column(mut self, column: usize) -> Self {
        self.code_columns.push(column);
        self
    }

    pub(crate) fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
}
