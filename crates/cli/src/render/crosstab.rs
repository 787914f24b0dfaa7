//! A crosstab as shown: counts, row and column percentages with Wilson and
//! Clopper-Pearson 95% intervals, and the tests of independence
//! (chi-square with and without Yates' correction, Fisher's exact test).
//!
//! [`Crosstab::new`] takes labels and counts and computes everything with
//! `qda-stats`; the value is plain data (`Serialize`) for JSON, and
//! [`Crosstab::cell_table`] and [`Crosstab::test_lines`] give the text and
//! Markdown renderings, so every report shows the same numbers.
//!
//! A column labelled [`qda_coding::MISSING`] (cases without the attribute)
//! is shown but left out of the tests: "not recorded" is not a group.

use qda_stats::{ContingencyTable, Correction, FisherMethod, FisherOptions, FisherTest};
use serde::Serialize;

use crate::render::table::{Align, Table};

/// Confidence level of every interval in a crosstab.
pub(crate) const CONFIDENCE: f64 = 0.95;

/// A rows × columns table of case counts with percentages, intervals and tests.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Crosstab {
    /// Row labels (codes).
    pub(crate) rows: Vec<String>,
    /// Column labels (values of the attribute).
    pub(crate) columns: Vec<String>,
    /// `cells[row][column]`.
    pub(crate) cells: Vec<Vec<Cell>>,
    /// Cases per row.
    pub(crate) row_totals: Vec<u64>,
    /// Cases per column.
    pub(crate) column_totals: Vec<u64>,
    /// All cases in the table.
    pub(crate) n: u64,
    /// Chi-square and Fisher's exact test, with warnings.
    pub(crate) tests: Tests,
}

/// One cell: its count and its share of its row and of its column.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Cell {
    pub(crate) count: u64,
    /// Share of the row total, or `None` for an empty row.
    pub(crate) row: Option<Share>,
    /// Share of the column total, or `None` for an empty column.
    pub(crate) column: Option<Share>,
}

/// A percentage with its 95% intervals, all in percent.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Share {
    /// `count / total × 100`.
    pub(crate) percent: f64,
    /// Wilson score interval, [lower, upper].
    pub(crate) wilson_95: [f64; 2],
    /// Clopper-Pearson (exact) interval, [lower, upper].
    pub(crate) clopper_pearson_95: [f64; 2],
}

impl Share {
    /// `count / of`, or `None` for `of = 0`.
    pub(crate) fn of(count: u64, of: u64) -> Option<Share> {
        let wilson = qda_stats::wilson_interval(count, of, CONFIDENCE).ok()?;
        let exact = qda_stats::clopper_pearson_interval(count, of, CONFIDENCE).ok()?;
        let pct = |x: f64| round(100.0 * x);
        Some(Share {
            percent: pct(count as f64 / of as f64),
            wilson_95: [pct(wilson.lower), pct(wilson.upper)],
            clopper_pearson_95: [pct(exact.lower), pct(exact.upper)],
        })
    }
}

/// The tests of independence of a crosstab.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Tests {
    /// Rows tested: all but those without cases.
    pub(crate) rows: Vec<String>,
    /// Columns tested: all but those without cases and the missing-value column.
    pub(crate) columns: Vec<String>,
    /// Why there is no test, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) not_tested: Option<String>,
    /// Pearson's chi-square without correction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) chi_square: Option<ChiSquareResult>,
    /// With Yates' continuity correction: only for a 2 × 2 table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) chi_square_yates: Option<ChiSquareResult>,
    /// Fisher's exact test (two-sided), or why it was not computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fisher_exact: Option<FisherResult>,
    /// The smallest expected count of the tested table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_expected: Option<f64>,
    /// Cells of the tested table with an expected count below 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cells_expected_below_5: Option<usize>,
    /// What a reader should know before trusting a p-value.
    pub(crate) warnings: Vec<String>,
}

/// A chi-square test: statistic, degrees of freedom, p-value.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct ChiSquareResult {
    pub(crate) statistic: f64,
    pub(crate) df: u64,
    pub(crate) p_value: f64,
}

