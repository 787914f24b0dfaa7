//! REFI-QDA → qda: a codebook, transcripts with front matter from the case
//! variables, and one codings file per coder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use indexmap::IndexMap;
use qda_coding::{
    CodedSource, Coding, CodingsFile, ImportedSelection, Segment, SegmentMemo, Source, Transcript,
    Unit,
};

use crate::archive::Archive;
use crate::codebook::{self, ImportedCodebook};
use crate::description::{self, SelectionBlock, SourceBlock, TEXT_SPEAKER};
use crate::error::ExchangeError;
use crate::guid;
use crate::offsets::{self, Counting, Probe};
use crate::project::{
    NoteIndex, RefiProject, RefiSelection, RefiTextSource, RefiValue, VariableKind, read_qde,
};
use crate::texts::{self, MAX_SOURCE_BYTES, Texts};

/// What an import gives.
#[derive(Debug, Clone)]
pub enum Imported {
    /// A `.qdc` codebook.
    Codebook {
        /// The codebook.
        codebook: ImportedCodebook,
        /// What could not be carried, or was changed.
        warnings: Vec<String>,
    },
    /// A project (`.qdpx`, or a bare `.qde`).
    Project(ImportedProject),
}

/// A project made into qda files.
#[derive(Debug, Clone)]
pub struct ImportedProject {
    /// The codebook; `None` when the project has no codes.
    pub codebook: Option<ImportedCodebook>,
    /// The transcripts, by case (empty from [`import_each`], which hands
    /// each on as soon as it is made).
    pub transcripts: Vec<ImportedTranscript>,
    /// One codings file per coder (without provenance).
    pub codings: Vec<CodingsFile>,
    /// The project memo: the notes on the project as a whole.
    pub project_memo: Option<String>,
    /// Case memos (case id, memo), in case order: the notes on each
    /// case's text source.
    pub case_memos: Vec<(String, String)>,
    /// What could not be carried, or was guessed.
    pub warnings: Vec<String>,
}

/// One transcript made from a text source.
#[derive(Debug, Clone)]
pub struct ImportedTranscript {
    /// The case id.
    pub case: String,
    /// The GUID of the text source it was made from, as the file wrote it.
    pub source: String,
    /// The file name to write it under (`CASE.txt`).
    pub file_name: String,
    /// The whole file: front matter, then the text (LF, no BOM).
    pub text: String,
    /// Where the source's text starts in `text`, in code points.
    pub body_start: usize,
    /// How the source tool counted positions.
    pub counting: Counting,
    /// Every selection placed in `text`, in code points, with the text the
    /// tool recorded as its name.
    pub selections: Vec<PlacedSelection>,
}

/// A selection placed in an imported transcript.
#[derive(Debug, Clone)]
pub struct PlacedSelection {
    /// Start, in code points of the transcript file's text.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The `name` the tool wrote (often the selected text).
    pub name: Option<String>,
}

/// Reads a `.qdc`, `.qdpx` or `.qde` file's bytes. `file` names it in
/// messages; its stem names a codebook that gives no name. Every transcript
/// is kept in the result; [`import_each`] hands them on one at a time.
///
/// # Errors
/// An unreadable or unsafe archive, malformed XML, a file that is not a
/// REFI-QDA codebook or project, a source over [`MAX_SOURCE_BYTES`].
pub fn import(file: &str, bytes: &[u8]) -> Result<Imported, ExchangeError> {
    let mut transcripts = Vec::new();
    let mut imported = import_each(file, bytes, MAX_SOURCE_BYTES, |transcript| {
        transcripts.push(transcript);
        Ok::<_, ExchangeError>(())
    })?;
    if let Imported::Project(project) = &mut imported {
        project.transcripts = transcripts;
    }
    Ok(imported)
}

