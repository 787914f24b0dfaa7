//! Three-way merge of codings files (`qda merge-codings`, and git's merge
//! driver for codings files).
//!
//! A coding is identified by its case, segment, code, coder and span; what
//! else it holds (its memo, its quote, the rule's evidence) is its content.
//! For every coding, segment memo and transcript entry, a change made on
//! one side only is taken; the same change made on both sides is taken once;
//! different changes on the two sides are a [`MergeConflict`], never
//! resolved silently: the file keeps both versions in `conflicts`, and every
//! command refuses it until someone chooses.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexSet;
use serde::{Deserialize, Serialize};

use crate::coding::Coding;
use crate::codings_file::{Blinding, CodedSource, CodingsFile, RejectedSuggestion, SegmentMemo};

/// One difference between the two sides that a person must settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MergeConflict {
    /// The same coding changed differently on the two sides (its memo,
    /// most often), removed on one side and changed on the other, or added
    /// on both sides with different content.
    Coding {
        /// The coding in the common ancestor, if it was there.
        base: Option<Box<Coding>>,
        /// Our version; `None` when we removed it.
        ours: Option<Box<Coding>>,
        /// Their version; `None` when they removed it.
        theirs: Option<Box<Coding>>,
    },
    /// The same segment memo changed differently on the two sides.
    Memo {
        /// The memo in the common ancestor, if it was there.
        base: Option<SegmentMemo>,
        /// Our version; `None` when we removed it.
        ours: Option<SegmentMemo>,
        /// Their version; `None` when they removed it.
        theirs: Option<SegmentMemo>,
    },
    /// The two sides coded a case on different versions of its transcript,
    /// and both changed its codings: their offsets cannot be mixed.
    Transcript {
        /// The case.
        case: String,
        /// Our transcript entry with our codings and memos of the case.
        ours: CaseVersion,
        /// Their transcript entry with their codings and memos of the case.
        theirs: CaseVersion,
    },
}

/// Everything one side of a merge holds about one case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseVersion {
    /// The transcript entry (`None` when the side does not list the case).
    pub transcript: Option<CodedSource>,
    /// The side's codings of the case.
    pub codings: Vec<Coding>,
    /// The side's segment memos on the case.
    pub memos: Vec<SegmentMemo>,
}

impl MergeConflict {
    /// One line saying what conflicts, for the list the command prints.
    pub fn describe(&self) -> String {
        fn side<T>(x: &Option<T>, what: impl Fn(&T) -> String) -> String {
            x.as_ref().map_or_else(|| "removed".to_owned(), what)
        }
        let memo_of = |c: &Coding| match &c.source {
            crate::coding::Source::Manual { memo: Some(m), .. } => format!("memo {m:?}"),
            crate::coding::Source::Manual { memo: None, .. } => "no memo".to_owned(),
            crate::coding::Source::Rule { term, .. } => format!("rule term {term:?}"),
        };
        match self {
            MergeConflict::Coding { base, ours, theirs } => {
                let any = ours.as_ref().or(theirs.as_ref()).or(base.as_ref());
                let name = any.map_or_else(String::new, |c| {
                    format!("{} {} by {} ({}..{})", c.segment, c.code, c.coder, c.start, c.end)
                });
                let what = match (base, ours, theirs) {
                    (None, Some(_), Some(_)) => "added on both sides, differently",
                    (Some(_), None, Some(_)) => "removed on our side, changed on theirs",
                    (Some(_), Some(_), None) => "changed on our side, removed on theirs",
                    _ => "changed on both sides, differently",
                };
                format!(
                    "coding {name}: {what} (ours: {}; theirs: {})",
                    side(&ours.as_deref(), |c| memo_of(c)),
                    side(&theirs.as_deref(), |c| memo_of(c))
                )
            }
            MergeConflict::Memo { base, ours, theirs } => {
                let any = ours.as_ref().or(theirs.as_ref()).or(base.as_ref());
                let name =
                    any.map_or_else(String::new, |m| format!("{} by {}", m.segment, m.coder));
                let text = |m: &SegmentMemo| format!("{:?}", m.memo);
                format!(
                    "memo on {name}: changed on both sides, differently (ours: {}; theirs: {})",
                    side(ours, text),
                    side(theirs, text)
                )
            }
            MergeConflict::Transcript { case, ours, theirs } => {
                let sha = |v: &CaseVersion| {
                    v.transcript.as_ref().map_or_else(
                        || "not listed".to_owned(),
                        |t| format!("{} SHA-256 {}…", t.path, &t.sha256[..t.sha256.len().min(12)]),
                    )
                };
                format!(
                    "case {case}: coded on different versions of its transcript, and both sides changed its codings (ours: {}, {} codings; theirs: {}, {} codings)",
                    sha(ours),
                    ours.codings.len(),
                    sha(theirs),
                    theirs.codings.len()
                )
            }
        }
    }
}

