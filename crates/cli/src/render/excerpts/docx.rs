//! Excerpts as a Word document: a heading per code (with the code's
//! memo), a subheading per case with the case's attributes, and each
//! excerpt as a quote with its segment; then the case memos.
//!
//! `docx-rs` builds a whole document in memory, several times over (the
//! paragraphs, then their XML, then the archive), which for a large corpus
//! took gigabytes. So it builds only the frame here (styles, title and a
//! marker paragraph), and the excerpts' paragraphs, each made by `docx-rs`
//! too, are written one by one in the marker's place, straight into the
//! compressed archive.
//!
//! Same inputs, same bytes: the document's dates, which Word and other
//! writers take from the clock, are fixed. `docx-rs` numbers paragraphs
//! from a per-thread counter that starts at 1 in every process (and a run
//! writes one document), and the archive has fixed entry dates, so nothing
//! else varies.

use std::io::{Cursor, Read, Write};

use anyhow::{Context, Result};
use docx_rs::{BreakType, BuildXML, Docx, Paragraph, Run, SpecialIndentType, Style, StyleType};
use zip::write::SimpleFileOptions;

use super::{Excerpts, attribute_line, byline};
use crate::output::Sink;
use crate::render::memo_markdown::memo_paragraphs;
use crate::render::xml_chars::{XmlSafe, xml_safe};

/// The fixed creation and modification date.
const DATE: &str = "2000-01-01T00:00:00Z";

/// The text of the paragraph the excerpts replace (private use characters:
/// no excerpt has them around a word).
const MARKER: &str = "\u{E000}qda-excerpts\u{E000}";

pub(super) fn render(excerpts: &Excerpts<'_>, coder: &str, out: &mut Sink) -> Result<()> {
    let frame = Docx::new()
        .created_at(DATE)
        .updated_at(DATE)
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").size(40).bold())
        .add_style(heading("Heading1", "Heading 1", 1, 32))
        .add_style(heading("Heading2", "Heading 2", 2, 26))
        .add_style(Style::new("Quote", StyleType::Paragraph).name("Quote").italic().indent(
            Some(567),
            None,
            Some(567),
            None,
        ))
        .add_style(
            Style::new("Caption", StyleType::Paragraph).name("Caption").size(18).color("595959"),
        )
        .add_paragraph(paragraph("Title", &excerpts.title()))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(excerpts.summary(coder))))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(MARKER)));
    let mut stored = Cursor::new(Vec::new());
    frame.pack(&mut stored)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(stored.into_inner()))?;
    let mut zip = zip::ZipWriter::new(out);
    // `docx-rs` stores its parts uncompressed, about four times the size
    // Word would write.
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            zip.add_directory(entry.name(), options)?;
            continue;
        }
        zip.start_file(entry.name(), options)?;
        if entry.name() == "word/document.xml" {
            let mut xml = String::new();
            entry.read_to_string(&mut xml)?;
            let (before, after) = split_at_marker(&xml)?;
            zip.write_all(&xml_safe(before.as_bytes()))?;
            body(excerpts, &mut XmlSafe(&mut zip))?;
            zip.write_all(&xml_safe(after.as_bytes()))?;
        } else {
            std::io::copy(&mut entry, &mut zip)?;
        }
    }
    zip.finish()?;
    Ok(())
}

/// The document's XML before and after the marker paragraph.
fn split_at_marker(xml: &str) -> Result<(&str, &str)> {
    let at = xml.find(MARKER).context("the Word frame has no marker paragraph")?;
    let start = xml[..at].rfind("<w:p ").context("the marker is not in a paragraph")?;
    let end = at + xml[at..].find("</w:p>").context("the marker paragraph is not closed")?;
    Ok((&xml[..start], &xml[end + "</w:p>".len()..]))
}

/// The excerpts' paragraphs, written as they are made.
fn body(excerpts: &Excerpts<'_>, out: &mut impl Write) -> Result<()> {
    for code in excerpts.codes() {
        out.write_all(&paragraph("Heading1", &excerpts.heading(code)).build())?;
        if let Some(memo) = excerpts.code_memo(code) {
            for p in memo_paragraphs(memo) {
                out.write_all(&p.build())?;
            }
        }
        excerpts.by_case(code, |case, list| {
            out.write_all(&paragraph("Heading2", &case.case).build())?;
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                out.write_all(&paragraph("Caption", &attributes).build())?;
            }
            for e in &list {
                out.write_all(&paragraph("Quote", &e.text).build())?;
                let line = paragraph("Caption", &byline(e)).indent(
                    Some(567),
                    Some(SpecialIndentType::FirstLine(0)),
                    None,
                    None,
                );
                out.write_all(&line.build())?;
            }
            Ok(())
        })?;
    }
    let mut memos = excerpts.case_memos().peekable();
    if memos.peek().is_some() {
        out.write_all(&paragraph("Heading1", "Case memos").build())?;
        for (case, memo) in memos {
            out.write_all(&paragraph("Heading2", &case.case).build())?;
            for p in memo_paragraphs(memo) {
                out.write_all(&p.build())?;
            }
        }
    }
    Ok(())
}

fn heading(id: &str, name: &str, level: usize, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph).name(name).size(size).bold().outline_lvl(level - 1)
}

/// A paragraph of `style` holding `text`, its line breaks kept as breaks.
fn paragraph(style: &str, text: &str) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().style(style).add_run(run)
}
