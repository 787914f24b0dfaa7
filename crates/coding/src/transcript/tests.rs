//! Tests of transcript parsing (front matter, turns, paragraphs, errors) and
//! of segmentation (ids, offsets, times, lines).

use super::*;
use crate::error::ErrorKind;
use crate::segment::{Segment, Unit};

/// 21 bytes, lines 1 to 3; the body starts on line 4.
const HEAD: &str = "+++\ncase = \"P01\"\n+++\n";

fn parse(text: &str) -> Transcript {
    Transcript::parse(Path::new("P01.txt"), text.as_bytes()).unwrap()
}

fn parse_err(bytes: &[u8]) -> String {
    Transcript::parse(Path::new("P01.txt"), bytes).unwrap_err().to_string()
}

fn body(text: &str) -> Transcript {
    parse(&format!("{HEAD}{text}"))
}

/// `(id, text)` of every segment of `unit`.
fn segment_texts(transcript: &Transcript, unit: Unit) -> Vec<(String, String)> {
    transcript
        .segments(unit)
        .into_iter()
        .map(|s| {
            let text = s.text(transcript).to_owned();
            (s.id, text)
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

// --- front matter -------------------------------------------------------

#[test]
fn front_matter_keys_other_than_case_become_typed_attributes() {
    let t = parse(
        "+++\ncase = \"P01\"\npseudonym = \"In-jae\"\ncrossing_year = 2001\nheight = 1.5\nsettled = true\ninterview_date = 2019-03-11\nrecorded = 2019-03-11T10:30:00\nspeakers = [\"I\", \"P\"]\n+++\nP: hi\n",
    );
    assert_eq!(t.case(), "P01");
    assert_eq!(t.speakers(), Some(&["I".to_owned(), "P".to_owned()][..]));
    let keys: Vec<&str> = t.attributes().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["pseudonym", "crossing_year", "height", "settled", "interview_date", "recorded"]
    );
    let a = t.attributes();
    assert_eq!(a["pseudonym"], AttributeValue::Text("In-jae".into()));
    assert_eq!(a["crossing_year"], AttributeValue::Integer(2001));
    assert!(matches!(a["height"], AttributeValue::Float(f) if (f - 1.5).abs() < 1e-12));
    assert_eq!(a["settled"], AttributeValue::Boolean(true));
    assert_eq!(a["interview_date"], AttributeValue::Text("2019-03-11".into()));
    assert_eq!(a["recorded"], AttributeValue::Text("2019-03-11T10:30:00".into()));
}

#[test]
fn front_matter_without_case_is_an_error() {
    assert_eq!(
        parse_err(b"+++\npseudonym = \"x\"\n+++\nP: hi\n"),
        "P01.txt:2:1: the front matter has no `case`; add a line such as case = \"P01\""
    );
}

#[test]
fn errors_carry_their_kind() {
    let kind = |bytes: &[u8]| Transcript::parse(Path::new("P01.txt"), bytes).unwrap_err().kind;
    assert_eq!(kind(b"+++\npseudonym = \"x\"\n+++\nP: hi\n"), ErrorKind::Missing);
    assert_eq!(kind(b"+++\ncase = \"P01\"\nP: hi\n"), ErrorKind::Syntax);
    assert_eq!(kind(b"+++\ncase = 1\n+++\nP: hi\n"), ErrorKind::InvalidValue);
    assert_eq!(kind(b"+++\ncase = \"P01\"\n+++\nP: \xff\n"), ErrorKind::Encoding);
}

#[test]
fn case_must_be_a_string() {
    assert_eq!(
        parse_err(b"+++\ncase = 1\n+++\nP: hi\n"),
        "P01.txt:2:8: `case` must be a string such as \"P01\", found an integer"
    );
}

#[test]
fn case_id_with_a_colon_is_rejected() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P:01\"\n+++\nP: hi\n"),
        "P01.txt:2:8: case id `P:01` must be non-empty, without spaces or colons (segment ids are `CASE:t12`)"
    );
}

#[test]
fn case_id_with_a_space_is_rejected() {
    assert_eq!(
        parse_err(b"+++\nx = 1\ncase = \"P 01\"\n+++\nP: hi\n"),
        "P01.txt:3:8: case id `P 01` must be non-empty, without spaces or colons (segment ids are `CASE:t12`)"
    );
}

#[test]
fn array_attribute_is_rejected_at_its_key() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\ntags = [\"a\", \"b\"]\n+++\nP: hi\n"),
        "P01.txt:3:1: attribute `tags` must be a string, number, boolean or date, found an array"
    );
}

