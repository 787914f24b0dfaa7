//! The page and the JSON API (see `docs/serve.md`).

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qda_coding::{Attributes, CaseCodes, Coding, SegmentMemo, Source, assign};
use serde::{Deserialize, Serialize};

use crate::changes::{self, Changes};
use crate::error::{ApiError, ServeError};
use crate::state::AppState;
use crate::store::{self, Edit, Snapshot};
use crate::study::SegmentView;

const INDEX: &str = include_str!("../assets/index.html");
const SCRIPT: &str = include_str!("../assets/app.js");
const STYLE: &str = include_str!("../assets/app.css");

pub(crate) fn routes(_state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(script))
        .route("/assets/app.css", get(style))
        // Browsers ask for it; there is none, and no token to ask for.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/study", get(study))
        .route("/api/cases/{case}", get(case))
        .route("/api/edits", post(edits))
        .route("/api/case-memo", post(crate::memos::save_case_memo))
        .route("/api/reanchor", post(crate::reanchor::reanchor))
        .route("/api/compare", get(crate::compare::compare))
        .route("/api/similar", get(crate::similar::similar))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}

async fn index() -> Html<&'static str> {
    Html(INDEX)
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this address does not take that method; see docs/serve.md".to_owned(),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or API; see docs/serve.md".to_owned())
}

/// The codebook and the case list.
#[derive(Serialize)]
struct StudyView<'a> {
    coder: &'a str,
    codings: String,
    version: String,
    codebook: CodebookView<'a>,
    cases: Vec<CaseSummary<'a>>,
    compare: Vec<String>,
    /// Whether the page hides the rules' suggestions and other coders'
    /// codings (until the coder turns blind mode off).
    blind: bool,
}

#[derive(Serialize)]
struct CodebookView<'a> {
    name: &'a str,
    unit: &'static str,
    codes: Vec<CodeView<'a>>,
}

#[derive(Serialize)]
struct CodeView<'a> {
    id: &'a str,
    label: &'a str,
    parent: Option<&'a str>,
    codable: bool,
    exclusive: bool,
    definition: Option<&'a str>,
    include: Option<&'a str>,
    exclude: Option<&'a str>,
    examples: &'a [String],
    color: Option<&'a str>,
}

#[derive(Serialize)]
struct CaseSummary<'a> {
    case: &'a str,
    path: &'a str,
    attributes: &'a Attributes,
    /// Segments per code, in this coder's codings.
    counts: BTreeMap<String, usize>,
    /// The child each exclusive parent assigns the case (`null` when none or unresolved).
    assigned: BTreeMap<String, Option<String>>,
    /// Why the case cannot be coded now, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<String>,
}

async fn study(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let snapshot = store::read_current(&state.codings, &state.coder, &state.lock_saving())?;
    let blind = store::is_blind(&snapshot.file, state.blind);
    let study = &state.study;
    let codebook = &study.codebook;
    let case_codes: Vec<CaseCodes> = study
        .cases
        .iter()
        .map(|(id, case)| {
            CaseCodes::new(id, case.transcript.attributes().clone(), &snapshot.file.codings)
        })
        .collect();
    let (groups, _) = assign(codebook, &case_codes, None);
    let cases = study
        .cases
        .iter()
        .zip(&case_codes)
        .enumerate()
        .map(|(i, ((id, case), codes))| CaseSummary {
            case: id,
            path: &case.shown_path,
            attributes: case.transcript.attributes(),
            counts: codes.segments.clone(),
            assigned: groups
                .iter()
                .map(|g| (g.parent.clone(), g.assignments[i].code.clone()))
                .collect(),
            changed: changed(&state, &snapshot, id),
        })
        .collect();
    let view = StudyView {
        coder: &state.coder,
        codings: state.codings.display().to_string(),
        version: snapshot.version.clone(),
        codebook: CodebookView {
            name: codebook.name(),
            unit: codebook.unit().as_str(),
            codes: codebook
                .codes()
                .iter()
                .map(|c| CodeView {
                    id: &c.id,
                    label: &c.label,
                    parent: c.parent.as_deref(),
                    codable: c.codable,
                    exclusive: c.exclusive,
                    definition: c.definition.as_deref(),
                    include: c.include.as_deref(),
                    exclude: c.exclude.as_deref(),
                    examples: &c.examples,
                    color: c.color.as_deref(),
                })
                .collect(),
        },
        cases,
        compare: if blind {
            Vec::new()
        } else {
            state.compare.iter().map(|(name, _)| name.clone()).collect()
        },
        blind,
    };
    Ok(Json(serde_json::to_value(view).map_err(|e| ApiError::from(ServeError::from(e)))?))
}

/// Why a case's codings cannot be shown or edited now: its transcript
/// changed since they were made, or on disk since the server started.
fn changed(state: &AppState, snapshot: &Snapshot, case_id: &str) -> Option<String> {
    let case = &state.study.cases[case_id];
    let Some(recorded) = snapshot.file.transcripts.iter().find(|s| s.case == case_id) else {
        return changed_on_disk(case);
    };
    if recorded.sha256 == case.transcript.sha256() {
        return changed_on_disk(case);
    }
    Some({
        format!(
            "{} changed since these codings were made (SHA-256 {} then, {} now); its codings are not shown, and it cannot be coded until they are carried over to the new text: use the button below, or stop the server and run `{}`",
            case.shown_path,
            recorded.sha256,
            case.transcript.sha256(),
            state.reanchor_command
        )
    })
}

