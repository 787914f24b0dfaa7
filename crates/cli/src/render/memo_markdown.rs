//! Memos are Markdown: in a web page (the report, `qda memos -o
//! FILE.html`, `qda excerpts -o FILE.html`) they are rendered as HTML, in
//! a Word document as paragraphs with bold and italic runs. (Markdown
//! outputs keep them as written.)
//!
//! A memo is text a person typed, and the page is opened in a browser: raw
//! HTML in a memo is shown as text, not passed through; links keep only
//! web, mail and in-page targets; images become their description (a
//! self-contained page fetches nothing); and a memo's headings sit below
//! the page's own (`#` becomes `h4`).

use docx_rs::{BreakType, Paragraph, Run, RunFonts};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// `markdown` as HTML, in a `<div class="memo">`.
pub(crate) fn memo_html(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let dest_url = if safe_link(&dest_url) { dest_url } else { CowStr::from("") };
            Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Some(Event::Start(Tag::Heading { level: below_page(level), id, classes, attrs }))
        }
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(below_page(level)))),
        other => Some(other),
    });
    let mut html = String::from("<div class=\"memo\">\n");
    pulldown_cmark::html::push_html(&mut html, events);
    html.push_str("</div>\n");
    html
}

/// Whether a link may stay a link: `http(s):`, `mailto:`, or a target
/// without a scheme (`#code-x`, `notes.html`); never `javascript:` and
/// the like.
fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)));
    match scheme_end {
        Some(end) if lower[end..].starts_with(':') => {
            ["http", "https", "mailto"].contains(&&lower[..end])
        }
        _ => true,
    }
}

/// A memo's heading level on a page whose headings go down to `h3`.
fn below_page(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H4,
        HeadingLevel::H2 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// A memo's Markdown as Word paragraphs: a paragraph per block (heading,
/// paragraph, list item, quote, code), with bold, italic and code spans;
/// line breaks kept. Tables and other structure become their text.
pub(crate) fn memo_paragraphs(markdown: &str) -> Vec<Paragraph> {
    let mut paragraphs = Vec::new();
    let mut current: Option<Paragraph> = None;
    let (mut bold, mut italic, mut list_depth) = (0_u32, 0_u32, 0_u32);
    let mut item_open = false;
    let flush = |current: &mut Option<Paragraph>, paragraphs: &mut Vec<Paragraph>| {
        if let Some(p) = current.take() {
            paragraphs.push(p);
        }
    };
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_)) => {
                if !item_open {
                    flush(&mut current, &mut paragraphs);
                    current = Some(Paragraph::new());
                }
                if matches!(event, Event::Start(Tag::Heading { .. })) {
                    bold += 1;
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                bold -= 1;
                flush(&mut current, &mut paragraphs);
            }
            Event::End(TagEnd::Paragraph | TagEnd::CodeBlock) if !item_open => {
                flush(&mut current, &mut paragraphs);
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth -= 1,
            Event::Start(Tag::Item) => {
                flush(&mut current, &mut paragraphs);
                let indent = i32::try_from(360 * list_depth).unwrap_or(360);
                current = Some(
                    Paragraph::new()
                        .indent(Some(indent), None, None, None)
                        .add_run(Run::new().add_text("• ")),
                );
                item_open = true;
            }
            Event::End(TagEnd::Item) => {
                item_open = false;
                flush(&mut current, &mut paragraphs);
            }
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold -= 1,
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic -= 1,
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                let p = current.take().unwrap_or_default();
                current = Some(add_text(p, &text, bold > 0, italic > 0, false));
            }
            Event::Code(text) => {
                let p = current.take().unwrap_or_default();
                current = Some(add_text(p, &text, bold > 0, italic > 0, true));
            }
            Event::SoftBreak | Event::HardBreak => {
                let p = current.take().unwrap_or_default();
                current = Some(p.add_run(Run::new().add_break(BreakType::TextWrapping)));
            }
            _ => {}
        }
    }
    flush(&mut current, &mut paragraphs);
    paragraphs
}

/// `text` as a run of `paragraph`, its line breaks kept (a code block's).
fn add_text(paragraph: Paragraph, text: &str, bold: bool, italic: bool, code: bool) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    if bold {
        run = run.bold();
    }
    if italic {
        run = run.italic();
    }
    if code {
        run = run.fonts(RunFonts::new().ascii("Consolas").hi_ansi("Consolas"));
    }
    paragraph.add_run(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_lists_and_paragraphs_are_rendered() {
        insta::assert_snapshot!(
            memo_html("# Aims\n\nSpoke *freely*, with **regret**.\n\n- family\n- work\n"),
            @r#"
        <div class="memo">
        <h4>Aims</h4>
        <p>Spoke <em>freely</em>, with <strong>regret</strong>.</p>
        <ul>
        <li>family</li>
        <li>work</li>
        </ul>
        </div>
        "#
        );
    }

    #[test]
    fn raw_html_scripts_and_images_do_not_reach_the_page() {
        insta::assert_snapshot!(
            memo_html("<script>alert(1)</script>\n\nSee [this](javascript:alert(1)), [that](https://example.org) and ![a photo](http://x/y.png) <b>now</b>.\n"),
            @r#"
        <div class="memo">
        &lt;script&gt;alert(1)&lt;/script&gt;
        <p>See <a href="">this</a>, <a href="https://example.org">that</a> and a photo &lt;b&gt;now&lt;/b&gt;.</p>
        </div>
        "#
        );
    }
}
