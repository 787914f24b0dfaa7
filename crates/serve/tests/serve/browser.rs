//! End to end in headless Chromium, driven over `WebDriver` (`chromedriver`):
//! select a span in a Korean line, apply a code with the keyboard, reload,
//! and find the coding on the page and in the codings file with the right
//! code-point offsets. A screenshot is saved under `target/tmp/`.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium chromium-driver`).
//! Without them the tests say so and pass, unless `QDA_REQUIRE_BROWSER` is
//! set (as CI does), when they fail.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use qda_coding::{Codebook, Transcript};
use qda_serve::{Config, LoadedTranscript, Study};
use serde_json::{Value, json};

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium and chromedriver, or `None` (with a message) to skip.
pub(crate) fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let message = "browser test skipped: chromium and chromedriver are not on PATH (Debian: apt-get install chromium chromium-driver)";
            assert!(std::env::var_os("QDA_REQUIRE_BROWSER").is_none(), "{message}");
            eprintln!("{message}");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Kills chromedriver when the test ends, pass or fail.
pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) async fn start_browser(chromium: &Path, driver: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=en"],
        }
    });
    let Value::Object(capabilities) = capabilities else { unreachable!() };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    (driver, client)
}

/// Serves the study in `dir` on a free port, on a thread of its own.
pub(crate) fn start_server(dir: &Path, codebook: &str, transcripts: &[&str]) -> String {
    serve(dir, codebook, transcripts, false)
}

/// As [`start_server`], blind or not.
fn serve(dir: &Path, codebook: &str, transcripts: &[&str], blind: bool) -> String {
    let codebook_path = dir.join(codebook);
    let codebook =
        Codebook::parse(&codebook_path, &std::fs::read_to_string(&codebook_path).unwrap()).unwrap();
    let loaded = transcripts
        .iter()
        .map(|name| {
            let file = dir.join(name);
            let transcript = Transcript::parse(&file, &std::fs::read(&file).unwrap()).unwrap();
            LoadedTranscript { transcript, file, shown_path: (*name).to_owned() }
        })
        .collect();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let token = qda_serve::new_token().unwrap();
    let app = qda_serve::app(Config {
        study: Study::new(codebook, loaded).unwrap(),
        coder: "anna".to_owned(),
        codings: dir.join("anna.json"),
        compare: Vec::new(),
        reanchor_command:
            "qda reanchor codebook.toml . --codings anna.json -o anna.reanchored.json".to_owned(),
        provenance: json!({"tool": "qda", "command": "serve"}),
        blind,
        token: token.clone(),
        allowed_hosts: qda_serve::allowed_hosts(address, &[]),
        memos: dir.join("memos"),
    })
    .unwrap();
    std::thread::spawn(move || qda_serve::run(listener, app));
    format!("http://{address}/?token={token}")
}