/// As [`import`], handing each transcript to `each` as soon as it is made
/// and keeping none, so memory is set by the largest source, not by all of
/// them: at its peak about twice that source's size (its text, and the
/// text's segments and positions), plus the project document. A source
/// whose text is over `max_source` bytes is refused before it is unpacked.
///
/// # Errors
/// As [`import`], a source over `max_source` bytes, and whatever `each`
/// returns.
pub fn import_each<E: From<ExchangeError>>(
    file: &str,
    bytes: &[u8],
    max_source: u64,
    mut each: impl FnMut(ImportedTranscript) -> Result<(), E>,
) -> Result<Imported, E> {
    let stem = Path::new(file)
        .file_stem()
        .map_or_else(|| "imported".to_owned(), |s| s.to_string_lossy().into_owned());
    let mut warnings = Vec::new();
    if bytes.starts_with(b"PK") {
        let mut archive = Archive::open(file, bytes)?;
        let names: Vec<&str> = archive.names().collect();
        let qde = find_qde(file, &names)?;
        let qde_name = format!("{file}:{}", archive.name(qde));
        let project = read_qde(&qde_name, &archive.read(qde, 0)?, &mut warnings)?;
        let texts = Texts::new(file, Some(archive), max_source);
        return Ok(Imported::Project(project_to_qda(
            file, &stem, project, texts, warnings, &mut each,
        )?));
    }
    let root_is_codebook = {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        first_element(&head).is_some_and(|n| n == "CodeBook")
    };
    if root_is_codebook {
        let refi = codebook::read_qdc(file, bytes, &mut warnings)?;
        let codebook = codebook::to_qda(file, &refi, &stem, &BTreeSet::new(), &mut warnings)?;
        return Ok(Imported::Codebook { codebook, warnings });
    }
    let project = read_qde(file, bytes, &mut warnings)?;
    let texts = Texts::new(file, None, max_source);
    Ok(Imported::Project(project_to_qda(file, &stem, project, texts, warnings, &mut each)?))
}

/// The local name of the first element in an XML head.
fn first_element(head: &str) -> Option<String> {
    let mut rest = head;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String =
            rest.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
        return Some(name.rsplit(':').next().unwrap_or(&name).to_owned());
    }
}

/// The archive's one `.qde` entry, whatever its name and folder: its
/// position in the archive's entry names. Two or more are an error: which
/// one is the project is not for qda to guess.
fn find_qde(file: &str, names: &[&str]) -> Result<usize, ExchangeError> {
    let qde: Vec<usize> =
        (0..names.len()).filter(|&i| names[i].to_ascii_lowercase().ends_with(".qde")).collect();
    let error = |message: String| ExchangeError::Format { file: file.to_owned(), message };
    match qde.as_slice() {
        [one] => Ok(*one),
        [] => Err(error(
            "the archive holds no `.qde` project document; is this a REFI-QDA project (.qdpx)?"
                .to_owned(),
        )),
        many => {
            let names: Vec<String> = many.iter().map(|&i| format!("`{}`", names[i])).collect();
            Err(error(format!(
                "the archive holds {} project documents ({}), and a REFI-QDA project has one; export the project again from the tool that made it, or delete from the archive the `.qde` that is not the project",
                many.len(),
                names.join(", ")
            )))
        }
    }
}

/// A case id qda accepts and that is a safe file name: letters, digits,
/// `-`, `_` and `.`; other runs become `-`.
fn case_id(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '.' | '-') {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_start_matches('.').trim_end_matches('-').to_owned()
}

/// A front-matter value from a variable value.
fn attribute(value: &RefiValue) -> toml::Value {
    let text = value.value.trim();
    match value.kind {
        VariableKind::Integer => text
            .parse::<i64>()
            .map_or_else(|_| toml::Value::String(text.to_owned()), toml::Value::Integer),
        VariableKind::Float => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or_else(|| toml::Value::String(text.to_owned()), toml::Value::Float),
        VariableKind::Boolean => match text {
            "true" | "1" => toml::Value::Boolean(true),
            "false" | "0" => toml::Value::Boolean(false),
            _ => toml::Value::String(text.to_owned()),
        },
        _ => toml::Value::String(text.to_owned()),
    }
}

/// The project made into qda files, each source read, made a transcript
/// and handed to `each` in turn.
fn project_to_qda<E: From<ExchangeError>>(
    file: &str,
    stem: &str,
    mut project: RefiProject,
    texts: Texts<'_>,
    mut warnings: Vec<String>,
    each: &mut impl FnMut(ImportedTranscript) -> Result<(), E>,
) -> Result<ImportedProject, E> {
    warn_unread(file, &project, &mut warnings);
    // Inline texts are handed to their sources' reading, not copied.
    let mut inline: Vec<Option<String>> =
        project.sources.iter_mut().map(|s| s.content.take()).collect();
    let imported_codebook = import_codebook(file, stem, &project, &mut warnings)?;
    let unit: Unit =
        imported_codebook.as_ref().and_then(|c| c.unit.parse().ok()).unwrap_or(Unit::Paragraph);
    let mut reader = SourceReader::new(file, &project, texts, imported_codebook.as_ref(), unit);
    let mut sources: Vec<CodedSource> = Vec::new();
    let mut placed_codings: Vec<Coding> = Vec::new();
    let mut memos: Vec<SegmentMemo> = Vec::new();
    let mut case_memos: Vec<(String, String)> = Vec::new();
    let mut taken = codebook::Taken::default();
    let mut skipped = Skipped::default();
    for (n, source) in project.sources.iter().enumerate() {
        let Some((transcript, coded, codings, notes)) =
            reader.read(n, source, inline[n].take(), &mut taken, &mut skipped, &mut warnings)?
        else {
            continue;
        };
        if let Some(memo) = reader.notes.text(&source.notes) {
            case_memos.push((transcript.case.clone(), memo));
        }
        each(transcript)?;
        sources.push(coded);
        placed_codings.extend(codings);
        memos.extend(notes);
    }
    skipped.warn(file, &mut warnings);
    skipped.reshaped.warn(file, unit, &mut warnings);
    let codings = codings_files(placed_codings, memos, &sources);
    let transcripts = Vec::new();
    let project_memo = reader.notes.text(&project.note_refs);
    case_memos.sort();
    Ok(ImportedProject {
        codebook: imported_codebook,
        transcripts,
        codings,
        project_memo,
        case_memos,
        warnings,
    })
}

