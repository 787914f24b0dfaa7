//! `qda sheet`: a coding sheet for one coder to fill in a spreadsheet.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;

use crate::args::SheetArgs;
use crate::outcome::Outcome;
use crate::output::{Sink, count};
use crate::provenance::display_path;
use crate::sheet::{BLIND_COLUMNS, COLUMNS, CONTEXT_ONLY};
use crate::study::LoadedStudy;

pub(crate) fn run(args: &SheetArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let transcripts = study.transcripts()?;
    let (codebook, rules) = (&study.codebook, &study.rules);

    let mut sink = Sink::create(args.output.path.as_deref(), &study.read())?;
    if args.bom {
        sink.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut sink);
    writer.write_record(if args.blind { BLIND_COLUMNS } else { COLUMNS })?;
    let mut rows = 0;
    for transcript in &transcripts {
        let mut suggested: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let coded =
            if args.blind { None } else { Some(rules.code_transcript(codebook, transcript)) };
        for coding in coded.iter().flat_map(|c| &c.codings) {
            suggested.entry(coding.segment.as_str()).or_default().push(coding.code.as_str());
        }
        let path = display_path(transcript.path());
        for segment in transcript.segments(codebook.unit()) {
            let interviewer = codebook.is_interviewer(&segment.speaker);
            let (case, time, text) = (
                transcript.case(),
                segment.time.as_deref().unwrap_or(""),
                segment.text(transcript),
            );
            if args.blind {
                let codes = if interviewer { CONTEXT_ONLY } else { "" };
                writer.write_record([
                    case,
                    &segment.id,
                    &segment.speaker,
                    time,
                    text,
                    codes,
                    "",
                    &path,
                    transcript.sha256(),
                    "yes",
                ])?;
                continue;
            }
            if interviewer {
                continue;
            }
            let codes =
                suggested.get(segment.id.as_str()).map(|c| c.join("; ")).unwrap_or_default();
            rows += 1;
            writer.write_record([
                case,
                &segment.id,
                &segment.speaker,
                time,
                text,
                &codes,
                "",
                "",
                &path,
                transcript.sha256(),
            ])?;
        }
    }
    writer.flush()?;
    drop(writer);
    let cases = transcripts.len();
    sink.finish(format!(
        "{} of {} to code, one per row",
        count(rows, "segment"),
        count(cases, "case")
    ))?;
    Ok(Outcome::Success)
}
