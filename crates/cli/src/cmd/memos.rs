//! `qda memos`: the project, code, case and segment memos of a study in
//! one document, Markdown, HTML or Word by the output's extension.

use anyhow::{Result, bail};

use crate::args::MemosArgs;
use crate::outcome::Outcome;
use crate::provenance::display_path;
use crate::render::memos::{self, MemoBook};
use crate::study::LoadedStudy;

pub(crate) fn run(args: &MemosArgs) -> Result<Outcome> {
    let extension = args
        .output
        .as_ref()
        .map(|o| o.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase));
    let kind = match extension.as_ref().map(|e| e.as_deref()) {
        None => "md",
        Some(Some("md" | "markdown")) => "md",
        Some(Some("html" | "htm")) => "html",
        Some(Some("docx")) => "docx",
        Some(_) => bail!(
            "{}: the memos file's name must end in .md (Markdown), .html (a web page) or .docx (Word); choose -o memos.md, -o memos.html or -o memos.docx",
            display_path(args.output.as_deref().unwrap_or_else(|| "".as_ref()))
        ),
    };
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let transcripts = study.transcripts()?;
    let codings = study.codings_files(&args.codings, &transcripts)?;
    let study_memos = study.study_memos(args.memos.folder.as_deref(), &transcripts)?;
    let book = MemoBook::new(&study.codebook, &study_memos, &transcripts, &codings.files);
    let bytes = match kind {
        "html" => memos::html_page(&book).into_bytes(),
        "docx" => memos::docx(&book)?,
        _ => memos::markdown_document(&book).into_bytes(),
    };
    let what = crate::output::count(book.count(), "memo");
    crate::output::write(args.output.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}
