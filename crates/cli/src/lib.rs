//! The `qda` command as a library: [`run`] is everything the binary does,
//! so that other front ends (the Python package's `qda` console script) run
//! the very same command in process, and [`json`] builds the JSON documents
//! of a few commands for callers that want the result, not the output.

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

pub mod json;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;

use crate::args::{Cli, Command};
use crate::outcome::{ERROR_EXIT, Outcome};

/// Runs the `qda` command with `args` (the program name first, as
/// `std::env::args_os` gives them) and returns its exit code: 0 success,
/// 1 a check failed, 2 bad usage or input. Writes to the standard streams
/// as the binary does, and never exits the process.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    provenance::set_program(args.first().cloned());
    provenance::set_arguments(args.iter().skip(1).cloned().collect());
    let code = match Cli::try_parse_from(args) {
        Ok(cli) => {
            output::set_quiet(cli.quiet);
            match dispatch(&cli) {
                Ok(outcome) => outcome.exit_code(),
                Err(err) if is_broken_pipe(&err) => 0,
                Err(err) => {
                    let mut stderr = io::stderr().lock();
                    // Each error already names its file, line and column where it has one.
                    let _ = writeln!(stderr, "error: {err:#}");
                    ERROR_EXIT
                }
            }
        }
        // Help and --version go to stdout with 0, usage errors to stderr
        // with 2: what clap's `exit` does, without ending the process.
        Err(err) => {
            let _ = err.print();
            u8::try_from(err.exit_code()).unwrap_or(ERROR_EXIT)
        }
    };
    // The binary's runtime flushes stdout at exit; a caller that keeps
    // running (or exits through its own runtime) would not.
    let _ = io::stdout().flush();
    code
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
