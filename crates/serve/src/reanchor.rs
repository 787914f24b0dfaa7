//! `POST /api/reanchor`: the coder's codings carried over to transcripts
//! edited since they were coded, as `qda reanchor` does, from the page.
//!
//! The file is rewritten in place (it is the server's only state), so the
//! file as it was is first kept beside it, named after its version: a coding
//! the page reports lost can always be looked up again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use qda_coding::{ErrorKind, Fate, Source, Transcript, sha256_hex};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ServeError};
use crate::state::AppState;
use crate::store;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReanchorRequest {
    /// The version of the codings file the page last saw.
    version: String,
}

/// What became of the codings.
#[derive(Serialize)]
pub(crate) struct ReanchorResponse {
    version: String,
    kept: usize,
    moved: usize,
    changed: usize,
    lost: usize,
    /// The file as it was, kept beside it.
    backup: String,
    /// Codings found on other text, and codings not found: the coder's to
    /// check and redo.
    attention: Vec<Attention>,
}

#[derive(Serialize)]
pub(crate) struct Attention {
    fate: Fate,
    case: String,
    segment: String,
    code: String,
    was: String,
    now: Option<String>,
    memo: Option<String>,
}

pub(crate) async fn reanchor(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ReanchorResponse>, ApiError> {
    crate::security::require_json(&headers)?;
    let request: ReanchorRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the request body is not {{\"version\": ...}}: {e}"),
        )
    })?;
    let mut saved = state.lock_saving();
    let snapshot = store::read_for_edit(&saved, &state.codings, &request.version)?;
    let study = &state.study;
    for case in study.cases.values() {
        let now = std::fs::read(&case.file).map(|b| sha256_hex(&b)).unwrap_or_default();
        if now != case.transcript.sha256() {
            return Err(ApiError::conflict(format!(
                "{} changed on disk since the server started; restart `qda serve` first",
                case.shown_path
            )));
        }
    }
    let now: BTreeMap<String, &Transcript> =
        study.cases.iter().map(|(id, case)| (id.clone(), &case.transcript)).collect();
    let reanchoring = snapshot
        .file
        .reanchor(&state.codings, study.codebook.unit(), &now, &BTreeMap::new())
        .map_err(|e| {
            let hint = if e.kind == ErrorKind::Missing {
                format!(
                    "; stop the server and run `{} --old-transcripts DIR` with the transcripts the codings were made on",
                    state.reanchor_command
                )
            } else {
                String::new()
            };
            ApiError::unprocessable(format!("{e}{hint}"))
        })?;

    let backup = backup_path(&state.codings, &snapshot.version);
    let original = std::fs::read(&state.codings).map_err(|e| {
        ApiError::from(ServeError::io(format!("{}: cannot read", state.codings.display()))(e))
    })?;
    store::write_bytes(&backup, &original)?;
    let mut file = reanchoring.file;
    file.provenance = Some(state.provenance.clone());
    let version = store::write(&state.codings, file, &mut saved)?;

    let mut response = ReanchorResponse {
        version,
        kept: 0,
        moved: 0,
        changed: 0,
        lost: 0,
        backup: backup.display().to_string(),
        attention: Vec::new(),
    };
    for r in reanchoring.cases.iter().flat_map(|c| &c.reanchoring.codings) {
        match r.fate {
            Fate::Kept => response.kept += 1,
            Fate::Moved => response.moved += 1,
            Fate::Changed => response.changed += 1,
            Fate::Lost => response.lost += 1,
        }
        if matches!(r.fate, Fate::Changed | Fate::Lost) {
            response.attention.push(Attention {
                fate: r.fate,
                case: r.old.case.clone(),
                segment: r.new.as_ref().map_or(&r.old.segment, |c| &c.segment).clone(),
                code: r.old.code.clone(),
                was: r.old_text.clone(),
                now: r.new_text().map(str::to_owned),
                memo: match &r.old.source {
                    Source::Manual { memo, .. } => memo.clone(),
                    Source::Rule { .. } => None,
                },
            });
        }
    }
    Ok(Json(response))
}

/// `codings/anna.json` → `codings/anna.before-reanchor-1a2b3c4d5e6f.json`:
/// named after the version, so a second carrying-over never replaces the
/// first one's copy.
fn backup_path(codings: &Path, version: &str) -> PathBuf {
    let stem = codings.file_stem().map_or_else(|| "codings".into(), |s| s.to_string_lossy());
    let short: String = version.chars().take(12).collect();
    codings.with_file_name(format!("{stem}.before-reanchor-{short}.json"))
}
