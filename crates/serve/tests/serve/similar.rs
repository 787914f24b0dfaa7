//! "Suggest similar": the API ranks the segments most like those the coder
//! gave a code, a rejection is saved in the codings file and never
//! suggested again; and the same on the page, in headless Chromium.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use fantoccini::{Client, Locator};
use http_body_util::BodyExt;
use qda_coding::{Codebook, Transcript, sha256_hex};
use qda_serve::{Config, LoadedTranscript, Study};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::browser::{browser, start_browser, start_server};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const HOST: &str = "127.0.0.1:4000";

/// Five participant turns: two more about hunger and rice like the first,
/// two about reading freely.
const S01: &str = "+++
case = \"S01\"
+++
I: Why did you leave?
P: There was no rice and no work in our town, and my children were hungry every night.
I: And then?
P: We crossed the river because of hunger; there was no rice left at all.
I: What did you hope for?
P: I wanted to speak freely and read any book I liked.
I: How was the last winter?
P: Our town had no rice, and the children cried from hunger all winter.
I: And now?
P: Now I read books freely in the library.
";

/// A folder with the test codebook and `S01.txt`.
fn study_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("motives.toml"), dir.path().join("motives.toml")).unwrap();
    std::fs::write(dir.path().join("S01.txt"), S01).unwrap();
    dir
}

fn app(dir: &Path) -> Router {
    let codebook_path = dir.join("motives.toml");
    let codebook =
        Codebook::parse(&codebook_path, &std::fs::read_to_string(&codebook_path).unwrap()).unwrap();
    let file = dir.join("S01.txt");
    let transcript = Transcript::parse(&file, &std::fs::read(&file).unwrap()).unwrap();
    let loaded = LoadedTranscript { transcript, file, shown_path: "S01.txt".to_owned() };
    qda_serve::app(Config {
        study: Study::new(codebook, vec![loaded]).unwrap(),
        coder: "anna".to_owned(),
        codings: dir.join("anna.json"),
        compare: Vec::new(),
        reanchor_command: "qda reanchor".to_owned(),
        provenance: json!({"tool": "qda", "command": "serve"}),
        blind: false,
        token: TOKEN.to_owned(),
        allowed_hosts: qda_serve::allowed_hosts(HOST.parse().unwrap(), &[]),
        memos: dir.join("memos"),
    })
    .unwrap()
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .uri(uri)
        .header("host", HOST)
        .header("x-qda-token", TOKEN)
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

async fn edit(app: &Router, dir: &Path, edit: Value) -> (StatusCode, Value) {
    let version =
        std::fs::read(dir.join("anna.json")).map_or_else(|_| "none".to_owned(), |b| sha256_hex(&b));
    let request = Request::builder()
        .method("POST")
        .uri("/api/edits")
        .header("host", HOST)
        .header("x-qda-token", TOKEN)
        .header("content-type", "application/json")
        .header("origin", format!("http://{HOST}"))
        .body(Body::from(json!({"version": version, "edits": [edit]}).to_string()))
        .unwrap();
    send(app, request).await
}

fn segments(found: &Value) -> Vec<&str> {
    found["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn similar_segments_are_ranked_and_a_rejection_is_never_suggested_again() {
    let dir = study_dir();
    let app = app(dir.path());
    let (status, body) = get(&app, "/api/similar?code=survival").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"],
        "no segment is coded `survival` yet; code a few, then ask for similar ones"
    );
    let (status, body) = get(&app, "/api/similar?code=survivl").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "unknown code `survivl`; did you mean `survival`?");

    let (_, case) = get(&app, "/api/cases/S01").await;
    let t2 = case["segments"].as_array().unwrap().iter().find(|s| s["id"] == "S01:t2").unwrap();
    let (start, end) = (t2["start"].as_u64().unwrap(), t2["end"].as_u64().unwrap());
    let (status, _) = edit(
        &app,
        dir.path(),
        json!({"op": "add", "case": "S01", "code": "survival", "start": start, "end": end}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, found) = get(&app, "/api/similar?code=survival").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["seeds"], 1);
    // The two turns about rice and hunger first; the reading ones share
    // only common words with the seed.
    assert_eq!(segments(&found)[..2], ["S01:t8", "S01:t4"]);
    let first = &found["suggestions"][0];
    // `rice` and `hunger` are in three of the five turns, `children`, `our`
    // and `town` in two: the rarer words weigh more.
    assert_eq!(first["terms"], json!(["children", "our", "town", "and", "no"]));
    let segment =
        case["segments"].as_array().unwrap().iter().find(|s| s["id"] == "S01:t8").unwrap();
    assert_eq!(
        (first["start"].clone(), first["end"].clone()),
        (segment["start"].clone(), segment["end"].clone())
    );

    let reject = json!({"op": "reject", "case": "S01", "segment": "S01:t8", "code": "survival"});
    let (status, _) = edit(&app, dir.path(), reject).await;
    assert_eq!(status, StatusCode::OK);
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("anna.json")).unwrap()).unwrap();
    assert_eq!(saved["rejected_suggestions"], json!([{"code": "survival", "segment": "S01:t8"}]));
    let (_, found) = get(&app, "/api/similar?code=survival").await;
    assert_eq!(segments(&found)[0], "S01:t4");
    assert!(!segments(&found).contains(&"S01:t8"));
    // Rejected for survival only.
    let (_, case_after) = get(&app, "/api/cases/S01").await;
    assert_eq!(case_after["case"], "S01");

    let unreject =
        json!({"op": "unreject", "case": "S01", "segment": "S01:t8", "code": "survival"});
    edit(&app, dir.path(), unreject).await;
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("anna.json")).unwrap()).unwrap();
    assert!(saved.get("rejected_suggestions").is_none(), "{saved}");
    let (_, found) = get(&app, "/api/similar?code=survival").await;
    assert_eq!(segments(&found)[0], "S01:t8");
}

