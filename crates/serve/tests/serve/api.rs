//! The HTTP API, in process: access checks, saving, stale writes, bad bodies.
//!
//! Expected offsets are code points into the fixture file, counted
//! independently with Python (`open(f, encoding="utf-8").read().index(w)`).

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use qda_coding::{Codebook, Transcript, sha256_hex};
use qda_serve::{Config, LoadedTranscript, Study};
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const HOST: &str = "127.0.0.1:4000";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A study folder of its own: the codebook, the Korean transcript and (once
/// written) the codings file.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for name in ["motives.toml", "K01.txt"] {
            std::fs::copy(fixtures().join(name), dir.path().join(name)).unwrap();
        }
        Setup { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn codings(&self) -> PathBuf {
        self.path("anna.json")
    }

    fn app(&self) -> Router {
        self.try_app().unwrap()
    }

    fn try_app(&self) -> Result<Router, qda_serve::ServeError> {
        self.try_app_blind(false)
    }

    /// The app started with `--blind` or without.
    fn try_app_blind(&self, blind: bool) -> Result<Router, qda_serve::ServeError> {
        let codebook_path = self.path("motives.toml");
        let codebook =
            Codebook::parse(&codebook_path, &std::fs::read_to_string(&codebook_path).unwrap())
                .unwrap();
        let file = self.path("K01.txt");
        let transcript = Transcript::parse(&file, &std::fs::read(&file).unwrap()).unwrap();
        let loaded = LoadedTranscript { transcript, file, shown_path: "K01.txt".to_owned() };
        let study = Study::new(codebook, vec![loaded]).unwrap();
        qda_serve::app(Config {
            study,
            coder: "anna".to_owned(),
            codings: self.codings(),
            compare: Vec::new(),
            reanchor_command:
                "qda reanchor codebook.toml . --codings anna.json -o anna.reanchored.json"
                    .to_owned(),
            provenance: json!({"tool": "qda", "command": "serve"}),
            blind,
            token: TOKEN.to_owned(),
            allowed_hosts: qda_serve::allowed_hosts(HOST.parse().unwrap(), &[]),
            memos: self.path("memos"),
        })
    }

    fn saved(&self) -> Option<Value> {
        std::fs::read(self.codings()).ok().map(|b| serde_json::from_slice(&b).unwrap())
    }

    fn version(&self) -> String {
        std::fs::read(self.codings()).map_or_else(|_| "none".to_owned(), |b| sha256_hex(&b))
    }
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::builder().uri(uri).header("host", HOST).header("x-qda-token", TOKEN)
}

