//! The typography that word processors and subtitle tools add, made plain so
//! that a codebook's `don't` matches a transcriber's `don’t` (docs/import.md).

/// Normalises one line of text: curly quotes and primes become `'` and `"`,
/// no-break and other fixed-width spaces become a space, soft hyphens,
/// zero-width spaces and word joiners are removed, runs of spaces and tabs
/// become one space, and the ends are trimmed.
pub(crate) fn normalize_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut space = false;
    for c in line.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\t' => ' ',
            '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => continue,
            c if c.is_control() => ' ',
            c => c,
        };
        if c == ' ' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Splits text at line ends (`\n`, `\r\n`, `\r`, and the Unicode line and
/// paragraph separators) and normalises each line.
pub(crate) fn normalize_lines(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(normalize_line)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typography_becomes_plain() {
        assert_eq!(
            normalize_line(
                "\u{201C}I don\u{2019}t\u{201D}\u{00A0} know,\tdi\u{00AD}rect\u{200B}ly "
            ),
            "\"I don't\" know, directly"
        );
        assert_eq!(normalize_line("  \u{00A0}  "), "");
        assert_eq!(normalize_line("「帰国事業」 째포"), "「帰国事業」 째포");
    }

    #[test]
    fn every_line_end_splits() {
        assert_eq!(normalize_lines("a\r\nb\rc\u{2028}d"), ["a", "b", "c", "d"]);
    }
}
