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
}
