//! Inter-coder reliability for categorical codings: percent agreement,
//! Cohen's kappa (unweighted and weighted), Scott's pi, Fleiss' kappa and
//! Gwet's AC1.
//!
//! Every function takes a *reliability matrix*: one row per unit (a segment,
//! a case), one column per coder, each cell a value or `None` when that coder
//! did not code that unit. Values are compared for equality (nominal data);
//! the weighted kappas order categories by value. Missing cells are handled
//! as each coefficient's source prescribes, and said so in its docs.
//!
//! A coefficient whose formula divides by zero (every value identical, no
//! unit coded twice) is [`Undefined`] with the reason, never reported as 0,
//! 1 or NaN.

use std::fmt;

/// Why a coefficient has no value for the given data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Undefined {
    /// No unit has values from two or more coders.
    NoPairableUnits,
    /// The coefficient needs exactly two coders.
    NotTwoCoders(usize),
    /// Fleiss' kappa needs units coded by every coder; none is.
    NoCompleteUnits,
    /// Expected (chance) agreement is perfect, so the coefficient is 0/0:
    /// typically every coder used one and the same value for every unit.
    NoVariation,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undefined::NoPairableUnits => f.write_str("no unit was coded by two or more coders"),
            Undefined::NotTwoCoders(n) => write!(f, "needs exactly two coders, found {n}"),
            Undefined::NoCompleteUnits => f.write_str("no unit was coded by every coder"),
            Undefined::NoVariation => f.write_str(
                "every value is the same, so chance agreement is perfect and the coefficient is 0/0",
            ),
        }
    }
}

impl std::error::Error for Undefined {}

/// A chance-corrected agreement coefficient with the two quantities it is made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficient {
    /// The coefficient: `(observed − expected) / (1 − expected)` for the
    /// agreement-based ones, `1 − observed/expected` disagreement for alpha.
    pub value: f64,
    /// Observed agreement (or, for Krippendorff's alpha, observed disagreement).
    pub observed: f64,
    /// Agreement (or disagreement) expected by chance.
    pub expected: f64,
    /// Units that entered the computation.
    pub units: usize,
}

/// Weights for Cohen's kappa over ordered categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Every disagreement counts the same.
    Unweighted,
    /// Disagreement grows with the distance between category ranks.
    Linear,
    /// Disagreement grows with the squared distance between category ranks.
    Quadratic,
}

/// One row per unit, one column per coder.
pub type Matrix = [Vec<Option<f64>>];

/// The distinct values of the matrix, sorted.
pub(crate) fn categories(data: &Matrix) -> Vec<f64> {
    categories_of(data.iter())
}

/// The distinct values of `rows`, sorted. Coded data has few distinct
/// values: they are gathered into a short sorted list as they come, and
/// only past [`FEW_CATEGORIES`] are all values collected and sorted.
fn categories_of<'a>(rows: impl Iterator<Item = &'a Vec<Option<f64>>> + Clone) -> Vec<f64> {
    const FEW_CATEGORIES: usize = 64;
    let mut distinct: Vec<f64> = Vec::new();
    let mut last: Option<f64> = None;
    for &value in rows.clone().flatten().flatten() {
        if last.is_some_and(|l| l.total_cmp(&value).is_eq()) {
            continue;
        }
        last = Some(value);
        if let Err(at) = distinct.binary_search_by(|c| c.total_cmp(&value)) {
            if distinct.len() == FEW_CATEGORIES {
                let mut values: Vec<f64> = rows.flatten().flatten().copied().collect();
                // `total_cmp` is a total order, so an unstable sort gives the same result.
                values.sort_unstable_by(f64::total_cmp);
                values.dedup_by(|a, b| a.total_cmp(b).is_eq());
                return values;
            }
            distinct.insert(at, value);
        }
    }
    distinct
}

fn index_of(categories: &[f64], value: f64) -> usize {
    categories.partition_point(|c| c.total_cmp(&value).is_lt())
}

/// Per unit with at least `min` values: how many coders gave each
/// category. One allocation for all units, since there may be millions.
struct UnitCounts {
    categories: usize,
    counts: Vec<usize>,
}

impl UnitCounts {
    fn of<'a>(
        rows: impl Iterator<Item = &'a Vec<Option<f64>>>,
        categories: &[f64],
        min: usize,
    ) -> Self {
        let k = categories.len();
        let mut counts = Vec::new();
        for row in rows.filter(|row| row.iter().flatten().count() >= min) {
            let at = counts.len();
            counts.resize(at + k, 0);
            for value in row.iter().flatten() {
                counts[at + index_of(categories, *value)] += 1;
            }
        }
        UnitCounts { categories: k, counts }
    }

    /// The number of units.
    fn len(&self) -> usize {
        self.counts.len().checked_div(self.categories).unwrap_or(0)
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each unit's counts.
    fn iter(&self) -> impl Iterator<Item = &[usize]> {
        (0..self.len()).map(|i| &self.counts[i * self.categories..(i + 1) * self.categories])
    }
}

