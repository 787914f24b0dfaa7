//! `qda-corpus`: writes a deterministic synthetic corpus for benchmarking qda.
//!
//! `qda-corpus --megabytes 200 --codes 120 --out bench-corpus` writes
//! `bench-corpus/codebook.toml` and `bench-corpus/transcripts/B00001.txt`, ...
//! The same options give the same files byte for byte. `scripts/bench.sh`
//! runs it before timing `qda`.

use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use qda_bench::{Generator, case_id, plan};
use rayon::prelude::*;

/// Write a synthetic corpus (a codebook and transcripts) for benchmarking qda.
#[derive(Debug, Parser)]
#[command(name = "qda-corpus", version, about, max_term_width = 100)]
struct Cli {
    /// Total size of the transcripts, in megabytes (10^6 bytes)
    #[arg(long, default_value_t = 200.0)]
    megabytes: f64,

    /// Number of codable codes in the codebook (each with a rule)
    #[arg(long, default_value_t = 120)]
    codes: usize,

    /// Folder to write `codebook.toml` and `transcripts/` into
    #[arg(long, default_value = "bench-corpus")]
    out: PathBuf,

    /// Seed of the generator: the same seed gives the same corpus
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Smallest transcript, in kilobytes (10^3 bytes)
    #[arg(long, default_value_t = 50)]
    min_kb: usize,

    /// Largest transcript, in kilobytes (10^3 bytes)
    #[arg(long, default_value_t = 500)]
    max_kb: usize,

    /// Replace the `.txt` files of an existing `OUT/transcripts` folder
    #[arg(long)]
    force: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if !(cli.megabytes.is_finite() && cli.megabytes > 0.0) {
        bail!("--megabytes must be a positive number, such as 200");
    }
    if cli.min_kb == 0 || cli.min_kb > cli.max_kb {
        bail!("--min-kb must be at least 1 and at most --max-kb");
    }
    let started = Instant::now();
    let transcripts = cli.out.join("transcripts");
    if transcripts.is_dir() {
        let existing: Vec<PathBuf> = fs::read_dir(&transcripts)
            .with_context(|| format!("{}: cannot list the folder", transcripts.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        if !existing.is_empty() && !cli.force {
            bail!(
                "{}: already holds {} transcripts; pass --force to replace them, or choose another --out",
                transcripts.display(),
                existing.len()
            );
        }
        for path in existing {
            fs::remove_file(&path).with_context(|| format!("{}: cannot remove", path.display()))?;
        }
    }
    fs::create_dir_all(&transcripts)
        .with_context(|| format!("{}: cannot create the folder", transcripts.display()))?;

    let generator = Generator::new(cli.codes, cli.seed);
    let codebook = cli.out.join("codebook.toml");
    fs::write(&codebook, generator.codebook_toml())
        .with_context(|| format!("{}: cannot write", codebook.display()))?;

    let total = (cli.megabytes * 1e6) as u64;
    let sizes = plan(cli.seed, total, cli.min_kb * 1000, cli.max_kb * 1000);
    let written: Vec<usize> = sizes
        .par_iter()
        .enumerate()
        .map(|(index, &size)| -> Result<usize> {
            let text = generator.transcript(index, size);
            let path = transcripts.join(format!("{}.txt", case_id(index)));
            fs::write(&path, &text).with_context(|| format!("{}: cannot write", path.display()))?;
            Ok(text.len())
        })
        .collect::<Result<_>>()?;
    let bytes: usize = written.iter().sum();
    let mut stderr = std::io::stderr().lock();
    writeln!(
        stderr,
        "qda-corpus: wrote {} ({} codes) and {} transcripts, {:.1} MB, in {:.2} s",
        codebook.display(),
        generator.code_count(),
        written.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
