//! The result of `qda agree`: coefficients per code, pooled, per exclusive
//! group (or for a ratings table), and the list of disagreements.

use indexmap::IndexMap;
use qda_stats::{
    Bootstrap, BootstrapInterval, Coefficient, FlatMatrix, FlatSummary, Level, Undefined, Weights,
};
use serde::Serialize;

use crate::provenance::Provenance;
use crate::render::Render;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};

#[derive(Debug, Serialize)]
pub(crate) struct AgreeReport {
    pub(crate) provenance: Provenance,
    pub(crate) coders: Vec<String>,
    /// How each person coded: `blind`, `unblinded`, `open` or
    /// `not recorded` (none for a ratings table; the rules are left out).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub(crate) blinding: IndexMap<String, &'static str>,
    /// Segment units (or rated units).
    pub(crate) units: usize,
    pub(crate) level: &'static str,
    pub(crate) rows: Vec<Row>,
    /// Listed for `--disagreements` and in JSON; otherwise only counted.
    pub(crate) disagreements: Vec<Disagreement>,
    /// How many units the coders disagree on.
    #[serde(skip)]
    pub(crate) disagreement_count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scope {
    /// One code, present or absent per segment.
    Code,
    /// Every code's units together.
    Pooled,
    /// An exclusive group, one value per case.
    Group,
    /// A ratings table.
    Ratings,
}

/// A coefficient, or why it has none.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum Stat {
    Value(f64),
    Undefined { undefined: String },
}

impl Stat {
    fn from_result(result: Result<f64, Undefined>) -> Self {
        match result {
            Ok(v) => Stat::Value((v * 1e6).round() / 1e6),
            Err(reason) => Stat::Undefined { undefined: reason.to_string() },
        }
    }

    fn coefficient(result: Result<Coefficient, Undefined>) -> Self {
        Stat::from_result(result.map(|c| c.value))
    }

    fn value(&self) -> Option<f64> {
        match self {
            Stat::Value(v) => Some(*v),
            Stat::Undefined { .. } => None,
        }
    }

