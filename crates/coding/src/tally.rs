//! Tallies: how many cases have each code, per exclusive group and overall,
//! optionally split by a case attribute.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::adjudication::Adjudications;
use crate::attributes::AttributeValue;
use crate::cases::{Assignment, CaseCodes, GroupAssignments, Route, assign};
use crate::codebook::{Codebook, UNCODED};

/// Counts for one codebook over a set of cases.
#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    /// Number of cases.
    pub n: usize,
    /// One per exclusive parent, in codebook order.
    pub groups: Vec<GroupTally>,
    /// Every codable code and every parent's roll-up, in codebook order (a
    /// codable parent's own row before its roll-up).
    pub codes: Vec<CodeTally>,
    /// The attribute the crosstabs split by, and its values (columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Split>,
    /// Things the researcher should know (adjudications that override codings).
    pub warnings: Vec<String>,
}

/// Columns of a crosstab: the values of one attribute.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    /// The attribute.
    pub attribute: String,
    /// Its values, sorted (numbers numerically); cases without the attribute are `(missing)`.
    pub values: Vec<String>,
    /// Number of cases per value.
    pub totals: Vec<usize>,
}

/// The tally of one exclusive group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupTally {
    /// The exclusive parent.
    pub parent: String,
    /// One row per child in codebook order, then `uncoded`.
    pub rows: Vec<GroupRow>,
    /// How many cases each route decided.
    pub routes: Vec<(Route, usize)>,
    /// Every case's assignment.
    pub assignments: Vec<Assignment>,
}

impl GroupTally {
    /// Cases with several children that still need an adjudication.
    pub fn unresolved(&self) -> impl Iterator<Item = &Assignment> {
        self.assignments.iter().filter(|a| a.route == Route::Unresolved)
    }
}

/// One child of an exclusive group (or `uncoded`).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    /// The child's id, or `uncoded`.
    pub code: String,
    /// Number of cases assigned.
    pub cases: usize,
    /// Cases per value of the split attribute, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Vec<usize>>,
}

/// How often one code occurs, or a parent with everything under it.
#[derive(Debug, Clone, Serialize)]
pub struct CodeTally {
    /// The code id.
    pub code: String,
    /// Whether this row is a parent's roll-up: segments and cases that carry
    /// the parent or any of its descendants.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rolled_up: bool,
    /// Segments with the code (each counted once in a roll-up).
    pub segments: usize,
    /// Cases with at least one such segment.
    pub cases: usize,
    /// Cases per value of the split attribute, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Vec<usize>>,
}

/// The column label for cases without the split attribute.
pub const MISSING: &str = "(missing)";

/// Tallies `cases` with `codebook`, settling conflicts with `adjudications`,
/// and splitting every count by the attribute `by` when given.
pub fn tally(
    codebook: &Codebook,
    cases: &[CaseCodes],
    adjudications: Option<&Adjudications>,
    by: Option<&str>,
) -> Tally {
    let (assigned, warnings) = assign(codebook, cases, adjudications);
    let split = by.map(|attribute| split(attribute, cases));
    // Each value's column, looked up for every case rather than searched for.
    let columns_of: BTreeMap<&str, usize> = split
        .as_ref()
        .map(|s| s.values.iter().enumerate().map(|(i, v)| (v.as_str(), i)).collect())
        .unwrap_or_default();
    let column_of = |case: &CaseCodes| -> Option<usize> {
        let split = split.as_ref()?;
        columns_of.get(label_of(case, &split.attribute).as_str()).copied()
    };
    let columns = split.as_ref().map_or(0, |s| s.values.len());
    let count_by = |selected: &dyn Fn(&CaseCodes) -> bool| -> Option<Vec<usize>> {
        split.as_ref()?;
        let mut counts = vec![0; columns];
        for case in cases.iter().filter(|c| selected(c)) {
            if let Some(column) = column_of(case) {
                counts[column] += 1;
            }
        }
        Some(counts)
    };

    let groups = assigned
        .into_iter()
        .map(|GroupAssignments { parent, assignments }| {
            let mut labels: Vec<String> =
                codebook.children(&parent).map(|c| c.id.clone()).collect();
            labels.push(UNCODED.to_owned());
            // Each case's assigned code, to look up per case.
            let assigned: BTreeSet<(&str, &str)> =
                assignments.iter().map(|a| (a.case.as_str(), assigned_code(a))).collect();
            let rows = labels
                .into_iter()
                .map(|code| {
                    let cases_with =
                        assignments.iter().filter(|a| assigned_code(a) == code).count();
                    let by = count_by(&|case: &CaseCodes| {
                        assigned.contains(&(case.case.as_str(), code.as_str()))
                    });
                    GroupRow { code, cases: cases_with, by }
                })
                .collect();
            let routes = Route::ALL
                .iter()
                .map(|&route| (route, assignments.iter().filter(|a| a.route == route).count()))
                .collect();
            GroupTally { parent, rows, routes, assignments }
        })
        .collect();

    // Each code's segments and cases, summed in one pass over the cases
    // rather than looked up in every case for every code.
    let (own, rolled) = totals(cases);
    let mut codes = Vec::new();
    for code in codebook.codes() {
        let id = code.id.as_str();
        if code.codable {
            let (segments, cases_with) = own.get(id).copied().unwrap_or_default();
            codes.push(CodeTally {
                code: code.id.clone(),
                rolled_up: false,
                segments,
                cases: cases_with,
                by: count_by(&|case: &CaseCodes| case.count(id) > 0),
            });
        }
        if codebook.has_children(id) {
            let (segments, cases_with) = rolled.get(id).copied().unwrap_or_default();
            codes.push(CodeTally {
                code: code.id.clone(),
                rolled_up: true,
                segments,
                cases: cases_with,
                by: count_by(&|case: &CaseCodes| case.rolled_up(id) > 0),
            });
        }
    }

    Tally { n: cases.len(), groups, codes, by: split, warnings }
}

