//! How long applying a code takes on the server, for a two-hour interview
//! (about 20,000 words, made by the benchmark generator) whose codings file
//! grows with every edit. Run with
//! `cargo test -p qda-serve --release --test serve speed -- --ignored --nocapture`.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use qda_coding::{Codebook, Transcript};
use qda_serve::{Config, LoadedTranscript, Study};
use serde_json::{Value, json};
use tower::ServiceExt;

#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn applying_a_code_takes_milliseconds() {
    measure(false).await;
}

/// As above, but the codings file starts with 5,000 codings (those of
/// `page_speed`), as a thoroughly coded two-hour interview has.
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn applying_a_code_to_a_file_of_5000_codings_takes_milliseconds() {
    measure(true).await;
}

async fn measure(coded: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut version = "none".to_owned();
    if coded {
        super::page_speed::write_study(dir.path());
        version = qda_coding::sha256_hex(&std::fs::read(dir.path().join("anna.json")).unwrap());
    }
    let generator = qda_bench::Generator::new(20, 7);
    let codebook_path = dir.path().join("bench.toml");
    let codebook = Codebook::parse(&codebook_path, &generator.codebook_toml()).unwrap();
    let text = generator.transcript(0, 125_000);
    let words = text.split_whitespace().count();
    let file = dir.path().join("long.txt");
    std::fs::write(&file, &text).unwrap();
    let transcript = Transcript::parse(&file, text.as_bytes()).unwrap();
    let segments: Vec<(usize, usize)> = transcript
        .segments(codebook.unit())
        .into_iter()
        .filter(|s| !codebook.is_interviewer(&s.speaker) && s.end - s.start > 20)
        .map(|s| (s.start, s.end))
        .collect();
    let codes: Vec<String> =
        codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.clone()).collect();
    let case = transcript.case().to_owned();
    let loaded = LoadedTranscript { transcript, file, shown_path: "long.txt".to_owned() };
    let host = "127.0.0.1:4000";
    let app = qda_serve::app(Config {
        study: Study::new(codebook, vec![loaded]).unwrap(),
        coder: "anna".to_owned(),
        codings: dir.path().join("anna.json"),
        compare: Vec::new(),
        reanchor_command:
            "qda reanchor codebook.toml . --codings anna.json -o anna.reanchored.json".to_owned(),
        provenance: json!({"tool": "qda", "command": "serve"}),
        blind: false,
        token: "t".repeat(32),
        allowed_hosts: vec![host.to_owned()],
        memos: dir.path().join("memos"),
    })
    .unwrap();

    let edits = 300;
    let mut server = Vec::new();
    let mut round_trip = Vec::new();
    for i in 0..edits {
        let (start, end) = segments[i % segments.len()];
        let code = &codes[(i / segments.len()) % codes.len()];
        // Narrower than any span of `page_speed`'s codings, so always new.
        let body = json!({"version": version, "edits": [{"op": "add", "case": case, "code": code, "start": start + 3, "end": end - 3}]});
        let request = Request::builder()
            .uri("/api/edits")
            .method("POST")
            .header("host", host)
            .header("x-qda-token", "t".repeat(32))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let started = Instant::now();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        round_trip.push(started.elapsed().as_secs_f64() * 1000.0);
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, StatusCode::OK, "{answer}");
        version = answer["version"].as_str().unwrap().to_owned();
        server.push(answer["elapsed_ms"].as_f64().unwrap());
    }
    let summary = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        format!("median {:.2} ms, p95 {:.2} ms, max {:.2} ms", at(0.5), at(0.95), at(1.0))
    };
    eprintln!(
        "{words} words, {} codable segments, {edits} edits (the file grows from {} to {} codings): server-side {}; in-process round trip {}",
        segments.len(),
        if coded { 5000 } else { 0 },
        if coded { 5000 + edits } else { edits },
        summary(&mut server),
        summary(&mut round_trip)
    );
}