/// Fisher's exact test as shown.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FisherResult {
    /// The two-sided p-value.
    pub(crate) p_value: f64,
    /// `exact` (every table with the margins) or `monte_carlo`.
    pub(crate) method: &'static str,
    /// Monte Carlo only: the random tables drawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) replicates: Option<u64>,
    /// Monte Carlo only: the seed of the generator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<u64>,
}

impl From<FisherTest> for FisherResult {
    fn from(test: FisherTest) -> Self {
        let p_value = significant(test.p_value);
        match test.method {
            FisherMethod::Exact => {
                FisherResult { p_value, method: "exact", replicates: None, seed: None }
            }
            FisherMethod::MonteCarlo { replicates, seed } => FisherResult {
                p_value,
                method: "monte_carlo",
                replicates: Some(replicates),
                seed: Some(seed),
            },
        }
    }
}

impl FisherResult {
    /// The p-value as a table shows it: marked `(MC)` when by Monte Carlo.
    pub(crate) fn cell(&self) -> String {
        match self.method {
            "exact" => p_value(self.p_value),
            _ => format!("{} (MC)", p_value(self.p_value)),
        }
    }

    /// How the p-value was computed, in words.
    pub(crate) fn described(&self) -> String {
        match (self.replicates, self.seed) {
            (Some(replicates), Some(seed)) => {
                format!("Monte Carlo: {replicates} random tables with these margins, seed {seed}")
            }
            _ => "exact, every table with these margins".to_owned(),
        }
    }

    /// One line saying how every p-value of `results` was computed, for a
    /// table that shows several: `None` when there is none.
    pub(crate) fn methods<'a>(
        results: impl IntoIterator<Item = &'a FisherResult>,
    ) -> Option<String> {
        let results: Vec<&FisherResult> = results.into_iter().collect();
        let simulated = results.iter().find(|r| r.method != "exact");
        match (results.is_empty(), simulated) {
            (true, _) => None,
            (false, None) => Some("Fisher's p: exact, every table with these margins".to_owned()),
            (false, Some(r)) => {
                Some(format!("Fisher's p: exact, except where marked (MC): {}", r.described()))
            }
        }
    }
}

impl Crosstab {
    /// A crosstab of `counts[row][column]` (each row as long as `columns`),
    /// with every percentage, interval and test computed.
    pub(crate) fn new(rows: Vec<String>, columns: Vec<String>, counts: &[Vec<u64>]) -> Crosstab {
        let column_totals: Vec<u64> =
            (0..columns.len()).map(|c| counts.iter().map(|r| r[c]).sum()).collect();
        let row_totals: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
        let n = row_totals.iter().sum();
        let cells = counts
            .iter()
            .zip(&row_totals)
            .map(|(row, &row_total)| {
                row.iter()
                    .zip(&column_totals)
                    .map(|(&count, &column_total)| Cell {
                        count,
                        row: Share::of(count, row_total),
                        column: Share::of(count, column_total),
                    })
                    .collect()
            })
            .collect();
        let tests = Tests::of(&rows, &columns, counts);
        Crosstab { rows, columns, cells, row_totals, column_totals, n, tests }
    }

