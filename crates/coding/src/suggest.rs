//! "Did you mean" hints: the names nearest to one that was mistyped.

/// The candidates nearest to `wanted` by edit distance, ignoring case, when
/// they are near enough to be a typo: at most a third of its characters
/// (at least one) differ, and not all of them. Ties are kept, up to three,
/// in the candidates' order.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let length = wanted.chars().count();
    let limit = (length / 3).max(1);
    let wanted = wanted.to_lowercase();
    let scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&wanted, &c.to_lowercase()), c))
        // A replacement of the whole name is no typo.
        .filter(|(d, _)| *d <= limit && *d < length)
        .collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else { return Vec::new() };
    scored.into_iter().filter(|(d, _)| *d == best).map(|(_, c)| c).take(3).collect()
}

/// The candidate nearest to `wanted`, if it is near enough to be a typo
/// (the first of [`closest`]).
pub(crate) fn suggest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(wanted, candidates).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_the_nearest_few() {
        let ids = ["P05:t1", "P05:t4", "P05:t10", "P05:t14", "P05:t44"];
        assert_eq!(closest("P05:t40", ids), ["P05:t4", "P05:t10", "P05:t44"]);
        assert!(closest("x", ids).is_empty());
        assert_eq!(closest("P9", ["P09", "P19", "P10"]), ["P09", "P19"]);
    }

    #[test]
    fn case_is_ignored_and_whole_replacements_are_no_typo() {
        assert_eq!(suggest("Fredom", ["survival", "freedom"]), Some("freedom"));
        assert_eq!(suggest("ab", ["xy", "cd"]), None);
        assert_eq!(suggest("a", ["b"]), None);
    }
}
