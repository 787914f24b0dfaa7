//! What a codebook revision changed (`qda diff`): codes added, removed and
//! relabelled, rules changed term by term, clause by clause; and, segment
//! by segment, the codes a transcript gains or loses with the term that
//! decides it, as `qda explain` names it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::codebook::{Codebook, Rule};
use crate::coding::{Coding, Source};
use crate::rules::{Clause, RuleSet};
use crate::transcript::Transcript;

/// A code, by id and label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeName {
    /// The id.
    pub id: String,
    /// The label.
    pub label: String,
}

/// A code whose label changed (its id, and so its codings, stayed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relabelled {
    /// The id.
    pub id: String,
    /// The label before.
    pub old: String,
    /// The label now.
    pub new: String,
}

/// The terms of one clause of a rule added and removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseChange {
    /// `any`, `all`, `not` or `regex`.
    pub clause: Clause,
    /// Terms in the new rule only, in its order.
    pub added: Vec<String>,
    /// Terms in the old rule only, in its order.
    pub removed: Vec<String>,
}

/// A code present in both codebooks whose rule changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The code.
    pub code: String,
    /// The clauses that changed, in the order any, all, not, regex.
    pub clauses: Vec<ClauseChange>,
}

/// The codebook-level differences, in the new codebook's order (removed
/// codes in the old one's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodebookDiff {
    /// Codes only in the new codebook.
    pub added: Vec<CodeName>,
    /// Codes only in the old codebook.
    pub removed: Vec<CodeName>,
    /// Codes with the same id and a new label.
    pub relabelled: Vec<Relabelled>,
    /// Codes whose rule gained or lost terms.
    pub rules: Vec<RuleChange>,
}

impl CodebookDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.relabelled.is_empty()
            && self.rules.is_empty()
    }
}

fn clause_terms(rule: Option<&Rule>, clause: Clause) -> Vec<&str> {
    let Some(rule) = rule else { return Vec::new() };
    let terms = match clause {
        Clause::Any => &rule.any,
        Clause::All => &rule.all,
        Clause::Not => &rule.not,
        Clause::Regex => &rule.regex,
    };
    terms.iter().map(|t| t.as_str()).collect()
}

/// Compares two codebooks code by code.
pub fn diff_codebooks(old: &Codebook, new: &Codebook) -> CodebookDiff {
    let name = |c: &crate::codebook::Code| CodeName { id: c.id.clone(), label: c.label.clone() };
    let mut diff = CodebookDiff::default();
    for code in new.codes() {
        let Some(before) = old.code(&code.id) else {
            diff.added.push(name(code));
            continue;
        };
        if before.label != code.label {
            diff.relabelled.push(Relabelled {
                id: code.id.clone(),
                old: before.label.clone(),
                new: code.label.clone(),
            });
        }
        let clauses: Vec<ClauseChange> = [Clause::Any, Clause::All, Clause::Not, Clause::Regex]
            .into_iter()
            .filter_map(|clause| {
                let was = clause_terms(before.rule.as_ref(), clause);
                let now = clause_terms(code.rule.as_ref(), clause);
                let added: Vec<String> =
                    now.iter().filter(|t| !was.contains(t)).map(|t| (*t).to_owned()).collect();
                let removed: Vec<String> =
                    was.iter().filter(|t| !now.contains(t)).map(|t| (*t).to_owned()).collect();
                (!added.is_empty() || !removed.is_empty()).then_some(ClauseChange {
                    clause,
                    added,
                    removed,
                })
            })
            .collect();
        if !clauses.is_empty() {
            diff.rules.push(RuleChange { code: code.id.clone(), clauses });
        }
    }
    diff.removed = old.codes().iter().filter(|c| new.code(&c.id).is_none()).map(name).collect();
    diff
}

/// A segment that gained or lost a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentChange {
    /// The case.
    pub case: String,
    /// The segment id.
    pub segment: String,
    /// The code.
    pub code: String,
    /// Gained (true) or lost.
    pub gained: bool,
    /// The clause of the deciding term, when a term decides.
    pub clause: Option<Clause>,
    /// The deciding term: the one recorded as the new coding's source, the
    /// `not` term that now vetoes, the `all` term now missing, or the term
    /// that coded it before and is gone.
    pub term: Option<String>,
    /// Why, in words.
    pub reason: String,
}

