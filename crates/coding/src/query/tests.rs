//! Tests of the query language.

use std::path::Path;

use super::*;
use crate::coding::{Coding, Source};
use crate::segment::{Segment, Unit};
use crate::transcript::Transcript;

fn codebook() -> Codebook {
    Codebook::parse(
        Path::new("motives.toml"),
        r#"
[codebook]
interviewer = ["I"]
[[code]]
id = "motive"
codable = false
[[code]]
id = "freedom"
parent = "motive"
[[code]]
id = "survival"
parent = "motive"
[[code]]
id = "broker"
"#,
    )
    .unwrap()
}

const TRANSCRIPT: &str = "+++\ncase = \"P01\"\nregion = \"north\"\n+++\n\
I: Why did you leave?\n\
P: We were Starving. 배고파서 강을 건넜어요.\n\
I: And then?\n\
P: A broker took us across.\n\
P: I wanted freedom.\n";

struct Study {
    codebook: Codebook,
    transcript: Transcript,
    segments: Vec<Segment>,
    codings: Vec<Coding>,
}

/// A manual coding of code-point span `start..end` of turn `turn`.
fn coding(
    segments: &[Segment],
    turn: usize,
    code: &str,
    coder: &str,
    span: Option<(usize, usize)>,
) -> Coding {
    let segment = &segments[turn - 1];
    let (start, end) =
        span.map_or((segment.start, segment.end), |(a, b)| (segment.start + a, segment.start + b));
    Coding {
        case: "P01".into(),
        segment: segment.id.clone(),
        code: code.into(),
        coder: coder.into(),
        start,
        end,
        source: Source::Manual { memo: None, quote: None, imported: None },
    }
}

fn study() -> Study {
    let transcript = Transcript::parse(Path::new("P01.txt"), TRANSCRIPT.as_bytes()).unwrap();
    let segments = transcript.segments(Unit::Turn);
    let codings = vec![
        coding(&segments, 2, "survival", "anna", Some((3, 19))),
        coding(&segments, 2, "broker", "ben", Some((10, 25))),
        coding(&segments, 4, "broker", "anna", None),
        coding(&segments, 4, "broker", "ben", None),
        coding(&segments, 5, "freedom", "anna", None),
        coding(&segments, 5, "survival", "ben", None),
    ];
    Study { codebook: codebook(), transcript, segments, codings }
}

/// The turns (from 1) a query matches.
fn turns(query: &str, level: Level) -> Vec<usize> {
    let s = study();
    let query = Query::parse(query, &s.codebook).unwrap();
    let codings: Vec<&Coding> = s.codings.iter().collect();
    let found = query.evaluate(&s.transcript, &s.segments, &codings, level);
    assert_eq!(found.case, !found.segments.is_empty());
    found.segments.iter().map(|&i| s.segments[i].turn).collect()
}

fn error(query: &str) -> String {
    Query::parse(query, &codebook()).unwrap_err().to_string()
}

#[test]
fn codes_stand_for_their_descendants() {
    assert_eq!(turns("motive", Level::Segment), [2, 5]);
    assert_eq!(turns("freedom", Level::Segment), [5]);
    assert_eq!(turns("survival@anna", Level::Segment), [2]);
    assert_eq!(turns("coder:ben", Level::Segment), [2, 4, 5]);
}

#[test]
fn not_binds_tighter_than_and_and_and_tighter_than_or() {
    // (NOT broker) AND motive, not NOT (broker AND motive).
    assert_eq!(turns("NOT broker AND motive", Level::Segment), [5]);
    // broker OR (freedom AND survival).
    assert_eq!(turns("broker OR freedom AND survival", Level::Segment), [2, 4, 5]);
    assert_eq!(turns("(broker OR freedom) AND survival", Level::Segment), [2, 5]);
    assert_eq!(turns("NOT (broker OR motive)", Level::Segment), [1, 3]);
    assert_eq!(turns("ALL AND NOT speaker:P", Level::Segment), [1, 3]);
}

