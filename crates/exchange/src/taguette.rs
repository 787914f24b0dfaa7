//! A codebook as the CSV file Taguette imports: a header `tag,description`,
//! then one row per code.

use qda_coding::{Code, Codebook};

/// The codebook as CSV with the columns Taguette's codebook import reads:
/// `tag` (the code's label; `label (id)` when another code has the same
/// label) and `description` (definition, then `Include:` and `Exclude:`
/// paragraphs). One row per code, in codebook order; grouping codes too,
/// so that the tree stays readable. Every field is quoted, line ends are
/// CRLF (RFC 4180), and the same codebook always gives the same bytes.
pub fn export_codebook_csv(codebook: &Codebook) -> String {
    let codes = codebook.codes();
    let mut out = String::from("tag,description\r\n");
    for code in codes {
        let shared = codes.iter().filter(|c| c.label == code.label).count() > 1;
        let tag = if shared { format!("{} ({})", code.label, code.id) } else { code.label.clone() };
        out.push_str(&field(&tag));
        out.push(',');
        out.push_str(&field(&description(code)));
        out.push_str("\r\n");
    }
    out
}

/// The text a reader sees: definition, include and exclude.
fn description(code: &Code) -> String {
    crate::codebook::readable_parts(code).join("\n\n")
}

/// A CSV field, quoted, with quotes doubled.
fn field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_with_quotes_doubled() {
        assert_eq!(field("a, \"b\"\nc"), "\"a, \"\"b\"\"\nc\"");
        assert_eq!(field(""), "\"\"");
    }
}
