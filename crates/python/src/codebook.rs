//! `qda.Codebook`: a codebook read and its rules compiled once, shared by
//! every call; it pickles as its source text, so each Dask worker compiles
//! it again from that.

use std::fs;
use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use qda_coding::{Codebook, RuleSet};

use crate::error::Failure;

/// A codebook with its rules compiled.
#[pyclass(name = "Codebook", module = "qda._qda", frozen)]
pub(crate) struct PyCodebook {
    pub(crate) codebook: Codebook,
    pub(crate) rules: RuleSet,
    /// The source text, for pickling.
    text: String,
}

impl PyCodebook {
    fn parse(path: &Path, text: String) -> Result<Self, Failure> {
        let codebook = Codebook::parse(path, &text)?;
        let rules = RuleSet::new(&codebook)?;
        Ok(PyCodebook { codebook, rules, text })
    }
}

#[pymethods]
impl PyCodebook {
    /// Reads a codebook file (TOML) and compiles its rules.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        Ok(py.detach(|| {
            let (text, path) = read_text(&path, "codebook")?;
            PyCodebook::parse(&path, text)
        })?)
    }

    /// A codebook from its text; `path` names it in errors.
    #[staticmethod]
    #[pyo3(signature = (text, path = "codebook.toml".into()))]
    fn from_text(py: Python<'_>, text: String, path: PathBuf) -> PyResult<Self> {
        Ok(py.detach(|| PyCodebook::parse(&path, text))?)
    }

    /// Pickles as the source text and path: unpickling compiles the rules again.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let rebuild = py.get_type::<PyCodebook>().getattr("from_text")?;
        let args = (this.text.clone(), this.codebook.path().to_path_buf());
        (rebuild, args).into_pyobject(py)
    }

    /// The file the codebook was read from.
    #[getter]
    fn path(&self) -> String {
        self.codebook.path().display().to_string()
    }

    /// The codebook's name.
    #[getter]
    fn name(&self) -> &str {
        self.codebook.name()
    }

    /// The codebook's version, if it gives one.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.codebook.version()
    }

    /// The unit of coding: `turn`, `paragraph` or `sentence`.
    #[getter]
    fn unit(&self) -> &'static str {
        self.codebook.unit().as_str()
    }

    /// The interviewer's speaker labels, whose turns rules never code.
    #[getter]
    fn interviewer(&self) -> Vec<String> {
        self.codebook.interviewer().to_vec()
    }

    /// The codes, in codebook order, as columns.
    fn _codes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let codes = self.codebook.codes();
        let columns = PyDict::new(py);
        let text = |f: fn(&qda_coding::Code) -> Option<&String>| -> Vec<Option<String>> {
            codes.iter().map(|c| f(c).cloned()).collect()
        };
        columns.set_item("id", codes.iter().map(|c| c.id.clone()).collect::<Vec<_>>())?;
        columns.set_item("label", codes.iter().map(|c| c.label.clone()).collect::<Vec<_>>())?;
        columns.set_item("parent", text(|c| c.parent.as_ref()))?;
        columns.set_item("definition", text(|c| c.definition.as_ref()))?;
        columns.set_item("include", text(|c| c.include.as_ref()))?;
        columns.set_item("exclude", text(|c| c.exclude.as_ref()))?;
        columns.set_item("codable", codes.iter().map(|c| c.codable).collect::<Vec<_>>())?;
        columns.set_item("exclusive", codes.iter().map(|c| c.exclusive).collect::<Vec<_>>())?;
        let resolve: Vec<Option<&str>> =
            codes.iter().map(|c| c.exclusive.then(|| c.resolve.as_str())).collect();
        columns.set_item("resolve", resolve)?;
        columns.set_item("has_rule", codes.iter().map(|c| c.rule.is_some()).collect::<Vec<_>>())?;
        columns.set_item("examples", codes.iter().map(|c| c.examples.len()).collect::<Vec<_>>())?;
        columns.set_item(
            "counterexamples",
            codes.iter().map(|c| c.counterexamples.len()).collect::<Vec<_>>(),
        )?;
        columns.set_item("line", codes.iter().map(|c| c.line).collect::<Vec<_>>())?;
        Ok(columns)
    }

    /// `qda check` of the codebook (on `transcripts` too when given): its
    /// JSON document and its warnings.
    #[pyo3(signature = (transcripts, cases))]
    fn _check(
        &self,
        py: Python<'_>,
        transcripts: Vec<PathBuf>,
        cases: Option<PathBuf>,
    ) -> PyResult<(String, Vec<String>)> {
        let checked = py.detach(|| {
            qda_cli::json::check(self.source(), &transcripts, cases.as_deref())
                .map_err(Failure::from)
        })?;
        Ok((checked.json, checked.warnings))
    }
}

impl PyCodebook {
    /// The codebook as the command line's functions take it.
    pub(crate) fn source(&self) -> qda_cli::json::CodebookSource<'_> {
        qda_cli::json::CodebookSource { path: self.codebook.path(), text: &self.text }
    }
}

/// A UTF-8 text file (`what` names it in errors), with its path.
fn read_text(path: &Path, what: &str) -> Result<(String, PathBuf), Failure> {
    let shown = path.display().to_string();
    let bytes = fs::read(path).map_err(|e| {
        Failure::file("InputError", &shown, &format!("cannot read the {what}: {e}"))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::file(
            "InputError",
            &shown,
            &format!(
                "the {what} is not valid UTF-8 (at byte {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok((text, path.to_owned()))
}
