//! The `qda` Python package's extension module, `qda._qda`: the coding
//! engine (`qda-coding`) behind a few functions that return plain columns,
//! the `qda` command itself (`main`), and the JSON documents of `qda
//! tally`, `qda agree --ratings` and `qda check` as the command builds
//! them (`qda_cli::json`); `qda/__init__.py` makes pandas `DataFrames` of
//! them. Every call releases the GIL while the engine runs, and failures
//! raise the `qda.errors` exceptions with file, line and column.

mod codebook;
mod coding;
mod error;

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::codebook::PyCodebook;
use crate::error::Failure;

/// Runs the `qda` command with `argv` (the program name first) in this
/// process, on the standard streams, and returns its exit code.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> u8 {
    py.detach(|| qda_cli::run(argv))
}

/// `qda tally --format json`: the document, and the command's warnings.
#[pyfunction]
#[pyo3(signature = (codebook, paths, cases, adjudications, by))]
fn _tally(
    py: Python<'_>,
    codebook: &PyCodebook,
    paths: Vec<PathBuf>,
    cases: Option<PathBuf>,
    adjudications: Option<PathBuf>,
    by: Option<String>,
) -> PyResult<(String, Vec<String>)> {
    let tallied = py.detach(|| {
        qda_cli::json::tally(
            codebook.source(),
            &paths,
            cases.as_deref(),
            adjudications.as_deref(),
            by.as_deref(),
        )
        .map_err(Failure::from)
    })?;
    Ok((tallied.json, tallied.warnings))
}

/// `qda agree --ratings --format json` on a ratings table given as CSV.
#[pyfunction]
#[pyo3(signature = (table, name, level, order, resamples, seed))]
fn _agree(
    py: Python<'_>,
    table: String,
    name: PathBuf,
    level: &str,
    order: Option<String>,
    resamples: usize,
    seed: u64,
) -> PyResult<String> {
    let agreed = py.detach(|| {
        qda_cli::json::agree_ratings(
            table.as_bytes(),
            &name,
            level,
            order.as_deref(),
            resamples,
            seed,
        )
        .map_err(Failure::from)
    })?;
    Ok(agreed.json)
}

/// The compiled part of the `qda` package; use `qda` itself.
#[pymodule]
fn _qda(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCodebook>()?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(coding::_read_transcripts, m)?)?;
    m.add_function(wrap_pyfunction!(coding::_code, m)?)?;
    m.add_function(wrap_pyfunction!(coding::_code_texts, m)?)?;
    m.add_function(wrap_pyfunction!(_tally, m)?)?;
    m.add_function(wrap_pyfunction!(_agree, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
