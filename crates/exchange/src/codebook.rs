//! Codebooks: the REFI-QDA code tree, read from and written to `.qdc`
//! files (and the `CodeBook` of a project), and converted to and from qda
//! codebooks.
//!
//! What REFI-QDA cannot carry (a code's id, rule, examples, exclusive
//! groups, the codebook's unit and interviewer labels) travels in the code's
//! `Description`, after a line `--- qda ---`, as TOML. Other tools show it as
//! text and keep it; qda reads it back. See docs/exchange.md.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use qda_coding::{Code, Codebook};
use serde::{Deserialize, Serialize};

use crate::error::ExchangeError;
use crate::guid;
use crate::xml::{self, Element, MAX_CODE_DEPTH, Writer};

/// The line that starts the qda part of a description.
pub(crate) const QDA_MARKER: &str = "--- qda ---";

/// The namespace of `.qdc` files.
pub(crate) const CODEBOOK_NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

/// A code of a REFI-QDA codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiCode {
    /// The GUID, as written.
    pub(crate) guid: String,
    /// The name shown in tools.
    pub(crate) name: String,
    /// `isCodable`: false for folders and categories.
    pub(crate) codable: bool,
    /// `#rrggbb`, when the file gives a readable colour.
    pub(crate) color: Option<String>,
    /// The description, trimmed.
    pub(crate) description: Option<String>,
    /// Nested codes.
    pub(crate) children: Vec<RefiCode>,
}

/// A set of codes (ATLAS.ti code groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefiSet {
    /// The GUID.
    pub(crate) guid: String,
    /// The name.
    pub(crate) name: String,
    /// The description.
    pub(crate) description: Option<String>,
    /// GUIDs of member codes.
    pub(crate) codes: Vec<String>,
    /// GUIDs of member sources (only in projects).
    pub(crate) sources: Vec<String>,
}

/// A REFI-QDA codebook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RefiCodebook {
    /// The tool that wrote it.
    pub(crate) origin: Option<String>,
    /// The top-level codes.
    pub(crate) codes: Vec<RefiCode>,
    /// Sets of codes.
    pub(crate) sets: Vec<RefiSet>,
    /// The notes about each code (`NoteRef`, in projects only), by the
    /// code's GUID as written: in qda, the code's memo. Kept beside the
    /// tree, not in it, so deep trees cost no more stack to walk.
    pub(crate) code_notes: BTreeMap<String, Vec<String>>,
    /// The text of those notes by the code's GUID key, once a project's
    /// notes are read.
    pub(crate) code_memos: BTreeMap<String, String>,
}

/// The qda part of a code's description.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct QdaBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exclusive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolve: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    examples: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    counterexamples: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule: Option<RuleOut>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    codebook: Option<HeaderOut>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RuleOut {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    any: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    all: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    not: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    regex: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct HeaderOut {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    interviewer: Vec<String>,
}

/// The GUID qda gives a code.
pub(crate) fn code_guid(id: &str) -> String {
    guid::derive("code", &[id])
}

/// A named set of code ids (ATLAS.ti's code groups).
pub type CodeSet = (String, Vec<String>);

/// The sets of codes listed in a codebook file's comments, as an import
/// writes them: `# set "NAME": id, id`. Unknown ids are kept here;
/// [`export_codebook`] and [`export_project`](crate::export_project) skip them.
pub fn sets_in_comments(text: &str) -> Vec<CodeSet> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("# set ")?;
            let (quoted, members) = rest.rsplit_once(':')?;
            let name: toml::Table = toml::from_str(&format!("v = {quoted}")).ok()?;
            let name = name.get("v")?.as_str()?.to_owned();
            let ids = members
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect();
            Some((name, ids))
        })
        .collect()
}

