//! The qda part of a source's and a selection's description: what qda
//! knows that REFI-QDA has no place for (a source's case and speakers, a
//! selection's segment and each coding's source), written as TOML after
//! the marker line, where other tools show it as text and keep it.

use qda_coding::Source;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::codebook::QDA_MARKER;

/// The speaker label given to a text that has no speaker turns of its own:
/// on import such a text becomes one turn of this speaker, and on export it
/// goes back without that line.
pub(crate) const TEXT_SPEAKER: &str = "text";

/// The qda part of a selection's description: the segment and what each
/// coding's source was.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SelectionBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) segment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) coding: Vec<CodingBlock>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodingBlock {
    pub(crate) code: String,
    pub(crate) coder: String,
    pub(crate) source: Source,
}

/// The qda part of a source's description.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SourceBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) case: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) speakers: Option<Vec<String>>,
}

/// A description holding only `block`.
pub(crate) fn write<T: Serialize>(block: &T) -> String {
    format!("{QDA_MARKER}\n{}", toml::to_string(block).unwrap_or_default().trim_end())
}

/// The block after the marker in `description`, if there is a readable one.
pub(crate) fn read<T: DeserializeOwned>(description: Option<&str>) -> Option<T> {
    let d = description?;
    let at = d.find(QDA_MARKER)?;
    toml::from_str(&d[at + QDA_MARKER.len()..]).ok()
}
