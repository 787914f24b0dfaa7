//! The coder's codings file: read, version, edit, write atomically.
//!
//! The file is the only state. Its version is the SHA-256 of its bytes (or
//! `none` while it does not exist), so an edit made on a stale copy — from
//! another tab, or after the file was changed by hand — is refused instead of
//! overwriting work.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use qda_coding::{
    Blinding, CodedSource, Coding, CodingsFile, RejectedSuggestion, SegmentMemo, Source, sha256_hex,
};
use serde::Deserialize;

use crate::error::{ApiError, ServeError};
use crate::state::Saved;
use crate::study::{Case, SegmentView, Study};

/// The version of a file that does not exist yet.
pub(crate) const NO_FILE: &str = "none";

/// The codings file as read now, with its version.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The file's contents (empty for a new coder); shared with what the
    /// server last saved when the bytes are the same.
    pub(crate) file: Arc<CodingsFile>,
    /// SHA-256 of the bytes, or [`NO_FILE`].
    pub(crate) version: String,
    /// The bytes (`None` while the file does not exist).
    pub(crate) bytes: Option<Vec<u8>>,
}

/// Reads the codings file; a missing file is an empty one.
///
/// # Errors
/// The file cannot be read or is not a codings file.
pub(crate) fn read(path: &Path, coder: &str) -> Result<Snapshot, ServeError> {
    parse(path, coder, read_bytes(path)?)
}

/// The file's bytes, or `None` while it does not exist.
fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, ServeError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ServeError::io(format!("{}: cannot read", path.display()))(e)),
    }
}

