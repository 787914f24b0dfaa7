//! How fast the coding page is in headless Chromium on a two-hour
//! interview (about 20,000 words, made by the benchmark generator) with
//! 5,000 codings: time to first paint of the transcript, and from a key
//! press to the coding saved and shown. A measurement, not a check. Run with
//! `cargo test -p qda-serve --release --test serve page_speed -- --ignored --nocapture`.
//!
//! The timing is taken inside the page, but by this test's own script
//! rather than by marks of the page, so the same measurement runs on any
//! version of it: a key listener notes the key press (`event.timeStamp`),
//! and a `MutationObserver` notes when the new coding's chip is in the
//! transcript and the status says it is saved, then when the next frame
//! after that has been painted.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Client;
use qda_coding::{Codebook, Quote, TextIndex, Transcript};
use serde_json::{Value, json};

use super::browser::{browser, press, start_browser, start_server};

const CODINGS: usize = 5_000;
const PRESSES: usize = 100;

/// Writes the generated study into `dir`: `bench.toml`, `long.txt`, and
/// `anna.json` with [`CODINGS`] codings spread evenly over the participant turns,
/// none of them a whole turn (so a code key on a focused turn adds one).
/// Returns the number of words.
pub(super) fn write_study(dir: &Path) -> usize {
    let generator = qda_bench::Generator::new(20, 7);
    let codebook_path = dir.join("bench.toml");
    std::fs::write(&codebook_path, generator.codebook_toml()).unwrap();
    let codebook = Codebook::parse(&codebook_path, &generator.codebook_toml()).unwrap();
    let text = generator.transcript(0, 125_000);
    let file = dir.join("long.txt");
    std::fs::write(&file, &text).unwrap();
    let transcript = Transcript::parse(&file, text.as_bytes()).unwrap();
    let all = transcript.segments(codebook.unit());
    let turns: Vec<_> = all
        .iter()
        .filter(|s| !codebook.is_interviewer(&s.speaker) && s.end - s.start > 20)
        .collect();
    let codes: Vec<&str> =
        codebook.codes().iter().filter(|c| c.codable).map(|c| c.id.as_str()).collect();
    let index = TextIndex::new(transcript.text());
    let codings: Vec<Value> = (0..CODINGS)
        .map(|i| {
            // Round `round` over the turns gives each a code; after every
            // code, the next rounds use spans one code point narrower.
            let turn = turns[i % turns.len()];
            let round = i / turns.len();
            let code = codes[round % codes.len()];
            let narrower = round / codes.len();
            let (start, end) = (turn.start + 1 + narrower, turn.end - 1 - narrower);
            assert!(start + 5 < end, "{} is too short", turn.id);
            json!({"case": transcript.case(), "segment": turn.id, "code": code, "coder": "anna",
                   "start": start, "end": end,
                   "source": {"type": "manual", "quote": Quote::new(&index, start, end)}})
        })
        .collect();
    let file = json!({
        "coder": "anna",
        "codings": codings,
        "transcripts": [{"case": transcript.case(), "path": "long.txt",
                         "sha256": transcript.sha256(), "segments": all.len()}],
    });
    std::fs::write(dir.join("anna.json"), serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    text.split_whitespace().count()
}

/// Notes, for the coding the test is waiting for (`window.benchWant`), the
/// time from the key press to its chip shown with the status saying saved,
/// and to the next painted frame.
const INSTRUMENT: &str = r#"
window.benchResults = [];
window.benchWant = null;
document.addEventListener('keydown', (e) => { if (/^[1-9]$/.test(e.key)) window.benchPressed = e.timeStamp; }, true);
const check = () => {
  const want = window.benchWant;
  if (!want) return;
  const chip = document.querySelector(`.segment[data-id="${want.segment}"] .chip[data-code="${want.code}"][data-start="${want.start}"]`);
  const status = document.getElementById('status').textContent;
  if (!chip || !/saved/.test(status) || /saving/.test(status)) return;
  window.benchWant = null;
  const shown = performance.now() - window.benchPressed;
  requestAnimationFrame(() => setTimeout(() => {
    window.benchResults.push({ shown, painted: performance.now() - window.benchPressed });
  }, 0));
};
// The server's own time for each save, from the answer's `elapsed_ms`.
window.benchServer = [];
const fetchPlainly = window.fetch;
window.fetch = async (...args) => {
  const response = await fetchPlainly(...args);
  if (String(args[0]).includes('/api/edits')) response.clone().json().then((b) => window.benchServer.push(b.elapsed_ms));
  return response;
};
new MutationObserver(check).observe(document.body, { childList: true, subtree: true, characterData: true });
"#;

async fn eval(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Waits until `script` returns something other than `null`.
async fn until(client: &Client, script: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = eval(client, script).await;
        if !value.is_null() {
            return value;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let page = eval(client, "return document.getElementById('transcript').textContent.slice(0, 300) + ' | ' + document.getElementById('status').textContent").await;
            panic!("timed out waiting for {script}; the page says {page}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn summary(times: &mut [f64]) -> String {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!("median {:.0} ms, p95 {:.0} ms, max {:.0} ms", at(0.5), at(0.95), at(1.0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn page_speed_with_5000_codings() {
    let Some((chromium, driver)) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let words = write_study(dir.path());
    let url = start_server(dir.path(), "bench.toml", &["long.txt"]);
    let (_driver, client) = start_browser(&chromium, &driver).await;
    let case = qda_bench::case_id(0);

    let mut painted = Vec::new();
    for _ in 0..5 {
        client.goto("about:blank").await.unwrap();
        client.goto(&format!("{url}#case={case}")).await.unwrap();
        let at = until(&client, "return document.body.dataset.paintedAt || null").await;
        painted.push(at.as_str().unwrap().parse::<f64>().unwrap());
    }
    // A page without the `qda-painted` mark builds every segment before
    // its first paint.
    let built = until(
        &client,
        "return document.body.dataset.builtAt || (performance.getEntriesByName('qda-painted').length ? null : document.body.dataset.paintedAt)",
    )
    .await;
    // Where the first paint's time went, on the last load.
    let loading = eval(
        &client,
        "const took = (part) => performance.getEntriesByType('resource').filter((e) => e.name.includes(part)).map((e) => `${part} ${Math.round(e.startTime)}–${Math.round(e.responseEnd)} ms`).join(', ');
         return [took('/assets/app.js'), took('/api/study'), took('/api/cases/'), `page script from case answer to paint ${document.body.dataset.openMs} ms`].join('; ');",
    )
    .await;
    let segments = eval(&client, "return document.querySelectorAll('.segment').length").await;
    let chips = eval(&client, "return document.querySelectorAll('.chip').length").await;

    eval(&client, INSTRUMENT).await;
    for i in 0..PRESSES {
        press(&client, 'j').await;
        let digit = 1 + i % 9;
        let want = eval(
            &client,
            &format!(
                "const seg = document.querySelector('.segment.focused');
                 const code = document.querySelectorAll('#tree button.code')[{}].dataset.code;
                 window.benchWant = {{ segment: seg.dataset.id, code, start: seg.querySelector('.piece').dataset.cp }};
                 return window.benchWant;",
                digit - 1
            ),
        )
        .await;
        assert!(want.is_object());
        press(&client, char::from(b'0' + u8::try_from(digit).unwrap())).await;
        until(
            &client,
            &format!("return window.benchResults.length > {i} ? window.benchResults.length : null"),
        )
        .await;
    }
    let results = eval(&client, "return window.benchResults").await;
    let requests = eval(
        &client,
        "return performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/edits')).map((e) => e.duration)",
    )
    .await;
    let mut requests: Vec<f64> =
        requests.as_array().unwrap().iter().map(|d| d.as_f64().unwrap()).collect();
    let page = eval(
        &client,
        "return performance.getEntriesByName('qda-edit-saved').map((e) => e.duration)",
    )
    .await;
    let mut page: Vec<f64> = page.as_array().unwrap().iter().filter_map(Value::as_f64).collect();
    let server = eval(&client, "return window.benchServer").await;
    let mut server: Vec<f64> =
        server.as_array().unwrap().iter().filter_map(Value::as_f64).collect();
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("anna.json")).unwrap()).unwrap();
    assert_eq!(saved["codings"].as_array().unwrap().len(), CODINGS + PRESSES);
    client.close().await.unwrap();

    let field = |name: &str| -> Vec<f64> {
        results.as_array().unwrap().iter().map(|r| r[name].as_f64().unwrap()).collect()
    };
    eprintln!(
        "{words} words, {segments} segments, {chips} codings shown: transcript painted after navigation: {}",
        summary(&mut painted)
    );
    eprintln!(
        "last load: {}; every segment built {} ms after navigation",
        loading.as_str().unwrap_or_default(),
        built.as_str().unwrap_or_default()
    );
    eprintln!(
        "{PRESSES} code keys, the file growing from {CODINGS} codings: key press to coding shown and saved: {}; to the next frame painted: {}",
        summary(&mut field("shown")),
        summary(&mut field("painted"))
    );
    eprintln!(
        "{} saves: the page's own mark, edit queued to page patched {}; request (server and network) {}; server alone (elapsed_ms) {}",
        requests.len(),
        if page.is_empty() { "(not marked)".to_owned() } else { summary(&mut page) },
        summary(&mut requests),
        summary(&mut server)
    );
}
