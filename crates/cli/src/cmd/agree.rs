//! `qda agree`: inter-coder reliability of codings files, or of any ratings table.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use indexmap::{IndexMap, IndexSet};
use qda_coding::{
    AgreementData, Blinding, Codebook, CoderCodings, CodingsFile, RULES_CODER, Transcript,
};
use qda_stats::{Bootstrap, FlatMatrix, Level};

use crate::args::{AgreeArgs, Format, LevelArg};
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, Provenance, display_path, display_paths};
use crate::render::agree::{AgreeReport, Disagreement, Disagreements, Row, Scope};
use crate::render::render;
use crate::study::{LoadedStudy, codable_segments, read_bytes};

pub(crate) fn run(args: &AgreeArgs) -> Result<Outcome> {
    let report = match &args.ratings {
        Some(path) => ratings(path, args)?,
        None => codings(args)?,
    };
    let mut read: Vec<&Path> = args.codings.iter().map(|p| p.as_path()).collect();
    read.extend(args.codebook.as_deref());
    read.extend(args.ratings.as_deref());
    let bytes = if args.disagreements {
        render(&Disagreements(&report), args.format)
    } else {
        render(&report, args.format)
    };
    let coders = count(report.coders.len(), "coder");
    let what = if args.disagreements {
        format!(
            "{} among {coders} ({})",
            count(report.disagreement_count, "disagreement"),
            args.format.name()
        )
    } else {
        format!(
            "agreement of {coders} over {} ({})",
            count(report.units, "unit"),
            args.format.name()
        )
    };
    crate::output::write(args.output.path.as_deref(), &bytes, &read, what)?;

    if let Some(minimum) = args.min_alpha {
        let (what, alpha) = report.headline_alpha();
        let failed = match alpha {
            Some(value) => value < minimum,
            None => true,
        };
        if failed {
            let shown = alpha.map_or_else(|| "undefined".to_owned(), |v| format!("{v:.3}"));
            writeln!(
                std::io::stderr(),
                "error: Krippendorff's alpha ({what}) is {shown}, below --min-alpha {minimum}"
            )?;
            return Ok(Outcome::Failure);
        }
    }
    Ok(Outcome::Success)
}

fn level_name(level: LevelArg) -> &'static str {
    match level {
        LevelArg::Nominal => "nominal",
        LevelArg::Ordinal => "ordinal",
        LevelArg::Interval => "interval",
        LevelArg::Ratio => "ratio",
    }
}

fn bootstrap(args: &AgreeArgs) -> Option<Bootstrap> {
    (args.resamples > 0).then_some(Bootstrap {
        resamples: args.resamples,
        seed: args.seed,
        confidence: 0.95,
    })
}

fn codings(args: &AgreeArgs) -> Result<AgreeReport> {
    let Some(codebook_path) = &args.codebook else {
        bail!("name a codebook, or give --ratings FILE")
    };
    if args.level == LevelArg::Ratio {
        bail!(
            "--level ratio: an exclusive group's children have an order but no true zero; use --level ordinal or interval"
        );
    }
    let mut study = LoadedStudy::open(codebook_path)?.with_transcripts(&args.input)?;
    let transcripts = study.transcripts()?;
    let loaded = study.codings_files(&args.codings, &transcripts)?;
    let codebook = &study.codebook;
    let coders = loaded.coders();
    if coders.len() < 2 {
        bail!(
            "agreement needs two or more coders; the codings files hold only {}; add another coder's codings with --codings",
            if coders.is_empty() {
                "none".to_owned()
            } else {
                format!("`{}`", coders.join("`, `"))
            }
        );
    }
    let group_level: Level = args.level.into();
    let per_coder: Vec<CoderCodings> = coders.iter().map(|c| loaded.coder(c)).collect();
    let blinding: IndexMap<String, &'static str> = coders
        .iter()
        .filter(|c| *c != RULES_CODER)
        .map(|c| (c.clone(), blinding_of(&loaded.files, c)))
        .collect();
    if coders.iter().any(|c| c == RULES_CODER) {
        warn_not_blind(&blinding)?;
    }
    let segments = codable_segments(codebook, &transcripts);
    let data = AgreementData::new(codebook, &segments, &per_coder, args.only_coded);

    let rows = agreement_rows(&data, group_level, bootstrap(args));
    let disagreements = coding_disagreements(&data, codebook, &transcripts);

    let provenance = study
        .provenance("agree")
        .option("unit", codebook.unit().as_str())
        .option("only_coded", args.only_coded)
        .option("level", level_name(args.level))
        .option("resamples", args.resamples)
        .option("seed", args.seed)
        .option("codings", display_paths(&args.codings));
    Ok(AgreeReport {
        provenance,
        coders: data.coders.clone(),
        blinding,
        units: data.units.len(),
        level: level_name(args.level),
        rows,
        disagreement_count: disagreements.len(),
        disagreements,
    })
}

