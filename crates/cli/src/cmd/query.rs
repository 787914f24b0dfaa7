//! `qda query`: the segments a query matches (`qda_coding::Query`,
//! docs/query.md), as excerpts in any format of `qda excerpts`, as counts
//! (`--count`, `--by`), or as the segments several coders coded
//! (`--multi-coded`). [`QueryFilter`] is the same query as the `--query`
//! filter of `qda excerpts`.
//!
//! Inputs as `qda tally`: without `--codings` the rules code each
//! transcript in the worker thread that read it, which keeps only what the
//! query found; with them, every coder's codings in the files count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Result, bail};
use qda_coding::{
    Attributes, Codebook, Coding, KnownNames, Level, MISSING, Query, RULES_CODER, Segment, Source,
    StudyMemos, Transcript, UNCODED, closest, several_coders,
};

use crate::args::{Format, QueryArgs, QueryLevel};
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, display_path};
use crate::render::excerpts::{CaseExcerpts, Collector, Kind, attribute_columns};
use crate::render::query::{CountRow, MultiCoded, MultiSegment, QueryCounts};
use crate::render::render;
use crate::study::{LoadedStudy, Summary};

/// What the command writes.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Excerpts(Kind),
    Count(Format),
    MultiCoded(Format),
}

impl Mode {
    fn of(args: &QueryArgs) -> Result<Mode> {
        if !(args.count || args.multi_coded) {
            return Ok(Mode::Excerpts(Kind::of(args.output.as_deref())?));
        }
        let format = match args.output.as_deref() {
            None => Format::Table,
            Some(path) => {
                let extension = path.extension().and_then(|e| e.to_str());
                match extension.map(str::to_ascii_lowercase).as_deref() {
                    Some("csv") => Format::Csv,
                    Some("json") => Format::Json,
                    Some("md" | "markdown") => Format::Markdown,
                    _ => bail!(
                        "{}: --count and --multi-coded write .csv, .json or .md; choose -o with one of these extensions",
                        display_path(path)
                    ),
                }
            }
        };
        Ok(if args.count { Mode::Count(format) } else { Mode::MultiCoded(format) })
    }
}

pub(crate) fn run(args: &QueryArgs) -> Result<Outcome> {
    let mode = Mode::of(args)?;
    let level = match args.level {
        QueryLevel::Segment => Level::Segment,
        QueryLevel::Case => Level::Case,
    };
    let mut study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let query = Query::parse(&args.expr, &study.codebook)?;
    let mut known = KnownNames::default();
    let mut cases: Vec<CaseResult> = Vec::new();
    let query = if args.codings.is_empty() {
        known.coders.insert(RULES_CODER.to_owned());
        let query = narrowed(query, args, &known)?;
        study.each_transcript(
            |codebook, rules, transcript| {
                let coded = rules.code_transcript(codebook, &transcript);
                let codings: Vec<&Coding> = coded.codings.iter().collect();
                Gathered {
                    input: Input::transcript(&transcript),
                    path: transcript.path().to_owned(),
                    result: CaseResult::new(&query, codebook, &transcript, &codings, mode, level),
                }
            },
            |gathered| {
                cases.push(gathered.result);
                Ok(())
            },
        )?;
        query
    } else {
        let transcripts = study.transcripts()?;
        let loaded = study.codings_files(&args.codings, &transcripts)?;
        let mut all: Vec<&Coding> = loaded.files.iter().flat_map(|f| &f.codings).collect();
        // A coding in two files (a layered copy) is one coding.
        all.sort_by(|a, b| identity(a).cmp(&identity(b)));
        all.dedup_by(|a, b| identity(a) == identity(b));
        known.coders.extend(loaded.coders());
        known.coders.extend(all.iter().map(|c| c.coder.clone()));
        let query = narrowed(query, args, &known)?;
        let mut by_case: BTreeMap<&str, Vec<&Coding>> = BTreeMap::new();
        for coding in all {
            by_case.entry(coding.case.as_str()).or_default().push(coding);
        }
        for transcript in &transcripts {
            let codings = by_case.get(transcript.case()).map_or(&[][..], Vec::as_slice);
            cases.push(CaseResult::new(&query, &study.codebook, transcript, codings, mode, level));
        }
        query
    };
    // Speakers and attributes are known once every transcript is read.
    check_names_and_by(&query, args, &mut known, &cases)?;
    finish(args, &study, mode, cases)
}

