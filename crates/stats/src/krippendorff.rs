//! Krippendorff's alpha, for any number of coders, missing values, and four
//! levels of measurement, with a seeded bootstrap interval.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::resample::multinomial;

use crate::proportion::Interval;
use crate::reliability::{Coefficient, Matrix, Undefined, categories};

/// Level of measurement: how far apart two values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Values are labels: equal or not.
    Nominal,
    /// Values are ranks: distance counts the values between them.
    Ordinal,
    /// Differences are meaningful: squared difference.
    Interval,
    /// Ratios are meaningful (a true zero): squared relative difference.
    Ratio,
}

/// Krippendorff's alpha (Krippendorff 2011, *Computing Krippendorff's
/// Alpha-Reliability*):
///
/// ```text
/// o_ck = Σ_u (number of c–k pairs in unit u) / (m_u − 1)   (units with m_u ≥ 2 values)
/// n_c  = Σ_k o_ck,   n = Σ_c n_c
/// α    = 1 − (n − 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck
/// ```
///
/// with `δ²` by `level`: nominal 0/1; ordinal `(Σ_{g=c..k} n_g − (n_c + n_k)/2)²`
/// over the sorted values; interval `(c − k)²`; ratio `((c − k)/(c + k))²`.
/// Values coded by a single coder for a unit are not pairable and are left
/// out. Agrees with Krippendorff's worked example (nominal 0.743, ordinal
/// 0.815, interval 0.849, ratio 0.797) and the `krippendorff` Python package.
///
/// `observed` and `expected` are the disagreements `D_o` and `D_e`.
///
/// # Errors
/// [`Undefined::NoPairableUnits`] and [`Undefined::NoVariation`] (`D_e = 0`).
pub fn krippendorff_alpha(data: &Matrix, level: Level) -> Result<Coefficient, Undefined> {
    let values = categories(data);
    alpha_of_patterns(&Patterns::of(data, &values), &values, level)
}

/// Alpha of the pairable units grouped in `patterns`, over the sorted `values`.
pub(crate) fn alpha_of_patterns(
    patterns: &Patterns,
    values: &[f64],
    level: Level,
) -> Result<Coefficient, Undefined> {
    if patterns.units == 0 {
        return Err(Undefined::NoPairableUnits);
    }
    let mut total = vec![0.0; values.len() * values.len()];
    patterns.add_coincidences(&mut total, &patterns.counts);
    alpha_from(&total, values, level, patterns.units as usize)
}

/// The pairable units (two or more values) grouped by the values they hold:
/// units holding the same values, in whatever order, add the same to the
/// coincidence matrix, so the work after grouping grows with the number of
/// distinct groups, not of units.
#[derive(Debug, PartialEq)]
pub(crate) struct Patterns {
    /// Each group's values, as sorted indices into the distinct values.
    values: Vec<Vec<usize>>,
    /// The number of units in each group.
    counts: Vec<u64>,
    /// The number of pairable units.
    units: u64,
}

impl Patterns {
    fn of(data: &Matrix, values: &[f64]) -> Self {
        let index = |v: f64| values.partition_point(|c| c.total_cmp(&v).is_lt());
        Self::of_rows(data.iter().map(|row| row.iter().flatten().map(move |&v| index(v))))
    }

    /// Groups units given as each one's present values (category indices).
    pub(crate) fn of_rows<R: Iterator<Item = usize>>(rows: impl Iterator<Item = R>) -> Self {
        // Ordered, so that groups come in the same order on every run.
        let mut groups: BTreeMap<Vec<usize>, u64> = BTreeMap::new();
        let mut present = Vec::new();
        for row in rows {
            present.clear();
            present.extend(row);
            if present.len() < 2 {
                continue;
            }
            present.sort_unstable();
            match groups.get_mut(present.as_slice()) {
                Some(count) => *count += 1,
                None => {
                    groups.insert(present.clone(), 1);
                }
            }
        }
        Self::from_groups(groups)
    }

    /// The groups given as each one's sorted values and number of units.
    pub(crate) fn from_groups(groups: BTreeMap<Vec<usize>, u64>) -> Self {
        let units = groups.values().sum();
        let (values, counts) = groups.into_iter().unzip();
        Patterns { values, counts, units }
    }

    /// Adds to the `k × k` (row-major) coincidence matrix `total` the
    /// contribution of `counts[i]` units of each group `i`: `1 / (m − 1)`
    /// for each ordered pair of a unit's `m` values.
    fn add_coincidences(&self, total: &mut [f64], counts: &[u64]) {
        let k = (total.len() as f64).sqrt() as usize;
        for (present, &count) in self.values.iter().zip(counts) {
            if count == 0 {
                continue;
            }
            let weight = count as f64 / (present.len() - 1) as f64;
            for (a, &c) in present.iter().enumerate() {
                for (b, &d) in present.iter().enumerate() {
                    if a != b {
                        total[c * k + d] += weight;
                    }
                }
            }
        }
    }
}

