//! Contingency tables (crosstabs) and Pearson's chi-square test of
//! independence, with and without Yates' continuity correction (Fisher's
//! exact test is in `fisher`).
//!
//! Rows and columns whose total is zero carry no information about
//! independence and make expected counts zero, so every test is computed on
//! the table without them ([`ContingencyTable::without_empty_lines`]); a
//! table with fewer than two non-empty rows or columns has no test.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::error::StatsError;

/// Counts in `rows × columns` cells, stored row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContingencyTable {
    rows: usize,
    columns: usize,
    counts: Vec<u64>,
}

impl ContingencyTable {
    /// A table from its rows, each with the same number of columns.
    ///
    /// # Errors
    /// [`StatsError::RaggedTable`] when rows differ in length,
    /// [`StatsError::EmptyTable`] when there is no row or no column.
    pub fn from_rows<R: AsRef<[u64]>>(rows: &[R]) -> Result<Self, StatsError> {
        let columns = rows.first().map_or(0, |r| r.as_ref().len());
        if rows.is_empty() || columns == 0 {
            return Err(StatsError::EmptyTable);
        }
        if let Some(row) = rows.iter().position(|r| r.as_ref().len() != columns) {
            return Err(StatsError::RaggedTable {
                row,
                expected: columns,
                found: rows[row].as_ref().len(),
            });
        }
        let counts = rows.iter().flat_map(|r| r.as_ref().iter().copied()).collect();
        Ok(ContingencyTable { rows: rows.len(), columns, counts })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// The count in row `row`, column `column`.
    ///
    /// # Panics
    /// When the cell lies outside the table.
    pub fn count(&self, row: usize, column: usize) -> u64 {
        assert!(row < self.rows && column < self.columns, "cell ({row}, {column}) outside table");
        self.counts[row * self.columns + column]
    }

    /// The total of each row.
    pub fn row_totals(&self) -> Vec<u64> {
        self.counts.chunks(self.columns).map(|r| r.iter().sum()).collect()
    }

    /// The total of each column.
    pub fn column_totals(&self) -> Vec<u64> {
        (0..self.columns).map(|c| (0..self.rows).map(|r| self.count(r, c)).sum()).collect()
    }

    /// The grand total.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Expected counts under independence, `row total × column total / n`,
    /// row by row (all zero for an empty table).
    pub fn expected(&self) -> Vec<f64> {
        let n = self.total() as f64;
        let columns = self.column_totals();
        self.row_totals()
            .iter()
            .flat_map(|&r| {
                columns.iter().map(move |&c| if n == 0.0 { 0.0 } else { r as f64 * c as f64 / n })
            })
            .collect()
    }

    /// The counts, row by row.
    pub(crate) fn cells(&self) -> &[u64] {
        &self.counts
    }

    /// The table with rows and columns swapped.
    pub(crate) fn transposed(&self) -> ContingencyTable {
        let counts = (0..self.columns)
            .flat_map(|c| (0..self.rows).map(move |r| (r, c)))
            .map(|(r, c)| self.count(r, c))
            .collect();
        ContingencyTable { rows: self.columns, columns: self.rows, counts }
    }

    /// The table without its all-zero rows and columns, with the indices of
    /// the rows and columns kept.
    pub fn without_empty_lines(&self) -> (ContingencyTable, Vec<usize>, Vec<usize>) {
        let keep_rows: Vec<usize> =
            self.row_totals().iter().enumerate().filter(|(_, t)| **t > 0).map(|(i, _)| i).collect();
        let keep_columns: Vec<usize> = self
            .column_totals()
            .iter()
            .enumerate()
            .filter(|(_, t)| **t > 0)
            .map(|(i, _)| i)
            .collect();
        let counts = keep_rows
            .iter()
            .flat_map(|&r| keep_columns.iter().map(move |&c| (r, c)))
            .map(|(r, c)| self.count(r, c))
            .collect();
        let table = ContingencyTable { rows: keep_rows.len(), columns: keep_columns.len(), counts };
        (table, keep_rows, keep_columns)
    }

    /// The table without empty lines, or an error when fewer than two rows
    /// or two columns remain.
    pub(crate) fn testable(&self) -> Result<ContingencyTable, StatsError> {
        let (table, _, _) = self.without_empty_lines();
        if table.rows < 2 || table.columns < 2 {
            return Err(StatsError::NoTest { rows: table.rows, columns: table.columns });
        }
        Ok(table)
    }
}

/// Whether the chi-square statistic is corrected for continuity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// Pearson's statistic as is.
    None,
    /// Yates' continuity correction, applied only where there is one degree
    /// of freedom (a 2 × 2 table); elsewhere the same as `None`.
    Yates,
}

