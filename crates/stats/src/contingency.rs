//! Contingency tables (crosstabs) and their tests of independence:
//! Pearson's chi-square (with and without Yates' continuity correction) and
//! Fisher's exact test for any r × c table.
//!
//! Rows and columns whose total is zero carry no information about
//! independence and make expected counts zero, so both tests are computed on
//! the table without them ([`ContingencyTable::without_empty_lines`]); a
//! table with fewer than two non-empty rows or columns has no test.
//!
//! Fisher's exact test enumerates every table with the observed margins,
//! exactly (no Monte Carlo): row by row, each cell bounded by what its row
//! and column still need, with log-probabilities from a log-factorial
//! table, merging paths that reach the same remaining margins with the same
//! probability, and settling whole subtrees at once when bounds show that
//! all or none of their tables count (the network algorithm of Mehta and
//! Patel 1983). Its cost still grows with the table, so enumeration stops
//! after [`FISHER_STEP_LIMIT`] steps and reports [`FisherExact::TooLarge`]
//! instead of a p-value; the caller then relies on the chi-square test.

use std::collections::BTreeMap;

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
    fn testable(&self) -> Result<ContingencyTable, StatsError> {
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

/// Fisher's enumeration stops after this many steps (a step is one partial
/// table, a row filled in, extended from one node); beyond it the test is
/// reported as [`FisherExact::TooLarge`]. Pruning settles most partial tables
/// without visiting their completions: R's Job satisfaction table (4 × 4,
/// n = 96) takes 0.9 million steps, 0.2 s in an optimised build; reaching
/// the limit takes under a second and about 70 MB, so that a tally with a
/// test per code stays quick.
pub const FISHER_STEP_LIMIT: u64 = 2_000_000;

/// The outcome of Fisher's exact test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FisherExact {
    /// Every table with the observed margins was accounted for: enumerated,
    /// or summed in closed form with others that all count or all do not.
    Exact {
        /// Two-sided p-value: the total probability of every table no more
        /// probable than the observed one.
        p_value: f64,
        /// Number of steps the enumeration took (see [`FISHER_STEP_LIMIT`]).
        steps: u64,
    },
    /// Enumeration would take more than the limit of steps; no p-value.
    TooLarge {
        /// The limit that was reached.
        limit: u64,
    },
}

impl FisherExact {
    /// The p-value, when the test was computed.
    pub fn p_value(&self) -> Option<f64> {
        match self {
            FisherExact::Exact { p_value, .. } => Some(*p_value),
            FisherExact::TooLarge { .. } => None,
        }
    }
}

/// Fisher's exact test of independence for an r × c table (the
/// Freeman–Halton extension for r or c above 2), on the table without
/// all-zero rows and columns, in at most [`FISHER_STEP_LIMIT`] steps.
///
/// The probability of a table with fixed margins is the multivariate
/// hypergeometric `Π Rᵢ! Π Cⱼ! / (N! Π nᵢⱼ!)`. The two-sided p-value sums the
/// probabilities of all tables whose probability is at most the observed
/// one's, with a relative tolerance of 10⁻⁷ for ties, as R's `fisher.test`
/// and `scipy.stats.fisher_exact` do.
///
/// # Errors
/// [`StatsError::NoTest`] when fewer than two non-empty rows or columns remain.
pub fn fisher_exact(table: &ContingencyTable) -> Result<FisherExact, StatsError> {
    fisher_exact_with_limit(table, FISHER_STEP_LIMIT)
}

/// [`fisher_exact`] with another limit on the steps of the enumeration.
///
/// # Errors
/// As [`fisher_exact`].
pub fn fisher_exact_with_limit(
    table: &ContingencyTable,
    limit: u64,
) -> Result<FisherExact, StatsError> {
    let mut table = table.testable()?;
    // A node is a vector of column remainders: the shorter dimension as
    // columns keeps nodes short and few.
    if table.columns > table.rows {
        table = table.transposed();
    }
    let n = table.total() as usize;
    let ln_factorial = LnFactorial::up_to(n);
    let mut rows = table.row_totals();
    // Rows are exchangeable; the largest first leave the fewest open paths
    // (the Job satisfaction example: 0.9 million steps instead of 3.2).
    rows.sort_unstable_by(|a, b| b.cmp(a));
    let columns = table.column_totals();
    // ln of Π Rᵢ! Π Cⱼ! / N!: the part of every table's probability that the
    // margins fix.
    let constant = rows.iter().chain(&columns).map(|&m| ln_factorial.at(m)).sum::<f64>()
        - ln_factorial.at(n as u64);
    let observed: f64 = constant - table.counts.iter().map(|&x| ln_factorial.at(x)).sum::<f64>();
    let network = Network {
        ln_factorial: &ln_factorial,
        threshold: observed + (1.0 + 1e-7f64).ln() - constant,
        limit,
    };
    match network.p_value(&rows, &columns) {
        Some((p, steps)) => {
            Ok(FisherExact::Exact { p_value: (p * constant.exp()).min(1.0), steps })
        }
        None => Ok(FisherExact::TooLarge { limit }),
    }
}

