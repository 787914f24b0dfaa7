//! `qda`: code interview transcripts with a codebook and tally the result.
//! The command itself is the library's [`qda_cli::run`].

use std::process::ExitCode;

/// Coding allocates small strings and vectors for every segment and coding;
/// mimalloc serves them with about a fifth less CPU time than the system
/// allocator on the benchmark corpus (`scripts/bench.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(qda_cli::run(std::env::args_os()))
}
