//! Case attributes: front-matter values and `cases.csv` rows.

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, Position, TranscriptError};
use crate::location::{CsvLines, Location};

/// One attribute value of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    /// `true` or `false`.
    Boolean(bool),
    /// A whole number, such as a year.
    Integer(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text, including dates as written.
    Text(String),
}

impl AttributeValue {
    /// Reads a spreadsheet cell: numbers and `true`/`false` become typed values.
    pub fn from_cell(cell: &str) -> Self {
        let cell = cell.trim();
        if let Ok(i) = cell.parse::<i64>() {
            AttributeValue::Integer(i)
        } else if let Some(f) = cell.parse::<f64>().ok().filter(|f| f.is_finite()) {
            AttributeValue::Float(f)
        } else if cell.eq_ignore_ascii_case("true") {
            AttributeValue::Boolean(true)
        } else if cell.eq_ignore_ascii_case("false") {
            AttributeValue::Boolean(false)
        } else {
            AttributeValue::Text(cell.to_owned())
        }
    }

    /// The number, for numeric attributes.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttributeValue::Integer(i) => Some(*i as f64),
            AttributeValue::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl fmt::Display for AttributeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeValue::Boolean(b) => write!(f, "{b}"),
            AttributeValue::Integer(i) => write!(f, "{i}"),
            AttributeValue::Float(x) => write!(f, "{x}"),
            AttributeValue::Text(s) => f.write_str(s),
        }
    }
}

/// Attributes of one case, in the order they were first given.
pub type Attributes = IndexMap<String, AttributeValue>;

/// The rows of a `cases.csv` file: one row per case, a column per attribute.
#[derive(Debug, Clone, Default)]
pub struct CaseTable {
    path: PathBuf,
    rows: Vec<CaseRow>,
    /// Each case's row: a transcript's row is looked up, not searched for.
    row_of: std::collections::BTreeMap<String, usize>,
}

#[derive(Debug, Clone)]
struct CaseRow {
    line: usize,
    case: String,
    values: Vec<(String, AttributeValue)>,
}

impl CaseTable {
    /// Parses a CSV file whose first column is `case`. Empty cells give no value.
    ///
    /// # Errors
    /// A file that is not UTF-8 CSV, has no `case` column first, names a case
    /// twice, or has a row of the wrong length.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, TranscriptError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let error = |kind: ErrorKind, line: Option<u64>, message: String| TranscriptError {
            kind,
            position: Position {
                path: path.to_owned(),
                location: line.map(|l| Location { line: l as usize, column: 1 }),
            },
            message,
        };
        let lines = CsvLines::new(bytes);
        let line_of = |byte: u64| lines.line_of(byte);
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| {
                let line = e.position().map(|p| p.line());
                error(ErrorKind::of_csv(&e), line, format!("unreadable CSV: {e}"))
            })?
            .clone();
        if headers.get(0).map(str::trim) != Some("case") {
            return Err(error(
                ErrorKind::Syntax,
                Some(1),
                "the first column must be `case`; add a header row that starts with `case`"
                    .to_owned(),
            ));
        }
        let columns: Vec<String> = headers.iter().skip(1).map(|h| h.trim().to_owned()).collect();
        if let Some(dup) = columns.iter().enumerate().find(|(i, c)| columns[..*i].contains(c)) {
            return Err(error(
                ErrorKind::Duplicate,
                Some(1),
                format!("column `{}` appears twice", dup.1),
            ));
        }
        let mut rows: Vec<CaseRow> = Vec::new();
        // Each case's row, to find a repeated case without a search.
        let mut row_of: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| line_of(p.byte()));
                error(ErrorKind::of_csv(&e), line, format!("unreadable CSV row: {e}"))
            })?;
            let line = record.position().map_or(0, |p| line_of(p.byte()) as usize);
            let case = record.get(0).unwrap_or("").trim().to_owned();
            if case.is_empty() {
                if record.iter().all(|cell| cell.trim().is_empty()) {
                    continue;
                }
                return Err(error(
                    ErrorKind::Missing,
                    Some(line as u64),
                    "the `case` cell is empty".to_owned(),
                ));
            }
            if let Some(first) = row_of.get(&case).map(|&i| &rows[i]) {
                return Err(error(
                    ErrorKind::Duplicate,
                    Some(line as u64),
                    format!("case `{case}` already has a row on line {}; keep one", first.line),
                ));
            }
            let values = columns
                .iter()
                .zip(record.iter().skip(1))
                .filter(|(_, cell)| !cell.trim().is_empty())
                .map(|(column, cell)| (column.clone(), AttributeValue::from_cell(cell)))
                .collect();
            row_of.insert(case.clone(), rows.len());
            rows.push(CaseRow { line, case, values });
        }
        Ok(CaseTable { path: path.to_owned(), rows, row_of })
    }

    /// Cases named in the table, in file order.
    pub fn cases(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|r| r.case.as_str())
    }

    /// Adds this table's values for `case` to `attributes`.
    ///
    /// # Errors
    /// A value that `attributes` already has, with a different value.
    pub fn merge_into(
        &self,
        case: &str,
        attributes: &mut Attributes,
        source: &Path,
    ) -> Result<(), TranscriptError> {
        let Some(row) = self.row_of.get(case).map(|&i| &self.rows[i]) else { return Ok(()) };
        for (key, value) in &row.values {
            match attributes.get(key) {
                Some(existing) if existing.to_string() != value.to_string() => {
                    return Err(TranscriptError {
                        kind: ErrorKind::Conflict,
                        position: Position {
                            path: self.path.clone(),
                            location: Some(Location { line: row.line, column: 1 }),
                        },
                        message: format!(
                            "attribute `{key}` of case `{case}` is `{value}` here but `{existing}` in {}; keep one value",
                            source.display()
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    attributes.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_typed() {
        assert_eq!(AttributeValue::from_cell("2001"), AttributeValue::Integer(2001));
        assert_eq!(AttributeValue::from_cell("2.5"), AttributeValue::Float(2.5));
        assert_eq!(AttributeValue::from_cell("TRUE"), AttributeValue::Boolean(true));
        assert_eq!(AttributeValue::from_cell("Japan"), AttributeValue::Text("Japan".into()));
        assert_eq!(AttributeValue::from_cell("NaN"), AttributeValue::Text("NaN".into()));
    }

    #[test]
    fn crlf_rows_report_their_own_line() {
        let table = CaseTable::parse(Path::new("c.csv"), b"case,year\r\nP01,2001\r\nP01,2002\r\n")
            .unwrap_err();
        assert_eq!(
            table.to_string(),
            "c.csv:3:1: case `P01` already has a row on line 2; keep one"
        );
    }

    #[test]
    fn a_conflicting_value_is_an_error() {
        let table =
            CaseTable::parse(Path::new("cases.csv"), b"case,year\nP01,2001\nP02,\n").unwrap();
        let mut attributes = Attributes::new();
        attributes.insert("year".into(), AttributeValue::Integer(2002));
        let err = table.merge_into("P01", &mut attributes, Path::new("P01.txt")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cases.csv:2:1: attribute `year` of case `P01` is `2001` here but `2002` in P01.txt; keep one value"
        );
        let mut same = Attributes::new();
        same.insert("year".into(), AttributeValue::Integer(2001));
        table.merge_into("P01", &mut same, Path::new("P01.txt")).unwrap();
        let mut empty = Attributes::new();
        table.merge_into("P02", &mut empty, Path::new("P02.txt")).unwrap();
        assert!(empty.is_empty());
    }
}
