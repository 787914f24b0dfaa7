//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::shard::Shard;

/// Code interview transcripts with a codebook, and tally the result so that
/// anyone can re-run it and get the same numbers.
#[derive(Debug, Parser)]
#[command(name = "qda", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,

    /// Do not say which files were written (warnings and errors are still printed)
    #[arg(long, short = 'q', global = true)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate a codebook (and transcripts) and run the codebook's examples
    Check(CheckArgs),
    /// Code transcripts with a codebook's rules and write the codings as JSON
    Code(CodeArgs),
    /// Count cases per code, per exclusive group, optionally by an attribute
    Tally(TallyArgs),
    /// Inter-coder reliability of several coders' codings (or of a ratings table)
    Agree(AgreeArgs),
    /// Write a coding sheet: one row per codable segment, for a coder to fill in
    Sheet(SheetArgs),
    /// Turn a filled coding sheet into a coder's codings file
    ImportSheet(ImportSheetArgs),
    /// Re-run the command that made a JSON result and check that every value is reproduced
    Verify(VerifyArgs),
    /// Show why a segment got, or did not get, each code: the terms that matched and where
    Explain(ExplainArgs),
    /// Write a self-contained HTML (or Markdown) report of a coded study
    Report(ReportArgs),
    /// Gather the project, code, case and segment memos into one document
    Memos(MemosArgs),
    /// Every coded excerpt with its case, attributes, code and text, as CSV,
    /// Excel, Word, Markdown or HTML
    Excerpts(ExcerptsArgs),
    /// Code × code co-occurrence (in segments or cases) and the strongest pairs
    Cooccur(CooccurArgs),
    /// A code-by-case matrix (CSV) for R, SPSS or Stata
    Matrix(MatrixArgs),
    /// Write a REFI-QDA codebook (.qdc) or project (.qdpx) for other QDA tools
    Export(ExportArgs),
    /// Read a REFI-QDA codebook (.qdc) or project (.qdpx, .qde) into qda files
    Import(ImportArgs),
    /// Code transcripts by hand in a local web page, saved into a coder's codings file
    Serve(ServeArgs),
    /// Carry a coder's codings over to transcripts edited since they were coded
    Reanchor(ReanchorArgs),
    /// Convert Word, OpenDocument, subtitle (Zoom, Teams), Whisper and other
    /// text files into qda transcripts
    ImportTranscripts(ImportTranscriptsArgs),
    /// Find segments by codes, coders, speakers, attributes and text
    /// (`freedom AND "broker"`), as excerpts or counts; or the segments
    /// several coders coded (see docs/query.md)
    Query(QueryArgs),
    /// Three-way merge of codings files (also git's merge driver for them)
    MergeCodings(MergeCodingsArgs),
    /// Make `git merge` merge codings files with `qda merge-codings`
    GitSetup(GitSetupArgs),
    /// Who added or removed which codings when, from `git log`
    Log(LogArgs),
    /// Thematic saturation (Guest, Namey & Chen 2020): new codes per run of
    /// interviews after a base, and where saturation is reached
    Saturation(SaturationArgs),
    /// What a codebook revision changes: codes and rules, then the codings,
    /// cases, tallies and agreement of old and new
    Diff(DiffArgs),
    /// Rank the segments without a code by how like they are to the segments
    /// with it (TF-IDF cosine), with the terms they share
    Suggest(SuggestArgs),
}

impl Command {
    /// The paths given to `--codings`, for the commands that take codings files.
    pub(crate) fn codings_paths(&self) -> &[PathBuf] {
        match self {
            Command::Tally(a) => &a.codings.codings,
            Command::Report(a) => &a.codings.codings,
            Command::Memos(a) => &a.codings,
            Command::Excerpts(a) => &a.codings.codings,
            Command::Cooccur(a) => &a.codings.codings,
            Command::Matrix(a) => &a.codings.codings,
            Command::Agree(a) => &a.codings,
            Command::Export(a) => &a.codings,
            Command::Query(a) => &a.codings,
            Command::Saturation(a) => &a.codings.codings,
            Command::Suggest(a) => &a.codings.codings,
            _ => &[],
        }
    }
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
    /// The codebook, then transcripts (files or folders). With --anonymised:
    /// transcripts only, and any `.toml`/`.json` file is a codebook whose
    /// words are allowed
    #[arg(required = true, value_name = "CODEBOOK TRANSCRIPTS")]
    pub(crate) paths: Vec<PathBuf>,