fn sources(codings: &[Coding]) -> BTreeMap<(&str, &str), (Clause, &str)> {
    codings
        .iter()
        .filter_map(|c| match &c.source {
            Source::Rule { clause, term, .. } => {
                Some(((c.segment.as_str(), c.code.as_str()), (*clause, term.as_str())))
            }
            Source::Manual { .. } => None,
        })
        .collect()
}

/// The codes each segment of `transcript` gains and loses from the old
/// codebook's rules to the new one's, in segment then code order. Both
/// codebooks must segment alike (the same unit).
pub fn segment_changes(
    (old_codebook, old_rules): (&Codebook, &RuleSet),
    (new_codebook, new_rules): (&Codebook, &RuleSet),
    transcript: &Transcript,
) -> Vec<SegmentChange> {
    let old = old_rules.code_transcript(old_codebook, transcript);
    let new = new_rules.code_transcript(new_codebook, transcript);
    let (was, now) = (sources(&old.codings), sources(&new.codings));
    let segments = transcript.segments(new_codebook.unit());
    let position: BTreeMap<&str, usize> =
        segments.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let keys: BTreeSet<(&str, &str)> = was.keys().chain(now.keys()).copied().collect();
    let mut changes = Vec::new();
    for key @ (segment, code) in keys {
        let change = |gained, clause, term: Option<&str>, reason: String| SegmentChange {
            case: transcript.case().to_owned(),
            segment: segment.to_owned(),
            code: code.to_owned(),
            gained,
            clause,
            term: term.map(str::to_owned),
            reason,
        };
        match (was.get(&key), now.get(&key)) {
            (None, Some(&(clause, term))) => changes.push(change(
                true,
                Some(clause),
                Some(term),
                format!("`{}` term \"{term}\" matches", clause.as_str()),
            )),
            (Some(&(clause, term)), None) => {
                let text = position.get(segment).map(|&i| segments[i].text(transcript));
                let decision = text.and_then(|text| new_rules.decide(code, text));
                changes.push(match decision {
                    None if new_codebook.code(code).is_none() => {
                        change(false, None, None, "the code was removed".to_owned())
                    }
                    None => change(false, None, None, "the code has no rule now".to_owned()),
                    Some(d) => {
                        if let Some(veto) = d.vetoed_by.first() {
                            change(
                                false,
                                Some(Clause::Not),
                                Some(&veto.term),
                                format!("`not` term \"{}\" vetoes it", veto.term),
                            )
                        } else if let Some(missing) = d.missing.first() {
                            change(
                                false,
                                Some(Clause::All),
                                Some(missing),
                                format!("`all` term \"{missing}\" does not occur"),
                            )
                        } else {
                            change(
                                false,
                                Some(clause),
                                Some(term),
                                format!(
                                    "no `any` term or regex matches (`{}` term \"{term}\" coded it)",
                                    clause.as_str()
                                ),
                            )
                        }
                    }
                });
            }
            _ => {}
        }
    }
    changes.sort_by_key(|c| (position.get(c.segment.as_str()).copied(), c.code.clone()));
    changes
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn codebook(text: &str) -> Codebook {
        Codebook::parse(Path::new("c.toml"), text).unwrap()
    }

    #[test]
    fn codes_labels_and_clauses_are_compared() {
        let old = codebook(
            "[codebook]\n[[code]]\nid = \"a\"\nlabel = \"A\"\n[code.rule]\nany = [\"x\", \"y\"]\n[[code]]\nid = \"gone\"\n[code.rule]\nany = [\"g\"]\n",
        );
        let new = codebook(
            "[codebook]\n[[code]]\nid = \"a\"\nlabel = \"Aa\"\n[code.rule]\nany = [\"x\"]\nnot = [\"y\"]\n[[code]]\nid = \"b\"\n[code.rule]\nany = [\"b\"]\n",
        );
        let diff = diff_codebooks(&old, &new);
        assert_eq!(diff.added.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(diff.removed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["gone"]);
        assert_eq!(
            diff.relabelled,
            [Relabelled { id: "a".into(), old: "A".into(), new: "Aa".into() }]
        );
        let clauses = &diff.rules[0].clauses;
        assert_eq!(
            (clauses[0].clause, clauses[0].removed.as_slice()),
            (Clause::Any, &["y".to_owned()][..])
        );
        assert_eq!(
            (clauses[1].clause, clauses[1].added.as_slice()),
            (Clause::Not, &["y".to_owned()][..])
        );
        assert!(diff_codebooks(&new, &new).is_empty());
    }
}