fn parse(path: &Path, coder: &str, bytes: Option<Vec<u8>>) -> Result<Snapshot, ServeError> {
    let Some(bytes) = bytes else {
        let file = CodingsFile { coder: Some(coder.to_owned()), ..Default::default() };
        return Ok(Snapshot { file: Arc::new(file), version: NO_FILE.to_owned(), bytes: None });
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        ServeError::Codings(format!(
            "{}: not UTF-8 (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let file = CodingsFile::parse(path, &text).map_err(|e| ServeError::Codings(e.to_string()))?;
    let version = sha256_hex(text.as_bytes());
    Ok(Snapshot { file: Arc::new(file), version, bytes: Some(text.into_bytes()) })
}

/// Reads the codings file as [`read`] does, but when its bytes are those
/// this server last read or wrote, takes the parsed file it kept: a large
/// file is not parsed again for every page load.
///
/// # Errors
/// The file cannot be read or is not a codings file.
pub(crate) fn read_current(
    path: &Path,
    coder: &str,
    saved: &Saved,
) -> Result<Snapshot, ServeError> {
    let bytes = read_bytes(path)?;
    if bytes == saved.bytes {
        return Ok(Snapshot {
            file: Arc::clone(&saved.file),
            version: saved.version.clone(),
            bytes,
        });
    }
    parse(path, coder, bytes)
}

/// The codings file for an edit the page made on `version`: refused when
/// the file changed on disk since the server last saved it
/// ([`check_unchanged`]), or with 409 when its version is no longer the one
/// the page saw (another tab saved since). The file is the one the server
/// kept, not parsed again.
pub(crate) fn read_for_edit(
    saved: &Saved,
    path: &Path,
    version: &str,
) -> Result<Snapshot, ApiError> {
    let bytes = read_bytes(path)?;
    check_unchanged(path, saved, bytes.as_deref())?;
    if saved.version != version {
        return Err(ApiError::conflict(
            "the codings file changed since this page loaded it (another tab, or an edit on disk); the page reloads to show what was saved".to_owned(),
        )
        .with_version(saved.version.clone()));
    }
    Ok(Snapshot { file: Arc::clone(&saved.file), version: saved.version.clone(), bytes })
}

/// Refuses to save when the codings file on disk (`now`, `None` when there
/// is none) is not the one this server last read or wrote: it was replaced
/// or edited outside the server. The file on disk is left as it is, and
/// what the server last saved is kept beside it
/// (`NAME.served-VERSION.json`), so neither is lost; saving resumes once
/// the file is that again, or after a restart (which checks the file as it
/// is then).
///
/// # Errors
/// The file changed outside the server (409).
fn check_unchanged(path: &Path, saved: &Saved, now: Option<&[u8]>) -> Result<(), ApiError> {
    // The same bytes have the same hash: comparing them is enough.
    if now == saved.bytes.as_deref() {
        return Ok(());
    }
    let now = now.map_or_else(|| NO_FILE.to_owned(), sha256_hex);
    let kept = match &saved.bytes {
        Some(bytes) => {
            let copy = served_path(path, &saved.version);
            if !copy.exists() {
                write_bytes(&copy, bytes)?;
            }
            format!("what this server last saved is kept beside it as {}", copy.display())
        }
        None => "this server had not saved it yet".to_owned(),
    };
    Err(ApiError::conflict(format!(
        "{} was changed outside this server since it last saved it (another program, or a file copied over it); it is left as it is and nothing is saved: {kept}. Restart `qda serve` to code the file as it is now",
        path.display()
    ))
    .with_version(now))
}

/// `codings/anna.json` → `codings/anna.served-1a2b3c4d5e6f.json`.
fn served_path(codings: &Path, version: &str) -> std::path::PathBuf {
    let stem = codings.file_stem().map_or_else(|| "codings".into(), |s| s.to_string_lossy());
    let short: String = version.chars().take(12).collect();
    codings.with_file_name(format!("{stem}.served-{short}.json"))
}

/// Whether the page is blind for this file: it is recorded as coded blind,
/// or blind coding was asked for (`--blind`) and nothing is coded yet.
pub(crate) fn is_blind(file: &CodingsFile, asked: bool) -> bool {
    match file.blinding {
        Some(Blinding::Blind) => true,
        Some(Blinding::Unblinded | Blinding::Open) => false,
        None => asked && is_untouched(file),
    }
}

/// Whether the file holds no work yet.
fn is_untouched(file: &CodingsFile) -> bool {
    file.codings.is_empty() && file.memos.is_empty() && file.transcripts.is_empty()
}

/// Refuses `--blind` for a file whose codings were made with the rules'
/// suggestions on view: what was seen cannot be made blind again.
///
/// # Errors
/// `--blind` with a file that records open coding, or holds codings that
/// say nothing of how they were made.
pub(crate) fn check_blind(path: &Path, file: &CodingsFile, asked: bool) -> Result<(), ServeError> {
    if !asked || is_blind(file, asked) {
        return Ok(());
    }
    let how = match file.blinding {
        Some(Blinding::Unblinded) => "blind mode was turned off while coding them",
        _ => "they were made with the rules' suggestions on view",
    };
    Err(ServeError::Setup(format!(
        "{}: --blind cannot hide what was already seen: {how}; give blind coding a new --codings file",
        path.display()
    )))
}

/// Checks a codings file against the study at start: it is this coder's,
/// its cases are among the transcripts, and every coding of an unchanged
/// transcript lies in a segment and has a codable code. Cases whose
/// transcript changed since they were coded are left out here: the page
/// reports them and never re-offsets their codings.
///
/// # Errors
/// The first problem, naming the file.
pub(crate) fn check(
    path: &Path,
    snapshot: &Snapshot,
    study: &Study,
    coder: &str,
) -> Result<(), ServeError> {
    let file: &CodingsFile = &snapshot.file;
    let owners: BTreeSet<&str> = file.coders();
    if let Some(other) = owners.iter().find(|c| **c != coder) {
        return Err(ServeError::Setup(format!(
            "{}: holds codings by `{other}`, not `{coder}`; give each coder their own --codings file",
            path.display()
        )));
    }
    let changed: BTreeSet<String> = file
        .transcripts
        .iter()
        .filter(|s| study.cases.get(&s.case).is_some_and(|c| c.transcript.sha256() != s.sha256))
        .map(|s| s.case.clone())
        .collect();
    let mut unchanged = file.clone();
    unchanged.transcripts.retain(|s| !changed.contains(&s.case));
    unchanged.codings.retain(|c| !changed.contains(&c.case));
    unchanged.memos.retain(|m| !changed.contains(&m.case));
    let sources = study
        .cases
        .iter()
        .map(|(id, case)| {
            let index = qda_coding::SourceIndex {
                sha256: case.transcript.sha256().to_owned(),
                path: case.file.clone(),
                segments: case.spans.clone(),
            };
            (id.clone(), index)
        })
        .collect();
    unchanged.check(path, &study.codebook, &sources).map_err(|e| ServeError::Setup(e.to_string()))
}

/// One change the page asks for. A coding is named by case, segment, code,
/// start and end.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum Edit {
    /// Apply a code to a span inside one codable segment.
    Add {
        /// The case.
        case: String,
        /// The code.
        code: String,
        /// Start, in code points from the start of the transcript text.
        start: usize,
        /// End (exclusive), in code points.
        end: usize,
        /// The coder's note.
        #[serde(default)]
        memo: Option<String>,
    },
    /// Remove a coding.
    Remove {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
        /// The code.
        code: String,
        /// Start.
        start: usize,
        /// End.
        end: usize,
    },
    /// Set or clear a coding's memo.
    Memo {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
        /// The code.
        code: String,
        /// Start.
        start: usize,
        /// End.
        end: usize,
        /// The new memo; empty or absent clears it.
        #[serde(default)]
        memo: Option<String>,
    },
    /// Set or clear the coder's memo on a segment they gave no code.
    #[serde(rename = "segment_memo")]
    SegmentMemo {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
        /// The new memo; empty or absent clears it.
        #[serde(default)]
        memo: Option<String>,
    },
    /// Mark a segment as looked at (a rejected suggestion): the coder decided
    /// it has none of the codes not applied to it.
    Review {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
    },
    /// Undo [`Edit::Review`].
    Unreview {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
    },
    /// Reject a suggestion of "suggest similar": the segment is never
    /// suggested for the code again (`rejected_suggestions`).
    Reject {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
        /// The code suggested.
        code: String,
    },
    /// Undo [`Edit::Reject`].
    Unreject {
        /// The case.
        case: String,
        /// The segment id.
        segment: String,
        /// The code suggested.
        code: String,
    },
    /// Turn blind mode off: the page shows the rules' suggestions and
    /// other coders' codings from now on, and the file records it.
    Unblind {},
}

impl Edit {
    fn case(&self) -> &str {
        match self {
            Edit::Add { case, .. }
            | Edit::Remove { case, .. }
            | Edit::Memo { case, .. }
            | Edit::SegmentMemo { case, .. }
            | Edit::Review { case, .. }
            | Edit::Unreview { case, .. }
            | Edit::Reject { case, .. }
            | Edit::Unreject { case, .. } => case,
            Edit::Unblind {} => "",
        }
    }
}

/// Applies edits to a copy of the file, checking each against the study.
/// Nothing is applied unless every edit is valid.
///
/// # Errors
/// An unknown case, code or segment, a span outside a codable segment, a
/// coding that already exists or does not exist, or a changed transcript.
pub(crate) fn apply(
    file: &CodingsFile,
    edits: &[Edit],
    study: &Study,
    coder: &str,
    blind: bool,
) -> Result<CodingsFile, ApiError> {
    let mut next = file.clone();
    next.coder = Some(coder.to_owned());
    let mut blind = blind;
    for (i, edit) in edits.iter().enumerate() {
        let at = if edits.len() > 1 { format!("edit {}: ", i + 1) } else { String::new() };
        if let Edit::Unblind {} = edit {
            if !blind {
                return Err(ApiError::unprocessable(format!("{at}blind mode is already off")));
            }
            blind = false;
            next.blinding = Some(Blinding::Unblinded);
            continue;
        }
        apply_one(&mut next, edit, study, coder).map_err(|e| e.prefixed(&at))?;
    }
    // What the coder had on view is recorded with the work: blind while
    // the page is, open once it showed suggestions (unblinded stays so).
    next.blinding = Some(match (blind, next.blinding) {
        (true, _) => Blinding::Blind,
        (false, Some(Blinding::Unblinded | Blinding::Blind)) => Blinding::Unblinded,
        (false, _) => Blinding::Open,
    });
    // A case or segment the study lacks (the file was edited by hand while
    // the server ran) sorts last instead of failing. Positions are looked
    // up, not searched for: a file holds thousands of codings.
    let segment_rank: BTreeMap<(&str, &str), usize> = study
        .cases
        .iter()
        .flat_map(|(id, case)| {
            case.segments.iter().enumerate().map(move |(i, s)| ((id.as_str(), s.id.as_str()), i))
        })
        .collect();
    let code_rank: BTreeMap<&str, usize> =
        study.codebook.codes().iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let order = |c: &Coding| {
        let segment =
            segment_rank.get(&(c.case.as_str(), c.segment.as_str())).copied().unwrap_or(usize::MAX);
        let code = code_rank.get(c.code.as_str()).copied().unwrap_or(usize::MAX);
        (c.case.clone(), segment, c.start, code, c.end)
    };
    next.codings.sort_by_cached_key(order);
    next.transcripts.sort_by(|a, b| a.case.cmp(&b.case));
    Ok(next)
}

fn apply_one(
    file: &mut CodingsFile,
    edit: &Edit,
    study: &Study,
    coder: &str,
) -> Result<(), ApiError> {
    let target = CaseEdit::open(file, study, edit.case())?;
    match edit {
        Edit::Add { code, start, end, memo, .. } => {
            target.add(file, coder, code, (*start, *end), memo.as_deref())?;
        }
        Edit::Remove { segment, code, start, end, .. } => {
            target.codable_segment(segment)?;
            let i = target.existing(file, segment, code, (*start, *end))?;
            file.codings.remove(i);
            // The segment stays reviewed: the coder decided it lacks the code.
            mark_reviewed(file, study, target.case_id, segment, true);
        }
        Edit::Memo { segment, code, start, end, memo, .. } => {
            target.codable_segment(segment)?;
            let i = target.existing(file, segment, code, (*start, *end))?;
            let coding = &mut file.codings[i];
            let (quote, imported) = match &coding.source {
                Source::Manual { quote: Some(quote), imported, .. } => {
                    (quote.clone(), imported.clone())
                }
                Source::Manual { imported, .. } => {
                    (target.case.quote(coding.start, coding.end), imported.clone())
                }
                Source::Rule { .. } => (target.case.quote(coding.start, coding.end), None),
            };
            // A new memo keeps the selection the coding was imported from.
            coding.source =
                Source::Manual { memo: clean_memo(memo.as_deref()), quote: Some(quote), imported };
        }
        Edit::SegmentMemo { segment, memo, .. } => {
            target.codable_segment(segment)?;
            if file.codings.iter().any(|c| c.case == target.case_id && c.segment == *segment) {
                return Err(ApiError::unprocessable(format!(
                    "segment `{segment}` has codings; a memo on a coded segment is its coding's (op `memo`)"
                )));
            }
            let mine = |m: &SegmentMemo| m.case == target.case_id && m.segment == *segment;
            file.memos.retain(|m| !mine(m));
            if let Some(memo) = clean_memo(memo.as_deref()) {
                file.memos.push(SegmentMemo {
                    case: target.case_id.to_owned(),
                    segment: segment.clone(),
                    coder: coder.to_owned(),
                    memo,
                });
                // In case and segment order, as `qda import-sheet` writes them.
                let order = |m: &SegmentMemo| {
                    let span = study.cases.get(&m.case).and_then(|c| c.spans.get(&m.segment));
                    (m.case.clone(), span.map_or(usize::MAX, |s| s.0))
                };
                file.memos.sort_by_key(order);
            }
        }
        Edit::Review { segment, .. } => {
            target.codable_segment(segment)?;
            mark_reviewed(file, study, target.case_id, segment, true);
        }
        Edit::Unreview { segment, .. } => {
            target.codable_segment(segment)?;
            if file.codings.iter().any(|c| c.case == target.case_id && c.segment == *segment) {
                return Err(ApiError::unprocessable(format!(
                    "segment `{segment}` has codings; remove them first"
                )));
            }
            mark_reviewed(file, study, target.case_id, segment, false);
        }
        Edit::Reject { segment, code, .. } => {
            target.codable_segment(segment)?;
            check_code(study, code).or_else(|e| match study.codebook.code(code) {
                // A grouping code's segments are those of its children:
                // it can be suggested, so rejected, too.
                Some(_) => Ok(()),
                None => Err(e),
            })?;
            let rejection = RejectedSuggestion { code: code.clone(), segment: segment.clone() };
            if !file.rejected_suggestions.contains(&rejection) {
                file.rejected_suggestions.push(rejection);
                // By code, then in case and segment order.
                let order = |r: &RejectedSuggestion| {
                    let case = r.segment.rsplit_once(':').map_or("", |(c, _)| c).to_owned();
                    let span = study.cases.get(&case).and_then(|c| c.spans.get(&r.segment));
                    (r.code.clone(), case, span.map_or(usize::MAX, |s| s.0), r.segment.clone())
                };
                file.rejected_suggestions.sort_by_cached_key(order);
            }
        }
        Edit::Unreject { segment, code, .. } => {
            target.codable_segment(segment)?;
            file.rejected_suggestions.retain(|r| !(r.code == *code && r.segment == *segment));
        }
        // Names no case; `apply` handles it before any case is looked up.
        Edit::Unblind {} => {}
    }
    Ok(())
}

/// The case an edit names, checked to be codable now.
struct CaseEdit<'a> {
    study: &'a Study,
    case_id: &'a str,
    case: &'a Case,
}

impl<'a> CaseEdit<'a> {
    /// Looks up the case; refused when it is unknown, when its transcript
    /// changed since the file's codings were made, or when the transcript
    /// changed on disk since the server started.
    fn open(file: &CodingsFile, study: &'a Study, case_id: &'a str) -> Result<Self, ApiError> {
        let Some(case) = study.cases.get(case_id) else {
            return Err(ApiError::unprocessable(format!(
                "unknown case `{case_id}`; the server was started with {}",
                study.cases.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            )));
        };
        if let Some(source) = file.transcripts.iter().find(|s| s.case == case_id)
            && source.sha256 != case.transcript.sha256()
        {
            return Err(ApiError::conflict(format!(
                "{} changed since its codings were made; carry them over to the new text first (the page offers it), or restore the transcript",
                case.shown_path
            )));
        }
        let now = std::fs::read(&case.file).map(|b| sha256_hex(&b)).unwrap_or_default();
        if now != case.transcript.sha256() {
            return Err(ApiError::conflict(format!(
                "{} changed on disk since the server started; restart `qda serve` to code the new version",
                case.shown_path
            )));
        }
        Ok(CaseEdit { study, case_id, case })
    }

    /// The segment `id` of the case, refused when there is none or when it
    /// is an interviewer's turn.
    fn codable_segment(&self, id: &str) -> Result<&'a SegmentView, ApiError> {
        let segment = self.case.segments.iter().find(|s| s.id == id).ok_or_else(|| {
            ApiError::unprocessable(format!("{} has no segment `{id}`", self.case.shown_path))
        })?;
        if segment.interviewer {
            return Err(ApiError::unprocessable(format!(
                "segment `{id}` is an interviewer turn, which is not coded"
            )));
        }
        Ok(segment)
    }

    /// The index in `file` of the coding of `code` on `segment` at `span`, if any.
    fn find(
        &self,
        file: &CodingsFile,
        segment: &str,
        code: &str,
        (start, end): (usize, usize),
    ) -> Option<usize> {
        file.codings.iter().position(|c| {
            c.case == self.case_id
                && c.segment == segment
                && c.code == code
                && c.start == start
                && c.end == end
        })
    }

    /// Like [`CaseEdit::find`], but a coding that is not there is an error:
    /// the page showed a coding the file no longer has.
    fn existing(
        &self,
        file: &CodingsFile,
        segment: &str,
        code: &str,
        (start, end): (usize, usize),
    ) -> Result<usize, ApiError> {
        self.find(file, segment, code, (start, end)).ok_or_else(|| {
            ApiError::unprocessable(format!(
                "there is no coding `{code}` on {segment} at {start}..{end}; reload the page"
            ))
        })
    }

    /// Adds a coding of `code` on `span`, which must lie inside one codable
    /// segment, and marks that segment reviewed.
    fn add(
        &self,
        file: &mut CodingsFile,
        coder: &str,
        code: &str,
        (start, end): (usize, usize),
        memo: Option<&str>,
    ) -> Result<(), ApiError> {
        check_code(self.study, code)?;
        if start >= end {
            return Err(ApiError::unprocessable(format!(
                "the span {start}..{end} is empty; select some text"
            )));
        }
        let Some(segment) = self.case.segments.iter().find(|s| s.start <= start && end <= s.end)
        else {
            return Err(ApiError::unprocessable(format!(
                "the span {start}..{end} does not lie inside one segment of {}; code each segment separately",
                self.case.shown_path
            )));
        };
        self.codable_segment(&segment.id)?;
        let text = self.case.transcript.text();
        if text.chars().skip(start).take(end - start).all(char::is_whitespace) {
            return Err(ApiError::unprocessable(format!(
                "the span {start}..{end} is only white space; select some text"
            )));
        }
        if self.find(file, &segment.id, code, (start, end)).is_some() {
            return Err(ApiError::conflict(format!(
                "{} {start}..{end} already has the code `{code}`",
                segment.id
            )));
        }
        file.codings.push(Coding {
            case: self.case_id.to_owned(),
            segment: segment.id.clone(),
            code: code.to_owned(),
            coder: coder.to_owned(),
            start,
            end,
            source: Source::Manual {
                memo: clean_memo(memo),
                quote: Some(self.case.quote(start, end)),
                imported: None,
            },
        });
        mark_reviewed(file, self.study, self.case_id, &segment.id, true);
        Ok(())
    }
}

