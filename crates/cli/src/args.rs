//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Code interview transcripts with a codebook, and tally the result so that
/// anyone can re-run it and get the same numbers.
#[derive(Debug, Parser)]
#[command(name = "qda", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate a codebook (and transcripts) and run the codebook's examples
    Check(CheckArgs),
    /// Code transcripts with a codebook's rules and write the codings as JSON
    Code(CodeArgs),
    /// Count cases per code, per exclusive group, optionally by an attribute
    Tally(TallyArgs),
}

/// Transcripts to read: files, or folders of `.txt` files.
#[derive(Debug, Args)]
pub(crate) struct TranscriptArgs {
    /// Transcript files, or folders whose `.txt` files are transcripts
    /// (a `cases.csv` in a folder is read too)
    #[arg(value_name = "TRANSCRIPTS")]
    pub(crate) transcripts: Vec<PathBuf>,

    /// Extra case attributes: a CSV file whose first column is `case`
    #[arg(long, value_name = "FILE")]
    pub(crate) cases: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CodeArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Write the codings here instead of to standard output
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct TallyArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Settle conflicts in exclusive groups with these decisions
    #[arg(long, value_name = "FILE")]
    pub(crate) adjudications: Option<PathBuf>,

    /// Split every count by this case attribute (a crosstab of counts)
    #[arg(long, value_name = "ATTR")]
    pub(crate) by: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    /// Write the tally here instead of to standard output
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for reading
    Table,
    /// JSON with provenance, for machines and `qda verify`
    Json,
    /// Comma-separated values, one row per code
    Csv,
    /// Markdown tables for papers and reports
    Markdown,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
