//! A reliability matrix stored flat: one `u32` category index per cell, row
//! after row, so that a table of millions of units is one allocation. The
//! coefficients computed here give the same numbers, to the last bit, as
//! their [`crate::Matrix`] counterparts: the same sums in the same order.

use std::collections::BTreeMap;

use crate::krippendorff::{self, Bootstrap, BootstrapInterval, Level};
use crate::reliability::{self, Coefficient, Undefined, Weights};

/// One row per unit, one column per coder, each cell an index into the
/// sorted distinct values or [`FlatMatrix::MISSING`].
#[derive(Debug, Clone, PartialEq)]
pub struct FlatMatrix {
    coders: usize,
    categories: Vec<f64>,
    cells: Vec<u32>,
}

/// Why cells and categories do not make a [`FlatMatrix`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlatMatrixError {
    /// The categories are not sorted and distinct (by `f64::total_cmp`).
    #[error("the categories are not sorted and distinct")]
    UnsortedCategories,
    /// The cells do not fill whole rows of `coders` cells.
    #[error("{cells} cells do not fill rows of {coders} coders")]
    RaggedCells {
        /// The number of cells.
        cells: usize,
        /// The number of coders (columns).
        coders: usize,
    },
    /// A cell names no category.
    #[error("cell {cell} holds category {index}, but there are only {categories}")]
    UnknownCategory {
        /// The cell's place in the flat list.
        cell: usize,
        /// The index it holds.
        index: u32,
        /// The number of categories.
        categories: usize,
    },
}

impl FlatMatrix {
    /// The cell of a coder who gave the unit no value.
    pub const MISSING: u32 = u32::MAX;

    /// A matrix of `coders` columns over the sorted, distinct `categories`;
    /// `cells` holds the rows one after another.
    ///
    /// # Errors
    /// [`FlatMatrixError`] when the parts do not fit together.
    pub fn new(
        coders: usize,
        categories: Vec<f64>,
        cells: Vec<u32>,
    ) -> Result<Self, FlatMatrixError> {
        if categories.windows(2).any(|w| w[0].total_cmp(&w[1]).is_ge()) {
            return Err(FlatMatrixError::UnsortedCategories);
        }
        if coders == 0 || !cells.len().is_multiple_of(coders) {
            return Err(FlatMatrixError::RaggedCells { cells: cells.len(), coders });
        }
        if let Some((cell, &index)) = cells
            .iter()
            .enumerate()
            .find(|(_, c)| **c != Self::MISSING && **c as usize >= categories.len())
        {
            return Err(FlatMatrixError::UnknownCategory {
                cell,
                index,
                categories: categories.len(),
            });
        }
        Ok(FlatMatrix { coders, categories, cells })
    }

    /// The number of coders (columns).
    pub fn coders(&self) -> usize {
        self.coders
    }

    /// The number of units (rows).
    pub fn units(&self) -> usize {
        self.cells.len() / self.coders
    }

    /// The sorted distinct values the cells index.
    pub fn categories(&self) -> &[f64] {
        &self.categories
    }