#[test]
fn inline_table_attribute_is_rejected_at_its_key() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\nmeta = { a = 1 }\n+++\nP: hi\n"),
        "P01.txt:3:1: attribute `meta` must be a string, number, boolean or date, found a table"
    );
}

#[test]
fn table_header_attribute_is_rejected_at_its_key() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\n[meta]\na = 1\n+++\nP: hi\n"),
        "P01.txt:3:2: attribute `meta` must be a string, number, boolean or date, found a table"
    );
}

#[test]
fn speakers_must_be_an_array_of_labels() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\nspeakers = \"I\"\n+++\nP: hi\n"),
        "P01.txt:3:12: `speakers` must be an array such as [\"I\", \"P\"], found a string"
    );
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\nspeakers = [\"I\", \"a:b\"]\n+++\nP: hi\n"),
        "P01.txt:3:18: `speakers` lists speaker labels: strings of 1 to 32 characters without a colon"
    );
}

#[test]
fn attribute_that_is_not_a_finite_number_is_rejected() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\nratio = nan\n+++\nP: hi\n"),
        "P01.txt:3:1: attribute `ratio` must be a string, number, boolean or date, found a number that is not finite"
    );
}

#[test]
fn missing_opening_line_is_an_error() {
    assert_eq!(
        parse_err(b"case = \"P01\"\n+++\nP: hi\n"),
        "P01.txt:1:1: a transcript starts with a `+++` line that opens its front matter (case = \"P01\" and other attributes), closed by another `+++` line"
    );
}

#[test]
fn missing_closing_line_is_an_error() {
    assert_eq!(
        parse_err(b"+++\ncase = \"P01\"\nP: hi\n"),
        "P01.txt:1:1: the front matter opened here is never closed; add a line `+++` after it"
    );
}

#[test]
fn toml_syntax_error_is_located_in_the_file_not_the_front_matter() {
    // The unclosed string is on line 4 of the file (line 3 of the front
    // matter); the closing quote is missing at its end, column 15.
    let text = "+++\ncase = \"P01\"\nyear = 2001\nname = \"In-jae\n+++\nP: hi\n";
    let expected = "P01.txt:4:15: invalid TOML: invalid basic string, expected `\"`";
    assert_eq!(parse_err(text.as_bytes()), expected);
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    assert_eq!(parse_err(crlf.as_bytes()), expected);
}

#[test]
fn timestamps_in_the_front_matter_are_not_segment_times() {
    let t = parse("+++\ncase = \"P01\"\nnote = \"[00:09:09]\"\n+++\nP: hi\n");
    assert_eq!(t.segments(Unit::Turn)[0].time, None);
}

// --- turns ------------------------------------------------------------------

fn one_paragraph(number: usize, speaker: &str, line: usize, paragraph: Range<usize>) -> Turn {
    Turn { number, speaker: speaker.to_owned(), line, paragraphs: vec![paragraph] }
}

#[test]
fn label_colon_text_lines_start_turns() {
    let t = body("I: How did you come?\nP: I crossed.\n");
    assert_eq!(t.turns(), [one_paragraph(1, "I", 4, 24..41), one_paragraph(2, "P", 5, 45..55),]);
    assert_eq!(&t.text()[24..41], "How did you come?");
    assert_eq!(&t.text()[45..55], "I crossed.");
}

#[test]
fn label_with_colon_at_end_of_line_starts_a_turn() {
    let t = body("I: Why?\nP:\n   I crossed.\n");
    assert_eq!(t.turns().len(), 2);
    assert_eq!(t.turns()[1].speaker, "P");
    assert_eq!(
        segment_texts(&t, Unit::Turn),
        pairs(&[("P01:t1", "Why?"), ("P01:t2", "I crossed.")])
    );
}

#[test]
fn timestamp_before_the_label_is_not_part_of_the_text() {
    let t = body("[00:01:02] P: I left.\n");
    assert_eq!(t.turns(), [one_paragraph(1, "P", 4, 35..42)]);
    let segments = t.segments(Unit::Turn);
    assert_eq!(segments[0].text(&t), "I left.");
    assert_eq!(segments[0].time.as_deref(), Some("00:01:02"));
}

