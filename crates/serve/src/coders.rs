//! Coder names: the rules every coder's name follows, and a class's list of
//! students (`coders.csv`, one row per student), whose names also name
//! their codings files (`codings/NAME.json`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::ServeError;

/// Checks a coder's name: not empty, not `rules` (reserved for the rules'
/// codings), no surrounding spaces.
///
/// # Errors
/// What is wrong with the name, and how to fix it.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed == qda_coding::RULES_CODER || trimmed != name {
        return Err(
            "name the person coding (`rules` is reserved for rule codings; no surrounding spaces)"
                .to_owned(),
        );
    }
    Ok(())
}

/// Checks a student's name, which also names their codings file: a coder's
/// name ([`check_name`]) that is a plain file name.
fn check_student_name(name: &str) -> Result<(), String> {
    check_name(name)?;
    if name.starts_with('.')
        || name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'))
    {
        return Err(format!(
            "the name {name:?} also names the student's codings file (codings/NAME.json): leave out `/`, `\\`, `:` and control characters, and do not start it with `.`"
        ));
    }
    Ok(())
}

/// Reads a class list: a CSV file whose first column is `name`, one row per
/// student (further columns are ignored, so a roster with e-mail addresses
/// can be used as it is). Blank rows are skipped.
///
/// # Errors
/// `FILE:LINE:COL: what is wrong`: not UTF-8 CSV, no `name` column first,
/// no student, a name that is not a coder's name (not empty, not `rules`,
/// no surrounding spaces) or not a plain file name, or a name given twice (compared without case, as file systems that ignore
/// case would give both one file).
pub fn read_class_list(path: &Path) -> Result<Vec<String>, ServeError> {
    let bytes = std::fs::read(path)
        .map_err(ServeError::io(format!("{}: cannot read the class list", path.display())))?;
    parse_class_list(path, &bytes)
}

fn parse_class_list(path: &Path, bytes: &[u8]) -> Result<Vec<String>, ServeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let at = |line: u64, message: String| {
        ServeError::Setup(format!("{}:{line}:1: {message}", path.display()))
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| at(e.position().map_or(1, |p| p.line()), format!("unreadable CSV: {e}")))?
        .clone();
    if headers.get(0).map(str::trim) != Some("name") {
        return Err(at(
            1,
            "the first column must be `name`; add a header row `name`, then one student's name per row".to_owned(),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    // Lower-cased name → the line it was first given on.
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let lines = qda_coding::CsvLines::new(bytes);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| lines.line_of(p.byte()));
            at(line, format!("unreadable CSV row: {e}"))
        })?;
        let line = record.position().map_or(1, |p| lines.line_of(p.byte()));
        let name = record.get(0).unwrap_or("");
        if name.trim().is_empty() && record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        check_student_name(name).map_err(|problem| at(line, format!("{name:?}: {problem}")))?;
        if let Some(first) = seen.insert(name.to_lowercase(), line) {
            return Err(at(
                line,
                format!(
                    "`{name}` is already a student on line {first} (names are compared without case, as they name files); give each student one row and a name of their own"
                ),
            ));
        }
        names.push(name.to_owned());
    }
    if names.is_empty() {
        return Err(at(1, "no student: add one name per row under the header `name`".to_owned()));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<String>, String> {
        parse_class_list(Path::new("coders.csv"), text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn names_are_read_in_order_and_extra_columns_ignored() {
        assert_eq!(
            parse("\u{feff}name,email\r\nanna,a@x\r\n,\r\nBen Ng,b@x\r\n").unwrap(),
            ["anna", "Ben Ng"]
        );
    }

    #[test]
    fn a_duplicate_names_both_lines() {
        assert_eq!(
            parse("name\nanna\nben\nAnna\n").unwrap_err(),
            "coders.csv:4:1: `Anna` is already a student on line 2 (names are compared without case, as they name files); give each student one row and a name of their own"
        );
    }
}
