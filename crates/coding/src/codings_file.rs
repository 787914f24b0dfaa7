//! Codings files: reading them back, checking them against the codebook and
//! the transcripts they were made on, and layering several coders.
//!
//! Precedence, from strongest to weakest: an adjudication (per case and
//! exclusive group, applied by the tally), then the chosen coder's manual
//! codings (for every segment that coder reviewed), then rule codings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::codebook::Codebook;
use crate::coding::Coding;
use crate::error::{CodingsError, ErrorKind, Position};
use crate::location::{Location, locate};
use crate::merge::MergeConflict;

/// A codings file, as `qda code` and `qda import-sheet` write it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CodingsFile {
    /// The coder whose work the file holds, when it holds one coder's
    /// (`rules` for `qda code`). It owns the file's coverage even when the
    /// coder applied no code at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coder: Option<String>,
    /// The codings.
    pub codings: Vec<Coding>,
    /// The transcripts the codings were made on.
    pub transcripts: Vec<CodedSource>,
    /// The coder's memos on segments they gave no code (a memo on a coded
    /// segment belongs to its codings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memos: Vec<SegmentMemo>,
    /// Whether the coder saw the rules' suggestions and other coders'
    /// codings while coding; absent in files that do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blinding: Option<Blinding>,
    /// What a merge of two sides (`qda merge-codings`) could not settle,
    /// each with both versions. A file with conflicts is refused until a
    /// person settles them and deletes the list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<MergeConflict>,
    /// Provenance, when the file has one (kept, not interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<serde_json::Value>,
    /// Segments the coder was suggested for a code as like its segments
    /// (`qda serve`'s "suggest similar") and rejected: never suggested
    /// for that code again, by `qda serve` or `qda suggest --codings`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_suggestions: Vec<RejectedSuggestion>,
}

/// A suggestion the coder rejected: this segment does not have this code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RejectedSuggestion {
    /// The code suggested.
    pub code: String,
    /// The segment id, such as `P01:t12`.
    pub segment: String,
}

/// A transcript a codings file covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodedSource {
    /// The case id.
    pub case: String,
    /// The transcript file, as given when coding.
    pub path: String,
    /// SHA-256 of the transcript file the offsets are valid for.
    pub sha256: String,
    /// Number of segments in the transcript.
    pub segments: usize,
    /// The segments the coder reviewed, when not every codable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Vec<String>>,
}

/// A coder's memo on a segment they gave no code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentMemo {
    /// The case id.
    pub case: String,
    /// The segment id, such as `P01:t12`.
    pub segment: String,
    /// Who wrote it.
    pub coder: String,
    /// The memo.
    pub memo: String,
}

/// What a coder had on view while coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Blinding {
    /// Neither the rules' suggestions nor other coders' codings were shown
    /// (`qda sheet --blind`, `qda serve --blind`).
    Blind,
    /// Coded blind at first; the coder then turned blind mode off, so later
    /// codings may have seen the suggestions.
    Unblinded,
    /// The rules' suggestions were on view (a sheet with its `suggested`
    /// column, `qda serve` without `--blind`).
    Open,
}

impl Blinding {
    /// Whether the coder may have seen the rules' suggestions.
    pub fn saw_suggestions(self) -> bool {
        self != Blinding::Blind
    }
}

/// What a loaded transcript offers for checking codings against it.
#[derive(Debug, Clone)]
pub struct SourceIndex {
    /// SHA-256 of the file now.
    pub sha256: String,
    /// The file now.
    pub path: PathBuf,
    /// Every segment id of every unit, with its code-point span.
    pub segments: BTreeMap<String, (usize, usize)>,
}

impl CodingsFile {
    /// Reads a codings file.
    ///
    /// # Errors
    /// Invalid JSON, or JSON that is not a codings file, with line and column.
    /// A file that still holds a merge's conflicts is refused, at the
    /// `conflicts` key.
    pub fn parse(path: &Path, text: &str) -> Result<Self, CodingsError> {
        let file: CodingsFile = serde_json::from_str(text).map_err(|e| CodingsError {
            kind: ErrorKind::Syntax,
            position: Position {
                path: path.to_owned(),
                location: (e.line() > 0).then(|| Location { line: e.line(), column: e.column() }),
            },
            message: format!("not a codings file: {e}"),
        })?;
        if let Some(first) = file.conflicts.first() {
            let at = text.find("\"conflicts\"").map(|offset| locate(text, offset));
            return Err(CodingsError {
                kind: ErrorKind::Conflict,
                position: Position { path: path.to_owned(), location: at },
                message: format!(
                    "{} left by `qda merge-codings` (the first: {}); settle each: keep the version you want in `codings` or `memos`, then delete `conflicts`",
                    count(file.conflicts.len(), "unresolved merge conflict"),
                    first.describe()
                ),
            });
        }
        Ok(file)
    }

