//! A small document tree with byte spans, read from TOML or JSON.
//!
//! Codebooks and adjudications are read through this tree rather than straight
//! into structs with serde, so that every complaint (an unknown key, a wrong
//! type, a bad regex, an unknown parent) can point at the exact line and column
//! in either format.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::error::ErrorKind;

/// The syntax a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Toml,
    Json,
}

impl Syntax {
    /// JSON for a `.json` file name, TOML otherwise.
    pub(crate) fn from_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Syntax::Json,
            _ => Syntax::Toml,
        }
    }
}

/// A value and the bytes of the source it came from.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// A TOML date or time, kept as written.
    Datetime(String),
    Array(Vec<Node>),
    /// Keys in source order, each with the span of the key itself.
    Table(Vec<(String, Range<usize>, Node)>),
    Null,
}

impl Value {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
            Value::Null => "null",
        }
    }
}

/// A syntax or shape error at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DocError {
    pub(crate) kind: ErrorKind,
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl DocError {
    pub(crate) fn new(kind: ErrorKind, offset: usize, message: impl Into<String>) -> Self {
        DocError { kind, offset, message: message.into() }
    }
}

/// Parses `text` as a document whose root is a table.
pub(crate) fn parse(text: &str, syntax: Syntax) -> Result<Node, DocError> {
    match syntax {
        Syntax::Toml => parse_toml(text),
        Syntax::Json => parse_json(text),
    }
}

fn parse_toml(text: &str) -> Result<Node, DocError> {
    let table = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        DocError::new(
            ErrorKind::Syntax,
            offset,
            format!("invalid TOML: {}", e.message().trim_end()),
        )
    })?;
    let span = table.span();
    Ok(Node { value: toml_table(table.into_inner()), span })
}

fn toml_table(table: DeTable<'_>) -> Value {
    Value::Table(
        table
            .into_iter()
            .map(|(key, value)| {
                let key_span = key.span();
                (key.into_inner().into_owned(), key_span, toml_node(value))
            })
            .collect(),
    )
}

fn toml_node(node: toml::Spanned<DeValue<'_>>) -> Node {
    let span = node.span();
    let value = match node.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => {
            let text = i.as_str().replace('_', "");
            // Hexadecimal, octal and binary integers carry a two-letter prefix.
            let digits = if i.radix() == 10 { text.as_str() } else { text.get(2..).unwrap_or("") };
            i64::from_str_radix(digits, i.radix())
                .map_or_else(|_| Value::Float(digits.parse().unwrap_or(f64::NAN)), Value::Integer)
        }
        DeValue::Float(f) => {
            Value::Float(f.as_str().replace('_', "").parse::<f64>().unwrap_or(f64::NAN))
        }
        DeValue::Boolean(b) => Value::Boolean(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(items.into_iter().map(toml_node).collect()),
        DeValue::Table(t) => toml_table(t),
    };
    Node { value, span }
}

fn parse_json(text: &str) -> Result<Node, DocError> {
    use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
    // Strict JSON: what serde_json and every other tool reads.
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
        DocError::new(ErrorKind::Syntax, e.range().start, format!("invalid JSON: {}", e.kind()))
    })?;
    let Some(value) = parsed.value else {
        return Err(DocError::new(ErrorKind::Syntax, 0, "the JSON document is empty"));
    };
    Ok(json_node(value))
}

fn json_node(value: jsonc_parser::ast::Value<'_>) -> Node {
    use jsonc_parser::ast::Value as J;
    use jsonc_parser::common::Ranged;
    let range = value.range();
    let span = range.start..range.end;
    let value = match value {
        J::StringLit(s) => Value::String(s.value.into_owned()),
        J::NumberLit(n) => match n.value.parse::<i64>() {
            Ok(i) => Value::Integer(i),
            Err(_) => Value::Float(n.value.parse::<f64>().unwrap_or(f64::NAN)),
        },
        J::BooleanLit(b) => Value::Boolean(b.value),
        J::Array(a) => Value::Array(a.elements.into_iter().map(json_node).collect()),
        J::Object(o) => Value::Table(
            o.properties
                .into_iter()
                .map(|p| {
                    let name_range = p.name.range();
                    (p.name.into_string(), name_range.start..name_range.end, json_node(p.value))
                })
                .collect(),
        ),
        J::NullKeyword(_) => Value::Null,
    };
    Node { value, span }
}

