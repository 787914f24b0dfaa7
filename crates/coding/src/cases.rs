//! Cases: which codes each case has, and which child of each exclusive
//! group it is assigned.
//!
//! A case has a code when at least one of its segments has it. For an
//! exclusive parent, a case with none of the children is `uncoded`; a case
//! with one gets it; a case with several is a conflict, settled by an
//! adjudication when there is one, else by the parent's `resolve`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::adjudication::Adjudications;
use crate::attributes::Attributes;
use crate::codebook::{Codebook, Resolve};
use crate::coding::{CodedTranscript, Coding};

/// The codes of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCodes {
    /// The case id.
    pub case: String,
    /// The case attributes.
    pub attributes: Attributes,
    /// Number of segments of each code that the case has.
    pub segments: BTreeMap<String, usize>,
    /// Number of distinct segments of each parent code that carry it or any
    /// of its descendants (the parent's roll-up); empty unless counted with
    /// the codebook ([`CaseCodes::with_parents`], [`crate::RuleSet::case_codes`]).
    pub rolled_up: BTreeMap<String, usize>,
}

impl CaseCodes {
    /// Counts a coded transcript's segments per code, with the parents' roll-ups.
    pub fn from_coded(codebook: &Codebook, coded: &CodedTranscript) -> Self {
        CaseCodes::with_parents(codebook, &coded.case, coded.attributes.clone(), &coded.codings)
    }

    /// Counts distinct segments per code among `codings` of `case`, without
    /// the parents' roll-ups (enough to assign exclusive groups).
    pub fn new(case: &str, attributes: Attributes, codings: &[Coding]) -> Self {
        let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
        let mut segments: BTreeMap<String, usize> = BTreeMap::new();
        for coding in codings.iter().filter(|c| c.case == case) {
            if seen.insert((coding.code.as_str(), coding.segment.as_str())) {
                *segments.entry(coding.code.clone()).or_default() += 1;
            }
        }
        CaseCodes { case: case.to_owned(), attributes, segments, rolled_up: BTreeMap::new() }
    }

    /// As [`CaseCodes::new`], and each parent code's roll-up: the distinct
    /// segments that carry the parent or any of its descendants.
    pub fn with_parents(
        codebook: &Codebook,
        case: &str,
        attributes: Attributes,
        codings: &[Coding],
    ) -> Self {
        let mut counted = CaseCodes::new(case, attributes, codings);
        let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
        for coding in codings.iter().filter(|c| c.case == case) {
            for parent in codebook.rolled_up_into(&coding.code) {
                if seen.insert((parent, coding.segment.as_str())) {
                    *counted.rolled_up.entry(parent.to_owned()).or_default() += 1;
                }
            }
        }
        counted
    }

    /// Segments of `code` in this case.
    pub fn count(&self, code: &str) -> usize {
        self.segments.get(code).copied().unwrap_or(0)
    }

    /// Segments with the parent code `parent` or any of its descendants.
    pub fn rolled_up(&self, parent: &str) -> usize {
        self.rolled_up.get(parent).copied().unwrap_or(0)
    }
}

/// How a case's code in an exclusive group was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// Exactly one child matched.
    Single,
    /// Several matched; the first in codebook order won.
    Priority,
    /// Several matched; the one with most segments won.
    Majority,
    /// An adjudication decided.
    Adjudication,
    /// No child matched.
    Uncoded,
    /// Several matched and the group requires adjudication, which is missing.
    Unresolved,
}

impl Route {
    /// Every route, in report order.
    pub const ALL: [Route; 6] = [
        Route::Single,
        Route::Priority,
        Route::Majority,
        Route::Adjudication,
        Route::Uncoded,
        Route::Unresolved,
    ];

    /// The route's name in machine output (JSON, CSV).
    pub fn name(self) -> &'static str {
        match self {
            Route::Single => "single",
            Route::Priority => "priority",
            Route::Majority => "majority",
            Route::Adjudication => "adjudication",
            Route::Uncoded => "uncoded",
            Route::Unresolved => "unresolved",
        }
    }

    /// The route's name for readers.
    pub fn label(self) -> &'static str {
        match self {
            Route::Single => "single match",
            Route::Priority => "priority",
            Route::Majority => "majority",
            Route::Adjudication => "adjudication",
            Route::Uncoded => "uncoded",
            Route::Unresolved => "unresolved",
        }
    }
}

/// One case's place in one exclusive group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// The case id.
    pub case: String,
    /// The child assigned; `None` for uncoded and unresolved cases.
    pub code: Option<String>,
    /// How it was decided.
    pub route: Route,
    /// The children the case's segments have, with segment counts, in codebook order.
    pub candidates: Vec<(String, usize)>,
    /// The adjudication's note, when an adjudication decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every case's assignment in one exclusive group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAssignments {
    /// The exclusive parent's id.
    pub parent: String,
    /// One per case, in case order.
    pub assignments: Vec<Assignment>,
}

/// Assigns every case one child (or none) of every exclusive parent.
/// Returns the groups and warnings (adjudications that override the codings).
pub fn assign(
    codebook: &Codebook,
    cases: &[CaseCodes],
    adjudications: Option<&Adjudications>,
) -> (Vec<GroupAssignments>, Vec<String>) {
    let mut warnings = Vec::new();
    let groups = codebook
        .exclusive_parents()
        .map(|parent| {
            let children: Vec<&str> = codebook.children(&parent.id).map(|c| c.id.as_str()).collect();
            let assignments = cases
                .iter()
                .map(|case| {
                    let candidates: Vec<(String, usize)> = children
                        .iter()
                        .map(|&c| (c.to_owned(), case.count(c)))
                        .filter(|(_, n)| *n > 0)
                        .collect();
                    let decided = adjudications.and_then(|a| a.find(&case.case, &parent.id));
                    if let Some(decision) = decided {
                        if candidates.len() < 2 && candidates.iter().all(|(c, _)| *c != decision.code) {
                            warnings.push(format!(
                                "{}:{}: case `{}` is adjudicated to `{}` although no segment has that code",
                                adjudications.map_or_else(String::new, |a| a.path().display().to_string()),
                                decision.line,
                                case.case,
                                decision.code
                            ));
                        }
                        return Assignment {
                            case: case.case.clone(),
                            code: Some(decision.code.clone()),
                            route: Route::Adjudication,
                            candidates,
                            note: Some(decision.note.clone()),
                        };
                    }
                    let (code, route) = match candidates.as_slice() {
                        [] => (None, Route::Uncoded),
                        [(only, _)] => (Some(only.clone()), Route::Single),
                        several => match parent.resolve {
                            Resolve::Priority => (Some(several[0].0.clone()), Route::Priority),
                            Resolve::Majority => {
                                // The first of the largest counts: ties go by priority.
                                let most = several.iter().map(|(_, n)| *n).max().unwrap_or(0);
                                let winner = several.iter().find(|(_, n)| *n == most);
                                (winner.map(|(c, _)| c.clone()), Route::Majority)
                            }
                            Resolve::Adjudicate => (None, Route::Unresolved),
                        },
                    };
                    Assignment { case: case.case.clone(), code, route, candidates, note: None }
                })
                .collect();
            GroupAssignments { parent: parent.id.clone(), assignments }
        })
        .collect();
    (groups, warnings)
}