/// Builds the REFI-QDA codebook of a qda codebook, with `sets` of code ids.
/// Nothing is dropped: what REFI-QDA has no place for goes into the qda
/// part of descriptions.
pub(crate) fn from_qda(codebook: &Codebook, sets: &[CodeSet]) -> RefiCodebook {
    let header = HeaderOut {
        name: Some(codebook.name().to_owned()),
        version: codebook.version().map(str::to_owned),
        description: codebook.description().map(str::to_owned),
        unit: Some(codebook.unit().as_str().to_owned()),
        interviewer: codebook.interviewer().to_vec(),
    };
    let mut header = Some(header);
    let codes = codebook
        .codes()
        .iter()
        .filter(|c| c.parent.as_deref().is_none_or(|p| codebook.code(p).is_none()))
        .map(|c| tree(codebook, c, &mut header))
        .collect();
    let sets = sets
        .iter()
        .map(|(name, ids)| RefiSet {
            guid: guid::derive("set", &[name]),
            name: name.clone(),
            description: None,
            codes: ids
                .iter()
                .filter(|id| codebook.code(id).is_some())
                .map(|id| code_guid(id))
                .collect(),
            sources: Vec::new(),
        })
        .collect();
    RefiCodebook { origin: Some(origin()), codes, sets, ..RefiCodebook::default() }
}

/// `qda VERSION`, the `origin` of every file qda writes.
pub(crate) fn origin() -> String {
    format!("qda {}", env!("CARGO_PKG_VERSION"))
}

fn tree(codebook: &Codebook, code: &Code, header: &mut Option<HeaderOut>) -> RefiCode {
    let description = describe(code, header.take());
    RefiCode {
        guid: code_guid(&code.id),
        name: code.label.clone(),
        codable: code.codable,
        color: code.color.clone(),
        description: Some(description),
        children: codebook.children(&code.id).map(|c| tree(codebook, c, header)).collect(),
    }
}

/// Definition, include and exclude texts as a reader sees them (what other
/// tools show of a code), one paragraph each.
pub(crate) fn readable_parts(code: &Code) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(d) = &code.definition {
        parts.push(d.trim().to_owned());
    }
    if let Some(i) = &code.include {
        parts.push(format!("Include: {}", i.trim()));
    }
    if let Some(e) = &code.exclude {
        parts.push(format!("Exclude: {}", e.trim()));
    }
    parts
}

/// The readable parts, then the qda part.
fn describe(code: &Code, header: Option<HeaderOut>) -> String {
    let mut parts = readable_parts(code);
    let rule = code.rule.as_ref().map(|r| {
        let texts =
            |terms: &[qda_coding::Term]| terms.iter().map(|t| t.as_str().to_owned()).collect();
        RuleOut {
            any: texts(&r.any),
            all: texts(&r.all),
            not: texts(&r.not),
            regex: texts(&r.regex),
        }
    });
    let block = QdaBlock {
        id: Some(code.id.clone()),
        exclusive: code.exclusive.then_some(true),
        resolve: code.exclusive.then(|| code.resolve.as_str().to_owned()),
        examples: code.examples.clone(),
        counterexamples: code.counterexamples.clone(),
        rule,
        codebook: header,
    };
    let toml = toml::to_string(&block).unwrap_or_default();
    parts.push(format!("{QDA_MARKER}\n{}", toml.trim_end()));
    parts.join("\n\n")
}

/// A qda codebook as a `.qdc` document, with `sets` as its code sets.
pub fn export_codebook(codebook: &Codebook, sets: &[CodeSet]) -> String {
    write_qdc(&from_qda(codebook, sets))
}

/// Writes a `.qdc` document.
pub(crate) fn write_qdc(codebook: &RefiCodebook) -> String {
    let mut w = Writer::new();
    let origin = codebook.origin.clone().unwrap_or_else(origin);
    w.open(
        "CodeBook",
        &[
            ("xmlns", CODEBOOK_NAMESPACE),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", "urn:QDA-XML:codebook:1.0 Codebook.xsd"),
            ("origin", &origin),
        ],
    );
    write_codes(&mut w, &codebook.codes, &codebook.code_notes);
    write_sets(&mut w, &codebook.sets, false);
    w.close("CodeBook");
    w.finish()
}

/// `<Codes>` with the code tree; shared by `.qdc` and projects.
pub(crate) fn write_codes(
    w: &mut Writer,
    codes: &[RefiCode],
    notes: &BTreeMap<String, Vec<String>>,
) {
    w.open("Codes", &[]);
    for code in codes {
        write_code(w, code, notes);
    }
    w.close("Codes");
}

