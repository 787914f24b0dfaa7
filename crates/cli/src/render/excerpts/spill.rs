//! The excerpts of a corpus, kept in a temporary file while it is read.
//!
//! A 200 MB corpus has hundreds of megabytes of coded text; held in memory
//! with the structures that lay it out, that became gigabytes. Instead each
//! case's excerpts are written, as the worker threads hand them on, to an
//! anonymous temporary file (deleted by the system however the run ends),
//! one block per code, and memory keeps only where each block is. The
//! formats read them back a case at a time (table rows) or a code and case
//! at a time (documents grouped by code).

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use anyhow::{Context, Result};
use qda_coding::{Codebook, StudyMemos};

use super::{CaseExcerpts, CaseInfo, Excerpt, Excerpts};

/// Where one case's excerpts of one code are in the file.
struct Block {
    code: String,
    offset: u64,
    len: u64,
    count: usize,
}

/// A case, with where its excerpts are.
pub(crate) struct SpilledCase {
    pub(crate) info: CaseInfo,
    /// In codebook order.
    blocks: Vec<Block>,
}

impl SpilledCase {
    /// How many excerpts the case has.
    pub(crate) fn len(&self) -> usize {
        self.blocks.iter().map(|b| b.count).sum()
    }

    /// The codes the case has excerpts of.
    pub(crate) fn codes(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().map(|b| b.code.as_str())
    }

    /// How many excerpts of `code` the case has.
    pub(crate) fn count_of(&self, code: &str) -> usize {
        self.blocks.iter().find(|b| b.code == code).map_or(0, |b| b.count)
    }
}

/// Gathers the cases' excerpts into the temporary file.
pub(crate) struct Collector {
    file: BufWriter<File>,
    written: u64,
    cases: Vec<SpilledCase>,
}

impl Collector {
    pub(crate) fn new() -> Result<Collector> {
        let file =
            tempfile::tempfile().context("cannot create a temporary file for the excerpts")?;
        Ok(Collector { file: BufWriter::new(file), written: 0, cases: Vec::new() })
    }

    /// Writes away a case's excerpts, keeping its id and attributes.
    pub(crate) fn add(&mut self, case: CaseExcerpts) -> Result<()> {
        let CaseExcerpts { info, mut excerpts } = case;
        // Rows are in row order; a stable sort by code keeps that order
        // within each code's block.
        excerpts.sort_by(|a, b| (a.rank(), &a.code).cmp(&(b.rank(), &b.code)));
        let mut blocks = Vec::new();
        for list in excerpts.chunk_by(|a, b| a.code == b.code) {
            let bytes = serde_json::to_vec(list)?;
            self.file.write_all(&bytes).context("cannot write the excerpts' temporary file")?;
            let len = bytes.len() as u64;
            blocks.push(Block {
                code: list[0].code.clone(),
                offset: self.written,
                len,
                count: list.len(),
            });
            self.written += len;
        }
        self.cases.push(SpilledCase { info, blocks });
        Ok(())
    }

    /// Every case gathered, sorted by case id.
    pub(crate) fn cases(&mut self) -> &[SpilledCase] {
        self.cases.sort_by(|a, b| a.info.case.cmp(&b.info.case));
        &self.cases
    }

    /// The excerpts to write: the cases that have any, with their case
    /// memos and the `attributes` columns.
    pub(crate) fn finish<'a>(
        self,
        codebook: &'a Codebook,
        attributes: Vec<String>,
        memos: &StudyMemos,
    ) -> Result<Excerpts<'a>> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        let mut cases = self.cases;
        cases.sort_by(|a, b| a.info.case.cmp(&b.info.case));
        cases.retain(|c| !c.blocks.is_empty());
        for case in &mut cases {
            case.info.memo = memos.cases.get(&case.info.case).map(|m| m.text.clone());
        }
        Ok(Excerpts { codebook, attributes, cases, spill: Spilled { file: RefCell::new(file) } })
    }
}