/// Warns of what the project holds that qda does not read.
fn warn_unread(file: &str, project: &RefiProject, warnings: &mut Vec<String>) {
    let source_sets = project.sets.iter().filter(|s| !s.sources.is_empty()).count();
    if source_sets > 0 {
        warnings.push(format!(
            "{file}: {source_sets} sets of sources not imported (qda has no document groups)"
        ));
    }
    for case in &project.cases {
        if case.sources.is_empty() && !case.values.is_empty() {
            let name = case.name.as_deref().unwrap_or(&case.guid);
            warnings.push(format!(
                "{file}: case `{name}` refers to no source (no `SourceRef`), so its {} variable values reach no transcript and are not imported; link the case to its sources in the tool that wrote the file",
                case.values.len()
            ));
        }
    }
    for (what, n) in &project.unread {
        let name = match what.as_str() {
            "PictureSource" => "picture sources",
            "PDFSource" => "PDF sources",
            "AudioSource" => "audio sources",
            "VideoSource" => "video sources",
            "Notes" => "notes",
            "Links" => "links",
            "Graphs" => "graphs",
            "CaseCodeRef" => "codes given to whole cases",
            "SourceCoding" => "codings of whole sources",
            other => other,
        };
        warnings.push(format!(
            "{file}: {n} {name} not imported (qda reads plain-text sources, codes, case variables and codings of text selections)"
        ));
    }
}

/// The project's codebook as a qda codebook; `None` when it has no codes.
fn import_codebook(
    file: &str,
    stem: &str,
    project: &RefiProject,
    warnings: &mut Vec<String>,
) -> Result<Option<ImportedCodebook>, ExchangeError> {
    // Codes that are coded must be codable in qda, whatever the file says.
    let coded: BTreeSet<String> = project
        .sources
        .iter()
        .flat_map(|s| s.selections.iter())
        .flat_map(|s| s.codings.iter())
        .map(|c| guid::key(&c.code))
        .collect();
    let name = if project.name.trim().is_empty() { stem.to_owned() } else { project.name.clone() };
    match &project.codebook {
        Some(refi) if !refi.codes.is_empty() => {
            // ATLAS.ti writes its code groups as project-level sets.
            let mut refi = refi.clone();
            refi.sets.extend(project.sets.iter().filter(|s| !s.codes.is_empty()).cloned());
            Ok(Some(codebook::to_qda(file, &refi, &name, &coded, warnings)?))
        }
        _ => {
            warnings.push(format!("{file}: the project has no codes; no codebook is written"));
            Ok(None)
        }
    }
}

/// How many selections and codings were skipped, by reason, and which
/// were reshaped.
#[derive(Debug, Default)]
struct Skipped {
    /// Selections whose codings record them.
    reshaped: Reshaped,
    /// Selections without codings (comments).
    no_coding: usize,
    empty: usize,
    /// Codings of something that is not a code.
    not_codes: usize,
    /// Selections or codings outside their text or between segments.
    outside: usize,
}

impl Skipped {
    fn warn(&self, file: &str, warnings: &mut Vec<String>) {
        let Skipped { no_coding, empty, not_codes, outside, .. } = self;
        if *no_coding > 0 {
            warnings.push(format!(
                "{file}: {no_coding} selections carry no coding (comments); they are not imported"
            ));
        }
        if *empty > 0 {
            warnings.push(format!("{file}: {empty} empty selections skipped"));
        }
        if *not_codes > 0 {
            warnings.push(format!("{file}: {not_codes} codings refer to something that is not a code of the codebook; skipped"));
        }
        if *outside > 0 {
            warnings.push(format!("{file}: {outside} selections or codings fall outside their text or between segments; skipped"));
        }
    }
}

