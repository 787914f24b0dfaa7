//! Hostile files, built here and kept to a few MB: each is refused with a
//! clear error, or imported in time linear in its size, never a crash.

use std::fmt::Write as _;

use qda_exchange::{ExchangeError, Imported, import};

fn nested_codes(depth: usize) -> String {
    let mut qdc = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>"#,
    );
    for i in 0..depth {
        write!(
            qdc,
            r#"<Code guid="{i:08}-0000-0000-0000-000000000000" name="c{i}" isCodable="true">"#
        )
        .unwrap();
    }
    qdc.push_str(&"</Code>".repeat(depth));
    qdc.push_str("</Codes></CodeBook>");
    qdc
}

#[test]
fn codes_nested_too_deep_are_refused_with_a_position() {
    let err = import("deep.qdc", nested_codes(100_000).as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, ExchangeError::Xml { file, location: Some(_), .. } if file == "deep.qdc"),
        "{text}"
    );
    assert!(text.starts_with("deep.qdc:1:"), "{text}");
    assert!(text.contains("nested more than 1000 deep"), "{text}");
}

#[test]
fn codes_nested_as_deep_as_allowed_import() {
    let Imported::Codebook { codebook, .. } =
        import("deep.qdc", nested_codes(1_000).as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("read as a project")
    };
    assert_eq!(codebook.ids.len(), 1_000);
}

#[test]
fn unknown_elements_nested_too_deep_are_refused() {
    let depth = 200_000;
    let mut qde = String::from(r#"<Project name="x">"#);
    qde.push_str(&"<x>".repeat(depth));
    qde.push_str(&"</x>".repeat(depth));
    qde.push_str("</Project>");
    let err = import("deep.qde", qde.as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, ExchangeError::Xml { location: Some(_), .. }), "{text}");
    assert!(text.contains("nested more than 2000 deep"), "{text}");
}

#[test]
fn many_codes_of_one_name_get_unique_ids() {
    let n = 20_000;
    let mut qdc = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>"#,
    );
    for i in 0..n {
        write!(
            qdc,
            r#"<Code guid="{i:08}-0000-0000-0000-000000000000" name="same" isCodable="true"/>"#
        )
        .unwrap();
    }
    qdc.push_str("</Codes></CodeBook>");
    let Imported::Codebook { codebook, .. } =
        import("same.qdc", qdc.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    else {
        panic!("read as a project")
    };
    let ids: Vec<&String> = codebook.ids.values().collect();
    assert_eq!(ids.len(), n);
    assert_eq!(ids[0], "same");
    assert_eq!(ids[1], "same-2");
    assert_eq!(ids[n - 1], &format!("same-{n}"));
    let distinct: std::collections::BTreeSet<&String> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), n);
}

/// A zip whose first entry, `sources/s.txt`, holds `size` bytes but whose
/// headers declare `declared`.
fn lying_zip(size: usize, declared: u32) -> Vec<u8> {
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("sources/s.txt", options).unwrap();
    zip.write_all(&vec![b'a'; size]).unwrap();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(br#"<Project name="x"/>"#).unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    bytes[22..26].copy_from_slice(&declared.to_le_bytes());
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&declared.to_le_bytes());
    bytes
}

#[test]
fn an_entry_larger_than_its_header_declares_is_refused() {
    let err = import("lying.qdpx", &lying_zip(2 << 20, 40)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, ExchangeError::Archive { file, .. } if file == "lying.qdpx"), "{text}");
    assert!(text.contains("`sources/s.txt` unpacks to more than the 40 bytes"), "{text}");
    // The same entry, declared truly, is read.
    assert!(import("true.qdpx", &lying_zip(2 << 20, 2 << 20)).is_ok());
}
