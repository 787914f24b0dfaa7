//! Thematic saturation after Guest, Namey and Chen (2020), "A simple method
//! to assess and report thematic saturation in qualitative research", PLOS
//! ONE 15(5): e0232076, <https://doi.org/10.1371/journal.pone.0232076>.
//!
//! The first `base` interviews give the base: the distinct codes found in
//! them. After the base, runs of `run` consecutive interviews follow, each
//! starting one interview later than the one before (5–6, 6–7, ... for a
//! base of 4 and runs of 2). A run's new information is the number of codes
//! first seen in it (not in any interview before the run) divided by the
//! number of codes in the base. Saturation is reached at the first run whose
//! new information is at or under the threshold, and reported as
//! "interviews before the run + run length" (6+2: eight interviews).

use std::collections::BTreeSet;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::krippendorff::quantile;

/// The three choices of the method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaturationOptions {
    /// Interviews in the base (the paper's default and ours: 4).
    pub base: usize,
    /// Interviews in a run (2).
    pub run: usize,
    /// New information, as a fraction of the base's codes, at or under
    /// which saturation is reached (0.05).
    pub threshold: f64,
}

impl Default for SaturationOptions {
    fn default() -> Self {
        SaturationOptions { base: 4, run: 2, threshold: 0.05 }
    }
}

/// Why saturation cannot be assessed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SaturationError {
    /// Base or run of zero interviews, or a threshold outside [0, 1].
    #[error("{0}")]
    InvalidOption(String),
    /// The base and one run need more interviews than there are.
    #[error(
        "a base of {base} and a run of {run} need {} interviews, but there are {interviews}",
        base + run
    )]
    TooFewInterviews {
        /// The base size.
        base: usize,
        /// The run length.
        run: usize,
        /// Interviews given.
        interviews: usize,
    },
    /// No code in the base: new information would divide by zero.
    #[error(
        "the {0} base interviews have no code, so new information cannot be measured against them"
    )]
    EmptyBase(usize),
}

/// One run: which interviews it covers and what was new in them.
#[derive(Debug, Clone, PartialEq)]
pub struct SaturationRun<T> {
    /// The first interview of the run (from 0).
    pub first: usize,
    /// The last interview of the run (from 0, inclusive).
    pub last: usize,
    /// Codes first seen in the run, sorted.
    pub new: Vec<T>,
    /// `new.len()` divided by the base's codes.
    pub new_information: f64,
}

/// The assessment of one interview order.
#[derive(Debug, Clone, PartialEq)]
pub struct Saturation<T> {
    /// Distinct codes in the base.
    pub base_codes: usize,
    /// Every run, in order.
    pub runs: Vec<SaturationRun<T>>,
    /// The first run at or under the threshold (index into `runs`).
    pub reached: Option<usize>,
    /// Distinct codes seen in the first 1, 2, ... interviews (the curve).
    pub cumulative: Vec<usize>,
}

impl<T> Saturation<T> {
    /// Interviews needed to reach saturation (the run's last interview,
    /// counted from 1); `None` when not reached.
    pub fn point(&self) -> Option<usize> {
        self.reached.map(|i| self.runs[i].last + 1)
    }
}

fn check(options: &SaturationOptions, interviews: usize) -> Result<(), SaturationError> {
    if options.base == 0 || options.run == 0 {
        return Err(SaturationError::InvalidOption(
            "the base and the run need at least one interview each".to_owned(),
        ));
    }
    if !(0.0..=1.0).contains(&options.threshold) {
        return Err(SaturationError::InvalidOption(format!(
            "the threshold {} is not a share between 0 and 1",
            options.threshold
        )));
    }
    if options.base + options.run > interviews {
        return Err(SaturationError::TooFewInterviews {
            base: options.base,
            run: options.run,
            interviews,
        });
    }
    Ok(())
}