#[test]
fn text_has_the_rule_term_semantics() {
    // Case folding and a `*` at the end.
    assert_eq!(turns("\"starv*\"", Level::Segment), [2]);
    assert_eq!(turns("\"starv\"", Level::Segment), Vec::<usize>::new());
    // A phrase across any white space; Hangul needs no word boundary.
    assert_eq!(turns("\"took   us\" OR \"배고*\"", Level::Segment), [2, 4]);
    assert_eq!(turns("\"강을\"", Level::Segment), [2]);
}

#[test]
fn coded_by_and_not_coded_by_narrow_the_query() {
    let s = study();
    let codings: Vec<&Coding> = s.codings.iter().collect();
    let query =
        Query::parse("ALL", &s.codebook).unwrap().with_coders(&["anna".into()], &["ben".into()]);
    assert!(
        query.evaluate(&s.transcript, &s.segments, &codings, Level::Segment).segments.is_empty()
    );
    let query = Query::parse("NOT freedom", &s.codebook).unwrap().with_coders(&["ben".into()], &[]);
    let found = query.evaluate(&s.transcript, &s.segments, &codings, Level::Segment);
    assert_eq!(found.segments, [1, 3]);
}

#[test]
fn speakers_and_attributes() {
    assert_eq!(turns("speaker:I", Level::Segment), [1, 3]);
    assert_eq!(turns("speaker:P AND NOT coder:anna", Level::Segment), Vec::<usize>::new());
    assert_eq!(turns("region=north AND speaker:I", Level::Segment), [1, 3]);
    assert_eq!(turns("region=\"south\" OR freedom", Level::Segment), [5]);
}

#[test]
fn near_counts_segments_of_the_case_either_way() {
    assert_eq!(turns("broker NEAR/0 survival", Level::Segment), [2]);
    assert_eq!(turns("freedom NEAR/1 broker@anna", Level::Segment), [4, 5]);
    assert_eq!(turns("\"why\" NEAR/2 freedom", Level::Segment), Vec::<usize>::new());
    assert_eq!(turns("\"why\" NEAR/4 freedom", Level::Segment), [1, 5]);
}

#[test]
fn overlaps_compares_spans_within_a_segment() {
    // Turn 2: anna's survival covers 3..19, ben's broker 10..25; turn 5
    // has both codes over the whole turn.
    assert_eq!(turns("survival OVERLAPS broker@ben", Level::Segment), [2]);
    assert_eq!(turns("freedom OVERLAPS survival", Level::Segment), [5]);
    // "Starving" is at 10..18 of turn 2, inside anna's span; "강을" at 23 is not.
    assert_eq!(turns("survival@anna OVERLAPS \"starving\"", Level::Segment), [2]);
    assert_eq!(turns("survival@anna OVERLAPS \"강을\"", Level::Segment), Vec::<usize>::new());
    assert_eq!(turns("broker@ben OVERLAPS \"강을\"", Level::Segment), [2]);
}

#[test]
fn the_case_level_joins_truths_over_the_whole_case() {
    // No segment has both, but the case has both.
    assert_eq!(turns("freedom AND broker@anna", Level::Segment), Vec::<usize>::new());
    assert_eq!(turns("freedom AND broker@anna", Level::Case), [4, 5]);
    // Negations and attributes point at no segment: every coded segment is shown.
    assert_eq!(turns("region=north AND NOT speaker:X", Level::Case), [2, 4, 5]);
    assert_eq!(turns("NOT freedom", Level::Case), Vec::<usize>::new());
    assert_eq!(turns("\"rice\" NEAR/1 broker OR freedom", Level::Case), [5]);
}

#[test]
fn several_coders_are_listed_with_their_codes() {
    let s = study();
    let codings: Vec<&Coding> = s.codings.iter().collect();
    let found = several_coders(&s.segments, &codings);
    let shown: Vec<(usize, bool)> =
        found.iter().map(|f| (s.segments[f.segment].turn, f.agree())).collect();
    assert_eq!(shown, [(2, false), (4, true), (5, false)]);
    assert_eq!(found[0].codes["anna"].iter().collect::<Vec<_>>(), ["survival"]);
}

