//! One module per subcommand, each with `run(&Args) -> Result<Outcome>`.

pub(crate) mod agree;
pub(crate) mod check;
pub(crate) mod code;
pub(crate) mod cooccur;
pub(crate) mod diff;
pub(crate) mod excerpts;
pub(crate) mod exchange;
pub(crate) mod explain;
pub(crate) mod git_setup;
pub(crate) mod import_sheet;
pub(crate) mod import_transcripts;
pub(crate) mod log;
pub(crate) mod matrix;
pub(crate) mod memos;
pub(crate) mod merge_codings;
pub(crate) mod partial;
pub(crate) mod query;
pub(crate) mod reanchor;
pub(crate) mod saturation;
pub(crate) mod serve;
mod serve_class;
pub(crate) mod sheet;
pub(crate) mod suggest;
pub(crate) mod tally;
pub(crate) mod verify;
