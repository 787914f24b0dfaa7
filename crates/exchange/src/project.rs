//! The REFI-QDA project document (`project.qde`): a model of the parts qda
//! reads and writes, the writer (children in schema order) and a tolerant
//! reader.

use crate::codebook::{self, RefiCodebook, RefiSet};
use crate::error::ExchangeError;
use crate::guid;
use crate::xml::{self, Element, Writer};

/// The namespace of `project.qde`.
pub(crate) const PROJECT_NAMESPACE: &str = "urn:QDA-XML:project:1.0";

/// A user (a coder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiUser {
    /// The GUID.
    pub(crate) guid: String,
    /// The name, when given.
    pub(crate) name: Option<String>,
}

/// The type of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VariableKind {
    /// `Text`
    Text,
    /// `Boolean`
    Boolean,
    /// `Integer`
    Integer,
    /// `Float`
    Float,
    /// `Date`
    Date,
    /// `DateTime`
    DateTime,
}

impl VariableKind {
    fn as_str(self) -> &'static str {
        match self {
            VariableKind::Text => "Text",
            VariableKind::Boolean => "Boolean",
            VariableKind::Integer => "Integer",
            VariableKind::Float => "Float",
            VariableKind::Date => "Date",
            VariableKind::DateTime => "DateTime",
        }
    }

    fn parse(s: &str) -> Self {
        match s.trim() {
            "Boolean" => VariableKind::Boolean,
            "Integer" => VariableKind::Integer,
            "Float" => VariableKind::Float,
            "Date" => VariableKind::Date,
            "DateTime" => VariableKind::DateTime,
            _ => VariableKind::Text,
        }
    }

    fn element(self) -> &'static str {
        match self {
            VariableKind::Text => "TextValue",
            VariableKind::Boolean => "BooleanValue",
            VariableKind::Integer => "IntegerValue",
            VariableKind::Float => "FloatValue",
            VariableKind::Date => "DateValue",
            VariableKind::DateTime => "DateTimeValue",
        }
    }
}

/// A variable (a case attribute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiVariable {
    /// The GUID.
    pub(crate) guid: String,
    /// The name.
    pub(crate) name: String,
    /// The type.
    pub(crate) kind: VariableKind,
}

/// A value of a variable, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiValue {
    /// The variable's GUID.
    pub(crate) variable: String,
    /// The element the value was in (its type).
    pub(crate) kind: VariableKind,
    /// The value as text.
    pub(crate) value: String,
}

/// A case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiCase {
    /// The GUID.
    pub(crate) guid: String,
    /// The name.
    pub(crate) name: Option<String>,
    /// Variable values.
    pub(crate) values: Vec<RefiValue>,
    /// GUIDs of the sources that belong to the case.
    pub(crate) sources: Vec<String>,
}

/// A coding: a code applied to a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiCoding {
    /// The GUID.
    pub(crate) guid: String,
    /// The code's GUID (`CodeRef/@targetGUID`).
    pub(crate) code: String,
    /// The user who coded.
    pub(crate) user: Option<String>,
}

/// A selection of plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiSelection {
    /// The GUID.
    pub(crate) guid: String,
    /// The name (ATLAS.ti writes the selected text there).
    pub(crate) name: Option<String>,
    /// `startPosition`, as written (the unit depends on the tool).
    pub(crate) start: u64,
    /// `endPosition` (exclusive).
    pub(crate) end: u64,
    /// The user who made the selection.
    pub(crate) user: Option<String>,
    /// The description.
    pub(crate) description: Option<String>,
    /// The codings.
    pub(crate) codings: Vec<RefiCoding>,
    /// The notes about the selection (`NoteRef/@targetGUID`).
    pub(crate) notes: Vec<String>,
}

/// A note: a memo, in qda a coder's memo on a segment they gave no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiNote {
    /// The GUID.
    pub(crate) guid: String,
    /// The name.
    pub(crate) name: Option<String>,
    /// The user who wrote it.
    pub(crate) user: Option<String>,
    /// `PlainTextContent`.
    pub(crate) content: String,
}

