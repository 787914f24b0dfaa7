//! `qda diff`: the codebook changes, then their effect on the data: the
//! segments and cases that gain or lose each code (with the deciding term),
//! each exclusive group's tally old → new with Wilson intervals, and the
//! agreement of the old and new codings (the coefficients of `qda agree`).

use std::collections::{BTreeMap, BTreeSet};

use qda_coding::{
    Adjudications, AgreementData, CaseCodes, Codebook, CodebookDiff, CoderCodings, RuleSet,
    SegmentChange, Transcript,
};
use qda_stats::Level;
use serde::Serialize;

use crate::provenance::Provenance;
use crate::render::Render;
use crate::render::agree::{Row, Scope, Stat};
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::{CodebookInfo, interval_shown, percent_shown};
use crate::study::codable_segments;

/// Everything `qda diff` writes.
#[derive(Debug, Serialize)]
pub(crate) struct DiffReport {
    pub(crate) provenance: Provenance,
    pub(crate) old: CodebookInfo,
    pub(crate) new: CodebookInfo,
    pub(crate) codebook: CodebookDiff,
    pub(crate) segments: Vec<SegmentChange>,
    /// Per code: the cases that gain it and those that lose it.
    pub(crate) cases: Vec<CaseChanges>,
    pub(crate) groups: Vec<GroupChange>,
    /// Old and new codings as two coders over the codable segments, per
    /// code of the new codebook, pooled, and per exclusive group.
    pub(crate) agreement: Vec<Row>,
}

/// The cases that gain and lose one code.
#[derive(Debug, Serialize)]
pub(crate) struct CaseChanges {
    pub(crate) code: String,
    pub(crate) gained: Vec<String>,
    pub(crate) lost: Vec<String>,
}

/// One exclusive group's tally, old and new.
#[derive(Debug, Serialize)]
pub(crate) struct GroupChange {
    pub(crate) parent: String,
    pub(crate) n: usize,
    pub(crate) rows: Vec<GroupRowChange>,
    /// Cases whose conflict awaits adjudication, old and new.
    pub(crate) unresolved: [usize; 2],
}

/// One child (or `uncoded`) of a group.
#[derive(Debug, Serialize)]
pub(crate) struct GroupRowChange {
    pub(crate) code: String,
    pub(crate) old: Count,
    pub(crate) new: Count,
}

/// Cases, percent and 95% Wilson interval.
#[derive(Debug, Serialize, PartialEq)]
pub(crate) struct Count {
    pub(crate) cases: usize,
    pub(crate) percent: Option<f64>,
    pub(crate) wilson_95: Option<[f64; 2]>,
}

impl Count {
    fn new(cases: usize, n: usize) -> Self {
        let round = |x: f64| (x * 1e4).round() / 1e4;
        let wilson = qda_stats::wilson_interval(cases as u64, n as u64, 0.95).ok();
        Count {
            cases,
            percent: (n > 0).then(|| round(100.0 * cases as f64 / n as f64)),
            wilson_95: wilson.map(|w| [round(100.0 * w.lower), round(100.0 * w.upper)]),
        }
    }

    fn shown(&self) -> String {
        format!(
            "{} ({}%, {})",
            self.cases,
            percent_shown(self.percent),
            interval_shown(self.wilson_95)
        )
    }
}

fn case_codes(codebook: &Codebook, rules: &RuleSet, transcript: &Transcript) -> CaseCodes {
    let coded = rules.code_transcript(codebook, transcript);
    CaseCodes::with_parents(
        codebook,
        transcript.case(),
        transcript.attributes().clone(),
        &coded.codings,
    )
}