    /// Extra case attributes: a CSV file whose first column is `case`
    #[arg(long, value_name = "FILE")]
    pub(crate) cases: Option<PathBuf>,

    /// Check that transcripts are anonymised instead: no original name from
    /// --pseudonyms, and no e-mail, telephone number, full date or unknown
    /// capitalised name (warnings)
    #[arg(long)]
    pub(crate) anonymised: bool,

    /// The pseudonym table: CSV with the columns `original` and `pseudonym`
    #[arg(long, value_name = "FILE", requires = "anonymised")]
    pub(crate) pseudonyms: Option<PathBuf>,

    /// Words that are not names (one word or phrase per line; `#` starts a comment)
    #[arg(long, value_name = "FILE", requires = "anonymised")]
    pub(crate) allow: Vec<PathBuf>,

    /// Treat the warnings of --anonymised as errors (exit 1)
    #[arg(long, requires = "anonymised")]
    pub(crate) strict: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CodeArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Code only the cases of shard K of N (K from 0): those whose
    /// SHA-256 of the case id, first 8 bytes as a number, mod N is K
    /// (see docs/scale.md)
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<Shard>,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
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

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    /// Split every count by this case attribute: a crosstab with row and
    /// column percentages, intervals, chi-square and Fisher's exact test
    #[arg(long, value_name = "ATTR")]
    pub(crate) by: Option<String>,

    /// Group a numeric --by attribute into bins at these edges, such as
    /// `1995,2000,2005` (bins `(-inf, 1995)`, `[1995, 2000)`, ..., `[2005, inf)`)
    #[arg(long, value_name = "EDGES", requires = "by", allow_hyphen_values = true)]
    pub(crate) bins: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table, conflicts_with = "partial")]
    pub(crate) format: Format,

    /// Count only the cases of shard K of N (K from 0), with --partial:
    /// those whose SHA-256 of the case id, first 8 bytes as a number, mod N
    /// is K (see docs/scale.md)
    #[arg(long, value_name = "K/N", requires = "partial", conflicts_with = "codings")]
    pub(crate) shard: Option<Shard>,

    /// With --shard: write the shard's segments per case and code (JSON)
    /// for `--partials` to merge; --by, --bins and --adjudications are
    /// given to the merge
    #[arg(long, requires = "shard", conflicts_with_all = ["by", "adjudications"])]
    pub(crate) partial: bool,

    /// Merge the partials of every shard (from `--shard K/N --partial`)
    /// into the tally a single run gives, instead of reading transcripts
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["transcripts", "cases", "codings", "shard"])]
    pub(crate) partials: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// Codings files to read instead of coding with the rules.
