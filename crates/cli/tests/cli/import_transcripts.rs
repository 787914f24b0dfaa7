//! `qda import-transcripts`: files other programs wrote, converted into qda
//! transcripts; bad files reported without stopping the others; and the
//! other commands pointing at it when they meet such files.

use std::fs;
use std::path::Path;

use crate::support::{QdaTest, workspace};

/// A folder `in/` with copies of the conversion fixtures named.
fn with_fixtures(names: &[&str]) -> QdaTest {
    let test = QdaTest::new();
    let fixtures = workspace().join("crates/convert/tests/fixtures");
    for name in names {
        test.write(&format!("in/{name}"), fs::read(fixtures.join(name)).unwrap());
    }
    test
}

fn files_in(test: &QdaTest, folder: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(test.path(folder)) else { return Vec::new() };
    let mut names: Vec<String> =
        entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_folder_of_documents_and_subtitles_becomes_transcripts() {
    let test = with_fixtures(&[
        "tracked-changes.docx",
        "table.odt",
        "teams.vtt",
        "whisperx.json",
        "utf16.txt",
    ]);
    let run_args = [
        "import-transcripts",
        "in",
        "-o",
        "out",
        "--speaker-map",
        "Anna Schmidt=I,Interviewer=I,SPEAKER_00=I,SPEAKER_01=P,Respondent=P,Kim Min-jun=P,Nobody=X",
    ];
    let run = test.run(&run_args);
    insta::assert_snapshot!(format!("exit: {}\n{}\n{}", run.code, run.stdout, run.stderr));
    assert_eq!(
        files_in(&test, "out"),
        ["table.txt", "teams.txt", "tracked-changes.txt", "utf16.txt", "whisperx.txt"]
    );
    insta::assert_snapshot!(String::from_utf8(test.read("out/teams.txt")).unwrap());
    // The transcripts are a study: they check and tally as any other.
    test.write("codebook.toml", "[codebook]\ninterviewer = [\"I\"]\n[[code]]\nid = \"family\"\n[code.rule]\nany = [\"family\", \"father\", \"cousin\"]\n");
    test.run(&["check", "codebook.toml", "out"]).ok();

    // Same inputs, same bytes.
    let mut again = run_args.to_vec();
    again[3] = "again";
    test.run(&again).ok();
    assert_eq!(test.read("out/table.txt"), test.read("again/table.txt"));
}

#[test]
fn bad_files_are_reported_and_the_others_converted() {
    let test = with_fixtures(&[
        "zoom.vtt",
        "broken-timing.vtt",
        "truncated.docx",
        "not-word.docx",
        "password.docx",
        "empty.docx",
    ]);
    let run = test.run(&["import-transcripts", "in", "-o", "out"]);
    insta::assert_snapshot!(run.failure());
    assert_eq!(run.code, 1);
    assert_eq!(files_in(&test, "out"), ["zoom.txt"], "nothing written for a bad file");
    assert!(files_in(&test, "in").contains(&"password.docx".to_owned()), "inputs stay");

    // One bad file alone: unusable input, exit 2, no folder made.
    let run = test.run(&["import-transcripts", "in/broken-timing.vtt", "-o", "single"]);
    insta::assert_snapshot!(run.failure());
    assert_eq!(run.code, 2);
    assert!(!test.path("single").exists());
}

#[test]
fn an_existing_transcript_is_replaced_only_with_force() {
    let test = with_fixtures(&["zoom.vtt"]);
    test.write("out/zoom.txt", "mine");
    let run = test.run(&["import-transcripts", "in/zoom.vtt", "-o", "out"]);
    insta::assert_snapshot!(run.failure());
    assert_eq!(test.read("out/zoom.txt"), b"mine");
    test.run(&["import-transcripts", "in/zoom.vtt", "-o", "out", "--force"]).ok();
    assert!(
        String::from_utf8(test.read("out/zoom.txt")).unwrap().starts_with("+++\ncase = \"zoom\"")
    );
}

#[test]
fn cases_come_from_the_name_or_a_pattern_and_may_not_clash() {
    let test = with_fixtures(&["zoom.vtt", "teams.vtt"]);
    // "zoom" and "teams" both give the case `m`.
    let run = test.run(&["import-transcripts", "in", "-o", "out", "--case-from", "(m)"]);
    insta::assert_snapshot!(run.failure());
    assert_eq!(run.code, 2);
    assert!(files_in(&test, "out").is_empty());

    test.write("cases.csv", "case,platform\nzoom,Zoom\nteams,Teams\n");
    let run = test.run(&[
        "import-transcripts",
        "in",
        "-o",
        "out",
        "--case-from",
        "^(\\w+)$",
        "--cases",
        "cases.csv",
    ]);
    run.ok();
    let teams = String::from_utf8(test.read("out/teams.txt")).unwrap();
    assert!(teams.contains("\nplatform = \"Teams\"\n"), "{teams}");
}

#[test]
fn text_without_speakers_needs_a_default_speaker() {
    let test = with_fixtures(&["whisper.json"]);
    let run = test.run(&["import-transcripts", "in/whisper.json", "-o", "out"]);
    insta::assert_snapshot!(run.failure());
    test.run(&["import-transcripts", "in/whisper.json", "-o", "out", "--default-speaker", "P"])
        .ok();
    let text = String::from_utf8(test.read("out/whisper.txt")).unwrap();
    assert!(text.ends_with("speakers = [\"P\"]\n+++\n[00:00:00] P: Where did you grow up? In Hamhung, near the coast.\n"), "{text}");
}

#[test]
fn bad_options_are_usage_errors() {
    let test = with_fixtures(&["zoom.vtt"]);
    let runs = [
        test.run(&["import-transcripts", "in", "-o", "out", "--speaker-map", "Anna"]),
        test.run(&["import-transcripts", "in", "-o", "out", "--case-from", "("]),
        test.run(&["import-transcripts", "in", "-o", "out", "--default-speaker", "A: B"]),
        test.run(&["import-transcripts", "missing", "-o", "out"]),
    ];
    let shown: Vec<String> = runs.iter().map(|r| r.failure()).collect();
    insta::assert_snapshot!(shown.join("\n"));
    assert!(runs.iter().all(|r| r.code == 2));
    assert!(!test.path("out").exists());
}

/// The bundled study's second example: P03 as Word, P04 as Zoom subtitles,
/// converted, tally as the bundled transcripts of the same cases do.
#[test]
fn the_bundled_examples_tally_as_the_transcripts_they_came_from() {
    let test = QdaTest::study().with_workspace_folder("examples");
    test.run(&[
        "import-transcripts",
        "examples/imports",
        "-o",
        "imported",
        "--speaker-map",
        "Interviewer=I,Participant=P",
        "--cases",
        "transcripts/cases.csv",
    ])
    .ok();
    let tally = |paths: &[&str]| {
        let mut args = vec!["tally", "codebooks/motives.toml"];
        args.extend(paths);
        args.extend(["--format", "csv"]);
        test.run(&args).ok().to_owned()
    };
    assert_eq!(tally(&["imported"]), tally(&["transcripts/P03.txt", "transcripts/P04.txt"]));
}

#[test]
fn other_commands_point_at_the_import_command() {
    let test = QdaTest::study();
    let fixtures = workspace().join("crates/convert/tests/fixtures");
    for name in ["bold-labels.docx", "zoom.vtt", "whisperx.json"] {
        fs::copy(fixtures.join(name), test.path(&format!("transcripts/{name}"))).unwrap();
    }
    test.write("transcripts/scan.pdf", "%PDF-1.4\n");
    test.write("transcripts/notes.json", "{\"not\": \"a transcript\"}");
    let run = test.run(&["check", "codebooks/motives.toml", "transcripts"]);
    run.ok();
    insta::assert_snapshot!(run.stderr);

    let named = [
        test.run(&["check", "codebooks/motives.toml", "transcripts/bold-labels.docx"]),
        test.run(&["code", "codebooks/motives.toml", "transcripts/scan.pdf"]),
    ];
    let shown: Vec<String> = named.iter().map(|r| r.failure()).collect();
    insta::assert_snapshot!(shown.join("\n"));
    assert!(named.iter().all(|r| r.code == 2));

    // Once converted next to the original, the original is not warned about.
    test.run(&["import-transcripts", "transcripts/zoom.vtt", "-o", "transcripts"]).ok();
    let run = test.run(&["check", "codebooks/motives.toml", "transcripts"]);
    assert!(!run.stderr.contains("zoom.vtt"), "{}", run.stderr);
    assert!(run.stderr.contains("bold-labels.docx"), "{}", run.stderr);
    assert!(Path::new(&test.path("transcripts/bold-labels.docx")).exists());
}