    fn cell(&self) -> String {
        match self {
            Stat::Value(v) => format!("{v:.3}"),
            Stat::Undefined { .. } => "undefined".to_owned(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Row {
    pub(crate) scope: Scope,
    pub(crate) name: String,
    /// Units with values from two or more coders.
    pub(crate) units: usize,
    pub(crate) percent_agreement: Stat,
    pub(crate) cohen_kappa: Stat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cohen_kappa_linear: Option<Stat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cohen_kappa_quadratic: Option<Stat>,
    pub(crate) scott_pi: Stat,
    pub(crate) fleiss_kappa: Stat,
    pub(crate) gwet_ac1: Stat,
    pub(crate) krippendorff_alpha: Stat,
    /// Percentile bootstrap interval of alpha.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) krippendorff_alpha_95: Option<[f64; 2]>,
}

/// What a row's coefficients are computed from.
trait Reliability {
    fn pairable_units(&self) -> usize;
    fn percent_agreement(&self) -> Result<f64, Undefined>;
    fn cohen_kappa(&self, weights: Weights) -> Result<Coefficient, Undefined>;
    fn scott_pi(&self) -> Result<Coefficient, Undefined>;
    fn fleiss_kappa(&self) -> Result<Coefficient, Undefined>;
    fn gwet_ac1(&self) -> Result<Coefficient, Undefined>;
    fn krippendorff_alpha(&self, level: Level) -> Result<Coefficient, Undefined>;
    fn krippendorff_alpha_bootstrap(
        &self,
        level: Level,
        bootstrap: Bootstrap,
    ) -> Result<BootstrapInterval, Undefined>;
}

/// A table as a row per unit.
impl Reliability for [Vec<Option<f64>>] {
    fn pairable_units(&self) -> usize {
        self.iter().filter(|row| row.iter().flatten().count() >= 2).count()
    }
    fn percent_agreement(&self) -> Result<f64, Undefined> {
        qda_stats::percent_agreement(self)
    }
    fn cohen_kappa(&self, weights: Weights) -> Result<Coefficient, Undefined> {
        qda_stats::cohen_kappa(self, weights)
    }
    fn scott_pi(&self) -> Result<Coefficient, Undefined> {
        qda_stats::scott_pi(self)
    }
    fn fleiss_kappa(&self) -> Result<Coefficient, Undefined> {
        qda_stats::fleiss_kappa(self)
    }
    fn gwet_ac1(&self) -> Result<Coefficient, Undefined> {
        qda_stats::gwet_ac1(self)
    }
    fn krippendorff_alpha(&self, level: Level) -> Result<Coefficient, Undefined> {
        qda_stats::krippendorff_alpha(self, level)
    }
    fn krippendorff_alpha_bootstrap(
        &self,
        level: Level,
        bootstrap: Bootstrap,
    ) -> Result<BootstrapInterval, Undefined> {
        qda_stats::krippendorff_alpha_bootstrap(self, level, bootstrap)
    }
}

/// A flat matrix with the summary of its one pass; for two coders, its rows
/// too, built once for Cohen's kappas and Scott's pi.
struct Flat<'a> {
    matrix: &'a FlatMatrix,
    summary: &'a FlatSummary,
    two_coders: Option<Vec<Vec<Option<f64>>>>,
}

impl Reliability for Flat<'_> {
    fn pairable_units(&self) -> usize {
        self.summary.pairable_units()
    }
    fn percent_agreement(&self) -> Result<f64, Undefined> {
        self.summary.percent_agreement()
    }
    fn cohen_kappa(&self, weights: Weights) -> Result<Coefficient, Undefined> {
        match &self.two_coders {
            Some(rows) => qda_stats::cohen_kappa(rows, weights),
            None => self.matrix.cohen_kappa(weights),
        }
    }
    fn scott_pi(&self) -> Result<Coefficient, Undefined> {
        match &self.two_coders {
            Some(rows) => qda_stats::scott_pi(rows),
            None => self.matrix.scott_pi(),
        }
    }
    fn fleiss_kappa(&self) -> Result<Coefficient, Undefined> {
        self.summary.fleiss_kappa()
    }
    fn gwet_ac1(&self) -> Result<Coefficient, Undefined> {
        self.summary.gwet_ac1()
    }
    fn krippendorff_alpha(&self, level: Level) -> Result<Coefficient, Undefined> {
        self.summary.krippendorff_alpha(level)
    }
    fn krippendorff_alpha_bootstrap(
        &self,
        level: Level,
        bootstrap: Bootstrap,
    ) -> Result<BootstrapInterval, Undefined> {
        self.summary.krippendorff_alpha_bootstrap(level, bootstrap)
    }
}

impl Row {
    pub(crate) fn compute(
        scope: Scope,
        name: &str,
        data: &[Vec<Option<f64>>],
        level: Level,
        bootstrap: Option<Bootstrap>,
    ) -> Row {
        Row::of(scope, name, data, level, bootstrap)
    }

    /// As [`Row::compute`], of a flat matrix and its summary: a table of
    /// millions of units is made into a row per unit only for two coders.
    pub(crate) fn compute_flat(
        scope: Scope,
        name: &str,
        matrix: &FlatMatrix,
        summary: &FlatSummary,
        level: Level,
        bootstrap: Option<Bootstrap>,
    ) -> Row {
        let two_coders = (matrix.coders() == 2).then(|| matrix.to_rows());
        Row::of(scope, name, &Flat { matrix, summary, two_coders }, level, bootstrap)
    }

    fn of(
        scope: Scope,
        name: &str,
        table: &(impl Reliability + ?Sized),
        level: Level,
        bootstrap: Option<Bootstrap>,
    ) -> Row {
        let weighted = level != Level::Nominal;
        let interval = bootstrap.and_then(|b| table.krippendorff_alpha_bootstrap(level, b).ok());
        Row {
            scope,
            name: name.to_owned(),
            units: table.pairable_units(),
            percent_agreement: Stat::from_result(table.percent_agreement()),
            cohen_kappa: Stat::coefficient(table.cohen_kappa(Weights::Unweighted)),
            cohen_kappa_linear: weighted
                .then(|| Stat::coefficient(table.cohen_kappa(Weights::Linear))),
            cohen_kappa_quadratic: weighted
                .then(|| Stat::coefficient(table.cohen_kappa(Weights::Quadratic))),
            scott_pi: Stat::coefficient(table.scott_pi()),
            fleiss_kappa: Stat::coefficient(table.fleiss_kappa()),
            gwet_ac1: Stat::coefficient(table.gwet_ac1()),
            krippendorff_alpha: Stat::coefficient(table.krippendorff_alpha(level)),
            krippendorff_alpha_95: interval.map(|b| {
                [(b.interval.lower * 1e6).round() / 1e6, (b.interval.upper * 1e6).round() / 1e6]
            }),
        }
    }

    /// Adds Cohen's weighted kappas, so that a row of present/absent codes
    /// has the columns of the ordered rows it is shown with (with two
    /// categories they equal the unweighted kappa).
    pub(crate) fn with_weighted_kappa(mut self, data: &[Vec<Option<f64>>]) -> Row {
        self.cohen_kappa_linear =
            Some(Stat::coefficient(qda_stats::cohen_kappa(data, Weights::Linear)));
        self.cohen_kappa_quadratic =
            Some(Stat::coefficient(qda_stats::cohen_kappa(data, Weights::Quadratic)));
        self
    }

    fn stats(&self) -> Vec<(&'static str, &Stat)> {
        let mut stats =
            vec![("% agreement", &self.percent_agreement), ("Cohen κ", &self.cohen_kappa)];
        if let (Some(linear), Some(quadratic)) =
            (&self.cohen_kappa_linear, &self.cohen_kappa_quadratic)
        {
            stats.push(("Cohen κ linear", linear));
            stats.push(("Cohen κ quadratic", quadratic));
        }
        stats.extend([
            ("Scott π", &self.scott_pi),
            ("Fleiss κ", &self.fleiss_kappa),
            ("Gwet AC1", &self.gwet_ac1),
            ("Krippendorff α", &self.krippendorff_alpha),
        ]);
        stats
    }
}

/// One unit on which the coders differ.
#[derive(Debug, Serialize)]
pub(crate) struct Disagreement {
    pub(crate) case: String,
    /// The segment, for code units; none for case-level groups and ratings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unit: Option<String>,
    /// The code (or exclusive parent); empty for ratings.
    pub(crate) code: String,
    /// Each coder's decision: yes / no for a code, the child for a group, — when not coded.
    pub(crate) decisions: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
}

impl AgreeReport {
    /// The alpha `--min-alpha` checks: pooled over codes, or of the ratings.
    pub(crate) fn headline_alpha(&self) -> (&'static str, Option<f64>) {
        let row = self.rows.iter().find(|r| matches!(r.scope, Scope::Pooled | Scope::Ratings));
        let what = if row.is_some_and(|r| r.scope == Scope::Pooled) {
            "pooled over codes"
        } else {
            "of the ratings"
        };
        (what, row.and_then(|r| r.krippendorff_alpha.value()))
    }

    fn coefficients_table(&self) -> Table {
        let first = &self.rows[0];
        let mut headers =
            vec![("scope", Align::Left), ("name", Align::Left), ("units", Align::Right)];
        headers.extend(first.stats().iter().map(|(name, _)| (*name, Align::Right)));
        headers.push(("α 95% CI", Align::Right));
        let mut table = Table::new(headers);
        for row in &self.rows {
            let mut cells = vec![
                format!("{:?}", row.scope).to_lowercase(),
                row.name.clone(),
                row.units.to_string(),
            ];
            cells.extend(row.stats().iter().map(|(_, s)| s.cell()));
            cells.push(
                row.krippendorff_alpha_95
                    .map_or_else(String::new, |[l, u]| format!("{l:.3}–{u:.3}")),
            );
            table.push(cells);
        }
        table
    }

    fn disagreements_table(&self, text_width: usize) -> Table {
        let mut headers = vec![("case", Align::Left), ("unit", Align::Left), ("code", Align::Left)];
        headers.extend(self.coders.iter().map(|c| (c.as_str(), Align::Left)));
        headers.push(("text", Align::Left));
        let mut table = Table::new(headers);
        for d in &self.disagreements {
            let mut cells =
                vec![d.case.clone(), d.unit.clone().unwrap_or_default(), d.code.clone()];
            cells.extend(
                self.coders.iter().map(|c| d.decisions.get(c).cloned().unwrap_or_default()),
            );
            cells.push(d.text.as_deref().map(|t| shorten(t, text_width)).unwrap_or_default());
            table.push(cells);
        }
        table
    }
}

impl Render for AgreeReport {
    /// The coefficients, why any is undefined, and how many disagreements.
    fn document(&self, out: &mut dyn Markup) {
        let groups = self.rows.iter().any(|r| r.scope == Scope::Group);
        let level = if groups && self.level != "nominal" {
            format!(
                "{} for exclusive groups (children in codebook order), nominal for codes",
                self.level
            )
        } else {
            self.level.to_owned()
        };
        out.paragraph(&format!(
            "coders: {}; units: {}; level: {level}",
            self.coders.join(", "),
            self.units,
        ));
        if !self.blinding.is_empty() {
            let each: Vec<String> = self
                .blinding
                .iter()
                .map(|(coder, how)| {
                    let said = match *how {
                        "blind" => "coded blind",
                        "unblinded" => "coded blind, then turned blind mode off",
                        "open" => "saw the rules' suggestions",
                        _ => "not recorded whether the rules' suggestions were on view",
                    };
                    format!("{coder}: {said}")
                })
                .collect();
            out.paragraph(&format!("{}.", each.join("; ")));
        }
        out.table(&self.coefficients_table());
        // Each distinct reason once, with where it applies.
        let mut reasons: IndexMap<&str, Vec<String>> = IndexMap::new();
        for row in &self.rows {
            for (name, stat) in row.stats() {
                if let Stat::Undefined { undefined } = stat {
                    reasons
                        .entry(undefined.as_str())
                        .or_default()
                        .push(format!("{name} for {}", row.name));
                }
            }
        }
        if !reasons.is_empty() {
            out.blank();
            out.last_line("undefined:");
            for (reason, places) in reasons {
                out.item(&format!("{reason}: {}", places.join(", ")));
            }
        }
        out.blank();
        out.last_line(&format!(
            "{} disagreement{}; list them with --disagreements",
            self.disagreement_count,
            if self.disagreement_count == 1 { "" } else { "s" }
        ));
    }

    fn records(&self) -> Vec<Vec<String>> {
        let table = self.coefficients_table();
        let headers: Vec<String> = ["scope", "name", "units"]
            .into_iter()
            .map(str::to_owned)
            .chain(self.rows[0].stats().iter().map(|(name, _)| name.to_string()))
            .chain(["alpha_95_lower".to_owned(), "alpha_95_upper".to_owned()])
            .collect();
        let mut records = vec![headers];
        for (row, cells) in self.rows.iter().zip(&table.rows) {
            let mut record: Vec<String> = cells[..3].to_vec();
            record.extend(
                row.stats()
                    .iter()
                    .map(|(_, s)| s.value().map_or_else(|| "NA".to_owned(), |v| v.to_string())),
            );
            let [lower, upper] = row
                .krippendorff_alpha_95
                .map_or([String::new(), String::new()], |[l, u]| [l.to_string(), u.to_string()]);
            record.extend([lower, upper]);
            records.push(record);
        }
        records
    }
}

/// The units the coders disagree on (`--disagreements`), with every
/// coder's decision and the text.
pub(crate) struct Disagreements<'r>(pub(crate) &'r AgreeReport);

impl Serialize for Disagreements<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.disagreements.serialize(serializer)
    }
}

impl Render for Disagreements<'_> {
    fn document(&self, out: &mut dyn Markup) {
        out.table(&self.0.disagreements_table(out.cell_width().unwrap_or(usize::MAX)));
    }

    fn records(&self) -> Vec<Vec<String>> {
        let table = self.0.disagreements_table(usize::MAX);
        std::iter::once(table.headers).chain(table.rows).collect()
    }
}

/// One line of at most `width` characters.
pub(crate) fn shorten(text: &str, width: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= width {
        return flat;
    }
    let cut: String = flat.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}
