//! The units × coders CSV of `qda agree --ratings`: the first column names
//! the unit, every other column is a coder; an empty cell is a missing value.
//!
//! A table without quotes is read in pieces of whole lines, one per core (a
//! quoted cell may hold a line break, so a table with quotes is one piece).
//! The pieces are joined in file order, and the first error in the file is
//! the one reported, so the result is that of reading line by line.

use std::hash::BuildHasher as _;

use anyhow::{Result, anyhow, bail};
use indexmap::{IndexMap, IndexSet};
use qda_stats::FlatMatrix;
use rayon::prelude::*;

use crate::args::LevelArg;

/// A ratings table read into a flat matrix.
pub(super) struct RatingsTable {
    pub(super) coders: Vec<String>,
    pub(super) units: UnitNames,
    pub(super) matrix: FlatMatrix,
    /// For nominal values, and labels given an `--order`: the label of each index.
    labels: Option<Vec<String>>,
}

/// Unit names in file order, kept in one string: a million units are a
/// million slices of it rather than a million allocations.
pub(super) struct UnitNames {
    text: String,
    /// Where each name ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
}

impl UnitNames {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Rows of about this many bytes are worth a thread of their own.
const PIECE_BYTES: usize = 1 << 20;

/// The unit names are hashed with a fast fixed-seed hash: the table is the
/// user's own, not an adversary's.
type Hasher = foldhash::fast::FixedState;

/// What every piece is read with.
struct Layout<'a> {
    path: &'a str,
    /// The whole file, without its byte order mark: lines are counted in it.
    body: &'a [u8],
    delimiter: u8,
    coders: &'a [String],
    level: LevelArg,
    order: Option<&'a [String]>,
}

impl RatingsTable {
    /// Reads the table into a flat matrix: a cell's value by a lookup among
    /// the distinct texts, a repeated unit by a hash lookup once all are
    /// read, and a record's line only for an error message, so the time
    /// grows with the file, not its square.
    pub(super) fn parse(
        path: &str,
        bytes: &[u8],
        level: LevelArg,
        order: Option<&[String]>,
    ) -> Result<Self> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let delimiter = crate::sheet::sniff_delimiter(body);
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(body);
        let headers =
            reader.headers().map_err(|e| anyhow!("{path}:1: unreadable CSV: {e}"))?.clone();
        let coders: Vec<String> = headers.iter().skip(1).map(|h| h.trim().to_owned()).collect();
        if coders.len() < 2 {
            bail!("{path}:1:1: a ratings table needs a unit column and at least two coder columns");
        }
        let rows_start = usize::try_from(reader.position().byte())?.min(body.len());
        let layout = Layout { path, body, delimiter, coders: &coders, level, order };
        let pieces = split_lines(body, rows_start);
        let pieces: Vec<Piece> = if pieces.len() == 1 {
            vec![Piece::read(&layout, pieces[0].0, pieces[0].1)]
        } else {
            pieces.into_par_iter().map(|(start, end)| Piece::read(&layout, start, end)).collect()
        };
        layout.assemble(pieces)
    }

    pub(super) fn label(&self, value: f64) -> String {
        match &self.labels {
            Some(labels) => labels.get(value as usize).cloned().unwrap_or_default(),
            None => format!("{value}"),
        }
    }
}

/// `--order "very low,low,mid"`: the labels, trimmed, each once.
pub(super) fn parse_order(spec: &str) -> Result<Vec<String>> {
    let labels: Vec<String> = spec.split(',').map(|l| l.trim().to_owned()).collect();
    if labels.iter().any(String::is_empty) {
        bail!(
            "--order {spec:?}: a label is empty; list the labels from lowest to highest, separated by commas"
        );
    }
    for (i, label) in labels.iter().enumerate() {
        if labels[..i].contains(label) {
            bail!("--order {spec:?}: label `{label}` is listed twice; list each label once");
        }
    }
    Ok(labels)
}

/// The rows from `start` on, cut after line ends into pieces for the
/// cores; one piece when the file has a quote (a quoted cell may hold a
/// line break) or too few bytes to share.
fn split_lines(body: &[u8], start: usize) -> Vec<(usize, usize)> {
    let rows = &body[start..];
    let threads = rayon::current_num_threads().max(1);
    let piece = (rows.len() / threads).max(PIECE_BYTES);
    if rows.len() <= piece || memchr::memchr(b'"', rows).is_some() {
        return vec![(start, body.len())];
    }
    let mut pieces = Vec::with_capacity(threads + 1);
    let mut from = start;
    while body.len() - from > piece {
        match memchr::memchr(b'\n', &body[from + piece..]) {
            Some(newline) => {
                let to = from + piece + newline + 1;
                pieces.push((from, to));
                from = to;
            }
            None => break,
        }
    }
    pieces.push((from, body.len()));
    pieces
}