/// Per unit: how many coders gave each category, for units with ≥ `min` values.
fn unit_counts(data: &Matrix, categories: &[f64], min: usize) -> UnitCounts {
    UnitCounts::of(data.iter(), categories, min)
}

/// Pairwise percent agreement: for each unit coded by at least two coders,
/// the share of coder pairs that agree, averaged over those units. With two
/// coders, the share of units on which they agree.
///
/// # Errors
/// [`Undefined::NoPairableUnits`].
pub fn percent_agreement(data: &Matrix) -> Result<f64, Undefined> {
    let categories = categories(data);
    let units = unit_counts(data, &categories, 2);
    if units.is_empty() {
        return Err(Undefined::NoPairableUnits);
    }
    let total: f64 = units
        .iter()
        .map(|counts| {
            let r: usize = counts.iter().sum();
            let agreeing: usize = counts.iter().map(|&c| c * c.saturating_sub(1)).sum();
            agreeing as f64 / (r * (r - 1)) as f64
        })
        .sum();
    Ok(total / units.len() as f64)
}

/// The sorted categories, and the two coders' category indices on the units both coded.
type Paired = (Vec<f64>, Vec<(usize, usize)>);

/// The two coders' values on units both coded, as category indices among
/// the values of those units only: a value that occurs only in a unit one
/// coder left out is no category of the pairs (as R's `irr::kappa2` after
/// `na.omit`), and would otherwise widen the scale of the weighted kappas.
fn paired(data: &Matrix) -> Result<Paired, Undefined> {
    let coders = data.iter().map(Vec::len).max().unwrap_or(0);
    if coders != 2 || data.iter().any(|row| row.len() != 2) {
        return Err(Undefined::NotTwoCoders(coders));
    }
    let complete = data.iter().filter(|row| row.iter().all(Option::is_some));
    if complete.clone().next().is_none() {
        return Err(Undefined::NoPairableUnits);
    }
    let categories = categories_of(complete.clone());
    let pairs = complete
        .filter_map(|row| match (row[0], row[1]) {
            (Some(a), Some(b)) => Some((index_of(&categories, a), index_of(&categories, b))),
            _ => None,
        })
        .collect();
    Ok((categories, pairs))
}

/// Cohen's kappa for two coders (Cohen 1960; weighted: Cohen 1968), over
/// the units both coded:
///
/// ```text
/// κ_w = 1 − Σ w_ij p_ij / Σ w_ij p_i· p_·j
/// ```
///
/// with disagreement weights `w_ij` = 0 on the diagonal and 1 elsewhere
/// (unweighted, which equals `(p_o − p_e)/(1 − p_e)`), `|i − j|/(k − 1)`
/// (linear) or `(i − j)²/(k − 1)²` (quadratic), where `i, j` are the ranks of
/// the categories among the `k` distinct values of the units both coded. Agrees with statsmodels'
/// `cohens_kappa(table, wt=None|"linear"|"quadratic")` and R's
/// `irr::kappa2(weight = "unweighted"|"equal"|"squared")`.
///
/// `observed` and `expected` are agreements: `1 −` the weighted disagreements.
///
/// # Errors
/// [`Undefined::NotTwoCoders`], [`Undefined::NoPairableUnits`],
/// [`Undefined::NoVariation`] when chance disagreement is zero.
pub fn cohen_kappa(data: &Matrix, weights: Weights) -> Result<Coefficient, Undefined> {
    let (categories, pairs) = paired(data)?;
    let k = categories.len();
    let n = pairs.len() as f64;
    let mut table = vec![vec![0.0; k]; k];
    for &(a, b) in &pairs {
        table[a][b] += 1.0 / n;
    }
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let columns: Vec<f64> = (0..k).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    let weight = |i: usize, j: usize| -> f64 {
        if i == j {
            return 0.0;
        }
        let span = (k - 1) as f64;
        let distance = i.abs_diff(j) as f64;
        match weights {
            Weights::Unweighted => 1.0,
            Weights::Linear => distance / span,
            Weights::Quadratic => (distance / span).powi(2),
        }
    };
    let (mut observed, mut expected) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            observed += weight(i, j) * table[i][j];
            expected += weight(i, j) * rows[i] * columns[j];
        }
    }
    if expected <= f64::EPSILON {
        return Err(Undefined::NoVariation);
    }
    Ok(Coefficient {
        value: 1.0 - observed / expected,
        observed: 1.0 - observed,
        expected: 1.0 - expected,
        units: pairs.len(),
    })
}

