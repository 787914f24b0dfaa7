//! Damaged inputs never panic: each fixture cut short at many places, and
//! with bytes changed (in the file, and inside the document part of Word
//! and OpenDocument files, re-zipped so the XML reader meets the damage).

use std::io::{Cursor, Read, Write};
use std::path::Path;

use qda_convert::{Options, convert};

const FIXTURES: &[&str] = &[
    "bold-labels.docx",
    "table.odt",
    "tracked-changes.docx",
    "tracked-changes.odt",
    "korean-japanese.docx",
    "zoom.vtt",
    "teams.vtt",
    "labelled.srt",
    "whisperx.json",
    "utf16.txt",
    "windows-1252.txt",
];

/// A small deterministic generator (a 64-bit LCG; no crate for three lines).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Bytes that often break parsers: markup, separators, line ends, a UTF-8 lead byte.
const NASTY: &[u8] = b"<>&;:\n\r\0\xE3\xFF-->\"[]{},";

fn mutate(bytes: &[u8], rng: &mut Lcg) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(3) {
            0 => out[at] = NASTY[rng.below(NASTY.len())],
            1 => {
                out.remove(at);
            }
            _ => out.insert(at, NASTY[rng.below(NASTY.len())]),
        }
    }
    out
}

/// The archive with `part` replaced.
fn rezip(bytes: &[u8], part: &str, contents: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().to_owned();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        writer
            .start_file(
                name.as_str(),
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored),
            )
            .unwrap();
        writer.write_all(if name == part { contents } else { &data }).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn part(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut data = Vec::new();
    archive.by_name(name).unwrap().read_to_end(&mut data).unwrap();
    data
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let mut options = Options::new("X");
    options.default_speaker = Some("P".to_owned());
    let mut rng = Lcg(26);
    for name in FIXTURES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let bytes = std::fs::read(&path).unwrap();
        let shown = Path::new(name);
        for cut in (0..bytes.len()).step_by(bytes.len() / 40 + 1) {
            let _ = convert(shown, &bytes[..cut], &options);
        }
        for _ in 0..60 {
            let _ = convert(shown, &mutate(&bytes, &mut rng), &options);
        }
        let inner = match name.rsplit('.').next() {
            Some("docx") => Some("word/document.xml"),
            Some("odt") => Some("content.xml"),
            _ => None,
        };
        if let Some(inner) = inner {
            let xml = part(&bytes, inner);
            for _ in 0..60 {
                let damaged = rezip(&bytes, inner, &mutate(&xml, &mut rng));
                let _ = convert(shown, &damaged, &options);
            }
        }
    }
}