/// A text source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiTextSource {
    /// The GUID.
    pub(crate) guid: String,
    /// The name.
    pub(crate) name: Option<String>,
    /// `plainTextPath`, as written.
    pub(crate) plain_text_path: Option<String>,
    /// `PlainTextContent`, when the text is inline.
    pub(crate) content: Option<String>,
    /// The description.
    pub(crate) description: Option<String>,
    /// Variable values given on the source itself.
    pub(crate) values: Vec<RefiValue>,
    /// Its selections.
    pub(crate) selections: Vec<RefiSelection>,
    /// GUIDs of the notes about the source (`NoteRef`): in qda, the memo
    /// of its case.
    pub(crate) notes: Vec<String>,
}

/// A REFI-QDA project, as far as qda reads and writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RefiProject {
    /// `@name`.
    pub(crate) name: String,
    /// `@origin`: the tool that wrote it.
    pub(crate) origin: Option<String>,
    /// `@basePath`.
    pub(crate) base_path: Option<String>,
    /// `@creatingUserGUID`.
    pub(crate) creating_user: Option<String>,
    /// Users.
    pub(crate) users: Vec<RefiUser>,
    /// The codebook.
    pub(crate) codebook: Option<RefiCodebook>,
    /// Variables.
    pub(crate) variables: Vec<RefiVariable>,
    /// Cases.
    pub(crate) cases: Vec<RefiCase>,
    /// Text sources.
    pub(crate) sources: Vec<RefiTextSource>,
    /// Notes.
    pub(crate) notes: Vec<RefiNote>,
    /// Sets.
    pub(crate) sets: Vec<RefiSet>,
    /// GUIDs of the notes on the project as a whole (`NoteRef` of the
    /// project): in qda, the project memo.
    pub(crate) note_refs: Vec<String>,
    /// What the file holds that qda does not read, by element name, with
    /// counts (pictures, PDFs, audio, video, notes, links, graphs).
    pub(crate) unread: Vec<(String, usize)>,
}

/// Writes `project.qde`.
pub(crate) fn write_qde(project: &RefiProject) -> String {
    let mut w = Writer::new();
    let mut attributes = vec![
        ("xmlns", PROJECT_NAMESPACE),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xsi:schemaLocation", "urn:QDA-XML:project:1.0 Project.xsd"),
        ("name", project.name.as_str()),
    ];
    if let Some(origin) = &project.origin {
        attributes.push(("origin", origin));
    }
    if let Some(user) = &project.creating_user {
        attributes.push(("creatingUserGUID", user));
    }
    w.open("Project", &attributes);
    if !project.users.is_empty() {
        w.open("Users", &[]);
        for user in &project.users {
            let mut attributes = vec![("guid", user.guid.as_str())];
            if let Some(name) = &user.name {
                attributes.push(("name", name));
            }
            w.empty("User", &attributes);
        }
        w.close("Users");
    }
    if let Some(book) = project.codebook.as_ref().filter(|b| !b.codes.is_empty()) {
        w.open("CodeBook", &[]);
        codebook::write_codes(&mut w, &book.codes, &book.code_notes);
        w.close("CodeBook");
    }
    if !project.variables.is_empty() {
        w.open("Variables", &[]);
        for v in &project.variables {
            let attributes = [
                ("guid", v.guid.as_str()),
                ("name", v.name.as_str()),
                ("typeOfVariable", v.kind.as_str()),
            ];
            w.empty("Variable", &attributes);
        }
        w.close("Variables");
    }
    if !project.cases.is_empty() {
        w.open("Cases", &[]);
        for case in &project.cases {
            let mut attributes = vec![("guid", case.guid.as_str())];
            if let Some(name) = &case.name {
                attributes.push(("name", name));
            }
            w.open("Case", &attributes);
            write_values(&mut w, &case.values);
            for source in &case.sources {
                w.empty("SourceRef", &[("targetGUID", source)]);
            }
            w.close("Case");
        }
        w.close("Cases");
    }
    if !project.sources.is_empty() {
        w.open("Sources", &[]);
        for source in &project.sources {
            write_source(&mut w, source);
        }
        w.close("Sources");
    }
    if !project.notes.is_empty() {
        w.open("Notes", &[]);
        for note in &project.notes {
            let mut attributes = vec![("guid", note.guid.as_str())];
            if let Some(name) = &note.name {
                attributes.push(("name", name));
            }
            if let Some(user) = &note.user {
                attributes.push(("creatingUser", user));
            }
            w.open("Note", &attributes);
            w.text("PlainTextContent", &note.content);
            w.close("Note");
        }
        w.close("Notes");
    }
    codebook::write_sets(&mut w, &project.sets, true);
    for note in &project.note_refs {
        w.empty("NoteRef", &[("targetGUID", note.as_str())]);
    }
    w.close("Project");
    w.finish()
}

