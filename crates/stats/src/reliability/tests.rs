//! Reference values come from independent implementations, printed by
//! `scripts/reference/reliability.py` (statsmodels 0.15, krippendorff 0.9,
//! irrCAC; irrCAC rounds to five decimals), and from Krippendorff's and
//! Fleiss' published worked examples.

use super::*;
use crate::krippendorff::{Bootstrap, Level, krippendorff_alpha, krippendorff_alpha_bootstrap};

/// Agreement with values printed to 12 decimals.
const EPS: f64 = 1e-9;
/// Agreement with irrCAC, which rounds to 5 decimals.
const IRRCAC_EPS: f64 = 6e-6;

fn close(actual: f64, expected: f64, eps: f64) {
    assert!((actual - expected).abs() < eps, "{actual} != {expected}");
}

/// Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, section C:
/// four observers, twelve units, missing values; units × coders here.
fn krippendorff_example() -> Vec<Vec<Option<f64>>> {
    let coders: [[Option<f64>; 12]; 4] = [
        [
            Some(1.),
            Some(2.),
            Some(3.),
            Some(3.),
            Some(2.),
            Some(1.),
            Some(4.),
            Some(1.),
            Some(2.),
            None,
            None,
            None,
        ],
        [
            Some(1.),
            Some(2.),
            Some(3.),
            Some(3.),
            Some(2.),
            Some(2.),
            Some(4.),
            Some(1.),
            Some(2.),
            Some(5.),
            None,
            Some(3.),
        ],
        [
            None,
            Some(3.),
            Some(3.),
            Some(3.),
            Some(2.),
            Some(3.),
            Some(4.),
            Some(2.),
            Some(2.),
            Some(5.),
            Some(1.),
            None,
        ],
        [
            Some(1.),
            Some(2.),
            Some(3.),
            Some(3.),
            Some(2.),
            Some(4.),
            Some(4.),
            Some(1.),
            Some(2.),
            Some(5.),
            Some(1.),
            None,
        ],
    ];
    (0..12).map(|u| coders.iter().map(|c| c[u]).collect()).collect()
}

fn two_coders() -> Vec<Vec<Option<f64>>> {
    let a = [1, 1, 2, 2, 3, 3, 1, 2, 3, 1, 2, 2, 3, 1, 1];
    let b = [1, 2, 2, 2, 3, 1, 1, 2, 3, 2, 2, 3, 3, 1, 1];
    a.iter().zip(b).map(|(&x, y)| vec![Some(f64::from(x)), Some(f64::from(y))]).collect()
}

#[test]
fn alpha_matches_krippendorff_2011_worked_example() {
    let data = krippendorff_example();
    // Published: nominal .743, ordinal .815, interval .849, ratio .797;
    // the krippendorff package gives the digits below.
    close(krippendorff_alpha(&data, Level::Nominal).unwrap().value, 0.743421052632, EPS);
    close(krippendorff_alpha(&data, Level::Ordinal).unwrap().value, 0.815387503755, EPS);
    close(krippendorff_alpha(&data, Level::Interval).unwrap().value, 0.849107142857, EPS);
    close(krippendorff_alpha(&data, Level::Ratio).unwrap().value, 0.797402774712, EPS);
    // Unit 12 has a single value and is not pairable.
    assert_eq!(krippendorff_alpha(&data, Level::Nominal).unwrap().units, 11);
}

#[test]
fn gwet_ac1_and_percent_agreement_match_irrcac_with_missing_values() {
    let data = krippendorff_example();
    close(gwet_ac1(&data).unwrap().value, 0.77544, IRRCAC_EPS);
    close(percent_agreement(&data).unwrap(), 0.81818, IRRCAC_EPS);
}

#[test]
fn cohen_kappa_matches_statsmodels() {
    let data = two_coders();
    close(cohen_kappa(&data, Weights::Unweighted).unwrap().value, 0.597315436242, EPS);
    close(cohen_kappa(&data, Weights::Linear).unwrap().value, 0.611398963731, EPS);
    close(cohen_kappa(&data, Weights::Quadratic).unwrap().value, 0.626334519573, EPS);
    let unweighted = cohen_kappa(&data, Weights::Unweighted).unwrap();
    close(unweighted.observed, 11.0 / 15.0, EPS);
}

