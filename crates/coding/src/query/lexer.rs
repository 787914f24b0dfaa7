//! Splits a query into tokens, each with the column it starts at.

use super::QueryError;

/// One token of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Open,
    Close,
    Equals,
    And,
    Or,
    Not,
    /// `ALL`: every segment.
    All,
    /// `NEAR/n`: within `n` segments.
    Near(usize),
    Overlaps,
    /// A double-quoted text, unescaped.
    Quoted(String),
    /// Any other run of characters: a code, `coder:NAME`, an attribute.
    Word(String),
    End,
}

impl Token {
    /// How an error message names the token.
    pub(super) fn describe(&self) -> String {
        match self {
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Equals => "`=`".into(),
            Token::And => "`AND`".into(),
            Token::Or => "`OR`".into(),
            Token::Not => "`NOT`".into(),
            Token::All => "`ALL`".into(),
            Token::Near(n) => format!("`NEAR/{n}`"),
            Token::Overlaps => "`OVERLAPS`".into(),
            Token::Quoted(text) => format!("\"{text}\""),
            Token::Word(word) => format!("`{word}`"),
            Token::End => "the end of the query".into(),
        }
    }
}

/// A token and its column (code points, from 1).
#[derive(Debug, Clone)]
pub(super) struct Spanned {
    pub(super) token: Token,
    pub(super) column: usize,
}

/// The tokens of `query`, ending with [`Token::End`].
pub(super) fn tokens(query: &str) -> Result<Vec<Spanned>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let column = at + 1;
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        let token = match c {
            '(' => Token::Open,
            ')' => Token::Close,
            '=' => Token::Equals,
            '"' => {
                let (text, end) = quoted(&chars, at).ok_or_else(|| {
                    QueryError::syntax(
                        query,
                        column,
                        "this quote is never closed; expected a closing `\"` after the text",
                    )
                })?;
                at = end;
                out.push(Spanned { token: Token::Quoted(text), column });
                continue;
            }
            _ => {
                let start = at;
                while at < chars.len() && !ends_word(chars[at]) {
                    at += 1;
                }
                let word: String = chars[start..at].iter().collect();
                out.push(Spanned { token: keyword(query, &word, column)?, column });
                continue;
            }
        };
        at += 1;
        out.push(Spanned { token, column });
    }
    out.push(Spanned { token: Token::End, column: chars.len() + 1 });
    Ok(out)
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '=' | '"')
}

/// The text of the quote opening at `open` (`\"` and `\\` escape), and
/// the index after its closing quote.
fn quoted(chars: &[char], open: usize) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut at = open + 1;
    while at < chars.len() {
        match chars[at] {
            '"' => return Some((text, at + 1)),
            '\\' if matches!(chars.get(at + 1), Some('"' | '\\')) => {
                text.push(chars[at + 1]);
                at += 2;
            }
            c => {
                text.push(c);
                at += 1;
            }
        }
    }
    None
}

/// An operator when `word` is one (written in capitals), else a word.
fn keyword(query: &str, word: &str, column: usize) -> Result<Token, QueryError> {
    Ok(match word {
        "AND" => Token::And,
        "OR" => Token::Or,
        "NOT" => Token::Not,
        "ALL" => Token::All,
        "OVERLAPS" => Token::Overlaps,
        _ if word == "NEAR" || word.starts_with("NEAR/") => {
            let n = word.strip_prefix("NEAR/").and_then(|n| n.parse().ok()).ok_or_else(|| {
                QueryError::syntax(
                    query,
                    column,
                    &format!(
                        "`{word}`: expected the number of segments after `NEAR/`, such as NEAR/2"
                    ),
                )
            })?;
            Token::Near(n)
        }
        _ => Token::Word(word.to_owned()),
    })
}