#[derive(Debug, Args)]
pub(crate) struct CodingsArgs {
    /// Codings files (from `qda code`, `qda import-sheet` or `qda serve`)
    /// instead of coding with the rules now
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) codings: Vec<PathBuf>,

    /// Whose manual codings count, over the rule codings, where several
    /// people coded
    #[arg(long, value_name = "NAME", requires = "codings")]
    pub(crate) coder: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AgreeArgs {
    /// The codebook (not needed with --ratings)
    #[arg(required_unless_present = "ratings")]
    pub(crate) codebook: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Codings files of the coders to compare (two or more coders in all)
    #[arg(long, value_name = "FILE", num_args = 1.., required_unless_present = "ratings")]
    pub(crate) codings: Vec<PathBuf>,

    /// A ratings table instead of codings: CSV with a unit column, then one
    /// column per coder; an empty cell is a missing value
    #[arg(long, value_name = "FILE", conflicts_with_all = ["codebook", "codings"])]
    pub(crate) ratings: Option<PathBuf>,

    /// Level of measurement of --ratings values; with codings files, of each
    /// exclusive group, whose children are ordered as in the codebook
    /// (`uncoded` is then a missing value)
    #[arg(long, value_enum, default_value_t = LevelArg::Nominal)]
    pub(crate) level: LevelArg,

    /// The --ratings labels from lowest to highest, comma-separated (such as
    /// `"very low,low,mid,high,very high"`), so that ordinal and interval
    /// ratings may be given as labels; any other label is an error
    #[arg(long, value_name = "LABELS", requires = "ratings")]
    pub(crate) order: Option<String>,

    /// Only segments that at least one coder coded count as units
    #[arg(long)]
    pub(crate) only_coded: bool,

    /// Bootstrap resamples for Krippendorff's alpha interval (0 for none,
    /// at most a million)
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = resamples())]
    pub(crate) resamples: usize,

    /// Seed of the bootstrap, so the interval can be reproduced
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) seed: u64,

    /// Exit 1 when Krippendorff's alpha (pooled over codes, or of the
    /// ratings) is below this value or undefined
    #[arg(long, value_name = "X", value_parser = alpha_threshold)]
    pub(crate) min_alpha: Option<f64>,

    /// List the disagreements instead of the coefficients
    #[arg(long)]
    pub(crate) disagreements: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SheetArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Start the file with a UTF-8 byte-order mark, so that Excel reads
    /// Korean, Japanese and accented text correctly
    #[arg(long)]
    pub(crate) bom: bool,

    /// For a second coder: leave out the rules' suggestions, and show the
    /// interviewer's turns as context rows that are not coded
    #[arg(long)]
    pub(crate) blind: bool,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImportSheetArgs {
    /// The filled coding sheet (CSV, comma- or semicolon-separated)
    pub(crate) sheet: PathBuf,

    /// The codebook the sheet was made with
    #[arg(long, value_name = "FILE")]
    pub(crate) codebook: PathBuf,

    /// The coder who filled the sheet
    #[arg(long, value_name = "NAME")]
    pub(crate) coder: String,

    /// Accept a sheet in which no row has a code: the coder found that no
    /// code applies to any of its segments (recorded in the codings file)
    #[arg(long)]
    pub(crate) allow_empty: bool,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImportTranscriptsArgs {
    /// Files to convert (.docx, .odt, .vtt, .srt, Whisper .json, .txt), or
    /// folders whose files of these kinds are converted
    #[arg(required = true, value_name = "FILES")]
    pub(crate) inputs: Vec<PathBuf>,

    /// The folder to write the transcripts (`CASE.txt`) into; made if missing
    #[arg(long, short = 'o', value_name = "FOLDER")]
    pub(crate) output: PathBuf,

    /// Replace transcripts that already exist in the output folder
    #[arg(long)]
    pub(crate) force: bool,

    /// Take the case id from the file name with this regex: its first
    /// group, or the whole match (default: the file name without extension)
    #[arg(long, value_name = "REGEX")]
    pub(crate) case_from: Option<String>,

    /// Case attributes to write into the front matter: a CSV file whose
    /// first column is `case`
    #[arg(long, value_name = "FILE")]
    pub(crate) cases: Option<PathBuf>,

    /// Rename speaker labels: OLD=NEW pairs separated by commas, such as
    /// "Interviewer=I,Dr. Kim=I,Respondent=P"
    #[arg(long, value_name = "MAP")]
    pub(crate) speaker_map: Option<String>,

    /// The speaker of text that names none (subtitle cues, Whisper
    /// segments, a document without labels)
    #[arg(long, value_name = "LABEL")]
    pub(crate) default_speaker: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// JSON results written by qda (tallies, codings, agreement)
    #[arg(required = true)]
    pub(crate) results: Vec<PathBuf>,
}

/// Level of measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LevelArg {
    /// Labels: equal or not
    Nominal,
    /// Ranks
    Ordinal,
    /// Numbers whose differences mean something
    Interval,
    /// Numbers with a true zero
    Ratio,
}

impl From<LevelArg> for qda_stats::Level {
    fn from(level: LevelArg) -> Self {
        match level {
            LevelArg::Nominal => qda_stats::Level::Nominal,
            LevelArg::Ordinal => qda_stats::Level::Ordinal,
            LevelArg::Interval => qda_stats::Level::Interval,
            LevelArg::Ratio => qda_stats::Level::Ratio,
        }
    }
}

/// Where a result goes.
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Write the result to FILE (atomically, never over an input) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) path: Option<PathBuf>,
}

