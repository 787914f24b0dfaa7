//! Import tests of qda-exchange.
//!
//! - `tools`: small files in the shapes other tools write, each quirk once;
//! - `samples`: real files written by other tools, when `QDA_REFI_SAMPLES`
//!   names a folder of them;
//! - `common`: the checks both share.

mod common;
mod hostile;
mod samples;
mod tools;