/// The line of the record starting at `byte`: counted from the start of
/// the file, so called only to report an error.
fn record_line(body: &[u8], byte: u64) -> u64 {
    #[cfg(test)]
    tests::LINE_LOOKUPS.with(|n| n.set(n.get() + 1));
    qda_coding::csv_record_line(body, byte)
}

impl Layout<'_> {
    /// The pieces, read in file order, as one table; or the first error in
    /// the file.
    fn assemble(&self, mut pieces: Vec<Piece>) -> Result<RatingsTable> {
        // Pieces after the first error hold only later lines.
        if let Some(first_error) = pieces.iter().position(|p| p.error.is_some()) {
            pieces.truncate(first_error + 1);
        }
        let error = pieces.last_mut().and_then(|p| p.error.take());
        let joined = Joined::of(pieces);
        if let Some(repeated) = joined.first_repeated_unit() {
            bail!(
                "{}:{}:1: unit `{}` already has a row (row {}); keep one",
                self.path,
                record_line(self.body, self.unit_record_start(&joined, repeated.again)),
                joined.units.get(repeated.again),
                repeated.first + 2
            );
        }
        if let Some(error) = error {
            return Err(error);
        }
        joined.into_table(self.path, self.coders.to_vec(), self.level, self.order)
    }

    /// Where the record of unit `unit` starts: its piece read again up to
    /// it, for an error message only.
    fn unit_record_start(&self, joined: &Joined, unit: usize) -> u64 {
        let piece = joined.pieces.partition_point(|p| p.first_unit <= unit) - 1;
        let PieceSpan { start, end, first_unit } = joined.pieces[piece];
        let mut reader = self.reader(start, end);
        let mut record = csv::ByteRecord::new();
        let mut seen = first_unit;
        while let Ok(true) = reader.read_byte_record(&mut record) {
            let named = record.get(0).map(std::str::from_utf8);
            if named.is_some_and(|u| u.is_ok_and(|u| !u.trim().is_empty())) {
                if seen == unit {
                    return start as u64 + record.position().map_or(0, csv::Position::byte);
                }
                seen += 1;
            }
        }
        start as u64
    }

    fn reader(&self, start: usize, end: usize) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            // Each row's cells are counted against the header's here, not
            // against the row before, which may be in another piece.
            .flexible(true)
            .from_reader(&self.body[start..end])
    }
}

/// The distinct cell texts of a piece: each raw cell is looked up (a short
/// list scanned first, as tables hold few distinct values) and only a text
/// not seen before is decoded, trimmed and checked.
struct CellTexts {
    /// The id of each one-byte raw text seen (most ratings are one digit), or `UNSEEN`.
    byte: [u32; 256],
    /// Each longer raw text seen, with its label's id or [`FlatMatrix::MISSING`].
    raw: IndexMap<Box<[u8]>, u32, Hasher>,
}

impl CellTexts {
    /// How many raw texts are scanned before the hash map is asked.
    const SCANNED: usize = 16;
    const UNSEEN: u32 = u32::MAX - 1;

    fn new() -> Self {
        CellTexts { byte: [Self::UNSEEN; 256], raw: IndexMap::default() }
    }

    fn get(&self, raw: &[u8]) -> Option<u32> {
        if let [byte] = raw {
            let id = self.byte[usize::from(*byte)];
            return (id != Self::UNSEEN).then_some(id);
        }
        if self.raw.len() <= Self::SCANNED {
            self.raw.iter().find(|(known, _)| ***known == *raw).map(|(_, &id)| id)
        } else {
            self.raw.get(raw).copied()
        }
    }

    fn insert(&mut self, raw: &[u8], id: u32) {
        match raw {
            [byte] => self.byte[usize::from(*byte)] = id,
            _ => {
                self.raw.insert(raw.into(), id);
            }
        }
    }
}

/// One piece of whole lines, read on its own: its unit names and their
/// hashes, and each cell as an id into the piece's own labels.
struct Piece {
    start: usize,
    end: usize,
    names: String,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    cells: Vec<u32>,
    /// The distinct trimmed labels, by first appearance, and their values.
    labels: IndexSet<String>,
    label_values: Vec<f64>,
    /// The piece's first error; nothing after it is read.
    error: Option<anyhow::Error>,
}