/// Selections whose codings alone do not give them back, by GUID: each
/// coding records the whole selection ([`ImportedSelection`]).
#[derive(Debug, Default)]
struct Reshaped {
    /// Selections over more than one segment: one coding per segment.
    split: Vec<String>,
    /// Selections in one segment that reach past it into text of no
    /// segment (a line end, a blank line, a speaker label).
    past_segment: Vec<String>,
}

impl Reshaped {
    fn warn(&self, file: &str, unit: Unit, warnings: &mut Vec<String>) {
        let named = |guids: &[String]| {
            const SHOWN: usize = 10;
            let mut list: Vec<String> =
                guids.iter().take(SHOWN).map(|g| format!("`{g}`")).collect();
            if guids.len() > SHOWN {
                list.push(format!("and {} more", guids.len() - SHOWN));
            }
            list.join(", ")
        };
        let split = self.split.len();
        if split > 0 {
            let crosses = if split == 1 { "selection crosses" } else { "selections cross" };
            warnings.push(format!(
                "{file}: {split} {crosses} a {unit} boundary: each is split into one coding per {unit}, and the codings record the selection (its GUID and whole span), so that `qda export --to qdpx` writes it whole again: {}",
                named(&self.split)
            ));
        }
        let past = self.past_segment.len();
        if past > 0 {
            let (reaches, its) = if past == 1 {
                ("selection reaches", "its")
            } else {
                ("selections reach", "their")
            };
            warnings.push(format!(
                "{file}: {past} {reaches} past {its} {unit} into text of no {unit} (a line end, a blank line, a speaker label): {its} codings cover the {unit} and record the whole selection, which `qda export --to qdpx` writes again: {}",
                named(&self.past_segment)
            ));
        }
    }
}

/// What every text source of a project is read with: the project's users,
/// variables, cases and codes, looked up by GUID.
/// A source read: the transcript, what its codings files say of it, its
/// codings and its segment memos.
type ReadSource = (ImportedTranscript, CodedSource, Vec<Coding>, Vec<SegmentMemo>);

struct SourceReader<'a> {
    file: &'a str,
    project: &'a RefiProject,
    texts: Texts<'a>,
    origin: String,
    unit: Unit,
    /// Code GUID (as [`guid::key`]) → qda code id.
    ids: IndexMap<String, String>,
    /// User GUID → coder name.
    users: BTreeMap<String, String>,
    /// Variable GUID → name.
    variables: BTreeMap<String, &'a str>,
    /// Source GUID → index of the first case that names it.
    source_case: BTreeMap<String, usize>,
    /// The project's notes, by GUID.
    notes: NoteIndex<'a>,
}