/// Scott's pi for two coders (Scott 1955), over the units both coded:
/// `(p_o − p_e)/(1 − p_e)` with `p_e = Σ_k ((n_k· + n_·k) / 2n)²`, i.e.
/// chance agreement from the coders' pooled distribution. Equals Fleiss'
/// kappa for two coders.
///
/// # Errors
/// As [`cohen_kappa`].
pub fn scott_pi(data: &Matrix) -> Result<Coefficient, Undefined> {
    let (categories, pairs) = paired(data)?;
    let n = pairs.len() as f64;
    let observed = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    // Counts, not running sums of fractions, so that one category gives
    // exactly 1 and the coefficient is reported undefined rather than 1.
    let mut pooled = vec![0_usize; categories.len()];
    for &(a, b) in &pairs {
        pooled[a] += 1;
        pooled[b] += 1;
    }
    let expected: f64 = pooled.iter().map(|&c| (c * c) as f64).sum::<f64>() / (4.0 * n * n);
    chance_corrected(observed, expected, pairs.len())
}

pub(crate) fn chance_corrected(
    observed: f64,
    expected: f64,
    units: usize,
) -> Result<Coefficient, Undefined> {
    // Sums of fractions may miss 1 by a few ulps; no real data comes that close.
    if 1.0 - expected < 1e-12 {
        return Err(Undefined::NoVariation);
    }
    Ok(Coefficient { value: (observed - expected) / (1.0 - expected), observed, expected, units })
}

/// Fleiss' kappa for any fixed number of coders (Fleiss 1971):
///
/// ```text
/// P_i = (Σ_j n_ij² − m) / (m(m − 1)),   P̄ = mean P_i,
/// p_j = Σ_i n_ij / (N m),               P̄_e = Σ_j p_j²,
/// κ = (P̄ − P̄_e) / (1 − P̄_e)
/// ```
///
/// over the `N` units coded by all `m` coders (units with a missing value
/// are left out, as the formula requires a constant `m`). Agrees with
/// statsmodels' `fleiss_kappa(table, method="fleiss")`.
///
/// # Errors
/// [`Undefined::NoCompleteUnits`] (also for fewer than two coders) and
/// [`Undefined::NoVariation`].
pub fn fleiss_kappa(data: &Matrix) -> Result<Coefficient, Undefined> {
    let m = data.iter().map(Vec::len).max().unwrap_or(0);
    let complete = data.iter().filter(|row| row.len() == m && row.iter().all(Option::is_some));
    if m < 2 || complete.clone().next().is_none() {
        return Err(Undefined::NoCompleteUnits);
    }
    let categories = categories_of(complete.clone());
    let units = UnitCounts::of(complete, &categories, m);
    let n = units.len() as f64;
    let m_f = m as f64;
    let observed = units
        .iter()
        .map(|counts| {
            let squares: usize = counts.iter().map(|c| c * c).sum();
            (squares as f64 - m_f) / (m_f * (m_f - 1.0))
        })
        .sum::<f64>()
        / n;
    let expected: f64 = (0..categories.len())
        .map(|j| {
            let p = units.iter().map(|c| c[j]).sum::<usize>() as f64 / (n * m_f);
            p * p
        })
        .sum();
    chance_corrected(observed, expected, units.len())
}

/// Gwet's AC1 for any number of coders, with missing values (Gwet 2008;
/// Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 4):
///
/// ```text
/// p_a = (1/n′) Σ_{i: r_i ≥ 2} Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1))
/// π_k = (1/n) Σ_i r_ik / r_i,     p_e = Σ_k π_k (1 − π_k) / (q − 1)
/// AC1 = (p_a − p_e) / (1 − p_e)
/// ```
///
/// where `n` counts units with at least one value, `n′` those with two or
/// more, and `q` the number of categories. Agrees with the `irrCAC` package's
/// `gwet()`.
///
/// # Errors
/// [`Undefined::NoPairableUnits`], and [`Undefined::NoVariation`] when only
/// one category occurs (`q = 1`).
pub fn gwet_ac1(data: &Matrix) -> Result<Coefficient, Undefined> {
    let categories = categories(data);
    let rated = unit_counts(data, &categories, 1);
    let pairable: Vec<&[usize]> = rated.iter().filter(|c| c.iter().sum::<usize>() >= 2).collect();
    if pairable.is_empty() {
        return Err(Undefined::NoPairableUnits);
    }
    let q = categories.len();
    if q < 2 {
        return Err(Undefined::NoVariation);
    }
    let observed = pairable
        .iter()
        .map(|counts| {
            let r = counts.iter().sum::<usize>() as f64;
            counts.iter().map(|&c| (c * c.saturating_sub(1)) as f64).sum::<f64>() / (r * (r - 1.0))
        })
        .sum::<f64>()
        / pairable.len() as f64;
    let n = rated.len() as f64;
    let expected = (0..q)
        .map(|k| {
            let pi =
                rated.iter().map(|c| c[k] as f64 / c.iter().sum::<usize>() as f64).sum::<f64>() / n;
            pi * (1.0 - pi)
        })
        .sum::<f64>()
        / (q - 1) as f64;
    chance_corrected(observed, expected, pairable.len())
}

#[cfg(test)]
mod tests;
