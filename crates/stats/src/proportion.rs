//! A proportion and its confidence interval.

use statrs::distribution::{Beta, ContinuousCDF, Normal};

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

/// The Clopper–Pearson ("exact") interval for a binomial proportion
/// (Clopper and Pearson 1934): the quantiles of beta distributions,
///
/// ```text
/// lower = B(α/2; x, n − x + 1),  upper = B(1 − α/2; x + 1, n − x)
/// ```
///
/// with lower = 0 for x = 0 and upper = 1 for x = n, α = 1 − confidence.
/// It never covers less than the nominal level, so it is wider than Wilson's.
/// Agrees with `scipy.stats.binomtest(x, n).proportion_ci(method='exact')`
/// and R's `binom.test(x, n)$conf.int`. The beta quantiles come from statrs.
///
/// # Errors
/// As [`wilson_interval`].
pub fn clopper_pearson_interval(
    successes: u64,
    n: u64,
    confidence: f64,
) -> Result<Interval, StatsError> {
    check(successes, n)?;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::InvalidConfidence(confidence));
    }
    let alpha = 1.0 - confidence;
    let x = successes as f64;
    let n = n as f64;
    let lower = if successes == 0 {
        0.0
    } else {
        Beta::new(x, n - x + 1.0)
            .expect("both shapes are positive for 0 < x ≤ n")
            .inverse_cdf(alpha / 2.0)
    };
    let upper = if x == n {
        1.0
    } else {
        Beta::new(x + 1.0, n - x)
            .expect("both shapes are positive for 0 ≤ x < n")
            .inverse_cdf(1.0 - alpha / 2.0)
    };
    Ok(Interval { lower, upper })
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

    /// scipy 1.12 `scipy.stats.binomtest(x, n).proportion_ci(method='exact')`.
    #[test]
    fn clopper_pearson_matches_scipy() {
        let cases = [
            (4, 26, 0.043_563_476_538_921_2, 0.348_678_785_535_361_4),
            (0, 20, 0.0, 0.168_433_470_983_085_48),
            (13, 26, 0.299_272_179_441_185_3, 0.700_727_820_558_814_8),
            (26, 26, 0.867_725_395_502_245_9, 1.0),
            (1, 29, 0.000_872_646_883_597_107_2, 0.177_644_295_488_414_65),
            (81, 263, 0.252_736_745_585_042_83, 0.367_621_922_601_347_4),
        ];
        for (x, n, lower, upper) in cases {
            let i = clopper_pearson_interval(x, n, 0.95).unwrap();
            assert!((i.lower - lower).abs() < 1e-9, "{x}/{n}: lower {} != {lower}", i.lower);
            assert!((i.upper - upper).abs() < 1e-9, "{x}/{n}: upper {} != {upper}", i.upper);
        }
        assert_eq!(clopper_pearson_interval(0, 0, 0.95), Err(StatsError::EmptySample));
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
