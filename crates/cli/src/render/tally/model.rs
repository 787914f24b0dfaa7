//! What a tally shows, with percentages and intervals computed: the view
//! model every format renders.

use indexmap::IndexMap;
use qda_coding::{CodeTally, Codebook, GroupTally, Route, Tally, UNCODED};
use serde::Serialize;

use crate::provenance::{Provenance, display_path};
use crate::render::crosstab::{Crosstab, interval};

/// Everything a tally shows, with percentages and intervals computed.
#[derive(Debug, Serialize)]
pub(crate) struct TallyReport {
    pub(crate) provenance: Provenance,
    pub(crate) codebook: CodebookInfo,
    pub(crate) unit: String,
    pub(crate) n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) by: Option<SplitInfo>,
    pub(crate) groups: Vec<GroupReport>,
    pub(crate) codes: Vec<CodeReport>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CodebookInfo {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    pub(crate) path: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SplitInfo {
    pub(crate) attribute: String,
    /// The bin edges, when a numeric attribute was binned (`--bins`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bins: Option<Vec<f64>>,
    /// Cases per value.
    pub(crate) cases: IndexMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct GroupReport {
    pub(crate) parent: String,
    pub(crate) label: String,
    pub(crate) resolve: &'static str,
    pub(crate) rows: Vec<Row>,
    /// Cases decided by each route.
    pub(crate) routes: IndexMap<&'static str, usize>,
    pub(crate) assignments: Vec<AssignmentInfo>,
    /// Children (and `uncoded`) × attribute values, with `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) crosstab: Option<Crosstab>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AssignmentInfo {
    pub(crate) case: String,
    pub(crate) code: String,
    pub(crate) route: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// One child of an exclusive group.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) cases: usize,
    /// Percent of all cases; `None` (`null`) when there are none.
    pub(crate) percent: Option<f64>,
    pub(crate) wilson_95: Option<[f64; 2]>,
    pub(crate) clopper_pearson_95: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) by: Option<IndexMap<String, usize>>,
}

/// One code over all cases, or a parent's roll-up.
#[derive(Debug, Serialize)]
pub(crate) struct CodeReport {
    pub(crate) code: String,
    /// A parent's roll-up: the segments and cases with it or any code under it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) rolled_up: bool,
    pub(crate) label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parent: Option<String>,
    pub(crate) segments: usize,
    pub(crate) cases: usize,
    /// Percent of all cases; `None` (`null`) when there are none.
    pub(crate) percent: Option<f64>,
    pub(crate) wilson_95: Option<[f64; 2]>,
    pub(crate) clopper_pearson_95: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) by: Option<IndexMap<String, usize>>,
    /// Cases with and without the code × attribute values, with `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) crosstab: Option<Crosstab>,
}

const CONFIDENCE: f64 = 0.95;

/// Percent of n, with the Wilson and the Clopper-Pearson interval; each
/// undefined (`None`) without cases, as `qda-stats` reports the intervals.
type Shares = (Option<f64>, Option<[f64; 2]>, Option<[f64; 2]>);

fn share(cases: usize, n: usize) -> Shares {
    let percent = (n > 0).then(|| round(100.0 * cases as f64 / n as f64));
    let in_percent = |i: qda_stats::Interval| [round(100.0 * i.lower), round(100.0 * i.upper)];
    let wilson = qda_stats::wilson_interval(cases as u64, n as u64, CONFIDENCE).ok();
    let exact = qda_stats::clopper_pearson_interval(cases as u64, n as u64, CONFIDENCE).ok();
    (percent, wilson.map(in_percent), exact.map(in_percent))
}

/// A percentage with one decimal, or `–` where it is undefined.
pub(crate) fn percent_shown(percent: Option<f64>) -> String {
    percent.map_or_else(|| "–".to_owned(), |x| format!("{x:.1}"))
}

/// An interval with one decimal, or `–` where it is undefined.
pub(crate) fn interval_shown(interval_95: Option<[f64; 2]>) -> String {
    interval_95.map_or_else(|| "–".to_owned(), interval)
}

/// Six decimals: more than any reader needs, and the same on every machine.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl GroupReport {
    /// The parent's id, with its label when that differs.
    pub(crate) fn title(&self) -> String {
        if self.label == self.parent {
            self.parent.clone()
        } else {
            format!("{}: {}", self.parent, self.label)
        }
    }

    /// How many cases each route decided: `single match 21, adjudication 5`.
    pub(crate) fn decided_by(&self) -> String {
        let parts: Vec<String> = self
            .routes
            .iter()
            .map(|(name, n)| {
                let route = Route::ALL.iter().find(|r| r.name() == *name);
                format!("{} {n}", route.map_or(*name, |r| r.label()))
            })
            .collect();
        parts.join(", ")
    }
}

