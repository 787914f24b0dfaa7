//! `qda-reanchor-corpus`: a study whose transcripts were edited after they
//! were coded, for timing `qda reanchor` (see `scripts/bench-reanchor.sh`).
//!
//! Writes `OUT/codebook.toml`, the transcripts as coded (`OUT/old/`), the
//! same transcripts edited (`OUT/new/`: a typo, an inserted and a deleted
//! sentence, a split and a merged turn, white space, and a deleted turn in
//! each), and `OUT/codings.json`: a coder's codings of sentences of the old
//! transcripts, without quotes, as files were written before quotes were
//! stored. The same options give the same files byte for byte.

use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use qda_bench::edits::{self, LIGHT_EDITS};
use qda_bench::{Generator, Rng, case_id};
use rayon::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Write a coded study and an edited copy of its transcripts, for timing `qda reanchor`.
#[derive(Debug, Parser)]
#[command(name = "qda-reanchor-corpus", version, about, max_term_width = 100)]
struct Cli {
    /// Number of transcripts
    #[arg(long, default_value_t = 1000)]
    transcripts: usize,

    /// Codings per transcript
    #[arg(long, default_value_t = 100)]
    codings: usize,

    /// Size of each transcript, in kilobytes (10^3 bytes)
    #[arg(long, default_value_t = 40)]
    kb: usize,

    /// Folder to write into (it must not hold `codings.json` yet)
    #[arg(long, default_value = "reanchor-corpus")]
    out: PathBuf,

    /// Seed of the generator
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.transcripts == 0 || cli.kb == 0 {
        bail!("--transcripts and --kb must be at least 1");
    }
    if cli.out.join("codings.json").exists() {
        bail!("{}: already holds codings.json; choose another --out", cli.out.display());
    }
    let started = Instant::now();
    for folder in ["old", "new"] {
        fs::create_dir_all(cli.out.join(folder))
            .with_context(|| format!("{}: cannot create the folder", cli.out.display()))?;
    }
    let generator = Generator::new(120, cli.seed);
    let codebook = cli.out.join("codebook.toml");
    fs::write(&codebook, generator.codebook_toml())
        .with_context(|| format!("{}: cannot write", codebook.display()))?;
    let codes = generator.code_ids();

    let cases: Vec<(Value, Vec<Value>)> = (0..cli.transcripts)
        .into_par_iter()
        .map(|index| -> Result<(Value, Vec<Value>)> {
            let case = case_id(index);
            let old = generator.transcript(index, cli.kb * 1000);
            let mut rng = Rng::for_item(cli.seed ^ 0x5EED, index as u64);
            let sentences = edits::participant_sentences(&old);
            // Distinct sentences, as many as asked for where there are enough.
            let mut chosen = std::collections::BTreeSet::new();
            for _ in 0..cli.codings * 20 {
                if chosen.len() == cli.codings.min(sentences.len()) {
                    break;
                }
                chosen.insert(sentences[rng.below(sentences.len())]);
            }
            let chosen: Vec<(usize, usize, usize)> = chosen.into_iter().collect();
            let codings: Vec<Value> = chosen
                .iter()
                .map(|&(turn, start, end)| {
                    json!({
                        "case": case, "segment": format!("{case}:t{turn}"),
                        "code": codes[rng.below(codes.len())], "coder": "bench",
                        "start": start, "end": end, "source": {"type": "manual"}
                    })
                })
                .collect();
            let deleted = chosen.get(rng.below(chosen.len().max(1))).map(|c| c.1);
            let plan = edits::plan(&mut rng, &old, &LIGHT_EDITS, &Vec::from_iter(deleted));
            let new = edits::apply(&old, &plan);
            let write = |folder: &str, text: &str| {
                let path = cli.out.join(folder).join(format!("{case}.txt"));
                fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))
            };
            write("old", &old)?;
            write("new", &new)?;
            let source = json!({
                "case": case, "path": format!("old/{case}.txt"),
                "sha256": hex(&Sha256::digest(old.as_bytes())),
                "segments": old.lines().filter(|l| l.starts_with("I: ") || l.starts_with("P: ")).count(),
            });
            Ok((source, codings))
        })
        .collect::<Result<_>>()?;
    let count: usize = cases.iter().map(|(_, c)| c.len()).sum();
    let (sources, codings): (Vec<Value>, Vec<Vec<Value>>) = cases.into_iter().unzip();
    let file = json!({
        "coder": "bench",
        "codings": codings.into_iter().flatten().collect::<Vec<_>>(),
        "transcripts": sources,
    });
    let path = cli.out.join("codings.json");
    fs::write(&path, serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    writeln!(
        std::io::stderr().lock(),
        "qda-reanchor-corpus: wrote {} transcripts (old/ and new/) and {count} codings in {:.2} s",
        cli.transcripts,
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
