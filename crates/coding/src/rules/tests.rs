//! Tests of rule semantics, rule decisions and coding whole transcripts.

use std::path::Path;

use super::*;
use crate::coding::{CodedTranscript, Coding, RULES_CODER, Source};
use crate::segment::Unit;
use crate::transcript::Transcript;

fn codebook(toml: &str) -> Codebook {
    Codebook::parse(Path::new("cb.toml"), toml).unwrap()
}

/// A rule set with one code `x` whose `[code.rule]` table is `rule`.
fn rule_set(rule: &str) -> RuleSet {
    RuleSet::new(&codebook(&format!("[[code]]\nid = \"x\"\n[code.rule]\n{rule}\n"))).unwrap()
}

fn decide(rule: &str, text: &str) -> Decision {
    rule_set(rule).decide("x", text).unwrap()
}

fn ev(clause: Clause, term: &str, range: Range<usize>) -> Evidence {
    Evidence { clause, term: term.to_owned(), range }
}

/// The byte range where the rule's single positive term matched, if it did.
fn found(rule: &str, text: &str) -> Option<Range<usize>> {
    let decision = decide(rule, text);
    assert!(decision.matched.len() <= 1, "{decision:?}");
    decision.applies.then(|| decision.matched[0].range.clone())
}

// --- case folding -----------------------------------------------------------

