//! Bounded property runs: mutated transcripts, codebooks and texts never
//! make the parsers or the rule engine panic, and parsing is deterministic.
//!
//! Each run starts from real inputs (the bundled study) and applies seeded
//! random edits that target the syntax: colons, line ends, `+++`, brackets,
//! quotes, invalid UTF-8, multi-byte characters. The seeds are fixed, so a
//! failure reproduces; set `QDA_PROPERTY_ROUNDS` for a longer search.

use std::path::Path;

use qda_bench::Rng;
use qda_coding::{Codebook, RuleSet, Transcript, Unit};

/// Rounds per property; `QDA_PROPERTY_ROUNDS` raises it for a long search.
fn rounds() -> usize {
    std::env::var("QDA_PROPERTY_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

/// Fragments the parsers treat specially.
const PIECES: &[&[u8]] = &[
    b":",
    b": ",
    b"\n",
    b"\r\n",
    b"\r",
    b"+++",
    b"+++\n",
    b"[00:01:02]",
    b"[",
    b"]",
    b"\"",
    b"'",
    b"=",
    b"P:",
    b"I: ",
    b" ",
    b"\t",
    b"*",
    b"#",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xC3",
    "자유".as_bytes(),
    "食べ物".as_bytes(),
    "ſ".as_bytes(),
    "\u{212A}".as_bytes(),
    b"\x00",
    b"[[code]]",
    b"{",
    b"}",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    qda_bench::mutate(rng, input, PIECES)
}

fn study(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path))
        .expect("bundled file")
}

#[test]
fn mutated_transcripts_parse_or_fail_cleanly_and_code_without_panicking() {
    let codebook_text = String::from_utf8(study("codebooks/motives.toml")).unwrap();
    let codebook = Codebook::parse(Path::new("motives.toml"), &codebook_text).unwrap();
    let rules = RuleSet::new(&codebook).unwrap();
    let originals =
        [study("transcripts/P02.txt"), study("transcripts/P13.txt"), study("transcripts/P20.txt")];
    let mut rng = Rng::new(2026);
    let (mut parsed, mut refused) = (0, 0);
    for round in 0..rounds() {
        let bytes = mutate(&mut rng, &originals[round % originals.len()]);
        match Transcript::parse(Path::new("T.txt"), &bytes) {
            Ok(transcript) => {
                parsed += 1;
                for unit in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
                    for segment in transcript.segments(unit) {
                        assert!(segment.start <= segment.end, "{round}: {segment:?}");
                        let text = segment.text(&transcript);
                        assert_eq!(text.chars().count(), segment.end - segment.start, "{round}");
                    }
                }
                let coded = rules.code_transcript(&codebook, &transcript);
                for coding in &coded.codings {
                    let Source::Rule { match_start, match_end, .. } = coding.source else {
                        unreachable!()
                    };
                    assert!(
                        coding.start <= match_start && match_end <= coding.end,
                        "{round}: {coding:?}"
                    );
                }
                let again = Transcript::parse(Path::new("T.txt"), &bytes).unwrap();
                assert_eq!(again.turns(), transcript.turns(), "parsing is deterministic");
            }
            Err(error) => {
                refused += 1;
                assert!(error.to_string().starts_with("T.txt"), "{round}: {error}");
            }
        }
    }
    assert!(
        parsed > 30 && refused > 30,
        "both outcomes must be exercised: {parsed} parsed, {refused} refused"
    );
}

use qda_coding::Source;

#[test]
fn mutated_codebooks_parse_or_fail_cleanly() {
    let originals = [study("codebooks/motives.toml"), study("codebooks/strategies.toml")];
    let mut rng = Rng::new(7);
    let (mut parsed, mut refused) = (0, 0);
    for round in 0..rounds() {
        let bytes = mutate(&mut rng, &originals[round % originals.len()]);
        let Ok(text) = String::from_utf8(bytes) else { continue };
        match Codebook::parse(Path::new("cb.toml"), &text) {
            Ok(codebook) => {
                parsed += 1;
                if let Ok(rules) = RuleSet::new(&codebook) {
                    let _ = rules
                        .scan("We were starving; freedom, 자유를 찾아서. The broker lied to me.");
                }
            }
            Err(error) => {
                refused += 1;
                let message = error.to_string();
                assert!(message.starts_with("cb.toml:"), "{round}: {message}");
            }
        }
    }
    assert!(
        parsed > 10 && refused > 10,
        "both outcomes must be exercised: {parsed} parsed, {refused} refused"
    );
}

