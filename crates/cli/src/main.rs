//! `qda`: code interview transcripts with a codebook and tally the result.

mod args;
mod cmd;
mod git;
mod outcome;
mod output;
mod provenance;
mod render;
mod report;
mod shard;
mod sheet;
mod study;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::outcome::{ERROR_EXIT, Outcome};

/// Coding allocates small strings and vectors for every segment and coding;
/// mimalloc serves them with about a fifth less CPU time than the system
/// allocator on the benchmark corpus (`scripts/bench.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::set_quiet(cli.quiet);
    match dispatch(&cli) {
        Ok(outcome) => outcome.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut stderr = io::stderr().lock();
            // Each error already names its file, line and column where it has one.
            let _ = writeln!(stderr, "error: {err:#}");
            ExitCode::from(ERROR_EXIT)
        }
    }
}

fn dispatch(cli: &Cli) -> anyhow::Result<Outcome> {
    study::refuse_transcripts_among_codings(cli.command.codings_paths())?;
    match &cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Code(args) => cmd::code::run(args),
        Command::Tally(args) => cmd::tally::run(args),
        Command::Excerpts(args) => cmd::excerpts::run(args),
        Command::Agree(args) => cmd::agree::run(args),
        Command::Sheet(args) => cmd::sheet::run(args),
        Command::ImportSheet(args) => cmd::import_sheet::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Report(args) => report::run(args),
        Command::Memos(args) => cmd::memos::run(args),
        Command::Cooccur(args) => cmd::cooccur::run(args),
        Command::Matrix(args) => cmd::matrix::run(args),
        Command::Export(args) => cmd::exchange::export(args),
        Command::Import(args) => cmd::exchange::import(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Reanchor(args) => cmd::reanchor::run(args),
        Command::ImportTranscripts(args) => cmd::import_transcripts::run(args),
        Command::Query(args) => cmd::query::run(args),
        Command::MergeCodings(args) => cmd::merge_codings::run(args),
        Command::GitSetup(args) => cmd::git_setup::run(args),
        Command::Log(args) => cmd::log::run(args),
        Command::Saturation(args) => cmd::saturation::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Suggest(args) => cmd::suggest::run(args),
    }
}

/// `qda tally | head` must end quietly.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