/// What a merge gives: the merged file (its `conflicts` filled when the two
/// sides disagree) and what came from where.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged codings file, without provenance (the caller records its own).
    pub file: CodingsFile,
    /// Codings (and segment memos) added, changed or removed on their side
    /// and taken into ours.
    pub from_theirs: usize,
}

/// The identity of a coding: what it says, not how it is annotated.
type CodingKey<'a> = (&'a str, &'a str, &'a str, &'a str, usize, usize);

fn coding_key(c: &Coding) -> CodingKey<'_> {
    (&c.case, &c.segment, &c.code, &c.coder, c.start, c.end)
}

fn coding_index(f: &CodingsFile) -> BTreeMap<CodingKey<'_>, (usize, &Coding)> {
    f.codings.iter().enumerate().map(|(i, c)| (coding_key(c), (i, c))).collect()
}

fn memo_index(f: &CodingsFile) -> BTreeMap<MemoKey<'_>, (usize, &SegmentMemo)> {
    f.memos.iter().enumerate().map(|(i, m)| (memo_key(m), (i, m))).collect()
}

type MemoKey<'a> = (&'a str, &'a str, &'a str);

fn memo_key(m: &SegmentMemo) -> MemoKey<'_> {
    (&m.case, &m.segment, &m.coder)
}

/// The three-way choice for one item: `Some(choice)` or `None` for a conflict.
fn three_way<T: PartialEq + Clone>(
    base: Option<&T>,
    ours: Option<&T>,
    theirs: Option<&T>,
) -> Option<Option<T>> {
    if ours == theirs || theirs == base {
        Some(ours.cloned())
    } else if ours == base {
        Some(theirs.cloned())
    } else {
        None
    }
}

/// One side's transcript entries, codings and segment memos by case,
/// gathered once: searched for case by case, a merge took time growing
/// with the square of the cases (3.4 s for 400 cases, minutes for 5,000).
#[derive(Default)]
struct ByCase<'f> {
    /// Each case's first transcript entry.
    transcripts: BTreeMap<&'f str, &'f CodedSource>,
    codings: BTreeMap<&'f str, Vec<&'f Coding>>,
    memos: BTreeMap<&'f str, Vec<&'f SegmentMemo>>,
}

impl<'f> ByCase<'f> {
    fn of(file: &'f CodingsFile) -> Self {
        let mut by_case = ByCase::default();
        for source in &file.transcripts {
            by_case.transcripts.entry(source.case.as_str()).or_insert(source);
        }
        for coding in &file.codings {
            by_case.codings.entry(coding.case.as_str()).or_default().push(coding);
        }
        for memo in &file.memos {
            by_case.memos.entry(memo.case.as_str()).or_default().push(memo);
        }
        by_case
    }

    fn transcript(&self, case: &str) -> Option<CodedSource> {
        self.transcripts.get(case).map(|&t| t.clone())
    }

    /// What the side holds about `case`.
    fn version(&self, case: &str) -> CaseVersion {
        CaseVersion {
            transcript: self.transcript(case),
            codings: cloned(self.codings.get(case)),
            memos: cloned(self.memos.get(case)),
        }
    }
}

fn cloned<T: Clone>(items: Option<&Vec<&T>>) -> Vec<T> {
    items.into_iter().flatten().map(|&item| item.clone()).collect()
}

