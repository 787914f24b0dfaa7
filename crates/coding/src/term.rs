//! A rule's terms and regexes, checked when the codebook is read.
//!
//! A term is a word or phrase, matched case-insensitively with any white
//! space between its words; a regex is matched case-insensitively too. Each
//! is checked once, when the codebook is read, so that a bad pattern is
//! reported with its place in the codebook and matching can never fail; a
//! regex is compiled then to find its errors. Each term also records the
//! literal the rule engine's prefilter looks for first (`rules.rs`).

use regex::RegexBuilder;

/// Longest term, in characters. Terms are words and phrases; a limit keeps
/// every term's compiled pattern far below the regex crate's size limit.
pub const MAX_TERM_CHARS: usize = 1000;

/// A term or regex of a rule, as written and as compiled into a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub(crate) text: String,
    pub(crate) pattern: String,
    pub(crate) is_regex: bool,
    /// Pieces of text one of which every match contains, matchable by
    /// ASCII case-insensitive search: the prefilter looks for them first.
    pub(crate) literal: Option<Literal>,
}

/// The prefilter's view of a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    /// Alternatives (one for a word or phrase; several for some regexes).
    pub(crate) texts: Vec<String>,
    /// Whether a match's word boundary rule applies right at the literal's
    /// start (and end): then an occurrence glued to a word character, such
    /// as `son` inside `person`, cannot be part of a match.
    pub(crate) bounded: (bool, bool),
    /// Where a match stands relative to an occurrence of the literal.
    pub(crate) anchor: Anchor,
}

/// What an occurrence of a pattern's literal says about where a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// The occurrence, when it stands on the boundaries the literal needs,
    /// is itself a match: a single word without `*`.
    Whole,
    /// Every match starts with an occurrence: locating tries an anchored
    /// search at each occurrence in turn.
    Start,
    /// The occurrence is in the term's word number `n` (from 0), and a
    /// phrase's words are separated by white space only: a match starts in
    /// the run of non-white-space characters `n` runs before the
    /// occurrence's own, so locating can begin at that run's start.
    InWord(usize),
    /// The occurrence is somewhere inside a match.
    Inside,
}

