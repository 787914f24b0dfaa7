//! Import tests of qda-exchange.
//!
//! - `tools`: small files in the shapes other tools write, each quirk once;
//! - `samples`: real files written by other tools, when `QDA_REFI_SAMPLES`
//!   names a folder of them;
//! - `spans`: selections keep their spans through import and export;
//! - `common`: the checks both share;
//! - `refi`: an independent reader of a project's selections, to compare
//!   a sample with its round trip.

mod common;
mod hostile;
mod refi;
mod samples;
mod spans;
mod tools;
