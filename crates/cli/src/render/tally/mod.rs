//! The tally of a codebook: the view model (`model.rs`), with percentages
//! and intervals computed, and its renderings: `document.rs` for the table
//! and Markdown, `csv.rs` for CSV, and JSON through `Serialize`.

mod csv;
mod document;
mod model;

pub(crate) use model::{
    CodeReport, CodebookInfo, GroupReport, ROLLED_UP, TallyReport, interval_shown, percent_shown,
};

use crate::render::Render;
use crate::render::markup::Markup;

impl Render for TallyReport {
    fn document(&self, out: &mut dyn Markup) {
        document::write(self, out);
    }

    fn records(&self) -> Vec<Vec<String>> {
        csv::records(self)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use indexmap::IndexMap;
    use qda_coding::Codebook;

    use super::*;
    use crate::args::Format;
    use crate::provenance::Provenance;
    use crate::render::render;

    /// A tally of no cases: every share is undefined, so it shows as `–`
    /// and `null`, never as an interval from 0 to 0.
    fn empty_tally() -> TallyReport {
        let codebook = Codebook::parse(
            Path::new("codebook.toml"),
            "[codebook]\nname = \"Empty\"\n\n[[code]]\nid = \"motive\"\nexclusive = true\n\n\
             [[code]]\nid = \"survival\"\nparent = \"motive\"\n\n\
             [[code]]\nid = \"freedom\"\nparent = \"motive\"\n",
        )
        .unwrap();
        let tally = qda_coding::tally(&codebook, &[], None, None);
        let provenance = Provenance {
            tool: "qda",
            version: "[VERSION]",
            command: "tally",
            arguments: Vec::new(),
            inputs: Vec::new(),
            options: IndexMap::new(),
            shards: Vec::new(),
        };
        TallyReport::new(&codebook, &tally, None, provenance)
    }

    #[test]
    fn undefined_shares_are_a_dash_in_text() {
        let text = String::from_utf8(render(&empty_tally(), Format::Table)).unwrap();
        insta::assert_snapshot!("undefined_shares_table", text);
    }

    #[test]
    fn undefined_shares_are_null_in_json() {
        let json: serde_json::Value =
            serde_json::from_slice(&render(&empty_tally(), Format::Json)).unwrap();
        insta::assert_snapshot!(
            "undefined_shares_json",
            serde_json::to_string_pretty(&json["groups"][0]["rows"][0]).unwrap()
        );
    }
}
