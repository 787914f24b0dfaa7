//! "Suggest similar": the segments most like those the coder gave a code,
//! ranked as `qda suggest` ranks them (`qda_coding::SimilarityIndex`), for
//! the coder to accept or reject. The coder's rejections for the code
//! (`rejected_suggestions` in the codings file) are never offered again.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Query, State};
use qda_coding::{SegmentRole, SimilarityIndex};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

/// How many suggestions a request gets unless it asks for another number.
const DEFAULT_TOP: usize = 10;
/// The most a request may ask for.
const MAX_TOP: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SimilarQuery {
    code: String,
    #[serde(default)]
    top: Option<usize>,
}

#[derive(Serialize)]
pub(crate) struct SimilarView {
    code: String,
    /// Segments the coder gave the code (or one below it).
    seeds: usize,
    suggestions: Vec<SimilarSegment>,
}

#[derive(Serialize)]
struct SimilarSegment {
    case: String,
    segment: String,
    /// The whole segment, in code points: what accepting codes.
    start: usize,
    end: usize,
    score: f64,
    terms: Vec<String>,
    text: String,
}

/// `GET /api/similar?code=ID[&top=N]`.
pub(crate) async fn similar(
    State(state): State<AppState>,
    Query(query): Query<SimilarQuery>,
) -> Result<Json<SimilarView>, ApiError> {
    let study = &state.study;
    let codebook = &study.codebook;
    if codebook.code(&query.code).is_none() {
        let hint = codebook
            .suggest(&query.code)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(ApiError::unprocessable(format!("unknown code `{}`{hint}", query.code)));
    }
    let mut codes: BTreeSet<&str> =
        codebook.descendants(&query.code).into_iter().map(|c| c.id.as_str()).collect();
    codes.insert(&query.code);
    let snapshot = store::read_current(&state.codings, &state.coder, &state.lock_saving())?;
    let file = &snapshot.file;
    let seeds: BTreeSet<(&str, &str)> = file
        .codings
        .iter()
        .filter(|c| codes.contains(c.code.as_str()))
        .map(|c| (c.case.as_str(), c.segment.as_str()))
        .collect();
    if seeds.is_empty() {
        return Err(ApiError::unprocessable(format!(
            "no segment is coded `{}` yet; code a few, then ask for similar ones",
            query.code
        )));
    }
    let rejected: BTreeSet<&str> = file
        .rejected_suggestions
        .iter()
        .filter(|r| r.code == query.code)
        .map(|r| r.segment.as_str())
        .collect();
    let mut index = SimilarityIndex::new();
    for (case_id, case) in &study.cases {
        for segment in case.segments.iter().filter(|s| !s.interviewer) {
            let role = if seeds.contains(&(case_id.as_str(), segment.id.as_str())) {
                SegmentRole::Seed
            } else if rejected.contains(segment.id.as_str()) {
                SegmentRole::Excluded
            } else {
                SegmentRole::Candidate
            };
            index.add(case_id, &segment.id, role, &segment.text);
        }
    }
    let top = query.top.unwrap_or(DEFAULT_TOP).clamp(1, MAX_TOP);
    let suggestions = index
        .rank(top)
        .into_iter()
        .filter_map(|s| {
            let segment = study.cases.get(&s.case)?.segments.iter().find(|x| x.id == s.segment)?;
            Some(SimilarSegment {
                start: segment.start,
                end: segment.end,
                text: segment.text.clone(),
                case: s.case,
                segment: s.segment,
                score: (s.score * 1e6).round() / 1e6,
                terms: s.terms.into_iter().map(|t| t.term).collect(),
            })
        })
        .collect();
    Ok(Json(SimilarView { code: query.code, seeds: seeds.len(), suggestions }))
}