    /// Each unit's cells.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, u32> {
        self.cells.chunks_exact(self.coders)
    }

    /// The value of a cell, `None` when missing.
    pub fn value(&self, cell: u32) -> Option<f64> {
        (cell != Self::MISSING).then(|| self.categories[cell as usize])
    }

    /// The matrix as rows of values, for the coefficients computed only on
    /// a [`crate::Matrix`].
    pub fn to_rows(&self) -> Vec<Vec<Option<f64>>> {
        self.rows().map(|row| row.iter().map(|&c| self.value(c)).collect()).collect()
    }

    /// The number of units with values from two or more coders.
    pub fn pairable_units(&self) -> usize {
        self.summary().pairable_units
    }

    /// As [`crate::percent_agreement`].
    ///
    /// # Errors
    /// As [`crate::percent_agreement`].
    pub fn percent_agreement(&self) -> Result<f64, Undefined> {
        self.summary().percent_agreement
    }

    /// As [`crate::cohen_kappa`]: two coders' rows are few enough to build.
    ///
    /// # Errors
    /// As [`crate::cohen_kappa`].
    pub fn cohen_kappa(&self, weights: Weights) -> Result<Coefficient, Undefined> {
        self.two_coders()?;
        reliability::cohen_kappa(&self.to_rows(), weights)
    }

    /// As [`crate::scott_pi`].
    ///
    /// # Errors
    /// As [`crate::scott_pi`].
    pub fn scott_pi(&self) -> Result<Coefficient, Undefined> {
        self.two_coders()?;
        reliability::scott_pi(&self.to_rows())
    }

    /// As [`crate::fleiss_kappa`]: categories that occur only in incomplete
    /// units add zeros, which leave the sums as they are.
    ///
    /// # Errors
    /// As [`crate::fleiss_kappa`].
    pub fn fleiss_kappa(&self) -> Result<Coefficient, Undefined> {
        self.summary().fleiss_kappa
    }

    /// As [`crate::gwet_ac1`].
    ///
    /// # Errors
    /// As [`crate::gwet_ac1`].
    pub fn gwet_ac1(&self) -> Result<Coefficient, Undefined> {
        self.summary().gwet_ac1
    }

    /// As [`crate::krippendorff_alpha`].
    ///
    /// # Errors
    /// As [`crate::krippendorff_alpha`].
    pub fn krippendorff_alpha(&self, level: Level) -> Result<Coefficient, Undefined> {
        self.summary().krippendorff_alpha(level)
    }

    /// As [`crate::krippendorff_alpha_bootstrap`].
    ///
    /// # Errors
    /// As [`crate::krippendorff_alpha_bootstrap`].
    pub fn krippendorff_alpha_bootstrap(
        &self,
        level: Level,
        options: Bootstrap,
    ) -> Result<BootstrapInterval, Undefined> {
        self.summary().krippendorff_alpha_bootstrap(level, options)
    }

    /// Every coefficient but Cohen's kappa and Scott's pi, in one pass over
    /// the units: each unit's categories are counted once, and each
    /// coefficient's sums take the same terms in the same order as when it
    /// was computed alone, so the numbers are the same to the bit.
    pub fn summary(&self) -> FlatSummary {
        let q = self.categories.len();
        let m = if self.units() == 0 { 0 } else { self.coders };
        let m_f = m as f64;
        let dense = DenseSlots::new(self.coders, q);
        let mut slot_units = vec![0_u64; dense.as_ref().map_or(0, |d| d.slots)];
        let mut counts = vec![0_usize; q];
        // Fleiss' kappa: complete units only.
        let mut column = vec![0_usize; q];
        let (mut fleiss_observed, mut complete) = (0.0, 0_usize);
        // Gwet's AC1: every rated unit's shares, pairable units' agreement.
        let mut shares = vec![0.0_f64; q];
        let (mut gwet_observed, mut rated) = (0.0, 0_usize);
        let (mut agreement, mut pairable, mut disagreeing) = (0.0, 0_usize, 0_usize);
        for row in self.rows() {
            counts.fill(0);
            let (mut r, mut slot) = (0, 0);
            for &c in row {
                if c != Self::MISSING {
                    counts[c as usize] += 1;
                    r += 1;
                    if let Some(dense) = &dense {
                        slot += dense.place[c as usize];
                    }
                }
            }
            if r == 0 {
                continue;
            }
            rated += 1;
            // A category no coder gave adds 0 to its share: left out.
            for (share, &c) in shares.iter_mut().zip(&counts).filter(|(_, c)| **c != 0) {
                *share += c as f64 / r as f64;
            }
            if r >= 2 {
                let agreeing: usize = counts.iter().map(|&c| c * c.saturating_sub(1)).sum();
                agreement += agreeing as f64 / (r * (r - 1)) as f64;
                let r_f = r as f64;
                gwet_observed +=
                    counts.iter().map(|&c| (c * c.saturating_sub(1)) as f64).sum::<f64>()
                        / (r_f * (r_f - 1.0));
                pairable += 1;
                if counts.iter().any(|&c| c != 0 && c != r) {
                    disagreeing += 1;
                }
                if dense.is_some() {
                    slot_units[slot] += 1;
                }
            }
            if r == m {
                let squares: usize = counts.iter().map(|c| c * c).sum();
                fleiss_observed += (squares as f64 - m_f) / (m_f * (m_f - 1.0));
                for (sum, c) in column.iter_mut().zip(&counts) {
                    *sum += c;
                }
                complete += 1;
            }
        }
        let percent_agreement = if pairable == 0 {
            Err(Undefined::NoPairableUnits)
        } else {
            Ok(agreement / pairable as f64)
        };
        let fleiss_kappa = if m < 2 || complete == 0 {
            Err(Undefined::NoCompleteUnits)
        } else {
            let n = complete as f64;
            let expected: f64 = column
                .iter()
                .map(|&c| {
                    let p = c as f64 / (n * m_f);
                    p * p
                })
                .sum();
            reliability::chance_corrected(fleiss_observed / n, expected, complete)
        };
        let gwet_ac1 = if pairable == 0 {
            Err(Undefined::NoPairableUnits)
        } else if q < 2 {
            Err(Undefined::NoVariation)
        } else {
            let n = rated as f64;
            let expected = shares
                .iter()
                .map(|&share| {
                    let pi = share / n;
                    pi * (1.0 - pi)
                })
                .sum::<f64>()
                / (q - 1) as f64;
            reliability::chance_corrected(gwet_observed / pairable as f64, expected, pairable)
        };
        let patterns = match dense {
            Some(dense) => dense.patterns(&slot_units, q),
            None => self.patterns(),
        };
        FlatSummary {
            categories: self.categories.clone(),
            pairable_units: pairable,
            disagreeing_units: disagreeing,
            percent_agreement,
            fleiss_kappa,
            gwet_ac1,
            patterns,
        }
    }

    /// The units grouped by their values, sorted: for tables with too many
    /// categories or coders for [`DenseSlots`].
    fn patterns(&self) -> krippendorff::Patterns {
        krippendorff::Patterns::of_rows(
            self.rows().map(|row| row.iter().filter(|&&c| c != Self::MISSING).map(|&c| c as usize)),
        )
    }

    fn two_coders(&self) -> Result<(), Undefined> {
        let coders = if self.units() == 0 { 0 } else { self.coders };
        if coders == 2 { Ok(()) } else { Err(Undefined::NotTwoCoders(coders)) }
    }
}