#[test]
fn two_coder_coefficients_match_independent_implementations() {
    let data = two_coders();
    close(scott_pi(&data).unwrap().value, 0.595959595960, EPS);
    close(gwet_ac1(&data).unwrap().value, 0.60199, IRRCAC_EPS);
    close(krippendorff_alpha(&data, Level::Nominal).unwrap().value, 0.609427609428, EPS);
    close(percent_agreement(&data).unwrap(), 0.733333333333, EPS);
    // Scott's pi is Fleiss' kappa for two coders.
    close(fleiss_kappa(&data).unwrap().value, scott_pi(&data).unwrap().value, EPS);
}

/// Fleiss (1971), as reproduced in Wikipedia's "Fleiss' kappa" article:
/// 10 subjects, 14 raters, 5 categories; kappa = 0.210.
#[test]
fn fleiss_kappa_matches_the_fleiss_1971_example() {
    let counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ];
    let data: Vec<Vec<Option<f64>>> = counts
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .flat_map(|(category, &n)| std::iter::repeat_n(Some(category as f64 + 1.0), n))
                .collect()
        })
        .collect();
    let kappa = fleiss_kappa(&data).unwrap();
    close(kappa.value, 0.209930704422, EPS);
    close(kappa.observed, 0.378, 1e-3);
    close(kappa.expected, 0.213, 1e-3);
}

#[test]
fn identical_values_are_undefined_not_one() {
    let same: Vec<Vec<Option<f64>>> = (0..5).map(|_| vec![Some(1.0), Some(1.0)]).collect();
    assert_eq!(cohen_kappa(&same, Weights::Unweighted), Err(Undefined::NoVariation));
    assert_eq!(scott_pi(&same), Err(Undefined::NoVariation));
    assert_eq!(fleiss_kappa(&same), Err(Undefined::NoVariation));
    assert_eq!(gwet_ac1(&same), Err(Undefined::NoVariation));
    assert_eq!(krippendorff_alpha(&same, Level::Nominal), Err(Undefined::NoVariation));
    // Percent agreement is defined: they agree on everything.
    assert_eq!(percent_agreement(&same), Ok(1.0));
}

/// Forty units, all absent for both coders: the sums of fractions behind
/// chance agreement must still come to exactly "perfect".
#[test]
fn one_category_over_many_units_is_undefined() {
    let absent: Vec<Vec<Option<f64>>> = (0..40).map(|_| vec![Some(0.0), Some(0.0)]).collect();
    assert_eq!(scott_pi(&absent), Err(Undefined::NoVariation));
    assert_eq!(fleiss_kappa(&absent), Err(Undefined::NoVariation));
    assert_eq!(cohen_kappa(&absent, Weights::Unweighted), Err(Undefined::NoVariation));
    let mut three: Vec<Vec<Option<f64>>> =
        (0..97).map(|_| vec![Some(1.0), Some(1.0), Some(1.0)]).collect();
    three.push(vec![Some(1.0), None, Some(1.0)]);
    assert_eq!(fleiss_kappa(&three), Err(Undefined::NoVariation));
    assert_eq!(krippendorff_alpha(&three, Level::Nominal), Err(Undefined::NoVariation));
}

#[test]
fn degenerate_inputs_are_undefined_with_a_reason() {
    let empty: Vec<Vec<Option<f64>>> = Vec::new();
    assert_eq!(percent_agreement(&empty), Err(Undefined::NoPairableUnits));
    assert_eq!(krippendorff_alpha(&empty, Level::Interval), Err(Undefined::NoPairableUnits));
    let lonely = vec![vec![Some(1.0), None], vec![None, Some(2.0)]];
    assert_eq!(cohen_kappa(&lonely, Weights::Linear), Err(Undefined::NoPairableUnits));
    assert_eq!(fleiss_kappa(&lonely), Err(Undefined::NoCompleteUnits));
    let three = vec![vec![Some(1.0), Some(2.0), Some(1.0)]];
    assert_eq!(cohen_kappa(&three, Weights::Unweighted), Err(Undefined::NotTwoCoders(3)));
    assert_eq!(
        Undefined::NoVariation.to_string(),
        "every value is the same, so chance agreement is perfect and the coefficient is 0/0"
    );
}

#[test]
fn perfect_agreement_with_variation_is_one() {
    let data: Vec<Vec<Option<f64>>> =
        [1.0, 2.0, 1.0, 3.0].iter().map(|&v| vec![Some(v), Some(v)]).collect();
    close(cohen_kappa(&data, Weights::Quadratic).unwrap().value, 1.0, EPS);
    close(krippendorff_alpha(&data, Level::Ordinal).unwrap().value, 1.0, EPS);
}