fn study_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["motives.toml", "K01.txt"] {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn artefact(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// Selects `word` inside the text of `segment`, as a mouse drag would.
/// Offsets in the DOM are UTF-16 units; the page must convert them.
const SELECT: &str = r#"
const [segment, word] = arguments;
const text = document.querySelector(`.segment[data-id="${segment}"] .text`);
const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const at = node.textContent.indexOf(word);
  if (at >= 0) {
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + word.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
  }
}
return null;
"#;

/// Waits until the saved codings satisfy `done`.
fn saved_codings(dir: &Path, done: impl Fn(&Value) -> bool) {
    let started = Instant::now();
    loop {
        // No file yet: nothing saved yet.
        let saved: Value = std::fs::read(dir.join("anna.json"))
            .map_or(Value::Null, |bytes| serde_json::from_slice(&bytes).unwrap());
        if !saved.is_null() && done(&saved["codings"]) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not saved as expected: {saved}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the page shows no coding (it has re-read the file).
async fn chips_gone(client: &Client) {
    let started = Instant::now();
    while !client.find_all(Locator::Css(".chip")).await.unwrap().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10), "the page still shows a coding");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(crate) async fn press(client: &Client, key: char) {
    let keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.unwrap();
}

/// `qda serve --blind`: the page shows no suggestion and no comparison
/// until the coder turns blind mode off, after a confirmation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blind_mode_hides_suggestions_until_the_coder_turns_it_off() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = serve(dir.path(), "motives.toml", &["K01.txt"], true);
    let (_driver, client) = start_browser(&chromium, &driver).await;

    client.goto(&format!("{url}#case=K01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='K01:t2'] .text")).await.unwrap();
    let band = client.find(Locator::Id("blind")).await.unwrap();
    assert!(band.is_displayed().await.unwrap());
    assert!(client.find_all(Locator::Css(".suggestion")).await.unwrap().is_empty());
    let compare = client.find(Locator::Id("compare-with")).await.unwrap();
    assert!(!compare.is_displayed().await.unwrap());

    client.find(Locator::Id("unblind")).await.unwrap().click().await.unwrap();
    client.accept_alert().await.unwrap();
    client
        .wait()
        .for_element(Locator::Css(".segment[data-id='K01:t2'] .suggestion"))
        .await
        .unwrap();
    assert!(!client.find(Locator::Id("blind")).await.unwrap().is_displayed().await.unwrap());
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("anna.json")).unwrap()).unwrap();
    assert_eq!(saved["blinding"], "unblinded");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_span_selected_in_a_korean_line_is_coded_saved_and_shown_after_reload() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = start_server(dir.path(), "motives.toml", &["K01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;

    client.goto(&format!("{url}#case=K01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='K01:t4'] .text")).await.unwrap();
    // 정말로 follows an emoji: two UTF-16 units, one code point.
    let selected = client.execute(SELECT, vec![json!("K01:t4"), json!("정말로")]).await.unwrap();
    assert_eq!(selected, json!("정말로"));
    // `freedom` is the second codable code: key 2.
    press(&client, '2').await;
    client.wait().for_element(Locator::Css(".chip[data-code='freedom']")).await.unwrap();

    // Undo with the keyboard (U+E009 is WebDriver's Control) removes it again.
    let undo = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: '\u{E009}' })
        .then(KeyAction::Down { value: 'z' })
        .then(KeyAction::Up { value: 'z' })
        .then(KeyAction::Up { value: '\u{E009}' });
    client.perform_actions(undo).await.unwrap();
    saved_codings(dir.path(), |codings| codings == &json!([]));
    chips_gone(&client).await;

    // Redo brings it back.
    client
        .perform_actions(
            KeyActions::new("keyboard".to_owned())
                .then(KeyAction::Down { value: '\u{E009}' })
                .then(KeyAction::Down { value: 'y' })
                .then(KeyAction::Up { value: 'y' })
                .then(KeyAction::Up { value: '\u{E009}' }),
        )
        .await
        .unwrap();
    saved_codings(dir.path(), |codings| codings.as_array().is_some_and(|a| a.len() == 1));
    client.wait().for_element(Locator::Css(".chip[data-code='freedom']")).await.unwrap();

    client.refresh().await.unwrap();
    let chip = client.wait().for_element(Locator::Css(".chip[data-code='freedom']")).await.unwrap();
    assert_eq!(chip.attr("data-start").await.unwrap().as_deref(), Some("233"));
    assert_eq!(chip.attr("data-end").await.unwrap().as_deref(), Some("236"));
    let coded = client.find(Locator::Css(".segment[data-id='K01:t4'] .piece.coded")).await.unwrap();
    assert_eq!(coded.text().await.unwrap(), "정말로");

    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("anna.json")).unwrap()).unwrap();
    let coding = &saved["codings"][0];
    // Code points counted independently with Python: text.index("정말로") == 233.
    assert_eq!(
        (&coding["segment"], &coding["code"], &coding["start"], &coding["end"]),
        (&json!("K01:t4"), &json!("freedom"), &json!(233), &json!(236))
    );

    // Accepting the rule's suggestion codes the whole segment.
    client
        .find(Locator::Css(".segment[data-id='K01:t2'] .suggestion .accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saved_codings(dir.path(), |codings| {
        codings.as_array().is_some_and(|a| {
            a.iter().any(|c| c["code"] == "survival" && c["start"] == 154 && c["end"] == 186)
        })
    });
    client.wait().for_element(Locator::Css(".chip[data-code='survival']")).await.unwrap();

    // A selection coded by clicking the code in the tree.
    let selected =
        client.execute(SELECT, vec![json!("K01:t2"), json!("집에 먹을 것이")]).await.unwrap();
    assert_eq!(selected, json!("집에 먹을 것이"));
    client
        .find(Locator::Css("#tree button[data-code='freedom']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Code points counted with Python: text.index("집에 먹을 것이") == 168.
    saved_codings(dir.path(), |codings| {
        codings.as_array().is_some_and(|a| {
            a.iter().any(|c| c["code"] == "freedom" && c["start"] == 168 && c["end"] == 176)
        })
    });

    // Change that coding's code: pick its chip, click another code.
    let chip = "#transcript .chip[data-code='freedom'][data-start='168']";
    client.wait().for_element(Locator::Css(chip)).await.unwrap().click().await.unwrap();
    client
        .find(Locator::Css("#tree button[data-code='survival']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    saved_codings(dir.path(), |codings| {
        codings.as_array().is_some_and(|a| {
            a.iter().any(|c| c["code"] == "survival" && c["start"] == 168 && c["end"] == 176)
                && !a.iter().any(|c| c["code"] == "freedom" && c["start"] == 168)
        })
    });

    // A memo, typed into the prompt that `m` opens on a focused coding.
    let chip = "#transcript .chip[data-code='survival'][data-start='168']";
    client.wait().for_element(Locator::Css(chip)).await.unwrap().click().await.unwrap();
    press(&client, 'm').await;
    client.send_alert_text("먹을 것 = food").await.unwrap();
    client.accept_alert().await.unwrap();
    saved_codings(dir.path(), |codings| {
        codings
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["source"]["memo"] == "먹을 것 = food"))
    });
    client.wait().for_element(Locator::Css(".chip .memo")).await.unwrap();

    // Keyboard alone: `j` twice focuses the second participant turn, `1`
    // codes the whole segment (206..237).
    client
        .execute("document.activeElement.blur(); window.getSelection().removeAllRanges();", vec![])
        .await
        .unwrap();
    for key in ['j', 'j', '1'] {
        press(&client, key).await;
    }
    saved_codings(dir.path(), |codings| {
        codings.as_array().is_some_and(|a| {
            a.iter().any(|c| c["code"] == "survival" && c["start"] == 206 && c["end"] == 237)
        })
    });

    // Keep a screenshot of the coded Korean lines.
    let png = client.screenshot().await.unwrap();
    std::fs::write(artefact("qda-serve-korean.png"), png).unwrap();
    client.close().await.unwrap();
}