/// A transcript edited on disk while the server runs, said on the next
/// page load rather than when a save is refused.
fn changed_on_disk(case: &crate::study::Case) -> Option<String> {
    let now = std::fs::read(&case.file).map(|b| qda_coding::sha256_hex(&b)).unwrap_or_default();
    (now != case.transcript.sha256()).then(|| {
        format!(
            "{} changed on disk since the server started; it cannot be coded until you restart `qda serve` to code the new version",
            case.shown_path
        )
    })
}

#[derive(Serialize)]
struct CaseView<'a> {
    case: &'a str,
    path: &'a str,
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<String>,
    /// The transcript changed on disk since the server started: only a
    /// restart helps, not carrying the codings over.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    restart: bool,
    segments: &'a [SegmentView],
    codings: Vec<CodingView<'a>>,
    /// Segments reviewed: `null` means every codable segment.
    reviewed: Option<Vec<String>>,
    /// The coder's memos on segments they gave no code.
    memos: Vec<&'a SegmentMemo>,
    /// The case's memo (`memos/cases/CASE.md`).
    case_memo: crate::memos::CaseMemoView,
    /// The rules' suggestions; none while the page is blind.
    suggestions: Vec<Suggestion<'a>>,
}

/// A coding as the page shows it: where, which code, and the memo; not
/// the quote, which only carrying codings over to a new text reads (and
/// which would make the answer for a thoroughly coded case several times
/// larger).
#[derive(Debug, Serialize)]
pub(crate) struct CodingView<'a> {
    case: &'a str,
    segment: &'a str,
    code: &'a str,
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    memo: Option<&'a str>,
}

impl<'a> From<&'a Coding> for CodingView<'a> {
    fn from(coding: &'a Coding) -> Self {
        let memo = match &coding.source {
            Source::Manual { memo, .. } => memo.as_deref(),
            Source::Rule { .. } => None,
        };
        CodingView {
            case: &coding.case,
            segment: &coding.segment,
            code: &coding.code,
            start: coding.start,
            end: coding.end,
            memo,
        }
    }
}

#[derive(Serialize)]
struct Suggestion<'a> {
    segment: &'a str,
    code: &'a str,
    start: usize,
    end: usize,
    term: &'a str,
    match_start: usize,
    match_end: usize,
}

async fn case(
    State(state): State<AppState>,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(case) = state.study.cases.get(&case_id) else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, format!("unknown case `{case_id}`")));
    };
    let snapshot = store::read_current(&state.codings, &state.coder, &state.lock_saving())?;
    let changed = changed(&state, &snapshot, &case_id);
    let codings = if changed.is_some() {
        Vec::new()
    } else {
        snapshot.file.codings.iter().filter(|c| c.case == case_id).map(CodingView::from).collect()
    };
    let reviewed = match snapshot.file.transcripts.iter().find(|s| s.case == case_id) {
        Some(source) => source.reviewed.clone(),
        None => Some(Vec::new()),
    };
    let blind = store::is_blind(&snapshot.file, state.blind);
    let memos = if changed.is_some() {
        Vec::new()
    } else {
        snapshot.file.memos.iter().filter(|m| m.case == case_id).collect()
    };
    let suggestions = case
        .suggestions
        .iter()
        .filter(|_| !blind)
        .filter_map(|c| match &c.source {
            Source::Rule { term, match_start, match_end, .. } => Some(Suggestion {
                segment: &c.segment,
                code: &c.code,
                start: c.start,
                end: c.end,
                term,
                match_start: *match_start,
                match_end: *match_end,
            }),
            Source::Manual { .. } => None,
        })
        .collect();
    let view = CaseView {
        case: &case_id,
        path: &case.shown_path,
        version: snapshot.version.clone(),
        restart: changed.is_some() && changed_on_disk(case).is_some(),
        changed,
        segments: &case.segments,
        codings,
        reviewed,
        memos,
        case_memo: crate::memos::case_memo(&state, &case_id)?,
        suggestions,
    };
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditRequest {
    /// The version of the codings file the page last saw.
    version: String,
    edits: Vec<Edit>,
}

#[derive(Serialize)]
struct EditResponse<'a> {
    version: String,
    /// Server-side time to check, apply and write, in milliseconds.
    elapsed_ms: f64,
    /// What the edits changed, for the page to patch.
    #[serde(flatten)]
    changes: Changes<'a>,
}

async fn edits(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    crate::security::require_json(&headers)?;
    let request: EditRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the request body is not a valid edit request: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    if request.edits.is_empty() {
        return Err(ApiError::unprocessable("no edits given".to_owned()));
    }
    let mut saved = state.lock_saving();
    let snapshot = store::read_for_edit(&saved, &state.codings, &request.version)?;
    let blind = store::is_blind(&snapshot.file, state.blind);
    let mut next = store::apply(&snapshot.file, &request.edits, &state.study, &state.coder, blind)
        .map_err(|e| e.with_version(snapshot.version.clone()))?;
    next.provenance = Some(state.provenance.clone());
    let version = store::write(&state.codings, next, &mut saved)?;
    let blind_now = store::is_blind(&saved.file, state.blind);
    let changes = changes::changes(&saved.file, &request.edits, &state.study, blind_now);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(Json(EditResponse { version, elapsed_ms, changes }).into_response())
}
