//! Codebooks: the code tree, texts for coders, and rules.
//!
//! A codebook is read from TOML or JSON (same schema) and validated once, up
//! front: ids, the parent tree, exclusive groups, colours, terms and regexes.
//! A [`Codebook`] that exists is valid, so the rule engine built from it
//! cannot fail on a bad pattern later.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::doc::{self, DocError, Fields, Node, Syntax, Value};
use crate::error::{CodebookError, ErrorKind, Position};
use crate::location::LineIndex;
use crate::segment::Unit;
use crate::suggest::suggest;
use crate::term::Term;

/// The largest compiled size of one regex in a rule, in bytes. Larger regexes
/// are nearly always a mistake (a huge alternation, a counted repetition of a
/// Unicode class) and would make coding slow.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The id a tally uses for cases with none of an exclusive group's codes.
pub const UNCODED: &str = "uncoded";

/// How deep codes may nest: a code with more parents above it than this is
/// refused. Deeper trees are nearly always made by a program gone wrong, and
/// every walk from a code to its root would grow with them.
pub const MAX_CODE_DEPTH: usize = 1_000;

/// How a case with several codes of one exclusive group gets one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolve {
    /// The first code in codebook order.
    Priority,
    /// The code with most segments; ties go by priority.
    Majority,
    /// Nothing: the conflict must be settled in an adjudications file.
    Adjudicate,
}

impl Resolve {
    /// The name used in codebooks.
    pub fn as_str(self) -> &'static str {
        match self {
            Resolve::Priority => "priority",
            Resolve::Majority => "majority",
            Resolve::Adjudicate => "adjudicate",
        }
    }
}

/// A rule: which terms and regexes give a segment a code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rule {
    /// At least one of these (or of `regex`) must match, unless both are empty.
    pub any: Vec<Term>,
    /// Every one of these must match.
    pub all: Vec<Term>,
    /// None of these may match.
    pub not: Vec<Term>,
    /// Regular expressions that count like `any` terms.
    pub regex: Vec<Term>,
}

impl Rule {
    /// Whether the rule can code anything at all.
    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.all.is_empty() && self.regex.is_empty()
    }
}

/// One code of a codebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// Unique id, used in codings, sheets and adjudications.
    pub id: String,
    /// A short human name; the id when none is given.
    pub label: String,
    /// The parent code's id.
    pub parent: Option<String>,
    /// Whether segments may carry this code (false for grouping parents).
    pub codable: bool,
    /// Whether each case gets exactly one of this code's children.
    pub exclusive: bool,
    /// How conflicts in an exclusive group are settled.
    pub resolve: Resolve,
    /// What the code means.
    pub definition: Option<String>,
    /// When to apply it.
    pub include: Option<String>,
    /// When not to apply it.
    pub exclude: Option<String>,
    /// The analyst's notes on the code (what it is turning up, doubts,
    /// ideas): not a rule for applying it, which is `definition`'s job.
    pub memo: Option<String>,
    /// Display colour, `#rrggbb`.
    pub color: Option<String>,
    /// Texts the rule must code.
    pub examples: Vec<String>,
    /// Texts the rule must not code.
    pub counterexamples: Vec<String>,
    /// The rule, for codes that are pre-coded automatically.
    pub rule: Option<Rule>,
    /// Line of the code's `id`, for messages.
    pub line: usize,
}

/// A validated codebook.
#[derive(Debug, Clone)]
pub struct Codebook {
    path: PathBuf,
    name: String,
    version: Option<String>,
    description: Option<String>,
    unit: Unit,
    interviewer: Vec<String>,
    codes: Vec<Code>,
    /// Each code's index in `codes`, by id, and the ids that are some
    /// code's parent: looked up for every coding (a search of a codebook of
    /// 2,000 codes for each of 248,081 codings took most of a report).
    by_id: BTreeMap<String, usize>,
    parents: BTreeSet<String>,
}

const CODEBOOK_KEYS: &[&str] = &["name", "version", "description", "unit", "interviewer"];
const CODE_KEYS: &[&str] = &[
    "id",
    "label",
    "parent",
    "codable",
    "exclusive",
    "resolve",
    "definition",
    "include",
    "exclude",
    "memo",
    "color",
    "examples",
    "counterexamples",
    "rule",
];
const RULE_KEYS: &[&str] = &["any", "all", "not", "regex"];

