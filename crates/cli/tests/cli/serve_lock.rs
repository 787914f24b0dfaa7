//! `qda serve` and the other writers of a codings file: one process at a
//! time holds its lock, so two processes never lose each other's writes.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, QdaTest, json, split_url};

/// A spawned `qda serve` for `coder` on `codings`, and where it listens.
struct Server {
    child: Child,
    address: String,
    token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(test: &QdaTest, coder: &str, codings: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qda"));
    command
        .args(["serve", "codebooks/motives.toml", "transcripts", "--coder", coder])
        .args(["--codings", codings])
        .current_dir(test.root());
    command
}

fn start(test: &QdaTest, coder: &str, codings: &str) -> Server {
    start_command(serve(test, coder, codings))
}

fn start_command(mut command: Command) -> Server {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let (address, token) = split_url(&line);
    Server { address, token, child }
}

/// Runs a second server to its end (bounded): its exit code and stderr.
fn refused(test: &QdaTest, coder: &str, codings: &str) -> (Option<i32>, String) {
    let mut child =
        serve(test, coder, codings).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status.and_then(|s| s.code()), stderr)
}

/// One request to `server` with its token: the status code and the body.
fn request(server: &Server, method: &str, path: &str, body: &str) -> (u16, String) {
    support::request(&server.address, &server.token, (method, path, body), Duration::from_secs(20))
}

#[test]
fn a_second_server_on_the_same_file_refuses_naming_the_first() {
    let test = QdaTest::study();
    let first = start(&test, "carl", "codings/carl.json");
    let lock = std::fs::read_to_string(test.path("codings/.carl.json.lock")).unwrap();
    let pid = first.child.id();
    assert_eq!(lock, format!("pid {pid}\nqda serve at http://{}/\n", first.address));
    let (code, stderr) = refused(&test, "carl", "codings/carl.json");
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: codings/carl.json: in use by process {pid} (qda serve at http://{}/); only one program may write a codings file at a time: stop it first, or use another codings file",
            first.address
        )
    );
    // Another file is another lock.
    let other = start(&test, "dora", "codings/dora.json");
    drop(other);
    // Stopped with Ctrl-C, the server removes its lock file.
    let mut first = first;
    let stopped = Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
    assert!(stopped.success());
    let started = Instant::now();
    while first.child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(first.child.try_wait().unwrap().is_some(), "the server stops on Ctrl-C");
    assert!(!test.path("codings/.carl.json.lock").exists());
}

#[test]
fn a_stale_lock_file_is_taken_over() {
    let test = QdaTest::study();
    test.write("codings/.carl.json.lock", "pid 999999999\nqda serve at http://127.0.0.1:1/\n");
    let server = start(&test, "carl", "codings/carl.json");
    let lock = std::fs::read_to_string(test.path("codings/.carl.json.lock")).unwrap();
    assert!(lock.starts_with(&format!("pid {}\n", server.child.id())), "{lock}");
}

#[test]
fn reanchor_does_not_write_a_served_file() {
    let test = QdaTest::study();
    let before = test.read("codings/anna.json");
    let server = start(&test, "anna", "codings/anna.json");
    let pid = server.child.id();
    let reanchor = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "codings/anna.json",
        "-o",
        "codings/anna.json",
    ]);
    assert_ne!(reanchor.code, 0, "{}", reanchor.stderr);
    // Onto a file the server holds, from another input.
    std::fs::copy(test.path("codings/anna.json"), test.path("anna-copy.json")).unwrap();
    let reanchor = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "anna-copy.json",
        "-o",
        "codings/anna.json",
    ]);
    assert_eq!(reanchor.code, 2, "{}", reanchor.stderr);
    assert!(
        reanchor.stderr.contains(&format!("in use by process {pid} (qda serve at")),
        "{}",
        reanchor.stderr
    );
    assert_eq!(test.read("codings/anna.json"), before);
    // Killed outright, the server leaves its lock file behind, no longer held.
    drop(server);
    assert!(test.path("codings/.anna.json.lock").exists());
    let reanchor = test.run(&[
        "reanchor",
        "codebooks/motives.toml",
        "transcripts",
        "--codings",
        "anna-copy.json",
        "-o",
        "codings/anna.json",
    ]);
    assert_eq!(reanchor.code, 0, "{}", reanchor.stderr);
    assert!(!test.path("codings/.anna.json.lock").exists());
}