/// The temporary file, read back.
pub(super) struct Spilled {
    file: RefCell<File>,
}

impl Spilled {
    fn read(&self, block: &Block) -> Result<Vec<Excerpt>> {
        let mut file = self.file.borrow_mut();
        file.seek(SeekFrom::Start(block.offset))?;
        let mut bytes = vec![0; usize::try_from(block.len)?];
        file.read_exact(&mut bytes).context("cannot read the excerpts' temporary file")?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// A case's excerpts in row order.
    pub(super) fn rows(&self, case: &SpilledCase) -> Result<Vec<Excerpt>> {
        let mut rows = Vec::with_capacity(case.len());
        for block in &case.blocks {
            rows.extend(self.read(block)?);
        }
        // Stable: excerpts with equal keys are of one block, in row order.
        rows.sort_by(|a, b| a.row_key().cmp(&b.row_key()));
        Ok(rows)
    }

    /// A case's excerpts of `code`, in row order; `None` when it has none.
    pub(super) fn of_code(&self, case: &SpilledCase, code: &str) -> Result<Option<Vec<Excerpt>>> {
        case.blocks.iter().find(|b| b.code == code).map(|b| self.read(b)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn excerpt(segment: usize, code: &str, rank: usize) -> Excerpt {
        Excerpt {
            segment: format!("t{segment}"),
            speaker: "P".to_owned(),
            time: None,
            code: code.to_owned(),
            coder: "rules".to_owned(),
            memo: None,
            text: format!("{code} in t{segment} · 자유"),
            order: (segment, Some(rank), segment, segment + 1),
        }
    }

    fn case(id: &str, excerpts: Vec<Excerpt>) -> CaseExcerpts {
        let info = CaseInfo { case: id.to_owned(), attributes: Default::default(), memo: None };
        CaseExcerpts { info, excerpts }
    }

    /// Cases come in file order and leave in case order; a case's rows
    /// come back in row order, and a code's excerpts case by case.
    #[test]
    fn excerpts_come_back_in_row_and_code_order() {
        let codebook = Codebook::parse(
            Path::new("cb.toml"),
            "[codebook]\nname = \"b\"\n\n[[code]]\nid = \"a\"\n\n[[code]]\nid = \"b\"\n",
        )
        .unwrap();
        let mut collector = Collector::new().unwrap();
        let rows = |n: usize| vec![excerpt(n, "a", 0), excerpt(n, "b", 1), excerpt(n + 1, "a", 0)];
        collector.add(case("P02", rows(1))).unwrap();
        collector.add(case("P03", Vec::new())).unwrap();
        collector.add(case("P01", rows(5))).unwrap();
        let excerpts = collector.finish(&codebook, Vec::new(), &StudyMemos::new()).unwrap();
        assert_eq!(excerpts.len(), 6);
        assert_eq!(excerpts.cases.len(), 2, "a case without excerpts is left out");
        let mut seen = Vec::new();
        excerpts
            .rows(|case, e| {
                seen.push(format!("{} {}", case.case, e.text));
                Ok(())
            })
            .unwrap();
        assert_eq!(
            seen,
            [
                "P01 a in t5 · 자유",
                "P01 b in t5 · 자유",
                "P01 a in t6 · 자유",
                "P02 a in t1 · 자유",
                "P02 b in t1 · 자유",
                "P02 a in t2 · 자유"
            ]
        );
        let mut of_a = Vec::new();
        excerpts
            .by_case("a", |case, list| {
                of_a.push((case.case.clone(), list.iter().map(|e| e.segment.clone()).collect()));
                Ok(())
            })
            .unwrap();
        let expected: Vec<(String, Vec<String>)> = vec![
            ("P01".into(), vec!["t5".into(), "t6".into()]),
            ("P02".into(), vec!["t1".into(), "t2".into()]),
        ];
        assert_eq!(of_a, expected);
        assert_eq!(excerpts.codes(), ["a", "b"]);
        assert_eq!(excerpts.count_of("b"), 2);
    }
}
