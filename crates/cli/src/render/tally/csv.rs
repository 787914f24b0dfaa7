//! The tally as CSV: one record per child of each exclusive group, then one
//! per code (`table` = `code`, or `rollup` for a parent's roll-up); with `--by`, the counts per value, each value's row and column
//! shares with intervals, and the crosstab's tests.

use indexmap::IndexMap;

use crate::render::crosstab::Crosstab;
use crate::render::tally::model::TallyReport;

/// What one record shows, from a group's row or from a code.
struct Record<'r> {
    table: &'static str,
    parent: String,
    code: &'r str,
    /// Segments with the code; empty for a group's row.
    segments: String,
    cases: usize,
    percent: Option<f64>,
    wilson_95: Option<[f64; 2]>,
    clopper_pearson_95: Option<[f64; 2]>,
    by: &'r Option<IndexMap<String, usize>>,
    /// The crosstab and this record's row in it.
    crosstab: Option<(&'r Crosstab, usize)>,
}

pub(super) fn records(report: &TallyReport) -> Vec<Vec<String>> {
    let mut records = vec![header(report)];
    let groups = report.groups.iter().flat_map(|g| {
        g.rows.iter().enumerate().map(move |(i, r)| Record {
            table: "group",
            parent: g.parent.clone(),
            code: &r.code,
            segments: String::new(),
            cases: r.cases,
            percent: r.percent,
            wilson_95: r.wilson_95,
            clopper_pearson_95: r.clopper_pearson_95,
            by: &r.by,
            crosstab: g.crosstab.as_ref().map(|x| (x, i)),
        })
    });
    let codes = report.codes.iter().map(|c| Record {
        table: if c.rolled_up { "rollup" } else { "code" },
        parent: c.parent.clone().unwrap_or_default(),
        code: &c.code,
        segments: c.segments.to_string(),
        cases: c.cases,
        percent: c.percent,
        wilson_95: c.wilson_95,
        clopper_pearson_95: c.clopper_pearson_95,
        by: &c.by,
        crosstab: c.crosstab.as_ref().map(|x| (x, 0)),
    });
    for r in groups.chain(codes) {
        let number = |x: Option<f64>| x.map_or_else(String::new, |x| format!("{x:.4}"));
        let mut record = vec![
            r.table.to_owned(),
            r.parent,
            r.code.to_owned(),
            r.segments,
            r.cases.to_string(),
            report.n.to_string(),
            number(r.percent),
            number(r.wilson_95.map(|i| i[0])),
            number(r.wilson_95.map(|i| i[1])),
            number(r.clopper_pearson_95.map(|i| i[0])),
            number(r.clopper_pearson_95.map(|i| i[1])),
        ];
        record.extend(r.by.iter().flat_map(|m| m.values().map(ToString::to_string)));
        if let Some((crosstab, row)) = r.crosstab {
            record.extend(crosstab_cells(crosstab, row));
        }
        records.push(record);
    }
    records
}

fn header(report: &TallyReport) -> Vec<String> {
    let by = report.by_headers();
    let attribute = report.by.as_ref().map(|s| s.attribute.as_str()).unwrap_or_default();
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
    if report.by.is_none() {
        return header;
    }
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
            "fisher_exact_method",
            "fisher_exact_replicates",
            "fisher_exact_seed",
            "min_expected",
            "cells_expected_below_5",
        ]
        .map(str::to_owned),
    );
    header
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
    let fisher = t.fisher_exact.as_ref();
    cells.push(fisher.map_or_else(String::new, |f| exact(f.p_value)));
    cells.push(fisher.map_or_else(String::new, |f| f.method.to_owned()));
    cells.push(fisher.and_then(|f| f.replicates).map_or_else(String::new, |b| b.to_string()));
    cells.push(fisher.and_then(|f| f.seed).map_or_else(String::new, |s| s.to_string()));
    cells.push(t.min_expected.map_or_else(String::new, exact));
    cells.push(t.cells_expected_below_5.map_or_else(String::new, |n| n.to_string()));
    cells
}
