//! Rule terms and the compiled rule engine.
//!
//! Every term and regex of a codebook is compiled once, when a [`RuleSet`] is
//! built, into one [`RegexSet`] (which finds, in a single pass over a
//! segment, every pattern that occurs) and one [`Regex`] per pattern (which
//! finds where). Matching a segment cannot fail: all patterns were checked
//! when the codebook was read.
//!
//! Word boundaries are checked in code rather than with `\b` in the patterns,
//! for two reasons: a boundary is not needed next to Han, Hiragana, Katakana or
//! Hangul, which regex assertions cannot express, and Unicode `\b` would stop
//! the regex crate's fast DFA on non-ASCII text.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};
use unicode_script::{Script, UnicodeScript};

use crate::codebook::Codebook;
use crate::error::{CodebookError, Position};

/// The largest compiled size of all a codebook's patterns together.
const SET_SIZE_LIMIT: usize = 256 << 20;

/// A term or regex of a rule, as written and as compiled into a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    text: String,
    pattern: String,
    is_regex: bool,
}

impl Term {
    /// A word or phrase: case-insensitive, any white space between words,
    /// `*` at either end for any run of word characters.
    ///
    /// # Errors
    /// An empty term, or a `*` anywhere but at an end.
    pub fn word(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let core = trimmed.strip_prefix('*').unwrap_or(trimmed);
        let core = core.strip_suffix('*').unwrap_or(core);
        if core.trim().is_empty() {
            return Err(format!("term `{text}` has no text to match; remove it or write a word"));
        }
        if core.contains('*') {
            return Err(format!(
                "term `{text}`: `*` may stand only at the start or end of a term; use `regex` for other patterns"
            ));
        }
        if core.starts_with(char::is_whitespace) || core.ends_with(char::is_whitespace) {
            return Err(format!("term `{text}`: `*` must touch the word it extends"));
        }
        let words: Vec<String> = core.split_whitespace().map(regex::escape).collect();
        let mut pattern = String::from("(?i)");
        if trimmed.starts_with('*') {
            pattern.push_str(r"\w*");
        }
        pattern.push_str(&words.join(r"\s+"));
        if trimmed.len() > 1 && trimmed.ends_with('*') {
            pattern.push_str(r"\w*");
        }
        Ok(Term { text: trimmed.to_owned(), pattern, is_regex: false })
    }

    /// A regular expression (regex crate syntax), matched case-insensitively.
    ///
    /// # Errors
    /// The regex crate's message for an invalid regex, or a message naming
    /// the limit for one whose compiled form exceeds `size_limit` bytes.
    pub fn regex(text: &str, size_limit: usize) -> Result<Self, String> {
        let pattern = format!("(?i){text}");
        match RegexBuilder::new(&pattern).size_limit(size_limit).build() {
            Ok(regex) if regex.is_match("") => Err(format!(
                "regex `{text}` matches empty text, so it would code every segment; make it require at least one character"
            )),
            Ok(_) => Ok(Term { text: text.to_owned(), pattern, is_regex: true }),
            Err(regex::Error::CompiledTooBig(limit)) => Err(format!(
                "regex `{text}` is too large once compiled (over {} KiB); split it into several regexes or use terms",
                limit / 1024
            )),
            Err(e) => {
                let message = e.to_string();
                let reason = message.rsplit("error: ").next().unwrap_or(&message).trim();
                Err(format!("invalid regex `{text}`: {reason}"))
            }
        }
    }

    /// The term as written in the codebook.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a `regex` entry rather than a word or phrase.
    pub fn is_regex(&self) -> bool {
        self.is_regex
    }
}

/// Which part of a rule a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Clause {
    /// One of these must match.
    Any,
    /// All of these must match.
    All,
    /// None of these may match.
    Not,
    /// Regexes, counted like `any`.
    Regex,
}

impl Clause {
    /// The clause's name in codebooks.
    pub fn as_str(self) -> &'static str {
        match self {
            Clause::Any => "any",
            Clause::All => "all",
            Clause::Not => "not",
            Clause::Regex => "regex",
        }
    }
}

