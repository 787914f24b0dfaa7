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