/// Time to first paint of a two-hour interview (about 20,000 words, made
/// by the benchmark generator). Run with
/// `cargo test -p qda-serve --test serve first_paint -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn first_paint_of_a_two_hour_interview() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let generator = qda_bench::Generator::new(20, 7);
    std::fs::write(dir.path().join("bench.toml"), generator.codebook_toml()).unwrap();
    let transcript = generator.transcript(0, 125_000);
    let words = transcript.split_whitespace().count();
    std::fs::write(dir.path().join("long.txt"), &transcript).unwrap();
    let url = start_server(dir.path(), "bench.toml", &["long.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    let case = qda_bench::case_id(0);
    let mut painted = Vec::new();
    for _ in 0..5 {
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{url}#case={case}")).await.unwrap();
        let started = Instant::now();
        let at = loop {
            let value = client
                .execute("return document.body.dataset.paintedAt || null", vec![])
                .await
                .unwrap();
            if let Some(at) = value.as_str() {
                break at.parse::<f64>().unwrap();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the transcript never painted");
            std::thread::sleep(Duration::from_millis(20));
        };
        painted.push(at);
    }
    let segments = client.find_all(Locator::Css(".segment")).await.unwrap().len();
    client.close().await.unwrap();
    painted.sort_by(f64::total_cmp);
    eprintln!(
        "{words} words, {} bytes, {segments} segments: transcript painted {:.0} ms after navigation (median of 5; min {:.0}, max {:.0})",
        transcript.len(),
        painted[2],
        painted[0],
        painted[4]
    );
}

/// The README's picture: the bundled study, anna's codings beside the
/// rules, a selection about to be coded. Run with
/// `cargo test -p qda-serve --test serve readme -- --ignored` to remake
/// `docs/serve.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "remakes docs/serve.png"]
async fn readme_screenshot() {
    let Some((chromium, driver)) = browser() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("codebooks/motives.toml"), dir.path().join("motives.toml")).unwrap();
    std::fs::copy(root.join("codings/anna.json"), dir.path().join("anna.json")).unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root.join("transcripts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
            names.push(name);
        }
    }
    names.sort();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let url = start_server(dir.path(), "motives.toml", &names);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.set_window_size(1366, 820).await.unwrap();
    client.goto(&format!("{url}#case=P05&compare=rules")).await.unwrap();
    client.wait().for_element(Locator::Css("#compare-panel table")).await.unwrap();
    let script = r#"
        document.querySelector('.segment[data-id="P05:t4"]').scrollIntoView({ block: 'start' });
        document.querySelector('.code[data-code="freedom"]').dispatchEvent(new MouseEvent('mouseenter'));
    "#;
    client.execute(script, vec![]).await.unwrap();
    let selected = client
        .execute(SELECT, vec![json!("P05:t4"), json!("That is not why I left.")])
        .await
        .unwrap();
    assert_eq!(selected, json!("That is not why I left."));
    let png = client.screenshot().await.unwrap();
    std::fs::write(root.join("docs/serve.png"), png).unwrap();
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_transcript_offers_to_carry_its_codings_over() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    // anna coded 13 code points of K01, then a word was inserted before them.
    let file = dir.path().join("K01.txt");
    let old = Transcript::parse(&file, &std::fs::read(&file).unwrap()).unwrap();
    let segment = old
        .segments(qda_coding::Unit::Turn)
        .into_iter()
        .find(|s| s.start <= 154 && 167 <= s.end)
        .unwrap();
    let quote = qda_coding::Quote::new(&qda_coding::TextIndex::new(old.text()), 154, 167);
    let codings = json!({
        "coder": "anna",
        "codings": [{"case": "K01", "segment": segment.id, "code": "survival", "coder": "anna",
                     "start": 154, "end": 167, "source": {"type": "manual", "quote": quote}}],
        "transcripts": [{"case": "K01", "path": "K01.txt", "sha256": old.sha256(),
                         "segments": old.segments(qda_coding::Unit::Turn).len()}],
    });
    std::fs::write(dir.path().join("anna.json"), serde_json::to_vec_pretty(&codings).unwrap())
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("I: 어떻게", "I: 그럼 어떻게")).unwrap();

    let url = start_server(dir.path(), "motives.toml", &["K01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("{url}#case=K01")).await.unwrap();
    let notice = client.wait().for_element(Locator::Css(".warning[role='alert']")).await.unwrap();
    assert!(notice.text().await.unwrap().contains("qda reanchor"));
    assert!(client.find_all(Locator::Css(".chip")).await.unwrap().is_empty());

    client.find(Locator::Id("reanchor")).await.unwrap().click().await.unwrap();
    let done = client.wait().for_element(Locator::Id("reanchored")).await.unwrap();
    assert!(done.text().await.unwrap().contains("1 moved"), "{}", done.text().await.unwrap());
    client.wait().for_element(Locator::Css(".chip[data-code='survival']")).await.unwrap();
    saved_codings(dir.path(), |codings| codings[0]["start"] == 157);
    client.close().await.unwrap();
}

/// The code tree counts one unit on both sides of its `here / all`: coded
/// segments, so two codings of one segment are `1 / 1`, not `2 / 1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_tree_counts_coded_segments_here_and_in_all_cases() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = start_server(dir.path(), "motives.toml", &["K01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("{url}#case=K01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='K01:t4'] .text")).await.unwrap();
    for (n, words) in ["정말로", "자유롭게"].into_iter().enumerate() {
        let selected = client.execute(SELECT, vec![json!("K01:t4"), json!(words)]).await.unwrap();
        assert_eq!(selected, json!(words));
        press(&client, '2').await;
        let started = Instant::now();
        while client.find_all(Locator::Css(".chip[data-code='freedom']")).await.unwrap().len() <= n
        {
            assert!(started.elapsed() < Duration::from_secs(10), "coding {} not shown", n + 1);
            std::thread::sleep(Duration::from_millis(50));
        }
        saved_codings(dir.path(), |codings| codings.as_array().is_some_and(|a| a.len() == n + 1));
    }
    let started = Instant::now();
    loop {
        let count = client.find(Locator::Css("#tree [data-code='freedom'] .n")).await.unwrap();
        let text = count.text().await.unwrap();
        if text == "1 / 1" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the tree says {text:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Keys pressed faster than saves return are queued, never dropped: four
/// code keys over two turns, in one burst, all land in the codings file
/// and on the page; the status says saving until the last is saved; four
/// undos in a burst take them all back, and two redos bring two back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_pressed_while_a_save_is_in_flight_are_all_saved_in_order() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = start_server(dir.path(), "motives.toml", &["K01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("{url}#case=K01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='K01:t4'] .text")).await.unwrap();
    // Every status shown from here on, in order.
    client
        .execute(
            "window.statuses = []; const s = document.getElementById('status');
             new MutationObserver(() => window.statuses.push([s.className, s.textContent]))
               .observe(s, { childList: true, characterData: true, subtree: true });",
            vec![],
        )
        .await
        .unwrap();
    let burst = |keys: &[char], ctrl: bool| {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            if ctrl {
                actions = actions.then(KeyAction::Down { value: '\u{E009}' });
            }
            actions =
                actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
            if ctrl {
                actions = actions.then(KeyAction::Up { value: '\u{E009}' });
            }
        }
        actions
    };
    // `j` focuses K01:t2, `1` and `2` code it survival and freedom; the
    // next `j` focuses K01:t4, coded the same.
    client.perform_actions(burst(&['j', '1', '2', 'j', '1', '2'], false)).await.unwrap();
    let whole = |codings: &Value| -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = codings
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (c["segment"].as_str().unwrap().to_owned(), c["code"].as_str().unwrap().to_owned())
            })
            .collect();
        found.sort();
        found
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter().map(|(s, c)| ((*s).to_owned(), (*c).to_owned())).collect()
    };
    let all_four = pairs(&[
        ("K01:t2", "freedom"),
        ("K01:t2", "survival"),
        ("K01:t4", "freedom"),
        ("K01:t4", "survival"),
    ]);
    saved_codings(dir.path(), |codings| whole(codings) == all_four);
    let settled = |chips: usize| {
        format!(
            "return document.querySelectorAll('#transcript .chip').length === {chips}
               && /· saved$/.test(document.getElementById('status').textContent) ? true : null"
        )
    };
    wait_for(&client, &settled(4)).await;
    let statuses = client.execute("return window.statuses", vec![]).await.unwrap();
    let statuses = statuses.as_array().unwrap();
    assert!(statuses.iter().all(|s| s[0] != "error"), "{statuses:?}");
    assert!(statuses.iter().any(|s| s[1].as_str().unwrap().ends_with("saving…")), "{statuses:?}");
    // The tree counts both turns for each code.
    let count = client.find(Locator::Css("#tree [data-code='freedom'] .n")).await.unwrap();
    assert_eq!(count.text().await.unwrap(), "2 / 2");

    // Four undos in a burst take all four back, in reverse order.
    client.perform_actions(burst(&['z', 'z', 'z', 'z'], true)).await.unwrap();
    saved_codings(dir.path(), |codings| codings == &json!([]));
    wait_for(&client, &settled(0)).await;
    // Two redos bring back the first two: both codes on K01:t2.
    client.perform_actions(burst(&['y', 'y'], true)).await.unwrap();
    saved_codings(dir.path(), |codings| {
        whole(codings) == pairs(&[("K01:t2", "freedom"), ("K01:t2", "survival")])
    });
    wait_for(&client, &settled(2)).await;
    client.close().await.unwrap();
}

