//! Content-analysis dictionaries read as codebooks: LIWC-style `.dic` files
//! and quanteda's YAML dictionaries (`.yml`, `.yaml`).
//!
//! A dictionary's categories become codes (nesting kept) and its patterns
//! the codes' `any` terms. A glob qda's terms cannot say (`?`, or `*`
//! inside a word) becomes a `regex`; an entry that cannot be carried over
//! at all is left out with a warning. See `docs/dictionaries.md`.

mod liwc;
mod yaml;

#[cfg(test)]
mod tests;

use std::path::Path;

use serde::Serialize;

use crate::codebook::{Codebook, REGEX_SIZE_LIMIT};
use crate::error::{CodebookError, ErrorKind, Position};
use crate::location::Location;
use crate::term::Term;

/// A dictionary read as a codebook: its codes in order, each after its
/// parent, and what could not be carried over.
#[derive(Debug, Clone)]
pub struct Dictionary {
    name: String,
    format: &'static str,
    codes: Vec<DictionaryCode>,
    warnings: Vec<String>,
}

/// One category of a dictionary, as a code.
#[derive(Debug, Clone, Default)]
struct DictionaryCode {
    id: String,
    /// The category's name as the dictionary writes it.
    label: String,
    parent: Option<String>,
    any: Vec<String>,
    regex: Vec<String>,
}

impl Dictionary {
    /// Whether `path` names a dictionary rather than a qda codebook: its
    /// extension is `.dic`, `.yml` or `.yaml`.
    pub fn is_dictionary(path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["dic", "yml", "yaml"].iter().any(|d| e.eq_ignore_ascii_case(d)))
    }

    /// Reads a dictionary; the format follows the extension of `path`
    /// (`.dic`: LIWC, otherwise quanteda YAML).
    ///
    /// # Errors
    /// A `.dic` without its `%` header, a header line that is not
    /// `ID<TAB>NAME`, an entry naming a category the header does not
    /// define; a YAML file that does not parse or is not a mapping of keys
    /// to patterns; a pattern no term or regex can match: each with the
    /// file, line and column.
    pub fn parse(path: &Path, text: &str) -> Result<Self, CodebookError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("dictionary").to_owned();
        let mut builder = Builder { path, codes: Vec::new(), warnings: Vec::new() };
        let format = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("dic")) {
            liwc::read(&mut builder, text)?;
            "LIWC dictionary"
        } else {
            yaml::read(&mut builder, text)?;
            "quanteda dictionary"
        };
        if builder.codes.is_empty() {
            return Err(builder.error(
                ErrorKind::Missing,
                Location { line: 1, column: 1 },
                "the dictionary defines no categories; a codebook needs at least one code",
            ));
        }
        Ok(Dictionary { name, format, codes: builder.codes, warnings: builder.warnings })
    }

    /// What could not be carried over, one message per entry, each starting
    /// with `FILE:LINE:COL:`.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// How many codes the dictionary makes.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the dictionary makes no codes (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The dictionary as the TOML of a qda codebook.
    pub fn to_codebook_toml(&self) -> String {
        let doc = CodebookOut {
            codebook: HeaderOut { name: self.name.clone() },
            code: self
                .codes
                .iter()
                .map(|c| CodeOut {
                    id: c.id.clone(),
                    label: (c.label != c.id).then(|| c.label.clone()),
                    parent: c.parent.clone(),
                    rule: (!c.any.is_empty() || !c.regex.is_empty())
                        .then(|| RuleOut { any: c.any.clone(), regex: c.regex.clone() }),
                })
                .collect(),
        };
        let body = toml::to_string(&doc).expect("strings and lists always serialise as TOML");
        format!("# Imported from the {} `{}`.\n\n{body}", self.format, self.name)
    }

    /// The dictionary as a validated codebook, reported under `path`.
    ///
    /// # Errors
    /// None in practice: every pattern was checked as it was read; the
    /// codebook's own checks run again all the same.
    pub fn to_codebook(&self, path: &Path) -> Result<Codebook, CodebookError> {
        Codebook::parse(path, &self.to_codebook_toml())
    }
}

#[derive(Serialize)]
struct CodebookOut {
    codebook: HeaderOut,
    code: Vec<CodeOut>,
}