impl<'a> SourceReader<'a> {
    fn new(
        file: &'a str,
        project: &'a RefiProject,
        texts: Texts<'a>,
        codebook: Option<&ImportedCodebook>,
        unit: Unit,
    ) -> Self {
        let users = project
            .users
            .iter()
            .map(|u| {
                let name = u
                    .name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| short_user(&u.guid), str::to_owned);
                (guid::key(&u.guid), name)
            })
            .collect();
        let variables =
            project.variables.iter().map(|v| (guid::key(&v.guid), v.name.as_str())).collect();
        let mut source_case: BTreeMap<String, usize> = BTreeMap::new();
        for (i, case) in project.cases.iter().enumerate() {
            for s in &case.sources {
                source_case.entry(guid::key(s)).or_insert(i);
            }
        }
        SourceReader {
            file,
            project,
            texts,
            origin: project.origin.clone().unwrap_or_default(),
            unit,
            ids: codebook.map(|c| c.ids.clone()).unwrap_or_default(),
            users,
            variables,
            source_case,
            notes: NoteIndex::new(&project.notes),
        }
    }

    /// The coder of a user GUID.
    fn coder(&self, guid: Option<&str>) -> String {
        match guid {
            Some(g) => self.users.get(&guid::key(g)).cloned().unwrap_or_else(|| short_user(g)),
            None => "unknown".to_owned(),
        }
    }

    /// Source number `n` as a transcript with its codings; `None` (with a
    /// warning) when it has no text qda can read. `inline` is its inline
    /// text, taken from it; `taken` holds the case ids given so far.
    fn read(
        &mut self,
        n: usize,
        source: &RefiTextSource,
        inline: Option<String>,
        taken: &mut codebook::Taken,
        skipped: &mut Skipped,
        warnings: &mut Vec<String>,
    ) -> Result<Option<ReadSource>, ExchangeError> {
        let file = self.file;
        let shown = source.name.clone().unwrap_or_else(|| source.guid.clone());
        let what = format!("{file}: source `{shown}`");
        let Some(raw) = self.texts.read(source, inline, &shown, warnings)? else {
            if !source.selections.is_empty() {
                warnings.push(format!(
                    "{what}: {} selections skipped with their source",
                    source.selections.len()
                ));
            }
            return Ok(None);
        };
        let block: SourceBlock =
            description::read(source.description.as_deref()).unwrap_or_default();
        let case_index = self.source_case.get(&guid::key(&source.guid)).copied();
        let wanted = self.case_name(n, source, &block, case_index);
        let case = taken.claim(&wanted);
        if case != wanted {
            warnings.push(format!(
                "{what}: case `{wanted}` is taken by another source; this one is `{case}`"
            ));
        }
        let front = self.front_matter(&case, source, case_index);

        let probes: Vec<Probe<'_>> = source
            .selections
            .iter()
            .map(|s| Probe { start: s.start, end: s.end, name: s.name.as_deref() })
            .collect();
        let (counting, map, ambiguous) = offsets::choose(&raw, &probes, &self.origin);
        if ambiguous {
            warnings.push(format!(
                "{what}: positions read as {}",
                counting.describe(raw.contains("\r\n"))
            ));
        }
        drop(probes);

        // The text is held once from here on: made LF and given its front
        // matter in its own buffer, which the transcript then takes.
        let Some((transcript, shift)) =
            compose(&case, &front, block.speakers.as_deref(), texts::to_lf(raw))
        else {
            warnings.push(format!("{what}: the text could not be made into a transcript; skipped"));
            return Ok(None);
        };
        // Of a long text's many segments, only those a selection overlaps
        // are kept.
        let placed = source.selections.iter().filter_map(|s| {
            Some((map.get(s.start)? + shift, map.get(s.end)? + shift)).filter(|(s, e)| s < e)
        });
        let (segment_count, segments) =
            overlapped(transcript.segment_iter(self.unit), placed.collect());
        let spans = named_spans(&transcript, &source.selections);
        let text_of = SourceText { case: &case, segments: &segments, spans: &spans, shift };
        let mut selections = Vec::new();
        let mut codings = Vec::new();
        let mut memos = Vec::new();
        for selection in &source.selections {
            let (Some(s), Some(e)) = (map.get(selection.start), map.get(selection.end)) else {
                skipped.outside += 1;
                continue;
            };
            if s >= e {
                skipped.empty += 1;
                continue;
            }
            let (start, end) = (s + shift, e + shift);
            selections.push(PlacedSelection { start, end, name: selection.name.clone() });
            // The segments the selection overlaps, found by halving: placing
            // selections takes time in their number, not times the segments'.
            let text_of = SourceText { segments: overlapping(&segments, start, end), ..text_of };
            if selection.codings.is_empty() && !selection.notes.is_empty() {
                memos.extend(self.memos_of(selection, &text_of, (start, end)));
                continue;
            }
            codings.extend(self.codings_of(selection, &text_of, (start, end), skipped));
        }
        let file_name = format!("{case}.txt");
        let coded = CodedSource {
            case: case.clone(),
            path: format!("transcripts/{file_name}"),
            sha256: transcript.sha256().to_owned(),
            segments: segment_count,
            reviewed: None,
        };
        // The segments go before the quotes' index of the text is made.
        drop(segments);
        qda_coding::quote_manual_codings(transcript.text(), &mut codings);
        let imported = ImportedTranscript {
            file_name,
            case,
            source: source.guid.clone(),
            text: transcript.into_text(),
            body_start: shift,
            counting,
            selections,
        };
        Ok(Some((imported, coded, codings, memos)))
    }

    /// The memos of a selection without codings that refers to notes: one
    /// per note, on the segment qda recorded or the first the selection
    /// overlaps.
    fn memos_of(
        &self,
        selection: &RefiSelection,
        text: &SourceText<'_>,
        (start, end): (usize, usize),
    ) -> Vec<SegmentMemo> {
        let block: SelectionBlock =
            description::read(selection.description.as_deref()).unwrap_or_default();
        let segment = block.segment.filter(|id| text.spans.contains_key(id)).or_else(|| {
            text.segments
                .iter()
                .find(|seg| seg.start < end && start < seg.end)
                .map(|s| s.id.clone())
        });
        let Some(segment) = segment else { return Vec::new() };
        selection
            .notes
            .iter()
            .filter_map(|target| {
                let note = self.notes.get(target)?;
                let coder = self.coder(
                    note.user
                        .as_deref()
                        .or(selection.user.as_deref())
                        .or(self.project.creating_user.as_deref()),
                );
                let memo = note.content.trim();
                (!memo.is_empty()).then(|| SegmentMemo {
                    case: text.case.to_owned(),
                    segment: segment.clone(),
                    coder,
                    memo: memo.to_owned(),
                })
            })
            .collect()
    }

    /// The case id a source asks for: the one qda recorded, its case's
    /// name, or its own name or file name, made a valid id.
    fn case_name(
        &self,
        n: usize,
        source: &RefiTextSource,
        block: &SourceBlock,
        case_index: Option<usize>,
    ) -> String {
        block
            .case
            .clone()
            .or_else(|| case_index.and_then(|i| self.project.cases[i].name.clone()))
            .or_else(|| {
                source
                    .name
                    .as_deref()
                    .or_else(|| {
                        // `qc` names no source; its file name is the next best.
                        source
                            .plain_text_path
                            .as_deref()
                            .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p))
                    })
                    .map(|n| {
                        let lower = n.to_ascii_lowercase();
                        [".txt", ".docx", ".doc", ".rtf", ".pdf", ".odt"]
                            .iter()
                            .find(|ext| lower.ends_with(*ext))
                            .map_or(n, |ext| &n[..n.len() - ext.len()])
                            .to_owned()
                    })
            })
            .map(|n| case_id(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("source-{}", n + 1))
    }

    /// Front matter: the case, its variables (case values, then the source's own).
    fn front_matter(
        &self,
        case: &str,
        source: &RefiTextSource,
        case_index: Option<usize>,
    ) -> toml::Table {
        let mut front = toml::Table::new();
        front.insert("case".to_owned(), toml::Value::String(case.to_owned()));
        let values =
            case_index.map(|i| self.project.cases[i].values.as_slice()).unwrap_or_default();
        for value in values.iter().chain(source.values.iter()) {
            let Some(name) = self.variables.get(&guid::key(&value.variable)) else { continue };
            let key = match *name {
                "case" | "speakers" => format!("{name}_"),
                other => other.to_owned(),
            };
            front.entry(key).or_insert_with(|| attribute(value));
        }
        front
    }

    /// The codings of a selection placed at `start..end` (code points) of
    /// `text`: one per code and segment it falls in, each covering the part
    /// of the selection in its segment. When those parts are not the whole
    /// selection (it crosses a segment boundary, or reaches into text of no
    /// segment), each manual coding records the whole selection.
    fn codings_of(
        &self,
        selection: &RefiSelection,
        text: &SourceText<'_>,
        (start, end): (usize, usize),
        skipped: &mut Skipped,
    ) -> Vec<Coding> {
        let SourceText { case, segments, spans, shift } = *text;
        if selection.codings.is_empty() {
            skipped.no_coding += 1;
            return Vec::new();
        }
        let block: SelectionBlock =
            description::read(selection.description.as_deref()).unwrap_or_default();
        // The segments the selection falls in: the one qda recorded, or
        // every segment of the codebook's unit it overlaps (clipped).
        let targets: Vec<(String, usize, usize)> =
            match block.segment.as_ref().and_then(|id| spans.get(id).map(|sp| (id, sp))) {
                Some((id, &(a, b))) if a <= start && end <= b => vec![(id.clone(), start, end)],
                _ => segments
                    .iter()
                    .filter(|seg| seg.start < end && start < seg.end)
                    .map(|seg| (seg.id.clone(), start.max(seg.start), end.min(seg.end)))
                    .collect(),
            };
        if targets.is_empty() {
            skipped.outside += selection.codings.len();
            return Vec::new();
        }
        // As qda exports GUIDs, so that a second round records the same.
        let guid =
            guid::normalized(&selection.guid).unwrap_or_else(|| selection.guid.trim().to_owned());
        let whole = ImportedSelection { guid, start, end };
        let imported = match targets.as_slice() {
            [(_, s, e)] if (*s, *e) == (start, end) => None,
            _ => Some(whole),
        };
        let mut codings = Vec::new();
        for coding in &selection.codings {
            let Some(code) = self.ids.get(&guid::key(&coding.code)) else {
                skipped.not_codes += 1;
                continue;
            };
            let coder = self.coder(
                coding
                    .user
                    .as_deref()
                    .or(selection.user.as_deref())
                    .or(self.project.creating_user.as_deref()),
            );
            let recorded = block
                .coding
                .iter()
                .find(|b| b.code == *code && b.coder == coder)
                .map(|b| b.source.clone());
            let source = match recorded {
                Some(Source::Rule { clause, term, match_start, match_end }) => Source::Rule {
                    clause,
                    term,
                    match_start: match_start + shift,
                    match_end: match_end + shift,
                },
                Some(Source::Manual { memo, .. }) => {
                    Source::Manual { memo, quote: None, imported: imported.clone() }
                }
                None => Source::Manual { memo: None, quote: None, imported: imported.clone() },
            };
            for (segment, s, e) in &targets {
                codings.push(Coding {
                    case: case.to_owned(),
                    segment: segment.clone(),
                    code: code.clone(),
                    coder: coder.clone(),
                    start: *s,
                    end: *e,
                    source: source.clone(),
                });
            }
        }
        if let Some(whole) = imported.filter(|_| !codings.is_empty()) {
            let reshaped = &mut skipped.reshaped;
            let list =
                if targets.len() > 1 { &mut reshaped.split } else { &mut reshaped.past_segment };
            list.push(whole.guid);
        }
        codings
    }
}

