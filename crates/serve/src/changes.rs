//! What a save changed, in the answer to `POST /api/edits`, so the page
//! patches the segments and counters the edits touched instead of reading
//! the study and the case again.

use std::collections::{BTreeMap, BTreeSet};

use qda_coding::{CaseCodes, CodingsFile, SegmentMemo, assign};
use serde::Serialize;

use crate::api::CodingView;
use crate::store::Edit;
use crate::study::Study;

/// The segments and cases the edits touched, as they are after the save.
#[derive(Debug, Serialize)]
pub(crate) struct Changes<'a> {
    /// Whether the page is blind now (an `unblind` edit turns it off).
    pub(crate) blind: bool,
    /// Every segment an edit touched, with all its codings after the save
    /// (in the file's order, as `GET /api/cases/{case}` gives them), so the
    /// page replaces what it shows there.
    pub(crate) segments: Vec<SegmentCodings<'a>>,
    /// Every case an edit touched, with its new counts and assignments.
    pub(crate) cases: Vec<CaseChange>,
}

/// One segment's codings after the save.
#[derive(Debug, Serialize)]
pub(crate) struct SegmentCodings<'a> {
    pub(crate) case: &'a str,
    pub(crate) segment: &'a str,
    pub(crate) codings: Vec<CodingView<'a>>,
    /// The coder's memo on the segment when it has no codes (`memos` of
    /// `GET /api/cases/{case}`), none or one.
    pub(crate) memos: Vec<&'a SegmentMemo>,
}

/// One case's counters after the save, as `GET /api/study` and
/// `GET /api/cases/{case}` give them.
#[derive(Debug, Serialize)]
pub(crate) struct CaseChange {
    pub(crate) case: String,
    /// Segments per code.
    pub(crate) counts: BTreeMap<String, usize>,
    /// The child each exclusive parent assigns the case.
    pub(crate) assigned: BTreeMap<String, Option<String>>,
    /// Segments reviewed: `null` means every codable segment.
    pub(crate) reviewed: Option<Vec<String>>,
}

/// What `edits`, applied and saved as `file`, changed. Only the touched
/// segments and cases are looked at, in one pass over the codings.
pub(crate) fn changes<'a>(
    file: &'a CodingsFile,
    edits: &'a [Edit],
    study: &'a Study,
    blind: bool,
) -> Changes<'a> {
    let touched: BTreeSet<(&str, &str)> =
        edits.iter().filter_map(|edit| touched_segment(edit, study)).collect();
    let mut by_segment: BTreeMap<(&str, &str), Vec<CodingView<'a>>> =
        touched.iter().map(|key| (*key, Vec::new())).collect();
    for coding in &file.codings {
        if let Some(list) = by_segment.get_mut(&(coding.case.as_str(), coding.segment.as_str())) {
            list.push(CodingView::from(coding));
        }
    }
    // The page lists segments in text order; the touched ones keep it.
    let mut segments: Vec<SegmentCodings<'a>> = by_segment
        .into_iter()
        .map(|((case, segment), codings)| {
            let memos =
                file.memos.iter().filter(|m| m.case == case && m.segment == segment).collect();
            SegmentCodings { case, segment, codings, memos }
        })
        .collect();
    segments.sort_by_key(|s| {
        let position =
            study.cases.get(s.case).and_then(|c| c.segments.iter().position(|x| x.id == s.segment));
        (s.case, position)
    });
    let cases: BTreeSet<&str> = touched.iter().map(|(case, _)| *case).collect();
    let cases = cases.into_iter().map(|case| case_change(file, study, case)).collect();
    Changes { blind, segments, cases }
}

/// The case and segment an edit touched (`None` for `unblind`). An added
/// span's segment is the one that holds it, as `store::apply` found it.
fn touched_segment<'a>(edit: &'a Edit, study: &'a Study) -> Option<(&'a str, &'a str)> {
    match edit {
        Edit::Add { case, start, end, .. } => {
            let (id, case) = study.cases.get_key_value(case)?;
            let segment = case.segments.iter().find(|s| s.start <= *start && *end <= s.end)?;
            Some((id.as_str(), segment.id.as_str()))
        }
        Edit::Remove { case, segment, .. }
        | Edit::Memo { case, segment, .. }
        | Edit::SegmentMemo { case, segment, .. }
        | Edit::Review { case, segment }
        | Edit::Unreview { case, segment }
        | Edit::Reject { case, segment, .. }
        | Edit::Unreject { case, segment, .. } => Some((case.as_str(), segment.as_str())),
        Edit::Unblind {} => None,
    }
}

fn case_change(file: &CodingsFile, study: &Study, case_id: &str) -> CaseChange {
    let attributes = study.cases[case_id].transcript.attributes().clone();
    let codes = CaseCodes::new(case_id, attributes, &file.codings);
    let (groups, _) = assign(&study.codebook, std::slice::from_ref(&codes), None);
    let assigned = groups.into_iter().map(|g| (g.parent, g.assignments[0].code.clone())).collect();
    let reviewed = match file.transcripts.iter().find(|s| s.case == case_id) {
        Some(source) => source.reviewed.clone(),
        None => Some(Vec::new()),
    };
    CaseChange { case: case_id.to_owned(), counts: codes.segments, assigned, reviewed }
}