fn write_values(w: &mut Writer, values: &[RefiValue]) {
    for value in values {
        w.open("VariableValue", &[]);
        w.empty("VariableRef", &[("targetGUID", value.variable.as_str())]);
        w.text(value.kind.element(), &value.value);
        w.close("VariableValue");
    }
}

fn write_source(w: &mut Writer, source: &RefiTextSource) {
    let mut attributes = vec![("guid", source.guid.as_str())];
    if let Some(name) = &source.name {
        attributes.push(("name", name));
    }
    if let Some(path) = &source.plain_text_path {
        attributes.push(("plainTextPath", path));
    }
    w.open("TextSource", &attributes);
    if let Some(d) = &source.description {
        w.text("Description", d);
    }
    if let Some(content) = &source.content {
        w.text("PlainTextContent", content);
    }
    for selection in &source.selections {
        let (start, end) = (selection.start.to_string(), selection.end.to_string());
        let mut attributes = vec![("guid", selection.guid.as_str())];
        if let Some(name) = &selection.name {
            attributes.push(("name", name));
        }
        attributes.push(("startPosition", &start));
        attributes.push(("endPosition", &end));
        if let Some(user) = &selection.user {
            attributes.push(("creatingUser", user));
        }
        w.open("PlainTextSelection", &attributes);
        if let Some(d) = &selection.description {
            w.text("Description", d);
        }
        for coding in &selection.codings {
            let mut attributes = vec![("guid", coding.guid.as_str())];
            if let Some(user) = &coding.user {
                attributes.push(("creatingUser", user));
            }
            w.open("Coding", &attributes);
            w.empty("CodeRef", &[("targetGUID", coding.code.as_str())]);
            w.close("Coding");
        }
        for note in &selection.notes {
            w.empty("NoteRef", &[("targetGUID", note.as_str())]);
        }
        w.close("PlainTextSelection");
    }
    for note in &source.notes {
        w.empty("NoteRef", &[("targetGUID", note.as_str())]);
    }
    write_values(w, &source.values);
    w.close("TextSource");
}

/// The memo of each code from the notes it refers to (joined by a blank
/// line when several), noting those notes as read.
fn fill_code_memos(
    book: &mut RefiCodebook,
    notes: &[RefiNote],
    read: &mut std::collections::BTreeSet<String>,
) {
    let notes = NoteIndex::new(notes);
    for (code, refs) in &book.code_notes {
        if let Some(memo) = notes.text(refs) {
            book.code_memos.insert(guid::key(code), memo);
        }
        read.extend(refs.iter().map(|n| guid::key(n)));
    }
}

/// The project's notes by GUID (as [`guid::key`]): each reference to a
/// note is looked up, not searched for among all the notes, so reading a
/// project stays linear in its notes and references.
pub(crate) struct NoteIndex<'a>(std::collections::BTreeMap<String, &'a RefiNote>);

impl<'a> NoteIndex<'a> {
    pub(crate) fn new(notes: &'a [RefiNote]) -> Self {
        let mut index = std::collections::BTreeMap::new();
        for note in notes {
            // The first note with a GUID is the one a reference names.
            index.entry(guid::key(&note.guid)).or_insert(note);
        }
        NoteIndex(index)
    }

    /// The note `reference` names.
    pub(crate) fn get(&self, reference: &str) -> Option<&'a RefiNote> {
        self.0.get(&guid::key(reference)).copied()
    }

    /// The text of the notes `refs` names, in that order, joined by a blank
    /// line; `None` when they have none.
    pub(crate) fn text(&self, refs: &[String]) -> Option<String> {
        let texts: Vec<&str> = refs
            .iter()
            .filter_map(|r| self.get(r))
            .map(|n| n.content.trim())
            .filter(|t| !t.is_empty())
            .collect();
        (!texts.is_empty()).then(|| texts.join("\n\n"))
    }
}

