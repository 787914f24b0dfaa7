//! Thematic saturation (`qda saturation`, and the report's curve): the
//! interviews in order with their codes, the base, each run with the codes
//! new in it, the saturation point and, with `--bootstrap`, its
//! distribution over random orders. The numbers come from
//! `qda_stats::saturation`.

use std::collections::BTreeSet;

use anyhow::{Result, anyhow, bail};
use qda_coding::{AttributeValue, CaseCodes, Codebook};
use qda_stats::{SaturationBootstrap, SaturationError, SaturationOptions};
use serde::Serialize;

use crate::provenance::Provenance;
use crate::render::Render;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};
use crate::render::tally::CodebookInfo;

/// How interviews are ordered and which codes count.
pub(crate) struct SaturationChoice<'a> {
    pub(crate) under: Option<&'a str>,
    pub(crate) order: Option<&'a str>,
    pub(crate) options: SaturationOptions,
}

/// Everything `qda saturation` writes.
#[derive(Debug, Serialize)]
pub(crate) struct SaturationReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) provenance: Option<Provenance>,
    pub(crate) codebook: CodebookInfo,
    /// The parent whose codes count (`--under`); all codable codes when absent.
    pub(crate) under: Option<String>,
    /// The case attribute the interviews are ordered by; case order when absent.
    pub(crate) order: Option<String>,
    pub(crate) base: usize,
    pub(crate) run: usize,
    pub(crate) threshold_percent: f64,
    /// Distinct codes in the base.
    pub(crate) base_codes: usize,
    pub(crate) interviews: Vec<Interview>,
    pub(crate) runs: Vec<RunRow>,
    pub(crate) saturation: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bootstrap: Option<Bootstrap>,
}

/// One interview, in order.
#[derive(Debug, Serialize)]
pub(crate) struct Interview {
    pub(crate) case: String,
    /// The value ordered by, with `--order`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) order_value: Option<String>,
    /// The codes that count, found in this interview.
    pub(crate) codes: Vec<String>,
    /// Distinct codes in this interview and every one before it.
    pub(crate) cumulative: usize,
}

/// One run.
#[derive(Debug, Serialize)]
pub(crate) struct RunRow {
    /// First and last interview, from 1.
    pub(crate) first: usize,
    pub(crate) last: usize,
    pub(crate) cases: Vec<String>,
    /// Codes first seen in the run.
    pub(crate) new: Vec<String>,
    pub(crate) new_percent: f64,
}

/// Where saturation was reached, or how far the last run is from it.
#[derive(Debug, Serialize)]
pub(crate) struct Outcome {
    pub(crate) reached: bool,
    /// `6+2`: interviews before the run, then the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) at: Option<String>,
    /// Interviews needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) interviews: Option<usize>,
    /// When not reached: the last run's new information minus the threshold,
    /// in percentage points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) last_run_above_threshold_by: Option<f64>,
}

/// The saturation point over random orders.
#[derive(Debug, Serialize)]
pub(crate) struct Bootstrap {
    pub(crate) orders: usize,
    pub(crate) seed: u64,
    /// Orders in which saturation was reached.
    pub(crate) reached: usize,
    /// Median interviews needed, over the orders that reached saturation.
    pub(crate) median: Option<f64>,
    /// 95% percentile interval of the same.
    pub(crate) interval_95: Option<[f64; 2]>,
}

/// The codes that count: the codable codes under `under`, or all.
fn counted_codes(codebook: &Codebook, under: Option<&str>) -> Result<BTreeSet<String>> {
    let Some(parent) = under else {
        return Ok(codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.clone()).collect());
    };
    if codebook.code(parent).is_none() {
        let hint =
            codebook.suggest(parent).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
        bail!("--under {parent}: no code `{parent}` in {}{hint}", codebook.path().display());
    }
    let codes: BTreeSet<String> =
        codebook.descendants(parent).iter().filter(|c| c.codable).map(|c| c.id.clone()).collect();
    if codes.is_empty() {
        bail!("--under {parent}: `{parent}` has no codable code under it; name a parent code");
    }
    Ok(codes)
}