/// Warns of each coder who saw the rules' suggestions while coding: their
/// agreement with `rules` does not check the rules independently.
fn warn_not_blind(blinding: &IndexMap<String, &'static str>) -> Result<()> {
    let mut stderr = std::io::stderr().lock();
    for (coder, how) in blinding {
        if matches!(*how, "open" | "unblinded") {
            writeln!(
                stderr,
                "warning: {coder} saw the rules' suggestions while coding, so their agreement with `rules` is not an independent check of the rules; for one, code blind (`qda sheet --blind`, `qda serve --blind`)"
            )?;
        }
    }
    Ok(())
}

/// The agreement table: a row per code, the pooled row, and a row per
/// exclusive group at `group_level`.
fn agreement_rows(data: &AgreementData, group_level: Level, boot: Option<Bootstrap>) -> Vec<Row> {
    let mut rows = Vec::new();
    let ordered_groups = group_level != Level::Nominal && !data.groups.is_empty();
    let nominal = |scope, name: &str, values: &[Vec<Option<f64>>]| {
        let row = Row::compute(scope, name, values, Level::Nominal, boot);
        // Every row of a table has the same columns.
        if ordered_groups { row.with_weighted_kappa(values) } else { row }
    };
    for code in &data.codes {
        rows.push(nominal(Scope::Code, &code.code, &code.values));
    }
    rows.push(nominal(Scope::Pooled, "all codes", &data.pooled()));
    for group in &data.groups {
        let values = if group_level == Level::Nominal {
            group.values.clone()
        } else {
            // The children are ordered as in the codebook; `uncoded` (the
            // last category) has no place on that scale, so it is missing.
            let uncoded = (group.categories.len() - 1) as f64;
            group
                .values
                .iter()
                .map(|row| row.iter().map(|v| v.filter(|&v| v != uncoded)).collect())
                .collect()
        };
        rows.push(Row::compute(Scope::Group, &group.parent, &values, group_level, boot));
    }
    rows
}

/// Where the coders differ: per segment and code (with the segment's text),
/// then per case and exclusive group.
fn coding_disagreements(
    data: &AgreementData,
    codebook: &Codebook,
    transcripts: &[Transcript],
) -> Vec<Disagreement> {
    let texts: BTreeMap<(String, String), String> = transcripts
        .iter()
        .flat_map(|t| {
            t.segments(codebook.unit())
                .into_iter()
                .map(move |s| ((t.case().to_owned(), s.id.clone()), s.text(t).to_owned()))
        })
        .collect();
    let mut disagreements = Vec::new();
    for (i, unit) in data.units.iter().enumerate() {
        for code in &data.codes {
            if let Some(decisions) = differing(&data.coders, &code.values[i], |v| {
                if v > 0.5 { "yes" } else { "no" }.to_owned()
            }) {
                disagreements.push(Disagreement {
                    case: unit.case.clone(),
                    unit: Some(unit.segment.clone()),
                    code: code.code.clone(),
                    decisions,
                    text: texts.get(&(unit.case.clone(), unit.segment.clone())).cloned(),
                });
            }
        }
    }
    for group in &data.groups {
        for (case, values) in group.cases.iter().zip(&group.values) {
            if let Some(decisions) =
                differing(&data.coders, values, |v| group.categories[v as usize].clone())
            {
                disagreements.push(Disagreement {
                    case: case.clone(),
                    unit: None,
                    code: group.parent.clone(),
                    decisions,
                    text: None,
                });
            }
        }
    }
    disagreements
}