fn write_code(w: &mut Writer, code: &RefiCode, all_notes: &BTreeMap<String, Vec<String>>) {
    let notes = all_notes.get(&code.guid).map_or(&[][..], Vec::as_slice);
    let codable = if code.codable { "true" } else { "false" };
    let mut attributes =
        vec![("guid", code.guid.as_str()), ("name", code.name.as_str()), ("isCodable", codable)];
    if let Some(color) = &code.color {
        attributes.push(("color", color.as_str()));
    }
    if code.description.is_none() && code.children.is_empty() && notes.is_empty() {
        w.empty("Code", &attributes);
        return;
    }
    w.open("Code", &attributes);
    if let Some(d) = &code.description {
        w.text("Description", d);
    }
    for note in notes {
        w.empty("NoteRef", &[("targetGUID", note.as_str())]);
    }
    for child in &code.children {
        write_code(w, child, all_notes);
    }
    w.close("Code");
}

/// `<Sets>`, only when there is a set (the schema refuses an empty one).
pub(crate) fn write_sets(w: &mut Writer, sets: &[RefiSet], project: bool) {
    if sets.is_empty() {
        return;
    }
    w.open("Sets", &[]);
    for set in sets {
        let attributes = [("guid", set.guid.as_str()), ("name", set.name.as_str())];
        w.open("Set", &attributes);
        if let Some(d) = &set.description {
            w.text("Description", d);
        }
        for code in &set.codes {
            let key = if project { "targetGUID" } else { "guid" };
            w.empty("MemberCode", &[(key, code.as_str())]);
        }
        if project {
            for source in &set.sources {
                w.empty("MemberSource", &[("targetGUID", source.as_str())]);
            }
        }
        w.close("Set");
    }
    w.close("Sets");
}

/// Reads a `.qdc` document. Any `urn:QDA-XML:*` namespace (or none) is read.
///
/// # Errors
/// Malformed XML, a root that is not `CodeBook`, or no `Codes`.
pub(crate) fn read_qdc(
    file: &str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<RefiCodebook, ExchangeError> {
    let root = xml::parse(file, bytes)?;
    if root.name != "CodeBook" {
        return Err(ExchangeError::Format {
            file: file.to_owned(),
            message: format!(
                "the root element is `{}`, not `CodeBook`; is this a REFI-QDA codebook (.qdc)?",
                root.name
            ),
        });
    }
    Ok(read_codebook_element(file, &root, warnings))
}

/// Reads a `CodeBook` element (of a `.qdc` or of a project).
pub(crate) fn read_codebook_element(
    file: &str,
    root: &Element,
    warnings: &mut Vec<String>,
) -> RefiCodebook {
    let codes = root.child("Codes").map(|c| read_codes(file, c, warnings)).unwrap_or_default();
    let sets = root.child("Sets").map(read_sets).unwrap_or_default();
    let mut code_notes = BTreeMap::new();
    // A loop, not recursion: a code tree may be as deep as the file allows.
    let mut pending: Vec<&Element> = root.child("Codes").into_iter().collect();
    while let Some(element) = pending.pop() {
        for code in element.all("Code") {
            let notes: Vec<String> = code
                .all("NoteRef")
                .filter_map(|n| n.attr("targetGUID"))
                .map(str::to_owned)
                .collect();
            if !notes.is_empty() {
                code_notes.insert(code.attr("guid").unwrap_or("").to_owned(), notes);
            }
            pending.push(code);
        }
    }
    RefiCodebook {
        origin: root.attr("origin").map(str::to_owned),
        codes,
        sets,
        code_notes,
        code_memos: BTreeMap::new(),
    }
}

fn read_codes(file: &str, parent: &Element, warnings: &mut Vec<String>) -> Vec<RefiCode> {
    parent
        .all("Code")
        .map(|c| {
            let name = c.attr("name").unwrap_or("").trim().to_owned();
            let color = match c.attr("color").map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(raw) => {
                    let parsed = crate::color::parse(raw);
                    if parsed.is_none() {
                        warnings.push(format!(
                            "{file}: code `{name}`: colour `{raw}` is not readable; it is left out"
                        ));
                    }
                    parsed
                }
            };
            RefiCode {
                guid: c.attr("guid").unwrap_or("").to_owned(),
                name,
                // Only an explicit "false" marks a category (as QualCoder reads it).
                codable: !matches!(c.attr("isCodable").map(str::trim), Some("false" | "0")),
                color,
                description: c.description(),
                children: read_codes(file, c, warnings),
            }
        })
        .collect()
}