#[test]
fn long_s_folds_to_s() {
    // `ſ` is two bytes.
    assert_eq!(found(r#"any = ["starv*"]"#, "ſtarving"), Some(0..9));
    assert_eq!(found(r#"any = ["ſtarv*"]"#, "STARVING"), Some(0..8));
}

#[test]
fn kelvin_sign_folds_to_k() {
    // U+212A KELVIN SIGN is three bytes.
    assert_eq!(found(r#"any = ["kim"]"#, "Mr \u{212A}IM said"), Some(3..8));
    assert_eq!(found(r#"any = ["\u212Aim"]"#, "mr kim"), Some(3..6));
}

// --- words and phrases ------------------------------------------------------

#[test]
fn phrase_matches_across_any_run_of_white_space_including_a_line_break() {
    assert_eq!(
        found(r#"any = ["nothing to eat"]"#, "there was nothing\n   to\teat."),
        Some(10..27)
    );
    assert_eq!(found(r#"any = ["nothing to eat"]"#, "nothing-to-eat"), None);
}

#[test]
fn leading_star_matches_any_run_of_word_characters() {
    assert_eq!(found(r#"any = ["*ism"]"#, "communism."), Some(0..9));
    assert_eq!(found(r#"any = ["*ism"]"#, "ism"), Some(0..3));
    assert_eq!(found(r#"any = ["*ism"]"#, "isms"), None);
}

#[test]
fn trailing_star_matches_any_run_of_word_characters() {
    assert_eq!(found(r#"any = ["starv*"]"#, "they starved."), Some(5..12));
    assert_eq!(found(r#"any = ["starv*"]"#, "starvation"), Some(0..10));
    assert_eq!(found(r#"any = ["starv*"]"#, "unstarved"), None);
}

#[test]
fn stars_at_both_ends() {
    assert_eq!(found(r#"any = ["*free*"]"#, "carefree"), Some(0..8));
    assert_eq!(found(r#"any = ["*free*"]"#, "the unfreedom"), Some(4..13));
}

#[test]
fn terms_match_only_on_word_boundaries() {
    assert_eq!(found(r#"any = ["free"]"#, "freedom"), None);
    assert_eq!(found(r#"any = ["free"]"#, "carefree"), None);
    assert_eq!(found(r#"any = ["hunger"]"#, "hunger, cold"), Some(0..6));
    assert_eq!(found(r#"any = ["hunger"]"#, "(hunger)"), Some(1..7));
}

#[test]
fn no_boundary_is_needed_next_to_hangul() {
    assert_eq!(found(r#"any = ["자유"]"#, "자유를 찾아"), Some(0..6));
}

#[test]
fn no_boundary_is_needed_next_to_han_and_hiragana() {
    assert_eq!(found(r#"any = ["食べ物"]"#, "私は食べ物がなかった"), Some(6..15));
}

#[test]
fn latin_term_needs_no_boundary_before_hiragana() {
    assert_eq!(found(r#"any = ["NGO"]"#, "NGOの支援"), Some(0..3));
    assert_eq!(found(r#"any = ["NGO"]"#, "NGOs"), None);
}

#[test]
fn no_boundary_is_needed_next_to_katakana() {
    assert_eq!(found(r#"any = ["ラーメン"]"#, "ラーメン屋"), Some(0..12));
}

#[test]
fn timestamp_inside_a_phrase_reads_as_white_space() {
    assert_eq!(found(r#"any = ["ab cd"]"#, "ab [00:01:02] cd"), Some(0..16));
    assert_eq!(found(r#"any = ["ab cd"]"#, "ab [1:02] cd"), Some(0..12));
}

#[test]
fn blanked_timestamps_keep_their_length() {
    let blank = |n: usize| " ".repeat(n);
    assert_eq!(
        blank_timestamps("a [00:01:02] b [1:02.5]"),
        format!("a {} b {}", blank(10), blank(8))
    );
    assert!(matches!(blank_timestamps("no stamps"), Cow::Borrowed("no stamps")));
}

#[test]
fn rejected_overlapping_match_does_not_hide_a_later_valid_one() {
    assert_eq!(found(r#"any = ["a-a"]"#, "xa-a-a"), Some(3..6));
}

// --- clauses ----------------------------------------------------------------

#[test]
fn all_requires_every_term() {
    let rule = r#"all = ["hunger", "cold"]"#;
    assert_eq!(
        decide(rule, "hunger only"),
        Decision {
            applies: false,
            matched: vec![ev(Clause::All, "hunger", 0..6)],
            vetoed_by: vec![],
            missing: vec!["cold".into()],
            no_any: false,
        }
    );
}

#[test]
fn rule_with_only_all_codes_when_all_match() {
    let decision = decide(r#"all = ["hunger", "cold"]"#, "cold and hunger");
    assert_eq!(
        decision,
        Decision {
            applies: true,
            matched: vec![ev(Clause::All, "cold", 0..4), ev(Clause::All, "hunger", 9..15)],
            vetoed_by: vec![],
            missing: vec![],
            no_any: false,
        }
    );
    assert_eq!(decision.source(), Some(&ev(Clause::All, "cold", 0..4)));
}

#[test]
fn not_vetoes_the_code() {
    assert_eq!(
        decide("any = [\"hunger\"]\nnot = [\"not hungry\"]", "hunger? I was not hungry"),
        Decision {
            applies: false,
            matched: vec![ev(Clause::Any, "hunger", 0..6)],
            vetoed_by: vec![ev(Clause::Not, "not hungry", 14..24)],
            missing: vec![],
            no_any: false,
        }
    );
}

#[test]
fn no_any_when_no_any_term_matches() {
    let decision = decide("any = [\"hunger\"]\nall = [\"north\"]", "in the north");
    assert!(!decision.applies);
    assert!(decision.no_any);
    assert_eq!(decision.matched, [ev(Clause::All, "north", 7..12)]);
    assert!(decision.missing.is_empty());
}

#[test]
fn regex_counts_like_any_and_is_case_insensitive() {
    let rule = "any = [\"hunger\"]\nregex = [\"starv(ed|ing)\"]";
    assert_eq!(
        decide(rule, "WE STARVED"),
        Decision {
            applies: true,
            matched: vec![ev(Clause::Regex, "starv(ed|ing)", 3..10)],
            vetoed_by: vec![],
            missing: vec![],
            no_any: false,
        }
    );
    let none = decide(rule, "we ate");
    assert!(!none.applies);
    assert!(none.no_any);
}

#[test]
fn decision_lists_matches_in_text_order_and_source_is_the_first_any() {
    let rule = "any = [\"hunger\", \"starv*\"]\nall = [\"north\"]\nnot = [\"not hungry\"]";
    let decision = decide(rule, "In the north we starved; hunger was everywhere");
    assert_eq!(
        decision,
        Decision {
            applies: true,
            matched: vec![
                ev(Clause::All, "north", 7..12),
                ev(Clause::Any, "starv*", 16..23),
                ev(Clause::Any, "hunger", 25..31),
            ],
            vetoed_by: vec![],
            missing: vec![],
            no_any: false,
        }
    );
    assert_eq!(decision.source(), Some(&ev(Clause::Any, "starv*", 16..23)));
}

#[test]
fn decide_is_none_for_a_code_without_a_rule() {
    let cb = codebook("[[code]]\nid = \"x\"\n[code.rule]\nany = [\"a\"]\n[[code]]\nid = \"y\"\n");
    let rules = RuleSet::new(&cb).unwrap();
    assert!(rules.decide("y", "a").is_none());
    assert!(rules.decide("nope", "a").is_none());
    assert_eq!(rules.codes().collect::<Vec<_>>(), ["x"]);
}

#[test]
fn same_term_in_two_rules_is_compiled_once() {
    let cb = codebook(
        "[[code]]\nid = \"x\"\n[code.rule]\nany = [\"hunger\"]\n[[code]]\nid = \"y\"\n[code.rule]\nany = [\"hunger\", \"cold\"]\n",
    );
    assert_eq!(RuleSet::new(&cb).unwrap().pattern_count(), 2);
}

#[test]
fn word_term_and_regex_with_the_same_text_keep_their_own_semantics() {
    let cb = codebook(
        "[[code]]\nid = \"by_regex\"\n[code.rule]\nregex = [\"free\"]\n[[code]]\nid = \"by_word\"\n[code.rule]\nany = [\"free\"]\n",
    );
    let rules = RuleSet::new(&cb).unwrap();
    // A regex needs no word boundary; a word term does.
    assert!(rules.decide("by_regex", "freedom").unwrap().applies);
    assert!(!rules.decide("by_word", "freedom").unwrap().applies);
}

#[test]
fn evidence_names_the_term_as_written_in_its_own_rule() {
    let cb = codebook(
        "[[code]]\nid = \"x\"\n[code.rule]\nany = [\"nothing to eat\"]\n[[code]]\nid = \"y\"\n[code.rule]\nany = [\"nothing  to  eat\"]\n",
    );
    let rules = RuleSet::new(&cb).unwrap();
    let decision = rules.decide("y", "nothing to eat").unwrap();
    assert_eq!(decision.matched, [ev(Clause::Any, "nothing  to  eat", 0..14)]);
}

// --- coding transcripts -------------------------------------------------------

const CODEBOOK: &str = r#"
[codebook]
interviewer = ["I"]
[[code]]
id = "survival"
[code.rule]
any = ["starv*"]
[[code]]
id = "freedom"
[code.rule]
any = ["자유"]
"#;

/// The interviewer's turn mentions both codes too; the participant's turn has
/// Korean before each match, so code points and bytes differ.
const TRANSCRIPT: &str =
    "+++\ncase = \"P01\"\n+++\nI: 굶주림, starving?\nP: 우리는 starving. 자유를 원했다.\n";

fn coded(codebook_text: &str) -> CodedTranscript {
    let cb = codebook(codebook_text);
    let t = Transcript::parse(Path::new("P01.txt"), TRANSCRIPT.as_bytes()).unwrap();
    RuleSet::new(&cb).unwrap().code_transcript(&cb, &t)
}

#[test]
fn code_transcript_skips_interviewers_and_records_code_point_offsets() {
    let coded = coded(CODEBOOK);
    assert_eq!(coded.case, "P01");
    assert_eq!(coded.segments, 2);
    assert_eq!(coded.codable_segments, 1);
    assert_eq!(coded.sha256, crate::sha256_hex(TRANSCRIPT.as_bytes()));
    let coding = |code: &str, term: &str, match_start, match_end| Coding {
        case: "P01".into(),
        segment: "P01:t2".into(),
        code: code.into(),
        coder: RULES_CODER.into(),
        start: 42,
        end: 64,
        source: Source::Rule { clause: Clause::Any, term: term.into(), match_start, match_end },
    };
    assert_eq!(
        coded.codings,
        [coding("survival", "starv*", 46, 54), coding("freedom", "자유", 56, 58)]
    );
    assert_eq!(RULES_CODER, "rules");
}

/// Counting codes by segment directly gives what counting the codings does,
/// over generated transcripts with many codes per segment.
#[test]
fn case_codes_count_what_the_codings_hold() {
    let generator = qda_bench::Generator::new(40, 3);
    let rules =
        RuleSet::new(&Codebook::parse(Path::new("cb.toml"), &generator.codebook_toml()).unwrap())
            .unwrap();
    for unit in ["turn", "paragraph", "sentence"] {
        let cb = Codebook::parse(
            Path::new("cb.toml"),
            &generator.codebook_toml().replace("unit = \"turn\"", &format!("unit = \"{unit}\"")),
        )
        .unwrap();
        assert_eq!(cb.unit().as_str(), unit);
        for index in 0..4 {
            let text = generator.transcript(index, 20_000);
            let t = Transcript::parse(Path::new("B.txt"), text.as_bytes()).unwrap();
            let counted = rules.case_codes(&cb, &t);
            assert!(!counted.segments.is_empty());
            assert_eq!(counted, crate::CaseCodes::from_coded(&cb, &rules.code_transcript(&cb, &t)));
        }
    }
}

#[test]
fn code_transcript_uses_the_codebook_unit() {
    let coded = coded(&CODEBOOK.replace("[codebook]", "[codebook]\nunit = \"sentence\""));
    let found: Vec<(&str, &str, usize, usize)> = coded
        .codings
        .iter()
        .map(|c| (c.segment.as_str(), c.code.as_str(), c.start, c.end))
        .collect();
    assert_eq!(found, [("P01:t2.s1", "survival", 42, 55), ("P01:t2.s2", "freedom", 56, 64)]);
    assert_eq!(
        codebook(&CODEBOOK.replace("[codebook]", "[codebook]\nunit = \"sentence\"")).unit(),
        Unit::Sentence
    );
}

#[test]
fn coding_serializes_with_a_tagged_source() {
    let coding = &coded(CODEBOOK).codings[1];
    assert_eq!(
        serde_json::to_string(coding).unwrap(),
        r#"{"case":"P01","segment":"P01:t2","code":"freedom","coder":"rules","start":42,"end":64,"source":{"type":"rule","clause":"any","term":"자유","match_start":56,"match_end":58}}"#
    );
    let manual = Source::Manual { memo: None, quote: None, imported: None };
    assert_eq!(serde_json::to_string(&manual).unwrap(), r#"{"type":"manual"}"#);
    let back: Coding = serde_json::from_str(&serde_json::to_string(coding).unwrap()).unwrap();
    assert_eq!(&back, coding);
}

/// The prefilter only narrows which patterns are located; it must never
/// change a result. Compare `scan` with locating every pattern directly,
/// over generated participant turns (with the two characters that fold to
/// ASCII letters mixed into some of them).
#[test]
fn prefiltered_scan_equals_locating_every_pattern() {
    let generator = qda_bench::Generator::new(60, 7);
    let codebook = Codebook::parse(Path::new("cb.toml"), &generator.codebook_toml()).unwrap();
    let rules = RuleSet::new(&codebook).unwrap();
    let mut turns = generator.participant_turns(60_000);
    for (i, turn) in turns.iter_mut().enumerate().filter(|(i, _)| i % 9 == 0) {
        *turn = turn
            .replacen('s', if i % 2 == 0 { "\u{17F}" } else { "S" }, 3)
            .replacen('k', "\u{212A}", 2);
    }
    // Each pattern searched plainly with the regex crate, as written.
    let plain: Vec<Regex> =
        rules.atoms.iter().map(|atom| Regex::new(&atom.term.pattern).unwrap()).collect();
    let mut matched = 0;
    for turn in &turns {
        let hits = rules.scan(turn);
        let text = blank_timestamps(turn);
        for (index, atom) in rules.atoms.iter().enumerate() {
            let regex = &plain[index];
            let direct = if atom.term.is_regex {
                regex.find(&text).map(|m| m.range())
            } else {
                all_on_boundaries(regex, &text).first().cloned()
            };
            assert_eq!(
                hits.first(index).cloned(),
                direct,
                "pattern `{}` in {turn:?}",
                atom.term.text
            );
            matched += usize::from(direct.is_some());
        }
    }
    assert!(matched > 100, "the comparison must cover real matches, found {matched}");
}

/// Locating starts at the first occurrence of a pattern's literal that
/// stands on the boundaries it needs; occurrences glued to other words must
/// not hide a later match, nor shift it.
#[test]
fn locating_from_the_literal_skips_occurrences_inside_words() {
    let cases: [(&str, &str, Option<Range<usize>>); 11] = [
        // Whole word: the occurrence itself is the match.
        (r#"any = ["car"]"#, "scar, cars, Car.", Some(12..15)),
        // A word with `*`: starts where the literal does.
        (r#"any = ["car*"]"#, "scar careful", Some(5..12)),
        // A phrase led by its literal, with a false start before it.
        (r#"any = ["public broker"]"#, "republic public  broker", Some(9..23)),
        // A phrase whose literal is its second word: located from the start.
        (r#"any = ["no smuggler"]"#, "nosmuggler no\n smuggler", Some(11..23)),
        // A regex with a prefix literal.
        (r"regex = ['kept (?:calling|asking) me']", "unkept kept asking me", Some(7..21)),
        // Korean needs no boundary: an occurrence inside a word matches.
        (r#"any = ["자유"]"#, "진짜자유를", Some(6..12)),
        (r#"any = ["car"]"#, "scary", None),
        // A phrase whose literal is in its third word: located from two
        // runs before it, across any white space.
        (r#"any = ["my old smuggler"]"#, "an old smuggler, (my \t old\n\nsmuggler", Some(18..36)),
        (r#"any = ["my old smuggler"]"#, "old smuggler my old smuggler", Some(13..28)),
        // Fewer runs before the literal than words before it in the term.
        (r#"any = ["my old smuggler"]"#, " smuggler", None),
        // A leading `*`: the match starts inside the literal's run.
        (r#"any = ["*ration"]"#, "re-generation", Some(3..13)),
    ];
    for (rule, text, expected) in cases {
        assert_eq!(found(rule, text), expected, "{rule} in {text:?}");
    }
}

/// Words and phrases in ASCII are located from their literal without their
/// regex (`word_term.rs`); that must find exactly the regex's first match on
/// boundaries. Terms with repeated words, words that contain one another,
/// `*` at either end and punctuation inside words, over texts made of the
/// same words glued and spaced in every way (Unicode white space, Han,
/// accented letters, timestamps, a long s now and then).
#[test]
fn words_located_from_their_literal_equal_the_regex() {
    let terms = [
        "very very good",
        "good good",
        "no smuggler",
        "old smuggler*",
        "*ing well",
        "*ing",
        "sing*",
        "*in*",
        "self-employed*",
        "it's self-employed",
        "a b a",
        "b a",
        "my old smuggler",
    ];
    let rule = format!("any = [{}]", terms.map(|t| format!("{t:?}")).join(", "));
    let rules = rule_set(&rule);
    assert!(
        rules.atoms.iter().filter(|a| a.words.is_some()).count() >= 10,
        "most terms must take the direct path"
    );
    let plain: Vec<Regex> =
        rules.atoms.iter().map(|atom| Regex::new(&atom.term.pattern).unwrap()).collect();
    let pieces = [
        "very",
        "VERY",
        "good",
        "Good",
        "no",
        "nono",
        "smuggler",
        "smugglers",
        "old",
        "sing",
        "singing",
        "well",
        "in",
        "self-employed",
        "self",
        "-",
        "employed",
        "it's",
        "a",
        "b",
        "my",
        "é",
        "自由",
        "[00:01:02]",
        "ſ",
        ",",
        "(",
        "_",
    ];
    let gaps = [" ", "  ", "\n", "\t", "\u{a0}", "\u{3000}", "", "", ".", "-"];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |below: usize| {
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % below
    };
    let mut matched = 0;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..1 + next(12) {
            text.push_str(pieces[next(pieces.len())]);
            text.push_str(gaps[next(gaps.len())]);
        }
        let hits = rules.scan(&text);
        let blanked = blank_timestamps(&text);
        for (index, regex) in plain.iter().enumerate() {
            let direct = all_on_boundaries(regex, &blanked).first().cloned();
            assert_eq!(
                hits.first(index).cloned(),
                direct,
                "term `{}` in {text:?}",
                rules.atoms[index].term.text
            );
            matched += usize::from(direct.is_some());
        }
    }
    assert!(matched > 5_000, "the comparison must cover real matches, found {matched}");
}

/// Coding blanks a segment's timestamps from those found when the
/// transcript was read (`rule_coding::blanked`); that must equal searching
/// the segment again, in every unit, also where a sentence ends inside a
/// timestamp or timestamps stand back to back.
#[test]
fn segments_blanked_from_the_transcripts_timestamps_equal_a_new_search() {
    let text = "+++\ncase = \"P01\"\n+++\n\
        I: [00:01] Where? [1:02:03.5]\n\
        P: [00:00:08] We left. [12:34,56] Then. [00:01.5]. Done [1:2] [99:99][00:01]x\n\
        \n\
        [00:02] New paragraph. [ 00:03] [0:04.] [00:05.1234] [١٢:٣٤] end.[00:06]\n\
        P: No stamps here.\n";
    let transcript = Transcript::parse(Path::new("P01.txt"), text.as_bytes()).unwrap();
    let mut blanked_some = 0;
    for unit in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
        for (_, bytes) in transcript.segment_bytes(unit) {
            let segment = &transcript.text()[bytes.clone()];
            let blanked = crate::segment::blanked(&transcript, bytes);
            assert_eq!(blanked, blank_timestamps(segment), "{unit:?} segment {segment:?}");
            blanked_some += usize::from(blanked != segment);
        }
    }
    assert!(blanked_some >= 6, "the segments must hold timestamps, {blanked_some} did");
}
