//! Who may talk to the server: requests must name an allowed `Host` (against
//! DNS rebinding), must not come from another site (`Origin`,
//! `Sec-Fetch-Site`), and must carry the access token, except for the page's
//! own script and style sheet, which hold no data.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ServeError};
use crate::state::AppState;

/// The header the page sends the token in.
pub(crate) const TOKEN_HEADER: &str = "x-qda-token";

/// The strict policy every response carries: only this server's own script,
/// style and API; nothing inline, nothing from elsewhere, no framing.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A random token of 32 hexadecimal digits (128 bits).
///
/// # Errors
/// The operating system has no randomness to give.
pub fn new_token() -> Result<String, ServeError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServeError::Setup(format!("no randomness for the access token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The checks, then the security headers on whatever the handler answered.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    guarded(&state.allowed_hosts, &state.token, request, next).await
}

/// [`guard`] for the holder of `token` on a server reached by `allowed_hosts`.
pub(crate) async fn guarded(
    allowed_hosts: &[String],
    token: &str,
    request: Request,
    next: Next,
) -> Response {
    let (path, query) = (request.uri().path(), request.uri().query());
    if let Err(e) = check(allowed_hosts, token, path, query, request.headers()) {
        return with_headers(e.into_response());
    }
    with_headers(json_too_large(next.run(request).await))
}

/// The body limit's refusal (413), answered in JSON like every other.
fn json_too_large(response: Response<Body>) -> Response<Body> {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || json {
        return response;
    }
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the request body is too large (over 2 MB); send fewer edits at once".to_owned(),
    )
    .into_response()
}

fn check(
    allowed_hosts: &[String],
    token: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !allowed_hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host)) {
        return Err(ApiError::forbidden(format!(
            "the Host header `{host}` is not this server's address; open the URL `qda serve` printed"
        )));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let allowed =
            allowed_hosts.iter().any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")));
        if !allowed {
            return Err(ApiError::forbidden(format!(
                "requests from `{origin}` are refused; only this server's own page may call it"
            )));
        }
    }
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return Err(ApiError::forbidden("cross-site requests are refused".to_owned()));
    }
    if path.starts_with("/assets/") || path == "/favicon.ico" {
        return Ok(());
    }
    match given_token(headers, query) {
        Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::unauthorized(
            "wrong access token; open the URL `qda serve` printed".to_owned(),
        )),
        None => Err(ApiError::unauthorized(
            "no access token; open the URL `qda serve` printed (it ends in ?token=...)".to_owned(),
        )),
    }
}

/// The token a request carries: the header's, else the query's.
pub(crate) fn given_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let from_header = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
    let from_query = query
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=")).map(str::to_owned));
    from_header.map(str::to_owned).or(from_query)
}

/// Compares without stopping at the first difference, so timing tells
/// nothing about the token.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn with_headers(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The token is in the page's URL: never send it on as a referrer.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Refuses a body that is not `application/json`, which a cross-site form
/// cannot send (see the security model in `docs/serve.md`).
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as JSON (Content-Type: application/json)".to_owned(),
        ))
    }
}
