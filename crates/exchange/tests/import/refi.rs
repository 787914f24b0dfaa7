//! An independent reader of the codings of text selections in a REFI-QDA
//! project, for comparing a project with its round trip through qda: each
//! coding as (source, code, start, end, coder), with the code named by its
//! path in the code tree and the coder by name, so that two projects with
//! different GUIDs compare.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// One coding of a text selection, as the file wrote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SelectionCoding {
    /// The source's GUID (lower case).
    pub(crate) source: String,
    /// The code's names from the top of the tree, joined by ` / `.
    pub(crate) code: String,
    /// `startPosition`, as written.
    pub(crate) start: u64,
    /// `endPosition`, as written.
    pub(crate) end: u64,
    /// The coder's name: the coding's `creatingUser`, else the selection's,
    /// else the project's.
    pub(crate) coder: String,
    /// The selection's GUID (not compared; names it in messages).
    pub(crate) selection: String,
}

/// A text source of the project.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextSource {
    /// Its name, when given.
    pub(crate) name: Option<String>,
    /// `plainTextPath`, when given.
    pub(crate) path: Option<String>,
    /// Inline text, when given.
    pub(crate) inline: bool,
}

/// What the reader takes from a project document.
#[derive(Debug, Default)]
pub(crate) struct Project {
    /// Every coding of every `PlainTextSelection` of a `TextSource`.
    pub(crate) codings: Vec<SelectionCoding>,
    /// Codings whose `CodeRef` names no code of the codebook.
    pub(crate) not_codes: Vec<SelectionCoding>,
    /// Text sources by GUID (lower case).
    pub(crate) sources: BTreeMap<String, TextSource>,
    /// Selections of text sources whose start or end is not a position (the
    /// import skips them with a warning), by GUID.
    pub(crate) unreadable: Vec<String>,
}

/// The project document of a `.qdpx` (any `.qde` entry), or the bytes of a bare `.qde`.
pub(crate) fn project_document(bytes: &[u8]) -> Vec<u8> {
    if !bytes.starts_with(b"PK") {
        return bytes.to_vec();
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let name = zip
        .file_names()
        .find(|n| n.to_ascii_lowercase().ends_with(".qde"))
        .expect("a .qde entry")
        .to_owned();
    let mut out = Vec::new();
    zip.by_name(&name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn key(guid: &str) -> String {
    guid.trim().trim_start_matches('{').trim_end_matches('}').to_lowercase()
}

fn attributes(e: &BytesStart<'_>) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            let name = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            (name, a.unescape_value().unwrap().into_owned())
        })
        .collect()
}

/// Reads a project document (UTF-8, a BOM allowed).
pub(crate) fn read(document: &[u8]) -> Project {
    let document = document.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(document);
    let mut reader = Reader::from_reader(document);
    let mut buf = Vec::new();
    let mut codes: BTreeMap<String, String> = BTreeMap::new();
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    let mut project_user: Option<String> = None;
    let mut code_path: Vec<String> = Vec::new();
    let mut source: Option<String> = None;
    // The selection: GUID, start, end, creatingUser.
    let mut selection: Option<(String, u64, u64, Option<String>)> = None;
    let mut coding_user: Option<String> = None;
    let mut refs: Vec<(String, String, u64, u64, Option<String>, String)> = Vec::new();
    let mut project = Project::default();
    loop {
        let event = reader.read_event_into(&mut buf).unwrap();
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    b"Code" => {
                        code_path.pop();
                    }
                    b"TextSource" => source = None,
                    b"PlainTextSelection" => selection = None,
                    b"Coding" => coding_user = None,
                    _ => {}
                }
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = start {
            let a = attributes(&e);
            let get = |n: &str| a.get(n).cloned();
            match e.local_name().as_ref() {
                b"Project" => project_user = get("creatingUserGUID"),
                b"User" => {
                    users.insert(
                        key(&get("guid").unwrap_or_default()),
                        get("name").unwrap_or_default(),
                    );
                }
                b"Code" => {
                    // ATLAS.ti flattens the tree into `::` names; qda nests them.
                    code_path.push(get("name").unwrap_or_default().replace("::", " / "));
                    codes.insert(key(&get("guid").unwrap_or_default()), code_path.join(" / "));
                    if empty {
                        code_path.pop();
                    }
                }
                b"TextSource" => {
                    let guid = key(&get("guid").unwrap_or_default());
                    project.sources.insert(
                        guid.clone(),
                        TextSource { name: get("name"), path: get("plainTextPath"), inline: false },
                    );
                    source = (!empty).then_some(guid);
                }
                b"PlainTextContent" => {
                    if let Some(s) = source.as_ref().and_then(|s| project.sources.get_mut(s)) {
                        s.inline = true;
                    }
                }
                b"PlainTextSelection" if source.is_some() && !empty => {
                    // `12`, or `12.0` as a careless writer might put it.
                    let position = |n: &str| {
                        let p = get(n)?;
                        let p = p.trim();
                        p.parse::<u64>().ok().or_else(|| {
                            p.parse::<f64>()
                                .ok()
                                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)
                                .map(|f| f as u64)
                        })
                    };
                    let guid = get("guid").unwrap_or_default();
                    match (position("startPosition"), position("endPosition")) {
                        (Some(start), Some(end)) => {
                            selection = Some((guid, start, end, get("creatingUser")));
                        }
                        _ => project.unreadable.push(guid),
                    }
                }
                b"Coding" if selection.is_some() => coding_user = get("creatingUser"),
                b"CodeRef" if selection.is_some() => {
                    let (guid, s, e, user) = selection.clone().unwrap();
                    let user = coding_user.clone().or(user).or_else(|| project_user.clone());
                    refs.push((
                        source.clone().unwrap(),
                        key(&get("targetGUID").unwrap_or_default()),
                        s,
                        e,
                        user,
                        guid,
                    ));
                }
                _ => {}
            }
        }
        buf.clear();
    }
    for (source, code, start, end, user, selection) in refs {
        let coder = match user {
            None => "unknown".to_owned(),
            Some(u) => users
                .get(&key(&u))
                .filter(|n| !n.trim().is_empty())
                .map_or_else(|| format!("user-{}", &key(&u)[..8]), |n| n.trim().to_owned()),
        };
        let coding = |code: String| SelectionCoding { source, code, start, end, coder, selection };
        match codes.get(&code) {
            Some(path) => project.codings.push(coding(path.clone())),
            None => project.not_codes.push(coding(code)),
        }
    }
    project.codings.sort();
    project
}