/// Orders cases by `attribute` (numbers as numbers, then text), ties by case.
fn ordered<'a>(
    cases: &'a [CaseCodes],
    attribute: Option<&str>,
) -> Result<Vec<(&'a CaseCodes, Option<String>)>> {
    let Some(attribute) = attribute else {
        return Ok(cases.iter().map(|c| (c, None)).collect());
    };
    let mut keyed = Vec::new();
    for case in cases {
        let value = case.attributes.get(attribute).ok_or_else(|| {
            anyhow!(
                "--order {attribute}: case {} has no attribute `{attribute}`; give every case one (front matter or cases.csv), or order by another attribute",
                case.case
            )
        })?;
        keyed.push((case, value.clone()));
    }
    keyed.sort_by(|(a, x), (b, y)| {
        let key =
            |v: &AttributeValue| (v.as_f64().is_none(), v.as_f64().unwrap_or(0.0), v.to_string());
        let (kx, ky) = (key(x), key(y));
        kx.0.cmp(&ky.0).then(kx.1.total_cmp(&ky.1)).then(kx.2.cmp(&ky.2)).then(a.case.cmp(&b.case))
    });
    Ok(keyed.into_iter().map(|(c, v)| (c, Some(v.to_string()))).collect())
}

impl SaturationReport {
    /// Assesses saturation of `cases`; `bootstrap` is (orders, seed).
    pub(crate) fn new(
        codebook: &Codebook,
        cases: &[CaseCodes],
        choice: &SaturationChoice<'_>,
        bootstrap: Option<(usize, u64)>,
        provenance: Option<Provenance>,
    ) -> Result<Self> {
        let counted = counted_codes(codebook, choice.under)?;
        let order = ordered(cases, choice.order)?;
        let sets: Vec<BTreeSet<&str>> = order
            .iter()
            .map(|(case, _)| {
                case.segments
                    .keys()
                    .filter(|code| counted.contains(*code))
                    .map(String::as_str)
                    .collect()
            })
            .collect();
        let options = &choice.options;
        let assessed = qda_stats::saturation(&sets, options).map_err(|e| {
            let hint = match e {
                SaturationError::TooFewInterviews { .. } => {
                    "; lower --base or --run, or add interviews"
                }
                SaturationError::EmptyBase(_) => {
                    "; order the interviews otherwise (--order) or enlarge the base (--base)"
                }
                _ => "",
            };
            anyhow!("--base {} --run {}: {e}{hint}", options.base, options.run)
        })?;
        let interviews = order
            .iter()
            .zip(&sets)
            .zip(&assessed.cumulative)
            .map(|(((case, value), codes), &cumulative)| Interview {
                case: case.case.clone(),
                order_value: value.clone(),
                codes: codes.iter().map(|&c| c.to_owned()).collect(),
                cumulative,
            })
            .collect::<Vec<_>>();
        let runs: Vec<RunRow> = assessed
            .runs
            .iter()
            .map(|r| RunRow {
                first: r.first + 1,
                last: r.last + 1,
                cases: interviews[r.first..=r.last].iter().map(|i| i.case.clone()).collect(),
                new: r.new.iter().map(|&c| c.to_owned()).collect(),
                new_percent: r.new_information * 100.0,
            })
            .collect();
        let threshold_percent = options.threshold * 100.0;
        let saturation = match assessed.reached {
            Some(i) => Outcome {
                reached: true,
                at: Some(format!("{}+{}", assessed.runs[i].first, options.run)),
                interviews: assessed.point(),
                last_run_above_threshold_by: None,
            },
            None => Outcome {
                reached: false,
                at: None,
                interviews: None,
                last_run_above_threshold_by: runs.last().map(|r| r.new_percent - threshold_percent),
            },
        };
        let bootstrap = match bootstrap {
            Some((orders, seed)) if orders > 0 => {
                let SaturationBootstrap { reached, median, interval, .. } =
                    qda_stats::saturation_bootstrap(&sets, options, orders, seed)?;
                Some(Bootstrap {
                    orders,
                    seed,
                    reached,
                    median,
                    interval_95: interval.map(|(a, b)| [a, b]),
                })
            }
            _ => None,
        };
        Ok(SaturationReport {
            provenance,
            codebook: CodebookInfo::new(codebook),
            under: choice.under.map(str::to_owned),
            order: choice.order.map(str::to_owned),
            base: options.base,
            run: options.run,
            threshold_percent,
            base_codes: assessed.base_codes,
            interviews,
            runs,
            saturation,
            bootstrap,
        })
    }