fn check_code(study: &Study, code: &str) -> Result<(), ApiError> {
    match study.codebook.code(code) {
        Some(c) if c.codable => Ok(()),
        Some(c) => Err(ApiError::unprocessable(format!(
            "code `{}` groups other codes and is not codable; use one of its children",
            c.id
        ))),
        None => {
            let hint = study
                .codebook
                .suggest(code)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            Err(ApiError::unprocessable(format!("unknown code `{code}`{hint}")))
        }
    }
}

fn clean_memo(memo: Option<&str>) -> Option<String> {
    memo.map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned)
}

/// Adds or removes a segment from the case's reviewed list, listing the
/// case in `transcripts` when it is first touched. A list that covers every
/// codable segment is written as "all" (no list), as `qda import-sheet` does.
fn mark_reviewed(file: &mut CodingsFile, study: &Study, case_id: &str, segment: &str, on: bool) {
    let case = &study.cases[case_id];
    let all: Vec<&str> =
        case.segments.iter().filter(|s| !s.interviewer).map(|s| s.id.as_str()).collect();
    let index = match file.transcripts.iter().position(|s| s.case == case_id) {
        Some(i) => i,
        None => {
            file.transcripts.push(CodedSource {
                case: case_id.to_owned(),
                path: case.shown_path.clone(),
                sha256: case.transcript.sha256().to_owned(),
                segments: case.segments.len(),
                reviewed: Some(Vec::new()),
            });
            file.transcripts.len() - 1
        }
    };
    let source = &mut file.transcripts[index];
    let mut set: BTreeSet<&str> = match &source.reviewed {
        None => all.iter().copied().collect(),
        Some(ids) => ids.iter().map(String::as_str).collect(),
    };
    if on {
        set.insert(segment);
    } else {
        set.remove(segment);
    }
    let ordered: Vec<String> =
        all.iter().filter(|id| set.contains(**id)).map(|id| (*id).to_owned()).collect();
    source.reviewed = (ordered.len() != all.len()).then_some(ordered);
}

