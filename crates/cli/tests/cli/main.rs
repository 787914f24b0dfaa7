//! End-to-end tests of the `qda` binary.
//!
//! Each module covers one area; `support` holds the harness. Snapshots live
//! in `snapshots/`; review changes with `cargo insta review`.

mod agree;
mod analysis;
mod anonymity;
mod atomic;
mod check;
mod code;
mod dictionaries;
mod diff;
mod errors;
mod excerpts;
mod exchange;
mod explain;
mod import_transcripts;
mod memos;
mod query;
mod readme;
mod reanchor;
mod report;
mod saturation;
mod serve;
mod serve_class;
mod serve_lock;
mod shard;
mod sheet;
mod speakers;
mod study;
mod suggest;
mod support;
mod tally;
mod teamwork;
mod written;