/// A string and the span it came from.
pub(crate) type Spanned = (String, Range<usize>);

/// Reads the keys of one table, remembering which were used so that unknown
/// keys (usually typos) can be reported.
pub(crate) struct Fields<'a> {
    entries: &'a [(String, Range<usize>, Node)],
    used: Vec<bool>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(node: &'a Node, what: &str) -> Result<Self, DocError> {
        match &node.value {
            Value::Table(entries) => Ok(Fields { entries, used: vec![false; entries.len()] }),
            other => Err(DocError::new(
                ErrorKind::InvalidValue,
                node.span.start,
                format!("expected {what} to be a table, found {}", other.type_name()),
            )),
        }
    }

    /// The node under `key`, if present.
    pub(crate) fn get(&mut self, key: &str) -> Option<&'a Node> {
        let index = self.entries.iter().position(|(k, _, _)| k == key)?;
        self.used[index] = true;
        Some(&self.entries[index].2)
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<Spanned>, DocError> {
        match self.get(key) {
            None => Ok(None),
            Some(Node { value: Value::String(s), span }) => Ok(Some((s.clone(), span.clone()))),
            Some(node) => Err(expected(node, key, "a string")),
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Result<Option<bool>, DocError> {
        match self.get(key) {
            None => Ok(None),
            Some(Node { value: Value::Boolean(b), .. }) => Ok(Some(*b)),
            Some(node) => Err(expected(node, key, "true or false")),
        }
    }

    /// An array of strings, each with its span.
    pub(crate) fn strings(&mut self, key: &str) -> Result<Option<Vec<Spanned>>, DocError> {
        let Some(node) = self.get(key) else { return Ok(None) };
        let Value::Array(items) = &node.value else {
            return Err(expected(node, key, "an array of strings"));
        };
        items
            .iter()
            .map(|item| match &item.value {
                Value::String(s) => Ok((s.clone(), item.span.clone())),
                _ => Err(expected(item, key, "a string")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An error for the first key that was never read.
    pub(crate) fn deny_unknown(&self, allowed: &[&str]) -> Result<(), DocError> {
        match self.entries.iter().zip(&self.used).find(|(_, used)| !**used) {
            None => Ok(()),
            Some(((key, span, _), _)) => Err(DocError::new(
                ErrorKind::UnknownKey,
                span.start,
                format!("unknown key `{key}`; expected one of: {}", allowed.join(", ")),
            )),
        }
    }
}

pub(crate) fn expected(node: &Node, key: &str, what: &str) -> DocError {
    DocError::new(
        ErrorKind::InvalidValue,
        node.span.start,
        format!("`{key}` must be {what}, found {}", node.value.type_name()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_keys(node: &Node) -> Vec<&str> {
        match &node.value {
            Value::Table(entries) => entries.iter().map(|(k, _, _)| k.as_str()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn toml_and_json_give_the_same_tree() {
        let toml = parse("b = 1\na = [\"x\", \"y\"]\n", Syntax::Toml).unwrap();
        let json = parse(r#"{"b": 1, "a": ["x", "y"]}"#, Syntax::Json).unwrap();
        assert_eq!(table_keys(&toml), ["b", "a"]);
        assert_eq!(table_keys(&json), ["b", "a"]);
    }

    #[test]
    fn spans_point_at_values() {
        let text = "a = \"hello\"\n";
        let node = parse(text, Syntax::Toml).unwrap();
        let mut fields = Fields::new(&node, "root").unwrap();
        let (value, span) = fields.string("a").unwrap().unwrap();
        assert_eq!(value, "hello");
        assert_eq!(&text[span], "\"hello\"");
    }

    #[test]
    fn json_syntax_errors_have_offsets() {
        let err = parse("{\"a\": [1,]}", Syntax::Json).unwrap_err();
        // The trailing comma.
        assert_eq!(err.offset, 8);
    }

    #[test]
    fn unknown_keys_are_reported() {
        let node = parse("id = \"x\"\nexlusive = true\n", Syntax::Toml).unwrap();
        let mut fields = Fields::new(&node, "code").unwrap();
        fields.string("id").unwrap();
        let err = fields.deny_unknown(&["id", "exclusive"]).unwrap_err();
        assert_eq!(err.offset, 9);
        assert_eq!(err.kind, ErrorKind::UnknownKey);
        assert!(err.message.starts_with("unknown key `exlusive`"), "{}", err.message);
    }
}
