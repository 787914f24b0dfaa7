//! Case memos on the page: read from, and saved to, `cases/CASE.md` of the
//! study's memos folder. A save names the version of the file the page
//! last saw (the SHA-256 of its bytes, empty when there was none) and is
//! refused (409) when the file changed on disk since; it is written
//! atomically while holding the file's lock (`.CASE.md.lock`, as a codings
//! file's), so two servers (two coders) cannot save over each other. A
//! memo in the transcript's front matter is shown but not edited here:
//! editing it would change the transcript every coding was made on.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qda_coding::sha256_hex;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ServeError};
use crate::lock::CodingsLock;
use crate::state::AppState;

/// A case's memo as the page sees it.
#[derive(Debug, Serialize)]
pub(crate) struct CaseMemoView {
    /// The memo (empty when there is none).
    pub(crate) memo: String,
    /// The version to name when saving: the SHA-256 of the memo file's
    /// bytes, empty when there is no file.
    pub(crate) version: String,
    /// Why the page cannot edit it, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_only: Option<String>,
}

/// The memo file of `case` in the memos folder.
fn memo_path(folder: &Path, case: &str) -> PathBuf {
    folder.join("cases").join(format!("{case}.md"))
}

/// The file's bytes and version; none and an empty version when absent.
fn read_file(path: &Path) -> Result<(Option<Vec<u8>>, String), ApiError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let version = sha256_hex(&bytes);
            Ok((Some(bytes), version))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, String::new())),
        Err(e) => Err(ServeError::io(format!("{}: cannot read", path.display()))(e).into()),
    }
}

/// The case's memo now: from its memo file, or its transcript's front matter.
pub(crate) fn case_memo(state: &AppState, case_id: &str) -> Result<CaseMemoView, ApiError> {
    let case = &state.study.cases[case_id];
    if let Some(memo) = case.transcript.memo() {
        return Ok(CaseMemoView {
            memo: memo.trim().to_owned(),
            version: String::new(),
            read_only: Some(format!(
                "this memo is the `memo` of {}'s front matter; edit it there (qda serve does not change transcripts), or move it to memos/cases/{case_id}.md",
                case.shown_path
            )),
        });
    }
    // A case id is the memo file's name; one that is not a plain file
    // name must not reach outside the memos folder.
    if case_id.contains(['/', '\\']) || case_id.starts_with('.') {
        return Ok(CaseMemoView {
            memo: String::new(),
            version: String::new(),
            read_only: Some(format!(
                "case `{case_id}` cannot name a memo file (memos/cases/CASE.md); give the case an id without `/`, `\\` or a leading `.`"
            )),
        });
    }
    let Some(folder) = &state.memos else {
        return Ok(CaseMemoView {
            memo: String::new(),
            version: String::new(),
            read_only: Some("case memos are not edited in class mode".to_owned()),
        });
    };
    let path = memo_path(folder, case_id);
    let (bytes, version) = read_file(&path)?;
    let text = bytes.map(|b| String::from_utf8_lossy(&b).trim().to_owned()).unwrap_or_default();
    Ok(CaseMemoView { memo: text, version, read_only: None })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseMemoRequest {
    case: String,
    /// The version of the memo file the page last saw (`""`: none).
    version: String,
    /// The new memo; empty removes the memo file.
    memo: String,
}

#[derive(Serialize)]
struct CaseMemoSaved {
    version: String,
}

/// `POST /api/case-memo`: saves a case memo.
pub(crate) async fn save_case_memo(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    crate::security::require_json(&headers)?;
    let request: CaseMemoRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the request body is not a case memo: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    if !state.study.cases.contains_key(&request.case) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("unknown case `{}`", request.case),
        ));
    }
    let view = case_memo(&state, &request.case)?;
    if let Some(why) = view.read_only {
        return Err(ApiError::unprocessable(why));
    }
    let folder = state.memos.as_ref().expect("read_only is set without a memos folder");
    let path = memo_path(folder, &request.case);
    let cases = path.parent().expect("a file in cases/");
    std::fs::create_dir_all(cases)
        .map_err(|e| ServeError::io(format!("{}: cannot create the folder", cases.display()))(e))?;
    // Saves of this server one after the other; the lock file keeps other
    // processes out while the version is checked and the file replaced.
    let _saving = state.lock_saving();
    let _lock =
        CodingsLock::acquire(&path, "qda serve (saving a case memo)").map_err(|e| match e {
            ServeError::Locked(_) => ApiError::conflict(format!(
                "{}: another program is saving this memo right now; try again",
                path.display()
            )),
            other => other.into(),
        })?;
    let (_, now) = read_file(&path)?;
    if now != request.version {
        return Err(ApiError::conflict(format!(
            "{} changed on disk since the page read it; reload to see it, then edit again",
            path.display()
        ))
        .with_version(now));
    }
    let memo = request.memo.trim();
    let version = if memo.is_empty() {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ServeError::io(format!("{}: cannot remove", path.display()))(e).into());
            }
        }
        String::new()
    } else {
        let bytes = format!("{memo}\n").into_bytes();
        crate::store::write_bytes(&path, &bytes)?;
        sha256_hex(&bytes)
    };
    Ok(Json(CaseMemoSaved { version }).into_response())
}