impl Format {
    /// The name `--format` takes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
        }
    }
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

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    /// The transcript file the segment is in, or a folder of transcripts
    /// (the segment id then names the case: `P05:t4`)
    pub(crate) transcript: PathBuf,

    /// The segment id, such as `P05:t4` (or just `t4`)
    pub(crate) segment: String,

    /// Explain only this code (default: every code)
    pub(crate) code: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub(crate) format: ExplainFormat,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// How an explanation is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExplainFormat {
    /// Readable text (in colour on a terminal unless `NO_COLOR` is set)
    Text,
    /// JSON with provenance
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Settle conflicts in exclusive groups with these decisions
    #[arg(long, value_name = "FILE")]
    pub(crate) adjudications: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    #[command(flatten)]
    pub(crate) memos: MemosFolderArgs,

    /// Add crosstabs of every exclusive group by this case attribute
    #[arg(long, value_name = "ATTR")]
    pub(crate) by: Option<String>,

    /// Group a numeric --by attribute into bins at these edges, such as
    /// `1995,2000,2005` (as `qda tally --bins`)
    #[arg(long, value_name = "EDGES", requires = "by", allow_hyphen_values = true)]
    pub(crate) bins: Option<String>,

    /// Show at most N coded excerpts per code (the first, in case order), or
    /// `all`; every count still includes them all
    #[arg(long, value_name = "N|all", default_value = "20", value_parser = excerpt_limit)]
    pub(crate) excerpts: ExcerptLimit,

    /// The report file: `.html` for a self-contained web page, `.md` for Markdown
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub(crate) output: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct MemosArgs {
    /// The codebook (TOML, or JSON by extension); its codes' `memo`s are code memos
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Codings files whose segment memos to include (every coder's)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) codings: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) memos: MemosFolderArgs,

    /// The file to write: `.md`, `.html` or `.docx` [default: Markdown to standard output]
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// Where the project and case memos are.
#[derive(Debug, Args)]
pub(crate) struct MemosFolderArgs {
    /// The memos folder: `project.md` and `cases/CASE.md` [default: `memos`
    /// in the current directory, when there is one]
    #[arg(long = "memos", value_name = "DIR")]
    pub(crate) folder: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ExcerptsArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Check the study's exclusive groups against these decisions (as `qda tally`)
    #[arg(long, value_name = "FILE")]
    pub(crate) adjudications: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    // The case memos shown in documents (code memos are the codebook's).
    #[command(flatten)]
    pub(crate) memos: MemosFolderArgs,

    /// Only excerpts of this code or any code below it (repeatable)
    #[arg(long = "code", id = "code", value_name = "ID")]
    pub(crate) codes: Vec<String>,

    /// Only excerpts of this case (repeatable)
    #[arg(long = "case", id = "case", value_name = "ID")]
    pub(crate) only_cases: Vec<String>,

    /// Only cases whose attribute ATTR is VALUE (repeatable: values of one
    /// attribute are alternatives, different attributes must all hold)
    #[arg(long = "where", id = "where", value_name = "ATTR=VALUE", value_parser = parse_where)]
    pub(crate) filters: Vec<(String, String)>,

    /// Only excerpts of the segments this query matches, such as
    /// `freedom AND "broker"` (see `qda query` and docs/query.md)
    #[arg(long, value_name = "EXPR")]
    pub(crate) query: Option<String>,

    /// Write CSV without the byte-order mark that tells Excel the file is UTF-8
    #[arg(long)]
    pub(crate) no_bom: bool,

    /// The file to write, by extension: .csv, .xlsx (Excel), .docx (Word),
    /// .md (Markdown) or .html; Markdown on standard output without it
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    /// The query: codes (a parent stands for its descendants), `code@coder`,
    /// `coder:NAME`, `speaker:P`, `ATTR=VALUE`, `"text"` (as a rule's term),
    /// `ALL`, joined by NOT, NEAR/n, OVERLAPS, AND, OR (tightest first) and
    /// parentheses
    #[arg(value_name = "EXPR")]
    pub(crate) expr: String,

    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Codings files whose codings, of every coder in them, the query
    /// looks at, instead of coding with the rules now
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) codings: Vec<PathBuf>,

    /// Where the query is evaluated: on each segment, or on each case as a
    /// whole (an atom holds if it holds in any of the case's segments)
    #[arg(long, value_enum, default_value_t = QueryLevel::Segment)]
    pub(crate) level: QueryLevel,

    /// Count matching segments and cases instead of listing excerpts
    #[arg(long, conflicts_with = "multi_coded")]
    pub(crate) count: bool,

    /// With --count: count separately for each value of this case attribute
    #[arg(long, value_name = "ATTR", requires = "count")]
    pub(crate) by: Option<String>,

    /// List the matching segments that two or more coders coded, with each
    /// coder's codes, disagreements first
    #[arg(long, requires = "codings")]
    pub(crate) multi_coded: bool,

    /// Only segments this coder coded (repeatable: all of them)
    #[arg(long, value_name = "NAME")]
    pub(crate) coded_by: Vec<String>,

    /// Only segments this coder did not code (repeatable: none of them)
    #[arg(long, value_name = "NAME")]
    pub(crate) not_coded_by: Vec<String>,

    /// Write CSV without the byte-order mark that tells Excel the file is UTF-8
    #[arg(long)]
    pub(crate) no_bom: bool,

    /// The file to write, by extension. Excerpts: .csv, .xlsx, .docx, .md or
    /// .html (Markdown on standard output without it); --count and
    /// --multi-coded: .csv, .json or .md (a table on standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// Where `qda query` evaluates its expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum QueryLevel {
    /// Each segment on its own
    Segment,
    /// Each case as a whole
    Case,
}

/// Reads `--where ATTR=VALUE`.
fn parse_where(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((attr, value)) if !attr.trim().is_empty() => {
            Ok((attr.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!(
            "`{text}` is not ATTR=VALUE; write the attribute, `=`, then the value, such as --where gender=female"
        )),
    }
}

#[derive(Debug, Args)]
pub(crate) struct CooccurArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    /// Settle conflicts in exclusive groups with these decisions (case level)
    #[arg(long, value_name = "FILE")]
    pub(crate) adjudications: Option<PathBuf>,

    /// What counts as together: the same segment, or the same case
    #[arg(long, value_enum, default_value_t = UnitLevel::Segment)]
    pub(crate) level: UnitLevel,

    /// How many of the strongest pairs the table and Markdown list (JSON and
    /// CSV list every pair)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) top: usize,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// The unit within which codes co-occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UnitLevel {
    /// Codes on the same segment (the codebook's unit)
    Segment,
    /// Codes anywhere in the same case
    Case,
}

impl UnitLevel {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UnitLevel::Segment => "segment",
            UnitLevel::Case => "case",
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    /// Settle conflicts in exclusive groups with these decisions
    #[arg(long, value_name = "FILE")]
    pub(crate) adjudications: Option<PathBuf>,

    /// Each code's number of segments instead of 0/1
    #[arg(long)]
    pub(crate) counts: bool,

    /// The tidy long form: one row per case and code (case, code, segments)
    #[arg(long)]
    pub(crate) long: bool,

    /// A column per parent code, `PARENT_all`: the case's segments with the
    /// parent or any code under it
    #[arg(long)]
    pub(crate) rollup: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = MatrixFormat::Csv)]
    pub(crate) format: MatrixFormat,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// How a matrix is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MatrixFormat {
    /// Comma-separated values with names safe for R, SPSS and Stata
    Csv,
    /// JSON with provenance, for `qda verify`
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Codings files whose codings go into the project (one user per coder)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) codings: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) memos: MemosFolderArgs,

    /// What to write: a codebook (.qdc), a whole project (.qdpx), or a
    /// codebook as CSV with the columns `tag` and `description` (for Taguette)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) to: ExchangeFormat,

    /// How a project's selection positions are counted: code-points (as the
    /// standard says) or utf16 (UTF-16 code units: an emoji counts as two);
    /// docs/exchange.md says which tool wants which [default: code-points]
    #[arg(long, value_enum, value_name = "UNITS")]
    pub(crate) positions: Option<PositionUnits>,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// How positions in an exported project are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PositionUnits {
    /// Unicode code points, as the standard says
    CodePoints,
    /// UTF-16 code units
    Utf16,
}

