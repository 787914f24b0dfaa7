//! Seeded random edits of real inputs, for the property runs of the parsers.

use crate::Rng;

/// One to seven random edits of `input`: inserting one of `pieces` (the
/// fragments a parser treats specially), deleting a short run of bytes, or
/// copying a run of the input elsewhere. Any byte sequence may result,
/// invalid UTF-8 included.
pub fn mutate(rng: &mut Rng, input: &[u8], pieces: &[&[u8]]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..rng.range(1..8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(3) {
            0 if !pieces.is_empty() => {
                let piece = rng.pick(pieces);
                bytes.splice(at..at, piece.iter().copied());
            }
            1 if !bytes.is_empty() => {
                let end = (at + rng.range(1..40)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            _ => {
                let (from, len) = (rng.below(bytes.len().max(1)), rng.range(1..200));
                let copied: Vec<u8> = bytes.iter().skip(from).take(len).copied().collect();
                bytes.splice(at..at, copied);
            }
        }
    }
    bytes
}