impl Term {
    /// A word or phrase: case-insensitive, any white space between words,
    /// `*` at either end for any run of word characters.
    ///
    /// # Errors
    /// An empty term, or a `*` anywhere but at an end.
    pub fn word(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (core, wildcards) = split_wildcards(trimmed);
        if core.trim().is_empty() {
            return Err(format!("term `{text}` has no text to match; remove it or write a word"));
        }
        let chars = trimmed.chars().count();
        if chars > MAX_TERM_CHARS {
            let start: String = trimmed.chars().take(20).collect();
            return Err(format!(
                "term `{start}…` has {chars} characters; a term is a word or phrase of at most {MAX_TERM_CHARS}, so shorten it or split it into several terms"
            ));
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
        if wildcards.0 {
            pattern.push_str(r"\w*");
        }
        pattern.push_str(&words.join(r"\s+"));
        if wildcards.1 {
            pattern.push_str(r"\w*");
        }
        Ok(Term {
            text: trimmed.to_owned(),
            pattern,
            is_regex: false,
            literal: literal_of(core, wildcards),
        })
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
            Ok(_) => Ok(Term {
                text: text.to_owned(),
                pattern,
                is_regex: true,
                literal: regex_literal(text).map(|(texts, anchor)| Literal {
                    texts,
                    bounded: (false, false),
                    anchor,
                }),
            }),
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

/// A word term as written (trimmed) without the `*` at either end, and
/// whether a `*` stands at its start and at its end (a lone `*` is a start).
pub(crate) fn split_wildcards(trimmed: &str) -> (&str, (bool, bool)) {
    let prefix = trimmed.starts_with('*');
    let suffix = trimmed.len() > 1 && trimmed.ends_with('*');
    let core = if prefix { &trimmed[1..] } else { trimmed };
    let core = if suffix { &core[..core.len() - 1] } else { core };
    (core, (prefix, suffix))
}

/// The longest run of a term's text whose characters are ASCII or have no
/// case at all (Hangul, Han, kana), so that ASCII case-insensitive search
/// finds it exactly where Unicode case folding would.
fn literal_of(core: &str, (prefix_wildcard, suffix_wildcard): (bool, bool)) -> Option<Literal> {
    let caseless = |c: char| {
        c.is_ascii() || (!c.is_lowercase() && !c.is_uppercase() && c.to_lowercase().eq([c]))
    };
    let words: Vec<&str> = core.split_whitespace().collect();
    let last_word = words.len().saturating_sub(1);
    let mut best: Option<(&str, (bool, bool), usize, bool)> = None;
    for (w, word) in words.iter().enumerate() {
        let runs: Vec<&str> = word.split(|c: char| !caseless(c)).collect();
        let last_run = runs.len() - 1;
        for (r, run) in runs.iter().enumerate() {
            if run.is_empty() || best.is_some_and(|(b, ..)| b.len() >= run.len()) {
                continue;
            }
            // A side is bounded where the run ends its word and no `*`
            // extends the term there.
            let left = r == 0 && !(w == 0 && prefix_wildcard);
            let right = r == last_run && !(w == last_word && suffix_wildcard);
            best = Some((run, (left, right), w, r == 0));
        }
    }
    best.map(|(run, bounded, word, first_run)| {
        let anchor = if run.len() == core.len() && bounded == (true, true) {
            Anchor::Whole
        } else if word == 0 && first_run && !prefix_wildcard {
            Anchor::Start
        } else {
            Anchor::InWord(word)
        };
        Literal { texts: vec![run.to_owned()], bounded, anchor }
    })
}

/// Literals one of which every match of a regex starts (or ends) with, when
/// there is a short list of them that ASCII case-insensitive search can look
/// for.
fn regex_literal(text: &str) -> Option<(Vec<String>, Anchor)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::Parser::new().parse(text).ok()?;
    // Every match starts with one of the prefixes, and ends with one of the
    // suffixes; either list serves, whichever is usable.
    [ExtractKind::Prefix, ExtractKind::Suffix].into_iter().find_map(|kind| {
        let anchor =
            if matches!(kind, ExtractKind::Prefix) { Anchor::Start } else { Anchor::Inside };
        let mut extractor = Extractor::new();
        extractor.kind(kind).limit_total(64);
        let seq = extractor.extract(&hir);
        let literals = seq.literals()?;
        let ascii = |b: &u8| b.is_ascii();
        let usable = !literals.is_empty()
            && literals.iter().all(|l| l.as_bytes().len() >= 2 && l.as_bytes().iter().all(ascii));
        usable.then(|| {
            let mut words: Vec<String> = literals
                .iter()
                .map(|l| String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase())
                .collect();
            words.sort();
            words.dedup();
            (words, anchor)
        })
    })
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;

    #[test]
    fn term_errors_name_the_term() {
        assert_eq!(
            Term::word("st*rv").unwrap_err(),
            "term `st*rv`: `*` may stand only at the start or end of a term; use `regex` for other patterns"
        );
        assert_eq!(
            Term::word("*").unwrap_err(),
            "term `*` has no text to match; remove it or write a word"
        );
        assert_eq!(
            Term::word("* free").unwrap_err(),
            "term `* free`: `*` must touch the word it extends"
        );
        let long = "hunger ".repeat(200);
        assert_eq!(
            Term::word(&long).unwrap_err(),
            "term `hunger hunger hunger…` has 1399 characters; a term is a word or phrase of at most 1000, so shorten it or split it into several terms"
        );
        // The longest term allowed compiles, also with characters whose case
        // folding makes the pattern large.
        let longest = "ſtraße ".repeat(MAX_TERM_CHARS / 7);
        Regex::new(&Term::word(&longest).unwrap().pattern).unwrap();
        assert_eq!(Term::word("  hunger ").unwrap().as_str(), "hunger");
        assert!(!Term::word("hunger").unwrap().is_regex());
        assert!(Term::regex("hung(er)?", 1 << 20).unwrap().is_regex());
    }

    #[test]
    fn literals_are_runs_that_ascii_case_insensitive_search_finds() {
        let literal = |core: &str, wildcards| {
            literal_of(core, wildcards).map(|l| (l.texts.join("|"), l.bounded))
        };
        assert_eq!(
            literal("nothing to eat", (false, false)),
            Some(("nothing".into(), (true, true)))
        );
        assert_eq!(literal("starv", (false, true)), Some(("starv".into(), (true, false))));
        assert_eq!(literal("ing", (true, false)), Some(("ing".into(), (false, true))));
        assert_eq!(literal("Chōsen", (false, false)), Some(("sen".into(), (false, true))));
        assert_eq!(literal("자유", (false, false)), Some(("자유".into(), (true, true))));
        assert_eq!(literal("свобода", (false, false)), None);
        assert_eq!(
            regex_literal("kept (?:calling|asking) me").map(|(l, _)| l.join("|")).as_deref(),
            Some("kept asking me|kept calling me")
        );
        assert_eq!(
            regex_literal(r"\d{1,2} days in (?:prison|detention)")
                .map(|(l, _)| l.join("|"))
                .as_deref(),
            Some(" days in detention| days in prison")
        );
        assert_eq!(regex_literal(r"\w+ing").map(|(l, _)| l.join("|")).as_deref(), Some("ing"));
        assert_eq!(regex_literal(r"\w+"), None);
        assert_eq!(regex_literal("자유|freedom"), None);
    }
}
