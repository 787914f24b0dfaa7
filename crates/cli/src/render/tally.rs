//! The tally of a codebook: the view model and its four renderings.

use indexmap::IndexMap;
use qda_coding::{Codebook, Route, Tally, UNCODED};
use serde::Serialize;

use crate::args::Format;
use crate::provenance::{Provenance, display_path};
use crate::render::crosstab::{Crosstab, interval, p_value};
use crate::render::table::{Align, Table};

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
    pub(crate) percent: f64,
    pub(crate) wilson_95: [f64; 2],
    pub(crate) clopper_pearson_95: [f64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) by: Option<IndexMap<String, usize>>,
}

/// One code over all cases.
#[derive(Debug, Serialize)]
pub(crate) struct CodeReport {
    pub(crate) code: String,
    pub(crate) label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parent: Option<String>,
    pub(crate) segments: usize,
    pub(crate) cases: usize,
    pub(crate) percent: f64,
    pub(crate) wilson_95: [f64; 2],
    pub(crate) clopper_pearson_95: [f64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) by: Option<IndexMap<String, usize>>,
    /// Cases with and without the code × attribute values, with `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) crosstab: Option<Crosstab>,
}

const CONFIDENCE: f64 = 0.95;

/// Percent of n, with the Wilson and the Clopper-Pearson interval.
fn share(cases: usize, n: usize) -> (f64, [f64; 2], [f64; 2]) {
    let percent = if n == 0 { 0.0 } else { 100.0 * cases as f64 / n as f64 };
    let wilson = qda_stats::wilson_interval(cases as u64, n as u64, CONFIDENCE)
        .map_or([0.0, 0.0], |i| [100.0 * i.lower, 100.0 * i.upper]);
    let exact = qda_stats::clopper_pearson_interval(cases as u64, n as u64, CONFIDENCE)
        .map_or([0.0, 0.0], |i| [100.0 * i.lower, 100.0 * i.upper]);
    (round(percent), wilson.map(round), exact.map(round))
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
        let by_values = |counts: &Option<Vec<usize>>| -> Option<IndexMap<String, usize>> {
            let split = tally.by.as_ref()?;
            let counts = counts.as_ref()?;
            Some(split.values.iter().cloned().zip(counts.iter().copied()).collect())
        };
        let label = |id: &str| codebook.code(id).map_or_else(|| id.to_owned(), |c| c.label.clone());
        let groups = tally
            .groups
            .iter()
            .map(|group| {
                let parent = codebook.code(&group.parent);
                GroupReport {
                    parent: group.parent.clone(),
                    label: label(&group.parent),
                    resolve: parent.map_or("priority", |p| p.resolve.as_str()),
                    rows: group
                        .rows
                        .iter()
                        .map(|row| {
                            let (percent, wilson_95, clopper_pearson_95) =
                                share(row.cases, tally.n);
                            Row {
                                code: row.code.clone(),
                                label: if row.code == UNCODED {
                                    "no code of the group".to_owned()
                                } else {
                                    label(&row.code)
                                },
                                cases: row.cases,
                                percent,
                                wilson_95,
                                clopper_pearson_95,
                                by: by_values(&row.by),
                            }
                        })
                        .collect(),
                    crosstab: tally.by.as_ref().map(|split| {
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
                    }),
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
                }
            })
            .collect();
        let codes = tally
            .codes
            .iter()
            .map(|c| {
                let (percent, wilson_95, clopper_pearson_95) = share(c.cases, tally.n);
                CodeReport {
                    code: c.code.clone(),
                    label: label(&c.code),
                    parent: codebook.code(&c.code).and_then(|code| code.parent.clone()),
                    segments: c.segments,
                    cases: c.cases,
                    percent,
                    wilson_95,
                    clopper_pearson_95,
                    by: by_values(&c.by),
                    crosstab: tally.by.as_ref().zip(c.by.as_ref()).map(|(split, with)| {
                        let with: Vec<u64> = with.iter().map(|&n| n as u64).collect();
                        let without: Vec<u64> =
                            split.totals.iter().zip(&with).map(|(&t, &w)| t as u64 - w).collect();
                        Crosstab::new(
                            vec![format!("with {}", c.code), format!("without {}", c.code)],
                            split.values.clone(),
                            &[with, without],
                        )
                    }),
                }
            })
            .collect();
        TallyReport {
            provenance,
            codebook: CodebookInfo {
                name: codebook.name().to_owned(),
                version: codebook.version().map(str::to_owned),
                path: display_path(codebook.path()),
            },
            unit: codebook.unit().to_string(),
            n: tally.n,
            by: tally.by.as_ref().map(|s| SplitInfo {
                attribute: s.attribute.clone(),
                bins: bin_edges,
                cases: s.values.iter().cloned().zip(s.totals.iter().copied()).collect(),
            }),
            groups,
            codes,
        }
    }

    pub(crate) fn render(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Json => crate::render::json(self),
            Format::Table => self.text(false).into_bytes(),
            Format::Markdown => self.text(true).into_bytes(),
            Format::Csv => self.csv(),
        }
    }

    fn by_headers(&self) -> Vec<String> {
        self.by.as_ref().map_or_else(Vec::new, |s| s.cases.keys().cloned().collect())
    }

    fn text(&self, markdown: bool) -> String {
        let render = |t: &Table| if markdown { t.to_markdown() } else { t.to_text() };
        let mut out = String::new();
        let version = self.codebook.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default();
        let heading = if markdown { "## " } else { "" };
        out.push_str(&format!(
            "{heading}{}{version} ({})\n\n",
            self.codebook.name, self.codebook.path
        ));
        out.push_str(&format!("n = {} cases; unit: {}", self.n, self.unit));
        if let Some(split) = &self.by {
            let parts: Vec<String> = split.cases.iter().map(|(v, n)| format!("{v} {n}")).collect();
            out.push_str(&format!("; by {}: {}", split.attribute, parts.join(", ")));
        }
        out.push_str("\n\n");
        let by = self.by_headers();
        for group in &self.groups {
            let heading = if markdown { "### " } else { "" };
            out.push_str(&format!(
                "{heading}{} (exclusive; resolve = {})\n\n",
                group.title(),
                group.resolve
            ));
            let mut headers = vec![
                ("code", Align::Left),
                ("cases", Align::Right),
                ("%", Align::Right),
                ("95% CI (Wilson)", Align::Right),
                ("(Clopper-Pearson)", Align::Right),
            ];
            headers.extend(by.iter().map(|h| (h.as_str(), Align::Right)));
            let mut table = Table::new(headers);
            for row in &group.rows {
                let mut cells = vec![
                    row.code.clone(),
                    row.cases.to_string(),
                    pct(row.percent),
                    interval(row.wilson_95),
                    interval(row.clopper_pearson_95),
                ];
                cells.extend(row.by.iter().flat_map(|m| m.values().map(ToString::to_string)));
                table.push(cells);
            }
            let mut total = vec![
                "total".to_owned(),
                self.n.to_string(),
                pct(100.0),
                String::new(),
                String::new(),
            ];
            total.extend(self.by.iter().flat_map(|s| s.cases.values().map(ToString::to_string)));
            table.push(total);
            out.push_str(&render(&table));
            out.push_str(&format!("\ndecided by: {}\n\n", group.decided_by()));
            if let (Some(crosstab), Some(split)) = (&group.crosstab, &self.by) {
                let heading = if markdown { "#### " } else { "" };
                out.push_str(&format!(
                    "{heading}{} by {}: percentages with 95% intervals\n\n",
                    group.parent, split.attribute
                ));
                out.push_str(&render(&crosstab.cell_table("code", &split.attribute)));
                out.push('\n');
                for line in crosstab.test_lines() {
                    out.push_str(&line);
                    out.push_str(if markdown { "  \n" } else { "\n" });
                }
                out.push('\n');
            }
        }
        let heading = if markdown { "### " } else { "" };
        out.push_str(&format!("{heading}codes\n\n"));
        let mut headers = vec![
            ("code", Align::Left),
            ("parent", Align::Left),
            ("segments", Align::Right),
            ("cases", Align::Right),
            ("%", Align::Right),
            ("95% CI (Wilson)", Align::Right),
            ("(Clopper-Pearson)", Align::Right),
        ];
        headers.extend(by.iter().map(|h| (h.as_str(), Align::Right)));
        let mut table = Table::new(headers);
        for code in &self.codes {
            let mut cells = vec![
                code.code.clone(),
                code.parent.clone().unwrap_or_default(),
                code.segments.to_string(),
                code.cases.to_string(),
                pct(code.percent),
                interval(code.wilson_95),
                interval(code.clopper_pearson_95),
            ];
            cells.extend(code.by.iter().flat_map(|m| m.values().map(ToString::to_string)));
            table.push(cells);
        }
        out.push_str(&render(&table));
        if let Some(split) = &self.by {
            out.push_str(&self.codes_by(split, markdown));
        }
        out
    }

    /// Each code's share of the cases of each value, and each code's 2 × k
    /// test (cases with and without the code × values).
    fn codes_by(&self, split: &SplitInfo, markdown: bool) -> String {
        let render = |t: &Table| if markdown { t.to_markdown() } else { t.to_text() };
        let heading = if markdown { "### " } else { "" };
        let mut out = format!(
            "\n{heading}codes by {}: cases with the code, % of the value's cases\n\n",
            split.attribute
        );
        let mut shares = Table::new(vec![
            ("code", Align::Left),
            (split.attribute.as_str(), Align::Left),
            ("cases", Align::Right),
            ("of", Align::Right),
            ("%", Align::Right),
            ("Wilson", Align::Right),
            ("Clopper-Pearson", Align::Right),
        ]);
        let mut tests = Table::new(vec![
            ("code", Align::Left),
            ("chi-square", Align::Right),
            ("df", Align::Right),
            ("p", Align::Right),
            ("p (Yates)", Align::Right),
            ("p (Fisher)", Align::Right),
            ("expected < 5", Align::Right),
        ]);
        let mut notes = Vec::new();
        for code in &self.codes {
            let Some(crosstab) = &code.crosstab else { continue };
            for (c, cell) in crosstab.cells[0].iter().enumerate() {
                let (percent, wilson, exact) = cell.column.map_or_else(
                    || ("–".to_owned(), String::new(), String::new()),
                    |s| {
                        (
                            format!("{:.1}", s.percent),
                            interval(s.wilson_95),
                            interval(s.clopper_pearson_95),
                        )
                    },
                );
                shares.push(vec![
                    code.code.clone(),
                    crosstab.columns[c].clone(),
                    cell.count.to_string(),
                    crosstab.column_totals[c].to_string(),
                    percent,
                    wilson,
                    exact,
                ]);
            }
            let t = &crosstab.tests;
            let Some(chi) = &t.chi_square else {
                notes.push(format!(
                    "{}: {}",
                    code.code,
                    t.not_tested.as_deref().unwrap_or_default()
                ));
                continue;
            };
            let fisher = t.fisher_exact.as_ref().and_then(|f| f.p_value);
            tests.push(vec![
                code.code.clone(),
                format!("{:.3}", chi.statistic),
                chi.df.to_string(),
                p_value(chi.p_value),
                t.chi_square_yates.as_ref().map_or_else(String::new, |y| p_value(y.p_value)),
                fisher.map_or_else(|| "not computed".to_owned(), p_value),
                format!(
                    "{} of {}",
                    t.cells_expected_below_5.unwrap_or(0),
                    t.rows.len() * t.columns.len()
                ),
            ]);
        }
        out.push_str(&render(&shares));
        if !tests.rows.is_empty() {
            out.push_str(&format!(
                "\n{heading}codes by {}: tests of independence (cases with and without the code)\n\n",
                split.attribute
            ));
            out.push_str(&render(&tests));
        }
        if !notes.is_empty() || !tests.rows.is_empty() {
            out.push('\n');
        }
        let below_5 = self
            .codes
            .iter()
            .filter_map(|c| c.crosstab.as_ref())
            .any(|x| x.tests.cells_expected_below_5.is_some_and(|n| n > 0));
        if below_5 {
            notes.push(
                "warning: where a cell's expected count is below 5 the chi-square approximation is poor; rely on Fisher's exact test".to_owned(),
            );
        }
        if split.cases.contains_key(qda_coding::MISSING) {
            notes.push(format!(
                "cases without the attribute ({}) are left out of the tests",
                qda_coding::MISSING
            ));
        }
        for note in notes {
            out.push_str(&note);
            out.push_str(if markdown { "  \n" } else { "\n" });
        }
        out
    }

    fn csv(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let by = self.by_headers();
        let attribute = self.by.as_ref().map(|s| s.attribute.as_str()).unwrap_or_default();
        let mut header: Vec<String> = [
            "table",
            "parent",
            "code",
            "segments",
            "cases",
            "n",
            "percent",
            "wilson_95_lower",
            "wilson_95_upper",
            "clopper_pearson_95_lower",
            "clopper_pearson_95_upper",
        ]
        .map(str::to_owned)
        .to_vec();
        header.extend(by.iter().map(|v| format!("{attribute}={v}")));
        if self.by.is_some() {
            for v in &by {
                for share in ["row", "column"] {
                    for what in [
                        "percent",
                        "wilson_95_lower",
                        "wilson_95_upper",
                        "clopper_pearson_95_lower",
                        "clopper_pearson_95_upper",
                    ] {
                        header.push(format!("{attribute}={v} {share}_{what}"));
                    }
                }
            }
            header.extend(
                [
                    "chi_square",
                    "chi_square_df",
                    "chi_square_p",
                    "chi_square_yates",
                    "chi_square_yates_p",
                    "fisher_exact_p",
                    "min_expected",
                    "cells_expected_below_5",
                ]
                .map(str::to_owned),
            );
        }
        let rows = self
            .groups
            .iter()
            .flat_map(|g| {
                g.rows.iter().map(|r| {
                    (
                        "group",
                        g.parent.clone(),
                        r.code.clone(),
                        String::new(),
                        r.cases,
                        r.percent,
                        r.wilson_95,
                        r.clopper_pearson_95,
                        &r.by,
                        g.crosstab
                            .as_ref()
                            .map(|x| (x, g.rows.iter().position(|y| y.code == r.code))),
                    )
                })
            })
            .chain(self.codes.iter().map(|c| {
                (
                    "code",
                    c.parent.clone().unwrap_or_default(),
                    c.code.clone(),
                    c.segments.to_string(),
                    c.cases,
                    c.percent,
                    c.wilson_95,
                    c.clopper_pearson_95,
                    &c.by,
                    c.crosstab.as_ref().map(|x| (x, Some(0))),
                )
            }));
        let mut records = vec![header];
        for (table, parent, code, segments, cases, percent, wilson, exact, by, crosstab) in rows {
            let mut record = vec![
                table.to_owned(),
                parent,
                code,
                segments,
                cases.to_string(),
                self.n.to_string(),
                format!("{percent:.4}"),
                format!("{:.4}", wilson[0]),
                format!("{:.4}", wilson[1]),
                format!("{:.4}", exact[0]),
                format!("{:.4}", exact[1]),
            ];
            record.extend(by.iter().flat_map(|m| m.values().map(ToString::to_string)));
            if let Some((crosstab, Some(row))) = crosstab {
                record.extend(crosstab_cells(crosstab, row));
            }
            records.push(record);
        }
        for record in records {
            writer.write_record(&record).expect("writing CSV to memory cannot fail");
        }
        writer.into_inner().expect("writing CSV to memory cannot fail")
    }
}

