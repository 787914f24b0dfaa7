//! Markdown helpers: escaping for text that comes from inputs.

/// Escapes Markdown and inline HTML in input text (transcripts, notes,
/// labels): `CommonMark`'s backslash escapes for the characters that start
/// emphasis, links, code and HTML, and `&` as an entity. `|` is left alone:
/// the table writer escapes it in cells.
pub(crate) fn text(text: &str) -> String {
    block(text).replace('\n', " ")
}

/// As [`text`], keeping line breaks.
pub(crate) fn block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // An underscore inside a word (`settled_in`) starts no emphasis.
        let inside_word = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
        if c == '_'
            && inside_word(i.checked_sub(1).and_then(|p| chars.get(p)))
            && inside_word(chars.get(i + 1))
        {
            out.push(c);
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Input text that may span lines, as a block quote: each line quoted, a
/// blank line kept as an empty quoted line.
pub(crate) fn quote(text: &str) -> String {
    text.lines().map(|l| format!("> {}\n", l.trim_end())).collect::<String>().replace("> \n", ">\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_and_emphasis_are_escaped() {
        assert_eq!(
            super::text("<script>alert(1)</script> *a* & [b](c) settled_in _x_"),
            "\\<script\\>alert(1)\\</script\\> \\*a\\* &amp; \\[b\\](c) settled_in \\_x\\_"
        );
    }
}
