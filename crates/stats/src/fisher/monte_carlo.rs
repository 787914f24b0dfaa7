//! The Monte Carlo p-value: random tables with the observed margins, drawn
//! cell by cell from the conditional hypergeometric distributions
//! (Patefield 1981, Algorithm AS 159, as R's `r2dtable`), each hypergeometric
//! by inversion from its mode.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use super::{LnFactorial, Margins};

/// `(1 + k) / (B + 1)` for `k` of `B = replicates` random tables scoring at
/// most the threshold, as R's `fisher.test(simulate.p.value = TRUE)`.
pub(super) fn p_value(margins: &Margins, replicates: u64, seed: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns_left = vec![0; margins.columns.len()];
    let mut as_extreme = 0u64;
    for _ in 0..replicates {
        columns_left.copy_from_slice(&margins.columns);
        if random_score(margins, &mut columns_left, &mut rng) <= margins.threshold {
            as_extreme += 1;
        }
    }
    (1 + as_extreme) as f64 / (replicates + 1) as f64
}

/// The score −Σ ln nᵢⱼ! of one random table with the margins.
fn random_score(margins: &Margins, columns_left: &mut [u64], rng: &mut ChaCha8Rng) -> f64 {
    let ln_factorial = &margins.ln_factorial;
    // Every row but the last is drawn; the last takes what is left.
    let rows = &margins.rows[..margins.rows.len() - 1];
    let mut score = 0.0;
    let columns = columns_left.len();
    for &row in rows {
        let mut row_left = row;
        // Units not yet placed in this row's columns from `j` on.
        let mut pool: u64 = columns_left.iter().sum();
        for (j, column_left) in columns_left.iter_mut().enumerate() {
            let x = if j + 1 == columns {
                row_left
            } else {
                hypergeometric(pool, *column_left, row_left, ln_factorial, rng)
            };
            pool -= *column_left;
            *column_left -= x;
            row_left -= x;
            score -= ln_factorial.at(x);
        }
    }
    score - columns_left.iter().map(|&x| ln_factorial.at(x)).sum::<f64>()
}

/// The number of successes in `draws` draws without replacement from
/// `population` items of which `successes` are successes: by inversion,
/// visiting values outward from the mode, alternately above and below.
fn hypergeometric(
    population: u64,
    successes: u64,
    draws: u64,
    ln_factorial: &LnFactorial,
    rng: &mut ChaCha8Rng,
) -> u64 {
    let failures = population - successes;
    let low = draws.saturating_sub(failures);
    let high = draws.min(successes);
    if low == high {
        return low;
    }
    let f = |x: u64| ln_factorial.at(x);
    let ln_pmf = |x: u64| {
        f(successes) - f(x) - f(successes - x) + f(failures)
            - f(draws - x)
            - f(failures - (draws - x))
            - (f(population) - f(draws) - f(population - draws))
    };
    // P(x + 1) / P(x).
    let ratio = |x: u64| {
        ((successes - x) as f64 * (draws - x) as f64)
            / ((x + 1) as f64 * (failures + x + 1 - draws) as f64)
    };
    let mode = (((draws + 1) as f64 * (successes + 1) as f64 / (population + 2) as f64) as u64)
        .clamp(low, high);
    let p_mode = ln_pmf(mode).exp();
    // A uniform number in [0, 1) from the top 53 bits.
    let mut u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    u -= p_mode;
    if u <= 0.0 {
        return mode;
    }
    let (mut up, mut p_up) = (mode, p_mode);
    let (mut down, mut p_down) = (mode, p_mode);
    while up < high || down > low {
        if up < high {
            p_up *= ratio(up);
            up += 1;
            u -= p_up;
            if u <= 0.0 {
                return up;
            }
        }
        if down > low {
            p_down /= ratio(down - 1);
            down -= 1;
            u -= p_down;
            if u <= 0.0 {
                return down;
            }
        }
    }
    // Only rounding can leave some of u: the mode is as good as any value.
    mode
}