impl Piece {
    fn read(layout: &Layout, start: usize, end: usize) -> Piece {
        // Sized from the bytes, so that nothing grows (and is copied) a
        // million units in; pages never written cost nothing.
        let bytes = end - start;
        let lines = memchr::memchr_iter(b'\n', &layout.body[start..end]).count() + 1;
        let mut piece = Piece {
            start,
            end,
            names: String::with_capacity(bytes),
            ends: Vec::with_capacity(lines),
            hashes: Vec::with_capacity(lines),
            cells: Vec::with_capacity(lines * layout.coders.len()),
            labels: IndexSet::new(),
            label_values: Vec::new(),
            error: None,
        };
        if let Err(error) = piece.fill(layout) {
            piece.error = Some(error);
        }
        piece
    }

    fn fill(&mut self, layout: &Layout) -> Result<()> {
        let Layout { path, body, coders, level, order, .. } = *layout;
        let hasher = Hasher::default();
        let mut texts = CellTexts::new();
        let mut reader = layout.reader(self.start, self.end);
        let mut record = csv::ByteRecord::new();
        loop {
            let before = self.start as u64 + reader.position().byte();
            let more = reader.read_byte_record(&mut record).map_err(|e| {
                let at = e.position().map_or(before, |p| self.start as u64 + p.byte());
                anyhow!("{path}:{}: unreadable CSV row: {e}", record_line(body, at))
            })?;
            if !more {
                return Ok(());
            }
            let start = record.position().map_or(before, |p| self.start as u64 + p.byte());
            if record.len() != coders.len() + 1 {
                bail!(
                    "{path}:{}: the row has {} cells and the header {}; give every row a cell for each column (empty for a missing rating)",
                    record_line(body, start),
                    record.len(),
                    coders.len() + 1
                );
            }
            let not_utf8 = |column: usize| {
                anyhow!(
                    "{path}:{}:{column}: the cell is not valid UTF-8; save the table as UTF-8",
                    record_line(body, start)
                )
            };
            let unit =
                std::str::from_utf8(record.get(0).unwrap_or(b"")).map_err(|_| not_utf8(1))?.trim();
            if unit.is_empty() {
                continue;
            }
            // The unit first: a repeated unit is reported before its cells.
            self.names.push_str(unit);
            self.ends.push(self.names.len());
            self.hashes.push(hasher.hash_one(unit));
            for (c, coder) in coders.iter().enumerate() {
                let raw = record.get(c + 1).unwrap_or(b"");
                if raw.is_empty() {
                    self.cells.push(FlatMatrix::MISSING);
                    continue;
                }
                if let Some(id) = texts.get(raw) {
                    self.cells.push(id);
                    continue;
                }
                #[cfg(test)]
                tests::DECODED.with(|n| n.set(n.get() + 1));
                let text = std::str::from_utf8(raw).map_err(|_| not_utf8(c + 2))?.trim();
                let id = if text.is_empty() {
                    FlatMatrix::MISSING
                } else if let Some(id) = self.labels.get_index_of(text) {
                    id as u32
                } else {
                    let value = label_value(text, level, order).map_err(|why| {
                        let line = record_line(body, start);
                        match why {
                            NotAValue::OutsideOrder => anyhow!(
                                "{path}:{line}:{}: value `{text}` (coder `{coder}`) is not in --order; add it to --order or correct the cell",
                                c + 2
                            ),
                            NotAValue::NotANumber => anyhow!(
                                "{path}:{line}:{}: value `{text}` is not a number; --level {} needs numbers, or labels with --order \"LOWEST,...,HIGHEST\" (or use --level nominal)",
                                c + 2,
                                format!("{level:?}").to_lowercase()
                            ),
                        }
                    })?;
                    self.label_values.push(value);
                    self.labels.insert_full(text.to_owned()).0 as u32
                };
                texts.insert(raw, id);
                self.cells.push(id);
            }
        }
    }
}

enum NotAValue {
    OutsideOrder,
    NotANumber,
}

/// The value of a label not seen before.
fn label_value(
    text: &str,
    level: LevelArg,
    order: Option<&[String]>,
) -> std::result::Result<f64, NotAValue> {
    if let Some(order) = order {
        // A label's value is its rank in the order, as the `krippendorff`
        // package's `value_domain` has it: ordinal alpha depends only on
        // ranks, and interval alpha then treats the labels as equally
        // spaced, the usual reading of a Likert scale.
        order.iter().position(|l| l == text).map(|rank| rank as f64).ok_or(NotAValue::OutsideOrder)
    } else if level == LevelArg::Nominal {
        // Ranked among the labels sorted, once all are known.
        Ok(0.0)
    } else {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(NotAValue::NotANumber),
        }
    }
}

/// Where a piece's lines and units are, once joined.
#[derive(Clone, Copy)]
struct PieceSpan {
    start: usize,
    end: usize,
    first_unit: usize,
}