    /// The file as JSON that diffs well line by line: one coding, and one
    /// segment memo, per line in the file's order; the rest indented.
    pub fn to_json(&self) -> String {
        fn line<T: Serialize>(value: &T) -> String {
            serde_json::to_string(value).expect("codings serialise: plain data, string keys")
        }
        fn indented<T: Serialize>(value: &T) -> String {
            serde_json::to_string_pretty(value)
                .expect("codings serialise: plain data, string keys")
                .replace('\n', "\n  ")
        }
        fn lines<T: Serialize>(items: &[T]) -> String {
            if items.is_empty() {
                return "[]".to_owned();
            }
            let body: Vec<String> =
                items.iter().map(|item| format!("    {}", line(item))).collect();
            format!("[\n{}\n  ]", body.join(",\n"))
        }
        let mut fields = Vec::new();
        if let Some(coder) = &self.coder {
            fields.push(format!("  \"coder\": {}", line(coder)));
        }
        fields.push(format!("  \"codings\": {}", lines(&self.codings)));
        fields.push(format!("  \"transcripts\": {}", indented(&self.transcripts)));
        if !self.memos.is_empty() {
            fields.push(format!("  \"memos\": {}", lines(&self.memos)));
        }
        if let Some(blinding) = &self.blinding {
            fields.push(format!("  \"blinding\": {}", line(blinding)));
        }
        if !self.conflicts.is_empty() {
            fields.push(format!("  \"conflicts\": {}", indented(&self.conflicts)));
        }
        if let Some(provenance) = &self.provenance {
            fields.push(format!("  \"provenance\": {}", indented(provenance)));
        }
        if !self.rejected_suggestions.is_empty() {
            fields
                .push(format!("  \"rejected_suggestions\": {}", lines(&self.rejected_suggestions)));
        }
        format!("{{\n{}\n}}\n", fields.join(",\n"))
    }

    /// The coders whose work the file holds, sorted.
    pub fn coders(&self) -> BTreeSet<&str> {
        self.codings.iter().map(|c| c.coder.as_str()).chain(self.coder.as_deref()).collect()
    }