    /// One line per cell: row, column, count, row % and column % with both
    /// intervals. `row_header` and `column_header` name the first two columns.
    pub(crate) fn cell_table(&self, row_header: &str, column_header: &str) -> Table {
        let mut table = Table::new(vec![
            (row_header, Align::Left),
            (column_header, Align::Left),
            ("cases", Align::Right),
            ("row %", Align::Right),
            ("Wilson", Align::Right),
            ("Clopper-Pearson", Align::Right),
            ("col %", Align::Right),
            ("Wilson", Align::Right),
            ("Clopper-Pearson", Align::Right),
        ]);
        for (r, row) in self.cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let mut cells =
                    vec![self.rows[r].clone(), self.columns[c].clone(), cell.count.to_string()];
                for share in [cell.row, cell.column] {
                    match share {
                        Some(s) => cells.extend([
                            format!("{:.1}", s.percent),
                            interval(s.wilson_95),
                            interval(s.clopper_pearson_95),
                        ]),
                        None => cells.extend(["–".to_owned(), String::new(), String::new()]),
                    }
                }
                table.push(cells);
            }
        }
        table
    }

    /// The tests, one sentence per line, for text and Markdown.
    pub(crate) fn test_lines(&self) -> Vec<String> {
        let t = &self.tests;
        let mut lines = Vec::new();
        if let Some(reason) = &t.not_tested {
            lines.push(reason.clone());
            return lines;
        }
        if let Some(chi) = &t.chi_square {
            let mut line = format!(
                "chi-square = {:.3}, df = {}, {}",
                chi.statistic,
                chi.df,
                p_is(chi.p_value)
            );
            if let Some(yates) = &t.chi_square_yates {
                line.push_str(&format!(
                    "; with Yates' correction {:.3}, {}",
                    yates.statistic,
                    p_is(yates.p_value)
                ));
            }
            lines.push(line);
        }
        if let Some(fisher) = &t.fisher_exact {
            lines.push(format!(
                "Fisher's exact test: {} ({})",
                p_is(fisher.p_value),
                fisher.described()
            ));
        }
        lines.extend(t.warnings.iter().map(|w| format!("warning: {w}")));
        lines
    }
}

impl Tests {
    fn of(rows: &[String], columns: &[String], counts: &[Vec<u64>]) -> Tests {
        let tested_columns: Vec<usize> =
            (0..columns.len()).filter(|&c| columns[c] != qda_coding::MISSING).collect();
        let sub: Vec<Vec<u64>> =
            counts.iter().map(|r| tested_columns.iter().map(|&c| r[c]).collect()).collect();
        let mut tests = Tests {
            rows: Vec::new(),
            columns: Vec::new(),
            not_tested: None,
            chi_square: None,
            chi_square_yates: None,
            fisher_exact: None,
            min_expected: None,
            cells_expected_below_5: None,
            warnings: Vec::new(),
        };
        let table = match ContingencyTable::from_rows(&sub) {
            Ok(table) => table,
            Err(e) => {
                tests.not_tested = Some(e.to_string());
                return tests;
            }
        };
        let (_, kept_rows, kept_columns) = table.without_empty_lines();
        tests.rows = kept_rows.iter().map(|&r| rows[r].clone()).collect();
        tests.columns = kept_columns.iter().map(|&c| columns[tested_columns[c]].clone()).collect();
        let plain = match qda_stats::chi_square_independence(&table, Correction::None) {
            Ok(plain) => plain,
            Err(e) => {
                tests.not_tested = Some(e.to_string());
                return tests;
            }
        };
        tests.chi_square = Some(ChiSquareResult {
            statistic: significant(plain.statistic),
            df: plain.df,
            p_value: significant(plain.p_value),
        });
        if let Ok(yates) = qda_stats::chi_square_independence(&table, Correction::Yates)
            && yates.corrected
        {
            tests.chi_square_yates = Some(ChiSquareResult {
                statistic: significant(yates.statistic),
                df: yates.df,
                p_value: significant(yates.p_value),
            });
        }
        tests.min_expected = Some(round(plain.min_expected));
        tests.cells_expected_below_5 = Some(plain.cells_expected_below_5);
        let fisher = qda_stats::fisher_exact(&table, &FisherOptions::default()).ok();
        tests.fisher_exact = fisher.map(FisherResult::from);
        let dropped_rows: Vec<&str> =
            (0..rows.len()).filter(|r| !kept_rows.contains(r)).map(|r| rows[r].as_str()).collect();
        if !dropped_rows.is_empty() {
            tests.warnings.push(format!(
                "left out of the tests, having no cases: {}",
                dropped_rows.join(", ")
            ));
        }
        if tested_columns.len() < columns.len() {
            tests.warnings.push(format!(
                "cases without the attribute ({}) are left out of the tests",
                qda_coding::MISSING
            ));
        }
        if plain.cells_expected_below_5 > 0 {
            let fallback = if tests.fisher_exact.as_ref().is_some() {
                "rely on Fisher's exact test"
            } else {
                "treat the chi-square p-value with caution"
            };
            tests.warnings.push(format!(
                "{} of {} cells have an expected count below 5 (smallest {:.2}): the chi-square approximation is poor; {fallback}",
                plain.cells_expected_below_5, plain.cells, plain.min_expected
            ));
        }
        tests
    }
}