/// Pearson's chi-square test of independence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// The statistic Σ (O − E)² / E (with Yates: Σ (|O − E| − ½)² / E).
    pub statistic: f64,
    /// Degrees of freedom, (r − 1)(c − 1) of the table without empty lines.
    pub df: u64,
    /// P(χ²(df) ≥ statistic).
    pub p_value: f64,
    /// Whether Yates' correction was applied (only for 2 × 2 tables).
    pub corrected: bool,
    /// The smallest expected count.
    pub min_expected: f64,
    /// How many cells have an expected count below 5, when the χ²
    /// approximation becomes doubtful (Cochran 1954).
    pub cells_expected_below_5: usize,
    /// Number of cells of the table tested.
    pub cells: usize,
}

/// Pearson's chi-square test of independence of rows and columns, computed
/// on the table without all-zero rows and columns.
///
/// With [`Correction::Yates`] and one degree of freedom each |O − E| is
/// reduced by min(½, |O − E|), as `scipy.stats.chi2_contingency(correction=True)`
/// and R's `chisq.test(correct = TRUE)` do. The p-value is the upper tail of
/// the χ² distribution (statrs).
///
/// # Errors
/// [`StatsError::NoTest`] when fewer than two non-empty rows or columns remain.
pub fn chi_square_independence(
    table: &ContingencyTable,
    correction: Correction,
) -> Result<ChiSquare, StatsError> {
    let table = table.testable()?;
    let df = ((table.rows - 1) * (table.columns - 1)) as u64;
    let expected = table.expected();
    let corrected = correction == Correction::Yates && df == 1;
    let statistic: f64 = table
        .counts
        .iter()
        .zip(&expected)
        .map(|(&o, &e)| {
            let diff = (o as f64 - e).abs();
            let diff = if corrected { diff - diff.min(0.5) } else { diff };
            diff * diff / e
        })
        .sum();
    let distribution =
        ChiSquared::new(df as f64).expect("df ≥ 1 because the table has two rows and columns");
    let p_value = distribution.sf(statistic);
    Ok(ChiSquare {
        statistic,
        df,
        p_value,
        corrected,
        min_expected: expected.iter().copied().fold(f64::INFINITY, f64::min),
        cells_expected_below_5: expected.iter().filter(|&&e| e < 5.0).count(),
        cells: expected.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[u64]]) -> ContingencyTable {
        ContingencyTable::from_rows(rows).unwrap()
    }

    fn close(actual: f64, expected: f64, eps: f64) {
        assert!(
            (actual - expected).abs() < eps,
            "{actual} differs from {expected} by more than {eps}"
        );
    }

    /// scipy 1.12 `scipy.stats.chi2_contingency([[12, 5], [7, 9]])` (correction=True):
    /// statistic 1.455996378814684, p 0.22756821457580642;
    /// correction=False: statistic 2.4305755196815575, p 0.118989205532145.
    #[test]
    fn chi_square_two_by_two_matches_scipy() {
        let t = table(&[&[12, 5], &[7, 9]]);
        let yates = chi_square_independence(&t, Correction::Yates).unwrap();
        assert!(yates.corrected);
        assert_eq!(yates.df, 1);
        close(yates.statistic, 1.455_996_378_814_684, 1e-10);
        close(yates.p_value, 0.227_568_214_575_806_42, 1e-10);
        let plain = chi_square_independence(&t, Correction::None).unwrap();
        close(plain.statistic, 2.430_575_519_681_557_5, 1e-10);
        close(plain.p_value, 0.118_989_205_532_145, 1e-10);
    }

    /// Yates' correction never overshoots: where |O − E| < ½ the corrected
    /// statistic is 0. scipy 1.12 `chi2_contingency([[5, 5], [5, 6]])`:
    /// 0.0, p 1.0; correction=False: 0.043388429752066124, p 0.8349955942110459.
    /// A 3 × 3 table, `chi2_contingency([[1, 2, 3], [4, 5, 6], [7, 8, 10]])`:
    /// 0.3736491228070177, df 4, p 0.9845769162857121.
    #[test]
    fn chi_square_small_differences_and_three_by_three_match_scipy() {
        let t = table(&[&[5, 5], &[5, 6]]);
        let yates = chi_square_independence(&t, Correction::Yates).unwrap();
        close(yates.statistic, 0.0, 1e-12);
        close(yates.p_value, 1.0, 1e-12);
        let plain = chi_square_independence(&t, Correction::None).unwrap();
        close(plain.statistic, 0.043_388_429_752_066_124, 1e-12);
        close(plain.p_value, 0.834_995_594_211_045_9, 1e-10);
        let t = table(&[&[1, 2, 3], &[4, 5, 6], &[7, 8, 10]]);
        let test = chi_square_independence(&t, Correction::Yates).unwrap();
        assert_eq!(test.df, 4);
        close(test.statistic, 0.373_649_122_807_017_7, 1e-12);
        close(test.p_value, 0.984_576_916_285_712_1, 1e-10);
    }

    /// The R documentation of `chisq.test`: Agresti (2007) p. 39, party
    /// identification by gender, M <- as.table(rbind(c(762, 327, 468), c(484, 239, 477))):
    /// X-squared = 30.07, df = 2, p-value = 2.954e-07; scipy 1.12
    /// `chi2_contingency` gives 30.070149095754672 and 2.9535891832117595e-07.
    #[test]
    fn chi_square_r_by_c_matches_r_documentation() {
        let t = table(&[&[762, 327, 468], &[484, 239, 477]]);
        let test = chi_square_independence(&t, Correction::Yates).unwrap();
        assert!(!test.corrected, "Yates applies to 2 × 2 only");
        assert_eq!(test.df, 2);
        close(test.statistic, 30.070_149_095_754_672, 1e-9);
        close(test.p_value, 2.953_589_183_211_759_5e-7, 1e-15);
        assert_eq!(test.cells_expected_below_5, 0);
    }

    #[test]
    fn empty_lines_are_dropped_before_testing() {
        let t = table(&[&[3, 1], &[0, 0], &[1, 3]]);
        let test = chi_square_independence(&t, Correction::None).unwrap();
        assert_eq!(test.df, 1);
        assert_eq!(test.cells, 4);
    }

    #[test]
    fn degenerate_tables_have_no_test() {
        let one_column = table(&[&[3, 0], &[4, 0]]);
        assert_eq!(
            chi_square_independence(&one_column, Correction::None),
            Err(StatsError::NoTest { rows: 2, columns: 1 })
        );
        let zeros = table(&[&[0, 0], &[0, 0]]);
        assert!(chi_square_independence(&zeros, Correction::None).is_err());
        assert_eq!(ContingencyTable::from_rows::<[u64; 0]>(&[]), Err(StatsError::EmptyTable));
        assert_eq!(
            ContingencyTable::from_rows(&[vec![1, 2], vec![3]]),
            Err(StatsError::RaggedTable { row: 1, expected: 2, found: 1 })
        );
    }

    #[test]
    fn margins_and_expected_counts() {
        let t = table(&[&[3, 1], &[1, 3]]);
        assert_eq!(t.row_totals(), [4, 4]);
        assert_eq!(t.column_totals(), [4, 4]);
        assert_eq!(t.total(), 8);
        assert_eq!(t.expected(), [2.0, 2.0, 2.0, 2.0]);
    }
}
