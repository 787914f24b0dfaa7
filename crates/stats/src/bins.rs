//! Binning a numeric variable at given edges, for crosstabs of numbers such
//! as a year.
//!
//! Edges `e₁ < e₂ < … < eₖ` make `k + 1` half-open bins:
//! `(-inf, e₁)`, `[e₁, e₂)`, …, `[eₖ, inf)`. A value equal to an edge falls
//! in the bin that starts there.

use crate::error::StatsError;

/// Half-open bins between strictly increasing edges.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    edges: Vec<f64>,
}

impl Bins {
    /// Bins with these edges.
    ///
    /// # Errors
    /// [`StatsError::InvalidBinEdges`] when there is no edge, or an edge is
    /// not finite, or the edges are not strictly increasing.
    ///
    /// # Examples
    /// ```
    /// let bins = qda_stats::Bins::new(vec![2000.0, 2005.0])?;
    /// assert_eq!(bins.bin(1999.0), 0);
    /// assert_eq!(bins.bin(2000.0), 1);
    /// assert_eq!(bins.label(1), "[2000, 2005)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(edges: Vec<f64>) -> Result<Self, StatsError> {
        let increasing = edges.windows(2).all(|w| w[0] < w[1]);
        if edges.is_empty() || !increasing || edges.iter().any(|e| !e.is_finite()) {
            return Err(StatsError::InvalidBinEdges);
        }
        Ok(Bins { edges })
    }

    /// Number of bins (one more than the edges).
    pub fn len(&self) -> usize {
        self.edges.len() + 1
    }

    /// Always `false`: there is at least one edge, so two bins.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bin of `x`, from 0.
    pub fn bin(&self, x: f64) -> usize {
        self.edges.partition_point(|&e| e <= x)
    }

    /// The bin's interval, written `[a, b)`, with `-inf` and `inf` at the ends.
    ///
    /// # Panics
    /// When `bin` is not below [`Bins::len`].
    pub fn label(&self, bin: usize) -> String {
        assert!(bin < self.len(), "bin {bin} out of range");
        let lower = if bin == 0 { "(-inf".to_owned() } else { format!("[{}", self.edges[bin - 1]) };
        let upper = self.edges.get(bin).map_or_else(|| "inf".to_owned(), |e| e.to_string());
        format!("{lower}, {upper})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_half_open_bins() {
        let bins = Bins::new(vec![2000.0, 2005.0]).unwrap();
        assert_eq!(bins.len(), 3);
        assert_eq!([1990.0, 2000.0, 2004.9, 2005.0, 2020.0].map(|x| bins.bin(x)), [0, 1, 1, 2, 2]);
        assert_eq!(bins.label(0), "(-inf, 2000)");
        assert_eq!(bins.label(2), "[2005, inf)");
        assert_eq!(Bins::new(vec![0.5]).unwrap().label(1), "[0.5, inf)");
    }

    #[test]
    fn bad_edges_are_errors() {
        for edges in [vec![], vec![2.0, 1.0], vec![1.0, 1.0], vec![f64::NAN], vec![f64::INFINITY]] {
            assert_eq!(Bins::new(edges), Err(StatsError::InvalidBinEdges));
        }
    }
}
