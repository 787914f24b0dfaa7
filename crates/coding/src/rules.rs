//! The compiled rule engine.
//!
//! Every term and regex of a codebook was checked when the codebook was
//! read (`term.rs`). Building a [`RuleSet`] compiles only the patterns'
//! literals, into the prefilter's automata (`literals.rs`); each pattern's
//! own regex is compiled when a scan first needs it, since most terms are
//! single words that the prefilter alone finds, and compiling hundreds of
//! unused regexes would hold up the start of every run. Scanning a segment
//! is one pass of the automata, which names the candidate patterns, then
//! each candidate's own regex to find where it matches. Patterns without a
//! literal are always candidates. Matching a segment cannot fail: all
//! patterns were checked when the codebook was read.
//!
//! Word boundaries are checked in code rather than with `\b` in the patterns,
//! for two reasons: a boundary is not needed next to Han, Hiragana, Katakana or
//! Hangul, which regex assertions cannot express, and Unicode `\b` would stop
//! the regex crate's fast DFA on non-ASCII text.

mod word_term;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::{Anchored, Input};
use serde::{Deserialize, Serialize};
use unicode_script::{Script, UnicodeScript};

use crate::codebook::Codebook;
use crate::error::{CodebookError, ErrorKind, Position};
use crate::literals::Literals;
use crate::term::{Anchor, Term};
use word_term::WordTerm;

/// Patterns sharing a prefilter literal and where it must stand on a boundary.
type LiteralGroup = ((bool, bool), Vec<usize>);

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
    /// Compiled when first needed: most terms are single words, found by
    /// the prefilter alone, and compiling hundreds of unused regexes would
    /// hold up the start of every run.
    regex: OnceLock<MetaRegex>,
    /// A word or phrase in ASCII, located from its literal without the regex.
    words: Option<WordTerm>,
}

impl Atom {
    fn new(term: &Term) -> Self {
        Atom { term: term.clone(), regex: OnceLock::new(), words: WordTerm::of(term) }
    }

    fn regex(&self) -> &MetaRegex {
        self.regex.get_or_init(|| {
            // A pattern searched for only from where its literal occurs
            // needs no prefilter of its own; building one costs more than
            // compiling the rest of the pattern.
            let searched_whole = !matches!(
                self.term.literal.as_ref().map(|l| l.anchor),
                Some(Anchor::Whole | Anchor::Start)
            );
            MetaRegex::builder()
                .configure(MetaRegex::config().auto_prefilter(searched_whole))
                .build(&self.term.pattern)
                .expect("each pattern was compiled when the codebook was read")
        })
    }

    /// The leftmost match at or after byte `from` of `text`.
    fn find_at(&self, text: &str, from: usize) -> Option<Range<usize>> {
        self.regex().search(&Input::new(text).range(from..)).map(|m| m.range())
    }

    /// The match that starts at byte `at` of `text`, if one does.
    fn find_anchored(&self, text: &str, at: usize) -> Option<Range<usize>> {
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        self.regex().search(&input).map(|m| m.range()).filter(|m| !m.is_empty())
    }
}

struct CodeRule {
    code: String,
    any: Vec<usize>,
    all: Vec<usize>,
    not: Vec<usize>,
    regex: Vec<usize>,
    /// The parent codes whose roll-up a segment with this code counts in,
    /// as indices into [`RuleSet::parents`].
    rolled_up: Vec<usize>,
}

