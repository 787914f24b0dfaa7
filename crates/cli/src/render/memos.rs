//! The study's memos gathered in one document (`qda memos`, and the
//! report's "Memos" section): the project memo, each code's memo with its
//! code, and each case's memo with the memos coders wrote on its segments.
//! Rendered as Markdown (headings to link to), HTML (anchors `code-ID` and
//! `case-ID`, as the report's) and Word; the memos themselves are Markdown,
//! kept as written in Markdown and rendered in HTML and Word
//! (`render::memo_markdown`).

use std::collections::BTreeMap;

use qda_coding::{Codebook, CodingsFile, Source, StudyMemos, Transcript, Unit};

use crate::render::markdown::Markdown;
use crate::render::markup::Markup;
use crate::render::memo_markdown::{memo_html, memo_paragraphs};
use crate::report::html::{Html, anchor};

/// Every memo of a study, in codebook and case order.
pub(crate) struct MemoBook {
    /// The codebook's name, for the title.
    pub(crate) title: String,
    pub(crate) project: Option<String>,
    /// Codes with a memo, in codebook order.
    pub(crate) codes: Vec<CodeMemo>,
    /// Cases with a case memo or segment memos, in case order.
    pub(crate) cases: Vec<CaseMemos>,
}

pub(crate) struct CodeMemo {
    pub(crate) id: String,
    pub(crate) label: String,
    /// `motive > freedom`: the ids from the root down.
    pub(crate) path: String,
    pub(crate) memo: String,
}

pub(crate) struct CaseMemos {
    pub(crate) case: String,
    pub(crate) memo: Option<String>,
    pub(crate) segments: Vec<SegmentNote>,
}

/// A coder's memo on one segment, with the codes they gave it (none for a
/// memo on a segment without a code).
pub(crate) struct SegmentNote {
    pub(crate) segment: String,
    pub(crate) coder: String,
    pub(crate) codes: Vec<String>,
    pub(crate) memo: String,
    pub(crate) text: String,
}

impl MemoBook {
    /// Gathers the memos; `transcripts` in case order give the segment
    /// texts, `codings` every coder's segment memos.
    pub(crate) fn new(
        codebook: &Codebook,
        memos: &StudyMemos,
        transcripts: &[Transcript],
        codings: &[CodingsFile],
    ) -> Self {
        let codes = codebook
            .codes()
            .iter()
            .filter_map(|code| {
                Some(CodeMemo {
                    id: code.id.clone(),
                    label: code.label.clone(),
                    path: code_path(codebook, &code.id),
                    memo: code.memo.clone()?.trim().to_owned(),
                })
            })
            .filter(|c| !c.memo.is_empty())
            .collect();
        // (case, segment, coder, memo) -> codes, so a memo on a segment
        // coded twice is shown once with both codes.
        let mut notes: BTreeMap<(&str, &str, &str, &str), Vec<String>> = BTreeMap::new();
        for file in codings {
            for m in &file.memos {
                notes.entry((&m.case, &m.segment, &m.coder, &m.memo)).or_default();
            }
            for c in &file.codings {
                if let Source::Manual { memo: Some(memo), .. } = &c.source
                    && !memo.trim().is_empty()
                {
                    let codes =
                        notes.entry((&c.case, &c.segment, &c.coder, memo.as_str())).or_default();
                    if !codes.contains(&c.code) {
                        codes.push(c.code.clone());
                    }
                }
            }
        }
        let cases = transcripts
            .iter()
            .filter_map(|t| {
                let segments = segment_notes(t, codebook.unit(), &notes);
                let memo = memos.cases.get(t.case()).map(|m| m.text.clone());
                (memo.is_some() || !segments.is_empty()).then(|| CaseMemos {
                    case: t.case().to_owned(),
                    memo,
                    segments,
                })
            })
            .collect();
        MemoBook {
            title: codebook.name().to_owned(),
            project: memos.project.as_ref().map(|m| m.text.clone()),
            codes,
            cases,
        }
    }

