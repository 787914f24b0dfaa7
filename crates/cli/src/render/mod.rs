//! Pure renderers: results in, bytes out. Commands choose where bytes go.

pub(crate) mod agree;
pub(crate) mod cooccur;
pub(crate) mod crosstab;
pub(crate) mod explain;
pub(crate) mod matrix;
pub(crate) mod names;
pub(crate) mod table;
pub(crate) mod tally;

/// Pretty JSON with a final newline.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(value).expect("results serialise: plain data, string keys");
    bytes.push(b'\n');
    bytes
}