/// Six decimals: more than any reader needs, and the same on every machine.
pub(crate) fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Ten significant digits, for statistics and p-values that may be tiny:
/// more than any reader needs, and robust to last-bit differences between
/// math libraries, so `qda verify` compares equal values.
pub(crate) fn significant(x: f64) -> f64 {
    format!("{x:.9e}").parse().unwrap_or(x)
}

/// A p-value for reading: three decimals, or `< 0.001`.
pub(crate) fn p_value(p: f64) -> String {
    if p < 0.001 { "< 0.001".to_owned() } else { format!("{p:.3}") }
}

/// `p = 0.123` or `p < 0.001`, for sentences.
pub(crate) fn p_is(p: f64) -> String {
    if p < 0.001 { "p < 0.001".to_owned() } else { format!("p = {p:.3}") }
}

/// `lower–upper` with one decimal.
pub(crate) fn interval([lower, upper]: [f64; 2]) -> String {
    format!("{lower:.1}–{upper:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tea_tasting_crosstab() {
        let t = Crosstab::new(
            labels(&["milk first", "tea first"]),
            labels(&["said milk", "said tea"]),
            &[vec![3, 1], vec![1, 3]],
        );
        let cell = &t.cells[0][0];
        assert_eq!(cell.count, 3);
        assert_eq!(cell.row.unwrap().percent, 75.0);
        let fisher = t.tests.fisher_exact.as_ref().unwrap();
        assert!((fisher.p_value - 0.485_714).abs() < 1e-6);
        assert!(t.tests.chi_square_yates.is_some(), "2 × 2 gets Yates");
        assert!(t.tests.warnings.iter().any(|w| w.contains("expected count below 5")));
    }

    #[test]
    fn missing_column_and_empty_rows_are_left_out_of_tests() {
        let t = Crosstab::new(
            labels(&["a", "b", "uncoded"]),
            labels(&["x", "y", qda_coding::MISSING]),
            &[vec![3, 1, 1], vec![1, 3, 0], vec![0, 0, 0]],
        );
        assert_eq!(t.tests.rows, ["a", "b"]);
        assert_eq!(t.tests.columns, ["x", "y"]);
        assert_eq!(t.tests.warnings.len(), 3);
        assert!(t.cells[2][0].row.is_none());
    }

    #[test]
    fn a_monte_carlo_p_value_says_how_it_was_made() {
        let mut t =
            Crosstab::new(labels(&["a", "b"]), labels(&["x", "y"]), &[vec![30, 10], vec![10, 30]]);
        let table = ContingencyTable::from_rows(&[[30u64, 10], [10, 30]]).unwrap();
        let options = FisherOptions { work_limit: 10, replicates: 2000, seed: 3 };
        let test = qda_stats::fisher_exact(&table, &options).unwrap();
        t.tests.fisher_exact = Some(test.into());
        assert_eq!(
            t.test_lines(),
            [
                "chi-square = 20.000, df = 1, p < 0.001; with Yates' correction 18.050, p < 0.001",
                "Fisher's exact test: p < 0.001 (Monte Carlo: 2000 random tables with these margins, seed 3)",
            ]
        );
        let fisher = t.tests.fisher_exact.as_ref().unwrap();
        assert_eq!(fisher.cell(), "< 0.001 (MC)");
        let json = serde_json::to_value(fisher).unwrap();
        assert_eq!(json["method"], "monte_carlo");
        assert_eq!(json["replicates"], 2000);
        assert_eq!(json["seed"], 3);
        assert_eq!(
            FisherResult::methods([fisher]).unwrap(),
            "Fisher's p: exact, except where marked (MC): Monte Carlo: 2000 random tables with these margins, seed 3"
        );
    }

    #[test]
    fn one_group_has_no_test() {
        let t = Crosstab::new(labels(&["a", "b"]), labels(&["x"]), &[vec![3], vec![1]]);
        assert!(t.tests.not_tested.is_some());
        assert_eq!(t.test_lines().len(), 1);
    }
}
