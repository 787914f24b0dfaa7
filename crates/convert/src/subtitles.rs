//! Subtitle files: WebVTT (`.vtt`, as Zoom and Microsoft Teams write them)
//! and SubRip (`.srt`). Each cue becomes a [`Piece::Cue`] with its start
//! time and speaker: Teams' voice tag `<v Anna Schmidt>`, or Zoom's
//! `Anna Schmidt: ` before the text. Cue numbers, settings and styling tags
//! are dropped; `NOTE`, `STYLE` and `REGION` blocks are skipped.

use std::sync::LazyLock;

use regex::Regex;

use crate::Location;
use crate::error::{ConvertError, ConvertErrorKind, Place};
use crate::labels::{self, MARKED};
use crate::turns::Piece;

/// `hh:mm:ss.ttt` or `mm:ss.ttt` (WebVTT), `hh:mm:ss,ttt` (SubRip).
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{1,3})$").expect("valid regex")
});

/// A tag: `<v Anna>`, `<i>`, `</c>`, `<00:00:01.000>`.
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").expect("valid regex"));

/// SubRip's ASS-style position tags: `{\an8}`.
static ASS_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\\[^}]*\}").expect("valid regex"));

/// Which subtitle format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    WebVtt,
    SubRip,
}

/// The cues of a subtitle file, with a note on how speakers were marked.
pub(crate) fn read(
    text: &str,
    flavour: Flavour,
) -> Result<(Vec<Piece>, Vec<String>), ConvertError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut pieces = Vec::new();
    let mut index = 0;
    if flavour == Flavour::WebVtt {
        let first = lines.iter().position(|l| !l.trim().is_empty());
        let header_ok = first.is_some_and(|i| {
            let l = lines[i].trim_start_matches('\u{FEFF}');
            l == "WEBVTT" || l.starts_with("WEBVTT ") || l.starts_with("WEBVTT\t")
        });
        if !header_ok {
            let line = first.map_or(1, |i| i + 1);
            return Err(ConvertError::new(
                ConvertErrorKind::WrongKind,
                Place::Text(Location { line, column: 1 }),
                "not a WebVTT file: it must start with the line `WEBVTT`",
            ));
        }
        // The header block ends at the first blank line.
        index = first.unwrap_or(0);
        while index < lines.len() && !lines[index].trim().is_empty() {
            index += 1;
        }
    }
    let (mut voices, mut prefixes) = (0, 0);
    while index < lines.len() {
        if lines[index].trim().is_empty() {
            index += 1;
            continue;
        }
        let block_start = index;
        while index < lines.len() && !lines[index].trim().is_empty() {
            index += 1;
        }
        let block = &lines[block_start..index];
        let head = block[0].trim_start_matches('\u{FEFF}');
        if flavour == Flavour::WebVtt
            && (head.starts_with("NOTE") || head == "STYLE" || head == "REGION")
        {
            continue;
        }
        // The timing line is the first, or the second after a cue identifier.
        let timing_at = block.iter().take(2).position(|l| l.contains("-->"));
        let Some(timing_at) = timing_at else {
            let line = block_start + block.len().min(2);
            return Err(timing_error(
                line,
                1,
                format!(
                    "expected a timing line such as `{}` here (after the cue {})",
                    example(flavour),
                    if flavour == Flavour::SubRip { "number" } else { "identifier, if any" }
                ),
            ));
        };
        let line_number = block_start + timing_at + 1;
        let start = timing(block[timing_at], line_number, flavour)?;
        let payload = &block[timing_at + 1..];
        let (speaker, text) = cue_text(payload);
        match &speaker {
            Some(Speaker::Voice(_)) => voices += 1,
            Some(Speaker::Prefix(_)) => prefixes += 1,
            None => {}
        }
        pieces.push(Piece::Cue {
            // The cue's text, where a missing speaker would be written.
            line: line_number + usize::from(!payload.is_empty()),
            start: Some(start),
            speaker: speaker.map(|s| match s {
                Speaker::Voice(s) | Speaker::Prefix(s) => s,
            }),
            text,
        });
    }
    if pieces.is_empty() {
        return Err(ConvertError::new(
            ConvertErrorKind::Empty,
            Place::File,
            "the file has no cues",
        ));
    }
    let mut notes = Vec::new();
    if voices > 0 {
        notes.push(format!(
            "{voices} cue(s) with a voice tag `<v Name>` (as Microsoft Teams writes)"
        ));
    }
    if prefixes > 0 {
        notes.push(format!("{prefixes} cue(s) with `Name:` before the text (as Zoom writes them)"));
    }
    Ok((pieces, notes))
}

fn example(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::WebVtt => "00:00:01.000 --> 00:00:04.000",
        Flavour::SubRip => "00:00:01,000 --> 00:00:04,000",
    }
}

fn timing_error(line: usize, column: usize, message: String) -> ConvertError {
    ConvertError::new(ConvertErrorKind::Timing, Place::Text(Location { line, column }), message)
}

