//! The `qda` Python package's extension module, `qda._qda`: the coding
//! engine (`qda-coding`) and the statistics (`qda-stats`) behind a few
//! functions that return plain columns; `qda/__init__.py` makes pandas
//! `DataFrames` of them. Every call releases the GIL while the engine runs,
//! and failures raise the `qda.errors` exceptions with file, line and column.

mod agree;
mod codebook;
mod coding;
mod corpus;
mod error;
mod tally;

use pyo3::prelude::*;

/// The compiled part of the `qda` package; use `qda` itself.
#[pymodule]
fn _qda(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<codebook::PyCodebook>()?;
    m.add_function(wrap_pyfunction!(coding::_read_transcripts, m)?)?;
    m.add_function(wrap_pyfunction!(coding::_code, m)?)?;
    m.add_function(wrap_pyfunction!(coding::_code_texts, m)?)?;
    m.add_function(wrap_pyfunction!(tally::_tally, m)?)?;
    m.add_function(wrap_pyfunction!(agree::_agree, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
