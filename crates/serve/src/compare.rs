//! This coder's codings next to another's (a codings file given with
//! `--compare`, or the codebook's rules): the segments where they differ and
//! per-code agreement, computed as `qda agree` computes it.

use std::collections::BTreeMap;
use std::path::Path;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use qda_coding::{AgreementData, CoderCodings, RULES_CODER};
use qda_stats::{Level, Undefined, Weights};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ServeError};
use crate::state::AppState;
use crate::store;
use crate::study::Study;

#[derive(Deserialize)]
pub(crate) struct CompareQuery {
    /// `rules`, or the name of a `--compare` file.
    with: String,
}

#[derive(Serialize)]
struct CompareView {
    me: String,
    other: String,
    /// One row per codable code, then all codes pooled.
    rows: Vec<Row>,
    /// Per case, per segment where the two differ: the codes only one has.
    disagreements: Vec<Disagreement>,
    /// The other side's codes per segment, for showing beside this coder's.
    other_codes: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
struct Row {
    code: String,
    /// Segments both sides reviewed.
    units: usize,
    percent_agreement: Option<f64>,
    cohen_kappa: Option<f64>,
    krippendorff_alpha: Option<f64>,
}

#[derive(Serialize)]
struct Disagreement {
    case: String,
    segment: String,
    code: String,
    /// Whether this coder applied the code (else the other side did).
    mine: bool,
}

/// Reads the other side of a comparison.
pub(crate) fn read_other(
    name: &str,
    path: &Path,
    study: &Study,
) -> Result<CoderCodings, ServeError> {
    if name == RULES_CODER {
        let mut rules = CoderCodings { coder: RULES_CODER.to_owned(), ..Default::default() };
        for (id, case) in &study.cases {
            rules.codings.extend(case.suggestions.iter().cloned());
            rules.reviewed.insert(id.clone(), None);
        }
        return Ok(rules);
    }
    let snapshot = store::read(path, name)?;
    let coders = snapshot.file.coders();
    let [coder] = coders.iter().collect::<Vec<_>>()[..] else {
        return Err(ServeError::Setup(format!(
            "{}: --compare needs one coder's codings; this file holds {}",
            path.display(),
            if coders.is_empty() {
                "none".to_owned()
            } else {
                coders.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            }
        )));
    };
    let coder = (*coder).to_owned();
    for source in &snapshot.file.transcripts {
        if let Some(case) = study.cases.get(&source.case)
            && case.transcript.sha256() != source.sha256
        {
            return Err(ServeError::Setup(format!(
                "{}: {} changed since these codings were made; compare codings made on the same transcripts",
                path.display(),
                case.shown_path
            )));
        }
    }
    Ok(CoderCodings::from_files(&coder, std::iter::once(&*snapshot.file)))
}

fn round(result: Result<f64, Undefined>) -> Option<f64> {
    result.ok().map(|v| (v * 1e6).round() / 1e6)
}

fn row(code: &str, values: &[Vec<Option<f64>>]) -> Row {
    Row {
        code: code.to_owned(),
        units: values.iter().filter(|r| r.iter().flatten().count() >= 2).count(),
        percent_agreement: round(qda_stats::percent_agreement(values)),
        cohen_kappa: round(qda_stats::cohen_kappa(values, Weights::Unweighted).map(|c| c.value)),
        krippendorff_alpha: round(
            qda_stats::krippendorff_alpha(values, Level::Nominal).map(|c| c.value),
        ),
    }
}

pub(crate) async fn compare(
    State(state): State<AppState>,
    Query(query): Query<CompareQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let snapshot = store::read_current(&state.codings, &state.coder, &state.lock_saving())?;
    if store::is_blind(&snapshot.file, state.blind) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "blind coding: the rules' and other coders' codings stay hidden until blind mode is turned off (recorded in the codings file)".to_owned(),
        ));
    }
    let path = if query.with == RULES_CODER {
        Path::new("")
    } else {
        match state.compare.iter().find(|(name, _)| *name == query.with) {
            Some((_, path)) => path.as_path(),
            None => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!(
                        "nothing to compare named `{}`; use `rules` or a file given with --compare",
                        query.with
                    ),
                ));
            }
        }
    };
    let other = read_other(&query.with, path, &state.study)
        .map_err(|e| ApiError::conflict(e.to_string()))?;
    let mut me = CoderCodings::from_files(&state.coder, std::iter::once(&*snapshot.file));
    if me.coder == other.coder {
        me.coder = format!("{} (this page)", me.coder);
    }
    let segments = state.study.codable_segments();
    let data =
        AgreementData::new(&state.study.codebook, &segments, &[me.clone(), other.clone()], false);
    let mut rows: Vec<Row> = data.codes.iter().map(|c| row(&c.code, &c.values)).collect();
    rows.push(row("all codes", &data.pooled()));
    let mut disagreements = Vec::new();
    for (i, unit) in data.units.iter().enumerate() {
        for code in &data.codes {
            if let [Some(mine), Some(theirs)] = code.values[i][..]
                && mine != theirs
            {
                disagreements.push(Disagreement {
                    case: unit.case.clone(),
                    segment: unit.segment.clone(),
                    code: code.code.clone(),
                    mine: mine > 0.5,
                });
            }
        }
    }
    let mut other_codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for coding in &other.codings {
        let codes = other_codes.entry(coding.segment.clone()).or_default();
        if !codes.contains(&coding.code) {
            codes.push(coding.code.clone());
        }
    }
    let view = CompareView { me: me.coder, other: other.coder, rows, disagreements, other_codes };
    serde_json::to_value(view).map(Json).map_err(|e| ServeError::from(e).into())
}
