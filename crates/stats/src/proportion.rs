//! A proportion and its confidence interval.

use statrs::distribution::{ContinuousCDF, Normal};

use crate::error::StatsError;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// `successes / n`.
///
/// # Errors
/// [`StatsError::EmptySample`] for `n = 0`, [`StatsError::TooManySuccesses`]
/// when `successes > n`.
pub fn proportion(successes: u64, n: u64) -> Result<f64, StatsError> {
    check(successes, n)?;
    Ok(successes as f64 / n as f64)
}

fn check(successes: u64, n: u64) -> Result<(), StatsError> {
    if n == 0 {
        return Err(StatsError::EmptySample);
    }
    if successes > n {
        return Err(StatsError::TooManySuccesses { successes, n });
    }
    Ok(())
}

/// The Wilson score interval for a binomial proportion (Wilson 1927), without
/// continuity correction:
///
/// ```text
/// centre ± half = (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)
/// ```
///
/// where `z` is the standard normal quantile at `1 − (1 − confidence)/2`.
/// Unlike the Wald interval it stays inside [0, 1] and behaves well for
/// small n and proportions near 0 or 1, which is why qda reports it for tallies.
/// Agrees with R's `prop.test(x, n, correct = FALSE)$conf.int` and statsmodels'
/// `proportion_confint(method = "wilson")`.
///
/// # Errors
/// As [`proportion`], and [`StatsError::InvalidConfidence`] for a level outside (0, 1).
pub fn wilson_interval(successes: u64, n: u64, confidence: f64) -> Result<Interval, StatsError> {
    check(successes, n)?;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    let normal = Normal::standard();
    let z = normal.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // Clamp rounding noise at the ends (x = 0 or x = n give exactly 0 or 1).
    Ok(Interval { lower: (centre - half).max(0.0), upper: (centre + half).min(1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values are quoted to 4 decimals, so agree to 5e-5.
    const EPS: f64 = 5e-5;

    fn assert_interval(successes: u64, n: u64, lower: f64, upper: f64) {
        let i = wilson_interval(successes, n, 0.95).unwrap();
        assert!((i.lower - lower).abs() < EPS, "{successes}/{n}: lower {} != {lower}", i.lower);
        assert!((i.upper - upper).abs() < EPS, "{successes}/{n}: upper {} != {upper}", i.upper);
    }

    /// Newcombe, R. G. (1998). Two-sided confidence intervals for the single
    /// proportion: comparison of seven methods. Statistics in Medicine 17,
    /// 857–872, Table II, method 3 (score interval without continuity correction).
    #[test]
    fn wilson_matches_newcombe_1998_table_ii() {
        assert_interval(81, 263, 0.2553, 0.3662);
        assert_interval(15, 148, 0.0624, 0.1605);
        assert_interval(0, 20, 0.0, 0.1611);
        assert_interval(1, 29, 0.0061, 0.1718);
    }

    #[test]
    fn degenerate_inputs_are_errors() {
        assert_eq!(wilson_interval(0, 0, 0.95), Err(StatsError::EmptySample));
        assert_eq!(
            wilson_interval(3, 2, 0.95),
            Err(StatsError::TooManySuccesses { successes: 3, n: 2 })
        );
        assert_eq!(wilson_interval(1, 2, 1.0), Err(StatsError::InvalidConfidence(1.0)));
        assert_eq!(proportion(0, 0), Err(StatsError::EmptySample));
    }

    #[test]
    fn all_successes_reach_one() {
        let i = wilson_interval(26, 26, 0.95).unwrap();
        assert!((i.upper - 1.0).abs() < 1e-12);
    }
}