/// The start of a cue, in seconds, from its timing line; the end is checked too.
fn timing(line: &str, line_number: usize, flavour: Flavour) -> Result<f64, ConvertError> {
    let (start_text, rest) = line.split_once("-->").unwrap_or((line, ""));
    let end_text = rest.split_whitespace().next().unwrap_or("");
    let start_column = line.len() - line.trim_start().len() + 1;
    let end_column = line.find("-->").map_or(1, |i| {
        let after = &line[i + 3..];
        i + 3 + (after.len() - after.trim_start().len()) + 1
    });
    let parse = |text: &str, column: usize| {
        let text = text.trim();
        let separator_ok = match flavour {
            Flavour::WebVtt => !text.contains(','),
            Flavour::SubRip => !text.contains('.'),
        };
        TIME.captures(text)
            .filter(|_| separator_ok)
            .map(|c| {
                let number =
                    |i: usize| c.get(i).map_or(0.0, |m| m.as_str().parse::<f64>().unwrap_or(0.0));
                let fraction = c.get(4).map_or(0.0, |m| {
                    m.as_str().parse::<f64>().unwrap_or(0.0) / 10f64.powi(m.as_str().len() as i32)
                });
                number(1) * 3600.0 + number(2) * 60.0 + number(3) + fraction
            })
            .ok_or_else(|| {
                timing_error(
                    line_number,
                    column,
                    format!(
                        "`{text}` is not a {} cue time; write it as hh:mm:ss{}ttt, such as `{}`",
                        match flavour {
                            Flavour::WebVtt => "WebVTT",
                            Flavour::SubRip => "SubRip",
                        },
                        match flavour {
                            Flavour::WebVtt => ".",
                            Flavour::SubRip => ",",
                        },
                        match flavour {
                            Flavour::WebVtt => "00:01:02.500",
                            Flavour::SubRip => "00:01:02,500",
                        }
                    ),
                )
            })
    };
    let start = parse(start_text, start_column)?;
    let end = parse(end_text, end_column)?;
    if end < start {
        return Err(timing_error(
            line_number,
            end_column,
            "the cue ends before it starts".to_owned(),
        ));
    }
    Ok(start)
}

enum Speaker {
    Voice(String),
    Prefix(String),
}

/// A cue's speaker and text: lines joined by a space, tags removed.
fn cue_text(payload: &[&str]) -> (Option<Speaker>, String) {
    let joined = payload.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    let voice = joined.find("<v").and_then(|i| {
        let tag = &joined[i + 2..];
        let end = tag.find('>')?;
        let inner = &tag[..end];
        // `<v.loud Anna>`: classes come before the name.
        let name = inner.split_once(char::is_whitespace).map_or("", |(_, name)| name).trim();
        (!name.is_empty()).then(|| unescape(name))
    });
    let text = unescape(&ASS_TAG.replace_all(&TAG.replace_all(&joined, ""), ""));
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(voice) = voice {
        return (Some(Speaker::Voice(voice)), text);
    }
    match labels::turn_start(&text, "", MARKED).filter(|s| s.time.is_none()) {
        Some(start) => (Some(Speaker::Prefix(start.label)), start.rest),
        None => (None, text),
    }
}

/// The character references WebVTT defines that subtitle tools write.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(text: &str, flavour: Flavour) -> Vec<(Option<f64>, Option<String>, String)> {
        read(text, flavour)
            .unwrap()
            .0
            .into_iter()
            .map(|p| match p {
                Piece::Cue { start, speaker, text, .. } => (start, speaker, text),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn error(text: &str, flavour: Flavour) -> String {
        let e = read(text, flavour).unwrap_err();
        format!("{:?} {:?}: {}", e.kind, e.place, e.message)
    }

    #[test]
    fn voices_classes_entities_notes_and_styles() {
        let vtt = "WEBVTT - interview\nKind: captions\n\nNOTE recorded in Osaka\n\nSTYLE\n::cue { color: red }\n\n\
                   00:01.500 --> 00:03.000 align:start\n<v.loud Dr. Kim>We &amp; they <i>left</i>&nbsp;early</v>\n";
        assert_eq!(
            cues(vtt, Flavour::WebVtt),
            [(Some(1.5), Some("Dr. Kim".into()), "We & they left early".into())]
        );
    }

    #[test]
    fn subrip_times_and_tags() {
        let srt = "\u{FEFF}1\n01:00:02,250 --> 01:00:04,000\n{\\an8}<b>Anna:</b> Hello\n\n";
        assert_eq!(
            cues(srt, Flavour::SubRip),
            [(Some(3602.25), Some("Anna".into()), "Hello".into())]
        );
    }

    #[test]
    fn broken_files_say_where() {
        assert_eq!(
            error("1\n00:00:01.000 --> 00:00:02.000\nhi\n", Flavour::WebVtt),
            "WrongKind Text(Location { line: 1, column: 1 }): not a WebVTT file: it must start with the line `WEBVTT`"
        );
        assert_eq!(
            error("WEBVTT\n\n1\nhello\nthere\n", Flavour::WebVtt),
            "Timing Text(Location { line: 4, column: 1 }): expected a timing line such as `00:00:01.000 --> 00:00:04.000` here (after the cue identifier, if any)"
        );
        assert_eq!(
            error("1\n00:00:05,000 --> 00:00:04,000\nhi\n", Flavour::SubRip),
            "Timing Text(Location { line: 2, column: 18 }): the cue ends before it starts"
        );
        assert_eq!(
            error("1\n00:00:05.000 --> 00:00:06,000\nhi\n", Flavour::SubRip),
            "Timing Text(Location { line: 2, column: 1 }): `00:00:05.000` is not a SubRip cue time; write it as hh:mm:ss,ttt, such as `00:01:02,500`"
        );
        assert_eq!(error("WEBVTT\n\n", Flavour::WebVtt), "Empty File: the file has no cues");
    }
}