/// A source's text made into a transcript, as selections are placed in it.
#[derive(Clone, Copy)]
struct SourceText<'a> {
    case: &'a str,
    /// The segments of the codebook's unit.
    segments: &'a [Segment],
    /// Every segment's id and code-point span.
    spans: &'a BTreeMap<String, (usize, usize)>,
    /// Code points before the source's text.
    shift: usize,
}

/// The run of `segments` (in text order, not overlapping) that can
/// overlap code points `start..end`.
fn overlapping(segments: &[Segment], start: usize, end: usize) -> &[Segment] {
    let first = segments.partition_point(|seg| seg.end <= start);
    let last = segments.partition_point(|seg| seg.start < end);
    segments.get(first..last).unwrap_or_default()
}

/// A coder name for a user GUID the file does not name.
fn short_user(guid: &str) -> String {
    format!("user-{}", guid::key(guid).chars().take(8).collect::<String>())
}

/// The transcript file for a text: front matter, then the text, which
/// becomes one turn of speaker `text` when it has no turns of its own.
/// Returns the file read as a transcript, and the code points before the
/// text. The front matter is put before the text in its buffer, which the
/// transcript takes: the text is never copied.
fn compose(
    case: &str,
    front: &toml::Table,
    speakers: Option<&[String]>,
    body: String,
) -> Option<(Transcript, usize)> {
    let head = |front: &toml::Table, prefix: &str| -> Option<String> {
        let mut head = String::from("+++\n");
        head.push_str(&toml::to_string(front).ok()?);
        head.push_str("+++\n");
        head.push_str(prefix);
        Some(head)
    };
    let mut front = front.clone();
    if let Some(speakers) = speakers {
        front.insert(
            "speakers".to_owned(),
            toml::Value::Array(speakers.iter().cloned().map(toml::Value::String).collect()),
        );
    }
    let first = head(&front, "");
    front.insert(
        "speakers".to_owned(),
        toml::Value::Array(vec![toml::Value::String(TEXT_SPEAKER.to_owned())]),
    );
    let second = head(&front, &format!("{TEXT_SPEAKER}:\n"));
    let path = format!("{case}.txt");
    let mut text = body;
    // The bytes of the head now before the text.
    let mut before = 0;
    for head in [first, second].into_iter().flatten() {
        // Exactly the room needed: a large text is not given twice its size.
        text.try_reserve_exact(head.len().saturating_sub(before)).ok()?;
        text.replace_range(..before, &head);
        before = head.len();
        match Transcript::from_text(Path::new(&path), text) {
            Ok(transcript) => return Some((transcript, head.chars().count())),
            Err((_, back)) => text = back,
        }
    }
    None
}