/// What [`FlatMatrix::summary`] finds in one pass over the units.
#[derive(Debug, PartialEq)]
pub struct FlatSummary {
    categories: Vec<f64>,
    pairable_units: usize,
    disagreeing_units: usize,
    percent_agreement: Result<f64, Undefined>,
    fleiss_kappa: Result<Coefficient, Undefined>,
    gwet_ac1: Result<Coefficient, Undefined>,
    patterns: krippendorff::Patterns,
}

impl FlatSummary {
    /// The number of units with values from two or more coders.
    pub fn pairable_units(&self) -> usize {
        self.pairable_units
    }

    /// The number of units with values from two or more coders, not all
    /// the same.
    pub fn disagreeing_units(&self) -> usize {
        self.disagreeing_units
    }

    /// As [`FlatMatrix::percent_agreement`].
    ///
    /// # Errors
    /// As [`crate::percent_agreement`].
    pub fn percent_agreement(&self) -> Result<f64, Undefined> {
        self.percent_agreement.clone()
    }

    /// As [`FlatMatrix::fleiss_kappa`].
    ///
    /// # Errors
    /// As [`crate::fleiss_kappa`].
    pub fn fleiss_kappa(&self) -> Result<Coefficient, Undefined> {
        self.fleiss_kappa.clone()
    }

