//! The test harness: a temporary folder per test, the binary run inside it,
//! output normalised so snapshots do not depend on the machine.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The workspace root, where the bundled study lives.
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace exists")
}

/// The fixtures folder of these tests.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A temporary working folder for one test.
pub(crate) struct QdaTest {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// What a run of `qda` gave.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Exit code and stderr, for snapshots of failures.
    pub(crate) fn failure(&self) -> String {
        format!("exit: {}\n{}", self.code, self.stderr)
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "qda failed:\n{}", self.stderr);
        &self.stdout
    }
}

impl QdaTest {
    pub(crate) fn new() -> Self {
        QdaTest { dir: tempfile::tempdir().expect("a temporary folder"), env: Vec::new() }
    }

    /// A folder with the bundled study: codebooks/, transcripts/, codings/,
    /// results/ and adjudications.toml.
    pub(crate) fn study() -> Self {
        let test = QdaTest::new();
        let root = workspace();
        copy_dir(&root.join("codebooks"), &test.path("codebooks"));
        copy_dir(&root.join("transcripts"), &test.path("transcripts"));
        copy_dir(&root.join("codings"), &test.path("codings"));
        copy_dir(&root.join("results"), &test.path("results"));
        fs::copy(root.join("adjudications.toml"), test.path("adjudications.toml")).expect("copy");
        test
    }

    /// Copies a folder of the workspace (`examples`) into the test's folder.
    pub(crate) fn with_workspace_folder(self, relative: &str) -> Self {
        copy_dir(&workspace().join(relative), &self.path(relative));
        self
    }

    /// A folder with a copy of `tests/fixtures/<name>` at its top.
    pub(crate) fn fixture(name: &str) -> Self {
        let test = QdaTest::new();
        copy_dir(&fixtures().join(name), test.root());
        test
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file (creating folders).
    pub(crate) fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folder");
        }
        fs::write(path, contents).expect("write file");
        self
    }

    pub(crate) fn read(&self, relative: &str) -> Vec<u8> {
        fs::read(self.path(relative)).expect("read file")
    }

    /// Sets an environment variable for later runs.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Runs `qda ARGS` in the folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qda"));
        command.args(args).current_dir(self.root()).env("NO_COLOR", "1");
        for (key, _) in
            std::env::vars().filter(|(k, _)| k.starts_with("QDA_") || k.starts_with("RAYON_"))
        {
            command.env_remove(key);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let output = command.output().expect("qda runs");
        let normalise = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let root = self.root().to_string_lossy().into_owned();
            text.replace(&root, "[ROOT]")
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: normalise(&output.stdout),
            stderr: normalise(&output.stderr),
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("list folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// `http://ADDRESS/?token=TOKEN`, as `qda serve` prints it → (address, token).
pub(crate) fn split_url(url: &str) -> (String, String) {
    let rest = url.trim().strip_prefix("http://").expect(url);
    let (address, token) = rest.split_once("/?token=").expect(url);
    (address.to_owned(), token.to_owned())
}

/// One HTTP/1.1 request to a spawned `qda serve` on loopback, with `token`,
/// waiting at most `timeout` for the answer: its status code and body.
pub(crate) fn request(
    address: &str,
    token: &str,
    (method, path, body): (&str, &str, &str),
    timeout: Duration,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(timeout)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nX-QDA-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

/// `text` as JSON; a panic that shows the text when it is not.
pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The rows of a CSV file (its byte-order mark dropped), the header first.
pub(crate) fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// The index of the column headed `name`.
pub(crate) fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}