#[test]
fn syntax_errors_point_at_the_column_and_say_what_was_expected() {
    assert_eq!(
        error(""),
        "query:1:1: the query is empty; expected a code, \"text\", coder:NAME, speaker:NAME, ATTR=VALUE, ALL, NOT or `(`, such as `freedom AND broker`\n  \n  ^"
    );
    assert_eq!(
        error("freedom AND AND broker"),
        "query:1:13: expected a code, \"text\", coder:NAME, speaker:NAME, ATTR=VALUE, ALL, NOT or `(`; found `AND`\n  freedom AND AND broker\n              ^"
    );
    assert_eq!(
        error("freedom broker"),
        "query:1:9: expected AND, OR, NEAR/n, OVERLAPS or the end of the query, found `broker`\n  freedom broker\n          ^"
    );
    assert_eq!(
        error("(freedom OR broker"),
        "query:1:19: expected `)` to close the `(` at column 1, or an operator; found the end of the query\n  (freedom OR broker\n                    ^"
    );
    assert!(error("freedom)").starts_with("query:1:8: this `)` closes no `(`"));
    assert!(error("\"hunger AND x").starts_with("query:1:1: this quote is never closed"));
    assert!(error("a NEAR/x b").starts_with("query:1:3: `NEAR/x`: expected the number"));
    assert!(error("region=").starts_with("query:1:8: expected a value after `=`"));
    assert!(error("coder: AND x").starts_with("query:1:8: expected a coder's name"));
    assert!(
        error("(freedom OR broker) OVERLAPS survival")
            .starts_with("query:1:21: OVERLAPS compares coded or matched spans")
    );
    assert!(error("\"st*rv\"").starts_with("query:1:1: term `st*rv`: `*` may stand only"));
}

#[test]
fn unknown_codes_get_a_did_you_mean() {
    assert_eq!(
        error("fredom OR broker").lines().next().unwrap(),
        "query:1:1: no code `fredom` in motives.toml; did you mean `freedom`? (to search the text, quote it: \"fredom\")"
    );
    assert_eq!(
        error("freedom and broker").lines().next().unwrap(),
        "query:1:9: expected AND, OR, NEAR/n, OVERLAPS or the end of the query, found `and`; operators are written in capitals: AND"
    );
    assert_eq!(
        error("not freedom").lines().next().unwrap(),
        "query:1:1: no code `not` in motives.toml; operators are written in capitals: NOT"
    );
}

#[test]
fn names_only_the_data_knows_are_checked_against_it() {
    let codebook = codebook();
    let known = KnownNames {
        coders: ["anna".into(), "ben".into()].into(),
        speakers: ["I".into(), "P".into()].into(),
        attributes: ["region".into()].into(),
    };
    let check = |q: &str| {
        Query::parse(q, &codebook).unwrap().check_names(&known).map_err(|e| e.to_string())
    };
    assert!(check("coder:anna AND freedom@ben AND speaker:P AND region=x").is_ok());
    assert_eq!(
        check("freedom AND coder:ana").unwrap_err().lines().next().unwrap(),
        "query:1:13: no coder in the codings is called `ana`; did you mean `anna`? known: anna, ben"
    );
    assert!(check("freedom@bn").unwrap_err().starts_with("query:1:9: no coder"));
    assert!(check("regoin=north").unwrap_err().contains("did you mean `region`?"));
    assert!(check("speaker:Q").unwrap_err().contains("known: I, P"));
}

/// Operators and parentheses bound how deep a query nests, so that no
/// query runs out of stack: 256 are read, the next is refused.
#[test]
fn a_query_of_too_many_operators_is_refused_at_the_first_too_many() {
    let book = codebook();
    let nots = |n: usize| format!("{}survival", "NOT ".repeat(n));
    assert!(Query::parse(&nots(256), &book).is_ok());
    let message = error(&nots(30_000));
    assert!(
        message.starts_with("query:1:1025: the query has more than 256 operators and parentheses"),
        "{}",
        &message[..100]
    );
    let parentheses = |n: usize| format!("{}survival{}", "(".repeat(n), ")".repeat(n));
    assert!(Query::parse(&parentheses(256), &book).is_ok());
    assert!(error(&parentheses(257)).starts_with("query:1:257: the query has more than"));
    let chain = vec!["survival"; 258].join(" OR ");
    assert!(error(&chain).starts_with("query:1:"));
}
