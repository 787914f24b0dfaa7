//! The query grammar, by recursive descent, from the loosest operator to
//! the tightest (NOT > NEAR/OVERLAPS > AND > OR):
//!
//! ```text
//! query   = or
//! or      = and { "OR" and }
//! and     = near { "AND" near }
//! near    = unary { ( "NEAR/n" | "OVERLAPS" ) unary }
//! unary   = "NOT" unary | primary
//! primary = "ALL" | "(" or ")" | "\"text\"" | "coder:" NAME | "speaker:" NAME
//!         | ATTR "=" VALUE | CODE [ "@" CODER ]
//! ```

use std::collections::BTreeSet;

use super::QueryError;
use super::lexer::{Spanned, Token};
use crate::codebook::Codebook;
use crate::suggest::closest;
use crate::term::Term;

/// A parsed query. Atoms keep their column for errors found later (an
/// unknown coder or attribute).
#[derive(Debug, Clone)]
pub(super) enum Expr {
    /// Segments with a coding of one of `codes` (a code and its
    /// descendants), by `coder` when given.
    Code {
        codes: BTreeSet<String>,
        coder: Option<(String, usize)>,
    },
    /// Segments `name` coded.
    Coder {
        name: String,
        column: usize,
    },
    /// Segments where term number `term` matches.
    Text {
        term: usize,
    },
    /// Segments of this speaker.
    Speaker {
        name: String,
        column: usize,
    },
    /// Every segment of a case whose attribute `name` is `value`.
    Attribute {
        name: String,
        value: String,
        column: usize,
    },
    /// Every segment.
    All,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// Within `n` segments of each other, in the same case.
    Near(Box<Expr>, Box<Expr>, usize),
    /// Spans of both that overlap.
    Overlaps(Box<Expr>, Box<Expr>),
}

/// How many operators and parentheses a query may have. They bound how
/// deep its expression nests, which parsing and evaluating walk
/// recursively: a query of 30,000 `NOT`s ran out of stack.
pub(super) const MAX_OPERATORS: usize = 256;

/// What can stand where an operand is expected, for messages.
const OPERAND: &str = "a code, \"text\", coder:NAME, speaker:NAME, ATTR=VALUE, ALL, NOT or `(`";