/// Alpha from a coincidence matrix over the sorted `values`.
fn alpha_from(
    coincidences: &[f64],
    values: &[f64],
    level: Level,
    units: usize,
) -> Result<Coefficient, Undefined> {
    let k = values.len();
    let marginals: Vec<f64> =
        (0..k).map(|c| coincidences[c * k..(c + 1) * k].iter().sum()).collect();
    let n: f64 = marginals.iter().sum();
    let delta = |c: usize, d: usize| -> f64 {
        if c == d {
            return 0.0;
        }
        match level {
            Level::Nominal => 1.0,
            Level::Ordinal => {
                let (lo, hi) = (c.min(d), c.max(d));
                let between: f64 = marginals[lo..=hi].iter().sum();
                (between - (marginals[c] + marginals[d]) / 2.0).powi(2)
            }
            Level::Interval => (values[c] - values[d]).powi(2),
            Level::Ratio => {
                let sum = values[c] + values[d];
                if sum == 0.0 { 0.0 } else { ((values[c] - values[d]) / sum).powi(2) }
            }
        }
    };
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..k {
        for d in 0..k {
            let distance = delta(c, d);
            observed += coincidences[c * k + d] * distance;
            expected += marginals[c] * marginals[d] * distance;
        }
    }
    let observed = observed / n;
    let expected = expected / (n * (n - 1.0));
    if expected <= f64::EPSILON || !expected.is_finite() {
        return Err(Undefined::NoVariation);
    }
    Ok(Coefficient { value: 1.0 - observed / expected, observed, expected, units })
}

/// Options of a bootstrap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    /// Number of resamples.
    pub resamples: usize,
    /// Seed of the random number generator (`ChaCha8`), so a run can be repeated exactly.
    pub seed: u64,
    /// Confidence level of the interval, such as 0.95.
    pub confidence: f64,
}

/// A percentile bootstrap interval for Krippendorff's alpha: units are drawn
/// with replacement `resamples` times, alpha is computed for each resample
/// (resamples where it is undefined are skipped and counted), and the
/// interval is given by the `(1 − confidence)/2` and `(1 + confidence)/2`
/// quantiles (type 7, as R's default) of the resampled values.
///
/// Units holding the same values weigh the same in alpha, so a resample is
/// drawn as how many units of each such group it holds: a multinomial draw
/// over the groups, made as binomial draws that split the groups in halves.
/// That is the same distribution as drawing units one by one. The draws
/// use integer arithmetic only (see `resample.rs`), never `ln` or `exp`,
/// whose last bits differ between platforms.
///
/// The generator is `ChaCha8` seeded with `seed`, so the same data, options
/// and seed give the same interval on every run and every platform.
///
/// # Errors
/// The point estimate's [`Undefined`], or [`Undefined::NoVariation`] when no
/// resample gives a value.
pub fn krippendorff_alpha_bootstrap(
    data: &Matrix,
    level: Level,
    options: Bootstrap,
) -> Result<BootstrapInterval, Undefined> {
    let values = categories(data);
    bootstrap_patterns(&Patterns::of(data, &values), &values, level, options)
}

/// The bootstrap interval of alpha over the units grouped in `patterns`.
pub(crate) fn bootstrap_patterns(
    patterns: &Patterns,
    values: &[f64],
    level: Level,
    options: Bootstrap,
) -> Result<BootstrapInterval, Undefined> {
    alpha_of_patterns(patterns, values, level)?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    // Grown as drawn: a count beyond memory runs long instead of aborting.
    let mut estimates = Vec::with_capacity(options.resamples.min(1 << 16));
    let mut total = vec![0.0; values.len() * values.len()];
    let mut drawn = vec![0; patterns.counts.len()];
    let mut skipped = 0;
    for _ in 0..options.resamples {
        multinomial(&mut rng, patterns.units, &patterns.counts, &mut drawn);
        total.fill(0.0);
        patterns.add_coincidences(&mut total, &drawn);
        match alpha_from(&total, values, level, patterns.units as usize) {
            Ok(c) => estimates.push(c.value),
            Err(_) => skipped += 1,
        }
    }
    if estimates.is_empty() {
        return Err(Undefined::NoVariation);
    }
    estimates.sort_by(f64::total_cmp);
    let tail = (1.0 - options.confidence) / 2.0;
    Ok(BootstrapInterval {
        interval: Interval {
            lower: quantile(&estimates, tail),
            upper: quantile(&estimates, 1.0 - tail),
        },
        resamples: estimates.len(),
        skipped,
    })
}

/// A bootstrap interval and how many resamples it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapInterval {
    /// The percentile interval.
    pub interval: Interval,
    /// Resamples with a defined value.
    pub resamples: usize,
    /// Resamples where the coefficient was undefined.
    pub skipped: usize,
}

/// Quantile of sorted values, linear interpolation between order statistics
/// (Hyndman and Fan type 7).
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