/// Merges `ours` and `theirs`, two descendants of `base`.
///
/// The result lists the cases in our order (theirs added after), each case's
/// codings in text order (ours before theirs where they start together), one
/// coder when both sides are one coder's, and the least blind of the two
/// sides' blinding when they differ.
pub fn merge(base: &CodingsFile, ours: &CodingsFile, theirs: &CodingsFile) -> Merged {
    // Every case, in the order first met.
    let mut cases: IndexSet<&str> = IndexSet::new();
    let listed = ours.transcripts.iter().chain(&theirs.transcripts).chain(&base.transcripts);
    cases.extend(listed.map(|source| source.case.as_str()));
    let coded = ours.codings.iter().chain(&theirs.codings).chain(&base.codings);
    cases.extend(coded.map(|c| c.case.as_str()));
    let sides = [ByCase::of(base), ByCase::of(ours), ByCase::of(theirs)];

    let mut merged = CodingsFile::default();
    let mut from_theirs = 0;
    // Cases whose codings are taken whole from one side (coded on another
    // transcript version there), or held in a conflict.
    let mut whole: BTreeMap<&str, Option<CaseVersion>> = BTreeMap::new();
    for &case in &cases {
        let [b, o, t] = sides.each_ref().map(|side| side.version(case));
        let (Some(ot), Some(tt)) = (&o.transcript, &t.transcript) else { continue };
        if ot.sha256 == tt.sha256 {
            continue;
        }
        if o == b {
            from_theirs += 1;
            whole.insert(case, Some(t));
        } else if t == b {
            whole.insert(case, Some(o));
        } else {
            let transcript = o.transcript.clone();
            merged.conflicts.push(MergeConflict::Transcript {
                case: case.to_owned(),
                ours: o,
                theirs: t,
            });
            whole.insert(case, Some(CaseVersion { transcript, ..CaseVersion::default() }));
        }
    }

    // Transcript entries.
    for &case in &cases {
        if let Some(Some(version)) = whole.get(case) {
            merged.transcripts.extend(version.transcript.clone());
            continue;
        }
        let [b, o, t] = sides.each_ref().map(|side| side.transcript(case));
        let entry = match (&o, &t) {
            (Some(o), Some(t)) => Some(CodedSource {
                path: three_way(b.as_ref().map(|b| &b.path), Some(&o.path), Some(&t.path))
                    .flatten()
                    .unwrap_or_else(|| o.path.clone()),
                reviewed: merge_reviewed(b.as_ref().map(|b| &b.reviewed), &o.reviewed, &t.reviewed),
                ..o.clone()
            }),
            // Listed on one side only: kept unless the other side removed it
            // unchanged (then codings of it that remain list it again below).
            _ => three_way(b.as_ref(), o.as_ref(), t.as_ref())
                .unwrap_or_else(|| o.clone().or(t.clone())),
        };
        merged.transcripts.extend(entry);
    }

    // Codings, item by item.
    let (bi, oi, ti) = (coding_index(base), coding_index(ours), coding_index(theirs));
    let keys: BTreeSet<CodingKey<'_>> =
        bi.keys().chain(oi.keys()).chain(ti.keys()).copied().collect();
    let mut kept: Vec<((usize, usize), Coding)> = Vec::new();
    for key in keys {
        if whole.contains_key(key.0) {
            continue;
        }
        let (b, o, t) = (bi.get(&key), oi.get(&key), ti.get(&key));
        let choice = three_way(b.map(|x| x.1), o.map(|x| x.1), t.map(|x| x.1));
        match choice {
            Some(Some(coding)) => {
                let rank = match (o, t) {
                    (Some((i, _)), _) => (0, *i),
                    (None, Some((i, _))) => (1, *i),
                    (None, None) => unreachable!("a kept coding is on one side"),
                };
                if o.map(|x| x.1) != Some(&coding) {
                    from_theirs += 1;
                }
                kept.push((rank, coding));
            }
            Some(None) => {
                if o.is_some() {
                    from_theirs += 1;
                }
            }
            None => merged.conflicts.push(MergeConflict::Coding {
                base: b.map(|x| Box::new(x.1.clone())),
                ours: o.map(|x| Box::new(x.1.clone())),
                theirs: t.map(|x| Box::new(x.1.clone())),
            }),
        }
    }
    for version in whole.values().flatten() {
        for (i, coding) in version.codings.iter().enumerate() {
            kept.push(((0, i), coding.clone()));
        }
    }
    let case_rank = |case: &str| cases.get_index_of(case).unwrap_or(usize::MAX);
    kept.sort_by(|(ra, a), (rb, b)| {
        (case_rank(&a.case), a.start, a.end, ra).cmp(&(case_rank(&b.case), b.start, b.end, rb))
    });
    merged.codings = kept.into_iter().map(|(_, c)| c).collect();

    // Segment memos, item by item.
    let (bm, om, tm) = (memo_index(base), memo_index(ours), memo_index(theirs));
    let memo_keys: BTreeSet<MemoKey<'_>> =
        bm.keys().chain(om.keys()).chain(tm.keys()).copied().collect();
    let mut memos: Vec<((usize, usize, usize), SegmentMemo)> = Vec::new();
    for key in memo_keys {
        if whole.contains_key(key.0) {
            continue;
        }
        let (b, o, t) = (bm.get(&key), om.get(&key), tm.get(&key));
        match three_way(b.map(|x| x.1), o.map(|x| x.1), t.map(|x| x.1)) {
            Some(Some(memo)) => {
                if o.map(|x| x.1) != Some(&memo) {
                    from_theirs += 1;
                }
                let rank = o.map_or_else(|| (1, t.map_or(0, |x| x.0)), |x| (0, x.0));
                memos.push(((case_rank(&memo.case), rank.0, rank.1), memo));
            }
            Some(None) => from_theirs += usize::from(o.is_some()),
            None => merged.conflicts.push(MergeConflict::Memo {
                base: b.map(|x| x.1.clone()),
                ours: o.map(|x| x.1.clone()),
                theirs: t.map(|x| x.1.clone()),
            }),
        }
    }
    for version in whole.values().flatten() {
        for (i, memo) in version.memos.iter().enumerate() {
            memos.push(((case_rank(&memo.case), 0, i), memo.clone()));
        }
    }
    memos.sort_by_key(|m| m.0);
    merged.memos = memos.into_iter().map(|(_, m)| m).collect();

    // A case still coded must stay listed with its transcript.
    let listed: BTreeSet<String> = merged.transcripts.iter().map(|t| t.case.clone()).collect();
    let needed: BTreeSet<&str> = merged
        .codings
        .iter()
        .map(|c| c.case.as_str())
        .chain(merged.memos.iter().map(|m| m.case.as_str()))
        .filter(|c| !listed.contains(*c))
        .collect();
    for case in needed {
        let entry = [ours, theirs, base]
            .into_iter()
            .find_map(|f| f.transcripts.iter().find(|t| t.case == case).cloned());
        merged.transcripts.extend(entry);
    }
    merged.transcripts.sort_by_key(|t| case_rank(&t.case));

    merged.coder =
        three_way(base.coder.as_ref(), ours.coder.as_ref(), theirs.coder.as_ref()).flatten();
    if let Some(owner) = &merged.coder
        && merged.codings.iter().any(|c| c.coder != *owner)
    {
        merged.coder = None;
    }
    merged.blinding =
        three_way(base.blinding.as_ref(), ours.blinding.as_ref(), theirs.blinding.as_ref())
            .unwrap_or_else(|| {
                ours.blinding.into_iter().chain(theirs.blinding).max_by_key(|b| openness(*b))
            });
    merged.rejected_suggestions = merge_rejections(
        &base.rejected_suggestions,
        &ours.rejected_suggestions,
        &theirs.rejected_suggestions,
    );
    Merged { file: merged, from_theirs }
}