fn post_json(body: &str) -> Request<Body> {
    get("/api/edits")
        .method("POST")
        .header("content-type", "application/json")
        .header("origin", format!("http://{HOST}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

fn add(version: &str, code: &str, start: usize, end: usize) -> String {
    json!({"version": version, "edits": [{"op": "add", "case": "K01", "code": code, "start": start, "end": end}]})
        .to_string()
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_request_without_the_right_token_is_refused() {
    let setup = Setup::new();
    let app = setup.app();
    let no_token = Request::builder().uri("/api/study").header("host", HOST);
    let (status, body) = send(&app, no_token.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error(&body).contains("no access token"), "{body}");

    let wrong = Request::builder()
        .uri("/api/edits")
        .method("POST")
        .header("host", HOST)
        .header("x-qda-token", "0123456789abcdef0123456789abcdee")
        .header("content-type", "application/json")
        .body(Body::from(add("none", "survival", 154, 167)))
        .unwrap();
    let (status, body) = send(&app, wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error(&body).contains("wrong access token"), "{body}");
    assert!(setup.saved().is_none(), "nothing may be written");

    // The token in the query string (the printed URL) opens the page.
    let page = Request::builder().uri(format!("/?token={TOKEN}")).header("host", HOST);
    let response = app.clone().oneshot(page.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn a_foreign_host_or_origin_is_refused() {
    let setup = Setup::new();
    let app = setup.app();
    // DNS rebinding: the browser sends the attacker's host name.
    let rebound = Request::builder()
        .uri("/api/study")
        .header("host", "evil.example:4000")
        .header("x-qda-token", TOKEN);
    let (status, body) = send(&app, rebound.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error(&body).contains("Host header `evil.example:4000`"), "{body}");

    let cross_site = get("/api/edits")
        .method("POST")
        .header("content-type", "application/json")
        .header("origin", "http://evil.example")
        .body(Body::from(add("none", "survival", 154, 167)))
        .unwrap();
    let (status, body) = send(&app, cross_site).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error(&body).contains("http://evil.example"), "{body}");
    assert!(setup.saved().is_none(), "nothing may be written");

    let same_site = get("/api/study").header("origin", "http://localhost:4000");
    let (status, _) = send(&app, same_site.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_method_or_path_gets_a_clear_4xx() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, body) =
        send(&app, get("/api/edits").method("GET").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(error(&body).contains("does not take that method"), "{body}");
    let (status, _) =
        send(&app, get("/api/study").method("DELETE").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = send(&app, get("/api/nothing").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(setup.saved().is_none());
}

#[tokio::test]
async fn an_edit_is_saved_at_once_with_code_point_offsets_and_hashes() {
    let setup = Setup::new();
    let app = setup.app();
    // 정말로 follows an emoji, which is two UTF-16 units but one code point.
    let (status, body) = send(&app, post_json(&add("none", "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], setup.version());

    let saved = setup.saved().unwrap();
    assert_eq!(saved["coder"], "anna");
    let coding = &saved["codings"][0];
    assert_eq!(
        (coding["segment"].as_str(), coding["start"].as_u64(), coding["end"].as_u64()),
        (Some("K01:t4"), Some(233), Some(236))
    );
    assert_eq!(coding["coder"], "anna");
    assert_eq!(coding["source"]["type"], "manual");
    // The quote of what it covers, to find it again after the transcript is edited.
    assert_eq!(coding["source"]["quote"]["exact"], "정말로");
    let transcript = &saved["transcripts"][0];
    assert_eq!(transcript["case"], "K01");
    assert_eq!(transcript["sha256"], sha256_hex(&std::fs::read(setup.path("K01.txt")).unwrap()));
    assert_eq!(transcript["reviewed"], json!(["K01:t4"]));
    assert_eq!(saved["provenance"]["command"], "serve");

    // The file is a codings file the rest of qda reads and checks.
    let text = std::fs::read_to_string(setup.codings()).unwrap();
    let file = qda_coding::CodingsFile::parse(&setup.codings(), &text).unwrap();
    assert_eq!(file.codings[0].code, "freedom");

    // A restart shows exactly what was saved.
    let restarted = setup.app();
    let (status, case) = send(&restarted, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    // The page gets each coding as saved, without its quote.
    let shown: Vec<Value> = saved["codings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({"case": c["case"], "segment": c["segment"], "code": c["code"], "start": c["start"], "end": c["end"]}))
        .collect();
    assert_eq!(case["codings"], json!(shown));
    assert_eq!(case["version"], setup.version());

    // A memo, then removal; both saved.
    let version = setup.version();
    let memo = json!({"version": version, "edits": [{"op": "memo", "case": "K01", "segment": "K01:t4", "code": "freedom", "start": 233, "end": 236, "memo": "정말로 = really"}]});
    let (status, body) = send(&restarted, post_json(&memo.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["codings"][0]["source"]["memo"], "정말로 = really");
    let remove = json!({"version": setup.version(), "edits": [{"op": "remove", "case": "K01", "segment": "K01:t4", "code": "freedom", "start": 233, "end": 236}]});
    let (status, body) = send(&restarted, post_json(&remove.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved = setup.saved().unwrap();
    assert_eq!(saved["codings"], json!([]));
    assert_eq!(saved["transcripts"][0]["reviewed"], json!(["K01:t4"]), "still reviewed");
}

/// The answer to a save says what it changed — each touched segment's
/// codings, the case's counts, assignments and reviewed segments — as a
/// full reload of the study and the case would show them, so the page
/// patches those and reads nothing else.
#[tokio::test]
async fn the_answer_to_a_save_carries_what_changed() {
    let setup = Setup::new();
    let app = setup.app();
    let batch = json!({"version": "none", "edits": [
        {"op": "add", "case": "K01", "code": "freedom", "start": 233, "end": 236},
        {"op": "add", "case": "K01", "code": "survival", "start": 154, "end": 186},
        {"op": "memo", "case": "K01", "segment": "K01:t4", "code": "freedom", "start": 233, "end": 236, "memo": "really"},
    ]});
    let (status, body) = send(&app, post_json(&batch.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], setup.version());
    assert_eq!(body["blind"], false);
    let (_, study) = send(&app, get("/api/study").body(Body::empty()).unwrap()).await;
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    let codings = case["codings"].as_array().unwrap();
    let on = |segment: &str| -> Vec<Value> {
        codings.iter().filter(|c| c["segment"] == segment).cloned().collect()
    };
    // The touched segments in text order, each with all its codings.
    assert_eq!(
        body["segments"],
        json!([
            {"case": "K01", "segment": "K01:t2", "codings": on("K01:t2"), "memos": []},
            {"case": "K01", "segment": "K01:t4", "codings": on("K01:t4"), "memos": []},
        ])
    );
    assert_eq!(body["segments"][1]["codings"][0]["memo"], "really");
    let summary = &study["cases"][0];
    assert_eq!(summary["counts"], json!({"freedom": 1, "survival": 1}));
    assert_eq!(
        body["cases"],
        json!([{"case": "K01", "counts": summary["counts"], "assigned": summary["assigned"],
                "reviewed": case["reviewed"]}])
    );
    // Both participant turns are reviewed: all of them, written as null.
    assert_eq!(body["cases"][0]["reviewed"], Value::Null);

    // A removal answers with the segment left without codings.
    let remove = json!({"version": setup.version(), "edits": [{"op": "remove", "case": "K01", "segment": "K01:t4", "code": "freedom", "start": 233, "end": 236}]});
    let (status, body) = send(&app, post_json(&remove.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["segments"],
        json!([{"case": "K01", "segment": "K01:t4", "codings": [], "memos": []}])
    );
    assert_eq!(body["cases"][0]["counts"], json!({"survival": 1}));
    assert_eq!(body["cases"][0]["assigned"], json!({"motive": "survival"}));
}

#[tokio::test]
async fn a_stale_write_is_refused_and_nothing_is_lost() {
    let setup = Setup::new();
    let app = setup.app();
    // Two tabs load the same version.
    let (status, _) = send(&app, post_json(&add("none", "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK);
    let before = std::fs::read(setup.codings()).unwrap();
    // The second tab still holds the version it loaded.
    let (status, body) = send(&app, post_json(&add("none", "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error(&body).contains("changed since this page loaded it"), "{body}");
    assert_eq!(body["version"], setup.version());
    assert_eq!(std::fs::read(setup.codings()).unwrap(), before, "the first tab's edit stays");
}

/// A codings file replaced under the running server (another coder's file
/// copied over it) is never saved into: the next edit is refused, the file
/// on disk stays the one copied in, and the server's last save is kept.
#[tokio::test]
async fn a_file_swapped_under_the_server_is_kept_and_the_next_edit_refused() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, body) = send(&app, post_json(&add("none", "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let served = std::fs::read(setup.codings()).unwrap();
    let mut other = setup.saved().unwrap();
    other["coder"] = json!("ben");
    other["codings"][0]["coder"] = json!("ben");
    let swapped = serde_json::to_vec_pretty(&other).unwrap();
    std::fs::write(setup.codings(), &swapped).unwrap();
    // The page reloads and so holds the version on disk now: still refused.
    for version in [sha256_hex(&served), setup.version()] {
        let (status, body) = send(&app, post_json(&add(&version, "freedom", 233, 236))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(error(&body).contains("was changed outside this server"), "{body}");
        assert_eq!(body["version"], setup.version());
        assert_eq!(std::fs::read(setup.codings()).unwrap(), swapped);
    }
    let kept = setup.path(&format!("anna.served-{}.json", &sha256_hex(&served)[..12]));
    assert_eq!(std::fs::read(&kept).unwrap(), served, "the server's last save is kept beside it");
    // Put back, the file is saved into again.
    std::fs::write(setup.codings(), &served).unwrap();
    let (status, body) = send(&app, post_json(&add(&setup.version(), "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn bad_bodies_and_unknown_names_get_a_clear_4xx_and_write_nothing() {
    let setup = Setup::new();
    let app = setup.app();
    let cases: Vec<(String, StatusCode, &str)> = vec![
        ("{\"version\": \"none\", \"edits\": [".to_owned(), StatusCode::BAD_REQUEST, "not a valid edit request"),
        (json!({"version": "none", "edits": [{"op": "paint"}]}).to_string(), StatusCode::BAD_REQUEST, "unknown variant `paint`"),
        (json!({"version": "none", "edits": []}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "no edits"),
        (add("none", "survivl", 154, 167), StatusCode::UNPROCESSABLE_ENTITY, "unknown code `survivl`; did you mean `survival`?"),
        (add("none", "motive", 154, 167), StatusCode::UNPROCESSABLE_ENTITY, "not codable"),
        (json!({"version": "none", "edits": [{"op": "add", "case": "K99", "code": "survival", "start": 1, "end": 2}]}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "unknown case `K99`"),
        (add("none", "survival", 150, 167), StatusCode::UNPROCESSABLE_ENTITY, "does not lie inside one segment"),
        (add("none", "survival", 167, 167), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
        (add("none", "survival", 134, 137), StatusCode::UNPROCESSABLE_ENTITY, "interviewer turn"),
        (json!({"version": "none", "edits": [{"op": "remove", "case": "K01", "segment": "K01:t9", "code": "survival", "start": 1, "end": 2}]}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "no segment `K01:t9`"),
        (json!({"version": "none", "edits": [{"op": "remove", "case": "K01", "segment": "K01:t2", "code": "survival", "start": 154, "end": 167}]}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "there is no coding"),
        // The second edit fails: the first is not applied either.
        (json!({"version": "none", "edits": [{"op": "add", "case": "K01", "code": "survival", "start": 154, "end": 167}, {"op": "add", "case": "K01", "code": "nope", "start": 154, "end": 167}]}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "edit 2: unknown code `nope`"),
    ];
    for (body, status, message) in cases {
        let (got, answer) = send(&app, post_json(&body)).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert!(error(&answer).contains(message), "{body} → {answer}");
        assert!(setup.saved().is_none(), "{body} wrote the file");
    }
    let not_json = get("/api/edits")
        .method("POST")
        .header("content-type", "text/plain")
        .body(Body::from(add("none", "survival", 154, 167)))
        .unwrap();
    let (status, _) = send(&app, not_json).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(setup.saved().is_none());
}

#[tokio::test]
async fn a_transcript_changed_on_disk_is_reported_not_re_offset() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, _) = send(&app, post_json(&add("none", "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK);
    let mut text = std::fs::read_to_string(setup.path("K01.txt")).unwrap();
    text = text.replace("I: 어떻게", "I: 그럼 어떻게");
    std::fs::write(setup.path("K01.txt"), text).unwrap();
    let before = std::fs::read(setup.codings()).unwrap();

    // The running server notices before saving.
    let (status, body) = send(&app, post_json(&add(&setup.version(), "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error(&body).contains("changed on disk since the server started"), "{body}");

    // A restarted server reports the case and shows none of its codings.
    let restarted = setup.app();
    let (status, case) = send(&restarted, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(case["changed"].as_str().unwrap().contains("changed since these codings were made"));
    assert_eq!(case["codings"], json!([]));
    let (status, body) =
        send(&restarted, post_json(&add(&setup.version(), "freedom", 234, 237))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(std::fs::read(setup.codings()).unwrap(), before);
}

#[tokio::test]
async fn the_page_carries_codings_over_to_a_changed_transcript() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, _) = send(&app, post_json(&add("none", "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK);
    let coded = setup.saved().unwrap()["codings"][0]["source"]["quote"]["exact"].clone();
    let text = std::fs::read_to_string(setup.path("K01.txt")).unwrap();
    std::fs::write(setup.path("K01.txt"), text.replace("I: 어떻게", "I: 그럼 어떻게")).unwrap();
    let before = std::fs::read(setup.codings()).unwrap();

    let restarted = setup.app();
    let (_, case) = send(&restarted, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    let changed = case["changed"].as_str().unwrap();
    assert!(changed.contains("use the button below, or stop the server and run `qda reanchor "));

    let reanchor = |version: &str| {
        get("/api/reanchor")
            .method("POST")
            .header("content-type", "application/json")
            .header("origin", format!("http://{HOST}"))
            .body(Body::from(json!({ "version": version }).to_string()))
            .unwrap()
    };
    let (status, body) = send(&restarted, reanchor("stale")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = send(&restarted, reanchor(&setup.version())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["moved"].as_u64(), body["lost"].as_u64()), (Some(1), Some(0)), "{body}");
    assert_eq!(body["version"], setup.version());

    // The coding covers the same words at its new offsets, and the file as
    // it was is kept beside it.
    let saved = setup.saved().unwrap();
    let coding = &saved["codings"][0];
    assert_eq!(coding["source"]["quote"]["exact"], coded);
    assert_eq!(coding["start"].as_u64(), Some(154 + 3));
    let backup = body["backup"].as_str().unwrap();
    assert_eq!(std::fs::read(backup).unwrap(), before);
    let (_, case) = send(&restarted, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert!(case.get("changed").is_none(), "{case}");
    assert_eq!(case["codings"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_codings_file_of_another_coder_is_refused_at_start() {
    let setup = Setup::new();
    std::fs::write(
        setup.codings(),
        json!({"coder": "ben", "codings": [], "transcripts": []}).to_string(),
    )
    .unwrap();
    let error = setup.try_app().unwrap_err().to_string();
    assert!(error.contains("holds codings by `ben`, not `anna`"), "{error}");
}

#[tokio::test]
async fn the_comparison_with_the_rules_marks_disagreements() {
    let setup = Setup::new();
    let app = setup.app();
    // The rules code K01:t2 `survival`; anna codes it `freedom` instead.
    let (status, _) = send(&app, post_json(&add("none", "freedom", 154, 167))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) =
        send(&app, get("/api/compare?with=rules").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["other"], "rules");
    let disagreements = body["disagreements"].as_array().unwrap();
    assert_eq!(
        disagreements,
        &vec![
            json!({"case": "K01", "segment": "K01:t2", "code": "survival", "mine": false}),
            json!({"case": "K01", "segment": "K01:t2", "code": "freedom", "mine": true}),
        ]
    );
    // anna reviewed only K01:t2: one unit with two values per code, which disagree.
    let survival = &body["rows"][0];
    assert_eq!(
        (survival["code"].as_str(), survival["units"].as_u64()),
        (Some("survival"), Some(1))
    );
    assert_eq!(survival["percent_agreement"], 0.0);
    let (status, _) =
        send(&app, get("/api/compare?with=nobody").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rejecting_a_suggestion_marks_the_segment_reviewed() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    // The rule `배고파*` matches 배고파서 (154..158) in K01:t2 (154..186).
    assert_eq!(
        case["suggestions"],
        json!([{"segment": "K01:t2", "code": "survival", "start": 154, "end": 186, "term": "배고파*", "match_start": 154, "match_end": 158}])
    );
    assert_eq!(case["reviewed"], json!([]));

    let edits =
        |version: &str, edits: Value| json!({"version": version, "edits": edits}).to_string();
    let reject = edits("none", json!([{"op": "review", "case": "K01", "segment": "K01:t2"}]));
    let (status, body) = send(&app, post_json(&reject)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["transcripts"][0]["reviewed"], json!(["K01:t2"]));
    assert_eq!(setup.saved().unwrap()["codings"], json!([]));

    // Coding the other codable segment reviews every one: written as "all".
    let (status, body) = send(&app, post_json(&add(&setup.version(), "freedom", 206, 237))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["transcripts"][0].get("reviewed"), None);

    let undo =
        edits(&setup.version(), json!([{"op": "unreview", "case": "K01", "segment": "K01:t2"}]));
    let (status, body) = send(&app, post_json(&undo)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["transcripts"][0]["reviewed"], json!(["K01:t4"]));

    let coded =
        edits(&setup.version(), json!([{"op": "unreview", "case": "K01", "segment": "K01:t4"}]));
    let (status, body) = send(&app, post_json(&coded)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error(&body).contains("has codings; remove them first"), "{body}");
}

/// `qda serve --blind`: no suggestions and no comparison until the coder
/// turns blind mode off, and the codings file records each step.
#[tokio::test]
async fn blind_mode_hides_suggestions_and_comparisons_until_turned_off() {
    let setup = Setup::new();
    let app = setup.try_app_blind(true).unwrap();
    let study = || get("/api/study").body(Body::empty()).unwrap();
    let case = || get("/api/cases/K01").body(Body::empty()).unwrap();
    let compare = || get("/api/compare?with=rules").body(Body::empty()).unwrap();

    let (_, body) = send(&app, study()).await;
    assert_eq!(body["blind"], true);
    let (_, body) = send(&app, case()).await;
    assert_eq!(body["suggestions"], json!([]));
    let (status, body) = send(&app, compare()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error(&body).contains("blind coding"), "{body}");

    let (status, body) = send(&app, post_json(&add("none", "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["blinding"], "blind");
    // A restart without --blind keeps a blind file blind.
    let (_, body) = send(&setup.app(), case()).await;
    assert_eq!(body["suggestions"], json!([]));

    let unblind = json!({"version": setup.version(), "edits": [{"op": "unblind"}]}).to_string();
    let (status, body) = send(&app, post_json(&unblind)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["blinding"], "unblinded");
    let (_, body) = send(&app, study()).await;
    assert_eq!(body["blind"], false);
    let (_, body) = send(&app, case()).await;
    assert!(!body["suggestions"].as_array().unwrap().is_empty(), "{body}");
    let (status, _) = send(&app, compare()).await;
    assert_eq!(status, StatusCode::OK);
    let again = json!({"version": setup.version(), "edits": [{"op": "unblind"}]}).to_string();
    let (status, body) = send(&app, post_json(&again)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error(&body).contains("already off"), "{body}");

    // What was seen cannot be hidden again.
    let err = setup.try_app_blind(true).unwrap_err().to_string();
    assert!(err.contains("--blind cannot hide what was already seen"), "{err}");
}

#[tokio::test]
async fn coding_with_suggestions_on_view_is_recorded_as_open() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, body) = send(&app, post_json(&add("none", "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["blinding"], "open");
    let err = setup.try_app_blind(true).unwrap_err().to_string();
    assert!(err.contains("made with the rules' suggestions on view"), "{err}");
}

/// A memo on a segment without codes (from a sheet) is on the page and
/// survives an edit.
#[tokio::test]
async fn segment_memos_are_shown_and_kept() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, body) = send(&app, post_json(&add("none", "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut saved = setup.saved().unwrap();
    saved["memos"] = json!([{"case": "K01", "segment": "K01:t2", "coder": "anna", "memo": "Ask about the date."}]);
    std::fs::write(setup.codings(), serde_json::to_vec_pretty(&saved).unwrap()).unwrap();
    // A file changed outside the server is coded after a restart.
    let app = setup.app();
    let (_, body) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(body["memos"][0]["memo"], "Ask about the date.");
    let (status, body) = send(&app, post_json(&add(&setup.version(), "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["memos"], saved["memos"]);
}

/// A memo given to a coding imported from another tool's selection keeps
/// the record of that selection, so the export still writes it whole.
#[tokio::test]
async fn a_memo_keeps_the_selection_a_coding_was_imported_from() {
    let setup = Setup::new();
    let app = setup.app();
    let (status, body) = send(&app, post_json(&add("none", "freedom", 233, 236))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut saved = setup.saved().unwrap();
    let imported =
        json!({"guid": "F0000000-0000-0000-0000-000000000000", "start": 230, "end": 240});
    saved["codings"][0]["source"]["imported"] = imported.clone();
    std::fs::write(setup.codings(), serde_json::to_vec_pretty(&saved).unwrap()).unwrap();
    let app = setup.app();
    let memo = json!({"version": setup.version(), "edits": [{"op": "memo", "case": "K01", "segment": "K01:t4", "code": "freedom", "start": 233, "end": 236, "memo": "from NVivo"}]});
    let (status, body) = send(&app, post_json(&memo.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let source = &setup.saved().unwrap()["codings"][0]["source"];
    assert_eq!(source["memo"], "from NVivo");
    assert_eq!(source["imported"], imported);
}

/// A span of white space only is refused, as the page trims selections.
#[tokio::test]
async fn a_span_of_white_space_only_is_refused() {
    let setup = Setup::new();
    let app = setup.app();
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    let (start, end) = case["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["interviewer"] == false)
        .find_map(|s| {
            let text: Vec<char> = s["text"].as_str().unwrap().chars().collect();
            let at = s["start"].as_u64().unwrap() as usize;
            let i = text.windows(2).position(|w| w[0] == ' ' && w[1] == ' ').map(|i| (i, 2));
            let i = i.or_else(|| text.iter().position(|c| *c == ' ').map(|i| (i, 1)))?;
            Some((at + i.0, at + i.0 + i.1))
        })
        .unwrap();
    let (status, body) = send(&app, post_json(&add("none", "survival", start, end))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error(&body).contains("only white space"), "{body}");
    assert!(setup.saved().is_none());
}

/// A body over the limit is refused in JSON, as every answer is.
#[tokio::test]
async fn a_body_too_large_is_refused_in_json() {
    let setup = Setup::new();
    let app = setup.app();
    let memo = "x".repeat(3 * 1024 * 1024);
    let body = json!({"version": "none", "edits": [{"op": "add", "case": "K01", "code": "survival", "start": 154, "end": 167, "memo": memo}]});
    let (status, body) = send(&app, post_json(&body.to_string())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error(&body).contains("too large"), "{body}");
    assert!(setup.saved().is_none());
}

/// The browser's own request for an icon needs no token.
#[tokio::test]
async fn the_favicon_request_is_answered_without_a_token() {
    let setup = Setup::new();
    let app = setup.app();
    let request = Request::builder().uri("/favicon.ico").header("host", HOST).body(Body::empty());
    let response = app.clone().oneshot(request.unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

/// Temporary files a killed save of this codings file left are removed at
/// start; others are not.
#[tokio::test]
async fn stale_temporary_files_of_the_codings_file_are_removed_at_start() {
    let setup = Setup::new();
    std::fs::write(setup.path(".anna.json.tmpAbC123"), "{").unwrap();
    std::fs::write(setup.path(".ben.json.tmpAbC123"), "{").unwrap();
    std::fs::write(setup.path(".tmpXyZ789"), "{").unwrap();
    let app = setup.app();
    assert!(!setup.path(".anna.json.tmpAbC123").exists());
    assert!(setup.path(".ben.json.tmpAbC123").exists());
    assert!(setup.path(".tmpXyZ789").exists());
    let (status, body) = send(&app, post_json(&add("none", "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let left: Vec<_> = std::fs::read_dir(setup.path("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".anna.json.tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A transcript edited on disk while the server runs is reported on the next
/// page load, before any save is tried.
#[tokio::test]
async fn a_transcript_changed_while_serving_is_shown_on_the_next_load() {
    let setup = Setup::new();
    let app = setup.app();
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert!(case.get("changed").is_none_or(Value::is_null), "{case}");
    let mut text = std::fs::read(setup.path("K01.txt")).unwrap();
    text.extend_from_slice(b"\n");
    std::fs::write(setup.path("K01.txt"), text).unwrap();
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert!(case["changed"].as_str().unwrap_or_default().contains("changed on disk"), "{case}");
    assert_eq!(case["restart"], true, "carrying codings over does not help: {case}");
    let (_, study) = send(&app, get("/api/study").body(Body::empty()).unwrap()).await;
    let changed = study["cases"][0]["changed"].as_str().unwrap_or_default();
    assert!(changed.contains("changed on disk since the server started"), "{study}");
}

fn post_to(uri: &str, body: &Value) -> Request<Body> {
    get(uri)
        .method("POST")
        .header("content-type", "application/json")
        .header("origin", format!("http://{HOST}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_segment_memo_without_a_code_is_set_and_cleared() {
    let setup = Setup::new();
    let app = setup.app();
    let memo = |version: String, memo: &str| json!({"version": version, "edits": [{"op": "segment_memo", "case": "K01", "segment": "K01:t2", "memo": memo}]});
    let (status, body) =
        send(&app, post_to("/api/edits", &memo(setup.version(), " 배고파서: background? "))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The answer carries the segment's memo, for the page to patch.
    assert_eq!(body["segments"][0]["memos"][0]["memo"], "배고파서: background?");
    let saved = setup.saved().unwrap();
    assert_eq!(
        saved["memos"],
        json!([{"case": "K01", "segment": "K01:t2", "coder": "anna", "memo": "배고파서: background?"}])
    );
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(case["memos"][0]["memo"], "배고파서: background?");
    // Not on a coded segment: that memo is the coding's.
    let (status, _) = send(&app, post_json(&add(&setup.version(), "survival", 154, 167))).await;
    assert_eq!(status, StatusCode::OK);
    let coded = json!({"version": setup.version(), "edits": [{"op": "segment_memo", "case": "K01", "segment": "K01:t2", "memo": "x"}]});
    let (status, body) = send(&app, post_to("/api/edits", &coded)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error(&body),
        "segment `K01:t2` has codings; a memo on a coded segment is its coding's (op `memo`)"
    );
    let (status, _) = send(&app, post_to("/api/edits", &memo(setup.version(), ""))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "still coded");
    let remove = json!({"version": setup.version(), "edits": [
        {"op": "remove", "case": "K01", "segment": "K01:t2", "code": "survival", "start": 154, "end": 167},
        {"op": "segment_memo", "case": "K01", "segment": "K01:t2", "memo": ""}]});
    let (status, body) = send(&app, post_to("/api/edits", &remove)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(setup.saved().unwrap()["memos"], Value::Null, "no memos left");
}

#[tokio::test]
async fn a_case_memo_is_saved_atomically_and_a_stale_save_is_refused() {
    let setup = Setup::new();
    let app = setup.app();
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(case["case_memo"], json!({"memo": "", "version": ""}));
    let save = |version: &str, memo: &str| json!({"case": "K01", "version": version, "memo": memo});
    let (status, body) =
        send(&app, post_to("/api/case-memo", &save("", "자유: 늦게 찾았다.\n"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let file = setup.path("memos/cases/K01.md");
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(bytes, "자유: 늦게 찾았다.\n".as_bytes());
    assert_eq!(body["version"], sha256_hex(&bytes));
    assert!(!setup.path("memos/cases/.K01.md.lock").exists(), "the lock is released");
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(case["case_memo"]["memo"], "자유: 늦게 찾았다.");

    // Edited on disk meanwhile: the page's version is stale.
    std::fs::write(&file, "changed in an editor\n").unwrap();
    let (status, body) =
        send(&app, post_to("/api/case-memo", &save(&sha256_hex(&bytes), "mine"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error(&body).ends_with(
            "K01.md changed on disk since the page read it; reload to see it, then edit again"
        ),
        "{body}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "changed in an editor\n");
    // Held by another program: refused, nothing written.
    let version = sha256_hex(b"changed in an editor\n");
    let lock = qda_serve::CodingsLock::acquire(&file, "an editor").unwrap();
    let (status, _) = send(&app, post_to("/api/case-memo", &save(&version, "mine"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    drop(lock);
    // Cleared: the file is removed.
    let (status, body) = send(&app, post_to("/api/case-memo", &save(&version, "  "))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!file.exists());
    let (status, _) =
        send(&app, post_to("/api/case-memo", &json!({"case": "K99", "version": "", "memo": "x"})))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_front_matter_case_memo_is_shown_but_not_edited() {
    let setup = Setup::new();
    let text = std::fs::read_to_string(setup.path("K01.txt")).unwrap();
    std::fs::write(
        setup.path("K01.txt"),
        text.replacen(
            "case = \"K01\"\n",
            "case = \"K01\"\nmemo = \"From the interview notes.\"\n",
            1,
        ),
    )
    .unwrap();
    let app = setup.app();
    let (_, case) = send(&app, get("/api/cases/K01").body(Body::empty()).unwrap()).await;
    assert_eq!(case["case_memo"]["memo"], "From the interview notes.");
    assert!(case["case_memo"]["read_only"].as_str().unwrap().contains("front matter"));
    let (status, _) =
        send(&app, post_to("/api/case-memo", &json!({"case": "K01", "version": "", "memo": "x"})))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!setup.path("memos").exists());
}

#[tokio::test]
async fn a_case_id_that_is_no_file_name_cannot_write_a_memo() {
    let setup = Setup::new();
    let text = std::fs::read_to_string(setup.path("K01.txt")).unwrap();
    std::fs::write(
        setup.path("K01.txt"),
        text.replacen("case = \"K01\"", "case = \"../escape\"", 1),
    )
    .unwrap();
    let app = setup.app();
    let body = json!({"case": "../escape", "version": "", "memo": "x"});
    let (status, body) = send(&app, post_to("/api/case-memo", &body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error(&body).starts_with("case `../escape` cannot name a memo file"), "{body}");
    assert!(!setup.path("escape.md").exists() && !setup.path("memos").exists());
}
