//! `qda.agree`: every reliability coefficient of a ratings matrix, as
//! `qda agree` computes them; an undefined one is `None` with the reason.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qda_stats::{Bootstrap, Coefficient, Level, Undefined, Weights};

use crate::error::Failure;

fn level(name: &str) -> Result<Level, Failure> {
    Ok(match name {
        "nominal" => Level::Nominal,
        "ordinal" => Level::Ordinal,
        "interval" => Level::Interval,
        "ratio" => Level::Ratio,
        _ => {
            return Err(Failure::new(
                "RatingsError",
                format!(
                    "level=\"{name}\": give \"nominal\", \"ordinal\", \"interval\" or \"ratio\""
                ),
            ));
        }
    })
}

/// The coefficients of `ratings` (one row per unit, one value per coder,
/// `None` where a coder gave none) as columns: coefficient, value, the 95%
/// interval where there is one, units, and why a value is undefined.
#[pyfunction]
#[pyo3(signature = (ratings, level_name, resamples, seed))]
pub(crate) fn _agree<'py>(
    py: Python<'py>,
    ratings: Vec<Vec<Option<f64>>>,
    level_name: &str,
    resamples: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let level = level(level_name)?;
    let rows = py.detach(|| coefficients(&ratings, level, resamples, seed));
    let columns = PyDict::new(py);
    columns.set_item("coefficient", rows.iter().map(|r| r.name).collect::<Vec<_>>())?;
    columns.set_item("value", rows.iter().map(|r| r.value).collect::<Vec<_>>())?;
    columns
        .set_item("low_95", rows.iter().map(|r| r.interval.map(|i| i[0])).collect::<Vec<_>>())?;
    columns
        .set_item("high_95", rows.iter().map(|r| r.interval.map(|i| i[1])).collect::<Vec<_>>())?;
    columns.set_item("units", rows.iter().map(|r| r.units).collect::<Vec<_>>())?;
    columns.set_item("undefined", rows.iter().map(|r| r.undefined.clone()).collect::<Vec<_>>())?;
    Ok(columns)
}

struct Row {
    name: &'static str,
    value: Option<f64>,
    interval: Option<[f64; 2]>,
    units: usize,
    undefined: Option<String>,
}

/// Six decimals, as the command line's JSON.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn coefficients(data: &[Vec<Option<f64>>], level: Level, resamples: usize, seed: u64) -> Vec<Row> {
    let units = data.iter().filter(|row| row.iter().flatten().count() >= 2).count();
    let row = |name, result: Result<f64, Undefined>| match result {
        Ok(v) => Row { name, value: Some(round(v)), interval: None, units, undefined: None },
        Err(reason) => {
            Row { name, value: None, interval: None, units, undefined: Some(reason.to_string()) }
        }
    };
    let value = |c: Result<Coefficient, Undefined>| c.map(|c| c.value);
    let mut rows = vec![
        row("percent_agreement", qda_stats::percent_agreement(data)),
        row("cohen_kappa", value(qda_stats::cohen_kappa(data, Weights::Unweighted))),
    ];
    if level != Level::Nominal {
        rows.push(row("cohen_kappa_linear", value(qda_stats::cohen_kappa(data, Weights::Linear))));
        rows.push(row(
            "cohen_kappa_quadratic",
            value(qda_stats::cohen_kappa(data, Weights::Quadratic)),
        ));
    }
    rows.push(row("scott_pi", value(qda_stats::scott_pi(data))));
    rows.push(row("fleiss_kappa", value(qda_stats::fleiss_kappa(data))));
    rows.push(row("gwet_ac1", value(qda_stats::gwet_ac1(data))));
    let mut alpha = row("krippendorff_alpha", value(qda_stats::krippendorff_alpha(data, level)));
    if resamples > 0 && alpha.value.is_some() {
        let options = Bootstrap { resamples, seed, confidence: 0.95 };
        alpha.interval = qda_stats::krippendorff_alpha_bootstrap(data, level, options)
            .ok()
            .map(|b| [round(b.interval.lower), round(b.interval.upper)]);
    }
    rows.push(alpha);
    rows
}
