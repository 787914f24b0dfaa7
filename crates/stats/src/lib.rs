//! Statistics for qda: proportions and their confidence intervals.
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
mod proportion;

pub use error::StatsError;
pub use proportion::{Interval, proportion, wilson_interval};
