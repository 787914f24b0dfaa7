//! How every section shows a code's colour, a percentage and a share, so
//! the sections agree.

use crate::report::contents::Contents;

/// A code's colour: the codebook's, else one of a palette that prints and
/// reads well, by the code's place among the codable codes.
pub(crate) fn colour(contents: &Contents<'_>, id: &str) -> String {
    const PALETTE: [&str; 10] = [
        "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d",
        "#ff9da6", "#79706e",
    ];
    if id == qda_coding::UNCODED {
        return "#9aa0a6".to_owned();
    }
    if let Some(colour) = contents.codebook.code(id).and_then(|c| c.color.clone()) {
        return colour;
    }
    let index = contents.codebook.codes().iter().position(|c| c.id == id).unwrap_or(0);
    PALETTE[index % PALETTE.len()].to_owned()
}

/// A percentage as shown everywhere in the report.
pub(crate) fn pct(x: f64) -> String {
    format!("{x:.1}")
}

/// `n` as a percentage of `total`, one decimal; a dash for an empty column.
pub(crate) fn share(n: usize, total: usize) -> String {
    if total == 0 { "–".to_owned() } else { pct(100.0 * n as f64 / total as f64) }
}