impl ContingencyTable {
    fn transposed(&self) -> ContingencyTable {
        let counts = (0..self.columns)
            .flat_map(|c| (0..self.rows).map(move |r| (r, c)))
            .map(|(r, c)| self.count(r, c))
            .collect();
        ContingencyTable { rows: self.columns, columns: self.rows, counts }
    }
}

/// ln n! from statrs, looked up in a table for the n of one test (at most
/// 2²⁰ entries; larger n are computed when asked for).
struct LnFactorial {
    table: Vec<f64>,
}

impl LnFactorial {
    const MAX_TABLE: usize = 1 << 20;

    fn up_to(n: usize) -> Self {
        let last = n.min(Self::MAX_TABLE) as u64;
        LnFactorial { table: (0..=last).map(statrs::function::factorial::ln_factorial).collect() }
    }

    fn at(&self, x: u64) -> f64 {
        self.table
            .get(x as usize)
            .copied()
            .unwrap_or_else(|| statrs::function::factorial::ln_factorial(x))
    }
}

/// Fisher's enumeration as a network (Mehta and Patel 1983), row by row.
///
/// A node is what the rows filled so far leave: the remaining column totals,
/// sorted (the rest of a table depends on them only, not on which column is
/// which), and a past score −Σ ln nᵢⱼ! of the cells filled. Paths reaching
/// the same node with the same score are merged, with their multiplicity.
/// Each node's completions are bounded first (the exact least and most
/// score of any completion, memoised per node): when all of them, or none,
/// are at most as probable as the observed table, their total is added in
/// closed form, or they are dropped, without enumerating them.
struct Network<'a> {
    ln_factorial: &'a LnFactorial,
    /// The observed table's score (with the tie tolerance): a table counts
    /// when its score is at most this.
    threshold: f64,
    limit: u64,
}

/// Past scores at one node: score (rounded, as the key) → (score, paths).
type Scores = BTreeMap<i64, (f64, f64)>;

/// Scores closer than this are one score: far below any real difference
/// between tables, far above rounding noise.
const SCORE_RESOLUTION: f64 = 1e-9;