#[test]
fn bootstrap_is_reproducible_and_brackets_the_estimate() {
    let data = krippendorff_example();
    let options = Bootstrap { resamples: 2000, seed: 7, confidence: 0.95 };
    let first = krippendorff_alpha_bootstrap(&data, Level::Nominal, options).unwrap();
    let second = krippendorff_alpha_bootstrap(&data, Level::Nominal, options).unwrap();
    assert_eq!(first, second);
    let other_seed =
        krippendorff_alpha_bootstrap(&data, Level::Nominal, Bootstrap { seed: 8, ..options })
            .unwrap();
    assert_ne!(first.interval, other_seed.interval);
    let estimate = krippendorff_alpha(&data, Level::Nominal).unwrap().value;
    assert!(first.interval.lower < estimate && estimate < first.interval.upper);
    assert!(first.interval.upper <= 1.0);
    assert_eq!(first.resamples + first.skipped, 2000);
}

/// A value that only a unit rated by one coder has (6) is no category of
/// the weighted kappas: scikit-learn 1.9.1 `cohen_kappa_score` on the complete
/// pairs, as R's `irr::kappa2` after `na.omit`
/// (`scripts/reference/kappa_categories.py`): unweighted 0.565217391304,
/// linear 0.693877551020, quadratic 0.819277108434.
#[test]
fn weighted_kappa_ranks_only_the_values_both_coders_rated() {
    let a = [1, 2, 3, 2, 1, 3, 2, 4, 1, 2, 6];
    let b = [
        Some(1),
        Some(2),
        Some(2),
        Some(2),
        Some(1),
        Some(3),
        Some(3),
        Some(4),
        Some(2),
        Some(2),
        None,
    ];
    let data: Vec<Vec<Option<f64>>> =
        a.iter().zip(b).map(|(&a, b)| vec![Some(f64::from(a)), b.map(f64::from)]).collect();
    close(cohen_kappa(&data, Weights::Unweighted).unwrap().value, 0.565217391304, EPS);
    close(cohen_kappa(&data, Weights::Linear).unwrap().value, 0.693877551020, EPS);
    close(cohen_kappa(&data, Weights::Quadratic).unwrap().value, 0.819277108434, EPS);
}

/// The bootstrap draws how many units of each group of like units a
/// resample holds; its interval must be that of drawing units one by one,
/// here done plainly with its own generator, up to the resampling noise.
#[test]
fn bootstrap_by_groups_matches_drawing_units_one_by_one() {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::{Rng, SeedableRng};

    let data = krippendorff_example();
    let resamples = 4000;
    for level in [Level::Nominal, Level::Interval] {
        let grouped = krippendorff_alpha_bootstrap(
            &data,
            level,
            Bootstrap { resamples, seed: 3, confidence: 0.95 },
        )
        .unwrap();
        let pairable: Vec<Vec<Option<f64>>> =
            data.iter().filter(|row| row.iter().flatten().count() >= 2).cloned().collect();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut estimates: Vec<f64> = (0..resamples)
            .filter_map(|_| {
                let resample: Vec<Vec<Option<f64>>> = (0..pairable.len())
                    .map(|_| pairable[(rng.next_u64() % pairable.len() as u64) as usize].clone())
                    .collect();
                krippendorff_alpha(&resample, level).ok().map(|c| c.value)
            })
            .collect();
        estimates.sort_by(f64::total_cmp);
        let at = |p: f64| estimates[((estimates.len() - 1) as f64 * p).round() as usize];
        close(grouped.interval.lower, at(0.025), 0.04);
        close(grouped.interval.upper, at(0.975), 0.04);
    }
}

/// The distinct values come out sorted and each once, whether they are few
/// (gathered as they come) or many (collected and sorted), with −0 and 0,
/// and with values repeated next to each other and far apart.
#[test]
fn categories_are_the_sorted_distinct_values_few_or_many() {
    for distinct in [1usize, 5, 64, 65, 300] {
        // A scrambled order: 37 is coprime with every `distinct` here but 37's multiples.
        let values: Vec<f64> =
            (0..distinct * 3).map(|i| ((i * 37) % distinct) as f64 - 2.0).collect();
        let mut data: Vec<Vec<Option<f64>>> =
            values.chunks(3).map(|c| c.iter().map(|&v| Some(v)).collect()).collect();
        data.push(vec![Some(-0.0), None, Some(0.0)]);
        let mut expected: Vec<f64> = values.clone();
        expected.extend([-0.0, 0.0]);
        expected.sort_by(f64::total_cmp);
        expected.dedup_by(|a, b| a.total_cmp(b).is_eq());
        let found = categories(&data);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&found), bits(&expected), "{distinct} distinct values");
    }
}