#[derive(Serialize)]
struct HeaderOut {
    name: String,
}

#[derive(Serialize)]
struct CodeOut {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<RuleOut>,
}

#[derive(Serialize)]
struct RuleOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    any: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    regex: Vec<String>,
}

/// What both readers share: the codes made so far, ids, patterns, errors.
struct Builder<'a> {
    path: &'a Path,
    codes: Vec<DictionaryCode>,
    warnings: Vec<String>,
}

impl Builder<'_> {
    fn error(&self, kind: ErrorKind, at: Location, message: impl Into<String>) -> CodebookError {
        CodebookError {
            kind,
            position: Position { path: self.path.to_owned(), location: Some(at) },
            code: None,
            message: message.into(),
        }
    }

    fn warn(&mut self, at: Location, message: impl std::fmt::Display) {
        self.warnings.push(format!("{}:{at}: {message}", self.path.display()));
    }

    /// Adds a code for the category `name` under `parent` (an index into
    /// the codes) and returns its index. The id is the name made valid
    /// (characters qda ids do not allow become `_`), or the parent's id,
    /// `/` and that when the name's id is taken.
    fn add_code(&mut self, name: &str, parent: Option<usize>) -> usize {
        let mut id: String = name
            .trim()
            .chars()
            .map(
                |c| if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/') { c } else { '_' },
            )
            .collect();
        if id.is_empty() || id == crate::codebook::UNCODED {
            id = format!("{id}_");
        }
        if let Some(p) = parent
            && self.codes.iter().any(|c| c.id == id)
        {
            id = format!("{}/{id}", self.codes[p].id);
        }
        let base = id.clone();
        let mut n = 2;
        while self.codes.iter().any(|c| c.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.codes.push(DictionaryCode {
            id,
            label: name.trim().to_owned(),
            parent: parent.map(|p| self.codes[p].id.clone()),
            ..DictionaryCode::default()
        });
        self.codes.len() - 1
    }

    /// Adds a pattern to code `code`: as a term when qda's `*` at a word's
    /// ends says it, as a regex otherwise; left out with a warning when it
    /// would match every word.
    fn add_pattern(
        &mut self,
        code: usize,
        pattern: &str,
        at: Location,
    ) -> Result<(), CodebookError> {
        let pattern = pattern.trim();
        if pattern.chars().all(|c| matches!(c, '*' | '?') || c.is_whitespace()) {
            let message = format!(
                "pattern `{pattern}` of `{}` would match every word; left out",
                self.codes[code].label
            );
            self.warn(at, message);
            return Ok(());
        }
        let core = pattern.strip_prefix('*').unwrap_or(pattern);
        let core = core.strip_suffix('*').unwrap_or(core);
        let as_term = !core.contains(['*', '?']);
        let (text, checked) = if as_term {
            (pattern.to_owned(), Term::word(pattern))
        } else {
            let regex = glob_regex(pattern);
            let checked = Term::regex(&regex, REGEX_SIZE_LIMIT);
            (regex, checked)
        };
        if let Err(message) = checked {
            return Err(self.error(ErrorKind::Pattern, at, message));
        }
        let entry = &mut self.codes[code];
        let list = if as_term { &mut entry.any } else { &mut entry.regex };
        // Dictionaries often list a word twice (in different cases, too):
        // qda matches without case, so one is enough.
        if !list.iter().any(|t| t.to_lowercase() == text.to_lowercase()) {
            list.push(text);
        }
        Ok(())
    }
}

/// A glob as a regex with qda's term semantics: `*` any run of word
/// characters, `?` one word character, white space any run of white space,
/// and a word boundary at each end that is a word character or wildcard.
fn glob_regex(glob: &str) -> String {
    let word_edge =
        |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '*' | '?' | '_'));
    let mut regex = String::new();
    if word_edge(glob.chars().next()) {
        regex.push_str(r"\b");
    }
    let mut space = false;
    for c in glob.chars() {
        if c.is_whitespace() {
            if !space {
                regex.push_str(r"\s+");
            }
            space = true;
            continue;
        }
        space = false;
        match c {
            '*' => regex.push_str(r"\w*"),
            '?' => regex.push_str(r"\w"),
            c => regex.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    if word_edge(glob.chars().last()) {
        regex.push_str(r"\b");
    }
    regex
}