impl Network<'_> {
    /// Σ over tables with the margins and a score at most the threshold of
    /// exp(score), and the number of partial tables visited; `None` beyond
    /// the limit.
    fn p_value(&self, rows: &[u64], columns: &[u64]) -> Option<(f64, u64)> {
        let mut start: Vec<u64> = columns.to_vec();
        start.sort_unstable_by(|a, b| b.cmp(a));
        let mut nodes: BTreeMap<Vec<u64>, Scores> = BTreeMap::new();
        nodes.entry(start).or_default().insert(0, (0.0, 1.0));
        let mut total = 0.0;
        let mut visited = 0u64;
        let mut bounds: BTreeMap<(usize, Vec<u64>), (f64, f64)> = BTreeMap::new();
        for (r, &row) in rows.iter().enumerate() {
            let rest = &rows[r..];
            let mut next: BTreeMap<Vec<u64>, Scores> = BTreeMap::new();
            for (left, scores) in nodes {
                let (least, most) = self.bounds(r, rows, &left, &mut bounds, &mut visited)?;
                let ln_all = self.ln_completions(rest, &left);
                let mut open: Vec<(f64, f64)> = Vec::new();
                for (score, paths) in scores.into_values() {
                    if score + most <= self.threshold {
                        total += paths * (score + ln_all).exp();
                    } else if score + least <= self.threshold {
                        open.push((score, paths));
                    }
                }
                if open.is_empty() {
                    continue;
                }
                if rest.len() == 1 {
                    // The last row takes every column's remainder.
                    let last: f64 = -left.iter().map(|&x| self.ln_factorial.at(x)).sum::<f64>();
                    for (score, paths) in open {
                        if score + last <= self.threshold {
                            total += paths * (score + last).exp();
                        }
                    }
                    continue;
                }
                let mut cells = vec![0u64; left.len()];
                let mut outcomes: Vec<(Vec<u64>, f64)> = Vec::new();
                self.fill_row(row, 0, &left, &mut cells, 0.0, &mut outcomes);
                visited += (outcomes.len() * open.len()) as u64;
                if visited > self.limit {
                    return None;
                }
                for (after, delta) in outcomes {
                    let scores = next.entry(after).or_default();
                    for &(score, paths) in &open {
                        let score = score + delta;
                        let key = (score / SCORE_RESOLUTION).round() as i64;
                        scores.entry(key).or_insert((score, 0.0)).1 += paths;
                    }
                }
            }
            nodes = next;
        }
        Some((total, visited))
    }

    /// Every way to spread `left_in_row` over the columns from `column` on,
    /// each cell at most its column's remainder: the remainders after it
    /// (sorted) and the row's score −Σ ln x!.
    fn fill_row(
        &self,
        left_in_row: u64,
        column: usize,
        left: &[u64],
        cells: &mut [u64],
        score: f64,
        out: &mut Vec<(Vec<u64>, f64)>,
    ) {
        if column + 1 == left.len() {
            if left_in_row > left[column] {
                return;
            }
            cells[column] = left_in_row;
            let mut after: Vec<u64> = left.iter().zip(cells.iter()).map(|(c, x)| c - x).collect();
            after.sort_unstable_by(|a, b| b.cmp(a));
            out.push((after, score - self.ln_factorial.at(left_in_row)));
            return;
        }
        let room_after: u64 = left[column + 1..].iter().sum();
        let low = left_in_row.saturating_sub(room_after);
        let high = left_in_row.min(left[column]);
        for x in low..=high {
            cells[column] = x;
            self.fill_row(
                left_in_row - x,
                column + 1,
                left,
                cells,
                score - self.ln_factorial.at(x),
                out,
            );
        }
    }

    /// The least and the most score of any completion of the table from
    /// row `r` on, given the column remainders `left`: exact, by recursion
    /// over the rows, memoised per node (few nodes, compared with the paths
    /// through them). `None` beyond the limit.
    fn bounds(
        &self,
        r: usize,
        rows: &[u64],
        left: &[u64],
        memo: &mut BTreeMap<(usize, Vec<u64>), (f64, f64)>,
        visited: &mut u64,
    ) -> Option<(f64, f64)> {
        if r + 1 == rows.len() {
            let last = -left.iter().map(|&x| self.ln_factorial.at(x)).sum::<f64>();
            return Some((last, last));
        }
        if let Some(&known) = memo.get(&(r, left.to_vec())) {
            return Some(known);
        }
        let mut cells = vec![0u64; left.len()];
        let mut outcomes = Vec::new();
        self.fill_row(rows[r], 0, left, &mut cells, 0.0, &mut outcomes);
        *visited += outcomes.len() as u64;
        if *visited > self.limit {
            return None;
        }
        let mut least = f64::INFINITY;
        let mut most = f64::NEG_INFINITY;
        for (after, delta) in outcomes {
            let (l, m) = self.bounds(r + 1, rows, &after, memo, visited)?;
            least = least.min(delta + l);
            most = most.max(delta + m);
        }
        memo.insert((r, left.to_vec()), (least, most));
        Some((least, most))
    }

    /// ln of the sum over the completions of exp(score), for the remaining
    /// `rows` (totals) and column remainders `columns`: N'! / (Π Rᵢ'! Π Cⱼ'!).
    fn ln_completions(&self, rows: &[u64], columns: &[u64]) -> f64 {
        let f = |x: u64| self.ln_factorial.at(x);
        let n: u64 = columns.iter().sum();
        f(n) - rows.iter().map(|&r| f(r)).sum::<f64>() - columns.iter().map(|&c| f(c)).sum::<f64>()
    }
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

    /// Agresti (2002), Categorical Data Analysis, 2nd ed., section 3.5.2,
    /// Fisher's tea tasting: two-sided p = 0.486.
    /// scipy 1.12 `scipy.stats.fisher_exact([[3, 1], [1, 3]])` gives 0.48571428571428565.
    #[test]
    fn fisher_tea_tasting() {
        let p = fisher_exact(&table(&[&[3, 1], &[1, 3]])).unwrap().p_value().unwrap();
        close(p, 0.485_714_285_714_285_65, 1e-12);
    }

    /// R documentation of `fisher.test`, the Job satisfaction example
    /// (Agresti 2002, Table 2.8): `fisher.test(Job)` gives p-value = 0.7827.
    #[test]
    fn fisher_r_by_c_job_satisfaction() {
        let job = table(&[&[1, 2, 1, 0], &[3, 3, 6, 1], &[10, 10, 14, 9], &[6, 7, 12, 11]]);
        // R's matrix(c(...), 4, 4) fills by column: rows are satisfaction here,
        // which is the transpose of R's layout; the test is symmetric.
        let p = fisher_exact(&job).unwrap().p_value().unwrap();
        close(p, 0.7827, 5e-5);
    }

    /// An independent brute-force enumeration without pruning,
    /// `scripts/fisher_brute_force.py`: 0.08995766138623286 and 0.06118881118881137.
    #[test]
    fn fisher_r_by_c_matches_brute_force() {
        let p = fisher_exact(&table(&[&[3, 1, 0], &[1, 2, 2], &[0, 1, 4]])).unwrap();
        close(p.p_value().unwrap(), 0.089_957_661_386_232_86, 1e-12);
        let p = fisher_exact(&table(&[&[2, 0, 3, 1], &[1, 4, 0, 2]])).unwrap();
        close(p.p_value().unwrap(), 0.061_188_811_188_811_37, 1e-12);
    }

    /// Every table with the margins of `counts` (rows × columns), by plain
    /// recursion without pruning or merging.
    fn all_tables(rows: &[u64], columns: &mut Vec<u64>, out: &mut Vec<Vec<u64>>, done: Vec<u64>) {
        let Some((&row, rest)) = rows.split_first() else {
            out.push(done);
            return;
        };
        fn spread(
            left: u64,
            c: usize,
            columns: &[u64],
            cells: &mut Vec<u64>,
            out: &mut Vec<Vec<u64>>,
        ) {
            if c == columns.len() {
                if left == 0 {
                    out.push(cells.clone());
                }
                return;
            }
            for x in 0..=left.min(columns[c]) {
                cells.push(x);
                spread(left - x, c + 1, columns, cells, out);
                cells.pop();
            }
        }
        let mut fills = Vec::new();
        spread(row, 0, columns, &mut Vec::new(), &mut fills);
        for fill in fills {
            for (c, x) in fill.iter().enumerate() {
                columns[c] -= x;
            }
            let mut next = done.clone();
            next.extend(&fill);
            if rest.is_empty() && columns.iter().any(|&c| c > 0) {
                // Margins not met.
            } else {
                all_tables(rest, columns, out, next);
            }
            for (c, x) in fill.iter().enumerate() {
                columns[c] += x;
            }
        }
    }

    /// The pruned, merged network gives the same p-value as summing over
    /// every table, for 200 pseudo-random small tables of several shapes.
    #[test]
    fn fisher_network_agrees_with_plain_enumeration() {
        let mut state = 12_345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % 4
        };
        for k in 0..200 {
            let (r, c) = [(2, 2), (2, 3), (3, 3), (2, 4), (4, 2)][k % 5];
            let rows: Vec<Vec<u64>> = (0..r).map(|_| (0..c).map(|_| next()).collect()).collect();
            let t = table(&rows.iter().map(Vec::as_slice).collect::<Vec<_>>());
            let Ok(result) = fisher_exact(&t) else { continue };
            let t = t.without_empty_lines().0;
            let ln_p = |cells: &[u64]| -> f64 {
                let f = |x: u64| statrs::function::factorial::ln_factorial(x);
                t.row_totals().iter().chain(&t.column_totals()).map(|&m| f(m)).sum::<f64>()
                    - f(t.total())
                    - cells.iter().map(|&x| f(x)).sum::<f64>()
            };
            let observed = ln_p(&t.counts);
            let mut tables = Vec::new();
            all_tables(&t.row_totals(), &mut t.column_totals(), &mut tables, Vec::new());
            let expected: f64 = tables
                .iter()
                .map(|cells| ln_p(cells))
                .filter(|&l| l <= observed + (1.0 + 1e-7f64).ln())
                .map(f64::exp)
                .sum();
            close(result.p_value().unwrap(), expected.min(1.0), 1e-9);
        }
    }

    /// scipy 1.12: `scipy.stats.fisher_exact([[8, 2], [1, 5]])` gives 0.034965034965034975.
    #[test]
    fn fisher_two_by_two_matches_scipy() {
        let p = fisher_exact(&table(&[&[8, 2], &[1, 5]])).unwrap().p_value().unwrap();
        close(p, 0.034_965_034_965_034_975, 1e-12);
    }

    #[test]
    fn fisher_probabilities_sum_to_one_at_the_most_extreme_threshold() {
        // The most probable table gives p = 1 (all tables at most as probable).
        let p = fisher_exact(&table(&[&[2, 2], &[2, 2]])).unwrap().p_value().unwrap();
        close(p, 1.0, 1e-12);
    }

    #[test]
    fn fisher_reports_a_table_too_large_to_enumerate() {
        let job = table(&[&[1, 2, 1, 0], &[3, 3, 6, 1], &[10, 10, 14, 9], &[6, 7, 12, 11]]);
        assert_eq!(
            fisher_exact_with_limit(&job, 1000).unwrap(),
            FisherExact::TooLarge { limit: 1000 }
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
        let p = fisher_exact(&t).unwrap().p_value().unwrap();
        close(p, 0.485_714_285_714_285_65, 1e-12);
    }

    #[test]
    fn degenerate_tables_have_no_test() {
        let one_column = table(&[&[3, 0], &[4, 0]]);
        assert_eq!(
            chi_square_independence(&one_column, Correction::None),
            Err(StatsError::NoTest { rows: 2, columns: 1 })
        );
        assert_eq!(fisher_exact(&one_column), Err(StatsError::NoTest { rows: 2, columns: 1 }));
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