/// Two processes on one file, several clients each adding distinct codings
/// through the API: every acknowledged add is in the file at the end.
#[test]
fn two_processes_on_one_file_lose_no_acknowledged_write() {
    const CLIENTS_PER_PROCESS: usize = 4;
    const ADDS: usize = 15;
    let test = QdaTest::study();
    let first = start(&test, "carl", "codings/carl.json");
    // The second process cannot start, so nothing can be written past the first.
    let (code, stderr) = refused(&test, "carl", "codings/carl.json");
    assert_eq!(code, Some(2), "{stderr}");
    let servers = [first];

    let (_, case) = request(&servers[0], "GET", "/api/cases/P01", "");
    let case = json(&case);
    let spans: Vec<(usize, usize)> = case["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["interviewer"] == false)
        .flat_map(|s| {
            let start = s["start"].as_u64().unwrap() as usize;
            let end = s["end"].as_u64().unwrap() as usize;
            (start + 1..=end).map(move |e| (start, e))
        })
        .collect();
    let total = 2 * CLIENTS_PER_PROCESS * ADDS;
    assert!(spans.len() >= total, "{}", spans.len());

    let acknowledged: Vec<(usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2 * CLIENTS_PER_PROCESS)
            .map(|client| {
                let server = &servers[0];
                let spans = &spans;
                scope.spawn(move || {
                    let mut done = Vec::new();
                    for i in 0..ADDS {
                        let (start, end) = spans[client * ADDS + i];
                        for _attempt in 0..200 {
                            let (_, study) = request(server, "GET", "/api/study", "");
                            let version = json(&study)["version"].as_str().unwrap().to_owned();
                            let body = format!(
                                r#"{{"version":"{version}","edits":[{{"op":"add","case":"P01","code":"survival","start":{start},"end":{end}}}]}}"#
                            );
                            let (status, answer) = request(server, "POST", "/api/edits", &body);
                            match status {
                                200 => {
                                    done.push((start, end));
                                    break;
                                }
                                409 => {}
                                _ => panic!("{status} {answer}"),
                            }
                        }
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let file = json(&String::from_utf8(test.read("codings/carl.json")).unwrap());
    let written: Vec<(usize, usize)> = file["codings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize))
        .collect();
    let lost = acknowledged.iter().filter(|a| !written.contains(a)).count();
    assert_eq!(acknowledged.len(), total, "every add is acknowledged in the end");
    assert_eq!(lost, 0, "{lost} of {} acknowledged writes lost", acknowledged.len());
}

#[test]
fn import_sheet_does_not_write_a_served_file() {
    let test = QdaTest::fixture("study-mini");
    test.run(&["sheet", "codebook.toml", "A.txt", "B.txt", "-o", "sheet.csv"]).ok();
    let mut command = Command::new(env!("CARGO_BIN_EXE_qda"));
    command
        .args(["serve", "codebook.toml", "A.txt", "B.txt", "--coder", "anna"])
        .args(["--codings", "anna.json"])
        .current_dir(test.root());
    let server = start_command(command);
    let import = [
        "import-sheet",
        "sheet.csv",
        "--codebook",
        "codebook.toml",
        "--coder",
        "anna",
        "--allow-empty",
        "-o",
        "anna.json",
    ];
    let run = test.run(&import);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: anna.json: in use by process {} (qda serve at http://{}/)",
            server.child.id(),
            server.address
        )),
        "{}",
        run.stderr
    );
    assert!(!test.path("anna.json").exists());
    drop(server);
    let run = test.run(&import);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(test.path("anna.json").exists());
    assert!(!test.path(".anna.json.lock").exists());
}

#[test]
fn a_codings_file_in_a_missing_folder_is_refused_at_start() {
    let test = QdaTest::study();
    let run = test.run(&[
        "serve",
        "codebooks/motives.toml",
        "transcripts",
        "--coder",
        "carl",
        "--codings",
        "nowhere/carl.json",
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.failure(), @r"
    exit: 2
    error: nowhere/carl.json: the folder nowhere does not exist; create it, or choose another codings file
    ");
}
