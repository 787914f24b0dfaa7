//! What `qda reanchor` shows: per changed transcript how many codings were
//! kept, moved, changed and lost, then each moved, changed and lost coding
//! (with the text it covered, and covers now), in every `--format`.

use serde::Serialize;

use qda_coding::{Fate, Reanchored, Reanchoring, Source};

use crate::args::ReanchorArgs;
use crate::provenance::display_path;
use crate::render::Render;
use crate::render::markup::Markup;
use crate::render::table::{Align, Table};

/// Everything `qda reanchor` reports.
#[derive(Debug, Serialize)]
pub(crate) struct ReanchorReport {
    /// The codings file carried over.
    pub(crate) codings: String,
    /// The file written, if any.
    pub(crate) output: Option<String>,
    /// Codings of every transcript, changed or not, by fate.
    pub(crate) counts: Counts,
    /// Codings of transcripts that did not change (all kept).
    pub(crate) unchanged_codings: usize,
    /// Each changed transcript.
    pub(crate) cases: Vec<CaseRow>,
    /// Every coding of a changed transcript.
    pub(crate) moves: Vec<Move>,
}

/// Codings by fate.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub(crate) struct Counts {
    pub(crate) kept: usize,
    pub(crate) moved: usize,
    pub(crate) changed: usize,
    pub(crate) lost: usize,
}

impl Counts {
    fn add(&mut self, fate: Fate) {
        match fate {
            Fate::Kept => self.kept += 1,
            Fate::Moved => self.moved += 1,
            Fate::Changed => self.changed += 1,
            Fate::Lost => self.lost += 1,
        }
    }

    fn total(self) -> usize {
        self.kept + self.moved + self.changed + self.lost
    }

    fn cells(self) -> Vec<String> {
        [self.total(), self.kept, self.moved, self.changed, self.lost]
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

/// One changed transcript.
#[derive(Debug, Serialize)]
pub(crate) struct CaseRow {
    pub(crate) case: String,
    pub(crate) transcript: String,
    #[serde(flatten)]
    pub(crate) counts: Counts,
    /// Reviewed segments without codings not found again.
    pub(crate) unreviewed: Vec<String>,
}

/// One coding of a changed transcript and where it went.
#[derive(Debug, Serialize)]
pub(crate) struct Move {
    pub(crate) case: String,
    pub(crate) code: String,
    pub(crate) coder: String,
    pub(crate) fate: Fate,
    pub(crate) memo: Option<String>,
    pub(crate) old: Place,
    pub(crate) new: Option<Place>,
}

/// A coding's segment, offsets and text.
#[derive(Debug, Serialize)]
pub(crate) struct Place {
    pub(crate) segment: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) text: String,
}

impl ReanchorReport {
    pub(crate) fn new(reanchoring: &Reanchoring, codings: &str, args: &ReanchorArgs) -> Self {
        let changed_cases: usize =
            reanchoring.cases.iter().map(|c| c.reanchoring.codings.len()).sum();
        let unchanged_codings = reanchoring.file.codings.len()
            - reanchoring
                .cases
                .iter()
                .flat_map(|c| &c.reanchoring.codings)
                .filter(|r| r.new.is_some())
                .count();
        let mut counts = Counts { kept: unchanged_codings, ..Counts::default() };
        let mut cases = Vec::new();
        let mut moves = Vec::new();
        for case in &reanchoring.cases {
            let mut row = Counts::default();
            for r in &case.reanchoring.codings {
                row.add(r.fate);
                counts.add(r.fate);
                moves.push(Move::new(r));
            }
            cases.push(CaseRow {
                case: case.case.clone(),
                transcript: case.path.clone(),
                counts: row,
                unreviewed: case.reanchoring.unreviewed.clone(),
            });
        }
        debug_assert_eq!(counts.total(), unchanged_codings + changed_cases);
        ReanchorReport {
            codings: codings.to_owned(),
            output: args.output.as_deref().map(display_path),
            counts,
            unchanged_codings,
            cases,
            moves,
        }
    }

