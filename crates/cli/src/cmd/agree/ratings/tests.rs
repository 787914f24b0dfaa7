//! The ratings reader: line numbers only for errors, each distinct text
//! decoded once, and pieces read on several cores giving what one piece
//! gives, errors included.

use std::cell::Cell;
use std::fmt::Write as _;

use super::*;

thread_local! {
    /// Line numbers worked out from the start of the file, on this thread.
    pub(in crate::cmd::agree) static LINE_LOOKUPS: Cell<usize> = const { Cell::new(0) };
    /// Cell texts decoded and checked, on this thread.
    pub(in crate::cmd::agree) static DECODED: Cell<usize> = const { Cell::new(0) };
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
    let parsed = RatingsTable::parse("r.csv", csv.as_bytes(), LevelArg::Interval, None).unwrap();
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

/// Reads `csv` in pieces of about `bytes` bytes (at least two), as a large
/// table is read, on this thread.
fn in_pieces(csv: &str, bytes: usize, level: LevelArg) -> Result<RatingsTable> {
    let body = csv.as_bytes();
    let mut reader = csv::ReaderBuilder::new().from_reader(body);
    let coders: Vec<String> = reader.headers().unwrap().iter().skip(1).map(str::to_owned).collect();
    let rows = usize::try_from(reader.position().byte()).unwrap();
    let layout =
        Layout { path: "r.csv", body, delimiter: b',', coders: &coders, level, order: None };
    let mut spans = Vec::new();
    let mut from = rows;
    while body.len() - from > bytes {
        let to = from + bytes + memchr::memchr(b'\n', &body[from + bytes..]).unwrap() + 1;
        spans.push((from, to));
        from = to;
    }
    spans.push((from, body.len()));
    assert!(spans.len() >= 2, "{} pieces", spans.len());
    let pieces = spans.iter().map(|&(s, e)| Piece::read(&layout, s, e)).collect();
    layout.assemble(pieces)
}

fn outcome(parsed: Result<RatingsTable>) -> String {
    match parsed {
        Ok(table) => format!(
            "{} units {:?} {:?} {:?}",
            table.units.len(),
            table.units.iter().take(3).collect::<Vec<_>>(),
            table.labels,
            table.matrix
        ),
        Err(e) => e.to_string(),
    }
}

/// A table read in pieces is the table read whole: units, labels and
/// cells, and the first error in the file, wherever the pieces are cut.
#[test]
fn pieces_give_what_one_piece_gives() {
    let mut nominal = "unit,a,b,c\n".to_owned();
    for u in 0..300 {
        writeln!(
            nominal,
            "u{u},{},{},",
            ["zebra", "apple", "mango", ""][u % 4],
            ["kiwi", "apple"][u % 2]
        )
        .unwrap();
    }
    let cases = [
        (table(300, ""), LevelArg::Interval),
        (nominal.clone(), LevelArg::Nominal),
        // A unit repeated across pieces, and a bad value after it.
        (table(300, "u7,1,2,3\nu301,x,1,1\n"), LevelArg::Interval),
        // A bad value before a repeated unit.
        (format!("{}u400,x,1,1\nu7,1,2,3\n", table(300, "")), LevelArg::Interval),
        // A unit repeated within the last piece.
        (table(300, "u900,1,1,1\nu900,2,2,2\n"), LevelArg::Interval),
        // A row short of a cell, and rows without a unit.
        (table(300, ",1,2,3\n\nu901,1,2\n"), LevelArg::Interval),
    ];
    let expected = [
        "300 units",
        "300 units",
        "r.csv:302:1: unit `u7` already has a row (row 9)",
        "r.csv:302:2: value `x` is not a number",
        "r.csv:303:1: unit `u900` already has a row (row 302)",
        "r.csv:304: the row has 3 cells and the header 4",
    ];
    for ((csv, level), expected) in cases.into_iter().zip(expected) {
        let whole = outcome(RatingsTable::parse("r.csv", csv.as_bytes(), level, None));
        assert!(whole.starts_with(expected), "{whole}");
        for bytes in [64, 500, 1000] {
            assert_eq!(outcome(in_pieces(&csv, bytes, level)), whole, "pieces of {bytes} bytes");
        }
    }
}

#[test]
fn a_large_table_is_cut_after_line_ends_and_a_quoted_one_is_not() {
    let csv = table(200_000, "");
    let body = csv.as_bytes();
    let pieces = split_lines(body, 11);
    if rayon::current_num_threads() > 1 {
        assert!(pieces.len() > 1);
    }
    assert_eq!(pieces.first().unwrap().0, 11);
    assert_eq!(pieces.last().unwrap().1, body.len());
    for window in pieces.windows(2) {
        assert_eq!(window[0].1, window[1].0);
        assert_eq!(body[window[0].1 - 1], b'\n');
    }
    let quoted = format!("{csv}\"u x\",1,2,3\n");
    assert_eq!(split_lines(quoted.as_bytes(), 11), [(11, quoted.len())]);
    let parsed = RatingsTable::parse("r.csv", body, LevelArg::Interval, None).unwrap();
    assert_eq!(parsed.units.len(), 200_000);
    assert_eq!(parsed.units.iter().nth(123_456), Some("u123456"));
}
