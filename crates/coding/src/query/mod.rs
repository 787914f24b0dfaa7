//! The query language of `qda query`: codes, coders, speakers, case
//! attributes and text, joined by `AND`, `OR`, `NOT`, `NEAR/n` and
//! `OVERLAPS` (grammar in `parser.rs` and `docs/query.md`).
//!
//! A [`Query`] is parsed against a codebook, so an unknown code is an error
//! at its column; names that only the data knows (coders, speakers,
//! attributes) are checked with [`Query::check_names`]. Evaluating a query
//! on one case ([`Query::evaluate`]) gives the segments that match. Quoted
//! text is matched as a rule's term is (`term.rs`, `rules.rs`): case
//! folding, `*` at either end, phrases across any white space, no word
//! boundary needed next to Han, kana and Hangul.

mod eval;
mod lexer;
mod multi;
mod parser;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;

use crate::codebook::Codebook;
use crate::error::ErrorKind;
use crate::rules::RuleSet;
use crate::suggest::closest;

pub use eval::QueryMatch;
pub use multi::{SegmentCoders, several_coders};

/// Where a query is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// Each segment on its own: its codes, coders, speaker and text (and
    /// its case's attributes); `NEAR/n` looks at the segments around it.
    #[default]
    Segment,
    /// Each case as a whole: an atom holds when it holds in any of the
    /// case's segments, and the operators join those truths, so
    /// `freedom AND broker` asks for both anywhere in the case.
    Case,
}

/// A query that is wrong: the column it points at (code points, from 1)
/// and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct QueryError {
    /// The query as given.
    pub query: String,
    /// Column of the problem, in code points from 1.
    pub column: usize,
    /// What sort of problem it is.
    pub kind: ErrorKind,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl QueryError {
    fn new(query: &str, column: usize, kind: ErrorKind, message: &str) -> Self {
        QueryError { query: query.to_owned(), column, kind, message: message.to_owned() }
    }

    fn syntax(query: &str, column: usize, message: &str) -> Self {
        Self::new(query, column, ErrorKind::Syntax, message)
    }
}

impl fmt::Display for QueryError {
    /// `query:1:COL: message`, then the query with a caret under the column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query = self.query.replace(['\n', '\r', '\t'], " ");
        let caret = " ".repeat(self.column.saturating_sub(1));
        write!(f, "query:1:{}: {}\n  {query}\n  {caret}^", self.column, self.message)
    }
}

/// The names a study has, to check a query's coders, speakers and
/// attributes against.
#[derive(Debug, Clone, Default)]
pub struct KnownNames {
    /// Every coder of the codings.
    pub coders: BTreeSet<String>,
    /// Every speaker label of the transcripts.
    pub speakers: BTreeSet<String>,
    /// Every case attribute's name.
    pub attributes: BTreeSet<String>,
}

/// A parsed query, ready to evaluate on each case.
pub struct Query {
    text: String,
    expr: parser::Expr,
    /// The quoted texts' terms, compiled as a rule set (one rule each).
    terms: RuleSet,
    /// The same terms' patterns, for the spans `OVERLAPS` compares.
    patterns: Vec<regex::Regex>,
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query").field("text", &self.text).finish()
    }
}

impl Query {
    /// Parses `text`, resolving each code (a parent stands for itself and
    /// every code below it) in `codebook`.
    ///
    /// # Errors
    /// An empty query, a syntax error, an unknown code or a quoted text
    /// that is no valid term, each at its column.
    pub fn parse(text: &str, codebook: &Codebook) -> Result<Query, QueryError> {
        let tokens = lexer::tokens(text)?;
        let mut parser = parser::Parser::new(text, tokens, codebook);
        let expr = parser.parse()?;
        let terms = std::mem::take(&mut parser.terms);
        let compiled = RuleSet::of_terms(&terms)
            .map_err(|reason| QueryError::new(text, 1, ErrorKind::TooLarge, &reason))?;
        let patterns = terms
            .iter()
            .map(|t| {
                regex::Regex::new(&t.pattern).expect("a term's pattern was compiled when read")
            })
            .collect();
        Ok(Query { text: text.to_owned(), expr, terms: compiled, patterns })
    }

    /// The query as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The query narrowed to segments that each of `coded_by` coded and
    /// none of `not_coded_by` did (check those names first: they have no
    /// column in the query).
    pub fn with_coders(mut self, coded_by: &[String], not_coded_by: &[String]) -> Query {
        let coder = |name: &String| parser::Expr::Coder { name: name.clone(), column: 0 };
        for name in coded_by {
            self.expr = parser::Expr::And(Box::new(self.expr), Box::new(coder(name)));
        }
        for name in not_coded_by {
            let not = parser::Expr::Not(Box::new(coder(name)));
            self.expr = parser::Expr::And(Box::new(self.expr), Box::new(not));
        }
        self
    }

    /// Checks that every coder, speaker and attribute the query names
    /// exists in `known`.
    ///
    /// # Errors
    /// The first unknown name, at its column, with the nearest known ones.
    pub fn check_names(&self, known: &KnownNames) -> Result<(), QueryError> {
        let mut problem = None;
        self.expr.visit(&mut |expr| {
            if problem.is_some() {
                return;
            }
            let (name, column, names, what) = match expr {
                parser::Expr::Code { coder: Some((name, column)), .. }
                | parser::Expr::Coder { name, column } => {
                    (name, *column, &known.coders, "coder in the codings")
                }
                parser::Expr::Speaker { name, column } => {
                    (name, *column, &known.speakers, "speaker in the transcripts")
                }
                parser::Expr::Attribute { name, column, .. } => {
                    (name, *column, &known.attributes, "case attribute")
                }
                _ => return,
            };
            if !names.contains(name) {
                problem = Some(self.unknown(name, column, names, what));
            }
        });
        problem.map_or(Ok(()), Err)
    }

    fn unknown(
        &self,
        name: &str,
        column: usize,
        names: &BTreeSet<String>,
        what: &str,
    ) -> QueryError {
        let near = closest(name, names.iter().map(String::as_str));
        let hint = match near.first() {
            Some(n) => format!("did you mean `{n}`? "),
            None => String::new(),
        };
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        let list = if list.is_empty() { "none".to_owned() } else { list.join(", ") };
        QueryError::new(
            &self.text,
            column,
            ErrorKind::UnknownName,
            &format!("no {what} is called `{name}`; {hint}known: {list}"),
        )
    }
}