    /// As [`FlatMatrix::gwet_ac1`].
    ///
    /// # Errors
    /// As [`crate::gwet_ac1`].
    pub fn gwet_ac1(&self) -> Result<Coefficient, Undefined> {
        self.gwet_ac1.clone()
    }

    /// As [`FlatMatrix::krippendorff_alpha`].
    ///
    /// # Errors
    /// As [`crate::krippendorff_alpha`].
    pub fn krippendorff_alpha(&self, level: Level) -> Result<Coefficient, Undefined> {
        krippendorff::alpha_of_patterns(&self.patterns, &self.categories, level)
    }

    /// As [`FlatMatrix::krippendorff_alpha_bootstrap`].
    ///
    /// # Errors
    /// As [`crate::krippendorff_alpha_bootstrap`].
    pub fn krippendorff_alpha_bootstrap(
        &self,
        level: Level,
        options: Bootstrap,
    ) -> Result<BootstrapInterval, Undefined> {
        krippendorff::bootstrap_patterns(&self.patterns, &self.categories, level, options)
    }
}

/// A slot for every multiset of values a unit can hold, when there are few
/// (as with a handful of coders and categories): a unit's slot is its count
/// of each category as the digits of a number in base `coders + 1`, so
/// units are grouped by their values without sorting them.
struct DenseSlots {
    slots: usize,
    base: usize,
    /// Each category's place value.
    place: Vec<usize>,
}

impl DenseSlots {
    const MAX_SLOTS: usize = 1 << 16;

    fn new(coders: usize, categories: usize) -> Option<Self> {
        let base = coders + 1;
        let mut place = Vec::with_capacity(categories);
        let mut slots = 1_usize;
        for _ in 0..categories {
            place.push(slots);
            slots = slots.checked_mul(base).filter(|&s| s <= Self::MAX_SLOTS)?;
        }
        Some(DenseSlots { slots, base, place })
    }

