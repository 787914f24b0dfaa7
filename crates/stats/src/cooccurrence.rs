//! Co-occurrence of codes: how often two codes are given to the same unit
//! (a segment, or a case), and how strongly they go together.
//!
//! Codes are indices `0..codes`; a unit is the set of code indices it has
//! (repeats within a unit count once). The caller decides what a unit is and
//! which units count: units without any code still count towards `units`,
//! which the observed/expected ratio depends on.
//!
//! Two normalised measures rank the pairs:
//! - **Jaccard** `J = n_ab / (n_a + n_b − n_ab)`: the share of units with
//!   either code that have both; 0 (never together) to 1 (always together).
//!   It ignores units with neither code, so it does not grow with the
//!   number of uncoded units.
//! - **observed/expected** `O/E = n_ab · N / (n_a · n_b)` (also called
//!   lift): how many times more often the pair occurs than it would if the
//!   codes were given independently of each other; 1 is independence.

use crate::error::StatsError;

/// Code × code counts over a set of units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cooccurrence {
    codes: usize,
    units: u64,
    /// `codes × codes`, symmetric; the diagonal holds units with the code.
    counts: Vec<u64>,
}

/// How strongly one pair of codes goes together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStrength {
    /// The first code (the smaller index).
    pub a: usize,
    /// The second code.
    pub b: usize,
    /// Units with both codes.
    pub together: u64,
    /// Units with `a`.
    pub with_a: u64,
    /// Units with `b`.
    pub with_b: u64,
    /// Jaccard index `together / (with_a + with_b − together)`.
    pub jaccard: f64,
    /// `together · units / (with_a · with_b)`.
    pub observed_expected: f64,
}

impl Cooccurrence {
    /// Counts, for every pair of codes, the units that have both.
    ///
    /// # Errors
    /// [`StatsError::CodeOutOfRange`] when a unit names an index ≥ `codes`.
    ///
    /// # Examples
    /// ```
    /// use qda_stats::Cooccurrence;
    /// let units: [&[usize]; 4] = [&[0, 1], &[0], &[0, 1], &[]];
    /// let counts = Cooccurrence::count(2, units)?;
    /// assert_eq!(counts.together(0, 1), 2);
    /// assert_eq!(counts.with(0), 3);
    /// assert_eq!(counts.units(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count<U, I>(codes: usize, units: I) -> Result<Self, StatsError>
    where
        I: IntoIterator<Item = U>,
        U: AsRef<[usize]>,
    {
        let mut counts = vec![0u64; codes * codes];
        let mut n = 0u64;
        let mut present = Vec::new();
        for unit in units {
            n += 1;
            present.clear();
            present.extend_from_slice(unit.as_ref());
            present.sort_unstable();
            present.dedup();
            if let Some(&index) = present.iter().find(|&&i| i >= codes) {
                return Err(StatsError::CodeOutOfRange { index, codes });
            }
            for (k, &a) in present.iter().enumerate() {
                for &b in &present[k..] {
                    counts[a * codes + b] += 1;
                    if a != b {
                        counts[b * codes + a] += 1;
                    }
                }
            }
        }
        Ok(Cooccurrence { codes, units: n, counts })
    }

    /// Number of codes.
    pub fn codes(&self) -> usize {
        self.codes
    }

    /// Number of units counted, with or without codes.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// Units that have both `a` and `b` (for `a == b`: units with `a`).
    ///
    /// # Panics
    /// When `a` or `b` is not below [`Cooccurrence::codes`].
    pub fn together(&self, a: usize, b: usize) -> u64 {
        assert!(a < self.codes && b < self.codes, "code index out of range");
        self.counts[a * self.codes + b]
    }

    /// Units that have `a`.
    ///
    /// # Panics
    /// When `a` is not below [`Cooccurrence::codes`].
    pub fn with(&self, a: usize) -> u64 {
        self.together(a, a)
    }

    /// The strength of the pair `a`, `b` (`a != b`); `None` when neither
    /// code occurs (both measures are then 0/0).
    ///
    /// # Panics
    /// When `a` or `b` is not below [`Cooccurrence::codes`].
    pub fn strength(&self, a: usize, b: usize) -> Option<PairStrength> {
        let (a, b) = (a.min(b), a.max(b));
        let together = self.together(a, b);
        let (with_a, with_b) = (self.with(a), self.with(b));
        let either = with_a + with_b - together;
        if either == 0 {
            return None;
        }
        Some(PairStrength {
            a,
            b,
            together,
            with_a,
            with_b,
            jaccard: together as f64 / either as f64,
            observed_expected: together as f64 * self.units as f64
                / (with_a as f64 * with_b as f64),
        })
    }

    /// Every pair of distinct codes that occur together at least once,
    /// strongest first: by Jaccard index, then by units together, then by
    /// code indices (so the order is total and stable).
    pub fn ranked_pairs(&self) -> Vec<PairStrength> {
        let mut pairs: Vec<PairStrength> = self.pairs().collect();
        pairs.sort_by(stronger_first);
        pairs
    }

