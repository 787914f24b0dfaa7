use super::*;

fn table(rows: &[&[u64]]) -> ContingencyTable {
    ContingencyTable::from_rows(rows).unwrap()
}

fn close(actual: f64, expected: f64, eps: f64) {
    assert!((actual - expected).abs() < eps, "{actual} differs from {expected} by more than {eps}");
}

/// The exact p-value of a table small enough to enumerate.
fn exact(table: &ContingencyTable) -> Result<f64, StatsError> {
    Ok(fisher_exact_enumerated(table, FISHER_WORK_LIMIT)?.expect("within the work limit"))
}

/// Agresti (2002), Categorical Data Analysis, 2nd ed., section 3.5.2,
/// Fisher's tea tasting: two-sided p = 0.486.
/// scipy 1.12 `scipy.stats.fisher_exact([[3, 1], [1, 3]])` gives 0.48571428571428565.
#[test]
fn fisher_tea_tasting() {
    let p = exact(&table(&[&[3, 1], &[1, 3]])).unwrap();
    close(p, 0.485_714_285_714_285_65, 1e-12);
}

/// R documentation of `fisher.test`, the Job satisfaction example
/// (Agresti 2002, Table 2.8): `fisher.test(Job)` gives p-value = 0.7827.
#[test]
fn fisher_r_by_c_job_satisfaction() {
    let job = table(&[&[1, 2, 1, 0], &[3, 3, 6, 1], &[10, 10, 14, 9], &[6, 7, 12, 11]]);
    // R's matrix(c(...), 4, 4) fills by column: rows are satisfaction here,
    // which is the transpose of R's layout; the test is symmetric.
    let p = exact(&job).unwrap();
    close(p, 0.7827, 5e-5);
}

/// An independent brute-force enumeration without pruning,
/// `scripts/fisher_brute_force.py`: 0.08995766138623286 and 0.06118881118881137.
#[test]
fn fisher_r_by_c_matches_brute_force() {
    let p = exact(&table(&[&[3, 1, 0], &[1, 2, 2], &[0, 1, 4]])).unwrap();
    close(p, 0.089_957_661_386_232_86, 1e-12);
    let p = exact(&table(&[&[2, 0, 3, 1], &[1, 4, 0, 2]])).unwrap();
    close(p, 0.061_188_811_188_811_37, 1e-12);
}

/// Every table with the margins of `counts` (rows × columns), by plain
/// recursion without pruning or merging.
fn all_tables(rows: &[u64], columns: &mut Vec<u64>, out: &mut Vec<Vec<u64>>, done: Vec<u64>) {
    let Some((&row, rest)) = rows.split_first() else {
        out.push(done);
        return;
    };
    fn spread(left: u64, c: usize, columns: &[u64], cells: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
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
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % 4
    };
    for k in 0..200 {
        let (r, c) = [(2, 2), (2, 3), (3, 3), (2, 4), (4, 2)][k % 5];
        let rows: Vec<Vec<u64>> = (0..r).map(|_| (0..c).map(|_| next()).collect()).collect();
        let t = table(&rows.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let Ok(result) = exact(&t) else { continue };
        let t = t.without_empty_lines().0;
        let ln_p = |cells: &[u64]| -> f64 {
            let f = |x: u64| statrs::function::factorial::ln_factorial(x);
            t.row_totals().iter().chain(&t.column_totals()).map(|&m| f(m)).sum::<f64>()
                - f(t.total())
                - cells.iter().map(|&x| f(x)).sum::<f64>()
        };
        let observed = ln_p(t.cells());
        let mut tables = Vec::new();
        all_tables(&t.row_totals(), &mut t.column_totals(), &mut tables, Vec::new());
        let expected: f64 = tables
            .iter()
            .map(|cells| ln_p(cells))
            .filter(|&l| l <= observed + (1.0 + 1e-7f64).ln())
            .map(f64::exp)
            .sum();
        close(result, expected.min(1.0), 1e-9);
    }
}

/// scipy 1.12: `scipy.stats.fisher_exact([[8, 2], [1, 5]])` gives 0.034965034965034975.
#[test]
fn fisher_two_by_two_matches_scipy() {
    let p = exact(&table(&[&[8, 2], &[1, 5]])).unwrap();
    close(p, 0.034_965_034_965_034_975, 1e-12);
}

#[test]
fn fisher_probabilities_sum_to_one_at_the_most_extreme_threshold() {
    // The most probable table gives p = 1 (all tables at most as probable).
    let p = exact(&table(&[&[2, 2], &[2, 2]])).unwrap();
    close(p, 1.0, 1e-12);
}

#[test]
fn beyond_the_work_limit_the_p_value_is_monte_carlo() {
    let job = table(&[&[1, 2, 1, 0], &[3, 3, 6, 1], &[10, 10, 14, 9], &[6, 7, 12, 11]]);
    assert_eq!(fisher_exact_enumerated(&job, 1000).unwrap(), None);
    let options = FisherOptions { work_limit: 1000, replicates: 20_000, seed: 7 };
    let test = fisher_exact(&job, &options).unwrap();
    assert_eq!(test.method, FisherMethod::MonteCarlo { replicates: 20_000, seed: 7 });
    // R: fisher.test(Job) gives 0.7827; 20,000 replicates have a standard
    // error of sqrt(0.78 × 0.22 / 20000) ≈ 0.003.
    close(test.p_value, 0.7827, 4.0 * 0.003);
    // The same seed gives the same p-value.
    assert_eq!(fisher_exact(&job, &options).unwrap(), test);
    // Within the limit the test is exact.
    let exact_test = fisher_exact(&job, &FisherOptions::default()).unwrap();
    assert_eq!(exact_test.method, FisherMethod::Exact);
}

/// Tables whose log-factorial constant Σ ln Rᵢ! + Σ ln Cⱼ! − ln N! exceeds
/// `ln(f64::MAX)` once overflowed to p = 1. R 4.2.2 `fisher.test`:
/// matrix(c(119, 84, 38, 109), 2, byrow = TRUE) gives 8.778046475705649e-10,
/// matrix(c(215, 196, 105, 84), 2, byrow = TRUE) gives 0.48172589227844725.
#[test]
fn large_margins_do_not_overflow() {
    let p = exact(&table(&[&[119, 84], &[38, 109]])).unwrap();
    assert!((p / 8.778_046_475_705_649e-10 - 1.0).abs() < 1e-6, "{p}");
    let p = exact(&table(&[&[215, 196], &[105, 84]])).unwrap();
    assert!((p / 0.481_725_892_278_447_25 - 1.0).abs() < 1e-6, "{p}");
}

/// A tiny pseudo-random generator for the property tests (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn random_table(rng: &mut Lcg) -> Vec<Vec<u64>> {
    let rows = 2 + rng.below(3) as usize;
    let columns = 2 + rng.below(3) as usize;
    let scale = [3, 6, 10][rng.below(3) as usize];
    (0..rows).map(|_| (0..columns).map(|_| rng.below(scale)).collect()).collect()
}

