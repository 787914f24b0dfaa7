//! GUIDs: derived deterministically for export, compared loosely on import.

use uuid::Uuid;

/// The namespace of every GUID qda derives (a UUID v5 of the URL below, so
/// anyone can recompute it).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://github.com/qda-tools/qda/refi-qda")
}

/// A UUID v5 of `kind` and the stable `parts` that identify the thing: the
/// same inputs always give the same GUID, so exports diff cleanly.
pub(crate) fn derive(kind: &str, parts: &[&str]) -> String {
    let mut name = String::from(kind);
    for part in parts {
        name.push('\u{1f}');
        name.push_str(part);
    }
    Uuid::new_v5(&namespace(), name.as_bytes()).hyphenated().to_string().to_uppercase()
}

/// A GUID another tool wrote, as qda writes GUIDs (upper case, no
/// braces); `None` when it is not a GUID the schema accepts.
pub(crate) fn normalized(guid: &str) -> Option<String> {
    let bare = guid.trim().trim_start_matches('{').trim_end_matches('}');
    // Only the hyphenated form the schema's pattern allows.
    (bare.len() == 36)
        .then(|| Uuid::parse_str(bare).ok())
        .flatten()
        .map(|u| u.hyphenated().to_string().to_uppercase())
}

/// A GUID as compared on import: lower case, braces and spaces removed
/// (tools write upper case, lower case, and `{...}`).
pub(crate) fn key(guid: &str) -> String {
    guid.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_guids_are_stable_v5_and_distinct() {
        let a = derive("code", &["survival"]);
        assert_eq!(a, derive("code", &["survival"]));
        assert_ne!(a, derive("code", &["freedom"]));
        assert_ne!(derive("code", &["a", "b"]), derive("code", &["ab"]));
        let parsed = Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 5);
    }

    #[test]
    fn other_tools_guids_are_normalized_or_refused() {
        let upper = "ABCDEF00-0000-0000-0000-000000000000";
        assert_eq!(normalized("{abcdef00-0000-0000-0000-000000000000}").as_deref(), Some(upper));
        assert_eq!(normalized(upper).as_deref(), Some(upper));
        assert_eq!(normalized("abcdef00000000000000000000000000"), None);
        assert_eq!(normalized("line:6"), None);
    }

    #[test]
    fn keys_ignore_case_and_braces() {
        assert_eq!(
            key("{ABCDEF00-0000-0000-0000-000000000000}"),
            key("abcdef00-0000-0000-0000-000000000000")
        );
    }
}