impl Codebook {
    /// Parses and validates a codebook. The syntax (TOML or JSON) follows the
    /// file extension of `path`.
    ///
    /// # Errors
    /// Syntax errors, unknown keys, duplicate ids, unknown parents, cycles,
    /// misused exclusive groups, empty rules, malformed terms, invalid or
    /// oversized regexes: each with the file, line and column.
    pub fn parse(path: &Path, text: &str) -> Result<Self, CodebookError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let reader = Reader { path, text, index: LineIndex::new(text) };
        reader.read(Syntax::from_path(path))
    }

    /// The file the codebook was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The codebook's name (its file name when it gives none).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The codebook's version, if given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// A description of the codebook, if given.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The segment unit the codebook codes.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// Speaker labels of interviewers, whose turns are never coded by rules.
    pub fn interviewer(&self) -> &[String] {
        &self.interviewer
    }

    /// Whether `speaker` is an interviewer label.
    pub fn is_interviewer(&self, speaker: &str) -> bool {
        self.interviewer.iter().any(|i| i == speaker)
    }

    /// All codes, in codebook order.
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }

    /// The code with `id`.
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.by_id.get(id).map(|&i| &self.codes[i])
    }

    /// The children of `id`, in codebook order.
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Code> + 'a {
        self.codes.iter().filter(move |c| c.parent.as_deref() == Some(id))
    }

    /// Whether some code has `id` as its parent.
    pub fn has_children(&self, id: &str) -> bool {
        self.parents.contains(id)
    }

    /// The parents whose roll-up a coding with `id` counts in: `id` itself
    /// when it has children, then each ancestor.
    pub fn rolled_up_into<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let own = self.has_children(id).then_some(id);
        own.into_iter().chain(self.ancestors(id))
    }

    /// The parent of `id`, its parent, and so on (the tree has no cycles).
    fn ancestors<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        std::iter::successors(self.code(id).and_then(|c| c.parent.as_deref()), |p| {
            self.code(p).and_then(|c| c.parent.as_deref())
        })
    }

    /// `id`'s descendants (children, their children, ...), in codebook
    /// order; empty for a leaf or an unknown id.
    pub fn descendants(&self, id: &str) -> Vec<&Code> {
        self.codes.iter().filter(|c| self.ancestors(&c.id).any(|a| a == id)).collect()
    }

    /// The ids from the top-level ancestor down to `id`: `["motive",
    /// "freedom"]`; `[id]` alone for a top-level or unknown code.
    pub fn path_of<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        let mut path: Vec<&str> = std::iter::once(id).chain(self.ancestors(id)).collect();
        path.reverse();
        path
    }

    /// The exclusive parents, in codebook order.
    pub fn exclusive_parents(&self) -> impl Iterator<Item = &Code> {
        self.codes.iter().filter(|c| c.exclusive)
    }

    /// A close id, for "did you mean" hints.
    pub fn suggest(&self, id: &str) -> Option<&str> {
        suggest(id, self.codes.iter().map(|c| c.id.as_str()))
    }
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    index: LineIndex,
}

/// Which codes lie on a cycle of parents, in one pass over the codes (ids
/// are unique here).
fn on_cycle(drafts: &[Draft], index: &BTreeMap<&str, usize>) -> Vec<bool> {
    const NEW: u8 = 0;
    const WALKING: u8 = 1;
    const DONE: u8 = 2;
    let parent = |i: usize| drafts[i].code.parent.as_deref().and_then(|p| index.get(p).copied());
    let mut state = vec![NEW; drafts.len()];
    let mut cycle = vec![false; drafts.len()];
    let mut path = Vec::new();
    for start in 0..drafts.len() {
        let mut next = Some(start);
        while let Some(i) = next {
            match state[i] {
                NEW => {
                    state[i] = WALKING;
                    path.push(i);
                    next = parent(i);
                }
                WALKING => {
                    // Back on this walk: from `i` on, the path is a cycle.
                    let from = path.iter().position(|&p| p == i).unwrap_or(path.len());
                    for &p in &path[from..] {
                        cycle[p] = true;
                    }
                    next = None;
                }
                _ => next = None,
            }
        }
        for p in path.drain(..) {
            state[p] = DONE;
        }
    }
    cycle
}

/// A code as written, with the spans needed for later checks.
struct Draft {
    code: Code,
    id_span: Range<usize>,
    parent_span: Option<Range<usize>>,
    codable_given: Option<bool>,
    resolve_span: Option<Range<usize>>,
    rule_span: Option<Range<usize>>,
}