/// How many `segments` there are, and those (in text order) that overlap
/// any of the code-point spans `placed`.
fn overlapped(
    segments: impl Iterator<Item = Segment>,
    mut placed: Vec<(usize, usize)>,
) -> (usize, Vec<Segment>) {
    placed.sort_unstable();
    // The union of the spans, as runs in order that do not overlap.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (start, end) in placed {
        match runs.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => runs.push((start, end)),
        }
    }
    let (mut count, mut kept, mut run) = (0, Vec::new(), 0);
    for segment in segments {
        count += 1;
        while runs.get(run).is_some_and(|&(_, end)| end <= segment.start) {
            run += 1;
        }
        if runs.get(run).is_some_and(|&(start, _)| start < segment.end) {
            kept.push(segment);
        }
    }
    (count, kept)
}

/// The spans of the segments that selections' qda parts name (of any
/// unit), by id: only those, so a long text's many segments are never all
/// kept.
fn named_spans(
    transcript: &Transcript,
    selections: &[RefiSelection],
) -> BTreeMap<String, (usize, usize)> {
    let named: BTreeSet<String> = selections
        .iter()
        .filter_map(|s| description::read::<SelectionBlock>(s.description.as_deref()))
        .filter_map(|block| block.segment)
        .collect();
    let mut spans = BTreeMap::new();
    for of in [Unit::Turn, Unit::Paragraph, Unit::Sentence] {
        // Ids end `tN` (a turn), `tN.pM` (a paragraph) or `tN.sM` (a sentence).
        let named_of_unit = |id: &String| {
            let last = id.rsplit(':').next().unwrap_or(id);
            let marker = match of {
                Unit::Turn => None,
                Unit::Paragraph => Some(".p"),
                Unit::Sentence => Some(".s"),
            };
            match marker {
                Some(marker) => last.contains(marker),
                None => !last.contains(".p") && !last.contains(".s"),
            }
        };
        if !named.iter().any(named_of_unit) {
            continue;
        }
        for segment in transcript.segment_iter(of).filter(|s| named.contains(&s.id)) {
            spans.insert(segment.id, (segment.start, segment.end));
        }
    }
    spans
}