/// The rejected suggestions, merged as sets: one added on either side is
/// kept, one taken back on either side (in the base, missing on that side)
/// is dropped. Sorted, as `qda serve` writes them.
fn merge_rejections(
    base: &[RejectedSuggestion],
    ours: &[RejectedSuggestion],
    theirs: &[RejectedSuggestion],
) -> Vec<RejectedSuggestion> {
    let base: BTreeSet<&RejectedSuggestion> = base.iter().collect();
    let ours: BTreeSet<&RejectedSuggestion> = ours.iter().collect();
    let theirs: BTreeSet<&RejectedSuggestion> = theirs.iter().collect();
    ours.union(&theirs)
        .filter(|r| (ours.contains(*r) && theirs.contains(*r)) || !base.contains(*r))
        .map(|r| (*r).clone())
        .collect()
}

/// How much of the rules' suggestions a coder may have seen: the merge of
/// two sides keeps the larger.
fn openness(blinding: Blinding) -> u8 {
    match blinding {
        Blinding::Blind => 0,
        Blinding::Unblinded => 1,
        Blinding::Open => 2,
    }
}

/// The segments reviewed, merged as sets (`None`, every segment, is the
/// largest set).
fn merge_reviewed(
    base: Option<&Option<Vec<String>>>,
    ours: &Option<Vec<String>>,
    theirs: &Option<Vec<String>>,
) -> Option<Vec<String>> {
    let (Some(o), Some(t)) = (ours, theirs) else {
        // Every segment reviewed on one side: unless that side merely kept
        // the base while the other narrowed it, every segment is reviewed.
        return match base {
            Some(b) if b == ours => theirs.clone(),
            Some(b) if b == theirs => ours.clone(),
            _ => None,
        };
    };
    let empty = Vec::new();
    let b = base.and_then(Option::as_ref).unwrap_or(&empty);
    let (b, o, t): (BTreeSet<&String>, BTreeSet<&String>, BTreeSet<&String>) =
        (b.iter().collect(), o.iter().collect(), t.iter().collect());
    // Kept unless removed on a side; added on either side.
    let all: BTreeSet<&String> = b.iter().chain(&o).chain(&t).copied().collect();
    let mut ids: Vec<String> = all
        .into_iter()
        .filter(|id| {
            let was = b.contains(id);
            if was { o.contains(id) && t.contains(id) } else { o.contains(id) || t.contains(id) }
        })
        .cloned()
        .collect();
    // In the order the sides list them: ours, then theirs' additions.
    let position = |id: &String| {
        ours.iter()
            .flatten()
            .position(|x| x == id)
            .map_or_else(|| (1, theirs.iter().flatten().position(|x| x == id)), |i| (0, Some(i)))
    };
    ids.sort_by_key(position);
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::Source;

    fn coding(segment: &str, code: &str, memo: Option<&str>) -> Coding {
        Coding {
            case: "P01".into(),
            segment: segment.into(),
            code: code.into(),
            coder: "anna".into(),
            start: 0,
            end: 10,
            source: Source::Manual { memo: memo.map(str::to_owned), quote: None, imported: None },
        }
    }

    fn file(codings: Vec<Coding>, reviewed: Option<Vec<&str>>) -> CodingsFile {
        CodingsFile {
            coder: Some("anna".into()),
            codings,
            transcripts: vec![CodedSource {
                case: "P01".into(),
                path: "transcripts/P01.txt".into(),
                sha256: "0".repeat(64),
                segments: 10,
                reviewed: reviewed.map(|r| r.into_iter().map(str::to_owned).collect()),
            }],
            ..CodingsFile::default()
        }
    }

    #[test]
    fn changes_on_one_side_are_taken_and_both_sides_combine() {
        let base = file(vec![coding("P01:t2", "a", None), coding("P01:t4", "a", None)], None);
        // Ours: a memo on t2 and a new coding on t6. Theirs: t4 removed.
        let ours = file(
            vec![
                coding("P01:t2", "a", Some("why")),
                coding("P01:t4", "a", None),
                coding("P01:t6", "b", None),
            ],
            None,
        );
        let theirs = file(vec![coding("P01:t2", "a", None)], None);
        let merged = merge(&base, &ours, &theirs);
        assert!(merged.file.conflicts.is_empty());
        let kept: Vec<(&str, Option<&str>)> = merged
            .file
            .codings
            .iter()
            .map(|c| match &c.source {
                Source::Manual { memo, .. } => (c.segment.as_str(), memo.as_deref()),
                Source::Rule { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(kept, [("P01:t2", Some("why")), ("P01:t6", None)]);
        assert_eq!(merged.from_theirs, 1, "their removal of t4");
        assert_eq!(merged.file.coder.as_deref(), Some("anna"));
    }

    #[test]
    fn different_changes_conflict_and_the_same_change_does_not() {
        let base = file(vec![coding("P01:t2", "a", None)], None);
        let ours = file(vec![coding("P01:t2", "a", Some("ours"))], None);
        let theirs = file(vec![coding("P01:t2", "a", Some("theirs"))], None);
        let merged = merge(&base, &ours, &theirs);
        assert!(merged.file.codings.is_empty());
        assert!(matches!(
            &merged.file.conflicts[..],
            [MergeConflict::Coding { base: Some(_), ours: Some(_), theirs: Some(_) }]
        ));
        let same = merge(&base, &ours, &ours);
        assert!(same.file.conflicts.is_empty());
        assert_eq!(same.file.codings.len(), 1);
    }

    #[test]
    fn rejected_suggestions_merge_as_sets() {
        let rejected = |segments: &[&str]| -> CodingsFile {
            CodingsFile {
                rejected_suggestions: segments
                    .iter()
                    .map(|s| RejectedSuggestion { code: "a".into(), segment: (*s).into() })
                    .collect(),
                ..file(Vec::new(), None)
            }
        };
        // Ours adds t4 and takes back t2; theirs adds t6.
        let merged =
            merge(&rejected(&["P01:t2"]), &rejected(&["P01:t4"]), &rejected(&["P01:t2", "P01:t6"]));
        let segments: Vec<&str> =
            merged.file.rejected_suggestions.iter().map(|r| r.segment.as_str()).collect();
        assert_eq!(segments, ["P01:t4", "P01:t6"]);
    }

    #[test]
    fn reviewed_segments_merge_as_sets() {
        let base = file(Vec::new(), Some(vec!["P01:t2", "P01:t4"]));
        let ours = file(Vec::new(), Some(vec!["P01:t2", "P01:t4", "P01:t6"]));
        let theirs = file(Vec::new(), Some(vec!["P01:t2"]));
        let merged = merge(&base, &ours, &theirs);
        assert_eq!(
            merged.file.transcripts[0].reviewed.as_deref(),
            Some(&["P01:t2".to_owned(), "P01:t6".to_owned()][..])
        );
    }
}