/// Waits until `script` returns something other than `null`.
async fn wait_for(client: &Client, script: &str) {
    let started = Instant::now();
    while client.execute(script, vec![]).await.unwrap().is_null() {
        assert!(started.elapsed() < Duration::from_secs(10), "timed out: {script}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A save refused because another tab saved first keeps the edits: the
/// page shows the file as it is now, says how many changes are not saved,
/// queues the keys pressed meanwhile, and Retry saves them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_save_keeps_its_edits_until_retry() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = start_server(dir.path(), "motives.toml", &["K01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("{url}#case=K01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='K01:t4'] .text")).await.unwrap();
    // `j` focuses K01:t2, `1` codes it survival.
    for key in ['j', '1'] {
        press(&client, key).await;
    }
    saved_codings(dir.path(), |codings| codings.as_array().is_some_and(|a| a.len() == 1));
    wait_for(
        &client,
        "return /· saved$/.test(document.getElementById('status').textContent) ? true : null",
    )
    .await;

    // Another tab codes 정말로 freedom.
    let version = qda_coding::sha256_hex(&std::fs::read(dir.path().join("anna.json")).unwrap());
    let other_tab = r"
        const [version, done] = [arguments[0], arguments[arguments.length - 1]];
        const token = new URLSearchParams(location.search).get('token');
        fetch('/api/edits', { method: 'POST', headers: { 'X-QDA-Token': token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ version, edits: [{ op: 'add', case: 'K01', code: 'freedom', start: 233, end: 236 }] }) })
          .then((r) => done(r.status));";
    let status = client.execute_async(other_tab, vec![json!(version)]).await.unwrap();
    assert_eq!(status, json!(200));

    // This tab, on the old version: `j` focuses K01:t4, `1` is refused.
    for key in ['j', '1'] {
        press(&client, key).await;
    }
    wait_for(&client, "return document.getElementById('status').className === 'error' && !document.getElementById('unsaved').hidden ? true : null").await;
    let said = client.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert!(said.contains("1 change not saved"), "{said}");
    // The page shows what the other tab saved.
    client
        .wait()
        .for_element(Locator::Css(".segment[data-id='K01:t4'] .chip[data-code='freedom']"))
        .await
        .unwrap();
    // A key pressed now waits with the refused edit.
    press(&client, '2').await;
    wait_for(&client, "return /2 changes not saved/.test(document.getElementById('status').textContent) ? true : null").await;
    saved_codings(dir.path(), |codings| codings.as_array().is_some_and(|a| a.len() == 2));

    client.find(Locator::Id("retry")).await.unwrap().click().await.unwrap();
    saved_codings(dir.path(), |codings| {
        codings.as_array().is_some_and(|a| {
            a.len() == 4
                && a.iter().any(|c| c["code"] == "survival" && c["start"] == 206 && c["end"] == 237)
                && a.iter().any(|c| c["code"] == "freedom" && c["start"] == 206 && c["end"] == 237)
        })
    });
    wait_for(&client, "return /· saved$/.test(document.getElementById('status').textContent) && document.getElementById('unsaved').hidden ? true : null").await;

    // Refused again (the other tab removes its coding); Discard drops the
    // change and the undo history, and the file stays as the other tab left it.
    let version = qda_coding::sha256_hex(&std::fs::read(dir.path().join("anna.json")).unwrap());
    let remove = r"
        const [version, done] = [arguments[0], arguments[arguments.length - 1]];
        const token = new URLSearchParams(location.search).get('token');
        fetch('/api/edits', { method: 'POST', headers: { 'X-QDA-Token': token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ version, edits: [{ op: 'remove', case: 'K01', segment: 'K01:t4', code: 'freedom', start: 233, end: 236 }] }) })
          .then((r) => done(r.status));";
    let status = client.execute_async(remove, vec![json!(version)]).await.unwrap();
    assert_eq!(status, json!(200));
    let before = std::fs::read(dir.path().join("anna.json")).unwrap();
    client.execute("document.activeElement.blur()", vec![]).await.unwrap();
    for key in ['k', '2'] {
        press(&client, key).await;
    }
    wait_for(&client, "return /1 change not saved/.test(document.getElementById('status').textContent) ? true : null").await;
    client.find(Locator::Id("discard")).await.unwrap().click().await.unwrap();
    wait_for(&client, "return /1 change discarded/.test(document.getElementById('status').textContent) && document.getElementById('undo').disabled ? true : null").await;
    assert_eq!(std::fs::read(dir.path().join("anna.json")).unwrap(), before);
    client.close().await.unwrap();
}