/// Assesses saturation over `interviews` (each interview's distinct codes),
/// in the order given.
///
/// # Errors
/// Invalid options, too few interviews for the base and one run, or a base
/// without codes.
pub fn saturation<T: Ord + Clone>(
    interviews: &[BTreeSet<T>],
    options: &SaturationOptions,
) -> Result<Saturation<T>, SaturationError> {
    check(options, interviews.len())?;
    let mut seen: BTreeSet<&T> = BTreeSet::new();
    let mut cumulative = Vec::with_capacity(interviews.len());
    for interview in interviews {
        seen.extend(interview);
        cumulative.push(seen.len());
    }
    let base_codes = cumulative[options.base - 1];
    if base_codes == 0 {
        return Err(SaturationError::EmptyBase(options.base));
    }
    let mut runs = Vec::new();
    let mut reached = None;
    // The base's codes were counted with the curve.
    let (_, each_run) = new_in_runs(|i| &interviews[i], interviews.len(), options);
    for (first, new) in each_run {
        let new_information = new.len() as f64 / base_codes as f64;
        if reached.is_none() && at_most(new_information, options.threshold) {
            reached = Some(runs.len());
        }
        runs.push(SaturationRun {
            first,
            last: first + options.run - 1,
            new: new.into_iter().cloned().collect(),
            new_information,
        });
    }
    Ok(Saturation { base_codes, runs, reached, cumulative })
}

