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