pub(super) struct Parser<'a> {
    query: &'a str,
    tokens: Vec<Spanned>,
    at: usize,
    codebook: &'a Codebook,
    /// The distinct terms of `"text"` atoms, in order of appearance.
    pub(super) terms: Vec<Term>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(query: &'a str, tokens: Vec<Spanned>, codebook: &'a Codebook) -> Self {
        Parser { query, tokens, at: 0, codebook, terms: Vec::new() }
    }

    /// The whole query.
    pub(super) fn parse(&mut self) -> Result<Expr, QueryError> {
        if self.peek().token == Token::End {
            return Err(QueryError::new(
                self.query,
                1,
                crate::ErrorKind::Missing,
                &format!("the query is empty; expected {OPERAND}, such as `freedom AND broker`"),
            ));
        }
        let too_many = self
            .tokens
            .iter()
            .filter(|t| {
                matches!(
                    t.token,
                    Token::And
                        | Token::Or
                        | Token::Not
                        | Token::Near(_)
                        | Token::Overlaps
                        | Token::Open
                )
            })
            .nth(MAX_OPERATORS);
        if let Some(too_many) = too_many {
            return Err(self.error_at(
                too_many.column,
                &format!(
                    "the query has more than {MAX_OPERATORS} operators and parentheses; qda reads at most {MAX_OPERATORS}: split it into several queries, or name a parent code instead of OR-ing its children"
                ),
            ));
        }
        let expr = self.or()?;
        let next = self.peek();
        if next.token != Token::End {
            let message = if next.token == Token::Close {
                "this `)` closes no `(`; remove it".to_owned()
            } else if let Token::Word(word) = &next.token
                && is_operator(word)
            {
                format!(
                    "expected AND, OR, NEAR/n, OVERLAPS or the end of the query, found `{word}`; operators are written in capitals: {}",
                    word.to_uppercase()
                )
            } else {
                format!(
                    "expected AND, OR, NEAR/n, OVERLAPS or the end of the query, found {}",
                    next.token.describe()
                )
            };
            return Err(self.error_at(next.column, &message));
        }
        Ok(expr)
    }

    fn peek(&self) -> &Spanned {
        &self.tokens[self.at]
    }

    fn next(&mut self) -> Spanned {
        let token = self.tokens[self.at].clone();
        if token.token != Token::End {
            self.at += 1;
        }
        token
    }

    fn error_at(&self, column: usize, message: &str) -> QueryError {
        QueryError::syntax(self.query, column, message)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.peek().token == Token::Or {
            self.next();
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.near()?;
        while self.peek().token == Token::And {
            self.next();
            left = Expr::And(Box::new(left), Box::new(self.near()?));
        }
        Ok(left)
    }

    fn near(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        loop {
            match self.peek().token {
                Token::Near(n) => {
                    self.next();
                    left = Expr::Near(Box::new(left), Box::new(self.unary()?), n);
                }
                Token::Overlaps => {
                    let column = self.next().column;
                    let right_column = self.peek().column;
                    let right = self.unary()?;
                    for (side, at) in [(&left, column), (&right, right_column)] {
                        if !matches!(
                            side,
                            Expr::Code { .. } | Expr::Coder { .. } | Expr::Text { .. }
                        ) {
                            return Err(self.error_at(
                                at,
                                "OVERLAPS compares coded or matched spans: expected a code, coder:NAME or \"text\" on each side (use parentheses around other operators)",
                            ));
                        }
                    }
                    left = Expr::Overlaps(Box::new(left), Box::new(right));
                }
                _ => return Ok(left),
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.peek().token == Token::Not {
            self.next();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let Spanned { token, column } = self.next();
        match token {
            Token::Open => {
                let inner = self.or()?;
                let close = self.next();
                if close.token != Token::Close {
                    return Err(self.error_at(
                        close.column,
                        &format!(
                            "expected `)` to close the `(` at column {column}, or an operator; found {}",
                            close.token.describe()
                        ),
                    ));
                }
                Ok(inner)
            }
            Token::All => Ok(Expr::All),
            Token::Quoted(text) => self.text(&text, column),
            Token::Word(word) => self.word(word, column),
            other => {
                Err(self
                    .error_at(column, &format!("expected {OPERAND}; found {}", other.describe())))
            }
        }
    }

    fn text(&mut self, text: &str, column: usize) -> Result<Expr, QueryError> {
        let term = Term::word(text).map_err(|e| {
            // A codebook offers regexes for other patterns; a query does not.
            let e = e.replace("use `regex` for other patterns", "quote whole words or phrases");
            QueryError::new(self.query, column, crate::ErrorKind::Pattern, &e)
        })?;
        let index = match self.terms.iter().position(|t| *t == term) {
            Some(i) => i,
            None => {
                self.terms.push(term);
                self.terms.len() - 1
            }
        };
        Ok(Expr::Text { term: index })
    }

    /// The value after `coder:`, `speaker:` or `=`: the rest of the word,
    /// or the next word or quoted text.
    fn value(&mut self, rest: &str, what: &str, column: usize) -> Result<String, QueryError> {
        if !rest.is_empty() {
            return Ok(rest.to_owned());
        }
        let next = self.next();
        match next.token {
            Token::Word(w) => Ok(w),
            Token::Quoted(q) if !q.is_empty() => Ok(q),
            other => Err(self.error_at(
                next.column.max(column),
                &format!("expected {what}; found {}", other.describe()),
            )),
        }
    }

    fn word(&mut self, word: String, column: usize) -> Result<Expr, QueryError> {
        if self.peek().token == Token::Equals {
            let equals = self.next().column;
            let value = self.value("", "a value after `=`, such as region=north", equals)?;
            return Ok(Expr::Attribute { name: word, value, column });
        }
        if let Some(rest) = word.strip_prefix("coder:") {
            let name =
                self.value(rest, "a coder's name after `coder:`, such as coder:anna", column)?;
            return Ok(Expr::Coder { name, column });
        }
        if let Some(rest) = word.strip_prefix("speaker:") {
            let name =
                self.value(rest, "a speaker label after `speaker:`, such as speaker:P", column)?;
            return Ok(Expr::Speaker { name, column });
        }
        let (id, coder) = match word.split_once('@') {
            Some((id, coder)) if !coder.is_empty() => {
                (id, Some((coder.to_owned(), column + id.chars().count() + 1)))
            }
            Some(_) => {
                return Err(self.error_at(
                    column + word.chars().count(),
                    &format!("expected a coder's name after `{word}`, such as {word}anna"),
                ));
            }
            None => (word.as_str(), None),
        };
        let Some(code) = self.codebook.code(id) else {
            return Err(self.unknown_code(id, column));
        };
        let mut codes: BTreeSet<String> =
            self.codebook.descendants(id).into_iter().map(|c| c.id.clone()).collect();
        codes.insert(code.id.clone());
        Ok(Expr::Code { codes, coder })
    }

    fn unknown_code(&self, id: &str, column: usize) -> QueryError {
        let upper = id.to_uppercase();
        let hint = if is_operator(id) {
            format!("; operators are written in capitals: {upper}")
        } else {
            let near = closest(id, self.codebook.codes().iter().map(|c| c.id.as_str()));
            let mut hint = match near.as_slice() {
                [] => String::new(),
                some => format!(
                    "; did you mean {}?",
                    some.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")
                ),
            };
            hint.push_str(&format!(" (to search the text, quote it: \"{id}\")"));
            hint
        };
        QueryError::new(
            self.query,
            column,
            crate::ErrorKind::UnknownName,
            &format!("no code `{id}` in {}{hint}", self.codebook.path().display()),
        )
    }
}

/// Whether `word` is an operator written in other than capitals.
fn is_operator(word: &str) -> bool {
    let upper = word.to_uppercase();
    ["AND", "OR", "NOT", "ALL", "OVERLAPS", "NEAR"].contains(&upper.as_str())
        || upper.starts_with("NEAR/")
}

impl Expr {
    /// Calls `f` on this node and every node below it, left to right.
    pub(super) fn visit(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Not(inner) => inner.visit(f),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Near(a, b, _) | Expr::Overlaps(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            _ => {}
        }
    }
}