/// What makes two codings the same coding.
fn identity(coding: &Coding) -> (&str, usize, usize, &str, &str) {
    (&coding.case, coding.start, coding.end, &coding.code, &coding.coder)
}

/// The query narrowed by `--coded-by` and `--not-coded-by`, once their
/// names are known coders.
fn narrowed(query: Query, args: &QueryArgs, known: &KnownNames) -> Result<Query> {
    for (flag, names) in [("--coded-by", &args.coded_by), ("--not-coded-by", &args.not_coded_by)] {
        for name in names {
            if !known.coders.contains(name) {
                let hint = closest(name, known.coders.iter().map(String::as_str))
                    .first()
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                let coders: Vec<&str> = known.coders.iter().map(String::as_str).collect();
                bail!(
                    "{flag} {name}: no coder in the codings is called `{name}`; {hint}known: {}{}",
                    coders.join(", "),
                    if args.codings.is_empty() {
                        " (give the coders' files with --codings)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    Ok(query.with_coders(&args.coded_by, &args.not_coded_by))
}

/// Checks the query's speakers and attributes, and `--by`, against what
/// the transcripts have.
fn check_names_and_by(
    query: &Query,
    args: &QueryArgs,
    known: &mut KnownNames,
    cases: &[CaseResult],
) -> Result<()> {
    for case in cases {
        known.speakers.extend(case.speakers.iter().cloned());
        known.attributes.extend(case.attributes.keys().cloned());
    }
    query.check_names(known)?;
    if let Some(by) = &args.by
        && !known.attributes.contains(by)
    {
        let hint = closest(by, known.attributes.iter().map(String::as_str))
            .first()
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        let names: Vec<&str> = known.attributes.iter().map(String::as_str).collect();
        bail!(
            "--by {by}: no case has the attribute `{by}`; {hint}known attributes: {}",
            names.join(", ")
        );
    }
    Ok(())
}

fn finish(
    args: &QueryArgs,
    study: &LoadedStudy,
    mode: Mode,
    mut cases: Vec<CaseResult>,
) -> Result<Outcome> {
    study.warn_undeclared_speakers();
    cases.sort_by(|a, b| a.case.cmp(&b.case));
    let (bytes, what) = match mode {
        Mode::Excerpts(kind) => {
            let mut collector = Collector::new()?;
            for case in cases.into_iter().filter_map(|c| c.excerpts) {
                collector.add(case)?;
            }
            let attributes = attribute_columns(collector.cases().iter().map(|c| &c.info));
            let excerpts = collector.finish(&study.codebook, attributes, &StudyMemos::new())?;
            let coders = if args.codings.is_empty() { RULES_CODER } else { "every coder" };
            excerpts.write(kind, coders, !args.no_bom, args.output.as_deref(), &study.read())?;
            return Ok(Outcome::Success);
        }
        Mode::Count(format) => {
            let counts = counts(args, &cases);
            let matched: usize = counts.rows.iter().map(|r| r.cases).sum();
            (
                render(&counts, format),
                format!("{} matched ({})", count(matched, "case"), format.name()),
            )
        }
        Mode::MultiCoded(format) => {
            let multi = multi_coded(args, &study.codebook, cases);
            let what = format!(
                "{} coded by several coders ({})",
                count(multi.segments.len(), "segment"),
                format.name()
            );
            (render(&multi, format), what)
        }
    };
    crate::output::write(args.output.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}

/// `--count`: per value of `--by` (in sorted order), or one row.
fn counts(args: &QueryArgs, cases: &[CaseResult]) -> QueryCounts {
    let mut rows: BTreeMap<Option<String>, CountRow> = BTreeMap::new();
    let segment_level = args.level == QueryLevel::Segment;
    for case in cases {
        let value = args.by.as_ref().map(|by| {
            case.attributes.get(by).map_or_else(|| MISSING.to_owned(), ToString::to_string)
        });
        let row = rows.entry(value.clone()).or_insert_with(|| CountRow {
            value,
            segments: segment_level.then_some(0),
            cases: 0,
            of_cases: 0,
        });
        row.of_cases += 1;
        row.cases += usize::from(case.matched);
        if let Some(segments) = &mut row.segments {
            *segments += case.segments_matched;
        }
    }
    QueryCounts {
        query: args.expr.clone(),
        level: if segment_level { "segment" } else { "case" },
        by: args.by.clone(),
        rows: rows.into_values().collect(),
    }
}

/// `--multi-coded`: every case's segments that several coders coded,
/// disagreements first, then in study order.
fn multi_coded(args: &QueryArgs, codebook: &Codebook, cases: Vec<CaseResult>) -> MultiCoded {
    let rank = |code: &str| codebook.codes().iter().position(|c| c.id == code);
    let mut segments: Vec<MultiSegment> = cases.into_iter().flat_map(|c| c.multi).collect();
    for segment in &mut segments {
        for codes in segment.codes.values_mut() {
            codes.sort_by_key(|c| rank(c));
        }
    }
    // Stable: study order within agreements and within disagreements.
    segments.sort_by_key(|s| s.agree);
    let coders: BTreeSet<String> = segments.iter().flat_map(|s| s.codes.keys().cloned()).collect();
    MultiCoded { query: args.expr.clone(), coders: coders.into_iter().collect(), segments }
}

/// What the query found in one case.
struct CaseResult {
    case: String,
    attributes: Attributes,
    speakers: BTreeSet<String>,
    matched: bool,
    segments_matched: usize,
    /// The matching segments' excerpts (excerpts mode).
    excerpts: Option<CaseExcerpts>,
    /// The matching segments several coders coded (`--multi-coded`).
    multi: Vec<MultiSegment>,
}

impl CaseResult {
    fn new(
        query: &Query,
        codebook: &Codebook,
        transcript: &Transcript,
        codings: &[&Coding],
        mode: Mode,
        level: Level,
    ) -> CaseResult {
        let segments = transcript.segments(codebook.unit());
        let found = query.evaluate(transcript, &segments, codings, level);
        let matched: Vec<Segment> = found.segments.iter().map(|&i| segments[i].clone()).collect();
        let mut result = CaseResult {
            case: transcript.case().to_owned(),
            attributes: transcript.attributes().clone(),
            speakers: segments.iter().map(|s| s.speaker.clone()).collect(),
            matched: found.case,
            segments_matched: matched.len(),
            excerpts: None,
            multi: Vec::new(),
        };
        match mode {
            Mode::Excerpts(_) => {
                let shown = with_uncoded(transcript, &matched, codings);
                let shown: Vec<&Coding> = shown.iter().collect();
                result.excerpts = Some(CaseExcerpts::new(codebook, transcript, &shown));
            }
            Mode::MultiCoded(_) => {
                result.multi = several_coders(&matched, codings)
                    .into_iter()
                    .map(|found| {
                        let segment = &matched[found.segment];
                        MultiSegment {
                            case: transcript.case().to_owned(),
                            segment: segment.id.clone(),
                            speaker: segment.speaker.clone(),
                            agree: found.agree(),
                            codes: found
                                .codes
                                .into_iter()
                                .map(|(coder, codes)| (coder, codes.into_iter().collect()))
                                .collect(),
                            text: segment.text(transcript).trim().to_owned(),
                        }
                    })
                    .collect();
            }
            Mode::Count(_) => {}
        }
        result
    }
}

/// The codings in `matched` segments, and an `uncoded` row for each
/// matched segment that has none, so that a text search shows segments no
/// one coded.
fn with_uncoded(transcript: &Transcript, matched: &[Segment], codings: &[&Coding]) -> Vec<Coding> {
    let mut has_coding = vec![false; matched.len()];
    let mut shown: Vec<Coding> = codings
        .iter()
        .filter(|c| {
            let overlapping = overlapping(matched, c);
            overlapping.clone().for_each(|s| has_coding[s] = true);
            overlapping.count() > 0
        })
        .map(|c| (*c).clone())
        .collect();
    for (segment, _) in matched.iter().zip(&has_coding).filter(|(_, has)| !**has) {
        shown.push(Coding {
            case: transcript.case().to_owned(),
            segment: segment.id.clone(),
            code: UNCODED.to_owned(),
            coder: String::new(),
            start: segment.start,
            end: segment.end,
            source: Source::Manual { memo: None, quote: None, imported: None },
        });
    }
    shown
}

/// The indices of the (sorted) `segments` that `coding`'s span overlaps.
fn overlapping(segments: &[Segment], coding: &Coding) -> std::ops::Range<usize> {
    let end = coding.end.max(coding.start + 1);
    let first = segments.partition_point(|s| s.end <= coding.start);
    let last = first + segments[first..].iter().take_while(|s| s.start < end).count();
    first..last
}

/// The `--query` filter of `qda excerpts`: keeps the codings of the
/// segments the query matches, and remembers the names it met so that
/// [`QueryFilter::check`] can refuse a query naming one that no input has.
pub(crate) struct QueryFilter {
    query: Option<Query>,
    known: Mutex<KnownNames>,
}

impl QueryFilter {
    pub(crate) fn new(expr: Option<&str>, codebook: &Codebook) -> Result<QueryFilter> {
        let query = expr.map(|e| Query::parse(e, codebook)).transpose()?;
        Ok(QueryFilter { query, known: Mutex::new(KnownNames::default()) })
    }

    /// The codings (one transcript's) in the segments the query matches;
    /// all of them without a query.
    pub(crate) fn keep<'a>(
        &self,
        codebook: &Codebook,
        transcript: &Transcript,
        codings: Vec<&'a Coding>,
    ) -> Vec<&'a Coding> {
        let Some(query) = &self.query else { return codings };
        let segments = transcript.segments(codebook.unit());
        if let Ok(mut known) = self.known.lock() {
            known.coders.extend(codings.iter().map(|c| c.coder.clone()));
            known.speakers.extend(segments.iter().map(|s| s.speaker.clone()));
            known.attributes.extend(transcript.attributes().keys().cloned());
        }
        let found = query.evaluate(transcript, &segments, &codings, Level::Segment);
        let matched: Vec<Segment> = found.segments.iter().map(|&i| segments[i].clone()).collect();
        codings.into_iter().filter(|c| !overlapping(&matched, c).is_empty()).collect()
    }

    /// Refuses a query that names a coder, speaker or attribute no input has.
    pub(crate) fn check(&self, coder: &str) -> Result<()> {
        let Some(query) = &self.query else { return Ok(()) };
        let mut known = self.known.lock().map(|k| k.clone()).unwrap_or_default();
        known.coders.insert(coder.to_owned());
        Ok(query.check_names(&known)?)
    }
}

/// What a worker keeps of a transcript.
struct Gathered {
    input: Input,
    path: PathBuf,
    result: CaseResult,
}

impl Summary for Gathered {
    fn case(&self) -> &str {
        &self.result.case
    }
    fn path(&self) -> &Path {
        &self.path
    }
    fn input(&self) -> Input {
        self.input.clone()
    }
}
