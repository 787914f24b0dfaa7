//! Agreement units: turning several coders' codings into the reliability
//! matrices that `qda-stats` takes (one row per unit, one column per coder).
//!
//! - Per code: the units are the codable segments (not interviewer turns);
//!   a coder's value is 1 when the coder applied the code to the segment, 0
//!   when the coder reviewed the segment without applying it, and missing
//!   when the coder did not review it.
//! - Pooled: the per-code units of every code, one after the other.
//! - Per exclusive parent: the units are cases; a coder's value is the child
//!   the coder's codings assign the case (or `uncoded`), missing when the
//!   coder reviewed none of the case or left a conflict to adjudication.
//!
//! With `only_coded`, segment units that no coder gave any code are left
//! out: mostly-uncoded text otherwise inflates agreement.

use std::collections::{BTreeMap, BTreeSet};

use crate::cases::{CaseCodes, Route, assign};
use crate::codebook::{Codebook, UNCODED};
use crate::codings_file::CoderCodings;

/// A segment unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentUnit {
    /// The case.
    pub case: String,
    /// The segment id.
    pub segment: String,
}

/// Reliability data for one code over segment units.
#[derive(Debug, Clone)]
pub struct CodeUnits {
    /// The code.
    pub code: String,
    /// Per unit (in `AgreementData::units` order), per coder: present (1), absent (0), not reviewed.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Reliability data for one exclusive group over cases.
#[derive(Debug, Clone)]
pub struct GroupUnits {
    /// The exclusive parent.
    pub parent: String,
    /// The categories: the children in codebook order, then `uncoded`.
    pub categories: Vec<String>,
    /// The cases (units).
    pub cases: Vec<String>,
    /// Per case, per coder: the index of the assigned category.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Everything `qda agree` computes coefficients on.
#[derive(Debug, Clone)]
pub struct AgreementData {
    /// The coders, in the order of the matrix columns.
    pub coders: Vec<String>,
    /// The segment units.
    pub units: Vec<SegmentUnit>,
    /// One per codable code, in codebook order.
    pub codes: Vec<CodeUnits>,
    /// One per exclusive parent, in codebook order.
    pub groups: Vec<GroupUnits>,
}

impl AgreementData {
    /// Builds the matrices. `segments` lists each case's codable segment ids
    /// in text order (cases in the order to report them).
    pub fn new(
        codebook: &Codebook,
        segments: &[(String, Vec<String>)],
        coders: &[CoderCodings],
        only_coded: bool,
    ) -> Self {
        let applied: Vec<BTreeSet<(&str, &str, &str)>> = coders
            .iter()
            .map(|c| {
                c.codings
                    .iter()
                    .map(|x| (x.case.as_str(), x.segment.as_str(), x.code.as_str()))
                    .collect()
            })
            .collect();
        let coded_segments: BTreeSet<(&str, &str)> =
            applied.iter().flatten().map(|&(case, segment, _)| (case, segment)).collect();
        let units: Vec<SegmentUnit> = segments
            .iter()
            .flat_map(|(case, ids)| ids.iter().map(move |id| (case, id)))
            .filter(|(case, id)| {
                !only_coded || coded_segments.contains(&(case.as_str(), id.as_str()))
            })
            .map(|(case, id)| SegmentUnit { case: case.clone(), segment: id.clone() })
            .collect();
        let codes = codebook
            .codes()
            .iter()
            .filter(|c| c.codable)
            .map(|code| CodeUnits {
                code: code.id.clone(),
                values: units
                    .iter()
                    .map(|unit| {
                        coders
                            .iter()
                            .zip(&applied)
                            .map(|(coder, applied)| {
                                coder.reviewed(&unit.case, &unit.segment).then(|| {
                                    let present = applied.contains(&(
                                        unit.case.as_str(),
                                        unit.segment.as_str(),
                                        code.id.as_str(),
                                    ));
                                    if present { 1.0 } else { 0.0 }
                                })
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        let groups = group_units(codebook, segments, coders);
        AgreementData {
            coders: coders.iter().map(|c| c.coder.clone()).collect(),
            units,
            codes,
            groups,
        }
    }

    /// All per-code units one after the other, for a pooled coefficient.
    pub fn pooled(&self) -> Vec<Vec<Option<f64>>> {
        self.codes.iter().flat_map(|c| c.values.iter().cloned()).collect()
    }
}

fn group_units(
    codebook: &Codebook,
    segments: &[(String, Vec<String>)],
    coders: &[CoderCodings],
) -> Vec<GroupUnits> {
    // Each coder's case assignments, without adjudications: agreement is
    // about the coders' own decisions.
    let per_coder: Vec<BTreeMap<(String, String), Option<String>>> = coders
        .iter()
        .map(|coder| {
            let cases: Vec<CaseCodes> = segments
                .iter()
                .filter(|(case, _)| coder.reviewed.contains_key(case))
                .map(|(case, _)| CaseCodes::new(case, Default::default(), &coder.codings))
                .collect();
            let (groups, _) = assign(codebook, &cases, None);
            groups
                .into_iter()
                .flat_map(|g| {
                    let parent = g.parent;
                    g.assignments.into_iter().map(move |a| {
                        let value = match a.route {
                            Route::Unresolved => None,
                            _ => Some(a.code.unwrap_or_else(|| UNCODED.to_owned())),
                        };
                        ((parent.clone(), a.case), value)
                    })
                })
                .collect()
        })
        .collect();
    codebook
        .exclusive_parents()
        .map(|parent| {
            let mut categories: Vec<String> =
                codebook.children(&parent.id).map(|c| c.id.clone()).collect();
            categories.push(UNCODED.to_owned());
            let cases: Vec<String> = segments.iter().map(|(case, _)| case.clone()).collect();
            let values = cases
                .iter()
                .map(|case| {
                    per_coder
                        .iter()
                        .map(|assigned| {
                            let code =
                                assigned.get(&(parent.id.clone(), case.clone()))?.as_ref()?;
                            categories.iter().position(|c| c == code).map(|i| i as f64)
                        })
                        .collect()
                })
                .collect();
            GroupUnits { parent: parent.id.clone(), categories, cases, values }
        })
        .collect()
}