#[test]
fn timestamp_after_the_label_is_part_of_the_text() {
    let t = body("P: [00:03:12] I crossed.\n");
    assert_eq!(t.turns()[0].speaker, "P");
    let segments = t.segments(Unit::Turn);
    assert_eq!(segments[0].text(&t), "[00:03:12] I crossed.");
    assert_eq!(segments[0].bytes, 24..45);
    assert_eq!(segments[0].time.as_deref(), Some("00:03:12"));
}

#[test]
fn continuation_lines_belong_to_the_turn() {
    let t = body("P: I crossed to see my uncle.\n   a continuation line.\nI: ok\n");
    assert_eq!(t.turns().len(), 2);
    assert_eq!(
        segment_texts(&t, Unit::Turn),
        pairs(&[
            ("P01:t1", "I crossed to see my uncle.\n   a continuation line."),
            ("P01:t2", "ok"),
        ])
    );
}

#[test]
fn blank_lines_separate_paragraphs_inside_a_turn() {
    let t = body("P: first para.\n\nsecond para.\n   \n  third.\nI: ok\n");
    assert_eq!(t.turns().len(), 2);
    assert_eq!(t.turns()[0].paragraphs.len(), 3);
    assert_eq!(
        segment_texts(&t, Unit::Paragraph),
        pairs(&[
            ("P01:t1.p1", "first para."),
            ("P01:t1.p2", "second para."),
            ("P01:t1.p3", "third."),
            ("P01:t2.p1", "ok"),
        ])
    );
    assert_eq!(
        segment_texts(&t, Unit::Turn),
        pairs(&[("P01:t1", "first para.\n\nsecond para.\n   \n  third."), ("P01:t2", "ok")])
    );
}

#[test]
fn clock_times_and_urls_at_line_start_continue_the_turn() {
    let t = body("P: We waited.\n10:30 we left.\nhttp://x.org was the site.\n");
    assert_eq!(t.turns().len(), 1);
    assert_eq!(
        segment_texts(&t, Unit::Turn),
        pairs(&[("P01:t1", "We waited.\n10:30 we left.\nhttp://x.org was the site.")])
    );
}

#[test]
fn label_longer_than_32_characters_is_not_a_label() {
    let long = "a".repeat(33);
    let t = body(&format!("P: hi\n{long}: text\n"));
    assert_eq!(t.turns().len(), 1);
    assert_eq!(segment_texts(&t, Unit::Turn), pairs(&[("P01:t1", &format!("hi\n{long}: text"))]));
}

#[test]
fn label_of_32_characters_counts_characters_not_bytes() {
    let label = "가".repeat(32);
    let t = body(&format!("P: hi\n{label}: 네\n"));
    assert_eq!(t.turns().len(), 2);
    assert_eq!(t.turns()[1].speaker, label);
}

#[test]
fn line_starting_with_white_space_is_not_a_label() {
    let t = body("P: hi\n  I: not a turn\n");
    assert_eq!(t.turns().len(), 1);
}

#[test]
fn any_short_label_starts_a_turn_without_a_speakers_list() {
    let t = body("P: He said so.\nHe told me: go home\n");
    assert_eq!(t.turns().len(), 2);
    assert_eq!(t.turns()[1].speaker, "He told me");
}

#[test]
fn speakers_list_keeps_other_labels_inside_the_turn() {
    let t = parse(
        "+++\ncase = \"P01\"\nspeakers = [\"I\", \"P\"]\n+++\nP: He said so.\nHe told me: go home\nI: ok\n",
    );
    assert_eq!(t.turns().len(), 2);
    assert!(t.attributes().is_empty());
    assert_eq!(
        segment_texts(&t, Unit::Turn),
        pairs(&[("P01:t1", "He said so.\nHe told me: go home"), ("P01:t2", "ok")])
    );
}

#[test]
fn text_before_the_first_turn_is_an_error_naming_its_line() {
    assert_eq!(
        parse_err(format!("{HEAD}\nHello there\nP: hi\n").as_bytes()),
        "P01.txt:5:1: text before the first speaker turn; start the line with a speaker label such as `P:`, or remove it"
    );
}

#[test]
fn turns_without_text_give_no_segment_but_keep_their_number() {
    let t = body("I: Q1\nP:\nI: Q2\nP: answer\n");
    assert_eq!(t.turns().len(), 4);
    assert!(t.turns()[1].paragraphs.is_empty());
    let ids: Vec<String> = t.segments(Unit::Turn).into_iter().map(|s| s.id).collect();
    assert_eq!(ids, ["P01:t1", "P01:t3", "P01:t4"]);
    let ids: Vec<String> = t.segments(Unit::Sentence).into_iter().map(|s| s.id).collect();
    assert_eq!(ids, ["P01:t1.s1", "P01:t3.s1", "P01:t4.s1"]);
}