    /// The project, code and case memos of `cases` (in case order),
    /// without segment memos: the transcripts need not be kept.
    pub(crate) fn of_cases(codebook: &Codebook, memos: &StudyMemos, cases: &[String]) -> Self {
        let mut book = MemoBook::new(codebook, memos, &[], &[]);
        book.cases = cases
            .iter()
            .filter_map(|case| {
                let memo = memos.cases.get(case)?.text.clone();
                Some(CaseMemos { case: case.clone(), memo: Some(memo), segments: Vec::new() })
            })
            .collect();
        book
    }

    /// Whether there is nothing to show.
    pub(crate) fn is_empty(&self) -> bool {
        self.project.is_none() && self.codes.is_empty() && self.cases.is_empty()
    }

    /// How many memos there are, for the line that announces the file.
    pub(crate) fn count(&self) -> usize {
        usize::from(self.project.is_some())
            + self.codes.len()
            + self
                .cases
                .iter()
                .map(|c| usize::from(c.memo.is_some()) + c.segments.len())
                .sum::<usize>()
    }
}

/// The segment memos of one transcript, in text order, then by coder.
fn segment_notes(
    transcript: &Transcript,
    unit: Unit,
    notes: &BTreeMap<(&str, &str, &str, &str), Vec<String>>,
) -> Vec<SegmentNote> {
    let case = transcript.case();
    let here: Vec<_> = notes.range((case, "", "", "")..).take_while(|(k, _)| k.0 == case).collect();
    if here.is_empty() {
        return Vec::new();
    }
    // The codebook's unit first: codings files name segments of that unit.
    let segments: Vec<_> = [unit, Unit::Turn, Unit::Paragraph, Unit::Sentence]
        .into_iter()
        .flat_map(|u| transcript.segments(u))
        .collect();
    let mut found: Vec<(usize, SegmentNote)> = here
        .into_iter()
        .map(|(&(_, segment, coder, memo), codes)| {
            let at = segments.iter().find(|s| s.id == segment);
            let note = SegmentNote {
                segment: segment.to_owned(),
                coder: coder.to_owned(),
                codes: codes.clone(),
                memo: memo.trim().to_owned(),
                text: at.map(|s| s.text(transcript).trim().to_owned()).unwrap_or_default(),
            };
            (at.map_or(usize::MAX, |s| s.start), note)
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1.coder).cmp(&(b.0, &b.1.coder)));
    found.into_iter().map(|(_, n)| n).collect()
}

/// The ids from the root code down to `id`, joined by ` > `.
fn code_path(codebook: &Codebook, id: &str) -> String {
    let mut path = vec![id.to_owned()];
    let mut current = codebook.code(id).and_then(|c| c.parent.clone());
    // A codebook's tree has no cycles (checked when parsed); the bound is a guard.
    while let Some(parent) = current.filter(|_| path.len() <= codebook.codes().len()) {
        current = codebook.code(&parent).and_then(|c| c.parent.clone());
        path.push(parent);
    }
    path.reverse();
    path.join(" > ")
}

/// The memos as Markdown sections under headings of `level`.
pub(crate) fn markdown(book: &MemoBook, md: &mut Markdown, level: usize) {
    if let Some(project) = &book.project {
        md.heading(level, "Project");
        paragraphs_md(md, project);
    }
    if !book.codes.is_empty() {
        md.heading(level, "Codes");
        for code in &book.codes {
            md.heading(level + 1, &format!("{} ({})", code.id, code.label));
            md.paragraph(&format!("Code path: {}", code.path));
            paragraphs_md(md, &code.memo);
        }
    }
    if !book.cases.is_empty() {
        md.heading(level, "Cases");
        for case in &book.cases {
            md.heading(level + 1, &case.case);
            if let Some(memo) = &case.memo {
                paragraphs_md(md, memo);
            }
            for note in &case.segments {
                md.strong(&note_heading(note)).raw("\n\n");
                paragraphs_md(md, &note.memo);
                let mut quote = Markdown::default();
                quote.text_lines(&note.text);
                md.quote(quote).blank();
            }
        }
    }
}

/// `P01:t4 · anna · freedom, survival` (or `· no code`).
fn note_heading(note: &SegmentNote) -> String {
    let codes = if note.codes.is_empty() { "no code".to_owned() } else { note.codes.join(", ") };
    format!("{} · {} · {codes}", note.segment, note.coder)
}

/// A memo, kept as the Markdown it was written in.
fn paragraphs_md(md: &mut Markdown, text: &str) {
    md.verbatim(text).raw("\n\n");
}