/// A unit whose name an earlier unit has.
struct Repeated {
    first: usize,
    again: usize,
}

/// The pieces joined in file order.
struct Joined {
    pieces: Vec<PieceSpan>,
    units: UnitNames,
    hashes: Vec<u64>,
    cells: Vec<u32>,
    labels: IndexSet<String>,
    label_values: Vec<f64>,
}

impl Joined {
    fn of(pieces: Vec<Piece>) -> Joined {
        let units: usize = pieces.iter().map(|p| p.ends.len()).sum();
        let mut joined = Joined {
            pieces: Vec::with_capacity(pieces.len()),
            units: UnitNames {
                text: String::with_capacity(pieces.iter().map(|p| p.names.len()).sum()),
                ends: Vec::with_capacity(units),
            },
            hashes: Vec::with_capacity(units),
            cells: Vec::with_capacity(pieces.iter().map(|p| p.cells.len()).sum()),
            labels: IndexSet::new(),
            label_values: Vec::new(),
        };
        for piece in pieces {
            joined.pieces.push(PieceSpan {
                start: piece.start,
                end: piece.end,
                first_unit: joined.units.len(),
            });
            // The piece's label ids, as ids among all labels by first appearance.
            let ids: Vec<u32> = piece
                .labels
                .into_iter()
                .zip(piece.label_values)
                .map(|(label, value)| {
                    let (id, new) = joined.labels.insert_full(label);
                    if new {
                        joined.label_values.push(value);
                    }
                    id as u32
                })
                .collect();
            joined.cells.extend(
                piece
                    .cells
                    .iter()
                    .map(|&c| if c == FlatMatrix::MISSING { c } else { ids[c as usize] }),
            );
            let offset = joined.units.text.len();
            joined.units.text.push_str(&piece.names);
            joined.units.ends.extend(piece.ends.iter().map(|end| offset + end));
            joined.hashes.extend(piece.hashes);
        }
        joined
    }

    /// The first unit, in file order, whose name an earlier unit has. The
    /// units are shared out among tables by their hash, so each table is
    /// built on a core of its own.
    fn first_repeated_unit(&self) -> Option<Repeated> {
        let shares: u64 =
            if self.pieces.len() > 1 { 4 * rayon::current_num_threads() as u64 } else { 1 };
        let find = |share: u64| -> Option<Repeated> {
            let mut seen = hashbrown::HashTable::<usize>::with_capacity(
                self.hashes.len() / shares as usize + 1,
            );
            for (unit, &hash) in self.hashes.iter().enumerate() {
                // The high half: the table places entries by the low bits.
                if (hash >> 32) % shares != share {
                    continue;
                }
                let name = self.units.get(unit);
                if let Some(&first) = seen.find(hash, |&other| self.units.get(other) == name) {
                    return Some(Repeated { first, again: unit });
                }
                seen.insert_unique(hash, unit, |&other| self.hashes[other]);
            }
            None
        };
        if shares == 1 {
            return find(0);
        }
        (0..shares).into_par_iter().filter_map(find).min_by_key(|r| r.again)
    }

    fn into_table(
        self,
        path: &str,
        coders: Vec<String>,
        level: LevelArg,
        order: Option<&[String]>,
    ) -> Result<RatingsTable> {
        let Joined { units, mut cells, labels, mut label_values, .. } = self;
        let labels = if order.is_some() {
            order.map(<[String]>::to_vec)
        } else if level == LevelArg::Nominal {
            // A label's value is its place among the labels sorted.
            let mut sorted: Vec<(usize, String)> = labels.into_iter().enumerate().collect();
            sorted.sort_by(|a, b| a.1.cmp(&b.1));
            for (rank, (id, _)) in sorted.iter().enumerate() {
                label_values[*id] = rank as f64;
            }
            Some(sorted.into_iter().map(|(_, label)| label).collect())
        } else {
            None
        };
        // The distinct values, sorted, and each label's place among them.
        let mut categories = label_values.clone();
        categories.sort_unstable_by(f64::total_cmp);
        categories.dedup_by(|a, b| a.total_cmp(b).is_eq());
        let category: Vec<u32> = label_values
            .iter()
            .map(|v| categories.partition_point(|c| c.total_cmp(v).is_lt()) as u32)
            .collect();
        for cell in cells.iter_mut().filter(|c| **c != FlatMatrix::MISSING) {
            *cell = category[*cell as usize];
        }
        let matrix =
            FlatMatrix::new(coders.len(), categories, cells).map_err(|e| anyhow!("{path}: {e}"))?;
        Ok(RatingsTable { coders, units, matrix, labels })
    }
}

#[cfg(test)]
mod tests;