/// Matching stays linear in the text: a long run of one letter against
/// terms and regexes built to backtrack in other engines must finish.
/// (The regex crate guarantees linear time; this keeps every construct we
/// add within that guarantee.)
#[test]
fn pathological_text_is_scanned() {
    let codebook = Codebook::parse(
        Path::new("cb.toml"),
        r#"
[[code]]
id = "x"
[code.rule]
any = ["a a a a a a a a b", "*aaaa*", "aaaa*"]
regex = ['(a+)+b', '(a|aa)+c', '(?:a*)*d']
"#,
    )
    .unwrap();
    let rules = RuleSet::new(&codebook).unwrap();
    let long = "a".repeat(200_000);
    let spaced = "a ".repeat(100_000);
    assert!(rules.decide("x", &long).unwrap().applies, "`*aaaa*` matches the run");
    assert!(!rules.decide("x", &spaced).unwrap().applies);

    // Every match of these terms fails a word boundary, so the search must
    // skip the long word rather than retry inside it at every character.
    let glued = Codebook::parse(
        Path::new("cb.toml"),
        "[[code]]\nid = \"y\"\n[code.rule]\nany = [\"aaaa*\", \"ab\", \"ab ab\"]\n",
    )
    .unwrap();
    let rules = RuleSet::new(&glued).unwrap();
    for text in [format!("b{}", "a".repeat(200_000)), format!("x{}", "ab".repeat(100_000))] {
        assert!(!rules.decide("y", &text).unwrap().applies);
    }
}

/// Fragments of the query language.
const QUERY_PIECES: &[&[u8]] = &[
    b"(",
    b")",
    b"\"",
    b"\\",
    b"=",
    b" AND ",
    b" OR ",
    b"NOT ",
    b" NEAR/",
    b"NEAR/2 ",
    b"2",
    b" OVERLAPS ",
    b"coder:",
    b"speaker:",
    b"@",
    b"*",
    b" ",
    b"ALL",
    b"and",
    "자유".as_bytes(),
];

#[test]
fn mutated_queries_parse_or_fail_at_a_column_and_evaluate_without_panicking() {
    use qda_coding::{Coding, Level, Query};
    let codebook_text = String::from_utf8(study("codebooks/motives.toml")).unwrap();
    let codebook = Codebook::parse(Path::new("motives.toml"), &codebook_text).unwrap();
    let transcript =
        Transcript::parse(Path::new("P02.txt"), &study("transcripts/P02.txt")).unwrap();
    let segments = transcript.segments(Unit::Turn);
    let rules = RuleSet::new(&codebook).unwrap();
    let coded = rules.code_transcript(&codebook, &transcript);
    let codings: Vec<&Coding> = coded.codings.iter().collect();
    let originals: [&[u8]; 3] = [
        b"(freedom OR survival) AND NOT \"broker*\"",
        b"freedom@anna OVERLAPS \"rice\" OR settled_in=Japan",
        b"motive NEAR/2 speaker:P AND coder:rules",
    ];
    let mut rng = Rng::new(19);
    let (mut parsed, mut refused) = (0, 0);
    for round in 0..rounds() {
        let bytes = qda_bench::mutate(&mut rng, originals[round % originals.len()], QUERY_PIECES);
        let Ok(text) = String::from_utf8(bytes) else { continue };
        match Query::parse(&text, &codebook) {
            Ok(query) => {
                parsed += 1;
                for level in [Level::Segment, Level::Case] {
                    let found = query.evaluate(&transcript, &segments, &codings, level);
                    assert!(found.segments.iter().all(|&s| s < segments.len()), "{round}");
                }
            }
            Err(error) => {
                refused += 1;
                assert!(
                    error.column >= 1 && error.column <= text.chars().count() + 1,
                    "{round}: {error}"
                );
                assert!(error.to_string().starts_with("query:1:"), "{round}: {error}");
            }
        }
    }
    assert!(
        parsed > 10 && refused > 10,
        "both outcomes must be exercised: {parsed} parsed, {refused} refused"
    );
}
