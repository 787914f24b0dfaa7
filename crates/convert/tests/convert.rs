//! Converting the fixtures: files LibreOffice wrote (scripts/make-transcript-fixtures.sh),
//! subtitle and Whisper files in the shapes their programs write, and broken
//! files. Each converted transcript must also read as a qda transcript.

use std::path::{Path, PathBuf};

use qda_convert::{ConvertErrorKind, Options, SpeakerMap, convert};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The transcript and the summary's notes, as the snapshot shows them.
fn converted(name: &str, options: &Options) -> String {
    let path = fixture(name);
    let bytes = std::fs::read(&path).unwrap();
    let converted = convert(Path::new(name), &bytes, options).unwrap_or_else(|e| panic!("{e}"));
    let text = converted.text();
    qda_coding::Transcript::parse(Path::new(name), text.as_bytes())
        .unwrap_or_else(|e| panic!("{name} does not read back as a transcript: {e}\n{text}"));
    let mut shown = text;
    for (label, turns) in &converted.speakers {
        shown.push_str(&format!("-- speaker {label}: {turns} turn(s)\n"));
    }
    for note in &converted.notes {
        shown.push_str(&format!("-- note: {note}\n"));
    }
    for (noun, text) in &converted.left_out {
        shown.push_str(&format!("-- left out {noun}: {text}\n"));
    }
    for label in converted.interviewer_like() {
        shown.push_str(&format!("-- interviewer-like: {label}\n"));
    }
    shown
}

fn error(name: &str, options: &Options) -> (ConvertErrorKind, String) {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let e = convert(Path::new(name), &bytes, options).expect_err("must fail");
    (e.kind, e.to_string())
}

fn case(name: &str) -> Options {
    Options::new(name.split('.').next().unwrap())
}

/// Word and OpenDocument files LibreOffice wrote from the same documents.
#[test]
fn documents() {
    for name in [
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
    ] {
        insta::assert_snapshot!(name, converted(name, &case(name)));
    }
}

/// Subtitle and Whisper files, in the shapes their programs write:
/// - zoom.vtt: Zoom's cloud-recording transcript (`audio_transcript.vtt`):
///   numbered cues, `Name: text`.
/// - teams.vtt: Microsoft Teams' transcript download (.vtt): CRLF line ends,
///   `GUID/N-M` cue identifiers, `<v Name>text</v>` voice tags; one
///   speaker's sentence split over cues.
/// - labelled.srt: SubRip with `Name:` before the text and `<i>` styling.
/// - whisper.srt, whisper.json: openai-whisper's `--output_format srt` and
///   `json` (segments with id, seek, start, end, text, tokens, ...; no speaker).
/// - whisperx.json: WhisperX after `--diarize`: segments with `speaker`
///   (`SPEAKER_00`) and per-word entries.
#[test]
fn subtitles_and_whisper() {
    for name in ["zoom.vtt", "teams.vtt", "labelled.srt", "whisperx.json"] {
        insta::assert_snapshot!(name, converted(name, &case(name)));
    }
    let mut options = case("whisper");
    options.default_speaker = Some("P".to_owned());
    insta::assert_snapshot!("whisper.json", converted("whisper.json", &options));
    insta::assert_snapshot!("whisper.srt", converted("whisper.srt", &options));
}

/// Text in UTF-16 with a byte-order mark and in Windows-1252, as Notepad
/// and Word's text export write it.
#[test]
fn plain_text_encodings() {
    for name in ["utf16.txt", "windows-1252.txt"] {
        insta::assert_snapshot!(name, converted(name, &case(name)));
    }
}

#[test]
fn speaker_map_renames_before_labels_are_fitted() {
    let mut options = case("zoom");
    options.speaker_map = SpeakerMap::parse("Anna Schmidt=I,kim min-jun=P").unwrap();
    let text = converted("zoom.vtt", &options);
    assert!(text.contains("speakers = [\"I\", \"P\"]"), "{text}");
    assert!(text.contains("[00:00:06] P: Yes, I can hear you fine. Sorry, my camera"), "{text}");
}

#[test]
fn cues_without_a_speaker_need_a_default() {
    insta::assert_snapshot!(format!("{:?}", error("whisper.json", &case("whisper"))), @r#"(NoSpeaker, "whisper.json: the segments name no speaker (plain Whisper; WhisperX adds `speaker` after diarisation); give --default-speaker LABEL for text without a speaker")"#);
    insta::assert_snapshot!(format!("{:?}", error("whisper.srt", &case("whisper"))), @r#"(NoSpeaker, "whisper.srt:3:1: this cue names no speaker (no `<v Name>` tag, no `Name:` before its text); give --default-speaker LABEL for text without a speaker")"#);
}

#[test]
fn broken_files_are_errors_that_name_the_file() {
    let options = Options::new("X");
    let errors: Vec<String> =
        ["broken-timing.vtt", "truncated.docx", "not-word.docx", "empty.docx", "password.docx"]
            .iter()
            .map(|name| {
                let (kind, message) = error(name, &options);
                format!("{kind:?}: {message}")
            })
            .collect();
    insta::assert_snapshot!(errors.join("\n"));
}
