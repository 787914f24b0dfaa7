//! Excerpts as an Excel workbook: an "Excerpts" sheet with every row
//! (filters on the header, the header row frozen), then a sheet per code
//! with its rows. Long texts wrap; columns have set widths.
//!
//! Every sheet is in `rust_xlsxwriter`'s constant memory mode: a row is
//! written out to a temporary file once the next one starts, so a sheet
//! must be written top to bottom. One pass over the rows does that for
//! every sheet at once: a row goes to the first sheet and to the end of its
//! code's sheet, whose rows are then in the same order as in the first.
//!
//! Same inputs, same bytes: the workbook's creation date, which
//! `rust_xlsxwriter` would take from the clock, is fixed.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use super::{Excerpt, Excerpts};
use crate::output::Sink;

/// Excel's limits: characters in a cell, rows in a sheet, characters in a
/// sheet name.
const CELL_MAX: usize = 32_767;
const ROWS_MAX: usize = 1_048_576;
const NAME_MAX: usize = 31;

/// The first sheet's name, kept free for it among the codes' sheet names.
const ALL: &str = "Excerpts";

pub(super) fn render(excerpts: &Excerpts<'_>, out: &mut Sink) -> Result<()> {
    if excerpts.len() >= ROWS_MAX {
        bail!(
            "{} excerpts are more than an Excel sheet holds ({} rows); narrow them with --code, --case or --where, or write .csv",
            excerpts.len(),
            ROWS_MAX - 1
        );
    }
    let mut workbook = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("qda"));
    let header = excerpts.header();
    let formats = Formats::new();
    start_sheet(
        workbook.add_worksheet_with_constant_memory(),
        ALL,
        &header,
        excerpts.len(),
        &formats,
    )?;
    // Each code's sheet and the row its next excerpt goes to.
    let mut sheets: BTreeMap<&str, (usize, u32)> = BTreeMap::new();
    let mut taken = reserved();
    for (index, code) in excerpts.codes().into_iter().enumerate() {
        let name = sheet_name(code, &mut taken);
        let sheet = workbook.add_worksheet_with_constant_memory();
        start_sheet(sheet, &name, &header, excerpts.count_of(code), &formats)?;
        sheets.insert(code, (index + 1, 1));
    }
    let mut next = 1;
    excerpts.rows(|case, excerpt| {
        check_cells(excerpt)?;
        let cells = excerpts.cells(case, excerpt);
        write_row(workbook.worksheet_from_index(0)?, next, &cells, &formats)?;
        next += 1;
        if let Some((index, row)) = sheets.get_mut(excerpt.code.as_str()) {
            write_row(workbook.worksheet_from_index(*index)?, *row, &cells, &formats)?;
            *row += 1;
        }
        Ok(())
    })?;
    workbook.save_to_writer(out)?;
    Ok(())
}

/// Refuses what an Excel cell cannot hold (the file is not written).
fn check_cells(e: &Excerpt) -> Result<()> {
    for (what, text) in [("text", &e.text), ("memo", e.memo.as_ref().unwrap_or(&String::new()))] {
        let n = text.chars().count();
        if n > CELL_MAX {
            bail!(
                "segment {}: its {what} has {n} characters, more than an Excel cell holds ({CELL_MAX}); write .csv, .docx or .html instead, or split the turn",
                e.segment
            );
        }
    }
    Ok(())
}

/// The cell formats: the header's, short values', and the long texts'.
struct Formats {
    bold: Format,
    top: Format,
    wrapped: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold().set_align(FormatAlign::Top),
            top: Format::new().set_align(FormatAlign::Top),
            wrapped: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// Names a sheet and writes its header, column widths, filters and frozen
/// header row, all before its first row of excerpts (in constant memory
/// mode the header row is written out when the next row starts).
fn start_sheet(
    sheet: &mut Worksheet,
    name: &str,
    header: &[String],
    rows: usize,
    formats: &Formats,
) -> Result<()> {
    sheet.set_name(name)?;
    let long_from = long_from(header.len());
    for (col, title) in header.iter().enumerate() {
        let col = u16::try_from(col)?;
        sheet.write_string_with_format(0, col, title, &formats.bold)?;
        let width = if usize::from(col) >= long_from {
            30 + 30 * (usize::from(col) - long_from)
        } else {
            14
        };
        sheet.set_column_width(col, u32::try_from(width)?)?;
    }
    let last_col = u16::try_from(header.len() - 1)?;
    sheet.autofilter(0, 0, u32::try_from(rows)?, last_col)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The memo and text columns, the last two, wrap.
fn long_from(columns: usize) -> usize {
    columns - 2
}

fn write_row(sheet: &mut Worksheet, at: u32, cells: &[String], formats: &Formats) -> Result<()> {
    let long_from = long_from(cells.len());
    for (col, cell) in cells.iter().enumerate() {
        let format = if col >= long_from { &formats.wrapped } else { &formats.top };
        sheet.write_string_with_format(at, u16::try_from(col)?, cell, format)?;
    }
    Ok(())
}

/// The names no code's sheet may take: the first sheet's, and `History`,
/// which Excel keeps for itself.
fn reserved() -> BTreeSet<String> {
    BTreeSet::from([ALL.to_lowercase(), "history".to_owned()])
}

/// A sheet name Excel accepts for `code`: without `[]:*?/\`, not starting
/// or ending with `'`, at most 31 characters, and unlike every name taken
/// (Excel compares names without case).
fn sheet_name(code: &str, taken: &mut BTreeSet<String>) -> String {
    let clean: String =
        code.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).collect();
    let clean = clean.trim_matches('\'');
    let clean = if clean.is_empty() { "code" } else { clean };
    let mut n = 1;
    loop {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let room = NAME_MAX - suffix.chars().count();
        let name: String = clean.chars().take(room).collect::<String>() + &suffix;
        if taken.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = reserved();
        assert_eq!(sheet_name("excerpts", &mut taken), "excerpts (2)");
        assert_eq!(sheet_name("a/b:c", &mut taken), "a_b_c");
        assert_eq!(sheet_name("'quoted'", &mut taken), "quoted");
        let long = "settlement_difficulty_in_the_first_year";
        let first = sheet_name(long, &mut taken);
        assert_eq!(first, "settlement_difficulty_in_the_fi");
        assert_eq!(first.chars().count(), 31);
        let second = sheet_name(long, &mut taken);
        assert_eq!(second, "settlement_difficulty_in_th (2)");
        assert_eq!(sheet_name("정착_어려움", &mut taken), "정착_어려움");
        assert_eq!(sheet_name("History", &mut taken), "History (2)");
    }
}