/// A REFI-QDA file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExchangeFormat {
    /// A codebook (`.qdc`)
    Qdc,
    /// A project (`.qdpx`): codebook, transcripts, cases and codings
    Qdpx,
    /// A codebook as CSV (`tag`, `description`), as Taguette imports codebooks
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// A REFI-QDA codebook (.qdc) or project (.qdpx, or a bare .qde), or a
    /// dictionary: LIWC (.dic) or quanteda (.yml, .yaml)
    pub(crate) file: PathBuf,

    /// For a codebook: the codebook file to write (TOML). For a project: the
    /// folder to write (codebook.toml, transcripts/, codings/)
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub(crate) output: PathBuf,

    /// Replace an existing codebook file, or write into a folder that is not
    /// empty (files of the same name are replaced, others are left alone)
    #[arg(long)]
    pub(crate) force: bool,
}

/// `qda serve`: the local coding page.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// The person coding; their codings are saved under this name
    #[arg(long, value_name = "NAME", required_unless_present = "coders")]
    pub(crate) coder: Option<String>,

    /// Class mode: a CSV class list (header `name`, one student per row);
    /// each student codes into codings/NAME.json with their own URL, and
    /// the teacher's URL shows the class's progress and agreement
    #[arg(long, value_name = "FILE", conflicts_with_all = ["coder", "codings"])]
    pub(crate) coders: Option<PathBuf>,

    /// Class mode: write the students' URLs to FILE (CSV `name,url`,
    /// readable by its owner only) instead of standard output
    #[arg(long, value_name = "FILE", requires = "coders")]
    pub(crate) tokens_out: Option<PathBuf>,

    /// The coder's codings file, created on the first edit [default: codings/NAME.json]
    #[arg(long, value_name = "FILE")]
    pub(crate) codings: Option<PathBuf>,

    /// Blind coding, for a second coder: no rule suggestions and no other
    /// coder's codings on the page until the coder turns blind mode off
    /// (recorded in the codings file)
    #[arg(long)]
    pub(crate) blind: bool,

    /// Another codings file to compare with in the page (repeatable); the
    /// rules are always offered. Class mode: the reference each student is
    /// measured against on the teacher's page (once; students do not see it)
    #[arg(long, value_name = "FILE")]
    pub(crate) compare: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) memos: MemosFolderArgs,

    /// Port to listen on [default: a free port]
    #[arg(long, value_name = "N")]
    pub(crate) port: Option<u16>,

    /// Address to listen on; anything but a loopback address needs --allow-remote
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub(crate) bind: std::net::IpAddr,

    /// Allow --bind to a non-loopback address (anyone who can reach it and
    /// has the URL can read the transcripts and edit the codings)
    #[arg(long)]
    pub(crate) allow_remote: bool,

    /// Another name the server is reached by, such as the name a class
    /// types (repeatable); the loopback names, the machine's host name and
    /// its addresses are always accepted
    #[arg(long = "host", value_name = "NAME")]
    pub(crate) hosts: Vec<String>,
}