    /// The `k` strongest pairs, in the order of
    /// [`Cooccurrence::ranked_pairs`], and how many pairs there are in all:
    /// a report shows a few of the pairs, and 2,000 codes have two million.
    pub fn strongest_pairs(&self, k: usize) -> (Vec<PairStrength>, usize) {
        let mut kept: Vec<PairStrength> = Vec::with_capacity(k + 1);
        let mut all = 0;
        for pair in self.pairs() {
            all += 1;
            let weaker_than_kept = kept.len() == k
                && kept.last().is_none_or(|last| stronger_first(&pair, last).is_ge());
            if !weaker_than_kept {
                let at = kept.partition_point(|p| stronger_first(p, &pair).is_lt());
                kept.insert(at, pair);
                kept.truncate(k);
            }
        }
        (kept, all)
    }

    /// Every pair of distinct codes that occur together at least once.
    fn pairs(&self) -> impl Iterator<Item = PairStrength> + '_ {
        (0..self.codes)
            .flat_map(|a| (a + 1..self.codes).map(move |b| (a, b)))
            .filter(|&(a, b)| self.together(a, b) > 0)
            .filter_map(|(a, b)| self.strength(a, b))
    }
}

/// By Jaccard index, then by units together (both descending), then by
/// code indices: a total order, so rankings are stable.
fn stronger_first(x: &PairStrength, y: &PairStrength) -> std::cmp::Ordering {
    y.jaccard
        .total_cmp(&x.jaccard)
        .then(y.together.cmp(&x.together))
        .then(x.a.cmp(&y.a))
        .then(x.b.cmp(&y.b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    /// Six units over three codes, counted by hand:
    /// code 0 in units 1–4, code 1 in units 1, 2, 5, code 2 in unit 6.
    fn example() -> Cooccurrence {
        let units: [&[usize]; 7] = [&[0, 1], &[0, 1, 1], &[0], &[0], &[1], &[2], &[]];
        Cooccurrence::count(3, units).unwrap()
    }

    #[test]
    fn counts_are_symmetric_with_occurrences_on_the_diagonal() {
        let c = example();
        assert_eq!(c.units(), 7);
        assert_eq!(c.with(0), 4);
        assert_eq!(c.with(1), 3);
        assert_eq!(c.with(2), 1);
        assert_eq!(c.together(0, 1), 2);
        assert_eq!(c.together(1, 0), 2);
        assert_eq!(c.together(0, 2), 0);
    }

    /// J = 2 / (4 + 3 − 2) = 0.4; O/E = 2 · 7 / (4 · 3) = 7/6.
    #[test]
    fn jaccard_and_observed_expected_follow_their_formulas() {
        let pair = example().strength(1, 0).unwrap();
        assert_eq!((pair.a, pair.b), (0, 1));
        assert!((pair.jaccard - 0.4).abs() < EPS);
        assert!((pair.observed_expected - 7.0 / 6.0).abs() < EPS);
    }

    #[test]
    fn ranking_lists_only_pairs_that_occur_together() {
        let pairs = example().ranked_pairs();
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 1));
    }

    #[test]
    fn ranking_breaks_ties_by_count_then_index() {
        let units: [&[usize]; 4] = [&[0, 1], &[2, 3], &[2, 3], &[0, 1]];
        let pairs = Cooccurrence::count(4, units).unwrap().ranked_pairs();
        let order: Vec<(usize, usize)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(order, [(0, 1), (2, 3)]);
    }

    /// The strongest pairs against the head of the whole ranking, over
    /// random units with many ties.
    #[test]
    fn the_strongest_pairs_head_the_ranking() {
        use rand_chacha::ChaCha8Rng;
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut below = |n: usize| crate::resample::uniform_below(&mut rng, n as u64) as usize;
        for round in 0..40 {
            let codes = 2 + below(12);
            let units: Vec<Vec<usize>> =
                (0..below(30)).map(|_| (0..below(4)).map(|_| below(codes)).collect()).collect();
            let c = Cooccurrence::count(codes, &units).unwrap();
            let ranked = c.ranked_pairs();
            for k in [0, 1, 3, 20] {
                let (strongest, all) = c.strongest_pairs(k);
                assert_eq!(all, ranked.len(), "round {round}");
                assert_eq!(strongest, ranked[..k.min(ranked.len())], "round {round}, k {k}");
            }
        }
    }

    #[test]
    fn degenerate_inputs() {
        let empty = Cooccurrence::count(2, std::iter::empty::<&[usize]>()).unwrap();
        assert_eq!(empty.units(), 0);
        assert_eq!(empty.strength(0, 1), None);
        assert!(empty.ranked_pairs().is_empty());
        let units: [&[usize]; 1] = [&[0, 5]];
        assert_eq!(
            Cooccurrence::count(2, units),
            Err(StatsError::CodeOutOfRange { index: 5, codes: 2 })
        );
    }
}
