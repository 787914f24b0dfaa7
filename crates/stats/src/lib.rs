//! Statistics for qda: proportions and their confidence intervals, and
//! inter-coder reliability coefficients.
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

mod error;
mod krippendorff;
mod proportion;
mod reliability;

pub use error::StatsError;
pub use krippendorff::{
    Bootstrap, BootstrapInterval, Level, krippendorff_alpha, krippendorff_alpha_bootstrap,
};
pub use proportion::{Interval, proportion, wilson_interval};
pub use reliability::{
    Coefficient, Matrix, Undefined, Weights, cohen_kappa, fleiss_kappa, gwet_ac1,
    percent_agreement, scott_pi,
};
