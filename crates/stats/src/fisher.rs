//! Fisher's exact test of independence for any r × c table (the
//! Freeman–Halton extension for r or c above 2): exactly, by a network
//! algorithm, and beyond its reach by Monte Carlo, as R's `fisher.test`
//! with `simulate.p.value = TRUE`.
//!
//! The probability of a table with fixed margins is the multivariate
//! hypergeometric `Π Rᵢ! Π Cⱼ! / (N! Π nᵢⱼ!)`. The two-sided p-value sums
//! the probabilities of all tables at most as probable as the observed one,
//! with a relative tolerance of 10⁻⁷ for ties, as R's `fisher.test` and
//! `scipy.stats.fisher_exact` do.
//!
//! Every probability is handled as a logarithm relative to the observed
//! table's, so that no intermediate sum overflows or underflows whatever
//! the size of the table: the sum is of terms at most 1 (tables at most as
//! probable as the observed one), and the p-value is that sum times the
//! observed table's probability, taken once at the end.

mod monte_carlo;
mod network;
#[cfg(test)]
mod tests;

use crate::contingency::ContingencyTable;
use crate::error::StatsError;

/// How much work the exact enumeration may do before it gives way to
/// Monte Carlo. A unit of work is one filling of the second last row scored,
/// or one partial table carried to the next row; making a node of its own
/// or bounding one by relaxations is charged as several, about what each
/// takes in time (`network.rs`). The limit is a count,
/// not a time, so that the same table gets the same method on every
/// machine; it is reached in about a second in an optimised build on a
/// 2-core machine of 2026 (see `docs/analysis.md`).
pub const FISHER_WORK_LIMIT: u64 = 100_000_000;

/// Options of [`fisher_exact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FisherOptions {
    /// The most work the exact enumeration may do ([`FISHER_WORK_LIMIT`]).
    pub work_limit: u64,
    /// Random tables drawn when the enumeration would exceed the limit.
    pub replicates: u64,
    /// Seed of the random number generator (`ChaCha8`) of Monte Carlo.
    pub seed: u64,
}

impl Default for FisherOptions {
    /// The work limit, 100,000 replicates and seed 1.
    fn default() -> Self {
        FisherOptions { work_limit: FISHER_WORK_LIMIT, replicates: 100_000, seed: 1 }
    }
}

/// The outcome of Fisher's test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherTest {
    /// Two-sided p-value.
    pub p_value: f64,
    /// How it was computed.
    pub method: FisherMethod,
}

/// How a p-value of Fisher's test was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FisherMethod {
    /// Every table with the observed margins was accounted for: enumerated,
    /// or summed in closed form with others that all count or all do not.
    Exact,
    /// `(1 + k) / (B + 1)`, where `k` of `B` random tables with the observed
    /// margins are at most as probable as the observed one (Patefield's
    /// sampling, as R's `r2dtable`).
    MonteCarlo {
        /// `B`, the random tables drawn.
        replicates: u64,
        /// The seed of the generator.
        seed: u64,
    },
}

/// Fisher's exact test on the table without all-zero rows and columns:
/// exactly when the enumeration needs at most `options.work_limit` work,
/// otherwise by Monte Carlo with `options.replicates` and `options.seed`.
///
/// # Errors
/// [`StatsError::NoTest`] when fewer than two non-empty rows or columns
/// remain.
pub fn fisher_exact(
    table: &ContingencyTable,
    options: &FisherOptions,
) -> Result<FisherTest, StatsError> {
    if let Some(p_value) = fisher_exact_enumerated(table, options.work_limit)? {
        return Ok(FisherTest { p_value, method: FisherMethod::Exact });
    }
    let p_value = fisher_monte_carlo(table, options.replicates, options.seed)?;
    Ok(FisherTest {
        p_value,
        method: FisherMethod::MonteCarlo { replicates: options.replicates, seed: options.seed },
    })
}

/// The exact p-value of Fisher's test, or `None` when the enumeration would
/// need more than `work_limit` work.
///
/// # Errors
/// As [`fisher_exact`].
pub fn fisher_exact_enumerated(
    table: &ContingencyTable,
    work_limit: u64,
) -> Result<Option<f64>, StatsError> {
    let margins = Margins::of(table)?;
    Ok(network::ln_relative_p(&margins, work_limit)
        .map(|ln_relative| (ln_relative + margins.ln_observed()).exp().min(1.0)))
}

/// The Monte Carlo p-value of Fisher's test from `replicates` random tables
/// with the observed margins, drawn with `ChaCha8` seeded with `seed`.
///
/// # Errors
/// As [`fisher_exact`].
pub fn fisher_monte_carlo(
    table: &ContingencyTable,
    replicates: u64,
    seed: u64,
) -> Result<f64, StatsError> {
    let margins = Margins::of(table)?;
    Ok(monte_carlo::p_value(&margins, replicates, seed))
}

/// What both methods need of a table: its margins, the observed table's
/// score, and the threshold of scores that count.
///
/// A table's score is −Σ ln nᵢⱼ!; its log-probability is the score plus
/// [`Margins::ln_constant`]. A table counts towards the p-value when its
/// score is at most [`Margins::threshold`].
struct Margins {
    /// Row totals, largest first (rows are exchangeable; the largest first
    /// leave the fewest open paths).
    rows: Vec<u64>,
    /// Column totals; never more columns than rows, so that the nodes of
    /// the network, which are column remainders, stay short.
    columns: Vec<u64>,
    /// The observed table's score.
    observed: f64,
    /// The observed score with the tie tolerance of 10⁻⁷.
    threshold: f64,
    ln_factorial: LnFactorial,
}

impl Margins {
    fn of(table: &ContingencyTable) -> Result<Margins, StatsError> {
        let mut table = table.testable()?;
        if table.columns() > table.rows() {
            table = table.transposed();
        }
        let ln_factorial = LnFactorial::up_to(table.total() as usize);
        let mut rows = table.row_totals();
        rows.sort_unstable_by(|a, b| b.cmp(a));
        let observed = -table.cells().iter().map(|&x| ln_factorial.at(x)).sum::<f64>();
        Ok(Margins {
            rows,
            columns: table.column_totals(),
            observed,
            threshold: observed + 1e-7f64.ln_1p(),
            ln_factorial,
        })
    }

    /// ln of Π Rᵢ! Π Cⱼ! / N!: the part of every table's log-probability
    /// that the margins fix.
    fn ln_constant(&self) -> f64 {
        let n: u64 = self.rows.iter().sum();
        self.rows.iter().chain(&self.columns).map(|&m| self.ln_factorial.at(m)).sum::<f64>()
            - self.ln_factorial.at(n)
    }

    /// The observed table's log-probability (at most 0).
    fn ln_observed(&self) -> f64 {
        self.ln_constant() + self.observed
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