/// The page writes a memo on a segment without codes (key `n`) into the
/// codings file's `memos`, and the case memo into `memos/cases/K01.md`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_and_case_memos_are_written_from_the_page() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = study_dir();
    let url = start_server(dir.path(), "motives.toml", &["K01.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    client.goto(&format!("{url}#case=K01")).await.unwrap();
    client.wait().for_element(Locator::Css(".segment[data-id='K01:t2'] .text")).await.unwrap();
    client
        .execute(
            "window.prompt = () => '배고파서: 배경일 뿐?'; document.querySelector('.segment[data-id=\"K01:t2\"]').focus(); return null;",
            vec![],
        )
        .await
        .unwrap();
    press(&client, 'n').await;
    let started = Instant::now();
    loop {
        let saved: Value = std::fs::read(dir.path().join("anna.json"))
            .map_or(Value::Null, |bytes| serde_json::from_slice(&bytes).unwrap());
        if saved["memos"]
            == json!([{"case": "K01", "segment": "K01:t2", "coder": "anna", "memo": "배고파서: 배경일 뿐?"}])
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "segment memo not saved: {saved}");
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_for(
        &client,
        "return document.querySelector('.segment[data-id=\"K01:t2\"] .memo') ? true : null",
    )
    .await;

    client
        .execute(
            "const box = document.getElementById('case-memo-text'); box.value = '자유를 늦게 찾았다.'; box.dispatchEvent(new Event('input')); document.getElementById('case-memo-save').click(); return null;",
            vec![],
        )
        .await
        .unwrap();
    let file = dir.path().join("memos/cases/K01.md");
    let started = Instant::now();
    while std::fs::read_to_string(&file).ok().as_deref() != Some("자유를 늦게 찾았다.\n") {
        assert!(started.elapsed() < Duration::from_secs(10), "case memo not saved");
        std::thread::sleep(Duration::from_millis(50));
    }
    client.close().await.unwrap();
}