impl Reader<'_> {
    fn error(
        &self,
        kind: ErrorKind,
        offset: usize,
        code: Option<&str>,
        message: impl Into<String>,
    ) -> CodebookError {
        CodebookError {
            kind,
            position: Position {
                path: self.path.to_owned(),
                location: Some(self.index.locate(self.text, offset)),
            },
            code: code.map(str::to_owned),
            message: message.into(),
        }
    }

    fn doc_error(&self, code: Option<&str>) -> impl Fn(DocError) -> CodebookError + '_ {
        let code = code.map(str::to_owned);
        move |e| self.error(e.kind, e.offset, code.as_deref(), e.message)
    }

    fn read(&self, syntax: Syntax) -> Result<Codebook, CodebookError> {
        let root = doc::parse(self.text, syntax).map_err(self.doc_error(None))?;
        let mut fields = Fields::new(&root, "the codebook").map_err(self.doc_error(None))?;
        let header = fields.get("codebook");
        let codes = fields.get("code");
        fields.deny_unknown(&["codebook", "code"]).map_err(self.doc_error(None))?;

        let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let mut name = stem.unwrap_or_else(|| "codebook".to_owned());
        let (mut version, mut description, mut unit, mut interviewer) =
            (None, None, Unit::Turn, Vec::new());
        if let Some(header) = header {
            let e = self.doc_error(None);
            let mut h = Fields::new(header, "[codebook]").map_err(&e)?;
            if let Some((n, _)) = h.string("name").map_err(&e)? {
                name = n;
            }
            version = match h.get("version") {
                None => None,
                Some(Node { value: Value::String(s), .. }) => Some(s.clone()),
                // A number is kept as written: `1.10` is not `1.1`.
                Some(Node { value: Value::Integer(_) | Value::Float(_), span }) => {
                    Some(self.text[span.clone()].to_owned())
                }
                Some(node) => return Err(e(doc::expected(node, "version", "a string"))),
            };
            description = h.string("description").map_err(&e)?.map(|(s, _)| s);
            if let Some((u, span)) = h.string("unit").map_err(&e)? {
                unit = u.parse().map_err(|m: String| {
                    self.error(ErrorKind::InvalidValue, span.start, None, m)
                })?;
            }
            if let Some(labels) = h.strings("interviewer").map_err(&e)? {
                interviewer = labels.into_iter().map(|(s, _)| s).collect();
            }
            h.deny_unknown(CODEBOOK_KEYS).map_err(&e)?;
        }

        let Some(codes) = codes else {
            return Err(self.error(
                ErrorKind::Missing,
                0,
                None,
                "the codebook has no codes; add [[code]] tables (or a \"code\" array in JSON)",
            ));
        };
        let Value::Array(items) = &codes.value else {
            return Err(self.error(
                ErrorKind::InvalidValue,
                codes.span.start,
                None,
                "`code` must be an array of tables ([[code]] in TOML)",
            ));
        };
        let mut drafts: Vec<Draft> = Vec::with_capacity(items.len());
        for item in items {
            drafts.push(self.read_code(item)?);
        }
        self.check_tree(&drafts)?;
        let codes: Vec<Code> = drafts.into_iter().map(|d| d.code).collect();
        let mut by_id = BTreeMap::new();
        for (i, code) in codes.iter().enumerate() {
            // Ids are unique (checked with the tree); the first would win.
            by_id.entry(code.id.clone()).or_insert(i);
        }
        let parents = codes.iter().filter_map(|c| c.parent.clone()).collect();
        Ok(Codebook {
            path: self.path.to_owned(),
            name,
            version,
            description,
            unit,
            interviewer,
            codes,
            by_id,
            parents,
        })
    }

    fn read_code(&self, node: &Node) -> Result<Draft, CodebookError> {
        let mut f = Fields::new(node, "each code").map_err(self.doc_error(None))?;
        let Some((id, id_span)) = f.string("id").map_err(self.doc_error(None))? else {
            return Err(self.error(
                ErrorKind::Missing,
                node.span.start,
                None,
                "this code has no `id`; add id = \"...\"",
            ));
        };
        let valid_id = !id.is_empty()
            && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
        if !valid_id {
            return Err(self.error(
                ErrorKind::InvalidValue,
                id_span.start,
                None,
                format!("code id `{id}` may use only letters, digits, `_`, `-`, `.` and `/`"),
            ));
        }
        if id == crate::codebook::UNCODED {
            return Err(self.error(
                ErrorKind::InvalidValue, id_span.start,
                Some(&id),
                "`uncoded` is reserved for cases without a code of an exclusive group; choose another id",
            ));
        }
        let e = self.doc_error(Some(&id));
        let label = f.string("label").map_err(&e)?.map_or_else(|| id.clone(), |(s, _)| s);
        let parent = f.string("parent").map_err(&e)?;
        let codable_given = f.boolean("codable").map_err(&e)?;
        let exclusive = f.boolean("exclusive").map_err(&e)?.unwrap_or(false);
        let resolve = f.string("resolve").map_err(&e)?;
        let definition = f.string("definition").map_err(&e)?.map(|(s, _)| s);
        let include = f.string("include").map_err(&e)?.map(|(s, _)| s);
        let exclude = f.string("exclude").map_err(&e)?.map(|(s, _)| s);
        let memo = f.string("memo").map_err(&e)?.map(|(s, _)| s);
        let color = match f.string("color").map_err(&e)? {
            None => None,
            Some((c, span)) => {
                let valid = c.len() == 7
                    && c.starts_with('#')
                    && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
                if !valid {
                    return Err(self.error(
                        ErrorKind::InvalidValue,
                        span.start,
                        Some(&id),
                        format!("colour `{c}` must be written #rrggbb, such as #5e81ac"),
                    ));
                }
                Some(c.to_ascii_lowercase())
            }
        };
        let examples = f.strings("examples").map_err(&e)?.unwrap_or_default();
        let counterexamples = f.strings("counterexamples").map_err(&e)?.unwrap_or_default();
        let rule_node = f.get("rule");
        f.deny_unknown(CODE_KEYS).map_err(&e)?;

        let resolve_value = match &resolve {
            None => Resolve::Priority,
            Some((r, span)) => match r.as_str() {
                "priority" => Resolve::Priority,
                "majority" => Resolve::Majority,
                "adjudicate" => Resolve::Adjudicate,
                other => {
                    return Err(self.error(
                        ErrorKind::InvalidValue,
                        span.start,
                        Some(&id),
                        format!("unknown resolve `{other}`; use priority, majority or adjudicate"),
                    ));
                }
            },
        };
        let rule = match rule_node {
            None => None,
            Some(node) => Some(self.read_rule(&id, node)?),
        };
        let line = self.index.locate(self.text, id_span.start).line;
        Ok(Draft {
            code: Code {
                id,
                label,
                parent: parent.as_ref().map(|(p, _)| p.clone()),
                // Exclusive parents group their children, so they are not codable
                // unless the codebook says otherwise (which `check_tree` refuses).
                codable: codable_given.unwrap_or(!exclusive),
                exclusive,
                resolve: resolve_value,
                definition,
                include,
                exclude,
                memo,
                color,
                examples: examples.into_iter().map(|(s, _)| s).collect(),
                counterexamples: counterexamples.into_iter().map(|(s, _)| s).collect(),
                rule,
                line,
            },
            id_span,
            parent_span: parent.map(|(_, span)| span),
            codable_given,
            resolve_span: resolve.map(|(_, span)| span),
            rule_span: rule_node.map(|n| n.span.clone()),
        })
    }

    fn read_rule(&self, id: &str, node: &Node) -> Result<Rule, CodebookError> {
        let e = self.doc_error(Some(id));
        let mut f = Fields::new(node, "`rule`").map_err(&e)?;
        let mut terms = |key: &str| -> Result<Vec<Term>, CodebookError> {
            let items = f.strings(key).map_err(&e)?.unwrap_or_default();
            items
                .into_iter()
                .map(|(text, span)| {
                    let parsed = if key == "regex" {
                        Term::regex(&text, REGEX_SIZE_LIMIT)
                    } else {
                        Term::word(&text)
                    };
                    parsed.map_err(|message| {
                        self.error(ErrorKind::Pattern, span.start, Some(id), message)
                    })
                })
                .collect()
        };
        let rule = Rule {
            any: terms("any")?,
            all: terms("all")?,
            not: terms("not")?,
            regex: terms("regex")?,
        };
        f.deny_unknown(RULE_KEYS).map_err(&e)?;
        Ok(rule)
    }

    fn check_tree(&self, drafts: &[Draft]) -> Result<(), CodebookError> {
        // Every check below is linear in the number of codes: a scan of all
        // codes for each code (or each parent of each code) made a large or
        // deep tree take minutes.
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, draft) in drafts.iter().enumerate() {
            let id = draft.code.id.as_str();
            if let Some(first) = index.get(id).map(|&f| &drafts[f]) {
                return Err(self.error(
                    ErrorKind::Duplicate,
                    draft.id_span.start,
                    Some(id),
                    format!(
                        "duplicate id; it is already used by the code on line {}",
                        first.code.line
                    ),
                ));
            }
            index.insert(id, i);
        }
        let find = |id: &str| index.get(id).map(|&i| &drafts[i]);
        let on_cycle = on_cycle(drafts, &index);
        let mut children_of: BTreeMap<&str, Vec<&Draft>> = BTreeMap::new();
        for draft in drafts {
            if let Some(parent) = draft.code.parent.as_deref() {
                children_of.entry(parent).or_default().push(draft);
            }
        }
        for (i, draft) in drafts.iter().enumerate() {
            let code = &draft.code;
            let id = code.id.as_str();
            let at = |span: &Option<Range<usize>>| {
                span.as_ref().map_or(draft.id_span.start, |s| s.start)
            };
            if let Some(parent) = &code.parent {
                if find(parent).is_none() {
                    let hint = suggest(parent, drafts.iter().map(|d| d.code.id.as_str()))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_else(|| "; add a code with that id or fix the name".to_owned());
                    return Err(self.error(
                        ErrorKind::UnknownName,
                        at(&draft.parent_span),
                        Some(id),
                        format!("unknown parent `{parent}`{hint}"),
                    ));
                }
                if on_cycle[i] {
                    // Follow the parents back to this code.
                    let mut chain = vec![id.to_owned()];
                    let mut next = Some(parent.as_str());
                    while let Some(p) = next {
                        chain.push(p.to_owned());
                        if p == id || chain.len() > drafts.len() + 1 {
                            break;
                        }
                        next = find(p).and_then(|d| d.code.parent.as_deref());
                    }
                    return Err(self.error(
                        ErrorKind::CodeTree,
                        at(&draft.parent_span),
                        Some(id),
                        format!("the parents form a cycle: {}", chain.join(" -> ")),
                    ));
                }
            }
            let children: &[&Draft] = children_of.get(id).map_or(&[], Vec::as_slice);
            if code.exclusive {
                if draft.codable_given == Some(true) {
                    return Err(self.error(
                        ErrorKind::CodeTree, draft.id_span.start,
                        Some(id),
                        "an exclusive parent groups its children and cannot itself be codable; remove `codable = true`",
                    ));
                }
                if children.len() < 2 {
                    return Err(self.error(
                        ErrorKind::CodeTree, draft.id_span.start,
                        Some(id),
                        format!(
                            "an exclusive parent needs at least two children to choose between, found {}; add codes with parent = \"{id}\" or remove `exclusive`",
                            children.len()
                        ),
                    ));
                }
                if let Some(child) = children.iter().find(|c| !c.code.codable) {
                    return Err(self.error(
                        ErrorKind::CodeTree, child.id_span.start,
                        Some(&child.code.id),
                        format!(
                            "a child of the exclusive parent `{id}` is assigned to cases, so it must be codable (and cannot be an exclusive group itself)"
                        ),
                    ));
                }
            } else if draft.resolve_span.is_some() {
                return Err(self.error(
                    ErrorKind::CodeTree, at(&draft.resolve_span),
                    Some(id),
                    "`resolve` settles conflicts between the children of an exclusive parent; add `exclusive = true` or remove `resolve`",
                ));
            }
            if let Some(rule) = &code.rule {
                if !code.codable {
                    return Err(self.error(
                        ErrorKind::CodeTree, at(&draft.rule_span),
                        Some(id),
                        "this code is not codable, so it cannot have a rule; move the rule to a child code",
                    ));
                }
                if rule.is_empty() {
                    return Err(self.error(
                        ErrorKind::Missing,
                        at(&draft.rule_span),
                        Some(id),
                        "the rule is empty: give at least one term in `any` or `all`, or a `regex`",
                    ));
                }
            }
        }
        // No cycles are left: each code's depth is its parent's plus one,
        // worked out once per code.
        let mut depth = vec![0_usize; drafts.len()];
        let mut walk = Vec::new();
        for i in 0..drafts.len() {
            let mut at = Some(i);
            while let Some(code) = at.filter(|&c| depth[c] == 0) {
                walk.push(code);
                at = drafts[code].code.parent.as_deref().and_then(|p| index.get(p).copied());
            }
            let mut below = at.map_or(0, |known| depth[known]);
            while let Some(code) = walk.pop() {
                below += 1;
                depth[code] = below;
            }
            if depth[i] > MAX_CODE_DEPTH {
                let draft = &drafts[i];
                return Err(self.error(
                    ErrorKind::CodeTree,
                    draft.parent_span.as_ref().map_or(draft.id_span.start, |s| s.start),
                    Some(&draft.code.id),
                    format!(
                        "the code is nested {} deep; qda reads at most {MAX_CODE_DEPTH} levels of codes: give it a parent higher up",
                        depth[i]
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
