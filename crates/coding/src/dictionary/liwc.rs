//! LIWC-style `.dic` files: a block of numbered categories between two `%`
//! lines, then one entry a line, `word<TAB>id id ...`.

use std::collections::BTreeMap;

use super::Builder;
use crate::error::{CodebookError, ErrorKind};
use crate::location::Location;

pub(super) fn read(builder: &mut Builder<'_>, text: &str) -> Result<(), CodebookError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    // Blank lines may stand before the header.
    let first = lines.by_ref().find(|(_, l)| !l.trim().is_empty());
    if first.is_none_or(|(_, l)| l.trim() != "%") {
        return Err(builder.error(
            ErrorKind::Syntax,
            Location { line: first.map_or(1, |(n, _)| n), column: 1 },
            "a LIWC dictionary starts with a line holding only `%`, then its categories as `ID<TAB>NAME`, then another `%` line",
        ));
    }
    // Category id (as written, without leading zeros) → code index.
    let mut categories: BTreeMap<u64, usize> = BTreeMap::new();
    let mut header_closed = false;
    for (n, line) in lines.by_ref() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == "%" {
            header_closed = true;
            break;
        }
        let at = Location { line: n, column: indent(line) + 1 };
        let mut parts = trimmed.splitn(2, char::is_whitespace);
        let id_text = parts.next().unwrap_or("");
        let name = parts.next().map(str::trim).unwrap_or("");
        let Ok(id) = id_text.parse::<u64>() else {
            return Err(builder.error(
                ErrorKind::Syntax,
                at,
                format!(
                    "`{trimmed}` is not a category: a header line is a number, a tab and a name, such as `1<TAB>posemo`; close the header with a `%` line"
                ),
            ));
        };
        if name.is_empty() {
            return Err(builder.error(
                ErrorKind::Missing,
                at,
                format!(
                    "category {id} has no name; write it after a tab, such as `{id}<TAB>posemo`"
                ),
            ));
        }
        if categories.contains_key(&id) {
            return Err(builder.error(
                ErrorKind::Duplicate,
                at,
                format!("category {id} is defined twice; give each category its own number"),
            ));
        }
        let code = builder.add_code(name, None);
        categories.insert(id, code);
    }
    if !header_closed {
        return Err(builder.error(
            ErrorKind::Syntax,
            Location { line: text.lines().count().max(1), column: 1 },
            "the category header is never closed; add a line holding only `%` after the last category",
        ));
    }
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        // `word<TAB>ids`; files that use spaces instead of a tab are read
        // too, taking the first field as the word.
        let (word, ids, ids_start) = match line.find('\t') {
            Some(tab) => (&line[..tab], &line[tab + 1..], tab + 1),
            None => {
                let word = line.split_whitespace().next().unwrap_or("");
                let start = line.find(word).unwrap_or(0) + word.len();
                (word, &line[start..], start)
            }
        };
        let word_at = Location { line: n, column: indent(word) + 1 };
        if word.trim().is_empty() {
            return Err(builder.error(
                ErrorKind::Missing,
                word_at,
                "this entry has no word; write the word first, then a tab and its category numbers",
            ));
        }
        let mut codes = Vec::new();
        for (offset, token) in tokens(ids) {
            let at = Location { line: n, column: line[..ids_start + offset].chars().count() + 1 };
            match token.parse::<u64>() {
                Ok(id) => match categories.get(&id) {
                    Some(&code) => codes.push(code),
                    None => {
                        let defined: Vec<String> = categories.keys().map(u64::to_string).collect();
                        return Err(builder.error(
                            ErrorKind::UnknownName,
                            at,
                            format!(
                                "category {id} is not defined in the header (defined: {}); add `{id}<TAB>NAME` between the `%` lines or remove it here",
                                defined.join(", ")
                            ),
                        ));
                    }
                },
                // LIWC2007's conditional categories, such as
                // `(02 134)125/464`, depend on the word before: qda's
                // rules have no such condition.
                Err(_) => {
                    let message = format!(
                        "`{}`: `{token}` is not a category number (LIWC's conditional categories cannot be expressed in qda); left out",
                        word.trim()
                    );
                    builder.warn(at, message);
                }
            }
        }
        if codes.is_empty() && tokens(ids).next().is_none() {
            return Err(builder.error(
                ErrorKind::Missing,
                word_at,
                format!(
                    "`{}` has no category numbers; add them after a tab, such as `{}<TAB>1`",
                    word.trim(),
                    word.trim()
                ),
            ));
        }
        for code in codes {
            builder.add_pattern(code, word, word_at)?;
        }
    }
    Ok(())
}

/// The white-space separated tokens of `text` with their byte offsets.
/// A conditional entry's parenthesis is one token with what it encloses.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = 0;
    std::iter::from_fn(move || {
        let start = rest + text[rest..].find(|c: char| !c.is_whitespace())?;
        let mut depth = 0usize;
        let end = text[start..]
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                c.is_whitespace() && depth == 0
            })
            .map_or(text.len(), |(i, _)| start + i);
        rest = end;
        Some((start, &text[start..end]))
    })
}

/// The number of characters of white space `line` starts with.
fn indent(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}
