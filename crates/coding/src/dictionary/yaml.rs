//! quanteda's YAML dictionaries: nested keys, each a category, whose
//! values are lists of glob patterns (or a single pattern).

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, YamlData};

use super::Builder;
use crate::error::{CodebookError, ErrorKind};
use crate::location::Location;

/// Nesting deeper than this is refused rather than followed: a dictionary
/// is a handful of levels, and recursion must not overflow the stack.
const MAX_DEPTH: usize = 64;

/// How far into a line its indentation and `- ` entries may reach. The
/// YAML loader follows block nesting recursively, with no limit of its own
/// (a line of 20,000 `- ` ran out of stack), so nesting is bounded here
/// before the file is loaded; flow nesting (`[[[`) the loader bounds itself.
const MAX_LEAD: usize = 1_000;

pub(super) fn read(builder: &mut Builder<'_>, text: &str) -> Result<(), CodebookError> {
    for (number, line) in text.lines().enumerate() {
        let lead = line.bytes().take_while(|b| matches!(b, b' ' | b'\t' | b'-' | b'?')).count();
        if lead > MAX_LEAD {
            return Err(builder.error(
                ErrorKind::InvalidValue,
                Location { line: number + 1, column: MAX_LEAD + 1 },
                format!(
                    "this line is indented or nested more than {MAX_LEAD} columns deep; a quanteda dictionary is a handful of levels: flatten it"
                ),
            ));
        }
    }
    let documents = MarkedYaml::load_from_str(text).map_err(|e| {
        builder.error(
            ErrorKind::Syntax,
            location(e.marker()),
            format!(
                "not valid YAML: {}; a quanteda dictionary is `KEY:` lines with lists of patterns",
                e.info()
            ),
        )
    })?;
    let Some(root) = documents.first() else {
        return Err(builder.error(
            ErrorKind::Missing,
            Location { line: 1, column: 1 },
            "the file is empty; a quanteda dictionary maps each category to its patterns, such as `economy: [growth, jobs*]`",
        ));
    };
    if documents.len() > 1 {
        return Err(builder.error(
            ErrorKind::Syntax,
            location(&documents[1].span.start),
            "a second YAML document; a dictionary is one document, so remove the `---` and what follows or merge it into the first",
        ));
    }
    let YamlData::Mapping(_) = &root.data else {
        return Err(builder.error(
            ErrorKind::InvalidValue,
            location(&root.span.start),
            format!(
                "this YAML is {}, not a dictionary; a quanteda dictionary maps each category to its patterns, such as `economy: [growth, jobs*]`",
                describe(root)
            ),
        ));
    };
    category_tree(builder, root, None, 0)
}

/// Adds the categories of mapping `node` (children of code `parent`).
fn category_tree(
    builder: &mut Builder<'_>,
    node: &MarkedYaml<'_>,
    parent: Option<usize>,
    depth: usize,
) -> Result<(), CodebookError> {
    let YamlData::Mapping(map) = &node.data else { unreachable!("called on mappings only") };
    if depth > MAX_DEPTH {
        return Err(builder.error(
            ErrorKind::CodeTree,
            location(&node.span.start),
            format!("categories nested more than {MAX_DEPTH} deep; flatten the dictionary"),
        ));
    }
    for (key, value) in map {
        let Some(name) = scalar_text(key) else {
            return Err(builder.error(
                ErrorKind::InvalidValue,
                location(&key.span.start),
                format!("a category's name is {}; write a name such as `economy:`", describe(key)),
            ));
        };
        let code = builder.add_code(&name, parent);
        match &value.data {
            YamlData::Mapping(_) => category_tree(builder, value, Some(code), depth + 1)?,
            YamlData::Sequence(items) => {
                for item in items {
                    let Some(pattern) = scalar_text(item) else {
                        return Err(builder.error(
                            ErrorKind::InvalidValue,
                            location(&item.span.start),
                            format!(
                                "a pattern of `{name}` is {}; list patterns as plain words such as `- jobs*`, and nest categories as keys",
                                describe(item)
                            ),
                        ));
                    };
                    builder.add_pattern(code, &pattern, location(&item.span.start))?;
                }
            }
            YamlData::Value(Scalar::Null) => {
                builder.warn(
                    location(&key.span.start),
                    format_args!(
                        "category `{name}` has no patterns; it becomes a code without a rule"
                    ),
                );
            }
            _ => match scalar_text(value) {
                Some(pattern) => {
                    builder.add_pattern(code, &pattern, location(&value.span.start))?;
                }
                None => {
                    return Err(builder.error(
                        ErrorKind::InvalidValue,
                        location(&value.span.start),
                        format!(
                            "`{name}` is {}; give a category a list of patterns or nested categories",
                            describe(value)
                        ),
                    ));
                }
            },
        }
    }
    Ok(())
}

/// The text of a scalar node (numbers and booleans as written), or none.
fn scalar_text(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        YamlData::Tagged(_, inner) => scalar_text(inner),
        _ => None,
    }
}

/// What a node is, for messages.
fn describe(node: &MarkedYaml<'_>) -> &'static str {
    match &node.data {
        YamlData::Mapping(_) => "a mapping",
        YamlData::Sequence(_) => "a list",
        YamlData::Value(Scalar::Null) => "empty",
        YamlData::Alias(_) => "an alias",
        YamlData::Tagged(_, _) => "a tagged value",
        _ => "a single value",
    }
}

/// A saphyr marker (1-based line, 0-based column) as a qda location.
fn location(marker: &Marker) -> Location {
    Location { line: marker.line().max(1), column: marker.col() + 1 }
}