/// Every rule of a codebook, compiled.
pub struct RuleSet {
    atoms: Vec<Atom>,
    rules: Vec<CodeRule>,
    /// Finds, in one pass, the literals of every term that has one.
    prefilter: Literals,
    /// For each prefilter literal: groups of patterns by where the literal
    /// must stand on a word boundary.
    literal_atoms: Vec<Vec<LiteralGroup>>,
    /// Patterns without a literal (regexes, terms in cased non-Latin
    /// scripts): each is searched for on its own, with the regex crate's own
    /// literal optimisations, which a `RegexSet` lacks.
    unfiltered: Vec<usize>,
    /// For each pattern, the rules in which a match of it can make the code apply.
    positive_rules: Vec<Vec<usize>>,
    /// The codes that rules' codes roll up into, in id order.
    parents: Vec<String>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("patterns", &self.atoms.len())
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// The buffers a scan fills, kept from one text to the next so that the
/// segments of a transcript are scanned without allocating for each.
#[derive(Debug, Default)]
pub(crate) struct ScanBuffers {
    candidates: Vec<(usize, Option<Range<usize>>)>,
}

/// Where each matched pattern first matches, for one text: the patterns
/// that matched, in pattern order, each with its first match.
#[derive(Debug, Default)]
pub struct Hits {
    found: Vec<(usize, Range<usize>)>,
}

impl Hits {
    /// The first match of pattern `atom`, if it matched.
    fn first(&self, atom: usize) -> Option<&Range<usize>> {
        self.found.binary_search_by_key(&atom, |(a, _)| *a).ok().map(|i| &self.found[i].1)
    }
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
            atoms.push(Atom::new(term));
            atoms.len() - 1
        };
        // Looked up once here: a code's parents are found by searching the
        // codebook, which per transcript would cost more than counting.
        let parents: Vec<String> = (codebook.codes().iter())
            .filter(|code| code.rule.is_some())
            .flat_map(|code| codebook.rolled_up_into(&code.id))
            .map(str::to_owned)
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let mut rules = Vec::new();
        for code in codebook.codes() {
            let Some(rule) = &code.rule else { continue };
            rules.push(CodeRule {
                code: code.id.clone(),
                any: rule.any.iter().map(&mut intern).collect(),
                all: rule.all.iter().map(&mut intern).collect(),
                not: rule.not.iter().map(&mut intern).collect(),
                regex: rule.regex.iter().map(&mut intern).collect(),
                rolled_up: (codebook.rolled_up_into(&code.id))
                    .filter_map(|parent| parents.binary_search_by(|p| p.as_str().cmp(parent)).ok())
                    .collect(),
            });
        }
        Self::assemble(atoms, rules, parents)
            .map_err(|(patterns, reason)| too_large(codebook, patterns, &reason))
    }

    /// A rule set for bare terms, one rule each, named by the term's index:
    /// the query language's `"text"` uses the rules' matching this way.
    /// Equal terms share a pattern, so pass them once.
    ///
    /// # Errors
    /// The prefilter's message when the terms are too many to compile.
    pub(crate) fn of_terms(terms: &[Term]) -> Result<Self, String> {
        let atoms = terms.iter().map(Atom::new).collect();
        let rules = (0..terms.len())
            .map(|i| CodeRule {
                code: i.to_string(),
                any: vec![i],
                all: Vec::new(),
                not: Vec::new(),
                regex: Vec::new(),
                rolled_up: Vec::new(),
            })
            .collect();
        Self::assemble(atoms, rules, Vec::new()).map_err(|(_, reason)| reason)
    }

    /// Whether pattern `atom` matched in a scanned text.
    pub(crate) fn matched(hits: &Hits, atom: usize) -> bool {
        hits.first(atom).is_some()
    }

    /// Compiles the prefilter of `atoms`; the pattern count and reason
    /// when they are too large together.
    fn assemble(
        atoms: Vec<Atom>,
        rules: Vec<CodeRule>,
        parents: Vec<String>,
    ) -> Result<Self, (usize, String)> {
        let mut literals: Vec<String> = Vec::new();
        let mut literal_atoms: Vec<Vec<LiteralGroup>> = Vec::new();
        let mut unfiltered = Vec::new();
        for (index, atom) in atoms.iter().enumerate() {
            let Some(literal) = &atom.term.literal else {
                unfiltered.push(index);
                continue;
            };
            for text in &literal.texts {
                let key = text.to_ascii_lowercase();
                let slot = match literals.iter().position(|l| *l == key) {
                    Some(i) => i,
                    None => {
                        literals.push(key);
                        literal_atoms.push(Vec::new());
                        literals.len() - 1
                    }
                };
                let groups = &mut literal_atoms[slot];
                match groups.iter_mut().find(|(bounded, _)| *bounded == literal.bounded) {
                    Some((_, members)) => members.push(index),
                    None => groups.push((literal.bounded, vec![index])),
                }
            }
        }
        let prefilter = Literals::new(&literals).map_err(|e| (atoms.len(), e.to_string()))?;
        let mut positive_rules = vec![Vec::new(); atoms.len()];
        for (index, rule) in rules.iter().enumerate() {
            for &atom in rule.any.iter().chain(&rule.all).chain(&rule.regex) {
                if positive_rules[atom].last() != Some(&index) {
                    positive_rules[atom].push(index);
                }
            }
        }
        Ok(RuleSet { atoms, rules, prefilter, literal_atoms, unfiltered, positive_rules, parents })
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
    ///
    /// Candidates come from the prefilter (a literal of the pattern occurs,
    /// ASCII case-insensitively) and from one pass of the patterns without a
    /// literal; each candidate is then located with its own regex, on word
    /// boundaries. Two characters fold to ASCII letters under Unicode simple
    /// case folding (`ſ` to `s`, the Kelvin sign to `k`); a text containing
    /// one of them makes every pattern a candidate, so no match is missed.
    pub fn scan(&self, text: &str) -> Hits {
        self.scan_blanked(&blank_timestamps(text))
    }

    /// As [`RuleSet::scan`], for a text whose timestamps are already blanked.
    pub(crate) fn scan_blanked(&self, text: &str) -> Hits {
        let mut hits = Hits::default();
        self.scan_blanked_into(text, &mut ScanBuffers::default(), &mut hits);
        hits
    }

    /// As [`RuleSet::scan_blanked`], into `hits`, with `buffers` kept from
    /// the scan of another text.
    pub(crate) fn scan_blanked_into(&self, text: &str, buffers: &mut ScanBuffers, hits: &mut Hits) {
        // Each candidate pattern with each occurrence of its literal that
        // stands on the boundaries it needs (none: search all the text).
        let candidates = &mut buffers.candidates;
        candidates.clear();
        let folds_to_ascii = self.prefilter.occurrences(text.as_bytes(), |literal, range| {
            let (left, right) =
                (edge_ok_at(text, range.start, true), edge_ok_at(text, range.end, false));
            for ((bound_left, bound_right), members) in &self.literal_atoms[literal] {
                if (left || !bound_left) && (right || !bound_right) {
                    candidates.extend(members.iter().map(|&m| (m, Some(range.clone()))));
                }
            }
        });
        // `ſ` and the Kelvin sign fold to ASCII letters, which the
        // prefilter's ASCII case-insensitive search cannot see.
        if folds_to_ascii {
            candidates.clear();
            candidates.extend((0..self.atoms.len()).map(|index| (index, None)));
        } else {
            // Located below like every candidate; a search that finds nothing
            // costs what a separate "does it match" pass would.
            candidates.extend(self.unfiltered.iter().map(|&index| (index, None)));
        }
        // Each pattern's occurrences in text order.
        candidates.sort_unstable_by_key(|(index, range)| (*index, range.as_ref().map(|r| r.start)));
        hits.found.clear();
        let found = candidates.chunk_by(|a, b| a.0 == b.0).filter_map(|occurrences| {
            let index = occurrences[0].0;
            let atom = &self.atoms[index];
            let anchor = atom.term.literal.as_ref().map(|l| l.anchor);
            let find_at = |from| atom.find_at(text, from);
            let range = match (anchor, occurrences[0].1.clone()) {
                (Some(Anchor::Whole), Some(range)) => Some(range),
                // A word or phrase in ASCII: every match holds an
                // occurrence as the literal's word, so the first
                // occurrence that is one gives the first match.
                (_, Some(_)) if atom.words.is_some() => {
                    let words = atom.words.as_ref()?;
                    occurrences
                        .iter()
                        .filter_map(|(_, range)| range.clone())
                        .find_map(|range| words.locate(text, range))
                }
                // Every match starts at an occurrence: the first one
                // where a match starts (on boundaries, for a term) is
                // the first match.
                (Some(Anchor::Start), Some(_)) => {
                    occurrences.iter().filter_map(|(_, range)| range.as_ref()).find_map(|range| {
                        atom.find_anchored(text, range.start)
                            .filter(|m| atom.term.is_regex || on_boundaries(text, m.clone()))
                    })
                }
                // Usually the match starts right at that run: an
                // anchored search there saves the search for its start.
                (Some(Anchor::InWord(word)), Some(range)) => {
                    let from = run_start_before(text, range.start, word);
                    atom.find_anchored(text, from)
                        .filter(|m| on_boundaries(text, m.clone()))
                        .or_else(|| matches_on_boundaries(find_at, text, from).next())
                }
                _ if atom.term.is_regex => find_at(0),
                _ => matches_on_boundaries(find_at, text, 0).next(),
            };
            range.map(|r| (index, r))
        });
        hits.found.extend(found);
    }

    /// The codes whose rules apply to a scanned text, in codebook order,
    /// each with the clause, term and byte range recorded as its source.
    pub fn applying<'a, 'h>(
        &'a self,
        hits: &'h Hits,
    ) -> impl Iterator<Item = (&'a str, Clause, &'a str, Range<usize>)> + use<'a, 'h> {
        self.applying_rules(hits).filter_map(move |rule| self.source(rule, hits))
    }

    /// The code of rule `rule` (an index from [`RuleSet::applying_rules`])
    /// with the clause, term and byte range recorded as the source of its
    /// coding of a scanned text: the earliest `any` term or regex, or the
    /// earliest `all` term for a rule with only `all` terms.
    pub(crate) fn source<'a>(
        &'a self,
        rule: usize,
        hits: &Hits,
    ) -> Option<(&'a str, Clause, &'a str, Range<usize>)> {
        let rule = &self.rules[rule];
        let earliest = |clause: Clause, atoms: &'a [usize]| {
            atoms.iter().filter_map(move |a| hits.first(*a).map(|range| (range.start, clause, *a)))
        };
        let source = if rule.any.is_empty() && rule.regex.is_empty() {
            earliest(Clause::All, &rule.all).min()
        } else {
            earliest(Clause::Any, &rule.any).chain(earliest(Clause::Regex, &rule.regex)).min()
        }?;
        let (_, clause, atom) = source;
        let range = hits.first(atom)?.clone();
        Some((rule.code.as_str(), clause, self.atoms[atom].term.text.as_str(), range))
    }

    /// The rules that apply to a scanned text, by index, in codebook order.
    pub(crate) fn applying_rules(&self, hits: &Hits) -> impl Iterator<Item = usize> + use<> {
        let mut rules = Vec::new();
        self.applying_rules_into(hits, &mut rules);
        rules.into_iter()
    }

    /// As [`RuleSet::applying_rules`], into `rules`. Only rules with a
    /// matching `any`, `all` or `regex` pattern are looked at: a rule none
    /// of whose patterns matched cannot apply.
    pub(crate) fn applying_rules_into(&self, hits: &Hits, rules: &mut Vec<usize>) {
        rules.clear();
        rules.extend(hits.found.iter().flat_map(|(a, _)| self.positive_rules[*a].iter().copied()));
        rules.sort_unstable();
        rules.dedup();
        rules.retain(|&r| {
            let rule = &self.rules[r];
            let hit = |a: &usize| hits.first(*a).is_some();
            !rule.not.iter().any(hit)
                && rule.all.iter().all(hit)
                && (rule.any.is_empty() && rule.regex.is_empty()
                    || rule.any.iter().chain(&rule.regex).any(hit))
        });
    }

    /// The id of the code of rule `rule` (an index from
    /// [`RuleSet::applying_rules`]).
    pub(crate) fn rule_code(&self, rule: usize) -> &str {
        &self.rules[rule].code
    }

    /// Number of rules.
    pub(crate) fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The parent codes whose roll-up a segment with rule `rule`'s code
    /// counts in, as indices into [`RuleSet::parent`].
    pub(crate) fn rolled_up(&self, rule: usize) -> &[usize] {
        &self.rules[rule].rolled_up
    }

    /// The parent code numbered `parent` by [`RuleSet::rolled_up`].
    pub(crate) fn parent(&self, parent: usize) -> &str {
        &self.parents[parent]
    }

    /// Number of parent codes [`RuleSet::rolled_up`] numbers.
    pub(crate) fn parent_count(&self) -> usize {
        self.parents.len()
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
                    hits.first(a).cloned().map(|range| Evidence {
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
            .filter(|&&a| hits.first(a).is_none())
            .map(|&a| self.atoms[a].term.text.clone())
            .collect();
        let vetoed_by = evidence(Clause::Not, &rule.not);
        let has_positive = !(rule.any.is_empty() && rule.regex.is_empty() && rule.all.is_empty());
        let applies = has_positive && !no_any && missing.is_empty() && vetoed_by.is_empty();
        Decision { applies, matched, vetoed_by, missing, no_any }
    }
}

fn too_large(codebook: &Codebook, patterns: usize, reason: &str) -> CodebookError {
    CodebookError {
        kind: ErrorKind::TooLarge,
        position: Position { path: codebook.path().to_owned(), location: None },
        code: None,
        message: format!(
            "the codebook's {patterns} terms and regexes are too large to compile together ({reason}); use fewer or simpler regexes"
        ),
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

/// Every match of `regex` in `text` that stands on word boundaries, in text
/// order (overlapping matches included).
pub(crate) fn all_on_boundaries(regex: &Regex, text: &str) -> Vec<Range<usize>> {
    matches_on_boundaries(|from| regex.find_at(text, from).map(|m| m.range()), text, 0).collect()
}

/// Matches on word boundaries, from byte `from` on, where `find_at` gives
/// the leftmost match at or after a byte offset. A rejected match may
/// overlap a valid one, so the search resumes after a rejected match's
/// start, at the next place a match may start at all (where the left
/// boundary holds). Skipping straight there keeps the search linear:
/// resuming one character later would search a long word again and again.
fn matches_on_boundaries<'a>(
    find_at: impl Fn(usize) -> Option<Range<usize>> + 'a,
    text: &'a str,
    from: usize,
) -> impl Iterator<Item = Range<usize>> + 'a {
    let mut at = Some(from);
    std::iter::from_fn(move || {
        while let Some(m) = find_at(at?) {
            if m.is_empty() {
                at = None;
                return None;
            }
            at = next_start(text, m.start);
            if on_boundaries(text, m.clone()) {
                return Some(m);
            }
        }
        at = None;
        None
    })
}

/// Where the run of non-white-space characters `runs` runs before the one
/// holding byte `at` starts; the start of the first run when there are not
/// that many. White space is Unicode's, as the regex crate's `\s` has it.
fn run_start_before(text: &str, at: usize, runs: usize) -> usize {
    let mut before = text[..at].char_indices().rev().peekable();
    let mut start = at;
    for run in 0..=runs {
        while let Some((i, _)) = before.next_if(|(_, c)| !c.is_whitespace()) {
            start = i;
        }
        if run == runs || before.peek().is_none() {
            break;
        }
        while before.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }
    start
}

/// The first position after `after` where a match may start: where the left
/// boundary rule holds.
fn next_start(text: &str, after: usize) -> Option<usize> {
    text[after..]
        .char_indices()
        .skip(1)
        .map(|(i, _)| after + i)
        .find(|&p| edge_ok_at(text, p, true))
}

/// Whether `range` has a word boundary at each end. No boundary is needed
/// where either character at the edge is Han, Hiragana, Katakana or Hangul,
/// since those scripts do not separate words with spaces.
fn on_boundaries(text: &str, range: Range<usize>) -> bool {
    edge_ok_at(text, range.start, true) && edge_ok_at(text, range.end, false)
}

/// Whether a match may start (`starts`) or end at byte `at` of `text`: not
/// between two word characters, unless one of them is Han, Hiragana,
/// Katakana or Hangul.
fn edge_ok_at(text: &str, at: usize, starts: bool) -> bool {
    let (outside, inside) = if starts {
        (text[..at].chars().next_back(), text[at..].chars().next())
    } else {
        (text[at..].chars().next(), text[..at].chars().next_back())
    };
    match (outside, inside) {
        // ASCII is never Han, kana or Hangul: no script lookup needed.
        (Some(o), Some(i)) if o.is_ascii() && i.is_ascii() => !(is_word(o) && is_word(i)),
        (Some(o), Some(i)) => {
            !(is_word(o) && is_word(i)) || is_unspaced_script(o) || is_unspaced_script(i)
        }
        _ => true,
    }
}

fn is_word(c: char) -> bool {
    // The Unicode tables are searched only for what ASCII cannot settle.
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        regex_syntax::is_word_character(c)
    }
}

fn is_unspaced_script(c: char) -> bool {
    matches!(c.script(), Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul)
}

#[cfg(test)]
mod tests;