    /// The groups of values of the units counted in each slot.
    fn patterns(&self, slot_units: &[u64], categories: usize) -> krippendorff::Patterns {
        let mut groups = BTreeMap::new();
        for (mut slot, &count) in slot_units.iter().enumerate().filter(|(_, n)| **n > 0) {
            let mut values = Vec::new();
            for category in 0..categories {
                values.extend(std::iter::repeat_n(category, slot % self.base));
                slot /= self.base;
            }
            groups.insert(values, count);
        }
        krippendorff::Patterns::from_groups(groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        cohen_kappa, fleiss_kappa, gwet_ac1, krippendorff_alpha, krippendorff_alpha_bootstrap,
        percent_agreement, scott_pi,
    };

    /// A table of `units` × `coders` from a fixed linear congruential
    /// sequence: values among `categories`, about one cell in six missing.
    fn table(units: usize, coders: usize, categories: &[f64]) -> FlatMatrix {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut cells = Vec::new();
        for _ in 0..units * coders {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let draw = (state >> 33) as usize;
            cells.push(if draw.is_multiple_of(6) {
                FlatMatrix::MISSING
            } else {
                (draw / 6 % categories.len()) as u32
            });
        }
        FlatMatrix::new(coders, categories.to_vec(), cells).unwrap()
    }

    /// Every coefficient of the flat matrix is, to the bit, that of the
    /// same matrix as rows.
    #[test]
    fn coefficients_equal_those_of_the_rows() {
        for coders in [2, 3, 5] {
            for categories in [&[1.0, 2.0, 3.0, 4.0, 5.0][..], &[-1.5, 0.0, 2.0], &[0.0, 1.0]] {
                let flat = table(400, coders, categories);
                let rows = flat.to_rows();
                assert_eq!(flat.percent_agreement(), percent_agreement(&rows));
                for weights in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
                    assert_eq!(flat.cohen_kappa(weights), cohen_kappa(&rows, weights));
                }
                assert_eq!(flat.scott_pi(), scott_pi(&rows));
                assert_eq!(flat.fleiss_kappa(), fleiss_kappa(&rows));
                assert_eq!(flat.gwet_ac1(), gwet_ac1(&rows));
                let pairable = rows.iter().filter(|r| r.iter().flatten().count() >= 2).count();
                assert_eq!(flat.pairable_units(), pairable);
                let disagreeing = rows
                    .iter()
                    .filter(|r| {
                        let values: Vec<f64> = r.iter().flatten().copied().collect();
                        values.len() >= 2 && values.iter().any(|v| *v != values[0])
                    })
                    .count();
                assert_eq!(flat.summary().disagreeing_units(), disagreeing);
                for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
                    assert_eq!(flat.krippendorff_alpha(level), krippendorff_alpha(&rows, level));
                    let options = Bootstrap { resamples: 50, seed: 9, confidence: 0.95 };
                    assert_eq!(
                        flat.krippendorff_alpha_bootstrap(level, options),
                        krippendorff_alpha_bootstrap(&rows, level, options)
                    );
                }
            }
        }
    }

    /// The grouping by table slots and the grouping by sorted values agree.
    #[test]
    fn dense_and_sorted_groupings_agree() {
        let flat = table(300, 4, &[1.0, 2.0, 3.0, 4.0, 5.0]);
        let dense = flat.summary().patterns;
        let sorted = krippendorff::Patterns::of_rows(
            flat.rows()
                .map(|row| row.iter().filter(|&&c| c != FlatMatrix::MISSING).map(|&c| c as usize)),
        );
        assert_eq!(dense, sorted);
        // 11 categories and 5 coders need 6^11 slots: too many for a table.
        assert!(DenseSlots::new(5, 11).is_none());
        assert!(DenseSlots::new(4, 5).is_some());
    }

    /// A category seen only in units missing a coder is no category of
    /// Fleiss' kappa, and adds nothing to it.
    #[test]
    fn categories_of_incomplete_units_leave_fleiss_kappa_as_it_is() {
        let m = FlatMatrix::MISSING;
        let flat =
            FlatMatrix::new(2, vec![0.0, 1.0, 2.0], vec![0, 0, 1, 1, 0, 1, 2, m, 1, 0]).unwrap();
        assert_eq!(flat.fleiss_kappa(), fleiss_kappa(&flat.to_rows()));
        assert_eq!(flat.units(), 5);
    }

    #[test]
    fn empty_tables_are_undefined_as_rows_are() {
        let flat = FlatMatrix::new(3, vec![], vec![]).unwrap();
        let rows = flat.to_rows();
        assert_eq!(flat.cohen_kappa(Weights::Unweighted), cohen_kappa(&rows, Weights::Unweighted));
        assert_eq!(flat.fleiss_kappa(), fleiss_kappa(&rows));
        assert_eq!(flat.gwet_ac1(), gwet_ac1(&rows));
        assert_eq!(flat.percent_agreement(), percent_agreement(&rows));
        assert_eq!(
            flat.krippendorff_alpha(Level::Nominal),
            krippendorff_alpha(&rows, Level::Nominal)
        );
    }

    #[test]
    fn parts_that_do_not_fit_are_refused() {
        assert_eq!(
            FlatMatrix::new(2, vec![1.0, 0.0], vec![]),
            Err(FlatMatrixError::UnsortedCategories)
        );
        assert_eq!(
            FlatMatrix::new(2, vec![0.0], vec![0, 0, 0]),
            Err(FlatMatrixError::RaggedCells { cells: 3, coders: 2 })
        );
        assert_eq!(
            FlatMatrix::new(2, vec![0.0], vec![0, 1]),
            Err(FlatMatrixError::UnknownCategory { cell: 1, index: 1, categories: 1 })
        );
    }
}