impl DiffReport {
    pub(crate) fn new(
        (old, old_rules): (&Codebook, &RuleSet),
        (new, new_rules): (&Codebook, &RuleSet),
        transcripts: &[Transcript],
        adjudications: Option<&Adjudications>,
        provenance: Provenance,
    ) -> Self {
        let segments: Vec<SegmentChange> = transcripts
            .iter()
            .flat_map(|t| qda_coding::segment_changes((old, old_rules), (new, new_rules), t))
            .collect();

        // Cases: a case has a code when any of its segments has it.
        let mut old_coder = CoderCodings { coder: "old".to_owned(), ..Default::default() };
        let mut new_coder = CoderCodings { coder: "new".to_owned(), ..Default::default() };
        let mut had: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut has: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let (mut old_cases, mut new_cases) = (Vec::new(), Vec::new());
        for t in transcripts {
            let before = old_rules.code_transcript(old, t).codings;
            let after = new_rules.code_transcript(new, t).codings;
            for c in &before {
                had.entry(c.code.clone()).or_default().insert(t.case().to_owned());
            }
            for c in &after {
                has.entry(c.code.clone()).or_default().insert(t.case().to_owned());
            }
            old_coder.reviewed.insert(t.case().to_owned(), None);
            new_coder.reviewed.insert(t.case().to_owned(), None);
            old_coder.codings.extend(before);
            new_coder.codings.extend(after);
            old_cases.push(case_codes(old, old_rules, t));
            new_cases.push(case_codes(new, new_rules, t));
        }
        let mut codes: Vec<&str> = new.codes().iter().map(|c| c.id.as_str()).collect();
        codes.extend(old.codes().iter().map(|c| c.id.as_str()).filter(|id| new.code(id).is_none()));
        let empty = BTreeSet::new();
        let cases = codes
            .iter()
            .filter_map(|code| {
                let (was, now) =
                    (had.get(*code).unwrap_or(&empty), has.get(*code).unwrap_or(&empty));
                let gained: Vec<String> = now.difference(was).cloned().collect();
                let lost: Vec<String> = was.difference(now).cloned().collect();
                (!gained.is_empty() || !lost.is_empty()).then(|| CaseChanges {
                    code: (*code).to_owned(),
                    gained,
                    lost,
                })
            })
            .collect();

        // Exclusive groups of the new codebook that the old one has too.
        let old_tally = qda_coding::tally(old, &old_cases, adjudications, None);
        let new_tally = qda_coding::tally(new, &new_cases, adjudications, None);
        let n = transcripts.len();
        let groups = new_tally
            .groups
            .iter()
            .map(|group| {
                let before = old_tally.groups.iter().find(|g| g.parent == group.parent);
                let rows = group
                    .rows
                    .iter()
                    .map(|row| {
                        let was = before
                            .and_then(|b| b.rows.iter().find(|r| r.code == row.code))
                            .map_or(0, |r| r.cases);
                        GroupRowChange {
                            code: row.code.clone(),
                            old: Count::new(was, n),
                            new: Count::new(row.cases, n),
                        }
                    })
                    .collect();
                GroupChange {
                    parent: group.parent.clone(),
                    n,
                    rows,
                    unresolved: [
                        before.map_or(0, |b| b.unresolved().count()),
                        group.unresolved().count(),
                    ],
                }
            })
            .collect();

        // Agreement of old and new, over the new codebook's codes.
        let units = codable_segments(new, transcripts);
        let data = AgreementData::new(new, &units, &[old_coder, new_coder], false);
        let mut agreement: Vec<Row> = data
            .codes
            .iter()
            .map(|c| Row::compute(Scope::Code, &c.code, &c.values, Level::Nominal, None))
            .collect();
        agreement.push(Row::compute(
            Scope::Pooled,
            "all codes",
            &data.pooled(),
            Level::Nominal,
            None,
        ));
        agreement.extend(
            data.groups
                .iter()
                .map(|g| Row::compute(Scope::Group, &g.parent, &g.values, Level::Nominal, None)),
        );

        DiffReport {
            provenance,
            old: CodebookInfo::new(old),
            new: CodebookInfo::new(new),
            codebook: qda_coding::diff_codebooks(old, new),
            segments,
            cases,
            groups,
            agreement,
        }
    }

    /// Whether any exclusive group's tally, or any code's number of cases,
    /// differs between old and new.
    pub(crate) fn tallies_changed(&self) -> bool {
        !self.cases.is_empty()
            || self.groups.iter().any(|g| {
                g.unresolved[0] != g.unresolved[1]
                    || g.rows.iter().any(|r| r.old.cases != r.new.cases)
            })
    }
}

fn stat(s: &Stat) -> String {
    match s {
        Stat::Value(v) => format!("{v:.3}"),
        Stat::Undefined { .. } => "–".to_owned(),
    }
}

fn terms(list: &[String]) -> String {
    list.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
}