impl TallyReport {
    pub(crate) fn new(
        codebook: &Codebook,
        tally: &Tally,
        bin_edges: Option<Vec<f64>>,
        provenance: Provenance,
    ) -> Self {
        TallyReport {
            provenance,
            codebook: CodebookInfo::new(codebook),
            unit: codebook.unit().to_string(),
            n: tally.n,
            by: tally.by.as_ref().map(|s| SplitInfo {
                attribute: s.attribute.clone(),
                bins: bin_edges,
                cases: s.values.iter().cloned().zip(s.totals.iter().copied()).collect(),
            }),
            groups: tally.groups.iter().map(|g| GroupReport::new(codebook, tally, g)).collect(),
            codes: tally.codes.iter().map(|c| CodeReport::new(codebook, tally, c)).collect(),
        }
    }
}

impl CodebookInfo {
    pub(crate) fn new(codebook: &Codebook) -> Self {
        CodebookInfo {
            name: codebook.name().to_owned(),
            version: codebook.version().map(str::to_owned),
            path: display_path(codebook.path()),
        }
    }
}

/// A code's label, or its id when it has none.
fn label(codebook: &Codebook, id: &str) -> String {
    codebook.code(id).map_or_else(|| id.to_owned(), |c| c.label.clone())
}

/// Counts per value of the `--by` attribute, by value.
fn by_values(tally: &Tally, counts: Option<&Vec<usize>>) -> Option<IndexMap<String, usize>> {
    let split = tally.by.as_ref()?;
    Some(split.values.iter().cloned().zip(counts?.iter().copied()).collect())
}

impl GroupReport {
    fn new(codebook: &Codebook, tally: &Tally, group: &GroupTally) -> Self {
        let rows = group
            .rows
            .iter()
            .map(|row| {
                let (percent, wilson_95, clopper_pearson_95) = share(row.cases, tally.n);
                Row {
                    code: row.code.clone(),
                    label: if row.code == UNCODED {
                        "no code of the group".to_owned()
                    } else {
                        label(codebook, &row.code)
                    },
                    cases: row.cases,
                    percent,
                    wilson_95,
                    clopper_pearson_95,
                    by: by_values(tally, row.by.as_ref()),
                }
            })
            .collect();
        let crosstab = tally.by.as_ref().map(|split| {
            let counts: Vec<Vec<u64>> = group
                .rows
                .iter()
                .map(|r| r.by.iter().flatten().map(|&n| n as u64).collect::<Vec<u64>>())
                .collect();
            Crosstab::new(
                group.rows.iter().map(|r| r.code.clone()).collect(),
                split.values.clone(),
                &counts,
            )
        });
        GroupReport {
            parent: group.parent.clone(),
            label: label(codebook, &group.parent),
            resolve: codebook.code(&group.parent).map_or("priority", |p| p.resolve.as_str()),
            rows,
            routes: group
                .routes
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(r, n)| (r.name(), *n))
                .collect(),
            assignments: group
                .assignments
                .iter()
                .map(|a| AssignmentInfo {
                    case: a.case.clone(),
                    code: a.code.clone().unwrap_or_else(|| UNCODED.to_owned()),
                    route: a.route.name(),
                    note: a.note.clone(),
                })
                .collect(),
            crosstab,
        }
    }
}

impl CodeReport {
    fn new(codebook: &Codebook, tally: &Tally, code: &CodeTally) -> Self {
        let (percent, wilson_95, clopper_pearson_95) = share(code.cases, tally.n);
        // Cases with and without the code × the attribute's values.
        let crosstab = tally.by.as_ref().zip(code.by.as_ref()).map(|(split, with)| {
            let with: Vec<u64> = with.iter().map(|&n| n as u64).collect();
            let without: Vec<u64> =
                split.totals.iter().zip(&with).map(|(&t, &w)| t as u64 - w).collect();
            Crosstab::new(
                vec![format!("with {}", code.code), format!("without {}", code.code)],
                split.values.clone(),
                &[with, without],
            )
        });
        CodeReport {
            code: code.code.clone(),
            rolled_up: code.rolled_up,
            label: label(codebook, &code.code),
            parent: codebook.code(&code.code).and_then(|c| c.parent.clone()),
            segments: code.segments,
            cases: code.cases,
            percent,
            wilson_95,
            clopper_pearson_95,
            by: by_values(tally, code.by.as_ref()),
            crosstab,
        }
    }
}

impl CodeReport {
    /// The code as a table shows it: a roll-up marked `(rolled up)`.
    pub(crate) fn shown(&self) -> String {
        if self.rolled_up { format!("{} {ROLLED_UP}", self.code) } else { self.code.clone() }
    }
}

/// The mark of a parent's roll-up row in text tables.
pub(crate) const ROLLED_UP: &str = "(rolled up)";

impl TallyReport {
    /// The attribute's values, as column headers.
    pub(crate) fn by_headers(&self) -> Vec<String> {
        self.by.as_ref().map_or_else(Vec::new, |s| s.cases.keys().cloned().collect())
    }
}
