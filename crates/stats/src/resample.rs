//! Exact multinomial draws from integer arithmetic and a seeded generator
//! only, so that a bootstrap gives the same interval on every platform:
//! the usual binomial samplers use `ln` and `exp`, whose last bits differ
//! between C libraries.
//!
//! A binomial draw with probability `a / b` compares each trial's uniform
//! number `u` with `a / b` one binary digit at a time: a trial whose digit
//! differs from `a / b`'s is settled (a success when `u`'s digit is the
//! smaller), and only the trials whose digits are all equal so far go on to
//! the next digit. How many of `t` trials have a digit equal to a given one
//! is the number of set bits among `t` random bits, so a draw costs about
//! `2n / 64` random words, and it is exact: no rounding anywhere.

use rand_chacha::rand_core::Rng;

/// A uniform draw from `0..bound` (`bound` above 0), by rejection: exact
/// and from integer arithmetic only, like the draws below.
pub(crate) fn uniform_below(rng: &mut impl Rng, bound: u64) -> u64 {
    // The largest multiple of `bound` that fits: words at or above it would
    // favour the small values, so they are drawn again.
    let zone = u64::MAX - (u64::MAX - bound + 1) % bound;
    loop {
        let word = rng.next_u64();
        if word <= zone {
            return word % bound;
        }
    }
}

/// How many of `n` trials succeed when each does with probability
/// `numerator / denominator` (at most 1; `denominator` is above 0 and below 2⁶³).
pub(crate) fn binomial(rng: &mut impl Rng, n: u64, numerator: u64, denominator: u64) -> u64 {
    debug_assert!(denominator > 0 && denominator < 1 << 63);
    if numerator >= denominator {
        return n;
    }
    let (mut open, mut successes) = (n, 0);
    // `remainder / denominator` is what is left of the probability's binary
    // expansion; once it is 0, every open trial's `u` is at least the probability.
    let mut remainder = numerator;
    while open > 0 && remainder > 0 {
        remainder *= 2;
        let digit = remainder >= denominator;
        if digit {
            remainder -= denominator;
        }
        // Open trials whose digit of `u` is 1.
        let ones = set_bits(rng, open);
        // With a digit of 1 in the probability, the trials with a 0 in `u` succeed.
        if digit {
            successes += open - ones;
            open = ones;
        } else {
            open -= ones;
        }
    }
    successes
}

/// The number of set bits among `n` random bits: a binomial draw with
/// probability one half.
fn set_bits(rng: &mut impl Rng, n: u64) -> u64 {
    let mut count = 0;
    for _ in 0..n / 64 {
        count += u64::from(rng.next_u64().count_ones());
    }
    let rest = n % 64;
    if rest > 0 {
        count += u64::from((rng.next_u64() & ((1 << rest) - 1)).count_ones());
    }
    count
}