/// One term that matched, and where (byte range in the matched text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The clause the term is in.
    pub clause: Clause,
    /// The term as written.
    pub term: String,
    /// Where it matched, in bytes of the text given to the rule set.
    pub range: Range<usize>,
}

/// Why a rule did or did not give a code to a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the code applies.
    pub applies: bool,
    /// Every `any`, `all` and `regex` term that matched, in text order.
    pub matched: Vec<Evidence>,
    /// `not` terms that matched (each one vetoes the code).
    pub vetoed_by: Vec<Evidence>,
    /// `all` terms that did not match.
    pub missing: Vec<String>,
    /// Whether the rule has `any` terms or regexes and none of them matched.
    pub no_any: bool,
}

impl Decision {
    /// The term recorded as the source of a coding: the first `any` term or
    /// regex in the text, or the first `all` term for rules with only `all`.
    pub fn source(&self) -> Option<&Evidence> {
        self.matched
            .iter()
            .find(|e| matches!(e.clause, Clause::Any | Clause::Regex))
            .or_else(|| self.matched.first())
    }
}

struct Atom {
    term: Term,
    regex: Regex,
}

struct CodeRule {
    code: String,
    any: Vec<usize>,
    all: Vec<usize>,
    not: Vec<usize>,
    regex: Vec<usize>,
}

/// Every rule of a codebook, compiled.
pub struct RuleSet {
    atoms: Vec<Atom>,
    set: RegexSet,
    rules: Vec<CodeRule>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("patterns", &self.atoms.len())
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// Where each matched pattern first matches, for one text.
#[derive(Debug, Default)]
pub struct Hits {
    first: Vec<Option<Range<usize>>>,
}

impl RuleSet {
    /// Compiles every rule of `codebook`.
    ///
    /// # Errors
    /// Only when all patterns together exceed the compiled size limit; each
    /// pattern alone was checked when the codebook was read.
    pub fn new(codebook: &Codebook) -> Result<Self, CodebookError> {
        let mut atoms: Vec<Atom> = Vec::new();
        let mut intern = |term: &Term| -> usize {
            // The same pattern written as a word and as a regex, or with other
            // spacing, stays separate: boundaries and the reported term differ.
            if let Some(i) = atoms.iter().position(|a| a.term == *term) {
                return i;
            }
            let regex = Regex::new(&term.pattern)
                .expect("each pattern was compiled when the codebook was read");
            atoms.push(Atom { term: term.clone(), regex });
            atoms.len() - 1
        };
        let mut rules = Vec::new();
        for code in codebook.codes() {
            let Some(rule) = &code.rule else { continue };
            rules.push(CodeRule {
                code: code.id.clone(),
                any: rule.any.iter().map(&mut intern).collect(),
                all: rule.all.iter().map(&mut intern).collect(),
                not: rule.not.iter().map(&mut intern).collect(),
                regex: rule.regex.iter().map(&mut intern).collect(),
            });
        }
        let set = RegexSetBuilder::new(atoms.iter().map(|a| a.term.pattern.as_str()))
            .size_limit(SET_SIZE_LIMIT)
            .dfa_size_limit(SET_SIZE_LIMIT)
            .build()
            .map_err(|e| CodebookError {
                position: Position { path: codebook.path().to_owned(), location: None },
                code: None,
                message: format!(
                    "the codebook's {} terms and regexes are too large to compile together ({e}); use fewer or simpler regexes",
                    atoms.len()
                ),
            })?;
        Ok(RuleSet { atoms, set, rules })
    }

    /// Number of distinct patterns compiled.
    pub fn pattern_count(&self) -> usize {
        self.atoms.len()
    }

    /// The ids of the codes that have rules, in codebook order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.code.as_str())
    }

    /// Finds where each pattern first matches in `text` (a segment's text;
    /// timestamps in it read as white space).
    pub fn scan(&self, text: &str) -> Hits {
        let text = blank_timestamps(text);
        let mut first = vec![None; self.atoms.len()];
        for index in &self.set.matches(&text) {
            let atom = &self.atoms[index];
            first[index] = if atom.term.is_regex {
                atom.regex.find(&text).map(|m| m.range())
            } else {
                first_on_boundaries(&atom.regex, &text)
            };
        }
        Hits { first }
    }

