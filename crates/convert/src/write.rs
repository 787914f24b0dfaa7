//! A converted transcript written in qda's format: TOML front matter, then
//! one line per turn start (`[hh:mm:ss] LABEL: text`), a turn's further
//! paragraphs after a blank line.

use std::fmt::Write as _;

use qda_coding::{AttributeValue, Attributes};

use crate::turns::Turn;

/// The transcript's text.
pub(crate) fn transcript(
    case: &str,
    attributes: &Attributes,
    speakers: &[String],
    turns: &[Turn],
) -> String {
    let mut out = String::from("+++\n");
    let _ = writeln!(out, "case = {}", quoted(case));
    for (key, value) in attributes {
        let value = match value {
            AttributeValue::Text(s) => quoted(s),
            AttributeValue::Integer(i) => i.to_string(),
            AttributeValue::Float(f) => format!("{f:?}"),
            AttributeValue::Boolean(b) => b.to_string(),
        };
        let _ = writeln!(out, "{} = {value}", key_text(key));
    }
    let list: Vec<String> = speakers.iter().map(|s| quoted(s)).collect();
    let _ = writeln!(out, "speakers = [{}]", list.join(", "));
    out.push_str("+++\n");
    for turn in turns {
        if let Some(time) = &turn.time {
            let _ = write!(out, "[{time}] ");
        }
        out.push_str(&turn.speaker);
        out.push(':');
        let mut first_line = true;
        for (i, paragraph) in turn.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            for line in paragraph {
                if first_line {
                    out.push(' ');
                    first_line = false;
                } else if !out.ends_with('\n') {
                    out.push('\n');
                }
                // A continuation line that reads like a declared speaker's
                // turn is indented, so that it stays in this turn.
                if !out.ends_with(' ') && starts_turn(line, speakers) {
                    out.push(' ');
                }
                out.push_str(line);
            }
        }
        out.push('\n');
    }
    out
}

/// Whether `line` would start a turn of one of `speakers` in qda's format.
fn starts_turn(line: &str, speakers: &[String]) -> bool {
    let rest = line.strip_prefix('[').and_then(|r| r.split_once("] ")).map_or(line, |(_, r)| r);
    speakers.iter().any(|s| {
        rest.strip_prefix(s.as_str())
            .and_then(|r| r.trim_start().strip_prefix(':'))
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
    })
}

/// A TOML basic string, on one line (so no `+++` inside can end the front matter).
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_text(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        key.to_owned()
    } else {
        quoted(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_that_read_as_turns_are_indented() {
        let turns = vec![Turn {
            time: Some("00:00:05".into()),
            speaker: "I".into(),
            paragraphs: vec![vec!["He said".into(), "P: no".into()], vec!["Next".into()]],
        }];
        let text = transcript("P01", &Attributes::new(), &["I".into(), "P".into()], &turns);
        assert_eq!(
            text,
            "+++\ncase = \"P01\"\nspeakers = [\"I\", \"P\"]\n+++\n[00:00:05] I: He said\n P: no\n\nNext\n"
        );
        assert_eq!(quoted("a \"b\"\n+++\u{1}"), "\"a \\\"b\\\"\\n+++\\u0001\"");
    }
}