    /// Whether a coding was changed or lost: the coder must look.
    pub(crate) fn failed(&self) -> bool {
        self.counts.changed + self.counts.lost > 0
    }
}

impl Move {
    fn new(r: &Reanchored) -> Self {
        let memo = match &r.old.source {
            Source::Manual { memo, .. } => memo.clone(),
            Source::Rule { .. } => None,
        };
        Move {
            case: r.old.case.clone(),
            code: r.old.code.clone(),
            coder: r.old.coder.clone(),
            fate: r.fate,
            memo,
            old: Place {
                segment: r.old.segment.clone(),
                start: r.old.start,
                end: r.old.end,
                text: r.old_text.clone(),
            },
            new: r.new.as_ref().map(|c| Place {
                segment: c.segment.clone(),
                start: c.start,
                end: c.end,
                text: r.new_text().unwrap_or_default().to_owned(),
            }),
        }
    }

    /// `P05 freedom (anna): P05:t4 120..160`, then ` → P05:t6 151..191`.
    fn describe(&self) -> String {
        let mut text = format!(
            "{} {} ({}): {} {}..{}",
            self.case, self.code, self.coder, self.old.segment, self.old.start, self.old.end
        );
        if let Some(new) = &self.new {
            text.push_str(&format!(" → {} {}..{}", new.segment, new.start, new.end));
        }
        text
    }
}

impl Render for ReanchorReport {
    fn document(&self, out: &mut dyn Markup) {
        let c = self.counts;
        out.paragraph(&format!(
            "{}: {} changed {}; {} codings: {} kept, {} moved, {} changed, {} lost",
            self.codings,
            self.cases.len(),
            if self.cases.len() == 1 { "transcript" } else { "transcripts" },
            c.total(),
            c.kept,
            c.moved,
            c.changed,
            c.lost
        ));
        let mut table = Table::new(vec![
            ("case", Align::Left),
            ("transcript", Align::Left),
            ("codings", Align::Right),
            ("kept", Align::Right),
            ("moved", Align::Right),
            ("changed", Align::Right),
            ("lost", Align::Right),
        ]);
        for row in &self.cases {
            let mut cells = vec![row.case.clone(), row.transcript.clone()];
            cells.extend(row.counts.cells());
            table.push(cells);
        }
        if self.unchanged_codings > 0 {
            let mut cells = vec!["(unchanged)".to_owned(), String::new()];
            cells.extend(Counts { kept: self.unchanged_codings, ..Counts::default() }.cells());
            table.push(cells);
        }
        let mut cells = vec!["total".to_owned(), String::new()];
        cells.extend(c.cells());
        table.push(cells);
        out.table(&table);
        out.blank();

        let section = |out: &mut dyn Markup, fate: Fate, title: &str| {
            let moves: Vec<&Move> = self.moves.iter().filter(|m| m.fate == fate).collect();
            if moves.is_empty() {
                return;
            }
            out.heading(3, title);
            for m in moves {
                out.item(&m.describe());
                match fate {
                    Fate::Changed => {
                        out.line(&format!("  was: {:?}", m.old.text));
                        let now = m.new.as_ref().map_or("", |n| n.text.as_str());
                        out.line(&format!("  now: {now:?}"));
                    }
                    Fate::Lost => {
                        out.line(&format!("  text: {:?}", m.old.text));
                        if let Some(memo) = &m.memo {
                            out.line(&format!("  memo: {memo:?}"));
                        }
                    }
                    Fate::Kept | Fate::Moved => {}
                }
            }
            out.blank();
        };
        section(&mut *out, Fate::Moved, "moved (the same text, at new offsets):");
        section(
            &mut *out,
            Fate::Changed,
            "changed (found, but the text covered differs; check each):",
        );
        section(&mut *out, Fate::Lost, "lost (not found in the new text; code these again):");
        match &self.output {
            Some(path) => out.last_line(&format!("wrote {path}")),
            None => out.last_line("nothing written; add -o FILE to write the carried-over codings"),
        }
    }

    fn records(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            [
                "case",
                "code",
                "coder",
                "fate",
                "old_segment",
                "old_start",
                "old_end",
                "old_text",
                "new_segment",
                "new_start",
                "new_end",
                "new_text",
                "memo",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        ];
        for m in &self.moves {
            let new = |f: fn(&Place) -> String| m.new.as_ref().map(f).unwrap_or_default();
            rows.push(vec![
                m.case.clone(),
                m.code.clone(),
                m.coder.clone(),
                m.fate.as_str().to_owned(),
                m.old.segment.clone(),
                m.old.start.to_string(),
                m.old.end.to_string(),
                m.old.text.clone(),
                new(|p| p.segment.clone()),
                new(|p| p.start.to_string()),
                new(|p| p.end.to_string()),
                new(|p| p.text.clone()),
                m.memo.clone().unwrap_or_default(),
            ]);
        }
        rows
    }
}
