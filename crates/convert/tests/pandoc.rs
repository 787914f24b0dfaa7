//! An independent reader: pandoc's plain-text rendering of each Word and
//! OpenDocument fixture must have the same words, in the same order, as the
//! text qda extracts (its preamble and turns), once both are put through the
//! normalisations docs/import.md documents:
//!
//! - curly quotes become straight, no-break spaces spaces, soft hyphens and
//!   zero-width spaces go (pandoc keeps them as they are);
//! - a table's header row is left out (qda lists it in its notes);
//! - footnotes are left out (pandoc writes `[1]` and the note at the end);
//! - a label's full-width colon `：` is written `:`, a time as `[hh:mm:ss]`;
//! - words are compared without the punctuation `: [ ] |` and table borders.
//!
//! Needs `pandoc` (Debian: apt-get install pandoc). Without it the test says
//! so and passes, unless `QDA_REQUIRE_PANDOC` is set (as CI does), when it
//! fails.

use std::path::Path;
use std::process::Command;

use qda_convert::{Options, convert};

const DOCUMENTS: &[&str] = &[
    "bold-labels.docx",
    "bold-labels.odt",
    "table.docx",
    "table.odt",
    "korean-japanese.docx",
    "korean-japanese.odt",
    "tracked-changes.docx",
    "tracked-changes.odt",
    "word-2007-365.docx",
    "office-open-xml.docx",
];

/// The words of `text` after the documented normalisations.
fn words(text: &str) -> Vec<String> {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' => plain.push('\''),
            '\u{201C}' | '\u{201D}' => plain.push('"'),
            '\u{00A0}' => plain.push(' '),
            '\u{00AD}' | '\u{200B}' => {}
            ':' | '：' | '[' | ']' | '|' => plain.push(' '),
            c => plain.push(c),
        }
    }
    plain
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| matches!(c, '-' | '+' | '=')))
        .map(str::to_owned)
        .collect()
}

fn pandoc(path: &Path) -> Option<String> {
    match Command::new("pandoc").args(["-t", "plain", "--wrap=none"]).arg(path).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pandoc failed on {}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("pandoc writes UTF-8"))
        }
        Err(_) => {
            let message =
                "pandoc comparison skipped: pandoc is not on PATH (Debian: apt-get install pandoc)";
            assert!(std::env::var_os("QDA_REQUIRE_PANDOC").is_none(), "{message}");
            eprintln!("{message}");
            None
        }
    }
}

/// Removes the first run of `sequence` from `words`.
fn remove_run(words: &mut Vec<String>, sequence: &[String]) {
    if let Some(at) = words.windows(sequence.len()).position(|w| w == sequence) {
        words.drain(at..at + sequence.len());
    }
}

#[test]
fn qda_reads_the_words_pandoc_reads() {
    let footnote_mark = regex::Regex::new(r"\[\d+\]").unwrap();
    for name in DOCUMENTS {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let Some(theirs) = pandoc(&path) else { return };
        let bytes = std::fs::read(&path).unwrap();
        let converted = convert(Path::new(name), &bytes, &Options::new("X")).unwrap();

        // pandoc's footnote marks and notes, which qda leaves out.
        let mut theirs = words(&footnote_mark.replace_all(&theirs, " "));
        for (_, text) in &converted.left_out {
            remove_run(&mut theirs, &words(text));
        }
        for note in &converted.notes {
            if let Some(header) =
                note.strip_prefix("table header row `").and_then(|n| n.split('`').next())
            {
                remove_run(&mut theirs, &words(header));
            }
        }

        let text = converted.text();
        let body = text.splitn(3, "+++\n").nth(2).unwrap();
        let ours = words(&format!("{}\n{body}", converted.preamble.clone().unwrap_or_default()));
        assert_eq!(ours, theirs, "{name}: qda's words (left) differ from pandoc's (right)");
    }
}