#[tokio::test]
async fn rejecting_on_an_interviewer_turn_or_an_unknown_code_is_refused() {
    let dir = study_dir();
    let app = app(dir.path());
    let (status, body) = edit(
        &app,
        dir.path(),
        json!({"op": "reject", "case": "S01", "segment": "S01:t1", "code": "survival"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "segment `S01:t1` is an interviewer turn, which is not coded");
    let (status, body) = edit(
        &app,
        dir.path(),
        json!({"op": "reject", "case": "S01", "segment": "S01:t2", "code": "nope"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "unknown code `nope`");
    assert!(!dir.path().join("anna.json").exists());
}

/// Waits until the saved codings file satisfies `done`.
fn saved(dir: &Path, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let file: Value = std::fs::read(dir.join("anna.json"))
            .map_or(Value::Null, |bytes| serde_json::from_slice(&bytes).unwrap());
        if !file.is_null() && done(&file) {
            return file;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not saved as expected: {file}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The segments the page lists as similar, once it lists `n`.
async fn listed(client: &Client, n: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let items = client.find_all(Locator::Css("#similar-list .similar")).await.unwrap();
        if items.len() == n {
            let mut ids = Vec::new();
            for item in items {
                ids.push(item.attr("data-segment").await.unwrap().unwrap());
            }
            return ids;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the page lists {} similar segments, not {n}",
            items.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// On the page: code a turn, ask for similar ones, accept the first
/// (coded and saved), reject the second (saved in the codings file); after
/// a reload, neither is suggested again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_similar_on_the_page_accepts_and_rejects() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = start_server(dir.path(), "motives.toml", &["S01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("{url}#case=S01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='S01:t2'] .text")).await.unwrap();

    // Focus the turn and press the survival key: the whole turn is coded.
    client.find(Locator::Css(".segment[data-id='S01:t2']")).await.unwrap().click().await.unwrap();
    crate::browser::press(&client, '1').await;
    saved(dir.path(), |f| f["codings"].as_array().is_some_and(|c| c.len() == 1));

    client.find(Locator::Css("#similar summary")).await.unwrap().click().await.unwrap();
    let code = client.find(Locator::Id("similar-code")).await.unwrap();
    assert_eq!(code.prop("value").await.unwrap().as_deref(), Some("survival"));
    client.find(Locator::Id("similar-ask")).await.unwrap().click().await.unwrap();
    let first = listed(&client, 4).await;
    assert_eq!(first[..2], ["S01:t8", "S01:t4"]);

    client
        .find(Locator::Css("#similar-list .similar[data-segment='S01:t8'] .accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saved(dir.path(), |f| {
        f["codings"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["segment"] == "S01:t8" && c["code"] == "survival"))
    });
    client
        .find(Locator::Css("#similar-list .similar[data-segment='S01:t4'] .reject"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saved(dir.path(), |f| {
        f["rejected_suggestions"] == json!([{"code": "survival", "segment": "S01:t4"}])
    });
    // The accepted coding shows on the transcript.
    client
        .wait()
        .for_element(Locator::Css(".segment[data-id='S01:t8'] .chip[data-code='survival']"))
        .await
        .unwrap();

    client.refresh().await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='S01:t2'] .text")).await.unwrap();
    client.find(Locator::Css("#similar summary")).await.unwrap().click().await.unwrap();
    client.find(Locator::Id("similar-ask")).await.unwrap().click().await.unwrap();
    let after = listed(&client, 2).await;
    assert!(
        !after.contains(&"S01:t4".to_owned()) && !after.contains(&"S01:t8".to_owned()),
        "{after:?}"
    );
    client.close().await.unwrap();
}