/// The memos as HTML sections under headings `h_level` (`h2` or `h3`),
/// with anchors on codes and cases; `anchored` says whether the page
/// has its own `code-ID` and `case-ID` anchors already (the report), in
/// which case the memos link to them instead of defining them.
pub(crate) fn html(
    book: &MemoBook,
    h: &mut Html,
    sub: (&'static str, &'static str),
    anchored: bool,
) {
    let (h_group, h_item) = sub;
    let id_of = |kind: &str, id: &str| {
        if anchored { format!("memo-{}", anchor(kind, id)) } else { anchor(kind, id) }
    };
    if let Some(project) = &book.project {
        h.element(h_group, &[("id", "memo-project")], "Project").nl();
        paragraphs_html(h, project);
    }
    if !book.codes.is_empty() {
        h.element(h_group, &[], "Codes").nl();
        for code in &book.codes {
            h.open(h_item, &[("id", &id_of("code", &code.id))]).element("code", &[], &code.id);
            h.text(&format!(" ({})", code.label)).close(h_item).nl();
            h.open("p", &[("class", "note")]).text("Code path: ");
            if anchored {
                h.open("a", &[("href", &format!("#{}", anchor("code", &code.id)))])
                    .text(&code.path)
                    .close("a");
            } else {
                h.text(&code.path);
            }
            h.close("p").nl();
            paragraphs_html(h, &code.memo);
        }
    }
    if !book.cases.is_empty() {
        h.element(h_group, &[], "Cases").nl();
        for case in &book.cases {
            h.open(h_item, &[("id", &id_of("case", &case.case))]);
            if anchored {
                h.open("a", &[("href", &format!("#{}", anchor("case", &case.case)))])
                    .text(&case.case)
                    .close("a");
            } else {
                h.text(&case.case);
            }
            h.close(h_item).nl();
            if let Some(memo) = &case.memo {
                paragraphs_html(h, memo);
            }
            for note in &case.segments {
                h.open("div", &[("class", "decision")]).raw("<p class=\"verdict\">");
                h.element("code", &[], &note.segment).text(" · ").text(&note.coder).text(" · ");
                if note.codes.is_empty() {
                    h.text("no code");
                }
                for (i, code) in note.codes.iter().enumerate() {
                    if i > 0 {
                        h.text(", ");
                    }
                    let target = match anchored {
                        true => anchor("code", code),
                        false if book.codes.iter().any(|c| &c.id == code) => anchor("code", code),
                        false => String::new(),
                    };
                    if target.is_empty() {
                        h.text(code);
                    } else {
                        h.open("a", &[("href", &format!("#{target}"))]).text(code).close("a");
                    }
                }
                h.raw("</p>");
                paragraphs_html(h, &note.memo);
                h.element("blockquote", &[], &note.text).close("div").nl();
            }
        }
    }
}

/// A memo, rendered from its Markdown.
fn paragraphs_html(h: &mut Html, text: &str) {
    h.rendered(&memo_html(text));
}

/// A self-contained HTML page of the memos (`qda memos -o memos.html`).
pub(crate) fn html_page(book: &MemoBook) -> String {
    let mut h = Html::default();
    let title = format!("{} · memos", book.title);
    h.page_head(&title).raw("<main>\n");
    h.element("h1", &[], &title).nl();
    if book.is_empty() {
        h.element("p", &[], "No memos.").nl();
    }
    html(book, &mut h, ("h2", "h3"), false);
    h.raw("</main>\n</div>\n</body>\n</html>\n");
    h.finish()
}

/// The memos as a Markdown document (`qda memos`).
pub(crate) fn markdown_document(book: &MemoBook) -> String {
    let mut md = Markdown::default();
    md.heading(1, &format!("{} · memos", book.title));
    if book.is_empty() {
        md.paragraph("No memos.");
    }
    markdown(book, &mut md, 2);
    md.finish()
}

