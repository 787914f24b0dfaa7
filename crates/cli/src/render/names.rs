//! Column names that R, SPSS and Stata accept as variable names.
//!
//! A name is made safe in this order:
//! 1. every character that is not an ASCII letter, digit or `_` becomes `_`;
//!    runs of `_` become one, and `_` at either end is dropped (SPSS warns
//!    against a trailing `_`; Stata reserves a leading one);
//! 2. a name that is empty or does not start with a letter gets `x` in front;
//! 3. it is cut to 64 characters (SPSS's limit; Stata keeps 32 and renames
//!    longer names on import);
//! 4. a reserved word of R, SPSS or Stata (compared case-insensitively, as
//!    SPSS compares names) gets `_v` appended;
//! 5. a name already taken (case-insensitively) gets `_2`, `_3`, ... appended,
//!    cut so that it stays within 64 characters: collisions are
//!    disambiguated, never an error, and each is reported as a [`Rename`].

/// The longest name written.
pub(crate) const MAX_LENGTH: usize = 64;

/// Reserved words: R's (`?Reserved`), SPSS's (ALL, AND, BY, EQ, GE, GT, LE,
/// LT, NE, NOT, OR, TO, WITH) and Stata's that a safe name could spell.
const RESERVED: &[&str] = &[
    // R
    "if",
    "else",
    "repeat",
    "while",
    "function",
    "for",
    "in",
    "next",
    "break",
    "TRUE",
    "FALSE",
    "NULL",
    "Inf",
    "NaN",
    "NA",
    "NA_integer",
    "NA_real",
    "NA_character",
    "NA_complex",
    // SPSS
    "ALL",
    "AND",
    "BY",
    "EQ",
    "GE",
    "GT",
    "LE",
    "LT",
    "NE",
    "NOT",
    "OR",
    "TO",
    "WITH",
    // Stata
    "byte",
    "double",
    "float",
    "int",
    "long",
    "using",
    "strL",
];

/// A name that had to be disambiguated because its safe form was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rename {
    pub(crate) original: String,
    /// The safe form it would have had, which another column already has.
    pub(crate) wanted: String,
    pub(crate) written: String,
}

/// The safe form of one name (steps 1–4).
pub(crate) fn safe_name(name: &str) -> String {
    let replaced: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let mut collapsed = String::with_capacity(replaced.len());
    for c in replaced.chars() {
        if !(c == '_' && collapsed.ends_with('_')) {
            collapsed.push(c);
        }
    }
    let mut safe = collapsed.trim_matches('_').to_owned();
    if !safe.starts_with(|c: char| c.is_ascii_alphabetic()) {
        safe.insert(0, 'x');
    }
    safe.truncate(MAX_LENGTH);
    let mut safe = safe.trim_end_matches('_').to_owned();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&safe)) || is_stata_str_type(&safe) {
        safe.truncate(MAX_LENGTH - 2);
        safe.push_str("_v");
    }
    safe
}

/// Stata's `str1` … `str2045` type names.
fn is_stata_str_type(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .strip_prefix("str")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Safe, distinct names for `names`, in order, and the ones disambiguated.
pub(crate) fn safe_names(names: &[String]) -> (Vec<String>, Vec<Rename>) {
    let mut taken: Vec<String> = Vec::new();
    let mut renames = Vec::new();
    let mut written = Vec::new();
    for name in names {
        let wanted = safe_name(name);
        let is_taken = |candidate: &str, taken: &[String]| {
            taken.iter().any(|t| t.eq_ignore_ascii_case(candidate))
        };
        let mut candidate = wanted.clone();
        let mut n = 2;
        while is_taken(&candidate, &taken) {
            let suffix = format!("_{n}");
            let mut base = wanted.clone();
            base.truncate(MAX_LENGTH - suffix.len());
            candidate = format!("{base}{suffix}");
            n += 1;
        }
        if candidate != wanted {
            renames.push(Rename {
                original: name.clone(),
                wanted: wanted.clone(),
                written: candidate.clone(),
            });
        }
        taken.push(candidate.clone());
        written.push(candidate);
    }
    (written, renames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_become_underscores() {
        assert_eq!(safe_name("trust/institutional"), "trust_institutional");
        assert_eq!(safe_name("settled in"), "settled_in");
        assert_eq!(safe_name("a -- b"), "a_b");
        assert_eq!(safe_name("_hidden_"), "hidden");
        assert_eq!(safe_name("Ärger"), "rger");
    }

    #[test]
    fn names_start_with_a_letter() {
        assert_eq!(safe_name("1st_motive"), "x1st_motive");
        assert_eq!(safe_name("자유"), "x");
        assert_eq!(safe_name(""), "x");
    }

    #[test]
    fn reserved_words_get_a_suffix() {
        assert_eq!(safe_name("if"), "if_v");
        assert_eq!(safe_name("true"), "true_v");
        assert_eq!(safe_name("with"), "with_v");
        assert_eq!(safe_name("str12"), "str12_v");
        assert_eq!(safe_name("string"), "string");
    }

    #[test]
    fn long_names_are_cut_to_64() {
        let long = "a".repeat(100);
        assert_eq!(safe_name(&long).len(), MAX_LENGTH);
    }

    #[test]
    fn collisions_are_disambiguated_and_reported() {
        let names: Vec<String> =
            ["a.b", "a_b", "A-B", "case"].iter().map(|s| (*s).to_owned()).collect();
        let (written, renames) = safe_names(&names);
        assert_eq!(written, ["a_b", "a_b_2", "A_B_3", "case"]);
        assert_eq!(renames.len(), 2);
        assert_eq!(renames[0].original, "a_b");
        assert_eq!(renames[0].written, "a_b_2");
        let long: Vec<String> = vec!["b".repeat(70), format!("{}.", "b".repeat(70))];
        let (written, _) = safe_names(&long);
        assert_eq!(written[1].len(), MAX_LENGTH);
        assert!(written[1].ends_with("_2"));
    }
}