/// Segments and cases of each code, and of each parent's roll-up.
type Totals<'a> = BTreeMap<&'a str, (usize, usize)>;

/// Each code's segments and cases with at least one, over `cases`; then the
/// same for each parent's roll-up.
fn totals(cases: &[CaseCodes]) -> (Totals<'_>, Totals<'_>) {
    let mut own = Totals::new();
    let mut rolled = Totals::new();
    for case in cases {
        for (counts, totals) in [(&case.segments, &mut own), (&case.rolled_up, &mut rolled)] {
            for (code, &n) in counts {
                let (segments, cases_with) = totals.entry(code.as_str()).or_default();
                *segments += n;
                *cases_with += usize::from(n > 0);
            }
        }
    }
    (own, rolled)
}

/// The child a case is assigned in a group, or `uncoded`.
fn assigned_code(assignment: &Assignment) -> &str {
    assignment.code.as_deref().unwrap_or(UNCODED)
}

/// The column a case falls in when split by `attribute`.
fn label_of(case: &CaseCodes, attribute: &str) -> String {
    case.attributes.get(attribute).map_or_else(|| MISSING.to_owned(), ToString::to_string)
}

fn split(attribute: &str, cases: &[CaseCodes]) -> Split {
    let mut values: Vec<&AttributeValue> =
        cases.iter().filter_map(|c| c.attributes.get(attribute)).collect();
    if values.iter().all(|v| v.as_f64().is_some()) {
        values.sort_by(|a, b| a.as_f64().unwrap_or(0.0).total_cmp(&b.as_f64().unwrap_or(0.0)));
    } else {
        values.sort_by_key(|v| v.to_string());
    }
    let mut labels: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for value in values {
        let label = value.to_string();
        if seen.insert(label.clone()) {
            labels.push(label);
        }
    }
    if cases.iter().any(|c| !c.attributes.contains_key(attribute)) {
        labels.push(MISSING.to_owned());
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for case in cases {
        *counts.entry(label_of(case, attribute)).or_default() += 1;
    }
    let totals = labels.iter().map(|label| counts.get(label).copied().unwrap_or(0)).collect();
    Split { attribute: attribute.to_owned(), values: labels, totals }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{RuleSet, Transcript};

    /// A three-level tree: `theme` (not codable) > `family` (codable) >
    /// `money` and `care`; `other` stands alone.
    const CODEBOOK: &str = r#"
[codebook]
name = "Roll-up"
interviewer = ["I"]

[[code]]
id = "theme"
codable = false

[[code]]
id = "family"
parent = "theme"
[code.rule]
any = ["family"]

[[code]]
id = "money"
parent = "family"
[code.rule]
any = ["money"]

[[code]]
id = "care"
parent = "family"
[code.rule]
any = ["care"]

[[code]]
id = "other"
[code.rule]
any = ["other"]
"#;

    fn tallied(texts: &[&str]) -> Tally {
        let codebook = Codebook::parse(Path::new("cb.toml"), CODEBOOK).unwrap();
        let rules = RuleSet::new(&codebook).unwrap();
        let cases: Vec<CaseCodes> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let text = format!("+++\ncase = \"C{i}\"\n+++\n{text}");
                let t =
                    Transcript::parse(Path::new(&format!("C{i}.txt")), text.as_bytes()).unwrap();
                rules.case_codes(&codebook, &t)
            })
            .collect();
        tally(&codebook, &cases, None, None)
    }

    fn row<'t>(tally: &'t Tally, code: &str, rolled_up: bool) -> &'t CodeTally {
        tally.codes.iter().find(|c| c.code == code && c.rolled_up == rolled_up).unwrap()
    }

    #[test]
    fn a_parent_rolls_up_every_descendant_counting_each_segment_once() {
        let tally = tallied(&[
            // One segment with money and care: one segment of family and theme.
            "P: money and care\nP: other\n",
            "P: family matters\nP: care\n",
            "P: other only\n",
        ]);
        let rows: Vec<(&str, bool)> =
            tally.codes.iter().map(|c| (c.code.as_str(), c.rolled_up)).collect();
        assert_eq!(
            rows,
            [
                ("theme", true),
                ("family", false),
                ("family", true),
                ("money", false),
                ("care", false),
                ("other", false)
            ]
        );
        let theme = row(&tally, "theme", true);
        assert_eq!((theme.segments, theme.cases), (3, 2));
        let family = row(&tally, "family", true);
        assert_eq!((family.segments, family.cases), (3, 2));
        // The parent's own codings count on their own row.
        let own = row(&tally, "family", false);
        assert_eq!((own.segments, own.cases), (1, 1));
        assert_eq!(row(&tally, "care", false).segments, 2);
    }
}