/// `qda reanchor`: codings carried over to edited transcripts.
#[derive(Debug, Args)]
pub(crate) struct ReanchorArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// The codings file to carry over (from `qda import-sheet`, `qda serve`
    /// or `qda import`); it is read, never changed
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) codings: PathBuf,

    /// The transcripts as they were when the codings were made (files, or
    /// a folder such as a `git worktree` of that commit): needed for
    /// codings files written before quotes were stored
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub(crate) old_transcripts: Vec<PathBuf>,

    /// Output format of the summary (on standard output)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    /// Write the carried-over codings file to FILE (atomically, never over
    /// an input); without it nothing is written, and the summary says what
    /// would happen
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `qda merge-codings`: a three-way merge of codings files.
#[derive(Debug, Args)]
pub(crate) struct MergeCodingsArgs {
    /// The common ancestor (git's `%O`; an empty file when there is none)
    pub(crate) base: PathBuf,

    /// Our side (git's `%A`)
    pub(crate) ours: PathBuf,

    /// Their side (git's `%B`)
    pub(crate) theirs: PathBuf,

    /// Write the merged file to FILE (atomically; it may be OURS, as git's
    /// merge driver needs); without it, to standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `qda git-setup`: the merge driver for codings files.
#[derive(Debug, Args)]
pub(crate) struct GitSetupArgs {
    /// The codings files git should merge with qda, as `.gitattributes`
    /// patterns
    #[arg(value_name = "PATTERN", default_values_t = ["codings/*.json".to_owned()])]
    pub(crate) patterns: Vec<String>,
}

/// `qda log`: the history of a codings file.
#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    /// The codings file, in a git repository
    pub(crate) codings: PathBuf,

