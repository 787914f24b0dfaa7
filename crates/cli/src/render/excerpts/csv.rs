//! Excerpts as CSV: UTF-8, with the byte-order mark by which Excel knows
//! the file is UTF-8 (so Korean and Japanese text opens intact) unless
//! `--no-bom`.

use anyhow::Result;

use super::Excerpts;

const BOM: &[u8] = "\u{feff}".as_bytes();

pub(super) fn render(excerpts: &Excerpts<'_>, bom: bool) -> Result<Vec<u8>> {
    let start = if bom { BOM.to_vec() } else { Vec::new() };
    let mut writer = ::csv::Writer::from_writer(start);
    writer.write_record(excerpts.header())?;
    for row in excerpts.rows() {
        writer.write_record(excerpts.cells(&row))?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}