    /// Checks every coding against the codebook and the transcripts as they
    /// are now: the case exists, the transcript is unchanged since the
    /// codings were made ([`ErrorKind::TranscriptChanged`] otherwise; the
    /// message leaves the remedy to the caller), the segment exists and the coding lies inside it,
    /// and the code is a codable code of the codebook.
    ///
    /// # Errors
    /// The first problem found, naming the codings file.
    pub fn check(
        &self,
        path: &Path,
        codebook: &Codebook,
        sources: &BTreeMap<String, SourceIndex>,
    ) -> Result<(), CodingsError> {
        let error = |kind: ErrorKind, message: String| CodingsError {
            kind,
            position: Position { path: path.to_owned(), location: None },
            message,
        };
        for source in &self.transcripts {
            let Some(now) = sources.get(&source.case) else {
                return Err(error(
                    ErrorKind::UnknownName,
                    format!(
                        "case `{}` ({}) is not among the transcripts given; add its transcript",
                        source.case, source.path
                    ),
                ));
            };
            if now.sha256 != source.sha256 {
                return Err(error(
                    ErrorKind::TranscriptChanged,
                    format!(
                        "{} changed since these codings were made (SHA-256 {} then, {} now)",
                        now.path.display(),
                        source.sha256,
                        now.sha256
                    ),
                ));
            }
        }
        if let Some(owner) = &self.coder
            && let Some(other) = self.codings.iter().find(|c| c.coder != *owner)
        {
            return Err(error(
                ErrorKind::Conflict,
                format!(
                    "the file is `{owner}`'s codings but holds a coding by `{}` ({} {}); keep one coder per file",
                    other.coder, other.segment, other.code
                ),
            ));
        }
        let listed: BTreeSet<&str> = self.transcripts.iter().map(|s| s.case.as_str()).collect();
        for (i, coding) in self.codings.iter().enumerate() {
            let at =
                format!("coding {} ({} {} {})", i + 1, coding.case, coding.segment, coding.code);
            if !listed.contains(coding.case.as_str()) {
                return Err(error(
                    ErrorKind::Missing,
                    format!("{at}: case `{}` is missing from `transcripts`", coding.case),
                ));
            }
            let Some(code) = codebook.code(&coding.code) else {
                let hint = codebook
                    .suggest(&coding.code)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(error(
                    ErrorKind::UnknownName,
                    format!(
                        "{at}: unknown code `{}` in {}{hint}",
                        coding.code,
                        codebook.path().display()
                    ),
                ));
            };
            if !code.codable {
                return Err(error(
                    ErrorKind::InvalidValue,
                    format!("{at}: code `{}` is not codable (it groups other codes)", code.id),
                ));
            }
            let source = &sources[&coding.case];
            let Some(&(start, end)) = source.segments.get(&coding.segment) else {
                return Err(error(
                    ErrorKind::UnknownName,
                    format!("{at}: {} has no segment `{}`", source.path.display(), coding.segment),
                ));
            };
            if coding.start < start || coding.end > end || coding.start > coding.end {
                return Err(error(
                    ErrorKind::InvalidValue,
                    format!(
                        "{at}: offsets {}..{} lie outside the segment ({start}..{end})",
                        coding.start, coding.end
                    ),
                ));
            }
        }
        for (i, memo) in self.memos.iter().enumerate() {
            let at = format!("memo {} ({})", i + 1, memo.segment);
            if !listed.contains(memo.case.as_str()) {
                return Err(error(
                    ErrorKind::Missing,
                    format!("{at}: case `{}` is missing from `transcripts`", memo.case),
                ));
            }
            let source = &sources[&memo.case];
            if !source.segments.contains_key(&memo.segment) {
                return Err(error(
                    ErrorKind::UnknownName,
                    format!("{at}: {} has no segment `{}`", source.path.display(), memo.segment),
                ));
            }
        }
        Ok(())
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// The codings of one coder, and which segments the coder reviewed.
#[derive(Debug, Clone, Default)]
pub struct CoderCodings {
    /// The coder's name.
    pub coder: String,
    /// The coder's codings.
    pub codings: Vec<Coding>,
    /// Reviewed segments per case; `None` for a case means every codable segment.
    pub reviewed: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl CoderCodings {
    /// Gathers one coder's codings from several files.
    pub fn from_files<'a>(coder: &str, files: impl Iterator<Item = &'a CodingsFile>) -> Self {
        let mut gathered = CoderCodings { coder: coder.to_owned(), ..Default::default() };
        for file in files.filter(|f| f.coders().contains(coder)) {
            gathered.codings.extend(file.codings.iter().filter(|c| c.coder == coder).cloned());
            for source in &file.transcripts {
                let entry = gathered
                    .reviewed
                    .entry(source.case.clone())
                    .or_insert_with(|| Some(BTreeSet::new()));
                match (&source.reviewed, entry.as_mut()) {
                    (None, _) => *entry = None,
                    (Some(ids), Some(set)) => set.extend(ids.iter().cloned()),
                    (Some(_), None) => {}
                }
            }
        }
        gathered
    }

    /// Whether the coder reviewed `segment` of `case`.
    pub fn reviewed(&self, case: &str, segment: &str) -> bool {
        match self.reviewed.get(case) {
            None => false,
            Some(None) => true,
            Some(Some(ids)) => ids.contains(segment),
        }
    }
}

/// Layers a coder's manual codings over rule codings: for each segment the
/// coder reviewed, the coder's codes replace the rules'; elsewhere the rule
/// codings stand.
pub fn layer(rules: &[Coding], manual: &CoderCodings) -> Vec<Coding> {
    let mut merged: Vec<Coding> =
        rules.iter().filter(|c| !manual.reviewed(&c.case, &c.segment)).cloned().collect();
    merged.extend(manual.codings.iter().cloned());
    merged.sort_by(|a, b| {
        (&a.case, a.start, &a.segment, &a.code).cmp(&(&b.case, b.start, &b.segment, &b.code))
    });
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::Source;
    use crate::merge::CaseVersion;

    /// `to_json` writes its fields by hand (one coding per line); every
    /// field must come back. The destructuring below stops compiling when a
    /// field is added, so that it is added here and to `to_json` as well.
    #[test]
    fn to_json_keeps_every_field() {
        let file = CodingsFile {
            coder: Some("anna".into()),
            codings: vec![Coding {
                case: "P01".into(),
                segment: "P01:t2".into(),
                code: "freedom".into(),
                coder: "anna".into(),
                start: 3,
                end: 9,
                source: Source::Manual { memo: Some("why".into()), quote: None, imported: None },
            }],
            transcripts: vec![CodedSource {
                case: "P01".into(),
                path: "transcripts/P01.txt".into(),
                sha256: "0".repeat(64),
                segments: 4,
                reviewed: Some(vec!["P01:t2".into()]),
            }],
            memos: vec![SegmentMemo {
                case: "P01".into(),
                segment: "P01:t4".into(),
                coder: "anna".into(),
                memo: "ask again".into(),
            }],
            blinding: Some(Blinding::Blind),
            conflicts: vec![MergeConflict::Transcript {
                case: "P01".into(),
                ours: CaseVersion::default(),
                theirs: CaseVersion::default(),
            }],
            provenance: Some(serde_json::json!({"tool": "qda", "command": "serve"})),
            rejected_suggestions: vec![RejectedSuggestion {
                code: "freedom".into(),
                segment: "P01:t4".into(),
            }],
        };
        let CodingsFile {
            coder,
            codings,
            transcripts,
            memos,
            blinding,
            conflicts,
            provenance,
            rejected_suggestions,
        } = &file;
        assert!(coder.is_some() && blinding.is_some() && provenance.is_some());
        assert!(!codings.is_empty() && !transcripts.is_empty() && !memos.is_empty());
        assert!(!conflicts.is_empty() && !rejected_suggestions.is_empty());

        let back: CodingsFile = serde_json::from_str(&file.to_json()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&file).unwrap());
    }
}