/// A crosstab row's shares (row and column, with intervals) per value, then
/// the crosstab's tests, as CSV cells; empty where undefined.
fn crosstab_cells(crosstab: &Crosstab, row: usize) -> Vec<String> {
    let number = |x: f64| format!("{x:.4}");
    let mut cells = Vec::new();
    for cell in &crosstab.cells[row] {
        for share in [cell.row, cell.column] {
            match share {
                Some(s) => cells.extend([
                    number(s.percent),
                    number(s.wilson_95[0]),
                    number(s.wilson_95[1]),
                    number(s.clopper_pearson_95[0]),
                    number(s.clopper_pearson_95[1]),
                ]),
                None => cells.extend(std::iter::repeat_n(String::new(), 5)),
            }
        }
    }
    let t = &crosstab.tests;
    let exact = |x: f64| format!("{x}");
    cells.push(t.chi_square.as_ref().map_or_else(String::new, |c| exact(c.statistic)));
    cells.push(t.chi_square.as_ref().map_or_else(String::new, |c| c.df.to_string()));
    cells.push(t.chi_square.as_ref().map_or_else(String::new, |c| exact(c.p_value)));
    cells.push(t.chi_square_yates.as_ref().map_or_else(String::new, |c| exact(c.statistic)));
    cells.push(t.chi_square_yates.as_ref().map_or_else(String::new, |c| exact(c.p_value)));
    cells.push(t.fisher_exact.as_ref().and_then(|f| f.p_value).map_or_else(String::new, exact));
    cells.push(t.min_expected.map_or_else(String::new, exact));
    cells.push(t.cells_expected_below_5.map_or_else(String::new, |n| n.to_string()));
    cells
}

fn pct(x: f64) -> String {
    format!("{x:.1}")
}
