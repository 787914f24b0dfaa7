//! Excerpts as CSV: UTF-8, with the byte-order mark by which Excel knows
//! the file is UTF-8 (so Korean and Japanese text opens intact) unless
//! `--no-bom`.

use std::io::Write;

use anyhow::Result;

use super::Excerpts;
use crate::output::Sink;

const BOM: &[u8] = "\u{feff}".as_bytes();

pub(super) fn render(excerpts: &Excerpts<'_>, bom: bool, out: &mut Sink) -> Result<()> {
    if bom {
        out.write_all(BOM)?;
    }
    let mut writer = ::csv::Writer::from_writer(out);
    writer.write_record(excerpts.header())?;
    excerpts.rows(|case, excerpt| Ok(writer.write_record(excerpts.cells(case, excerpt))?))?;
    writer.flush()?;
    Ok(())
}