/// The selection a manual coding was imported from, when it records one.
pub(crate) fn imported_of(coding: &Coding) -> Option<&ImportedSelection> {
    match &coding.source {
        Source::Manual { imported, .. } => imported.as_ref(),
        Source::Rule { .. } => None,
    }
}

/// One codings file per coder, covering every imported transcript.
fn codings_files(
    mut codings: Vec<Coding>,
    mut memos: Vec<SegmentMemo>,
    sources: &[CodedSource],
) -> Vec<CodingsFile> {
    // Each selection stays a coding of its own, so a re-export gives the
    // same selections (qda counts a segment once per code however many
    // codings it has); only exact repeats go.
    // Pieces of different selections are not repeats, though they cover
    // the same part of a segment.
    codings.sort_by(|a, b| {
        (&a.coder, &a.case, a.start, a.end, &a.segment, &a.code, imported_of(a)).cmp(&(
            &b.coder,
            &b.case,
            b.start,
            b.end,
            &b.segment,
            &b.code,
            imported_of(b),
        ))
    });
    codings.dedup_by(|a, b| {
        (&a.coder, &a.case, a.start, a.end, &a.segment, &a.code, imported_of(a))
            == (&b.coder, &b.case, b.start, b.end, &b.segment, &b.code, imported_of(b))
    });
    let merged = codings;
    let mut by_coder: IndexMap<String, Vec<Coding>> = IndexMap::new();
    for c in merged {
        by_coder.entry(c.coder.clone()).or_default().push(c);
    }
    memos.sort_by(|a, b| (&a.case, &a.segment, &a.coder).cmp(&(&b.case, &b.segment, &b.coder)));
    memos.dedup_by(|a, b| (&a.case, &a.segment, &a.coder) == (&b.case, &b.segment, &b.coder));
    for memo in &memos {
        if !by_coder.contains_key(&memo.coder) {
            by_coder.insert(memo.coder.clone(), Vec::new());
        }
    }
    by_coder.sort_keys();
    by_coder
        .into_iter()
        .map(|(coder, mut codings)| {
            let memos = memos.iter().filter(|m| m.coder == coder).cloned().collect();
            codings.sort_by(|a, b| {
                (&a.case, a.start, &a.segment, &a.code)
                    .cmp(&(&b.case, b.start, &b.segment, &b.code))
            });
            CodingsFile {
                coder: Some(coder),
                codings,
                transcripts: sources.to_vec(),
                memos,
                ..CodingsFile::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(n: usize, start: usize, end: usize) -> Segment {
        Segment {
            id: format!("c:t1.p{n}"),
            turn: 1,
            speaker: "text".to_owned(),
            time: None,
            start,
            end,
            bytes: start..end,
            line: 1,
        }
    }

    fn ids(segments: &[Segment]) -> Vec<&str> {
        segments.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn only_segments_a_selection_overlaps_are_kept_and_all_are_counted() {
        let segments = [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50)];
        let all = || segments.iter().enumerate().map(|(n, &(s, e))| segment(n + 1, s, e));
        // Unsorted and overlapping selections; one ends where a segment starts.
        let (count, kept) = overlapped(all(), vec![(42, 45), (5, 10), (8, 12)]);
        assert_eq!(count, 5);
        assert_eq!(ids(&kept), ["c:t1.p1", "c:t1.p2", "c:t1.p5"]);
        let (count, kept) = overlapped(all(), Vec::new());
        assert_eq!((count, kept.len()), (5, 0));
        // The segments a selection overlaps, found among those kept.
        let (_, kept) = overlapped(all(), vec![(0, 50)]);
        assert_eq!(ids(overlapping(&kept, 15, 31)), ["c:t1.p2", "c:t1.p3", "c:t1.p4"]);
        assert_eq!(ids(overlapping(&kept, 20, 30)), ["c:t1.p3"]);
        assert!(overlapping(&kept, 50, 60).is_empty());
    }
}
