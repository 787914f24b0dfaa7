//! Errors for inputs on which a statistic is not defined.

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// A proportion of nothing.
    #[error("the proportion is undefined for n = 0")]
    EmptySample,
    /// More successes than trials.
    #[error("{successes} successes out of only {n} trials")]
    TooManySuccesses {
        /// Successes given.
        successes: u64,
        /// Trials given.
        n: u64,
    },
    /// A confidence level outside (0, 1).
    #[error("confidence level {0} must lie strictly between 0 and 1")]
    InvalidConfidence(f64),
    /// A contingency table without rows or columns.
    #[error("the table has no cells")]
    EmptyTable,
    /// Rows of a contingency table of different lengths.
    #[error("row {row} has {found} cells where the first row has {expected}")]
    RaggedTable {
        /// The row (from 0).
        row: usize,
        /// Cells in the first row.
        expected: usize,
        /// Cells in this row.
        found: usize,
    },
    /// Fewer than two non-empty rows or columns: independence cannot be tested.
    #[error(
        "no test of independence: the table has {rows} non-empty row(s) and {columns} non-empty column(s); both need at least 2"
    )]
    NoTest {
        /// Non-empty rows.
        rows: usize,
        /// Non-empty columns.
        columns: usize,
    },
    /// A code index outside the number of codes.
    #[error("code index {index} is out of range for {codes} codes")]
    CodeOutOfRange {
        /// The index given.
        index: usize,
        /// Number of codes.
        codes: usize,
    },
    /// Bin edges that are not finite and strictly increasing.
    #[error("bin edges must be finite numbers in strictly increasing order")]
    InvalidBinEdges,
}