    /// One sentence on the saturation point.
    pub(crate) fn verdict(&self) -> String {
        let threshold = number(self.threshold_percent);
        match (&self.saturation.at, self.saturation.interviews) {
            (Some(at), Some(n)) => {
                let run = self.runs.iter().find(|r| r.last == n).expect("the run that reached it");
                format!(
                    "Saturation reached at {at} ({n} interviews): run {}–{} brings {:.1}% new information, at or under {threshold}%.",
                    run.first, run.last, run.new_percent
                )
            }
            _ => format!(
                "Saturation not reached: the last run brings {:.1}% new information, {:.1} points above the threshold of {threshold}%.",
                self.runs.last().map_or(0.0, |r| r.new_percent),
                self.saturation.last_run_above_threshold_by.unwrap_or(0.0)
            ),
        }
    }

    /// The description, table of runs and verdict, without a heading (the
    /// report's section writes them under its own).
    pub(crate) fn body(&self, out: &mut dyn Markup) {
        let counted = self
            .under
            .as_ref()
            .map_or_else(|| "all codable codes".to_owned(), |p| format!("codes under `{p}`"));
        let order = self
            .order
            .as_ref()
            .map_or_else(|| "case order".to_owned(), |a| format!("ordered by {a}"));
        let base_cases: Vec<&str> =
            self.interviews[..self.base].iter().map(|i| i.case.as_str()).collect();
        out.paragraph(&format!(
            "{} interviews ({order}); {counted}. Base: the first {} ({}), {}; runs of {}; threshold: at most {}% new information (Guest, Namey & Chen 2020).",
            self.interviews.len(),
            self.base,
            base_cases.join(", "),
            crate::output::count(self.base_codes, "distinct code"),
            self.run,
            number(self.threshold_percent)
        ));
        let mut table = Table::new(vec![
            ("run", Align::Left),
            ("cases", Align::Left),
            ("new codes", Align::Right),
            ("which", Align::Left),
            ("new information", Align::Right),
        ]);
        for run in &self.runs {
            table.push(vec![
                format!("{}–{}", run.first, run.last),
                run.cases.join(", "),
                run.new.len().to_string(),
                run.new.join(", "),
                format!("{:.1}%", run.new_percent),
            ]);
        }
        out.table(&table);
        out.blank();
        out.paragraph(&self.verdict());
        if let Some(sentence) = self.bootstrap_sentence() {
            out.paragraph(&sentence);
        }
    }

    /// One sentence on the bootstrap, when there is one.
    pub(crate) fn bootstrap_sentence(&self) -> Option<String> {
        let b = self.bootstrap.as_ref()?;
        Some(match (b.median, b.interval_95) {
            (Some(median), Some([low, high])) => format!(
                "Over {} random interview orders (seed {}), saturation was reached in {}: median {} interviews, 95% interval {}–{}.",
                b.orders,
                b.seed,
                b.reached,
                number(median),
                number(low),
                number(high)
            ),
            _ => format!(
                "Over {} random interview orders (seed {}), saturation was never reached.",
                b.orders, b.seed
            ),
        })
    }
}

/// A number without a needless fraction.
fn number(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.1}") }
}

impl Render for SaturationReport {
    fn document(&self, out: &mut dyn Markup) {
        out.heading(2, &format!("Thematic saturation: {}", self.codebook.name));
        self.body(out);
    }

    fn records(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            ["first", "last", "cases", "new_codes", "new", "new_percent", "saturated"]
                .map(str::to_owned)
                .to_vec(),
        ];
        let at = self.saturation.interviews;
        for run in &self.runs {
            rows.push(vec![
                run.first.to_string(),
                run.last.to_string(),
                run.cases.join(";"),
                run.new.len().to_string(),
                run.new.join(";"),
                format!("{:.4}", run.new_percent),
                (Some(run.last) == at).to_string(),
            ]);
        }
        rows
    }
}