pub(crate) fn read_sets(sets: &Element) -> Vec<RefiSet> {
    sets.all("Set")
        .map(|s| {
            let target = |e: &Element| {
                e.attr("targetGUID").or_else(|| e.attr("guid")).unwrap_or("").to_owned()
            };
            RefiSet {
                guid: s.attr("guid").unwrap_or("").to_owned(),
                name: s.attr("name").unwrap_or("").to_owned(),
                description: s.description(),
                codes: s.all("MemberCode").map(target).collect(),
                sources: s.all("MemberSource").map(target).collect(),
            }
        })
        .collect()
}

/// A qda codebook made from a REFI-QDA one: its TOML text, and the qda id
/// given to each code GUID (lower case, without braces).
#[derive(Debug, Clone)]
pub struct ImportedCodebook {
    /// The codebook, as TOML that [`Codebook::parse`] reads.
    pub toml: String,
    /// GUID key → code id.
    pub ids: IndexMap<String, String>,
    /// The codebook unit (from the qda part, or `paragraph`).
    pub unit: String,
    /// Whether qda wrote the codebook (a qda part was found).
    pub from_qda: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
struct CodebookToml {
    codebook: HeaderOut,
    code: Vec<CodeToml>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct CodeToml {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    codable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exclusive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolve: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exclude: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memo: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    examples: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    counterexamples: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<RuleOut>,
}

/// A code with its parent, flattened in tree order.
struct Flat<'a> {
    code: &'a RefiCode,
    parent: Option<usize>,
    /// The name without a `::` path.
    label: String,
}

/// Turns a REFI-QDA codebook into a qda codebook. `name` is used when the
/// file gives none; codes in `coded` (GUID keys) are made codable even
/// when the file says they are not. Warnings say what was changed or dropped.
///
/// # Errors
/// A qda part that is not valid TOML, or a codebook qda refuses (which
/// names the problem).
pub(crate) fn to_qda(
    file: &str,
    refi: &RefiCodebook,
    name: &str,
    coded: &std::collections::BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Result<ImportedCodebook, ExchangeError> {
    let nested = nest_paths(file, &refi.codes)?;
    if let Some((_, created)) = &nested {
        let added =
            if *created > 0 { format!("; {created} grouping codes added") } else { String::new() };
        warnings.push(format!("{file}: the code tree was read from `::` in code names{added}"));
    }
    let tree = nested.as_ref().map_or(refi.codes.as_slice(), |(t, _)| t.as_slice());
    let mut flat: Vec<Flat<'_>> = Vec::new();
    flatten(tree, None, &mut flat);

    let mut header: Option<HeaderOut> = None;
    let mut ids: Vec<String> = Vec::new();
    let mut taken = Taken::default();
    let mut codes: Vec<CodeToml> = Vec::new();
    let mut guid_ids = IndexMap::new();
    let mut from_qda = false;
    for entry in &flat {
        let (text, block) = split_description(entry.code.description.as_deref());
        let block: Option<QdaBlock> = match block {
            None => None,
            Some(b) => Some(toml::from_str(&b).map_err(|e| ExchangeError::Format {
                file: file.to_owned(),
                message: format!("code `{}`: the part after `{QDA_MARKER}` in its description is not valid TOML ({}); fix or remove it", entry.label, e.message()),
            })?),
        };
        from_qda |= block.is_some();
        let block = block.unwrap_or_default();
        if header.is_none() {
            header = block.codebook.clone();
        }
        let wanted = block.id.clone().unwrap_or_else(|| slug(&entry.label));
        let id = taken.claim(&wanted);
        if id != wanted && block.id.is_some() {
            warnings.push(format!(
                "{file}: code id `{wanted}` is used twice; the second is now `{id}`"
            ));
        }
        ids.push(id.clone());
        let (definition, include, exclude) =
            if block.id.is_some() { parse_texts(&text) } else { (text.clone(), None, None) };
        let label = (entry.label != id).then(|| entry.label.clone());
        codes.push(CodeToml {
            id: id.clone(),
            label,
            parent: entry.parent.map(|p| ids[p].clone()),
            codable: (!entry.code.codable
                && !coded.contains(&guid::key(&entry.code.guid))
                && block.exclusive != Some(true))
            .then_some(false),
            exclusive: block.exclusive,
            resolve: block.resolve.clone(),
            color: entry.code.color.clone(),
            definition,
            include,
            exclude,
            memo: refi.code_memos.get(&guid::key(&entry.code.guid)).cloned(),
            examples: block.examples.clone(),
            counterexamples: block.counterexamples.clone(),
            rule: block.rule.clone(),
        });
        if !entry.code.guid.is_empty() {
            guid_ids.insert(guid::key(&entry.code.guid), id);
        }
    }
    let unit =
        header.as_ref().and_then(|h| h.unit.clone()).unwrap_or_else(|| "paragraph".to_owned());
    let header = header.unwrap_or_else(|| HeaderOut {
        name: Some(name.to_owned()),
        unit: Some(unit.clone()),
        ..HeaderOut::default()
    });
    if codes.is_empty() {
        return Err(ExchangeError::Format {
            file: file.to_owned(),
            message: "the codebook has no codes; qda needs at least one".to_owned(),
        });
    }
    let doc = CodebookToml { codebook: header, code: codes };
    let mut toml = format!(
        "# Imported from a REFI-QDA codebook{}.\n\n",
        refi.origin.as_deref().map(|o| format!(" written by {o}")).unwrap_or_default()
    );
    toml.push_str(&toml::to_string(&doc).map_err(|e| ExchangeError::Export(e.to_string()))?);
    let code_sets: Vec<&RefiSet> = refi.sets.iter().filter(|s| !s.codes.is_empty()).collect();
    if !code_sets.is_empty() {
        toml.push_str(&sets_as_comments(&code_sets, &guid_ids));
        warnings.push(format!(
            "{file}: qda codebooks have no sets; {} set(s) of codes are kept as comments at the end of the codebook (and exported again)",
            code_sets.len()
        ));
    }
    // What we wrote must be a codebook qda reads.
    Codebook::parse(std::path::Path::new("codebook.toml"), &toml).map_err(|e| {
        ExchangeError::Format {
            file: file.to_owned(),
            message: format!("the imported codebook is not valid: {e}"),
        }
    })?;
    Ok(ImportedCodebook { toml, ids: guid_ids, unit, from_qda })
}

/// The code tree in order, each code after its parent, with its parent's
/// index in `flat`.
fn flatten<'a>(codes: &'a [RefiCode], parent: Option<usize>, flat: &mut Vec<Flat<'a>>) {
    for code in codes {
        flat.push(Flat { code, parent, label: code.name.clone() });
        let me = flat.len() - 1;
        flatten(&code.children, Some(me), flat);
    }
}

/// Comment lines that keep code sets in a qda codebook, which has none:
/// one `# set "NAME": id, id` line per set, read back by [`sets_in_comments`].
fn sets_as_comments(sets: &[&RefiSet], ids: &IndexMap<String, String>) -> String {
    let mut lines = String::from(
        "\n# Sets of codes (qda codebooks have none; `qda export` writes these lines\n# back as sets):\n",
    );
    for set in sets {
        let members: Vec<&str> =
            set.codes.iter().filter_map(|g| ids.get(&guid::key(g)).map(String::as_str)).collect();
        let name = toml::Value::String(set.name.clone()).to_string();
        lines.push_str(&format!("# set {name}: {}\n", members.join(", ")));
    }
    lines
}

/// Nests codes named `A::B` under `A` when the file has no nesting of its
/// own; `A` is added as a grouping code when the file has no code `A`.
/// Returns the tree and how many parents were added, or `None` when
/// nothing is to be done. Each code is placed by a lookup of its path's
/// names, so the time grows with the codes, not their square.
///
/// # Errors
/// A name nesting deeper than [`MAX_CODE_DEPTH`], as nested `Code`
/// elements may not.
fn nest_paths(
    file: &str,
    codes: &[RefiCode],
) -> Result<Option<(Vec<RefiCode>, usize)>, ExchangeError> {
    if codes.iter().any(|c| !c.children.is_empty()) || !codes.iter().any(|c| c.name.contains("::"))
    {
        return Ok(None);
    }
    // The tree as a list of nodes, each made after its parent.
    let mut nodes: Vec<(RefiCode, Vec<usize>)> = Vec::new();
    let mut roots: Vec<usize> = Vec::new();
    // The first node of each name under each parent (`None`: the top level).
    let mut first: IndexMap<(Option<usize>, &str), usize> = IndexMap::new();
    let mut created = 0;
    for code in codes {
        let path: Vec<&str> =
            code.name.split("::").map(str::trim).filter(|p| !p.is_empty()).collect();
        if path.len() > MAX_CODE_DEPTH {
            let shown: String = code.name.chars().take(40).collect();
            return Err(ExchangeError::Format {
                file: file.to_owned(),
                message: format!(
                    "code {} (`{shown}…`) is nested {} deep by the `::` in its name; qda reads at most {MAX_CODE_DEPTH} levels of codes: shorten the name in the tool that wrote the file",
                    code.guid,
                    path.len()
                ),
            });
        }
        let Some((leaf, parents)) = path.split_last() else {
            nodes.push((code.clone(), Vec::new()));
            roots.push(nodes.len() - 1);
            continue;
        };
        let mut parent = None;
        for &name in parents {
            let node = *first.entry((parent, name)).or_insert_with(|| {
                created += 1;
                let grouping = RefiCode {
                    guid: String::new(),
                    name: name.to_owned(),
                    codable: false,
                    color: None,
                    description: None,
                    children: Vec::new(),
                };
                nodes.push((grouping, Vec::new()));
                let made = nodes.len() - 1;
                parent.map_or(&mut roots, |p: usize| &mut nodes[p].1).push(made);
                made
            });
            parent = Some(node);
        }
        let real = RefiCode { name: (*leaf).to_owned(), children: Vec::new(), ..code.clone() };
        match first.get(&(parent, *leaf)) {
            // A parent made up earlier: the real code takes its place.
            Some(&made) if nodes[made].0.guid.is_empty() => {
                nodes[made].0 = real;
                created -= 1;
            }
            existing => {
                nodes.push((real, Vec::new()));
                let node = nodes.len() - 1;
                parent.map_or(&mut roots, |p| &mut nodes[p].1).push(node);
                if existing.is_none() {
                    first.insert((parent, *leaf), node);
                }
            }
        }
    }
    // Children come after their parents: built from the last node back,
    // every node's children are whole when it is.
    let (mut built, children_of): (Vec<Option<RefiCode>>, Vec<Vec<usize>>) =
        nodes.into_iter().map(|(code, children)| (Some(code), children)).unzip();
    for node in (0..built.len()).rev() {
        let children: Vec<RefiCode> =
            children_of[node].iter().filter_map(|&child| built[child].take()).collect();
        if let Some(code) = built[node].as_mut() {
            code.children = children;
        }
    }
    let tree = roots.iter().filter_map(|&root| built[root].take()).collect();
    Ok(Some((tree, created)))
}

/// Splits a description into the text for readers and the qda part.
fn split_description(description: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(d) = description else { return (None, None) };
    match d.find(QDA_MARKER) {
        Some(at) if at == 0 || d[..at].ends_with('\n') => {
            let text = d[..at].trim();
            let block = d[at + QDA_MARKER.len()..].trim_start_matches(['\r', '\n']).to_owned();
            ((!text.is_empty()).then(|| text.to_owned()), Some(block))
        }
        _ => (Some(d.to_owned()), None),
    }
}

/// Definition, include and exclude texts, as [`describe`] composed them.
fn parse_texts(text: &Option<String>) -> (Option<String>, Option<String>, Option<String>) {
    let Some(text) = text else { return (None, None, None) };
    let (mut definition, mut include, mut exclude) = (Vec::new(), Vec::new(), Vec::new());
    let mut target = 0;
    for paragraph in text.split("\n\n") {
        if let Some(rest) = paragraph.strip_prefix("Include: ") {
            target = 1;
            include.push(rest);
        } else if let Some(rest) = paragraph.strip_prefix("Exclude: ") {
            target = 2;
            exclude.push(rest);
        } else {
            [&mut definition, &mut include, &mut exclude][target].push(paragraph);
        }
    }
    let join = |parts: Vec<&str>| (!parts.is_empty()).then(|| parts.join("\n\n"));
    (join(definition), join(include), join(exclude))
}

/// A code id from a name: letters and digits kept, other runs become `-`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || matches!(c, '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() || out == qda_coding::UNCODED {
        format!("code-{out}").trim_end_matches('-').to_owned()
    } else {
        out
    }
}