// --- encodings ----------------------------------------------------------

#[test]
fn bom_and_crlf_give_the_same_text_offsets_and_segments() {
    let lf = format!("{HEAD}I: Q?\nP: [00:01:02] A.\n   more.\n\nB 자유.\n");
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let a = parse(&lf);
    let b = parse(&crlf);
    assert_eq!(b.text(), a.text());
    assert_eq!(b.case(), a.case());
    assert_eq!(b.turns(), a.turns());
    for unit in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
        assert_eq!(b.segments(unit), a.segments(unit), "{unit}");
    }
    assert_eq!(a.sha256(), sha256_hex(lf.as_bytes()));
    assert_eq!(b.sha256(), sha256_hex(crlf.as_bytes()));
    assert_ne!(a.sha256(), b.sha256());
}

#[test]
fn sha256_is_lower_case_hex() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn invalid_utf8_names_the_byte_offset_and_line_and_column() {
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend_from_slice(b"P: caf\xe9\n");
    assert_eq!(
        parse_err(&bytes),
        "P01.txt:4:7: invalid UTF-8 at byte 27; save the file as UTF-8 (most editors offer this under \"Save as\")"
    );
}

#[test]
fn invalid_utf8_offset_counts_the_bom_and_column_counts_code_points() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(HEAD.as_bytes());
    bytes.extend_from_slice("P: 자유".as_bytes());
    bytes.push(0xff);
    // 3 (BOM) + 21 (front matter) + 3 ("P: ") + 6 (two Hangul syllables).
    assert_eq!(
        parse_err(&bytes),
        "P01.txt:4:6: invalid UTF-8 at byte 33; save the file as UTF-8 (most editors offer this under \"Save as\")"
    );
}

#[test]
fn korean_and_japanese_offsets_are_code_points_and_bytes_are_kept() {
    let t = body("I: 왜 떠났어요?\nP: 自由のために。\n");
    assert_eq!(
        t.segments(Unit::Turn),
        [
            Segment {
                id: "P01:t1".into(),
                turn: 1,
                speaker: "I".into(),
                time: None,
                start: 24,
                end: 31,
                bytes: 24..41,
                line: 4,
            },
            Segment {
                id: "P01:t2".into(),
                turn: 2,
                speaker: "P".into(),
                time: None,
                start: 35,
                end: 42,
                bytes: 45..66,
                line: 5,
            },
        ]
    );
    let chars: Vec<char> = t.text().chars().collect();
    assert_eq!(chars[35..42].iter().collect::<String>(), "自由のために。");
}

// --- segments -------------------------------------------------------------

const SEGMENTED: &str = "I: Tell me.\nP: First para. Still one.\n\nSecond para starts. It wraps\nover a line. Last one.\n";

#[test]
fn turn_segment_ids_number_every_turn() {
    let t = body(SEGMENTED);
    assert_eq!(
        segment_texts(&t, Unit::Turn),
        pairs(&[
            ("P01:t1", "Tell me."),
            (
                "P01:t2",
                "First para. Still one.\n\nSecond para starts. It wraps\nover a line. Last one."
            ),
        ])
    );
}

#[test]
fn paragraph_segment_ids_number_paragraphs_within_a_turn() {
    let t = body(SEGMENTED);
    assert_eq!(
        segment_texts(&t, Unit::Paragraph),
        pairs(&[
            ("P01:t1.p1", "Tell me."),
            ("P01:t2.p1", "First para. Still one."),
            ("P01:t2.p2", "Second para starts. It wraps\nover a line. Last one."),
        ])
    );
}

#[test]
fn sentence_ids_continue_across_paragraphs_and_wrapped_sentences_stay_whole() {
    let t = body(SEGMENTED);
    assert_eq!(
        segment_texts(&t, Unit::Sentence),
        pairs(&[
            ("P01:t1.s1", "Tell me."),
            ("P01:t2.s1", "First para."),
            ("P01:t2.s2", "Still one."),
            ("P01:t2.s3", "Second para starts."),
            ("P01:t2.s4", "It wraps\nover a line."),
            ("P01:t2.s5", "Last one."),
        ])
    );
}