/// Writes the file atomically, as the CLI's writer does: a temporary file
/// in the same folder, synced, then renamed over the target.
///
/// # Errors
/// The folder is not writable.
pub(crate) fn write(
    path: &Path,
    file: CodingsFile,
    saved: &mut Saved,
) -> Result<String, ServeError> {
    // About the size it was, so a large file is not copied as it grows.
    let mut bytes = Vec::with_capacity(saved.bytes.as_ref().map_or(0, |b| b.len() + 4096));
    // One coding per line, as every codings file: line diffs stay readable.
    bytes.extend_from_slice(file.to_json().as_bytes());
    // Hashing a file of thousands of codings takes as long as writing it:
    // both at once.
    let (written, version) = std::thread::scope(|scope| {
        let hash = scope.spawn(|| sha256_hex(&bytes));
        let written = write_bytes(path, &bytes);
        (written, hash.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    written?;
    *saved = Saved { version: version.clone(), bytes: Some(bytes), file: Arc::new(file) };
    Ok(version)
}

/// Writes `bytes` atomically to `path` (see [`write()`]).
///
/// # Errors
/// The folder is not writable.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ServeError> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |e: std::io::Error| ServeError::io(format!("{}: cannot write", path.display()))(e);
    let mut temp =
        tempfile::Builder::new().prefix(&temp_prefix(path)).tempfile_in(folder).map_err(io)?;
    temp.write_all(bytes).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    set_readable(temp.as_file());
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// The start of the names of `path`'s temporary files: `.NAME.tmp`.
fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!(".{name}.tmp")
}

/// Removes the temporary files a save of `path` left behind when its
/// process was killed mid-write. Called at start, by the holder of the
/// file's lock, so no save of it is under way; best effort.
pub(crate) fn remove_stale_temp_files(path: &Path) {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let prefix = temp_prefix(path);
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix))
            && entry.file_type().is_ok_and(|t| t.is_file());
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Temporary files are created private (0600); a codings file is an ordinary file.
#[cfg(unix)]
fn set_readable(file: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt;
    // Best effort: a file that stays private is still correct.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_readable(_: &std::fs::File) {}
