//! Excerpts as a Word document: a heading per code, a subheading per case
//! with the case's attributes, and each excerpt as a quote with its segment.
//!
//! Same inputs, same bytes: the document's dates, which Word and other
//! writers take from the clock, are fixed. `docx-rs` numbers paragraphs
//! from a per-thread counter that starts at 1 in every process (and a run
//! writes one document), and the archive is written again with fixed entry
//! dates, so nothing else varies.

use std::io::Cursor;

use anyhow::Result;
use docx_rs::{BreakType, Docx, Paragraph, Run, SpecialIndentType, Style, StyleType};

use super::{Excerpts, attribute_line, byline};

/// The fixed creation and modification date.
const DATE: &str = "2000-01-01T00:00:00Z";

pub(super) fn render(excerpts: &Excerpts<'_>, coder: &str) -> Result<Vec<u8>> {
    let mut doc = Docx::new()
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
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(excerpts.summary(coder))));
    for code in excerpts.codes() {
        doc = doc.add_paragraph(paragraph("Heading1", &excerpts.heading(code)));
        for (case, list) in excerpts.by_case(code) {
            doc = doc.add_paragraph(paragraph("Heading2", &case.case));
            let attributes = attribute_line(&excerpts.attribute_values(case));
            if !attributes.is_empty() {
                doc = doc.add_paragraph(paragraph("Caption", &attributes));
            }
            for e in list {
                doc = doc.add_paragraph(paragraph("Quote", &e.text)).add_paragraph(
                    paragraph("Caption", &byline(e)).indent(
                        Some(567),
                        Some(SpecialIndentType::FirstLine(0)),
                        None,
                        None,
                    ),
                );
            }
        }
    }
    let mut bytes = Cursor::new(Vec::new());
    doc.pack(&mut bytes)?;
    deflate(&bytes.into_inner())
}

/// The archive again with every entry compressed: `docx-rs` stores its
/// parts as they are, which makes a document of many excerpts about four
/// times the size Word would. Entry dates are fixed at 1980-01-01.
fn deflate(stored: &[u8]) -> Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            out.add_directory(entry.name(), options)?;
        } else {
            out.start_file(entry.name(), options)?;
            std::io::copy(&mut entry, &mut out)?;
        }
    }
    Ok(out.finish()?.into_inner())
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