/// Distributes `n` draws with replacement over groups of `weights[i]` items
/// each (every item equally likely), writing each group's share to `drawn`.
/// The groups are split in halves, each half's share drawn as one binomial,
/// so each of the about log₂(groups) levels costs one pass over `n`.
pub(crate) fn multinomial(rng: &mut impl Rng, n: u64, weights: &[u64], drawn: &mut [u64]) {
    debug_assert_eq!(weights.len(), drawn.len());
    match weights.len() {
        0 => {}
        1 => drawn[0] = n,
        len => {
            let (left, right) = weights.split_at(len / 2);
            let (left_drawn, right_drawn) = drawn.split_at_mut(len / 2);
            let left_weight: u64 = left.iter().sum();
            let total = left_weight + right.iter().sum::<u64>();
            let to_left = if n == 0 { 0 } else { binomial(rng, n, left_weight, total) };
            multinomial(rng, to_left, left, left_drawn);
            multinomial(rng, n - to_left, right, right_drawn);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;

    use super::*;

    /// The draws depend on the seed and integer arithmetic only: these are
    /// the same on every platform, and change only if the sampler does.
    #[test]
    fn draws_are_pinned_by_the_seed() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let draws: Vec<u64> =
            [(10, 1, 2), (1000, 1, 3), (1_000_000, 2, 7), (25, 24, 25), (5, 0, 9)]
                .iter()
                .map(|&(n, a, b)| binomial(&mut rng, n, a, b))
                .collect();
        assert_eq!(draws, [2, 334, 285_683, 25, 0]);
        let mut drawn = [0; 4];
        multinomial(&mut rng, 1000, &[1, 2, 3, 4], &mut drawn);
        assert_eq!(drawn, [98, 203, 324, 375]);
    }

    #[test]
    fn uniform_draws_cover_their_range_evenly() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = [0u32; 6];
        for _ in 0..60_000 {
            seen[uniform_below(&mut rng, 6) as usize] += 1;
        }
        // Each of 6 values 10,000 times on average; 4 standard deviations.
        assert!(seen.iter().all(|&n| n.abs_diff(10_000) < 400), "{seen:?}");
        assert_eq!(uniform_below(&mut rng, 1), 0);
    }

    #[test]
    fn certain_and_impossible_trials() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(binomial(&mut rng, 17, 3, 3), 17);
        assert_eq!(binomial(&mut rng, 17, 0, 3), 0);
        assert_eq!(binomial(&mut rng, 0, 1, 3), 0);
        let mut drawn = [9; 3];
        multinomial(&mut rng, 40, &[0, 5, 0], &mut drawn);
        assert_eq!(drawn, [0, 40, 0]);
    }

    /// Mean and variance over many draws match n·p and n·p·(1 − p) within
    /// five standard errors, for probabilities with short and long (and
    /// repeating) binary expansions.
    #[test]
    fn binomial_draws_have_the_binomial_mean_and_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let draws = 20_000;
        for (n, a, b) in
            [(1u64, 1u64, 2u64), (7, 1, 3), (100, 3, 8), (1000, 1, 10), (200, 999, 1000)]
        {
            let p = a as f64 / b as f64;
            let (mean, variance) = (n as f64 * p, n as f64 * p * (1.0 - p));
            let samples: Vec<f64> =
                (0..draws).map(|_| binomial(&mut rng, n, a, b) as f64).collect();
            let m = samples.iter().sum::<f64>() / draws as f64;
            let v = samples.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (draws - 1) as f64;
            let mean_se = (variance / draws as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * mean_se, "n {n} p {a}/{b}: mean {m} vs {mean}");
            // The sample variance's standard error, for a near-normal count.
            let variance_se = variance * (2.0 / (draws - 1) as f64).sqrt() + 0.01;
            assert!(
                (v - variance).abs() < 6.0 * variance_se,
                "n {n} p {a}/{b}: variance {v} vs {variance}"
            );
        }
    }

    /// Every group's share of a multinomial has the binomial mean.
    #[test]
    fn multinomial_shares_follow_the_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let weights = [5u64, 1, 0, 12, 7, 3, 2];
        let total: u64 = weights.iter().sum();
        let (n, rounds) = (300u64, 5_000);
        let mut sums = [0u64; 7];
        let mut drawn = [0u64; 7];
        for _ in 0..rounds {
            multinomial(&mut rng, n, &weights, &mut drawn);
            assert_eq!(drawn.iter().sum::<u64>(), n);
            for (sum, d) in sums.iter_mut().zip(drawn) {
                *sum += d;
            }
        }
        for (sum, w) in sums.iter().zip(weights) {
            let p = w as f64 / total as f64;
            let mean = *sum as f64 / rounds as f64;
            let se = (n as f64 * p * (1.0 - p) / rounds as f64).sqrt();
            assert!((mean - n as f64 * p).abs() <= 5.0 * se + 1e-9, "weight {w}: mean {mean}");
        }
    }
}
