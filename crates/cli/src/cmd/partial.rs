//! Sharded tallies: `qda tally --shard K/N --partial` writes a shard's
//! segments per case and code (a partial); `qda tally --partials` checks
//! that the partials are the N shards of one run and tallies them as one.
//!
//! A partial holds counts, not codings, so it is small: one entry per case
//! (its attributes and its segments per code) and one per transcript file
//! (its place in the run's file list and its SHA-256). The merge lists the
//! transcripts in that file order, so its result equals a single run's but
//! for the provenance's `arguments` and its added `shards`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use indexmap::IndexMap;
use qda_coding::{Attributes, CaseCodes, sha256_hex};
use serde::{Deserialize, Serialize};

use crate::args::TallyArgs;
use crate::outcome::Outcome;
use crate::output::count;
use crate::provenance::{Input, ShardInput, display_path};
use crate::shard::{Shard, input_list_sha256};
use crate::study::{LoadedStudy, Problems, read_bytes};

/// What marks a file as a partial, and its format's version.
const MARK: &str = "qda tally partial 1";

/// A partial as written (`P` = [`crate::provenance::Provenance`]) and as read (`P` = JSON).
#[derive(Serialize, Deserialize)]
struct Partial<P> {
    partial: String,
    /// The qda version that made it: a merge takes one version's partials.
    version: String,
    shard: Shard,
    /// SHA-256 of the codebook's text.
    codebook_sha256: String,
    /// See [`input_list_sha256`].
    input_list_sha256: String,
    /// Transcript files in the whole run.
    transcripts: usize,
    case_tables: Vec<FileHash>,
    /// The shard's transcript files.
    files: Vec<PlacedFile>,
    cases: Vec<PartialCase>,
    provenance: P,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct FileHash {
    path: String,
    sha256: String,
}

/// A transcript file and its place in the run's list of files.
#[derive(Serialize, Deserialize)]
struct PlacedFile {
    position: usize,
    path: String,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct PartialCase {
    case: String,
    attributes: Attributes,
    segments: BTreeMap<String, usize>,
    /// Distinct segments per parent code, its own or a descendant's (the
    /// roll-up cannot be summed from the codes' counts: a segment may carry
    /// two children).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    rolled_up: BTreeMap<String, usize>,
}

/// `qda tally --shard K/N --partial`.
pub(crate) fn write(args: &TallyArgs, shard: Shard) -> Result<Outcome> {
    let study = LoadedStudy::open(&args.codebook)?.with_transcripts(&args.input)?;
    let all_files = study.sources.files.clone();
    let input_list = input_list_sha256(&all_files, &study.sources.case_table_files);
    let mut study = study.with_shard(Some(shard));
    let cases = study.case_codes(&args.codings)?;
    study.warn_undeclared_speakers();

    let position: BTreeMap<String, usize> =
        all_files.iter().enumerate().map(|(i, p)| (display_path(p), i)).collect();
    let files = study
        .transcript_inputs()
        .iter()
        .map(|input| {
            let position = *position
                .get(&input.path)
                .ok_or_else(|| anyhow!("{}: not among the transcripts of the run", input.path))?;
            Ok(PlacedFile { position, path: input.path.clone(), sha256: input.sha256.clone() })
        })
        .collect::<Result<Vec<_>>>()?;
    let provenance = study
        .provenance("tally")
        .option("unit", study.codebook.unit().as_str())
        .option("shard", shard.to_string())
        .option("input_list_sha256", input_list.clone());
    let n = cases.len();
    let partial = Partial {
        partial: MARK.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        shard,
        codebook_sha256: sha256_hex(study.codebook_text.as_bytes()),
        input_list_sha256: input_list,
        transcripts: all_files.len(),
        case_tables: study
            .sources
            .table_inputs()
            .map(|i| FileHash { path: i.path.clone(), sha256: i.sha256.clone() })
            .collect(),
        files,
        cases: cases
            .into_iter()
            .map(|c| PartialCase {
                case: c.case,
                attributes: c.attributes,
                segments: c.segments,
                rolled_up: c.rolled_up,
            })
            .collect(),
        provenance,
    };
    let mut bytes = serde_json::to_vec_pretty(&partial)?;
    bytes.push(b'\n');
    let what = format!("partial tally of shard {shard} ({})", count(n, "case"));
    crate::output::write(args.output.path.as_deref(), &bytes, &study.read(), what)?;
    Ok(Outcome::Success)
}

/// A partial read for a merge.
struct ReadPartial {
    path: PathBuf,
    shown: String,
    sha256: String,
    partial: Partial<serde_json::Value>,
}

/// `qda tally --partials`: the partials checked, then tallied as one run.
pub(crate) fn merge(args: &TallyArgs) -> Result<Outcome> {
    let mut study = LoadedStudy::open(&args.codebook)?
        .with_adjudications(args.adjudications.as_deref())?
        .with_bins(args.bins.as_deref())?;
    let partials = args.partials.iter().map(|p| read(p)).collect::<Result<Vec<_>>>()?;
    let codebook_sha256 = sha256_hex(study.codebook_text.as_bytes());
    check(&partials, &args.codebook, &codebook_sha256)?;

    let mut cases = Vec::new();
    let mut files = Vec::new();
    let mut counted: BTreeMap<&str, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for read in &partials {
        for case in &read.partial.cases {
            if let Some(other) = counted.insert(&case.case, &read.shown) {
                problems.push(format!(
                    "{}: case `{}` is also in {other}; a case is in one shard only, so one of them was edited or made from other transcripts",
                    read.shown, case.case
                ));
            }
            cases.push(CaseCodes {
                case: case.case.clone(),
                attributes: case.attributes.clone(),
                segments: case.segments.clone(),
                rolled_up: case.rolled_up.clone(),
            });
        }
        files.extend(&read.partial.files);
    }
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    cases.sort_by(|a, b| a.case.cmp(&b.case));
    files.sort_by_key(|f| f.position);
    let transcripts =
        files.iter().map(|f| Input { path: f.path.clone(), sha256: f.sha256.clone() }).collect();
    let tables = partials[0]
        .partial
        .case_tables
        .iter()
        .map(|t| Input { path: t.path.clone(), sha256: t.sha256.clone() })
        .collect();
    study.add_merged_inputs(transcripts, tables);

    let mut shards: Vec<(Shard, ShardInput)> = partials
        .iter()
        .map(|r| {
            let arguments = r.partial.provenance["arguments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect();
            let input = ShardInput {
                shard: r.partial.shard.to_string(),
                path: r.shown.clone(),
                sha256: r.sha256.clone(),
                arguments,
            };
            (r.partial.shard, input)
        })
        .collect();
    shards.sort_by_key(|(shard, _)| *shard);
    let shards = shards.into_iter().map(|(_, input)| input).collect();
    let read: Vec<&Path> = partials.iter().map(|r| r.path.as_path()).collect();
    super::tally::finish(args, study, cases, shards, &read)
}

fn read(path: &Path) -> Result<ReadPartial> {
    let shown = display_path(path);
    let bytes = read_bytes(path)?;
    let how = "make partials with `qda tally CODEBOOK TRANSCRIPTS --shard K/N --partial -o FILE`";
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow!("{shown}:{}:{}: not JSON ({e}); {how}", e.line(), e.column()))?;
    if value.get("partial").and_then(|m| m.as_str()) != Some(MARK) {
        return Err(anyhow!(
            "{shown}:1:1: not a partial tally (no `\"partial\": \"{MARK}\"`); {how}"
        ));
    }
    let partial = serde_json::from_value(value)
        .map_err(|e| anyhow!("{shown}:1:1: a damaged partial tally ({e}); {how}"))?;
    Ok(ReadPartial { path: path.to_owned(), shown, sha256: sha256_hex(&bytes), partial })
}

/// Every way the partials fail to be the shards of one run, each naming
/// the files; the first partial is the reference the others must match.
fn check(partials: &[ReadPartial], codebook: &Path, codebook_sha256: &str) -> Result<()> {
    let mut problems = Vec::new();
    let this_version = env!("CARGO_PKG_VERSION");
    let first = &partials[0];
    let count = first.partial.shard.count;
    let mut by_shard: IndexMap<u64, Vec<&str>> = IndexMap::new();
    for read in partials {
        let p = &read.partial;
        let shown = &read.shown;
        if p.version != this_version {
            problems.push(format!(
                "{shown}: made by qda {}, but this is qda {this_version}; re-make the shard with qda {this_version} (or merge with qda {})",
                p.version, p.version
            ));
        }
        if p.codebook_sha256 != codebook_sha256 {
            problems.push(format!(
                "{shown}: made with another codebook than {} (SHA-256 {} there, {codebook_sha256} here); re-make the shard with this codebook",
                display_path(codebook),
                p.codebook_sha256
            ));
        }
        if p.shard.count != count {
            problems.push(format!(
                "{shown}: shard {} of another split than {} (shard {}); give the partials of one --shard K/{count} run",
                p.shard, first.shown, first.partial.shard
            ));
            continue;
        }
        if p.input_list_sha256 != first.partial.input_list_sha256 {
            problems.push(format!(
                "{shown}: made from another list of transcripts than {} ({} there, {} here); every shard must name the same transcripts and case tables, in the same order",
                first.shown,
                count_files(first.partial.transcripts),
                count_files(p.transcripts)
            ));
        } else if p.case_tables != first.partial.case_tables {
            problems.push(format!(
                "{shown}: read other case tables than {} (a `cases.csv` changed between the shards); re-make the shards",
                first.shown
            ));
        }
        by_shard.entry(p.shard.index).or_default().push(shown);
    }
    for (index, files) in &by_shard {
        if files.len() > 1 {
            let all = if files.len() == 2 { "both" } else { "all" };
            problems.push(format!(
                "{} are {all} shard {index}/{count}; give each shard once",
                files.join(", ")
            ));
        }
    }
    let missing: Vec<u64> = (0..count).filter(|k| !by_shard.contains_key(k)).collect();
    if !missing.is_empty() {
        let listed: Vec<String> = missing.iter().map(|k| format!("{k}/{count}")).collect();
        let again = match missing.as_slice() {
            [k] => format!(
                "re-run that shard (`--shard {k}/{count} --partial`; with Slurm, array index {k})"
            ),
            _ => format!(
                "re-run those shards (`--shard K/{count} --partial` for each; with Slurm, those array indices)"
            ),
        };
        let verb = if missing.len() == 1 { "is" } else { "are" };
        problems.push(format!(
            "{} of the {count} shards {verb} missing: {}; {again} and merge again",
            missing.len(),
            listed.join(", "),
        ));
    }
    if problems.is_empty() { Ok(()) } else { Err(Problems(problems).into()) }
}

fn count_files(n: usize) -> String {
    count(n, "transcript file")
}