    /// Output format
    #[arg(long, value_enum, default_value_t = LogFormat::Table)]
    pub(crate) format: LogFormat,
}

/// How `qda log` prints the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// A block per commit, a line per coding added or removed
    Table,
    /// JSON, one object per commit
    Json,
}

/// `qda saturation`: thematic saturation over the interviews in order.
#[derive(Debug, Args)]
pub(crate) struct SaturationArgs {
    /// The codebook (TOML, or JSON by extension)
    pub(crate) codebook: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    /// Count only the codes under this parent code (all codable codes by default)
    #[arg(long, value_name = "CODE")]
    pub(crate) under: Option<String>,

    /// Order the interviews by this case attribute (such as `interview_date`);
    /// by case id, as the files sort, without it
    #[arg(long, value_name = "ATTRIBUTE")]
    pub(crate) order: Option<String>,

    /// Interviews in the base
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub(crate) base: usize,

    /// Interviews in each run
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub(crate) run: usize,

    /// New information, in percent of the base's codes, at or under which
    /// saturation is reached
    #[arg(long, value_name = "PERCENT", default_value_t = 5.0)]
    pub(crate) threshold: f64,

    /// Also assess N random interview orders: the median saturation point
    /// and its 95% interval (at most a million)
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = resamples())]
    pub(crate) bootstrap: usize,

    /// Seed of the random orders of --bootstrap
    #[arg(long, default_value_t = 1, requires = "bootstrap")]
    pub(crate) seed: u64,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `qda diff`: a codebook revision and its effect on the data.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old codebook: a file, or `git:REV:PATH` (read with `git show`,
    /// such as `git:HEAD~1:codebooks/motives.toml`)
    pub(crate) old: String,

    /// The new codebook
    pub(crate) new: PathBuf,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    /// Settle conflicts in exclusive groups with these decisions (for both
    /// codebooks' tallies)
    #[arg(long, value_name = "FILE")]
    pub(crate) adjudications: Option<PathBuf>,

    /// Exit 1 when any tally changes (a CI check that a refactored codebook
    /// codes the same)
    #[arg(long)]
    pub(crate) fail_on_change: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `--min-alpha`: a finite number no greater than 1, the largest alpha.
fn alpha_threshold(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x <= 1.0 => Ok(x),
        _ => Err("give a number no greater than 1, such as 0.8 (alpha is at most 1)".to_owned()),
    }
}

/// A number of bootstrap resamples: a million give an interval's bounds to
/// about three decimals already, and each is kept until the quantiles.
fn resamples() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1_000_000)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}

/// How many coded excerpts per code a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExcerptLimit {
    /// At most this many (the first, in case order).
    AtMost(usize),
    /// Every one (`--excerpts all`).
    All,
}

impl ExcerptLimit {
    /// The most shown, `None` for every one.
    pub(crate) fn at_most(self) -> Option<usize> {
        match self {
            ExcerptLimit::AtMost(n) => Some(n),
            ExcerptLimit::All => None,
        }
    }
}

fn excerpt_limit(value: &str) -> Result<ExcerptLimit, String> {
    if value.eq_ignore_ascii_case("all") {
        return Ok(ExcerptLimit::All);
    }
    value.parse().map(ExcerptLimit::AtMost).map_err(|_| {
        format!("`{value}` is neither a number of excerpts nor `all`; give --excerpts 20 or --excerpts all")
    })
}

/// `qda suggest`: segments like those that have a code.
#[derive(Debug, Args)]
pub(crate) struct SuggestArgs {
    /// The codebook (TOML, or JSON by extension; or a .dic, .yml or .yaml dictionary)
    pub(crate) codebook: PathBuf,

    /// The code whose segments (with those of its descendants) are the seeds
    pub(crate) code: String,

    #[command(flatten)]
    pub(crate) input: TranscriptArgs,

    #[command(flatten)]
    pub(crate) codings: CodingsArgs,

    /// How many suggestions to list (at least 1)
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(crate) top: usize,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    #[command(flatten)]
    pub(crate) output: OutputArgs,
}
