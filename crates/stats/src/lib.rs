//! Statistics for qda: proportions and their confidence intervals,
//! crosstabs with tests of independence (chi-square, Fisher's exact test),
//! code co-occurrence, and inter-coder reliability coefficients.
//!
//! Pure functions on plain numbers: no I/O, and no dependency on the rest of
//! qda, so every result can be checked against R, scipy or statsmodels.
//!
//! # Example
//! ```
//! let interval = qda_stats::wilson_interval(4, 26, 0.95)?;
//! assert!((interval.lower - 0.0615).abs() < 1e-4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bins;
mod contingency;
mod cooccurrence;
mod error;
mod fisher;
mod flat_matrix;
mod krippendorff;
mod proportion;
mod reliability;
mod resample;
mod saturation;

pub use bins::Bins;
pub use contingency::{ChiSquare, ContingencyTable, Correction, chi_square_independence};
pub use cooccurrence::{Cooccurrence, PairStrength};
pub use fisher::{
    FISHER_WORK_LIMIT, FisherMethod, FisherOptions, FisherTest, fisher_exact,
    fisher_exact_enumerated, fisher_monte_carlo,
};

pub use error::StatsError;
pub use flat_matrix::{FlatMatrix, FlatMatrixError, FlatSummary};
pub use krippendorff::{
    Bootstrap, BootstrapInterval, Level, krippendorff_alpha, krippendorff_alpha_bootstrap,
};
pub use proportion::{Interval, clopper_pearson_interval, proportion, wilson_interval};
pub use reliability::{
    Coefficient, Matrix, Undefined, Weights, cohen_kappa, fleiss_kappa, gwet_ac1,
    percent_agreement, scott_pi,
};
pub use saturation::{
    Saturation, SaturationBootstrap, SaturationError, SaturationOptions, SaturationRun, saturation,
    saturation_bootstrap,
};