/// The base's distinct codes, and each run's first interview (from 0) with
/// the codes first seen in it, run after run, for `count` interviews taken
/// in order from `nth`. The codes
/// of the interviews before the run grow by one interview as the run moves
/// on: gathered again for every run, they made the assessment quadratic in
/// the number of interviews.
fn new_in_runs<'i, T: Ord + 'i>(
    nth: impl Fn(usize) -> &'i BTreeSet<T>,
    count: usize,
    options: &SaturationOptions,
) -> (usize, impl Iterator<Item = (usize, BTreeSet<&'i T>)>) {
    let (base, run) = (options.base, options.run);
    let mut before: BTreeSet<&T> = (0..base).flat_map(&nth).collect();
    let base_codes = before.len();
    let runs = (base..=count - run).map(move |first| {
        if first > base {
            before.extend(nth(first - 1));
        }
        let new = (first..first + run).flat_map(&nth).filter(|c| !before.contains(c)).collect();
        (first, new)
    });
    (base_codes, runs)
}

/// Whether a run's new information is at or under the threshold, compared
/// in whole shares of a hundred-millionth, so that 1/20 counts as 5% and
/// not a rounding error above it.
fn at_most(new_information: f64, threshold: f64) -> bool {
    new_information - threshold <= 1e-9
}

/// The saturation point of the interviews taken in `order` (indices into
/// `interviews`), as [`saturation`] gives it (`None` for a base without
/// codes), without copying the interviews or assessing the runs after the
/// point: all a bootstrap needs of each order.
fn point_in_order<T: Ord>(
    interviews: &[BTreeSet<T>],
    order: &[usize],
    options: &SaturationOptions,
) -> Option<usize> {
    let (base_codes, mut runs) = new_in_runs(|i| &interviews[order[i]], order.len(), options);
    if base_codes == 0 {
        return None;
    }
    runs.find(|(_, new)| at_most(new.len() as f64 / base_codes as f64, options.threshold))
        .map(|(first, _)| first + options.run)
}

/// The saturation point over random interview orders.
#[derive(Debug, Clone, PartialEq)]
pub struct SaturationBootstrap {
    /// Orders drawn.
    pub resamples: usize,
    /// Orders in which saturation was reached.
    pub reached: usize,
    /// Median of the saturation point (interviews) over the orders that
    /// reached it; `None` when none did.
    pub median: Option<f64>,
    /// 2.5th and 97.5th percentiles (Hyndman and Fan type 7) of the same.
    pub interval: Option<(f64, f64)>,
}

/// Assesses saturation over `resamples` random orders of the interviews
/// (shuffled by Fisher–Yates with `ChaCha8` seeded with `seed`), as the
/// paper validates its method.
///
/// # Errors
/// As [`saturation`]; an order whose base has no code is left out of the
/// points (it reaches nothing) rather than failing the whole bootstrap.
pub fn saturation_bootstrap<T: Ord + Clone>(
    interviews: &[BTreeSet<T>],
    options: &SaturationOptions,
    resamples: usize,
    seed: u64,
) -> Result<SaturationBootstrap, SaturationError> {
    check(options, interviews.len())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..interviews.len()).collect();
    // Grown as drawn: a count beyond memory runs long instead of aborting.
    let mut points = Vec::with_capacity(resamples.min(1 << 16));
    for _ in 0..resamples {
        for i in (1..order.len()).rev() {
            let j = crate::resample::uniform_below(&mut rng, i as u64 + 1);
            order.swap(i, j as usize);
        }
        if let Some(point) = point_in_order(interviews, &order, options) {
            points.push(point as f64);
        }
    }
    points.sort_by(f64::total_cmp);
    let (median, interval) = if points.is_empty() {
        (None, None)
    } else {
        (Some(quantile(&points, 0.5)), Some((quantile(&points, 0.025), quantile(&points, 0.975))))
    };
    Ok(SaturationBootstrap { resamples, reached: points.len(), median, interval })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interviews(new_per_interview: &[usize]) -> Vec<BTreeSet<usize>> {
        // Interview i brings `new_per_interview[i]` codes never seen before,
        // and repeats one code of the first interview.
        let mut next = 0;
        new_per_interview
            .iter()
            .map(|&n| {
                let mut codes: BTreeSet<usize> = (next..next + n).collect();
                codes.insert(0);
                next += n;
                codes
            })
            .collect()
    }

    /// Guest, Namey and Chen (2020), PLOS ONE 15(5): e0232076, section
    /// "Assessing saturation": their base of four interviews holds 37
    /// themes; a run that brings four new themes gives 4/37 = 11%, "still
    /// not below our 5% threshold"; the run bringing one new theme gives
    /// 1/37 = 2.7%, at which saturation is reached, reported for runs of two
    /// as "6+2". The paper's per-interview counts were not available to
    /// us; the counts below (20, 9, 5, 3 in the base, then 2, 2, 1, 0, 1, 0)
    /// are worked by hand from the method's definition to give exactly
    /// those figures: runs 5–6: 4/37, 6–7: 3/37, 7–8: 1/37.
    #[test]
    fn the_papers_figures() {
        let data = interviews(&[20, 9, 5, 3, 2, 2, 1, 0, 1, 0]);
        let assessed = saturation(&data, &SaturationOptions::default()).unwrap();
        assert_eq!(assessed.base_codes, 37);
        let shares: Vec<(usize, usize, usize)> =
            assessed.runs.iter().map(|r| (r.first + 1, r.last + 1, r.new.len())).collect();
        assert_eq!(shares[..3], [(5, 6, 4), (6, 7, 3), (7, 8, 1)]);
        assert_eq!(format!("{:.0}%", assessed.runs[0].new_information * 100.0), "11%");
        assert_eq!(format!("{:.1}%", assessed.runs[2].new_information * 100.0), "2.7%");
        assert_eq!(assessed.reached, Some(2));
        // "6+2": six interviews before the run, two in it.
        assert_eq!((assessed.runs[2].first, assessed.point()), (6, Some(8)));
        assert_eq!(assessed.cumulative[..8], [20, 29, 34, 37, 39, 41, 42, 42]);
    }

    #[test]
    fn a_share_equal_to_the_threshold_reaches_it() {
        // 20 base codes, one new in the run: 1/20 = 5%, at the threshold.
        let data = interviews(&[20, 0, 0, 0, 1, 0]);
        let assessed = saturation(&data, &SaturationOptions { base: 1, run: 2, threshold: 0.05 });
        assert_eq!(assessed.unwrap().point(), Some(3));
    }

    #[test]
    fn not_reached_and_errors() {
        let data = interviews(&[5, 5, 5, 5, 5, 5]);
        let assessed = saturation(&data, &SaturationOptions::default()).unwrap();
        assert_eq!(assessed.reached, None);
        assert_eq!(assessed.runs.len(), 1);
        assert_eq!(
            saturation(&data, &SaturationOptions { base: 30, ..Default::default() }),
            Err(SaturationError::TooFewInterviews { base: 30, run: 2, interviews: 6 })
        );
        let empty = vec![BTreeSet::<usize>::new(); 6];
        assert_eq!(
            saturation(&empty, &SaturationOptions::default()),
            Err(SaturationError::EmptyBase(4))
        );
    }

    #[test]
    fn each_run_has_the_codes_no_interview_before_it_has() {
        // Interviews of random codes, checked against the definition
        // applied directly: every interview before the run gathered again.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let data: Vec<BTreeSet<u64>> = (0..60)
            .map(|i| {
                let codes = crate::resample::uniform_below(&mut rng, 6);
                (0..codes).map(|_| crate::resample::uniform_below(&mut rng, 20 + i)).collect()
            })
            .collect();
        let options = SaturationOptions { base: 4, run: 3, threshold: 0.05 };
        let assessed = saturation(&data, &options).unwrap();
        assert_eq!(assessed.runs.len(), 60 - 4 - 3 + 1);
        for run in &assessed.runs {
            let before: BTreeSet<u64> = data[..run.first].iter().flatten().copied().collect();
            let new: BTreeSet<u64> = data[run.first..=run.last]
                .iter()
                .flatten()
                .filter(|c| !before.contains(c))
                .copied()
                .collect();
            assert_eq!(run.new.iter().copied().collect::<BTreeSet<u64>>(), new, "{run:?}");
        }
    }

    #[test]
    fn the_bootstrap_is_seeded() {
        let data = interviews(&[20, 9, 5, 3, 2, 2, 1, 0, 1, 0, 0, 0]);
        let options = SaturationOptions::default();
        let a = saturation_bootstrap(&data, &options, 200, 7).unwrap();
        assert_eq!(a, saturation_bootstrap(&data, &options, 200, 7).unwrap());
        assert_eq!(a.resamples, 200);
        let (low, high) = a.interval.unwrap();
        let median = a.median.unwrap();
        assert!(6.0 <= low && low <= median && median <= high && high <= 12.0, "{a:?}");
    }

    /// The bootstrap's shortcut against the whole assessment of the same
    /// order, over random interviews (some with no code, so that some bases
    /// are empty) and options.
    #[test]
    fn the_point_of_an_order_is_its_assessments_point() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut below = |n: usize| crate::resample::uniform_below(&mut rng, n as u64) as usize;
        let mut reached = 0;
        for _ in 0..300 {
            let count = 3 + below(30);
            let codes = 1 + below(40);
            let interviews: Vec<BTreeSet<usize>> =
                (0..count).map(|_| (0..below(8)).map(|_| below(codes)).collect()).collect();
            let options = SaturationOptions {
                base: 1 + below(3),
                run: 1 + below(2),
                threshold: [0.0, 0.05, 0.1, 0.3][below(4)],
            };
            if options.base + options.run > count {
                continue;
            }
            let mut order: Vec<usize> = (0..count).collect();
            for i in (1..count).rev() {
                order.swap(i, below(i + 1));
            }
            let shuffled: Vec<BTreeSet<usize>> =
                order.iter().map(|&i| interviews[i].clone()).collect();
            let whole = saturation(&shuffled, &options).ok().and_then(|s| s.point());
            assert_eq!(
                point_in_order(&interviews, &order, &options),
                whole,
                "{interviews:?} {order:?}"
            );
            reached += usize::from(whole.is_some());
        }
        // Both outcomes are exercised.
        assert!((30..270).contains(&reached), "{reached} of 300 orders reached saturation");
    }
}