    /// Decides every rule for a scanned text, in codebook order.
    pub fn decide_all<'a>(
        &'a self,
        hits: &'a Hits,
    ) -> impl Iterator<Item = (&'a str, Decision)> + 'a {
        self.rules.iter().map(move |rule| (rule.code.as_str(), self.decide_rule(rule, hits)))
    }

    /// Decides the rule of `code` for a text; `None` when the code has no rule.
    pub fn decide(&self, code: &str, text: &str) -> Option<Decision> {
        let rule = self.rules.iter().find(|r| r.code == code)?;
        Some(self.decide_rule(rule, &self.scan(text)))
    }

    fn decide_rule(&self, rule: &CodeRule, hits: &Hits) -> Decision {
        let evidence = |clause: Clause, atoms: &[usize]| -> Vec<Evidence> {
            atoms
                .iter()
                .filter_map(|&a| {
                    hits.first[a].clone().map(|range| Evidence {
                        clause,
                        term: self.atoms[a].term.text.clone(),
                        range,
                    })
                })
                .collect()
        };
        let mut matched = evidence(Clause::Any, &rule.any);
        matched.extend(evidence(Clause::Regex, &rule.regex));
        let no_any = !(rule.any.is_empty() && rule.regex.is_empty()) && matched.is_empty();
        matched.extend(evidence(Clause::All, &rule.all));
        matched.sort_by_key(|e| (e.range.start, e.clause));
        let missing: Vec<String> = rule
            .all
            .iter()
            .filter(|&&a| hits.first[a].is_none())
            .map(|&a| self.atoms[a].term.text.clone())
            .collect();
        let vetoed_by = evidence(Clause::Not, &rule.not);
        let has_positive = !(rule.any.is_empty() && rule.regex.is_empty() && rule.all.is_empty());
        let applies = has_positive && !no_any && missing.is_empty() && vetoed_by.is_empty();
        Decision { applies, matched, vetoed_by, missing, no_any }
    }
}

/// The text with each timestamp replaced by spaces of the same length, so
/// that a phrase matches across it and offsets stay those of the original.
pub(crate) fn blank_timestamps(text: &str) -> Cow<'_, str> {
    static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\[(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\]")
            .expect("a valid literal pattern")
    });
    if !text.contains('[') {
        return Cow::Borrowed(text);
    }
    TIMESTAMP.replace_all(text, |caps: &regex::Captures<'_>| " ".repeat(caps[0].len()))
}

/// The first match of `regex` in `text` that stands on word boundaries.
///
/// A rejected match may overlap a valid one further on, so the search
/// resumes one character after a rejected match's start.
fn first_on_boundaries(regex: &Regex, text: &str) -> Option<Range<usize>> {
    let mut at = 0;
    while let Some(m) = regex.find_at(text, at) {
        if m.is_empty() {
            return None;
        }
        if on_boundaries(text, m.range()) {
            return Some(m.range());
        }
        at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Whether `range` has a word boundary at each end. No boundary is needed
/// where either character at the edge is Han, Hiragana, Katakana or Hangul,
/// since those scripts do not separate words with spaces.
fn on_boundaries(text: &str, range: Range<usize>) -> bool {
    let edge_ok = |outside: Option<char>, inside: Option<char>| match (outside, inside) {
        (Some(o), Some(i)) => {
            !(is_word(o) && is_word(i)) || is_unspaced_script(o) || is_unspaced_script(i)
        }
        _ => true,
    };
    let before = text[..range.start].chars().next_back();
    let first = text[range.clone()].chars().next();
    let last = text[range.clone()].chars().next_back();
    let after = text[range.end..].chars().next();
    edge_ok(before, first) && edge_ok(after, last)
}

fn is_word(c: char) -> bool {
    regex_syntax::is_word_character(c)
}

fn is_unspaced_script(c: char) -> bool {
    matches!(c.script(), Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul)
}

#[cfg(test)]
mod tests;
