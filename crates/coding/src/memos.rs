//! The study's memos other than on segments: the project memo and one memo
//! per case. (Code memos are the codebook's `memo`; segment memos live in
//! codings files.) A case memo comes from a file `cases/CASE.md` of the memos
//! folder or from the transcript's front matter (`memo = "..."`), not both.
//!
//! Like the rest of the crate this reads no files: the caller hands in each
//! file's path and text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{ErrorKind, MemoError, Position};
use crate::location::Location;
use crate::transcript::Transcript;

/// One memo and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    /// The memo's text (Markdown, as written; surrounding blank lines trimmed).
    pub text: String,
    /// The file it is in.
    pub path: PathBuf,
    /// Where in the file it starts, when it is part of a file (a front matter).
    pub location: Option<Location>,
}

impl Memo {
    /// The case memo of a transcript's front matter, if it has one (blank
    /// gives none), so that a transcript need not be kept to add it later.
    pub fn of_transcript(transcript: &Transcript) -> Option<Memo> {
        memo(transcript.path(), transcript.memo()?, transcript.memo_location())
    }
}

/// The project memo and the case memos of a study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyMemos {
    /// `project.md` of the memos folder.
    pub project: Option<Memo>,
    /// Case memos by case id.
    pub cases: BTreeMap<String, Memo>,
}

impl StudyMemos {
    /// No memos.
    pub fn new() -> Self {
        StudyMemos::default()
    }

    /// Sets the project memo from the text of `project.md`; a file with
    /// nothing but white space gives none.
    pub fn set_project(&mut self, path: &Path, text: &str) {
        self.project = memo(path, text, None);
    }

    /// Adds the case memo file `path` (`cases/CASE.md`): the case is the
    /// file name without `.md`.
    ///
    /// # Errors
    /// A file name that is not a case id, or a case that already has a memo
    /// (from its transcript's front matter or another file).
    pub fn add_case_file(&mut self, path: &Path, text: &str) -> Result<(), MemoError> {
        let case = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if case.is_empty() || case.contains(|c: char| c == ':' || c.is_whitespace()) {
            return Err(MemoError {
                kind: ErrorKind::InvalidValue,
                position: Position { path: path.to_owned(), location: None },
                message: "a case memo file is named after its case, such as `P01.md` (a case id has no spaces or colons)".to_owned(),
            });
        }
        // A memo file is the memo from its first line.
        let start = Location { line: 1, column: 1 };
        let Some(memo) = memo(path, text, Some(start)) else { return Ok(()) };
        self.add_case(case, memo)
    }

    /// Adds the case memo of a transcript's front matter, if it has one.
    ///
    /// # Errors
    /// The case already has a memo (a `cases/CASE.md` file, or another
    /// transcript of the same case).
    pub fn add_transcript(&mut self, transcript: &Transcript) -> Result<(), MemoError> {
        match Memo::of_transcript(transcript) {
            Some(memo) => self.add_case(transcript.case(), memo),
            None => Ok(()),
        }
    }

    /// Adds the memo of `case`, such as one taken from a transcript with
    /// [`Memo::of_transcript`] where the transcript was read.
    ///
    /// # Errors
    /// The case already has a memo.
    pub fn add_case(&mut self, case: &str, memo: Memo) -> Result<(), MemoError> {
        if let Some(first) = self.cases.get(case) {
            return Err(MemoError {
                kind: ErrorKind::Duplicate,
                position: Position { path: memo.path.clone(), location: memo.location },
                message: format!(
                    "case `{case}` already has a memo in {}; keep one of the two (a case memo is either the file memos/cases/{case}.md or the transcript's `memo`)",
                    at(first)
                ),
            });
        }
        self.cases.insert(case.to_owned(), memo);
        Ok(())
    }

