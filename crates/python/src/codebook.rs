//! `qda.Codebook`: a codebook read and its rules compiled once, shared by
//! every call; it pickles as its source text, so each Dask worker compiles
//! it again from that.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use qda_coding::{Codebook, Decision, RuleSet, SpeakerLabels};

use crate::corpus::{Corpus, read_text};
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

    /// Runs every example and counterexample through the rules and, with
    /// transcripts, codes them to find rules that match nothing. Returns
    /// `(failures, passed, summary, warnings)`: failures as columns.
    #[pyo3(signature = (transcripts, cases))]
    fn _check<'py>(
        &self,
        py: Python<'py>,
        transcripts: Vec<PathBuf>,
        cases: Vec<PathBuf>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let checked = py.detach(|| self.check(&transcripts, &cases))?;
        let failures = PyDict::new(py);
        failures.set_item(
            "code",
            checked.failures.iter().map(|f| f.code.clone()).collect::<Vec<_>>(),
        )?;
        failures.set_item("kind", checked.failures.iter().map(|f| f.kind).collect::<Vec<_>>())?;
        failures
            .set_item("number", checked.failures.iter().map(|f| f.number).collect::<Vec<_>>())?;
        failures.set_item(
            "text",
            checked.failures.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
        )?;
        failures
            .set_item("why", checked.failures.iter().map(|f| f.why.clone()).collect::<Vec<_>>())?;
        let summary = PyDict::new(py);
        if let Some((cases, segments, codable)) = checked.corpus {
            summary.set_item("cases", cases)?;
            summary.set_item("segments", segments)?;
            summary.set_item("codable_segments", codable)?;
        }
        let warnings = PyList::new(py, checked.warnings)?;
        (failures, checked.passed, summary, warnings).into_pyobject(py)
    }
}

/// An example the rule does not code, or a counterexample it codes.
struct ExampleFailure {
    code: String,
    kind: &'static str,
    number: usize,
    text: String,
    why: String,
}

struct Checked {
    failures: Vec<ExampleFailure>,
    passed: usize,
    /// Cases, segments and segments not by an interviewer, with transcripts.
    corpus: Option<(usize, usize, usize)>,
    warnings: Vec<String>,
}

impl PyCodebook {
    fn check(&self, transcripts: &[PathBuf], cases: &[PathBuf]) -> Result<Checked, Failure> {
        let mut checked =
            Checked { failures: Vec::new(), passed: 0, corpus: None, warnings: Vec::new() };
        for code in self.codebook.codes() {
            if code.rule.is_none() {
                if !code.examples.is_empty() || !code.counterexamples.is_empty() {
                    checked.warnings.push(format!(
                        "code `{}` has examples but no rule, so they are not checked",
                        code.id
                    ));
                }
                continue;
            }
            let tests = code.examples.iter().enumerate().map(|(i, t)| (true, i + 1, t));
            let tests = tests
                .chain(code.counterexamples.iter().enumerate().map(|(i, t)| (false, i + 1, t)));
            for (expected, number, text) in tests {
                let Some(decision) = self.rules.decide(&code.id, text) else { continue };
                if decision.applies == expected {
                    checked.passed += 1;
                    continue;
                }
                checked.failures.push(ExampleFailure {
                    code: code.id.clone(),
                    kind: if expected { "example" } else { "counterexample" },
                    number,
                    text: text.clone(),
                    why: explain(&decision, text),
                });
            }
        }
        if !transcripts.is_empty() {
            let loaded = Corpus::collect(transcripts, cases)?.load()?;
            let (mut segments, mut codable) = (0, 0);
            let mut coded: BTreeSet<String> = BTreeSet::new();
            let mut speakers = SpeakerLabels::new();
            for transcript in &loaded {
                speakers.merge(SpeakerLabels::of(transcript));
                let result = self.rules.code_transcript(&self.codebook, transcript);
                segments += result.segments;
                codable += result.codable_segments;
                coded.extend(result.codings.into_iter().map(|c| c.code));
            }
            let undeclared = speakers.undeclared(&self.codebook);
            checked.warnings.extend(undeclared.iter().map(ToString::to_string));
            for code in self.rules.codes() {
                if !coded.contains(code) {
                    checked.warnings.push(format!(
                        "code `{code}`: the rule matches no segment of these transcripts"
                    ));
                }
            }
            if codable == segments && !self.codebook.interviewer().is_empty() {
                checked.warnings.push(format!(
                    "no turn has an interviewer label ({}); check `interviewer` in the codebook",
                    self.codebook.interviewer().join(", ")
                ));
            }
            checked.corpus = Some((loaded.len(), segments, codable));
        }
        Ok(checked)
    }
}

/// Why a rule did or did not code a text, in one line: the term that
/// matched, or the missing `all` terms and vetoing `not` terms.
fn explain(decision: &Decision, text: &str) -> String {
    let quoted = |range: &std::ops::Range<usize>| format!("\"{}\"", &text[range.clone()]);
    if decision.applies {
        return decision.source().map_or_else(
            || "coded".to_owned(),
            |e| {
                format!(
                    "coded: `{}` term `{}` matched {}",
                    e.clause.as_str(),
                    e.term,
                    quoted(&e.range)
                )
            },
        );
    }
    let mut reasons = Vec::new();
    if decision.no_any {
        reasons.push("no `any` term or regex matched".to_owned());
    }
    if !decision.missing.is_empty() {
        reasons.push(format!("`all` terms missing: `{}`", decision.missing.join("`, `")));
    }
    for veto in &decision.vetoed_by {
        reasons.push(format!("`not` term `{}` matched {}", veto.term, quoted(&veto.range)));
    }
    format!("not coded: {}", reasons.join("; "))
}
