//! Excerpts as an Excel workbook: an "Excerpts" sheet with every row
//! (filters on the header, the header row frozen), then a sheet per code
//! with its rows. Long texts wrap; columns have set widths.
//!
//! Same inputs, same bytes: the workbook's creation date, which
//! `rust_xlsxwriter` would take from the clock, is fixed.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use super::{Excerpts, Row};

/// Excel's limits: characters in a cell, rows in a sheet, characters in a
/// sheet name.
const CELL_MAX: usize = 32_767;
const ROWS_MAX: usize = 1_048_576;
const NAME_MAX: usize = 31;

/// The first sheet's name, kept free for it among the codes' sheet names.
const ALL: &str = "Excerpts";

pub(super) fn render(excerpts: &Excerpts<'_>) -> Result<Vec<u8>> {
    check_limits(excerpts)?;
    let mut workbook = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("qda"));
    let rows: Vec<Row<'_>> = excerpts.rows().collect();
    sheet(workbook.add_worksheet(), ALL, excerpts, &rows)?;
    let mut taken = reserved();
    for code in excerpts.codes() {
        let name = sheet_name(code, &mut taken);
        let of_code: Vec<Row<'_>> = excerpts.rows().filter(|r| r.excerpt.code == code).collect();
        sheet(workbook.add_worksheet(), &name, excerpts, &of_code)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Refuses what an Excel sheet cannot hold, before any is written.
fn check_limits(excerpts: &Excerpts<'_>) -> Result<()> {
    if excerpts.len() >= ROWS_MAX {
        bail!(
            "{} excerpts are more than an Excel sheet holds ({} rows); narrow them with --code, --case or --where, or write .csv",
            excerpts.len(),
            ROWS_MAX - 1
        );
    }
    for row in excerpts.rows() {
        let e = row.excerpt;
        for (what, text) in [("text", &e.text), ("memo", e.memo.as_ref().unwrap_or(&String::new()))]
        {
            let n = text.chars().count();
            if n > CELL_MAX {
                bail!(
                    "segment {}: its {what} has {n} characters, more than an Excel cell holds ({CELL_MAX}); write .csv, .docx or .html instead, or split the turn",
                    e.segment
                );
            }
        }
    }
    Ok(())
}

fn sheet(
    sheet: &mut Worksheet,
    name: &str,
    excerpts: &Excerpts<'_>,
    rows: &[Row<'_>],
) -> Result<()> {
    sheet.set_name(name)?;
    let header = excerpts.header();
    let bold = Format::new().set_bold().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    // The memo and text columns are the last two.
    let long_from = header.len() - 2;
    for (col, title) in header.iter().enumerate() {
        let col = u16::try_from(col)?;
        sheet.write_string_with_format(0, col, title, &bold)?;
        let width = if usize::from(col) >= long_from {
            30 + 30 * (usize::from(col) - long_from)
        } else {
            14
        };
        sheet.set_column_width(col, u32::try_from(width)?)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let at = u32::try_from(i + 1)?;
        for (col, cell) in excerpts.cells(row).iter().enumerate() {
            let format = if col >= long_from { &wrapped } else { &top };
            sheet.write_string_with_format(at, u16::try_from(col)?, cell, format)?;
        }
    }
    let last_col = u16::try_from(header.len() - 1)?;
    sheet.autofilter(0, 0, u32::try_from(rows.len())?, last_col)?;
    sheet.set_freeze_panes(1, 0)?;
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