/// Ids given so far, so that each new one is unique in constant time on
/// average (a scan of every id for every code made import cubic in the
/// number of codes of the same name).
#[derive(Debug, Default)]
pub(crate) struct Taken {
    ids: std::collections::BTreeSet<String>,
    /// The next suffix to try for a wanted id: every smaller one is taken.
    next: std::collections::BTreeMap<String, usize>,
}

impl Taken {
    /// `wanted`, or `wanted-2`, `wanted-3`, ... the first one not taken; it
    /// is taken from now on.
    pub(crate) fn claim(&mut self, wanted: &str) -> String {
        let id = if self.ids.contains(wanted) {
            let n = self.next.entry(wanted.to_owned()).or_insert(2);
            loop {
                let candidate = format!("{wanted}-{n}");
                *n += 1;
                if !self.ids.contains(&candidate) {
                    break candidate;
                }
            }
        } else {
            wanted.to_owned()
        };
        self.ids.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(guid: &str, name: &str, children: Vec<RefiCode>) -> RefiCode {
        RefiCode {
            guid: guid.to_owned(),
            name: name.to_owned(),
            codable: true,
            color: None,
            description: None,
            children,
        }
    }

    #[test]
    fn texts_composed_for_readers_are_split_back() {
        let texts =
            Some("First.\n\nSecond paragraph.\n\nInclude: a\n\nmore a\n\nExclude: b".to_owned());
        let (d, i, e) = parse_texts(&texts);
        assert_eq!(d.as_deref(), Some("First.\n\nSecond paragraph."));
        assert_eq!(i.as_deref(), Some("a\n\nmore a"));
        assert_eq!(e.as_deref(), Some("b"));
    }

    #[test]
    fn the_qda_part_starts_only_on_its_own_line() {
        let (text, block) = split_description(Some("See --- qda --- inline"));
        assert_eq!((text.as_deref(), block), (Some("See --- qda --- inline"), None));
        let (text, block) = split_description(Some("Text\n\n--- qda ---\nid = \"x\""));
        assert_eq!((text.as_deref(), block.as_deref()), (Some("Text"), Some("id = \"x\"")));
    }

    #[test]
    fn double_colon_names_nest_and_a_later_real_parent_takes_its_place() {
        let codes = vec![
            code("0A", "Coke::Diet", vec![]),
            code("0B", "Coke", vec![]),
            code("0C", "Tea::Green::Sencha", vec![]),
        ];
        let (tree, created) = nest_paths("f.qdc", &codes).unwrap().unwrap();
        assert_eq!(tree.len(), 2);
        assert_eq!((tree[0].name.as_str(), tree[0].guid.as_str()), ("Coke", "0B"));
        assert_eq!(tree[0].children[0].name, "Diet");
        assert_eq!(tree[1].children[0].children[0].name, "Sencha");
        assert_eq!(created, 2, "Tea and Tea::Green were added");
        let nested = vec![code("1", "A::B", vec![code("2", "C", vec![])])];
        assert!(
            nest_paths("f.qdc", &nested).unwrap().is_none(),
            "a file with a tree of its own is left alone"
        );
    }

    #[test]
    fn ids_from_names_are_valid_and_unique() {
        assert_eq!(slug("Leaving to survive"), "leaving-to-survive");
        assert_eq!(slug("  Szülők / Aggódás! "), "szülők-aggódás");
        assert_eq!(slug("???"), "code");
        assert_eq!(slug("uncoded"), "code-uncoded");
        let mut taken = Taken::default();
        assert_eq!(taken.claim("a-2"), "a-2");
        assert_eq!(taken.claim("a"), "a");
        assert_eq!(taken.claim("a"), "a-3");
        assert_eq!(taken.claim("a"), "a-4");
    }

    #[test]
    fn no_empty_sets_and_a_codebook_without_codes_is_refused() {
        let book = RefiCodebook {
            origin: None,
            codes: vec![code("0A", "x", vec![])],
            sets: vec![],
            ..RefiCodebook::default()
        };
        assert!(!write_qdc(&book).contains("Sets"));
        let empty = RefiCodebook::default();
        let err = to_qda("e.qdc", &empty, "e", &Default::default(), &mut Vec::new()).unwrap_err();
        assert!(matches!(err, ExchangeError::Format { .. }), "{err}");
    }
}