impl Render for DiffReport {
    fn document(&self, out: &mut dyn Markup) {
        out.heading(2, &format!("Codebook diff: {} → {}", self.old.path, self.new.path));
        out.heading(3, "Codebook");
        let d = &self.codebook;
        if d.is_empty() {
            out.paragraph("No code or rule changed.");
        }
        for code in &d.added {
            out.item(&format!("added: {} ({})", code.id, code.label));
        }
        for code in &d.removed {
            out.item(&format!("removed: {} ({})", code.id, code.label));
        }
        for code in &d.relabelled {
            out.item(&format!("relabelled: {}: \"{}\" → \"{}\"", code.id, code.old, code.new));
        }
        for rule in &d.rules {
            for clause in &rule.clauses {
                let mut parts = Vec::new();
                if !clause.added.is_empty() {
                    parts.push(format!("+ {}", terms(&clause.added)));
                }
                if !clause.removed.is_empty() {
                    parts.push(format!("− {}", terms(&clause.removed)));
                }
                out.item(&format!(
                    "rule of {}, `{}`: {}",
                    rule.code,
                    clause.clause.as_str(),
                    parts.join("; ")
                ));
            }
        }
        if !d.is_empty() {
            out.blank();
        }

        out.heading(3, "Segments");
        if self.segments.is_empty() {
            out.paragraph("No segment gains or loses a code.");
        } else {
            let mut table = Table::new(vec![
                ("segment", Align::Left),
                ("code", Align::Left),
                ("change", Align::Left),
                ("why", Align::Left),
            ]);
            for s in &self.segments {
                table.push(vec![
                    s.segment.clone(),
                    s.code.clone(),
                    if s.gained { "gained" } else { "lost" }.to_owned(),
                    s.reason.clone(),
                ]);
            }
            out.table(&table);
            out.blank();
        }

        out.heading(3, "Cases");
        if self.cases.is_empty() {
            out.paragraph("No case gains or loses a code.");
        } else {
            let mut table = Table::new(vec![
                ("code", Align::Left),
                ("gained", Align::Left),
                ("lost", Align::Left),
            ]);
            for c in &self.cases {
                table.push(vec![c.code.clone(), c.gained.join(", "), c.lost.join(", ")]);
            }
            out.table(&table);
            out.blank();
        }

        for group in &self.groups {
            out.heading(
                3,
                &format!(
                    "{} (exclusive, n = {}): cases, % and 95% Wilson interval",
                    group.parent, group.n
                ),
            );
            let mut table = Table::new(vec![
                ("code", Align::Left),
                ("old", Align::Right),
                ("new", Align::Right),
                ("change", Align::Right),
            ]);
            for row in &group.rows {
                let change = row.new.cases as i64 - row.old.cases as i64;
                table.push(vec![
                    row.code.clone(),
                    row.old.shown(),
                    row.new.shown(),
                    if change == 0 { "0".to_owned() } else { format!("{change:+}") },
                ]);
            }
            out.table(&table);
            out.blank();
            if group.unresolved != [0, 0] {
                out.paragraph(&format!(
                    "Awaiting adjudication: {} cases old, {} new (counted under none of the rows).",
                    group.unresolved[0], group.unresolved[1]
                ));
            }
        }

        out.heading(3, "Agreement of old and new codings");
        let mut table = Table::new(vec![
            ("", Align::Left),
            ("units", Align::Right),
            ("% agreement", Align::Right),
            ("Cohen's kappa", Align::Right),
            ("Krippendorff's alpha", Align::Right),
        ]);
        for row in &self.agreement {
            let percent = match &row.percent_agreement {
                Stat::Value(v) => format!("{:.1}", v * 100.0),
                Stat::Undefined { .. } => "–".to_owned(),
            };
            table.push(vec![
                row.name.clone(),
                row.units.to_string(),
                percent,
                stat(&row.cohen_kappa),
                stat(&row.krippendorff_alpha),
            ]);
        }
        out.table(&table);
        out.blank();
        let codes: Vec<&str> = self.cases.iter().map(|c| c.code.as_str()).collect();
        let groups: Vec<&str> = self
            .groups
            .iter()
            .filter(|g| {
                g.unresolved[0] != g.unresolved[1]
                    || g.rows.iter().any(|r| r.old.cases != r.new.cases)
            })
            .map(|g| g.parent.as_str())
            .collect();
        out.last_line(&match (codes.is_empty(), groups.is_empty()) {
            (true, true) => "The tallies are the same.".to_owned(),
            _ => format!(
                "The tallies changed: cases with {}; exclusive groups: {}.",
                if codes.is_empty() { "every code the same".to_owned() } else { codes.join(", ") },
                if groups.is_empty() { "the same".to_owned() } else { groups.join(", ") }
            ),
        });
    }

    fn records(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            ["case", "segment", "code", "change", "clause", "term", "why"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for s in &self.segments {
            rows.push(vec![
                s.case.clone(),
                s.segment.clone(),
                s.code.clone(),
                if s.gained { "gained" } else { "lost" }.to_owned(),
                s.clause.map(|c| c.as_str().to_owned()).unwrap_or_default(),
                s.term.clone().unwrap_or_default(),
                s.reason.clone(),
            ]);
        }
        rows
    }
}