#[test]
fn segment_line_is_the_line_of_its_first_character() {
    let t = body(SEGMENTED);
    let lines: Vec<(String, usize)> =
        t.segments(Unit::Sentence).into_iter().map(|s| (s.id, s.line)).collect();
    let expected = [
        ("P01:t1.s1", 4),
        ("P01:t2.s1", 5),
        ("P01:t2.s2", 5),
        ("P01:t2.s3", 7),
        ("P01:t2.s4", 7),
        ("P01:t2.s5", 8),
    ];
    assert_eq!(lines, expected.map(|(id, line)| (id.to_owned(), line)));
    let lines: Vec<usize> = t.segments(Unit::Paragraph).into_iter().map(|s| s.line).collect();
    assert_eq!(lines, [4, 5, 7]);
}

#[test]
fn sentence_offsets_are_code_points_into_the_whole_text() {
    let t = body("P: 자유를 찾았다. 食べ物がなかった。\n");
    let segments = t.segments(Unit::Sentence);
    let spans: Vec<(String, usize, usize, Range<usize>)> =
        segments.into_iter().map(|s| (s.id, s.start, s.end, s.bytes)).collect();
    // "자유를 찾았다." is 8 code points (20 bytes); one space; "食べ物がなかった。" is 9 (27 bytes).
    assert_eq!(
        spans,
        [("P01:t1.s1".to_owned(), 24, 32, 24..44), ("P01:t1.s2".to_owned(), 33, 42, 45..72)]
    );
}

#[test]
fn segment_time_is_the_first_timestamp_inside_else_the_last_before() {
    let t = body(
        "I: [00:00:05] Hello.\nP: No time here. [00:01:00] Later.\n\nSecond para.\n[00:02:00] P: Third turn.\n",
    );
    let times = |unit: Unit| -> Vec<(String, Option<String>)> {
        t.segments(unit).into_iter().map(|s| (s.id, s.time)).collect()
    };
    let expect = |pairs: &[(&str, &str)]| -> Vec<(String, Option<String>)> {
        pairs.iter().map(|(id, time)| ((*id).to_owned(), Some((*time).to_owned()))).collect()
    };
    assert_eq!(
        times(Unit::Turn),
        expect(&[("P01:t1", "00:00:05"), ("P01:t2", "00:01:00"), ("P01:t3", "00:02:00")])
    );
    assert_eq!(
        times(Unit::Paragraph),
        expect(&[
            ("P01:t1.p1", "00:00:05"),
            ("P01:t2.p1", "00:01:00"),
            ("P01:t2.p2", "00:01:00"),
            ("P01:t3.p1", "00:02:00"),
        ])
    );
    assert_eq!(
        times(Unit::Sentence),
        expect(&[
            ("P01:t1.s1", "00:00:05"),
            ("P01:t2.s1", "00:00:05"),
            ("P01:t2.s2", "00:01:00"),
            ("P01:t2.s3", "00:01:00"),
            ("P01:t3.s1", "00:02:00"),
        ])
    );
}

#[test]
fn segment_without_any_earlier_timestamp_has_no_time() {
    let t = body("I: Hello.\nP: Later [1:02:03] on.\n");
    let times: Vec<Option<String>> = t.segments(Unit::Turn).into_iter().map(|s| s.time).collect();
    assert_eq!(times, [None, Some("1:02:03".to_owned())]);
}

#[test]
fn a_decoded_text_is_read_as_its_bytes_are_and_given_back_when_it_is_no_transcript() {
    let file = format!("\u{FEFF}{HEAD}I: one\r\nP: two\r\n");
    let text = Transcript::from_text(Path::new("P01.txt"), file.clone()).unwrap();
    let bytes = Transcript::parse(Path::new("P01.txt"), file.as_bytes()).unwrap();
    assert_eq!(text.text(), bytes.text());
    assert_eq!(text.sha256(), bytes.sha256());
    assert_eq!(text.turns(), bytes.turns());
    let (error, back) =
        Transcript::from_text(Path::new("P01.txt"), "no front matter\r\n".to_owned()).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Syntax);
    assert_eq!(back, "no front matter\n");
    let mut buffer = String::with_capacity(4096);
    buffer.push_str(HEAD);
    buffer.push_str("I: hello\n");
    let pointer = buffer.as_ptr();
    let text = Transcript::from_text(Path::new("P01.txt"), buffer).unwrap().into_text();
    assert_eq!(text, format!("{HEAD}I: hello\n"));
    assert_eq!(text.as_ptr(), pointer, "the text keeps its buffer");
}