/// Reads `project.qde`. Any `urn:QDA-XML:*` namespace (or none) is read.
///
/// # Errors
/// Malformed XML, or a root that is not `Project`.
pub(crate) fn read_qde(
    file: &str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<RefiProject, ExchangeError> {
    let mut root = xml::parse(file, bytes)?;
    if root.name != "Project" {
        return Err(ExchangeError::Format {
            file: file.to_owned(),
            message: format!(
                "the root element is `{}`, not `Project` (a REFI-QDA project) or `CodeBook` (a codebook); export the file from your QDA tool as REFI-QDA (.qdpx or .qdc)",
                root.name
            ),
        });
    }
    let attr = |name: &str| root.attr(name).map(str::to_owned);
    let mut project = RefiProject {
        name: attr("name").unwrap_or_default(),
        origin: attr("origin"),
        base_path: attr("basePath"),
        creating_user: attr("creatingUserGUID"),
        ..RefiProject::default()
    };
    if let Some(users) = root.child("Users") {
        project.users = users
            .all("User")
            .map(|u| RefiUser {
                guid: u.attr("guid").unwrap_or("").to_owned(),
                name: u.attr("name").or_else(|| u.attr("id")).map(str::to_owned),
            })
            .collect();
    }
    project.codebook =
        root.child("CodeBook").map(|c| codebook::read_codebook_element(file, c, warnings));
    if let Some(variables) = root.child("Variables") {
        project.variables = variables
            .all("Variable")
            .map(|v| RefiVariable {
                guid: v.attr("guid").unwrap_or("").to_owned(),
                name: v.attr("name").unwrap_or("").to_owned(),
                kind: VariableKind::parse(v.attr("typeOfVariable").unwrap_or("Text")),
            })
            .collect();
    }
    if let Some(cases) = root.child("Cases") {
        project.cases = cases
            .all("Case")
            .map(|c| RefiCase {
                guid: c.attr("guid").unwrap_or("").to_owned(),
                name: c.attr("name").map(str::to_owned),
                values: read_values(c),
                sources: c
                    .all("SourceRef")
                    .filter_map(|s| s.attr("targetGUID"))
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
    }
    if let Some(cases) = root.child("Cases") {
        for _ in cases.all("Case").flat_map(|c| c.all("CodeRef")) {
            count(&mut project.unread, "CaseCodeRef");
        }
    }
    if let Some(sources) = root.children.iter_mut().find(|c| c.name == "Sources") {
        for source in &mut sources.children {
            match source.name.as_str() {
                "TextSource" => {
                    for _ in source.all("Coding") {
                        count(&mut project.unread, "SourceCoding");
                    }
                    // An inline text, which can be as large as a text file,
                    // is moved out of the document, not copied.
                    let inline = source
                        .children
                        .iter_mut()
                        .find(|c| c.name == "PlainTextContent")
                        .map(|c| std::mem::take(&mut c.text));
                    let mut text_source = read_text_source(file, source, warnings);
                    text_source.content = inline;
                    project.sources.push(text_source);
                }
                other => count(&mut project.unread, other),
            }
        }
    }
    if let Some(notes) = root.child("Notes") {
        project.notes = notes
            .all("Note")
            .map(|n| RefiNote {
                guid: n.attr("guid").unwrap_or("").to_owned(),
                name: n.attr("name").map(str::to_owned),
                user: n.attr("creatingUser").map(str::to_owned),
                content: n.child("PlainTextContent").map(|c| c.text.clone()).unwrap_or_default(),
            })
            .collect();
        project.note_refs =
            root.all("NoteRef").filter_map(|n| n.attr("targetGUID")).map(str::to_owned).collect();
        // A note on a selection without codings is a memo on a segment, one
        // on a source its case's memo, one on a code the code's memo, one on
        // the project the project memo; every other note is not read.
        let mut memo_notes: std::collections::BTreeSet<String> = project
            .sources
            .iter()
            .flat_map(|s| {
                let on_selections = s.selections.iter().filter(|s| s.codings.is_empty());
                on_selections.flat_map(|s| &s.notes).chain(&s.notes)
            })
            .chain(&project.note_refs)
            .map(|n| guid::key(n))
            .collect();
        if let Some(book) = &mut project.codebook {
            fill_code_memos(book, &project.notes, &mut memo_notes);
        }
        for note in &project.notes {
            if !memo_notes.contains(&guid::key(&note.guid)) {
                count(&mut project.unread, "Notes");
            }
        }
    }
    for part in ["Links", "Graphs"] {
        if let Some(element) = root.child(part) {
            for _ in &element.children {
                count(&mut project.unread, part);
            }
        }
    }
    if let Some(sets) = root.child("Sets") {
        project.sets = codebook::read_sets(sets);
    }
    Ok(project)
}

fn count(unread: &mut Vec<(String, usize)>, name: &str) {
    match unread.iter_mut().find(|(n, _)| n == name) {
        Some((_, n)) => *n += 1,
        None => unread.push((name.to_owned(), 1)),
    }
}

fn read_values(parent: &Element) -> Vec<RefiValue> {
    parent
        .all("VariableValue")
        .filter_map(|v| {
            let variable = v.child("VariableRef")?.attr("targetGUID")?.to_owned();
            let value = v.children.iter().find(|c| c.name != "VariableRef")?;
            let kind = match value.name.as_str() {
                "BooleanValue" => VariableKind::Boolean,
                "IntegerValue" => VariableKind::Integer,
                "FloatValue" => VariableKind::Float,
                "DateValue" => VariableKind::Date,
                "DateTimeValue" => VariableKind::DateTime,
                _ => VariableKind::Text,
            };
            Some(RefiValue { variable, kind, value: value.text.trim().to_owned() })
        })
        .collect()
}

/// A position: `12` as the schema says, or `12.0` as a careless writer
/// might; `None` for anything else (missing, empty, negative, not a number).
fn position(raw: Option<&str>) -> Option<u64> {
    let p = raw?.trim();
    p.parse::<u64>()
        .ok()
        .or_else(|| p.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
}

/// A text source with its selections; a selection whose start or end is not
/// a position is skipped with a warning naming it.
fn read_text_source(file: &str, source: &Element, warnings: &mut Vec<String>) -> RefiTextSource {
    let selections = source
        .all("PlainTextSelection")
        .filter_map(|s| {
            let guid = s.attr("guid").unwrap_or("");
            let positions = ["startPosition", "endPosition"].map(|name| {
                let raw = s.attr(name);
                let read = position(raw);
                if read.is_none() {
                    let what = match raw {
                        None => "is missing".to_owned(),
                        Some(raw) => format!("`{raw}` is not a whole number of 0 or more"),
                    };
                    warnings.push(format!(
                        "{file}: selection `{guid}`: {name} {what}; the selection is skipped"
                    ));
                }
                read
            });
            let [Some(start), Some(end)] = positions else {
                return None;
            };
            Some(RefiSelection {
                guid: guid.to_owned(),
                name: s.attr("name").map(str::to_owned),
                start,
                end,
                user: s.attr("creatingUser").map(str::to_owned),
                description: s.description(),
                codings: s
                    .all("Coding")
                    .filter_map(|c| {
                        Some(RefiCoding {
                            guid: c.attr("guid").unwrap_or("").to_owned(),
                            code: c.child("CodeRef")?.attr("targetGUID")?.to_owned(),
                            user: c.attr("creatingUser").map(str::to_owned),
                        })
                    })
                    .collect(),
                notes: s
                    .all("NoteRef")
                    .filter_map(|n| n.attr("targetGUID").map(str::to_owned))
                    .collect(),
            })
        })
        .collect();
    RefiTextSource {
        guid: source.attr("guid").unwrap_or("").to_owned(),
        name: source.attr("name").map(str::to_owned),
        plain_text_path: source.attr("plainTextPath").map(str::to_owned),
        content: source.child("PlainTextContent").map(|c| c.text.clone()),
        description: source.description(),
        values: read_values(source),
        selections,
        notes: source
            .all("NoteRef")
            .filter_map(|n| n.attr("targetGUID"))
            .map(str::to_owned)
            .collect(),
    }
}