    /// Drops the case memos of cases not among `cases` and says which, so a
    /// misnamed memo file is not lost without a word.
    pub fn keep_cases<'a>(&mut self, cases: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let known: std::collections::BTreeSet<&str> = cases.into_iter().collect();
        let unknown: Vec<String> =
            self.cases.keys().filter(|c| !known.contains(c.as_str())).cloned().collect();
        unknown
            .into_iter()
            .map(|case| {
                let memo = self.cases.remove(&case).expect("listed from the map");
                let hint = crate::suggest::closest(&case, known.iter().copied())
                    .first()
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                format!(
                    "{}: no transcript read has case `{case}`{hint}; its memo is left out (name the file after its case)",
                    at(&memo)
                )
            })
            .collect()
    }

    /// Whether there is no memo at all.
    pub fn is_empty(&self) -> bool {
        self.project.is_none() && self.cases.is_empty()
    }
}

/// `path` or `path:line:col`.
fn at(memo: &Memo) -> String {
    Position { path: memo.path.clone(), location: memo.location }.to_string()
}

fn memo(path: &Path, text: &str, location: Option<Location>) -> Option<Memo> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text).replace("\r\n", "\n");
    let text = text.trim_matches(|c: char| c == '\n' || c == ' ' || c == '\t').to_owned();
    (!text.is_empty()).then(|| Memo { text, path: path.to_owned(), location })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript(front: &str) -> Transcript {
        let text = format!("+++\ncase = \"P01\"\n{front}\n+++\nP: hello\n");
        Transcript::parse(Path::new("t/P01.txt"), text.as_bytes()).unwrap()
    }

    #[test]
    fn a_front_matter_memo_is_the_case_memo_not_an_attribute() {
        let t = transcript("memo = \"Spoke freely.\"\nage = 30");
        assert_eq!(t.memo(), Some("Spoke freely."));
        assert!(t.attributes().get("memo").is_none());
        let mut memos = StudyMemos::new();
        memos.add_transcript(&t).unwrap();
        assert_eq!(memos.cases["P01"].text, "Spoke freely.");
        assert_eq!(memos.cases["P01"].location, Some(Location { line: 3, column: 8 }));
    }

    #[test]
    fn a_memo_that_is_not_a_string_is_an_error() {
        let text = "+++\ncase = \"P01\"\nmemo = 3\n+++\nP: hello\n";
        let err = Transcript::parse(Path::new("P01.txt"), text.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "P01.txt:3:8: `memo` is the case memo and must be a string (\"\"\"...\"\"\" for several lines), found an integer"
        );
    }

    #[test]
    fn a_case_with_a_file_and_a_front_matter_memo_is_an_error() {
        let mut memos = StudyMemos::new();
        memos.add_transcript(&transcript("memo = \"one\"")).unwrap();
        let err = memos.add_case_file(Path::new("memos/cases/P01.md"), "two\n").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Duplicate);
        assert_eq!(
            err.to_string(),
            "memos/cases/P01.md:1:1: case `P01` already has a memo in t/P01.txt:3:8; keep one of the two (a case memo is either the file memos/cases/P01.md or the transcript's `memo`)"
        );
    }

    #[test]
    fn memos_of_unknown_cases_are_left_out_with_a_warning() {
        let mut memos = StudyMemos::new();
        memos.add_case_file(Path::new("memos/cases/P1.md"), "x").unwrap();
        memos.add_case_file(Path::new("memos/cases/P02.md"), "\n\n  \n").unwrap();
        memos.add_case_file(Path::new("memos/cases/P03.md"), "\u{FEFF}kept\r\n").unwrap();
        let warnings = memos.keep_cases(["P01", "P03"]);
        assert_eq!(
            warnings,
            [
                "memos/cases/P1.md:1:1: no transcript read has case `P1` (did you mean `P01`?); its memo is left out (name the file after its case)"
            ]
        );
        assert_eq!(memos.cases.keys().collect::<Vec<_>>(), ["P03"]);
        assert_eq!(memos.cases["P03"].text, "kept");
    }

    #[test]
    fn a_blank_project_memo_is_none() {
        let mut memos = StudyMemos::new();
        memos.set_project(Path::new("memos/project.md"), " \n");
        assert!(memos.is_empty());
        memos.set_project(Path::new("memos/project.md"), "# Aims\n");
        assert_eq!(memos.project.unwrap().text, "# Aims");
    }
}
