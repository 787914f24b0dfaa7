//! `qda serve`: refusals at start, and a spawned server that answers only
//! requests with its token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use crate::support::QdaTest;

#[test]
fn a_remote_bind_needs_allow_remote() {
    let test = QdaTest::study();
    let run = test.run(&[
        "serve",
        "codebooks/motives.toml",
        "transcripts",
        "--coder",
        "ben",
        "--bind",
        "0.0.0.0",
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn another_coders_file_is_refused() {
    let test = QdaTest::study();
    let run = test.run(&[
        "serve",
        "codebooks/motives.toml",
        "transcripts",
        "--coder",
        "ben",
        "--codings",
        "codings/anna.json",
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.failure());
}

#[test]
fn blind_coding_is_refused_for_codings_made_with_suggestions_on_view() {
    let test = QdaTest::study();
    let run = test.run(&[
        "serve",
        "codebooks/motives.toml",
        "transcripts",
        "--coder",
        "anna",
        "--codings",
        "codings/anna.json",
        "--blind",
    ]);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: codings/anna.json: --blind cannot hide what was already seen: they were made with the rules' suggestions on view; give blind coding a new --codings file
    ");
}

/// One HTTP/1.1 request; returns the status line and the body.
fn request(address: &str, path: &str, token: Option<&str>) -> (String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    let token = token.map(|t| format!("X-QDA-Token: {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n{token}Connection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

#[test]
fn a_spawned_server_prints_one_url_and_wants_its_token() {
    let test = QdaTest::study();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qda"))
        .args(["serve", "codebooks/motives.toml", "transcripts", "--coder", "carl"])
        .current_dir(test.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().to_owned();
    let rest = url.strip_prefix("http://127.0.0.1:").expect(&url);
    let (port, token) = rest.split_once("/?token=").expect(&url);
    assert_eq!(token.len(), 32, "{url}");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{url}");
    let address = format!("127.0.0.1:{port}");

    let (status, body) = request(&address, "/api/study", None);
    let (with_token, study) = request(&address, "/api/study", Some(token));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(status.contains("401"), "{status} {body}");
    assert!(with_token.contains("200"), "{with_token}");
    assert!(study.contains("\"coder\":\"carl\""), "{study}");
    assert!(!test.path("codings/carl.json").exists(), "reading writes nothing");
}

#[test]
fn a_changed_transcript_is_named_at_start_with_the_reanchor_command() {
    let test = QdaTest::study();
    let text = String::from_utf8(test.read("transcripts/P05.txt")).unwrap();
    test.write("transcripts/P05.txt", text.replacen("I grew up", "I grew up, you see,", 1));
    let mut child = Command::new(env!("CARGO_BIN_EXE_qda"))
        .args(["serve", "codebooks/motives.toml", "transcripts", "--coder", "anna"])
        .current_dir(test.root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    insta::assert_snapshot!(line, @"warning: transcripts/P05.txt changed since the codings in codings/anna.json were made; the page offers to carry them over to the new text, or stop the server and run `qda reanchor codebooks/motives.toml transcripts --codings codings/anna.json -o codings/anna.reanchored.json`");
}

/// A GET with the given `Host` header, sent to the server on loopback.
fn status_for_host(port: &str, host: &str, token: &str) -> String {
    let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    write!(
        stream,
        "GET /api/study HTTP/1.1\r\nHost: {host}\r\nX-QDA-Token: {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn allow_remote_accepts_the_loopback_names_the_host_name_and_each_host() {
    let test = QdaTest::study();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qda"))
        .args(["serve", "codebooks/motives.toml", "transcripts", "--coder", "carl"])
        .args(["--bind", "0.0.0.0", "--allow-remote", "--host", "seminar-room.local"])
        .current_dir(test.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().to_owned();
    let rest = url.strip_prefix("http://0.0.0.0:").expect(&url);
    let (port, token) = rest.split_once("/?token=").expect(&url);
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let mut accepted = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        format!("0.0.0.0:{port}"),
        format!("seminar-room.local:{port}"),
    ];
    if !hostname.is_empty() {
        accepted.push(format!("{hostname}:{port}"));
    }
    let refused = [
        format!("evil.example:{port}"),
        format!("seminar-room.local:{}", port.parse::<u16>().unwrap().wrapping_add(1)),
        "127.0.0.1".to_owned(),
        String::new(),
    ];
    let answers: Vec<(String, String)> = accepted
        .iter()
        .chain(&refused)
        .map(|h| (h.clone(), status_for_host(port, h, token)))
        .collect();
    child.kill().unwrap();
    child.wait().unwrap();
    for (host, status) in &answers[..accepted.len()] {
        assert!(status.contains(" 200 "), "{host}: {status}");
    }
    for (host, status) in &answers[accepted.len()..] {
        assert!(status.contains(" 403 "), "{host}: {status}");
    }
}

#[test]
fn a_host_with_a_port_or_scheme_is_refused() {
    let test = QdaTest::study();
    let run = test.run(&[
        "serve",
        "codebooks/motives.toml",
        "transcripts",
        "--coder",
        "ben",
        "--host",
        "http://seminar-room.local:8123",
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.failure(), @r#"
    exit: 2
    error: --host "http://seminar-room.local:8123": give a host name or address without port or scheme, such as `--host seminar-room.local`
    "#);
}