/// How `coder` coded, over every file with their work: blind only if every
/// file says so; open if any does.
fn blinding_of(files: &[CodingsFile], coder: &str) -> &'static str {
    let recorded: Vec<Option<Blinding>> =
        files.iter().filter(|f| f.coders().contains(coder)).map(|f| f.blinding).collect();
    if recorded.contains(&Some(Blinding::Open)) {
        "open"
    } else if recorded.contains(&Some(Blinding::Unblinded)) {
        "unblinded"
    } else if !recorded.is_empty() && recorded.iter().all(|b| *b == Some(Blinding::Blind)) {
        "blind"
    } else {
        "not recorded"
    }
}

/// Whether at least two coders decided on a unit, and not all alike.
fn disagree(values: &[Option<f64>]) -> bool {
    let mut present = values.iter().flatten();
    present.next().is_some_and(|first| present.any(|v| v.total_cmp(first).is_ne()))
}

/// Each coder's decision on a unit, when the coders who decided differ.
fn differing(
    coders: &[String],
    values: &[Option<f64>],
    label: impl Fn(f64) -> String,
) -> Option<IndexMap<String, String>> {
    if !disagree(values) {
        return None;
    }
    Some(
        coders
            .iter()
            .zip(values)
            .map(|(coder, v)| (coder.clone(), v.map_or_else(|| "—".to_owned(), &label)))
            .collect(),
    )
}

fn ratings(path: &Path, args: &AgreeArgs) -> Result<AgreeReport> {
    let bytes = read_bytes(path)?;
    ratings_of(path, &bytes, args)
}

/// `--ratings`: the agreement of the table `bytes` (CSV), read from `path`.
pub(crate) fn ratings_of(path: &Path, bytes: &[u8], args: &AgreeArgs) -> Result<AgreeReport> {
    let input = Input::new(path, bytes);
    if args.order.is_some() && args.level == LevelArg::Ratio {
        bail!("--order ranks labels, and ranks have no true zero; use --level ordinal or interval");
    }
    let order = args.order.as_deref().map(parse_order).transpose()?;
    let table = RatingsTable::parse(&display_path(path), bytes, args.level, order.as_deref())?;
    let level: Level = args.level.into();
    let boot = bootstrap(args);
    let matrix = &table.matrix;
    let summary = matrix.summary();
    let rows =
        vec![Row::compute_flat(Scope::Ratings, &display_path(path), matrix, &summary, level, boot)];
    let disagreement_count = summary.disagreeing_units();
    // A million units may disagree on hundreds of thousands: each is made
    // into a listing only where one is written.
    let listed = args.disagreements || args.format == Format::Json;
    let disagreements = table
        .units
        .iter()
        .zip(matrix.rows())
        .filter(|(_, cells)| listed && disagree_cells(cells))
        .filter_map(|(unit, cells)| {
            let values: Vec<Option<f64>> = cells.iter().map(|&c| matrix.value(c)).collect();
            differing(&table.coders, &values, |v| table.label(v)).map(|decisions| Disagreement {
                case: unit.to_string(),
                unit: None,
                code: String::new(),
                decisions,
                text: None,
            })
        })
        .collect();
    let level_name = level_name(args.level);
    let mut provenance = Provenance::new("agree", vec![input])
        .option("level", level_name)
        .option("resamples", args.resamples)
        .option("seed", args.seed);
    if let Some(order) = order {
        // Recorded only when given, so results made without it keep their shape.
        provenance = provenance.option("order", order);
    }
    Ok(AgreeReport {
        provenance,
        coders: table.coders.clone(),
        blinding: IndexMap::new(),
        units: table.units.len(),
        level: level_name,
        rows,
        disagreements,
        disagreement_count,
    })
}

