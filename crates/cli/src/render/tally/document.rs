//! The tally as a document, for `--format table` and `--format markdown`:
//! the title, each exclusive group's table (and crosstab with `--by`), the
//! codes, and with `--by` each code's shares and tests by the attribute.

use crate::render::crosstab::{Crosstab, FisherResult, interval, p_value};
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::model::{
    GroupReport, SplitInfo, TallyReport, interval_shown, percent_shown,
};

pub(super) fn write(report: &TallyReport, out: &mut dyn Markup) {
    let version = report.codebook.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default();
    out.heading(2, &format!("{}{version} ({})", report.codebook.name, report.codebook.path));
    let mut counted = format!("n = {} cases; unit: {}", report.n, report.unit);
    if let Some(split) = &report.by {
        let parts: Vec<String> = split.cases.iter().map(|(v, n)| format!("{v} {n}")).collect();
        counted.push_str(&format!("; by {}: {}", split.attribute, parts.join(", ")));
    }
    out.paragraph(&counted);
    for group in &report.groups {
        write_group(report, group, out);
    }
    out.heading(3, "codes");
    out.table(&codes_table(report));
    if let Some(split) = &report.by {
        write_codes_by(report, split, out);
    }
}

/// One exclusive group: its children's cases with intervals, how each case
/// was decided, and its crosstab with `--by`.
fn write_group(report: &TallyReport, group: &GroupReport, out: &mut dyn Markup) {
    out.heading(3, &format!("{} (exclusive; resolve = {})", group.title(), group.resolve));
    let by = report.by_headers();
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
            percent_shown(row.percent),
            interval_shown(row.wilson_95),
            interval_shown(row.clopper_pearson_95),
        ];
        cells.extend(row.by.iter().flat_map(|m| m.values().map(ToString::to_string)));
        table.push(cells);
    }
    let all = percent_shown((report.n > 0).then_some(100.0));
    let mut total =
        vec!["total".to_owned(), report.n.to_string(), all, String::new(), String::new()];
    total.extend(report.by.iter().flat_map(|s| s.cases.values().map(ToString::to_string)));
    table.push(total);
    out.table(&table);
    out.blank();
    out.paragraph(&format!("decided by: {}", group.decided_by()));
    if let (Some(crosstab), Some(split)) = (&group.crosstab, &report.by) {
        write_crosstab(&group.parent, crosstab, split, out);
    }
}

fn write_crosstab(parent: &str, crosstab: &Crosstab, split: &SplitInfo, out: &mut dyn Markup) {
    out.heading(4, &format!("{parent} by {}: percentages with 95% intervals", split.attribute));
    out.table(&crosstab.cell_table("code", &split.attribute));
    out.blank();
    for line in crosstab.test_lines() {
        out.line(&line);
    }
    out.blank();
}

fn codes_table(report: &TallyReport) -> Table {
    let by = report.by_headers();
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
    for code in &report.codes {
        let mut cells = vec![
            code.shown(),
            code.parent.clone().unwrap_or_default(),
            code.segments.to_string(),
            code.cases.to_string(),
            percent_shown(code.percent),
            interval_shown(code.wilson_95),
            interval_shown(code.clopper_pearson_95),
        ];
        cells.extend(code.by.iter().flat_map(|m| m.values().map(ToString::to_string)));
        table.push(cells);
    }
    table
}

/// Each code's share of the cases of each value, and each code's 2 × k
/// test (cases with and without the code × values).
fn write_codes_by(report: &TallyReport, split: &SplitInfo, out: &mut dyn Markup) {
    out.blank();
    out.heading(
        3,
        &format!("codes by {}: cases with the code, % of the value's cases", split.attribute),
    );
    let (shares, tests, mut notes) = codes_by_tables(report, split);
    out.table(&shares);
    if !tests.rows.is_empty() {
        out.blank();
        out.heading(
            3,
            &format!(
                "codes by {}: tests of independence (cases with and without the code)",
                split.attribute
            ),
        );
        out.table(&tests);
    }
    if !notes.is_empty() || !tests.rows.is_empty() {
        out.blank();
    }
    let fisher =
        report.codes.iter().filter_map(|c| c.crosstab.as_ref()?.tests.fisher_exact.as_ref());
    notes.extend(FisherResult::methods(fisher));
    let below_5 = report
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
        out.line(&note);
    }
}

/// The shares table, the tests table, and why codes were not tested.
fn codes_by_tables(report: &TallyReport, split: &SplitInfo) -> (Table, Table, Vec<String>) {
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
    for code in &report.codes {
        let Some(crosstab) = &code.crosstab else { continue };
        for (c, cell) in crosstab.cells[0].iter().enumerate() {
            let (percent, wilson, exact) = cell.column.map_or_else(
                || ("–".to_owned(), String::new(), String::new()),
                |s| (pct(s.percent), interval(s.wilson_95), interval(s.clopper_pearson_95)),
            );
            shares.push(vec![
                code.shown(),
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
                code.shown(),
                t.not_tested.as_deref().unwrap_or_default()
            ));
            continue;
        };
        tests.push(vec![
            code.shown(),
            format!("{:.3}", chi.statistic),
            chi.df.to_string(),
            p_value(chi.p_value),
            t.chi_square_yates.as_ref().map_or_else(String::new, |y| p_value(y.p_value)),
            t.fisher_exact.as_ref().map_or_else(String::new, FisherResult::cell),
            format!(
                "{} of {}",
                t.cells_expected_below_5.unwrap_or(0),
                t.rows.len() * t.columns.len()
            ),
        ]);
    }
    (shares, tests, notes)
}

fn pct(x: f64) -> String {
    format!("{x:.1}")
}
