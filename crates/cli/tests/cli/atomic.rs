//! Outputs are atomic: a run killed while writing leaves the previous file
//! whole, and a finished run replaces it whole.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::QdaTest;

#[test]
fn a_run_killed_mid_write_leaves_the_old_file() {
    let test = QdaTest::fixture("study-mini");
    let turn =
        "P: We were starving, and I wanted freedom; the broker lied to me about the river.\n";
    for i in 0..60 {
        let body: String = (0..300).map(|_| format!("I: And then?\n{turn}")).collect();
        test.write(&format!("corpus/T{i:03}.txt"), format!("+++\ncase = \"T{i:03}\"\n+++\n{body}"));
    }
    test.write("out.json", "old result\n");

    let mut child = Command::new(env!("CARGO_BIN_EXE_qda"))
        .args(["code", "codebook.toml", "corpus", "-o", "out.json"])
        .current_dir(test.root())
        .spawn()
        .expect("qda starts");
    // Kill it once its temporary output holds some codings: mid-write.
    let started = Instant::now();
    let writing = loop {
        let temp = std::fs::read_dir(test.root()).unwrap().filter_map(Result::ok).any(|e| {
            e.file_name().to_string_lossy().starts_with(".tmp")
                && e.metadata().is_ok_and(|m| m.len() > 16 * 1024)
        });
        if temp || started.elapsed() > Duration::from_secs(20) {
            break temp;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(writing, "the run never started writing");
    assert!(!status.success(), "the run was killed before it finished");
    assert_eq!(test.read("out.json"), b"old result\n", "the old file is untouched");

    test.run(&["code", "codebook.toml", "corpus", "-o", "out.json"]).ok();
    let json: serde_json::Value =
        serde_json::from_slice(&test.read("out.json")).expect("a whole JSON file");
    assert_eq!(json["transcripts"].as_array().unwrap().len(), 60);
}

/// `-o /dev/null`, `-o /dev/stdout` or a named pipe is written into, never
/// renamed over: as root, replacing `/dev/null` with a regular file breaks
/// every program on the machine. A named pipe stands in for the devices.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_written_into_not_replaced() {
    use std::io::Read;
    let test = QdaTest::fixture("study-mini");
    let pipe = test.path("pipe");
    let made = Command::new("mkfifo").arg(&pipe).status().expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(pipe).unwrap().read_to_string(&mut text).unwrap();
            text
        })
    };
    test.run(&["code", "codebook.toml", "A.txt", "B.txt", "-o", "pipe"]).ok();
    // Checked first: a replaced pipe would leave the reader waiting forever.
    let kind = std::fs::symlink_metadata(&pipe).unwrap().file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind), "still a named pipe");
    let text = reader.join().expect("the reader ends");
    let json: serde_json::Value = serde_json::from_str(&text).expect("a whole JSON document");
    assert!(json.is_object());
}

/// A symbolic link is followed: the file it points to gets the result and
/// the link stays a link.
#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed() {
    let test = QdaTest::fixture("study-mini");
    test.write("results/codings.json", "old\n");
    std::os::unix::fs::symlink("results/codings.json", test.path("latest.json")).unwrap();
    test.run(&["code", "codebook.toml", "A.txt", "B.txt", "-o", "latest.json"]).ok();
    assert!(std::fs::symlink_metadata(test.path("latest.json")).unwrap().file_type().is_symlink());
    let json: serde_json::Value =
        serde_json::from_slice(&test.read("results/codings.json")).expect("the linked file");
    assert!(json.is_object());
}
