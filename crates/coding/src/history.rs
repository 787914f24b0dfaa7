//! What changed between two versions of a codings file, coding by coding
//! (`qda log`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::coding::{Coding, Source};
use crate::codings_file::CodingsFile;

/// How a coding, or a segment memo, changed between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// In the new version only.
    Added,
    /// In the old version only.
    Removed,
    /// In both, with another memo, quote or rule evidence.
    Changed,
}

/// One coding (or segment memo, with `code` `None`) that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodingChange {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The case.
    pub case: String,
    /// The segment id.
    pub segment: String,
    /// The code; `None` for a memo on a segment without codes.
    pub code: Option<String>,
    /// The coder.
    pub coder: String,
    /// The memo of the new version (of the old one when removed), if any.
    pub memo: Option<String>,
}

type Key<'a> = (&'a str, &'a str, Option<&'a str>, &'a str, usize, usize);

/// Every coding and segment memo added, removed or changed from `old` to
/// `new`, in the order of the cases and segments of the files.
pub fn changes(old: &CodingsFile, new: &CodingsFile) -> Vec<CodingChange> {
    fn items(file: &CodingsFile) -> BTreeMap<Key<'_>, (Option<&str>, Option<&Coding>)> {
        let codings = file.codings.iter().map(|c| {
            let memo = match &c.source {
                Source::Manual { memo, .. } => memo.as_deref(),
                Source::Rule { .. } => None,
            };
            ((&*c.case, &*c.segment, Some(&*c.code), &*c.coder, c.start, c.end), (memo, Some(c)))
        });
        let memos = file.memos.iter().map(|m| {
            ((&*m.case, &*m.segment, None, &*m.coder, 0, 0), (Some(m.memo.as_str()), None))
        });
        codings.chain(memos).collect()
    }
    let (before, after) = (items(old), items(new));
    let mut found: Vec<(usize, CodingChange)> = Vec::new();
    let order = |key: &Key<'_>| key.4;
    let change = |kind, key: &Key<'_>, memo: Option<&str>| CodingChange {
        kind,
        case: key.0.to_owned(),
        segment: key.1.to_owned(),
        code: key.2.map(str::to_owned),
        coder: key.3.to_owned(),
        memo: memo.map(str::to_owned),
    };
    for (key, (memo, coding)) in &after {
        match before.get(key) {
            None => found.push((order(key), change(ChangeKind::Added, key, *memo))),
            Some((old_memo, old_coding)) if old_memo != memo || old_coding != coding => {
                found.push((order(key), change(ChangeKind::Changed, key, *memo)));
            }
            Some(_) => {}
        }
    }
    for (key, (memo, _)) in &before {
        if !after.contains_key(key) {
            found.push((order(key), change(ChangeKind::Removed, key, *memo)));
        }
    }
    found.sort_by(|(sa, a), (sb, b)| {
        (&a.case, sa, &a.segment, &a.code, a.kind).cmp(&(&b.case, sb, &b.segment, &b.code, b.kind))
    });
    found.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(json: &str) -> CodingsFile {
        CodingsFile::parse(std::path::Path::new("c.json"), json).unwrap()
    }

    #[test]
    fn additions_removals_and_memo_edits_are_told_apart() {
        let coding = |segment: &str, start: usize, memo: &str| {
            format!(
                r#"{{"case":"P01","segment":"{segment}","code":"freedom","coder":"anna","start":{start},"end":{},"source":{{"type":"manual","memo":"{memo}"}}}}"#,
                start + 5
            )
        };
        let old = file(&format!(
            r#"{{"codings":[{},{}],"transcripts":[]}}"#,
            coding("P01:t2", 0, "a"),
            coding("P01:t4", 10, "b")
        ));
        let new = file(&format!(
            r#"{{"codings":[{},{}],"transcripts":[]}}"#,
            coding("P01:t4", 10, "b, then more"),
            coding("P01:t6", 20, "c")
        ));
        let changed = changes(&old, &new);
        let found: Vec<(ChangeKind, &str)> =
            changed.iter().map(|c| (c.kind, c.segment.as_str())).collect();
        assert_eq!(
            found,
            [
                (ChangeKind::Removed, "P01:t2"),
                (ChangeKind::Changed, "P01:t4"),
                (ChangeKind::Added, "P01:t6")
            ]
        );
    }
}