/// Whether at least two coders gave a unit a value, and not all the same
/// (equal values share a category).
fn disagree_cells(cells: &[u32]) -> bool {
    let mut present = cells.iter().filter(|&&c| c != FlatMatrix::MISSING);
    present.next().is_some_and(|first| present.any(|c| c != first))
}

/// A units × coders CSV: the first column names the unit, every other
/// column is a coder; an empty cell is a missing value.
struct RatingsTable {
    coders: Vec<String>,
    /// The units in file order, hashed to find a repeated unit without a search.
    units: UnitNames,
    matrix: FlatMatrix,
    /// For nominal values, and labels given an `--order`: the label of each index.
    labels: Option<Vec<String>>,
}

/// Unit names in file order, kept in one string: a million units are a
/// million slices of it rather than a million allocations, and a table of
/// their indices, hashed by name, finds a repeated one. The hash is fast and
/// fixed-seed: the table is the user's own, not an adversary's.
struct UnitNames {
    text: String,
    /// Where each name ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
    index: hashbrown::HashTable<usize>,
    hasher: foldhash::fast::FixedState,
}

impl UnitNames {
    fn with_capacity(units: usize, bytes: usize) -> Self {
        UnitNames {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(units),
            index: hashbrown::HashTable::with_capacity(units),
            hasher: foldhash::fast::FixedState::default(),
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Adds `name` as the next unit, or gives the index of the unit of
    /// that name already there.
    fn insert(&mut self, name: &str) -> std::result::Result<(), usize> {
        use std::hash::BuildHasher as _;
        let hash = self.hasher.hash_one(name);
        let UnitNames { text, ends, index, hasher } = self;
        let name_of = |i: usize| &text[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
        if let Some(&first) = index.find(hash, |&i| name_of(i) == name) {
            return Err(first);
        }
        index.insert_unique(hash, ends.len(), |&i| hasher.hash_one(name_of(i)));
        text.push_str(name);
        ends.push(text.len());
        Ok(())
    }
}

/// The line of the record starting at `byte`: counted from the start of
/// the file, so called only to report an error.
fn record_line(body: &[u8], byte: u64) -> u64 {
    #[cfg(test)]
    tests::LINE_LOOKUPS.with(|n| n.set(n.get() + 1));
    qda_coding::csv_record_line(body, byte)
}

/// `--order "very low,low,mid"`: the labels, trimmed, each once.
fn parse_order(spec: &str) -> Result<Vec<String>> {
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

/// The distinct cell texts of a table: each raw cell is looked up (a short
/// list scanned first, as tables hold few distinct values) and only a text
/// not seen before is decoded, trimmed and checked.
struct CellTexts {
    /// The id of each one-byte raw text seen (most ratings are one digit), or `UNSEEN`.
    byte: [u32; 256],
    /// Each longer raw text seen, with its label's id or [`FlatMatrix::MISSING`].
    raw: IndexMap<Box<[u8]>, u32, foldhash::fast::FixedState>,
    /// The distinct trimmed labels, by first appearance.
    labels: IndexSet<String>,
}

impl CellTexts {
    /// How many raw texts are scanned before the hash map is asked.
    const SCANNED: usize = 16;
    const UNSEEN: u32 = u32::MAX - 1;

    fn new() -> Self {
        CellTexts { byte: [Self::UNSEEN; 256], raw: IndexMap::default(), labels: IndexSet::new() }
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
}

impl CellTexts {
    fn insert(&mut self, raw: &[u8], id: u32) {
        match raw {
            [byte] => self.byte[usize::from(*byte)] = id,
            _ => {
                self.raw.insert(raw.into(), id);
            }
        }
    }
}

impl RatingsTable {
    /// Reads the table in one pass into a flat matrix: a unit's row is found
    /// by a hash lookup, a cell's value by a lookup among the distinct texts,
    /// and a record's line is worked out only for an error message, so the
    /// time grows with the file, not its square.
    fn parse(path: &str, bytes: &[u8], level: LevelArg, order: Option<&[String]>) -> Result<Self> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let delimiter = crate::sheet::sniff_delimiter(body);
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(body);
        let headers =
            reader.headers().map_err(|e| anyhow::anyhow!("{path}:1: unreadable CSV: {e}"))?.clone();
        let coders: Vec<String> = headers.iter().skip(1).map(|h| h.trim().to_owned()).collect();
        if coders.len() < 2 {
            bail!("{path}:1:1: a ratings table needs a unit column and at least two coder columns");
        }
        // Sized from the number of lines and bytes, so that nothing grows
        // (and is copied) a million units in; pages never written cost
        // nothing.
        let lines = memchr::memchr_iter(b'\n', body).count() + 1;
        let mut units = UnitNames::with_capacity(lines, body.len());
        let mut texts = CellTexts::new();
        // Per label id: its value, for numbers and `--order` labels.
        let mut label_values: Vec<f64> = Vec::new();
        let mut cells: Vec<u32> = Vec::with_capacity(lines * coders.len());
        let mut record = csv::ByteRecord::new();
        loop {
            let start = reader.position().byte();
            let more = reader.read_byte_record(&mut record).map_err(|e| {
                let line = record_line(body, e.position().map_or(start, csv::Position::byte));
                anyhow::anyhow!("{path}:{line}: unreadable CSV row: {e}")
            })?;
            if !more {
                break;
            }
            let start = record.position().map_or(start, csv::Position::byte);
            let not_utf8 = |column: usize| {
                anyhow::anyhow!(
                    "{path}:{}:{column}: the cell is not valid UTF-8; save the table as UTF-8",
                    record_line(body, start)
                )
            };
            let unit =
                std::str::from_utf8(record.get(0).unwrap_or(b"")).map_err(|_| not_utf8(1))?.trim();
            if unit.is_empty() {
                continue;
            }
            if let Err(first) = units.insert(unit) {
                bail!(
                    "{path}:{}:1: unit `{unit}` already has a row (row {}); keep one",
                    record_line(body, start),
                    first + 2
                );
            }
            for (c, coder) in coders.iter().enumerate() {
                let raw = record.get(c + 1).unwrap_or(b"");
                if raw.is_empty() {
                    cells.push(FlatMatrix::MISSING);
                    continue;
                }
                if let Some(id) = texts.get(raw) {
                    cells.push(id);
                    continue;
                }
                #[cfg(test)]
                tests::DECODED.with(|n| n.set(n.get() + 1));
                let text = std::str::from_utf8(raw).map_err(|_| not_utf8(c + 2))?.trim();
                let id = if text.is_empty() {
                    FlatMatrix::MISSING
                } else if let Some(id) = texts.labels.get_index_of(text) {
                    id as u32
                } else {
                    let value = if let Some(order) = order {
                        // A label's value is its rank in the order, as the
                        // `krippendorff` package's `value_domain` has it:
                        // ordinal alpha depends only on ranks, and interval
                        // alpha then treats the labels as equally spaced, the
                        // usual reading of a Likert scale.
                        match order.iter().position(|l| l == text) {
                            Some(rank) => rank as f64,
                            None => bail!(
                                "{path}:{}:{}: value `{text}` (coder `{}`) is not in --order; add it to --order or correct the cell",
                                record_line(body, start),
                                c + 2,
                                coder
                            ),
                        }
                    } else if level == LevelArg::Nominal {
                        // Ranked among the labels sorted, once all are known.
                        0.0
                    } else {
                        match text.parse::<f64>() {
                            Ok(v) if v.is_finite() => v,
                            _ => bail!(
                                "{path}:{}:{}: value `{text}` is not a number; --level {} needs numbers, or labels with --order \"LOWEST,...,HIGHEST\" (or use --level nominal)",
                                record_line(body, start),
                                c + 2,
                                format!("{level:?}").to_lowercase()
                            ),
                        }
                    };
                    label_values.push(value);
                    texts.labels.insert_full(text.to_owned()).0 as u32
                };
                texts.insert(raw, id);
                cells.push(id);
            }
        }
        let labels = if order.is_some() {
            order.map(<[String]>::to_vec)
        } else if level == LevelArg::Nominal {
            // A label's value is its place among the labels sorted.
            let mut sorted: Vec<(usize, String)> = texts.labels.into_iter().enumerate().collect();
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
        let matrix = FlatMatrix::new(coders.len(), categories, cells)
            .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        Ok(RatingsTable { coders, units, matrix, labels })
    }

    fn label(&self, value: f64) -> String {
        match &self.labels {
            Some(labels) => labels.get(value as usize).cloned().unwrap_or_default(),
            None => format!("{value}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::fmt::Write as _;

    use super::*;

    thread_local! {
        /// Line numbers worked out from the start of the file, on this thread.
        pub(super) static LINE_LOOKUPS: Cell<usize> = const { Cell::new(0) };
        /// Cell texts decoded and checked, on this thread.
        pub(super) static DECODED: Cell<usize> = const { Cell::new(0) };
    }

    fn table(rows: usize, last: &str) -> String {
        let mut csv = "unit,a,b,c\n".to_owned();
        for u in 0..rows {
            writeln!(csv, "u{u},{},{},", u % 3, (u + 1) % 3).unwrap();
        }
        csv.push_str(last);
        csv
    }

    fn lookups_parsing(csv: &str, level: LevelArg) -> (usize, Result<RatingsTable>) {
        LINE_LOOKUPS.with(|n| n.set(0));
        let parsed = RatingsTable::parse("r.csv", csv.as_bytes(), level, None);
        (LINE_LOOKUPS.with(Cell::get), parsed)
    }

    /// Counting the lines before every record made reading quadratic in
    /// the number of units; a valid table needs no line numbers at all.
    #[test]
    fn line_numbers_are_worked_out_only_for_an_error() {
        let (lookups, parsed) = lookups_parsing(&table(1000, ""), LevelArg::Interval);
        assert_eq!(lookups, 0);
        assert_eq!(parsed.unwrap().units.len(), 1000);

        let (lookups, parsed) = lookups_parsing(&table(1000, "u7,1,2,3\n"), LevelArg::Nominal);
        assert_eq!(lookups, 1);
        let message = parsed.err().unwrap().to_string();
        assert_eq!(message, "r.csv:1002:1: unit `u7` already has a row (row 9); keep one");

        let (lookups, parsed) = lookups_parsing(&table(1000, "u1000,1,x,3\n"), LevelArg::Interval);
        assert_eq!(lookups, 1);
        assert!(parsed.err().unwrap().to_string().starts_with("r.csv:1002:3: value `x`"));
    }

    /// Each distinct cell text is decoded, checked and valued once, however
    /// many cells hold it; equal numbers written differently share a category.
    #[test]
    fn each_distinct_cell_text_is_decoded_once() {
        DECODED.with(|n| n.set(0));
        let mut csv = table(5000, "");
        csv.push_str("x,1.0, 2 ,\n");
        let parsed =
            RatingsTable::parse("r.csv", csv.as_bytes(), LevelArg::Interval, None).unwrap();
        // `0`, `1`, `2`, `1.0` and ` 2 `.
        assert_eq!(DECODED.with(Cell::get), 5);
        assert_eq!(parsed.matrix.categories(), [0.0, 1.0, 2.0]);
        assert_eq!(parsed.matrix.to_rows().last().unwrap(), &[Some(1.0), Some(2.0), None]);
    }

    #[test]
    fn nominal_labels_take_their_sorted_rank() {
        let csv = "unit,a,b\n1,zebra,apple\n2,mango,\n";
        let table = RatingsTable::parse("r.csv", csv.as_bytes(), LevelArg::Nominal, None).unwrap();
        assert_eq!(table.labels.as_deref().unwrap(), ["apple", "mango", "zebra"]);
        assert_eq!(table.matrix.to_rows(), [vec![Some(2.0), Some(0.0)], vec![Some(1.0), None]]);
    }
}
