//! Adjudications: a researcher's decision of which code of an exclusive
//! group a case gets, with the reason.
//!
//! ```toml
//! [[adjudication]]
//! case = "P05"
//! parent = "motive"
//! code = "freedom"
//! note = "Hunger is described as the background, not the reason."
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::codebook::Codebook;
use crate::doc::{self, DocError, Fields, Syntax, Value};
use crate::error::{AdjudicationError, ErrorKind, Position};
use crate::location::LineIndex;
use crate::suggest::suggest;

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjudication {
    /// The case id.
    pub case: String,
    /// The exclusive parent.
    pub parent: String,
    /// The child code the case gets.
    pub code: String,
    /// Why.
    pub note: String,
    /// Line of the entry, from 1.
    pub line: usize,
    spans: [Range<usize>; 3],
}

/// The decisions of one adjudications file.
#[derive(Debug, Clone)]
pub struct Adjudications {
    path: PathBuf,
    text: String,
    entries: Vec<Adjudication>,
    /// Each (case, parent)'s entry: looked up, not searched for, so reading
    /// and applying a file stays linear in its entries.
    entry_of: BTreeMap<(String, String), usize>,
}

impl Adjudications {
    /// Parses an adjudications file (TOML, or JSON by extension).
    ///
    /// # Errors
    /// Syntax errors, unknown keys, missing fields or an empty note, and a
    /// case and parent decided twice.
    pub fn parse(path: &Path, text: &str) -> Result<Self, AdjudicationError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let index = LineIndex::new(text);
        let error = |e: DocError| AdjudicationError {
            kind: e.kind,
            position: Position {
                path: path.to_owned(),
                location: Some(index.locate(text, e.offset)),
            },
            message: e.message,
        };
        let root = doc::parse(text, Syntax::from_path(path)).map_err(error)?;
        let mut fields = Fields::new(&root, "the adjudications file").map_err(error)?;
        let items = fields.get("adjudication");
        fields.deny_unknown(&["adjudication"]).map_err(error)?;
        let mut entries: Vec<Adjudication> = Vec::new();
        let mut entry_of: BTreeMap<(String, String), usize> = BTreeMap::new();
        let items: &[doc::Node] = match items.map(|n| (&n.value, n)) {
            None => &[],
            Some((Value::Array(items), _)) => items,
            Some((_, node)) => {
                return Err(error(doc::expected(
                    node,
                    "adjudication",
                    "an array of tables ([[adjudication]])",
                )));
            }
        };
        for item in items {
            let mut f = Fields::new(item, "each adjudication").map_err(error)?;
            let mut required = |key: &str| -> Result<(String, Range<usize>), AdjudicationError> {
                match f.string(key).map_err(error)? {
                    Some((value, span)) if !value.trim().is_empty() => {
                        Ok((value.trim().to_owned(), span))
                    }
                    Some((_, span)) => Err(error(DocError::new(
                        ErrorKind::Missing,
                        span.start,
                        format!("`{key}` is empty"),
                    ))),
                    None => Err(error(DocError::new(
                        ErrorKind::Missing,
                        item.span.start,
                        format!(
                            "this adjudication has no `{key}`; give case, parent, code and note"
                        ),
                    ))),
                }
            };
            let (case, case_span) = required("case")?;
            let (parent, parent_span) = required("parent")?;
            let (code, code_span) = required("code")?;
            let (note, _) = required("note")?;
            f.deny_unknown(&["case", "parent", "code", "note"]).map_err(error)?;
            let line = index.locate(text, case_span.start).line;
            let key = (case.clone(), parent.clone());
            if let Some(first) = entry_of.get(&key).map(|&i| &entries[i]) {
                return Err(error(DocError::new(
                    ErrorKind::Duplicate,
                    case_span.start,
                    format!(
                        "case `{case}` is already adjudicated for `{parent}` on line {}; keep one decision",
                        first.line
                    ),
                )));
            }
            entry_of.insert(key, entries.len());
            entries.push(Adjudication {
                case,
                parent,
                code,
                note,
                line,
                spans: [case_span, parent_span, code_span],
            });
        }
        Ok(Adjudications { path: path.to_owned(), text: text.to_owned(), entries, entry_of })
    }

    /// The file the decisions were read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The decisions, in file order.
    pub fn entries(&self) -> &[Adjudication] {
        &self.entries
    }

    /// The decision for `case` in the group `parent`, if any.
    pub fn find(&self, case: &str, parent: &str) -> Option<&Adjudication> {
        self.entry_of.get(&(case.to_owned(), parent.to_owned())).map(|&i| &self.entries[i])
    }

    /// Checks every decision against the codebook and the cases being tallied.
    ///
    /// # Errors
    /// A case that is not among `cases`, a parent that is not an exclusive
    /// code of `codebook`, or a code that is not one of the parent's children.
    pub fn validate<'a>(
        &self,
        codebook: &Codebook,
        cases: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<(), AdjudicationError> {
        let index = LineIndex::new(&self.text);
        let error = |kind: ErrorKind, offset: usize, message: String| AdjudicationError {
            kind,
            position: Position {
                path: self.path.clone(),
                location: Some(index.locate(&self.text, offset)),
            },
            message,
        };
        let hint = |found: Option<&str>| {
            found.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
        };
        for a in &self.entries {
            let [case_span, parent_span, code_span] = &a.spans;
            if !cases.clone().any(|c| c == a.case) {
                return Err(error(
                    ErrorKind::UnknownName,
                    case_span.start,
                    format!(
                        "unknown case `{}`: no transcript has it{}",
                        a.case,
                        hint(suggest(&a.case, cases.clone()))
                    ),
                ));
            }
            let Some(parent) = codebook.code(&a.parent) else {
                return Err(error(
                    ErrorKind::UnknownName,
                    parent_span.start,
                    format!(
                        "unknown code `{}` in {}{}",
                        a.parent,
                        codebook.path().display(),
                        hint(codebook.suggest(&a.parent))
                    ),
                ));
            };
            if !parent.exclusive {
                return Err(error(
                    ErrorKind::InvalidValue,
                    parent_span.start,
                    format!(
                        "`{}` is not an exclusive parent, so there is nothing to adjudicate; name an exclusive parent",
                        a.parent
                    ),
                ));
            }
            if codebook.children(&parent.id).all(|c| c.id != a.code) {
                let children: Vec<&str> =
                    codebook.children(&parent.id).map(|c| c.id.as_str()).collect();
                let what = if codebook.code(&a.code).is_some() { "code" } else { "unknown code" };
                let kind = if codebook.code(&a.code).is_some() {
                    ErrorKind::InvalidValue
                } else {
                    ErrorKind::UnknownName
                };
                return Err(error(
                    kind,
                    code_span.start,
                    format!(
                        "{what} `{}` is not a child of `{}` (its children: {}){}",
                        a.code,
                        a.parent,
                        children.join(", "),
                        hint(suggest(&a.code, children.iter().copied()))
                    ),
                ));
            }
        }
        Ok(())
    }
}