fn as_table(rows: &[Vec<u64>]) -> ContingencyTable {
    ContingencyTable::from_rows(rows).unwrap()
}

/// p lies in [0, 1] and does not change when the table is transposed or its
/// rows or columns are reordered (the margins and the probabilities of all
/// tables are the same).
#[test]
fn p_is_a_probability_and_invariant_under_transposition_and_permutation() {
    let mut rng = Lcg(2024);
    for _ in 0..300 {
        let rows = random_table(&mut rng);
        let Ok(p) = exact(&as_table(&rows)) else { continue };
        assert!((0.0..=1.0).contains(&p), "{p} for {rows:?}");
        let transposed: Vec<Vec<u64>> =
            (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c]).collect()).collect();
        close(exact(&as_table(&transposed)).unwrap(), p, 1e-9 * p.max(1e-300) + 1e-12);
        let mut permuted = rows.clone();
        permuted.rotate_left(1);
        for row in &mut permuted {
            row.reverse();
        }
        close(exact(&as_table(&permuted)).unwrap(), p, 1e-9 * p.max(1e-300) + 1e-12);
    }
}

/// A table whose every cell is its expected count Rᵢ Cⱼ / N is a most
/// probable table of its margins (the multivariate hypergeometric mode when
/// the expected counts are whole), so every table counts and p = 1.
#[test]
fn a_table_at_its_expected_counts_has_p_one() {
    let mut rng = Lcg(77);
    let mut computed = 0;
    for _ in 0..100 {
        let rows = 2 + rng.below(3) as usize;
        let columns = 2 + rng.below(3) as usize;
        let row_weights: Vec<u64> = (0..rows).map(|_| 1 + rng.below(3)).collect();
        let column_weights: Vec<u64> = (0..columns).map(|_| 1 + rng.below(3)).collect();
        let scale = 1 + rng.below(2);
        let cells: Vec<Vec<u64>> = row_weights
            .iter()
            .map(|r| column_weights.iter().map(|c| r * c * scale).collect())
            .collect();
        let Some(p) = fisher_exact_enumerated(&as_table(&cells), FISHER_WORK_LIMIT).unwrap() else {
            continue;
        };
        close(p, 1.0, 1e-9);
        computed += 1;
    }
    assert!(computed >= 80, "only {computed} of 100 tables enumerated");
}

/// The Monte Carlo p-value agrees with the exact one within its binomial
/// error, on tables small enough to enumerate.
#[test]
fn monte_carlo_agrees_with_exact_within_its_error() {
    let mut rng = Lcg(5);
    for seed in 0..20 {
        let rows = random_table(&mut rng);
        let Ok(p) = exact(&as_table(&rows)) else { continue };
        let b = 4000;
        let estimate = fisher_monte_carlo(&as_table(&rows), b, seed).unwrap();
        let error = (p * (1.0 - p) / b as f64).sqrt();
        assert!(
            (estimate - p).abs() <= 5.0 * error + 2.0 / b as f64,
            "{rows:?}: exact {p}, Monte Carlo {estimate}"
        );
    }
}
