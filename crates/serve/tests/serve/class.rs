//! Class mode end to end: the teacher's page in headless Chromium follows
//! two students who code through the API, with no reload. Needs Chromium as
//! `browser.rs` does (and is skipped, or fails, as it is).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use qda_coding::{Codebook, Transcript};
use qda_serve::{ClassConfig, LoadedTranscript, Student, Study};
use serde_json::{Value, json};

use crate::browser::{browser, start_browser};

/// Serves a class of `names` on the study in `dir`, on a thread of its own:
/// the address, the teacher's token and each student's token.
fn serve_class(dir: &Path, names: &[&str]) -> (SocketAddr, String, Vec<String>) {
    let codebook_path = dir.join("motives.toml");
    let codebook =
        Codebook::parse(&codebook_path, &std::fs::read_to_string(&codebook_path).unwrap()).unwrap();
    let file = dir.join("K01.txt");
    let transcript = Transcript::parse(&file, &std::fs::read(&file).unwrap()).unwrap();
    let loaded = LoadedTranscript { transcript, file, shown_path: "K01.txt".to_owned() };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let students: Vec<Student> = names
        .iter()
        .map(|name| Student {
            name: (*name).to_owned(),
            codings: dir.join(format!("{name}.json")),
            token: qda_serve::new_token().unwrap(),
            reanchor_command: format!(
                "qda reanchor motives.toml K01.txt --codings {name}.json -o x.json"
            ),
            provenance: json!({"tool": "qda", "command": "serve", "coder": name}),
        })
        .collect();
    let tokens = students.iter().map(|s| s.token.clone()).collect();
    let teacher = qda_serve::new_token().unwrap();
    let app = qda_serve::class_app(ClassConfig {
        study: Study::new(codebook, vec![loaded]).unwrap(),
        students,
        reference: None,
        blind: false,
        teacher_token: teacher.clone(),
        allowed_hosts: qda_serve::allowed_hosts(address, &[]),
    })
    .unwrap();
    std::thread::spawn(move || qda_serve::run(listener, app));
    (address, teacher, tokens)
}

/// One HTTP/1.1 request with `token`; the status and the body as JSON.
fn request(address: SocketAddr, token: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nX-QDA-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// The student codes the whole of segment `K01:t2` with `code`.
fn code_segment(address: SocketAddr, token: &str, code: &str) {
    let (_, case) = request(address, token, "GET", "/api/cases/K01", "");
    let segment =
        case["segments"].as_array().unwrap().iter().find(|s| s["id"] == "K01:t2").unwrap();
    let body = json!({
        "version": case["version"],
        "edits": [{"op": "add", "case": "K01", "code": code, "start": segment["start"], "end": segment["end"]}],
    });
    let (status, answer) = request(address, token, "POST", "/api/edits", &body.to_string());
    assert_eq!(status, 200, "{answer}");
}

/// Waits until the element `css` reads `want` (the page polls the server).
async fn text_becomes(client: &Client, css: &str, want: &str) {
    let started = Instant::now();
    loop {
        let got = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if got == want {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{css}: {got:?}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_teachers_page_follows_the_students_as_they_code() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["motives.toml", "K01.txt"] {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
    }
    let (address, teacher, students) = serve_class(dir.path(), &["anna", "ben"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("http://{address}/?token={teacher}")).await.unwrap();

    // Nobody has coded yet.
    text_becomes(&client, "#students tbody tr:nth-child(1) td:nth-child(2)", "0").await;
    text_becomes(&client, "#agreement-note", "Shown once two students have coded.").await;

    // anna codes, then ben codes the same turn otherwise: the page shows it
    // without a reload.
    code_segment(address, &students[0], "survival");
    text_becomes(&client, "#students tbody tr:nth-child(1) td:nth-child(2)", "1").await;
    code_segment(address, &students[1], "freedom");
    text_becomes(&client, "#students tbody tr:nth-child(2) td:nth-child(2)", "1").await;
    text_becomes(
        &client,
        "#agreement-note",
        "2 students over 2 segments, as qda agree computes it.",
    )
    .await;
    text_becomes(&client, "#segments .segment.differ .where", "K01 · K01:t2").await;
    let groups = client.find_all(Locator::Css("#segments .segment.differ li")).await.unwrap();
    let mut lines = Vec::new();
    for li in groups {
        lines.push(li.text().await.unwrap());
    }
    lines.sort();
    assert_eq!(lines, ["freedom: ben", "survival: anna"]);

    let png = client.screenshot().await.unwrap();
    std::fs::write(Path::new(env!("CARGO_TARGET_TMPDIR")).join("qda-serve-class.png"), png)
        .unwrap();
    client.close().await.unwrap();
}
