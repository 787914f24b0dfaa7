//! `--format json`: results as they are, with their provenance.

/// Pretty JSON with a final newline.
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(value).expect("results serialise: plain data, string keys");
    bytes.push(b'\n');
    bytes
}