/// The memos as a Word document, with bookmarks on codes and cases and
/// links to the codes from the segment memos. Its dates are fixed, so the
/// same memos give the same bytes.
pub(crate) fn docx(book: &MemoBook) -> anyhow::Result<Vec<u8>> {
    use docx_rs::{Docx, Hyperlink, HyperlinkType, Paragraph, Run, Style, StyleType};

    let run = |text: &str| {
        let mut run = Run::new();
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                run = run.add_break(docx_rs::BreakType::TextWrapping);
            }
            run = run.add_text(line);
        }
        run
    };
    let heading = |level: usize, text: &str| {
        Paragraph::new().style(&format!("Heading{level}")).add_run(Run::new().add_text(text))
    };
    // Word bookmark names: letters, digits and `_`, at most 40 characters.
    let mut bookmarks: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut doc = Docx::new()
        .created_at("2000-01-01T00:00:00Z")
        .updated_at("2000-01-01T00:00:00Z")
        .add_style(Style::new("Heading1", StyleType::Paragraph).name("Heading 1").size(36).bold())
        .add_style(Style::new("Heading2", StyleType::Paragraph).name("Heading 2").size(30).bold())
        .add_style(Style::new("Heading3", StyleType::Paragraph).name("Heading 3").size(26).bold())
        .add_style(Style::new("Quote", StyleType::Paragraph).name("Quote").italic())
        .add_paragraph(heading(1, &format!("{} · memos", book.title)));
    let memo = |mut doc: Docx, text: &str| {
        for paragraph in memo_paragraphs(text) {
            doc = doc.add_paragraph(paragraph);
        }
        doc
    };
    if book.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().add_run(run("No memos.")));
    }
    if let Some(project) = &book.project {
        doc = memo(doc.add_paragraph(heading(2, "Project")), project);
    }
    if !book.codes.is_empty() {
        doc = doc.add_paragraph(heading(2, "Codes"));
        for code in &book.codes {
            let (n, name) = bookmark(&mut bookmarks, "code", &code.id);
            let title = format!("{} ({})", code.id, code.label);
            doc = doc.add_paragraph(
                heading(3, "")
                    .add_bookmark_start(n, name)
                    .add_run(Run::new().add_text(title))
                    .add_bookmark_end(n),
            );
            doc = doc
                .add_paragraph(Paragraph::new().add_run(run(&format!("Code path: {}", code.path))));
            doc = memo(doc, &code.memo);
        }
    }
    if !book.cases.is_empty() {
        doc = doc.add_paragraph(heading(2, "Cases"));
        for case in &book.cases {
            let (n, name) = bookmark(&mut bookmarks, "case", &case.case);
            doc = doc.add_paragraph(
                heading(3, "")
                    .add_bookmark_start(n, name)
                    .add_run(Run::new().add_text(&case.case))
                    .add_bookmark_end(n),
            );
            if let Some(text) = &case.memo {
                doc = memo(doc, text);
            }
            for note in &case.segments {
                let mut line = Paragraph::new().add_run(
                    Run::new().bold().add_text(format!("{} · {} · ", note.segment, note.coder)),
                );
                if note.codes.is_empty() {
                    line = line.add_run(Run::new().bold().add_text("no code"));
                }
                for (i, code) in note.codes.iter().enumerate() {
                    if i > 0 {
                        line = line.add_run(Run::new().bold().add_text(", "));
                    }
                    line = match bookmarks.get(&format!("code:{code}")) {
                        Some((_, name)) => line.add_hyperlink(
                            Hyperlink::new(name, HyperlinkType::Anchor)
                                .add_run(Run::new().bold().underline("single").add_text(code)),
                        ),
                        None => line.add_run(Run::new().bold().add_text(code)),
                    };
                }
                doc = memo(doc.add_paragraph(line), &note.memo);
                doc = doc.add_paragraph(Paragraph::new().style("Quote").add_run(run(&note.text)));
            }
        }
    }
    let mut xml = doc.build();
    xml.document = crate::render::xml_chars::xml_safe(&xml.document).into_owned();
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes)?;
    Ok(bytes.into_inner())
}

/// The Word bookmark of a code or case: a number and a name of letters,
/// digits and `_` (what Word accepts), the same for the same id.
fn bookmark(
    bookmarks: &mut BTreeMap<String, (usize, String)>,
    kind: &str,
    id: &str,
) -> (usize, String) {
    let n = bookmarks.len() + 1;
    bookmarks.entry(format!("{kind}:{id}")).or_insert_with(|| (n, format!("{kind}_{n}"))).clone()
}
